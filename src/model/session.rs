//! Training sessions (班次) as the model holds them: the timetable split into days of blocks,
//! with clock times, and the minutes the original-text rule is judged on ([`super::share`]).
//! The sessions feature reads session files into these and makes their pages; this module
//! also holds the calendar dates and clock times they are written in.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::share::RuleOutcome;
use crate::content::Kind;
use crate::markdown::Rendered;
use crate::time::CivilDate;

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

/// One row of a timetable.
#[derive(Debug, Clone)]
pub struct Block {
    pub title: String,
    pub kind: BlockKind,
    pub minutes: u32,
    /// Index into [`super::Site::units`] for a unit reference.
    pub unit: Option<usize>,
    /// Clock times, when the day has a start time.
    pub start: Option<u32>,
    pub end: Option<u32>,
    /// 1-based line in the session file (the row, for a workbook's 日程 sheet).
    pub line: usize,
    /// 主讲 and 地点 of a workbook's row.
    pub speaker: Option<String>,
    pub room: Option<String>,
}

/// One person on a session's roster (名册).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Learner {
    pub name: String,
    /// 支部 (or 单位).
    pub branch: String,
    /// 编号
    pub number: Option<String>,
    /// 职务
    pub role: Option<String>,
    /// 手机, as written; pages show [`mask_phone`] of it.
    pub phone: Option<String>,
}

/// A phone number with all but its first three and last four digits hidden (`138****5678`);
/// a shorter one wholly hidden.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().filter(|c| !c.is_whitespace()).collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let n = chars.len();
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < 3 || i >= n - 4 { *c } else { '*' })
        .collect()
}

/// One day of a session.
#[derive(Debug, Clone)]
pub struct Day {
    /// 1-based.
    pub number: usize,
    pub date: Option<CivilDate>,
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
    pub start: Option<CivilDate>,
    pub end: Option<CivilDate>,
    pub start_time: Option<u32>,
    pub days: Vec<Day>,
    /// The roster: the workbook's 名册 sheet, or the workbook named by `roster:`.
    pub roster: Vec<Learner>,
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
    /// The printable sign-in sheet (签到表), made only for a session with a roster.
    pub fn signin_path(&self) -> String {
        format!("sessions/{}-signin.html", self.slug)
    }

    /// Every block of every day, in timetable order.
    pub fn all_blocks(&self) -> impl Iterator<Item = &Block> {
        self.days.iter().flat_map(|d| d.blocks.iter())
    }

    /// The original units of the session, each once, in timetable order.
    pub fn original_units(&self) -> Vec<usize> {
        let mut seen = BTreeSet::new();
        self.all_blocks()
            .filter(|b| b.kind == BlockKind::Original)
            .filter_map(|b| b.unit)
            .filter(|u| seen.insert(*u))
            .collect()
    }
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
    fn phones_are_masked() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("138 1234 5678"), "138****5678");
        assert_eq!(mask_phone("12345"), "*****");
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
}
