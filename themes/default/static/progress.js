/* Learner progress, kept in this browser's localStorage under one key per site
 * ("studysite:<site key>:progress", the key from <body data-site-key>), so two sites opened
 * from one USB stick never mix. What is kept:
 *   read:    unit key -> ISO time the unit was marked read (the reader scrolled to the end of
 *            the unit, or pressed 已学完; a unit whose end shows on opening needs 已学完)
 *   quizzes: quiz id ("unit:<topic>/<unit>", "topic:<slug>", "final") -> best, last (percent),
 *            score, total, attempts, passed (ever), time of the last attempt
 *   answers: "<question id>@<content hash>" -> the reader's last answer (an edited question has
 *            a new hash, so a stale answer is never restored)
 * Export writes that document to a JSON file (Blob download); import reads one (FileReader, so it
 * works from file://), refuses another site's file or a damaged one without changing anything,
 * and merges the rest. No network, no framework. Exposes window.StudysiteProgress for quiz.js. */
(function () {
  "use strict";
  var body = document.body;
  var siteKey = body.getAttribute("data-site-key") || "site";
  var STORE = "studysite:" + siteKey + ":progress";
  var FORMAT = "studysite-progress";
  var VERSION = 1;

  var t = window.studysite.t; /* UI strings (reader.js) */

  function empty() {
    return { format: FORMAT, version: VERSION, site: siteKey, read: {}, quizzes: {}, answers: {} };
  }

  function isPlainObject(v) {
    return v !== null && typeof v === "object" && !Array.isArray(v);
  }

  function isPercent(v) {
    return typeof v === "number" && isFinite(v) && v >= 0 && v <= 100;
  }

  /* Checks a progress document; returns "" when sound, else "damaged" or "wrong-site". */
  function problem(d) {
    if (!isPlainObject(d) || d.format !== FORMAT || d.version !== VERSION) return "damaged";
    if (typeof d.site !== "string") return "damaged";
    if (!isPlainObject(d.read) || !isPlainObject(d.quizzes) || !isPlainObject(d.answers)) return "damaged";
    var ok = Object.keys(d.read).every(function (k) {
      return typeof d.read[k] === "string" && !isNaN(Date.parse(d.read[k]));
    });
    ok = ok && Object.keys(d.quizzes).every(function (k) {
      var q = d.quizzes[k];
      return isPlainObject(q) && isPercent(q.best) && isPercent(q.last) &&
        typeof q.time === "string" && !isNaN(Date.parse(q.time)) &&
        typeof q.passed === "boolean" && typeof q.attempts === "number" && q.attempts >= 1;
    });
    if (!ok) return "damaged";
    if (d.site !== siteKey) return "wrong-site";
    return "";
  }

  var storageOk = true;
  function load() {
    try {
      var raw = window.localStorage.getItem(STORE);
      if (!raw) return empty();
      var d = JSON.parse(raw);
      return problem(d) === "" ? d : empty();
    } catch (e) {
      storageOk = false;
      return empty();
    }
  }

  function save(d) {
    try {
      window.localStorage.setItem(STORE, JSON.stringify(d));
      storageOk = true;
    } catch (e) {
      storageOk = false;
    }
    refresh();
  }

  var now = function () { return new Date().toISOString(); };

  var api = {
    key: STORE,
    load: load,
    isRead: function (unit) { return !!load().read[unit]; },
    markRead: function (unit) {
      var d = load();
      if (!d.read[unit]) {
        d.read[unit] = now();
        save(d);
        /* For `serve --collect` only: its collect.js listens; nothing is sent otherwise. */
        document.dispatchEvent(new CustomEvent("studysite:read", { detail: { unit: unit, time: d.read[unit] } }));
      }
    },
    quiz: function (id) { return load().quizzes[id] || null; },
    /* Records an attempt: percent 0-100, score and total in points, passed per the pass mark. */
    recordAttempt: function (id, r) {
      var d = load();
      var q = d.quizzes[id] || { best: 0, last: 0, attempts: 0, passed: false };
      q.last = r.percent;
      q.best = Math.max(q.attempts ? q.best : 0, r.percent);
      q.score = r.score;
      q.total = r.total;
      q.attempts += 1;
      q.passed = q.passed || !!r.passed;
      q.time = now();
      d.quizzes[id] = q;
      save(d);
      return q;
    },
    answer: function (qid, hash) {
      var v = load().answers[qid + "@" + hash];
      return v === undefined ? null : v;
    },
    setAnswer: function (qid, hash, value) {
      var d = load();
      var k = qid + "@" + hash;
      if (value === null || value === undefined) delete d.answers[k];
      else d.answers[k] = value;
      save(d);
    },
    exportText: function () {
      var d = load();
      var title = document.querySelector(".site-title");
      d.site_title = title ? title.textContent.trim() : "";
      d.exported = now();
      /* The learner's name, when `serve --collect` asked it here (for `studysite report --import`). */
      try {
        var who = JSON.parse(window.localStorage.getItem("studysite:" + siteKey + ":learner") || "null");
        if (who && typeof who.name === "string" && who.name) {
          d.learner = { name: who.name, branch: who.branch || "", device: who.device || "" };
        }
      } catch (e) { /* no name: the export is as before */ }
      return JSON.stringify(d, null, 2);
    },
    /* Imports a file's text. Returns {ok, units, quizzes} or {ok:false, reason, title}. */
    importText: function (text) {
      var d;
      try {
        d = JSON.parse(text);
      } catch (e) {
        return { ok: false, reason: "damaged" };
      }
      var p = problem(d);
      if (p) return { ok: false, reason: p, title: (d && typeof d.site_title === "string") ? d.site_title : "" };
      var cur = load();
      Object.keys(d.read).forEach(function (k) {
        if (!cur.read[k] || d.read[k] < cur.read[k]) cur.read[k] = d.read[k];
      });
      Object.keys(d.quizzes).forEach(function (k) {
        var a = cur.quizzes[k], b = d.quizzes[k];
        if (!a) { cur.quizzes[k] = b; return; }
        var newer = b.time > a.time ? b : a;
        cur.quizzes[k] = {
          best: Math.max(a.best, b.best), last: newer.last, score: newer.score, total: newer.total,
          attempts: a.attempts + b.attempts, passed: a.passed || b.passed, time: newer.time
        };
      });
      Object.keys(d.answers).forEach(function (k) { cur.answers[k] = d.answers[k]; });
      save(cur);
      return { ok: storageOk, reason: storageOk ? "" : "storage", units: Object.keys(d.read).length, quizzes: Object.keys(d.quizzes).length };
    },
    reset: function () {
      try { window.localStorage.removeItem(STORE); } catch (e) { storageOk = false; }
      refresh();
    },
    storageOk: function () { return storageOk; },
    refresh: function () { refresh(); }
  };
  window.StudysiteProgress = api;

  function formatTime(iso) {
    var d = new Date(iso);
    try {
      return d.toLocaleString(document.documentElement.lang || undefined, { dateStyle: "medium", timeStyle: "short" });
    } catch (e) {
      return d.toLocaleString();
    }
  }
  api.formatTime = formatTime;

  /* ---- Badges and the end-of-unit controls, on every page that has them. ---- */
  function refreshBadges(d) {
    document.querySelectorAll("[data-progress-unit]").forEach(function (el) {
      var read = !!d.read[el.getAttribute("data-progress-unit")];
      el.querySelectorAll("[data-badge=read]").forEach(function (b) { b.hidden = !read; });
      el.classList.toggle("is-read", read);
    });
    document.querySelectorAll("[data-progress-quiz]").forEach(function (el) {
      var q = d.quizzes[el.getAttribute("data-progress-quiz")];
      var passed = !!(q && q.passed);
      el.querySelectorAll("[data-badge=passed]").forEach(function (b) { b.hidden = !passed; });
      el.classList.toggle("is-passed", passed);
    });
    document.querySelectorAll("[data-mark-read]").forEach(function (btn) {
      var read = !!d.read[btn.getAttribute("data-mark-read")];
      btn.textContent = read ? t("progress_marked_read") : t("progress_mark_read");
      btn.setAttribute("aria-pressed", read ? "true" : "false");
    });
  }

  document.querySelectorAll("[data-mark-read]").forEach(function (btn) {
    btn.addEventListener("click", function () { api.markRead(btn.getAttribute("data-mark-read")); });
  });

  /* The end of a unit: the reader scrolls it into view. An IntersectionObserver on the
   * sentinel, with a scroll check as a fallback for browsers (and throttled background tabs)
   * where the observer is late or absent. Whether the end was already in view when the page
   * opened is decided once the page has loaded (images can push it down): then it does not
   * count — a short unit is marked read by 已学完, not by being opened. */
  function inView(el) {
    var r = el.getBoundingClientRect();
    return r.top <= window.innerHeight && r.bottom >= 0;
  }

  function watchEnd(s, holder) {
    var done = false;
    var io = null;
    function reached() {
      if (done) return;
      done = true;
      api.markRead(holder.getAttribute("data-progress-unit"));
      if (io) io.disconnect();
      window.removeEventListener("scroll", onScroll);
    }
    function onScroll() {
      if (inView(s)) reached();
    }
    if ("IntersectionObserver" in window) {
      io = new IntersectionObserver(function (entries) {
        entries.forEach(function (e) {
          if (e.isIntersecting) reached();
        });
      });
      io.observe(s);
    }
    window.addEventListener("scroll", onScroll, { passive: true });
  }

  document.querySelectorAll("[data-read-sentinel]").forEach(function (s) {
    var holder = s.closest("[data-progress-unit]");
    if (!holder) return;
    function start() {
      if (inView(s) && window.scrollY === 0) return; /* a short unit: only 已学完 */
      watchEnd(s, holder);
    }
    if (document.readyState === "complete") start();
    else window.addEventListener("load", start);
  });

  /* ---- The 学习进度 page: its markup lists every topic, unit and quiz (data attributes);
   * this fills in states, bars and what is left, in one pass over the list. ---- */
  function quizState(q) {
    if (!q) return t("progress_quiz_not_taken");
    return (q.passed ? t("progress_quiz_passed") : t("progress_quiz_not_passed")) + t("sep_meta") +
      t("progress_best", { best: q.best });
  }

  function linkTo(href, text) {
    var a = document.createElement("a");
    a.setAttribute("href", href);
    a.textContent = text;
    return a;
  }

  function summaryText(s) {
    return t("progress_units_done", { done: s.unitsDone, total: s.units }) +
      (s.quizzes ? t("sep_clause") + t("progress_quizzes_done", { done: s.quizzesDone, total: s.quizzes }) : "");
  }

  /* The bar is named by its heading and described by the summary line (aria-labelledby and
   * aria-describedby in progress.html). */
  function setBar(bar, s) {
    if (!bar) return;
    bar.max = Math.max(1, s.units + s.quizzes);
    bar.value = s.unitsDone + s.quizzesDone;
  }

  function refreshPage(d) {
    var sections = document.querySelectorAll("section[data-progress-topic]");
    var finalState = document.querySelector('[data-quiz-state="final"]');
    if (!sections.length && !finalState) return;
    var all = { units: 0, unitsDone: 0, quizzes: 0, quizzesDone: 0 };
    sections.forEach(function (sec) {
      var s = { units: 0, unitsDone: 0, quizzes: 0, quizzesDone: 0 };
      var left = [];
      sec.querySelectorAll(".progress-units > li").forEach(function (li) {
        var a = li.querySelector("a");
        var title = a ? a.textContent : "";
        var unit = li.getAttribute("data-progress-unit");
        var quiz = li.getAttribute("data-progress-quiz");
        if (unit) {
          var read = !!d.read[unit];
          s.units += 1;
          li.classList.toggle("is-read", read);
          var st = li.querySelector("[data-unit-state]");
          if (st) st.textContent = read ? t("progress_read") : t("progress_not_read");
          if (read) s.unitsDone += 1;
          else if (a) left.push(linkTo(a.getAttribute("href"), title));
        }
        if (quiz) {
          var q = d.quizzes[quiz];
          var passed = !!(q && q.passed);
          s.quizzes += 1;
          li.classList.toggle("is-passed", passed);
          var qs = li.querySelector("[data-quiz-state]");
          if (qs) qs.textContent = quizState(q);
          if (passed) s.quizzesDone += 1;
          else if (unit && qs && qs.getAttribute("href")) left.push(linkTo(qs.getAttribute("href"), title + t("sep_meta") + t("quiz_heading")));
          else if (a) left.push(linkTo(a.getAttribute("href"), title));
        }
      });
      setBar(sec.querySelector("[data-progress-bar]"), s);
      var summary = sec.querySelector("[data-progress-summary]");
      if (summary) summary.textContent = summaryText(s);
      var leftEl = sec.querySelector("[data-progress-left]");
      if (leftEl) {
        leftEl.textContent = "";
        var p = document.createElement("p");
        p.textContent = left.length ? t("progress_left") : t("progress_all_done");
        leftEl.appendChild(p);
        if (left.length) {
          var ul = document.createElement("ul");
          left.forEach(function (link) {
            var item = document.createElement("li");
            item.appendChild(link);
            ul.appendChild(item);
          });
          leftEl.appendChild(ul);
        }
      }
      ["units", "unitsDone", "quizzes", "quizzesDone"].forEach(function (k) { all[k] += s[k]; });
    });
    if (finalState) {
      var fq = d.quizzes.final;
      all.quizzes += 1;
      if (fq && fq.passed) all.quizzesDone += 1;
      finalState.textContent = quizState(fq);
    }
    setBar(document.querySelector('[data-progress-bar="overall"]'), all);
    var os = document.querySelector('[data-progress-summary="overall"]');
    if (os) os.textContent = summaryText(all);
  }

  var statusEl = document.querySelector("[data-progress-status]");
  function status(msg, isError) {
    if (!statusEl) return;
    statusEl.textContent = msg;
    statusEl.classList.toggle("is-error", !!isError);
  }

  var exportBtn = document.querySelector("[data-progress-export]");
  if (exportBtn) {
    exportBtn.addEventListener("click", function () {
      var blob = new Blob([api.exportText()], { type: "application/json" });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = "progress-" + siteKey + "-" + new Date().toISOString().slice(0, 10) + ".json";
      a.hidden = true;
      document.body.appendChild(a);
      a.click();
      setTimeout(function () {
        URL.revokeObjectURL(a.href);
        a.remove();
      }, 1000);
    });
  }

  var importInput = document.querySelector("[data-progress-import]");
  if (importInput) {
    importInput.addEventListener("change", function () {
      var file = importInput.files && importInput.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        var r = api.importText(String(reader.result));
        if (r.ok) status(t("progress_import_done", { units: r.units, quizzes: r.quizzes }), false);
        else if (r.reason === "wrong-site") status(t("progress_import_wrong_site", { title: r.title || "?" }), true);
        else if (r.reason === "storage") status(t("progress_storage_unavailable"), true);
        else status(t("progress_import_damaged"), true);
        importInput.value = "";
      };
      reader.onerror = function () {
        status(t("progress_import_damaged"), true);
        importInput.value = "";
      };
      reader.readAsText(file);
    });
  }

  var resetBtn = document.querySelector("[data-progress-reset]");
  if (resetBtn) {
    resetBtn.addEventListener("click", function () {
      if (window.confirm(t("progress_reset_confirm"))) {
        api.reset();
        status(t("progress_reset_done"), false);
      }
    });
  }

  function refresh() {
    var d = load();
    refreshBadges(d);
    refreshPage(d);
    if (!storageOk) status(t("progress_storage_unavailable"), true);
  }

  window.addEventListener("storage", function (e) {
    if (e.key === STORE || e.key === null) refresh();
  });
  refresh();
})();
