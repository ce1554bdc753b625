//! A 班次 written as a workbook: its 日程 sheet read into days and blocks (each row a unit,
//! named by its title or `topic/unit`, or an activity), its 名册 sheet into the roster
//! ([`super::roster`]), and the `.md` of the same name for the title, place, audience and the
//! notice. The result is the same [`Session`] as a session file gives, with the same checks
//! (days and dates, the one-third rule); every problem is reported at its cell.

use super::blocks::close_titles;
use super::roster::{has_roster, read_roster};
use super::sheet::{Table, find_sheet, table};
use crate::config::RuleLevel;
use crate::content::{BankCell, SessionBook, SessionFrontMatter};
use crate::diag::{Diagnostic, Diagnostics};
use crate::markdown;
use crate::model::session::parse_clock;
use crate::model::share::{evaluate, rule_message};
use crate::model::{Block, BlockKind, Day, Session, Site};
use crate::time::CivilDate;

const DATE: usize = 0;
const TIME: usize = 1;
const CONTENT: usize = 2;
const KIND: usize = 3;
const MINUTES: usize = 4;
const SPEAKER: usize = 5;
const ROOM: usize = 6;

const COLUMNS: [&[&str]; 7] = [
    &["日期", "date"],
    &["时间", "起止时间", "时段", "time"],
    &["内容", "课程", "课程内容", "学习内容", "content"],
    &["形式", "类型", "方式", "kind"],
    &["时长分钟", "时长", "分钟", "minutes"],
    &["主讲", "主讲人", "授课人", "speaker"],
    &["地点", "place"],
];

const EXPECTED: &str = "日期, 时间, 内容, 形式, 时长（分钟）, and optionally 主讲, 地点";

/// The largest number of minutes one row may have (a day).
const MAX_ROW_MINUTES: u32 = 24 * 60;

/// Whether the book is a session (it has a 日程 sheet), rather than a roster only.
pub(super) fn is_session(book: &SessionBook) -> bool {
    find_sheet(&book.sheets, "日程", COLUMNS[CONTENT]).is_some()
}

/// Reads a session workbook; `None` (reported) when it has no timetable.
pub(super) fn load_book(
    site: &Site,
    book: &SessionBook,
    books: &[SessionBook],
    diags: &mut Diagnostics,
) -> Option<Session> {
    let Some(sheet) = find_sheet(&book.sheets, "日程", COLUMNS[CONTENT]) else {
        if book.companion.is_some() || !has_roster(book) {
            let names: Vec<&str> = book.sheets.iter().map(|s| s.name.as_str()).collect();
            diags.push(Diagnostic::error(
                &book.path,
                format!(
                    "a workbook in content/sessions/ is a session, with a sheet 日程 (the timetable: {EXPECTED}) and a sheet 名册 (the roster: 姓名, 支部), or a roster shared by sessions, with a sheet 名册 only; found the sheets {}",
                    names.join(", ")
                ),
            ));
        }
        return None;
    };
    let settings = companion_settings(book, diags);
    let t = table(sheet, &COLUMNS)?;
    if !check_columns(&t, diags) {
        return None;
    }
    let rows: Vec<Row> = t
        .rows
        .iter()
        .filter_map(|r| read_row(site, &t, r, diags))
        .collect();
    // A row with a wrong cell is left out (reported): the figures would be wrong, so the
    // one-third rule is then not judged.
    let complete = rows.len() == t.rows.len();
    let days = split_days(&t, &rows, settings.start_time, diags);
    let roster = match &settings.roster {
        Some(name) => super::roster::named_roster(book, name, books, diags),
        None => read_roster(book, diags),
    };
    let parts = Parts {
        settings,
        days,
        roster,
        complete,
    };
    Some(assemble(site, book, &t, parts, diags))
}

/// What the `.md` beside the workbook gives.
#[derive(Default)]
struct Settings {
    title: Option<String>,
    audience: String,
    place: String,
    start_time: Option<u32>,
    roster: Option<serde_saphyr::Spanned<String>>,
    notice: String,
    extra: std::collections::BTreeMap<String, serde_json::Value>,
}

/// The title, place, audience, start time and notice from `<slug>.md`; dates and blocks
/// there are refused (they come from the 日程 sheet).
fn companion_settings(book: &SessionBook, diags: &mut Diagnostics) -> Settings {
    let Some(raw) = &book.companion else {
        return Settings::default();
    };
    let fm: SessionFrontMatter =
        match crate::yaml::parse(raw.yaml(), raw.yaml_first_line, &raw.text, &raw.path) {
            Ok(f) => f,
            Err(mut d) => {
                d.message = crate::yaml::friendlier(&d.message);
                diags.push(d);
                return Settings::default();
            }
        };
    let file = super::file::FileRef { raw };
    for (key, given) in [
        ("date", fm.date.is_some()),
        ("start", fm.start.is_some()),
        ("end", fm.end.is_some()),
        ("blocks", !fm.blocks.is_empty()),
    ] {
        if given {
            diags.push(file.error_at_key(
                key,
                format!(
                    "`{key}` of this session comes from the 日程 sheet of `{}`: remove it here",
                    book.path.display()
                ),
            ));
        }
    }
    let start_time = fm.start_time.as_ref().and_then(|v| {
        let t = parse_clock(&v.value);
        if t.is_none() {
            diags.push(file.error_at(
                v.referenced,
                format!(
                    "`start_time` must be a time written HH:MM, e.g. \"08:30\"; got `{}`",
                    v.value
                ),
            ));
        }
        t
    });
    Settings {
        title: Some(fm.title),
        audience: fm.audience,
        place: fm.place,
        start_time,
        roster: fm.roster,
        notice: raw.body().to_string(),
        extra: fm.extra,
    }
}

/// 日期 and 内容 must be columns of the 日程 sheet, and 时长 or 时间.
fn check_columns(t: &Table<'_>, diags: &mut Diagnostics) -> bool {
    let mut missing: Vec<&str> = [(DATE, "日期"), (CONTENT, "内容")]
        .iter()
        .filter(|(w, _)| t.columns[*w].is_none())
        .map(|(_, n)| *n)
        .collect();
    if t.columns[MINUTES].is_none() && t.columns[TIME].is_none() {
        missing.push("时长（分钟） (or 时间 as start–end)");
    }
    if missing.is_empty() {
        return true;
    }
    diags.push(t.sheet_error(format!(
        "the 日程 sheet has no {} column: found {}; expected {EXPECTED}",
        missing.join(", "),
        t.found()
    )));
    false
}

/// One timetable row, read.
struct Row {
    /// `None` when the cell is empty: the date of the row above (merged cells read so).
    date: Option<(CivilDate, BankCell)>,
    start: Option<u32>,
    block: Block,
    /// The 内容 cell, for messages about the row.
    content: BankCell,
}

/// Reads one row of 日程; `None` when a cell is wrong (reported).
fn read_row(site: &Site, t: &Table<'_>, r: &[BankCell], diags: &mut Diagnostics) -> Option<Row> {
    let mut ok = true;
    let date = match t.cell(r, DATE) {
        Some(c) => match cell_date(c) {
            Some(d) => Some((d, c.clone())),
            None => {
                diags.push(t.error(
                    c,
                    format!(
                        "日期 must be a date, e.g. 2026-12-08 or 2026年12月8日; got `{}`",
                        c.text
                    ),
                ));
                ok = false;
                None
            }
        },
        None => None,
    };
    let span = match t.cell(r, TIME) {
        Some(c) => match cell_span(c) {
            Some(s) => Some(s),
            None => {
                diags.push(t.error(c, format!("时间 must be a start time such as 08:30, or start–end such as 08:30–09:10; got `{}`", c.text)));
                ok = false;
                None
            }
        },
        None => None,
    };
    let Some(content) = t.cell(r, CONTENT) else {
        diags.push(t.row_error(
            r,
            CONTENT,
            "this row of 日程 has no 内容: name a unit (its title or `topic/unit`) or an activity",
        ));
        return None;
    };
    let kind = match t.cell(r, KIND) {
        Some(c) => match BlockKind::parse(&c.text) {
            Some(k) => Some(k),
            None => {
                diags.push(t.error(
                    c,
                    format!(
                        "unknown 形式 `{}`; use 原文, 解读, 研讨, 实践, 其他 or 休息",
                        c.text
                    ),
                ));
                ok = false;
                None
            }
        },
        None => None,
    };
    let minutes = read_minutes(t, r, span, diags, &mut ok);
    let kind_given = t.cell(r, KIND).is_some();
    let unit = find_unit(site, t, content, (kind, kind_given), diags, &mut ok);
    if !ok {
        return None;
    }
    let block = make_block(t, r, content, unit, kind, minutes, diags)?;
    Some(Row {
        date,
        start: span.map(|s| s.0),
        block,
        content: content.clone(),
    })
}

/// 时长 as given, or from 时间's start–end; both given must agree.
fn read_minutes(
    t: &Table<'_>,
    r: &[BankCell],
    span: Option<(u32, Option<u32>)>,
    diags: &mut Diagnostics,
    ok: &mut bool,
) -> Option<u32> {
    let from_span = span.and_then(|(a, b)| b.map(|b| b.saturating_sub(a)));
    let Some(c) = t.cell(r, MINUTES) else {
        return from_span;
    };
    let given = c
        .text
        .parse::<u32>()
        .ok()
        .filter(|m| (1..=MAX_ROW_MINUTES).contains(m));
    let Some(m) = given else {
        let digits: String = c.text.chars().take_while(char::is_ascii_digit).collect();
        let hint = if digits.is_empty() {
            String::new()
        } else {
            format!(": write `{digits}` (the column is already in minutes)")
        };
        diags.push(t.error(
            c,
            format!(
                "时长（分钟） must be a whole number of minutes, e.g. 45; got `{}`{hint}",
                c.text
            ),
        ));
        *ok = false;
        return None;
    };
    if let Some(s) = from_span.filter(|s| *s != m) {
        diags.push(t.error(
            c,
            format!("时长 is {m} minutes, but 时间 gives {s}: correct one of them"),
        ));
        *ok = false;
    }
    Some(m)
}

/// The unit that 内容 names (by `topic/unit` or by its title); a near miss is an error with
/// the closest titles unless 形式 makes the row an activity other than 原文.
fn find_unit<'s>(
    site: &'s Site,
    t: &Table<'_>,
    content: &BankCell,
    (kind, kind_given): (Option<BlockKind>, bool),
    diags: &mut Diagnostics,
    ok: &mut bool,
) -> Option<&'s crate::model::Unit> {
    let text = content.text.trim();
    if let Some(u) = site.unit_by_key(text.trim_end_matches(".md")) {
        return Some(u);
    }
    let same: Vec<&crate::model::Unit> = site
        .units
        .iter()
        .filter(|u| u.title.trim() == text)
        .collect();
    match same.as_slice() {
        [u] => return Some(u),
        [] => {}
        many => {
            let keys: Vec<String> = many.iter().map(|u| format!("`{}`", u.key)).collect();
            diags.push(t.error(
                content,
                format!(
                    "several units are titled `{text}` ({}): write the one meant as `topic/unit`",
                    keys.join(", ")
                ),
            ));
            *ok = false;
            return None;
        }
    }
    let could_be_unit = matches!(kind, None | Some(BlockKind::Original));
    let close = close_titles(site, text);
    if could_be_unit && (!close.is_empty() || text.contains('/')) {
        let list: Vec<String> = close
            .iter()
            .map(|u| format!("`{}` ({})", u.title, u.key))
            .collect();
        let mut msg = format!("no unit is titled `{text}`");
        if !list.is_empty() {
            msg.push_str(&format!("; did you mean {}?", list.join(", ")));
        }
        msg.push_str(
            " For an activity that is not a unit, give its 形式 (解读, 研讨, 实践, 其他 or 休息)",
        );
        diags.push(t.error(content, msg));
        *ok = false;
    } else if !kind_given {
        diags.push(t.error(content, format!("`{text}` is not the title of a unit: for an activity, give its 形式 (原文, 解读, 研讨, 实践, 其他 or 休息) and 时长")));
        *ok = false;
    }
    None
}

/// The row as a block: a unit's kind and minutes unless given; an activity needs minutes.
fn make_block(
    t: &Table<'_>,
    r: &[BankCell],
    content: &BankCell,
    unit: Option<&crate::model::Unit>,
    kind: Option<BlockKind>,
    minutes: Option<u32>,
    diags: &mut Diagnostics,
) -> Option<Block> {
    let kind = match (unit, kind) {
        (Some(_), Some(BlockKind::Break)) => {
            diags.push(t.error(
                content,
                "a unit cannot be 休息: give the break a row of its own",
            ));
            return None;
        }
        (_, Some(k)) => k,
        (Some(u), None) => u.kind.into(),
        (None, None) => return None,
    };
    let Some(minutes) = minutes.or(unit.map(|u| u.minutes)) else {
        diags.push(t.error(
            content,
            format!(
                "the activity `{}` needs 时长（分钟） (or 时间 as start–end)",
                content.text
            ),
        ));
        return None;
    };
    let text = |w: usize| t.cell(r, w).map(|c| c.text.clone());
    Some(Block {
        title: unit
            .map(|u| u.title.clone())
            .unwrap_or_else(|| content.text.clone()),
        kind,
        minutes,
        unit: unit.map(|u| u.index),
        start: None,
        end: None,
        line: row_number(content),
        speaker: text(SPEAKER),
        room: text(ROOM),
    })
}

fn row_number(c: &BankCell) -> usize {
    match &c.pos {
        crate::content::CellPos::Cell(r) => r.row,
        crate::content::CellPos::Line { line, .. } => *line,
    }
}

/// Splits the rows into days where the date changes; dates must go forward. Clock times:
/// each row starts at its 时间, or where the row before ended.
fn split_days(
    t: &Table<'_>,
    rows: &[Row],
    default_start: Option<u32>,
    diags: &mut Diagnostics,
) -> Vec<Day> {
    let mut days: Vec<Day> = Vec::new();
    for row in rows {
        let new_day = match (&row.date, days.last()) {
            (Some((d, cell)), Some(last)) if Some(*d) != last.date => {
                if last.date.is_some_and(|l| *d < l) {
                    diags.push(t.error(cell, format!("日期 {d} is before the day above ({}): the rows of 日程 go in time order", last.date.map(|x| x.to_string()).unwrap_or_default())));
                    continue;
                }
                Some(*d)
            }
            (Some((d, _)), None) => Some(*d),
            (None, None) => {
                diags.push(t.error(&row.content, "the first row of 日程 needs its 日期"));
                return days;
            }
            _ => None,
        };
        if let Some(date) = new_day {
            days.push(Day {
                number: days.len() + 1,
                date: Some(date),
                start_time: row.start.or(default_start),
                blocks: Vec::new(),
            });
        }
        let Some(day) = days.last_mut() else { continue };
        let mut block = row.block.clone();
        let begin = row
            .start
            .or(day.blocks.last().and_then(|b| b.end))
            .or(day.start_time);
        block.start = begin;
        block.end = begin.map(|b| b + block.minutes);
        day.blocks.push(block);
    }
    days
}

/// What a session is made of besides its timetable's sheet.
struct Parts {
    settings: Settings,
    days: Vec<Day>,
    roster: Vec<crate::model::session::Learner>,
    /// Every row of 日程 was read.
    complete: bool,
}

/// The session from its parts, with the minutes and the one-third rule (reported at the
/// 日程 sheet's first cell).
fn assemble(
    site: &Site,
    book: &SessionBook,
    t: &Table<'_>,
    parts: Parts,
    diags: &mut Diagnostics,
) -> Session {
    let Parts {
        settings,
        days,
        roster,
        complete,
    } = parts;
    let (mut study, mut original, mut breaks) = (0, 0, 0);
    for b in days.iter().flat_map(|d| &d.blocks) {
        match b.kind {
            BlockKind::Break => breaks += b.minutes,
            BlockKind::Original => (study, original) = (study + b.minutes, original + b.minutes),
            _ => study += b.minutes,
        }
    }
    let rules = &site.config.rules;
    let rule = evaluate(original, study, rules.min_original_share);
    if t.rows.is_empty() {
        diags.push(t.sheet_error("the 日程 sheet has no rows below its header"));
    } else if !complete {
        // Reported row by row.
    } else if study == 0 {
        diags.push(t.sheet_error("the session has no study time: every row is 休息"));
    } else if !rule.meets {
        let message = rule_message(original, study, rules.min_original_share);
        diags.push(match rules.original_share {
            RuleLevel::Error => t.sheet_error(message),
            RuleLevel::Warn => {
                let d = t.sheet_error(message);
                Diagnostic {
                    severity: crate::diag::Severity::Warning,
                    ..d
                }
            }
        });
    }
    Session {
        slug: book.slug.clone(),
        source: book.path.clone(),
        title: settings.title.unwrap_or_else(|| book.slug.clone()),
        audience: settings.audience,
        place: settings.place,
        start: days.first().and_then(|d| d.date),
        end: days.last().and_then(|d| d.date),
        start_time: days.first().and_then(|d| d.start_time),
        notice: markdown::render(&settings.notice),
        extra: settings.extra,
        days,
        roster,
        study_minutes: study,
        original_minutes: original,
        break_minutes: breaks,
        rule,
    }
}

/// A 日期 cell's date: a date cell's value whatever its format shows (`12月8日`, `12/8/26`),
/// else its text read by [`parse_sheet_date`].
fn cell_date(c: &BankCell) -> Option<CivilDate> {
    match c.when {
        Some([y, m, d, _, _]) if y > 0 => CivilDate::parse(&format!("{y:04}-{m:02}-{d:02}")),
        _ => parse_sheet_date(&c.text),
    }
}

/// A 时间 cell's start (and end): a time cell's value, else its text read by [`parse_span`].
fn cell_span(c: &BankCell) -> Option<(u32, Option<u32>)> {
    match c.when {
        Some([_, _, _, h, m]) => Some((h * 60 + m, None)),
        None => parse_span(&c.text),
    }
}

/// A date as a spreadsheet shows it: `2026-12-08`, `2026/12/8`, `2026.12.8`, `2026年12月8日`
/// (a weekday after it, `（星期二）`, is ignored), or a date cell (read as `2026-12-08`).
pub(super) fn parse_sheet_date(s: &str) -> Option<CivilDate> {
    let s = s.trim();
    let s = s.split_once([' ', '（', '(']).map(|(d, _)| d).unwrap_or(s);
    let s = s.strip_suffix('日').unwrap_or(s);
    let parts: Vec<&str> = s.split(['-', '/', '.', '年', '月']).collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let ok =
        |p: &str, n: usize| !p.is_empty() && p.len() <= n && p.bytes().all(|c| c.is_ascii_digit());
    if y.len() != 4 || !ok(y, 4) || !ok(m, 2) || !ok(d, 2) {
        return None;
    }
    CivilDate::parse(&format!("{y}-{m:0>2}-{d:0>2}"))
}

/// `08:30`, `8:30-9:10`, `8:30–9:10`, `8：30～9：10` → start, and end when given (after the
/// start). A time cell read as `1899-12-31 08:30` gives its time.
fn parse_span(s: &str) -> Option<(u32, Option<u32>)> {
    let s = s.trim();
    let s = match s.split_once(' ') {
        Some((d, t)) if parse_sheet_date(d).is_some() => t,
        _ => s,
    };
    let s: String = s
        .chars()
        .map(|c| match c {
            '：' => ':',
            '–' | '—' | '～' | '~' | '至' | '－' => '-',
            c => c,
        })
        .filter(|c| !c.is_whitespace())
        .collect();
    match s.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (parse_clock(a)?, parse_clock(b)?);
            (b > a).then_some((a, Some(b)))
        }
        None => parse_clock(&s).map(|a| (a, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_spreadsheets_show_them() {
        let want = CivilDate::parse("2026-12-08");
        for s in [
            "2026-12-08",
            "2026/12/8",
            "2026.12.08",
            "2026年12月8日",
            "2026年12月8日（星期二）",
        ] {
            assert_eq!(parse_sheet_date(s), want, "{s}");
        }
        for s in ["12月8日", "2026-13-01", "2026年2月30日", "明天", ""] {
            assert_eq!(parse_sheet_date(s), None, "{s}");
        }
    }

    #[test]
    fn times_and_spans() {
        assert_eq!(parse_span("08:30"), Some((510, None)));
        assert_eq!(parse_span("8:30–9:10"), Some((510, Some(550))));
        assert_eq!(parse_span("8：30～9：10"), Some((510, Some(550))));
        assert_eq!(parse_span("09:10-08:30"), None);
        assert_eq!(parse_span("上午"), None);
    }
}
