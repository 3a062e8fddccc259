// Real-browser walk through the campaign dashboard ("Thống kê"): the province ranking, the
// denominators (mẫu số: template download, CSV upload with a dry run, import, direct edit,
// history), the targets (chỉ tiêu), the commune map, and what a commune officer may see; on
// phone-sized headless chromium driven over WebDriver, with an axe-core accessibility scan of
// every distinct page state visited.
//
// Accounts come from `hocvuso demo --people 0` on a fresh database: the province admin
// 0900000001 and the officer 0900000002 of commune 24781 (password "hocvuso-demo"). No learner
// exists, so every "Đã đạt" is 0 and the figures below follow from what this walk types.
//
// Two browsers with separate profiles: `admin` (province administrator) and `officer`.
//
// Run: ./run   (or: node --test dashboard.test.mjs, with chromium, chromium-driver and node_modules)
// Page contract: CONTRACT.md beside this file ("Dashboard" section).

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { DEMO_PASSWORD, escapeRe, norm, setUpWalk } from './server.mjs';
import { pollUntil } from './webdriver.mjs';

// Demo accounts (src/services/setup/demo.rs).
const ADMIN = { phone: '0900000001', name: 'Quản Trị Tỉnh', password: DEMO_PASSWORD };
const OFFICER = { phone: '0900000002', name: 'Cán Bộ Xã', password: DEMO_PASSWORD };

const COMMUNES = 124;
const MUI_NE = { code: '22918', name: 'Phường Mũi Né' };
const XUAN_HUONG = { code: '24781', name: 'Phường Xuân Hương - Đà Lạt' }; // the officer's commune
const UNKNOWN_CODE = '99999';

const SOURCE_FILE = 'Công an tỉnh, số liệu dân cư tháng 10/2026';
const SOURCE_EDIT = 'Sửa theo báo cáo của xã';
const TARGET = { field: 't_adults_digital_skills', value: '90' };

// ---------------------------------------------------------------------------------------------
// Server and browser lifecycle

// The province administrator and the officer of commune 24781. The server's temporary
// directory also holds the CSV files to upload.
const { srv, p, step, browsers: [admin, officer] } = setUpWalk('hocvuso-e2e-tk-', ['admin', 'officer']);

// ---------------------------------------------------------------------------------------------
// Page helpers (each takes the browser to act in)

/** The texts of every button inside `scope`. */
async function buttonTexts(b, scope) {
  return b.exec(`
    return Array.from(document.querySelectorAll(arguments[0])).map(function (e) {
      return (e.textContent || e.value || '').replace(/\\s+/g, ' ').trim();
    });
  `, [`${scope} button, ${scope} input[type="submit"]`]);
}

/** A table as {head: [th texts], rows: [{code, cells: [texts]}]} (cell text = innerText). */
async function table(b, css) {
  return b.exec(`
    var t = document.querySelector(arguments[0]);
    if (!t) return null;
    var clean = function (s) { return s.replace(/\\s+/g, ' ').trim(); };
    return {
      head: Array.from(t.querySelectorAll('thead th')).map(function (th) { return clean(th.innerText); }),
      rows: Array.from(t.querySelectorAll('tbody tr')).map(function (tr) {
        return {
          code: tr.getAttribute('data-code'),
          cells: Array.from(tr.cells).map(function (td) { return clean(td.innerText); })
        };
      })
    };
  `, [css]);
}

/** One row of a table as {column header: cell text}, found by its data-code. */
function rowOf(t, code) {
  const r = t.rows.find((x) => x.code === code);
  assert.ok(r, `no row with data-code=${code} (rows: ${t.rows.length})`);
  return Object.fromEntries(t.head.map((h, i) => [h, r.cells[i]]));
}

/** The ranking on /thong-ke: {code: {denominator, achieved, percent, target, gap, name}}. */
async function ranking(b) {
  return b.exec(`
    var out = {};
    document.querySelectorAll('table#xep-hang tbody tr[data-code]').forEach(function (tr) {
      var row = { name: (tr.querySelector('a') || tr).textContent.replace(/\\s+/g, ' ').trim() };
      tr.querySelectorAll('td[data-field]').forEach(function (td) {
        row[td.getAttribute('data-field')] = td.textContent.replace(/\\s+/g, ' ').trim();
      });
      out[tr.getAttribute('data-code')] = row;
    });
    return out;
  `);
}

/**
 * Check a link's address: `path`, `?nam=<year>`, and any group / indicator it carries being the
 * ones this walk looks at (adults, digital skills). Other parameters are not allowed.
 */
function assertHref(href, path, what) {
  const u = new URL(href, srv.base);
  assert.equal(u.pathname, path, `${what}: path of ${href}`);
  assert.equal(u.searchParams.get('nam'), year, `${what}: ?nam= of ${href}`);
  const allowed = { nam: year, nhom: 'adults', 'chi-so': 'digital_skills' };
  for (const [k, v] of u.searchParams) {
    assert.ok(k in allowed, `${what}: unexpected parameter ${k} in ${href}`);
    assert.equal(v, allowed[k], `${what}: ${k}= in ${href}`);
  }
}

/** Value of an input. */
async function valueOf(b, css) {
  return b.exec('var e = document.querySelector(arguments[0]); return e ? e.value : null;', [css]);
}

/** `.error-summary li` texts on the current page. */
async function errorItems(b) {
  return b.exec(`
    return Array.from(document.querySelectorAll('.error-summary li')).map(function (li) {
      return li.textContent.replace(/\\s+/g, ' ').trim();
    });
  `);
}

/**
 * Click a commune on the SVG map, as a finger would. First the WebDriver element click on the
 * `a` itself; if chromedriver reports the centre of its box covered by a neighbour (communes are
 * not rectangles), click with the pointer at a point inside the commune's own outline.
 */
async function clickMapArea(b, code) {
  const css = `svg#ban-do a[data-code="${code}"]`;
  const a = await b.find(css);
  try {
    await b.clickAndWait(a);
    return 'element click';
  } catch (e) {
    if (!/intercepted|not interactable/i.test(e.message)) throw e;
  }
  const pt = await b.exec(`
    var a = arguments[0], p = a.querySelector('path');
    p.scrollIntoView({ block: 'center', inline: 'center' });
    var r = p.getBoundingClientRect();
    for (var n = 4; n <= 64; n *= 2) {
      for (var i = 1; i < n; i++) {
        for (var j = 1; j < n; j++) {
          var x = r.left + r.width * i / n, y = r.top + r.height * j / n;
          if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
          var hit = document.elementFromPoint(x, y);
          if (hit && a.contains(hit)) return [Math.floor(x), Math.floor(y)];
        }
      }
    }
    return null;
  `, [a]);
  assert.ok(pt, `no visible point of commune ${code} on the map to tap`);
  const mark = `e2e-${Date.now()}`;
  await b.exec('window.__e2eOldDocument = arguments[0];', [mark]);
  await b.cmd('POST', b.s('/actions'), {
    actions: [{
      type: 'pointer',
      id: 'finger',
      parameters: { pointerType: 'mouse' },
      actions: [
        { type: 'pointerMove', x: pt[0], y: pt[1], origin: 'viewport', duration: 0 },
        { type: 'pointerDown', button: 0 },
        { type: 'pointerUp', button: 0 },
      ],
    }],
  }, `tap the map at ${pt}`);
  await b.cmd('DELETE', b.s('/actions'), undefined, 'release actions');
  await pollUntil(`a new page after tapping commune ${code} on the map`, async () => {
    const [old, state] = await b.exec('return [window.__e2eOldDocument || null, document.readyState];');
    return old !== mark && state === 'complete';
  }, { timeoutMs: 30_000 });
  return `pointer tap at ${pt} (the centre of the box is another commune)`;
}

// ---------------------------------------------------------------------------------------------
// The walk

let year; // the dashboard's default year (this year on the server's clock)
let template; // {text, lines} of the downloaded template
let targetBefore; // the adults/digital_skills target before step 4

step('1. the province admin logs in and sees all 124 communes ranked, none with a denominator yet', async () => {
  await p.login(admin, ADMIN.phone, ADMIN.password);
  await p.arrive(admin, /^\/thong-ke$/, 'before import');
  const title = await p.h1(admin);
  const m = /^Thống kê toàn tỉnh năm (\d{4})$/.exec(title);
  assert.ok(m, `h1 on /thong-ke: ${JSON.stringify(title)}`);
  year = m[1];

  const rows = await ranking(admin);
  const codes = Object.keys(rows);
  assert.equal(codes.length, COMMUNES, 'ranking rows (table#xep-hang tbody tr[data-code])');
  assert.ok(codes.every((c) => /^\d{5}$/.test(c)), `5-digit codes: ${codes.filter((c) => !/^\d{5}$/.test(c))}`);
  for (const c of codes) {
    for (const f of ['denominator', 'achieved', 'percent', 'target', 'gap']) {
      assert.ok(f in rows[c], `row ${c} has no td[data-field="${f}"]`);
    }
  }
  assert.equal(rows[MUI_NE.code].name, MUI_NE.name);
  assert.equal(rows[MUI_NE.code].denominator, '—', 'no denominator on a fresh database');
  assert.equal(rows[MUI_NE.code].achieved, '0');
  targetBefore = rows[MUI_NE.code].target;
  assert.match(targetBefore, /^(\d+%|—)$/, 'target cell');
  assert.notEqual(targetBefore, `${TARGET.value}%`, 'this walk changes the target; it must not be that already');
  const withDenominator = codes.filter((c) => rows[c].denominator !== '—');
  assert.deepEqual(withDenominator, [], 'communes with a denominator on a fresh database');
  console.log(`  year ${year}: ${codes.length} communes, target ${targetBefore}, no denominators`);

  for (const [text, path] of [
    ['Xem bản đồ các xã, phường', '/thong-ke/ban-do'],
    ['Nhập, sửa mẫu số', '/thong-ke/mau-so'],
    ['Chỉ tiêu', '/thong-ke/chi-tieu'],
  ]) {
    const [, href] = await p.link(admin, 'main', text);
    assertHref(href, path, `link "${text}"`);
  }
  await p.follow(admin, 'main', 'Nhập, sửa mẫu số');
  await p.arrive(admin, /^\/thong-ke\/mau-so$/, 'empty');
  assert.equal(await p.h1(admin), `Mẫu số năm ${year}`);
  assert.match(norm(await admin.text('main .lead')), new RegExp(`Đã có 0/${COMMUNES} đơn vị`));
  assert.equal((await admin.findAll('form#sua-mau-so input[id^="d_"]')).length, COMMUNES, 'direct edit inputs');
});

step('2. the template downloads; a file with an unknown commune is refused with a Vietnamese error and nothing changes', async () => {
  const [, href] = await p.link(admin, 'main', 'Tải tệp mẫu');
  assertHref(href, '/thong-ke/mau-so/mau.csv', 'template link');
  assert.equal(new URL(href, srv.base).searchParams.get('nhom'), 'adults', 'template link: ?nhom=');
  const csv = await p.fetchAs(admin, href);
  assert.equal(csv.status, 200, `GET ${href} with the admin's cookies`);
  assert.match(csv.type, /^text\/csv/, 'template content-type');
  assert.match(csv.disposition, /attachment/, 'template content-disposition');
  assert.deepEqual([...csv.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the template starts with a UTF-8 BOM (for Excel)');
  const lines = csv.text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l !== '');
  assert.equal(lines[0], 'Mã đơn vị,Tên đơn vị,Số người', 'template header');
  const body = lines.slice(1);
  assert.equal(body.length, COMMUNES, 'template rows');
  assert.ok(body.every((l) => /^\d{5},".*",$/.test(l)), `every row "code,"name",(empty)": ${body.find((l) => !/^\d{5},".*",$/.test(l))}`);
  assert.ok(body.includes(`${MUI_NE.code},"${MUI_NE.name}",`), `template row of ${MUI_NE.code}`);
  template = { text: csv.text, lines };
  console.log(`  ${href}: ${csv.type}, BOM, header + ${body.length} rows`);

  // The admin fills two cells, and a line for a commune that does not exist comes first.
  const filled = fillTemplate({ [MUI_NE.code]: '1.000', [XUAN_HUONG.code]: '2' });
  const badPath = join(srv.tmp, `mau-so-${year}-adults-sai.csv`);
  writeFileSync(badPath, `\uFEFF${[lines[0], `${UNKNOWN_CODE},"Không có",5`, ...filled].join('\r\n')}\r\n`);
  await admin.type('form#tai-tep #nguon', SOURCE_FILE);
  await (await admin.find('form#tai-tep #tep')).type(badPath); // WebDriver file upload
  await p.press(admin, 'form#tai-tep', 'Kiểm tra tệp');
  await p.arrive(admin, /^\/thong-ke\/mau-so$/, 'upload with errors');
  assert.equal(await p.h1(admin), 'Kiểm tra trước khi nhập');
  const errors = await errorItems(admin);
  assert.equal(errors.length, 1, `errors listed: ${JSON.stringify(errors)}`);
  assert.ok(errors[0].startsWith(`Dòng 2: không có đơn vị mã ${UNKNOWN_CODE}`),
    `the error for line 2 (${UNKNOWN_CODE}): ${JSON.stringify(errors[0])}`);
  assert.match(norm(await admin.text('.error-summary')), /Không có số nào được ghi/);
  assert.equal(await admin.has('form#nhap'), false, 'no import form while errors remain');
  assert.ok(!(await buttonTexts(admin, 'main')).some((t) => t.startsWith('Nhập')), 'no "Nhập …" button while errors remain');
  assert.equal(await admin.has('table#thay-doi'), false, 'no list of changes while errors remain');
  console.log(`  refused: ${errors[0]}`);

  // Nothing was written.
  await p.open(admin, `/thong-ke?nam=${year}`, 'after a refused upload');
  const rows = await ranking(admin);
  assert.equal(rows[MUI_NE.code].denominator, '—', `${MUI_NE.code} denominator after a refused upload`);
  assert.equal(rows[XUAN_HUONG.code].denominator, '—', `${XUAN_HUONG.code} denominator after a refused upload`);
  await p.open(admin, `/thong-ke/mau-so/lich-su?nam=${year}&nhom=adults`, 'empty');
  assert.equal(await admin.has('table#lich-su'), false, 'history after a refused upload');
});

/** The template's rows with `values` ({code: text}) filled in the "Số người" column. */
function fillTemplate(values) {
  const left = new Set(Object.keys(values));
  const rows = template.lines.slice(1).map((l) => {
    const code = l.slice(0, 5);
    if (!(code in values)) return l;
    left.delete(code);
    return l.replace(/,$/, `,${values[code]}`);
  });
  assert.deepEqual([...left], [], 'codes missing from the template');
  return rows;
}

step('3. the corrected file: the dry run lists exactly the 2 changes; "Nhập 2 thay đổi" imports them, with history', async () => {
  await p.open(admin, `/thong-ke/mau-so?nam=${year}&nhom=adults`);
  const goodPath = join(srv.tmp, `mau-so-${year}-adults.csv`);
  const filled = fillTemplate({ [MUI_NE.code]: '1.000', [XUAN_HUONG.code]: '2' });
  writeFileSync(goodPath, `\uFEFF${[template.lines[0], ...filled].join('\r\n')}\r\n`);
  await admin.type('form#tai-tep #nguon', SOURCE_FILE);
  await (await admin.find('form#tai-tep #tep')).type(goodPath);
  await p.press(admin, 'form#tai-tep', 'Kiểm tra tệp');
  await p.arrive(admin, /^\/thong-ke\/mau-so$/, 'dry run');
  assert.equal(await p.h1(admin), 'Kiểm tra trước khi nhập');
  assert.equal(await admin.has('.error-summary'), false, 'errors on a clean file');
  const changes = await table(admin, 'table#thay-doi');
  assert.ok(changes, 'no table#thay-doi on the dry run');
  const seen = changes.rows.map((r) => r.cells).sort((x, y) => x[0].localeCompare(y[0]));
  assert.deepEqual(seen, [
    [MUI_NE.code, MUI_NE.name, '—', '1.000'],
    [XUAN_HUONG.code, XUAN_HUONG.name, '—', '2'],
  ], 'the changes (code, name, old, new)');
  assert.match(norm(await admin.text('main')), /Sẽ thay đổi 2 đơn vị/);
  assert.match(norm(await admin.text('form#nhap')), new RegExp(`Nguồn số liệu: ${escapeRe(SOURCE_FILE)}`));
  console.log(`  dry run: ${seen.map((r) => `${r[0]} ${r[2]} → ${r[3]}`).join(', ')}`);

  // A dry run writes nothing (checked from Node, so the browser stays on the dry run).
  const before = await p.fetchAs(admin, `/thong-ke?nam=${year}`);
  assert.match(before.text, new RegExp(`data-code="${MUI_NE.code}"[^]*?data-field="denominator">—<`), 'the dry run wrote something');

  await p.press(admin, 'form#nhap', 'Nhập 2 thay đổi');
  await p.arrive(admin, /^\/thong-ke\/mau-so$/, 'imported');
  const notice = norm(await admin.text('.notice'));
  assert.ok(notice.includes('Đã nhập 2 thay đổi'), `notice after importing: ${JSON.stringify(notice)}`);
  assert.match(norm(await admin.text('main .lead')), new RegExp(`Đã có 2/${COMMUNES} đơn vị`));
  assert.equal(await valueOf(admin, `#d_${MUI_NE.code}`), '1000', `#d_${MUI_NE.code} after the import`);
  assert.equal(await valueOf(admin, `#d_${XUAN_HUONG.code}`), '2', `#d_${XUAN_HUONG.code} after the import`);
  console.log(`  ${notice}`);

  await p.open(admin, `/thong-ke?nam=${year}`, 'after import');
  const rows = await ranking(admin);
  assert.equal(rows[MUI_NE.code].denominator, '1.000', `${MUI_NE.code} denominator on the dashboard`);
  assert.equal(rows[XUAN_HUONG.code].denominator, '2', `${XUAN_HUONG.code} denominator on the dashboard`);
  assert.equal(Object.values(rows).filter((r) => r.denominator !== '—').length, 2, 'communes with a denominator');

  await p.follow(admin, 'main', 'Nhập, sửa mẫu số');
  await p.arrive(admin, /^\/thong-ke\/mau-so$/, 'imported');
  await p.follow(admin, 'main', 'Lịch sử thay đổi');
  await p.arrive(admin, /^\/thong-ke\/mau-so\/lich-su$/, '2 changes');
  const history = await table(admin, 'table#lich-su');
  assert.ok(history, 'no table#lich-su');
  assert.equal(history.rows.length, 2, `history rows: ${JSON.stringify(history.rows)}`);
  for (const [unit, value] of [[MUI_NE, '1.000'], [XUAN_HUONG, '2']]) {
    const r = rowOf(history, unit.code);
    assert.equal(r['Đơn vị'], unit.name, `history of ${unit.code}: ${JSON.stringify(r)}`);
    assert.equal(r['Số cũ'], '—', `history of ${unit.code}: old`);
    assert.equal(r['Số mới'], value, `history of ${unit.code}: new`);
    assert.equal(r['Nguồn'], SOURCE_FILE, `history of ${unit.code}: source`);
    assert.equal(r['Người sửa'], ADMIN.name, `history of ${unit.code}: who`);
    assert.match(r['Lúc'], /\d{2}\/\d{2}\/\d{4}/, `history of ${unit.code}: when`);
  }
  console.log(`  history: ${history.rows.map((r) => r.cells.join(' | ')).join(' ; ')}`);
});

step('3b. a direct edit in the page: only the changed cell is listed, then imported and kept in the history', async () => {
  await p.open(admin, `/thong-ke/mau-so?nam=${year}&nhom=adults`);
  await admin.type(`form#sua-mau-so #d_${XUAN_HUONG.code}`, '3');
  await admin.type('form#sua-mau-so #nguon-sua', SOURCE_EDIT);
  await p.press(admin, 'form#sua-mau-so', 'Kiểm tra thay đổi');
  await p.arrive(admin, /^\/thong-ke\/mau-so\/sua$/, 'dry run');
  assert.equal(await admin.has('.error-summary'), false, 'errors on a direct edit');
  const changes = await table(admin, 'table#thay-doi');
  assert.ok(changes, 'no table#thay-doi after a direct edit');
  assert.deepEqual(changes.rows.map((r) => r.cells), [[XUAN_HUONG.code, XUAN_HUONG.name, '2', '3']], 'the one change');
  // Keep a copy of the confirm form, as a second tab would, to send it again after the import.
  await admin.exec("sessionStorage.setItem('again', document.querySelector('form#nhap').outerHTML);");
  await p.press(admin, 'form#nhap', 'Nhập 1 thay đổi');
  await p.arrive(admin, /^\/thong-ke\/mau-so$/, 'imported');
  assert.ok(norm(await admin.text('.notice')).includes('Đã nhập 1 thay đổi'), 'notice after the direct edit');
  // The same confirmation again: refused in Vietnamese, nothing applied twice (the history
  // below still has 3 rows).
  await admin.exec(
    "document.body.insertAdjacentHTML('beforeend', sessionStorage.getItem('again'));"
    + "var forms = document.querySelectorAll('form#nhap'); forms[forms.length - 1].submit();",
  );
  await p.arrive(admin, /^\/thong-ke\/mau-so\/nhap$/, 'confirmed twice');
  assert.equal(norm(await admin.text('h1')), 'Không thực hiện được', 'the refusal page');
  assert.ok(norm(await admin.text('main')).includes('Không còn tệp chờ nhập'), 'why the second confirmation is refused');
  await p.open(admin, `/thong-ke/mau-so?nam=${year}&nhom=adults`);
  assert.equal(await valueOf(admin, `#d_${XUAN_HUONG.code}`), '3');
  assert.equal(await valueOf(admin, `#d_${MUI_NE.code}`), '1000', 'an untouched cell stays');

  await p.open(admin, `/thong-ke/mau-so/lich-su?nam=${year}&nhom=adults`, '3 changes');
  const history = await table(admin, 'table#lich-su');
  assert.equal(history.rows.length, 3, `history rows: ${JSON.stringify(history.rows)}`);
  const edits = history.rows.filter((r) => r.code === XUAN_HUONG.code)
    .map((r) => Object.fromEntries(history.head.map((h, i) => [h, r.cells[i]])));
  assert.ok(edits.some((r) => r['Số cũ'] === '2' && r['Số mới'] === '3' && r['Nguồn'] === SOURCE_EDIT && r['Người sửa'] === ADMIN.name),
    `history of the direct edit: ${JSON.stringify(edits)}`);
  console.log(`  ${XUAN_HUONG.code}: 2 → 3 ("${SOURCE_EDIT}"), history has 3 rows`);
});

step(`4. targets: adults / digital skills set to ${TARGET.value}% is saved with history and used by the ranking at once`, async () => {
  await p.open(admin, `/thong-ke?nam=${year}`, 'after import');
  await p.follow(admin, 'main', 'Chỉ tiêu');
  await p.arrive(admin, /^\/thong-ke\/chi-tieu$/, 'before');
  assert.equal(await p.h1(admin), `Chỉ tiêu năm ${year}`);
  const old = await valueOf(admin, `form#sua-chi-tieu #${TARGET.field}`);
  assert.notEqual(old, null, `no #${TARGET.field} in form#sua-chi-tieu`);
  assert.equal(old === '' ? '—' : `${old}%`, targetBefore, 'the form shows the target the ranking used');
  assert.equal(await admin.has('table#lich-su'), false, 'target history on a fresh database');
  const fields = (await admin.findAll('form#sua-chi-tieu input[id^="t_"]')).length;
  await admin.type(`form#sua-chi-tieu #${TARGET.field}`, TARGET.value);
  await p.press(admin, 'form#sua-chi-tieu', 'Lưu chỉ tiêu');
  await p.arrive(admin, /^\/thong-ke\/chi-tieu$/, 'saved');
  const notice = norm(await admin.text('.notice'));
  assert.ok(notice.includes('Đã lưu'), `notice after saving: ${JSON.stringify(notice)}`);
  assert.ok(notice.includes('Đã lưu 1 thay đổi'), `only the one changed target is saved: ${JSON.stringify(notice)}`);
  assert.equal(await valueOf(admin, `form#sua-chi-tieu #${TARGET.field}`), TARGET.value);
  const history = await table(admin, 'table#lich-su');
  assert.ok(history, 'no table#lich-su after saving');
  assert.equal(history.rows.length, 1, `target history: ${JSON.stringify(history.rows)}`);
  const h = Object.fromEntries(history.head.map((x, i) => [x, history.rows[0].cells[i]]));
  assert.equal(h['Cũ'], targetBefore, `history, old: ${JSON.stringify(h)}`);
  assert.equal(h['Mới'], `${TARGET.value}%`, `history, new: ${JSON.stringify(h)}`);
  assert.equal(h['Người sửa'], ADMIN.name, `history, who: ${JSON.stringify(h)}`);
  console.log(`  ${fields} target fields; ${notice}; history: ${history.rows[0].cells.join(' | ')}`);

  await p.open(admin, `/thong-ke?nam=${year}`, 'after targets');
  const rows = await ranking(admin);
  const targets = new Set(Object.values(rows).map((r) => r.target));
  assert.deepEqual([...targets], [`${TARGET.value}%`], 'the target column of every commune');
  const mn = rows[MUI_NE.code];
  assert.equal(mn.denominator, '1.000');
  assert.equal(mn.gap, '900', `${MUI_NE.code}: ${TARGET.value}% of 1.000 with nobody passed yet`);
  console.log(`  /thong-ke: target ${mn.target} everywhere; ${MUI_NE.code} gap ${mn.gap}`);
});

step('4b. the ranking downloads as Excel (a sheet per group) and as CSV', async () => {
  await p.open(admin, `/thong-ke?nam=${year}`);
  const [, xlsxHref] = await p.link(admin, 'main', 'Excel (mọi nhóm, mỗi nhóm một trang)');
  assertHref(xlsxHref, '/thong-ke/xuat.xlsx', 'Excel link');
  const xlsx = await p.fetchAs(admin, xlsxHref);
  assert.equal(xlsx.status, 200, `GET ${xlsxHref}`);
  assert.equal(xlsx.type, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.match(xlsx.disposition, /attachment; filename="ket-qua-\d{4}-digital_skills\.xlsx"/);
  assert.deepEqual([...xlsx.bytes.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04], 'an .xlsx is a zip');
  const [, csvHref] = await p.link(admin, 'main', 'CSV (nhóm này)');
  const csv = await p.fetchAs(admin, csvHref);
  assert.equal(csv.status, 200, `GET ${csvHref}`);
  const lines = csv.text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l !== '');
  assert.equal(lines.length, 1 + COMMUNES + 1, 'header, communes, total');
  assert.ok(lines.some((l) => l.includes(`,${MUI_NE.code},`) && l.includes(',1000,')), `Mũi Né with its denominator in the CSV`);
  console.log(`  Excel ${xlsx.bytes.length} bytes, CSV ${lines.length} lines`);
});

step('4c. the trend chart and the overview are on the page; the report for a period downloads as PDF', async () => {
  await p.open(admin, `/thong-ke?nam=${year}`);
  const chart = await admin.exec(`
    var svg = document.querySelector('#xu-huong svg');
    return svg ? { title: svg.querySelector('title').textContent, box: svg.getBoundingClientRect().width } : null;
  `);
  assert.ok(chart, 'the trend chart is drawn on the page (no JavaScript needed)');
  assert.ok(chart.box > 200, `the chart is visible: ${chart.box}px wide`);
  const overview = await admin.findAll('#tong-quan-bang tbody tr');
  assert.ok(overview.length >= 6, `the overview has a line per group: ${overview.length}`);
  await p.follow(admin, 'main', 'Báo cáo theo kỳ (PDF)');
  await p.arrive(admin, /^\/thong-ke\/bao-cao$/);
  const form = await admin.exec(`
    var f = document.querySelector('form#bao-cao');
    return new URLSearchParams(new FormData(f)).toString();
  `);
  const pdf = await p.fetchAs(admin, `/thong-ke/bao-cao.pdf?${form}`);
  assert.equal(pdf.status, 200, `GET /thong-ke/bao-cao.pdf?${form}`);
  assert.equal(pdf.type, 'application/pdf');
  assert.match(pdf.disposition, /attachment; filename="bao-cao-68-\d{8}-\d{8}\.pdf"/);
  assert.equal(pdf.bytes.subarray(0, 5).toString(), '%PDF-');
  // A date that does not exist is refused on the form, in Vietnamese.
  await admin.go(`${srv.base}/thong-ke/bao-cao.pdf?tu=31/02/${year}&den=01/03/${year}`);
  await p.arrive(admin, /^\/thong-ke\/bao-cao\.pdf$/, 'refused');
  const error = norm(await admin.text('.error-summary'));
  assert.match(error, /ngày bắt đầu/, error);
  console.log(`  report ${pdf.bytes.length} bytes; refused date: ${error}`);
  await p.open(admin, `/thong-ke?nam=${year}`);
});

step('5. the map: 124 communes, legend counts add up, tapping Mũi Né opens its page', async () => {
  await p.follow(admin, 'main', 'Xem bản đồ các xã, phường');
  await p.arrive(admin, /^\/thong-ke\/ban-do$/);
  assert.equal(new URL(await admin.currentUrl()).searchParams.get('nam'), year, 'the map keeps the year');
  const map = await admin.exec(`
    var svg = document.querySelector('svg#ban-do');
    if (!svg) return null;
    return {
      areas: Array.from(svg.querySelectorAll('a[data-code]')).map(function (a) {
        var p = a.querySelector('path'), t = p && p.querySelector('title');
        return {
          code: a.getAttribute('data-code'),
          href: a.getAttribute('href'),
          cls: p ? p.getAttribute('class') : null,
          title: t ? t.textContent.trim() : null
        };
      }),
      legend: Array.from(document.querySelectorAll('.legend li')).map(function (li) {
        return { cls: (li.querySelector('.swatch') || li).className.replace('swatch', '').trim(), text: li.textContent.replace(/\\s+/g, ' ').trim() };
      })
    };
  `);
  assert.ok(map, 'no svg#ban-do');
  assert.equal(map.areas.length, COMMUNES, 'commune links on the map');
  assert.equal(new Set(map.areas.map((a) => a.code)).size, COMMUNES, 'each commune once');
  const classes = ['m-dat', 'm-gan', 'm-giua', 'm-xa', 'm-chua'];
  for (const a of map.areas) {
    assertHref(a.href, `/thong-ke/${a.code}`, `map link of ${a.code}`);
    assert.ok(classes.includes(a.cls), `class of ${a.code}: ${a.cls}`);
    assert.ok(a.title, `no <title> for ${a.code}`);
  }
  const mn = map.areas.find((a) => a.code === MUI_NE.code);
  assert.ok(mn, `${MUI_NE.code} is not on the map`);
  assert.ok(mn.title.startsWith(MUI_NE.name), `title of ${MUI_NE.code}: ${mn.title}`);

  const legend = map.legend.map((l) => {
    const m = /:\s*(\d+)$/.exec(l.text);
    assert.ok(m, `legend item without a count: ${JSON.stringify(l.text)}`);
    return { ...l, count: Number(m[1]) };
  });
  assert.equal(legend.length, classes.length, `legend items: ${JSON.stringify(legend)}`);
  const total = legend.reduce((n, l) => n + l.count, 0);
  assert.equal(total, COMMUNES, `legend counts add up to ${total}: ${legend.map((l) => l.text).join(' | ')}`);
  for (const l of legend) {
    assert.equal(l.count, map.areas.filter((a) => a.cls === l.cls).length, `legend "${l.text}" against the map's ${l.cls} areas`);
  }
  // Nobody passed yet: the two communes with a denominator are far from the target; the rest have none.
  const byClass = Object.fromEntries(legend.map((l) => [l.cls, l.count]));
  assert.equal(mn.cls, 'm-xa', `${MUI_NE.code}: 0 of 1.000 against ${TARGET.value}%`);
  assert.equal(byClass['m-xa'], 2, 'communes "Dưới 50% chỉ tiêu"');
  assert.equal(byClass['m-chua'], COMMUNES - 2, 'communes without a denominator');
  console.log(`  ${map.areas.length} areas; legend ${legend.map((l) => l.text).join(' | ')}`);

  const how = await clickMapArea(admin, MUI_NE.code);
  await p.arrive(admin, new RegExp(`^/thong-ke/${MUI_NE.code}$`));
  assert.equal(new URL(await admin.currentUrl()).searchParams.get('nam'), year, 'the commune page keeps the year');
  assert.equal(await p.h1(admin), MUI_NE.name);
  assert.equal(await (await admin.find('#so-lieu')).attr('data-code'), MUI_NE.code);
  assert.equal(norm(await admin.text('#so-lieu [data-field="denominator"]')), '1.000');
  assert.equal(norm(await admin.text('#so-lieu [data-field="target"]')), `${TARGET.value}%`);
  assert.ok(await admin.has('main a[href^="/thong-ke?"]'), 'the admin sees a way back to the province');
  console.log(`  tapped ${MUI_NE.code} (${how}) → /thong-ke/${MUI_NE.code}`);
  // The people behind the figures (none in this demo without learners), and the audit log.
  await p.open(admin, `/thong-ke/${MUI_NE.code}/nguoi?nhom=adults`);
  assert.equal(await p.h1(admin), `Danh sách người trong diện: ${MUI_NE.name}`);
  await p.open(admin, '/thong-ke/nhat-ky');
  assert.match(norm(await admin.text('#nhat-ky-bang tbody')), /Xem danh sách/, 'the view above is in the audit log');
});

step('6. the commune officer is sent to their commune and refused everything else', async (t) => {
  await p.login(officer, OFFICER.phone, OFFICER.password);
  await p.arrive(officer, new RegExp(`^/thong-ke/${XUAN_HUONG.code}$`));
  assert.equal(await p.h1(officer), XUAN_HUONG.name);
  assert.equal(await (await officer.find('#so-lieu')).attr('data-code'), XUAN_HUONG.code);
  assert.equal(norm(await officer.text('#so-lieu [data-field="denominator"]')), '3', 'the denominator the admin set');
  assert.equal(norm(await officer.text('#so-lieu [data-field="target"]')), `${TARGET.value}%`, 'the target the admin set');
  assert.equal(await officer.has('main a[href^="/thong-ke?"]'), false, 'an officer gets no link to the province figures');
  console.log(`  login → /thong-ke/${XUAN_HUONG.code}`);

  // The header's "Thống kê" link, and the map's address typed: both lead to their commune.
  await p.follow(officer, 'header', 'Thống kê');
  await p.arrive(officer, new RegExp(`^/thong-ke/${XUAN_HUONG.code}$`));
  for (const path of ['/thong-ke', `/thong-ke/ban-do?nam=${year}`]) {
    await officer.go(srv.base + path);
    await p.arrive(officer, new RegExp(`^/thong-ke/${XUAN_HUONG.code}$`));
    assert.equal(await officer.has('table#xep-hang, svg#ban-do'), false, `province figures for an officer at ${path}`);
    const res = await p.fetchAs(officer, path);
    assert.equal(res.status, 303, `GET ${path} as the officer`);
    assert.equal(res.location, `/thong-ke/${XUAN_HUONG.code}`, `GET ${path} as the officer: Location`);
    console.log(`  ${path} → /thong-ke/${XUAN_HUONG.code}`);
  }

  for (const path of [
    `/thong-ke/${MUI_NE.code}`,
    `/thong-ke/mau-so?nam=${year}&nhom=adults`,
    `/thong-ke/mau-so/mau.csv?nam=${year}&nhom=adults`,
    `/thong-ke/mau-so/lich-su?nam=${year}&nhom=adults`,
    `/thong-ke/chi-tieu?nam=${year}`,
    `/thong-ke/xuat.xlsx?nam=${year}`,
    `/thong-ke/xuat.csv?nam=${year}`,
    `/thong-ke/${MUI_NE.code}/nguoi`,
    `/thong-ke/${MUI_NE.code}/nguoi.csv`,
    '/thong-ke/nhat-ky',
  ]) {
    await p.open(officer, path, '403');
    assert.equal(await p.h1(officer), 'Không có quyền truy cập', `h1 for the officer at ${path}`);
    assert.equal(await officer.has('#so-lieu, form#tai-tep, form#sua-mau-so, form#sua-chi-tieu, table#lich-su'), false,
      `the officer sees figures or forms at ${path}`);
    const res = await p.fetchAs(officer, path);
    assert.equal(res.status, 403, `GET ${path} as the officer`);
    assert.ok(!res.text.includes('Mã đơn vị,Tên đơn vị'), `the template leaks at ${path}`);
    console.log(`  ${path}: 403 "Không có quyền truy cập"`);
  }
  // Still logged in, and still allowed on their own page.
  await p.open(officer, `/thong-ke/${XUAN_HUONG.code}`);
  assert.equal(await (await officer.find('#so-lieu')).attr('data-code'), XUAN_HUONG.code);
  assert.ok(await officer.has('form#dang-xuat'), 'the officer is still logged in');

  // Error pages do not know who is asking (src/web/error.rs), so they show neither the name nor
  // "Đăng xuất" — but they must not tell a logged-in officer to log in or register.
  await p.open(officer, `/thong-ke/${MUI_NE.code}`, '403');
  assert.equal(await officer.has('header a[href="/dang-nhap"]'), false, 'the 403 page offers "Đăng nhập" to a logged-in officer');
  assert.equal(await officer.has('header a[href="/dang-ky"]'), false, 'the 403 page offers "Đăng ký" to a logged-in officer');
});

step('7. every page state above passed axe-core (admin and officer)', async () => {
  const keys = [...p.scanned];
  assert.ok(keys.some((k) => k.startsWith('admin /thong-ke/ban-do')), 'the map page was scanned');
  assert.ok(keys.some((k) => k.startsWith('officer ')), 'the officer\'s pages were scanned');
  console.log(`  ${keys.length} page states scanned, all clean:\n    ${keys.join('\n    ')}`);
});
