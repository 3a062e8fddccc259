// Real-browser walk of training classes (issue 18, part 2): the officer of Phường Xuân Hương
// (demo account 0900000002), on a phone-sized window, opens a class — first with a session that
// ends before it starts (refused, nothing written), then right, with a session on now. The demo
// learner of that ward (0900000005) registers at “Lớp học”; the trainer's screen shows the
// session's QR code; the learner opens the address in the QR code (the test reads it from the
// screen), checks in, and the ward's live figure goes up by one at once. axe-core on every page
// state.
// Run: ./run   (or: node --test training.test.mjs, with chromium, chromium-driver, node_modules)

import assert from 'node:assert/strict';

import { norm, setUpWalk } from './server.mjs';

const OFFICER = '0900000002';
const LEARNER = '0900000005';
const XUAN_HUONG = '24781';
const TITLE = 'Lớp kỹ năng số cho người cao tuổi tổ dân phố 5';

const { srv, p, step, browsers: [officer, learner] } = setUpWalk('hocvuso-e2e-lh-', ['officer', 'learner']);
let classPath;
let before;

/** `dd/mm/yyyy hh:mm` parts of an instant in Vietnam time. */
function vietnam(t) {
  const d = new Date(t.getTime() + 7 * 3600_000);
  const two = (n) => String(n).padStart(2, '0');
  return {
    day: `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`,
    time: `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`,
  };
}

/** A session on now: from half an hour ago to an hour and a half from now, inside today. */
function sessionNow() {
  const now = new Date();
  const today = vietnam(now).day;
  const from = vietnam(new Date(now.getTime() - 30 * 60_000));
  const to = vietnam(new Date(now.getTime() + 90 * 60_000));
  const start = from.day === today ? from.time : '00:00';
  const end = to.day === today ? to.time : '23:59';
  return `${today} ${start}-${end} Nhà văn hoá tổ dân phố 5`;
}

async function figure() {
  await p.open(officer, `/thong-ke/${XUAN_HUONG}`, before === undefined ? 'before' : 'after');
  const n = async (f) => Number(norm(await officer.text(`#so-lieu [data-field="${f}"]`)).replace(/[.\s]/g, ''));
  return (await n('achieved')) + (await n('unconfirmed'));
}

step('1. the officer notes the ward’s figure and opens the new-class form', async () => {
  await p.login(officer, OFFICER);
  before = await figure();
  await p.open(officer, '/lop-hoc/quan-ly', 'none yet');
  await p.follow(officer, 'main', 'Mở lớp mới');
  await p.arrive(officer, /^\/lop-hoc\/quan-ly\/moi$/);
});

step('2. a session that ends before it starts is refused, and nothing is written', async () => {
  await officer.type('#ten', TITLE);
  await officer.select('#khoa_hoc', 'ky-nang-so-co-ban');
  await officer.type('#giang_vien', 'Trần Văn Bình');
  await officer.type('#ty_le', '50');
  await officer.type('#buoi', `${vietnam(new Date()).day} 11:00-08:00 Nhà văn hoá tổ dân phố 5`);
  await p.press(officer, 'form#mo-lop', 'Mở lớp');
  await p.arrive(officer, /^\/lop-hoc\/quan-ly\/moi$/, 'errors');
  assert.deepEqual(await p.texts(officer, '.error-summary li'), ['Dòng 1: giờ kết thúc phải sau giờ bắt đầu.']);
  await p.open(officer, '/lop-hoc/quan-ly', 'still none');
  assert.equal(await officer.has('table#lop-hoc'), false);
});

step('3. with a session on now the class opens', async () => {
  await p.open(officer, '/lop-hoc/quan-ly/moi', 'again');
  await officer.type('#ten', TITLE);
  await officer.select('#khoa_hoc', 'ky-nang-so-co-ban');
  await officer.type('#giang_vien', 'Trần Văn Bình');
  await officer.type('#ty_le', '50');
  await officer.type('#buoi', `${sessionNow()}\n${vietnam(new Date(Date.now() + 7 * 86400_000)).day} 08:00-10:00 Nhà văn hoá tổ dân phố 5`);
  await p.press(officer, 'form#mo-lop', 'Mở lớp');
  [classPath] = await p.arrive(officer, /^\/lop-hoc\/quan-ly\/\d+$/, 'opened');
  assert.match(norm(await officer.text('#xong')), /Đã mở lớp/);
});

step('4. the learner finds the class under “Lớp học” and registers', async () => {
  await p.login(learner, LEARNER);
  await p.follow(learner, 'main', 'Lớp học');
  await p.arrive(learner, /^\/lop-hoc$/, 'open classes');
  assert.match(norm(await learner.text('#cac-lop')), new RegExp(TITLE));
  await p.press(learner, '#cac-lop', 'Đăng ký lớp này');
  await p.arrive(learner, /^\/lop-hoc$/, 'registered');
  assert.match(norm(await learner.text('#xong')), /Đã đăng ký/);
});

step('5. the learner scans the QR code on the trainer’s screen and the ward’s figure moves', async () => {
  await p.open(officer, classPath, 'one registered');
  // The screen reloads itself when its code changes (every 30 s, on the clock's half-minutes):
  // open it early in a window so that the accessibility scan is done before.
  while (Date.now() / 1000 % 30 > 18) await new Promise((r) => setTimeout(r, 500));
  await p.follow(officer, 'main', 'Hiện mã QR điểm danh');
  await p.arrive(officer, /^\/lop-hoc\/quan-ly\/\d+\/buoi\/\d+\/ma$/);
  const code = norm(await officer.text('#ma-diem-danh'));
  assert.match(code, /^[A-Z2-9]{6}$/);
  assert.ok(await officer.has('.qr-diem-danh svg'), 'the QR code is on the screen');
  // What the phone's camera reads from the QR code: the check-in address with the code.
  const scanned = new URL(`/diem-danh?ma=${code}`, srv.base);
  await p.open(learner, `${scanned.pathname}${scanned.search}`, 'scanned');
  assert.equal(await learner.exec('return document.querySelector("#ma").value;'), code);
  await p.press(learner, 'form#diem-danh', 'Điểm danh');
  await p.arrive(learner, /^\/diem-danh$/, 'present');
  assert.match(norm(await learner.text('#da-diem-danh')), /Đã điểm danh/);
  const after = await figure();
  assert.equal(after, before + 1, `ward ${XUAN_HUONG}: was ${before}, now ${after}`);
  await p.open(officer, classPath, 'completed');
  assert.equal(norm(await officer.text('#so-hoan-thanh')), '1');
});
