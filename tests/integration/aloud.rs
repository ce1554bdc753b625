//! Read-aloud (朗读, issue 17) in Chromium, with a stand-in `speechSynthesis` installed before
//! the page's scripts: it records every utterance (with what carries `data-reading` as it
//! starts) and "plays" it at once — or holds it until the test lets it end. The chunks cover
//! the unit's text in order and none is too long; `data-reading` follows the utterance; pause,
//! resume, stop, speed, a tap on a sentence and ← / → work; the no-voice and no-speech messages
//! show. A screenshot of a unit being read: `target/screenshots/aloud-unit-reading-360.png`.
//!
//! This module has its own Chromium (the speed is kept in localStorage, which other modules'
//! tests must not see), used by one test at a time.

use std::sync::MutexGuard;
use std::time::Duration;

use headless_chrome::Browser;
use serde_json::Value;

use crate::browser::{Page, file_url, shipped_site};
use crate::support::TempSite;
use crate::support::WAIT;

const PHONE: (u32, u32) = (360, 740);

fn aloud_browser() -> Option<(&'static Browser, MutexGuard<'static, ()>)> {
    crate::module_browser!()
}

/// The stand-in, configured by `CONFIG` (JSON): `voices`, `late` (the list arrives 300 ms after
/// the page, with `voiceschanged`), `hold` (utterances end only on `__tts.next()`), `none` (no
/// speechSynthesis at all). `__tts.spoken` lists `{text, rate, lang, voice, reading}`.
pub(crate) const STAND_IN: &str = r#"(() => {
  const cfg = Object.assign({ voices: [], late: false, hold: false, none: false }, CONFIG);
  if (cfg.none) {
    Object.defineProperty(window, "speechSynthesis", { value: undefined, configurable: true });
    Object.defineProperty(window, "SpeechSynthesisUtterance", { value: undefined, configurable: true, writable: true });
    return;
  }
  const log = (window.__tts = { spoken: [], cancels: 0, hold: cfg.hold });
  class Utterance {
    constructor(text) { this.text = text; this.lang = ""; this.rate = 1; this.voice = null; this.onend = null; this.onerror = null; this.onstart = null; }
  }
  let voices = cfg.late ? [] : cfg.voices;
  const listeners = [];
  let current = null;
  const finish = (u) => { if (current !== u) return; current = null; if (u.onend) u.onend({ utterance: u }); };
  const synth = {
    get speaking() { return !!current; },
    paused: false,
    pending: false,
    getVoices() { return voices.slice(); },
    addEventListener(type, f) { if (type === "voiceschanged") listeners.push(f); },
    removeEventListener() {},
    speak(u) {
      const reading = Array.from(document.querySelectorAll("[data-reading]")).map((e) => e.textContent).join("");
      log.spoken.push({ text: u.text, rate: u.rate, lang: u.lang, voice: u.voice ? u.voice.name : null, reading });
      current = u;
      if (u.onstart) u.onstart({});
      if (!log.hold) setTimeout(() => finish(u), 0);
    },
    cancel() {
      log.cancels++;
      try { sessionStorage.setItem("__ttsCancelled", String(log.cancels)); } catch (e) {}
      const u = current;
      current = null;
      if (u && u.onerror) u.onerror({ error: "interrupted" });
    },
    pause() {},
    resume() {},
  };
  log.next = () => { const u = current; if (u) finish(u); return !!u; };
  Object.defineProperty(window, "speechSynthesis", { value: synth, configurable: true });
  window.SpeechSynthesisUtterance = Utterance;
  if (cfg.late) setTimeout(() => { voices = cfg.voices; listeners.forEach((f) => f({})); }, 300);
})();"#;

/// A voice list as phones and desktops report them: a network zh-CN voice, a local zh-TW one,
/// an English one and the local zh-CN voice that should be chosen.
pub(crate) fn voices() -> Value {
    serde_json::json!([
        { "name": "Google 普通话", "lang": "zh-CN", "localService": false },
        { "name": "Mei-Jia", "lang": "zh-TW", "localService": true },
        { "name": "Samantha", "lang": "en-US", "localService": true, "default": true },
        { "name": "Ting-Ting", "lang": "zh_CN", "localService": true },
    ])
}

fn open(b: &Browser, url: &str, config: Value, size: (u32, u32)) -> Page {
    let script = STAND_IN.replace("CONFIG", &config.to_string());
    let page = Page::open_with_script(b, url, size.0, size.1, &script);
    page.wait_until("document.readyState === 'complete'", WAIT);
    page
}

fn spoken(page: &Page) -> Vec<Value> {
    page.eval("window.__tts.spoken")
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn texts(page: &Page) -> Vec<String> {
    spoken(page)
        .iter()
        .map(|u| u["text"].as_str().unwrap_or("").to_string())
        .collect()
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// How long an utterance is, in Chinese characters: a Latin letter counts a third.
fn weight(s: &str) -> f64 {
    s.chars()
        .map(|c| if (c as u32) >= 0x2e80 { 1.0 } else { 1.0 / 3.0 })
        .sum()
}

fn state(page: &Page) -> String {
    page.eval_str("document.querySelector('[data-aloud]').getAttribute('data-aloud-state')")
}

fn status(page: &Page) -> String {
    page.eval_str("document.querySelector('[data-aloud-status]').textContent")
}

fn wait_spoken(page: &Page, n: usize) {
    page.wait_until(&format!("window.__tts.spoken.length >= {n}"), WAIT);
}

/// Reads the whole page with instant utterances and returns them.
fn read_through(page: &Page) -> Vec<Value> {
    page.wait_until(
        "getComputedStyle(document.querySelector('[data-aloud-play]')).display !== 'none'",
        WAIT,
    );
    page.click("[data-aloud-play]");
    page.wait_until(
        "document.querySelector('[data-aloud]').getAttribute('data-aloud-state') === 'idle' && window.__tts.spoken.length > 0",
        WAIT,
    );
    spoken(page)
}

#[track_caller]
fn assert_chunks_well_formed(utterances: &[Value]) {
    for u in utterances {
        let text = u["text"].as_str().unwrap();
        assert!(weight(text) <= 60.0, "too long for one utterance: {text}");
        assert_eq!(
            squeeze(u["reading"].as_str().unwrap()),
            squeeze(text),
            "data-reading marks what is being said"
        );
        assert_eq!(u["voice"], "Ting-Ting", "the local zh-CN voice");
        assert_eq!(u["lang"], "zh_CN");
    }
}

fn fixture() -> TempSite {
    let site = TempSite::minimal();
    site.write(
        "content/01-a/langdu.md",
        "---\ntitle: 朗读测试\nkind: original\nminutes: 3\n---\n\
第一段第一句。第一段第二句！**加粗的**第三句？\n\n\
## 小标题\n\n\
- 列表一项。\n- 列表二项，带[链接](#x)。\n\n\
| 项目 | 说明 |\n|---|---|\n| 甲 | 甲的说明。 |\n| 乙 | 乙的说明。 |\n\n\
```text\n代码不读\n```\n\n\
这是一个非常长的句子没有任何标点符号用来检查朗读时会不会把它切成足够短的几段以免浏览器在十五秒后把它截断而且还要更长一些才行再加一些字\n\n\
Latin text reads too. It is short.\n",
    );
    site.build().ok();
    site
}

/// Issue 17: the utterances are the unit's title and text in order — paragraphs sentence by
/// sentence, the heading, the list, the table cell by cell, row by row — without the code
/// block, the meta line or the table of contents; none too long; `data-reading` on each.
#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn the_unit_is_read_sentence_by_sentence_in_order() {
    let Some((b, _one)) = aloud_browser() else {
        return;
    };
    let site = fixture();
    let url = file_url(&site.path().join("public/01-a/langdu.html"));
    let page = open(b, &url, serde_json::json!({ "voices": voices() }), PHONE);
    let said = read_through(&page);
    assert_chunks_well_formed(&said);
    let got = texts(&page);
    let long = "这是一个非常长的句子没有任何标点符号用来检查朗读时会不会把它切成足够短的几段以免浏览器在十五秒后把它截断而且还要更长一些才行再加一些字";
    let cut = long.char_indices().nth(60).unwrap().0;
    assert_eq!(
        got,
        [
            "朗读测试",
            "第一段第一句。",
            "第一段第二句！",
            "加粗的第三句？",
            "小标题",
            "列表一项。",
            "列表二项，带链接。",
            "项目",
            "说明",
            "甲",
            "甲的说明。",
            "乙",
            "乙的说明。",
            &long[..cut],
            &long[cut..],
            "Latin text reads too.",
            "It is short.",
        ],
        "{got:#?}"
    );
    assert!(!got.iter().any(|t| t.contains("代码")), "{got:?}");
    assert_eq!(status(&page), "已读完。");
    assert_eq!(
        page.eval("document.querySelectorAll('[data-reading]').length"),
        0
    );
}

/// The shipped units: every utterance together is the title and the text as the page shows it
/// (quizzes, which are outside the text, are never read), in order, each short enough.
#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn every_shipped_unit_with_a_quiz_or_not_is_covered_in_order() {
    let Some((b, _one)) = aloud_browser() else {
        return;
    };
    for rel in [
        "01-xuexi/yuanwen.html",
        "03-xiangcun/yuanwen.html",
        "03-xiangcun/jiedu.html",
    ] {
        let url = file_url(&shipped_site().join(rel));
        let page = open(b, &url, serde_json::json!({ "voices": voices() }), PHONE);
        let said = read_through(&page);
        assert_chunks_well_formed(&said);
        let expected = page.eval_str(
            "Array.from(document.querySelectorAll('[data-aloud-text]')).map(e => { const c = e.cloneNode(true); c.querySelectorAll('pre').forEach(p => p.remove()); return c.textContent; }).join('')",
        );
        assert_eq!(squeeze(&texts(&page).concat()), squeeze(&expected), "{rel}");
        let quiz = page.eval_str(
            "(document.querySelector('[data-quiz-app]') || {textContent: ''}).textContent",
        );
        if rel == "03-xiangcun/jiedu.html" {
            assert!(!quiz.is_empty(), "this unit has a quiz");
        }
    }
}

/// Issue 17: pause, resume, stop, the speed (kept with the reading settings), a tap on a
/// sentence, keyboard and labels, and ← / → while reading (leaving the page stops the voice).
#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn pause_resume_stop_speed_tap_and_arrow_keys() {
    let Some((b, _one)) = aloud_browser() else {
        return;
    };
    let url = file_url(&shipped_site().join("01-xuexi/yuanwen.html"));
    let config = serde_json::json!({ "voices": voices(), "hold": true });
    let page = open(b, &url, config.clone(), PHONE);
    page.eval("(localStorage.clear(), true)");
    page.goto(&url);
    page.wait_until("document.readyState === 'complete'", WAIT);

    // Labels: a named group, buttons with their words, the speeds in a named group.
    assert_eq!(
        page.eval_str("document.querySelector('[data-aloud]').getAttribute('aria-label')"),
        "朗读本页"
    );
    assert_eq!(
        page.eval_str("document.querySelector('[data-aloud-play]').textContent"),
        "朗读"
    );
    assert_eq!(
        page.eval_str("document.querySelector('.aloud-rates').getAttribute('aria-label')"),
        "语速"
    );
    assert!(page.eval_bool(
        "getComputedStyle(document.querySelector('[data-aloud-stop]')).display === 'none'"
    ));

    // By keyboard: focus the button, Enter.
    page.eval("(document.querySelector('[data-aloud-play]').focus(), true)");
    page.press("Enter");
    wait_spoken(&page, 1);
    assert_eq!(state(&page), "playing");
    assert_eq!(
        page.eval_str("document.querySelector('[data-aloud-play]').textContent"),
        "暂停"
    );
    assert_eq!(status(&page), "正在朗读。点按任一句，从那里读起。");
    let first = texts(&page)[0].clone();
    assert!(first.starts_with("原文："), "{first}");
    assert!(page.eval_bool("document.querySelector('h1 [data-reading]') !== null"));
    assert!(!page.eval_bool(
        "getComputedStyle(document.querySelector('[data-aloud-stop]')).display === 'none'"
    ));

    // The utterance ends: the next one starts, and data-reading moves with it.
    assert!(page.eval_bool("window.__tts.next()"));
    wait_spoken(&page, 2);
    let second = texts(&page)[1].clone();
    assert_eq!(
        squeeze(&page.eval_str(
            "Array.from(document.querySelectorAll('[data-reading]')).map(e => e.textContent).join('')"
        )),
        squeeze(&second)
    );
    assert!(page.eval_bool("document.querySelector('h1 [data-reading]') === null"));

    // Pause: the voice is cancelled, the place kept; resume says that sentence again.
    let cancels = page.eval("window.__tts.cancels").as_u64().unwrap();
    page.click("[data-aloud-play]");
    assert_eq!(state(&page), "paused");
    assert_eq!(status(&page), "已暂停。");
    assert_eq!(
        page.eval_str("document.querySelector('[data-aloud-play]').textContent"),
        "继续"
    );
    assert!(page.eval("window.__tts.cancels").as_u64().unwrap() > cancels);
    assert_eq!(spoken(&page).len(), 2, "nothing said while paused");
    page.click("[data-aloud-play]");
    wait_spoken(&page, 3);
    assert_eq!(texts(&page)[2], second);
    assert_eq!(state(&page), "playing");

    // Speed: the sentence again at 1.25×, pressed, and kept in the reading settings.
    page.click("[data-aloud-rate=\"1.25\"]");
    wait_spoken(&page, 4);
    let u = &spoken(&page)[3];
    assert_eq!(
        (u["text"].as_str().unwrap(), u["rate"].as_f64()),
        (second.as_str(), Some(1.25))
    );
    assert_eq!(
        page.eval_str(
            "document.querySelector('[data-aloud-rate=\"1.25\"]').getAttribute('aria-pressed')"
        ),
        "true"
    );
    let prefs = page
        .eval_str("localStorage.getItem('studysite:' + document.body.dataset.siteKey + ':prefs')");
    assert!(prefs.contains("\"aloud_rate\":1.25"), "{prefs}");

    // A tap on the last paragraph's first sentence reads from there.
    let last_p = page.eval_str("document.querySelector('.body p:last-of-type').textContent");
    page.click(".body p:last-of-type [data-aloud-chunk]");
    wait_spoken(&page, 5);
    let tapped = texts(&page)[4].clone();
    assert!(
        squeeze(&last_p).starts_with(&squeeze(&tapped)),
        "{tapped} / {last_p}"
    );
    assert!(
        page.eval_bool("document.querySelector('.body p:last-of-type [data-reading]') !== null")
    );
    assert_eq!(spoken(&page)[4]["rate"].as_f64(), Some(1.25));

    // Stop: no mark, idle, the words say so; focus back on the play button.
    page.click("[data-aloud-stop]");
    assert_eq!(state(&page), "idle");
    assert_eq!(status(&page), "已停止朗读。");
    assert_eq!(
        page.eval("document.querySelectorAll('[data-reading]').length"),
        0
    );
    assert!(
        page.eval_bool("document.activeElement === document.querySelector('[data-aloud-play]')")
    );

    // After a reload the speed is still 1.25×.
    page.reload();
    page.wait_until("document.readyState === 'complete'", WAIT);
    assert_eq!(
        page.eval_str(
            "document.querySelector('[data-aloud-rate=\"1.25\"]').getAttribute('aria-pressed')"
        ),
        "true"
    );
    assert_eq!(
        page.eval_str(
            "document.querySelector('[data-aloud-rate=\"1\"]').getAttribute('aria-pressed')"
        ),
        "false"
    );

    // → while reading, focus on the control: the next unit opens and the voice was stopped.
    page.eval("(sessionStorage.removeItem('__ttsCancelled'), true)");
    page.eval("(document.querySelector('[data-aloud-play]').focus(), true)");
    page.press("Enter");
    wait_spoken(&page, 1);
    let next = page.eval_str("document.querySelector('.pager a[rel=next]').href");
    page.press("ArrowRight");
    page.wait_until(&format!("location.href === {next:?}"), WAIT);
    page.wait_until("document.readyState === 'complete'", WAIT);
    assert!(
        page.eval_bool("sessionStorage.getItem('__ttsCancelled') !== null"),
        "leaving the page cancelled the speech"
    );
}

/// Issue 17: no Chinese voice, a voice list that arrives late, no speechSynthesis at all.
#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn without_a_chinese_voice_or_speech_the_control_says_so() {
    let Some((b, _one)) = aloud_browser() else {
        return;
    };
    let url = file_url(&shipped_site().join("01-xuexi/yuanwen.html"));
    let english =
        serde_json::json!([{ "name": "Samantha", "lang": "en-US", "localService": true }]);

    let page = open(b, &url, serde_json::json!({ "voices": english }), PHONE);
    page.wait_until(
        "document.querySelector('[data-aloud-status]').textContent !== ''",
        WAIT,
    );
    assert!(
        status(&page).starts_with("本设备没有可用的中文语音"),
        "{}",
        status(&page)
    );
    assert!(status(&page).contains("语音包"));
    assert!(page.eval_bool(
        "getComputedStyle(document.querySelector('[data-aloud-play]')).display === 'none'"
    ));
    assert!(page.eval_bool("!document.querySelector('[data-aloud]').hidden"));
    page.screenshot("aloud-no-voice-360");

    // The list loads late (as in Chrome): the control waits for it, then reads.
    let page = open(
        b,
        &url,
        serde_json::json!({ "voices": voices(), "late": true }),
        PHONE,
    );
    page.wait_until(
        "getComputedStyle(document.querySelector('[data-aloud-play]')).display !== 'none'",
        WAIT,
    );
    assert_eq!(status(&page), "");
    let said = read_through(&page);
    assert_eq!(said[0]["voice"], "Ting-Ting");
    let page = open(
        b,
        &url,
        serde_json::json!({ "voices": english, "late": true }),
        PHONE,
    );
    page.wait_until(
        "document.querySelector('[data-aloud-status]').textContent !== ''",
        WAIT,
    );
    assert!(status(&page).starts_with("本设备没有可用的中文语音"));

    // No speechSynthesis (some in-app browsers).
    let page = open(b, &url, serde_json::json!({ "none": true }), PHONE);
    assert!(
        status(&page).starts_with("这个浏览器不能朗读"),
        "{}",
        status(&page)
    );
    assert!(page.eval_bool(
        "getComputedStyle(document.querySelector('[data-aloud-play]')).display === 'none'"
    ));
}

/// The session handout reads its texts (titles and bodies), not the programme.
#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn the_session_handout_reads_its_original_texts() {
    let Some((b, _one)) = aloud_browser() else {
        return;
    };
    let url = file_url(&shipped_site().join("sessions/cunshuji-yiri-handout.html"));
    let page = open(b, &url, serde_json::json!({ "voices": voices() }), PHONE);
    let said = read_through(&page);
    assert_chunks_well_formed(&said);
    let title = page.eval_str("document.querySelector('.handout-unit-title').textContent");
    assert_eq!(texts(&page)[0], title);
    let programme = page.eval_str("document.querySelector('.handout-programme h1').textContent");
    assert!(!texts(&page).contains(&programme));
}

/// A screenshot of a unit being read, the sentence marked, the control at the foot of a
/// 360 px screen, for a person to look at.
#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn screenshot_of_a_unit_being_read() {
    let Some((b, _one)) = aloud_browser() else {
        return;
    };
    let url = file_url(&shipped_site().join("01-xuexi/yuanwen.html"));
    let page = open(
        b,
        &url,
        serde_json::json!({ "voices": voices(), "hold": true }),
        PHONE,
    );
    page.click("[data-aloud-play]");
    for n in 1..=4 {
        wait_spoken(&page, n);
        page.eval("window.__tts.next()");
    }
    wait_spoken(&page, 5);
    std::thread::sleep(Duration::from_millis(600)); // the smooth scroll
    assert!(page.eval_bool(
        "(() => { const r = document.querySelector('[data-reading]').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()"
    ), "the sentence being read is on screen");
    assert!(!page.overflows_horizontally());
    let png = page.screenshot("aloud-unit-reading-360");
    assert!(std::fs::metadata(png).unwrap().len() > 1000);
    page.eval("(document.documentElement.setAttribute('data-theme', 'dark'), true)");
    page.screenshot("aloud-unit-reading-dark-360");
}
