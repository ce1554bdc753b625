//! The front matter an author writes, as typed values: topics, units (with their quiz
//! questions as written) and training sessions. Every struct denies unknown keys, so a typing
//! error is reported with the allowed keys instead of being ignored; free-form data goes under
//! `extra`. Checking what the values mean (a question's answer against its options, a session's
//! blocks against the units) is the features' work, on the model.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_saphyr::Spanned;

/// What a study unit is; the Chinese words are accepted as aliases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// 原文: the original text, verbatim.
    #[serde(alias = "原文")]
    Original,
    /// 解读: an explanation.
    #[serde(alias = "解读")]
    Explanation,
    /// 研讨: questions for discussion.
    #[serde(alias = "研讨")]
    Discussion,
    /// 实践: practice.
    #[serde(alias = "实践")]
    Practice,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Original => "original",
            Kind::Explanation => "explanation",
            Kind::Discussion => "discussion",
            Kind::Practice => "practice",
        }
    }
}

/// Front matter of `content/<topic>/_index.md`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicFrontMatter {
    pub title: String,
    #[serde(default)]
    pub weight: i64,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub extra: BTreeMap<String, Value>,
}

/// Front matter of a unit, `content/<topic>/<unit>.md`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitFrontMatter {
    pub title: String,
    #[serde(default)]
    pub weight: i64,
    pub kind: Kind,
    #[serde(default)]
    pub minutes: Option<Spanned<i64>>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub extra: BTreeMap<String, Value>,
    #[serde(default)]
    pub quiz: Option<Vec<Spanned<QuestionSource>>>,
}

/// A question as written in a unit's front matter (`quiz:` list). Its values are checked by
/// the quiz feature; here every key but `type` may be missing, so that one pass can report
/// every problem of the question.
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

/// Front matter of a training session, `content/sessions/<slug>.md`. Dates, times and kinds
/// are text here, read by the sessions feature, so that one wrong value does not hide the
/// file's other problems.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionFrontMatter {
    pub title: String,
    #[serde(default)]
    pub audience: String,
    #[serde(default)]
    pub date: Option<Spanned<String>>,
    #[serde(default)]
    pub start: Option<Spanned<String>>,
    #[serde(default)]
    pub end: Option<Spanned<String>>,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub start_time: Option<Spanned<String>>,
    #[serde(default)]
    pub blocks: Vec<Spanned<BlockSource>>,
    /// A roster workbook in `content/sessions/` (`名册.xlsx`), shared by several sessions.
    #[serde(default)]
    pub roster: Option<Spanned<String>>,
    #[serde(default)]
    pub extra: BTreeMap<String, Value>,
}

/// One item of a session's `blocks:`: a unit reference, a free activity or a day break. One
/// struct with optional keys (rather than an untagged enum) so that mistakes get precise
/// messages.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockSource {
    #[serde(default)]
    pub unit: Option<Spanned<String>>,
    #[serde(default)]
    pub title: Option<Spanned<String>>,
    #[serde(default)]
    pub kind: Option<Spanned<String>>,
    #[serde(default)]
    pub minutes: Option<Spanned<i64>>,
    #[serde(default, rename = "break")]
    pub day_break: Option<Spanned<String>>,
    #[serde(default)]
    pub start_time: Option<Spanned<String>>,
}
