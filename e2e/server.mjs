// Shared by the browser tests written after it: start `hocvuso` on a fresh database (demo
// accounts, no learners), and the page helpers every walk uses. (walk, handbook and dashboard
// tests still carry their own copies of this; new tests use this module.)

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { assertAccessible } from './axe.mjs';
import { freePort, GiveUp, pollUntil } from './webdriver.mjs';

const E2E_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_DIR = resolve(E2E_DIR, '..');
export const BIN = process.env.HOCVUSO_BIN
  ? resolve(process.env.HOCVUSO_BIN)
  : resolve(E2E_DIR, '../target/release/hocvuso');
export const DEMO_PASSWORD = 'hocvuso-demo';

/** The server's environment: ours, less the test's own HOCVUSO_BIN, without log colours. */
function serverEnv() {
  const env = { ...process.env, NO_COLOR: '1' };
  delete env.HOCVUSO_BIN;
  return env;
}

/**
 * Loads the demo accounts (`hocvuso demo --people 0`) into a fresh database (temporary SQLite,
 * or E2E_DATABASE_URL) and serves it. Returns { base, tmp, logTail, stop }.
 */
export async function startHocvuso(prefix) {
  assert.ok(existsSync(BIN), `hocvuso binary not found at ${BIN}: build it (cargo build --release) or set HOCVUSO_BIN`);
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  const serverLog = join(tmp, 'server.log');
  const db = process.env.E2E_DATABASE_URL || `sqlite://${join(tmp, 'hocvuso.db')}`;
  console.log(`server binary ${BIN}\ndatabase ${db}`);
  try {
    await promisify(execFile)(BIN, ['demo', '--database', db, '--people', '0'], {
      cwd: REPO_DIR, env: serverEnv(), timeout: 60_000,
    });
  } catch (e) {
    throw new Error(`hocvuso demo --people 0 failed (${e.code ?? e.signal}):\n${e.stdout}${e.stderr}`);
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const fd = openSync(serverLog, 'a');
  const server = spawn(BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--database', db], {
    cwd: REPO_DIR, env: serverEnv(), stdio: ['ignore', fd, fd],
  });
  const running = () => server.exitCode === null && server.signalCode === null;
  const kill = () => running() && server.kill('SIGKILL');
  process.once('exit', kill);
  const logTail = (max = 3000) => {
    try {
      return readFileSync(serverLog, 'utf8').slice(-max);
    } catch {
      return '(no server log)';
    }
  };
  await pollUntil(`GET ${base}/healthz to answer 200`, async () => {
    if (!running()) {
      throw new GiveUp(`hocvuso serve exited (${server.exitCode ?? server.signalCode}):\n${logTail()}`);
    }
    const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) });
    return res.status === 200;
  }, { timeoutMs: 30_000, intervalMs: 100 });
  const stop = async () => {
    if (running()) {
      const gone = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      const timer = setTimeout(kill, 5000);
      await gone;
      clearTimeout(timer);
    }
    process.removeListener('exit', kill);
    closeSync(fd);
    rmSync(tmp, { recursive: true, force: true });
  };
  return { base, tmp, logTail, stop };
}

export const norm = (s) => s.normalize('NFC').replace(/\s+/g, ' ').trim();
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Page helpers bound to a server's base address. */
export function pages(base) {
  const scanned = new Set();

  /** On a page whose path matches `re`: <html lang="vi">, axe once per browser/path/variant. */
  async function arrive(b, re, variant = '') {
    const m = await b.waitForPath(re);
    const path = m[0];
    const lang = await b.exec('return document.documentElement.getAttribute("lang");');
    assert.equal(lang, 'vi', `<html lang> on ${path}`);
    const key = `${b.label} ${path}${variant ? ` (${variant})` : ''}`;
    if (!scanned.has(key)) {
      scanned.add(key);
      await assertAccessible(b, key);
      console.log(`  ${key}: lang=vi, axe clean`);
    }
    return m;
  }

  /** Type `path` into the address bar and arrive there. */
  async function open(b, path, variant) {
    await b.go(base + path);
    return arrive(b, new RegExp(`^${escapeRe(path.split('?')[0])}$`), variant);
  }

  /** Press the button labelled exactly `label` inside `scope` and wait for the next page. */
  async function press(b, scope, label) {
    const buttons = await b.findAll(`${scope} button, ${scope} input[type="submit"]`);
    const texts = [];
    for (const el of buttons) {
      const text = norm((await el.text()) || (await el.attr('value')) || '');
      if (text === label) {
        await b.clickAndWait(el);
        return;
      }
      texts.push(text);
    }
    throw new Error(`no button "${label}" in ${scope} on ${await b.currentUrlSafe()} (found: ${JSON.stringify(texts)})`);
  }

  /** Follow the link inside `scope` whose text is exactly `text`. */
  async function follow(b, scope, text) {
    const links = await b.findAll(`${scope} a`);
    const texts = [];
    for (const a of links) {
      const t = norm(await a.text());
      if (t === text) {
        await b.clickAndWait(a);
        return;
      }
      texts.push(t);
    }
    throw new Error(`no link "${text}" in ${scope} on ${await b.currentUrlSafe()} (found: ${JSON.stringify(texts.slice(0, 40))})`);
  }

  async function login(b, phone, password = DEMO_PASSWORD) {
    await open(b, '/dang-nhap');
    await b.type('form#dang-nhap input[name="phone"]', phone);
    await b.type('form#dang-nhap input[name="password"]', password);
    await press(b, 'form#dang-nhap', 'Đăng nhập');
  }

  /** The texts of every element matching `css`. */
  async function texts(b, css) {
    return b.exec(`
      return Array.from(document.querySelectorAll(arguments[0])).map(function (e) {
        return e.innerText.replace(/\\s+/g, ' ').trim();
      });
    `, [css]);
  }

  return { arrive, open, press, follow, login, texts };
}
