// Real-browser walk of honours (issue 18, part 3): the officer of Phường Xuân Hương (demo
// account 0900000002), on a phone-sized window, proposes a collective's initiative — first with
// a file that claims to be a PDF but is not (refused, nothing written), then with a real PDF.
// The province administrator (0900000001) returns it with a comment; the officer adds to it and
// sends it again; the province accepts it; a visitor, not logged in, finds it on the public
// honour roll, by year and by commune. axe-core on every page state.
// Run: ./run   (or: node --test honours.test.mjs, with chromium, chromium-driver, node_modules)

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { norm, setUpWalk } from './server.mjs';

const ADMIN = '0900000001';
const OFFICER = '0900000002';
const XUAN_HUONG = '24781';
const PROPOSAL = {
  nominee: 'Tổ công nghệ số cộng đồng tổ dân phố 5',
  title: 'Góc “Hỏi nhanh – Làm ngay” ở chợ Đà Lạt',
  description: 'Mỗi sáng thứ bảy, tổ đặt một bàn ở cổng chợ để hướng dẫn tiểu thương mở tài khoản thanh toán và dùng mã QR.',
  added: ' Sau ba tháng, 186 tiểu thương đã nhận tiền bằng mã QR.',
};
const COMMENT = 'Bổ sung kết quả đạt được (số người được hướng dẫn).';

const { srv, p, step, browsers: [officer, admin, visitor] } = setUpWalk('hocvuso-e2e-tv-', ['officer', 'admin', 'visitor']);
let proposalPath;

step('1. the officer finds “Tôn vinh” and opens a new proposal', async () => {
  await p.login(officer, OFFICER);
  await p.follow(officer, 'footer', 'Tôn vinh sáng kiến');
  await p.arrive(officer, /^\/ton-vinh$/, 'empty roll');
  assert.match(norm(await officer.text('main')), /Chưa có sáng kiến nào được công nhận/);
  await p.follow(officer, 'main', 'Đề nghị tôn vinh của đơn vị');
  await p.arrive(officer, /^\/ton-vinh\/de-xuat$/, 'none yet');
  await p.follow(officer, 'main', 'Đề nghị mới');
  await p.arrive(officer, /^\/ton-vinh\/de-xuat\/moi$/);
});

async function fillIn() {
  await officer.select('#loai', 'tap-the');
  await officer.type('#ten', PROPOSAL.nominee);
  await officer.type('#sang_kien', PROPOSAL.title);
  await officer.type('#mo_ta', PROPOSAL.description);
}

step('2. a file that only claims to be a PDF is refused, and nothing is written', async () => {
  await fillIn();
  const fake = join(srv.tmp, 'bien-ban-gia.pdf');
  writeFileSync(fake, '<html><body>Không phải PDF</body></html>');
  await (await officer.find('form#de-nghi #tep')).type(fake); // WebDriver file upload
  await p.press(officer, 'form#de-nghi', 'Gửi đề nghị');
  await p.arrive(officer, /^\/ton-vinh\/de-xuat\/moi$/, 'fake pdf');
  assert.deepEqual(await p.texts(officer, '.error-summary li'), [
    'Tệp «bien-ban-gia.pdf» có đuôi .pdf nhưng không phải là tệp PDF. Hãy xuất lại tệp PDF rồi tải lên.',
  ]);
  assert.equal(await officer.exec('return document.querySelector("#ten").value;'), PROPOSAL.nominee, 'typed values kept');
  await p.open(officer, '/ton-vinh/de-xuat', 'still none');
  assert.equal(await officer.has('table#de-nghi'), false);
});

step('3. with a real PDF the proposal is sent and waits for the province', async () => {
  await p.open(officer, '/ton-vinh/de-xuat/moi', 'again');
  await fillIn();
  const pdf = join(srv.tmp, 'bien-ban-to-5.pdf');
  writeFileSync(pdf, '%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
  await (await officer.find('form#de-nghi #tep')).type(pdf);
  await p.press(officer, 'form#de-nghi', 'Gửi đề nghị');
  const [path] = await p.arrive(officer, /^\/ton-vinh\/de-xuat\/\d+$/, 'sent');
  proposalPath = path;
  assert.match(norm(await officer.text('#xong')), /Đã gửi đề nghị/);
  assert.equal(norm(await officer.text('#trang-thai')), 'Đang chờ xét');
  assert.match(norm(await officer.text('#tep-minh-chung')), /bien-ban-to-5\.pdf/);
});

step('4. the province returns it with a comment; the officer adds to it and sends it again', async () => {
  await p.login(admin, ADMIN);
  await p.open(admin, '/ton-vinh/de-xuat', 'one waiting');
  await p.follow(admin, 'table#de-nghi', PROPOSAL.title);
  await p.arrive(admin, /^\/ton-vinh\/de-xuat\/\d+$/, 'to review');
  await p.press(admin, 'form#xet-de-nghi', 'Trả lại để bổ sung');
  await p.arrive(admin, /^\/ton-vinh\/de-xuat\/\d+\/xet$/, 'no comment');
  assert.deepEqual(await p.texts(admin, '.error-summary li'), ['Hãy ghi điều đơn vị cần bổ sung hoặc sửa.']);
  await admin.type('#ghi_chu', COMMENT);
  await p.press(admin, 'form#xet-de-nghi', 'Trả lại để bổ sung');
  await p.arrive(admin, /^\/ton-vinh\/de-xuat\/\d+$/, 'returned');
  assert.equal(norm(await admin.text('#trang-thai')), 'Trả lại để bổ sung');

  await p.open(officer, proposalPath, 'returned');
  assert.match(norm(await officer.text('#cac-buoc')), new RegExp(COMMENT.replace(/[().]/g, '\\$&')));
  await officer.type('#mo_ta', PROPOSAL.description + PROPOSAL.added);
  await officer.type('#ghi_chu', 'Đã bổ sung số tiểu thương.');
  await p.press(officer, 'form#gui-lai', 'Gửi lại');
  await p.arrive(officer, /^\/ton-vinh\/de-xuat\/\d+$/, 'resubmitted');
  assert.equal(norm(await officer.text('#trang-thai')), 'Đang chờ xét');
});

step('5. the province accepts it, and a visitor finds it on the honour roll', async () => {
  await p.open(admin, proposalPath, 'back');
  await p.press(admin, 'form#xet-de-nghi', 'Chấp nhận tôn vinh');
  await p.arrive(admin, /^\/ton-vinh\/de-xuat\/\d+$/, 'accepted');
  assert.equal(norm(await admin.text('#trang-thai')), 'Được tôn vinh');
  assert.equal((await p.texts(admin, '#cac-buoc li')).length, 5);

  await p.open(visitor, '/ton-vinh', 'visitor');
  const roll = norm(await visitor.text('#bang-vang'));
  assert.match(roll, new RegExp(PROPOSAL.nominee));
  assert.match(roll, /186 tiểu thương/);
  await visitor.select('#don_vi', XUAN_HUONG);
  await p.press(visitor, 'form#loc', 'Xem');
  await p.arrive(visitor, /^\/ton-vinh$/, 'by commune');
  assert.match(norm(await visitor.text('#danh-sach')), /Phường Xuân Hương/);
  assert.match(norm(await visitor.text('#bang-vang')), new RegExp(PROPOSAL.nominee));
});
