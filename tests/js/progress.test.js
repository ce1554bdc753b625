// progress.js: which progress documents (localStorage, or a file a learner imports) are
// sound. `studysite report --import` reads the same files on the Rust side.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { pick, source } = require("./theme.js");

const FORMAT = /var FORMAT = "([^"]+)"/.exec(source("progress.js"))[1];
const VERSION = Number(/var VERSION = (\d+);/.exec(source("progress.js"))[1]);
const { problem } = pick("progress.js", ["isPlainObject", "isPercent", "problem"], {
  FORMAT, VERSION, siteKey: "abc123", Object, Date, isNaN, isFinite, Array,
});

function doc(change) {
  const d = {
    format: FORMAT, version: VERSION, site: "abc123",
    read: { "01-a/yuanwen": "2026-05-01T08:00:00Z" },
    quizzes: { "01-a": { best: 80, last: 60, time: "2026-05-01T09:00:00Z", passed: true, attempts: 2 } },
    answers: {},
  };
  if (change) change(d);
  return d;
}

test("a sound document has no problem", () => {
  assert.equal(problem(doc()), "");
});

test("another site's progress is told apart from a damaged one", () => {
  assert.equal(problem(doc((d) => { d.site = "other"; })), "wrong-site");
  assert.equal(problem(doc((d) => { d.version = VERSION + 1; })), "damaged");
  assert.equal(problem(doc((d) => { d.read["x"] = "not a date"; })), "damaged");
  assert.equal(problem(doc((d) => { d.quizzes["01-a"].best = 101; })), "damaged");
  assert.equal(problem(doc((d) => { d.quizzes["01-a"].attempts = 0; })), "damaged");
  assert.equal(problem(doc((d) => { d.answers = []; })), "damaged");
  assert.equal(problem(null), "damaged");
});
