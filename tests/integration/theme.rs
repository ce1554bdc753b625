//! The default theme in a real browser, on the shipped site via file://: navigation, layout
//! at 360 px (no sideways scrolling on any page), the side navigation, reader settings that
//! survive a reload, keyboard paging, print, the whole-topic print view, accessibility
//! (axe-core), and screenshots for a person to look at (`target/screenshots/theme-*.png`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use headless_chrome::browser::tab::ModifierKey;
use headless_chrome::protocol::cdp::Emulation;

use crate::browser::{Page, file_url, launch, shipped_site};
use crate::require_browser;
use crate::support::WAIT;
use crate::support::percent_decode;

const PHONE: (u32, u32) = (360, 740);
const DESKTOP: (u32, u32) = (1280, 800);

fn url(rel: &str) -> String {
    file_url(&shipped_site().join(rel))
}

/// Every HTML page of the shipped site, relative to its root, sorted.
fn all_pages() -> Vec<String> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, root, out);
            } else if p.extension().is_some_and(|x| x == "html") {
                out.push(
                    p.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    let mut out = Vec::new();
    walk(shipped_site(), shipped_site(), &mut out);
    out.sort();
    out
}

/// The first unit page of the shipped site that follows a unit (has both neighbours).
fn middle_unit() -> &'static str {
    "01-xuexi/yuanwen.html"
}

/// The path of a file:// URL below the shipped site (without fragment), or None.
fn site_path(url: &str) -> Option<String> {
    let base = file_url(shipped_site());
    let rest = url.strip_prefix(&base)?.trim_start_matches('/');
    let rest = rest.split('#').next().unwrap_or("");
    Some(percent_decode(rest))
}

fn set_color_scheme(page: &Page, scheme: &str) {
    page.tab
        .call_method(Emulation::SetEmulatedMedia {
            media: None,
            features: Some(vec![Emulation::MediaFeature {
                name: "prefers-color-scheme".into(),
                value: scheme.into(),
            }]),
        })
        .expect("emulate colour scheme");
}

/// Reloads and waits until the new document has loaded (not the old one still showing).
fn reload_fully(page: &Page) {
    page.eval("window.__before_reload = true");
    page.reload();
    page.wait_until(
        "!window.__before_reload && document.readyState === 'complete'",
        WAIT,
    );
}

fn nav_visible(page: &Page) -> bool {
    page.eval_bool(
        "(() => { const n = document.getElementById('side-nav'); const r = n.getBoundingClientRect(); \
         return getComputedStyle(n).display !== 'none' && r.height > 0 && r.width > 0; })()",
    )
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn clicking_through_links_lands_on_existing_pages() {
    let b = require_browser!();
    for (w, h) in [PHONE, DESKTOP] {
        let page = Page::open(b, &url("index.html"), w, h);
        // Every link of the home page, a topic page and a unit page names an existing file.
        for rel in [
            "index.html",
            "01-xuexi/index.html",
            middle_unit(),
            "01-xuexi/print.html",
            "404.html",
        ] {
            page.goto(&url(rel));
            let hrefs = page.eval("[...document.querySelectorAll('a[href]')].map(a => a.href)");
            let hrefs = hrefs.as_array().expect("links");
            assert!(hrefs.len() > 3, "{rel} has links");
            for href in hrefs {
                let href = href.as_str().unwrap();
                let target =
                    site_path(href).unwrap_or_else(|| panic!("{rel}: link {href} leaves the site"));
                assert!(
                    shipped_site().join(&target).is_file(),
                    "{rel}: link {href} points to a missing file {target}"
                );
            }
        }

        // Click: home → first topic → its first unit → next → breadcrumb back to the topic.
        page.goto(&url("index.html"));
        if w == PHONE.0 {
            // On the phone the topics are in the page's list (the menu is closed).
            assert!(
                !nav_visible(&page),
                "the side navigation starts closed at {w} px"
            );
        }
        let first_topic = page.eval_str("document.querySelector('.topic-card h2 a').textContent");
        page.click(".topic-card h2 a");
        page.wait_until("location.pathname.endsWith('/01-xuexi/index.html')", WAIT);
        assert_eq!(
            page.eval_str("document.querySelector('h1').textContent"),
            first_topic
        );
        let first_unit = page.eval_str("document.querySelector('.topic .unit-list a').textContent");
        page.click(".topic .unit-list a");
        page.wait_until("document.querySelector('article.unit')", WAIT);
        assert_eq!(
            page.eval_str("document.querySelector('h1').textContent"),
            first_unit
        );
        let next_title =
            page.eval_str("document.querySelector('.pager a[rel=next] .pager-title').textContent");
        page.click(".pager a[rel=next]");
        page.wait_until(
            &format!("document.querySelector('h1') && document.querySelector('h1').textContent === {next_title:?}"),
            WAIT,
        );
        page.click(".breadcrumbs li:last-child a");
        page.wait_until("location.pathname.endsWith('/01-xuexi/index.html')", WAIT);
        // The topic page links its print view.
        page.click(".topic-actions a");
        page.wait_until("location.pathname.endsWith('/01-xuexi/print.html')", WAIT);
    }
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn no_page_scrolls_sideways_at_360_px() {
    let b = require_browser!();
    let pages = all_pages();
    assert!(
        pages.len() > 40,
        "the shipped site has its pages: {pages:?}"
    );
    let page = Page::open(b, &url("index.html"), PHONE.0, PHONE.1);
    let mut wide = Vec::new();
    for rel in &pages {
        page.goto(&url(rel));
        let sizes = page.eval_str("document.documentElement.scrollWidth + ' > ' + innerWidth");
        if page.overflows_horizontally() {
            wide.push(format!("{rel}: {sizes}"));
        }
    }
    assert!(
        wide.is_empty(),
        "pages wider than the 360 px screen:\n{}",
        wide.join("\n")
    );

    // Also with the side navigation and the settings open, at the largest text size.
    for rel in ["index.html", middle_unit(), "01-xuexi/index.html"] {
        page.goto(&url(rel));
        page.eval("document.documentElement.setAttribute('data-text-size', '4')");
        page.click(".menu-button");
        page.click(".reader-toggle");
        assert!(
            !page.overflows_horizontally(),
            "{rel} at the largest text size with menu and settings open: {}",
            page.eval_str("document.documentElement.scrollWidth + ' > ' + innerWidth")
        );
    }
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn the_side_nav_opens_and_closes_with_one_tap_on_a_phone() {
    let b = require_browser!();
    let page = Page::open(b, &url(middle_unit()), PHONE.0, PHONE.1);
    assert!(!nav_visible(&page), "closed at first");
    assert_eq!(
        page.eval_str("document.querySelector('.menu-button').getAttribute('aria-expanded')"),
        "false"
    );
    let closed_label = page.eval_str("document.querySelector('.menu-button').textContent.trim()");

    page.click(".menu-button");
    assert!(nav_visible(&page), "one tap opens it");
    assert_eq!(
        page.eval_str("document.querySelector('.menu-button').getAttribute('aria-expanded')"),
        "true"
    );
    let open_label = page.eval_str("document.querySelector('.menu-button').textContent.trim()");
    assert_ne!(
        open_label, closed_label,
        "the button says it now closes the menu"
    );
    // The current unit is marked in the navigation, and visible without scrolling the page.
    let current =
        page.eval_str("document.querySelector('#side-nav a[aria-current=page]').textContent");
    assert!(
        current.contains(&page.eval_str("document.querySelector('h1').textContent")),
        "{current}"
    );
    assert!(page.eval_bool(
        "(() => { const r = document.querySelector('#side-nav a[aria-current=page]').getBoundingClientRect(); return r.height > 0 && getComputedStyle(document.querySelector('#side-nav a[aria-current=page]')).fontWeight >= 600; })()"
    ));

    page.click(".menu-button");
    assert!(!nav_visible(&page), "one more tap closes it");

    // Escape closes it too.
    page.click(".menu-button");
    assert!(nav_visible(&page));
    page.press("Escape");
    assert!(!nav_visible(&page), "Escape closes it");

    // On a wide screen the navigation sits at the side, without a menu button.
    page.set_viewport(DESKTOP.0, DESKTOP.1);
    assert!(nav_visible(&page), "always shown at 1280 px");
    assert!(page.eval_bool(
        "getComputedStyle(document.querySelector('.menu-button')).display === 'none' && \
         document.getElementById('side-nav').getBoundingClientRect().right <= document.querySelector('main').getBoundingClientRect().left"
    ), "the navigation is beside the text");
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn text_size_and_colour_scheme_survive_a_reload() {
    // A browser of its own: the settings must not leak into the other tests.
    let Some(browser) = launch() else { return };
    let page = Page::open(&browser, &url(middle_unit()), PHONE.0, PHONE.1);
    set_color_scheme(&page, "light");
    let font_size = "parseFloat(getComputedStyle(document.querySelector('.body p')).fontSize)";
    let background = "getComputedStyle(document.body).backgroundColor";
    let normal = page.eval(font_size).as_f64().unwrap();
    let light_bg = page.eval_str(background);
    assert_eq!(
        page.eval_str("document.documentElement.getAttribute('data-theme') || 'none'"),
        "none",
        "follows the system at first"
    );

    page.click(".reader-toggle");
    assert!(
        page.eval_bool("!document.getElementById('reader-panel').hidden"),
        "the settings open"
    );
    for _ in 0..3 {
        page.click("[data-size=larger]");
    }
    page.click("[data-theme-choice=dark]");
    let larger = page.eval(font_size).as_f64().unwrap();
    assert!(
        larger >= normal * 1.4,
        "three steps up make the text much larger: {normal} → {larger}"
    );
    assert_ne!(page.eval_str(background), light_bg, "dark background");
    assert_eq!(
        page.eval_str(
            "document.querySelector('[data-theme-choice=dark]').getAttribute('aria-pressed')"
        ),
        "true"
    );
    assert_eq!(
        page.eval_str(
            "document.querySelector('[data-theme-choice=system]').getAttribute('aria-pressed')"
        ),
        "false"
    );

    // Kept per site, under the site's own key.
    let key = page.eval_str("document.body.dataset.siteKey");
    let stored = page.eval_str(&format!("localStorage.getItem('studysite:{key}:prefs')"));
    assert!(stored.contains("dark"), "{stored}");

    reload_fully(&page);
    assert_eq!(
        page.eval_str("document.documentElement.getAttribute('data-theme')"),
        "dark"
    );
    assert_eq!(
        page.eval(font_size).as_f64().unwrap(),
        larger,
        "the size survives a reload"
    );
    assert_ne!(page.eval_str(background), light_bg);

    // And applies on every page of the site, from the <head> (before the first paint).
    page.goto(&url("index.html"));
    assert_eq!(
        page.eval_str("document.documentElement.getAttribute('data-theme')"),
        "dark"
    );
    let head_script = page.eval_bool(
        "[...document.head.querySelectorAll('script:not([src])')].some(s => s.textContent.includes('localStorage'))",
    );
    assert!(
        head_script,
        "the stored settings are applied by a script in <head>"
    );

    // Back to following the system and to normal size.
    page.goto(&url(middle_unit()));
    page.click(".reader-toggle");
    page.click("[data-theme-choice=system]");
    for _ in 0..3 {
        page.click("[data-size=smaller]");
    }
    reload_fully(&page);
    assert_eq!(
        page.eval_str("document.documentElement.getAttribute('data-theme') || 'none'"),
        "none"
    );
    assert_eq!(page.eval(font_size).as_f64().unwrap(), normal);
    set_color_scheme(&page, "dark");
    assert_ne!(
        page.eval_str(background),
        light_bg,
        "follows a dark system setting"
    );
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn arrow_keys_move_between_units() {
    let b = require_browser!();
    let page = Page::open(b, &url(middle_unit()), DESKTOP.0, DESKTOP.1);
    let next = page.eval_str("document.querySelector('.pager a[rel=next]').href");
    let prev = page.eval_str("document.querySelector('.pager a[rel=prev]').href");
    let here = page.url();

    // Not with a modifier key (the browser's own shortcuts), not while typing.
    page.tab
        .press_key_with_modifiers("ArrowRight", Some(&[ModifierKey::Alt]))
        .expect("alt+right");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(page.url(), here, "Alt+→ is left to the browser");
    page.eval("(() => { const i = document.createElement('input'); i.id = 'typing'; document.querySelector('main').prepend(i); i.focus(); })()");
    page.press("ArrowRight");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        page.url(),
        here,
        "→ in a text field moves the cursor, not the page"
    );
    page.eval("document.getElementById('typing').blur()");

    let loaded =
        |href: &str| format!("location.href === {href:?} && document.readyState === 'complete'");
    page.press("ArrowRight");
    page.wait_until(&loaded(&next), WAIT);
    page.press("ArrowLeft");
    page.wait_until(&loaded(&here), WAIT);
    page.press("ArrowLeft");
    page.wait_until(&loaded(&prev), WAIT);
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn printing_drops_the_navigation() {
    let b = require_browser!();
    let page = Page::open(b, &url(middle_unit()), DESKTOP.0, DESKTOP.1);
    let display = |sel: &str| {
        page.eval_str(&format!(
            "getComputedStyle(document.querySelector('{sel}')).display"
        ))
    };
    assert_ne!(
        display(".side-nav"),
        "none",
        "on screen the navigation shows"
    );
    page.emulate_media("print");
    for sel in [
        ".side-nav",
        ".site-header",
        ".pager",
        ".breadcrumbs",
        ".toc",
        ".site-footer",
    ] {
        assert_eq!(display(sel), "none", "{sel} is not printed");
    }
    for sel in ["h1", ".unit .meta", ".body"] {
        assert_ne!(display(sel), "none", "{sel} is printed");
    }
    assert_eq!(
        page.eval_str("getComputedStyle(document.body).backgroundColor"),
        "rgb(255, 255, 255)"
    );
    assert_eq!(
        page.eval_str("getComputedStyle(document.querySelector('.body p')).color"),
        "rgb(0, 0, 0)"
    );

    // Black on white even when the reader chose dark.
    page.eval("document.documentElement.setAttribute('data-theme', 'dark')");
    assert_eq!(
        page.eval_str("getComputedStyle(document.body).backgroundColor"),
        "rgb(255, 255, 255)"
    );
    assert_eq!(
        page.eval_str("getComputedStyle(document.querySelector('.body p')).color"),
        "rgb(0, 0, 0)"
    );
    page.eval("document.documentElement.removeAttribute('data-theme')");

    let pdf = page.tab.print_to_pdf(None).expect("print to PDF");
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    assert_eq!(display(".side-nav"), "none", "still hidden after printing");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let pdf_path = dir.join("theme-unit-print.pdf");
    std::fs::write(&pdf_path, &pdf).unwrap();
    // With poppler installed, the first page as a PNG to look at, and its text.
    if let Ok(out) = std::process::Command::new("pdftotext")
        .arg(&pdf_path)
        .arg("-")
        .output()
        && out.status.success()
    {
        let text = String::from_utf8_lossy(&out.stdout);
        let title = page.eval_str("document.querySelector('h1').textContent");
        // (A long title wraps on A4: compare without the line breaks.)
        let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(squeezed.contains(&title), "the handout has the title");
        let nav_topic = page.eval_str("document.querySelectorAll('.nav-topic > a')[1].textContent");
        assert!(
            !text.contains(&nav_topic),
            "the handout has no navigation ({nav_topic})"
        );
    }
    let _ = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "60", "-f", "1", "-l", "1"])
        .arg(&pdf_path)
        .arg(dir.join("theme-unit-print"))
        .status();
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn the_whole_topic_prints_on_one_page() {
    let b = require_browser!();
    let page = Page::open(b, &url("01-xuexi/index.html"), PHONE.0, PHONE.1);
    let titles =
        page.eval("[...document.querySelectorAll('.topic .unit-list a')].map(a => a.textContent)");
    let kinds = page
        .eval("[...document.querySelectorAll('.topic .unit-list .kind')].map(a => a.textContent)");
    page.click(".topic-actions a");
    page.wait_until("location.pathname.endsWith('/01-xuexi/print.html')", WAIT);
    let printed =
        page.eval("[...document.querySelectorAll('.print-unit h2')].map(h => h.textContent)");
    assert_eq!(printed, titles, "every unit, in order");
    let printed_kinds = page
        .eval("[...document.querySelectorAll('.print-unit .meta .kind')].map(a => a.textContent)");
    assert_eq!(printed_kinds, kinds);
    // Full text: the original unit's text is all there.
    page.goto(&url("01-xuexi/yuanwen.html"));
    let original = page.eval_str("document.querySelector('.body').innerText.trim()");
    page.goto(&url("01-xuexi/print.html"));
    let all = page.eval_str("document.querySelector('.topic-print').innerText");
    let start: String = original.chars().take(200).collect();
    let end: String = original
        .chars()
        .rev()
        .take(100)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert!(
        all.contains(&start) && all.contains(&end),
        "the original text is printed in full"
    );
    assert_eq!(
        page.eval("document.querySelectorAll('h1').length"),
        1,
        "one h1"
    );
    page.emulate_media("print");
    assert_eq!(
        page.eval_str("getComputedStyle(document.querySelectorAll('.print-unit')[1]).breakBefore"),
        "page",
        "each unit starts a new page"
    );
    assert_eq!(
        page.eval_str("getComputedStyle(document.querySelector('.print-actions')).display"),
        "none"
    );
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn original_text_is_set_apart_from_commentary() {
    let b = require_browser!();
    let page = Page::open(b, &url("01-xuexi/yuanwen.html"), PHONE.0, PHONE.1);
    let original_font =
        page.eval_str("getComputedStyle(document.querySelector('.body p')).fontFamily");
    assert!(
        page.eval_bool("!!document.querySelector('.original-banner')"),
        "a banner says it is the original"
    );
    assert_eq!(
        page.eval_str("document.querySelector('.unit .meta .kind').textContent"),
        "原文"
    );
    assert_ne!(
        page.eval_str("getComputedStyle(document.querySelector('.body')).borderLeftStyle"),
        "none"
    );
    page.goto(&url("01-xuexi/jiedu.html"));
    assert!(page.eval_bool("!document.querySelector('.original-banner')"));
    assert_eq!(
        page.eval_str("document.querySelector('.unit .meta .kind').textContent"),
        "解读"
    );
    let commentary_font =
        page.eval_str("getComputedStyle(document.querySelector('.body p')).fontFamily");
    assert_ne!(original_font, commentary_font, "a different reading style");
    assert!(
        original_font.contains("Serif") || original_font.contains("Song"),
        "{original_font}"
    );
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn screenshots_of_home_topic_and_unit() {
    let b = require_browser!();
    let page = Page::open(b, &url("index.html"), PHONE.0, PHONE.1);
    for (w, h) in [PHONE, DESKTOP] {
        page.set_viewport(w, h);
        for scheme in ["light", "dark"] {
            set_color_scheme(&page, scheme);
            for (name, rel) in [
                ("home", "index.html"),
                ("topic", "01-xuexi/index.html"),
                ("unit", middle_unit()),
                ("commentary", "01-xuexi/jiedu.html"),
                ("topic-print", "01-xuexi/print.html"),
            ] {
                page.goto(&url(rel));
                let png = page.screenshot(&format!("theme-{name}-{scheme}-{w}"));
                assert!(std::fs::metadata(&png).unwrap().len() > 1000);
            }
        }
    }
    set_color_scheme(&page, "light");
    page.set_viewport(PHONE.0, PHONE.1);
    page.goto(&url(middle_unit()));
    page.click(".menu-button");
    page.screenshot("theme-unit-nav-open-360");
    page.click(".menu-button");
    page.click(".reader-toggle");
    page.screenshot("theme-unit-settings-360");
}

/// Loads axe-core into the page with a `<script src>` (its file:// URL).
#[track_caller]
pub fn inject_axe(page: &Page, axe_url: &str) {
    let loaded = page.eval_str(&format!(
        "new Promise(done => {{ const s = document.createElement('script'); s.src = {axe_url:?}; \
         s.onload = () => done(typeof axe.run); s.onerror = () => done('not loaded'); document.head.append(s); }})"
    ));
    assert_eq!(loaded, "function", "axe-core loads from {axe_url}");
}

/// The file:// URL of axe-core, installed by `.ci/run`
/// (`npm install --prefix target/axe axe-core@4`).
pub fn axe_source() -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/axe/node_modules/axe-core/axe.min.js");
    match path.is_file() {
        true => Some(file_url(&path)),
        false => {
            let msg = format!(
                "the accessibility check needs axe-core at {}: run `npm install --prefix target/axe axe-core@4`",
                path.display()
            );
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{msg} — CI=true, so this is a failure");
            }
            eprintln!("\n*** SKIPPED: {msg} ***\n");
            None
        }
    }
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn axe_finds_no_serious_accessibility_problems() {
    let b = require_browser!();
    let Some(axe) = axe_source() else { return };
    // The shipped site, and a small English site (other words on the buttons).
    let english = crate::support::TempSite::minimal();
    english.write("site.yaml", "title: Test site\nlanguage: en\n");
    english.build().ok();
    let mut targets: Vec<(String, String)> = [
        "index.html",
        "01-xuexi/index.html",
        "01-xuexi/yuanwen.html",
        "01-xuexi/jiedu.html",
        "01-xuexi/print.html",
        "404.html",
    ]
    .iter()
    .map(|rel| (rel.to_string(), url(rel)))
    .collect();
    for rel in ["index.html", "01-a/yuanwen.html"] {
        targets.push((
            format!("en:{rel}"),
            file_url(&english.path().join("public").join(rel)),
        ));
    }
    let page = Page::open(b, &url("index.html"), PHONE.0, PHONE.1);
    let mut problems = Vec::new();
    for (w, h) in [PHONE, DESKTOP] {
        page.set_viewport(w, h);
        for scheme in ["light", "dark"] {
            set_color_scheme(&page, scheme);
            for (rel, target) in &targets {
                page.goto(target);
                inject_axe(&page, &axe);
                // Open the reading settings too, so their buttons are checked.
                page.click(".reader-toggle");
                let result = page.eval(
                    "axe.run(document, { resultTypes: ['violations'] }).then(r => JSON.stringify(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' — ' + n.failureSummary) }))))",
                );
                let text = result
                    .as_str()
                    .unwrap_or_else(|| panic!("axe did not run on {rel}: {result}"))
                    .to_string();
                if text != "[]" {
                    problems.push(format!("{rel} at {w} px, {scheme}: {text}"));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "axe-core violations:\n{}",
        problems.join("\n\n")
    );

    // The check can fail: a button without a name is reported.
    page.eval("document.querySelector('main').append(document.createElement('button'))");
    let ids =
        page.eval_str("axe.run(document).then(r => JSON.stringify(r.violations.map(v => v.id)))");
    assert!(
        ids.contains("\"button-name\""),
        "axe reports an unnamed button: {ids}"
    );
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn headings_landmarks_and_labels() {
    let b = require_browser!();
    let page = Page::open(b, &url("index.html"), PHONE.0, PHONE.1);
    for rel in [
        "index.html",
        "01-xuexi/index.html",
        middle_unit(),
        "01-xuexi/print.html",
        "404.html",
    ] {
        page.goto(&url(rel));
        assert_eq!(
            page.eval("document.querySelectorAll('h1').length"),
            1,
            "{rel}: one h1"
        );
        // Headings never skip a level going down.
        let skips = page.eval(
            "(() => { let last = 0; const bad = []; for (const h of document.querySelectorAll('h1,h2,h3,h4,h5,h6')) { const l = +h.tagName[1]; if (l > last + 1) bad.push(h.tagName + ' ' + h.textContent); last = l; } return bad; })()",
        );
        assert_eq!(
            skips,
            serde_json::json!([]),
            "{rel}: heading levels skipped"
        );
        for sel in [
            "header.site-header",
            "nav#side-nav",
            "main#main",
            "footer.site-footer",
        ] {
            assert!(
                page.eval_bool(&format!("!!document.querySelector('{sel}')")),
                "{rel}: {sel}"
            );
        }
        assert_eq!(page.eval_str("document.documentElement.lang"), "zh-CN");
        // Every button has a name.
        let unnamed = page.eval(
            "[...document.querySelectorAll('button')].filter(b => !(b.getAttribute('aria-label') || b.textContent.trim())).map(b => b.outerHTML)",
        );
        assert_eq!(unnamed, serde_json::json!([]), "{rel}");
    }
    // Controls big enough for a thumb on a phone (44 × 44 CSS px at least).
    page.goto(&url(middle_unit()));
    assert!(page.eval_bool("document.querySelectorAll('.pager a').length === 2"));
    let small = page.eval(
        "[...document.querySelectorAll('.menu-button, .reader-toggle, .pager a')].map(e => e.getBoundingClientRect()).filter(r => r.width < 44 || r.height < 44).length",
    );
    assert_eq!(small, 0, "menu, settings and previous/next are thumb-sized");
    // The skip link is the first thing to tab to, and it shows.
    page.goto(&url(middle_unit()));
    page.press("Tab");
    assert_eq!(
        page.eval_str("document.activeElement.className"),
        "skip-link"
    );
    assert!(
        page.eval_bool("document.activeElement.getBoundingClientRect().top >= 0"),
        "visible when focused"
    );
    assert_ne!(
        page.eval_str("getComputedStyle(document.activeElement).outlineStyle"),
        "none",
        "focus is visible"
    );
    page.press("Enter");
    page.wait_until("location.hash === '#main'", WAIT);
}

/// Separators are keys of the language table: a site's own table (here over the default theme's
/// zh-CN one) changes them in titles and meta lines, and in what the scripts are handed.
#[test]
fn separators_come_from_the_language_table() {
    use crate::support::TempSite;
    let site = TempSite::minimal();
    site.write(
        "themes/default/i18n/zh-CN.yaml",
        "sep_title: \" | \"\nsep_meta: \" / \"\nsep_path: \" » \"\n",
    );
    site.build().ok();
    let topic = site.read("public/01-a/index.html");
    for s in [
        "<title>第一专题 | 测试站点</title>",
        "<p class=\"meta\">1 个学习单元 / 10 分钟 / 原文学习占比 100.0%</p>",
        " data-sep_path=\" » \"",
    ] {
        assert!(topic.contains(s), "{s}");
    }
}

#[test]
fn ui_strings_follow_the_site_language() {
    use crate::support::TempSite;
    let site = TempSite::minimal();
    site.build().ok();
    let zh = site.read("public/01-a/yuanwen.html");
    for s in ["跳到正文", "阅读设置", "原文", "打印"] {
        assert!(
            zh.contains(s) || site.read("public/01-a/index.html").contains(s),
            "zh-CN: {s}"
        );
    }
    site.write("site.yaml", "title: Test site\nlanguage: en\n");
    site.build().ok();
    let unit = site.read("public/01-a/yuanwen.html");
    let topic = site.read("public/01-a/index.html");
    for s in [
        "Skip to content",
        "Reading settings",
        "Larger text",
        "Original text",
        "Menu",
    ] {
        assert!(unit.contains(s), "en unit page: {s}");
    }
    assert!(topic.contains("Print the whole topic"), "en topic page");
    assert!(
        site.read("public/01-a/print.html")
            .contains("Print this page")
    );
    // No Chinese UI text left on an English site (its content is still Chinese).
    for s in [
        "跳到正文",
        "阅读设置",
        "放大字号",
        "深色",
        "菜单",
        "上一篇",
        "下一篇",
        "打印",
    ] {
        assert!(
            !unit.contains(s) && !topic.contains(s),
            "en site shows `{s}`"
        );
    }
}

/// A large topic does not make the home page large: it lists the first 12 units and links to
/// the topic page, which lists them all.
#[test]
fn the_home_page_lists_a_large_topics_first_units_and_links_to_the_rest() {
    use crate::support::TempSite;
    let site = TempSite::minimal();
    for i in 1..=30 {
        site.write(
            &format!("content/01-a/u{i:02}.md"),
            &format!(
                "---\ntitle: 第{i}单元\nkind: explanation\nweight: {i}\nminutes: 1\n---\n正文。\n"
            ),
        );
    }
    site.build().ok();
    let home = site.read("public/index.html");
    let topic = site.read("public/01-a/index.html");
    let listed = |html: &str| {
        (1..=30)
            .filter(|i| html.contains(&format!(">第{i}单元<")))
            .count()
    };
    // yuanwen.md (weight 0) comes first, then units 1–11.
    assert_eq!(listed(&home), 11, "{home}");
    assert!(
        home.contains("31 个学习单元"),
        "the count is the whole topic's"
    );
    assert!(
        home.contains("<a href=\"01-a/index.html\">查看本专题全部学习单元</a>"),
        "{home}"
    );
    assert_eq!(listed(&topic), 30);
    assert!(topic.contains("31 个学习单元"));
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn chinese_typography_measure_and_line_height() {
    let b = require_browser!();
    let page = Page::open(b, &url("01-xuexi/jiedu.html"), DESKTOP.0, DESKTOP.1);
    let per_line = page
        .eval("(() => { const p = document.querySelector('.body p'); return p.clientWidth / parseFloat(getComputedStyle(p).fontSize); })()")
        .as_f64()
        .unwrap();
    assert!(
        (34.0..=41.0).contains(&per_line),
        "about 35–40 characters a line, got {per_line:.1}"
    );
    let leading = page
        .eval("(() => { const s = getComputedStyle(document.querySelector('.body p')); return parseFloat(s.lineHeight) / parseFloat(s.fontSize); })()")
        .as_f64()
        .unwrap();
    assert!(
        (1.7..=1.95).contains(&leading),
        "line height about 1.8, got {leading:.2}"
    );
    assert_eq!(
        page.eval_str("getComputedStyle(document.querySelector('.body p')).lineBreak"),
        "strict"
    );
    // System fonts only: no web fonts, nothing loaded from elsewhere (the icon is a data: URI,
    // inside the page).
    assert_eq!(page.eval("document.fonts.size"), 0, "no @font-face");
    let foreign = page.eval(
        "[...document.querySelectorAll('link[href], script[src], img[src]')].map(e => e.href || e.src).filter(u => !u.startsWith('file:') && !u.startsWith('data:'))",
    );
    assert_eq!(foreign, serde_json::json!([]));
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn wide_tables_and_long_words_scroll_in_their_own_box() {
    use crate::support::TempSite;
    let b = require_browser!();
    let site = TempSite::minimal();
    let header: Vec<String> = (1..=12).map(|i| format!("第{i}列标题")).collect();
    let row: Vec<String> = (1..=12).map(|i| format!("内容{i}内容内容")).collect();
    site.write(
        "content/01-a/jiedu.md",
        &format!(
            "---\ntitle: 宽表格\nkind: explanation\nminutes: 3\n---\n| {} |\n|{}|\n| {} |\n\n\
             见 https://example.org/a/very/long/path/that/does/not/break/anywhere/naturally/at/all/index.html 和 \
             Supercalifragilisticexpialidociousantidisestablishmentarianism。\n\n```\nlet a_very_long_line_of_code = \"that is much wider than a phone screen is, and would widen the page\";\n```\n",
            header.join(" | "),
            ["---"; 12].join("|"),
            row.join(" | ")
        ),
    );
    site.build().ok();
    let page = Page::open(
        b,
        &file_url(&site.path().join("public/01-a/jiedu.html")),
        PHONE.0,
        PHONE.1,
    );
    assert!(
        page.eval_bool("!!document.querySelector('.body table')"),
        "the table is rendered"
    );
    assert!(
        !page.overflows_horizontally(),
        "the page stays 360 px wide: {}",
        page.eval_str("document.documentElement.scrollWidth")
    );
    assert!(
        page.eval_bool("(() => { const t = document.querySelector('.body table'); return t.scrollWidth > t.clientWidth && getComputedStyle(t).overflowX === 'auto'; })()"),
        "the table scrolls sideways inside its own box"
    );
}
