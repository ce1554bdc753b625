//! Questions as the model holds them: checked, normalised, each with its content hash. They
//! are made from the front matter by the quiz feature's checks and read by its pages and data
//! files; this module holds the types and the few facts about a question that every reader
//! shares (its id in the browser, how fill answers compare, where its blanks are).

use std::path::PathBuf;

use serde::Serialize;

use super::Unit;

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

    /// Whether questions of this type list options (A, B, …).
    pub fn has_options(self) -> bool {
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
    /// The author's `id`, or `#<position>` when there is none (see [`question_id`]).
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
    /// Short content hash: blake3 of the canonical JSON of type, prompt, options and answer,
    /// so the reader's saved answer of an edited question is not restored.
    pub hash: String,
    /// Where the question starts in its file (1-based, file-absolute).
    pub line: usize,
    pub column: usize,
    /// That line's text, for snippets of site-wide diagnostics.
    pub source_line: Option<String>,
    /// In a workbook question bank: the row's first cell (then `line` is the row).
    pub cell: Option<crate::diag::CellRef>,
}

/// A unit's quiz: the questions that passed their own checks.
#[derive(Debug, Clone, Default)]
pub struct Quiz {
    /// The unit's file, relative to the site root.
    pub path: PathBuf,
    pub questions: Vec<Question>,
}

/// The id a question is known by in the browser: the author's, or `<unit key>#<position>`.
/// The id of a unit's own quiz in `quizzes.json`, the pages and the results: `unit:<key>`.
pub fn unit_quiz_id(unit_key: &str) -> String {
    format!("unit:{unit_key}")
}

/// The id of a topic's quiz (every question of its units): `topic:<slug>`.
pub fn topic_quiz_id(topic_slug: &str) -> String {
    format!("topic:{topic_slug}")
}

/// The id of the final test (综合测试: every question of the site).
pub const FINAL_QUIZ_ID: &str = "final";

pub fn question_id(unit: &Unit, q: &Question) -> String {
    if q.explicit_id {
        q.id.clone()
    } else {
        format!("{}{}", unit.key, q.id)
    }
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

/// An answer as a learner gave it (what quiz.js records): the indexes of the options ticked
/// (0 = A, as the build numbers them, whatever order they were shown in), true or false, or the
/// text of each blank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Given {
    Options(Vec<usize>),
    Bool(bool),
    Blanks(Vec<String>),
}

/// Whether `given` answers `q` right, by quiz.js's rules: options compared as sets, true or
/// false as it is, and each blank, after [`fold_answer`], equal to one of its accepted
/// answers (an empty blank is never right). No answer, or one of the wrong kind, is wrong.
pub fn is_right(q: &Question, given: Option<&Given>) -> bool {
    match (&q.answer, given) {
        (Answer::Options(right), Some(Given::Options(picked))) => {
            let mut picked = picked.clone();
            picked.sort_unstable();
            picked.dedup();
            &picked == right
        }
        (Answer::Bool(right), Some(Given::Bool(b))) => right == b,
        (Answer::Blanks(accepted), Some(Given::Blanks(texts))) => {
            texts.len() == accepted.len()
                && accepted.iter().zip(texts).all(|(alts, text)| {
                    let given = fold_answer(text);
                    !given.is_empty() && alts.iter().any(|a| fold_answer(a) == given)
                })
        }
        _ => false,
    }
}

/// The points `given` earns on `q`: all of them when it is right, none otherwise.
pub fn score(q: &Question, given: Option<&Given>) -> u32 {
    if is_right(q, given) { q.points } else { 0 }
}

/// Counts the blanks of a fill prompt: runs of three or more `_`.
pub fn count_blanks(prompt: &str) -> usize {
    split_blanks(prompt).len() - 1
}

/// The prompt's text between blanks (always one more piece than blanks).
pub fn split_blanks(prompt: &str) -> Vec<&str> {
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

    fn question(kind: QuestionType, answer: Answer) -> Question {
        Question {
            id: "q".into(),
            explicit_id: true,
            kind,
            prompt: "p ___".into(),
            options: vec!["a".into(), "b".into(), "c".into()],
            answer,
            explanation: String::new(),
            source: None,
            points: 2,
            shuffle: true,
            hash: "h".into(),
            line: 1,
            column: 1,
            source_line: None,
            cell: None,
        }
    }

    #[test]
    fn scoring_follows_quiz_js() {
        let multi = question(QuestionType::Multiple, Answer::Options(vec![0, 2]));
        assert_eq!(score(&multi, Some(&Given::Options(vec![2, 0]))), 2);
        assert_eq!(score(&multi, Some(&Given::Options(vec![2, 0, 0]))), 2);
        assert_eq!(score(&multi, Some(&Given::Options(vec![0]))), 0);
        assert_eq!(score(&multi, Some(&Given::Bool(true))), 0);
        assert_eq!(score(&multi, None), 0);
        let tf = question(QuestionType::TrueFalse, Answer::Bool(false));
        assert!(is_right(&tf, Some(&Given::Bool(false))));
        assert!(!is_right(&tf, Some(&Given::Bool(true))));
        let fill = question(
            QuestionType::Fill,
            Answer::Blanks(vec![vec!["软弱涣散".into(), "ABC".into()]]),
        );
        assert!(is_right(
            &fill,
            Some(&Given::Blanks(vec![" 软弱涣散 ".into()]))
        ));
        assert!(is_right(&fill, Some(&Given::Blanks(vec!["ＡＢＣ".into()]))));
        assert!(!is_right(&fill, Some(&Given::Blanks(vec!["".into()]))));
        assert!(!is_right(&fill, Some(&Given::Blanks(vec![]))));
    }

    #[test]
    fn folding_full_width_and_ideographic_space() {
        assert_eq!(fold_answer("\u{3000}ＡＢＣ１２３\u{3000}"), "ABC123");
        assert_eq!(fold_answer(" 常态化 "), "常态化");
        assert_eq!(fold_answer("（一）"), "(一)");
    }
}
