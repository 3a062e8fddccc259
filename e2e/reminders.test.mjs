// Real-browser walk of reminders (issue 20, part 4): the officer of Phường Xuân Hương (demo
// account 0900000002), on a phone-sized window, goes from the list of the ward's adults who
// have not finished to the reminder form (unit and group chosen already); an empty text is
// refused (nothing written); the preview shows how many it reaches and the text message
// without marks; sent, its delivery log opens. The ward's learner (0900000005) sees “1 thông
// báo mới” on their home page, reads it on /thong-bao and stops reminders. The same reminder
// again reaches nobody (one a week). axe-core on every page state.
// Email: before the send, the learner gives an email address on /thong-bao (a wrong one is
// refused with the message); the server hands its reminders to a real SMTP server started by
// this test (smtp-server, the mail parsed with mailparser), which must receive exactly the
// messages of the non-finishers who chose email — here that one learner, once — with the
// reminder's text and the way to stop.
// Run: ./run   (or: node --test reminders.test.mjs, with chromium, chromium-driver, node_modules)

import assert from 'node:assert/strict';
import { after } from 'node:test';

import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

import { norm, setUpWalk } from './server.mjs';

const received = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', async () => {
      const mail = await simpleParser(Buffer.concat(chunks));
      received.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
      callback();
    });
  },
});
await new Promise((resolve) => smtp.listen(0, '127.0.0.1', resolve));
after(() => new Promise((resolve) => smtp.close(resolve)));
const EMAIL = 'ba.nguyen.xuanhuong@example.vn';

const OFFICER = '0900000002';
const LEARNER = '0900000005';
const XUAN_HUONG = '24781';
const TEXT = 'Bà con chưa học xong bài kỹ năng số cơ bản, mời đến nhà văn hoá tổ dân phố sáng thứ Bảy.';

const { p, step, browsers: [officer, learner] } = setUpWalk('hocvuso-e2e-nn-', ['officer', 'learner'], {
  env: {
    HOCVUSO_EMAIL__SMTP_HOST: '127.0.0.1',
    HOCVUSO_EMAIL__SMTP_PORT: String(smtp.server.address().port),
    HOCVUSO_EMAIL__FROM: 'Học vụ số Lâm Đồng <hocvuso@lamdong.gov.vn>',
  },
});
let recipients;

step('0. the learner chooses reminders by email; a wrong address is refused', async () => {
  await p.login(learner, LEARNER);
  await p.open(learner, '/thong-bao', 'notifications');
  await learner.type('#thu', 'ba ở gmail');
  await p.press(learner, 'main form[action="/thong-bao/thu-dien-tu"]', 'Nhận lời nhắc qua thư');
  await p.arrive(learner, /^\/thong-bao\/thu-dien-tu$/, 'wrong address');
  assert.match(norm(await learner.text('#thu-loi')), /Địa chỉ thư điện tử chưa đúng/);
  await learner.type('#thu', EMAIL);
  await p.press(learner, 'main form[action="/thong-bao/thu-dien-tu"]', 'Nhận lời nhắc qua thư');
  await p.arrive(learner, /^\/thong-bao$/, 'saved');
  assert.match(norm(await learner.text('#thu-hien-tai')), new RegExp(EMAIL.replace(/\./g, '\\.')));
});

step('1. from the list of those who have not finished to the form; an empty text is refused', async () => {
  await p.login(officer, OFFICER);
  await p.open(officer, `/thong-ke/${XUAN_HUONG}/nguoi?nhom=adults&loc=chua-dat`, 'who has not finished');
  await p.follow(officer, 'main', 'Gửi lời nhắc tới những người chưa đạt');
  await p.arrive(officer, /^\/nhac-nho$/, 'the reminder form');
  assert.equal(await officer.exec('return document.querySelector("#don_vi").value;'), XUAN_HUONG);
  assert.equal(await officer.exec('return document.querySelector("#nhom").value;'), 'adults');
  await p.press(officer, 'form#loi-nhac', 'Xem trước');
  await p.arrive(officer, /^\/nhac-nho\/xem-truoc$/, 'empty text');
  assert.deepEqual(await p.texts(officer, '.error-summary li'), [
    'Hãy viết lời nhắc từ 10 đến 149 ký tự (vừa một tin nhắn).',
  ]);
  assert.equal(await officer.has('#cac-loi-nhac'), false, 'nothing sent');
});

step('2. the preview counts who it reaches and shows the text message; sent, its log opens', async () => {
  await officer.type('#noi_dung', TEXT);
  await p.press(officer, 'form#loi-nhac', 'Xem trước');
  await p.arrive(officer, /^\/nhac-nho\/xem-truoc$/, 'the preview');
  recipients = Number(norm(await officer.text('#nguoi-nhan')).replace(/\./g, ''));
  assert.ok(recipients >= 1, `reaches someone: ${recipients}`);
  assert.match(norm(await officer.text('#tin-nhan')),
    /^Hoc vu so: Ba con chua hoc xong bai ky nang so co ban, moi den nha van hoa to dan pho sang thu Bay\./);
  assert.equal(norm(await officer.text('#qua-thu')), '1', 'the learner chose email');
  await p.press(officer, 'form#gui', `Gửi cho ${await officer.exec('return document.querySelector("#nguoi-nhan").textContent.trim();')} người`);
  await p.arrive(officer, /^\/nhac-nho\/\d+$/, 'sent');
  assert.match(norm(await officer.text('#xong')), /Đã xếp lời nhắc vào hàng gửi/);
  assert.equal(Number(norm(await officer.text('#tong')).replace(/\./g, '')), recipients);
});

step('2b. the SMTP server receives exactly the email of the one who chose it, once', async () => {
  const until = Date.now() + 20_000;
  while (received.length === 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 200));
  }
  // A few more rounds of the sender: nothing else, nothing twice.
  await new Promise((r) => setTimeout(r, 3000));
  assert.deepEqual(received.map((m) => m.to), [[EMAIL]]);
  const { mail } = received[0];
  assert.equal(mail.subject, 'Lời nhắc từ Học vụ số');
  assert.match(mail.messageId, /^<hocvuso-\d+@lamdong\.gov\.vn>$/);
  assert.equal(mail.from.value[0].address, 'hocvuso@lamdong.gov.vn');
  assert.ok(norm(mail.text).includes(norm(TEXT)), mail.text);
  assert.match(mail.text, /\/thong-bao/);
});

step('3. the learner sees it as new, reads it and stops reminders', async () => {
  await p.open(learner, '/hoc', 'home');
  assert.match(norm(await learner.text('#thong-bao-moi')), /Bạn có 1 thông báo mới/);
  await p.follow(learner, '#thong-bao-moi', 'Bạn có 1 thông báo mới');
  await p.arrive(learner, /^\/thong-bao$/, 'notifications');
  assert.match(norm(await learner.text('#thong-bao')), /nhà văn hoá tổ dân phố sáng thứ Bảy/);
  await p.press(learner, 'main form', 'Không nhận lời nhắc nữa');
  await p.arrive(learner, /^\/thong-bao$/, 'stopped');
  assert.match(norm(await learner.text('#da-tat')), /không nhận/);
  await p.open(learner, '/hoc', 'home again');
  assert.equal(await learner.has('#thong-bao-moi'), false, 'read');
});

step('4. the same reminder again reaches nobody this week', async () => {
  await p.open(officer, `/nhac-nho?don_vi=${XUAN_HUONG}&nhom=adults`, 'the form again');
  await officer.type('#noi_dung', TEXT);
  await p.press(officer, 'form#loi-nhac', 'Xem trước');
  await p.arrive(officer, /^\/nhac-nho\/xem-truoc$/, 'the preview again');
  assert.equal(norm(await officer.text('#nguoi-nhan')), '0');
  assert.equal(await officer.has('form#gui'), false);
  assert.match(norm(await officer.text('#khong-ai')), /Không có ai/);
});
