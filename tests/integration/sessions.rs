//! Training sessions (班次): the one-third original-text rule, the timetable's clock times, the
//! pages (session, programme, handout, list, coverage), `check`'s table and JSON.
//!
//! Sessions are written inline into a copy of `fixtures/sessions/base` (two topics: `01-a` with
//! an original unit of 30 minutes and an explanation of 20, `02-b` with an original unit of 40
//! and a discussion of 30).

use std::time::Duration;

use crate::browser::{Page, file_url, shipped_site};
use crate::require_browser;
use crate::support::*;

fn base() -> TempSite {
    TempSite::fixture("sessions/base")
}

/// A one-day session with `original` minutes of the original unit `01-a/yuanwen` and
/// `other` minutes of a free explanation. `blocks:` is on line 7.
fn two_block_session(original: u32, other: u32) -> String {
    format!(
        "---\ntitle: 测试班\naudience: 村党组织书记\ndate: 2026-12-08\nplace: 县委党校\nstart_time: \"08:30\"\nblocks:\n  - unit: 01-a/yuanwen\n    minutes: {original}\n  - title: 专题辅导\n    kind: explanation\n    minutes: {other}\n---\n## 通知\n\n请准时参加。\n"
    )
}

/// Terminal columns of a string (CJK and full-width forms are two wide).
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}

/// Evaluates a JavaScript expression in the page and returns its value through JSON.
#[track_caller]
fn eval_json(page: &Page, js: &str) -> serde_json::Value {
    let text = page.eval_str(&format!("JSON.stringify({js})"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The values of `attr="…"` in `html`, in order.
fn attr_values(html: &str, attr: &str) -> Vec<String> {
    let needle = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        let end = rest.find('"').expect("closing quote");
        out.push(rest[..end].to_string());
        rest = &rest[end..];
    }
    out
}

/// One day of a timetable: its `data-date` and each row's `(start, end)` clock times.
type DayTimes = (Option<String>, Vec<(String, String)>);

/// The timetable of each day of a session page.
fn timetable(html: &str) -> Vec<DayTimes> {
    html.split("<section class=\"timetable-day\"")
        .skip(1)
        .map(|day| {
            let day = day.split("</section>").next().unwrap();
            let head = day.split('>').next().unwrap();
            let date = attr_values(head, "data-date").into_iter().next();
            let starts = attr_values(day, "data-start");
            let ends = attr_values(day, "data-end");
            (date, starts.into_iter().zip(ends).collect())
        })
        .collect()
}

#[test]
fn a_session_at_exactly_one_third_passes() {
    let site = base();
    site.write("content/sessions/ban.md", &two_block_session(100, 200));
    let run = site.run(&["check"]);
    run.ok();
    assert!(
        run.stderr.contains("check passed: 0 errors, 0 warnings"),
        "{}",
        run.stderr
    );
    let row = run
        .stdout
        .lines()
        .find(|l| l.starts_with("测试班"))
        .unwrap_or_else(|| panic!("no table row for the session:\n{}", run.stdout));
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        cells,
        ["测试班", "2026-12-08", "300", "100", "33.3", "%", "OK"]
    );
    site.build().ok();
    let page = site.read("public/sessions/ban.html");
    assert!(page.contains("data-share=\"33.3\""), "{page}");
    assert!(page.contains("class=\"rule-ok\""), "{page}");
}

#[test]
fn one_minute_short_of_one_third_fails_check_and_build_with_the_figures() {
    let site = base();
    site.write("content/sessions/ban.md", &two_block_session(99, 200));
    let message = "error: content/sessions/ban.md:7:1: the original-text share is 33.1 % (99 of 299 study minutes), below the minimum of 33.3 %: add 1 minute of original text to meet it";
    let check = site.run(&["check"]);
    check.fails(1).has_line(message).has_line(" 7 | blocks:");
    // The table is printed even though the content has errors.
    assert!(
        check
            .stdout
            .lines()
            .any(|l| l.starts_with("测试班") && l.ends_with("below")),
        "{}",
        check.stdout
    );
    let build = site.build();
    build
        .fails(1)
        .has_line(message)
        .has_line("build failed: nothing was written; the previous output is unchanged");
    assert!(!site.path().join("public").exists());
}

#[test]
fn a_larger_shortfall_names_the_share_and_the_minutes_still_needed() {
    let site = base();
    // 100 of 350: (100 + x) · 3 ≥ 350 + x from x = 25 on.
    site.write("content/sessions/ban.md", &two_block_session(100, 250));
    site.run(&["check"]).fails(1).has_line(
        "error: content/sessions/ban.md:7:1: the original-text share is 28.6 % (100 of 350 study minutes), below the minimum of 33.3 %: add 25 minutes of original text to meet it",
    );
    // …and 25 more minutes of original text are indeed enough.
    site.write("content/sessions/ban.md", &two_block_session(125, 250));
    site.run(&["check"]).ok();
}

#[test]
fn with_original_share_warn_the_build_succeeds_and_warns() {
    let site = base();
    site.write(
        "site.yaml",
        "title: 班次测试站点\nrules:\n  original_share: warn\n",
    );
    site.write("content/sessions/ban.md", &two_block_session(100, 250));
    let run = site.build();
    run.ok().has_line(
        "warning: content/sessions/ban.md:7:1: the original-text share is 28.6 % (100 of 350 study minutes), below the minimum of 33.3 %: add 25 minutes of original text to meet it",
    );
    assert!(run.stderr.contains("0 errors, 1 warning"), "{}", run.stderr);
    let page = site.read("public/sessions/ban.html");
    assert!(page.contains("class=\"rule-below\""), "{page}");
    assert!(page.contains("data-share=\"28.6\""), "{page}");
    let list = site.read("public/sessions/index.html");
    assert!(
        list.contains("<tr class=\"below\" data-session=\"ban\">"),
        "{list}"
    );
}

#[test]
fn another_threshold_is_inclusive_too() {
    let site = base();
    site.write(
        "site.yaml",
        "title: 班次测试站点\nrules:\n  min_original_share: 0.4\n",
    );
    site.write("content/sessions/ban.md", &two_block_session(40, 60));
    site.run(&["check"]).ok();
    site.write("content/sessions/ban.md", &two_block_session(39, 60));
    // (39 + x) / (99 + x) ≥ 0.4 from x = 1 on (40 of 100).
    site.run(&["check"]).fails(1).has_line(
        "error: content/sessions/ban.md:7:1: the original-text share is 39.4 % (39 of 99 study minutes), below the minimum of 40.0 %: add 1 minute of original text to meet it",
    );
}

#[test]
fn every_problem_of_a_session_file_is_reported_with_its_line() {
    let site = base();
    site.write(
        "content/sessions/bad.md",
        "---\ntitle: 有问题的班次\nstart: 2026-12-10\nend: 2026-12-09\nstart_time: \"8:3\"\nblocks:\n  - unit: 01-a/yuanwn\n  - unit: 02-b/yuanwen\n    minutes: 0\n  - title: 分组研讨\n    kind: discussion\n    minutes: -5\n  - title: 自学\n    kind: 自学\n    minutes: 10\n  - title: 结业\n    minutes: 10\n---\n",
    );
    site.write(
        "content/sessions/empty.md",
        "---\ntitle: 空班次\ndate: 2026-02-30\nblocks: []\n---\n",
    );
    site.write(
        "content/sessions/keys.md",
        "---\ntitle: 键错了\ndate: 2026-12-01\ncolour: red\nblocks:\n  - unit: 01-a/yuanwen\n---\n",
    );
    let run = site.run(&["check"]);
    run.fails(1)
        .has_line("error: content/sessions/bad.md:4:6: `end` (2026-12-09) is before `start` (2026-12-10)")
        .has_line("error: content/sessions/bad.md:5:13: `start_time` must be a time written HH:MM, e.g. \"08:30\"; got `8:3`")
        .has_line("error: content/sessions/bad.md:7:11: unknown unit `01-a/yuanwn`; did you mean `01-a/yuanwen`, `02-b/yuanwen`?")
        .has_line("error: content/sessions/bad.md:9:14: `minutes` must be a positive whole number of minutes, got 0")
        .has_line("error: content/sessions/bad.md:12:14: `minutes` must be a positive whole number of minutes, got -5")
        .has_line("error: content/sessions/bad.md:14:11: unknown kind `自学`; use original, explanation, discussion, practice, other or break (原文, 解读, 研讨, 实践, 其他, 休息)")
        .has_line("error: content/sessions/bad.md:16:5: the activity `结业` needs `kind:` (original, explanation, discussion, practice, other or break)")
        .has_line("error: content/sessions/empty.md:3:7: `date` must be a date written YYYY-MM-DD, e.g. 2026-12-08; got `2026-02-30`")
        .has_line("error: content/sessions/empty.md:4:1: the session has no blocks: list its units (`- unit: <topic>/<unit>`) and activities (`- title: …`, `kind: …`, `minutes: …`) under `blocks:`")
        .has_line("error: content/sessions/keys.md:4:1: unknown key `colour`; allowed keys: title, audience, date, start, end, place, start_time, blocks, roster, extra");
    assert!(
        run.stderr.contains("10 errors, 0 warnings"),
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_units_without_a_close_match_list_the_topics_units() {
    let site = base();
    site.write(
        "content/sessions/ban.md",
        "---\ntitle: 班\ndate: 2026-12-01\nblocks:\n  - unit: 01-a/xuexi-shouce\n---\n",
    );
    site.run(&["check"]).fails(1).has_line(
        "error: content/sessions/ban.md:5:11: unknown unit `01-a/xuexi-shouce`; the topic `01-a` has `01-a/yuanwen`, `01-a/jiedu`",
    );
}

#[test]
fn days_must_match_the_dates_and_breaks_are_not_study_time() {
    let site = base();
    site.write(
        "content/sessions/ban.md",
        "---\ntitle: 一日班\ndate: 2026-12-01\nblocks:\n  - unit: 01-a/yuanwen\n  - title: 午餐\n    kind: 休息\n    minutes: 600\n  - break: day\n  - unit: 02-b/yuanwen\n---\n",
    );
    site.run(&["check"]).fails(1).has_line(
        "error: content/sessions/ban.md:4:1: the dates give a one-day session, but the blocks make 2 days (days are separated by `- break: day`); for a session of several days give `start:` and `end:` instead of `date:`",
    );
    site.write(
        "content/sessions/ban.md",
        "---\ntitle: 只有休息\ndate: 2026-12-01\nblocks:\n  - title: 午餐\n    kind: 休息\n    minutes: 60\n---\n",
    );
    site.run(&["check"]).fails(1).has_line(
        "error: content/sessions/ban.md:4:1: the session has no study time: every block is a break",
    );
}

#[test]
fn clock_times_restart_after_a_day_break() {
    let site = base();
    site.write(
        "content/sessions/sanri.md",
        "---\ntitle: 三日班\naudience: 党支部书记\nstart: 2026-12-30\nend: 2027-01-01\nstart_time: \"08:30\"\nblocks:\n  - title: 开班动员\n    kind: other\n    minutes: 15\n  - unit: 01-a/yuanwen\n  - title: 午餐休息\n    kind: break\n    minutes: 90\n  - unit: 01-a/jiedu\n  - break: day\n    start_time: \"14:00\"\n  - unit: 02-b/yuanwen\n    minutes: 45\n  - unit: 02-b/yantao\n  - break: day\n  - title: 结业测试\n    kind: 其他\n    minutes: 20\n---\n",
    );
    site.build().ok();
    let html = site.read("public/sessions/sanri.html");
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        timetable(&html),
        vec![
            (
                Some("2026-12-30".to_string()),
                vec![
                    pair("08:30", "08:45"),
                    pair("08:45", "09:15"), // the unit's own 30 minutes
                    pair("09:15", "10:45"), // a break moves the clock
                    pair("10:45", "11:05"),
                ]
            ),
            // The day break's own start time…
            (
                Some("2026-12-31".to_string()),
                vec![pair("14:00", "14:45"), pair("14:45", "15:15")]
            ),
            // …or else the session's.
            (Some("2027-01-01".to_string()), vec![pair("08:30", "08:50")]),
        ]
    );
    // Breaks are not study time: 15 + 30 + 20 + 45 + 30 + 20 = 160 minutes, 30 + 45 original.
    assert!(
        html.contains("data-original-minutes=\"75\" data-study-minutes=\"160\""),
        "{html}"
    );
    // Unit rows link to the units.
    assert!(
        html.contains("<a href=\"../02-b/yuanwen.html\">原文：第二部分</a>"),
        "{html}"
    );
}

#[test]
fn a_session_without_start_time_has_no_clock_column() {
    let site = base();
    site.write(
        "content/sessions/ban.md",
        "---\ntitle: 班\ndate: 2026-12-01\nblocks:\n  - unit: 01-a/yuanwen\n---\n",
    );
    site.build().ok();
    let html = site.read("public/sessions/ban.html");
    assert!(timetable(&html)[0].1.is_empty(), "{html}");
    assert!(!html.contains("class=\"time\""), "{html}");
}

#[test]
fn check_prints_a_table_aligned_by_display_width() {
    let site = base();
    site.write(
        "content/sessions/a.md",
        &two_block_session(100, 100).replace("测试班", "村党组织书记集中轮训（一日班）"),
    );
    site.write(
        "content/sessions/b.md",
        &two_block_session(30, 60)
            .replace("测试班", "Short")
            .replace("date: 2026-12-08", "date: 2026-12-09"),
    );
    let run = site.run(&["check"]);
    run.ok();
    let lines: Vec<&str> = run.stdout.lines().take(3).collect();
    assert!(lines[0].starts_with("session "), "{}", run.stdout);
    // Every column starts at the same display column in every line: the date column after the
    // CJK title, and the share column (right-aligned numbers) ends at the same column.
    let date_col = |l: &str| width(&l[..l.find("2026").unwrap_or_else(|| l.find("date").unwrap())]);
    assert_eq!(date_col(lines[0]), date_col(lines[1]), "{}", run.stdout);
    assert_eq!(date_col(lines[1]), date_col(lines[2]), "{}", run.stdout);
    let share_end = |l: &str| {
        width(
            &l[..l
                .find(" %")
                .map(|i| i + 2)
                .unwrap_or_else(|| l.find("share").unwrap() + 5)],
        )
    };
    assert_eq!(share_end(lines[0]), share_end(lines[1]), "{}", run.stdout);
    assert_eq!(share_end(lines[1]), share_end(lines[2]), "{}", run.stdout);
}

#[test]
fn coverage_shows_which_original_units_no_session_reads() {
    let site = base();
    site.write("content/sessions/ban.md", &two_block_session(100, 200));
    site.build().ok();
    let home = site.read("public/index.html");
    assert!(
        home.contains("<a href=\"sessions/index.html\">培训班次</a>"),
        "{home}"
    );
    assert!(
        home.contains("<a href=\"coverage.html\">原文学习覆盖情况</a>"),
        "{home}"
    );
    let cov = site.read("public/coverage.html");
    assert!(cov.contains("data-covered=\"1\" data-total=\"2\""), "{cov}");
    let row = |key: &str| {
        let start = cov
            .find(&format!("data-unit=\"{key}\""))
            .unwrap_or_else(|| panic!("{key}: {cov}"));
        let end = start + cov[start..].find("</tr>").unwrap();
        let tr_start = cov[..start].rfind("<tr").unwrap();
        cov[tr_start..end].to_string()
    };
    let read = row("01-a/yuanwen");
    assert!(read.contains("class=\"covered\""), "{read}");
    assert!(
        read.contains("<a href=\"sessions/ban.html\">测试班</a>"),
        "{read}"
    );
    let unread = row("02-b/yuanwen");
    assert!(unread.contains("class=\"uncovered\""), "{unread}");
    assert!(unread.contains("尚未安排"), "{unread}");
}

#[test]
fn a_site_without_sessions_has_no_session_pages_or_links() {
    let site = base();
    site.build().ok();
    assert!(!site.path().join("public/sessions").exists());
    assert!(!site.path().join("public/coverage.html").exists());
    assert!(!site.read("public/index.html").contains("coverage.html"));
}

#[test]
fn shipped_sessions_load_and_meet_the_rule() {
    let out = bin()
        .args(["check", "--format", "json", "--root"])
        .arg(repo_root())
        .output()
        .expect("run studysite");
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("check --format json prints JSON");
    assert_eq!(report["ok"], true, "{report:#}");
    let sessions = report["sessions"].as_array().expect("sessions array");
    let slugs: Vec<&str> = sessions
        .iter()
        .map(|s| s["slug"].as_str().unwrap())
        .collect();
    assert_eq!(
        slugs,
        ["cunshuji-yiri", "zhibushuji-liangri", "dangyuan-liangri"]
    );
    for s in sessions {
        let blocks: Vec<&serde_json::Value> = s["days"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|d| d["blocks"].as_array().unwrap())
            .collect();
        let sum = |pred: &dyn Fn(&str) -> bool| -> u64 {
            blocks
                .iter()
                .filter(|b| pred(b["kind"].as_str().unwrap()))
                .map(|b| b["minutes"].as_u64().unwrap())
                .sum()
        };
        let study = sum(&|k| k != "break");
        let original = sum(&|k| k == "original");
        assert_eq!(s["study_minutes"].as_u64().unwrap(), study, "{s:#}");
        assert_eq!(s["original_minutes"].as_u64().unwrap(), original, "{s:#}");
        assert!(original * 3 >= study, "{s:#}");
        assert_eq!(s["ok"], true, "{s:#}");
    }
}

/// The figures of `check --format json` are the ones the pages show (read in the browser).
#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn check_json_matches_the_pages_figures() {
    let b = require_browser!();
    let out = bin()
        .args(["check", "--format", "json", "--root"])
        .arg(repo_root())
        .output()
        .expect("run studysite");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let site = shipped_site();
    let list = Page::open(b, &file_url(&site.join("sessions/index.html")), 1280, 800);
    for s in report["sessions"].as_array().unwrap() {
        let slug = s["slug"].as_str().unwrap();
        let listed = eval_json(
            &list,
            &format!(
                r#"(() => {{ const tr = document.querySelector('tr[data-session="{slug}"]');
                return {{ minutes: +tr.querySelector('[data-minutes]').dataset.minutes,
                          share: +tr.querySelector('[data-share]').dataset.share,
                          href: tr.querySelector('a').getAttribute('href') }}; }})()"#
            ),
        );
        assert_eq!(listed["minutes"], s["study_minutes"], "{slug}");
        assert_eq!(listed["share"].as_f64(), s["share"].as_f64(), "{slug}");
        assert_eq!(
            listed["href"].as_str().unwrap(),
            format!("../{}", s["page"].as_str().unwrap())
        );

        let page = Page::open(
            b,
            &file_url(&site.join(s["page"].as_str().unwrap())),
            1280,
            800,
        );
        let shown = eval_json(
            &page,
            r#"(() => { const d = document.querySelector('.session-share').dataset;
                const bar = document.querySelector('.share-original').getBoundingClientRect();
                const whole = document.querySelector('.share-bar').getBoundingClientRect();
                const mark = document.querySelector('.share-threshold').getBoundingClientRect();
                return { share: +d.share, original: +d.originalMinutes, study: +d.studyMinutes,
                         threshold: +d.threshold,
                         bar: bar.width / whole.width, mark: (mark.left - whole.left) / whole.width,
                         days: [...document.querySelectorAll('.timetable-day')].map(day => ({
                           date: day.dataset.date || null,
                           rows: [...day.querySelectorAll('tbody tr')].map(tr => {
                             const t = tr.querySelector('td.time');
                             return { start: t ? t.dataset.start : null, end: t ? t.dataset.end : null,
                                      unit: tr.dataset.unit || null,
                                      minutes: parseInt(tr.querySelector('td.num').textContent) };
                           }) })) }; })()"#,
        );
        assert_eq!(shown["original"], s["original_minutes"], "{slug}");
        assert_eq!(shown["study"], s["study_minutes"], "{slug}");
        assert_eq!(shown["share"].as_f64(), s["share"].as_f64(), "{slug}");
        let share = s["share"].as_f64().unwrap() / 100.0;
        assert!(
            (shown["bar"].as_f64().unwrap() - share).abs() < 0.01,
            "bar {shown} vs {share}"
        );
        let threshold = s["threshold"].as_f64().unwrap();
        assert!(
            (shown["mark"].as_f64().unwrap() - threshold).abs() < 0.01,
            "mark {shown}"
        );
        let days = s["days"].as_array().unwrap();
        assert_eq!(
            shown["days"].as_array().unwrap().len(),
            days.len(),
            "{slug}"
        );
        for (shown_day, day) in shown["days"].as_array().unwrap().iter().zip(days) {
            assert_eq!(shown_day["date"], day["date"], "{slug}");
            let rows = shown_day["rows"].as_array().unwrap();
            let blocks = day["blocks"].as_array().unwrap();
            assert_eq!(rows.len(), blocks.len(), "{slug}");
            for (r, bl) in rows.iter().zip(blocks) {
                assert_eq!(r["start"], bl["start"], "{slug}");
                assert_eq!(r["end"], bl["end"], "{slug}");
                assert_eq!(r["unit"], bl["unit"], "{slug}");
                assert_eq!(r["minutes"], bl["minutes"], "{slug}");
            }
        }
    }
}

/// The handout prints: a real PDF, every original unit on a page of its own after the programme.
#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn the_handout_prints_the_programme_and_every_original_unit() {
    let b = require_browser!();
    let out = bin()
        .args(["check", "--format", "json", "--root"])
        .arg(repo_root())
        .output()
        .expect("run studysite");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let session = report["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["day_count"].as_u64() == Some(2))
        .expect("a two-day shipped session");
    let originals: Vec<&str> = {
        let mut seen = Vec::new();
        for d in session["days"].as_array().unwrap() {
            for bl in d["blocks"].as_array().unwrap() {
                if let (true, Some(u)) = (bl["kind"] == "original", bl["unit"].as_str())
                    && !seen.contains(&u)
                {
                    seen.push(u);
                }
            }
        }
        seen
    };
    assert!(originals.len() >= 2, "{session:#}");

    let site = shipped_site();
    let page = Page::open(
        b,
        &file_url(&site.join(session["handout_page"].as_str().unwrap())),
        1280,
        800,
    );
    page.wait_until(
        "document.fonts.status === 'loaded'",
        Duration::from_secs(10),
    );
    let units: Vec<String> = serde_json::from_value(eval_json(
        &page,
        "[...document.querySelectorAll('.handout-unit')].map(s => s.dataset.unit)",
    ))
    .unwrap();
    assert_eq!(units, originals);
    // Each unit starts a new printed page.
    page.emulate_media("print");
    let breaks = page.eval_str(
        "[...document.querySelectorAll('.handout-unit')].map(s => getComputedStyle(s).breakBefore).join(',')",
    );
    assert!(breaks.split(',').all(|b| b == "page"), "{breaks}");
    let nav_hidden =
        page.eval_bool("getComputedStyle(document.querySelector('.side-nav')).display === 'none'");
    assert!(nav_hidden, "the side navigation is not printed");
    let actions_hidden = page
        .eval_bool("getComputedStyle(document.querySelector('.print-actions')).display === 'none'");
    assert!(actions_hidden, "the print button is not printed");

    let pdf = page.tab.print_to_pdf(None).expect("print to PDF");
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    assert!(pdf.len() > 20_000, "the PDF is only {} bytes", pdf.len());
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("session-handout.pdf");
    std::fs::write(&path, &pdf).unwrap();

    let Ok(text) = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
    else {
        eprintln!("pdftotext not found (apt-get install -y poppler-utils): PDF text not checked");
        return;
    };
    let text = String::from_utf8_lossy(&text.stdout).replace(['\n', ' '], "");
    let expect = |s: &str| {
        let s = s.replace(' ', "");
        assert!(text.contains(&s), "the PDF lacks `{s}`:\n{text}");
    };
    expect(session["title"].as_str().unwrap());
    for d in session["days"].as_array().unwrap() {
        for bl in d["blocks"].as_array().unwrap() {
            expect(bl["title"].as_str().unwrap());
            if let Some(t) = bl["start"].as_str() {
                expect(t);
            }
        }
    }
    let pages = std::process::Command::new("pdfinfo")
        .arg(&path)
        .output()
        .expect("pdfinfo");
    let info = String::from_utf8_lossy(&pages.stdout);
    let count: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("page count");
    assert!(
        count > originals.len(),
        "{count} pages for the programme and {} units",
        originals.len()
    );
}

/// On a phone the session pages never scroll sideways as a whole (tables scroll in their box).
#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn session_pages_fit_a_phone_screen() {
    let b = require_browser!();
    let site = shipped_site();
    let mut pages = vec![site.join("sessions/index.html"), site.join("coverage.html")];
    for entry in std::fs::read_dir(site.join("sessions")).unwrap() {
        pages.push(entry.unwrap().path());
    }
    assert!(pages.len() > 3, "{pages:?}");
    let page = Page::open(b, &file_url(&pages[0]), 360, 740);
    for p in &pages {
        page.goto(&file_url(p));
        assert!(
            !page.overflows_horizontally(),
            "{} scrolls sideways at 360 px",
            p.display()
        );
    }
}

#[test]
fn session_text_is_escaped_in_the_pages() {
    let site = base();
    site.write(
        "content/sessions/ban.md",
        &two_block_session(100, 200)
            .replace("title: 测试班", "title: \"<b>测试班</b> & 其他\"")
            .replace("title: 专题辅导", "title: \"<script>alert(1)</script>\""),
    );
    site.build().ok();
    for rel in [
        "public/sessions/ban.html",
        "public/sessions/index.html",
        "public/coverage.html",
    ] {
        let html = site.read(rel);
        assert!(
            html.contains("&lt;b&gt;测试班&lt;&#x2F;b&gt; &amp; 其他")
                || html.contains("&lt;b&gt;测试班&lt;/b&gt; &amp; 其他"),
            "{rel}: {html}"
        );
        assert!(!html.contains("<b>测试班</b>"), "{rel}");
    }
    assert!(
        !site
            .read("public/sessions/ban.html")
            .contains("<script>alert(1)</script>")
    );
}

#[test]
fn session_pages_may_not_collide() {
    let site = base();
    site.write("content/sessions/ban.md", &two_block_session(100, 200));
    site.write(
        "content/sessions/ban-print.md",
        &two_block_session(100, 200),
    );
    site.run(&["check"])
        .fails(1)
        .has_line("error: content/sessions/ban-print.md: this session's page `sessions/ban-print.html` is also a page of `content/sessions/ban.md`: rename one of the files");
}

/// Issue 24: the commonest YAML mistakes of a session (and of front matter) in plain words,
/// with the fix, at the line that has the mistake; a unit named by its title gets its key.
#[test]
fn issue_24_yaml_mistakes_are_put_in_plain_words_at_their_line() {
    let site = base();
    let session = |name: &str, blocks: &str| {
        site.write(
            &format!("content/sessions/{name}.md"),
            &format!("---\ntitle: 班\ndate: 2026-12-01\nblocks:\n{blocks}---\n"),
        );
    };
    session("tab", "  - unit: 01-a/yuanwen\n\tminutes: 30\n");
    session("minutes", "  - unit: 01-a/yuanwen\n    minutes: 60分钟\n");
    session("indent", "  - unit: 01-a/yuanwen\n   minutes: 30\n");
    session("title", "  - unit: 原文：第一部分\n");
    site.write(
        "content/sessions/colon.md",
        "---\ntitle: 班\ndate：2026-12-01\nblocks:\n  - unit: 01-a/yuanwen\n---\n",
    );
    site.write(
        "content/sessions/value.md",
        "---\ntitle: 学习: 原文\ndate: 2026-12-01\nblocks:\n  - unit: 01-a/yuanwen\n---\n",
    );
    site.write(
        "content/01-a/note.md",
        "---\ntitle: 说明\nkind：explanation\n---\n正文。\n",
    );
    let run = site.run(&["check"]);
    run.fails(1)
        .has_line("error: content/sessions/tab.md:6:1: 这一行用 Tab 缩进了：用空格缩进，不要用 Tab")
        .has_line("error: content/sessions/minutes.md:6:14: `minutes` 只写数字，如 60（不带“分钟”等单位，也不加引号）")
        .has_line("error: content/sessions/indent.md:6:1: 这一行的缩进和上面同一层的行没有对齐：同一层的键、同一列表的 `- ` 要用同样多的空格缩进，对照上一行改这一行前面的空格")
        .has_line("error: content/sessions/title.md:5:11: unknown unit `原文：第一部分`: units are named by folder and file, not by title; did you mean `01-a/yuanwen`?")
        .has_line("error: content/sessions/colon.md:3:5: `date` 后面是中文全角冒号 `：`：冒号要用英文半角 `:`，后面空一格，如 `date: …`")
        .has_line("error: content/sessions/value.md:2:8: `title` 的值里有英文冒号加空格 `: `，会被读成又一个键：把整个值放进英文引号，如 title: \"学习: 原文\"")
        .has_line("error: content/01-a/note.md:3:5: `kind` 后面是中文全角冒号 `：`：冒号要用英文半角 `:`，后面空一格，如 `kind: …`");
}

/// Issue 26: the shipped workbook session's sign-in sheet prints on A4, one page a day, with
/// every roster name on each page.
#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn the_sign_in_sheet_prints_one_a4_page_a_day() {
    let b = require_browser!();
    let site = shipped_site();
    let page = Page::open(
        b,
        &file_url(&site.join("sessions/dangyuan-liangri-signin.html")),
        1280,
        800,
    );
    page.wait_until(
        "document.fonts.status === 'loaded'",
        Duration::from_secs(10),
    );
    let names: Vec<String> = serde_json::from_value(eval_json(
        &page,
        "[...document.querySelectorAll('.signin-day')[0].querySelectorAll('.signin-name')].map(td => td.textContent)",
    ))
    .unwrap();
    assert_eq!(names.len(), 12, "{names:?}");
    let options = headless_chrome::types::PrintToPdfOptions {
        prefer_css_page_size: Some(true),
        ..Default::default()
    };
    let pdf = page.tab.print_to_pdf(Some(options)).expect("print to PDF");
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("session-signin.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let (Ok(info), Ok(text)) = (
        std::process::Command::new("pdfinfo").arg(&path).output(),
        std::process::Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output(),
    ) else {
        eprintln!(
            "pdfinfo or pdftotext not found (apt-get install -y poppler-utils): PDF not checked"
        );
        return;
    };
    let info = String::from_utf8_lossy(&info.stdout);
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(field("Pages:"), "2", "{info}");
    assert!(field("Page size:").ends_with("(A4)"), "{info}");
    let text = String::from_utf8_lossy(&text.stdout);
    let pages: Vec<String> = text
        .split('\u{c}')
        .map(|p| p.replace([' ', '\n'], ""))
        .collect();
    for (i, date) in ["2026-12-22", "2026-12-23"].iter().enumerate() {
        assert!(pages[i].contains(date), "page {}:\n{}", i + 1, pages[i]);
        for n in &names {
            assert_eq!(
                pages[i].matches(n.as_str()).count(),
                1,
                "{n} on page {}",
                i + 1
            );
        }
    }
}
