// reader.js: `studysite.t`, the UI strings every theme script reads (the language tables of
// the theme are rendered into the page as data attributes of #studysite-i18n).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { run, element } = require("./theme.js");

function t(strings) {
  const el = element("div", strings);
  return run("reader.js", { byId: strings ? { "studysite-i18n": el } : {} }).studysite.t;
}

test("a key gives its string, placeholders filled once", () => {
  const tr = t({
    "data-search_none": "没有找到“{q}”",
    "data-quiz_score": "得分 {score}/{total}（{percent}%）",
  });
  assert.equal(tr("search_none", { q: "党建" }), "没有找到“党建”");
  assert.equal(tr("quiz_score", { score: 8, total: 10, percent: 80 }), "得分 8/10（80%）");
  // A value is never searched for placeholders itself, and unknown ones stay as written.
  assert.equal(tr("search_none", { q: "{q}" }), "没有找到“{q}”");
  assert.equal(tr("quiz_score", { score: 1 }), "得分 1/{total}（{percent}%）");
  // Only the value's own properties fill a placeholder.
  assert.equal(tr("search_none", Object.create({ q: "x" })), "没有找到“{q}”");
});

test("a missing key or table gives the key itself", () => {
  assert.equal(t({})("quiz_passed"), "quiz_passed");
  assert.equal(t(null)("quiz_passed"), "quiz_passed");
  assert.equal(t(null)("x_{n}", { n: 2 }), "x_2");
});
