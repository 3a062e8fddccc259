// Real-browser walk of the plan's tasks (issue 20, part 1): the province administrator (demo
// account 0900000001), on a phone-sized window, finds the board of the plan's tasks from the
// dashboard, opens task 5 and names Phường Xuân Hương as the unit that records its progress;
// the ward's officer (0900000002) tries an empty note (refused, nothing written), then records
// one with a PDF; the board shows it and the task is no longer late; the province adds a task
// for next year. axe-core on every page state.
// Run: ./run   (or: node --test plan.test.mjs, with chromium, chromium-driver, node_modules)

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { norm, setUpWalk } from './server.mjs';

const ADMIN = '0900000001';
const OFFICER = '0900000002';
const XUAN_HUONG = '24781';
const NOTE = 'Đã phát động phong trào đến 14 tổ công nghệ số cộng đồng của phường; 112 thành viên đã học xong khóa kỹ năng số cơ bản.';

const { srv, p, step, browsers: [admin, officer] } = setUpWalk('hocvuso-e2e-kh-', ['admin', 'officer']);
let taskPath;

step('1. the province finds the board from the dashboard: ten tasks, all late', async () => {
  await p.login(admin, ADMIN);
  await p.open(admin, '/thong-ke', 'dashboard');
  await p.follow(admin, 'main', 'Nhiệm vụ của kế hoạch, tiến độ');
  await p.arrive(admin, /^\/ke-hoach$/, 'board');
  const rows = await admin.exec('return [...document.querySelectorAll("#nhiem-vu tbody tr")].map(r => r.dataset.code);');
  assert.deepEqual(rows, ['1', '2', '3', '4', '4.1', '4.2', '5', '6', '7', '8']);
  assert.match(norm(await admin.text('#tom-tat')), /10 nhiệm vụ, 10 cần chú ý/);
});

step('2. the province names the ward as the unit that records task 5', async () => {
  await p.follow(admin, 'table#nhiem-vu', '5. Triển khai phong trào trong Tổ Công nghệ số cộng đồng');
  [taskPath] = await p.arrive(admin, /^\/ke-hoach\/\d+$/, 'task 5');
  assert.equal(norm(await admin.text('#don-vi-ghi')), 'Cấp tỉnh');
  await admin.select('#don_vi', XUAN_HUONG);
  await p.press(admin, 'form#giao-don-vi', 'Lưu');
  await p.arrive(admin, /^\/ke-hoach\/\d+$/, 'named');
  assert.match(norm(await admin.text('#don-vi-ghi')), /^Phường Xuân Hương/);
});

step('3. the ward officer: an empty note is refused and nothing is written', async () => {
  await p.login(officer, OFFICER);
  await p.open(officer, '/ke-hoach', 'board');
  await p.follow(officer, 'table#nhiem-vu', '5. Triển khai phong trào trong Tổ Công nghệ số cộng đồng');
  await p.arrive(officer, /^\/ke-hoach\/\d+$/, 'task 5');
  await officer.select('#trang_thai', 'on_track');
  await p.press(officer, 'form#ghi-tien-do', 'Ghi tiến độ');
  await p.arrive(officer, /^\/ke-hoach\/\d+\/cap-nhat$/, 'empty note');
  assert.deepEqual(await p.texts(officer, '.error-summary li'), ['Hãy ghi việc đã làm, kết quả (5 đến 5.000 ký tự).']);
  assert.equal(await officer.exec('return document.querySelector("#trang_thai").value;'), 'on_track', 'choice kept');
  assert.match(norm(await officer.text('#chua-co')), /Chưa có báo cáo tiến độ nào/);
});

step('4. with a note and a PDF the progress is recorded; the board shows it', async () => {
  await officer.type('#ghi_chu', NOTE);
  const pdf = join(srv.tmp, 'bien-ban-phat-dong.pdf');
  writeFileSync(pdf, '%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
  await (await officer.find('form#ghi-tien-do #tep')).type(pdf); // WebDriver file upload
  await p.press(officer, 'form#ghi-tien-do', 'Ghi tiến độ');
  await p.arrive(officer, /^\/ke-hoach\/\d+$/, 'recorded');
  assert.match(norm(await officer.text('#xong')), /Đã ghi báo cáo tiến độ/);
  assert.equal(norm(await officer.text('#tinh-trang')), 'Đang thực hiện');
  const notes = norm(await officer.text('#cac-bao-cao'));
  assert.match(notes, /112 thành viên/);
  assert.match(notes, /bien-ban-phat-dong\.pdf/);

  await p.open(admin, '/ke-hoach', 'board again');
  assert.match(norm(await admin.text('#tom-tat')), /10 nhiệm vụ, 9 cần chú ý/);
  const row = await admin.exec('const r = document.querySelector("#nhiem-vu tbody tr[data-code=\\"5\\"]"); return [r.dataset.status, r.dataset.overdue || "", r.innerText];');
  assert.equal(row[0], 'on_track');
  assert.equal(row[1], '', 'no longer late');
  assert.match(norm(row[2]), /14 tổ công nghệ số/);
});

step('5. the province adds a task for next year', async () => {
  await p.follow(admin, 'main', 'Thêm nhiệm vụ');
  await p.arrive(admin, /^\/ke-hoach\/moi$/, 'new task');
  const year = await admin.exec('return document.querySelector("#nam").value;');
  await admin.type('#ma', '9');
  await admin.type('#ten', 'Tổ chức hội thi “Công dân số” cấp tỉnh');
  await admin.type('#chu_tri', 'Sở Khoa học và Công nghệ');
  await admin.type('#han', `30/09/${year}`);
  await p.press(admin, 'form#nhiem-vu-moi', 'Thêm nhiệm vụ');
  await p.arrive(admin, /^\/ke-hoach\/\d+$/, 'added');
  assert.match(norm(await admin.text('h1')), /^9\. Tổ chức hội thi “Công dân số” cấp tỉnh$/);
  assert.match(norm(await admin.text('#nhiem-vu')), new RegExp(`đến 30/09/${year}`));
  assert.ok(taskPath);
});
