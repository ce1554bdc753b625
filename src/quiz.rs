//! Quizzes: the front-matter schema of a question, its validation, and the JSON the theme's
//! quiz script (`static/quiz.js`) reads.
//!
//! A unit's front matter may carry `quiz:`, a list of questions (README, "Quizzes"). Loading
//! turns each [`QuestionSource`] into a checked [`Question`] ([`Quiz::from_source`]) and reports
//! every problem of a question at the question's line; checks that need the whole site (ids
//! unique site-wide, `source` naming a heading of an original unit) run in [`validate_site`].
//!
//! Rendering: prompts, options and explanations are rendered from Markdown here (raw HTML is
//! shown escaped), and each page's quiz is embedded as JSON in a
//! `<script type="application/json">` with `<`, `>`, `&`, U+2028 and U+2029 written as `\uXXXX`
//! so no text can close the script element ([`script_json`]). Besides the unit pages, every topic
//! with questions gets a 阶段测验 page (`<topic>/quiz.html`) and the site a 综合测试 (`quiz.html`)
//! and a 学习进度 page (`progress.html`); the build also writes `quizzes.json` (every quiz, for
//! other tools) and `quiz.schema.json` (a JSON Schema of the front matter, for editors).
//!
//! Each question carries a short content hash (blake3 of its canonical JSON: type, prompt,
//! options, answer) so the reader's saved answer of an edited question is not restored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::content::Kind;
use crate::diag::{Diagnostic, Diagnostics};
use crate::site::{ExtraPage, PageContext, Site, Unit};

/// The version of the quiz JSON (page data and `quizzes.json`).
pub const JSON_VERSION: u32 = 1;

/// The JSON Schema of a unit's `quiz:` front matter, written to `quiz.schema.json`.
pub const SCHEMA: &str = include_str!("quiz.schema.json");

/// A unit slug that would collide with the topic's quiz page.
pub const RESERVED_SLUG: &str = "quiz";

/// A question as written in a unit's front matter (`quiz:` list).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionSource {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub prompt: String,
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default)]
    pub answer: Option<Value>,
    #[serde(default)]
    pub explanation: String,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub points: Option<u32>,
    #[serde(default)]
    pub shuffle: Option<bool>,
}

/// The four kinds of question; the Chinese names are aliases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionType {
    /// 单选: one right option.
    Single,
    /// 多选: one or more right options.
    Multiple,
    /// 判断: true or false.
    TrueFalse,
    /// 填空: blanks (`___`) to fill in.
    Fill,
}

impl QuestionType {
    pub fn parse(s: &str) -> Option<QuestionType> {
        match s.trim() {
            "single" | "单选" => Some(QuestionType::Single),
            "multiple" | "多选" => Some(QuestionType::Multiple),
            "truefalse" | "判断" => Some(QuestionType::TrueFalse),
            "fill" | "填空" => Some(QuestionType::Fill),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            QuestionType::Single => "single",
            QuestionType::Multiple => "multiple",
            QuestionType::TrueFalse => "truefalse",
            QuestionType::Fill => "fill",
        }
    }

    fn has_options(self) -> bool {
        matches!(self, QuestionType::Single | QuestionType::Multiple)
    }
}

/// A checked answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    /// Indexes of the right options (0 = A), in ascending order.
    Options(Vec<usize>),
    Bool(bool),
    /// For each blank, the accepted answers as written.
    Blanks(Vec<Vec<String>>),
}

/// A question after checking.
#[derive(Debug, Clone)]
pub struct Question {
    /// The author's `id`, or `<unit key>/<position>` when there is none.
    pub id: String,
    pub explicit_id: bool,
    pub kind: QuestionType,
    pub prompt: String,
    pub options: Vec<String>,
    pub answer: Answer,
    pub explanation: String,
    /// `topic/unit#anchor`, as written.
    pub source: Option<String>,
    pub points: u32,
    pub shuffle: bool,
    /// Short content hash (see the module docs).
    pub hash: String,
    /// Where the question starts in its file (1-based, file-absolute).
    pub line: usize,
    pub column: usize,
    /// That line's text, for snippets of site-wide diagnostics.
    pub source_line: Option<String>,
}

/// A unit's quiz: the questions that passed their own checks.
#[derive(Debug, Clone, Default)]
pub struct Quiz {
    /// The unit's file, relative to the site root.
    pub path: PathBuf,
    pub questions: Vec<Question>,
}

/// Folds full-width ASCII forms (U+FF01–U+FF5E) to ASCII and the ideographic space to a space,
/// then trims: how fill answers are compared (quiz.js does the same).
pub fn fold_answer(s: &str) -> String {
    let folded: String = s
        .chars()
        .map(|c| match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            0x3000 => ' ',
            _ => c,
        })
        .collect();
    folded.trim().to_string()
}

/// Counts the blanks of a fill prompt: runs of three or more `_`.
pub fn count_blanks(prompt: &str) -> usize {
    split_blanks(prompt).len() - 1
}

/// The prompt's text between blanks (always one more piece than blanks).
fn split_blanks(prompt: &str) -> Vec<&str> {
    let bytes = prompt.as_bytes();
    let mut parts = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        if bytes[i] == b'_' {
            let run_start = i;
            while i < bytes.len() && bytes[i] == b'_' {
                i += 1;
            }
            if i - run_start >= 3 {
                parts.push(&prompt[start..run_start]);
                start = i;
            }
        } else {
            i += 1;
        }
    }
    parts.push(&prompt[start..]);
    parts
}

fn letter(i: usize) -> char {
    char::from(b'A' + (i as u8).min(25))
}

/// "A–D" for four options.
fn letter_range(n: usize) -> String {
    match n {
        0 => "none".into(),
        1 => "A".into(),
        _ => format!("A–{}", letter(n - 1)),
    }
}

/// A YAML scalar shown back to the author.
fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Reads option letters: `B`, `[A, C]`, `"A、C"` (letters are case-insensitive and may be
/// full-width). Returns the letters as written, or an error message.
fn read_letters(v: &Value) -> Result<Vec<String>, String> {
    let bad = || {
        format!(
            "`answer` must be option letters such as `B` or `[A, C]`, found `{}`",
            show(v)
        )
    };
    let mut out = Vec::new();
    let mut push_str = |s: &str| -> Result<(), String> {
        let folded = fold_answer(s);
        let mut any = false;
        for c in folded.chars() {
            if c.is_ascii_alphabetic() {
                out.push(c.to_ascii_uppercase().to_string());
                any = true;
            } else if !(c.is_whitespace() || matches!(c, ',' | '、' | '，' | ';')) {
                return Err(bad());
            }
        }
        if any { Ok(()) } else { Err(bad()) }
    };
    match v {
        Value::String(s) => push_str(s)?,
        Value::Array(items) => {
            if items.is_empty() {
                return Ok(out);
            }
            for item in items {
                match item {
                    Value::String(s) => push_str(s)?,
                    _ => return Err(bad()),
                }
            }
        }
        _ => return Err(bad()),
    }
    Ok(out)
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Reads a fill answer: one entry per blank, each a list of accepted strings or one string.
fn read_blanks(v: &Value) -> Result<Vec<Vec<String>>, String> {
    let bad = || {
        "`answer` of a `fill` question must list the accepted answers of each blank, such as `[[常态化]]` or `[[甲, 乙], [丙]]`"
            .to_string()
    };
    let blank = |item: &Value| -> Result<Vec<String>, String> {
        match item {
            Value::Array(alts) => alts
                .iter()
                .map(|a| scalar_text(a).ok_or_else(bad))
                .collect(),
            other => scalar_text(other).map(|s| vec![s]).ok_or_else(bad),
        }
    };
    match v {
        Value::Array(items) => items.iter().map(blank).collect(),
        other => Ok(vec![blank(other)?]),
    }
}

fn read_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim() {
            "true" | "对" | "正确" => Some(true),
            "false" | "错" | "错误" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// The short content hash of a question.
fn content_hash(kind: QuestionType, prompt: &str, options: &[String], answer: &Answer) -> String {
    let canonical = json!({
        "type": kind.as_str(),
        "prompt": prompt,
        "options": options,
        "answer": answer,
    });
    let text = canonical.to_string();
    blake3::hash(text.as_bytes()).to_hex()[..12].to_string()
}

/// Checks one question; every problem is a message (the caller positions them).
fn check_question(
    q: &QuestionSource,
    problems: &mut Vec<String>,
) -> Option<(QuestionType, Answer)> {
    let kind = QuestionType::parse(&q.kind);
    if kind.is_none() {
        problems.push(format!(
            "unknown question type `{}`; use single (单选), multiple (多选), truefalse (判断) or fill (填空)",
            q.kind
        ));
    }
    if let Some(id) = &q.id
        && id.trim().is_empty()
    {
        problems.push("`id` must not be empty: remove it or give the question a name".into());
    }
    if q.prompt.trim().is_empty() {
        problems.push("the question has an empty `prompt`".into());
    }
    if q.points == Some(0) {
        problems.push("`points` must be at least 1".into());
    }
    for (i, o) in q.options.iter().enumerate() {
        if o.trim().is_empty() {
            problems.push(format!("option {} is empty", letter(i)));
        }
    }
    let kind = kind?;
    if kind.has_options() {
        if q.options.len() < 2 {
            problems.push(format!(
                "a `{}` question needs at least two options, found {}",
                kind.as_str(),
                q.options.len()
            ));
        } else if q.options.len() > 26 {
            problems.push(format!(
                "a question can have at most 26 options (A–Z), found {}",
                q.options.len()
            ));
        }
    } else if !q.options.is_empty() {
        problems.push(format!("a `{}` question takes no `options`", kind.as_str()));
    }
    let Some(answer) = &q.answer else {
        problems.push("the question has no `answer`".into());
        return None;
    };
    let answer = match kind {
        QuestionType::Single | QuestionType::Multiple => {
            let letters = match read_letters(answer) {
                Ok(l) => l,
                Err(msg) => {
                    problems.push(msg);
                    return None;
                }
            };
            let before = problems.len();
            let mut indexes = Vec::new();
            for l in &letters {
                let i = (l.as_bytes()[0] - b'A') as usize;
                if i >= q.options.len() {
                    problems.push(format!(
                        "answer `{l}` names no option: the question has {} options ({})",
                        q.options.len(),
                        letter_range(q.options.len())
                    ));
                } else if indexes.contains(&i) {
                    problems.push(format!("answer `{l}` is given twice"));
                } else {
                    indexes.push(i);
                }
            }
            if kind == QuestionType::Single && letters.len() != 1 {
                let found = match letters.len() {
                    0 => "none".to_string(),
                    n => format!("{n} ({})", letters.join(", ")),
                };
                problems.push(format!(
                    "a `single` question needs exactly one answer, found {found}"
                ));
            }
            if kind == QuestionType::Multiple && letters.is_empty() {
                problems.push("a `multiple` question needs at least one answer".into());
            }
            if problems.len() > before {
                return None;
            }
            indexes.sort_unstable();
            Answer::Options(indexes)
        }
        QuestionType::TrueFalse => match read_bool(answer) {
            Some(b) => Answer::Bool(b),
            None => {
                problems.push(format!(
                    "`answer` of a `truefalse` question must be true or false, found `{}`",
                    show(answer)
                ));
                return None;
            }
        },
        QuestionType::Fill => {
            let blanks = match read_blanks(answer) {
                Ok(b) => b,
                Err(msg) => {
                    problems.push(msg);
                    return None;
                }
            };
            let before = problems.len();
            let n = count_blanks(&q.prompt);
            if n != blanks.len() {
                problems.push(format!(
                    "the prompt has {n} blank{} (`___`) but `answer` has {} entr{}: give one list of accepted answers per blank",
                    if n == 1 { "" } else { "s" },
                    blanks.len(),
                    if blanks.len() == 1 { "y" } else { "ies" }
                ));
            }
            for (i, alts) in blanks.iter().enumerate() {
                if alts.is_empty() {
                    problems.push(format!("blank {} has no accepted answer", i + 1));
                } else if alts.iter().any(|a| fold_answer(a).is_empty()) {
                    problems.push(format!("an accepted answer of blank {} is empty", i + 1));
                }
            }
            if problems.len() > before {
                return None;
            }
            Answer::Blanks(blanks)
        }
    };
    if !problems.is_empty() {
        return None;
    }
    Some((kind, answer))
}

impl Quiz {
    /// Checks the questions of one unit. `yaml_first_line` is the file line the front matter
    /// starts on; problems are reported at each question's line.
    pub fn from_source(
        qs: &[serde_saphyr::Spanned<QuestionSource>],
        path: &Path,
        text: &str,
        yaml_first_line: usize,
        diags: &mut Vec<Diagnostic>,
    ) -> Quiz {
        let mut questions = Vec::new();
        for (n, spanned) in qs.iter().enumerate() {
            let q = &spanned.value;
            let loc = spanned.referenced;
            let line = (loc.line() as usize + yaml_first_line)
                .saturating_sub(1)
                .max(1);
            let column = (loc.column() as usize).max(1);
            let mut problems = Vec::new();
            let checked = check_question(q, &mut problems);
            for p in problems {
                diags.push(Diagnostic::error(path, p).at(text, line, column));
            }
            let Some((kind, answer)) = checked else {
                continue;
            };
            let prompt = q.prompt.trim().to_string();
            let options: Vec<String> = q.options.iter().map(|o| o.trim().to_string()).collect();
            let hash = content_hash(kind, &prompt, &options, &answer);
            let (id, explicit_id) = match &q.id {
                Some(id) => (id.trim().to_string(), true),
                None => (String::new(), false),
            };
            questions.push(Question {
                id: if explicit_id {
                    id
                } else {
                    format!("#{}", n + 1)
                },
                explicit_id,
                kind,
                prompt,
                options,
                answer,
                explanation: q.explanation.trim().to_string(),
                source: q.source.as_ref().map(|s| s.trim().to_string()),
                points: q.points.unwrap_or(1),
                shuffle: q.shuffle.unwrap_or(true),
                hash,
                line,
                column,
                source_line: text.lines().nth(line - 1).map(str::to_owned),
            });
        }
        Quiz {
            path: path.to_path_buf(),
            questions,
        }
    }
}

/// The id a question is known by in the browser: the author's, or `<unit key>#<position>`.
pub fn question_id(unit: &Unit, q: &Question) -> String {
    if q.explicit_id {
        q.id.clone()
    } else {
        format!("{}{}", unit.key, q.id)
    }
}

fn diag_at(path: &Path, q: &Question, message: String) -> Diagnostic {
    let mut d = Diagnostic::error(path, message);
    d.line = Some(q.line);
    d.column = Some(q.column);
    d.source_line = q.source_line.clone();
    d
}

/// Site-wide checks: ids unique across the site, `source` naming a heading of an original
/// unit, and no unit taking the quiz page's name.
pub fn validate_site(site: &Site, diags: &mut Diagnostics) {
    let mut ids: BTreeMap<String, (PathBuf, usize)> = BTreeMap::new();
    for unit in &site.units {
        if unit.slug == RESERVED_SLUG {
            diags.push(Diagnostic::error(
                &unit.source,
                format!(
                    "`{RESERVED_SLUG}` is reserved for the topic's quiz page (`<topic>/quiz.html`): rename the file"
                ),
            ));
        }
        let Some(quiz) = &unit.quiz else { continue };
        for q in &quiz.questions {
            if q.explicit_id {
                match ids.get(&q.id) {
                    Some((path, line)) => diags.push(diag_at(
                        &quiz.path,
                        q,
                        format!(
                            "duplicate question id `{}`: also used at {}:{}",
                            q.id,
                            path.display(),
                            line
                        ),
                    )),
                    None => {
                        ids.insert(q.id.clone(), (quiz.path.clone(), q.line));
                    }
                }
            }
            if let Some(src) = &q.source
                && let Err(msg) = resolve_source(site, src)
            {
                diags.push(diag_at(&quiz.path, q, msg));
            }
        }
    }
}

/// Where a question's `source` points: the page and anchor, and a title for the link.
#[derive(Debug, Clone, Serialize)]
pub struct SourceLink {
    /// `<topic>/<unit>.html#anchor`, relative to the site root.
    pub href: String,
    pub title: String,
}

fn resolve_source(site: &Site, src: &str) -> Result<SourceLink, String> {
    let Some((key, anchor)) = src
        .split_once('#')
        .filter(|(k, a)| k.contains('/') && !a.is_empty())
    else {
        return Err(format!(
            "`source` must name a passage as `topic/unit#anchor`, found `{src}`"
        ));
    };
    let Some(unit) = site.unit_by_key(key) else {
        return Err(format!(
            "`source` names `{key}`, which is not a unit of this site"
        ));
    };
    if unit.kind != Kind::Original {
        return Err(format!(
            "`source` must point into an original (原文) unit, but `{key}` is of kind `{}`",
            unit.kind.as_str()
        ));
    }
    if !unit.body.anchors.iter().any(|a| a == anchor) {
        const SHOWN: usize = 12;
        let mut list = unit
            .body
            .anchors
            .iter()
            .take(SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if unit.body.anchors.len() > SHOWN {
            list.push_str(", …");
        }
        if list.is_empty() {
            list = "none (it has no headings)".into();
        }
        return Err(format!(
            "`source` names no anchor `{anchor}` in `{key}`; its anchors are: {list}"
        ));
    }
    let heading = unit
        .body
        .sections
        .iter()
        .find(|s| s.anchor.as_deref() == Some(anchor))
        .map(|s| s.heading.clone())
        .unwrap_or_default();
    let title = if heading.is_empty() {
        unit.title.clone()
    } else {
        format!("{} · {}", unit.title, heading)
    };
    Ok(SourceLink {
        href: format!("{}#{anchor}", unit.path),
        title,
    })
}

/// Escapes JSON for inclusion in a `<script>` element: `<`, `>`, `&`, U+2028 and U+2029 become
/// `\uXXXX` (they only occur inside JSON strings, where the escape means the same).
pub fn escape_script_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Serializes `value` for a `<script type="application/json">` element.
pub fn script_json(value: &impl Serialize) -> String {
    escape_script_json(&serde_json::to_string(value).unwrap_or_else(|_| "null".into()))
}

/// Private-use character marking a blank while the prompt goes through Markdown.
const BLANK_MARK: char = '\u{E000}';

/// A fill prompt as HTML pieces around its blanks (one more piece than blanks).
fn prompt_parts(prompt: &str) -> Vec<String> {
    let pieces = split_blanks(prompt);
    let marked = pieces.join(&BLANK_MARK.to_string());
    let html = crate::markdown::render_inline(&marked);
    let parts: Vec<String> = html.split(BLANK_MARK).map(str::to_owned).collect();
    if parts.len() == pieces.len() {
        parts
    } else {
        // A blank inside a link or code: render the pieces one by one.
        pieces
            .iter()
            .map(|p| crate::markdown::render_inline(p))
            .collect()
    }
}

/// The browser's view of one question.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionView {
    pub id: String,
    pub hash: String,
    #[serde(rename = "type")]
    pub kind: QuestionType,
    /// The prompt as inline HTML (for `fill`, with blanks shown as `___`).
    pub prompt: String,
    /// `fill` only: the prompt's HTML between the blanks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parts: Option<Vec<String>>,
    /// Options as inline HTML.
    pub options: Vec<String>,
    pub answer: Answer,
    /// The explanation as HTML.
    pub explanation: String,
    pub source: Option<SourceLink>,
    pub points: u32,
    pub shuffle: bool,
    /// The unit the question belongs to: its key, title and page.
    pub unit: String,
    pub unit_title: String,
    pub unit_path: String,
}

/// What quiz.js reads from `#quiz-data`.
#[derive(Debug, Clone, Serialize)]
pub struct QuizView {
    pub version: u32,
    /// `unit:<topic>/<unit>`, `topic:<slug>` or `final`: the key progress is saved under.
    pub id: String,
    /// `unit`, `topic` or `final`.
    pub kind: &'static str,
    pub title: String,
    /// Percent of points needed to pass.
    pub pass_mark: u32,
    /// Whether the order of questions is shuffled on each attempt.
    pub shuffle_questions: bool,
    pub questions: Vec<QuestionView>,
}

pub fn question_view(site: &Site, unit: &Unit, q: &Question) -> QuestionView {
    let md = crate::markdown::render_inline;
    QuestionView {
        id: question_id(unit, q),
        hash: q.hash.clone(),
        kind: q.kind,
        prompt: md(&q.prompt),
        parts: (q.kind == QuestionType::Fill).then(|| prompt_parts(&q.prompt)),
        options: q.options.iter().map(|o| md(o)).collect(),
        answer: q.answer.clone(),
        explanation: crate::markdown::render(&q.explanation).html,
        source: q
            .source
            .as_deref()
            .and_then(|s| resolve_source(site, s).ok()),
        points: q.points,
        shuffle: q.shuffle,
        unit: unit.key.clone(),
        unit_title: unit.title.clone(),
        unit_path: unit.path.clone(),
    }
}

fn unit_questions<'a>(
    site: &'a Site,
    units: &'a [Unit],
) -> impl Iterator<Item = QuestionView> + 'a {
    units.iter().flat_map(move |u| {
        u.quiz
            .iter()
            .flat_map(|q| q.questions.iter())
            .map(move |q| question_view(site, u, q))
    })
}

/// The quiz of one unit page.
pub fn unit_quiz(site: &Site, unit: &Unit) -> QuizView {
    QuizView {
        version: JSON_VERSION,
        id: format!("unit:{}", unit.key),
        kind: "unit",
        title: unit.title.clone(),
        pass_mark: site.config.quiz.pass_mark,
        shuffle_questions: false,
        questions: unit_questions(site, std::slice::from_ref(unit)).collect(),
    }
}

/// The 阶段测验 of a topic: every question of its units.
pub fn topic_quiz(site: &Site, topic_index: usize) -> QuizView {
    let t = &site.topics[topic_index];
    QuizView {
        version: JSON_VERSION,
        id: format!("topic:{}", t.slug),
        kind: "topic",
        title: t.title.clone(),
        pass_mark: site.config.quiz.pass_mark,
        shuffle_questions: true,
        questions: unit_questions(site, &site.units[t.units.clone()]).collect(),
    }
}

/// The 综合测试 over the whole site.
pub fn final_quiz(site: &Site) -> QuizView {
    QuizView {
        version: JSON_VERSION,
        id: "final".into(),
        kind: "final",
        title: site.config.title.clone(),
        pass_mark: site.config.quiz.pass_mark,
        shuffle_questions: true,
        questions: unit_questions(site, &site.units).collect(),
    }
}

/// How many questions the units of `range` have.
pub fn question_count(site: &Site, range: std::ops::Range<usize>) -> usize {
    site.units[range]
        .iter()
        .filter_map(|u| u.quiz.as_ref())
        .map(|q| q.questions.len())
        .sum()
}

/// The escaped JSON of a unit page's quiz (empty when it has no questions).
pub fn embed_json(site: &Site, unit: &Unit) -> String {
    let view = unit_quiz(site, unit);
    if view.questions.is_empty() {
        return String::new();
    }
    script_json(&view)
}

/// A unit in the progress page's data.
#[derive(Debug, Clone, Serialize)]
struct ProgressUnit<'a> {
    key: &'a str,
    title: &'a str,
    path: &'a str,
    kind: &'static str,
    /// The unit quiz's id, when the unit has questions.
    quiz: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct ProgressTopic<'a> {
    slug: &'a str,
    title: &'a str,
    path: &'a str,
    units: Vec<ProgressUnit<'a>>,
    /// The 阶段测验: id and page, when the topic has questions.
    quiz: Option<Value>,
}

/// The extra pages: each topic's 阶段测验, the 综合测试 and the 学习进度 page.
pub fn pages(site: &Site) -> Vec<ExtraPage> {
    let mut pages = Vec::new();
    let total = question_count(site, 0..site.units.len());
    let mut progress_topics = Vec::new();
    for (ti, t) in site.topics.iter().enumerate() {
        let n = question_count(site, t.units.clone());
        let quiz_path = format!("{}/quiz.html", t.slug);
        if n > 0 {
            let view = topic_quiz(site, ti);
            let mut c = PageContext::new();
            c.insert("quiz_json", &script_json(&view));
            c.insert(
                "quiz",
                &json!({"kind": "topic", "title": t.title, "id": view.id, "count": n, "topic": {"title": t.title, "path": t.path}}),
            );
            pages.push(ExtraPage {
                path: quiz_path.clone(),
                template: "quiz.html",
                kind: "quiz",
                topic: Some(ti),
                breadcrumbs: vec![(t.title.clone(), t.path.clone())],
                context: c,
            });
        }
        progress_topics.push(ProgressTopic {
            slug: &t.slug,
            title: &t.title,
            path: &t.path,
            units: site.units[t.units.clone()]
                .iter()
                .map(|u| ProgressUnit {
                    key: &u.key,
                    title: &u.title,
                    path: &u.path,
                    kind: u.kind.as_str(),
                    quiz: u
                        .quiz
                        .as_ref()
                        .filter(|q| !q.questions.is_empty())
                        .map(|_| format!("unit:{}", u.key)),
                })
                .collect(),
            quiz: (n > 0)
                .then(|| json!({"id": format!("topic:{}", t.slug), "path": quiz_path, "count": n})),
        });
    }
    if total > 0 {
        let view = final_quiz(site);
        let mut c = PageContext::new();
        c.insert("quiz_json", &script_json(&view));
        c.insert(
            "quiz",
            &json!({"kind": "final", "title": site.config.title, "id": "final", "count": total}),
        );
        pages.push(ExtraPage {
            path: "quiz.html".into(),
            template: "quiz.html",
            kind: "quiz",
            topic: None,
            breadcrumbs: Vec::new(),
            context: c,
        });
    }
    let final_quiz =
        (total > 0).then(|| json!({"id": "final", "path": "quiz.html", "count": total}));
    let data = json!({
        "version": JSON_VERSION,
        "pass_mark": site.config.quiz.pass_mark,
        "topics": progress_topics,
        "final": final_quiz,
    });
    let mut c = PageContext::new();
    c.insert("progress", &data);
    pages.push(ExtraPage {
        path: "progress.html".into(),
        template: "progress.html",
        kind: "progress",
        topic: None,
        breadcrumbs: Vec::new(),
        context: c,
    });
    pages
}

/// One question in `quizzes.json`: as authored (Markdown), checked and normalised.
#[derive(Debug, Clone, Serialize)]
struct QuestionExport<'a> {
    id: String,
    hash: &'a str,
    #[serde(rename = "type")]
    kind: QuestionType,
    prompt: &'a str,
    options: &'a [String],
    answer: &'a Answer,
    explanation: &'a str,
    source: Option<&'a str>,
    points: u32,
    shuffle: bool,
    line: usize,
}

/// `quizzes.json` (every unit quiz of the site, and which questions the topic quizzes and the
/// final test draw) and `quiz.schema.json`.
pub fn data_files(site: &Site) -> Vec<(String, Vec<u8>)> {
    let quizzes: Vec<Value> = site
        .units
        .iter()
        .filter_map(|u| u.quiz.as_ref().map(|q| (u, q)))
        .filter(|(_, q)| !q.questions.is_empty())
        .map(|(u, q)| {
            let questions: Vec<QuestionExport> = q
                .questions
                .iter()
                .map(|x| QuestionExport {
                    id: question_id(u, x),
                    hash: &x.hash,
                    kind: x.kind,
                    prompt: &x.prompt,
                    options: &x.options,
                    answer: &x.answer,
                    explanation: &x.explanation,
                    source: x.source.as_deref(),
                    points: x.points,
                    shuffle: x.shuffle,
                    line: x.line,
                })
                .collect();
            json!({
                "id": format!("unit:{}", u.key),
                "unit": u.key,
                "title": u.title,
                "path": u.path,
                "file": q.path.to_string_lossy().replace('\\', "/"),
                "questions": questions,
            })
        })
        .collect();
    // The topic quizzes and the final test, as lists of the question ids they draw.
    let ids_of = |units: &[Unit]| -> Vec<String> {
        units
            .iter()
            .flat_map(|u| {
                u.quiz
                    .iter()
                    .flat_map(move |q| q.questions.iter().map(move |x| question_id(u, x)))
            })
            .collect()
    };
    let topic_quizzes: Vec<Value> = site
        .topics
        .iter()
        .map(|t| (t, ids_of(&site.units[t.units.clone()])))
        .filter(|(_, ids)| !ids.is_empty())
        .map(|(t, ids)| {
            json!({"id": format!("topic:{}", t.slug), "title": t.title, "path": format!("{}/quiz.html", t.slug), "questions": ids})
        })
        .collect();
    let all_ids = ids_of(&site.units);
    let final_test = (!all_ids.is_empty())
        .then(|| json!({"id": "final", "path": "quiz.html", "questions": all_ids}));
    let doc = json!({
        "version": JSON_VERSION,
        "site": {"title": site.config.title, "key": site.key},
        "pass_mark": site.config.quiz.pass_mark,
        "quizzes": quizzes,
        "topic_quizzes": topic_quizzes,
        "final": final_test,
    });
    let mut bytes = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    bytes.push(b'\n');
    vec![
        ("quizzes.json".to_string(), bytes),
        ("quiz.schema.json".to_string(), SCHEMA.as_bytes().to_vec()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_are_runs_of_three_or_more_underscores() {
        assert_eq!(count_blanks("推进___制度化"), 1);
        assert_eq!(count_blanks("a __ b"), 0);
        assert_eq!(count_blanks("______和____"), 2);
        assert_eq!(split_blanks("甲___乙_____"), vec!["甲", "乙", ""]);
    }

    #[test]
    fn folding_full_width_and_ideographic_space() {
        assert_eq!(fold_answer("\u{3000}ＡＢＣ１２３\u{3000}"), "ABC123");
        assert_eq!(fold_answer(" 常态化 "), "常态化");
        assert_eq!(fold_answer("（一）"), "(一)");
    }

    #[test]
    fn script_json_cannot_close_the_script_element() {
        let s = script_json(&json!({"p": "</script><script>alert(1)</script>\u{2028}&"}));
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        assert!(!s.contains('\u{2028}'));
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["p"], "</script><script>alert(1)</script>\u{2028}&");
    }

    #[test]
    fn letters_are_read_leniently() {
        assert_eq!(read_letters(&json!("b")).unwrap(), vec!["B"]);
        assert_eq!(read_letters(&json!(["A", "c"])).unwrap(), vec!["A", "C"]);
        assert_eq!(read_letters(&json!("Ａ、Ｃ")).unwrap(), vec!["A", "C"]);
        assert!(read_letters(&json!(1)).is_err());
    }

    #[test]
    fn fill_prompt_parts_keep_markdown_between_blanks() {
        assert_eq!(
            prompt_parts("**推进**___制度化"),
            vec!["<strong>推进</strong>", "制度化"]
        );
    }

    #[test]
    fn the_schema_is_json_and_names_every_type() {
        let schema: Value = serde_json::from_str(SCHEMA).unwrap();
        let text = schema.to_string();
        for t in [
            "single",
            "multiple",
            "truefalse",
            "fill",
            "单选",
            "多选",
            "判断",
            "填空",
        ] {
            assert!(text.contains(&format!("\"{t}\"")), "{t}");
        }
    }
}
