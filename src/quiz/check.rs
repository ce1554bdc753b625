//! Checking the questions of one unit, as written in its front matter ([`QuestionSource`]),
//! into the model's [`Question`]s: type, answer against options or blanks, points, ids. Every
//! problem of a question is reported at the question's line, and the question is left out;
//! the unit's other questions go on.

use std::path::Path;

use serde_json::{Value, json};

use crate::content::QuestionSource;
use crate::diag::Diagnostic;
use crate::model::quiz::{count_blanks, fold_answer};
use crate::model::{Answer, Question, QuestionType, Quiz};

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

/// What a problem of a question is about: a bank reports it at that cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Kind,
    Id,
    Prompt,
    Points,
    /// The option of this index.
    Option(usize),
    /// The options as a whole (their count).
    Options,
    Answer,
}

/// One problem of a question: what it is about, and the message (README, "Quizzes").
pub(super) type Problem = (Field, String);

/// The short content hash of a question.
pub(super) fn content_hash(
    kind: QuestionType,
    prompt: &str,
    options: &[String],
    answer: &Answer,
) -> String {
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
pub(super) fn check_question(
    q: &QuestionSource,
    problems: &mut Vec<Problem>,
) -> Option<(QuestionType, Answer)> {
    let kind = check_keys(q, problems)?;
    check_option_count(kind, q, problems);
    let Some(answer) = &q.answer else {
        problems.push((Field::Answer, "the question has no `answer`".into()));
        return None;
    };
    let answer = match kind {
        QuestionType::Single | QuestionType::Multiple => option_answer(kind, q, answer, problems)?,
        QuestionType::TrueFalse => match read_bool(answer) {
            Some(b) => Answer::Bool(b),
            None => {
                problems.push((
                    Field::Answer,
                    format!(
                        "`answer` of a `truefalse` question must be true or false, found `{}`",
                        show(answer)
                    ),
                ));
                return None;
            }
        },
        QuestionType::Fill => fill_answer(q, answer, problems)?,
    };
    if !problems.is_empty() {
        return None;
    }
    Some((kind, answer))
}

/// The checks every question gets, whatever its type; its type, if known.
fn check_keys(q: &QuestionSource, problems: &mut Vec<Problem>) -> Option<QuestionType> {
    let kind = QuestionType::parse(&q.kind);
    if kind.is_none() {
        problems.push((Field::Kind, format!(
            "unknown question type `{}`; use single (单选), multiple (多选), truefalse (判断) or fill (填空)",
            q.kind
        )));
    }
    if let Some(id) = &q.id
        && id.trim().is_empty()
    {
        problems.push((
            Field::Id,
            "`id` must not be empty: remove it or give the question a name".into(),
        ));
    }
    if q.prompt.trim().is_empty() {
        problems.push((Field::Prompt, "the question has an empty `prompt`".into()));
    }
    if q.points == Some(0) {
        problems.push((Field::Points, "`points` must be at least 1".into()));
    }
    for (i, o) in q.options.iter().enumerate() {
        if o.trim().is_empty() {
            problems.push((Field::Option(i), format!("option {} is empty", letter(i))));
        }
    }
    kind
}

fn check_option_count(kind: QuestionType, q: &QuestionSource, problems: &mut Vec<Problem>) {
    let message = if kind.has_options() {
        if q.options.len() < 2 {
            format!(
                "a `{}` question needs at least two options, found {}",
                kind.as_str(),
                q.options.len()
            )
        } else if q.options.len() > 26 {
            format!(
                "a question can have at most 26 options (A–Z), found {}",
                q.options.len()
            )
        } else {
            return;
        }
    } else if !q.options.is_empty() {
        format!("a `{}` question takes no `options`", kind.as_str())
    } else {
        return;
    };
    problems.push((Field::Options, message));
}

/// The answer of a `single` or `multiple` question: letters naming its options.
fn option_answer(
    kind: QuestionType,
    q: &QuestionSource,
    answer: &Value,
    problems: &mut Vec<Problem>,
) -> Option<Answer> {
    let letters = match read_letters(answer) {
        Ok(l) => l,
        Err(msg) => {
            problems.push((Field::Answer, msg));
            return None;
        }
    };
    let before = problems.len();
    let mut indexes = Vec::new();
    let mut push = |msg: String| problems.push((Field::Answer, msg));
    for l in &letters {
        let i = (l.as_bytes()[0] - b'A') as usize;
        if i >= q.options.len() {
            push(format!(
                "answer `{l}` names no option: the question has {} options ({})",
                q.options.len(),
                letter_range(q.options.len())
            ));
        } else if indexes.contains(&i) {
            push(format!("answer `{l}` is given twice"));
        } else {
            indexes.push(i);
        }
    }
    if kind == QuestionType::Single && letters.len() != 1 {
        let found = match letters.len() {
            0 => "none".to_string(),
            n => format!("{n} ({})", letters.join(", ")),
        };
        push(format!(
            "a `single` question needs exactly one answer, found {found}"
        ));
    }
    if kind == QuestionType::Multiple && letters.is_empty() {
        push("a `multiple` question needs at least one answer".into());
    }
    if problems.len() > before {
        return None;
    }
    indexes.sort_unstable();
    Some(Answer::Options(indexes))
}

/// The answer of a `fill` question: one list of accepted answers per blank of the prompt.
fn fill_answer(q: &QuestionSource, answer: &Value, problems: &mut Vec<Problem>) -> Option<Answer> {
    let blanks = match read_blanks(answer) {
        Ok(b) => b,
        Err(msg) => {
            problems.push((Field::Answer, msg));
            return None;
        }
    };
    let before = problems.len();
    let n = count_blanks(&q.prompt);
    let mut push = |msg: String| problems.push((Field::Answer, msg));
    if n != blanks.len() {
        push(format!(
            "the prompt has {n} blank{} (`___`) but `answer` has {} entr{}: give one list of accepted answers per blank",
            if n == 1 { "" } else { "s" },
            blanks.len(),
            if blanks.len() == 1 { "y" } else { "ies" }
        ));
    }
    for (i, alts) in blanks.iter().enumerate() {
        if alts.is_empty() {
            push(format!("blank {} has no accepted answer", i + 1));
        } else if alts.iter().any(|a| fold_answer(a).is_empty()) {
            push(format!("an accepted answer of blank {} is empty", i + 1));
        }
    }
    if problems.len() > before {
        return None;
    }
    Some(Answer::Blanks(blanks))
}

/// Checks the questions of one unit. `yaml_first_line` is the file line the front matter
/// starts on; problems are reported at each question's line.
pub fn check_quiz(
    qs: &[serde_saphyr::Spanned<QuestionSource>],
    path: &Path,
    text: &str,
    yaml_first_line: usize,
    diags: &mut Vec<Diagnostic>,
) -> Quiz {
    let mut questions = Vec::new();
    for (n, spanned) in qs.iter().enumerate() {
        let q = &spanned.value;
        let (line, column) = crate::yaml::file_position(spanned.referenced, yaml_first_line);
        let mut problems = Vec::new();
        let checked = check_question(q, &mut problems);
        for (_, p) in problems {
            diags.push(Diagnostic::error(path, p).at(text, line, column));
        }
        let Some((kind, answer)) = checked else {
            continue;
        };
        let at = Position {
            line,
            column,
            source_line: text.lines().nth(line - 1).map(str::to_owned),
            cell: None,
        };
        questions.push(question(q, n, kind, answer, at));
    }
    Quiz {
        path: path.to_path_buf(),
        questions,
    }
}

/// Where a checked question is, for site-wide diagnostics.
pub(super) struct Position {
    pub(super) line: usize,
    pub(super) column: usize,
    pub(super) source_line: Option<String>,
    pub(super) cell: Option<crate::diag::CellRef>,
}

/// A checked question, normalised, with its hash; `n` is its position in the unit.
pub(super) fn question(
    q: &QuestionSource,
    n: usize,
    kind: QuestionType,
    answer: Answer,
    at: Position,
) -> Question {
    let prompt = q.prompt.trim().to_string();
    let options: Vec<String> = q.options.iter().map(|o| o.trim().to_string()).collect();
    let hash = content_hash(kind, &prompt, &options, &answer);
    let (id, explicit_id) = match &q.id {
        Some(id) => (id.trim().to_string(), true),
        None => (format!("#{}", n + 1), false),
    };
    Question {
        id,
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
        line: at.line,
        column: at.column,
        source_line: at.source_line,
        cell: at.cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_are_read_leniently() {
        assert_eq!(read_letters(&json!("b")).unwrap(), vec!["B"]);
        assert_eq!(read_letters(&json!(["A", "c"])).unwrap(), vec!["A", "C"]);
        assert_eq!(read_letters(&json!("Ａ、Ｃ")).unwrap(), vec!["A", "C"]);
        assert!(read_letters(&json!(1)).is_err());
    }
}
