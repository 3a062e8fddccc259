// Real-browser walk of periodic reports (issue 20, part 2): the province administrator (demo
// account 0900000001), on a phone-sized window, schedules last month's report for the
// communes; the officer of Phường Xuân Hương (0900000002) tries to send it empty (refused),
// then writes and sends it; the province returns it with a comment; the officer adds to it and
// sends it again with the minutes attached as a PDF; the province approves it (and opens the
// file), sees it counted on time, and downloads the consolidated report as .docx — the test
// opens the file (a zip of Word XML, parsed) and checks its heading, a figure and the
// commune's words. axe-core on every page state.
// Run: ./run   (or: node --test reports.test.mjs, with chromium, chromium-driver, node_modules)

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { norm, setUpWalk } from './server.mjs';

const ADMIN = '0900000001';
const OFFICER = '0900000002';
const XUAN_HUONG = '24781';
const DONE = 'Tổ chức 3 lớp kỹ năng số cơ bản cho 96 người dân; Tổ công nghệ số cộng đồng hỗ trợ 240 lượt cài VNeID.';
const COMMENT = 'Bổ sung số lượt hỗ trợ theo từng tổ dân phố.';
const ADDED = ' Tổ dân phố 1: 110 lượt; tổ dân phố 2: 130 lượt.';

// Last month (Vietnam time), and a due date three days from now.
const now = new Date(Date.now() + 7 * 3600 * 1000);
const lastMonth = now.getUTCMonth() === 0 ? 12 : now.getUTCMonth();
const lastYear = now.getUTCMonth() === 0 ? now.getUTCFullYear() - 1 : now.getUTCFullYear();
const due = new Date(now.getTime() + 3 * 86400 * 1000);
const dd = (n) => String(n).padStart(2, '0');
const DUE = `${dd(due.getUTCDate())}/${dd(due.getUTCMonth() + 1)}/${due.getUTCFullYear()}`;
const TITLE = `Tháng ${lastMonth}/${lastYear}`;

const { srv, p, step, browsers: [admin, officer] } = setUpWalk('hocvuso-e2e-bc-', ['admin', 'officer']);
let periodPath;
let reportPath;

step('1. the province schedules last month\'s report for the communes', async () => {
  await p.login(admin, ADMIN);
  await p.open(admin, '/thong-ke', 'dashboard');
  await p.follow(admin, 'main', 'Báo cáo định kỳ');
  await p.arrive(admin, /^\/bao-cao-dinh-ky$/, 'none yet');
  await p.follow(admin, 'main', 'Kỳ báo cáo mới');
  await p.arrive(admin, /^\/bao-cao-dinh-ky\/moi$/);
  await admin.select('#loai', 'month');
  await admin.type('#nam', String(lastYear));
  await admin.type('#so', String(lastMonth));
  await admin.type('#han', DUE);
  assert.equal(await admin.exec('return document.querySelector("#don_vi-commune").checked;'), true, 'communes ticked');
  await p.press(admin, 'form#ky-bao-cao', 'Tạo kỳ báo cáo');
  [periodPath] = await p.arrive(admin, /^\/bao-cao-dinh-ky\/\d+$/, 'created');
  assert.match(norm(await admin.text('h1')), new RegExp(TITLE));
  assert.match(norm(await admin.text('#tom-tat')), /^0\/124 đơn vị đã gửi/);
});

step('2. the officer cannot send it empty, then writes and sends it', async () => {
  await p.login(officer, OFFICER);
  await p.open(officer, '/bao-cao-dinh-ky', 'list');
  await p.follow(officer, 'table#cac-ky', 'Phường Xuân Hương - Đà Lạt');
  [reportPath] = await p.arrive(officer, new RegExp(`^/bao-cao-dinh-ky/\\d+/${XUAN_HUONG}$`), 'new report');
  assert.ok((await p.texts(officer, '#bang-so-lieu tbody tr')).length >= 7, 'figures of every group');
  await p.press(officer, 'form#viet-bao-cao', 'Gửi báo cáo');
  await p.arrive(officer, /\/luu$/, 'empty');
  assert.deepEqual(await p.texts(officer, '.error-summary li'), ['Hãy ghi kết quả đã làm trong kỳ trước khi gửi báo cáo.']);
  await officer.type('#da_lam', DONE);
  await officer.type('#kho_khan', 'Một số tổ dân phố thiếu điểm truy cập Internet công cộng.');
  await p.press(officer, 'form#viet-bao-cao', 'Gửi báo cáo');
  await p.arrive(officer, new RegExp(`^/bao-cao-dinh-ky/\\d+/${XUAN_HUONG}$`), 'sent');
  assert.equal(norm(await officer.text('#trang-thai')), 'Đã gửi, chờ duyệt');
  assert.match(norm(await officer.text('#gui-luc')), /đúng hạn/);
});

step('3. the province returns it with a comment; the officer adds to it and sends it again', async () => {
  await p.open(admin, periodPath, 'one sent');
  assert.match(norm(await admin.text('#tom-tat')), /^1\/124 đơn vị đã gửi \(1 đúng hạn, 0 trễ hạn\)/);
  await p.follow(admin, 'table#don-vi', 'Phường Xuân Hương - Đà Lạt');
  await p.arrive(admin, new RegExp(`^/bao-cao-dinh-ky/\\d+/${XUAN_HUONG}$`), 'to review');
  await admin.type('#nhan_xet', COMMENT);
  await p.press(admin, 'form#duyet-bao-cao', 'Trả lại để sửa');
  await p.arrive(admin, new RegExp(`^/bao-cao-dinh-ky/\\d+/${XUAN_HUONG}$`), 'returned');
  assert.equal(norm(await admin.text('#trang-thai')), 'Bị trả lại để sửa');

  await p.open(officer, reportPath, 'returned');
  assert.match(norm(await officer.text('#cac-buoc')), new RegExp(COMMENT.replace(/[.]/g, '\\.')));
  // The minutes go with it, as a PDF.
  const pdf = join(srv.tmp, 'bien-ban-ho-tro.pdf');
  writeFileSync(pdf, '%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
  await (await officer.find('form#dinh-kem #tep')).type(pdf); // WebDriver file upload
  await p.press(officer, 'form#dinh-kem', 'Đính kèm');
  await p.arrive(officer, new RegExp(`^/bao-cao-dinh-ky/\\d+/${XUAN_HUONG}$`), 'file attached');
  assert.match(norm(await officer.text('#xong')), /Đã đính kèm tệp/);
  assert.match(norm(await officer.text('#cac-tep')), /bien-ban-ho-tro\.pdf/);
  await officer.exec('document.querySelector("#da_lam").focus();');
  await officer.exec(`const t = document.querySelector("#da_lam"); t.value = t.value + ${JSON.stringify(ADDED)};`);
  await p.press(officer, 'form#viet-bao-cao', 'Gửi báo cáo');
  await p.arrive(officer, new RegExp(`^/bao-cao-dinh-ky/\\d+/${XUAN_HUONG}$`), 'sent again');
  assert.equal(norm(await officer.text('#trang-thai')), 'Đã gửi, chờ duyệt');
});

step('4. the province approves it and downloads the consolidated .docx', async () => {
  await p.open(admin, reportPath, 'to approve');
  await p.press(admin, 'form#duyet-bao-cao', 'Duyệt');
  await p.arrive(admin, new RegExp(`^/bao-cao-dinh-ky/\\d+/${XUAN_HUONG}$`), 'approved');
  assert.equal(norm(await admin.text('#trang-thai')), 'Đã duyệt');
  const [attached] = await admin.exec('return [...document.querySelectorAll("#cac-tep a")].map(a => a.getAttribute("href"));');
  const got = await p.fetchAs(admin, attached);
  assert.equal(got.status, 200);
  assert.equal(got.type, 'application/pdf');
  assert.match(got.text, /^%PDF-/);
  assert.equal(await admin.has('form#dinh-kem'), false, 'an approved report takes no files');
  assert.equal((await p.texts(admin, '#cac-buoc li')).length, 4);

  await p.open(admin, periodPath, 'approved');
  const href = await admin.exec('return document.querySelector("#tong-hop a").getAttribute("href");');
  assert.match(href, /tong-hop\.docx$/);
  const docx = await p.fetchAs(admin, href);
  assert.equal(docx.status, 200);
  assert.match(docx.type, /wordprocessingml/);
  const file = join(srv.tmp, 'tong-hop.docx');
  writeFileSync(file, docx.bytes);
  // The Word XML, parsed (it must be well-formed), as plain text.
  const text = execFileSync('python3', ['-c', `
import sys, zipfile, xml.dom.minidom
doc = xml.dom.minidom.parseString(zipfile.ZipFile(sys.argv[1]).read("word/document.xml"))
print("".join(t.firstChild.data if t.firstChild else "" for t in doc.getElementsByTagName("w:t")))
`, file], { encoding: 'utf8' });
  for (const want of ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', 'SỞ KHOA HỌC VÀ CÔNG NGHỆ', TITLE,
    'Đã gửi: 1 đơn vị (1 đúng hạn, 0 trễ hạn); đã duyệt: 1 báo cáo; chưa gửi: 123 đơn vị', 'tổ dân phố 2: 130 lượt', 'Nơi nhận:']) {
    assert.ok(text.includes(want), `${want} not in the .docx`);
  }
  const pdf = await p.fetchAs(admin, href.replace('.docx', '.pdf'));
  assert.equal(pdf.status, 200);
  assert.equal(pdf.bytes.subarray(0, 5).toString(), '%PDF-');
});
