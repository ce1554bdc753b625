/* studysite search: results as the reader types, from the index in search/ (see src/search/mod.rs).
 *
 * Everything is loaded with <script> tags (fetch() of local files is forbidden from file://):
 * search/index.js (manifest) when the box is first used, then the index shards of the query's
 * tokens and the document chunks of the best candidates. Each file calls back into
 * window.__studysiteSearch. User text only ever reaches the page as text nodes. UI strings come
 * from studysite.t() (reader.js).
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-search]");
  var root = (document.body && document.body.dataset.root) || "";
  var base = root + "search/";

  // ---------------------------------------------------------------- loading
  var manifest = null;
  var shards = {};   // shard number -> {token: postings string}
  var chunks = {};   // chunk number -> {first, docs}
  var decoded = {};  // token -> Int32Array of doc ids with fields (doc << 3 | fields)
  var loading = {};  // src -> Promise

  function loadScript(src) {
    if (loading[src]) return loading[src];
    var p = new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.async = true;
      s.onload = function () { resolve(); };
      s.onerror = function () { delete loading[src]; reject(new Error("cannot load " + src)); };
      document.head.appendChild(s);
    });
    loading[src] = p;
    return p;
  }

  var api = window.__studysiteSearch = {
    m: function (m) { manifest = m; },
    i: function (n, tokens) { shards[n] = tokens; },
    d: function (n, first, docs) { chunks[n] = { first: first, docs: docs }; }
  };

  function loadManifest() {
    return loadScript(base + "index.js").then(function () {
      if (!manifest || manifest.v !== 2) throw new Error("search index format");
      return manifest;
    });
  }

  // ---------------------------------------------------------------- tokens (as src/search/mod.rs)
  function fold(s) {
    return s.replace(/[\uFF01-\uFF5E\u3000A-Z]/g, function (c) {
      var n = c.charCodeAt(0);
      if (n === 0x3000) return " ";
      if (n >= 0xFF01) n -= 0xFEE0;
      if (n >= 65 && n <= 90) n += 32;
      return String.fromCharCode(n);
    });
  }

  function isCjk(cp) {
    return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
      (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FA1F) ||
      (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0xAC00 && cp <= 0xD7A3);
  }
  // A letter or digit, as Rust's char::is_alphanumeric. Built from a string so that an engine
  // without Unicode property escapes (before Chrome 64 / iOS 11.3: the supported floor is older,
  // see the README) still parses this file; there it falls back to an approximation: ASCII and
  // Latin-1 digits and letters, any cased letter (Latin, Greek, Cyrillic, Armenian…) and the
  // uncased alphabets of Hebrew, Arabic, the Indic scripts, Thai and Lao. Only words in other
  // scripts may then be cut differently from the index.
  var wordChar = (function () {
    try {
      return new RegExp("[\\p{Alphabetic}\\p{N}]", "u");
    } catch (e) {
      var uncased = /[0-9\u00AA\u00B2\u00B3\u00B5\u00B9\u00BA\u00BC-\u00BE\u05D0-\u05EA\u0620-\u064A\u0660-\u0669\u066E-\u06D3\u06F0-\u06FF\u0900-\u0DFF\u0E01-\u0E30\u0E40-\u0E46\u0E50-\u0E59\u0E81-\u0EB0\u0EC0-\u0EC6\u0ED0-\u0ED9]/;
      return { test: function (ch) { return uncased.test(ch) || ch.toLowerCase() !== ch.toUpperCase(); } };
    }
  })();
  // Is the character `ch` part of a word (a letter or digit that is not CJK), as in
  // src/search/mod.rs?
  function isWordChar(ch) {
    return !isCjk(ch.codePointAt(0)) && wordChar.test(ch);
  }

  // The tokens a term is looked up by: bigrams of CJK runs (the character of a single one),
  // and words.
  function termTokens(term) {
    var out = [], chars = Array.from(term), i = 0;
    while (i < chars.length) {
      var cp = chars[i].codePointAt(0), start = i;
      if (isCjk(cp)) {
        while (i < chars.length && isCjk(chars[i].codePointAt(0))) i++;
        if (i - start === 1) out.push(chars[start]);
        else for (var k = start; k + 1 < i; k++) out.push(chars[k] + chars[k + 1]);
      } else if (wordChar.test(chars[i])) {
        while (i < chars.length && !isCjk(chars[i].codePointAt(0)) && wordChar.test(chars[i])) i++;
        out.push(chars.slice(start, i).join(""));
      } else {
        i++;
      }
    }
    return out.filter(function (t, j) { return out.indexOf(t) === j; });
  }

  function shardOf(token) {
    var h = 0x811c9dc5;
    for (var ch of token) {
      h = Math.imul((h ^ ch.codePointAt(0)) >>> 0, 0x01000193) >>> 0;
    }
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h = (h ^ (h >>> 16)) >>> 0;
    return h & (manifest.shards - 1);
  }

  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var DIGIT = new Int8Array(128).fill(-1);
  for (var a = 0; a < 64; a++) DIGIT[ALPHABET.charCodeAt(a)] = a;

  // A word's postings have three field bits (heading, title, prefix only), a CJK token's two.
  function postings(token) {
    if (decoded[token]) return decoded[token];
    var s = shards[shardOf(token)];
    var str = s && Object.prototype.hasOwnProperty.call(s, token) ? s[token] : "";
    var bits = isCjk(token.codePointAt(0)) ? 4 : 8;
    var out = new Int32Array(str.length), n = 0, v = 0, shift = 0, doc = -1;
    for (var i = 0; i < str.length; i++) {
      var d = DIGIT[str.charCodeAt(i)];
      if (d >= 32) { v += (d - 32) * Math.pow(2, shift); shift += 5; }
      else {
        v += d * Math.pow(2, shift);
        doc += Math.floor(v / bits) + 1;
        out[n++] = doc * 8 + (v % bits);
        v = 0; shift = 0;
      }
    }
    return (decoded[token] = out.subarray(0, n));
  }

  // ---------------------------------------------------------------- ranking
  // Weights: a term in the title beats one in a heading beats one in the body; a term found as
  // written (adjacent characters) beats one whose bigrams are scattered; documents with more
  // of the query's terms come first, whatever the fields, then documents with more terms found
  // as whole words ("201" as such, not only in "2018"; W_WHOLE in the index, 1000 in the text).
  var W_TITLE = 100, W_HEADING = 30, W_BODY = 10, W_SCATTERED = 2, W_ADJACENT = 20;
  var W_WHOLE = 200;
  // Results are listed from the index alone (titles come with the manifest); then the document
  // chunks of the best CANDIDATES are loaded to rank them on their text, pick the passage and
  // show the snippet. Each script file costs a few milliseconds, so these are few.
  var CANDIDATES = 12, SHOWN = 10;

  function parseQuery(q) {
    return fold(q).split(/\s+/).filter(Boolean).map(function (t) {
      return { text: t, tokens: termTokens(t) };
    }).filter(function (t) { return t.tokens.length > 0; });
  }

  // Coarse scores from the index alone: for each document, how many terms have all their
  // tokens, whether as whole words, and in which fields (score.rs, `coarse_term`).
  function coarse(terms) {
    var n = manifest.count, score = new Float64Array(n), hit = [];
    var cnt = new Uint16Array(n), fields = new Uint8Array(n), prefix = new Uint8Array(n);
    terms.forEach(function (term) {
      cnt.fill(0); fields.fill(3); prefix.fill(0);
      term.tokens.forEach(function (tok) {
        var p = postings(tok);
        for (var i = 0; i < p.length; i++) {
          var d = p[i] >> 3;
          cnt[d]++;
          fields[d] &= p[i] & 3;
          prefix[d] |= p[i] & 4;
        }
      });
      var need = term.tokens.length;
      for (var d = 0; d < n; d++) {
        if (cnt[d] === need) {
          if (score[d] === 0) hit.push(d);
          var inTitle = fields[d] & 2 && titleOf(d).indexOf(term.text) >= 0;
          score[d] += 1000 + (prefix[d] ? 0 : W_WHOLE) +
            (inTitle ? W_TITLE : fields[d] & 1 ? W_HEADING : W_BODY);
        }
      }
    });
    hit.sort(function (x, y) { return score[y] - score[x] || x - y; });
    return { docs: hit, score: score };
  }

  function chunkOf(doc) {
    var c = manifest.chunks, lo = 0, hi = c.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (c[mid] <= doc) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  var titles = []; // doc -> folded title
  function titleOf(doc) {
    return titles[doc] || (titles[doc] = fold(manifest.docs[doc][0]));
  }

  var folded = {}; // doc -> folded headings and texts
  // A document's title, topic, path and (once its chunk is loaded) sections.
  function docData(doc) {
    var m = manifest.docs[doc], c = chunks[chunkOf(doc)];
    var secs = c ? c.docs[doc - c.first] : null;
    if (secs && !folded[doc]) {
      folded[doc] = secs.map(function (s) { return [fold(s[1]), fold(s[2])]; });
    }
    return { raw: [m[0], m[1], m[2], secs || []], f: { title: titleOf(doc), sections: folded[doc] || [] } };
  }

  function count(hay, needle) {
    var n = 0, i = hay.indexOf(needle);
    while (i >= 0 && n < 5) { n++; i = hay.indexOf(needle, i + needle.length); }
    return n;
  }

  // Does `needle` occur in `hay` at word boundaries: not preceded by a word character when it
  // starts with one, not followed by one when it ends with one ("201" in "201年", not "2018")?
  function wholeIn(hay, needle) {
    var chars = Array.from(needle);
    var starts = isWordChar(chars[0]), ends = isWordChar(chars[chars.length - 1]);
    var i = hay.indexOf(needle);
    while (i >= 0) {
      var before = i > 0 ? hay.charAt(i - 1) : "";
      if (/[\uDC00-\uDFFF]/.test(before) && i > 1) before = hay.slice(i - 2, i);
      var after = Array.from(hay.slice(i + needle.length, i + needle.length + 2))[0] || "";
      if (!(starts && before && isWordChar(before)) && !(ends && after && isWordChar(after))) return true;
      i = hay.indexOf(needle, i + 1);
    }
    return false;
  }

  function allTokens(hay, term) {
    return term.tokens.every(function (t) { return hay.indexOf(t) >= 0; });
  }

  // Are the terms within `span` characters of one another somewhere in `hay`?
  function near(hay, terms, span) {
    var first = terms[0].text, i = hay.indexOf(first);
    while (i >= 0) {
      var lo = Math.max(0, i - span), window = hay.slice(lo, i + first.length + span);
      if (terms.every(function (t) { return window.indexOf(t.text) >= 0; })) return true;
      i = hay.indexOf(first, i + 1);
    }
    return false;
  }

  // Exact score of one document on its text: returns {score, section}.
  function rank(doc, terms) {
    var data = docData(doc), f = data.f, present = 0, fieldScore = 0;
    var best = -1, bestScore = -1;
    var termLevel = terms.map(function () { return 0; });
    var whole = terms.map(function () { return false; });
    terms.forEach(function (t, k) {
      if (f.title.indexOf(t.text) >= 0) termLevel[k] = W_TITLE;
      if (wholeIn(f.title, t.text)) whole[k] = true;
    });
    f.sections.forEach(function (s, i) {
      var sc = 0, inSection = 0;
      terms.forEach(function (t, k) {
        var w = 0;
        if (!whole[k] && (wholeIn(s[0], t.text) || wholeIn(s[1], t.text))) whole[k] = true;
        if (s[0].indexOf(t.text) >= 0) w = W_HEADING;
        else if (s[1].indexOf(t.text) >= 0) w = W_BODY + count(s[1], t.text);
        else if (allTokens(s[1], t) || allTokens(s[0], t)) w = W_SCATTERED;
        if (w > 0) inSection++;
        sc += w;
        if (w > termLevel[k]) termLevel[k] = w;
      });
      if (inSection === terms.length && terms.length > 1) {
        sc += 50;
        var joined = terms.map(function (t) { return t.text; }).join("");
        if (s[1].indexOf(joined) >= 0 || s[0].indexOf(joined) >= 0) sc += W_ADJACENT * 2;
        else if (near(s[1], terms, 30)) sc += W_ADJACENT;
      }
      if (sc > bestScore) { bestScore = sc; best = i; }
    });
    var wholeTerms = 0;
    termLevel.forEach(function (w, k) {
      if (w > 0) { present++; fieldScore += w; if (whole[k]) wholeTerms++; }
    });
    var score = present * 10000 + wholeTerms * 1000 + fieldScore + Math.max(0, bestScore);
    return { doc: doc, score: score, section: best, present: present };
  }

  // Runs a query; resolves to {results, total} (results: at most SHOWN, best first). When
  // given, `partial` is called first with the results ranked from the index alone.
  function query(q, partial) {
    var terms = parseQuery(q);
    if (!terms.length) return Promise.resolve({ results: [], total: 0, terms: terms });
    return loadManifest().then(function () {
      var need = {};
      terms.forEach(function (t) { t.tokens.forEach(function (tok) { need[shardOf(tok)] = 1; }); });
      return Promise.all(Object.keys(need).map(function (n) {
        return loadScript(base + "i/" + n + ".js");
      }));
    }).then(function () {
      var c = coarse(terms);
      var cand = c.docs.slice(0, CANDIDATES);
      if (partial) {
        partial({
          results: cand.slice(0, SHOWN).map(function (d) {
            return describe({ doc: d, score: c.score[d], section: -1 }, terms);
          }),
          total: c.docs.length,
          terms: terms
        });
      }
      var need = {};
      cand.forEach(function (d) { need[chunkOf(d)] = 1; });
      return Promise.all(Object.keys(need).map(function (n) {
        return loadScript(base + "d/" + n + ".js");
      })).then(function () {
        var ranked = cand.map(function (d) { return rank(d, terms); })
          .filter(function (r) { return r.present > 0; });
        ranked.sort(function (x, y) { return y.score - x.score || x.doc - y.doc; });
        return { results: ranked.slice(0, SHOWN).map(function (r) { return describe(r, terms); }), total: c.docs.length, terms: terms };
      });
    });
  }

  // ---------------------------------------------------------------- snippets
  // Ranges [start, end) of the terms (or, for terms not found as written, their tokens) in
  // folded text, merged.
  function marks(f, terms) {
    var ranges = [];
    terms.forEach(function (t) {
      var needles = f.indexOf(t.text) >= 0 ? [t.text] : t.tokens;
      needles.forEach(function (nd) {
        if (!nd) return;
        var i = f.indexOf(nd);
        while (i >= 0) { ranges.push([i, i + nd.length]); i = f.indexOf(nd, i + nd.length); }
      });
    });
    ranges.sort(function (x, y) { return x[0] - y[0]; });
    var out = [];
    ranges.forEach(function (r) {
      var last = out[out.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else out.push([r[0], r[1]]);
    });
    return out;
  }

  var BEFORE = 24, LENGTH = 96;

  function snippet(text, f, terms) {
    var ms = marks(f, terms);
    var at = ms.length ? ms[0][0] : 0;
    var start = Math.max(0, at - BEFORE);
    var nl = text.lastIndexOf("\n", at);
    if (nl >= start) start = nl + 1;
    var end = Math.min(text.length, start + LENGTH);
    var nl2 = text.indexOf("\n", at);
    if (nl2 >= 0 && nl2 < end && nl2 > at) end = nl2;
    return {
      text: text.slice(start, end),
      marks: ms.filter(function (m) { return m[1] > start && m[0] < end; }).map(function (m) {
        return [Math.max(m[0], start) - start, Math.min(m[1], end) - start];
      }),
      cutStart: start > 0,
      cutEnd: end < text.length
    };
  }

  function describe(r, terms) {
    var data = docData(r.doc), raw = data.raw, sec = raw[3][r.section], fs = data.f.sections[r.section];
    var href = root + raw[2];
    var snip = { text: "", marks: [] }, heading = "";
    if (sec) {
      if (sec[0]) href += "#" + sec[0];
      heading = sec[1];
      snip = snippet(sec[2], fs[1], terms);
    }
    return {
      doc: r.doc,
      title: raw[0],
      titleMarks: marks(data.f.title, terms),
      topic: raw[1] >= 0 ? manifest.topics[raw[1]][0] : "",
      heading: heading,
      headingMarks: sec ? marks(fs[0], terms) : [],
      href: href,
      snippet: snip,
      score: r.score
    };
  }

  api.query = query;
  api.load = loadManifest;
  api.fold = fold;
  api.tokens = termTokens;

  if (!box) return;

  // ---------------------------------------------------------------- the box
  var input = box.querySelector("input");
  var list = box.querySelector("[role=listbox]");
  var status = box.querySelector(".search-status");
  var panel = box.querySelector(".search-panel");
  var active = -1, seq = 0, shown = [];
  var t = window.studysite.t; // UI strings (reader.js)

  function text(s) { return document.createTextNode(s); }

  function marked(el, s, ms) {
    var at = 0;
    ms.forEach(function (m) {
      if (m[0] > at) el.appendChild(text(s.slice(at, m[0])));
      var mk = document.createElement("mark");
      mk.appendChild(text(s.slice(m[0], m[1])));
      el.appendChild(mk);
      at = m[1];
    });
    if (at < s.length) el.appendChild(text(s.slice(at)));
    return el;
  }

  // Closed with Esc: focus coming back (the window regaining focus, say) does not reopen the
  // results; typing or ArrowDown does.
  var dismissed = false;

  function setOpen(open) {
    panel.hidden = !open;
    input.setAttribute("aria-expanded", open && shown.length ? "true" : "false");
    if (!open) setActive(-1);
  }

  function setActive(i) {
    var items = list.querySelectorAll("[role=option]");
    if (active >= 0 && items[active]) items[active].setAttribute("aria-selected", "false");
    active = i;
    if (i >= 0 && items[i]) {
      items[i].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", items[i].id);
      items[i].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function para(s) {
    var el = document.createElement("p");
    el.textContent = s;
    return el;
  }

  function render(res, q) {
    shown = res.results;
    list.textContent = "";
    status.textContent = "";
    res.results.forEach(function (r, i) {
      // The link is the option itself (an option may not hold a link: axe nested-interactive);
      // the list item is only a wrapper.
      var li = document.createElement("li");
      li.setAttribute("role", "none");
      var a = document.createElement("a");
      a.id = "search-option-" + i;
      a.setAttribute("role", "option");
      a.setAttribute("aria-selected", "false");
      a.href = r.href;
      a.tabIndex = -1;
      var title = marked(document.createElement("span"), r.title, r.titleMarks);
      title.className = "search-title";
      a.appendChild(title);
      var meta = document.createElement("span");
      meta.className = "search-meta";
      if (r.topic) meta.appendChild(text(r.topic));
      if (r.heading) {
        if (r.topic) meta.appendChild(text(t("sep_path")));
        marked(meta, r.heading, r.headingMarks);
      }
      if (meta.childNodes.length) a.appendChild(meta);
      if (r.snippet.text) {
        var sn = document.createElement("span");
        sn.className = "search-snippet";
        if (r.snippet.cutStart) sn.appendChild(text("…"));
        marked(sn, r.snippet.text, r.snippet.marks);
        if (r.snippet.cutEnd) sn.appendChild(text("…"));
        a.appendChild(sn);
      }
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = !res.results.length;
    if (!res.results.length) {
      status.appendChild(para(t("search_no_results", { query: q.trim() })));
      var hint = para(t("search_hint"));
      hint.className = "search-hint";
      status.appendChild(hint);
    } else {
      var total = res.total > res.results.length ? "search_some_results" : "search_all_results";
      status.appendChild(text(t(total, { shown: res.results.length, total: res.total })));
    }
    box.classList.toggle("no-results", !res.results.length);
    setOpen(true);
    setActive(-1);
  }

  function update() {
    var q = input.value, my = ++seq, t0 = performance.now();
    dismissed = false;
    box.removeAttribute("data-done");
    if (!q.trim()) { shown = []; list.textContent = ""; status.textContent = ""; setOpen(false); return Promise.resolve(); }
    box.classList.add("busy");
    return query(q, function (first) {
      if (my !== seq || !first.results.length) return;
      render(first, q);
      api.firstMs = performance.now() - t0;
    }).then(function (res) {
      if (my !== seq) return;
      var keep = active;
      render(res, q);
      if (keep >= 0) setActive(Math.min(keep, res.results.length - 1));
      api.lastMs = performance.now() - t0;
      if (!res.results.length) api.firstMs = api.lastMs;
      box.classList.remove("busy");
      box.setAttribute("data-done", q);
    }, function () {
      if (my !== seq) return;
      box.classList.remove("busy");
      shown = []; list.textContent = ""; list.hidden = true;
      status.textContent = "";
      status.appendChild(para(t("search_unavailable", { query: q })));
      setOpen(true);
    });
  }
  api.update = function (q) { input.value = q; return update(); };

  input.addEventListener("input", update);
  input.addEventListener("focus", function () {
    loadManifest().catch(function () {});
    if (input.value.trim() && !dismissed && (list.children.length || status.textContent)) setOpen(true);
  });
  input.addEventListener("keydown", function (e) {
    var n = list.children.length;
    if (e.key === "ArrowDown") {
      e.preventDefault();
      if (panel.hidden && input.value.trim()) { dismissed = false; setOpen(true); }
      if (n) setActive((active + 1) % n);
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      if (n) setActive(active <= 0 ? n - 1 : active - 1);
    } else if (e.key === "Enter") {
      var i = active >= 0 ? active : 0;
      if (shown[i]) { e.preventDefault(); location.href = list.children[i].querySelector("a").href; }
    } else if (e.key === "Escape") {
      if (!panel.hidden) { e.preventDefault(); dismissed = true; setOpen(false); }
      else if (input.value) { e.preventDefault(); input.value = ""; update(); }
    }
  });
  list.addEventListener("mousedown", function (e) { e.preventDefault(); });
  // Close when focus moves elsewhere on the page (not when the window itself loses focus: the
  // input stays the active element then).
  box.addEventListener("focusout", function () {
    setTimeout(function () {
      if (!box.contains(document.activeElement)) setOpen(false);
    }, 0);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" && e.key !== "s") return;
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    var target = e.target, tag = target && target.tagName;
    if (target && (target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT")) return;
    e.preventDefault();
    input.focus();
    input.select();
  });
  // "按 / 键" only where there is a keyboard to press it on (a fine pointer that hovers).
  if (window.matchMedia && window.matchMedia("(hover: hover) and (pointer: fine)").matches) {
    input.setAttribute("placeholder", t("search_placeholder_keyboard"));
  }
  box.classList.add("ready");
})();
