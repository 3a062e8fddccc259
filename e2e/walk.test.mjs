// Real-browser walk through hocvuso's key learner flow, on a phone-sized headless chromium driven
// over WebDriver, with an axe-core accessibility scan of every distinct page visited.
// Run: ./run   (or: node --test walk.test.mjs, with chromium, chromium-driver and node_modules)
// Page contract: CONTRACT.md beside this file.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { answerQuiz, readQuiz } from './quiz.mjs';
import { norm, REPO_DIR, runHocvuso, setUpWalk } from './server.mjs';

// E2E_JAVASCRIPT=off: a phone with JavaScript off; every step must work with plain links and
// forms (axe-core, a script itself, is skipped then).
const JAVASCRIPT = process.env.E2E_JAVASCRIPT !== 'off';
const COURSE = { slug: 'ky-nang-so-co-ban', title: 'Kỹ năng số cơ bản' };
const QUIZ_TOML = resolve(REPO_DIR, 'content/courses', COURSE.slug, 'quiz.toml');
const COMMUNE = '22918'; // Phường Mũi Né
const ADMIN = { phone: '0912000001', name: 'Quản Trị Tỉnh', password: 'mat-khau-quan-tri' };
// A fresh mobile number each run: 097 (a live Viettel prefix) + 7 digits from the clock.
const digits = `097${String(Date.now() % 1e7).padStart(7, '0')}`;
const LEARNER = {
  phone: digits,
  phoneTyped: `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`, // "09x xxx xxxx"
  fullName: 'Nguyễn Thị Hoa',
  birthYear: '1960',
  password: 'mat-khau-rat-dai',
};

// ---------------------------------------------------------------------------------------------
// Server and browser lifecycle

// One phone: the admin and the learner take turns on it.
const { srv, p, step, browsers: [b] } = setUpWalk('hocvuso-e2e-', ['phone'], {
  admin: ADMIN,
  javascript: JAVASCRIPT,
  ready() {
    quiz = readQuiz(QUIZ_TOML);
  },
});
let quiz;

// ---------------------------------------------------------------------------------------------
// Page helpers

async function logout() {
  await p.press(b, 'form#dang-xuat', 'Đăng xuất');
  await p.arrive(b, /^\/.*$/);
  assert.equal(await b.has('form#dang-xuat'), false, 'still logged in after pressing "Đăng xuất"');
}

const ACHIEVED = `table#xep-hang tr[data-code="${COMMUNE}"] td[data-field="achieved"]`;

async function achieved() {
  const raw = norm(await b.text(ACHIEVED));
  const plain = raw.replace(/[.\s]/g, '');
  assert.match(plain, /^\d+$/, `${ACHIEVED} should hold a number, got ${JSON.stringify(raw)}`);
  return Number(plain);
}

/** Answer every question on the attempt page, all correctly or all wrongly. Returns how many. */
const answerAll = (correctly) => answerQuiz(b, quiz, correctly);

// ---------------------------------------------------------------------------------------------
// The walk

let achievedBefore;
let unconfirmedBefore;
const UNCONFIRMED = `table#xep-hang tr[data-code="${COMMUNE}"] td[data-field="unconfirmed"]`;
let certPath;

step(`0. the browser runs with JavaScript ${JAVASCRIPT ? 'on' : 'off'}`, async () => {
  // The print view's "In" button is shown by handbook.js; without JavaScript it stays hidden.
  await b.go(`${srv.base}/so-tay/cai-dat-vneid/in`);
  const hidden = await b.exec('var x = document.querySelector("[data-print]"); return !!x && x.hidden;', []);
  assert.equal(hidden, !JAVASCRIPT, `handbook.js ${hidden ? 'did not run' : 'ran'}`);
});

step('1. admin logs in and reads the commune count on /thong-ke', async () => {
  await p.login(b, ADMIN.phone, ADMIN.password);
  await p.arrive(b, /^\/thong-ke$/);
  achievedBefore = await achieved();
  unconfirmedBefore = Number(norm(await b.text(UNCONFIRMED)).replace(/[.\s]/g, ''));
  console.log(`  commune ${COMMUNE} achieved: ${achievedBefore}, unconfirmed: ${unconfirmedBefore}`);
  await logout();
  await b.go(`${srv.base}/thong-ke`);
  assert.equal(await b.has('table#xep-hang'), false, '/thong-ke still shows the table after logging out');
});

/** The 6-digit code of the last registration SMS (the development adapter logs messages). */
function lastRegistrationCode() {
  const log = readFileSync(srv.logPath, 'utf8');
  const codes = [...log.matchAll(/Ma xac nhan dang ky Hoc vu so: (\d{6})/g)];
  assert.ok(codes.length > 0, `no registration code in the server log:\n${srv.logTail()}`);
  return codes[codes.length - 1][1];
}

step('2. a new learner proves the phone by SMS, registers and lands on /hoc', async () => {
  await p.open(b, '/dang-ky');
  await b.type('form#dang-ky input[name="phone"]', LEARNER.phoneTyped);
  await p.press(b, 'form#dang-ky', 'Gửi mã qua tin nhắn');
  await p.arrive(b, /^\/dang-ky\/ma$/);
  await b.type('form#nhap-ma-dang-ky input[name="code"]', lastRegistrationCode());
  await p.press(b, 'form#nhap-ma-dang-ky', 'Xác nhận');
  await p.arrive(b, /^\/dang-ky\/thong-tin$/);
  const f = 'form#dang-ky';
  const communes = await b.exec(
    'return Array.from(arguments[0].options).map(function (o) { return o.value; }).filter(function (v) { return /^\\d{5}$/.test(v); }).length;',
    [await b.find(`${f} select[name="commune_code"]`)],
  );
  assert.equal(communes, 124, 'commune_code should offer the 124 communes');
  await b.type(`${f} input[name="full_name"]`, LEARNER.fullName);
  await b.type(`${f} input[name="birth_year"]`, LEARNER.birthYear);
  await b.select(`${f} select[name="commune_code"]`, COMMUNE);
  await b.type(`${f} input[name="password"]`, LEARNER.password);
  // The short privacy notice, and the consent it asks for.
  assert.match(norm(await b.text('#ve-du-lieu')), /dữ liệu cá nhân/);
  await b.click(`${f} input#consent`);
  await p.press(b, f, 'Đăng ký');
  await p.arrive(b, /^\/hoc$/);
  console.log(`  registered ${JSON.stringify(LEARNER.phoneTyped)}`);
});

step('3. the learner completes every lesson and reaches the quiz', async () => {
  const course = `/khoa-hoc/${COURSE.slug}`;
  await b.clickAndWait(`a[href$="${course}"]`);
  await p.arrive(b, new RegExp(`^${course}$`));
  const hrefs = [];
  for (const a of await b.findAll(`a[href*="${course}/bai/"]`)) hrefs.push(await a.attr('href'));
  const lessons = [...new Set(hrefs.map((h) => Number(/\/bai\/(\d+)$/.exec(h)?.[1])))].sort((x, y) => x - y);
  assert.ok(lessons.length > 0, `no lesson links on ${course}`);
  assert.deepEqual(lessons, lessons.map((_, i) => i + 1), 'lessons should be numbered 1..N');
  assert.ok(await b.has(`a[href$="${course}/kiem-tra"]`), `no link to ${course}/kiem-tra`);

  await b.clickAndWait(`a[href$="${course}/bai/1"]`);
  for (let n = 1; n <= lessons.length; n++) {
    await p.arrive(b, new RegExp(`^${course}/bai/${n}$`));
    assert.ok(norm(await b.text('h1')).length > 0, `lesson ${n} has an empty h1`);
    await p.press(b, 'form#hoc-xong', 'Đã học xong');
  }
  await p.arrive(b, new RegExp(`^${course}/kiem-tra$`));
  console.log(`  ${lessons.length} lessons done`);
});

step('4. the learner fails the quiz, retries, passes and opens the certificate', async () => {
  await p.press(b, 'form#bat-dau', 'Bắt đầu làm bài');
  const [, first] = await p.arrive(b, /^\/bai-lam\/([^/]+)$/);
  const asked = await answerAll(false);
  await p.press(b, 'form#bai-lam', 'Nộp bài');
  await p.arrive(b, new RegExp(`^/bai-lam/${first}/ket-qua$`));
  assert.match(norm(await b.text('#ket-qua')), /Chưa đạt/, '#ket-qua after answering all wrongly');
  const wrong = (await b.findAll('.cau-sai')).length;
  assert.ok(wrong >= 1, 'no .cau-sai items after answering all wrongly');
  console.log(`  attempt ${first}: ${asked} answered wrongly, "Chưa đạt", ${wrong} .cau-sai`);

  await p.press(b, 'form#lam-lai', 'Làm lại');
  const [, second] = await p.arrive(b, /^\/bai-lam\/([^/]+)$/);
  assert.notEqual(second, first, '"Làm lại" should start a new attempt');
  await answerAll(true);
  await p.press(b, 'form#bai-lam', 'Nộp bài');
  await p.arrive(b, new RegExp(`^/bai-lam/${second}/ket-qua$`));
  const result = norm(await b.text('#ket-qua'));
  assert.match(result, /Đạt/, '#ket-qua after answering all correctly');
  assert.doesNotMatch(result, /Chưa đạt/, '#ket-qua after answering all correctly');
  assert.equal((await b.findAll('.cau-sai')).length, 0, '.cau-sai items after answering all correctly');
  console.log(`  attempt ${second}: "Đạt"`);

  await b.clickAndWait('a#xem-chung-nhan');
  [certPath] = await p.arrive(b, /^\/chung-nhan\/[^/]+$/);
  assert.ok(await b.has('#chung-nhan-hop-le'), `#chung-nhan-hop-le missing on ${certPath}`);
  // The owner sees their own full name on their certificate (step 5: anyone else, masked).
  const cert = norm(await b.text('main'));
  assert.ok(cert.includes(COURSE.title), `certificate should name the course "${COURSE.title}"`);
  assert.match(cert, /\b\d{2}\/\d{2}\/\d{4}\b/, 'certificate should show a dd/mm/yyyy date');
  assert.equal(norm(await b.text('#nguoi-duoc-cap')), LEARNER.fullName.normalize('NFC'), 'the owner sees their own name');
  assert.match(norm(await b.text('#ma-ngan')), /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/, 'the short code to type');
  console.log(`  certificate ${certPath}`);

  // The learner downloads the printable PDF and the signed credential from their certificate.
  const pdfHref = await (await b.find('a#tai-pdf')).attr('href');
  const pdf = await p.fetchAs(b, pdfHref);
  assert.equal(pdf.status, 200, `GET ${pdfHref}`);
  assert.equal(pdf.type, 'application/pdf');
  assert.equal(pdf.bytes.subarray(0, 5).toString(), '%PDF-');
  assert.ok(pdf.text.includes('/MediaBox [0 0 841.89 595.28]'), 'the certificate is A4 landscape');
  const jsonHref = await (await b.find('a#tai-json')).attr('href');
  const credential = await p.fetchAs(b, jsonHref);
  assert.equal(credential.status, 200, `GET ${jsonHref}`);
  const file = join(srv.tmp, 'chung-nhan.json');
  writeFileSync(file, credential.bytes);
  // Without a trusted issuer the signature checks out but the issuer is unknown: exit 2.
  const unknown = await runHocvuso(['verify', file]).then(() => null, (e) => e);
  assert.ok(unknown, 'verify without a trusted issuer must not say valid');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stdout, /chữ ký đúng, nhưng chưa biết ai phát hành/, unknown.stdout);
  const doc = JSON.parse(credential.text);
  const issuer = typeof doc.issuer === 'string' ? doc.issuer : doc.issuer.id;
  const verified = await runHocvuso(['verify', file, '--issuer', issuer]);
  assert.match(verified.stdout, /HỢP LỆ \(valid\)/, verified.stdout);
  assert.ok(verified.stdout.includes(LEARNER.fullName), 'the credential names the learner in full');
  doc.credentialSubject.name = 'Người Khác';
  const forged = join(srv.tmp, 'sua.json');
  writeFileSync(forged, JSON.stringify(doc));
  const refused = await runHocvuso(['verify', forged, '--issuer', issuer]).then(() => null, (e) => e);
  assert.ok(refused, 'a changed credential must not verify');
  assert.equal(refused.code, 1);
  assert.match(refused.stdout, /KHÔNG HỢP LỆ/, refused.stdout);
  console.log(`  PDF ${pdf.bytes.length} bytes; credential verified offline, a changed copy refused`);
});

step('5. certificate is public; learner logs in without spaces; admin sees the count go up by one', async () => {
  await logout();
  await b.go(srv.base + certPath);
  assert.ok(await b.has('#chung-nhan-hop-le'), `${certPath} should verify without logging in`);
  const source = await b.source();
  for (const form of ['NFC', 'NFD']) {
    assert.ok(!source.includes(LEARNER.fullName.normalize(form)), 'the public certificate page shows the full name');
  }
  await b.go(`${srv.base}/chung-nhan/KHONG-CO-MA-NAY`);
  assert.equal(await b.has('#chung-nhan-hop-le'), false, 'an unknown certificate code must not verify');

  await p.login(b, LEARNER.phone, LEARNER.password);
  await p.arrive(b, /^\/hoc$/);
  await logout();

  await p.login(b, ADMIN.phone, ADMIN.password);
  await p.arrive(b, /^\/thong-ke$/);
  // A self-registered learner is not confirmed yet: the reported figure stays, and the pass
  // shows beside it, as unconfirmed.
  const now = await achieved();
  assert.equal(now, achievedBefore, `commune ${COMMUNE} achieved: was ${achievedBefore}, now ${now}`);
  const apart = Number(norm(await b.text(UNCONFIRMED)).replace(/[.\s]/g, ''));
  assert.equal(apart, unconfirmedBefore + 1, `commune ${COMMUNE} unconfirmed: was ${unconfirmedBefore}, now ${apart}`);
  console.log(`  commune ${COMMUNE} achieved: ${achievedBefore} → ${now}; unconfirmed ${unconfirmedBefore} → ${apart}`);
});
