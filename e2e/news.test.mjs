// Real-browser walk of news (issue 20, part 3): the officer of Phường Xuân Hương (demo account
// 0900000002), on a phone-sized window, finds “Đăng tin” from the dashboard; an empty item is
// refused (nothing written); then an item for the ward's people with a picture is published.
// The ward's learner (0900000005) sees it on their home page and opens it, picture and all; a
// visitor, not logged in, does not. Made public, it shows for the visitor and in the Atom feed;
// taken down, it is gone for the learner. axe-core on every page state.
// Run: ./run   (or: node --test news.test.mjs, with chromium, chromium-driver, node_modules)

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { norm, setUpWalk } from './server.mjs';

const OFFICER = '0900000002';
const LEARNER = '0900000005';
const XUAN_HUONG = '24781';
const ITEM = {
  title: '“Cà phê số” sáng chủ nhật tại tổ dân phố 5',
  body: 'Sáng chủ nhật này, từ **7 giờ 30**, Tổ công nghệ số cộng đồng hướng dẫn bà con cài VNeID.\n\nMang theo điện thoại và căn cước.',
  alt: 'Thành viên tổ công nghệ số hướng dẫn một cụ bà dùng điện thoại',
};
// A valid 12 × 8 PNG, one blue colour.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAwAAAAICAIAAABChommAAAAEUlEQVR42mOQz99CEDGMKgIAnFN4wRGCmrQAAAAASUVORK5CYII=';

const { srv, p, step, browsers: [officer, learner, visitor] } = setUpWalk('hocvuso-e2e-tt-', ['officer', 'learner', 'visitor']);
let itemPath; // /tin-tuc/{id}
let deskPath; // /tin-tuc/quan-ly/{id}

step('1. the officer finds “Đăng tin” from the dashboard; an empty item is refused', async () => {
  await p.login(officer, OFFICER);
  await p.open(officer, `/thong-ke/${XUAN_HUONG}`, 'the ward dashboard');
  await p.follow(officer, 'main', 'Đăng tin, thông báo');
  await p.arrive(officer, /^\/tin-tuc\/quan-ly$/, 'desk, empty');
  assert.match(norm(await officer.text('#chua-co')), /chưa đăng tin nào/);
  await p.follow(officer, 'main', 'Đăng tin mới');
  await p.arrive(officer, /^\/tin-tuc\/quan-ly\/moi$/, 'new item');
  await officer.select('#don_vi', XUAN_HUONG);
  await p.press(officer, 'form#tin', 'Đăng tin');
  await p.arrive(officer, /^\/tin-tuc\/quan-ly\/moi$/, 'empty item');
  assert.deepEqual(await p.texts(officer, '.error-summary li'), [
    'Hãy ghi tiêu đề (5 đến 200 ký tự).',
    'Hãy ghi nội dung tin (10 đến 20.000 ký tự).',
  ]);
  assert.equal(await officer.exec('return document.querySelector("#don_vi").value;'), XUAN_HUONG, 'choice kept');
  await p.open(officer, '/tin-tuc/quan-ly', 'still none');
  assert.equal(await officer.has('table#cac-tin'), false);
});

step('2. an item for the ward’s people, with a picture, is published', async () => {
  await p.follow(officer, 'main', 'Đăng tin mới');
  await p.arrive(officer, /^\/tin-tuc\/quan-ly\/moi$/, 'new item');
  await officer.select('#don_vi', XUAN_HUONG);
  await officer.type('#tieu_de', ITEM.title);
  await officer.type('#noi_dung', ITEM.body);
  await officer.click('#cong_khai'); // ticked for a new item: for the ward's people only
  const png = join(srv.tmp, 'ca-phe-so.png');
  writeFileSync(png, Buffer.from(PNG, 'base64'));
  await (await officer.find('form#tin #anh')).type(png); // WebDriver file upload
  await officer.type('#mo_ta_anh', ITEM.alt);
  await p.press(officer, 'form#tin', 'Đăng tin');
  [deskPath] = await p.arrive(officer, /^\/tin-tuc\/quan-ly\/\d+$/, 'published');
  assert.match(norm(await officer.text('#xong')), /Đã lưu tin/);
  assert.match(norm(await officer.text('#tinh-trang')), /Đang hiển thị/);
  itemPath = deskPath.replace('/quan-ly', '');
});

step('3. the ward’s learner sees it on their home page and opens it', async () => {
  await p.login(learner, LEARNER);
  await p.open(learner, '/hoc', 'home');
  assert.match(norm(await learner.text('#tin-moi')), new RegExp(ITEM.title));
  await p.follow(learner, '#tin-moi', ITEM.title);
  await p.arrive(learner, /^\/tin-tuc\/\d+$/, 'the item');
  assert.equal(norm(await learner.text('h1')), ITEM.title);
  assert.match(norm(await learner.text('#tin .body')), /từ 7 giờ 30, Tổ công nghệ số/);
  const img = await learner.exec('const i = document.querySelector("#tin img"); return [i.alt, i.complete && i.naturalWidth];');
  assert.deepEqual(img, [ITEM.alt, 12], 'the picture loads, with its description');
  assert.equal(await learner.has('#quan-ly'), false, 'a reader does not manage it');
});

step('4. a visitor does not see it until it is made public; then it is in the feed too', async () => {
  await p.open(visitor, '/tin-tuc', 'news, visitor');
  assert.equal(await visitor.has(`#cac-tin a[href="${itemPath}"]`), false);
  assert.equal((await p.fetchAs(visitor, itemPath)).status, 404);

  await p.open(officer, deskPath, 'edit');
  await officer.click('#cong_khai');
  await p.press(officer, 'form#tin', 'Lưu tin');
  await p.arrive(officer, /^\/tin-tuc\/quan-ly\/\d+$/, 'made public');

  await p.open(visitor, '/tin-tuc', 'news, visitor, again');
  await p.follow(visitor, '#cac-tin', ITEM.title);
  await p.arrive(visitor, /^\/tin-tuc\/\d+$/, 'the item, visitor');
  const feed = await p.fetchAs(visitor, '/tin-tuc.atom');
  assert.equal(feed.status, 200);
  assert.match(feed.type, /^application\/atom\+xml/);
  const xml = feed.bytes.toString('utf8');
  assert.match(xml, /<feed xmlns="http:\/\/www.w3.org\/2005\/Atom"/);
  assert.ok(xml.includes(`<title>${ITEM.title}</title>`), xml);
  assert.ok(xml.includes(`${itemPath}</id>`), xml);
  assert.ok(xml.includes('&lt;strong&gt;7 giờ 30&lt;/strong&gt;'), 'the text as escaped HTML');
});

step('5. taken down, it is gone for the learner', async () => {
  await p.open(officer, deskPath, 'edit');
  await p.press(officer, 'form#go-tin', 'Gỡ tin');
  await p.arrive(officer, /^\/tin-tuc\/quan-ly\/\d+$/, 'taken down');
  assert.match(norm(await officer.text('#tinh-trang')), /Đã gỡ/);
  await p.open(learner, '/hoc', 'home again');
  assert.equal(await learner.has('#tin-moi'), false);
  assert.equal((await p.fetchAs(learner, itemPath)).status, 404);
});
