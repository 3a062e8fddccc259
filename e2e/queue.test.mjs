// A killed server resumes its send queue without sending anything twice (issue 20, parts 4
// and 6). The officer of Phường Xuân Hương (0900000002) imports a class of 300 people with
// phone numbers, previews and sends them a reminder. The server hands the text messages to an
// SMS gateway started by this test (HTTP, the key of each message in `Idempotency-Key`, as
// real gateways take it) at 50 a second; a third of the way through, the server is killed
// with SIGKILL — no chance to tidy up — and started again on the same database. Every person
// must get their message once: the gateway sees every key, a key twice only for the
// messages in flight at the kill (at most 16; the gateway drops the repeat by its key, so no
// phone gets two), and the delivery log ends with every message sent, none failed. Messages claimed by
// the killed server wait for their claim to run out (2 minutes), then go.
// Run: ./run   (or: node --test queue.test.mjs, with chromium, chromium-driver, node_modules)

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after } from 'node:test';

import { norm, setUpWalk } from './server.mjs';

const OFFICER = '0900000002';
const XUAN_HUONG = '24781';
const PEOPLE = 300;
const PER_SECOND = 50;
const TEXT = 'Bà con chưa học xong bài kỹ năng số cơ bản, mời đến nhà văn hoá tổ dân phố sáng thứ Bảy.';

// The gateway: every post kept (key → posts, key → phone); answers 200 after 20 ms.
const posts = new Map();
const phones = new Map();
const gateway = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const key = req.headers['idempotency-key'] ?? '';
    if (req.headers.authorization !== 'Bearer khoa-e2e' || !key) {
      res.writeHead(401).end();
      return;
    }
    posts.set(key, (posts.get(key) ?? 0) + 1);
    phones.set(key, JSON.parse(body).to);
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'), 20);
  });
});
await new Promise((resolve) => gateway.listen(0, '127.0.0.1', resolve));
after(() => new Promise((resolve) => gateway.close(resolve)));

const { srv, p, step, browsers: [officer] } = setUpWalk('hocvuso-e2e-hg-', ['officer'], {
  env: {
    HOCVUSO_SMS__GATEWAY_URL: `http://127.0.0.1:${gateway.address().port}/sms`,
    HOCVUSO_SMS__GATEWAY_KEY: 'khoa-e2e',
    HOCVUSO_SMS__PER_SECOND: String(PER_SECOND),
    // The test runs at any hour.
    HOCVUSO_SMS__QUIET_HOURS: 'false',
  },
});
let expected;
let logPath;

async function waitFor(what, ok, seconds) {
  const until = Date.now() + seconds * 1000;
  while (!ok()) {
    assert.ok(Date.now() < until, `${what} within ${seconds} s (keys ${posts.size}, expected ${expected})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

step('1. the officer imports 300 people with phone numbers', async () => {
  await p.login(officer, OFFICER);
  const lines = ['STT,Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Số định danh cá nhân,Mã xã,Nhóm'];
  const family = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ'];
  const middle = ['Văn', 'Thị', 'Hữu', 'Minh', 'Ngọc'];
  const given = ['An', 'Bình', 'Cúc', 'Dũng', 'Hoa', 'Lan', 'Mai', 'Nam', 'Phúc', 'Tâm'];
  for (let i = 0; i < PEOPLE; i += 1) {
    const name = `${family[i % 6]} ${middle[Math.floor(i / 6) % 5]} ${given[Math.floor(i / 30) % 10]}`;
    lines.push(`${i + 1},${name},1970,Nữ,097${String(1000000 + i).padStart(7, '0')},,${XUAN_HUONG},Người dân`);
  }
  const file = join(srv.tmp, 'lop.csv');
  writeFileSync(file, `\uFEFF${lines.join('\r\n')}\r\n`);
  await p.open(officer, '/danh-sach/nhap');
  await (await officer.find('form#tai-tep #tep')).type(file);
  await p.press(officer, 'form#tai-tep', 'Kiểm tra tệp');
  await p.arrive(officer, /^\/danh-sach\/nhap$/, 'dry run');
  assert.equal(norm(await officer.text('#them-moi')), String(PEOPLE));
  await p.press(officer, 'form#nhap', 'Nhập danh sách');
  await p.arrive(officer, /^\/danh-sach\/nhap\/xac-nhan$/, 'imported');
});

step('2. the reminder previewed and sent to all of them', async () => {
  await p.open(officer, `/nhac-nho?don_vi=${XUAN_HUONG}&nhom=adults`, 'the form');
  await officer.type('#noi_dung', TEXT);
  await p.press(officer, 'form#loi-nhac', 'Xem trước');
  await p.arrive(officer, /^\/nhac-nho\/xem-truoc$/, 'the preview');
  const number = async (css) => Number(norm(await officer.text(css)).replace(/\./g, ''));
  expected = (await number('#nguoi-nhan')) - (await number('#qua-thu'))
    - (await number('#so-nguoi tr:last-child td'));
  assert.ok(expected >= PEOPLE, `every imported person has a phone: ${expected}`);
  await p.press(officer, 'form#gui', `Gửi cho ${await officer.exec('return document.querySelector("#nguoi-nhan").textContent.trim();')} người`);
  const [path] = await p.arrive(officer, /^\/nhac-nho\/\d+$/, 'sent');
  logPath = path;
});

step('3. killed with SIGKILL a third of the way, started again: every message once', async () => {
  await waitFor('a third of the messages at the gateway', () => posts.size >= expected / 3, 60);
  await srv.crash();
  const atKill = posts.size;
  assert.ok(atKill < expected, `the kill came mid-send (${atKill} of ${expected})`);
  await srv.restart();
  // The rest go at once; those the killed server had claimed after their claim runs out.
  await waitFor('every message at the gateway', () => posts.size === expected, 200);
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(posts.size, expected, 'nothing more');
  const twice = [...posts.values()].filter((n) => n > 1).length;
  assert.ok([...posts.values()].every((n) => n <= 2), 'no key more than twice');
  // The sender writes each outcome as its send ends: only those in flight (16 at a time) at
  // the kill can be posted again.
  assert.ok(twice <= 16, `only messages in flight at the kill were posted again (${twice})`);
  // One message per phone: the repeats carry the same key, which the gateway drops.
  assert.equal(new Set(phones.values()).size, expected, 'every phone reached, by one key each');
  console.log(`queue: ${expected} messages, ${atKill} at the kill, ${twice} posted again with the same key`);
  // The delivery log agrees: all sent, nothing waiting or failed.
  await p.open(officer, logPath, 'the log after the restart');
  assert.equal(Number(norm(await officer.text('#da-gui')).replace(/\./g, '')), expected);
  assert.equal(norm(await officer.text('#dang-cho')), '0');
  assert.equal(norm(await officer.text('#that-bai')), '0');
});
