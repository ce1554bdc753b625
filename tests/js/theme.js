// Loads the default theme's scripts (themes/default/static/) for unit tests, as they are:
// nothing in the theme is changed for the tests.
//
// Two ways in:
// - run(name, env): runs a whole script in a fresh `vm` context whose `window` is a minimal
//   stub (a document with no elements unless `env` gives some); what the script puts on
//   `window` (search.js's `__studysiteSearch`, reader.js's `studysite.t`) is then reachable.
// - pick(name, functions, scope): cuts the named function declarations out of a script (the
//   functions a script keeps inside its closure, such as quiz.js's `isCorrect`) and evaluates
//   them in a context holding `scope`. A function renamed or removed fails loudly here.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const STATIC = path.join(__dirname, "..", "..", "themes", "default", "static");

/** The text of a theme script. */
function source(name) {
  return fs.readFileSync(path.join(STATIC, name), "utf8");
}

/** A stub element: attributes, and no children. */
function element(tag, attrs) {
  const a = Object.assign({}, attrs || {});
  return {
    tagName: String(tag).toUpperCase(),
    dataset: {},
    style: {},
    textContent: "",
    classList: { add() {}, remove() {}, toggle() {}, contains() { return false; } },
    hasAttribute: (k) => Object.prototype.hasOwnProperty.call(a, k),
    getAttribute: (k) => (Object.prototype.hasOwnProperty.call(a, k) ? a[k] : null),
    setAttribute: (k, v) => { a[k] = String(v); },
    removeAttribute: (k) => { delete a[k]; },
    addEventListener() {},
    appendChild(c) { return c; },
    querySelector() { return null; },
    querySelectorAll() { return []; },
  };
}

/**
 * Runs script `name` in a fresh context. `env.byId` maps element ids to stub elements,
 * `env.onScript(src, context)` is called when the script inserts a <script src>, and
 * `env.body` gives the body's attributes. Returns the context (its `window` is itself).
 */
function run(name, env) {
  env = env || {};
  const byId = env.byId || {};
  const body = element("body", env.body);
  body.dataset = env.dataset || {};
  const head = element("head");
  const context = {
    console,
    Promise,
    setTimeout,
    clearTimeout,
    localStorage: { getItem: () => null, setItem() {}, removeItem() {} },
  };
  head.appendChild = (s) => {
    // As a browser does: the script runs, then its onload, later.
    setTimeout(() => {
      try {
        env.onScript(s.src, context);
        if (s.onload) s.onload();
      } catch (e) {
        if (s.onerror) s.onerror(e);
      }
    }, 0);
    return s;
  };
  context.document = {
    documentElement: element("html"),
    body,
    head,
    getElementById: (id) => byId[id] || null,
    querySelector: () => null,
    querySelectorAll: () => [],
    createElement: (tag) => element(tag),
    createTextNode: (text) => ({ textContent: text }),
    addEventListener() {},
  };
  context.window = context;
  context.addEventListener = () => {};
  vm.createContext(context);
  vm.runInContext(source(name), context, { filename: path.join(STATIC, name) });
  return context;
}

/**
 * The text of the declaration `function <fn>(...) {...}` in `text`, found by matching braces
 * (strings, comments and regular expression literals skipped).
 */
function declaration(text, fn) {
  const start = text.search(new RegExp("function " + fn + "\\s*\\("));
  if (start < 0) throw new Error("no function " + fn);
  let i = text.indexOf("{", start), depth = 0, prev = "";
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === "`") {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === "\\") i++;
    } else if (c === "/" && text[i + 1] === "/") {
      i = text.indexOf("\n", i);
    } else if (c === "/" && text[i + 1] === "*") {
      i = text.indexOf("*/", i) + 1;
    } else if (c === "/" && /[(,=:[!&|?{};]/.test(prev)) {
      // A regular expression literal (after an operator, not after a value).
      let inClass = false;
      for (i++; i < text.length; i++) {
        if (text[i] === "\\") i++;
        else if (text[i] === "[") inClass = true;
        else if (text[i] === "]") inClass = false;
        else if (text[i] === "/" && !inClass) break;
      }
    } else if (c === "{") {
      depth++;
    } else if (c === "}" && --depth === 0) {
      return text.slice(start, i + 1);
    }
    if (!/\s/.test(c)) prev = text[i];
  }
  throw new Error("unbalanced function " + fn);
}

/** The functions `names` of script `name`, evaluated together in a context holding `scope`. */
function pick(name, names, scope) {
  const text = source(name);
  const code = names.map((n) => declaration(text, n)).join("\n") +
    "\n({" + names.map((n) => n + ": " + n).join(", ") + "})";
  return vm.runInContext(code, vm.createContext(Object.assign({}, scope)));
}

module.exports = { STATIC, source, element, run, pick, declaration };
