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
}

/// A unit's quiz: the questions that passed their own checks.
#[derive(Debug, Clone, Default)]
pub struct Quiz {
    /// The unit's file, relative to the site root.
    pub path: PathBuf,
    pub questions: Vec<Question>,
}

/// The id a question is known by in the browser: the author's, or `<unit key>#<position>`.
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

    #[test]
    fn folding_full_width_and_ideographic_space() {
        assert_eq!(fold_answer("\u{3000}ＡＢＣ１２３\u{3000}"), "ABC123");
        assert_eq!(fold_answer(" 常态化 "), "常态化");
        assert_eq!(fold_answer("（一）"), "(一)");
    }
}
