//! The organiser's report: the store's rows → three tables (per learner, per quiz, per
//! question, the most missed first), filtered by branch and date, as text aligned by display
//! width, CSV (UTF-8 with a BOM, formula cells neutralised) or JSON for `studysite report`, and
//! as the report page (`report.html` of the theme) for `serve --collect`.
//!
//! Learners are told apart by name and branch (one name on two phones is one learner, shown
//! with two devices). Headers come from the theme's language table (`report_*`); JSON uses the
//! columns' fixed ids.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::QuizTable;
use super::intake::score_percent;
use crate::store::{Attempt, Read, Store};
use crate::templates::Theme;

/// What the report reads from the store.
#[derive(Debug, Default)]
pub struct Data {
    pub attempts: Vec<Attempt>,
    pub reads: Vec<Read>,
}

impl Data {
    pub fn load(store: &Store) -> anyhow::Result<Data> {
        Ok(Data {
            attempts: store.attempts()?,
            reads: store.reads()?,
        })
    }
}

/// Which records count: one branch, and a range of days (`YYYY-MM-DD`, inclusive, of the day
/// the server received them, UTC).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Filter {
    pub branch: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl Filter {
    fn keeps(&self, branch: &str, received: &str) -> bool {
        let day = received.get(..10).unwrap_or(received);
        self.branch.as_deref().is_none_or(|b| b == branch)
            && self.from.as_deref().is_none_or(|f| day >= f)
            && self.to.as_deref().is_none_or(|t| day <= t)
    }
}

/// The report page's query: `token`, the filter, and `download=<table>` for a CSV.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub token: String,
    pub filter: Filter,
    pub download: Option<String>,
}

impl Query {
    pub fn parse(query: &str) -> Query {
        let mut q = Query::default();
        for pair in query.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = url_decode(v);
            let v = (!v.is_empty()).then_some(v);
            match k {
                "token" => q.token = v.unwrap_or_default(),
                "branch" => q.filter.branch = v,
                "from" => q.filter.from = v.filter(|d| is_day(d)),
                "to" => q.filter.to = v.filter(|d| is_day(d)),
                "download" => q.download = v,
                _ => {}
            }
        }
        q
    }
}

fn is_day(s: &str) -> bool {
    s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
}

/// Decodes a form value: `+` is a space, `%XX` a byte; bad escapes stay as they are.
fn url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'+', _) => out.push(b' '),
            (b'%', Some(b)) => {
                out.push(b);
                i += 2;
            }
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A cell: its text, and a link (relative to the site root) where it has one.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Shown as a warning (a name not on the roster, an edited question).
    pub flag: bool,
}

impl Cell {
    fn text(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            href: None,
            flag: false,
        }
    }
}

/// A column: its fixed id (JSON) and its header in the site's language.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub id: &'static str,
    pub label: String,
}

/// One table of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    /// `learners`, `quizzes` or `questions`.
    pub id: String,
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

fn columns(strings: &BTreeMap<String, String>, ids: &[&'static str]) -> Vec<Column> {
    ids.iter()
        .map(|id| Column {
            id,
            label: label(strings, &format!("report_col_{id}")),
        })
        .collect()
}

fn label(strings: &BTreeMap<String, String>, key: &str) -> String {
    strings.get(key).cloned().unwrap_or_else(|| key.to_string())
}

/// The three tables.
pub fn tables(
    data: &Data,
    table: &QuizTable,
    filter: &Filter,
    strings: &BTreeMap<String, String>,
) -> Vec<Table> {
    let attempts: Vec<&Attempt> = data
        .attempts
        .iter()
        .filter(|a| filter.keeps(&a.learner.branch, &a.received))
        .collect();
    let reads: Vec<&Read> = data
        .reads
        .iter()
        .filter(|r| filter.keeps(&r.learner.branch, &r.received))
        .collect();
    vec![
        learners(&attempts, &reads, table, strings),
        quizzes(&attempts, table, strings),
        questions(&attempts, table, strings),
    ]
}

#[derive(Default)]
struct LearnerAcc {
    devices: BTreeSet<String>,
    units: BTreeSet<String>,
    attempts: usize,
    /// Quiz id → (best percent, passed).
    best: BTreeMap<String, (u32, bool)>,
    last: String,
    on_roster: bool,
}

fn learners(
    attempts: &[&Attempt],
    reads: &[&Read],
    table: &QuizTable,
    strings: &BTreeMap<String, String>,
) -> Table {
    let mut acc: BTreeMap<(String, String), LearnerAcc> = BTreeMap::new();
    for r in reads {
        let l = &r.learner;
        let e = acc.entry((l.name.clone(), l.branch.clone())).or_default();
        e.devices.insert(l.device.clone());
        e.units.insert(r.unit.clone());
        e.on_roster = l.on_roster;
        e.last = e.last.clone().max(r.received.clone());
    }
    for a in attempts {
        let l = &a.learner;
        let e = acc.entry((l.name.clone(), l.branch.clone())).or_default();
        e.devices.insert(l.device.clone());
        e.attempts += 1;
        e.on_roster = l.on_roster;
        e.last = e.last.clone().max(a.received.clone());
        let p = score_percent(a.score, a.total);
        let best = e.best.entry(a.quiz.clone()).or_insert((0, false));
        best.0 = best.0.max(p);
        best.1 |= a.passed;
    }
    let yes = label(strings, "report_yes");
    let no = label(strings, "report_no");
    let sep = label(strings, "sep_list");
    let rows = acc
        .into_iter()
        .map(|((name, branch), e)| {
            let best: Vec<String> = e
                .best
                .iter()
                .map(|(id, (p, _))| format!("{} {p}%", quiz_title(table, id)))
                .collect();
            let passed: Vec<String> = e
                .best
                .iter()
                .filter(|(_, (_, ok))| *ok)
                .map(|(id, _)| quiz_title(table, id))
                .collect();
            vec![
                Cell {
                    text: name,
                    href: None,
                    flag: !e.on_roster,
                },
                Cell::text(branch),
                Cell::text(if e.on_roster { yes.clone() } else { no.clone() }),
                Cell::text(e.devices.len().to_string()),
                Cell::text(e.units.len().to_string()),
                Cell::text(e.attempts.to_string()),
                Cell::text(best.join(&sep)),
                Cell::text(passed.join(&sep)),
                Cell::text(e.last.replace('T', " ").trim_end_matches('Z').to_string()),
            ]
        })
        .collect();
    Table {
        id: "learners".into(),
        title: label(strings, "report_learners"),
        columns: columns(
            strings,
            &[
                "name",
                "branch",
                "on_roster",
                "devices",
                "units_read",
                "attempts",
                "best",
                "passed",
                "last_seen",
            ],
        ),
        rows,
    }
}

fn quiz_title(table: &QuizTable, id: &str) -> String {
    table
        .quizzes
        .get(id)
        .map_or_else(|| id.to_string(), |q| q.title.clone())
}

fn quizzes(attempts: &[&Attempt], table: &QuizTable, strings: &BTreeMap<String, String>) -> Table {
    // Quiz id → (learners who took it, learners who passed it, attempts).
    type Who<'a> = BTreeSet<(&'a str, &'a str)>;
    let mut acc: BTreeMap<&str, (Who, Who, usize)> = BTreeMap::new();
    for a in attempts {
        let who = (a.learner.name.as_str(), a.learner.branch.as_str());
        let e = acc.entry(a.quiz.as_str()).or_default();
        e.0.insert(who);
        if a.passed {
            e.1.insert(who);
        }
        e.2 += 1;
    }
    let rows = acc
        .into_iter()
        .map(|(id, (took, passed, n))| {
            vec![
                Cell {
                    text: quiz_title(table, id),
                    href: table.quizzes.get(id).map(|q| q.path.clone()),
                    flag: false,
                },
                Cell::text(id),
                Cell::text(took.len().to_string()),
                Cell::text(passed.len().to_string()),
                Cell::text(n.to_string()),
            ]
        })
        .collect();
    Table {
        id: "quizzes".into(),
        title: label(strings, "report_quizzes"),
        columns: columns(
            strings,
            &["quiz", "quiz_id", "took", "passed_count", "attempts"],
        ),
        rows,
    }
}

fn questions(
    attempts: &[&Attempt],
    table: &QuizTable,
    strings: &BTreeMap<String, String>,
) -> Table {
    // Question id → (answered, right, stale).
    let mut acc: HashMap<&str, (usize, usize, usize)> = HashMap::new();
    for a in attempts {
        for x in &a.answers {
            let e = acc.entry(x.question.as_str()).or_default();
            if x.stale {
                e.2 += 1;
            } else {
                e.0 += 1;
                if x.correct {
                    e.1 += 1;
                }
            }
        }
    }
    let mut list: Vec<(&str, (usize, usize, usize))> = acc.into_iter().collect();
    // The most missed first: the lowest share right, then the most answers, then the id.
    list.sort_by(|(ia, a), (ib, b)| {
        let share = |(n, r, _): &(usize, usize, usize)| {
            if *n == 0 {
                u64::MAX
            } else {
                (*r as u64 * 10_000) / *n as u64
            }
        };
        share(a).cmp(&share(b)).then(b.0.cmp(&a.0)).then(ia.cmp(ib))
    });
    let source = label(strings, "report_source_link");
    let rows = list
        .into_iter()
        .map(|(id, (n, right, stale))| {
            let info = table.questions.get(id);
            let prompt = info.map_or_else(String::new, |i| plain_prompt(&i.question.prompt));
            vec![
                Cell::text(id),
                Cell::text(prompt),
                Cell::text(info.map_or_else(String::new, |i| i.unit_title.clone())),
                Cell::text(n.to_string()),
                Cell::text(if n == 0 {
                    "–".to_string()
                } else {
                    format!("{}%", score_percent(right as u32, n as u32))
                }),
                Cell {
                    text: stale.to_string(),
                    href: None,
                    flag: stale > 0,
                },
                Cell {
                    text: info
                        .and_then(|i| i.source_href.as_ref())
                        .map_or_else(String::new, |_| source.clone()),
                    href: info.and_then(|i| i.source_href.clone()),
                    flag: false,
                },
            ]
        })
        .collect();
    Table {
        id: "questions".into(),
        title: label(strings, "report_questions"),
        columns: columns(
            strings,
            &[
                "question",
                "prompt",
                "unit",
                "answered",
                "right_share",
                "stale",
                "source",
            ],
        ),
        rows,
    }
}

/// A prompt as one line of plain text (Markdown marks left as written, cut at 60 characters).
fn plain_prompt(prompt: &str) -> String {
    let one: String = prompt.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 60 {
        let mut s: String = one.chars().take(59).collect();
        s.push('…');
        s
    } else {
        one
    }
}

/// A CSV cell: a formula's first character (`=`, `+`, `-`, `@`, tab, CR) neutralised with a
/// leading `'`, quoted when it holds a comma, quote or line break.
pub fn csv_cell(s: &str) -> String {
    let mut s = s.to_string();
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        s.insert(0, '\'');
    }
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// A table as CSV: UTF-8 with a BOM (so Excel reads Chinese), CRLF line ends.
pub fn csv(t: &Table) -> String {
    let mut out = String::from("\u{FEFF}");
    let header: Vec<String> = t.columns.iter().map(|c| csv_cell(&c.label)).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(|c| csv_cell(&c.text)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Tables as JSON: `{"learners": [{column id: text}], …}`.
pub fn json(tables: &[Table]) -> String {
    let mut doc = serde_json::Map::new();
    for t in tables {
        let rows: Vec<serde_json::Value> = t
            .rows
            .iter()
            .map(|row| {
                let obj: serde_json::Map<String, serde_json::Value> = t
                    .columns
                    .iter()
                    .zip(row)
                    .map(|(c, cell)| {
                        (
                            c.id.to_string(),
                            serde_json::Value::String(cell.text.clone()),
                        )
                    })
                    .collect();
                serde_json::Value::Object(obj)
            })
            .collect();
        doc.insert(t.id.clone(), serde_json::Value::Array(rows));
    }
    let mut s = serde_json::to_string_pretty(&serde_json::Value::Object(doc)).unwrap_or_default();
    s.push('\n');
    s
}

/// Tables as text for a terminal, columns aligned by display width (CJK counts two).
pub fn text(tables: &[Table]) -> String {
    let width = |s: &str| s.chars().map(crate::diag::display_width).sum::<usize>();
    let mut out = String::new();
    for t in tables {
        out.push_str(&format!("{}\n", t.title));
        let mut widths: Vec<usize> = t.columns.iter().map(|c| width(&c.label)).collect();
        for row in &t.rows {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(&c.text));
            }
        }
        let line = |cells: Vec<&str>| {
            let parts: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(s, w)| format!("{s}{}", " ".repeat(w - width(s))))
                .collect();
            format!("  {}\n", parts.join("  ").trim_end())
        };
        out.push_str(&line(t.columns.iter().map(|c| c.label.as_str()).collect()));
        for row in &t.rows {
            out.push_str(&line(row.iter().map(|c| c.text.as_str()).collect()));
        }
        out.push('\n');
    }
    out
}

/// The report page, from the theme's `report.html`.
pub fn page(
    theme: &Theme,
    table: &QuizTable,
    tables: &[Table],
    query: &Query,
    data: &Data,
) -> Result<String, String> {
    let branches: BTreeSet<&str> = data
        .attempts
        .iter()
        .map(|a| a.learner.branch.as_str())
        .chain(data.reads.iter().map(|r| r.learner.branch.as_str()))
        .filter(|b| !b.is_empty())
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("t", &theme.strings);
    ctx.insert("site_title", &table.site_title);
    ctx.insert("tables", tables);
    ctx.insert("filter", &query.filter);
    ctx.insert("branches", &branches);
    ctx.insert("token", &query.token);
    ctx.insert("query", &download_query(query));
    ctx.insert("generated", &crate::time::now_utc());
    theme.render("report.html", &ctx).map_err(|d| d.message)
}

/// The query of the page without `download`, for the CSV links.
fn download_query(q: &Query) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    let mut parts = vec![format!("token={}", enc(&q.token))];
    for (k, v) in [
        ("branch", &q.filter.branch),
        ("from", &q.filter.from),
        ("to", &q.filter.to),
    ] {
        if let Some(v) = v {
            parts.push(format!("{k}={}", enc(v)));
        }
    }
    parts.join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_neutralises_formulas_and_quotes() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("@a"), "'@a");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("张三"), "张三");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
    }

    #[test]
    fn queries_decode_and_keep_only_days() {
        let q = Query::parse(
            "token=abc&branch=%E4%B8%80%E6%94%AF%E9%83%A8&from=2024-01-01&to=x&download=learners",
        );
        assert_eq!(q.token, "abc");
        assert_eq!(q.filter.branch.as_deref(), Some("一支部"));
        assert_eq!(q.filter.from.as_deref(), Some("2024-01-01"));
        assert_eq!(q.filter.to, None);
        assert_eq!(q.download.as_deref(), Some("learners"));
        assert_eq!(url_decode("a+b%2"), "a b%2");
    }
}
