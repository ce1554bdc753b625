//! The model of a site: topics and units in reading order, with everything the features read
//! from it — each unit's questions ([`quiz`]), the training sessions with their days, blocks and
//! dates ([`session`]), and the original-text rule ([`share`]).
//!
//! The model is data and lookups only. It is made by `load` (from `site.yaml` and the content
//! library) and read by the features and `render`; nothing here knows how a page looks, how a
//! question is checked or how a session file is read.

pub mod quiz;
pub mod session;
pub mod share;

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::SiteConfig;
use crate::content::Kind;
use crate::markdown::Rendered;

pub use quiz::{Answer, Question, QuestionType, Quiz};
pub use session::{Block, BlockKind, Day, Learner, Session};

/// A topic (专题): one folder of `content/`.
#[derive(Debug, Clone)]
pub struct Topic {
    pub slug: String,
    pub title: String,
    pub weight: i64,
    pub summary: String,
    pub extra: BTreeMap<String, serde_json::Value>,
    /// `content/<slug>/_index.md`
    pub source: PathBuf,
    /// `<slug>/index.html`
    pub path: String,
    pub body: Arc<Rendered>,
    /// Indexes into [`Site::units`].
    pub units: Range<usize>,
    pub minutes: u32,
    pub original_minutes: u32,
    /// Other files of the folder (images…), relative to the root.
    pub assets: Vec<PathBuf>,
}

/// A study unit.
#[derive(Debug, Clone)]
pub struct Unit {
    /// Index of its topic in [`Site::topics`].
    pub topic: usize,
    /// Its own index in [`Site::units`] (reading order).
    pub index: usize,
    pub slug: String,
    /// `<topic>/<unit>`: how sessions and quiz sources refer to it.
    pub key: String,
    /// `<topic>/<unit>.html`
    pub path: String,
    pub source: PathBuf,
    pub title: String,
    pub weight: i64,
    pub kind: Kind,
    pub minutes: u32,
    pub minutes_estimated: bool,
    /// Which passage of the original document (`source:` in front matter).
    pub source_ref: Option<String>,
    pub summary: String,
    pub tags: Vec<String>,
    pub extra: BTreeMap<String, serde_json::Value>,
    pub body: Arc<Rendered>,
    pub quiz: Option<Quiz>,
}

/// The whole model of a site.
#[derive(Debug, Clone)]
pub struct Site {
    pub root: PathBuf,
    pub config: SiteConfig,
    /// Namespace for what the site keeps in the reader's browser (progress, settings), so two
    /// sites opened from one USB stick do not share it. Templates see it as `site.key`.
    pub storage_key: String,
    /// The site's description, rendered (the home page's text).
    pub home_html: String,
    pub topics: Vec<Topic>,
    pub units: Vec<Unit>,
    pub sessions: Vec<Session>,
    /// Whether any page has highlighted code.
    pub highlighted: bool,
    /// `<topic>/<unit>` → index into `units`, for quiz sources and session blocks (a scan per
    /// reference would grow with sites × references).
    unit_index: HashMap<String, usize>,
    /// For each unit, the site-wide index of its first question (and the count at the end):
    /// questions numbered across the site in reading order, as the quiz data files hold them.
    question_offsets: Vec<usize>,
}

impl Site {
    /// A model of `topics` and `units` (in reading order, each unit's `index` and `topic` set),
    /// without sessions yet.
    pub fn new(
        root: PathBuf,
        config: SiteConfig,
        home_html: String,
        topics: Vec<Topic>,
        units: Vec<Unit>,
    ) -> Site {
        let key_source = format!("{}\u{0}{}", config.title, config.description);
        let storage_key = blake3::hash(key_source.as_bytes()).to_hex()[..10].to_string();
        let highlighted =
            units.iter().any(|u| u.body.highlighted) || topics.iter().any(|t| t.body.highlighted);
        let unit_index = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.key.clone(), i))
            .collect();
        let mut question_offsets = Vec::with_capacity(units.len() + 1);
        let mut n = 0;
        for u in &units {
            question_offsets.push(n);
            n += u.quiz.as_ref().map_or(0, |q| q.questions.len());
        }
        question_offsets.push(n);
        Site {
            root,
            config,
            storage_key,
            home_html,
            topics,
            units,
            sessions: Vec::new(),
            highlighted,
            unit_index,
            question_offsets,
        }
    }

    pub fn unit_by_key(&self, key: &str) -> Option<&Unit> {
        self.unit_index.get(key).map(|&i| &self.units[i])
    }

    pub fn prev_unit(&self, u: &Unit) -> Option<&Unit> {
        u.index.checked_sub(1).map(|i| &self.units[i])
    }

    pub fn next_unit(&self, u: &Unit) -> Option<&Unit> {
        self.units.get(u.index + 1)
    }

    /// How many questions the units of `range` (indexes into [`Site::units`]) have.
    pub fn question_count(&self, range: Range<usize>) -> usize {
        let r = self.question_range(range);
        r.end - r.start
    }

    /// The site-wide numbers of the questions of the units of `range` (questions are numbered
    /// across the site in reading order).
    pub fn question_range(&self, range: Range<usize>) -> Range<usize> {
        self.question_offsets[range.start]..self.question_offsets[range.end]
    }

    /// Every unit's and topic's body.
    fn bodies_mut(&mut self) -> impl Iterator<Item = &mut Arc<Rendered>> {
        let units = self.units.iter_mut().map(|u| &mut u.body);
        units.chain(self.topics.iter_mut().map(|t| &mut t.body))
    }

    /// Frees the body HTML of every unit and topic, once every page is written: the search
    /// index, made last, needs only the bodies' text (BENCHMARKS.md has what this saves at the
    /// build's peak). Pages rendered afterwards would have empty bodies. Bodies shared with a
    /// cache (`serve --watch`) are left alone.
    pub fn release_body_html(&mut self) {
        for body in self.bodies_mut() {
            if let Some(rendered) = Arc::get_mut(body) {
                rendered.html = String::new();
            }
        }
    }
}
