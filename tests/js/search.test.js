// search.js: folding, query tokens, posting-list decoding and ranking, run on a small index
// made here in the format of src/search/ (format.rs, codec.rs).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { run, pick, source } = require("./theme.js");

const ALPHABET = /var ALPHABET = "([^"]+)"/.exec(source("search.js"))[1];

/** A posting list as src/search/codec.rs writes it: (document, fields) ascending. */
function encode(postings, bits) {
  let out = "", next = 0;
  for (const [doc, f] of postings) {
    let v = (doc + 1 - next - 1) * 2 ** bits + f;
    while (v >= 32) { out += ALPHABET[32 + (v % 32)]; v = Math.floor(v / 32); }
    out += ALPHABET[v];
    next = doc + 1;
  }
  return out;
}

// The same lists as the Rust unit tests `postings_round_trip_with_fields` and
// `word_postings_have_the_prefix_bit_when_only_a_prefix_was_seen` (src/search/tests.rs),
// which assert these very strings.
const CJK_LIST = "ACB0E_oxI", WORD_LIST = "AWB9i_V";

test("the lists written by Rust decode to their documents and fields", () => {
  assert.equal(encode([[0, 0], [1, 2], [2, 1], [40, 0], [70000, 3]], 2), CJK_LIST);
  assert.equal(encode([[0, 0], [3, 6], [4, 1], [90000, 5]], 3), WORD_LIST);
  const DIGIT = new Int8Array(128).fill(-1);
  for (let a = 0; a < 64; a++) DIGIT[ALPHABET.charCodeAt(a)] = a;
  const shards = { 0: { "党建": CJK_LIST, "201": WORD_LIST } };
  const { postings } = pick("search.js", ["postings", "isCjk"], {
    decoded: {}, shards, shardOf: () => 0, DIGIT, Int32Array, Math, Object,
  });
  // doc << 3 | fields, as search.js keeps them.
  const pairs = (a) => Array.from(a, (v) => [v >> 3, v & 7]);
  assert.deepEqual(pairs(postings("党建")), [[0, 0], [1, 2], [2, 1], [40, 0], [70000, 3]]);
  assert.deepEqual(pairs(postings("201")), [[0, 0], [3, 6], [4, 1], [90000, 5]]);
});

/** A value of the script's context as a value of this one (arrays of another context are
 * not deep-equal to this one's). */
const plain = (x) => JSON.parse(JSON.stringify(x));

/** search.js with its files served from `files` (path below the site root -> text). */
function searchWith(files) {
  const ctx = run("search.js", {
    dataset: { root: "" },
    onScript(src, context) {
      if (!(src in files)) throw new Error("no file " + src);
      require("node:vm").runInContext(files[src], context);
    },
  });
  return ctx.__studysiteSearch;
}

/**
 * The search files of `docs` ([title, sections of [anchor, heading, text]]) for the tokens
 * `tokens`, in one shard and one chunk. A posting's fields: heading 1, title 2, and for a
 * word seen only inside longer words, 4.
 */
function site(docs, tokens, fold) {
  const shard = {};
  for (const tok of tokens) {
    const word = !/[\u3400-\u9fff]/.test(tok);
    const re = new RegExp("(^|[^a-z0-9])" + tok + "($|[^a-z0-9])");
    const list = [];
    docs.forEach(([title, sections], d) => {
      const texts = [title, ...sections.flatMap((s) => [s[1], s[2]])].map(fold);
      if (!texts.some((t) => t.includes(tok))) return;
      let f = 0;
      if (fold(title).includes(tok)) f |= 2;
      if (sections.some((s) => fold(s[1]).includes(tok))) f |= 1;
      if (word && !texts.some((t) => re.test(t))) f |= 4;
      list.push([d, f]);
    });
    if (list.length) shard[tok] = encode(list, word ? 3 : 2);
  }
  const manifest = {
    v: 2, count: docs.length, units: docs.length, shards: 1, chunks: [0],
    docs: docs.map(([title], d) => [title, 0, "a/u" + d + ".html"]),
    topics: [["专题", "a/index.html"]],
  };
  return {
    "search/index.js": "__studysiteSearch.m(" + JSON.stringify(manifest) + ");",
    "search/i/0.js": "__studysiteSearch.i(0," + JSON.stringify(shard) + ");",
    "search/d/0.js": "__studysiteSearch.d(0,0," + JSON.stringify(docs.map((d) => d[1])) + ");",
  };
}

test("fold and query tokens follow src/search/tokens.rs", () => {
  const api = searchWith({});
  assert.equal(api.fold("ＡＢＣ　１９２１Ｘ"), "abc 1921x");
  const tokens = (q) => Array.from(api.tokens(api.fold(q)));
  // The vectors of the Rust test `queries_use_bigrams_or_the_single_character`.
  assert.deepEqual(tokens("第一书记"), ["第一", "一书", "书记"]);
  assert.deepEqual(tokens("党"), ["党"]);
  assert.deepEqual(tokens("2018年"), ["2018", "年"]);
  assert.deepEqual(tokens("，。！"), []);
});

test("title ranks above heading above body, and the link goes to the section", async () => {
  const api = searchWith({});
  const docs = [
    ["支部工作", [["", "概述", "要落实三会一课。"]]],
    ["支部工作", [["", "概述", "无关。"], ["k1", "三会一课", "按时召开。"]]],
    ["落实三会一课制度", [["", "概述", "支部工作。"]]],
    ["别的", [["", "概述", "三会和一课分开写。"]]],
  ];
  const files = site(docs, ["三会", "会一", "一课"], api.fold);
  const search = searchWith(files);
  const partial = [];
  const res = await search.query("三会一课", (p) => partial.push(p));
  assert.deepEqual(plain(res.results.map((r) => r.doc)), [2, 1, 0]);
  assert.equal(res.results[1].href, "a/u1.html#k1");
  assert.equal(res.results[1].heading, "三会一课");
  assert.equal(res.results[0].topic, "专题");
  // From the index alone, before the text was loaded: the same documents were candidates.
  assert.equal(partial.length, 1);
  assert.equal(partial[0].total, 3);
});

test("whole words rank above words found only inside longer ones", async () => {
  const api = searchWith({});
  const docs = [
    ["2018年工作", [["", "", "总结。"]]],
    ["201室", [["", "", "会议。"]]],
  ];
  const search = searchWith(site(docs, ["201"], api.fold));
  const res = await search.query("201");
  assert.deepEqual(plain(res.results.map((r) => r.doc)), [1, 0]);
});

test("a manifest of another format is refused", async () => {
  const files = {
    "search/index.js": "__studysiteSearch.m({\"v\":1,\"count\":0,\"shards\":1,\"chunks\":[],\"docs\":[],\"topics\":[]});",
  };
  await assert.rejects(searchWith(files).query("党"), /search index format/);
});
