//! Phones (issue 17): the session timetable reads at 360 px without sideways scrolling (its
//! rows become cards), and a unit counts as read only when the reader reaches its end or
//! presses 已学完 — a short unit is not read by being opened.

use std::time::Duration;

use crate::browser::{Page, file_url, launch, shipped_site};
use crate::require_browser;
use crate::support::TempSite;
use crate::support::WAIT;

/// Issue 17: at 360 px every session page's timetable fits the screen, each row a card;
/// from 1280 px it is a table again.
#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn the_timetable_reads_on_a_phone_without_sideways_scrolling() {
    let b = require_browser!();
    let site = shipped_site();
    let mut pages: Vec<String> = std::fs::read_dir(site.join("sessions"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".html") && n != "index.html")
        .collect();
    pages.sort();
    assert!(pages.len() >= 3, "{pages:?}");
    let page = Page::open(b, &file_url(&site.join("index.html")), 360, 740);
    for name in &pages {
        page.goto(&file_url(&site.join("sessions").join(name)));
        assert!(!page.overflows_horizontally(), "{name} scrolls sideways");
        if name.ends_with("-signin.html") {
            // The sign-in sheet (issue 26) has the roster, not the timetable.
            continue;
        }
        let fits = page.eval_bool(
            "Array.from(document.querySelectorAll('.timetable')).every(t => t.scrollWidth <= t.clientWidth + 1 && t.getBoundingClientRect().right <= innerWidth)",
        );
        assert!(fits, "{name}: the timetable scrolls inside its box");
        let cards = page.eval_bool(
            "Array.from(document.querySelectorAll('.timetable tbody tr')).every(r => getComputedStyle(r).display === 'flex')",
        );
        assert!(cards, "{name}: rows are cards");
        // The activity comes first in each card, and its header row is left to screen readers.
        let first = page.eval_bool(
            "(() => { const r = document.querySelector('.timetable tbody tr'); const a = r.querySelector('.activity').getBoundingClientRect(); return Array.from(r.cells).every(c => c.getBoundingClientRect().top >= a.top - 1); })()",
        );
        assert!(first, "{name}: the activity heads the card");
    }
    page.eval("(document.querySelector('.timetable').scrollIntoView(), true)");
    page.screenshot("phones-timetable-360");
    page.set_viewport(1280, 800);
    page.goto(&file_url(&site.join("sessions").join(&pages[0])));
    assert_eq!(
        page.eval_str("getComputedStyle(document.querySelector('.timetable tbody tr')).display"),
        "table-row"
    );
}

/// Issue 17: opening a unit whose end is on the screen does not mark it read; 已学完 does.
/// A long unit is marked read when the reader scrolls to its end (and not before).
#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn a_short_unit_is_not_marked_read_by_opening_it() {
    let Some(b) = launch() else {
        return;
    };
    let site = TempSite::minimal();
    site.build().ok();
    let url = file_url(&site.path().join("public/01-a/yuanwen.html"));
    let page = Page::open(&b, &url, 1280, 800);
    page.wait_until("document.readyState === 'complete'", WAIT);
    let read = "(JSON.parse(localStorage.getItem('studysite:' + document.body.dataset.siteKey + ':progress') || '{\"read\":{}}').read['01-a/yuanwen'] || null)";
    assert!(page.eval_bool(
        "(() => { const r = document.querySelector('[data-read-sentinel]').getBoundingClientRect(); return r.top < innerHeight; })()"
    ), "the unit's end is on the screen");
    // Time for the observer and a scroll that does not reach further.
    page.eval("(window.scrollBy(0, 5), true)");
    std::thread::sleep(Duration::from_millis(800));
    assert!(page.eval(read).is_null(), "marked read by being opened");
    page.click("[data-mark-read]");
    page.wait_until(&format!("{read} !== null"), WAIT);

    // A long unit: not read on opening, read once its end is scrolled into view.
    let shipped = file_url(&shipped_site().join("02-tuopin/yuanwen.html"));
    page.goto(&shipped);
    page.set_viewport(360, 740);
    page.goto(&shipped);
    page.wait_until("document.readyState === 'complete'", WAIT);
    let read_long = read.replace("01-a/yuanwen", "02-tuopin/yuanwen");
    std::thread::sleep(Duration::from_millis(500));
    assert!(page.eval(&read_long).is_null());
    page.press("End");
    page.wait_until(&format!("{read_long} !== null"), WAIT);
}

/// Issue 28: the progress page's 还没完成 names only what is still to do — a unit marked read
/// (已学完) leaves it, and a topic with everything read says so.
#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn the_progress_page_lists_only_units_still_to_read() {
    let b = require_browser!();
    let site = TempSite::minimal();
    site.write(
        "content/01-a/jiedu.md",
        "---\ntitle: 解读一\nkind: explanation\nminutes: 5\n---\n解读内容。\n",
    );
    site.build().ok();
    let public = site.path().join("public");
    let page = Page::open(b, &file_url(&public.join("01-a/yuanwen.html")), 360, 740);
    page.wait_until("document.readyState === 'complete'", WAIT);
    page.click("[data-mark-read]");
    let pressed =
        "document.querySelector('[data-mark-read]').getAttribute('aria-pressed') === 'true'";
    page.wait_until(pressed, WAIT);
    let left = "Array.from(document.querySelectorAll('[data-progress-left=\"01-a\"] p, [data-progress-left=\"01-a\"] li')).map(e => e.textContent).join('|')";
    page.goto(&file_url(&public.join("progress.html")));
    page.wait_until(
        "document.querySelector('[data-progress-left=\"01-a\"] p') !== null",
        WAIT,
    );
    assert_eq!(page.eval_str(left), "还没完成：|解读一");

    page.goto(&file_url(&public.join("01-a/jiedu.html")));
    page.wait_until("document.readyState === 'complete'", WAIT);
    page.click("[data-mark-read]");
    page.wait_until(pressed, WAIT);
    page.goto(&file_url(&public.join("progress.html")));
    page.wait_until(
        "document.querySelector('[data-progress-left=\"01-a\"] p') !== null",
        WAIT,
    );
    assert_eq!(page.eval_str(left), "本专题已全部完成。");
}
