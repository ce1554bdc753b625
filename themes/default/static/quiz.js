/* Quizzes: renders the quiz embedded in <script type="application/json" id="quiz-data"> (made by
 * the build, see src/quiz/) into native form controls — radio buttons, checkboxes and text
 * inputs in fieldsets with legends, so everything works from the keyboard — grades it in the
 * browser, shows right/wrong with the explanation and a link to the source passage, announces
 * the score in an aria-live region, and saves answers and scores through progress.js.
 * Prompts, options and explanations arrive as HTML rendered (and escaped) by the build.
 * Vanilla JS, no network: works from file://. UI strings, separators included, come from
 * studysite.t() (reader.js). */
(function () {
  "use strict";
  var dataEl = document.getElementById("quiz-data");
  var app = document.querySelector("[data-quiz-app]");
  if (!dataEl || !app) return;
  var quiz;
  try {
    quiz = JSON.parse(dataEl.textContent);
  } catch (e) {
    return;
  }
  if (!quiz || !Array.isArray(quiz.questions)) return;
  /* A large quiz is drawn: quiz.draw = {count, first, end, chunk} names the site-wide question
   * numbers first..end, whose bodies are in the data files quiz/q<n / chunk>.js; each attempt
   * loads (once) the files of the questions it draws. Script elements, not fetch: file:// works. */
  var pool = quiz.draw || null;
  if (!quiz.questions.length && !pool) return;

  var P = window.StudysiteProgress || null;
  var root = document.body.getAttribute("data-root") || "";
  var t = window.studysite.t;

  /* Trims and folds full-width ASCII and the ideographic space, as the build does. */
  function fold(s) {
    return String(s)
      .replace(/[\uFF01-\uFF5E]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); })
      .replace(/\u3000/g, " ")
      .trim();
  }

  function shuffled(arr) {
    var a = arr.slice();
    for (var i = a.length - 1; i > 0; i--) {
      var j = Math.floor(Math.random() * (i + 1));
      var x = a[i];
      a[i] = a[j];
      a[j] = x;
    }
    return a;
  }

  function range(n) {
    var a = [];
    for (var i = 0; i < n; i++) a.push(i);
    return a;
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (attrs[k] !== null && attrs[k] !== undefined) e.setAttribute(k, attrs[k]);
      });
    }
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /* HTML from the build (already escaped there). */
  function html(tag, cls, markup) {
    var e = el(tag, { class: cls });
    e.innerHTML = markup;
    return e;
  }

  var chunks = {};
  window.__studysiteQuiz = function (k, qs) { chunks[k] = qs; };

  /* pool.count distinct question numbers of first..end, ascending. */
  function drawNumbers() {
    var n = pool.end - pool.first;
    var picked = {};
    var out = [];
    while (out.length < Math.min(pool.count, n)) {
      var x = pool.first + Math.floor(Math.random() * n);
      if (!picked[x]) {
        picked[x] = true;
        out.push(x);
      }
    }
    return out.sort(function (a, b) { return a - b; });
  }

  function loadChunk(k, done) {
    if (chunks[k]) return done(true);
    var s = document.createElement("script");
    s.src = root + "quiz/q" + k + ".js";
    s.onload = function () { done(!!chunks[k]); };
    s.onerror = function () { done(false); };
    document.head.appendChild(s);
  }

  /* Runs then() with quiz.questions set: at once for a quiz that is not drawn, else after a
   * fresh draw's data files are loaded. */
  function prepare(then) {
    if (!pool) return then();
    var numbers = drawNumbers();
    var needed = [];
    numbers.forEach(function (x) {
      var k = Math.floor(x / pool.chunk);
      if (needed.indexOf(k) < 0) needed.push(k);
    });
    var left = needed.length;
    var failed = false;
    needed.forEach(function (k) {
      loadChunk(k, function (ok) {
        if (!ok) failed = true;
        left -= 1;
        if (left) return;
        if (failed) {
          app.textContent = "";
          app.appendChild(el("p", { class: "quiz-unavailable" }, t("quiz_unavailable")));
          return;
        }
        quiz.questions = numbers.map(function (x) {
          return chunks[Math.floor(x / pool.chunk)][x % pool.chunk];
        });
        then();
      });
    });
  }

  var LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  var attempt = null; /* {order: [question index], options: {qi: [original option index by position]}} */
  var form, submitBtn, retryBtn, results, history;

  function newAttempt() {
    var order = range(quiz.questions.length);
    if (quiz.shuffle_questions) order = shuffled(order);
    var options = {};
    quiz.questions.forEach(function (q, qi) {
      var n = q.type === "single" || q.type === "multiple" ? q.options.length : 0;
      options[qi] = q.shuffle ? shuffled(range(n)) : range(n);
    });
    attempt = { order: order, options: options, started: new Date().toISOString() };
  }

  function totalPoints() {
    return quiz.questions.reduce(function (s, q) { return s + q.points; }, 0);
  }

  function showHistory() {
    if (!P || !history) return;
    var h = P.quiz(quiz.id);
    history.textContent = h ? t("quiz_history", { best: h.best, last: h.last, time: P.formatTime(h.time) }) : "";
    history.hidden = !h;
  }

  /* The reader's answer to question q from its fieldset: array of option indexes, boolean,
   * array of strings, or null when unanswered. */
  function collect(q, fs) {
    if (q.type === "single" || q.type === "multiple") {
      var picked = [];
      fs.querySelectorAll("input[data-option]").forEach(function (i) {
        if (i.checked) picked.push(Number(i.value));
      });
      picked.sort(function (a, b) { return a - b; });
      return picked.length ? picked : null;
    }
    if (q.type === "truefalse") {
      var c = fs.querySelector("input[data-tf]:checked");
      return c ? c.value === "true" : null;
    }
    var vals = [];
    fs.querySelectorAll("input[data-blank]").forEach(function (i) { vals.push(i.value); });
    return vals.some(function (v) { return fold(v) !== ""; }) ? vals : null;
  }

  function isCorrect(q, v) {
    if (v === null) return false;
    if (q.type === "single" || q.type === "multiple") {
      return v.length === q.answer.length && v.every(function (x, i) { return x === q.answer[i]; });
    }
    if (q.type === "truefalse") return v === q.answer;
    return q.answer.every(function (accepted, i) {
      var given = fold(v[i] || "");
      return given !== "" && accepted.some(function (a) { return fold(a) === given; });
    });
  }

  function restore(q, fs, v) {
    if (v === null || v === undefined) return;
    if (q.type === "single" || q.type === "multiple") {
      if (!Array.isArray(v)) return;
      fs.querySelectorAll("input[data-option]").forEach(function (i) {
        i.checked = v.indexOf(Number(i.value)) >= 0;
      });
    } else if (q.type === "truefalse") {
      var i = fs.querySelector('input[data-tf][value="' + (v ? "true" : "false") + '"]');
      if (i) i.checked = true;
    } else if (Array.isArray(v)) {
      fs.querySelectorAll("input[data-blank]").forEach(function (inp, k) {
        inp.value = typeof v[k] === "string" ? v[k] : "";
      });
    }
  }

  function renderQuestion(q, qi, n) {
    var fs = el("fieldset", { class: "quiz-question quiz-" + q.type, id: "quiz-q-" + (n + 1), "data-qid": q.id, "data-index": qi });
    var legend = el("legend");
    legend.appendChild(el("span", { class: "q-number" }, t("quiz_question", { n: n + 1 })));
    legend.appendChild(el("span", { class: "q-type" }, t("quiz_type_" + q.type)));
    if (q.type !== "fill") legend.appendChild(html("span", "q-prompt", q.prompt));
    fs.appendChild(legend);
    var name = "quiz-" + (n + 1);
    if (q.type === "fill") {
      var p = el("p", { class: "q-prompt q-fill" });
      var parts = q.parts || [q.prompt];
      parts.forEach(function (part, k) {
        p.appendChild(html("span", "q-part", part));
        if (k < parts.length - 1) {
          var inp = el("input", {
            type: "text", class: "q-blank", "data-blank": k, autocomplete: "off", spellcheck: "false",
            "aria-label": t("quiz_question", { n: n + 1 }) + " " + t("quiz_blank", { n: k + 1 })
          });
          p.appendChild(inp);
        }
      });
      fs.appendChild(p);
    } else if (q.type === "truefalse") {
      var tf = el("div", { class: "q-options" });
      [true, false].forEach(function (b) {
        var label = el("label", { class: "q-option" });
        label.appendChild(el("input", { type: "radio", name: name, value: String(b), "data-tf": "" }));
        label.appendChild(el("span", { class: "q-option-text" }, b ? t("quiz_true") : t("quiz_false")));
        tf.appendChild(label);
      });
      fs.appendChild(tf);
    } else {
      var opts = el("div", { class: "q-options" });
      attempt.options[qi].forEach(function (oi, pos) {
        var label = el("label", { class: "q-option" });
        label.appendChild(el("input", { type: q.type === "single" ? "radio" : "checkbox", name: name, value: String(oi), "data-option": "" }));
        label.appendChild(el("span", { class: "q-letter" }, LETTERS.charAt(pos) + "."));
        label.appendChild(html("span", "q-option-text", q.options[oi]));
        opts.appendChild(label);
      });
      fs.appendChild(opts);
    }
    if (quiz.kind !== "unit" && q.unit_title) {
      fs.appendChild(el("p", { class: "q-from" }, t("quiz_from_unit", { title: q.unit_title })));
    }
    fs.appendChild(el("div", { class: "q-feedback", hidden: "" }));
    if (P) restore(q, fs, P.answer(q.id, q.hash));
    return fs;
  }

  /* The right answer, as the reader saw the options in this attempt. */
  function rightAnswer(q, qi) {
    if (q.type === "truefalse") return q.answer ? t("quiz_true") : t("quiz_false");
    if (q.type === "fill") {
      return q.answer.map(function (alts) { return alts[0]; }).join(t("sep_long_list"));
    }
    var order = attempt.options[qi];
    return q.answer
      .map(function (oi) { return order.indexOf(oi); })
      .sort(function (a, b) { return a - b; })
      .map(function (pos) { return LETTERS.charAt(pos); })
      .join(t("sep_list"));
  }

  /* Marks each option in place after grading: the learner's choice and the right options, each
   * with a symbol and words (quiz_mark_*), never by colour alone. */
  function markOptions(q, fs, v) {
    var chosen = [];
    if (q.type === "truefalse") {
      if (v !== null) chosen = [v];
    } else if (v !== null) {
      chosen = v;
    }
    var right = q.type === "truefalse" ? [q.answer] : q.answer;
    fs.querySelectorAll(".q-option").forEach(function (label) {
      var input = label.querySelector("input");
      var value = q.type === "truefalse" ? input.value === "true" : Number(input.value);
      var isRight = right.indexOf(value) >= 0;
      var isChosen = chosen.indexOf(value) >= 0;
      var key = isRight ? (isChosen ? "quiz_mark_right_chosen" : "quiz_mark_right") : (isChosen ? "quiz_mark_wrong_chosen" : "");
      label.classList.toggle("is-answer", isRight);
      label.classList.toggle("is-chosen", isChosen);
      label.classList.toggle("is-wrong-choice", isChosen && !isRight);
      if (key) {
        label.setAttribute("data-mark", isRight ? (isChosen ? "right-chosen" : "right") : "wrong-chosen");
        /* Under the option's text, so a long option keeps its width on a phone. */
        label.querySelector(".q-option-text").appendChild(el("span", { class: "q-mark" }, t(key)));
      }
    });
  }

  /* For a fill-in question: what was typed in each blank against the accepted answers. */
  function fillReview(q, fs, v) {
    var list = el("ul", { class: "q-fill-review" });
    var inputs = fs.querySelectorAll("input[data-blank]");
    q.answer.forEach(function (accepted, k) {
      var typed = v && typeof v[k] === "string" ? v[k] : "";
      var ok = fold(typed) !== "" && accepted.some(function (a) { return fold(a) === fold(typed); });
      if (inputs[k]) inputs[k].classList.add(ok ? "is-right" : "is-wrong");
      var li = el("li", { "data-mark": ok ? "right" : "wrong" });
      li.appendChild(el("span", { class: "q-blank-name" }, t("quiz_blank", { n: k + 1 })));
      li.appendChild(el("span", { class: "q-typed" }, t("quiz_fill_typed") + (fold(typed) === "" ? t("quiz_fill_empty") : typed)));
      li.appendChild(el("span", { class: "q-mark" }, ok ? t("quiz_mark_right") : t("quiz_mark_wrong")));
      li.appendChild(el("span", { class: "q-accepted" }, t("quiz_fill_accepted") + accepted.join(t("sep_list"))));
      list.appendChild(li);
    });
    return list;
  }

  /* The shown numbers of the questions left without an answer. */
  function unanswered() {
    var out = [];
    attempt.order.forEach(function (qi, n) {
      var fs = form.querySelector("#quiz-q-" + (n + 1));
      if (collect(quiz.questions[qi], fs) === null) out.push(n + 1);
    });
    return out;
  }

  /* Asks in the page (not window.confirm, which some in-app browsers suppress or head with the
   * page's address, and which stops every script) before grading with questions left blank. */
  function confirmBlanks(blank) {
    closeConfirm();
    var box = el("div", { class: "quiz-confirm", role: "alert" });
    box.appendChild(el("p", { class: "quiz-confirm-text" }, t("quiz_confirm_blank", { count: blank.length })));
    var which = el("p", { class: "quiz-confirm-which" }, t("quiz_confirm_which"));
    blank.forEach(function (n, k) {
      if (k) which.appendChild(document.createTextNode(t("sep_list")));
      which.appendChild(el("a", { href: "#quiz-q-" + n, "data-goto": String(n) }, t("quiz_question", { n: n })));
    });
    box.appendChild(which);
    var go = el("button", { type: "button", class: "quiz-confirm-submit" }, t("quiz_confirm_submit"));
    var back = el("button", { type: "button", class: "quiz-confirm-back" }, t("quiz_confirm_back"));
    var row = el("div", { class: "quiz-confirm-actions" });
    row.appendChild(go);
    row.appendChild(back);
    box.appendChild(row);
    go.addEventListener("click", function () {
      closeConfirm();
      grade();
    });
    function focusQuestion(n) {
      var input = form.querySelector("#quiz-q-" + n + " input");
      closeConfirm();
      if (input) input.focus();
    }
    back.addEventListener("click", function () { focusQuestion(blank[0]); });
    which.addEventListener("click", function (e) {
      var a = e.target.closest ? e.target.closest("a[data-goto]") : null;
      if (!a) return;
      e.preventDefault();
      focusQuestion(a.getAttribute("data-goto"));
    });
    form.insertBefore(box, form.querySelector(".quiz-actions"));
    go.focus();
  }

  function closeConfirm() {
    var box = form.querySelector(".quiz-confirm");
    if (box) box.parentNode.removeChild(box);
  }

  function grade() {
    var score = 0;
    var total = 0;
    var right = 0;
    var blank = 0;
    var given = [];
    attempt.order.forEach(function (qi, n) {
      var q = quiz.questions[qi];
      var fs = form.querySelector("#quiz-q-" + (n + 1));
      var v = collect(q, fs);
      var ok = isCorrect(q, v);
      total += q.points;
      if (ok) {
        score += q.points;
        right += 1;
      }
      if (v === null) blank += 1;
      if (P) P.setAnswer(q.id, q.hash, v);
      given.push({ id: q.id, hash: q.hash, answer: v });
      fs.setAttribute("data-result", ok ? "correct" : "wrong");
      fs.classList.add(ok ? "is-correct" : "is-wrong");
      /* Locked, not disabled: a disabled box is drawn faint grey (1.5:1), and what was ticked
       * must stay plain to see. Clicks on a locked box are undone (see render). */
      fs.querySelectorAll("input").forEach(function (i) {
        i.setAttribute("aria-disabled", "true");
        i.setAttribute("data-locked", "");
        if (i.type === "text") i.readOnly = true;
      });
      if (q.type !== "fill") markOptions(q, fs, v);
      var fb = fs.querySelector(".q-feedback");
      fb.textContent = "";
      fb.appendChild(el("p", { class: "q-verdict" }, ok ? t("quiz_correct") : (v === null ? t("quiz_unanswered") : t("quiz_wrong"))));
      if (q.type === "fill") fb.appendChild(fillReview(q, fs, v));
      if (!ok) {
        var ra = el("p", { class: "q-right-answer" }, t("quiz_right_answer"));
        ra.appendChild(el("strong", null, rightAnswer(q, qi)));
        fb.appendChild(ra);
      }
      if (q.explanation) {
        var ex = el("div", { class: "q-explanation" });
        ex.appendChild(el("p", { class: "q-explanation-label" }, t("quiz_explanation")));
        ex.appendChild(html("div", "q-explanation-body", q.explanation));
        fb.appendChild(ex);
      }
      if (q.source) {
        var sp = el("p", { class: "q-source" });
        sp.appendChild(el("a", { href: root + q.source.href, class: "q-source-link" }, t("quiz_source_link", { title: q.source.title })));
        fb.appendChild(sp);
      }
      fb.hidden = false;
    });
    var percent = total ? Math.round((score * 100) / total) : 0;
    var passed = percent >= quiz.pass_mark;
    if (P) P.recordAttempt(quiz.id, { percent: percent, score: score, total: total, passed: passed });
    /* For `serve --collect` only: its collect.js listens; nothing else does, nothing is sent. */
    document.dispatchEvent(new CustomEvent("studysite:attempt", { detail: {
      quiz: quiz.id, started: attempt.started, finished: new Date().toISOString(),
      score: score, total: total, answers: given
    } }));
    results.textContent = "";
    results.setAttribute("data-percent", String(percent));
    results.setAttribute("data-passed", passed ? "true" : "false");
    results.classList.toggle("is-passed", passed);
    /* A unit's quiz sits under its h2 (自测题); a quiz page's under the page's h1. */
    results.appendChild(el(quiz.kind === "unit" ? "h3" : "h2", { class: "quiz-results-title" }, t("quiz_results")));
    results.appendChild(el("p", { class: "quiz-score" }, t("quiz_score", { score: score, total: total, percent: percent })));
    results.appendChild(el("p", { class: "quiz-counts" }, t("quiz_counts", { right: right, wrong: attempt.order.length - right - blank, blank: blank })));
    results.appendChild(el("p", { class: "quiz-verdict" }, passed ? t("quiz_passed") : t("quiz_failed", { pass: quiz.pass_mark })));
    submitBtn.hidden = true;
    retryBtn.hidden = false;
    showHistory();
    results.focus();
  }

  function render(focusFirst) {
    newAttempt();
    /* The attempt's questions, for a theme's own scripts (and tests): studysite.quiz. */
    window.studysite.quiz = quiz;
    app.textContent = "";
    app.appendChild(el("p", { class: "quiz-meta" }, t("quiz_meta", { count: quiz.questions.length, total: totalPoints(), pass: quiz.pass_mark })));
    if (pool) {
      app.appendChild(el("p", { class: "quiz-drawn", "data-pool": pool.end - pool.first }, t("quiz_drawn", { count: quiz.questions.length, pool: pool.end - pool.first })));
    }
    history = el("p", { class: "quiz-history" });
    app.appendChild(history);
    showHistory();
    form = el("form", { class: "quiz-form", novalidate: "" });
    attempt.order.forEach(function (qi, n) {
      form.appendChild(renderQuestion(quiz.questions[qi], qi, n));
    });
    /* The score summary comes first, then 重新作答. The live region exists (empty) from the
     * start so screen readers announce what is put in it. */
    results = el("div", { class: "quiz-results", role: "status", "aria-live": "polite", tabindex: "-1" });
    form.appendChild(results);
    var actions = el("div", { class: "quiz-actions" });
    submitBtn = el("button", { type: "submit", class: "quiz-submit" }, t("quiz_submit"));
    retryBtn = el("button", { type: "button", class: "quiz-retry", hidden: "" }, t("quiz_retry"));
    actions.appendChild(submitBtn);
    actions.appendChild(retryBtn);
    form.appendChild(actions);
    app.appendChild(form);

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var blank = unanswered();
      if (blank.length) confirmBlanks(blank);
      else grade();
    });
    form.addEventListener("click", function (e) {
      if (e.target && e.target.hasAttribute && e.target.hasAttribute("data-locked")) e.preventDefault();
    });
    form.addEventListener("change", saveFrom);
    form.addEventListener("input", saveFrom);
    retryBtn.addEventListener("click", function () {
      if (P) {
        quiz.questions.forEach(function (q) { P.setAnswer(q.id, q.hash, null); });
      }
      prepare(function () { render(true); });
    });
    if (focusFirst) {
      var first = form.querySelector("input");
      if (first) first.focus();
    }
  }

  function saveFrom(e) {
    if (!P) return;
    var fs = e.target && e.target.closest ? e.target.closest("fieldset[data-index]") : null;
    if (!fs) return;
    var q = quiz.questions[Number(fs.getAttribute("data-index"))];
    P.setAnswer(q.id, q.hash, collect(q, fs));
  }

  prepare(function () { render(false); });
})();
