// Real-browser walk through the public handbook ("Sổ tay điện tử") and its authoring, on
// phone-sized headless chromium driven over WebDriver, with an axe-core accessibility scan of
// every distinct page visited.
//
// Two browsers with separate profiles: `reader` never logs in (it also keeps the service worker
// and its offline copies), `editor` is the province administrator who writes articles.
// The last step stops the server to read offline, so it must stay last.
//
// Run: ./run   (or: node --test handbook.test.mjs, with chromium, chromium-driver and node_modules)
// Page contract: CONTRACT.md beside this file ("Handbook" section).

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { escapeRe, norm, REPO_DIR, setUpWalk } from './server.mjs';
import { pollUntil } from './webdriver.mjs';

const ADMIN = { phone: '0912000001', name: 'Quản Trị Tỉnh', password: 'mat-khau-quan-tri' };

// Shipped articles (content/handbook/); the test reads their titles from the files.
const VNEID = { slug: 'cai-dat-vneid', file: 'vneid/01-cai-dat-vneid.md', chapter: 'vneid' };
const QR_PAYMENT = ['quet-ma-qr-de-tra-tien', 'tra-tien-dien-bang-qr']; // chapter thanh-toan
const UNVISITED = 'ung-dung-vssid'; // never opened by this walk before the server stops
const CHAPTERS = 13;

// The article the editor writes. v1 = first saved title, v3 = changed title; "bao thuc" (from
// "báo thức") occurs only in the v3 title, nowhere else in the shipped content.
const NEW = {
  titleV1: 'Nhắc giờ uống thuốc trên điện thoại',
  slug: 'nhac-gio-uong-thuoc-tren-dien-thoai', // what the server derives from titleV1
  titleV3: 'Đặt báo thức nhắc giờ uống thuốc',
  searchV3: 'bao thuc',
  chapter: 'suc-khoe',
  summary: 'Dùng đồng hồ trên điện thoại để không quên uống thuốc mỗi ngày.',
  keywords: 'nhắc uống thuốc, hẹn giờ',
  related: 'lam-quen-dien-thoai-thong-minh',
};
const IMAGE = {
  file: 'so-do-nhac-thuoc.png',
  alt: 'Sơ đồ các bước trên màn hình đồng hồ',
  // A valid 12 × 8 PNG, one blue colour.
  png: 'iVBORw0KGgoAAAANSUhEUgAAAAwAAAAICAIAAABChommAAAAEUlEQVR42mOQz99CEDGMKgIAnFN4wRGCmrQAAAAASUVORK5CYII=',
};

// ---------------------------------------------------------------------------------------------
// Server and browser lifecycle

// `reader` never logs in; `editor` is the province administrator.
const { srv, p, step, browsers: [reader, editor] } = setUpWalk('hocvuso-e2e-hb-', ['reader', 'editor'], {
  admin: ADMIN,
  ready() {
    pngPath = join(srv.tmp, IMAGE.file);
    writeFileSync(pngPath, Buffer.from(IMAGE.png, 'base64'));
  },
});
let pngPath; // the PNG to upload, in the server's temporary directory

// ---------------------------------------------------------------------------------------------
// Page helpers (each takes the browser to act in)

/**
 * Wait until every <img> matching `css` has finished loading (scrolling each into view, in case
 * it loads lazily); returns [{src, alt, w}] with w = naturalWidth (0 for a broken image).
 */
async function images(b, css) {
  return pollUntil(`images "${css}" on ${await b.currentUrlSafe()} to finish loading`, () => b.exec(`
    var imgs = Array.from(document.querySelectorAll(arguments[0]));
    if (imgs.length === 0) return null;
    imgs.forEach(function (i) { if (!i.complete) i.scrollIntoView(); });
    if (!imgs.every(function (i) { return i.complete; })) return null;
    return imgs.map(function (i) { return { src: i.getAttribute('src'), alt: i.alt, w: i.naturalWidth }; });
  `, [css]), { timeoutMs: 15_000 });
}

async function assertImagesLoad(b, css, what) {
  const imgs = await images(b, css);
  for (const i of imgs) {
    assert.ok(i.w > 0, `${what}: image ${i.src} did not load (naturalWidth 0)`);
  }
  return imgs;
}

/** The title of a shipped article, from its Markdown front matter. */
function shippedTitle(file) {
  const text = readFileSync(resolve(REPO_DIR, 'content/handbook', file), 'utf8');
  const m = /^title\s*=\s*"([^"]+)"/m.exec(text);
  assert.ok(m, `no title in content/handbook/${file}`);
  return norm(m[1]);
}

/** Search from the search box of the current page (a plain GET form) and wait for results. */
async function search(b, words) {
  const form = await b.find('form.search');
  assert.equal(await form.attr('action'), '/tim-kiem', 'form.search action');
  assert.equal((await form.attr('method') || 'get').toLowerCase(), 'get', 'form.search method');
  await b.type('form.search #q', words);
  await p.press(b, 'form.search', 'Tìm');
  await p.arrive(b, /^\/tim-kiem$/, 'results');
  const q = new URL(await b.currentUrl()).searchParams.get('q');
  assert.equal(q, words, 'the search words should travel in ?q=');
  return results(b);
}

/** The results on a /tim-kiem page: [{tag, href, title, marks}]. */
async function results(b) {
  return b.exec(`
    return Array.from(document.querySelectorAll('ol.results li')).map(function (li) {
      var tag = li.querySelector('span.tag'), a = li.querySelector('a');
      return {
        tag: tag ? tag.textContent.trim() : null,
        href: a ? a.getAttribute('href') : null,
        title: a ? a.textContent.replace(/\\s+/g, ' ').trim() : null,
        marks: li.querySelectorAll('mark').length
      };
    });
  `);
}

/** Server-rendered HTML of a path, fetched by Node without cookies: {status, type, text}. */
async function get(path) {
  const res = await fetch(srv.base + path, { redirect: 'manual', signal: AbortSignal.timeout(30_000) });
  return { status: res.status, type: res.headers.get('content-type') || '', text: await res.text() };
}

/** A table in <main> as {head: [th texts], rows: [[cell texts]]} (cell text = innerText). */
async function table(b, css = 'main table') {
  return b.exec(`
    var t = document.querySelector(arguments[0]);
    if (!t) return null;
    var clean = function (s) { return s.replace(/[ \\t]+/g, ' ').trim(); };
    return {
      head: Array.from(t.querySelectorAll('thead th')).map(function (th) { return clean(th.innerText); }),
      rows: Array.from(t.querySelectorAll('tbody tr')).map(function (tr) {
        return Array.from(tr.cells).map(function (td) { return clean(td.innerText); });
      })
    };
  `, [css]);
}

/** The authors' list row of `slug`, as {column header: cell text}. */
async function authorRow(slug) {
  await p.open(editor, '/bien-tap/so-tay');
  const t = await table(editor);
  assert.ok(t, 'no table on /bien-tap/so-tay');
  const row = t.rows.find((r) => r[0].split('\n').map((s) => s.trim()).includes(`/so-tay/${slug}`));
  assert.ok(row, `no row for /so-tay/${slug} on /bien-tap/so-tay`);
  return Object.fromEntries(t.head.map((h, i) => [h, row[i]]));
}

/** Reader opens /so-tay/{slug}: returns the h1 when shown, or null when it is the 404 page. */
async function readerSees(slug) {
  await reader.go(`${srv.base}/so-tay/${slug}`);
  const title = await p.h1(reader);
  await p.arrive(reader, new RegExp(`^/so-tay/${slug}$`), title);
  if (title === 'Không tìm thấy trang') {
    assert.equal((await get(`/so-tay/${slug}`)).status, 404, `/so-tay/${slug}: 404 page with another status`);
    return null;
  }
  return title;
}

async function fillArticle(fields) {
  for (const [id, value] of Object.entries(fields)) {
    if (id === 'chapter') await editor.select('#sua-bai #chapter', value);
    else await editor.type(`#sua-bai #${id}`, value);
  }
}

// ---------------------------------------------------------------------------------------------
// The walk

const vneidTitle = shippedTitle(VNEID.file);

step('1. a reader opens the handbook, follows a chapter link and reads an article with steps and a picture', async () => {
  await p.open(reader, '/so-tay');
  assert.equal(await p.h1(reader), 'Sổ tay điện tử');
  const chapters = await reader.exec(`
    return Array.from(document.querySelectorAll('section.chapter')).map(function (s) {
      return { id: s.id, links: s.querySelectorAll('a[href^="/so-tay/"]').length };
    });
  `);
  assert.equal(chapters.length, CHAPTERS, `chapters on /so-tay: ${JSON.stringify(chapters.map((c) => c.id))}`);
  for (const c of chapters) assert.ok(c.links > 0, `chapter #${c.id} lists no article`);
  assert.equal((await reader.findAll('nav.toc li a')).length, CHAPTERS, 'table of contents entries');
  assert.ok(await reader.has('form.search #q'), 'no search box on /so-tay');
  assert.ok(await reader.has('a[href="/so-tay/tai-ve.pdf"]'), 'no link to /so-tay/tai-ve.pdf');
  console.log(`  ${chapters.length} chapters, ${chapters.reduce((n, c) => n + c.links, 0)} article links`);

  await p.follow(reader, `section#${VNEID.chapter}`, vneidTitle);
  await p.arrive(reader, new RegExp(`^/so-tay/${VNEID.slug}$`));
  assert.equal(await p.h1(reader), vneidTitle, 'article h1');
  const steps = (await reader.findAll('article ol > li')).length;
  assert.ok(steps >= 3, `expected a numbered list of steps in the article, found ${steps} items`);
  const [img] = await assertImagesLoad(reader, 'article img', VNEID.slug);
  assert.ok(img.alt.length > 10, `the picture ${img.src} needs a real alt text`);
  console.log(`  "${vneidTitle}": ${steps} steps, picture ${img.src} loaded (${img.w} px wide)`);
});

step('2. search works from the plain form: no diacritics, and with a typo', async () => {
  let hits = await search(reader, 'thanh toan qr');
  assert.ok(hits.length > 0, 'no results for "thanh toan qr"');
  const first = hits[0];
  assert.equal(first.tag, 'Sổ tay', `first result for "thanh toan qr" should be a handbook article: ${JSON.stringify(first)}`);
  const slug = first.href.replace(/^\/so-tay\//, '');
  assert.ok(QR_PAYMENT.includes(slug), `first result for "thanh toan qr" should be a QR payment article, got ${first.href}`);
  assert.ok(hits.every((h) => h.tag && h.href), 'every result has a span.tag label and a link');
  const marks = hits.reduce((n, h) => n + h.marks, 0);
  assert.ok(first.marks > 0 && marks > 0, 'search results should highlight matches with <mark>');
  // The results are in the server's HTML: no script is needed to search.
  const raw = await get('/tim-kiem?q=thanh+toan+qr');
  assert.equal(raw.status, 200);
  assert.match(raw.text, /<ol class="results">[\s\S]*<mark>/, 'results and <mark> in the HTML as sent');
  console.log(`  "thanh toan qr": ${hits.length} results, first ${first.href} "${first.title}", ${marks} <mark>`);

  hits = await search(reader, 'vnied');
  assert.ok(hits.length > 0, 'no results for the typo "vnied"');
  assert.equal(hits[0].tag, 'Sổ tay', `first result for "vnied": ${JSON.stringify(hits[0])}`);
  assert.match(hits[0].title, /VNeID/, `first result for "vnied" should be about VNeID: ${JSON.stringify(hits[0])}`);
  console.log(`  "vnied": first ${hits[0].href} "${hits[0].title}"`);

  await reader.clickAndWait('ol.results li a');
  await p.arrive(reader, new RegExp(`^${escapeRe(hits[0].href)}$`));
});

step('3. the print view has a QR code and no site header; the whole handbook downloads as a PDF', async () => {
  await p.open(reader, `/so-tay/${VNEID.slug}`);
  await p.follow(reader, 'main', 'In bài này (có mã QR)');
  await p.arrive(reader, new RegExp(`^/so-tay/${VNEID.slug}/in$`));
  assert.equal(await p.h1(reader), vneidTitle, 'print view h1');
  assert.equal(await reader.has('header'), false, 'the print view should have no site header');
  assert.equal(await reader.has('footer'), false, 'the print view should have no site footer');
  assert.equal(await reader.has('form#dang-xuat, a[href="/dang-nhap"]'), false, 'the print view shows site navigation');
  const [qr] = await assertImagesLoad(reader, 'figure.qr img', 'print view QR code');
  assert.equal(qr.src, `/so-tay/${VNEID.slug}/ma-qr.svg`, 'QR image address');
  const url = norm(await reader.text('figure.qr .url'));
  assert.equal(url, `${srv.base}/so-tay/${VNEID.slug}`, 'the article address printed under the QR code');
  const svg = await get(`/so-tay/${VNEID.slug}/ma-qr.svg`);
  assert.equal(svg.status, 200);
  assert.match(svg.type, /^image\/svg\+xml/, 'QR content-type');
  console.log(`  QR code loaded (${qr.w} px), address ${url}`);

  // The PDF behind the link on /so-tay. (Fetched by Node: the pages' Content-Security-Policy has
  // no connect-src, so a script in the page may not fetch.)
  const res = await fetch(`${srv.base}/so-tay/tai-ve.pdf`, { signal: AbortSignal.timeout(60_000) });
  const bytes = Buffer.from(await res.arrayBuffer());
  const pdf = {
    status: res.status,
    type: res.headers.get('content-type'),
    size: bytes.length,
    head: bytes.subarray(0, 5).toString('latin1'),
    tail: bytes.subarray(-32).toString('latin1'),
  };
  assert.equal(pdf.status, 200, 'GET /so-tay/tai-ve.pdf status');
  assert.match(pdf.type || '', /^application\/pdf/, 'PDF content-type');
  assert.equal(pdf.head, '%PDF-', 'the PDF should start with %PDF-');
  assert.match(pdf.tail, /%%EOF\s*$/, 'the PDF should end with %%EOF');
  assert.ok(pdf.size > 10_000, `the whole handbook in ${pdf.size} bytes?`);
  console.log(`  /so-tay/tai-ve.pdf: ${pdf.type}, ${pdf.size} bytes`);
});

step('4. "was this helpful?": the reader answers "Có"; the administrator sees the count', async () => {
  await p.open(reader, `/so-tay/${VNEID.slug}`);
  assert.match(norm(await reader.text('#danh-gia h2')), /giúp ích/, '#danh-gia asks the question');
  await p.press(reader, '#danh-gia', 'Có');
  await p.arrive(reader, new RegExp(`^/so-tay/${VNEID.slug}$`), 'voted');
  const thanks = norm(await reader.text('#danh-gia'));
  assert.ok(thanks.includes('Cảm ơn bạn đã cho biết ý kiến.'), `#danh-gia after voting: ${JSON.stringify(thanks)}`);
  assert.equal(await reader.has('#danh-gia form, #danh-gia button'), false, 'the vote form is still there after voting');
  await reader.go(`${srv.base}/so-tay/${VNEID.slug}`);
  assert.equal(await reader.has('#danh-gia form'), false, 'the vote form is back after reloading');

  // The administrator types the authoring address, logs in, and comes back to it.
  await editor.go(`${srv.base}/bien-tap/so-tay`);
  await p.arrive(editor, /^\/dang-nhap$/);
  await p.submitLogin(editor, ADMIN.phone, ADMIN.password);
  await p.arrive(editor, /^\/bien-tap\/so-tay$/);
  const row = await authorRow(VNEID.slug);
  assert.equal(row['Có ích'], '1', `"Có ích" for ${VNEID.slug}: ${JSON.stringify(row)}`);
  assert.equal(row['Không'], '0', `"Không" for ${VNEID.slug}: ${JSON.stringify(row)}`);
  console.log(`  /bien-tap/so-tay: ${VNEID.slug} Có ích ${row['Có ích']}, Không ${row['Không']}`);
});

let imageLine; // ![alt](/anh/name) as shown after the upload
let imageName;
let articleId;

step('5a. the new-article form, sent empty, explains every mistake in Vietnamese', async () => {
  await p.follow(editor, 'main', 'Viết bài mới');
  await p.arrive(editor, /^\/bien-tap\/so-tay\/moi$/);
  assert.equal(await editor.has('.error-summary'), false, 'errors before sending anything');
  await p.press(editor, 'form#sua-bai', 'Lưu bản nháp');
  await p.arrive(editor, /^\/bien-tap\/so-tay\/moi$/, 'errors');
  assert.match(norm(await editor.text('.error-summary')), /Có lỗi cần sửa/);
  const expected = {
    title: 'Hãy nhập tiêu đề.',
    chapter: 'Hãy chọn chương cho bài viết.',
    summary: 'Hãy nhập tóm tắt một, hai câu.',
    body: 'Hãy viết nội dung bài.',
  };
  const summary = await editor.exec(`
    return Array.from(document.querySelectorAll('.error-summary li a')).map(function (a) {
      return [a.getAttribute('href'), a.textContent.trim()];
    });
  `);
  const beside = await editor.exec(`
    var out = {};
    arguments[0].forEach(function (id) {
      var f = document.getElementById(id), box = f && f.closest('.field'), e = box && box.querySelector('.field-error');
      out[id] = e ? e.textContent.trim() : null;
    });
    return out;
  `, [Object.keys(expected)]);
  for (const [field, message] of Object.entries(expected)) {
    assert.ok(summary.some(([href, text]) => href === `#${field}` && norm(text) === message),
      `.error-summary should link #${field} with "${message}": ${JSON.stringify(summary)}`);
    assert.equal(norm(beside[field] || ''), message, `.field-error beside #${field}`);
  }
  console.log(`  ${summary.length} errors: ${summary.map(([h, t]) => `${h} ${t}`).join(' | ')}`);
});

step('5b. the editor uploads a PNG and gets the Markdown line to copy', async (t) => {
  await p.open(editor, '/bien-tap/anh');
  await editor.type('form#tai-anh #alt', IMAGE.alt);
  await (await editor.find('form#tai-anh #file')).type(pngPath); // WebDriver file upload
  await p.press(editor, 'form#tai-anh', 'Tải ảnh lên');
  await p.arrive(editor, /^\/bien-tap\/anh$/, 'uploaded');
  const notice = norm(await editor.text('.notice'));
  const m = /!\[([^\]]*)\]\(\/anh\/([^)\s]+)\)/.exec(notice);
  assert.ok(m, `the notice after uploading should show a Markdown image line: ${JSON.stringify(notice)}`);
  imageName = m[2];
  assert.match(imageName, /^so-do-nhac-thuoc-[0-9a-f]+\.png$/, 'uploaded image name');
  imageLine = `![${IMAGE.alt}](/anh/${imageName})`;
  const png = await fetch(`${srv.base}/anh/${imageName}`);
  assert.equal(png.status, 200, `GET /anh/${imageName}`);
  assert.equal(png.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await png.arrayBuffer()), Buffer.from(IMAGE.png, 'base64'), 'the stored image bytes');
  // The list of images repeats the line with the alt text.
  const listed = norm(await editor.text('main ul.articles'));
  assert.ok(listed.includes(imageLine), `"Ảnh đã có" should list ${imageLine}: ${JSON.stringify(listed.slice(0, 300))}`);
  console.log(`  notice: ${m[0]}`);

  assert.equal(m[0], imageLine, 'the notice repeats the alt text typed in the form');
});

step('5c. a draft stays hidden; publishing shows it; a newer draft does not replace it until shown', async () => {
  const body = [
    'Điện thoại có thể nhắc bạn uống thuốc đúng giờ mỗi ngày.',
    '',
    '## Các bước',
    '',
    imageLine,
    '',
    '1. Mở ứng dụng Đồng hồ trên điện thoại.',
    '2. Chọn mục hẹn giờ và bấm dấu cộng.',
    '3. Chọn giờ uống thuốc, đặt tên là Uống thuốc, rồi bấm Lưu.',
  ].join('\n');

  // Revision 1: a draft.
  await p.open(editor, '/bien-tap/so-tay/moi');
  await fillArticle({ title: NEW.titleV1, chapter: NEW.chapter, summary: NEW.summary, body, keywords: NEW.keywords, related: NEW.related });
  await p.press(editor, 'form#sua-bai', 'Lưu bản nháp');
  [, articleId] = await p.arrive(editor, /^\/bien-tap\/so-tay\/(\d+)$/);
  assert.equal(await p.h1(editor), 'Sửa bài');
  assert.match(norm(await editor.text('main')), /Bài chưa hiển thị cho người đọc/, 'edit page of a new draft');
  await assertImagesLoad(editor, '.preview img', 'draft preview');
  const listed = await authorRow(NEW.slug);
  assert.match(listed['Bài viết'], /Bản nháp/, `list row of the draft: ${JSON.stringify(listed)}`);
  assert.equal(await readerSees(NEW.slug), null, 'a draft must not be shown to readers');
  console.log(`  article ${articleId} saved as a draft at /so-tay/${NEW.slug}: readers get 404`);

  // Revision 2: the same text, shown to readers.
  await p.open(editor, `/bien-tap/so-tay/${articleId}`);
  await p.press(editor, 'form#sua-bai', 'Lưu và hiển thị cho người đọc');
  await p.arrive(editor, new RegExp(`^/bien-tap/so-tay/${articleId}$`));
  assert.match(norm(await editor.text('main')), /Người đọc đang thấy phiên bản 2/);
  assert.equal(await readerSees(NEW.slug), NEW.titleV1, 'the published article');
  const steps = (await reader.findAll('article ol > li')).length;
  assert.equal(steps, 3, 'the numbered steps of the new article');
  const [img] = await assertImagesLoad(reader, 'article img', NEW.slug);
  assert.equal(img.src, `/anh/${imageName}`);
  assert.equal(img.alt, IMAGE.alt);
  assert.ok(await reader.has(`section a[href="/so-tay/${NEW.related}"]`), `related article ${NEW.related} not linked`);
  await p.open(reader, '/so-tay', 'with the new article');
  assert.ok(await reader.has(`section#${NEW.chapter} a[href="/so-tay/${NEW.slug}"]`), `/so-tay lists the article in #${NEW.chapter}`);
  console.log(`  published: readers see "${NEW.titleV1}" with its picture (${img.w} px)`);

  // Revision 3: a new title, saved as a draft; readers keep the old one.
  await p.open(editor, `/bien-tap/so-tay/${articleId}`);
  assert.equal(await editor.has('#sua-bai #slug'), false, 'the slug must not be editable after creation');
  await editor.type('#sua-bai #title', NEW.titleV3);
  await p.press(editor, 'form#sua-bai', 'Lưu bản nháp');
  await p.arrive(editor, new RegExp(`^/bien-tap/so-tay/${articleId}$`));
  assert.match(norm(await editor.text('main')), /Người đọc đang thấy phiên bản 2; phiên bản 3 là bản nháp/);
  assert.equal(await readerSees(NEW.slug), NEW.titleV1, 'readers should still see the published title');
  const drafted = await authorRow(NEW.slug);
  assert.match(drafted['Bài viết'], /Đang hiển thị.*có bản nháp mới/, `list row with a newer draft: ${JSON.stringify(drafted)}`);
  let hits = await search(reader, NEW.searchV3);
  assert.ok(!hits.some((h) => h.href === `/so-tay/${NEW.slug}`), 'search finds the words of an unpublished draft');
  console.log(`  draft v3 "${NEW.titleV3}": readers still see "${NEW.titleV1}"`);

  // The revisions: who and when; show revision 3.
  await p.open(editor, `/bien-tap/so-tay/${articleId}`, 'draft after published');
  await p.follow(editor, 'main', 'Xem các phiên bản');
  await p.arrive(editor, new RegExp(`^/bien-tap/so-tay/${articleId}/phien-ban$`));
  let revs = await table(editor);
  assert.equal(revs.rows.length, 3, `revisions: ${JSON.stringify(revs.rows)}`);
  const col = (name) => {
    const i = revs.head.indexOf(name);
    assert.ok(i >= 0, `no "${name}" column in ${JSON.stringify(revs.head)}`);
    return i;
  };
  const [no, title, who, when, shown] = ['Số', 'Tiêu đề', 'Người lưu', 'Lúc', 'Hiển thị'].map(col);
  revs.rows.sort((x, y) => Number(x[no]) - Number(y[no]));
  assert.deepEqual(revs.rows.map((r) => r[no]), ['1', '2', '3']);
  assert.deepEqual(revs.rows.map((r) => r[title]), [NEW.titleV1, NEW.titleV1, NEW.titleV3]);
  for (const r of revs.rows) {
    assert.equal(r[who], ADMIN.name, `who saved revision ${r[no]}`);
    assert.match(r[when], /\d{2}\/\d{2}\/\d{4}/, `when revision ${r[no]} was saved`);
  }
  assert.deepEqual(revs.rows.map((r) => r[shown]), ['Hiển thị bản 1', 'Đang hiển thị', 'Hiển thị bản 3']);
  assert.ok(await editor.has('main form button'), 'no buttons on the revisions page');
  console.log(`  revisions: ${revs.rows.map((r) => `${r[no]} ${r[who]} ${r[when]} [${r[shown]}]`).join('; ')}`);

  await p.press(editor, 'main table', 'Hiển thị bản 3');
  await p.arrive(editor, new RegExp(`^/bien-tap/so-tay/${articleId}/phien-ban$`));
  revs = await table(editor);
  assert.equal(revs.rows.find((r) => r[no] === '3')?.[shown], 'Đang hiển thị', 'revision 3 after "Hiển thị bản 3"');
  assert.equal(await readerSees(NEW.slug), NEW.titleV3, 'readers should see the title of revision 3');
  hits = await search(reader, NEW.searchV3);
  assert.equal(hits[0]?.href, `/so-tay/${NEW.slug}`, `first result for "${NEW.searchV3}": ${JSON.stringify(hits.slice(0, 3))}`);
  assert.ok(hits[0].marks > 0, `no <mark> in the first result for "${NEW.searchV3}"`);
  console.log(`  shown v3: readers see "${NEW.titleV3}"; "${NEW.searchV3}" finds it first`);

  // Take it down, and show it again.
  await p.press(editor, 'main', 'Ngừng hiển thị bài này');
  await p.arrive(editor, new RegExp(`^/bien-tap/so-tay/${articleId}/phien-ban$`), 'taken down');
  assert.equal(await readerSees(NEW.slug), null, 'a taken-down article must not be shown to readers');
  await p.press(editor, 'main table', 'Hiển thị bản 3');
  await p.arrive(editor, new RegExp(`^/bien-tap/so-tay/${articleId}/phien-ban$`));
  assert.equal(await readerSees(NEW.slug), NEW.titleV3, 'shown again');
  console.log('  taken down (404 for readers), then shown again');
});

step('6. offline: with the server stopped, the reader still opens a kept article; others fall back to /so-tay', async () => {
  const path = `/so-tay/${VNEID.slug}`;
  await p.open(reader, path);
  // The service worker registered on the first handbook page; it must control this one.
  assert.ok(await reader.exec('return "serviceWorker" in navigator && window.isSecureContext;'),
    'no service workers here: http://127.0.0.1 should be a secure context');
  await pollUntil('navigator.serviceWorker.ready', () => reader.exec(`
    return Promise.race([
      navigator.serviceWorker.ready.then(function () { return true; }),
      new Promise(function (r) { setTimeout(function () { r(false); }, 2000); })
    ]);
  `), { timeoutMs: 20_000 });
  const controlled = () => reader.exec('return !!navigator.serviceWorker.controller;');
  if (!(await controlled())) await reader.go(srv.base + path); // a page loaded before activation
  assert.ok(await controlled(), 'navigator.serviceWorker.controller is not set on a handbook page');
  // This page load went through the worker; wait until it has kept the page and its picture.
  await reader.go(srv.base + path);
  const imgSrc = (await images(reader, 'article img'))[0].src;
  await pollUntil(`the worker to keep ${path} and ${imgSrc}`, () => reader.exec(`
    return Promise.all(arguments[0].map(function (u) { return caches.match(u); }))
      .then(function (hits) { return hits.every(Boolean); });
  `, [[path, imgSrc]]), { timeoutMs: 15_000 });

  await srv.shutdown();
  await assert.rejects(fetch(`${srv.base}/healthz`, { signal: AbortSignal.timeout(2000) }), 'the server still answers');
  console.log('  server stopped');

  await p.open(reader, path, 'offline');
  assert.equal(await p.h1(reader), vneidTitle, `${path} offline`);
  await assertImagesLoad(reader, 'article img', `${path} offline`);
  await p.open(reader, `/so-tay/${NEW.slug}`, 'offline');
  assert.equal(await p.h1(reader), NEW.titleV3, `/so-tay/${NEW.slug} offline (last seen online)`);
  await assertImagesLoad(reader, 'article img', `/so-tay/${NEW.slug} offline`);
  await p.open(reader, `/so-tay/${UNVISITED}`, 'offline');
  assert.equal(await p.h1(reader), 'Sổ tay điện tử', `/so-tay/${UNVISITED} was never opened: offline it shows the kept /so-tay`);
  console.log(`  offline: ${path} and /so-tay/${NEW.slug} from the worker's copies; /so-tay/${UNVISITED} → the /so-tay page`);
});
