// Parses each file given as ES2017 with acorn (`ecmaVersion: 2017`), regular-expression
// literals included: es-check's own pass lets a lookbehind, a named group, `\p{…}` or the `s`
// flag through, and those are what older WebViews reject (issue 28). Prints file:line:column
// and the reason for each file that does not parse; exits 1 if any.
"use strict";
const fs = require("fs");
const path = require("path");
const acorn = require(path.join(process.cwd(), "target/escheck/node_modules/acorn"));
let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    acorn.parse(fs.readFileSync(file, "utf8"), { ecmaVersion: 2017, sourceType: "script", locations: true });
  } catch (e) {
    const at = e.loc ? `${e.loc.line}:${e.loc.column + 1}` : "?";
    console.error(`${file}:${at}: not ES2017: ${e.message.replace(/ \(\d+:\d+\)$/, "")}`);
    failed += 1;
  }
}
if (failed) process.exit(1);
console.log(`es2017: ${process.argv.length - 2} files parse as ES2017 (regular expressions included)`);
