//! A learner's exported progress file (学习进度 → 导出进度), merged into the results by
//! `studysite report --import`: each quiz it records becomes one attempt (scored from the last
//! answers the file holds), each unit read one read record. The ids are made from the file's
//! content, so importing the same file twice adds nothing. The file is read into
//! [`ProgressFile`], the shape `progress.js` writes; every record then goes through the same
//! checks as one a phone posts ([`super::intake::record`]).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{QuizTable, intake};
use crate::store::{Inserted, Store};

/// The file `progress.js` exports (format `studysite-progress`).
#[derive(Debug, Deserialize)]
pub struct ProgressFile {
    pub format: String,
    /// The site's storage key: a file of another site is refused.
    pub site: String,
    /// Unit key → when it was marked read.
    #[serde(default)]
    pub read: BTreeMap<String, String>,
    /// Quiz id → what the learner did in it.
    #[serde(default)]
    pub quizzes: BTreeMap<String, QuizProgress>,
    /// `<question id>@<hash>` → the last answer given.
    #[serde(default)]
    pub answers: BTreeMap<String, Value>,
    #[serde(default)]
    pub learner: Learner,
}

/// One quiz in a progress file.
#[derive(Debug, Deserialize)]
pub struct QuizProgress {
    /// When the last attempt finished.
    #[serde(default)]
    pub time: String,
    /// The client's score of the last attempt (kept for comparison only).
    #[serde(default)]
    pub score: Option<u32>,
}

/// Who exported the file, when a collecting server asked them.
#[derive(Debug, Default, Deserialize)]
pub struct Learner {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub branch: String,
    #[serde(default)]
    pub device: String,
}

/// What one import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Imported {
    pub added: usize,
    pub known: usize,
    pub refused: usize,
}

/// Reads the progress file at `file` for the site whose storage key is `site_key`.
pub fn read(file: &Path, site_key: &str) -> Result<ProgressFile> {
    let text = crate::fs::read_to_string(file)?;
    let doc: ProgressFile = serde_json::from_str(&text)
        .with_context(|| format!("`{}` is not a studysite progress file", file.display()))?;
    if doc.format != "studysite-progress" {
        bail!("`{}` is not a studysite progress file", file.display());
    }
    if doc.site != site_key {
        bail!("`{}` is the progress of another site", file.display());
    }
    Ok(doc)
}

/// Merges `doc` (read from `file`) into `store`; `fallback_name` names a learner the file
/// does not.
pub fn import(
    store: &Store,
    table: &QuizTable,
    doc: &ProgressFile,
    file: &Path,
    fallback_name: Option<&str>,
) -> Result<Imported> {
    let name = Some(doc.learner.name.as_str())
        .filter(|n| !n.trim().is_empty())
        .or(fallback_name)
        .unwrap_or("");
    if name.trim().is_empty() {
        bail!(
            "`{}` carries no learner's name (it was exported from a browser that was never asked one by `serve --collect`): give it with --name",
            file.display()
        );
    }
    let mut done = Imported::default();
    for body in records(doc, table, name) {
        match intake::record(body.to_string().as_bytes(), table, "import") {
            Ok(record) => match store.insert(&record)? {
                Inserted::Created => done.added += 1,
                Inserted::Same | Inserted::Conflict => done.known += 1,
            },
            Err(_) => done.refused += 1,
        }
    }
    Ok(done)
}

/// The records `doc` holds, as a phone would post them, for the learner `name`.
fn records(doc: &ProgressFile, table: &QuizTable, name: &str) -> Vec<Value> {
    let branch = doc.learner.branch.as_str();
    let id_of =
        |parts: &[&str]| blake3::hash(parts.join("\u{0}").as_bytes()).to_hex()[..32].to_string();
    let device = match doc.learner.device.len() {
        8..=64 => doc.learner.device.clone(),
        _ => id_of(&["device", name, branch]),
    };
    let mut bodies = Vec::new();
    for (unit, time) in &doc.read {
        bodies.push(json!({"attempt_id": id_of(&["read", &device, unit, time]), "kind": "read", "device": device, "name": name, "branch": branch, "unit": unit, "time": time}));
    }
    for (id, q) in &doc.quizzes {
        let Some(info) = table.quizzes.get(id) else {
            continue;
        };
        // One answer per question: the one under its current hash, else any.
        let mut given: BTreeMap<&str, Value> = BTreeMap::new();
        for (k, v) in &doc.answers {
            let Some((qid, hash)) = k.rsplit_once('@') else {
                continue;
            };
            let Some(question) = table.questions.get(qid) else {
                continue;
            };
            if info.questions.iter().any(|x| x == qid)
                && (hash == question.question.hash || !given.contains_key(qid))
            {
                given.insert(qid, json!({"id": qid, "hash": hash, "answer": v}));
            }
        }
        if given.is_empty() {
            continue;
        }
        let given: Vec<Value> = given.into_values().collect();
        let time = q.time.as_str();
        bodies.push(json!({"attempt_id": id_of(&["quiz", &device, id, time]), "kind": "quiz", "device": device, "name": name, "branch": branch, "quiz": id, "finished": time, "score": q.score, "answers": given}));
    }
    bodies
}
