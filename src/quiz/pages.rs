//! What the browser gets of the quizzes: each question as quiz.js reads it (prompts, options
//! and explanations rendered from Markdown here, raw HTML shown escaped), the quiz of a unit
//! page, and the feature pages — every topic's 阶段测验 (`<topic>/quiz.html`), the 综合测试
//! (`quiz.html`) and 学习进度 (`progress.html`).

use serde::Serialize;
use serde_json::{Value, json};

use super::JSON_VERSION;
use super::validate::{SourceLink, resolve_source};
use crate::model::quiz::{FINAL_QUIZ_ID, question_id, split_blanks, topic_quiz_id, unit_quiz_id};
use crate::model::{Answer, Question, QuestionType, Site, Unit};
use crate::view::{FeaturePage, PageContext, script_json};

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
    /// Every question, unless the quiz is drawn (then empty).
    pub questions: Vec<QuestionView>,
    /// When the quiz has more questions than `site.yaml` `quiz.draw`: how each attempt draws.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draw: Option<DrawView>,
}

/// Questions in one quiz data file, `quiz/q<k>.js` (question `n` of the site is in file
/// `n / CHUNK`): small enough that a draw of 20 from thousands loads a few hundred kilobytes.
pub const CHUNK: usize = 25;

/// How quiz.js draws a large quiz: `count` questions at random from the site-wide question
/// numbers `first..end`, whose bodies it loads from the data files `quiz/q<n / chunk>.js`
/// (each a `<script>` calling `__studysiteQuiz(k, [questions])`, so it works from file://).
#[derive(Debug, Clone, Serialize)]
pub struct DrawView {
    pub count: usize,
    pub first: usize,
    pub end: usize,
    pub chunk: usize,
}

/// Whether a quiz of `pool` questions is drawn.
pub fn is_drawn(site: &Site, pool: usize) -> bool {
    let draw = site.config.quiz.draw as usize;
    draw > 0 && pool > draw
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

/// A quiz over the units of `units`: every question, or a draw of them (see [`DrawView`]).
fn quiz_view(
    site: &Site,
    (id, kind, title): (String, &'static str, String),
    shuffle_questions: bool,
    units: std::ops::Range<usize>,
) -> QuizView {
    let pool = site.question_range(units.clone());
    let draw = is_drawn(site, pool.len()).then_some(DrawView {
        count: site.config.quiz.draw as usize,
        first: pool.start,
        end: pool.end,
        chunk: CHUNK,
    });
    let questions = match draw {
        Some(_) => Vec::new(),
        None => unit_questions(site, &site.units[units]).collect(),
    };
    QuizView {
        version: JSON_VERSION,
        id,
        kind,
        title,
        pass_mark: site.config.quiz.pass_mark,
        shuffle_questions,
        questions,
        draw,
    }
}

/// The quiz of one unit page.
pub fn unit_quiz(site: &Site, unit: &Unit) -> QuizView {
    let id = unit_quiz_id(&unit.key);
    let units = unit.index..unit.index + 1;
    quiz_view(site, (id, "unit", unit.title.clone()), false, units)
}

/// The 阶段测验 of a topic: every question of its units, or a draw of them.
pub fn topic_quiz(site: &Site, topic_index: usize) -> QuizView {
    let t = &site.topics[topic_index];
    let id = topic_quiz_id(&t.slug);
    quiz_view(site, (id, "topic", t.title.clone()), true, t.units.clone())
}

/// The 综合测试 over the whole site: every question, or a draw of them.
pub fn final_quiz(site: &Site) -> QuizView {
    let title = site.config.title.clone();
    quiz_view(
        site,
        (FINAL_QUIZ_ID.into(), "final", title),
        true,
        0..site.units.len(),
    )
}

/// The quiz data files a drawn quiz loads from: every question of the site, `CHUNK` to a
/// file, `quiz/q<k>.js`. None when no quiz is drawn.
pub fn chunk_files(site: &Site) -> Vec<(String, Vec<u8>)> {
    use rayon::prelude::*;
    if !is_drawn(site, site.question_count(0..site.units.len())) {
        return Vec::new();
    }
    let views: Vec<QuestionView> = site
        .units
        .par_iter()
        .flat_map_iter(|u| unit_questions(site, std::slice::from_ref(u)).collect::<Vec<_>>())
        .collect();
    views
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(k, qs)| {
            let js = format!("__studysiteQuiz({k},{});\n", script_json(&qs));
            (format!("quiz/q{k}.js"), js.into_bytes())
        })
        .collect()
}

/// The escaped JSON of a unit page's quiz (empty when it has no questions).
pub fn embed_json(site: &Site, unit: &Unit) -> String {
    let view = unit_quiz(site, unit);
    if view.questions.is_empty() && view.draw.is_none() {
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

/// The quiz feature's pages: each topic's 阶段测验, the 综合测试 and the 学习进度 page.
pub fn pages(site: &Site) -> Vec<FeaturePage> {
    let mut pages = Vec::new();
    let total = site.question_count(0..site.units.len());
    let mut progress_topics = Vec::new();
    for (ti, t) in site.topics.iter().enumerate() {
        let n = site.question_count(t.units.clone());
        let quiz_path = format!("{}/quiz.html", t.slug);
        if n > 0 {
            let view = topic_quiz(site, ti);
            let mut c = PageContext::new();
            c.insert("quiz_json", &script_json(&view));
            c.insert(
                "quiz",
                &json!({"kind": "topic", "title": t.title, "id": view.id, "count": n, "topic": {"title": t.title, "path": t.path}}),
            );
            pages.push(FeaturePage {
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
                        .map(|_| unit_quiz_id(&u.key)),
                })
                .collect(),
            quiz: (n > 0)
                .then(|| json!({"id": topic_quiz_id(&t.slug), "path": quiz_path, "count": n})),
        });
    }
    if total > 0 {
        let view = final_quiz(site);
        let mut c = PageContext::new();
        c.insert("quiz_json", &script_json(&view));
        c.insert(
            "quiz",
            &json!({"kind": "final", "title": site.config.title, "id": FINAL_QUIZ_ID, "count": total}),
        );
        pages.push(FeaturePage {
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
    pages.push(FeaturePage {
        path: "progress.html".into(),
        template: "progress.html",
        kind: "progress",
        topic: None,
        breadcrumbs: Vec::new(),
        context: c,
    });
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_prompt_parts_keep_markdown_between_blanks() {
        assert_eq!(
            prompt_parts("**推进**___制度化"),
            vec!["<strong>推进</strong>", "制度化"]
        );
    }
}
