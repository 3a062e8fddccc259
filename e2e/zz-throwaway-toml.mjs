import { parseQuiz, parseToml } from './quiz.mjs';
import assert from 'node:assert/strict';
const t = `# comment
title = "Bài kiểm tra" # trailing
pass_mark = 80
shuffle = true

[settings]
x = 1

[[questions]]
prompt = "Mật khẩu nào \\"an toàn\\" nhất?"
options = ["123456", 'ngay-sinh',
  # a comment in an array
  "Cụm từ dài, khó đoán", # trailing
]
correct = 2
explanation = """
Dòng một
Dòng hai"""

[[questions]]
prompt = 'Tin nhắn lạ\\n?'
options = [
  "A",
  "B\\u00e0",
]
correct = 0
explanation = '''raw \\ text'''
`;
const q = parseQuiz(t);
console.log(JSON.stringify(q, null, 1));
assert.equal(q.length, 2);
assert.equal(q[0].prompt, 'Mật khẩu nào "an toàn" nhất?');
assert.deepEqual(q[0].options, ['123456', 'ngay-sinh', 'Cụm từ dài, khó đoán']);
assert.equal(q[1].prompt, 'Tin nhắn lạ\\n?');
assert.equal(q[1].options[1], 'Bà');
const d = parseToml(t);
assert.equal(d.questions[0].explanation, 'Dòng một\nDòng hai');
assert.equal(d.pass_mark, 80); assert.equal(d.shuffle, true); assert.equal(d.settings.x, 1);
for (const bad of ['a = 1.5', 'a = "x', '[[questions]]\ncorrect = 9\nprompt="p"\noptions=["a","b"]', 'a = 1 b']) {
  try { bad.includes('[[') ? parseQuiz(bad) : parseToml(bad); console.log('NOT rejected', bad); } catch (e) { console.log('rejected:', e.message); }
}
console.log('ok');
