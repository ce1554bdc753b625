//! One request → one checked record, or a refusal with its status code. The request format
//! (README, "Collecting results") is JSON, `kind` `quiz` or `read`; every field is checked
//! and anything unknown is refused, so what is stored is exactly what was understood.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::QuizTable;
use crate::model::quiz::{Given, is_right};
use crate::model::{Question, QuestionType};
use crate::server::collect::{CollectRequest, CollectResponse};
use crate::store::{AnswerRow, Attempt, Learner, Read, Record};
use crate::time::now_utc;

/// The longest name or branch kept, in characters (longer ones are cut).
pub const NAME_MAX: usize = 40;

/// A refusal: the status code and a message for the browser's console and for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    pub status: u16,
    pub message: String,
}

impl Reject {
    pub fn new(status: u16, message: &str) -> Reject {
        Reject {
            status,
            message: message.to_string(),
        }
    }

    pub fn response(&self) -> CollectResponse {
        let body = serde_json::json!({"error": self.message});
        CollectResponse::json(self.status, body.to_string())
    }
}

fn bad(message: impl Into<String>) -> Reject {
    Reject {
        status: 400,
        message: message.into(),
    }
}

fn unknown(message: impl Into<String>) -> Reject {
    Reject {
        status: 422,
        message: message.into(),
    }
}

/// The checks before the body is read as JSON: `application/json` only, and from a page of
/// this server (`Origin` names the host the request was sent to).
pub fn check_request(req: &CollectRequest) -> Result<(), Reject> {
    let ct = req.content_type.as_deref().unwrap_or("");
    let essence = ct.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err(Reject::new(415, "send the record as application/json"));
    }
    let (Some(origin), Some(host)) = (req.origin.as_deref(), req.host.as_deref()) else {
        return Err(Reject::new(
            403,
            "records are accepted only from this site's pages",
        ));
    };
    let same = ["http://", "https://"]
        .iter()
        .any(|scheme| origin.strip_prefix(scheme) == Some(host));
    if !same {
        return Err(Reject::new(
            403,
            "records are accepted only from this site's pages",
        ));
    }
    Ok(())
}

/// The body as sent (see the README for each field).
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Body {
    attempt_id: String,
    kind: String,
    device: String,
    name: String,
    #[serde(default)]
    branch: String,
    #[serde(default)]
    quiz: Option<String>,
    #[serde(default)]
    started: Option<String>,
    #[serde(default)]
    finished: Option<String>,
    #[serde(default)]
    score: Option<u32>,
    #[serde(default)]
    total: Option<u32>,
    #[serde(default)]
    answers: Option<Vec<AnswerIn>>,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    time: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct AnswerIn {
    id: String,
    hash: String,
    answer: Value,
}

/// Cleans a name or branch: control and bidirectional-override characters dropped, runs of
/// white space made one space, trimmed, cut to `max` characters.
pub fn clean_text(s: &str, max: usize) -> String {
    let kept: String = s
        .chars()
        .filter(|&c| !c.is_control() || c.is_whitespace())
        .filter(
            |c| !matches!(*c as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2066..=0x2069 | 0xFEFF),
        )
        .collect();
    let words: Vec<&str> = kept.split_whitespace().collect();
    words.join(" ").chars().take(max).collect()
}

/// An id chosen by the browser: 8 to 64 of `A-Z a-z 0-9 _ -`.
fn check_id(what: &str, s: &str) -> Result<(), Reject> {
    let ok = (8..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(bad(format!(
            "`{what}` must be 8 to 64 letters, digits, `-` or `_`"
        )))
    }
}

/// A time as the browser writes it (`toISOString()`): digits and `-:.TZ+` only, at most 40.
fn check_time(what: &str, s: &str) -> Result<(), Reject> {
    let ok = (10..=40).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b"-:.TZ+".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(bad(format!(
            "`{what}` must be an ISO time such as 2024-05-01T08:30:00.000Z"
        )))
    }
}

/// The body → a checked record; `via` says how it came (`post`, `import`).
pub fn record(body: &[u8], table: &QuizTable, via: &str) -> Result<Record, Reject> {
    let body: Body = serde_json::from_slice(body).map_err(|e| bad(format!("not a record: {e}")))?;
    check_id("attempt_id", &body.attempt_id)?;
    check_id("device", &body.device)?;
    let name = clean_text(&body.name, NAME_MAX);
    if name.is_empty() {
        return Err(bad("`name` is empty"));
    }
    let branch = clean_text(&body.branch, NAME_MAX);
    let learner = Learner {
        device: body.device.clone(),
        on_roster: table.on_roster(&name),
        name,
        branch,
    };
    // The digest covers the record as understood, cleaned names included.
    let mut canonical = body;
    canonical.name = learner.name.clone();
    canonical.branch = learner.branch.clone();
    let digest = blake3::hash(&serde_json::to_vec(&canonical).unwrap_or_default())
        .to_hex()
        .to_string();
    let received = now_utc();
    match canonical.kind.as_str() {
        "quiz" => quiz_record(canonical, learner, table, digest, received, via),
        "read" => {
            let unit = canonical
                .unit
                .ok_or_else(|| bad("a `read` record needs `unit`"))?;
            if !table.units.contains_key(&unit) {
                return Err(unknown(format!(
                    "`{}` is not a unit of this site",
                    truncate(&unit)
                )));
            }
            let time = canonical
                .time
                .ok_or_else(|| bad("a `read` record needs `time`"))?;
            check_time("time", &time)?;
            Ok(Record::Read(Read {
                id: canonical.attempt_id,
                digest,
                learner,
                unit,
                time,
                received,
                via: via.into(),
            }))
        }
        _ => Err(bad("`kind` must be `quiz` or `read`")),
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(60).collect()
}

fn quiz_record(
    body: Body,
    learner: Learner,
    table: &QuizTable,
    digest: String,
    received: String,
    via: &str,
) -> Result<Record, Reject> {
    let quiz_id = body
        .quiz
        .ok_or_else(|| bad("a `quiz` record needs `quiz`"))?;
    let quiz = table.quizzes.get(&quiz_id).ok_or_else(|| {
        unknown(format!(
            "`{}` is not a quiz of this site",
            truncate(&quiz_id)
        ))
    })?;
    let finished = body
        .finished
        .ok_or_else(|| bad("a `quiz` record needs `finished`"))?;
    check_time("finished", &finished)?;
    let started = body.started.unwrap_or_default();
    if !started.is_empty() {
        check_time("started", &started)?;
    }
    let given = body
        .answers
        .ok_or_else(|| bad("a `quiz` record needs `answers`"))?;
    if given.is_empty() || given.len() > quiz.questions.len() {
        return Err(bad(format!(
            "`answers` must list 1 to {} questions",
            quiz.questions.len()
        )));
    }
    let mut answers = Vec::with_capacity(given.len());
    let mut seen = std::collections::HashSet::new();
    for a in given {
        if !quiz.questions.contains(&a.id) {
            return Err(unknown(format!(
                "`{}` is not a question of `{quiz_id}`",
                truncate(&a.id)
            )));
        }
        if !seen.insert(a.id.clone()) {
            return Err(bad(format!("question `{}` is answered twice", a.id)));
        }
        if a.hash.len() > 64 || !a.hash.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(bad("a question `hash` is letters and digits only"));
        }
        let info = &table.questions[&a.id];
        let q = &info.question;
        let parsed = given_answer(q, &a.answer)?;
        let stale = a.hash != q.hash;
        answers.push(AnswerRow {
            correct: !stale && is_right(q, parsed.as_ref()),
            question: a.id,
            hash: a.hash,
            answer: a.answer.to_string(),
            stale,
            points: q.points,
        });
    }
    let counted = answers.iter().filter(|a| !a.stale);
    let total: u32 = counted.clone().map(|a| a.points).sum();
    let score: u32 = counted.filter(|a| a.correct).map(|a| a.points).sum();
    let passed = total > 0 && score_percent(score, total) >= table.pass_mark;
    let _ = body.total;
    Ok(Record::Attempt(Attempt {
        id: body.attempt_id,
        digest,
        learner,
        quiz: quiz_id,
        score,
        total,
        passed,
        client_score: body.score,
        stale: answers.iter().any(|a| a.stale),
        started,
        finished,
        received,
        via: via.into(),
        answers,
    }))
}

/// `score` of `total` as a whole percentage, rounded as quiz.js rounds.
pub fn score_percent(score: u32, total: u32) -> u32 {
    if total == 0 {
        0
    } else {
        ((f64::from(score) * 100.0) / f64::from(total)).round() as u32
    }
}

/// The answer JSON for a question of `kind`: `null` (unanswered), option indexes, a boolean,
/// or one string per blank. Anything else is refused.
fn given_answer(q: &Question, v: &Value) -> Result<Option<Given>, Reject> {
    let kind = q.kind;
    if v.is_null() {
        return Ok(None);
    }
    let wrong = || {
        bad(format!(
            "an answer of a `{}` question has the wrong form",
            kind.as_str()
        ))
    };
    match kind {
        QuestionType::Single | QuestionType::Multiple => {
            let options = q.options.len();
            let list = v.as_array().ok_or_else(wrong)?;
            if list.len() > 26 {
                return Err(wrong());
            }
            let mut picked = Vec::new();
            for x in list {
                let i = x.as_u64().ok_or_else(wrong)? as usize;
                if i >= 26 || i >= options {
                    return Err(wrong());
                }
                picked.push(i);
            }
            Ok(Some(Given::Options(picked)))
        }
        QuestionType::TrueFalse => v.as_bool().map(|b| Some(Given::Bool(b))).ok_or_else(wrong),
        QuestionType::Fill => {
            let list = v.as_array().ok_or_else(wrong)?;
            if list.len() > 50 {
                return Err(wrong());
            }
            let texts = list
                .iter()
                .map(|x| x.as_str().map(|s| s.chars().take(200).collect()))
                .collect::<Option<Vec<String>>>()
                .ok_or_else(wrong)?;
            Ok(Some(Given::Blanks(texts)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_control_characters_and_length() {
        assert_eq!(clean_text("  张\u{0}三 \n\t李\u{202E}四 ", 40), "张三 李四");
        assert_eq!(clean_text(&"长".repeat(100), NAME_MAX).chars().count(), 40);
    }

    fn req(ct: &str, origin: Option<&str>) -> CollectRequest {
        CollectRequest {
            method: "POST".into(),
            path: super::super::ATTEMPTS_PATH.into(),
            query: String::new(),
            content_type: Some(ct.into()),
            origin: origin.map(str::to_string),
            host: Some("127.0.0.1:8000".into()),
            peer: None,
            body: Vec::new(),
        }
    }

    #[test]
    fn only_json_from_this_origin() {
        assert!(check_request(&req("application/json", Some("http://127.0.0.1:8000"))).is_ok());
        assert!(
            check_request(&req(
                "application/json; charset=utf-8",
                Some("http://127.0.0.1:8000")
            ))
            .is_ok()
        );
        assert_eq!(
            check_request(&req("text/plain", Some("http://127.0.0.1:8000")))
                .unwrap_err()
                .status,
            415
        );
        assert_eq!(
            check_request(&req("application/json", Some("http://evil.example")))
                .unwrap_err()
                .status,
            403
        );
        assert_eq!(
            check_request(&req("application/json", None))
                .unwrap_err()
                .status,
            403
        );
        assert_eq!(
            check_request(&req("application/json", Some("null")))
                .unwrap_err()
                .status,
            403
        );
    }
}
