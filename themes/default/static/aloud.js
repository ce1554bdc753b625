/* studysite default theme: read-aloud (朗读), with the device's own voices (speechSynthesis).
 *
 * The control is templates/aloud.html: `[data-aloud]` (hidden until this script shows it) with
 * `[data-aloud-play]` (朗读 / 暂停 / 继续, the label in `.aloud-play-label`), `[data-aloud-stop]`,
 * `[data-aloud-rate="0.8"|"1"|"1.25"]` (aria-pressed) and the status line `[data-aloud-status]`.
 * What is read: every `[data-aloud-text]` element of the page (a unit's title and text; each
 * text of a session handout), in document order, block by block — headings, paragraphs, list
 * items, table cells row by row, definition lists, quotations — never code blocks (`pre`),
 * navigation, buttons, quizzes or anything hidden.
 *
 * - A block's text is cut into sentences (after 。！？；… and ! ? ; and a full stop before a
 *   space), and a sentence longer than about 40 Chinese characters (a Latin letter counts a third)
 *   again after ，、：, at most 60 (MAX_HARD): Chrome stops an utterance after about 15 s, and
 *   at 0.8× that is about 60 characters. When reading starts, each piece of text is wrapped in
 *   `<span data-aloud-chunk="<n>">`; the spans of the utterance being spoken carry
 *   `data-reading` (styled in style.css) and are scrolled into view.
 * - One utterance at a time: the next starts when one ends. Pause cancels the utterance and
 *   keeps its place; resume says that sentence again (speechSynthesis.pause() is unreliable on
 *   Android and in Chrome). While reading (or paused), a tap on a sentence starts from there.
 * - Voice: for the page's language (html[lang]; zh-CN: a zh-CN voice, else another Chinese
 *   one), local voices first; the list loads late on some browsers (voiceschanged). None, or no
 *   speechSynthesis at all (some in-app browsers): the buttons are hidden but one,
 *   `[data-aloud-why]` (aloud_why), which opens the status line saying why in words
 *   (aloud_no_voice, aloud_unavailable). Nothing is loaded from the network.
 * - Speed 0.8×, 1×, 1.25×, kept with the reading settings (studysite.setPref("aloud_rate")).
 * - Reading stops when the page is left (pagehide); ← / → stay reader.js's.
 * The state is on the control as data-aloud-state="idle|playing|paused", for styles and tests.
 * Words through studysite.t() (reader.js): the aloud_* keys.
 */
(function () {
  "use strict";
  var box = document.querySelector("[data-aloud]");
  if (!box || !window.studysite) {
    return;
  }
  var studysite = window.studysite;
  var t = studysite.t;
  var playButton = box.querySelector("[data-aloud-play]");
  var playLabel = box.querySelector(".aloud-play-label") || playButton;
  var stopButton = box.querySelector("[data-aloud-stop]");
  var rateButtons = box.querySelectorAll("[data-aloud-rate]");
  var status = box.querySelector("[data-aloud-status]");
  var roots = document.querySelectorAll("[data-aloud-text]");
  var lang = document.documentElement.getAttribute("lang") || "zh-CN";

  var BLOCKS = "h1,h2,h3,h4,h5,h6,p,li,dt,dd,th,td,caption,figcaption,blockquote";
  var SKIP = "pre,script,style,template,nav,button,input,select,textarea,svg,math,[hidden]," +
    "[aria-hidden='true'],.visually-hidden,[data-aloud-skip],[data-aloud],[data-quiz-app]";
  var RATES = [0.8, 1, 1.25];
  var MAX_SOFT = 40; /* cut at ，、： from here on */
  var MAX_HARD = 60; /* cut anywhere here */

  function say(message) {
    if (status) {
      status.textContent = message;
    }
  }

  /* Without a voice the control is one button, [data-aloud-why], that opens the explanation
   * (the status line) under it: the message never stands above the text on its own, and the
   * control keeps its one-line height, so nothing below it moves when the voices are known. */
  var whyButton = box.querySelector("[data-aloud-why]");

  function showButtons(show) {
    var buttons = box.querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = buttons[i] === whyButton ? show : !show;
    }
    box.classList.toggle("aloud-off", !show);
    if (whyButton) {
      whyButton.setAttribute("aria-expanded", "false");
      status.hidden = !show;
    }
  }

  if (whyButton) {
    whyButton.addEventListener("click", function () {
      var open = whyButton.getAttribute("aria-expanded") !== "true";
      whyButton.setAttribute("aria-expanded", open ? "true" : "false");
      status.hidden = !open;
    });
  }

  box.hidden = false;
  var synth = window.speechSynthesis;
  if (!synth || typeof window.SpeechSynthesisUtterance !== "function") {
    showButtons(false);
    say(t("aloud_unavailable"));
    return;
  }

  /* ---- Voices ---- */
  function norm(l) {
    return String(l || "").replace(/_/g, "-").toLowerCase();
  }

  /* The best voice for the page's language: same language and region, then same language
   * (for Chinese also "cmn"); a local voice always before a network one. */
  function pickVoice(voices) {
    var want = norm(lang);
    var base = want.split("-")[0];
    var best = null;
    var bestScore = 0;
    for (var i = 0; i < voices.length; i++) {
      var v = voices[i];
      var vl = norm(v.lang);
      var vb = vl.split("-")[0];
      var score = 0;
      if (vl === want) {
        score = 3;
      } else if (vb === base || (base === "zh" && vb === "cmn")) {
        score = vl.indexOf("cn") >= 0 || vl.indexOf("hans") >= 0 ? 2 : 1;
      }
      if (!score) {
        continue;
      }
      if (v.localService !== false) {
        score += 4;
      }
      if (score > bestScore) {
        best = v;
        bestScore = score;
      }
    }
    return best;
  }

  var voice = null;
  var voicesKnown = false;

  function updateVoice() {
    var voices = synth.getVoices ? synth.getVoices() || [] : [];
    if (!voices.length && !voicesKnown) {
      return;
    }
    voicesKnown = true;
    voice = pickVoice(voices);
    if (voice) {
      showButtons(true);
      stopButton.hidden = state === "idle";
      if (status.getAttribute("data-message") === "no_voice") {
        say("");
        status.removeAttribute("data-message");
      }
    } else {
      stop(true);
      showButtons(false);
      say(t("aloud_no_voice"));
      status.setAttribute("data-message", "no_voice");
    }
  }

  /* The voice list arrives late on some browsers (Chrome loads it after the page): wait for
   * voiceschanged, and decide after 2 s without it that there is none. */
  function watchVoices() {
    if (synth.addEventListener) {
      synth.addEventListener("voiceschanged", function () {
        voicesKnown = true;
        updateVoice();
      });
    }
    updateVoice();
    if (!voicesKnown) {
      setTimeout(function () {
        voicesKnown = true;
        updateVoice();
      }, 2000);
    }
  }

  /* ---- The text, in chunks ---- */
  var CJK = /[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]/;
  var END = /[。！？!?；;…]/;
  var CLOSING = /[”’」』）)\]】》"'…\s]/;
  var SOFT = /[，、,：:]/;
  var SPOKEN = /[0-9A-Za-z\u00c0-\u024f\u0370-\u1fff\u2e80-\u9fff\uf900-\ufaff\uff10-\uff5a]/;

  function weight(ch) {
    return CJK.test(ch) ? 1 : 1 / 3;
  }

  /* The positions where `text` is cut into utterances. */
  function cuts(text) {
    var out = [];
    var start = 0;
    var w = 0;
    var soft = -1;
    var space = -1;
    for (var i = 0; i < text.length; i++) {
      var ch = text.charAt(i);
      w += weight(ch);
      var end = END.test(ch) || (ch === "." && (i + 1 === text.length || /\s/.test(text.charAt(i + 1))));
      if (end) {
        var j = i + 1;
        while (j < text.length && CLOSING.test(text.charAt(j))) {
          j++;
        }
        out.push(j);
        start = j;
        i = j - 1;
        w = 0;
        soft = -1;
        space = -1;
        continue;
      }
      if (SOFT.test(ch)) {
        soft = i + 1;
      } else if (/\s/.test(ch)) {
        space = i + 1;
      }
      if (w >= MAX_SOFT && soft > start) {
        out.push(soft);
        start = soft;
      } else if (w >= MAX_HARD) {
        start = space > start ? space : i + 1;
        out.push(start);
      } else {
        continue;
      }
      w = 0;
      for (var k = start; k <= i; k++) {
        w += weight(text.charAt(k));
      }
      soft = -1;
      space = -1;
    }
    if (out[out.length - 1] !== text.length) {
      out.push(text.length);
    }
    return out;
  }

  /* The text nodes of a block that belong to it: not those of a nested block (read on their
   * own) or of anything skipped. */
  function ownText(block) {
    var nodes = [];
    var walker = document.createTreeWalker(block, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode: function (n) {
        if (n.nodeType === 3) {
          return NodeFilter.FILTER_ACCEPT;
        }
        return n.matches(SKIP) || n.matches(BLOCKS) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_SKIP;
      }
    });
    while (walker.nextNode()) {
      nodes.push(walker.currentNode);
    }
    return nodes;
  }

  function blocks() {
    var out = [];
    for (var i = 0; i < roots.length; i++) {
      var root = roots[i];
      if (root.matches(BLOCKS) && !root.closest(SKIP)) {
        out.push(root);
      }
      var inner = root.querySelectorAll(BLOCKS);
      for (var j = 0; j < inner.length; j++) {
        if (!inner[j].closest(SKIP)) {
          out.push(inner[j]);
        }
      }
    }
    return out;
  }

  /* Wraps each piece of a block's text in a span of its chunk; returns the block's chunks,
   * each with its text and its spans. */
  function chunkBlock(block) {
    var nodes = ownText(block);
    var text = "";
    for (var i = 0; i < nodes.length; i++) {
      text += nodes[i].data;
    }
    var at = cuts(text);
    var chunks = [];
    var from = 0;
    for (var c = 0; c < at.length; c++) {
      chunks.push({ text: text.slice(from, at[c]).replace(/\s+/g, " ").trim(), spans: [], block: block });
      from = at[c];
    }
    var offset = 0;
    for (var n = 0; n < nodes.length; n++) {
      var node = nodes[n];
      var len = node.data.length;
      /* Split at the cuts inside this node, from the last, so `node` keeps the first piece. */
      var pieces = [];
      for (var k = at.length - 1; k >= 0; k--) {
        if (at[k] > offset && at[k] < offset + len) {
          pieces.unshift({ node: node.splitText(at[k] - offset), start: at[k] });
        }
      }
      pieces.unshift({ node: node, start: offset });
      for (var p = 0; p < pieces.length; p++) {
        var piece = pieces[p];
        if (!/\S/.test(piece.node.data)) {
          continue;
        }
        var which = 0;
        while (at[which] <= piece.start) {
          which++;
        }
        var span = document.createElement("span");
        piece.node.parentNode.replaceChild(span, piece.node);
        span.appendChild(piece.node);
        chunks[which].spans.push(span);
      }
      offset += len;
    }
    return chunks.filter(function (ch) {
      return SPOKEN.test(ch.text) && ch.spans.length;
    });
  }

  var chunks = null;

  function prepare() {
    if (chunks) {
      return;
    }
    chunks = [];
    var list = blocks();
    for (var i = 0; i < list.length; i++) {
      var more = chunkBlock(list[i]);
      for (var j = 0; j < more.length; j++) {
        more[j].index = chunks.length;
        for (var s = 0; s < more[j].spans.length; s++) {
          more[j].spans[s].setAttribute("data-aloud-chunk", String(chunks.length));
        }
        chunks.push(more[j]);
      }
    }
  }

  /* ---- Reading ---- */
  var state = "idle";
  var index = 0;
  var token = 0;
  var current = null; /* the utterance being spoken (kept, or Chrome may drop its events) */
  var rate = (function () {
    var r = Number(studysite.pref && studysite.pref("aloud_rate"));
    return RATES.indexOf(r) >= 0 ? r : 1;
  })();

  function render() {
    box.setAttribute("data-aloud-state", state);
    document.body.classList.toggle("aloud-active", state !== "idle");
    playLabel.textContent = t(state === "playing" ? "aloud_pause" : state === "paused" ? "aloud_resume" : "aloud_read");
    if (voice || !voicesKnown) {
      stopButton.hidden = state === "idle";
    }
    for (var i = 0; i < rateButtons.length; i++) {
      var b = rateButtons[i];
      b.setAttribute("aria-pressed", Number(b.getAttribute("data-aloud-rate")) === rate ? "true" : "false");
    }
  }

  function unmark() {
    var marked = document.querySelectorAll("[data-reading]");
    for (var i = 0; i < marked.length; i++) {
      marked[i].removeAttribute("data-reading");
    }
  }

  function mark(chunk) {
    unmark();
    for (var i = 0; i < chunk.spans.length; i++) {
      chunk.spans[i].setAttribute("data-reading", "");
    }
    var first = chunk.spans[0];
    var r = first.getBoundingClientRect();
    var bar = box.getBoundingClientRect();
    var bottom = state !== "idle" && bar.top > window.innerHeight / 2 ? bar.top : window.innerHeight;
    if (r.top < 8 || r.bottom > bottom - 8) {
      var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      first.scrollIntoView({ block: "center", behavior: still ? "auto" : "smooth" });
    }
  }

  function speakAt(i) {
    if (i >= chunks.length) {
      finish();
      return;
    }
    index = i;
    var chunk = chunks[i];
    mark(chunk);
    var mine = ++token;
    var u = new window.SpeechSynthesisUtterance(chunk.text);
    u.lang = voice && voice.lang ? voice.lang : lang;
    if (voice) {
      u.voice = voice;
    }
    u.rate = rate;
    u.onend = function () {
      if (mine === token && state === "playing") {
        speakAt(i + 1);
      }
    };
    u.onerror = function (e) {
      if (mine !== token || (e && (e.error === "interrupted" || e.error === "canceled"))) {
        return;
      }
      stop(true);
      say(t("aloud_failed"));
    };
    current = u;
    synth.speak(u);
  }

  function silence() {
    token++;
    current = null;
    synth.cancel();
  }

  function play(from) {
    if (!voice) {
      return;
    }
    prepare();
    if (!chunks.length) {
      return;
    }
    silence();
    state = "playing";
    render();
    say(t("aloud_reading"));
    speakAt(from);
  }

  function pause() {
    silence();
    state = "paused";
    render();
    say(t("aloud_paused"));
  }

  function stop(quietly) {
    if (state === "idle") {
      return;
    }
    silence();
    unmark();
    state = "idle";
    index = 0;
    render();
    if (!quietly) {
      say(t("aloud_stopped"));
    }
  }

  function finish() {
    unmark();
    state = "idle";
    index = 0;
    current = null;
    render();
    say(t("aloud_done"));
  }

  playButton.addEventListener("click", function () {
    if (state === "playing") {
      pause();
    } else {
      play(state === "paused" ? index : 0);
    }
  });
  stopButton.addEventListener("click", function () {
    stop(false);
    playButton.focus();
  });
  for (var r = 0; r < rateButtons.length; r++) {
    rateButtons[r].addEventListener("click", function (ev) {
      var value = Number(ev.currentTarget.getAttribute("data-aloud-rate"));
      if (RATES.indexOf(value) < 0) {
        return;
      }
      rate = value;
      if (studysite.setPref) {
        studysite.setPref("aloud_rate", value);
      }
      render();
      if (state === "playing") {
        play(index); /* the sentence again, at the new speed */
      }
    });
  }

  /* While reading (or paused), a tap on the text starts from the sentence tapped. */
  function onTextClick(ev) {
    if (state === "idle" || !chunks || !ev.target.closest) {
      return;
    }
    if (ev.target.closest("a,button,input,select,textarea,summary,label")) {
      return;
    }
    var span = ev.target.closest("[data-aloud-chunk]");
    var at = span ? Number(span.getAttribute("data-aloud-chunk")) : -1;
    if (at < 0) {
      var block = ev.target.closest(BLOCKS);
      for (var i = 0; block && i < chunks.length; i++) {
        if (chunks[i].block === block || block.contains(chunks[i].block)) {
          at = i;
          break;
        }
      }
    }
    if (at >= 0) {
      play(at);
    }
  }
  for (var k = 0; k < roots.length; k++) {
    roots[k].addEventListener("click", onTextClick);
  }

  /* Leaving the page (a link, ← / →, closing the tab) stops the voice; coming back to a page
   * from the browser's cache finds it paused where it was. */
  window.addEventListener("pagehide", function () {
    if (state === "playing") {
      silence();
      state = "paused";
      render();
      say(t("aloud_paused"));
    }
  });

  render();
  watchVoices();
})();
