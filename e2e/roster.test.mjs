// Real-browser walk of the roster import (“Nhập danh sách người học”, issue 7): a commune
// officer on a phone-sized window uploads a CSV with mistakes (every error listed with its
// line, nothing written), then the corrected file (the dry run counts the people; “Nhập danh
// sách” writes them), sees them in the commune's list of people with phones masked, and
// uploads the same file again: nothing to add. axe-core scans every page state.
//
// Accounts from `hocvuso demo --people 0`: the officer 0900000002 of Phường Xuân Hương - Đà
// Lạt (24781).
// Run: ./run   (or: node --test roster.test.mjs, with chromium, chromium-driver, node_modules)

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { norm, setUpWalk } from './server.mjs';

const OFFICER = '0900000002';
const XUAN_HUONG = { code: '24781', name: 'Phường Xuân Hương - Đà Lạt' };
const MUI_NE = '22918'; // another commune: outside the officer's scope
const HEADER = 'STT,Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Số định danh cá nhân,Mã xã,Nhóm';
const PEOPLE = [
  `1,Nguyễn Thị Hoa,05/03/1962,Nữ,0912345678,068162001234,${XUAN_HUONG.code},Người dân`,
  `2,Trần Văn Bình,1970,Nam,0987654321,,${XUAN_HUONG.code},Người dân`,
  `3,Lê Thị Cúc,12/12/1958,Nữ,0356000111,,${XUAN_HUONG.code},Người dân`,
];

const { srv, p, step, browsers: [officer] } = setUpWalk('hocvuso-e2e-ds-', ['officer']);
let before0; // the commune's list before any import (the demo learner)

function csv(name, lines) {
  const path = join(srv.tmp, name);
  writeFileSync(path, `\uFEFF${[HEADER, ...lines].join('\r\n')}\r\n`);
  return path;
}

async function upload(path, variant) {
  await (await officer.find('form#tai-tep #tep')).type(path); // WebDriver file upload
  await p.press(officer, 'form#tai-tep', 'Kiểm tra tệp');
  await p.arrive(officer, /^\/danh-sach\/nhap$/, variant);
}

async function figure(id) {
  return norm(await officer.text(`#${id}`));
}

async function listedNames() {
  await p.open(officer, `/thong-ke/${XUAN_HUONG.code}/nguoi?nhom=adults`, 'people');
  if (!(await officer.has('table#danh-sach'))) return [];
  const rows = await p.texts(officer, 'table#danh-sach tbody tr');
  return rows;
}

step('1. the officer finds “Nhập danh sách người học” from the commune page', async () => {
  await p.login(officer, OFFICER);
  await p.open(officer, `/thong-ke/${XUAN_HUONG.code}`);
  await p.follow(officer, 'main', 'Nhập danh sách người học');
  await p.arrive(officer, /^\/danh-sach\/nhap$/);
  assert.equal(norm(await officer.text('h1')), 'Nhập danh sách người học');
  assert.match(norm(await officer.text('main')), new RegExp(XUAN_HUONG.name));
  before0 = await listedNames();
  assert.ok(before0.every((r) => !r.includes('Nguyễn Thị Hoa')), 'nobody of the file yet');
});

step('2. a file with mistakes: every error with its line, no import button, nothing written', async () => {
  await p.open(officer, '/danh-sach/nhap');
  const bad = csv('sai.csv', [
    PEOPLE[0],
    `2,Trần Văn Bình,1970,Nam,0987654321,,${MUI_NE},Người dân`,
    `3,Lê Thị Cúc,31/02/1958,Nữ,0356000111,,${XUAN_HUONG.code},Người dân`,
    `4,Nguyễn Thị Hoa,05/03/1962,Nữ,0912345678,,${XUAN_HUONG.code},Người dân`,
  ]);
  await upload(bad, 'errors');
  const errors = await p.texts(officer, '.error-summary li');
  assert.equal(errors.length, 3, JSON.stringify(errors));
  assert.match(errors[0], /^Dòng 3: Xã có mã 22918 không thuộc Phường Xuân Hương/);
  assert.match(errors[1], /^Dòng 4: cột C \(Ngày sinh\): Ngày sinh 31\/02\/1958 không có trên lịch/);
  assert.match(errors[2], /^Dòng 5: Số điện thoại trùng với dòng 2/);
  assert.equal(await officer.has('form#nhap'), false, 'no import button');
  assert.deepEqual(await listedNames(), before0, 'nothing written');
});

step('3. the corrected file: the dry run counts 3 new people; “Nhập danh sách” writes them', async () => {
  await p.open(officer, '/danh-sach/nhap');
  await upload(csv('dung.csv', PEOPLE), 'dry run');
  assert.equal(await figure('them-moi'), '3');
  assert.equal(await figure('khong-doi'), '0');
  assert.deepEqual(await listedNames(), before0, 'a dry run writes nothing');
  await p.open(officer, '/danh-sach/nhap');
  await upload(csv('dung.csv', PEOPLE), 'dry run');
  await p.press(officer, 'form#nhap', 'Nhập danh sách');
  await p.arrive(officer, /^\/danh-sach\/nhap\/xac-nhan$/, 'imported');
  assert.match(norm(await officer.text('#da-nhap')), /Đã nhập danh sách\. Thêm mới 3 người/);
  const imports = await p.texts(officer, 'table#lan-nhap tbody tr');
  assert.equal(imports.length, 1);
  assert.match(imports[0], /dung\.csv/);
  const people = await listedNames();
  assert.equal(people.length, before0.length + 3, JSON.stringify(people));
  assert.ok(people.some((r) => r.includes('Nguyễn Thị Hoa') && r.includes('0912***678')), JSON.stringify(people));
  assert.ok(people.every((r) => !r.includes('0912345678')), 'phones are masked');
});

step('4. the same file again: nothing to add, all three unchanged', async () => {
  await p.open(officer, '/danh-sach/nhap');
  await upload(csv('dung.csv', PEOPLE), 'again');
  assert.equal(await figure('them-moi'), '0');
  assert.equal(await figure('khong-doi'), '3');
  await p.press(officer, 'form#nhap', 'Nhập danh sách');
  await p.arrive(officer, /^\/danh-sach\/nhap\/xac-nhan$/);
  assert.equal((await listedNames()).length, before0.length + 3);
});
