//! `site.yaml`: the site's settings, strictly typed (unknown keys are errors naming the allowed
//! ones; free-form data goes under `extra`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;

/// Default reading speed for careful study reading of Chinese political texts, in CJK characters
/// per minute. Fluent silent reading of Chinese runs at 300–500 characters a minute; study
/// reading — slower, often aloud in a group, with underlining and notes — runs at about half of
/// that. 200 keeps estimates on the generous side for older readers.
pub const DEFAULT_READING_SPEED: u32 = 200;

/// The site's settings as written in `site.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default = "default_reading_speed")]
    pub reading_speed: u32,
    #[serde(default)]
    pub rules: Rules,
    #[serde(default)]
    pub quiz: QuizSettings,
    /// The roster `serve --collect` offers learners to tap (a `learners.txt` beside
    /// `site.yaml` adds one name a line); a name not on it is accepted and flagged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub learners: Vec<String>,
    #[serde(default)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// Rules checked on training sessions.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// The least share of a session's study minutes given to original text (inclusive).
    #[serde(default = "default_min_share")]
    pub min_original_share: f64,
    /// Whether a session below the share is an error or a warning.
    #[serde(default)]
    pub original_share: RuleLevel,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            min_original_share: default_min_share(),
            original_share: RuleLevel::Error,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    #[default]
    Error,
    Warn,
}

/// Quiz settings.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct QuizSettings {
    /// Percent of points needed to pass a quiz.
    #[serde(default = "default_pass_mark")]
    pub pass_mark: u32,
    /// How many questions one attempt of a quiz with more questions draws at random (a topic's
    /// 阶段测验, the 综合测试, a question bank's page); `0` shows every question.
    #[serde(default = "default_draw")]
    pub draw: u32,
}

impl Default for QuizSettings {
    fn default() -> Self {
        QuizSettings {
            pass_mark: default_pass_mark(),
            draw: default_draw(),
        }
    }
}

/// Questions per attempt of a large quiz: enough for a fair test, few enough for a phone.
pub const DEFAULT_DRAW: u32 = 20;

fn default_draw() -> u32 {
    DEFAULT_DRAW
}

fn default_language() -> String {
    "zh-CN".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_reading_speed() -> u32 {
    DEFAULT_READING_SPEED
}
fn default_min_share() -> f64 {
    1.0 / 3.0
}
fn default_pass_mark() -> u32 {
    80
}

impl SiteConfig {
    /// Parses `site.yaml` text; `path` is used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<SiteConfig, Vec<Diagnostic>> {
        let config: SiteConfig = crate::yaml::parse(text, 1, text, path).map_err(|mut d| {
            d.message = crate::yaml::friendlier_at(&d.message, d.source_line.as_deref());
            vec![d]
        })?;
        let mut problems = Vec::new();
        let line_of = |key: &str| {
            text.lines()
                .position(|l| l.trim_start().starts_with(&format!("{key}:")))
                .map_or(1, |i| i + 1)
        };
        if config.title.trim().is_empty() {
            problems.push(
                Diagnostic::error(path, "`title` must not be empty")
                    .at_line(text, line_of("title")),
            );
        }
        if config.reading_speed == 0 {
            problems.push(
                Diagnostic::error(
                    path,
                    "`reading_speed` must be a positive number of characters per minute",
                )
                .at_line(text, line_of("reading_speed")),
            );
        }
        let share = config.rules.min_original_share;
        if !(0.0..=1.0).contains(&share) {
            problems.push(
                Diagnostic::error(
                    path,
                    format!("`rules.min_original_share` must be between 0 and 1, got {share}"),
                )
                .at_line(text, line_of("min_original_share")),
            );
        }
        if config.quiz.pass_mark > 100 {
            problems.push(
                Diagnostic::error(path, "`quiz.pass_mark` is a percentage from 0 to 100")
                    .at_line(text, line_of("pass_mark")),
            );
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    /// A configuration for tests.
    pub fn default_for_test() -> SiteConfig {
        SiteConfig {
            title: "测试站点".into(),
            description: String::new(),
            language: default_language(),
            theme: default_theme(),
            reading_speed: DEFAULT_READING_SPEED,
            rules: Rules::default(),
            quiz: QuizSettings::default(),
            learners: Vec::new(),
            extra: BTreeMap::new(),
        }
    }
}
