//! Quizzes: checking the questions that units carry in their front matter, the site-wide
//! checks, the quiz pages and the quiz data files.
//!
//! A unit's front matter may carry `quiz:`, a list of questions (README, "Quizzes"). Loading
//! turns each question as written into a checked [`crate::model::Question`] ([`check_quiz`]) and
//! reports every problem of a question at the question's line; checks that need the whole site
//! (ids unique site-wide, `source` naming a heading of an original unit) run in
//! [`validate_site`]. Each page's quiz is embedded as JSON in a `<script type="application/json">`
//! (escaped by [`crate::view::script_json`], so no text can close the script element): unit pages
//! ([`embed_json`]) and the feature [`pages()`]. The build also writes [`data_files`].
//!
//! A question bank (题库, `content/<topic>/<name>.xlsx|csv`) is a unit whose quiz is the
//! file's rows, checked by [`check_bank`] with the same checks and messages, at the cell.

mod bank;
mod check;
mod data;
mod pages;
mod validate;

pub use bank::check_bank;
pub use check::check_quiz;
pub use data::data_files;
pub use pages::{QuestionView, QuizView, embed_json, final_quiz, pages, topic_quiz, unit_quiz};
pub use validate::{SourceLink, validate_site};

/// The version of the quiz JSON (page data and `quizzes.json`).
pub const JSON_VERSION: u32 = 1;

/// The JSON Schema of a unit's `quiz:` front matter, written to `quiz.schema.json`.
pub const SCHEMA: &str = include_str!("../quiz.schema.json");

/// A unit slug that would collide with the topic's quiz page.
pub const RESERVED_SLUG: &str = "quiz";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_is_json_and_names_every_type() {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
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
