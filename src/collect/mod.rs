//! `serve --collect`: quiz results and units read, gathered from the learners' browsers on the
//! local network, for the organiser's report (issue 16).
//!
//! The pieces:
//! - [`QuizTable`]: what the site asks, from the model — every quiz id (`unit:…`, `topic:…`,
//!   `final`) with the ids of the questions it draws, each question with its content hash and
//!   points, the units, the pass mark and the roster. Records are checked against it.
//! - [`intake`]: one request body → a checked, re-scored [`crate::store::Record`], or a
//!   refusal with its status code. Nothing the browser says is believed: the score is computed
//!   again from the answers by [`crate::model::quiz::score`] (the client's is only compared),
//!   names are cleaned, unknown quizzes and questions are refused, an edited question's answer
//!   is kept but marked stale.
//! - [`report`]: the store's rows → the three tables (learners, quizzes, questions), as text,
//!   CSV or JSON for `studysite report`, and as the report page.
//! - [`SiteCollector`]: the [`crate::server::collect::Collector`] `cmd::serve` plugs into the
//!   server: the endpoint, the rate limit per address, the report page behind its token, and
//!   the tag every served page gets (which is what makes a page send anything at all).
//!
//! This is a feature of layer 4: it reads the model and the theme, and never the quiz feature.

pub mod intake;
pub mod progress;
pub mod report;

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use crate::model::quiz::{FINAL_QUIZ_ID, question_id, topic_quiz_id, unit_quiz_id};
use crate::model::{Question, Site};
use crate::server::collect::{CollectRequest, CollectResponse, Collector};
use crate::store::{Inserted, Store};
use crate::templates::Theme;

/// The endpoint pages post records to.
pub const ATTEMPTS_PATH: &str = "/__studysite/attempts";
/// The collector's script.
pub const SCRIPT_PATH: &str = "/__studysite/collect.js";
/// The organiser's report (with `?token=…`).
pub const REPORT_PATH: &str = "/__studysite/report";

/// The browser side: outbox, name, sending (served only by a collecting server).
pub const SCRIPT: &str = include_str!("collect.js");

/// Environment variable: how many records one address may post per minute (default 120).
pub const RATE_ENV: &str = "STUDYSITE_COLLECT_RATE";

/// A question as the collector checks answers against it.
#[derive(Debug, Clone)]
pub struct QuestionInfo {
    pub question: Question,
    /// Its unit's title (the report's "where").
    pub unit_title: String,
    /// The source passage, `topic/unit.html#anchor`, when the question names one.
    pub source_href: Option<String>,
}

/// A quiz: its title and the questions it draws.
#[derive(Debug, Clone)]
pub struct QuizInfo {
    pub title: String,
    pub path: String,
    pub questions: Vec<String>,
}

/// What the site asks, for checking and scoring records.
#[derive(Debug, Clone, Default)]
pub struct QuizTable {
    pub site_title: String,
    pub pass_mark: u32,
    /// Quiz id → quiz.
    pub quizzes: BTreeMap<String, QuizInfo>,
    /// Question id (as the browser knows it) → question.
    pub questions: HashMap<String, QuestionInfo>,
    /// Unit key → title.
    pub units: BTreeMap<String, String>,
    /// Names to offer; empty when there is no roster.
    pub roster: Vec<String>,
}

impl QuizTable {
    /// The table of `site`; `extra_roster` are the names of `learners.txt`.
    pub fn from_site(site: &Site, extra_roster: &[String]) -> QuizTable {
        let mut t = QuizTable {
            site_title: site.config.title.clone(),
            pass_mark: site.config.quiz.pass_mark,
            ..QuizTable::default()
        };
        let mut all = Vec::new();
        for topic in &site.topics {
            let mut ids = Vec::new();
            for unit in &site.units[topic.units.clone()] {
                t.units.insert(unit.key.clone(), unit.title.clone());
                let Some(quiz) = unit.quiz.as_ref().filter(|q| !q.questions.is_empty()) else {
                    continue;
                };
                let unit_ids: Vec<String> = quiz
                    .questions
                    .iter()
                    .map(|q| question_id(unit, q))
                    .collect();
                for (q, id) in quiz.questions.iter().zip(&unit_ids) {
                    let source_href = q.source.as_deref().and_then(|s| source_href(site, s));
                    let info = QuestionInfo {
                        question: q.clone(),
                        unit_title: unit.title.clone(),
                        source_href,
                    };
                    t.questions.insert(id.clone(), info);
                }
                t.quizzes.insert(
                    unit_quiz_id(&unit.key),
                    QuizInfo {
                        title: unit.title.clone(),
                        path: unit.path.clone(),
                        questions: unit_ids.clone(),
                    },
                );
                ids.extend(unit_ids);
            }
            if !ids.is_empty() {
                all.extend(ids.iter().cloned());
                t.quizzes.insert(
                    topic_quiz_id(&topic.slug),
                    QuizInfo {
                        title: topic.title.clone(),
                        path: format!("{}/quiz.html", topic.slug),
                        questions: ids,
                    },
                );
            }
        }
        if !all.is_empty() {
            t.quizzes.insert(
                FINAL_QUIZ_ID.into(),
                QuizInfo {
                    title: site.config.title.clone(),
                    path: "quiz.html".into(),
                    questions: all,
                },
            );
        }
        let mut roster: Vec<String> = site
            .config
            .learners
            .iter()
            .chain(extra_roster)
            .map(|n| intake::clean_text(n, intake::NAME_MAX))
            .filter(|n| !n.is_empty())
            .collect();
        roster.dedup();
        t.roster = roster;
        t
    }

    /// Whether `name` may be flagged as not on the roster.
    pub fn on_roster(&self, name: &str) -> bool {
        self.roster.is_empty() || self.roster.iter().any(|n| n == name)
    }
}

/// `topic/unit#anchor` → `topic/unit.html#anchor`, when the unit exists.
fn source_href(site: &Site, source: &str) -> Option<String> {
    let (key, anchor) = source.split_once('#')?;
    let unit = site.unit_by_key(key)?;
    Some(format!("{}#{anchor}", unit.path))
}

/// The names of `learners.txt` (one a line; blank lines and `#` comments skipped).
pub fn roster_file(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// A token bucket per client address.
#[derive(Debug)]
struct RateLimit {
    per_minute: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimit {
    fn new(per_minute: u32) -> RateLimit {
        RateLimit {
            per_minute: f64::from(per_minute.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `ip`; false when its bucket is empty.
    fn allow(&self, ip: Option<IpAddr>) -> bool {
        let Some(ip) = ip else { return true };
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > 10_000 {
            buckets.clear();
        }
        let now = Instant::now();
        let (tokens, at) = buckets.entry(ip).or_insert((self.per_minute, now));
        let refill = now.duration_since(*at).as_secs_f64() * self.per_minute / 60.0;
        *tokens = (*tokens + refill).min(self.per_minute);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The collector `serve --collect` plugs into the server.
pub struct SiteCollector {
    table: RwLock<Arc<QuizTable>>,
    store: Arc<Store>,
    theme: RwLock<Arc<Theme>>,
    token: String,
    rate: RateLimit,
    tag: RwLock<String>,
}

impl SiteCollector {
    /// A collector over `store` for the site `table` describes, with `theme`'s strings and
    /// report template; `per_minute` is the rate limit per address.
    pub fn new(
        table: QuizTable,
        store: Arc<Store>,
        theme: Theme,
        per_minute: u32,
    ) -> anyhow::Result<SiteCollector> {
        let token = store.token()?;
        let tag = page_tag(&table, &theme);
        Ok(SiteCollector {
            table: RwLock::new(Arc::new(table)),
            store,
            theme: RwLock::new(Arc::new(theme)),
            token,
            rate: RateLimit::new(per_minute),
            tag: RwLock::new(tag),
        })
    }

    /// The report's token.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// After a rebuild: check records against the new site and theme from now on.
    pub fn refresh(&self, table: QuizTable, theme: Theme) {
        *self.tag.write().unwrap_or_else(|e| e.into_inner()) = page_tag(&table, &theme);
        *self.table.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(table);
        *self.theme.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(theme);
    }

    fn table(&self) -> Arc<QuizTable> {
        self.table.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn theme(&self) -> Arc<Theme> {
        self.theme.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn post(&self, req: &CollectRequest) -> CollectResponse {
        if let Err(r) = intake::check_request(req) {
            return r.response();
        }
        if !self.rate.allow(req.peer) {
            return intake::Reject::new(429, "too many records from this address: try again later")
                .response();
        }
        let table = self.table();
        let record = match intake::record(&req.body, &table, "post") {
            Ok(r) => r,
            Err(r) => return r.response(),
        };
        match self.store.insert(&record) {
            Ok(Inserted::Created) => ok_json(201, record.id(), "stored"),
            Ok(Inserted::Same) => ok_json(200, record.id(), "already stored"),
            Ok(Inserted::Conflict) => {
                intake::Reject::new(409, "this attempt_id was stored before with other content")
                    .response()
            }
            Err(e) => {
                eprintln!("warning: could not store a record: {e:#}");
                intake::Reject::new(503, "the record could not be stored: send it again").response()
            }
        }
    }

    fn report(&self, req: &CollectRequest) -> CollectResponse {
        let query = report::Query::parse(&req.query);
        if !constant_time_eq(query.token.as_bytes(), self.token.as_bytes()) {
            return CollectResponse {
                status: 403,
                content_type: "text/plain; charset=utf-8",
                disposition: None,
                body: b"403 forbidden: the report needs the token printed by `studysite serve --collect`\n".to_vec(),
            };
        }
        let theme = self.theme();
        let data = match report::Data::load(&self.store) {
            Ok(d) => d,
            Err(e) => {
                return intake::Reject::new(503, &format!("cannot read the results: {e:#}"))
                    .response();
            }
        };
        let tables = report::tables(&data, &self.table(), &query.filter, &theme.strings);
        if let Some(which) = &query.download {
            return match tables.iter().find(|t| &t.id == which) {
                Some(t) => CollectResponse {
                    status: 200,
                    content_type: "text/csv; charset=utf-8",
                    disposition: Some(format!("attachment; filename=\"{}.csv\"", t.id)),
                    body: report::csv(t).into_bytes(),
                },
                None => intake::Reject::new(404, "no such table").response(),
            };
        }
        match report::page(&theme, &self.table(), &tables, &query, &data) {
            Ok(html) => CollectResponse {
                status: 200,
                content_type: "text/html; charset=utf-8",
                disposition: None,
                body: html.into_bytes(),
            },
            Err(e) => intake::Reject::new(500, &e).response(),
        }
    }
}

fn ok_json(status: u16, id: &str, what: &str) -> CollectResponse {
    let body = serde_json::json!({"attempt_id": id, "status": what});
    CollectResponse::json(status, body.to_string())
}

/// Compares without an early exit, so the token cannot be guessed byte by byte from timings.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Collector for SiteCollector {
    fn page_tag(&self) -> String {
        self.tag.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn handle(&self, req: &CollectRequest) -> CollectResponse {
        let method = req.method.as_str();
        match (req.path.as_str(), method) {
            (ATTEMPTS_PATH, "POST") => self.post(req),
            (SCRIPT_PATH, "GET" | "HEAD") => CollectResponse {
                status: 200,
                content_type: "text/javascript; charset=utf-8",
                disposition: None,
                body: SCRIPT.as_bytes().to_vec(),
            },
            (REPORT_PATH, "GET" | "HEAD") => self.report(req),
            (ATTEMPTS_PATH | SCRIPT_PATH | REPORT_PATH, _) => {
                intake::Reject::new(405, "method not allowed").response()
            }
            _ => intake::Reject::new(404, "not found").response(),
        }
    }
}

/// The tag a collecting server adds to every page: the configuration (endpoint, roster, the
/// `collect_*` strings of the site's language) as JSON escaped for a script element, and the
/// script. A page without it (a built site, from file:// or another server) sends nothing.
fn page_tag(table: &QuizTable, theme: &Theme) -> String {
    let strings: BTreeMap<&str, &str> = theme
        .strings
        .iter()
        .filter(|(k, _)| k.starts_with("collect_"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let config = serde_json::json!({
        "endpoint": ATTEMPTS_PATH,
        "roster": table.roster,
        "retry_ms": 30_000,
        "timeout_ms": 8_000,
        "strings": strings,
    });
    format!(
        "<script type=\"application/json\" id=\"studysite-collect\">{}</script><script src=\"{SCRIPT_PATH}\"></script>",
        crate::view::script_json(&config)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_refuses_past_the_bucket() {
        let r = RateLimit::new(3);
        let ip = Some(IpAddr::from([10, 0, 0, 1]));
        assert!(r.allow(ip) && r.allow(ip) && r.allow(ip));
        assert!(!r.allow(ip));
        assert!(r.allow(Some(IpAddr::from([10, 0, 0, 2]))));
    }

    #[test]
    fn roster_file_skips_blanks_and_comments() {
        assert_eq!(roster_file("张三\n\n# x\n 李四 \n"), vec!["张三", "李四"]);
    }
}
