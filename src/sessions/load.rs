//! Reading a session file into a [`Session`] of the model, in named steps: the front matter,
//! the dates and the start time, the blocks split into days ([`super::blocks`] resolves each),
//! the days against the dates, the clock times, the minutes, and the original-text rule.
//! Every problem is reported at its line and reading goes on, so one run lists all of them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_saphyr::{Location, Spanned};

use super::blocks::resolve_block;
use super::file::FileRef;
use super::roster::named_roster;
use crate::config::RuleLevel;
use crate::content::{RawFile, SessionBook, SessionFrontMatter};
use crate::diag::{Diagnostic, Diagnostics};
use crate::markdown;
use crate::model::session::{clock_times, format_clock, parse_clock};
use crate::model::share::{RuleOutcome, evaluate, rule_message};
use crate::model::{BlockKind, Day, Session, Site};
use crate::time::CivilDate;

/// Loads every session file and session workbook (`books` also holds the rosters that
/// `roster:` names); problems go into `diags`. Sessions with problems are kept (with what
/// could be understood of them), so that `check` can still show their figures.
pub fn load(
    site: &Site,
    files: &[RawFile],
    books: &[SessionBook],
    diags: &mut Diagnostics,
) -> Vec<Session> {
    let mut sessions: Vec<Session> = files
        .iter()
        .filter_map(|raw| load_one(site, raw, books, diags))
        .collect();
    sessions.extend(
        books
            .iter()
            // A roster alone is read where a session names it.
            .filter(|b| {
                !super::roster::has_roster(b)
                    || super::workbook::is_session(b)
                    || b.companion.is_some()
            })
            .filter_map(|b| super::workbook::load_book(site, b, books, diags)),
    );
    sessions.sort_by(|a, b| {
        (a.start.is_none(), a.start, &a.slug).cmp(&(b.start.is_none(), b.start, &b.slug))
    });
    check_page_names(&sessions, diags);
    sessions
}

/// Pages must not collide: `a-print` (a session) and the printable page of `a`.
fn check_page_names(sessions: &[Session], diags: &mut Diagnostics) {
    let mut paths: BTreeMap<String, &PathBuf> = BTreeMap::new();
    for s in sessions {
        for p in [s.path(), s.print_path(), s.handout_path()] {
            if let Some(other) = paths.insert(p.clone(), &s.source) {
                diags.push(Diagnostic::error(
                    &s.source,
                    format!(
                        "this session's page `{p}` is also a page of `{}`: rename one of the files",
                        other.display()
                    ),
                ));
            }
        }
    }
}

/// The minutes of a session's blocks, by what they count for.
#[derive(Debug, Clone, Copy, Default)]
struct Minutes {
    /// Every block except breaks.
    study: u32,
    original: u32,
    breaks: u32,
}

fn load_one(
    site: &Site,
    raw: &RawFile,
    books: &[SessionBook],
    diags: &mut Diagnostics,
) -> Option<Session> {
    let file = FileRef { raw };
    let fm: SessionFrontMatter =
        match crate::yaml::parse(raw.yaml(), raw.yaml_first_line, &raw.text, &raw.path) {
            Ok(f) => f,
            Err(mut d) => {
                d.message = crate::yaml::friendlier(&d.message);
                diags.push(d);
                return None;
            }
        };
    if fm.title.trim().is_empty() {
        diags.push(file.error_at_key("title", "`title` must not be empty"));
    }
    let (start, end) = read_dates(&file, &fm, diags);
    let start_time = fm
        .start_time
        .as_ref()
        .and_then(|v| read_start_time(&file, v, diags));
    let mut days = split_days(site, &file, &fm, start, start_time, diags);
    check_day_count(&file, start, end, days.len(), diags);
    set_clock_times(raw, &mut days, diags);
    let minutes = tally(&days);
    let rule = check_rule(site, &file, &fm, &days, minutes, diags);
    let roster = fm
        .roster
        .as_ref()
        .map(|name| named_roster(&file, name, books, diags))
        .unwrap_or_default();
    Some(Session {
        slug: raw.slug.clone(),
        source: raw.path.clone(),
        title: fm.title,
        audience: fm.audience,
        place: fm.place,
        start,
        end,
        start_time,
        notice: markdown::render(raw.body()),
        extra: fm.extra,
        days,
        roster,
        study_minutes: minutes.study,
        original_minutes: minutes.original,
        break_minutes: minutes.breaks,
        rule,
    })
}

fn read_date(
    file: &FileRef<'_>,
    key: &str,
    v: &Spanned<String>,
    diags: &mut Diagnostics,
) -> Option<CivilDate> {
    let d = CivilDate::parse(&v.value);
    if d.is_none() {
        diags.push(file.error_at(
            v.referenced,
            format!(
                "`{key}` must be a date written YYYY-MM-DD, e.g. 2026-12-08; got `{}`",
                v.value
            ),
        ));
    }
    d
}

/// The first and last day: `date` for one day, or `start` and `end`.
fn read_dates(
    file: &FileRef<'_>,
    fm: &SessionFrontMatter,
    diags: &mut Diagnostics,
) -> (Option<CivilDate>, Option<CivilDate>) {
    match (&fm.date, &fm.start, &fm.end) {
        (Some(d), None, None) => {
            let d = read_date(file, "date", d, diags);
            (d, d)
        }
        (None, Some(s), Some(e)) => {
            let s_date = read_date(file, "start", s, diags);
            let e_date = read_date(file, "end", e, diags);
            match (s_date, e_date) {
                (Some(a), Some(b)) if b < a => {
                    diags.push(
                        file.error_at(e.referenced, format!("`end` ({b}) is before `start` ({a})")),
                    );
                    (Some(a), None)
                }
                other => other,
            }
        }
        (Some(d), _, _) => {
            diags.push(file.error_at(
                d.referenced,
                "give either `date` (a one-day session) or `start` and `end`, not both",
            ));
            (None, None)
        }
        (None, Some(s), None) => {
            diags.push(file.error_at(
                s.referenced,
                "`start` needs an `end` date too (for a one-day session write `date:` instead)",
            ));
            (read_date(file, "start", s, diags), None)
        }
        (None, None, Some(e)) => {
            diags.push(file.error_at(e.referenced, "`end` needs a `start` date too"));
            (None, None)
        }
        (None, None, None) => {
            diags.push(file.error_at_key(
                "title",
                "missing date: add `date: YYYY-MM-DD` (a one-day session) or `start:` and `end:`",
            ));
            (None, None)
        }
    }
}

fn read_start_time(
    file: &FileRef<'_>,
    v: &Spanned<String>,
    diags: &mut Diagnostics,
) -> Option<u32> {
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
}

/// The blocks, resolved and split into days at each `- break: day`.
fn split_days(
    site: &Site,
    file: &FileRef<'_>,
    fm: &SessionFrontMatter,
    start: Option<CivilDate>,
    start_time: Option<u32>,
    diags: &mut Diagnostics,
) -> Vec<Day> {
    let mut days: Vec<Day> = vec![Day {
        number: 1,
        date: start,
        start_time,
        blocks: Vec::new(),
    }];
    let mut last_break: Option<Location> = None;
    // Blocks written for the current day (resolved or not): a day is empty only when none is.
    let mut written_today = 0usize;
    for sb in &fm.blocks {
        let b = &sb.value;
        if let Some(db) = &b.day_break {
            if let Some(day) = day_break(file, sb, db, written_today, &days, diags) {
                let number = days.len() + 1;
                days.push(Day {
                    number,
                    date: start.map(|s| s.plus_days(number as i64 - 1)),
                    start_time: day.start_time.unwrap_or(start_time),
                    blocks: Vec::new(),
                });
                last_break = Some(sb.referenced);
                written_today = 0;
            }
            continue;
        }
        if let Some(t) = &b.start_time {
            diags.push(file.error_at(
                t.referenced,
                "`start_time` belongs to the session or to a day break (`- break: day`), not to a block",
            ));
        }
        written_today += 1;
        if let (Some(block), Some(day)) = (resolve_block(site, file, sb, diags), days.last_mut()) {
            day.blocks.push(block);
        }
    }
    if fm.blocks.is_empty() {
        diags.push(file.error_at_key(
            "blocks",
            "the session has no blocks: list its units (`- unit: <topic>/<unit>`) and activities (`- title: …`, `kind: …`, `minutes: …`) under `blocks:`",
        ));
    } else if let (Some(at), true) = (last_break, written_today == 0) {
        diags.push(file.error_at(
            at,
            format!("day {} has no blocks after this day break", days.len()),
        ));
    }
    days
}

/// A day break that starts a new day: its own start time, if it gives one (`Some(None)` when
/// its `start_time` is wrong, reported).
struct NewDay {
    start_time: Option<Option<u32>>,
}

/// Checks a `- break: day` item; `None` when it is not a day break (`break: lunch`).
fn day_break(
    file: &FileRef<'_>,
    sb: &Spanned<crate::content::BlockSource>,
    db: &Spanned<String>,
    written_today: usize,
    days: &[Day],
    diags: &mut Diagnostics,
) -> Option<NewDay> {
    let b = &sb.value;
    if db.value.trim() != "day" {
        diags.push(file.error_at(
            db.referenced,
            format!(
                "`break` only takes `day` (a day break), got `{}`; for a pause within the day write `title: 课间休息`, `kind: break`, `minutes: 10`",
                db.value
            ),
        ));
        return None;
    }
    if b.unit.is_some() || b.title.is_some() || b.kind.is_some() || b.minutes.is_some() {
        diags.push(file.error_at(
            sb.referenced,
            "a day break (`break: day`) takes only `start_time`; put units and activities in blocks of their own",
        ));
    }
    if written_today == 0 {
        diags.push(file.error_at(
            sb.referenced,
            format!("day {} has no blocks before this day break", days.len()),
        ));
    }
    Some(NewDay {
        start_time: b
            .start_time
            .as_ref()
            .map(|t| read_start_time(file, t, diags)),
    })
}

/// The number of days the blocks make against the dates.
fn check_day_count(
    file: &FileRef<'_>,
    start: Option<CivilDate>,
    end: Option<CivilDate>,
    day_count: usize,
    diags: &mut Diagnostics,
) {
    let (Some(s), Some(e)) = (start, end) else {
        return;
    };
    let span = (e.days() - s.days() + 1) as usize;
    if span == day_count {
        return;
    }
    let how = if span == 1 {
        "a one-day session".to_string()
    } else {
        format!("{span} days from {s} to {e}")
    };
    diags.push(file.error_at_key(
        "blocks",
        format!(
            "the dates give {how}, but the blocks make {day_count} {} (days are separated by `- break: day`){}",
            if day_count == 1 { "day" } else { "days" },
            if span == 1 && day_count > 1 {
                "; for a session of several days give `start:` and `end:` instead of `date:`"
            } else {
                ""
            }
        ),
    ));
}

/// Clock times of every block, and a warning when a day runs past midnight.
fn set_clock_times(raw: &RawFile, days: &mut [Day], diags: &mut Diagnostics) {
    for day in days {
        let minutes: Vec<u32> = day.blocks.iter().map(|b| b.minutes).collect();
        for (b, span) in day
            .blocks
            .iter_mut()
            .zip(clock_times(day.start_time, &minutes))
        {
            (b.start, b.end) = (span.map(|s| s.0), span.map(|s| s.1));
        }
        if let Some(b) = day
            .blocks
            .iter()
            .find(|b| b.end.is_some_and(|e| e > 24 * 60))
        {
            diags.push(
                Diagnostic::warning(
                    &raw.path,
                    format!(
                        "day {} runs past midnight here ({}–{}): check `start_time` and the minutes, or add a `- break: day`",
                        day.number,
                        format_clock(b.start.unwrap_or(0)),
                        format_clock(b.end.unwrap_or(0))
                    ),
                )
                .at(&raw.text, b.line, 1),
            );
        }
    }
}

fn tally(days: &[Day]) -> Minutes {
    let mut m = Minutes::default();
    for b in days.iter().flat_map(|d| d.blocks.iter()) {
        match b.kind {
            BlockKind::Break => m.breaks += b.minutes,
            BlockKind::Original => {
                m.study += b.minutes;
                m.original += b.minutes;
            }
            _ => m.study += b.minutes,
        }
    }
    m
}

/// The original-text rule of `rules.min_original_share`, reported as `rules.original_share`
/// says (an error or a warning).
fn check_rule(
    site: &Site,
    file: &FileRef<'_>,
    fm: &SessionFrontMatter,
    days: &[Day],
    m: Minutes,
    diags: &mut Diagnostics,
) -> RuleOutcome {
    let rules = &site.config.rules;
    let threshold = rules.min_original_share;
    let rule = evaluate(m.original, m.study, threshold);
    let any_block = days.iter().any(|d| !d.blocks.is_empty());
    if !fm.blocks.is_empty() && m.study == 0 && any_block {
        diags.push(file.error_at_key(
            "blocks",
            "the session has no study time: every block is a break",
        ));
    } else if m.study > 0 && !rule.meets {
        let message = rule_message(m.original, m.study, threshold);
        diags.push(match rules.original_share {
            RuleLevel::Error => file.error_at_key("blocks", message),
            RuleLevel::Warn => file.warning_at_key("blocks", message),
        });
    }
    rule
}
