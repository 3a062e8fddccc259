// Real-browser walk of assisted registration (issue 7): the helper of the community digital
// technology team of Phường Xuân Hương (demo account 0900000003), on a phone-sized window,
// registers a resident: first without the resident's consent (refused, nothing written), then
// with it; the slip shows the login and a temporary password. The resident, in another
// browser, logs in with the slip, must choose a password of their own, and reaches “Học tập”.
// The helper logs the help; the commune officer sees the team's activity. axe-core on every
// page state.
// Run: ./run   (or: node --test support.test.mjs, with chromium, chromium-driver, node_modules)

import assert from 'node:assert/strict';

import { norm, setUpWalk } from './server.mjs';

const HELPER = '0900000003';
const OFFICER = '0900000002';
const XUAN_HUONG = '24781';
const RESIDENT = { name: 'Đinh Thị Mận', phone: '0912 888 777', login: '0912888777', birth: '1956' };
const NEW_PASSWORD = 'vuon-man-thon-3';

const { p, step, browsers: [helper, resident, officer] } = setUpWalk('hocvuso-e2e-ht-', ['helper', 'resident', 'officer']);

let temporary;

step('1. the helper opens “Hỗ trợ” and the registration form', async () => {
  await p.login(helper, HELPER);
  await p.follow(helper, 'header', 'Hỗ trợ');
  await p.arrive(helper, /^\/ho-tro$/);
  await p.follow(helper, 'main', 'Đăng ký tài khoản giúp người dân');
  await p.arrive(helper, /^\/ho-tro\/dang-ky$/);
  assert.match(norm(await helper.text('main')), /Phường Xuân Hương/);
});

step('2. without the resident’s consent: refused, with the reason next to the box', async () => {
  await helper.type('#full_name', RESIDENT.name);
  await helper.type('#phone', RESIDENT.phone);
  await helper.type('#birth_year', RESIDENT.birth);
  await p.press(helper, 'form#dang-ky-giup', 'Đăng ký');
  await p.arrive(helper, /^\/ho-tro\/dang-ky$/, 'no consent');
  const errors = await p.texts(helper, '.error-summary li');
  assert.deepEqual(errors, ['Hãy đọc cho người dân nghe và đánh dấu khi họ đồng ý.']);
  assert.equal(await helper.exec('return document.querySelector("#full_name").value;'), RESIDENT.name, 'typed values kept');
});

step('3. with consent: the slip shows the login and a temporary password', async () => {
  await helper.click('#consent');
  await p.press(helper, 'form#dang-ky-giup', 'Đăng ký');
  await p.arrive(helper, /^\/ho-tro\/dang-ky$/, 'slip');
  assert.equal(norm(await helper.text('h1')), 'Đã đăng ký tài khoản');
  assert.equal(norm(await helper.text('#so-dang-nhap')), RESIDENT.login);
  temporary = norm(await helper.text('#mat-khau-tam'));
  assert.match(temporary, /^\d{8}$/);
});

step('4. the resident logs in with the slip and must choose a password of their own', async () => {
  await p.login(resident, RESIDENT.login, temporary);
  await p.arrive(resident, /^\/doi-mat-khau$/, 'temporary');
  assert.match(norm(await resident.text('main')), /mật khẩu tạm thời/);
  await resident.type('#current', temporary);
  await resident.type('#password', NEW_PASSWORD);
  await resident.type('#repeat', NEW_PASSWORD);
  await p.press(resident, 'form#doi-mat-khau', 'Đổi mật khẩu');
  await p.arrive(resident, /^\/hoc$/);
});

step('5. the helper logs the help; the commune officer sees the team’s activity', async () => {
  await p.open(helper, '/ho-tro');
  await helper.select('#topic', 'Cài đặt và kích hoạt VNeID');
  await helper.type('#place', 'Nhà văn hoá thôn 3');
  await p.press(helper, 'form#nhat-ky', 'Ghi nhật ký');
  await p.arrive(helper, /^\/ho-tro$/, 'logged');
  assert.match(norm(await helper.text('#da-ghi')), /Đã ghi vào nhật ký hỗ trợ/);
  assert.equal((await p.texts(helper, 'table#nhat-ky-cua-toi tbody tr')).length, 2);
  await p.login(officer, OFFICER);
  await p.open(officer, `/thong-ke/${XUAN_HUONG}`, 'with team activity');
  assert.equal(norm(await officer.text('#hoat-dong')), '2 lần hỗ trợ, trong đó 1 lần đăng ký tài khoản giúp người dân.');
});
