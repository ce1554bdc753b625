/* studysite default theme: the shared UI-string reader, and the reader controls.
 *
 * - studysite.t(key, vars), for every script of the theme: the language-table string `key`,
 *   from the data-<key> attribute of #studysite-i18n (templates/script_strings.html says which
 *   keys a page gets), each {name} in it replaced by vars.name; a key the page lacks comes back
 *   as the key itself. This file is loaded first (synchronously, from base.html), so the other
 *   scripts can use it as they start;
 * - the menu button opens and closes the side navigation (phones);
 * - reading settings: text size (one step down, four up) and colour scheme (light, dark,
 *   or following the system), kept in localStorage under `studysite:<site key>:prefs`
 *   (the key is body[data-site-key], so two sites from one USB stick do not share it);
 *   an inline script in <head> applies them before the first paint; other scripts keep their
 *   own settings there through studysite.pref(name) / studysite.setPref(name, value)
 *   (aloud.js: the reading speed);
 * - ← / → go to the previous / next unit (not while typing, not with modifier keys).
 *
 * No UI text lives in the scripts: it all comes through studysite.t().
 */
(function () {
  "use strict";
  var studysite = (window.studysite = window.studysite || {});
  var strings = document.getElementById("studysite-i18n");
  var own = Object.prototype.hasOwnProperty;

  function t(key, vars) {
    var attr = "data-" + key;
    var s = strings && strings.hasAttribute(attr) ? strings.getAttribute(attr) : key;
    if (!vars) {
      return s;
    }
    /* One pass, so a value (a search query, say) is never itself searched for placeholders. */
    return s.replace(/\{(\w+)\}/g, function (m, name) {
      return own.call(vars, name) ? String(vars[name]) : m;
    });
  }
  studysite.t = t;

  var html = document.documentElement;
  var body = document.body;
  var storageKey = "studysite:" + (body.getAttribute("data-site-key") || "site") + ":prefs";
  var SIZES = { "-1": "90%", "0": "100%", "1": "112.5%", "2": "125%", "3": "150%", "4": "175%" };
  var MIN_SIZE = -1;
  var MAX_SIZE = 4;

  function readPrefs() {
    try {
      var p = JSON.parse(localStorage.getItem(storageKey) || "{}");
      return p && typeof p === "object" ? p : {};
    } catch (e) {
      return {};
    }
  }

  function writePrefs(p) {
    try {
      localStorage.setItem(storageKey, JSON.stringify(p));
    } catch (e) {
      /* Storage may be disabled: the choice then lasts for this page only. */
    }
  }

  var prefs = readPrefs();

  /* Changes the stored settings: read again first, so a setting another script of the page
   * (aloud.js keeps the reading speed here) or another tab wrote is never lost. */
  function updatePrefs(change) {
    prefs = readPrefs();
    change(prefs);
    writePrefs(prefs);
  }

  /* The reading settings for the other scripts: studysite.pref(name) and
   * studysite.setPref(name, value), kept in the same localStorage entry. */
  studysite.pref = function (name) {
    return readPrefs()[name];
  };
  studysite.setPref = function (name, value) {
    updatePrefs(function (p) {
      p[name] = value;
    });
  };

  function currentSize() {
    var s = prefs.size;
    return typeof s === "number" && s >= MIN_SIZE && s <= MAX_SIZE ? Math.round(s) : 0;
  }

  function currentTheme() {
    return prefs.theme === "light" || prefs.theme === "dark" ? prefs.theme : "system";
  }

  function applyPrefs() {
    var size = currentSize();
    if (size === 0) {
      html.removeAttribute("data-text-size");
    } else {
      html.setAttribute("data-text-size", String(size));
    }
    var theme = currentTheme();
    if (theme === "system") {
      html.removeAttribute("data-theme");
    } else {
      html.setAttribute("data-theme", theme);
    }
    var out = document.querySelector(".reader-panel .size-value");
    if (out) {
      out.textContent = SIZES[String(size)];
    }
    var smaller = document.querySelector('[data-size="smaller"]');
    var larger = document.querySelector('[data-size="larger"]');
    if (smaller) {
      smaller.disabled = size <= MIN_SIZE;
    }
    if (larger) {
      larger.disabled = size >= MAX_SIZE;
    }
    if (studysite.focusScrollers) {
      studysite.focusScrollers();
    }
    var choices = document.querySelectorAll("[data-theme-choice]");
    for (var i = 0; i < choices.length; i++) {
      var b = choices[i];
      b.setAttribute("aria-pressed", b.getAttribute("data-theme-choice") === theme ? "true" : "false");
    }
  }

  /* --- side navigation (menu button) --- */
  var menuButton = document.querySelector(".menu-button");
  var nav = document.getElementById("side-nav");

  function setNavOpen(open, focusInside) {
    if (!menuButton || !nav) {
      return;
    }
    body.classList.toggle("nav-open", open);
    menuButton.setAttribute("aria-expanded", open ? "true" : "false");
    var label = menuButton.querySelector(".menu-label");
    if (label) {
      label.textContent = t(open ? "close_menu" : "menu");
    }
    if (open && focusInside) {
      var current = nav.querySelector('[aria-current="page"]') || nav.querySelector("a");
      if (current) {
        current.focus();
      }
    }
  }

  if (menuButton && nav) {
    menuButton.addEventListener("click", function () {
      setNavOpen(menuButton.getAttribute("aria-expanded") !== "true", false);
    });
  }

  /* --- reading settings panel --- */
  var panelToggle = document.querySelector(".reader-toggle");
  var panel = document.getElementById("reader-panel");

  function setPanelOpen(open) {
    if (!panelToggle || !panel) {
      return;
    }
    panel.hidden = !open;
    panelToggle.setAttribute("aria-expanded", open ? "true" : "false");
  }

  if (panelToggle && panel) {
    panelToggle.addEventListener("click", function () {
      setPanelOpen(panel.hidden);
    });
    panel.addEventListener("click", function (ev) {
      var button = ev.target.closest ? ev.target.closest("button") : null;
      if (!button) {
        return;
      }
      var dir = button.getAttribute("data-size");
      if (dir) {
        var s = currentSize() + (dir === "larger" ? 1 : -1);
        updatePrefs(function (p) {
          p.size = Math.max(MIN_SIZE, Math.min(MAX_SIZE, s));
        });
        applyPrefs();
        return;
      }
      var theme = button.getAttribute("data-theme-choice");
      if (theme) {
        updatePrefs(function (p) {
          if (theme === "system") {
            delete p.theme;
          } else {
            p.theme = theme;
          }
        });
        applyPrefs();
      }
    });
    document.addEventListener("click", function (ev) {
      if (!panel.hidden && !panel.contains(ev.target) && !panelToggle.contains(ev.target)) {
        setPanelOpen(false);
      }
    });
  }

  /* Another tab of the same site changed the settings. */
  window.addEventListener("storage", function (ev) {
    if (ev.key === storageKey) {
      prefs = readPrefs();
      applyPrefs();
    }
  });

  /* --- keyboard --- */
  function isTyping(el) {
    if (!el) {
      return false;
    }
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") {
      if (panel && !panel.hidden) {
        setPanelOpen(false);
        panelToggle.focus();
        return;
      }
      if (body.classList.contains("nav-open")) {
        setNavOpen(false, false);
        menuButton.focus();
      }
      return;
    }
    if (ev.key !== "ArrowLeft" && ev.key !== "ArrowRight") {
      return;
    }
    if (ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) {
      return;
    }
    if (isTyping(ev.target) || isTyping(document.activeElement)) {
      return;
    }
    var link = document.querySelector(ev.key === "ArrowLeft" ? '.pager a[rel="prev"]' : '.pager a[rel="next"]');
    if (link) {
      ev.preventDefault();
      window.location.href = link.href;
    }
  });

  /* --- print button (topic print view) --- */
  var printButtons = document.querySelectorAll("[data-print]");
  for (var i = 0; i < printButtons.length; i++) {
    printButtons[i].addEventListener("click", function () {
      window.print();
    });
  }

  /* Keeps the current entry of a long side navigation in view (wide screens). */
  if (nav) {
    var cur = nav.querySelector('[aria-current="page"]');
    if (cur && nav.scrollHeight > nav.clientHeight) {
      var top = cur.offsetTop - nav.clientHeight / 3;
      if (top > 0) {
        nav.scrollTop = top;
      }
    }
  }

  /* --- a search box that never stays dead without a word ---
   * search.js marks the box `.ready` when it has set it up. If it has not by the time the page
   * has loaded (the file is missing, or the engine cannot run it — too old a WebView), the box
   * says search is unavailable (placeholder, and a note in its panel when used). This lives
   * here, not in search.js, because a script that fails cannot report its own failure. */
  window.addEventListener("load", function () {
    var box = document.querySelector("[data-search]");
    if (!box || box.classList.contains("ready")) {
      return;
    }
    var input = box.querySelector("input");
    var panel = box.querySelector(".search-panel");
    var status = box.querySelector(".search-status");
    box.classList.add("broken");
    box.setAttribute("data-search-state", "unavailable");
    if (!input) {
      return;
    }
    input.setAttribute("placeholder", t("search_broken"));
    input.removeAttribute("role");
    input.removeAttribute("aria-autocomplete");
    input.removeAttribute("aria-expanded");
    input.removeAttribute("aria-controls");
    var list = box.querySelector("[role=listbox]");
    if (list) {
      list.hidden = true;
    }
    function explain() {
      if (status && panel) {
        status.textContent = t("search_broken_note");
        panel.hidden = false;
      }
    }
    input.addEventListener("focus", explain);
    input.addEventListener("input", explain);
    if (status && status.id) {
      input.setAttribute("aria-describedby", status.id);
    }
  });

  /* --- checklists (Markdown task lists: `- [ ] …`) ---
   * The build writes them as disabled checkboxes without a name. Here each becomes a box the
   * reader can tick, named by its item's text, and the ticks are kept with the reading
   * settings, per page (studysite.setPref("checks:<page>")). */
  var checks = document.querySelectorAll("main input.task-list-item-checkbox");
  if (checks.length) {
    var checksKey = "checks:" + location.pathname.split("/").slice(-2).join("/");
    var ticked = studysite.pref(checksKey);
    if (!Array.isArray(ticked)) {
      ticked = [];
    }
    for (var c = 0; c < checks.length; c++) {
      var box = checks[c];
      var item = box.parentNode;
      box.disabled = false;
      box.setAttribute("aria-label", (item.textContent || "").replace(/\s+/g, " ").trim());
      box.setAttribute("data-check", String(c));
      if (ticked.indexOf(c) >= 0) {
        box.checked = true;
      }
      box.addEventListener("change", function () {
        var now = [];
        for (var k = 0; k < checks.length; k++) {
          if (checks[k].checked) {
            now.push(k);
          }
        }
        studysite.setPref(checksKey, now);
      });
    }
  }

  /* --- boxes that scroll sideways (wide tables, code) take the keyboard focus, so they can be
   * scrolled without a mouse (axe: scrollable-region-focusable); checked again when the text
   * size changes. --- */
  function focusScrollers() {
    var boxes = document.querySelectorAll("main table, main pre");
    for (var b = 0; b < boxes.length; b++) {
      var el = boxes[b];
      if (el.scrollWidth > el.clientWidth + 1) {
        el.setAttribute("tabindex", "0");
      } else if (el.getAttribute("tabindex") === "0") {
        el.removeAttribute("tabindex");
      }
    }
  }
  studysite.focusScrollers = focusScrollers;

  applyPrefs();
  focusScrollers();
  window.addEventListener("resize", focusScrollers);
})();
