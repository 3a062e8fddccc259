// Real-browser walk of course authoring (issue 4): the demo author (0900000004), on a
// phone-sized window, adds a lesson to the basic course — first with the form empty (refused,
// with the reasons), then filled in — into the course's draft, and publishes it as version 2.
// The demo learner (0900000005), who had read lesson 1 before, does not see the draft, then
// sees the new lesson as lesson 2 right after publishing, with lesson 1 still marked read.
// axe-core on every page state.
// Run: ./run   (or: node --test course_authoring.test.mjs, with chromium, chromium-driver, node_modules)

import assert from 'node:assert/strict';

import { norm, setUpWalk } from './server.mjs';

const AUTHOR = '0900000004';
const LEARNER = '0900000005';
const COURSE = '/khoa-hoc/ky-nang-so-co-ban';
const EDIT = '/bien-tap/khoa-hoc/ky-nang-so-co-ban';
const LESSON = {
  title: 'Giữ pin và dung lượng cho điện thoại',
  minutes: '8',
  position: '2',
  competences: '5.1, 1.1',
  body: '## Pin\n\nSạc pin khi pin còn khoảng 20%, rút sạc khi đầy.\n\n## Dung lượng\n\nXoá ảnh trùng và ứng dụng không dùng đến.',
  marker: 'Sạc pin khi pin còn khoảng 20%',
};

const { p, step, browsers: [author, learner] } = setUpWalk('hocvuso-e2e-kh-', ['author', 'learner']);
let lessonsBefore;

const lessonTitles = () => p.texts(learner, 'ol.lessons li a');

step('1. the learner reads lesson 1 of the basic course', async () => {
  await p.login(learner, LEARNER);
  await p.open(learner, `${COURSE}/bai/1`);
  await p.press(learner, 'main', 'Đã học xong');
  await p.arrive(learner, /^\/khoa-hoc\/ky-nang-so-co-ban\/bai\/2$/);
  await p.open(learner, COURSE, 'one lesson read');
  lessonsBefore = await lessonTitles();
  assert.ok(lessonsBefore.length >= 6, JSON.stringify(lessonsBefore));
  assert.equal((await p.texts(learner, 'ol.lessons .done')).length, 1);
});

step('2. the author finds the course under “Biên tập” → “Khóa học”', async () => {
  await p.login(author, AUTHOR);
  await p.follow(author, 'header', 'Biên tập');
  await p.arrive(author, /^\/bien-tap\/so-tay$/);
  await p.follow(author, 'main', 'Khóa học');
  await p.arrive(author, /^\/bien-tap\/khoa-hoc$/);
  await p.follow(author, 'table#khoa-hoc', 'Kỹ năng số cơ bản');
  await p.arrive(author, /^\/bien-tap\/khoa-hoc\/ky-nang-so-co-ban$/);
  assert.match(norm(await author.text('#trang-thai')), /Người học đang thấy phiên bản 1\./);
});

step('3. an empty lesson form is refused with the reasons next to the fields', async () => {
  await p.follow(author, 'main', 'Thêm bài học');
  await p.arrive(author, /^\/bien-tap\/khoa-hoc\/ky-nang-so-co-ban\/bai\/moi$/);
  await p.press(author, 'form#sua-bai-hoc', 'Lưu vào bản nháp');
  await p.arrive(author, /^\/bien-tap\/khoa-hoc\/ky-nang-so-co-ban\/bai\/moi$/, 'errors');
  const errors = await p.texts(author, '.error-summary li');
  assert.deepEqual(errors, [
    'Hãy nhập tên bài học.',
    'Hãy nhập thời lượng ước tính (phút), ví dụ 10.',
    'Hãy nhập nội dung bài học.',
  ]);
});

step('4. the filled-in lesson goes into the draft, which learners do not see', async () => {
  await author.type('#title', LESSON.title);
  await author.type('#minutes', LESSON.minutes);
  await author.type('#position', LESSON.position);
  await author.type('#competences', LESSON.competences);
  await author.type('#body', LESSON.body);
  await p.press(author, 'form#sua-bai-hoc', 'Lưu vào bản nháp');
  await p.arrive(author, /^\/bien-tap\/khoa-hoc\/ky-nang-so-co-ban$/, 'saved');
  assert.match(norm(await author.text('#thong-bao')), /Đã lưu vào bản nháp/);
  assert.match(norm(await author.text('#trang-thai')), /bản nháp phiên bản 2/);
  const listed = await p.texts(author, '#ds-bai-hoc li');
  assert.equal(listed.length, lessonsBefore.length + 1);
  assert.match(listed[1], new RegExp(`^${LESSON.title} mới`));
  await p.open(learner, COURSE, 'draft not published');
  assert.deepEqual(await lessonTitles(), lessonsBefore);
});

step('5. the author publishes version 2', async () => {
  await author.type('#note', 'Thêm bài về pin và dung lượng');
  await p.press(author, 'form#xuat-ban', 'Xuất bản phiên bản 2');
  await p.arrive(author, /^\/bien-tap\/khoa-hoc\/ky-nang-so-co-ban$/, 'published');
  assert.match(norm(await author.text('#thong-bao')), /Đã xuất bản phiên bản 2/);
  const versions = await p.texts(author, '#phien-ban + div tbody tr');
  assert.equal(versions.length, 2, JSON.stringify(versions));
  assert.match(versions[0], /^2 Người học đang thấy Biên Tập Viên .* Thêm bài về pin và dung lượng$/);
});

step('6. the learner sees the new lesson 2 at once, and lesson 1 still read', async () => {
  await p.open(learner, COURSE, 'version 2');
  const titles = await lessonTitles();
  assert.equal(titles.length, lessonsBefore.length + 1);
  assert.equal(titles[0], lessonsBefore[0]);
  assert.equal(titles[1], LESSON.title);
  assert.deepEqual(titles.slice(2), lessonsBefore.slice(1));
  const done = await p.texts(learner, 'ol.lessons .done');
  assert.equal(done.length, 1, 'progress kept');
  await p.follow(learner, 'ol.lessons', LESSON.title);
  await p.arrive(learner, /^\/khoa-hoc\/ky-nang-so-co-ban\/bai\/2$/);
  assert.match(norm(await learner.text('main')), new RegExp(LESSON.marker));
});
