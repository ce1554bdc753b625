//! The quiz files of the output, for other tools: `quizzes.json` (every unit quiz as authored,
//! checked and normalised, with content hashes, and the question ids each topic quiz and the
//! final test draw) and `quiz.schema.json` (a JSON Schema of the front matter, for editors);
//! and, when a quiz is drawn, the question data files it loads (`quiz/q<k>.js`).

use serde::Serialize;
use serde_json::{Value, json};

use super::{JSON_VERSION, SCHEMA};
use crate::model::quiz::{FINAL_QUIZ_ID, question_id, topic_quiz_id, unit_quiz_id};
use crate::model::{Answer, QuestionType, Site, Unit};

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
                "id": unit_quiz_id(&u.key),
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
            json!({"id": topic_quiz_id(&t.slug), "title": t.title, "path": format!("{}/quiz.html", t.slug), "questions": ids})
        })
        .collect();
    let all_ids = ids_of(&site.units);
    let final_test = (!all_ids.is_empty())
        .then(|| json!({"id": FINAL_QUIZ_ID, "path": "quiz.html", "questions": all_ids}));
    let doc = json!({
        "version": JSON_VERSION,
        "site": {"title": site.config.title, "key": site.storage_key},
        "pass_mark": site.config.quiz.pass_mark,
        "draw": site.config.quiz.draw,
        "quizzes": quizzes,
        "topic_quizzes": topic_quizzes,
        "final": final_test,
    });
    let mut bytes = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    bytes.push(b'\n');
    let mut files = vec![
        ("quizzes.json".to_string(), bytes),
        ("quiz.schema.json".to_string(), SCHEMA.as_bytes().to_vec()),
    ];
    files.extend(super::pages::chunk_files(site));
    files
}
