// Shared by every browser test: start `hocvuso` on a fresh database (temporary SQLite, or the
// PostgreSQL database in E2E_DATABASE_URL) and run its other commands; a walk's set-up (server,
// browsers, ordered steps); and the page helpers every walk uses. (WebDriver is webdriver.mjs.)

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { assertAccessible } from './axe.mjs';
import { Browser, freePort, GiveUp, pollUntil, quitAll, startAll } from './webdriver.mjs';

const E2E_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_DIR = resolve(E2E_DIR, '..');
export const BIN = process.env.HOCVUSO_BIN
  ? resolve(process.env.HOCVUSO_BIN)
  : resolve(E2E_DIR, '../target/release/hocvuso');
// Demo accounts (src/services/setup/demo.rs).
export const DEMO_PASSWORD = 'hocvuso-demo';

/** The server's environment: ours (and `extra`), less the test's own HOCVUSO_BIN, without log colours. */
function serverEnv(extra = {}) {
  const env = { ...process.env, NO_COLOR: '1', ...extra };
  delete env.HOCVUSO_BIN;
  return env;
}

/**
 * Run `hocvuso <args>` to the end from the repository root (as the server runs); resolves to
 * {stdout, stderr}, rejects (with .code, .stdout, .stderr) on a non-zero exit.
 */
export function runHocvuso(args, options = {}) {
  return promisify(execFile)(BIN, args, { cwd: REPO_DIR, env: serverEnv(), ...options });
}

/**
 * Fills a fresh database (temporary SQLite, or E2E_DATABASE_URL) and serves it. By default with
 * the demo accounts (`hocvuso demo --people 0`: no learners); with `{ admin: {phone, name,
 * password} }` only that province admin (`hocvuso user create-admin`); `{ env }`: more
 * environment for the server (e.g. HOCVUSO_EMAIL__SMTP_HOST).
 * Returns { base, tmp, logPath, logTail, shutdown, stop, crash, restart }: `tmp` is a temporary
 * directory for the test's own files too, `shutdown()` stops the server (the log and `tmp`
 * stay), `stop()` stops it and deletes `tmp`, `crash()` SIGKILLs it, `restart()` starts it
 * again on the same database and address.
 */
export async function startHocvuso(prefix, { admin, env } = {}) {
  assert.ok(existsSync(BIN), `hocvuso binary not found at ${BIN}: build it (cargo build --release) or set HOCVUSO_BIN`);
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  const logPath = join(tmp, 'server.log');
  const db = process.env.E2E_DATABASE_URL || `sqlite://${join(tmp, 'hocvuso.db')}`;
  console.log(`server binary ${BIN}\ndatabase ${db}`);
  const [what, args] = admin
    ? ['user create-admin', ['user', 'create-admin', '--database', db,
      '--phone', admin.phone, '--name', admin.name, '--password', admin.password]]
    : ['demo --people 0', ['demo', '--database', db, '--people', '0']];
  try {
    await runHocvuso(args, { timeout: 60_000 });
  } catch (e) {
    throw new Error(`hocvuso ${what} failed (${e.code ?? e.signal}):\n${e.stdout}${e.stderr}`);
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const fd = openSync(logPath, 'a');
  let server;
  const running = () => server.exitCode === null && server.signalCode === null;
  const kill = () => running() && server.kill('SIGKILL');
  process.once('exit', kill);
  const logTail = (max = 3000) => {
    try {
      return readFileSync(logPath, 'utf8').slice(-max);
    } catch {
      return '(no server log)';
    }
  };
  /** Start `hocvuso serve` on the database and wait for /healthz. */
  const launch = async () => {
    server = spawn(BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--database', db], {
      cwd: REPO_DIR, env: serverEnv(env), stdio: ['ignore', fd, fd],
    });
    await pollUntil(`GET ${base}/healthz to answer 200`, async () => {
      if (!running()) {
        throw new GiveUp(`hocvuso serve exited (${server.exitCode ?? server.signalCode}):\n${logTail()}`);
      }
      const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) });
      return res.status === 200;
    }, { timeoutMs: 30_000, intervalMs: 100 });
  };
  await launch();
  /** SIGKILL the server (as a crash or the OOM killer would) and wait until it is gone. */
  const crash = async () => {
    if (running()) {
      const gone = new Promise((r) => server.once('exit', r));
      server.kill('SIGKILL');
      await gone;
    }
  };
  /** SIGTERM the server and wait for it to exit (SIGKILL after 5 s). */
  const shutdown = async () => {
    if (running()) {
      const gone = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      const timer = setTimeout(kill, 5000);
      await gone;
      clearTimeout(timer);
    }
  };
  let stopped = false;
  const stop = async () => {
    await shutdown();
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', kill);
    closeSync(fd);
    rmSync(tmp, { recursive: true, force: true });
  };
  return { base, tmp, logPath, logTail, shutdown, stop, crash, restart: launch };
}

/**
 * What every walk sets up, as node:test hooks: before the first step, the server
 * (startHocvuso(prefix, { admin, env })), one browser per label, side by side ({ javascript } as for
 * startBrowser), then `ready()` if given (the walk's own preparations: node:test runs a file's
 * `before` hooks side by side, so one that needs the server must be this one); after the last
 * step, the browsers quit and the server stops. Returns at once { srv, p, step, browsers }: `srv`
 * (filled in by the hook: base, tmp, logTail, …), the page helpers `p` for it, `step` (see
 * steps) and the Browsers in the order of `labels`.
 */
export function setUpWalk(prefix, labels, { admin, env, javascript, ready } = {}) {
  const srv = {};
  const browsers = labels.map((label) => new Browser(label));
  before(async () => {
    Object.assign(srv, await startHocvuso(prefix, { admin, env }));
    await startAll(browsers, { javascript });
    await ready?.();
  });
  after(async () => {
    await quitAll(browsers);
    await srv.stop?.();
  });
  const step = steps(browsers, srv);
  return { srv, p: pages(srv), step, browsers };
}

/**
 * `step(name, fn)` declares a test of a walk whose steps run in order: once one fails, the rest
 * are skipped (they depend on it). A failure prints where each of `browsers` is, its page text
 * and the tail of the server `srv`'s log.
 */
function steps(browsers, srv) {
  let broken = false;
  return function step(name, fn) {
    test(name, { timeout: 300_000 }, async (t) => {
      if (broken) {
        t.skip('an earlier step failed');
        return;
      }
      try {
        await fn(t);
      } catch (e) {
        broken = true;
        for (const b of browsers) {
          console.error(`${b.label} browser at ${await b.currentUrlSafe()}`);
          try {
            console.error(`page text:\n${(await b.text('body')).slice(0, 1500)}`);
          } catch {
            // no page
          }
        }
        console.error(`server log (tail):\n${srv.logTail?.() ?? '(no server)'}`);
        throw e;
      }
    });
  };
}

export const norm = (s) => s.normalize('NFC').replace(/\s+/g, ' ').trim();
export const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Page helpers for the server `srv` (its `base` is read when they run). Each takes the browser to act in. */
export function pages(srv) {
  /** The keys ("<browser label> <path> (<variant>)") of the page states axe has scanned. */
  const scanned = new Set();

  /**
   * `b` should be on a page whose path matches `re`: check it, <html lang="vi">, and run axe
   * once per browser, path and `variant` (a page that looks different at the same path, e.g.
   * with errors). Returns the match.
   */
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

  /** Type `path` (query allowed) into the address bar and arrive there. */
  async function open(b, path, variant) {
    await b.go(srv.base + path);
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

  /** The link inside `scope` whose text is exactly `text`: [Element, href]. */
  async function link(b, scope, text) {
    const links = await b.findAll(`${scope} a`);
    const texts = [];
    for (const a of links) {
      const t = norm(await a.text());
      if (t === text) return [a, await a.attr('href')];
      texts.push(t);
    }
    throw new Error(`no link "${text}" in ${scope} on ${await b.currentUrlSafe()} (found: ${JSON.stringify(texts.slice(0, 40))})`);
  }

  /** Follow the link inside `scope` whose text is exactly `text`; returns its href. */
  async function follow(b, scope, text) {
    const [a, href] = await link(b, scope, text);
    await b.clickAndWait(a);
    return href;
  }

  /** On the login page (form#dang-nhap): type the phone and password, press "Đăng nhập". */
  async function submitLogin(b, phone, password = DEMO_PASSWORD) {
    await b.type('form#dang-nhap input[name="phone"]', phone);
    await b.type('form#dang-nhap input[name="password"]', password);
    await press(b, 'form#dang-nhap', 'Đăng nhập');
  }

  /** Open /dang-nhap and log in (a demo account unless `password` is given). */
  async function login(b, phone, password = DEMO_PASSWORD) {
    await open(b, '/dang-nhap');
    await submitLogin(b, phone, password);
  }

  /** The h1's text. */
  async function h1(b) {
    return norm(await b.text('h1'));
  }

  /** The texts of every element matching `css`. */
  async function texts(b, css) {
    return b.exec(`
      return Array.from(document.querySelectorAll(arguments[0])).map(function (e) {
        return e.innerText.replace(/\\s+/g, ' ').trim();
      });
    `, [css]);
  }

  /** GET `path` from Node with `b`'s cookies, without following redirects (Browser.fetchAs). */
  const fetchAs = (b, path) => b.fetchAs(srv.base, path);

  return { scanned, arrive, open, press, link, follow, submitLogin, login, h1, texts, fetchAs };
}
