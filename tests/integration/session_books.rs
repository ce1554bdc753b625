//! Issue 26 item 1: a 班次 from a workbook. `content/sessions/<slug>.xlsx` (or `.ods`, or a
//! CSV file per sheet) with a sheet 日程 (the timetable) and a sheet 名册 (the roster), the
//! `.md` of the same name beside it for the title and notice, and roster workbooks named by
//! `roster:` in a session file. The workbooks are written here with rust_xlsxwriter (a real
//! writer, as Excel's files are) and saved by LibreOffice Calc (fixtures made with `soffice`).
//!
//! The sites are copies of `fixtures/sessions/base`: `01-a/yuanwen` (原文：第一部分, original,
//! 30 minutes), `01-a/jiedu` (解读：第一部分, explanation, 20), `02-b/yuanwen` (原文：第二部分,
//! original, 40) and `02-b/yantao` (研讨：第二部分, discussion, 30).

use std::path::Path;

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::support::*;

/// One cell to write.
enum C {
    /// Nothing written.
    E,
    /// Text.
    S(&'static str),
    /// A number.
    N(f64),
    /// A date cell, shown with `format`.
    D(u16, u8, u8, &'static str),
    /// A time-of-day cell, shown `hh:mm`.
    T(u16, u8),
}
use C::*;

/// A workbook of the given sheets (name, rows; the first row is the header), as bytes.
fn workbook(sheets: &[(&str, Vec<Vec<C>>)]) -> Vec<u8> {
    let mut book = Workbook::new();
    for (name, rows) in sheets {
        let ws = book.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    E => {}
                    S(t) => {
                        ws.write_string(r, c, *t).unwrap();
                    }
                    N(n) => {
                        ws.write_number(r, c, *n).unwrap();
                    }
                    D(y, m, d, f) => {
                        let date = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                        ws.write_datetime_with_format(
                            r,
                            c,
                            date,
                            &Format::new().set_num_format(*f),
                        )
                        .unwrap();
                    }
                    T(h, m) => {
                        let time = ExcelDateTime::from_hms(*h, *m, 0).unwrap();
                        let f = Format::new().set_num_format("hh:mm");
                        ws.write_datetime_with_format(r, c, time, &f).unwrap();
                    }
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

fn header() -> Vec<C> {
    [
        "日期",
        "时间",
        "内容",
        "形式",
        "时长（分钟）",
        "主讲",
        "地点",
    ]
    .into_iter()
    .map(S)
    .collect()
}

fn roster_header() -> Vec<C> {
    ["姓名", "支部", "编号", "职务", "手机"]
        .into_iter()
        .map(S)
        .collect()
}

/// A two-day timetable meeting the rule (70 of 150 study minutes original): day one's date a
/// date cell shown `m月d日` (no year: the cell's value has it), its start a time cell; day
/// two's date typed as text `2026年12月9日`.
fn good_timetable() -> Vec<Vec<C>> {
    vec![
        header(),
        vec![
            D(2026, 12, 8, "m\"月\"d\"日\""),
            T(8, 30),
            S("原文：第一部分"),
            E,
            E,
            S("张老师"),
            S("第一会议室"),
        ],
        vec![E, E, S("01-a/jiedu"), E, E, E, E],
        vec![E, E, S("课间休息"), S("休息"), N(10.0), E, E],
        vec![
            E,
            S("10:10–10:40"),
            S("分组研讨"),
            S("研讨"),
            E,
            E,
            S("各组"),
        ],
        vec![
            S("2026年12月9日"),
            S("08:30"),
            S("原文：第二部分"),
            E,
            N(40.0),
            E,
            E,
        ],
        vec![E, E, S("研讨：第二部分"), E, E, E, E],
    ]
}

/// Two learners, one name with markup and one branch with `&`, to see them escaped.
fn good_roster() -> Vec<Vec<C>> {
    vec![
        roster_header(),
        vec![
            S("王<b>建国</b>"),
            S("第一支部"),
            S("D01"),
            S("书记"),
            S("13812345678"),
        ],
        vec![S("李四"), S("第二支部 & 机关"), E, E, S("13900001111")],
    ]
}

const COMPANION: &str =
    "---\ntitle: 工作簿班次\nplace: 党校\naudience: 全体党员\n---\n## 通知\n\n按时参加。\n";

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    snapshot(dir)
        .into_iter()
        .filter(|(_, bytes)| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
        .map(|(p, _)| p.display().to_string())
        .collect()
}

/// A day's date and its rows' (start, end) clock times.
type DayTimes = (Option<String>, Vec<(String, String)>);

/// The days of a session page's timetable.
fn timetable(html: &str) -> Vec<DayTimes> {
    let attr = |text: &str, name: &str| -> Vec<String> {
        text.split(&format!("{name}=\""))
            .skip(1)
            .map(|v| v.split('"').next().unwrap().to_string())
            .collect()
    };
    html.split("<section class=\"timetable-day\"")
        .skip(1)
        .map(|day| {
            let day = day.split("</section>").next().unwrap();
            let head = day.split('>').next().unwrap();
            let date = attr(head, "data-date").into_iter().next();
            let times = attr(day, "data-start")
                .into_iter()
                .zip(attr(day, "data-end"));
            (date, times.collect())
        })
        .collect()
}

#[test]
fn a_workbook_session_builds_with_its_dates_times_and_minutes() {
    let site = TempSite::fixture("sessions/base");
    site.write_bytes(
        "content/sessions/ban.xlsx",
        &workbook(&[("日程", good_timetable()), ("名册", good_roster())]),
    );
    site.write("content/sessions/ban.md", COMPANION);
    let run = site.build();
    run.ok();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let out = site.run(&["check", "--format", "json"]);
    out.ok();
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let s = &report["sessions"][0];
    assert_eq!(s["slug"], "ban");
    assert_eq!(s["title"], "工作簿班次");
    assert_eq!(
        (s["study_minutes"].as_u64(), s["original_minutes"].as_u64()),
        (Some(150), Some(70))
    );
    let html = site.read("public/sessions/ban.html");
    let days = timetable(&html);
    let span = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        days,
        [
            (
                Some("2026-12-08".to_string()),
                vec![
                    span("08:30", "09:00"),
                    span("09:00", "09:20"),
                    span("09:20", "09:30"),
                    span("10:10", "10:40"),
                ]
            ),
            (
                Some("2026-12-09".to_string()),
                vec![span("08:30", "09:10"), span("09:10", "09:40")]
            ),
        ]
    );
    assert!(
        html.contains("<span class=\"block-speaker\">主讲 张老师</span>"),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"block-room\">地点 第一会议室</span>"),
        "{html}"
    );
    assert!(html.contains("data-roster=\"2\">2 人</dd>"), "{html}");
    assert!(
        site.path()
            .join("public/sessions/ban-handout.html")
            .exists()
    );
}

/// The roster is personal data: no phone number is published unmasked, no name unescaped,
/// and the workbook itself is not copied into the site.
#[test]
fn a_roster_is_not_published_raw() {
    let site = TempSite::fixture("sessions/base");
    site.write_bytes(
        "content/sessions/ban.xlsx",
        &workbook(&[("日程", good_timetable()), ("名册", good_roster())]),
    );
    site.write("content/sessions/ban.md", COMPANION);
    site.build().ok();
    let public = site.path().join("public");
    for needle in ["13812345678", "13900001111", "<b>建国", "支部 & 机关"] {
        assert_eq!(
            files_containing(&public, needle),
            Vec::<String>::new(),
            "{needle}"
        );
    }
    let copied: Vec<String> = snapshot(&public)
        .into_keys()
        .map(|p| p.display().to_string())
        .filter(|p| p.ends_with(".xlsx") || p.contains("ban.md"))
        .collect();
    assert_eq!(copied, Vec::<String>::new());
}

#[test]
fn bad_cells_are_reported_at_their_sheet_and_cell() {
    let site = TempSite::fixture("sessions/base");
    let timetable = vec![
        header(),
        vec![
            D(2026, 12, 8, "yyyy-mm-dd"),
            S("08:30"),
            S("原文：第一部份"),
            E,
            E,
            E,
            E,
        ],
        vec![E, E, S("01-a/jiedu"), E, S("60分钟"), E, E],
        vec![S("2026年13月8日"), E, S("研讨：第二部分"), E, E, E, E],
        vec![E, E, S("自学"), S("自学"), N(10.0), E, E],
        vec![E, S("上午"), S("分组研讨"), S("研讨"), N(30.0), E, E],
        vec![E, E, S("结业式"), E, E, E, E],
        vec![E, S("14:00-14:30"), S("02-b/yuanwen"), E, N(40.0), E, E],
    ];
    let roster = vec![
        roster_header(),
        vec![S("张三"), S("第一支部"), E, E, E],
        vec![E, S("第二支部"), E, E, E],
        vec![S("张三"), S("第三支部"), E, E, E],
    ];
    site.write_bytes(
        "content/sessions/ban.xlsx",
        &workbook(&[("日程", timetable), ("名册", roster)]),
    );
    site.write("content/sessions/ban.md", COMPANION);
    let run = site.run(&["check"]);
    let at = |cell: &str, msg: &str| format!("error: content/sessions/ban.xlsx: {cell}: {msg}");
    run.fails(1)
        .has_line(&at("日程!C2", "no unit is titled `原文：第一部份`; did you mean `原文：第一部分` (01-a/yuanwen), `原文：第二部分` (02-b/yuanwen)? For an activity that is not a unit, give its 形式 (解读, 研讨, 实践, 其他 or 休息)"))
        .has_line(&at("日程!E3", "时长（分钟） must be a whole number of minutes, e.g. 45; got `60分钟`: write `60` (the column is already in minutes)"))
        .has_line(&at("日程!A4", "日期 must be a date, e.g. 2026-12-08 or 2026年12月8日; got `2026年13月8日`"))
        .has_line(&at("日程!D5", "unknown 形式 `自学`; use 原文, 解读, 研讨, 实践, 其他 or 休息"))
        .has_line(&at("日程!B6", "时间 must be a start time such as 08:30, or start–end such as 08:30–09:10; got `上午`"))
        .has_line(&at("日程!C7", "`结业式` is not the title of a unit: for an activity, give its 形式 (原文, 解读, 研讨, 实践, 其他 or 休息) and 时长"))
        .has_line(&at("日程!E8", "时长 is 40 minutes, but 时间 gives 30: correct one of them"))
        .has_line(&at("名册!A3", "this row of the roster has no 姓名"))
        .has_line(&at("名册!A4", "`张三` is on the roster twice (also at 名册!A2): sign-in goes by name, so tell them apart, e.g. `张三（第三支部）`"));
    assert!(
        run.stderr.contains("9 errors, 0 warnings"),
        "{}",
        run.stderr
    );
}

/// The same checks as a session file: the one-third rule (at the sheet's first cell, with the
/// figures), and dates that go back; a workbook that is neither a session nor a roster.
#[test]
fn the_rule_and_the_dates_are_checked_as_for_a_session_file() {
    let site = TempSite::fixture("sessions/base");
    let below = vec![
        header(),
        vec![S("2026-12-08"), S("08:30"), S("01-a/yuanwen"), E, E, E, E],
        vec![E, E, S("分组研讨"), S("研讨"), N(70.0), E, E],
    ];
    site.write_bytes("content/sessions/below.xlsx", &workbook(&[("日程", below)]));
    let back = vec![
        header(),
        vec![S("2026/12/9"), S("08:30"), S("01-a/yuanwen"), E, E, E, E],
        vec![S("2026.12.8"), S("08:30"), S("02-b/yuanwen"), E, E, E, E],
    ];
    site.write_bytes("content/sessions/back.xlsx", &workbook(&[("日程", back)]));
    let notes = vec![vec![S("本班次的说明")]];
    site.write_bytes("content/sessions/notes.xlsx", &workbook(&[("说明", notes)]));
    let run = site.run(&["check"]);
    run.fails(1)
        .has_line("error: content/sessions/below.xlsx: 日程!A1: the original-text share is 30.0 % (30 of 100 study minutes), below the minimum of 33.3 %: add 5 minutes of original text to meet it")
        .has_line("error: content/sessions/back.xlsx: 日程!A3: 日期 2026-12-08 is before the day above (2026-12-09): the rows of 日程 go in time order")
        .has_line("error: content/sessions/notes.xlsx: a workbook in content/sessions/ is a session, with a sheet 日程 (the timetable: 日期, 时间, 内容, 形式, 时长（分钟）, and optionally 主讲, 地点) and a sheet 名册 (the roster: 姓名, 支部), or a roster shared by sessions, with a sheet 名册 only; found the sheets 说明");
    assert!(
        run.stderr.contains("3 errors, 0 warnings"),
        "{}",
        run.stderr
    );
}

/// A roster workbook of its own, named by `roster:` in two session files; a name that is not
/// there is reported at its line with the rosters there are.
#[test]
fn a_roster_workbook_is_shared_by_sessions_that_name_it() {
    let site = TempSite::fixture("sessions/base");
    site.write_bytes(
        "content/sessions/名册.xlsx",
        &workbook(&[("名册", good_roster())]),
    );
    let session = |title: &str, date: &str, roster: &str| {
        format!(
            "---\ntitle: {title}\ndate: {date}\nroster: {roster}\nblocks:\n  - unit: 01-a/yuanwen\n---\n"
        )
    };
    site.write(
        "content/sessions/a.md",
        &session("甲班", "2026-12-08", "名册.xlsx"),
    );
    site.write(
        "content/sessions/b.md",
        &session("乙班", "2026-12-09", "名册.xlsx"),
    );
    site.build().ok();
    for slug in ["a", "b"] {
        let html = site.read(&format!("public/sessions/{slug}.html"));
        assert!(html.contains("data-roster=\"2\">2 人</dd>"), "{html}");
    }
    assert!(
        !site.path().join("public/sessions/名册.html").exists(),
        "a roster alone is not a session"
    );
    site.write(
        "content/sessions/b.md",
        &session("乙班", "2026-12-09", "花名册.xlsx"),
    );
    site.run(&["check"]).fails(1).has_line(
        "error: content/sessions/b.md:4:9: `roster`: there is no workbook `花名册.xlsx` in content/sessions/; the rosters there: `名册.xlsx`",
    );
}

/// A CSV file per sheet (`ban.日程.csv`, `ban.名册.csv`), as Excel saves one sheet: messages
/// at line and column.
#[test]
fn a_session_may_be_a_csv_file_per_sheet() {
    let site = TempSite::fixture("sessions/base");
    site.write(
        "content/sessions/ban.日程.csv",
        "日期,时间,内容,形式,时长（分钟）\n2026-12-08,08:30,原文：第一部分,,\n,,解读：第一部分,,\n",
    );
    site.write(
        "content/sessions/ban.名册.csv",
        "姓名,单位,手机\n张三,第一支部,13812345678\n李四,第二支部,\n",
    );
    site.write("content/sessions/ban.md", COMPANION);
    site.build().ok();
    let html = site.read("public/sessions/ban.html");
    assert!(html.contains("data-roster=\"2\">2 人</dd>"), "{html}");
    assert!(
        html.contains("data-start=\"09:00\" data-end=\"09:20\""),
        "{html}"
    );
    site.write(
        "content/sessions/ban.日程.csv",
        "日期,时间,内容,形式,时长（分钟）\n2026-12-08,08:30,原文：第一部分,,半小时\n",
    );
    site.run(&["check"]).fails(1).has_line(
        "error: content/sessions/ban.日程.csv:2:27: 时长（分钟） must be a whole number of minutes, e.g. 45; got `半小时`",
    );
}

/// A timetable saved by LibreOffice Calc, as `.xlsx` and as `.ods`: its date and time cells
/// are read by value. The files are LibreOffice's own (7.4.7, `soffice --headless
/// --infilter=CSV:44,34,76,1 --convert-to xlsx|ods 日程.csv`, the CSV beside them in
/// `fixtures/import/calc/`), kept so the test needs no office suite.
#[test]
fn a_timetable_saved_by_libreoffice_is_read() {
    let calc = crate::support::fixtures().join("import/calc");
    let xlsx = std::fs::read(calc.join("日程.xlsx")).unwrap();
    let ods = std::fs::read(calc.join("日程.ods")).unwrap();
    let site = TempSite::fixture("sessions/base");
    site.write_bytes("content/sessions/lo-xlsx.xlsx", &xlsx);
    site.write_bytes("content/sessions/lo-ods.ods", &ods);
    site.build().ok();
    for slug in ["lo-xlsx", "lo-ods"] {
        let html = site.read(&format!("public/sessions/{slug}.html"));
        let times: Vec<DayTimes> = timetable(&html);
        let span = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            times,
            [
                (
                    Some("2026-12-08".to_string()),
                    vec![span("08:30", "09:00"), span("09:00", "09:20")]
                ),
                (Some("2026-12-09".to_string()), vec![span("14:00", "14:40")]),
            ],
            "{slug}"
        );
    }
}

/// A second build after the workbook changed shows the change (the page cache keys on what the
/// pages are made of, and the workbook is read again).
#[test]
fn a_changed_workbook_changes_its_page_on_the_next_build() {
    let site = TempSite::fixture("sessions/base");
    site.write_bytes(
        "content/sessions/ban.xlsx",
        &workbook(&[("日程", good_timetable()), ("名册", good_roster())]),
    );
    site.write("content/sessions/ban.md", COMPANION);
    site.build().ok();
    let mut timetable = good_timetable();
    timetable[1][5] = S("李老师");
    let roster = vec![roster_header(), vec![S("李四"), S("第二支部"), E, E, E]];
    site.write_bytes(
        "content/sessions/ban.xlsx",
        &workbook(&[("日程", timetable), ("名册", roster)]),
    );
    site.build().ok();
    let html = site.read("public/sessions/ban.html");
    assert!(
        html.contains("<span class=\"block-speaker\">主讲 李老师</span>"),
        "{html}"
    );
    assert!(html.contains("data-roster=\"1\">1 人</dd>"), "{html}");
}

/// The printable sign-in sheet (签到表): one section (one A4 page) a day with the day's date
/// and the place, every roster name once in each, escaped; no phone numbers. A session without
/// a roster has none.
#[test]
fn the_sign_in_sheet_lists_every_roster_name_once_a_day() {
    let site = TempSite::fixture("sessions/base");
    site.write_bytes(
        "content/sessions/ban.xlsx",
        &workbook(&[("日程", good_timetable()), ("名册", good_roster())]),
    );
    site.write("content/sessions/ban.md", COMPANION);
    site.write(
        "content/sessions/yiri.md",
        "---\ntitle: 一日班\ndate: 2026-12-10\nblocks:\n  - unit: 01-a/yuanwen\n---\n",
    );
    site.build().ok();
    let html = site.read("public/sessions/ban-signin.html");
    let days: Vec<(String, Vec<String>)> = html
        .split("<section class=\"signin-day\"")
        .skip(1)
        .map(|day| {
            let day = day.split("</section>").next().unwrap();
            let date = day.split("data-date=\"").nth(1).unwrap();
            let names = day
                .split("<td class=\"signin-name\">")
                .skip(1)
                .map(|n| n.split("</td>").next().unwrap().to_string())
                .collect();
            (date.split('"').next().unwrap().to_string(), names)
        })
        .collect();
    let names = vec!["王&lt;b&gt;建国&lt;/b&gt;".to_string(), "李四".to_string()];
    assert_eq!(
        days,
        [
            ("2026-12-08".to_string(), names.clone()),
            ("2026-12-09".to_string(), names),
        ]
    );
    assert_eq!(html.matches("地点：党校").count(), 2, "{html}");
    assert!(
        !html.contains("1381234") && !html.contains("5678"),
        "{html}"
    );
    let page = site.read("public/sessions/ban.html");
    assert!(
        page.contains("<a href=\"../sessions/ban-signin.html\">打印签到表</a>"),
        "{page}"
    );
    assert!(
        !site
            .path()
            .join("public/sessions/yiri-signin.html")
            .exists()
    );
    assert!(!site.read("public/sessions/yiri.html").contains("signin"));
}
