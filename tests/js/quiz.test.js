// quiz.js: how an answer is judged (`isCorrect`, `fold`), the rule src/quiz/ documents in the
// README ("Quizzes") and `collect/` applies again to the answers `serve --collect` gathers.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { pick } = require("./theme.js");

const { isCorrect, fold } = pick("quiz.js", ["fold", "isCorrect"]);

test("fill answers are trimmed and full-width forms folded", () => {
  assert.equal(fold("　ＡＢＣ１９２１ "), "ABC1921");
  const q = { type: "fill", answer: [["软弱涣散"], ["ABC", "abc"]] };
  assert.equal(isCorrect(q, ["软弱涣散", "ＡＢＣ"]), true);
  assert.equal(isCorrect(q, [" 软弱涣散　", "abc"]), true);
  assert.equal(isCorrect(q, ["软弱涣散", "Abc"]), false, "letters are compared as written");
  assert.equal(isCorrect(q, ["软弱涣散", ""]), false, "every blank must be filled");
  assert.equal(isCorrect(q, ["软弱涣散"]), false);
});

test("choices must be exactly the answer's options", () => {
  const single = { type: "single", answer: [1] };
  assert.equal(isCorrect(single, [1]), true);
  assert.equal(isCorrect(single, [2]), false);
  const multiple = { type: "multiple", answer: [0, 2] };
  assert.equal(isCorrect(multiple, [0, 2]), true);
  assert.equal(isCorrect(multiple, [0]), false, "some of the answer is not the answer");
  assert.equal(isCorrect(multiple, [0, 1, 2]), false);
});

test("true or false, and no answer at all", () => {
  assert.equal(isCorrect({ type: "truefalse", answer: false }, false), true);
  assert.equal(isCorrect({ type: "truefalse", answer: false }, true), false);
  for (const type of ["single", "multiple", "truefalse", "fill"]) {
    assert.equal(isCorrect({ type, answer: [] }, null), false, type);
  }
});
