//! Code highlighting with syntect, as CSS classes (`hl-…`) so one stylesheet serves light and
//! dark. The syntax and theme sets are loaded once, and only when a code block names a
//! language. Unknown languages fall back to escaped plain text.
//!
//! A code block is highlighted once per process: the HTML of each distinct (language, code) is
//! kept in a table keyed by content ([`crate::cache::Cache`], see [`highlight_once`]), so the
//! same block in many units, or in a unit and its topic's print page, costs one highlighting.
//!
//! syntect's JavaScript grammar can take very long on odd input (zola #1211, #1241); like zola
//! we highlight `js`/`javascript` with the TypeScript grammar where it exists.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use crate::cache::Cache;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// Highlighted blocks by the BLAKE3 of their language and code (`None`: not highlightable).
static BLOCKS: LazyLock<Cache<Option<Arc<str>>>> = LazyLock::new(Cache::new);
/// The table is emptied when it holds more blocks than this (a long `serve --watch`).
const MAX_BLOCKS: usize = 16 * 1024;

/// The highlighted HTML of `code` in `syntax`, from the table when this block was seen before.
fn highlight_once(
    syntax: &'static syntect::parsing::SyntaxReference,
    code: &str,
) -> Option<Arc<str>> {
    let mut hasher = blake3::Hasher::new();
    hasher.update(syntax.name.as_bytes());
    hasher.update(&[0]);
    hasher.update(code.as_bytes());
    let key = hasher.finalize();
    if let Some(hit) = BLOCKS.get(&key) {
        return hit;
    }
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, &SYNTAXES, CLASS_STYLE);
    let html = LinesWithEndings::from(code)
        .all(|line| {
            generator
                .parse_html_for_line_which_includes_newline(line)
                .is_ok()
        })
        .then(|| Arc::from(generator.finalize()));
    if BLOCKS.len() >= MAX_BLOCKS {
        BLOCKS.clear();
    }
    BLOCKS.insert(key, html.clone());
    html
}

/// comrak's highlighter plugin for one render; remembers whether it highlighted anything.
#[derive(Default)]
pub struct Highlighter {
    used: AtomicBool,
}

impl Highlighter {
    pub fn used(&self) -> bool {
        self.used.load(Ordering::Relaxed)
    }
}

fn find_syntax(lang: &str) -> Option<&'static syntect::parsing::SyntaxReference> {
    let lang = lang.trim().to_ascii_lowercase();
    let lang = match lang.as_str() {
        "js" | "javascript" => "ts",
        "yml" => "yaml",
        "sh" | "shell" | "bash" => "sh",
        other => other,
    };
    if lang.is_empty() || lang == "text" || lang == "plain" {
        return None;
    }
    SYNTAXES
        .find_syntax_by_token(lang)
        .or_else(|| SYNTAXES.find_syntax_by_extension(lang))
}

impl comrak::adapters::SyntaxHighlighterAdapter for Highlighter {
    fn write_highlighted(
        &self,
        output: &mut dyn std::fmt::Write,
        lang: Option<&str>,
        code: &str,
    ) -> std::fmt::Result {
        let Some(syntax) = lang.and_then(find_syntax) else {
            return super::write_escaped(output, code);
        };
        let Some(html) = highlight_once(syntax, code) else {
            return super::write_escaped(output, code);
        };
        self.used.store(true, Ordering::Relaxed);
        output.write_str(&html)
    }

    fn write_pre_tag(
        &self,
        output: &mut dyn std::fmt::Write,
        _attributes: HashMap<&'static str, Cow<'_, str>>,
    ) -> std::fmt::Result {
        output.write_str("<pre class=\"code\" tabindex=\"0\">")
    }

    fn write_code_tag(
        &self,
        output: &mut dyn std::fmt::Write,
        attributes: HashMap<&'static str, Cow<'_, str>>,
    ) -> std::fmt::Result {
        output.write_str("<code")?;
        if let Some(class) = attributes.get("class") {
            output.write_str(" class=\"")?;
            super::write_escaped(output, class)?;
            output.write_str("\"")?;
        }
        output.write_str(">")
    }
}

/// The stylesheet for highlighted code: a light theme, and a dark one for
/// `prefers-color-scheme: dark` and the reader's explicit dark choice (`html[data-theme=dark]`).
pub fn stylesheet() -> String {
    let themes = ThemeSet::load_defaults();
    let light = themes
        .themes
        .get("InspiredGitHub")
        .and_then(|t| css_for_theme_with_class_style(t, CLASS_STYLE).ok())
        .unwrap_or_default();
    let dark = themes
        .themes
        .get("base16-ocean.dark")
        .and_then(|t| css_for_theme_with_class_style(t, CLASS_STYLE).ok())
        .unwrap_or_default();
    let scoped = |css: &str, scope: &str| -> String {
        css.lines()
            .map(|l| {
                if l.starts_with(".hl-") {
                    format!("{scope} {l}")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    format!(
        "/* Generated by studysite from syntect themes. */\n{light}\n{}\n@media (prefers-color-scheme: dark) {{\n{}\n}}\n",
        scoped(&dark, "html[data-theme=\"dark\"]"),
        scoped(&dark, "html:not([data-theme=\"light\"])")
    )
}
