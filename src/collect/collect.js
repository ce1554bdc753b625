/* serve --collect, the browser side. Served only by a collecting server, which adds it (and
 * #studysite-collect, its configuration) to every page it sends: a built site, from file:// or
 * another web server, never has it, so it never asks a name nor sends anything.
 *
 * - quiz.js fires "studysite:attempt" after each graded attempt, progress.js "studysite:read"
 *   when a unit is marked read; each becomes one record with a random attempt_id, put first
 *   into an outbox in localStorage ("studysite:<site key>:outbox"), then POSTed as JSON.
 * - The learner's name (and branch) is asked once, on the first record, and kept with a random
 *   device id under "studysite:<site key>:learner"; 学习进度 shows it (with 更改) and how many
 *   records wait. A record waits until there is a name.
 * - Sending: one record at a time, on load, on "online", every retry_ms, after each new record;
 *   each try has a timeout. 200/201 take the record out of the outbox; 409 and other 4xx
 *   (refused, sending again would not help) drop it; network errors, 429 and 5xx keep it.
 * UI strings come with the configuration (the collect_* keys of the site's language table). */
(function () {
  "use strict";
  var cfgEl = document.getElementById("studysite-collect");
  if (!cfgEl || !window.fetch || !window.localStorage) return;
  var cfg;
  try {
    cfg = JSON.parse(cfgEl.textContent);
  } catch (e) {
    return;
  }
  var S = cfg.strings || {};
  var siteKey = document.body.getAttribute("data-site-key") || "site";
  var ME = "studysite:" + siteKey + ":learner";
  var OUT = "studysite:" + siteKey + ":outbox";

  function t(key, vars) {
    var s = Object.prototype.hasOwnProperty.call(S, key) ? S[key] : key;
    return s.replace(/\{(\w+)\}/g, function (m, k) { return vars && k in vars ? String(vars[k]) : m; });
  }
  function get(key, dflt) {
    try {
      var v = JSON.parse(localStorage.getItem(key));
      return v === null || v === undefined ? dflt : v;
    } catch (e) {
      return dflt;
    }
  }
  function put(key, v) {
    try {
      localStorage.setItem(key, JSON.stringify(v));
    } catch (e) { /* storage full or disabled: the record lives as long as the page */ }
  }
  function rid() {
    var a = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function me() {
    var m = get(ME, null);
    if (!m || typeof m !== "object") m = {};
    if (typeof m.device !== "string" || m.device.length < 8) {
      m.device = rid();
      put(ME, m);
    }
    return m;
  }
  function outbox() {
    var o = get(OUT, []);
    return Array.isArray(o) ? o : [];
  }

  /* Gives every waiting record without a name the learner's (a named record never changes,
   * so a resend is the same record). */
  function stamp() {
    var m = me();
    if (!m.name) return;
    var o = outbox();
    var changed = false;
    o.forEach(function (r) {
      if (!r.name) {
        r.name = m.name;
        r.branch = m.branch || "";
        changed = true;
      }
    });
    if (changed) put(OUT, o);
  }

  function enqueue(rec) {
    var m = me();
    rec.attempt_id = rid();
    rec.device = m.device;
    rec.name = m.name || "";
    rec.branch = m.name ? m.branch || "" : "";
    var o = outbox();
    o.push(rec);
    put(OUT, o);
    panel();
    if (!m.name) ask();
    else flush();
  }

  function remove(id) {
    put(OUT, outbox().filter(function (r) { return r.attempt_id !== id; }));
  }

  /* One try: resolves "sent", "drop" or "keep". */
  function sendOne(rec) {
    var ctl = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (ctl) ctl.abort(); }, cfg.timeout_ms || 8000);
    return fetch(cfg.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(rec),
      cache: "no-store",
      credentials: "same-origin",
      signal: ctl ? ctl.signal : undefined
    }).then(function (r) {
      if (r.status === 200 || r.status === 201) return "sent";
      if (r.status === 429 || r.status >= 500 || r.status === 408) return "keep";
      return "drop";
    }, function () { return "keep"; }).then(function (v) {
      clearTimeout(timer);
      return v;
    });
  }

  var sending = false;
  function flush() {
    if (sending) return;
    stamp();
    var next = outbox().filter(function (r) { return r.name; });
    if (!next.length) {
      panel();
      return;
    }
    sending = true;
    (function step(i) {
      if (i >= next.length) {
        sending = false;
        /* Records added while this round was sending go out now. */
        if (outbox().some(function (r) { return r.name; })) flush();
        else panel();
        return;
      }
      sendOne(next[i]).then(function (v) {
        if (v !== "keep") remove(next[i].attempt_id);
        panel();
        if (v === "keep") {
          sending = false;
          return;
        }
        step(i + 1);
      });
    })(0);
  }

  /* The name dialog (asked once; 以后再说 leaves the records waiting). */
  var dialog = null;
  function ask() {
    if (dialog && dialog.open) return;
    var m = me();
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.className = "collect-dialog";
      dialog.setAttribute("aria-labelledby", "collect-dialog-title");
      var form = document.createElement("form");
      form.method = "dialog";
      var h = document.createElement("h2");
      h.id = "collect-dialog-title";
      h.textContent = t("collect_name_title");
      var p = document.createElement("p");
      p.textContent = t("collect_name_intro");
      form.appendChild(h);
      form.appendChild(p);
      function field(label, name, list) {
        var l = document.createElement("label");
        l.style.display = "block";
        l.style.margin = ".5rem 0";
        l.appendChild(document.createTextNode(label + " "));
        var i = document.createElement("input");
        i.type = "text";
        i.name = name;
        i.maxLength = 40;
        i.autocomplete = "name";
        if (list) i.setAttribute("list", list);
        l.appendChild(i);
        form.appendChild(l);
        return i;
      }
      if (cfg.roster && cfg.roster.length) {
        var dl = document.createElement("datalist");
        dl.id = "collect-roster";
        cfg.roster.forEach(function (n) {
          var o = document.createElement("option");
          o.value = n;
          dl.appendChild(o);
        });
        form.appendChild(dl);
      }
      var nameIn = field(t("collect_name_label"), "name", cfg.roster && cfg.roster.length ? "collect-roster" : null);
      var branchIn = field(t("collect_branch_label"), "branch", null);
      var msg = document.createElement("p");
      msg.setAttribute("role", "alert");
      msg.className = "collect-message";
      form.appendChild(msg);
      var save = document.createElement("button");
      save.type = "submit";
      save.value = "save";
      save.textContent = t("collect_name_save");
      save.setAttribute("data-collect-save", "");
      var later = document.createElement("button");
      later.type = "button";
      later.textContent = t("collect_name_later");
      later.addEventListener("click", function () { dialog.close(); });
      form.appendChild(save);
      form.appendChild(document.createTextNode(" "));
      form.appendChild(later);
      form.addEventListener("submit", function (e) {
        var name = nameIn.value.replace(/\s+/g, " ").trim();
        if (!name) {
          e.preventDefault();
          msg.textContent = t("collect_name_required");
          nameIn.focus();
          return;
        }
        var cur = me();
        cur.name = name.slice(0, 40);
        cur.branch = branchIn.value.replace(/\s+/g, " ").trim().slice(0, 40);
        put(ME, cur);
        panel();
        flush();
      });
      dialog.appendChild(form);
      dialog.nameInput = nameIn;
      dialog.branchInput = branchIn;
      document.body.appendChild(dialog);
    }
    dialog.nameInput.value = m.name || "";
    dialog.branchInput.value = m.branch || "";
    if (dialog.showModal) dialog.showModal();
    else dialog.setAttribute("open", "");
    dialog.nameInput.focus();
  }

  /* On 学习进度: who is sending, and how many records wait. */
  function panel() {
    var status = document.querySelector("[data-progress-status]");
    if (!status) return;
    var box = document.querySelector("[data-collect-panel]");
    if (!box) {
      box = document.createElement("section");
      box.className = "collect-panel";
      box.setAttribute("data-collect-panel", "");
      var h = document.createElement("h2");
      h.textContent = t("collect_panel_title");
      var who = document.createElement("p");
      who.setAttribute("data-collect-learner", "");
      var btn = document.createElement("button");
      btn.type = "button";
      btn.setAttribute("data-collect-change", "");
      btn.textContent = t("collect_change");
      btn.addEventListener("click", ask);
      var pending = document.createElement("p");
      pending.setAttribute("data-collect-pending", "");
      pending.setAttribute("role", "status");
      box.appendChild(h);
      box.appendChild(who);
      box.appendChild(btn);
      box.appendChild(pending);
      status.parentNode.insertBefore(box, status.nextSibling);
    }
    var m = me();
    box.querySelector("[data-collect-learner]").textContent = !m.name ? t("collect_no_name")
      : m.branch ? t("collect_learner_branch", { name: m.name, branch: m.branch }) : t("collect_learner", { name: m.name });
    var n = outbox().length;
    box.querySelector("[data-collect-pending]").textContent = n ? t("collect_pending", { n: n }) : t("collect_all_sent");
  }

  document.addEventListener("studysite:attempt", function (e) {
    var d = e.detail || {};
    enqueue({
      kind: "quiz", quiz: d.quiz, started: d.started, finished: d.finished,
      score: d.score, total: d.total, answers: d.answers
    });
  });
  document.addEventListener("studysite:read", function (e) {
    var d = e.detail || {};
    enqueue({ kind: "read", unit: d.unit, time: d.time });
  });
  window.addEventListener("online", flush);
  window.addEventListener("storage", function (e) { if (e.key === OUT || e.key === ME) panel(); });
  setInterval(flush, cfg.retry_ms || 30000);
  window.StudysiteCollect = { flush: flush, pending: function () { return outbox().length; }, ask: ask };
  panel();
  flush();
})();
