//! The sessions' pages: the list, each session's page, its printable programme and handout (the
//! programme, then every original unit of the session in full), and the coverage page, which
//! shows for every topic which sessions read its original units.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::content::Kind;
use crate::model::session::format_clock;
use crate::model::share::{share_text, threshold_text};
use crate::model::{BlockKind, Session, Site};
use crate::time::CivilDate;
use crate::view::{FeaturePage, PageContext};

#[derive(Debug, Clone, Serialize)]
pub(super) struct RowView<'a> {
    /// `08:30`, when the day has a start time.
    pub(super) start: Option<String>,
    pub(super) end: Option<String>,
    pub(super) title: &'a str,
    pub(super) kind: &'static str,
    pub(super) minutes: u32,
    /// The unit's page and key, for unit references.
    pub(super) unit_path: Option<&'a str>,
    pub(super) unit: Option<&'a str>,
    /// The unit's topic, for unit references.
    pub(super) topic: Option<&'a str>,
    /// 主讲 and 地点 (from a workbook's row).
    pub(super) speaker: Option<&'a str>,
    pub(super) room: Option<&'a str>,
}

/// A roster member as pages show them: the phone masked.
#[derive(Debug, Clone, Serialize)]
pub(super) struct LearnerView<'a> {
    pub(super) name: &'a str,
    pub(super) branch: &'a str,
    pub(super) number: Option<&'a str>,
    pub(super) role: Option<&'a str>,
    pub(super) phone: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct DayView<'a> {
    pub(super) number: usize,
    pub(super) date: Option<String>,
    /// ISO weekday, 1 = Monday; the theme names it (`weekday_1`…).
    pub(super) weekday: Option<u32>,
    pub(super) start: Option<String>,
    pub(super) end: Option<String>,
    pub(super) study_minutes: u32,
    pub(super) rows: Vec<RowView<'a>>,
}

/// What templates get as `session` (and the list as `sessions`).
#[derive(Debug, Clone, Serialize)]
pub(super) struct SessionView<'a> {
    pub(super) slug: &'a str,
    pub(super) title: &'a str,
    pub(super) audience: &'a str,
    pub(super) place: &'a str,
    pub(super) path: String,
    pub(super) print_path: String,
    pub(super) handout_path: String,
    /// The sign-in sheet, when the session has a roster.
    pub(super) signin_path: Option<String>,
    /// First and last day, `YYYY-MM-DD`; `end` only for sessions of more than one day.
    pub(super) start: Option<String>,
    pub(super) end: Option<String>,
    pub(super) weekday: Option<u32>,
    pub(super) start_time: Option<String>,
    pub(super) day_count: usize,
    pub(super) days: Vec<DayView<'a>>,
    pub(super) study_minutes: u32,
    pub(super) original_minutes: u32,
    pub(super) other_minutes: u32,
    pub(super) break_minutes: u32,
    /// Percent with one decimal (for widths), and as text (`41.7%`).
    pub(super) share: f64,
    pub(super) share_label: String,
    pub(super) threshold: f64,
    pub(super) threshold_label: String,
    pub(super) ok: bool,
    pub(super) minutes_more: Option<u64>,
    pub(super) notice_html: &'a str,
    pub(super) roster: Vec<LearnerView<'a>>,
    pub(super) extra: &'a BTreeMap<String, serde_json::Value>,
}

pub(super) fn session_view<'a>(site: &'a Site, s: &'a Session) -> SessionView<'a> {
    let threshold = site.config.rules.min_original_share;
    let multi_day = s.start.is_some() && s.end.is_some() && s.start != s.end;
    let days = s
        .days
        .iter()
        .map(|d| DayView {
            number: d.number,
            date: d.date.map(|x| x.to_string()),
            weekday: d.date.map(CivilDate::weekday),
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
                        speaker: b.speaker.as_deref(),
                        room: b.room.as_deref(),
                    }
                })
                .collect(),
        })
        .collect();
    let share = crate::view::share_percent(s.original_minutes, s.study_minutes);
    SessionView {
        slug: &s.slug,
        title: &s.title,
        audience: &s.audience,
        place: &s.place,
        path: s.path(),
        print_path: s.print_path(),
        handout_path: s.handout_path(),
        signin_path: (!s.roster.is_empty()).then(|| s.signin_path()),
        start: s.start.map(|d| d.to_string()),
        end: if multi_day {
            s.end.map(|d| d.to_string())
        } else {
            None
        },
        weekday: s.start.map(CivilDate::weekday),
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
        roster: s
            .roster
            .iter()
            .map(|l| LearnerView {
                name: &l.name,
                branch: &l.branch,
                number: l.number.as_deref(),
                role: l.role.as_deref(),
                phone: l.phone.as_deref().map(crate::model::session::mask_phone),
            })
            .collect(),
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
    /// The unit's body, its ids prefixed with `u<n>-` (n from 1, in the handout's order), so
    /// that no id occurs twice on the handout.
    html: String,
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
        let units: BTreeSet<usize> = s.all_blocks().filter_map(|b| b.unit).collect();
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

/// The sessions' pages: the list, each session's page, printable programme and handout (and
/// sign-in sheet, for a session with a roster), and the coverage page. Nothing when the site has no sessions.
pub fn pages(site: &Site, strings: &BTreeMap<String, String>) -> Vec<FeaturePage> {
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
    pages.push(FeaturePage {
        path: "sessions/index.html".into(),
        template: "sessions.html",
        kind: "sessions",
        topic: None,
        breadcrumbs: Vec::new(),
        context: c,
    });

    for (s, v) in site.sessions.iter().zip(&views) {
        pages.extend(session_pages(site, s, v, &list_crumb));
    }

    let mut c = PageContext::new();
    c.insert("coverage", &coverage_view(site));
    pages.push(FeaturePage {
        path: "coverage.html".into(),
        template: "coverage.html",
        kind: "coverage",
        topic: None,
        breadcrumbs: Vec::new(),
        context: c,
    });
    pages
}

/// One session's pages: its page, printable programme, sign-in sheet (with a roster) and
/// handout.
fn session_pages(
    site: &Site,
    s: &Session,
    v: &SessionView<'_>,
    list_crumb: &(String, String),
) -> Vec<FeaturePage> {
    let mut pages = Vec::new();
    let mut c = PageContext::new();
    c.insert("session", v);
    pages.push(FeaturePage {
        path: s.path(),
        template: "session.html",
        kind: "session",
        topic: None,
        breadcrumbs: vec![list_crumb.clone()],
        context: c.clone(),
    });
    let crumbs = vec![list_crumb.clone(), (s.title.clone(), s.path())];
    pages.push(FeaturePage {
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
        .enumerate()
        .map(|(n, i)| {
            let u = &site.units[i];
            HandoutUnit {
                title: &u.title,
                path: &u.path,
                key: &u.key,
                topic: &site.topics[u.topic].title,
                source: u.source_ref.as_deref(),
                minutes: u.minutes,
                html: crate::markdown::prefix_ids(&u.body.html, &format!("u{}-", n + 1)),
            }
        })
        .collect();
    if !s.roster.is_empty() {
        pages.push(FeaturePage {
            path: s.signin_path(),
            template: "session_signin.html",
            kind: "session_signin",
            topic: None,
            breadcrumbs: crumbs.clone(),
            context: c.clone(),
        });
    }
    c.insert("units", &units);
    pages.push(FeaturePage {
        path: s.handout_path(),
        template: "session_handout.html",
        kind: "session_handout",
        topic: None,
        breadcrumbs: crumbs,
        context: c,
    });
    pages
}
