//! Training sessions (班次) and the one-third original-text rule.
//!
//! A session is a file `content/sessions/<slug>.md`: front matter with the session's facts and an
//! ordered list of `blocks` (unit references, free activities, day breaks), and a Markdown body,
//! the session's notice. This module parses that front matter strictly (its own serde types; the
//! content loader only splits the fence), resolves unit references against the model, computes
//! the timetable's clock times and the share of study time given to original text, and checks
//! that share against `rules.min_original_share` of `site.yaml`:
//!
//! > 每个班次都要拿出1/3以上时间，原原本本学习 — every session gives at least one third of its
//! > time to reading the original text.
//!
//! Shares are compared exactly where that matters: for the default threshold of one third the
//! test is `original × 3 ≥ study` in whole minutes, so a session at exactly one third passes.
//!
//! Pages made here: the list `sessions/index.html`, one page per session with its timetable and
//! share bar, a printable programme and a printable handout (the programme, then every original
//! unit of the session in full), and `coverage.html`, which shows for every topic which
//! sessions read its original units. `check` prints [`print_table`] or [`report_json`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_saphyr::{Location, Spanned};

use crate::config::{RuleLevel, Rules};
use crate::content::{Kind, RawFile};
use crate::diag::{Diagnostic, Diagnostics};
use crate::markdown::{self, Rendered};
use crate::site::{ExtraPage, PageContext, Site};

/// The largest number of minutes one block may have (a week); more is a typing error.
const MAX_BLOCK_MINUTES: i64 = 7 * 24 * 60;

// ---------------------------------------------------------------------------------------------
// Front matter as written

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    date: Option<Spanned<String>>,
    #[serde(default)]
    start: Option<Spanned<String>>,
    #[serde(default)]
    end: Option<Spanned<String>>,
    #[serde(default)]
    place: String,
    #[serde(default)]
    start_time: Option<Spanned<String>>,
    #[serde(default)]
    blocks: Vec<Spanned<BlockSource>>,
    #[serde(default)]
    extra: BTreeMap<String, serde_json::Value>,
}

/// One item of `blocks:`: a unit reference, a free activity or a day break. One struct with
/// optional keys (rather than an untagged enum) so that mistakes get precise messages.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BlockSource {
    #[serde(default)]
    unit: Option<Spanned<String>>,
    #[serde(default)]
    title: Option<Spanned<String>>,
    /// Parsed by [`BlockKind::parse`], so that a wrong kind does not hide the file's other
    /// problems.
    #[serde(default)]
    kind: Option<Spanned<String>>,
    #[serde(default)]
    minutes: Option<Spanned<i64>>,
    #[serde(default, rename = "break")]
    day_break: Option<Spanned<String>>,
    #[serde(default)]
    start_time: Option<Spanned<String>>,
}

/// What a block of a session is; the Chinese words are accepted as aliases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BlockKind {
    /// 原文: reading the original text. Counts towards the share.
    #[serde(alias = "原文")]
    Original,
    /// 解读
    #[serde(alias = "解读")]
    Explanation,
    /// 研讨
    #[serde(alias = "研讨")]
    Discussion,
    /// 实践
    #[serde(alias = "实践")]
    Practice,
    /// 其他: opening, tests, summaries.
    #[serde(alias = "其他")]
    Other,
    /// 休息: moves the clock, but is not study time.
    #[serde(alias = "休息")]
    Break,
}

impl BlockKind {
    /// The English name or its Chinese alias.
    pub fn parse(s: &str) -> Option<BlockKind> {
        Some(match s.trim() {
            "original" | "原文" => BlockKind::Original,
            "explanation" | "解读" => BlockKind::Explanation,
            "discussion" | "研讨" => BlockKind::Discussion,
            "practice" | "实践" => BlockKind::Practice,
            "other" | "其他" => BlockKind::Other,
            "break" | "休息" => BlockKind::Break,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BlockKind::Original => "original",
            BlockKind::Explanation => "explanation",
            BlockKind::Discussion => "discussion",
            BlockKind::Practice => "practice",
            BlockKind::Other => "other",
            BlockKind::Break => "break",
        }
    }
}

impl From<Kind> for BlockKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Original => BlockKind::Original,
            Kind::Explanation => BlockKind::Explanation,
            Kind::Discussion => BlockKind::Discussion,
            Kind::Practice => BlockKind::Practice,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Dates and clock times

/// A calendar date (proleptic Gregorian), written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Parses `YYYY-MM-DD` strictly (a real calendar date).
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = &s[r];
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        };
        let year = digits(0..4)? as i32;
        let (month, day) = (digits(5..7)?, digits(8..10)?);
        let date = Date { year, month, day };
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)).then_some(date)
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub fn days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (`civil_from_days`).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday.
        (self.days() + 3).rem_euclid(7) as u32 + 1
    }

    pub fn plus_days(self, n: i64) -> Date {
        Date::from_days(self.days() + n)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Parses a clock time `H:MM` or `HH:MM` (00:00–23:59) into minutes after midnight.
pub fn parse_clock(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    if !h.bytes().chain(m.bytes()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// `HH:MM` for minutes after midnight; past midnight the hours go on (`24:10`).
pub fn format_clock(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The start and end clock times of consecutive blocks of one day that starts at `start`
/// (minutes after midnight): each block begins where the previous one ended. Without a start
/// time there are no clock times.
pub fn clock_times(start: Option<u32>, minutes: &[u32]) -> Vec<Option<(u32, u32)>> {
    let Some(mut now) = start else {
        return vec![None; minutes.len()];
    };
    minutes
        .iter()
        .map(|&m| {
            let span = (now, now + m);
            now += m;
            Some(span)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The rule

/// The outcome of the original-text rule for given minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleOutcome {
    pub meets: bool,
    /// The fewest whole minutes of original text that, added, would meet the rule (0 when it is
    /// met; `None` when no amount would: a threshold of 1 with other study time).
    pub minutes_more: Option<u64>,
}

fn is_one_third(threshold: f64) -> bool {
    (threshold - 1.0 / 3.0).abs() < 1e-12
}

/// Does `original / study >= threshold` hold? Exact in integers for one third (the default),
/// with a small tolerance for other thresholds, which are decimal fractions in `site.yaml`.
pub fn meets(original: u64, study: u64, threshold: f64) -> bool {
    if is_one_third(threshold) {
        original * 3 >= study
    } else {
        original as f64 >= threshold * study as f64 - 1e-9
    }
}

/// The smallest whole `x >= 0` with `(original + x) / (study + x) >= threshold`: adding minutes
/// of original text adds them to the study time too.
pub fn minutes_more(original: u64, study: u64, threshold: f64) -> Option<u64> {
    if meets(original, study, threshold) {
        return Some(0);
    }
    if threshold >= 1.0 {
        return None;
    }
    // x >= (t·S − O) / (1 − t); start from the float estimate and settle it exactly.
    let estimate = ((threshold * study as f64 - original as f64) / (1.0 - threshold)).ceil();
    let mut x = if estimate.is_finite() && estimate > 0.0 {
        estimate as u64
    } else {
        0
    };
    while x > 0 && meets(original + x - 1, study + x - 1, threshold) {
        x -= 1;
    }
    while !meets(original + x, study + x, threshold) {
        x += 1;
    }
    Some(x)
}

/// Evaluates the rule for a session's minutes.
pub fn evaluate(original: u32, study: u32, threshold: f64) -> RuleOutcome {
    let (o, s) = (u64::from(original), u64::from(study));
    RuleOutcome {
        // A session without study time has no share to meet the rule with.
        meets: s > 0 && meets(o, s, threshold),
        minutes_more: if s > 0 {
            minutes_more(o, s, threshold)
        } else {
            None
        },
    }
}

/// A share in percent with one decimal, `28.6 %`. When a share below the threshold would print
/// as the threshold itself, more decimals are shown so that the two differ.
pub fn share_text(original: u32, study: u32, threshold: f64) -> String {
    let share = if study == 0 {
        0.0
    } else {
        f64::from(original) * 100.0 / f64::from(study)
    };
    let below = !meets(u64::from(original), u64::from(study), threshold);
    let limit = threshold_text(threshold);
    let mut text = format!("{share:.1} %");
    if below {
        for decimals in 2..=4 {
            if text != limit {
                break;
            }
            text = format!("{share:.decimals$} %");
        }
    }
    text
}

/// The threshold in percent with one decimal, `33.3 %`.
pub fn threshold_text(threshold: f64) -> String {
    format!("{:.1} %", threshold * 100.0)
}

/// The message of a session below the rule.
pub fn rule_message(original: u32, study: u32, threshold: f64) -> String {
    let outcome = evaluate(original, study, threshold);
    let head = format!(
        "the original-text share is {} ({original} of {study} study minutes), below the minimum of {}",
        share_text(original, study, threshold),
        threshold_text(threshold)
    );
    match outcome.minutes_more {
        Some(x) => format!(
            "{head}: add {x} {} of original text to meet it",
            if x == 1 { "minute" } else { "minutes" }
        ),
        None => format!("{head}: every study minute must be original text"),
    }
}

// ---------------------------------------------------------------------------------------------
// The model

/// One row of a timetable.
#[derive(Debug, Clone)]
pub struct Block {
    pub title: String,
    pub kind: BlockKind,
    pub minutes: u32,
    /// Index into [`Site::units`] for a unit reference.
    pub unit: Option<usize>,
    /// Clock times, when the day has a start time.
    pub start: Option<u32>,
    pub end: Option<u32>,
    /// 1-based line in the session file.
    pub line: usize,
}

/// One day of a session.
#[derive(Debug, Clone)]
pub struct Day {
    /// 1-based.
    pub number: usize,
    pub date: Option<Date>,
    pub start_time: Option<u32>,
    pub blocks: Vec<Block>,
}

/// A training session.
#[derive(Debug, Clone)]
pub struct Session {
    pub slug: String,
    /// `content/sessions/<slug>.md`
    pub source: PathBuf,
    pub title: String,
    pub audience: String,
    pub place: String,
    /// The first and last day (equal for a one-day session); `None` when not given correctly.
    pub start: Option<Date>,
    pub end: Option<Date>,
    pub start_time: Option<u32>,
    pub days: Vec<Day>,
    pub notice: Rendered,
    pub extra: BTreeMap<String, serde_json::Value>,
    /// Minutes of every block except breaks.
    pub study_minutes: u32,
    pub original_minutes: u32,
    pub break_minutes: u32,
    pub rule: RuleOutcome,
}

impl Session {
    /// `sessions/<slug>.html`
    pub fn path(&self) -> String {
        format!("sessions/{}.html", self.slug)
    }
    pub fn print_path(&self) -> String {
        format!("sessions/{}-print.html", self.slug)
    }
    pub fn handout_path(&self) -> String {
        format!("sessions/{}-handout.html", self.slug)
    }

    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.days.iter().flat_map(|d| d.blocks.iter())
    }

    /// The original units of the session, each once, in timetable order.
    pub fn original_units(&self) -> Vec<usize> {
        let mut seen = BTreeSet::new();
        self.blocks()
            .filter(|b| b.kind == BlockKind::Original)
            .filter_map(|b| b.unit)
            .filter(|u| seen.insert(*u))
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Loading

/// Positions in a session file: serde-saphyr counts from the YAML's first line.
struct FileRef<'a> {
    raw: &'a RawFile,
}

impl FileRef<'_> {
    fn error_at(&self, loc: Location, message: impl Into<String>) -> Diagnostic {
        self.at(Diagnostic::error(&self.raw.path, message), loc)
    }

    fn warning_at(&self, loc: Location, message: impl Into<String>) -> Diagnostic {
        self.at(Diagnostic::warning(&self.raw.path, message), loc)
    }

    fn at(&self, d: Diagnostic, loc: Location) -> Diagnostic {
        if loc.line() == 0 {
            return d.at_line(&self.raw.text, self.raw.yaml_first_line);
        }
        let line = loc.line() as usize + self.raw.yaml_first_line - 1;
        d.at(&self.raw.text, line, loc.column() as usize)
    }

    fn error_at_key(&self, key: &str, message: impl Into<String>) -> Diagnostic {
        let line = crate::site::line_of_key(&self.raw.text, key);
        Diagnostic::error(&self.raw.path, message).at(&self.raw.text, line, 1)
    }

    fn warning_at_key(&self, key: &str, message: impl Into<String>) -> Diagnostic {
        let line = crate::site::line_of_key(&self.raw.text, key);
        Diagnostic::warning(&self.raw.path, message).at(&self.raw.text, line, 1)
    }
}

/// Loads every session file; problems go into `diags`. Sessions with problems are kept (with
/// what could be understood of them), so that `check` can still show their figures.
pub fn load(site: &Site, files: &[RawFile], diags: &mut Diagnostics) -> Vec<Session> {
    let mut sessions: Vec<Session> = files
        .iter()
        .filter_map(|raw| load_one(site, raw, diags))
        .collect();
    sessions.sort_by(|a, b| {
        (a.start.is_none(), a.start, &a.slug).cmp(&(b.start.is_none(), b.start, &b.slug))
    });

    // Pages must not collide: `a-print` (a session) and the printable page of `a`.
    let mut paths: BTreeMap<String, &PathBuf> = BTreeMap::new();
    for s in &sessions {
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
    sessions
}

fn load_one(site: &Site, raw: &RawFile, diags: &mut Diagnostics) -> Option<Session> {
    let file = FileRef { raw };
    if raw.slug == "index" {
        diags.push(Diagnostic::error(
            &raw.path,
            "`index` is reserved for the list of sessions: rename the file",
        ));
        return None;
    }
    let fm: FrontMatter =
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

    // Dates.
    let parse_date = |key: &str, v: &Spanned<String>, diags: &mut Diagnostics| -> Option<Date> {
        let d = Date::parse(&v.value);
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
    };
    let (start, end) = match (&fm.date, &fm.start, &fm.end) {
        (Some(d), None, None) => {
            let d = parse_date("date", d, diags);
            (d, d)
        }
        (None, Some(s), Some(e)) => {
            let (s_date, e_date) = (parse_date("start", s, diags), parse_date("end", e, diags));
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
            (parse_date("start", s, diags), None)
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
    };

    let parse_time = |v: &Spanned<String>, diags: &mut Diagnostics| -> Option<u32> {
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
    };
    let start_time = fm.start_time.as_ref().and_then(|v| parse_time(v, diags));

    // Blocks, split into days.
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
            if db.value.trim() != "day" {
                diags.push(file.error_at(
                    db.referenced,
                    format!(
                        "`break` only takes `day` (a day break), got `{}`; for a pause within the day write `title: 课间休息`, `kind: break`, `minutes: 10`",
                        db.value
                    ),
                ));
                continue;
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
            let day_start = match &b.start_time {
                Some(t) => parse_time(t, diags),
                None => start_time,
            };
            last_break = Some(sb.referenced);
            written_today = 0;
            let number = days.len() + 1;
            days.push(Day {
                number,
                date: start.map(|s| s.plus_days(number as i64 - 1)),
                start_time: day_start,
                blocks: Vec::new(),
            });
            continue;
        }
        if let Some(t) = &b.start_time {
            diags.push(file.error_at(
                t.referenced,
                "`start_time` belongs to the session or to a day break (`- break: day`), not to a block",
            ));
        }
        written_today += 1;
        if let (Some(block), Some(day)) = (resolve_block(site, &file, sb, diags), days.last_mut()) {
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

    // The number of days against the dates.
    if let (Some(s), Some(e)) = (start, end) {
        let span = (e.days() - s.days() + 1) as usize;
        if span != days.len() {
            let how = if span == 1 {
                "a one-day session".to_string()
            } else {
                format!("{span} days from {s} to {e}")
            };
            diags.push(file.error_at_key(
                "blocks",
                format!(
                    "the dates give {how}, but the blocks make {} {} (days are separated by `- break: day`){}",
                    days.len(),
                    if days.len() == 1 { "day" } else { "days" },
                    if span == 1 && days.len() > 1 { "; for a session of several days give `start:` and `end:` instead of `date:`" } else { "" }
                ),
            ));
        }
    }

    // Clock times, and a warning when a day runs past midnight.
    for day in &mut days {
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

    let blocks = || days.iter().flat_map(|d| d.blocks.iter());
    let study_minutes: u32 = blocks()
        .filter(|b| b.kind != BlockKind::Break)
        .map(|b| b.minutes)
        .sum();
    let original_minutes: u32 = blocks()
        .filter(|b| b.kind == BlockKind::Original)
        .map(|b| b.minutes)
        .sum();
    let break_minutes: u32 = blocks()
        .filter(|b| b.kind == BlockKind::Break)
        .map(|b| b.minutes)
        .sum();
    let rules: &Rules = &site.config.rules;
    let threshold = rules.min_original_share;
    let rule = evaluate(original_minutes, study_minutes, threshold);
    if !fm.blocks.is_empty() && study_minutes == 0 && blocks().next().is_some() {
        diags.push(file.error_at_key(
            "blocks",
            "the session has no study time: every block is a break",
        ));
    } else if study_minutes > 0 && !rule.meets {
        let message = rule_message(original_minutes, study_minutes, threshold);
        diags.push(match rules.original_share {
            RuleLevel::Error => file.error_at_key("blocks", message),
            RuleLevel::Warn => file.warning_at_key("blocks", message),
        });
    }

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
        study_minutes,
        original_minutes,
        break_minutes,
        rule,
    })
}

fn file_line(raw: &RawFile, loc: Location) -> usize {
    if loc.line() == 0 {
        raw.yaml_first_line
    } else {
        loc.line() as usize + raw.yaml_first_line - 1
    }
}

/// Turns one block (not a day break) into a timetable row, or reports why it cannot be one.
fn resolve_block(
    site: &Site,
    file: &FileRef<'_>,
    sb: &Spanned<BlockSource>,
    diags: &mut Diagnostics,
) -> Option<Block> {
    let b = &sb.value;
    let line = file_line(file.raw, sb.referenced);
    // Every problem of the block is reported before giving up on it.
    let mut ok = true;
    let minutes = match &b.minutes {
        Some(m) if m.value > 0 && m.value <= MAX_BLOCK_MINUTES => Some(m.value as u32),
        Some(m) => {
            diags.push(file.error_at(
                m.referenced,
                format!(
                    "`minutes` must be a positive whole number of minutes, got {}",
                    m.value
                ),
            ));
            ok = false;
            None
        }
        None => None,
    };
    let kind = match &b.kind {
        Some(k) => match BlockKind::parse(&k.value) {
            Some(kind) => Some((kind, k.referenced)),
            None => {
                diags.push(file.error_at(
                    k.referenced,
                    format!(
                        "unknown kind `{}`; use original, explanation, discussion, practice, other or break (原文, 解读, 研讨, 实践, 其他, 休息)",
                        k.value
                    ),
                ));
                ok = false;
                None
            }
        },
        None => None,
    };
    let title = b.title.as_ref().map(|t| t.value.trim().to_string());
    if let Some(t) = b.title.as_ref().filter(|t| t.value.trim().is_empty()) {
        diags.push(file.error_at(t.referenced, "`title` must not be empty"));
        ok = false;
    }

    if let Some(unit_ref) = &b.unit {
        let key = unit_ref.value.trim();
        let Some(unit) = site.unit_by_key(key) else {
            diags.push(file.error_at(unit_ref.referenced, unknown_unit_message(site, key)));
            return None;
        };
        let kind = match kind {
            Some((BlockKind::Break, at)) => {
                diags.push(file.error_at(
                    at,
                    "a unit cannot be a break: remove `kind: break`, or make the break a block of its own",
                ));
                return None;
            }
            Some((kind, at)) => {
                if kind == BlockKind::Original && unit.kind != Kind::Original {
                    diags.push(file.warning_at(
                        at,
                        format!(
                            "`{}` is a unit of kind `{}` but is counted here as original text",
                            unit.key,
                            unit.kind.as_str()
                        ),
                    ));
                }
                kind
            }
            None => unit.kind.into(),
        };
        if !ok {
            return None;
        }
        return Some(Block {
            title: title.unwrap_or_else(|| unit.title.clone()),
            kind,
            minutes: minutes.unwrap_or(unit.minutes),
            unit: Some(unit.index),
            start: None,
            end: None,
            line,
        });
    }

    // A free activity.
    let Some(title) = title else {
        diags.push(file.error_at(
            sb.referenced,
            "a block is a unit (`unit: <topic>/<unit>`), an activity (`title`, `kind`, `minutes`) or a day break (`break: day`)",
        ));
        return None;
    };
    if b.kind.is_none() {
        diags.push(file.error_at(
            sb.referenced,
            format!(
                "the activity `{title}` needs `kind:` (original, explanation, discussion, practice, other or break)"
            ),
        ));
        ok = false;
    }
    if b.minutes.is_none() {
        diags.push(file.error_at(
            sb.referenced,
            format!("the activity `{title}` needs `minutes:` (a positive whole number)"),
        ));
        ok = false;
    }
    let (Some((kind, _)), Some(minutes), true) = (kind, minutes, ok) else {
        return None;
    };
    Some(Block {
        title,
        kind,
        minutes,
        unit: None,
        start: None,
        end: None,
        line,
    })
}

/// "unknown unit `x`" with the closest unit keys, or the topic's units, or what keys look like.
fn unknown_unit_message(site: &Site, key: &str) -> String {
    let want = key.trim_end_matches(".md");
    let mut close: Vec<(usize, &str)> = site
        .units
        .iter()
        .map(|u| (edit_distance(want, &u.key), u.key.as_str()))
        .filter(|(d, k)| *d <= (k.chars().count() / 3).max(2))
        .collect();
    close.sort();
    close.truncate(3);
    let mut msg = format!("unknown unit `{key}`");
    if !close.is_empty() {
        let list: Vec<String> = close.iter().map(|(_, k)| format!("`{k}`")).collect();
        msg.push_str(&format!("; did you mean {}?", list.join(", ")));
        return msg;
    }
    let topic = want.split('/').next().unwrap_or("");
    if let Some(t) = site.topics.iter().find(|t| t.slug == topic) {
        let list: Vec<String> = site.units[t.units.clone()]
            .iter()
            .map(|u| format!("`{}`", u.key))
            .collect();
        msg.push_str(&format!("; the topic `{topic}` has {}", list.join(", ")));
    } else {
        msg.push_str("; units are named `<topic>/<unit>` after their folder and file, e.g. ");
        match site.units.first() {
            Some(u) => msg.push_str(&format!("`{}`", u.key)),
            None => msg.push_str("`01-xuexi/yuanwen`"),
        }
    }
    msg
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

// ---------------------------------------------------------------------------------------------
// Views for the templates and the JSON report

#[derive(Debug, Clone, Serialize)]
struct RowView<'a> {
    /// `08:30`, when the day has a start time.
    start: Option<String>,
    end: Option<String>,
    title: &'a str,
    kind: &'static str,
    minutes: u32,
    /// The unit's page and key, for unit references.
    unit_path: Option<&'a str>,
    unit: Option<&'a str>,
    /// The unit's topic, for unit references.
    topic: Option<&'a str>,
}

#[derive(Debug, Clone, Serialize)]
struct DayView<'a> {
    number: usize,
    date: Option<String>,
    /// ISO weekday, 1 = Monday; the theme names it (`weekday_1`…).
    weekday: Option<u32>,
    start: Option<String>,
    end: Option<String>,
    study_minutes: u32,
    rows: Vec<RowView<'a>>,
}

/// What templates get as `session` (and the list as `sessions`).
#[derive(Debug, Clone, Serialize)]
struct SessionView<'a> {
    slug: &'a str,
    title: &'a str,
    audience: &'a str,
    place: &'a str,
    path: String,
    print_path: String,
    handout_path: String,
    /// First and last day, `YYYY-MM-DD`; `end` only for sessions of more than one day.
    start: Option<String>,
    end: Option<String>,
    weekday: Option<u32>,
    start_time: Option<String>,
    day_count: usize,
    days: Vec<DayView<'a>>,
    study_minutes: u32,
    original_minutes: u32,
    other_minutes: u32,
    break_minutes: u32,
    /// Percent with one decimal (for widths), and as text (`41.7%`).
    share: f64,
    share_label: String,
    threshold: f64,
    threshold_label: String,
    ok: bool,
    minutes_more: Option<u64>,
    notice_html: &'a str,
    extra: &'a BTreeMap<String, serde_json::Value>,
}

fn session_view<'a>(site: &'a Site, s: &'a Session) -> SessionView<'a> {
    let threshold = site.config.rules.min_original_share;
    let multi_day = s.start.is_some() && s.end.is_some() && s.start != s.end;
    let days = s
        .days
        .iter()
        .map(|d| DayView {
            number: d.number,
            date: d.date.map(|x| x.to_string()),
            weekday: d.date.map(Date::weekday),
            start: d.blocks.first().and_then(|b| b.start).map(format_clock),
            end: d.blocks.last().and_then(|b| b.end).map(format_clock),
            study_minutes: d
                .blocks
                .iter()
                .filter(|b| b.kind != BlockKind::Break)
                .map(|b| b.minutes)
                .sum(),
            rows: d
                .blocks
                .iter()
                .map(|b| {
                    let unit = b.unit.map(|i| &site.units[i]);
                    RowView {
                        start: b.start.map(format_clock),
                        end: b.end.map(format_clock),
                        title: &b.title,
                        kind: b.kind.as_str(),
                        minutes: b.minutes,
                        unit_path: unit.map(|u| u.path.as_str()),
                        unit: unit.map(|u| u.key.as_str()),
                        topic: unit.map(|u| site.topics[u.topic].title.as_str()),
                    }
                })
                .collect(),
        })
        .collect();
    let share = crate::view::percent(s.original_minutes, s.study_minutes);
    SessionView {
        slug: &s.slug,
        title: &s.title,
        audience: &s.audience,
        place: &s.place,
        path: s.path(),
        print_path: s.print_path(),
        handout_path: s.handout_path(),
        start: s.start.map(|d| d.to_string()),
        end: if multi_day {
            s.end.map(|d| d.to_string())
        } else {
            None
        },
        weekday: s.start.map(Date::weekday),
        start_time: s.start_time.map(format_clock),
        day_count: s.days.len(),
        days,
        study_minutes: s.study_minutes,
        original_minutes: s.original_minutes,
        other_minutes: s.study_minutes - s.original_minutes,
        break_minutes: s.break_minutes,
        share,
        share_label: share_text(s.original_minutes, s.study_minutes, threshold).replace(' ', ""),
        threshold: (threshold * 1000.0).round() / 10.0,
        threshold_label: threshold_text(threshold).replace(' ', ""),
        ok: s.rule.meets,
        minutes_more: s.rule.minutes_more,
        notice_html: &s.notice.html,
        extra: &s.extra,
    }
}

#[derive(Debug, Clone, Serialize)]
struct HandoutUnit<'a> {
    title: &'a str,
    path: &'a str,
    key: &'a str,
    topic: &'a str,
    source: Option<&'a str>,
    minutes: u32,
    html: &'a str,
}

#[derive(Debug, Clone, Serialize)]
struct SessionLink<'a> {
    title: &'a str,
    path: String,
    start: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct CoverageUnit<'a> {
    title: &'a str,
    path: &'a str,
    key: &'a str,
    sessions: Vec<SessionLink<'a>>,
}

#[derive(Debug, Clone, Serialize)]
struct CoverageTopic<'a> {
    title: &'a str,
    path: &'a str,
    units: Vec<CoverageUnit<'a>>,
    covered: usize,
}

#[derive(Debug, Clone, Serialize)]
struct CoverageView<'a> {
    topics: Vec<CoverageTopic<'a>>,
    /// Original units read by at least one session, and all original units.
    covered: usize,
    total: usize,
}

fn coverage_view(site: &Site) -> CoverageView<'_> {
    // unit index → sessions that have it as a block (any kind).
    let mut by_unit: BTreeMap<usize, Vec<&Session>> = BTreeMap::new();
    for s in &site.sessions {
        let units: BTreeSet<usize> = s.blocks().filter_map(|b| b.unit).collect();
        for u in units {
            by_unit.entry(u).or_default().push(s);
        }
    }
    let topics: Vec<CoverageTopic> = site
        .topics
        .iter()
        .map(|t| {
            let units: Vec<CoverageUnit> = site.units[t.units.clone()]
                .iter()
                .filter(|u| u.kind == Kind::Original)
                .map(|u| CoverageUnit {
                    title: &u.title,
                    path: &u.path,
                    key: &u.key,
                    sessions: by_unit
                        .get(&u.index)
                        .map(|ss| {
                            ss.iter()
                                .map(|s| SessionLink {
                                    title: &s.title,
                                    path: s.path(),
                                    start: s.start.map(|d| d.to_string()),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect();
            let covered = units.iter().filter(|u| !u.sessions.is_empty()).count();
            CoverageTopic {
                title: &t.title,
                path: &t.path,
                units,
                covered,
            }
        })
        .collect();
    CoverageView {
        covered: topics.iter().map(|t| t.covered).sum(),
        total: topics.iter().map(|t| t.units.len()).sum(),
        topics,
    }
}

/// The sessions' pages: the list, each session's page, printable programme and handout, and
/// the coverage page. Nothing when the site has no sessions.
pub fn pages(site: &Site, strings: &BTreeMap<String, String>) -> Vec<ExtraPage> {
    if site.sessions.is_empty() {
        return Vec::new();
    }
    let label = |key: &str, fallback: &str| {
        strings
            .get(key)
            .cloned()
            .unwrap_or_else(|| fallback.to_string())
    };
    let list_crumb = (
        label("sessions", "Training sessions"),
        "sessions/index.html".to_string(),
    );
    let mut pages = Vec::new();

    let views: Vec<SessionView> = site
        .sessions
        .iter()
        .map(|s| session_view(site, s))
        .collect();
    let mut c = PageContext::new();
    c.insert("sessions", &views);
    pages.push(ExtraPage {
        path: "sessions/index.html".into(),
        template: "sessions.html",
        kind: "sessions",
        topic: None,
        breadcrumbs: Vec::new(),
        context: c,
    });

    for (s, v) in site.sessions.iter().zip(&views) {
        let mut c = PageContext::new();
        c.insert("session", v);
        pages.push(ExtraPage {
            path: s.path(),
            template: "session.html",
            kind: "session",
            topic: None,
            breadcrumbs: vec![list_crumb.clone()],
            context: c.clone(),
        });
        let crumbs = vec![list_crumb.clone(), (s.title.clone(), s.path())];
        pages.push(ExtraPage {
            path: s.print_path(),
            template: "session_print.html",
            kind: "session_print",
            topic: None,
            breadcrumbs: crumbs.clone(),
            context: c.clone(),
        });
        let units: Vec<HandoutUnit> = s
            .original_units()
            .into_iter()
            .map(|i| {
                let u = &site.units[i];
                HandoutUnit {
                    title: &u.title,
                    path: &u.path,
                    key: &u.key,
                    topic: &site.topics[u.topic].title,
                    source: u.source_ref.as_deref(),
                    minutes: u.minutes,
                    html: &u.body.html,
                }
            })
            .collect();
        c.insert("units", &units);
        pages.push(ExtraPage {
            path: s.handout_path(),
            template: "session_handout.html",
            kind: "session_handout",
            topic: None,
            breadcrumbs: crumbs,
            context: c,
        });
    }

    let mut c = PageContext::new();
    c.insert("coverage", &coverage_view(site));
    pages.push(ExtraPage {
        path: "coverage.html".into(),
        template: "coverage.html",
        kind: "coverage",
        topic: None,
        breadcrumbs: Vec::new(),
        context: c,
    });
    pages
}

// ---------------------------------------------------------------------------------------------
// `check`: the table and the JSON report

/// Prints the sessions' table for `check` to stdout, padded by display width (CJK characters
/// take two columns).
pub fn print_table(site: &Site) {
    if site.sessions.is_empty() {
        return;
    }
    print!("{}", table(site));
}

/// The table `check` prints.
pub fn table(site: &Site) -> String {
    let threshold = site.config.rules.min_original_share;
    let header = [
        "session",
        "date",
        "study min",
        "original min",
        "share",
        "rule",
    ];
    let mut rows: Vec<[String; 6]> = vec![header.map(String::from)];
    for s in &site.sessions {
        rows.push([
            s.title.clone(),
            date_range(s),
            s.study_minutes.to_string(),
            s.original_minutes.to_string(),
            share_text(s.original_minutes, s.study_minutes, threshold),
            if s.study_minutes == 0 {
                "empty".into()
            } else if s.rule.meets {
                "OK".into()
            } else {
                "below".into()
            },
        ]);
    }
    let widths: Vec<usize> = (0..6)
        .map(|i| rows.iter().map(|r| str_width(&r[i])).max().unwrap_or(0))
        .collect();
    let numeric = [false, false, true, true, true, false];
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let pad = widths[i] - str_width(cell);
            if i > 0 {
                line.push_str("  ");
            }
            if numeric[i] {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str(&format!(
        "minimum original-text share: {} of study time (breaks excluded)\n",
        threshold_text(threshold)
    ));
    out
}

fn date_range(s: &Session) -> String {
    match (s.start, s.end) {
        (Some(a), Some(b)) if a != b => format!("{a} – {b}"),
        (Some(a), _) => a.to_string(),
        _ => "?".into(),
    }
}

/// Terminal columns of a string.
pub fn str_width(s: &str) -> usize {
    s.chars().map(crate::diag::display_width).sum()
}

/// The sessions' figures for `check --format json`: per session its facts, minutes, share,
/// whether it meets the rule, and the timetable with clock times.
pub fn report_json(site: &Site) -> serde_json::Value {
    let threshold = site.config.rules.min_original_share;
    let sessions: Vec<serde_json::Value> = site
        .sessions
        .iter()
        .map(|s| {
            let v = session_view(site, s);
            serde_json::json!({
                "slug": s.slug,
                "file": s.source.to_string_lossy().replace('\\', "/"),
                "title": s.title,
                "audience": s.audience,
                "place": s.place,
                "start": v.start.clone().or_else(|| s.start.map(|d| d.to_string())),
                "end": s.end.map(|d| d.to_string()),
                "start_time": v.start_time,
                "day_count": s.days.len(),
                "study_minutes": s.study_minutes,
                "original_minutes": s.original_minutes,
                "break_minutes": s.break_minutes,
                "share": v.share,
                "share_text": share_text(s.original_minutes, s.study_minutes, threshold),
                "threshold": threshold,
                "ok": s.rule.meets,
                "minutes_more": s.rule.minutes_more,
                "page": v.path,
                "print_page": v.print_path,
                "handout_page": v.handout_path,
                "days": v.days.iter().map(|d| serde_json::json!({
                    "number": d.number,
                    "date": d.date,
                    "start": d.start,
                    "end": d.end,
                    "study_minutes": d.study_minutes,
                    "blocks": d.rows.iter().map(|r| serde_json::json!({
                        "start": r.start,
                        "end": r.end,
                        "title": r.title,
                        "kind": r.kind,
                        "minutes": r.minutes,
                        "unit": r.unit,
                    })).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::Value::Array(sessions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times_follow_the_minutes_from_the_start() {
        let t = clock_times(parse_clock("08:30"), &[15, 30, 10, 90]);
        let shown: Vec<String> = t
            .iter()
            .map(|s| {
                let (a, b) = s.unwrap();
                format!("{}–{}", format_clock(a), format_clock(b))
            })
            .collect();
        assert_eq!(
            shown,
            ["08:30–08:45", "08:45–09:15", "09:15–09:25", "09:25–10:55"]
        );
    }

    #[test]
    fn no_start_time_means_no_clock_times() {
        assert_eq!(clock_times(None, &[10, 20]), vec![None, None]);
    }

    #[test]
    fn clock_times_past_midnight_keep_counting() {
        let t = clock_times(Some(23 * 60 + 30), &[45]);
        assert_eq!(t[0].map(|(_, e)| format_clock(e)).unwrap(), "24:15");
    }

    #[test]
    fn clock_parsing() {
        assert_eq!(parse_clock("08:30"), Some(510));
        assert_eq!(parse_clock("8:30"), Some(510));
        assert_eq!(parse_clock("23:59"), Some(1439));
        for bad in [
            "24:00", "8:60", "0830", "8.30", "08:3", "", "ab:cd", "-1:00", "008:30",
        ] {
            assert_eq!(parse_clock(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_parse_strictly_and_count_days() {
        let d = Date::parse("2026-12-15").unwrap();
        assert_eq!(d.to_string(), "2026-12-15");
        assert_eq!(d.weekday(), 2, "2026-12-15 is a Tuesday");
        assert_eq!(d.plus_days(17).to_string(), "2027-01-01");
        assert_eq!(
            Date::parse("2024-02-29").unwrap().plus_days(1).to_string(),
            "2024-03-01"
        );
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-12-32",
            "2026-1-5",
            "26-12-05",
            "2026/12/05",
            "2026-12-0x",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn exactly_one_third_meets_the_default_rule() {
        let third = 1.0 / 3.0;
        assert!(meets(100, 300, third));
        assert!(!meets(99, 298, third));
        assert!(!meets(99, 300, third));
        assert_eq!(minutes_more(100, 300, third), Some(0));
    }

    #[test]
    fn minutes_more_counts_the_added_minutes_in_the_total_too() {
        let third = 1.0 / 3.0;
        // 100 of 350: (100 + x) * 3 >= 350 + x  ⇔  x >= 25.
        assert_eq!(minutes_more(100, 350, third), Some(25));
        // one minute short of a third: 99 of 298 → 1 more makes 100 of 299.
        assert_eq!(minutes_more(99, 298, third), Some(1));
        assert!(meets(100, 299, third));
        // 0 of 10 → 5 (5 of 15).
        assert_eq!(minutes_more(0, 10, third), Some(5));
        // Other thresholds: 40 % of 100 with 30 original → (30 + x) / (100 + x) >= 0.4 → x = 17 (47/117 = 0.4017).
        assert_eq!(minutes_more(30, 100, 0.4), Some(17));
        assert!(!meets(46, 116, 0.4));
        // 0.5 of 60 with 20 → 20 + x >= 30 + x/2 → x = 20.
        assert_eq!(minutes_more(20, 60, 0.5), Some(20));
        // A threshold of 1 can only be met by removing other study time.
        assert_eq!(minutes_more(20, 60, 1.0), None);
        assert_eq!(minutes_more(60, 60, 1.0), Some(0));
    }

    #[test]
    fn minutes_more_is_the_smallest_that_works() {
        for t in [1.0 / 3.0, 0.25, 0.4, 0.5, 0.6667, 0.9] {
            for study in 1..120u64 {
                for original in 0..=study {
                    let x = minutes_more(original, study, t).unwrap();
                    assert!(
                        meets(original + x, study + x, t),
                        "{original}/{study} t={t} x={x}"
                    );
                    if x > 0 {
                        assert!(
                            !meets(original + x - 1, study + x - 1, t),
                            "{original}/{study} t={t} x={x}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_session_without_study_time_does_not_meet_the_rule() {
        let outcome = evaluate(0, 0, 1.0 / 3.0);
        assert!(!outcome.meets);
        assert_eq!(outcome.minutes_more, None);
        assert!(evaluate(10, 30, 1.0 / 3.0).meets);
    }

    #[test]
    fn share_texts() {
        let third = 1.0 / 3.0;
        assert_eq!(share_text(100, 350, third), "28.6 %");
        assert_eq!(share_text(100, 300, third), "33.3 %");
        // below, but it would print as the threshold: more decimals.
        assert_eq!(share_text(1000, 3001, third), "33.32 %");
        assert_eq!(threshold_text(third), "33.3 %");
        assert_eq!(
            rule_message(100, 350, third),
            "the original-text share is 28.6 % (100 of 350 study minutes), below the minimum of 33.3 %: add 25 minutes of original text to meet it"
        );
        assert_eq!(
            rule_message(99, 298, third),
            "the original-text share is 33.2 % (99 of 298 study minutes), below the minimum of 33.3 %: add 1 minute of original text to meet it"
        );
    }

    #[test]
    fn edit_distance_counts_characters() {
        assert_eq!(edit_distance("01-xuexi/yuanwn", "01-xuexi/yuanwen"), 1);
        assert_eq!(edit_distance("原文", "原文"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
