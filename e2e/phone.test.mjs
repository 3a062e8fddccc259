// Every page reads well on a phone: the staff's and the learner's pages, walked at 390 × 844 and
// at 320 × 700 by the province admin, a commune officer, a learner and a visitor. (The 320 px
// width is Chromium's device metrics, set over the DevTools protocol once the page has loaded:
// chromedriver puts its own 390 × 844 back at each navigation.) On each page, at each width, a
// script in the page checks that
//   1. the page itself never scrolls sideways (what is wider scrolls inside its own box, as a
//      table in `.scroll` does);
//   2. no table cell wraps inside a word (each word of a th/td, split on white space, is drawn
//      on one line: one line of client rects per word; a path or a document number may break
//      right after one of its hyphens, nowhere else);
//   3. every visible link, button and summary is at least 24 px tall (WCAG 2.5.8; a link inline
//      in a sentence of other text is exempt), the header's navigation at least 44 px. A link
//      drawn in SVG (a commune on the map) is at least 24 × 24 px or has an equivalent (WCAG
//      2.5.8's "Equivalent" exception): a link with the same href in #danh-sach-xa, the list of
//      communes under the map, at least 24 px tall once the <details> around it are opened
//      (each by its summary, itself checked as above);
//   4. every id is unique on the page.
// A failure lists each problem with the page's URL, the width and the element (tag#id.class
// "text"), so that a person can find it.
//
// Accounts and data: `hocvuso demo --people 0` on a fresh database (setUpWalk), then
// `hocvuso demo --people 1500` on the same database adds the demo learners (names, birth years,
// results), so the lists and the ranking are full; the officer's roster import adds people with
// phones and citizen ids. The officer 0900000002 of Phường Xuân Hương - Đà Lạt (24781), the admin
// 0900000001 and the demo learner 0900000005 (password "hocvuso-demo").
//
// Iteration aids (environment variables):
//   E2E_CSS_FROM_DISK=1   after each page load, replace the served stylesheet (embedded in the
//                         binary at build time) with ../static/style.css as it is on disk, so a
//                         CSS change is checked without rebuilding; the test must also pass
//                         without it once the binary is rebuilt.
//   E2E_SCREENSHOTS=DIR   save a PNG of every page at every width into DIR.
//
// Run: ./run   (or: node --test phone.test.mjs, with chromium, chromium-driver and node_modules)

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

import { escapeRe, norm, REPO_DIR, runHocvuso, setUpWalk } from './server.mjs';

const SIZES = [{ width: 390, height: 844 }, { width: 320, height: 700 }];
const CSS_FROM_DISK = process.env.E2E_CSS_FROM_DISK === '1';
const SCREENSHOTS = process.env.E2E_SCREENSHOTS ? resolve(process.env.E2E_SCREENSHOTS) : null;
const STYLE_CSS = resolve(REPO_DIR, 'static/style.css');

const ADMIN = '0900000001';
const OFFICER = '0900000002';
const LEARNER = '0900000005';
const XUAN_HUONG = '24781'; // the officer's commune
const MUI_NE = '22918';
const COURSE = 'ky-nang-so-co-ban';
const ARTICLE = 'cai-dat-vneid';
const ROSTER_HEADER = 'STT,Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Số định danh cá nhân,Mã xã,Nhóm';
const ROSTER_OK = [
  ['Nguyễn Thị Hoa', '05/03/1962', 'Nữ', '0912345678', '068162001234'],
  ['Trần Văn Bình', '1970', 'Nam', '0987654321', ''],
  ['Huỳnh Thị Khánh Nguyệt', '12/12/1958', 'Nữ', '0356000111', '068158004321'],
  ['Bùi Thị Hương', '1975', 'Nữ', '0356000112', '068175001111'],
  ['Đặng Ngọc Điệp', '1981', 'Nam', '0356000113', '068081002222'],
].map((r, i) => [i + 1, ...r, XUAN_HUONG, 'Người dân'].join(','));
const ROSTER_BAD = [
  `1,Lê Thị Cúc,31/02/1958,Nữ,0356000111,,${XUAN_HUONG},Người dân`,
  `2,Phạm Văn Khánh,1970,Nam,0987654321,,${MUI_NE},Người dân`,
];

const { srv, p, browsers: [admin, officer, learner] } = setUpWalk(
  'hocvuso-e2e-phone-', ['admin', 'officer', 'learner'], {
    async ready() {
      // The server is already up on this database; the demo learners are added beside it.
      const db = process.env.E2E_DATABASE_URL || `sqlite://${join(srv.tmp, 'hocvuso.db')}`;
      await runHocvuso(['demo', '--database', db, '--people', '1500'], { timeout: 120_000 });
    },
  },
);

/** "<url> @<w>px" of every page state checked, for the summary at the end. */
const covered = [];

// ---------------------------------------------------------------------------------------------
// The checks, run in the page (arguments: the viewport width expected). Returns a list of
// problems, each a sentence naming the element.

const CHECK = String.raw`
var W = arguments[0];
var problems = [];
function describe(el) {
  var s = el.tagName.toLowerCase();
  if (el.id) s += '#' + el.id;
  var cls = typeof el.className === 'string' ? el.className.trim() : '';
  if (cls) s += '.' + cls.split(/\s+/).join('.');
  var text = (el.innerText || el.textContent || el.value || '').replace(/\s+/g, ' ').trim();
  if (text) s += ' "' + (text.length > 60 ? text.slice(0, 57) + '…' : text) + '"';
  var cell = el.closest && el.closest('table');
  if (cell && cell !== el) s += ' in table' + (cell.id ? '#' + cell.id : '');
  return s;
}
function rendered(el) {
  if (!el.getClientRects().length) return false;
  var st = getComputedStyle(el);
  return st.visibility !== 'hidden' && st.display !== 'none';
}

// 1. The page does not scroll sideways.
var de = document.documentElement;
if (de.clientWidth !== W) problems.push('the layout viewport is ' + de.clientWidth + ' px wide, not ' + W + ' (is the page zoomed out to fit something wide?)');
if (de.scrollWidth > de.clientWidth) {
  // Whether a box that scrolls or clips sideways holds el (an absolutely positioned element
  // escapes every box up to its containing block, the nearest positioned ancestor).
  var clips = function (el) {
    var pos = getComputedStyle(el).position;
    if (pos === 'fixed') return false;
    var escaping = pos === 'absolute';
    for (var a = el.parentElement; a && a !== document.body && a !== de; a = a.parentElement) {
      var st = getComputedStyle(a);
      if (escaping && st.position === 'static') continue;
      if (st.overflowX !== 'visible') return true;
      if (st.position === 'fixed') return false;
      escaping = st.position === 'absolute';
    }
    return false;
  };
  var wide = Array.prototype.filter.call(document.body.querySelectorAll('*'), function (el) {
    var r = el.getBoundingClientRect();
    return r.width > 0 && r.right > de.clientWidth + 0.5 && !clips(el);
  });
  // The innermost ones: an element none of whose descendants is also too wide.
  var inner = wide.filter(function (el) {
    return !wide.some(function (o) { return o !== el && el.contains(o); });
  });
  problems.push('the page scrolls sideways: ' + de.scrollWidth + ' px of content in ' + de.clientWidth +
    ' px; too wide: ' + inner.slice(0, 6).map(function (el) {
      return describe(el) + ' (right edge at ' + Math.round(el.getBoundingClientRect().right) + ' px)';
    }).join('; ') + (inner.length > 6 ? '; … ' + (inner.length - 6) + ' more' : ''));
}

// 2. No table cell wraps inside a word.
var broken = [];
var range = document.createRange();
document.querySelectorAll('td, th').forEach(function (cell) {
  if (!rendered(cell)) return;
  var walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (var node = walker.nextNode(); node; node = walker.nextNode()) {
    // Each word, split on white space; a line may break after a hyphen in it (a path, a
    // document number "1410/KH-UBND"), as typesetting does, never elsewhere.
    var re = /[^\s-]*-+|[^\s-]+/g, m;
    while ((m = re.exec(node.data))) {
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      var tops = [];
      Array.prototype.forEach.call(range.getClientRects(), function (r) {
        if (r.width === 0 && r.height === 0) return;
        if (!tops.some(function (t) { return Math.abs(t - r.top) < 2; })) tops.push(r.top);
      });
      if (tops.length > 1) broken.push('"' + m[0] + '" on ' + tops.length + ' lines in ' + describe(cell));
    }
  }
});
if (broken.length) {
  problems.push(broken.length + ' word(s) broken inside table cells: ' + broken.slice(0, 8).join('; ') +
    (broken.length > 8 ? '; …' : ''));
}

// 3. Tap targets: 24 px, 44 px in the header's navigation.
function blockOf(el) {
  for (var a = el.parentElement; a; a = a.parentElement) {
    var d = getComputedStyle(a).display;
    if (d !== 'inline' && d !== 'contents') return a;
  }
  return document.body;
}
function inSentence(el) {
  // WCAG 2.5.8 "inline": a link inside a run of other text (letters or digits besides its own).
  if (getComputedStyle(el).display !== 'inline') return false;
  var block = blockOf(el);
  var own = (el.textContent || '').replace(/\s+/g, '');
  var all = (block.textContent || '').replace(/\s+/g, '');
  return /[\p{L}\p{N}]/u.test(all.replace(own, ''));
}
// A small link drawn in SVG (a commune on the map): the problem with its equivalent in the list
// of communes #danh-sach-xa (the link with the same href), or null when that one is a 24 px tap
// target. Closed <details> around the equivalent are opened to measure it, then closed again.
var communeList = document.getElementById('danh-sach-xa');
function equivalentProblem(el) {
  var href = el.getAttribute('href');
  var same = communeList && Array.prototype.find.call(communeList.querySelectorAll('a[href]'), function (a) {
    return !(a instanceof SVGElement) && a.getAttribute('href') === href;
  });
  if (!same) return 'has no link with the same href in #danh-sach-xa';
  var opened = [];
  for (var d = same.parentElement; d && d !== document.body; d = d.parentElement) {
    if (d.tagName !== 'DETAILS' || d.open) continue;
    var summary = d.querySelector(':scope > summary');
    if (!summary || !rendered(summary)) {
      opened.forEach(function (o) { o.open = false; });
      return 'has its link in #danh-sach-xa inside a <details> with no visible summary to open it';
    }
    d.open = true;
    opened.push(d);
  }
  var h = rendered(same) ? same.getBoundingClientRect().height : 0;
  var text = describe(same);
  opened.forEach(function (o) { o.open = false; });
  if (h + 0.01 >= 24) return null;
  return 'has its link in #danh-sach-xa ' + text + ' only ' + (Math.round(h * 10) / 10) + ' px tall (at least 24)';
}
document.querySelectorAll('a[href], button, input[type=submit], input[type=button], summary').forEach(function (el) {
  if (!rendered(el)) return;
  if (el.closest('.visually-hidden')) return;
  var r = el.getBoundingClientRect();
  if (r.right <= 0 || r.bottom <= 0 || r.width === 0) return; // off screen (the skip link until focused)
  if (el instanceof SVGElement) {
    if (r.width + 0.01 >= 24 && r.height + 0.01 >= 24) return;
    var why = equivalentProblem(el);
    if (why) {
      problems.push('map area ' + describe(el) + ' is ' + (Math.round(r.width * 10) / 10) + ' × ' +
        (Math.round(r.height * 10) / 10) + ' px (at least 24 × 24) and ' + why);
    }
    return;
  }
  var header = el.closest('header nav');
  var min = header ? 44 : 24;
  if (r.height + 0.01 >= min) return;
  if (!header && inSentence(el)) return;
  problems.push((header ? 'header navigation ' : 'tap target ') + describe(el) + ' is ' +
    (Math.round(r.height * 10) / 10) + ' px tall (at least ' + min + ')');
});

// 4. Unique ids.
var seen = {};
document.querySelectorAll('[id]').forEach(function (el) {
  (seen[el.id] = seen[el.id] || []).push(el);
});
Object.keys(seen).forEach(function (id) {
  if (seen[id].length > 1) {
    problems.push('id "' + id + '" is used ' + seen[id].length + ' times: ' + seen[id].map(describe).join('; '));
  }
});
return problems;
`;

// ---------------------------------------------------------------------------------------------
// Helpers

/**
 * Emulate a phone `width` × `height` CSS px (2× pixels) in `b`, on the page loaded (chromedriver
 * puts its own 390 × 844 back at each navigation): the page is laid out again at that size.
 */
async function setSize(b, { width, height }) {
  await b.cmd('POST', b.s('/goog/cdp/execute'), {
    cmd: 'Emulation.setDeviceMetricsOverride',
    params: { width, height, deviceScaleFactor: 2, mobile: true },
  }, `set device metrics ${width}×${height}`);
}

/** E2E_CSS_FROM_DISK: swap the served stylesheet for static/style.css as it is on disk. */
async function useDiskCss(b) {
  const ok = await b.exec(`
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(arguments[0]);
    document.querySelectorAll('link[rel="stylesheet"]').forEach(function (l) { l.remove(); });
    document.adoptedStyleSheets = [sheet];
    return document.styleSheets.length === 0 && getComputedStyle(document.body).margin === '0px';
  `, [readFileSync(STYLE_CSS, 'utf8')]);
  assert.ok(ok, 'E2E_CSS_FROM_DISK: the stylesheet from disk did not take the served one\'s place');
}

async function screenshot(b, name, width) {
  const height = Math.min(4000, await b.exec('return document.documentElement.scrollHeight;'));
  const { data: png } = await b.cmd('POST', b.s('/goog/cdp/execute'), {
    cmd: 'Page.captureScreenshot',
    params: { format: 'png', captureBeyondViewport: true, clip: { x: 0, y: 0, width, height, scale: 1 } },
  }, 'screenshot');
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeFileSync(join(SCREENSHOTS, `${name.replace(/[^\w.-]+/g, '_')}.png`), Buffer.from(png, 'base64'));
}

/** Open `path` in `b` and make sure it is that page (not the login page, a refusal, a 404). */
async function go(b, path) {
  await b.go(srv.base + path);
  const at = await b.currentPath();
  assert.equal(at, path.split('?')[0], `${b.label} asked for ${path}, got ${at}`);
  const h1 = norm(await b.exec('var h = document.querySelector("h1"); return h ? h.textContent : "";'));
  assert.ok(!/^(Không có quyền truy cập|Không tìm thấy trang)$/.test(h1), `${b.label} at ${path}: "${h1}"`);
}

/**
 * Check the page that `load()` brings `b` to, at each of SIZES (loaded afresh at each width);
 * `load` defaults to opening `path`. Fails listing every problem found.
 */
async function checkPage(b, path, load = () => go(b, path)) {
  const problems = [];
  for (const size of SIZES) {
    await load();
    await setSize(b, size);
    if (CSS_FROM_DISK) await useDiskCss(b);
    const url = (await b.currentUrl()).replace(srv.base, '');
    const found = await b.exec(CHECK, [size.width]);
    problems.push(...found.map((x) => `${url} @${size.width}px: ${x}`));
    covered.push(`${b.label} ${url} @${size.width}px`);
    if (SCREENSHOTS) await screenshot(b, `${b.label} ${path} @${size.width}`, size.width);
  }
  assert.equal(problems.length, 0, `${problems.length} problem(s) as ${b.label} on ${path}:\n  ${problems.join('\n  ')}`);
  console.log(`  ${b.label} ${path}: readable at ${SIZES.map((s) => s.width).join(' and ')} px`);
}

/** Every `path` checked as `b`, one test each (a failure does not hide the next page's). */
function pagesAs(b, paths) {
  for (const path of paths) {
    test(`${b.label}: ${path}`, { timeout: 120_000 }, () => checkPage(b, path));
  }
}

function rosterFile(name, lines) {
  const path = join(srv.tmp, name);
  writeFileSync(path, `\uFEFF${[ROSTER_HEADER, ...lines].join('\r\n')}\r\n`);
  return path;
}

/** The officer's roster check of `file`: the dry run's page (nothing is written). */
async function rosterDryRun(file) {
  await go(officer, '/danh-sach/nhap');
  await (await officer.find('form#tai-tep #tep')).type(file);
  await p.press(officer, 'form#tai-tep', 'Kiểm tra tệp');
  await officer.waitForPath(/^\/danh-sach\/nhap$/);
}

// ---------------------------------------------------------------------------------------------
// The visitor (the learner's browser before logging in)

pagesAs(learner, ['/', '/dang-nhap', '/dang-ky', '/vao-lop', '/chung-nhan', '/so-tay', `/so-tay/${ARTICLE}`, '/tim-kiem?q=vneid', '/ton-vinh', '/cuoc-thi', '/tin-tuc']);

test('everyone logs in', { timeout: 120_000 }, async () => {
  await p.login(admin, ADMIN);
  await admin.waitForPath(/^\/thong-ke$/);
  await p.login(officer, OFFICER);
  await officer.waitForPath(new RegExp(`^/thong-ke/${XUAN_HUONG}$`));
  await p.login(learner, LEARNER);
  await learner.waitForPath(/^\/hoc$/);
});

// ---------------------------------------------------------------------------------------------
// The province admin

let person; // a person of the officer's commune: /nguoi/{id}

pagesAs(admin, [
  '/thong-ke',
  '/thong-ke?nhom=students',
  '/thong-ke/ban-do',
  `/thong-ke/${MUI_NE}`,
  `/thong-ke/${XUAN_HUONG}`,
  `/thong-ke/${XUAN_HUONG}/nguoi?nhom=adults`,
  `/thong-ke/${XUAN_HUONG}/nang-luc`,
  '/thong-ke/nhat-ky',
  '/thong-ke/mau-so?nhom=adults',
  '/thong-ke/mau-so/lich-su?nhom=adults',
  '/thong-ke/chi-tieu',
  '/thong-ke/khoa-bat-buoc',
  '/thong-ke/khoa-bat-buoc/officials',
  '/thong-ke/bao-cao',
  '/ke-hoach/moi',
  '/bao-cao-dinh-ky/moi',
  '/thong-ke/vneid',
  '/thong-ke/hoan-thanh',
  '/to-chuc/68',
  `/to-chuc/${XUAN_HUONG}`,
  '/bien-tap/so-tay',
  '/bien-tap/khoa-hoc',
  `/bien-tap/khoa-hoc/${COURSE}`,
]);

test('admin: a person\'s page', { timeout: 120_000 }, async () => {
  await go(admin, `/thong-ke/${XUAN_HUONG}/nguoi?nhom=adults`);
  person = await admin.exec('var a = document.querySelector("table#danh-sach a[href^=\\"/nguoi/\\"]"); return a && a.getAttribute("href");');
  assert.ok(person, `no person listed at /thong-ke/${XUAN_HUONG}/nguoi`);
  await checkPage(admin, person);
  await checkPage(admin, `${person}/sua`);
});

test('admin: a group\'s required courses changed, previewed first', { timeout: 120_000 }, async () => {
  const preview = async () => {
    await go(admin, '/thong-ke/khoa-bat-buoc/officials');
    await admin.exec(`
      document.querySelectorAll('input[name="khoa-hoc"]').forEach(function (i) {
        var label = document.querySelector('label[for="' + i.id + '"]').textContent;
        i.checked = label.indexOf('cơ bản') >= 0;
      });
      document.getElementById('ly-do').value = 'Thử trên điện thoại';
    `);
    await p.press(admin, 'form#doi-quy-dinh', 'Xem trước thay đổi');
    await admin.waitForPath(/^\/thong-ke\/khoa-bat-buoc\/officials$/);
  };
  await checkPage(admin, '/thong-ke/khoa-bat-buoc/officials (preview)', preview);
  assert.ok(await admin.has('#them-dat'), 'the preview says who would achieve');
  await p.press(admin, 'form#ap-dung', 'Áp dụng quy định mới');
  await admin.waitForPath(/^\/thong-ke\/khoa-bat-buoc$/);
  assert.ok(await admin.has('#lich-su'), 'the change is in the history');
  await checkPage(admin, '/thong-ke/khoa-bat-buoc?da-doi=officials');
});

// ---------------------------------------------------------------------------------------------
// The commune officer

test('officer: the roster\'s dry run, with mistakes and without, then the import', { timeout: 120_000 }, async () => {
  const bad = rosterFile('sai.csv', ROSTER_BAD);
  const good = rosterFile('dung.csv', ROSTER_OK);
  await checkPage(officer, '/danh-sach/nhap (file with mistakes)', () => rosterDryRun(bad));
  assert.ok(await officer.has('.error-summary'), 'the file with mistakes is refused');
  await checkPage(officer, '/danh-sach/nhap (correct file)', () => rosterDryRun(good));
  assert.ok(await officer.has('form#nhap'), 'the correct file can be imported');
  // Imported, the list of people below shows phones and citizen ids (the demo learners have none).
  await p.press(officer, 'form#nhap', 'Nhập danh sách');
  await officer.waitForPath(/^\/danh-sach\/nhap\/xac-nhan$/);
  assert.ok(await officer.has('#da-nhap'), 'the roster was imported');
});

pagesAs(officer, [
  '/ton-vinh/de-xuat',
  '/ton-vinh/de-xuat/moi',
  '/lop-hoc/quan-ly',
  '/lop-hoc/quan-ly/moi',
  '/cuoc-thi/quan-ly',
  '/cuoc-thi/quan-ly/moi',
  '/ke-hoach',
  '/bao-cao-dinh-ky',
  '/tin-tuc/quan-ly',
  '/tin-tuc/quan-ly/moi',
  '/nhac-nho',
  `/nhac-nho?don_vi=${XUAN_HUONG}&nhom=adults`,
  '/nhac-nho/hang-tuan',
  `/thong-ke/${XUAN_HUONG}`,
  `/thong-ke/${XUAN_HUONG}/nguoi?nhom=adults`,
  `/thong-ke/${XUAN_HUONG}/nguoi?nhom=adults&loc=chua-dat`,
  `/thong-ke/${XUAN_HUONG}/nguoi?nhom=students`,
  `/thong-ke/${XUAN_HUONG}/nang-luc`,
  '/danh-sach/nhap',
  '/danh-sach/chuyen',
  '/ho-tro',
  '/ho-tro/dang-ky',
  '/ho-tro/mat-khau',
]);

test('officer: the classes of the commune\'s schools, and one class', { timeout: 120_000 }, async () => {
  await checkPage(officer, '/lop');
  await go(officer, '/lop');
  const first = await officer.exec('var a = document.querySelector("table#cac-lop a[href^=\\"/lop/\\"]"); return a && a.getAttribute("href");');
  assert.ok(first, 'the demo has classes in the officer\'s schools');
  await checkPage(officer, first);
});

test('officer: the person\'s page the admin saw', { timeout: 120_000 }, async () => {
  assert.ok(person, 'no person found by the admin above');
  await checkPage(officer, person);
});

// ---------------------------------------------------------------------------------------------
// The learner

pagesAs(learner, [
  '/hoc',
  '/hoc/nang-luc',
  '/lop-hoc',
  '/cuoc-thi',
  '/thong-bao',
  '/diem-danh?ma=ABC234',
  `/khoa-hoc/${COURSE}`,
  `/khoa-hoc/${COURSE}/bai/1`,
  `/khoa-hoc/${COURSE}/kiem-tra`,
  '/doi-mat-khau',
  `/so-tay/${ARTICLE}`,
]);

test('learner: a quiz attempt and its result', { timeout: 120_000 }, async () => {
  await go(learner, `/khoa-hoc/${COURSE}/kiem-tra`);
  await p.press(learner, 'form#bat-dau', 'Bắt đầu làm bài');
  const [attempt] = await learner.waitForPath(/^\/bai-lam\/[^/]+$/);
  await checkPage(learner, attempt);
  // Every question answered with its first option, then the result.
  await learner.exec(`
    document.querySelectorAll('form#bai-lam fieldset.question').forEach(function (f) {
      var i = f.querySelector('input'); if (i) i.checked = true;
    });
  `);
  await p.press(learner, 'form#bai-lam', 'Nộp bài');
  await learner.waitForPath(new RegExp(`^${escapeRe(attempt)}/ket-qua$`));
  await checkPage(learner, `${attempt}/ket-qua`);
});

test('pages covered', () => {
  console.log(`  ${covered.length} page states checked:\n    ${covered.join('\n    ')}`);
});
