// Real-browser walk of a school (issue 24): the province adds a lower-secondary school under a
// commune; the commune's officer imports the class list (a column "Lớp"), sees the class on the
// school's page, records a parent's consent, makes the class code and the pupils' sign-in
// numbers; a pupil without a phone, on a shared device, types the class code, picks their
// name, types their number, learns the students' course and passes its quiz; the class page
// and the school's page then count them. Phone-sized windows; axe-core scans every page state.
//
// Accounts from `hocvuso demo --people 0`: the province admin 0900000001 and the officer
// 0900000002 of Phường Xuân Hương - Đà Lạt (24781).
// Run: ./run   (or: node --test school.test.mjs, with chromium, chromium-driver, node_modules)

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { answerQuiz, readQuiz } from './quiz.mjs';
import { norm, REPO_DIR, setUpWalk } from './server.mjs';

const ADMIN = '0900000001';
const OFFICER = '0900000002';
const COMMUNE = '24781';
const SCHOOL = 'THCS-E2E';
const COURSE = 'ky-nang-so-hoc-sinh-thcs';
const LIST = [
  'Họ và tên,Ngày sinh,Giới tính,Số định danh cá nhân,Mã xã,Nhóm,Mã đơn vị,Lớp',
  `Nguyễn Văn An,2014,Nam,068214000001,${COMMUNE},Học sinh,${SCHOOL},6A1`,
  `Trần Thị Bình,2014,Nữ,068314000002,${COMMUNE},Học sinh,${SCHOOL},6A1`,
  `Lê Văn Cường,2013,Nam,068213000003,${COMMUNE},Học sinh,${SCHOOL},7A2`,
];

const { srv, p, step, browsers: [admin, officer, pupil] } = setUpWalk('hocvuso-e2e-lop-', ['admin', 'officer', 'pupil']);
const quiz = readQuiz(resolve(REPO_DIR, `content/courses/${COURSE}/quiz.toml`));
let classCode;
let anPin;

step('1. the province adds a school under the commune', async () => {
  await p.login(admin, ADMIN);
  await p.open(admin, `/to-chuc/${COMMUNE}`);
  await admin.select('form#them select[name="kind"]', 'school');
  await admin.type('form#them input[name="name"]', 'Trường THCS Thử Nghiệm');
  await admin.type('form#them input[name="code"]', SCHOOL);
  await p.press(admin, 'form#them', 'Thêm đơn vị');
  await p.arrive(admin, /^\/to-chuc\/.+$/, 'added');
  assert.match(norm(await admin.text('main')), /Trường THCS Thử Nghiệm/);
});

step('2. the officer imports the class list and sees the classes on the school\'s page', async () => {
  await p.login(officer, OFFICER);
  await p.open(officer, '/danh-sach/nhap');
  const path = join(srv.tmp, 'lop.csv');
  writeFileSync(path, `\uFEFF${LIST.join('\r\n')}\r\n`);
  await (await officer.find('form#tai-tep #tep')).type(path);
  await p.press(officer, 'form#tai-tep', 'Kiểm tra tệp');
  await p.arrive(officer, /^\/danh-sach\/nhap$/, 'class list');
  assert.equal(norm(await officer.text('#them-moi')), '3');
  await p.press(officer, 'form#nhap', 'Nhập danh sách');
  await p.arrive(officer, /^\/danh-sach\/nhap\/xac-nhan$/, 'class list imported');
  await p.open(officer, `/thong-ke/${SCHOOL}?nhom=students`, 'students');
  const classes = await p.texts(officer, 'table#lop tbody tr td:first-child');
  assert.deepEqual(classes, ['6A1', '7A2']);
  assert.equal(norm(await officer.text('table#lop tr[data-class="6A1"] td[data-field="pupils"]')), '2');
});

step('3. the officer records a parent\'s consent, makes the class code and the numbers', async () => {
  await p.open(officer, '/lop');
  await officer.clickAndWait(`table#cac-lop a[href="/lop/${SCHOOL}?ten=6A1"]`);
  await p.arrive(officer, new RegExp(`^/lop/${SCHOOL}$`), 'class');
  const an = await officer.exec('var r = document.querySelector("table#hoc-sinh tbody tr"); return r && r.getAttribute("data-person");');
  await officer.type(`input#cha-me-${an}`, 'Nguyễn Văn Ba');
  await p.press(officer, 'form#dong-y', 'Ghi nhận đồng ý');
  await p.arrive(officer, new RegExp(`^/lop/${SCHOOL}$`), 'consent recorded');
  assert.equal(norm(await officer.text('#da-dong-y')), '1');
  await p.press(officer, 'form#tao-ma-lop', 'Tạo mã lớp');
  await p.arrive(officer, new RegExp(`^/lop/${SCHOOL}$`), 'with a code');
  classCode = norm(await officer.text('#ma-lop code'));
  assert.match(classCode, /^[2-9A-HJKMNP-Z]{8}$/);
  await p.press(officer, 'form#tao-ma-hoc-sinh', 'Tạo mã đăng nhập cho em chưa có');
  await p.arrive(officer, new RegExp(`^/lop/${SCHOOL}/so$`), 'slips');
  const names = await p.texts(officer, '#phieu li > strong:first-child');
  const pins = await p.texts(officer, '#phieu code.pin');
  anPin = pins[names.indexOf('Nguyễn Văn An')];
  assert.match(anPin, /^\d{4}$/);
});

step('4. the pupil signs in on a shared device with the class code, their name and number', async () => {
  await p.open(pupil, '/vao-lop');
  await pupil.type('form#ma-lop input[name="ma"]', classCode.toLowerCase());
  await p.press(pupil, 'form#ma-lop', 'Tiếp tục');
  await p.arrive(pupil, /^\/vao-lop$/, 'class');
  const listed = await p.texts(pupil, 'form#vao-lop label[for^="hoc-sinh-"]');
  assert.deepEqual(listed, ['An (N. V.)'], 'only the pupil whose parent consented');
  await pupil.click('form#vao-lop label[for^="hoc-sinh-"]');
  await pupil.type('form#vao-lop input[name="so"]', anPin);
  await p.press(pupil, 'form#vao-lop', 'Vào học');
  await p.arrive(pupil, /^\/hoc$/);
});

step('5. the pupil learns the students\' course and passes its quiz', async () => {
  const course = `/khoa-hoc/${COURSE}`;
  await p.open(pupil, course);
  const hrefs = [];
  for (const a of await pupil.findAll(`a[href*="${course}/bai/"]`)) hrefs.push(await a.attr('href'));
  const lessons = new Set(hrefs.map((h) => Number(/\/bai\/(\d+)$/.exec(h)?.[1])));
  await p.open(pupil, `${course}/bai/1`);
  for (let n = 1; n <= lessons.size; n++) {
    await p.arrive(pupil, new RegExp(`^${course}/bai/${n}$`));
    await p.press(pupil, 'form#hoc-xong', 'Đã học xong');
  }
  await p.arrive(pupil, new RegExp(`^${course}/kiem-tra$`));
  await p.press(pupil, 'form#bat-dau', 'Bắt đầu làm bài');
  const [attempt] = await pupil.waitForPath(/^\/bai-lam\/[^/]+$/);
  await answerQuiz(pupil, quiz, true);
  await p.press(pupil, 'form#bai-lam', 'Nộp bài');
  await p.arrive(pupil, new RegExp(`^${attempt}/ket-qua$`));
  assert.doesNotMatch(norm(await pupil.text('#ket-qua')), /Chưa đạt/);
});

step('6. the class and the school count the pupil', async () => {
  await p.open(officer, `/thong-ke/${SCHOOL}?nhom=students`, 'after the pass');
  assert.equal(norm(await officer.text('table#lop tr[data-class="6A1"] td[data-field="achieved"]')), '1');
  await officer.go(`${srv.base}/lop/${SCHOOL}?ten=6A1`);
  await p.arrive(officer, new RegExp(`^/lop/${SCHOOL}$`), 'after the pass');
  const rows = await p.texts(officer, 'table#hoc-sinh tbody tr');
  assert.ok(rows.some((r) => r.includes('Nguyễn Văn An') && r.includes('đã đạt')), JSON.stringify(rows));
});
