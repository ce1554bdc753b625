// The constants the theme's scripts share with the Rust code, read from both sources and
// compared: the search ranking weights, the search files' format version, the shard hash, the
// posting alphabet, the CJK ranges and full-width folding, and the progress file's name.
// A change on one side only fails here. The Rust side is found by what it declares, anywhere
// below src/, so moving a module does not break the test.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { source } = require("./theme.js");

const SRC = path.join(__dirname, "..", "..", "src");

/** Every Rust file below src/, as [path, text]. */
function rustFiles(dir = SRC) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return rustFiles(p);
    return e.name.endsWith(".rs") ? [[p, fs.readFileSync(p, "utf8")]] : [];
  });
}
const RUST = rustFiles();

/** The first match of `re` in the Rust sources (its groups), failing when there is none. */
function rust(re) {
  for (const [, text] of RUST) {
    const m = re.exec(text);
    if (m) return m;
  }
  throw new Error("no Rust source matches " + re);
}

/** The first match of `re` in theme script `name`. */
function js(name, re) {
  const m = re.exec(source(name));
  if (!m) throw new Error(name + " does not match " + re);
  return m;
}

/** The text of the function starting at `re` up to the next line that closes it at column 0
 * (Rust) or two spaces in (the scripts' functions, inside their closure). */
function body(text, start, close) {
  const i = text.search(start);
  assert.ok(i >= 0, "no " + start);
  return text.slice(i, text.indexOf(close, i));
}

const hex = (s) => s.match(/0x[0-9a-fA-F_]+/g).map((h) => parseInt(h.replace(/_/g, ""), 16));

test("ranking weights", () => {
  const rs = {}, sj = {};
  for (const [, text] of RUST) {
    for (const m of text.matchAll(/pub const (W_[A-Z]+): i64 = (\d+);/g)) rs[m[1]] = Number(m[2]);
  }
  for (const m of source("search.js").matchAll(/\b(W_[A-Z]+) = (\d+)/g)) sj[m[1]] = Number(m[2]);
  assert.ok(Object.keys(rs).length >= 6, JSON.stringify(rs));
  assert.deepEqual(sj, rs);
});

test("format version of the search files", () => {
  const v = rust(/pub const FORMAT: u32 = (\d+);/)[1];
  assert.equal(js("search.js", /manifest\.v !== (\d+)/)[1], v);
});

test("shard hash: FNV-1a and MurmurHash3's finaliser", () => {
  const [, text] = RUST.find(([, t]) => /fn fnv32\(/.test(t));
  const r = body(text, /fn fnv32\(/, "\n}\n");
  const s = body(source("search.js"), /function shardOf\(/, "\n  }\n");
  assert.deepEqual(hex(s), hex(r));
  const shifts = (t, op) => [...t.matchAll(new RegExp(op + " (\\d+)", "g"))].map((m) => Number(m[1]));
  // `>>> 0` only makes a JavaScript number unsigned.
  assert.deepEqual(shifts(s, ">>>").filter(Boolean), shifts(r, ">>"));
  assert.equal(hex(r).length, 4);
});

test("posting alphabet", () => {
  const a = rust(/const ALPHABET: &\[u8; 64\] = b"([^"]+)";/)[1];
  assert.equal(js("search.js", /var ALPHABET = "([^"]+)"/)[1], a);
  assert.equal(new Set(a).size, 64);
});

test("CJK ranges and full-width folding", () => {
  const [, text] = RUST.find(([, t]) => /pub fn is_cjk\(/.test(t));
  const r = hex(body(text, /pub fn is_cjk\(/, "\n}\n"));
  const s = hex(body(source("search.js"), /function isCjk\(/, "\n  }\n"));
  assert.deepEqual(s, r);
  const fold = hex(body(source("search.js"), /function fold\(/, "\n  }\n"));
  const rfold = rust(/'\\u\{FF01\}'\.\.='\\u\{FF5E\}' => char::from_u32\(c as u32 - (0x[0-9A-F]+)\)/);
  assert.ok(fold.includes(parseInt(rfold[1], 16)));
  assert.match(source("search.js"), /\\uFF01-\\uFF5E\\u3000/);
});

test("the progress file's format name", () => {
  const name = js("progress.js", /var FORMAT = "([^"]+)"/)[1];
  assert.ok(RUST.some(([, t]) => t.includes('"' + name + '"')), name + " not in src/");
});
