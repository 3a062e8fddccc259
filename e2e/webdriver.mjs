// A tiny W3C WebDriver client for Debian's chromium + chromedriver, spoken over HTTP with
// Node's global fetch. No other dependencies.
//
//   const b = await startBrowser();
//   await b.go('http://127.0.0.1:8080/');
//   await b.click('a[href="/dang-nhap"]');
//   await b.quit();

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf'; // W3C web element identifier

export const CHROMIUM_BIN = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
export const CHROMEDRIVER_BIN = process.env.CHROMEDRIVER_BIN || '/usr/bin/chromedriver';

const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** A free TCP port on 127.0.0.1 (asks the kernel for one, then releases it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Thrown from a pollUntil probe to stop polling at once (e.g. the awaited process died). */
export class GiveUp extends Error {}

/**
 * Poll `probe` (async, returns truthy when done) until it succeeds or `timeoutMs` passes.
 * Errors thrown by the probe count as "not yet", except GiveUp, which ends the wait.
 */
export async function pollUntil(what, probe, { timeoutMs = 10_000, intervalMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      if (e instanceof GiveUp) throw e;
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Keep the last `max` characters a child process printed, for error messages. */
function tail(stream, max = 4000) {
  const buf = { text: '' };
  stream?.on('data', (d) => {
    buf.text = (buf.text + d.toString()).slice(-max);
  });
  return buf;
}

/**
 * Start Chromium (phone-sized, 390 × 844) under chromedriver. `{ javascript: false }` turns page
 * JavaScript off, as on a phone where it is blocked or broken; WebDriver's own commands still work.
 */
export async function startBrowser(options) {
  const browser = new Browser();
  await browser.start(options);
  return browser;
}

/**
 * Start `browsers` (created, not yet started) side by side, each with its own profile; options
 * as for startBrowser. If one cannot start, all are quit and its error is thrown.
 */
export async function startAll(browsers, options) {
  const started = await Promise.allSettled(browsers.map((b) => b.start(options)));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await quitAll(browsers);
    throw failed.reason;
  }
}

/** Quit every browser given (never throws; one never started is skipped). */
export async function quitAll(browsers) {
  await Promise.all(browsers.map((b) => b?.quit()));
}

export class Browser {
  /** A browser not started yet (`start`); `label` names it in messages. */
  constructor(label) {
    this.label = label;
    this.sessionId = null;
  }

  /** Start chromedriver and a fresh Chromium session in it (see startBrowser). */
  async start({ javascript = true } = {}) {
    const port = await freePort();
    const driver = spawn(CHROMEDRIVER_BIN, [`--port=${port}`, '--allowed-ips=127.0.0.1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = tail(driver.stdout);
    const errLog = tail(driver.stderr);
    let exited = null;
    driver.on('exit', (code, signal) => (exited = { code, signal }));
    const killDriver = () => {
      if (exited === null) driver.kill('SIGKILL');
    };
    process.once('exit', killDriver);
    driver.on('error', (e) => (exited = { error: e }));

    this.base = `http://127.0.0.1:${port}`;
    this.driver = driver;
    this.profile = mkdtempSync(join(tmpdir(), 'hocvuso-e2e-chromium-'));
    this.killDriver = killDriver;
    try {
      await pollUntil(
        `chromedriver (${CHROMEDRIVER_BIN}) on port ${port} to be ready`,
        async () => {
          if (exited) {
            throw new GiveUp(`chromedriver exited ${JSON.stringify(exited)}\n${log.text}${errLog.text}`);
          }
          const res = await fetch(`${this.base}/status`, { signal: AbortSignal.timeout(2000) });
          const body = await res.json();
          return body.value?.ready === true;
        },
        { timeoutMs: 20_000 },
      );
      const value = await this.cmd('POST', '/session', {
        capabilities: {
          alwaysMatch: {
            browserName: 'chrome',
            pageLoadStrategy: 'normal',
            timeouts: { implicit: 0, pageLoad: 30_000, script: 30_000 },
            'goog:chromeOptions': {
              binary: CHROMIUM_BIN,
              args: [...CHROMIUM_ARGS, `--user-data-dir=${this.profile}`],
              mobileEmulation: { deviceMetrics: { width: 390, height: 844, pixelRatio: 2 } },
              ...(javascript ? {} : { prefs: { 'profile.managed_default_content_settings.javascript': 2 } }),
            },
          },
        },
      }, 'new session');
      this.sessionId = value.sessionId;
      this.javascriptOff = !javascript;
    } catch (e) {
      await this.quit();
      throw e;
    }
  }

  /**
   * GET `path` of the site under test (`site`: its base URL) from Node with this browser's
   * cookies, without following redirects: for downloads, which a headless browser saves out of
   * sight.
   */
  async fetchAs(site, path) {
    const cookies = await this.cmd('GET', this.s('/cookie'), undefined, 'get cookies');
    const res = await fetch(site + path, {
      headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    return {
      status: res.status,
      type: res.headers.get('content-type') || '',
      disposition: res.headers.get('content-disposition') || '',
      location: res.headers.get('location') || '',
      bytes,
      text: bytes.toString('utf8'),
    };
  }

  /** One WebDriver command. `what` names the selector/URL for error messages. */
  async cmd(method, path, body, what) {
    const url = this.base + path;
    let res;
    try {
      res = await fetch(url, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(90_000),
      });
    } catch (e) {
      throw new Error(`WebDriver ${method} ${path} (${what}) failed: ${e.message}`);
    }
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`WebDriver ${method} ${path} (${what}): HTTP ${res.status}, not JSON: ${text.slice(0, 500)}`);
    }
    if (!res.ok || json.value?.error) {
      const v = json.value || {};
      const error = v.error || `HTTP ${res.status}`;
      const msg = String(v.message || text).split('\n')[0].replace(`${error}: `, '');
      throw new Error(`WebDriver ${what}: ${error}: ${msg}`);
    }
    return json.value;
  }

  s(path) {
    if (!this.sessionId) throw new Error('no WebDriver session');
    return `/session/${this.sessionId}${path}`;
  }

  /** Navigate to an absolute URL and wait for it to load. */
  async go(url) {
    await this.cmd('POST', this.s('/url'), { url }, `navigate to ${url}`);
    await this.assertLoaded(`navigate to ${url}`);
  }

  /** Chromium shows its own error page (not an exception) when a URL cannot be loaded. */
  async assertLoaded(what) {
    const href = await this.exec('return location.href;');
    if (href.startsWith('chrome-error:')) {
      throw new Error(`${what}: the browser could not load ${await this.currentUrlSafe()} (connection failed?)`);
    }
  }

  async currentUrl() {
    return this.cmd('GET', this.s('/url'), undefined, 'get current URL');
  }

  /** The path part of the current URL, e.g. "/hoc". */
  async currentPath() {
    return new URL(await this.currentUrl()).pathname;
  }

  /** Wait until the current path matches `re` (after a click that navigates). Returns the match. */
  async waitForPath(re, timeoutMs = 15_000) {
    let path = '';
    try {
      return await pollUntil(`URL path matching ${re}`, async () => {
        path = await this.currentPath();
        return path.match(re);
      }, { timeoutMs });
    } catch {
      throw new Error(`expected to arrive at a path matching ${re}, but the browser is at ${await this.currentUrl()}`);
    }
  }

  async source() {
    return this.cmd('GET', this.s('/source'), undefined, 'get page source');
  }

  /** Run a script in the page (W3C execute/sync; a returned promise is awaited). */
  async exec(script, args = []) {
    const label = `execute script "${script.slice(0, 60).replace(/\s+/g, ' ')}…"`;
    return this.cmd('POST', this.s('/execute/sync'), { script, args: args.map(toWire) }, label);
  }

  /** The first element matching `css`; throws naming the selector and URL if none. */
  async find(css) {
    const v = await this.cmd('POST', this.s('/element'), { using: 'css selector', value: css },
      `find "${css}" on ${await this.currentUrlSafe()}`);
    return new Element(this, v[ELEMENT], css);
  }

  /** All elements matching `css` (possibly none). */
  async findAll(css) {
    const vs = await this.cmd('POST', this.s('/elements'), { using: 'css selector', value: css },
      `find all "${css}"`);
    return vs.map((v, i) => new Element(this, v[ELEMENT], `${css}[${i}]`));
  }

  async has(css) {
    return (await this.findAll(css)).length > 0;
  }

  async click(css) {
    await (await this.find(css)).click();
  }

  /**
   * Click something that loads a new document (a link, a form's submit button) and wait until
   * the new document has finished loading. chromedriver's click may return before a form
   * submission navigates, so the old document is marked and we poll until the mark is gone.
   * `target` is a CSS selector or an Element.
   */
  async clickAndWait(target) {
    const el = typeof target === 'string' ? await this.find(target) : target;
    const from = await this.currentUrlSafe();
    const mark = `e2e-${Date.now()}-${Math.random()}`;
    await this.exec('window.__e2eOldDocument = arguments[0];', [mark]);
    await el.click();
    await pollUntil(`a new page to load after clicking "${el.css}" on ${from}`, async () => {
      const [old, state] = await this.exec('return [window.__e2eOldDocument || null, document.readyState];');
      return old !== mark && state === 'complete';
    }, { timeoutMs: 30_000 });
    await this.assertLoaded(`click "${el.css}" on ${from}`);
  }

  /** Clear the field and type `text` into it. */
  async type(css, text) {
    const el = await this.find(css);
    await el.clear();
    await el.type(text);
  }

  /** Choose `value` in a <select> by clicking its option. */
  async select(css, value) {
    const option = await this.find(`${css} option[value="${value}"]`);
    if (this.javascriptOff) {
      // A DOM click does not pick an option; choosing it is what the tap does.
      await this.exec('arguments[0].selected = true;', [option]);
    } else {
      await option.click();
    }
    const chosen = await this.exec('return arguments[0].value;', [await this.find(css)]);
    if (chosen !== value) throw new Error(`select "${css}": wanted value ${value}, got ${chosen}`);
  }

  /** Visible text of the first element matching `css`. */
  async text(css) {
    return (await this.find(css)).text();
  }

  async currentUrlSafe() {
    try {
      return await this.currentUrl();
    } catch {
      return '(unknown URL)';
    }
  }

  /** End the session (closes chromium), stop chromedriver, delete the profile. Never throws. */
  async quit() {
    if (!this.driver) return; // never started
    if (this.sessionId) {
      try {
        await this.cmd('DELETE', `/session/${this.sessionId}`, undefined, 'delete session');
      } catch {
        // The driver is killed below anyway.
      }
      this.sessionId = null;
    }
    if (this.driver.exitCode === null && this.driver.signalCode === null) {
      const gone = new Promise((r) => this.driver.once('exit', r));
      this.driver.kill('SIGTERM');
      const timer = setTimeout(() => this.killDriver(), 5000);
      await gone;
      clearTimeout(timer);
    }
    process.removeListener('exit', this.killDriver);
    rmSync(this.profile, { recursive: true, force: true });
  }
}

export class Element {
  constructor(browser, id, css) {
    this.browser = browser;
    this.id = id;
    this.css = css;
  }

  c(method, path, body, verb) {
    return this.browser.cmd(method, this.browser.s(`/element/${this.id}${path}`), body, `${verb} "${this.css}"`);
  }

  click() {
    if (this.browser.javascriptOff) {
      // chromedriver's own click waits on page scripts that never run when page JavaScript is
      // off; the DOM click, sent over WebDriver's script channel (which still works), does what
      // a tap does: follows the link, submits the form, checks the radio of a label.
      return this.browser.exec('arguments[0].click();', [this]);
    }
    return this.c('POST', '/click', {}, 'click');
  }

  clear() {
    return this.c('POST', '/clear', {}, 'clear');
  }

  type(text) {
    return this.c('POST', '/value', { text }, `type ${JSON.stringify(text)} into`);
  }

  text() {
    return this.c('GET', '/text', undefined, 'get text of');
  }

  attr(name) {
    return this.c('GET', `/attribute/${encodeURIComponent(name)}`, undefined, `get attribute ${name} of`);
  }

  async find(css) {
    const v = await this.c('POST', '/element', { using: 'css selector', value: css }, `find "${css}" inside`);
    return new Element(this.browser, v[ELEMENT], `${this.css} ${css}`);
  }

  async findAll(css) {
    const vs = await this.c('POST', '/elements', { using: 'css selector', value: css }, `find all "${css}" inside`);
    return vs.map((v, i) => new Element(this.browser, v[ELEMENT], `${this.css} ${css}[${i}]`));
  }
}

function toWire(arg) {
  return arg instanceof Element ? { [ELEMENT]: arg.id } : arg;
}
