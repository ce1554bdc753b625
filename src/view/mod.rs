//! The template context: typed, borrowed views of the model that every template receives.
//!
//! Every page gets the keys of [`SharedKeys`] (made once per build) and [`Common`]:
//!
//! | key | what |
//! |---|---|
//! | `site` | `title`, `description`, `language`, `key` (namespace for browser storage), `extra`, `pass_mark` |
//! | `t` | the UI strings of the site's language (`themes/<theme>/i18n/<language>.yaml`) |
//! | `t_quiz`, `t_aloud` | the keys of `t` that start with `quiz_` or `progress_`, and with `aloud_` (what `script_strings.html` hands quiz.js, progress.js and aloud.js: picked once per build, not by a test of every key on every page) |
//! | `root` | the relative path from this page to the site root: `""` or `"../"`; prefix every link with it |
//! | `current_path` | this page's path from the site root, e.g. `01-xuexi/yuanwen.html` |
//! | `page_kind` | `index`, `topic`, `unit`, `404`, or a feature page's kind |
//! | `nav` | every topic: `title`, `path`, `minutes`, `unit_count` |
//! | `links` | which site-wide pages exist, for the menu: `final_quiz` (`quiz.html`), `sessions` (`sessions/index.html`) |
//! | `nav_units_html` | the current topic's units (a window of them in very large topics) as side-navigation entries, already HTML: each unit's `nav_unit.html` (keys `u`: `title`, `path`, `kind`, `minutes`; `current`; `root`; and [`SharedKeys`]'s), rendered once per build and reused by every page that lists it |
//! | `nav_units_more` | whether `nav_units_html` is only a window of the topic's units |
//! | `breadcrumbs` | `title`, `path` from the home page down to the parent of this page |
//!
//! and, by page: `home` (index), `topic` (topic), `unit`, `prev`, `next` (unit), and a feature
//! page's own keys ([`FeaturePage`]). Paths are relative to the site root and always name a
//! file (`…/index.html`), so that the site works from file:// and from any sub-path of any
//! server. JSON handed to scripts inside the page goes through [`script_json`].

mod json;
mod page;

pub use json::{escape_script_json, script_json};
pub use page::{FeaturePage, PageContext};

use std::collections::BTreeMap;

use serde::Serialize;

use crate::markdown::{Rendered, TocEntry};
use crate::model::{Site, Topic, Unit};

/// Units shown in the side navigation before it switches to a window around the current one.
pub const NAV_UNITS_FULL: usize = 60;
/// Units on each side of the current one in the window.
pub const NAV_UNITS_WINDOW: usize = 20;

/// How many of a topic's units the home page lists (then a link to the topic page), so that
/// the first page a phone opens stays small however large the site grows.
pub const HOME_UNITS: usize = 12;

#[derive(Debug, Clone, Serialize)]
pub struct Link<'a> {
    pub title: &'a str,
    pub path: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteView<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub language: &'a str,
    pub key: &'a str,
    pub pass_mark: u32,
    pub extra: &'a BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavTopic<'a> {
    pub title: &'a str,
    pub path: &'a str,
    pub minutes: u32,
    pub unit_count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavUnit<'a> {
    pub title: &'a str,
    pub path: &'a str,
    pub kind: &'static str,
    pub minutes: u32,
}

/// Keys every page has with the same value: turned into template values once per build and
/// shared by every page (cloning a template value is cheap).
#[derive(Debug, Clone, Serialize)]
pub struct SharedKeys<'a> {
    pub site: &'a SiteView<'a>,
    pub t: &'a BTreeMap<String, String>,
    pub t_quiz: &'a BTreeMap<String, String>,
    pub t_aloud: &'a BTreeMap<String, String>,
    pub nav: &'a [NavTopic<'a>],
    pub links: SiteLinks,
}

/// Which site-wide pages exist besides the topics, for the menu's links (学习进度 always).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SiteLinks {
    /// `quiz.html` (综合测试): some unit has questions.
    pub final_quiz: bool,
    /// `sessions/index.html` (培训班次): the site has training sessions.
    pub sessions: bool,
}

/// The strings of `t` whose keys start with one of `prefixes`, in key order.
pub fn strings_with(t: &BTreeMap<String, String>, prefixes: &[&str]) -> BTreeMap<String, String> {
    (t.iter())
        .filter(|(k, _)| prefixes.iter().any(|p| k.starts_with(p)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Keys every page has, with a value of its own. (`nav_units_html` is added beside them,
/// joined from entries rendered once per unit: see [`nav_window`].)
#[derive(Debug, Clone, Serialize)]
pub struct Common<'a> {
    pub root: &'static str,
    pub current_path: &'a str,
    pub page_kind: &'a str,
    pub nav_units_more: bool,
    pub breadcrumbs: Vec<Link<'a>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitSummary<'a> {
    pub title: &'a str,
    pub path: &'a str,
    pub key: &'a str,
    pub kind: &'static str,
    pub minutes: u32,
    pub minutes_estimated: bool,
    pub summary: &'a str,
    pub source: Option<&'a str>,
    pub has_quiz: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitView<'a> {
    pub title: &'a str,
    pub path: &'a str,
    pub key: &'a str,
    pub kind: &'static str,
    pub minutes: u32,
    pub minutes_estimated: bool,
    pub source: Option<&'a str>,
    pub summary: &'a str,
    pub tags: &'a [String],
    pub extra: &'a BTreeMap<String, serde_json::Value>,
    pub html: BodyHtml<'a>,
    pub toc: &'a [TocEntry],
    pub topic: Link<'a>,
    /// Position in the topic, 1-based, and the topic's unit count.
    pub position: usize,
    pub of: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct TopicView<'a> {
    pub title: &'a str,
    pub path: &'a str,
    pub slug: &'a str,
    pub summary: &'a str,
    pub html: BodyHtml<'a>,
    pub toc: &'a [TocEntry],
    pub minutes: u32,
    pub original_minutes: u32,
    /// Share of original-text minutes, in percent with one decimal.
    pub original_share: f64,
    pub extra: &'a BTreeMap<String, serde_json::Value>,
    pub units: Vec<UnitSummary<'a>>,
    /// All the topic's units; on the home page `units` holds only the first [`HOME_UNITS`].
    pub unit_count: usize,
    /// Questions in the topic's units (its 阶段测验 `<slug>/quiz.html` exists when > 0).
    pub quiz_questions: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct HomeView<'a> {
    pub html: &'a str,
    pub topics: Vec<TopicView<'a>>,
    pub minutes: u32,
    pub original_minutes: u32,
    pub original_share: f64,
    pub unit_count: usize,
    /// Questions in the whole site (the 综合测试 `quiz.html` exists when > 0).
    pub quiz_questions: usize,
    /// Training sessions (`sessions/index.html` and `coverage.html` exist when > 0).
    pub session_count: usize,
}

/// Percent with one decimal; 0 when there is nothing.
pub fn share_percent(part: u32, whole: u32) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 * 1000.0 / whole as f64).round() / 10.0
    }
}

pub fn site_view(site: &Site) -> SiteView<'_> {
    SiteView {
        title: &site.config.title,
        description: &site.config.description,
        language: &site.config.language,
        key: &site.storage_key,
        pass_mark: site.config.quiz.pass_mark,
        extra: &site.config.extra,
    }
}

pub fn nav(site: &Site) -> Vec<NavTopic<'_>> {
    site.topics
        .iter()
        .map(|t| NavTopic {
            title: &t.title,
            path: &t.path,
            minutes: t.minutes,
            unit_count: t.units.len(),
        })
        .collect()
}

/// Which of the topic's units (indexes into [`Site::units`]) the side navigation shows, and
/// whether that is only a window of them.
pub fn nav_window(topic: &Topic, current: Option<usize>) -> (std::ops::Range<usize>, bool) {
    let range = topic.units.clone();
    if range.len() <= NAV_UNITS_FULL {
        (range, false)
    } else {
        let c = current.unwrap_or(range.start);
        let s = c.saturating_sub(NAV_UNITS_WINDOW).max(range.start);
        let e = (c + NAV_UNITS_WINDOW + 1).min(range.end);
        (s..e, true)
    }
}

/// One unit as the side navigation shows it.
pub fn nav_unit(u: &Unit) -> NavUnit<'_> {
    NavUnit {
        title: &u.title,
        path: &u.path,
        kind: u.kind.as_str(),
        minutes: u.minutes,
    }
}

pub fn unit_summary(u: &Unit) -> UnitSummary<'_> {
    UnitSummary {
        title: &u.title,
        path: &u.path,
        key: &u.key,
        kind: u.kind.as_str(),
        minutes: u.minutes,
        minutes_estimated: u.minutes_estimated,
        summary: &u.summary,
        source: u.source_ref.as_deref(),
        has_quiz: u.quiz.as_ref().is_some_and(|q| !q.questions.is_empty()),
    }
}

/// A body's HTML as the templates see it, with the key of the Markdown it was rendered from
/// when there is one. A page's cache key (`render`'s page keys, in postcard, which is not
/// human-readable) takes that key instead of the HTML, which is a function of it (see
/// [`crate::markdown::render_cached`]): hashing 32 bytes instead of a page's text, twice over
/// for a topic's print page. Templates (human-readable values) get the HTML.
#[derive(Debug, Clone, Default)]
pub struct BodyHtml<'a> {
    pub html: std::borrow::Cow<'a, str>,
    pub source: Option<&'a blake3::Hash>,
}

impl<'a> BodyHtml<'a> {
    pub fn of(body: &'a Rendered) -> BodyHtml<'a> {
        BodyHtml {
            html: std::borrow::Cow::Borrowed(&body.html),
            source: body.source.as_ref(),
        }
    }
}

impl std::ops::Deref for BodyHtml<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.html
    }
}

impl Serialize for BodyHtml<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.source {
            Some(key) if !s.is_human_readable() => s.serialize_bytes(key.as_bytes()),
            _ => s.serialize_str(&self.html),
        }
    }
}

pub fn topic_view<'a>(site: &'a Site, t: &'a Topic, with_body: bool) -> TopicView<'a> {
    TopicView {
        title: &t.title,
        path: &t.path,
        slug: &t.slug,
        summary: &t.summary,
        html: match with_body {
            true => BodyHtml::of(&t.body),
            false => BodyHtml::default(),
        },
        toc: if with_body { &t.body.toc } else { &[] },
        minutes: t.minutes,
        original_minutes: t.original_minutes,
        original_share: share_percent(t.original_minutes, t.minutes),
        extra: &t.extra,
        units: site.units[t.units.clone()]
            .iter()
            .map(unit_summary)
            .collect(),
        unit_count: t.units.len(),
        quiz_questions: site.question_count(t.units.clone()),
    }
}

pub fn unit_view<'a>(site: &'a Site, u: &'a Unit) -> UnitView<'a> {
    let topic = &site.topics[u.topic];
    UnitView {
        title: &u.title,
        path: &u.path,
        key: &u.key,
        kind: u.kind.as_str(),
        minutes: u.minutes,
        minutes_estimated: u.minutes_estimated,
        source: u.source_ref.as_deref(),
        summary: &u.summary,
        tags: &u.tags,
        extra: &u.extra,
        html: BodyHtml::of(&u.body),
        toc: &u.body.toc,
        topic: Link {
            title: &topic.title,
            path: &topic.path,
        },
        position: u.index - topic.units.start + 1,
        of: topic.units.len(),
    }
}

pub fn home_view(site: &Site) -> HomeView<'_> {
    let minutes = site.topics.iter().map(|t| t.minutes).sum();
    let original_minutes = site.topics.iter().map(|t| t.original_minutes).sum();
    HomeView {
        html: &site.home_html,
        topics: site
            .topics
            .iter()
            .map(|t| {
                let mut v = topic_view(site, t, false);
                v.units.truncate(HOME_UNITS);
                v
            })
            .collect(),
        minutes,
        original_minutes,
        original_share: share_percent(original_minutes, minutes),
        unit_count: site.units.len(),
        quiz_questions: site.question_count(0..site.units.len()),
        session_count: site.sessions.len(),
    }
}
