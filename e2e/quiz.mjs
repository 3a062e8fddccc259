// Reads the answer key from a course's quiz.toml. A deliberately small TOML reader for the shape
// the content uses: top-level keys, [table] headers, [[questions]] array-of-tables, and values
// that are strings ("basic", 'literal', """multi-line"""), integers, booleans and (multi-line)
// arrays of those. Anything else is an error, so a surprise in the file fails loudly.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { norm } from './server.mjs';

/** Parse quiz.toml text into [{ prompt, options: [..], correct: [indexes], multiple }]. */
export function parseQuiz(text) {
  const doc = parseToml(text);
  const questions = doc.questions;
  if (!Array.isArray(questions) || questions.length === 0) {
    throw new Error('quiz.toml: no [[questions]]');
  }
  return questions.map((q, i) => {
    const where = `quiz.toml question ${i + 1}`;
    if (typeof q.prompt !== 'string') throw new Error(`${where}: prompt is not a string`);
    if (!Array.isArray(q.options) || q.options.length < 2 || q.options.some((o) => typeof o !== 'string')) {
      throw new Error(`${where}: options must be an array of at least two strings`);
    }
    // `correct = 1` (one right option) or `correct = [0, 2]` (choose every right option).
    const multiple = Array.isArray(q.correct);
    const correct = multiple ? q.correct : [q.correct];
    if (correct.length === 0 || correct.some((c) => !Number.isInteger(c) || c < 0 || c >= q.options.length)) {
      throw new Error(`${where}: correct = ${JSON.stringify(q.correct)} is not an index (or a list of indexes) into options`);
    }
    return { prompt: q.prompt, options: q.options, correct, multiple };
  });
}

export function readQuiz(path) {
  return parseQuiz(readFileSync(path, 'utf8'));
}

export function parseToml(text) {
  const root = {};
  let table = root;
  let i = 0;
  let line = 1;

  const fail = (msg) => {
    throw new Error(`TOML line ${line}: ${msg}`);
  };
  const peek = (s) => text.startsWith(s, i);
  const advance = (n) => {
    for (let k = 0; k < n; k++) if (text[i + k] === '\n') line++;
    i += n;
  };
  const skipSpace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) advance(1);
  };
  const skipComment = () => {
    if (text[i] === '#') while (i < text.length && text[i] !== '\n') advance(1);
  };
  // Whitespace, newlines and comments (inside arrays and between statements).
  const skipBlank = () => {
    for (;;) {
      skipSpace();
      skipComment();
      if (text[i] === '\n' || text[i] === '\r') advance(1);
      else return;
    }
  };
  const endOfLine = () => {
    skipSpace();
    skipComment();
    if (text[i] === '\r') advance(1);
    if (i < text.length && text[i] !== '\n') fail(`unexpected ${JSON.stringify(text[i])}`);
  };
  const key = () => {
    const m = /^(?:[A-Za-z0-9_-]+|"[^"\n]*")/.exec(text.slice(i));
    if (!m) fail('expected a key');
    advance(m[0].length);
    return m[0].startsWith('"') ? m[0].slice(1, -1) : m[0];
  };
  const ESCAPES = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };
  const basicString = (multi) => {
    const close = multi ? '"""' : '"';
    advance(close.length);
    if (multi && text[i] === '\n') advance(1);
    let out = '';
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      if (peek(close)) {
        advance(close.length);
        return out;
      }
      const c = text[i];
      if (c === '\n' && !multi) fail('newline in string');
      if (c === '\\') {
        const e = text[i + 1];
        if (ESCAPES[e] !== undefined) {
          out += ESCAPES[e];
          advance(2);
        } else if (e === 'u' || e === 'U') {
          const n = e === 'u' ? 4 : 8;
          const hex = text.slice(i + 2, i + 2 + n);
          if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== n) fail('bad \\u escape');
          out += String.fromCodePoint(parseInt(hex, 16));
          advance(2 + n);
        } else if (multi && (e === '\n' || e === ' ' || e === '\r' || e === '\t')) {
          advance(1); // line-ending backslash: trim the following whitespace
          while (/[\s]/.test(text[i] || '')) advance(1);
        } else {
          fail(`bad escape \\${e}`);
        }
      } else {
        out += c;
        advance(1);
      }
    }
  };
  const literalString = (multi) => {
    const close = multi ? "'''" : "'";
    advance(close.length);
    if (multi && text[i] === '\n') advance(1);
    const end = text.indexOf(close, i);
    if (end < 0) fail('unterminated string');
    const s = text.slice(i, end);
    if (!multi && s.includes('\n')) fail('newline in string');
    advance(end - i + close.length);
    return s;
  };
  const value = () => {
    if (peek('"""')) return basicString(true);
    if (peek('"')) return basicString(false);
    if (peek("'''")) return literalString(true);
    if (peek("'")) return literalString(false);
    if (peek('[')) {
      advance(1);
      const arr = [];
      for (;;) {
        skipBlank();
        if (peek(']')) {
          advance(1);
          return arr;
        }
        arr.push(value());
        skipBlank();
        if (peek(',')) advance(1);
        else if (!peek(']')) fail('expected , or ] in array');
      }
    }
    const m = /^(true|false|[+-]?\d[\d_]*)(?=[\s,\]#]|$)/.exec(text.slice(i));
    if (!m) fail(`unsupported value starting ${JSON.stringify(text.slice(i, i + 20))}`);
    advance(m[0].length);
    if (m[0] === 'true' || m[0] === 'false') return m[0] === 'true';
    return parseInt(m[0].replace(/_/g, ''), 10);
  };

  for (;;) {
    skipBlank();
    if (i >= text.length) return root;
    if (peek('[[')) {
      advance(2);
      const name = key();
      if (!peek(']]')) fail('expected ]]');
      advance(2);
      if (root[name] === undefined) root[name] = [];
      if (!Array.isArray(root[name])) fail(`${name} is not an array of tables`);
      table = {};
      root[name].push(table);
    } else if (peek('[')) {
      advance(1);
      const name = key();
      if (!peek(']')) fail('expected ]');
      advance(1);
      if (root[name] !== undefined) fail(`table ${name} defined twice`);
      table = root[name] = {};
    } else {
      const k = key();
      skipSpace();
      if (!peek('=')) fail(`expected = after ${k}`);
      advance(1);
      skipSpace();
      if (Object.hasOwn(table, k)) fail(`duplicate key ${k}`);
      table[k] = value();
    }
    endOfLine();
  }
}

/**
 * Answers every question on the attempt page `b` shows, all correctly or all wrongly, from the
 * key `quiz` (readQuiz). Returns how many questions there were.
 */
export async function answerQuiz(b, quiz, correctly) {
  const fieldsets = await b.findAll('form#bai-lam fieldset.question');
  assert.ok(fieldsets.length > 0, 'no fieldset.question in form#bai-lam');
  const seen = new Set();
  for (const fs of fieldsets) {
    // A question where every right option must be chosen says so after its prompt.
    // Each question is numbered "Câu N." as the messages name it.
    const shown = norm(await (await fs.find('legend')).text());
    assert.match(shown, /^Câu \d+\. /, `question not numbered: ${shown}`);
    const legend = shown.replace(/^Câu \d+\. /, '').replace(/ \(chọn tất cả phương án đúng\)$/, '');
    const q = quiz.find((x) => norm(x.prompt) === legend);
    assert.ok(q, `legend ${JSON.stringify(legend)} matches no prompt in quiz.toml`);
    assert.ok(!seen.has(legend), `question shown twice: ${legend}`);
    seen.add(legend);

    const labels = await fs.findAll('label');
    const texts = [];
    for (const l of labels) texts.push(norm(await l.text()));
    assert.deepEqual([...texts].sort(), q.options.map(norm).sort(), `options of "${legend}"`);

    // All right options, or one wrong one.
    const picks = correctly
      ? q.correct
      : [q.options.findIndex((_, i) => !q.correct.includes(i))];
    for (const pick of picks) {
      const want = norm(q.options[pick]);
      const label = labels[texts.indexOf(want)];
      await label.click();
      const checked = await b.exec(
        'var i = document.getElementById(arguments[0].htmlFor); return !!i && i.type === arguments[1] && i.checked;',
        [label, q.multiple ? 'checkbox' : 'radio'],
      );
      assert.ok(checked, `clicking label "${want}" of "${legend}" did not check its ${q.multiple ? 'checkbox' : 'radio'}`);
    }
  }
  return fieldsets.length;
}
