//! Quizzes: the front-matter schema of a question, its validation, and the JSON the theme's
//! quiz script reads.
//!
//! (Being built: validation, JSON embedding and topic/final quiz pages come with the quiz issue.)

use serde::Deserialize;

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
    pub answer: Option<serde_json::Value>,
    #[serde(default)]
    pub explanation: String,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub points: Option<u32>,
    #[serde(default)]
    pub shuffle: Option<bool>,
}

/// A unit's quiz, validated. (Filled in by the quiz issue.)
#[derive(Debug, Clone, Default)]
pub struct Quiz {
    pub questions: Vec<QuestionSource>,
}

impl Quiz {
    pub fn from_source(
        qs: &[serde_saphyr::Spanned<QuestionSource>],
        _path: &std::path::Path,
        _text: &str,
        _yaml_first_line: usize,
        _diags: &mut Vec<crate::diag::Diagnostic>,
    ) -> Quiz {
        Quiz {
            questions: qs.iter().map(|q| q.value.clone()).collect(),
        }
    }
}

pub fn validate_site(_site: &crate::site::Site, _diags: &mut crate::diag::Diagnostics) {}

pub fn pages(_site: &crate::site::Site) -> Vec<crate::site::ExtraPage> {
    Vec::new()
}

pub fn embed_json(_site: &crate::site::Site, _quizzes: &[Quiz]) -> String {
    String::new()
}

pub fn data_files(_site: &crate::site::Site) -> Vec<(String, Vec<u8>)> {
    Vec::new()
}
