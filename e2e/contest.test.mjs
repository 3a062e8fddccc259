// Real-browser walk of contests (issue 18, part 1): the officer of Phường Xuân Hương (demo
// account 0900000002), on a phone-sized window, creates a contest for the ward — first with a
// round that closes before it opens (refused, nothing written), then with a round open now. A
// newcomer on a phone with JavaScript OFF opens the contest, registers from it (phone proved by
// the SMS code, name, ward) and comes back to it, joins, plays the round and submits. The
// organiser ends the round; a minute later (the grace for answers in flight) the newcomer sees
// the ranking with their masked name and reviews their answers with the key; the organiser
// sets a prize, confirms the proposed winner and downloads the award decision (XLSX, PDF); the
// winner sees the prize. axe-core on every page state of the browsers with JavaScript.
// Run: ./run   (or: node --test contest.test.mjs, with chromium, chromium-driver, node_modules)

import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { readFileSync } from 'node:fs';

import { norm, setUpWalk } from './server.mjs';
import { Browser } from './webdriver.mjs';

const OFFICER = '0900000002';
const XUAN_HUONG = '24781';
const TITLE = 'Cuộc thi tìm hiểu kỹ năng số phường Xuân Hương';
const NEWCOMER = { phone: '0987 654 321', name: 'Đặng Thị Thu', birthYear: '1968' };

const { srv, p, step, browsers: [officer, viewer] } = setUpWalk('hocvuso-e2e-ct-', ['officer', 'viewer']);
// The entrant's phone: JavaScript off (started apart from the walk's browsers).
const entrant = new Browser('entrant (no JavaScript)');
before(async () => entrant.start({ javascript: false }));
after(async () => entrant.quit());
let contestPath;
let adminPath;

/** `dd/mm/yyyy hh:mm` of an instant in Vietnam time. */
function vietnam(t) {
  const d = new Date(t.getTime() + 7 * 3600_000);
  const two = (n) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}

async function fillIn(opens, closes) {
  await officer.type('#ten', TITLE);
  await officer.select('#don_vi', XUAN_HUONG);
  await officer.click('#pv-don-vi');
  await officer.type('#mo', opens);
  await officer.type('#dong', closes);
  await officer.select('#khoa_hoc', 'ky-nang-so-co-ban');
  await officer.type('#so_cau', '5');
  await officer.type('#phut', '15');
}

step('1. the officer opens the new-contest form', async () => {
  await p.login(officer, OFFICER);
  await p.follow(officer, 'footer', 'Cuộc thi');
  await p.arrive(officer, /^\/cuoc-thi$/, 'none yet');
  await p.follow(officer, 'main', 'Cuộc thi của đơn vị (tổ chức, trao giải)');
  await p.arrive(officer, /^\/cuoc-thi\/quan-ly$/, 'none yet');
  await p.follow(officer, 'main', 'Tạo cuộc thi mới');
  await p.arrive(officer, /^\/cuoc-thi\/quan-ly\/moi$/);
});

step('2. a round that closes before it opens is refused, and nothing is written', async () => {
  const now = Date.now();
  await fillIn(vietnam(new Date(now + 86400_000)), vietnam(new Date(now)));
  await p.press(officer, 'form#tao-cuoc-thi', 'Tạo cuộc thi');
  await p.arrive(officer, /^\/cuoc-thi\/quan-ly\/moi$/, 'errors');
  assert.deepEqual(await p.texts(officer, '.error-summary li'), [
    'Vòng thi phải đóng sau khi mở: thời gian đóng đang sớm hơn thời gian mở.',
  ]);
  assert.equal(await officer.exec('return document.querySelector("#ten").value;'), TITLE, 'typed values kept');
  await p.open(officer, '/cuoc-thi/quan-ly', 'still none');
  assert.equal(await officer.has('table#cuoc-thi-don-vi'), false);
});

step('3. with a round open now the contest is created', async () => {
  await p.open(officer, '/cuoc-thi/quan-ly/moi', 'again');
  const now = Date.now();
  await fillIn(vietnam(new Date(now - 60_000)), vietnam(new Date(now + 86400_000)));
  await p.press(officer, 'form#tao-cuoc-thi', 'Tạo cuộc thi');
  [adminPath] = await p.arrive(officer, /^\/cuoc-thi\/quan-ly\/\d+$/, 'created');
  assert.match(norm(await officer.text('#xong')), /Đã tạo cuộc thi/);
  contestPath = norm(await officer.text('#trang-cong-khai'));
  assert.match(contestPath, /^\/cuoc-thi\/\d+$/);
});

/** The 6-digit code of the last registration SMS (the development adapter logs messages). */
function lastRegistrationCode() {
  const log = readFileSync(srv.logPath, 'utf8');
  const codes = [...log.matchAll(/Ma xac nhan dang ky Hoc vu so: (\d{6})/g)];
  assert.ok(codes.length > 0, `no registration code in the server log:\n${srv.logTail()}`);
  return codes[codes.length - 1][1];
}

step('4. a newcomer without JavaScript registers from the contest page and comes back to it', async () => {
  await p.open(entrant, contestPath, 'anonymous');
  assert.match(norm(await entrant.text('#the-le')), /dự đoán gần với số người trả lời đúng tất cả/);
  await p.follow(entrant, '#tham-gia', 'Đăng ký');
  await p.arrive(entrant, /^\/dang-ky$/);
  await entrant.type('form#dang-ky input[name="phone"]', NEWCOMER.phone);
  await p.press(entrant, 'form#dang-ky', 'Gửi mã qua tin nhắn');
  await p.arrive(entrant, /^\/dang-ky\/ma$/);
  await entrant.type('form#nhap-ma-dang-ky input[name="code"]', lastRegistrationCode());
  await p.press(entrant, 'form#nhap-ma-dang-ky', 'Xác nhận');
  await p.arrive(entrant, /^\/dang-ky\/thong-tin$/);
  const f = 'form#dang-ky';
  await entrant.type(`${f} input[name="full_name"]`, NEWCOMER.name);
  await entrant.type(`${f} input[name="birth_year"]`, NEWCOMER.birthYear);
  await entrant.select(`${f} select[name="commune_code"]`, XUAN_HUONG);
  // From a contest the password may wait: registering joins in the same step.
  assert.match(norm(await entrant.text(`${f} label[for="password"]`)), /không bắt buộc/);
  await entrant.click(`${f} input#consent`);
  await p.press(entrant, f, 'Đăng ký và tham gia');
  await p.arrive(entrant, new RegExp(`^${contestPath}$`), 'registered and joined');
  assert.match(norm(await entrant.text('#thong-bao')), /Bạn đã tham gia cuộc thi/);
});

step('5. the newcomer plays the round and submits, all without JavaScript', async () => {
  await p.press(entrant, '#cac-vong', 'Vào thi Vòng 1');
  await p.arrive(entrant, /^\/cuoc-thi\/bai\/\d+$/, 'playing');
  assert.equal(await entrant.has('#dem-nguoc'), false, 'no countdown without JavaScript');
  assert.doesNotMatch(await entrant.text('main'), /đáp án đúng/, 'no key before the close');
  // The first option of every question, and a prediction.
  const names = await entrant.exec(`
    return Array.from(new Set(Array.from(document.querySelectorAll('form#bai-thi input[type=radio], form#bai-thi input[type=checkbox]')).map(function (i) { return i.name; })));
  `);
  assert.equal(names.length, 5, 'five questions');
  for (const name of names) await entrant.click(`form#bai-thi input[name="${name}"]`);
  await entrant.type('#du_doan', '1');
  await p.press(entrant, 'form#bai-thi', 'Nộp bài');
  await p.arrive(entrant, /^\/cuoc-thi\/bai\/\d+$/, 'submitted');
  assert.match(norm(await entrant.text('#da-nop')), /Đã nộp bài/);
  await p.open(viewer, `${contestPath}/xep-hang?vong=1`, 'not yet');
  assert.match(norm(await viewer.text('#chua-cong-bo')), /chưa kết thúc/);
});

step('6. the organiser ends the round; a minute later the ranking is out', async () => {
  await p.open(officer, adminPath, 'round open');
  await p.press(officer, 'table#cac-vong', 'Kết thúc vòng ngay');
  await p.arrive(officer, new RegExp(`^${adminPath}$`), 'round ended');
  assert.match(norm(await officer.text('#xong')), /Đã kết thúc vòng thi/);
  // Answers in flight are taken for one more minute; then the board is published.
  await new Promise((r) => setTimeout(r, 62_000));
  await p.open(viewer, `${contestPath}/xep-hang?vong=1`, 'published');
  assert.deepEqual(await p.texts(viewer, '#xep-hang-ca-nhan tbody td:nth-child(2)'), ['Đ. T. Thu']);
  assert.doesNotMatch(await viewer.text('main'), /Đặng Thị Thu/, 'names are masked');
  assert.deepEqual(await p.texts(viewer, '#xep-hang-don-vi tbody td:nth-child(2)'), ['Phường Xuân Hương - Đà Lạt']);
  await p.open(entrant, `${contestPath}/xep-hang?vong=1`, 'mine');
  assert.match(norm(await entrant.text('#hang-cua-toi')), /Hạng của bạn: 1/);
  await p.open(entrant, contestPath, 'round over');
  await p.follow(entrant, '.bai-cua-toi', 'Lượt 1');
  await p.arrive(entrant, /^\/cuoc-thi\/bai\/\d+$/, 'review');
  assert.match(norm(await entrant.text('#ket-qua')), /Bạn trả lời đúng \d\/5 câu/);
  assert.match(await entrant.text('main'), /đáp án đúng/);
});

step('7. the organiser sets a prize, confirms the winner and downloads the decision; the winner sees it', async () => {
  await p.open(officer, adminPath, 'round over');
  await officer.type('#ca_nhan', 'Giải Nhất: 1');
  await p.press(officer, 'form#co-cau-giai', 'Lưu cơ cấu giải');
  await p.arrive(officer, new RegExp(`^${adminPath}$`), 'prizes set');
  assert.deepEqual(await p.texts(officer, '#de-xuat tbody td:nth-child(3)'), [NEWCOMER.name]);
  await p.press(officer, 'form#form-trao-giai', 'Xác nhận và công bố danh sách đạt giải');
  await p.arrive(officer, new RegExp(`^${adminPath}$`), 'awarded');
  const xlsx = await p.fetchAs(officer, `${adminPath}/quyet-dinh.xlsx`);
  assert.equal(xlsx.status, 200);
  assert.equal(xlsx.bytes.subarray(0, 2).toString(), 'PK');
  const pdf = await p.fetchAs(officer, `${adminPath}/quyet-dinh.pdf`);
  assert.equal(pdf.status, 200);
  assert.equal(pdf.bytes.subarray(0, 5).toString(), '%PDF-');
  await p.open(entrant, contestPath, 'winner');
  assert.match(norm(await entrant.text('#giai-cua-toi')), /Giải Nhất/);
});
