//! Loading a site: `site.yaml` and the content library into the model, then the features'
//! load-time checks.
//!
//! In steps: read `site.yaml` ([`crate::config`]); walk `content/` ([`crate::content::load`]);
//! sort topics and units, render every Markdown body once, in parallel, and compute minutes
//! (a unit's quiz is checked as the unit is made, [`crate::quiz::check_quiz`], or, for a
//! question bank, [`crate::quiz::check_bank`]; see [`pair_banks`]); assemble the
//! [`Site`]; then the checks that need the whole model — questions across the site
//! ([`crate::quiz::validate_site`]) and the training sessions, which are read against the units
//! ([`crate::sessions::load`]). Every problem is collected; the model comes back whenever
//! `site.yaml` could be read, so that `check` can still report the sessions' figures.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::content::{self, BankSource, Kind, Library, SourceFile, TopicSource, UnitFrontMatter};
use crate::diag::{Diagnostic, Diagnostics};
use crate::markdown;
use crate::model::{Site, Topic, Unit};

/// What a load may reuse from earlier ones: what `serve --watch` keeps from one rebuild to the
/// next. The model is the same whatever they hold.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions<'a> {
    /// Source files of earlier builds, by bytes: an unchanged file is not parsed again.
    pub source_cache: Option<&'a content::SourceCache>,
    /// Rendered Markdown of earlier builds, by text: an unchanged body is not parsed again.
    pub markdown_cache: Option<&'a markdown::RenderCache>,
    /// Rendered Markdown of the build before, in `build`'s cache (looked in after
    /// `markdown_cache`, whose table then takes what it gives).
    pub markdown_pack: Option<&'a markdown::MarkdownPack>,
    /// Where `build` parks the units' and topics' text until the search index is made.
    pub text_spill: Option<&'a markdown::TextSpill>,
}

/// Loads and validates the site at `root`. Returns the model when there were no errors, and
/// every diagnostic (errors and warnings) either way.
pub fn load_site(root: &Path) -> (Option<Site>, Diagnostics) {
    let (site, diags) = load_site_keeping_errors(root, &LoadOptions::default());
    if diags.has_errors() {
        (None, diags)
    } else {
        (site, diags)
    }
}

/// Like [`load_site`], but keeps the model even when the content has errors (whenever
/// `site.yaml` could be read), so that `check` can still report the sessions' figures.
pub fn load_site_keeping_errors(
    root: &Path,
    opts: &LoadOptions<'_>,
) -> (Option<Site>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let config = match read_config(root, &mut diags) {
        Config::Missing => return (None, diags),
        Config::Unreadable => None,
        Config::Read(c) => Some(c),
    };
    let library = content::load(root, opts.source_cache, &mut diags);
    let Some(config) = config else {
        return (None, diags);
    };
    let site = model_from(root, config, library, opts, &mut diags);
    (Some(site), diags)
}

/// What became of `site.yaml`.
enum Config {
    /// There is none: not a site at all (nothing else is read).
    Missing,
    /// It is there but could not be used (reported); the content is still read and checked.
    Unreadable,
    Read(SiteConfig),
}

fn read_config(root: &Path, diags: &mut Diagnostics) -> Config {
    let config_path = root.join("site.yaml");
    match crate::fs::read_text(&config_path) {
        Ok(text) => match SiteConfig::parse(&text, Path::new("site.yaml")) {
            Ok(c) => Config::Read(c),
            Err(ds) => {
                diags.extend(ds);
                Config::Unreadable
            }
        },
        Err(crate::fs::ReadTextError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            diags.push(Diagnostic::error(
                "site.yaml",
                format!(
                    "no `site.yaml` in `{}`: this is not a studysite site. Create one with `studysite init DIR`, or write a `site.yaml` with at least `title: …`",
                    root.display()
                ),
            ));
            Config::Missing
        }
        Err(crate::fs::ReadTextError::Io(e)) => {
            diags.push(Diagnostic::error(
                "site.yaml",
                format!("cannot read the file: {e}"),
            ));
            Config::Unreadable
        }
        Err(crate::fs::ReadTextError::NotUtf8 { line, column }) => {
            let mut d =
                Diagnostic::error("site.yaml", "the file is not UTF-8 text: save it as UTF-8");
            d.line = Some(line);
            d.column = Some(column);
            diags.push(d);
            Config::Unreadable
        }
    }
}

/// The model from loaded sources, then the checks that need all of it.
fn model_from(
    root: &Path,
    config: SiteConfig,
    library: Library,
    opts: &LoadOptions<'_>,
    diags: &mut Diagnostics,
) -> Site {
    let mut topic_sources = library.topics;
    topic_sources
        .sort_by(|a, b| (a.index.front.weight, &a.slug).cmp(&(b.index.front.weight, &b.slug)));
    diags.extend(duplicate_slugs(
        topic_sources
            .iter()
            .map(|t| (t.slug.as_str(), t.dir.as_path())),
        "topics",
        "folder",
    ));
    let speed = config.reading_speed;
    let built: Vec<(Topic, Vec<Unit>, Vec<Diagnostic>)> = topic_sources
        .into_par_iter()
        .enumerate()
        .map(|(ti, ts)| topic_from(ti, ts, speed, opts))
        .collect();
    let (topics, units) = assemble(built, diags);
    for t in &topics {
        if t.units.is_empty() && !diags.has_errors() {
            diags.push(Diagnostic::warning(
                &t.source,
                "this topic has no units yet: add a file such as `yuanwen.md` beside `_index.md`",
            ));
        }
    }
    let home_html = markdown::render(&config.description).html;
    let mut site = Site::new(root.to_path_buf(), config, home_html, topics, units);
    crate::quiz::validate_site(&site, diags);
    site.sessions = crate::sessions::load(&site, &library.sessions, &library.session_books, diags);
    site
}

/// Two sources whose names make the same slug (they differ only in case or spaces): one
/// problem for each source after the first, at that source.
fn duplicate_slugs<'a>(
    sources: impl Iterator<Item = (&'a str, &'a Path)>,
    what: &str,
    rename: &str,
) -> Vec<Diagnostic> {
    let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
    let mut found = Vec::new();
    for (slug, path) in sources {
        if let Some(prev) = seen.insert(slug, path) {
            found.push(Diagnostic::error(
                path,
                format!(
                    "two {what} have the slug `{slug}`: `{}` and `{}`; rename one {rename}",
                    prev.display(),
                    path.display()
                ),
            ));
        }
    }
    found
}

/// One topic and its units, sorted and rendered (the units in parallel); `ti` is the topic's
/// index in reading order.
fn topic_from(
    ti: usize,
    ts: TopicSource,
    reading_speed: u32,
    opts: &LoadOptions<'_>,
) -> (Topic, Vec<Unit>, Vec<Diagnostic>) {
    let mut local = Vec::new();
    let mut unit_files = pair_banks(ts.units, ts.banks, &mut local);
    unit_files.sort_by(|(a, _), (b, _)| {
        (a.front.weight, a.path.file_name()).cmp(&(b.front.weight, b.path.file_name()))
    });
    local.extend(duplicate_slugs(
        unit_files
            .iter()
            .map(|(u, _)| (u.slug.as_str(), u.path.as_path())),
        "units",
        "file",
    ));
    let units: Vec<Unit> = unit_files
        .into_par_iter()
        .map(|(f, bank)| {
            let mut d = Vec::new();
            let u = unit_from(ti, &ts.slug, f, bank, reading_speed, opts, &mut d);
            (u, d)
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|(u, d)| {
            local.extend(d);
            u
        })
        .collect();
    let idx = ts.index;
    if idx.front.title.trim().is_empty() {
        local.push(
            Diagnostic::error(&idx.path, "`title` must not be empty")
                .at_line(&idx.text, crate::yaml::line_of_key(&idx.text, "title")),
        );
    }
    let minutes = units.iter().map(|u| u.minutes).sum();
    let original_minutes = units
        .iter()
        .filter(|u| u.kind == Kind::Original)
        .map(|u| u.minutes)
        .sum();
    let topic = Topic {
        path: format!("{}/index.html", ts.slug),
        body: markdown::render_cached_from(
            opts.markdown_cache,
            opts.markdown_pack,
            opts.text_spill,
            idx.body(),
        ),
        slug: ts.slug,
        title: idx.front.title,
        weight: idx.front.weight,
        summary: idx.front.summary,
        extra: idx.front.extra,
        source: idx.path,
        units: 0..0,
        minutes,
        original_minutes,
        assets: ts.assets,
    };
    (topic, units, local)
}

/// Topics and units in reading order, each unit's `index` and `topic`, each topic's range of
/// units set.
fn assemble(
    built: Vec<(Topic, Vec<Unit>, Vec<Diagnostic>)>,
    diags: &mut Diagnostics,
) -> (Vec<Topic>, Vec<Unit>) {
    let mut topics = Vec::with_capacity(built.len());
    let mut units = Vec::new();
    for (mut topic, topic_units, local) in built {
        diags.extend(local);
        let start = units.len();
        for mut u in topic_units {
            u.index = units.len();
            u.topic = topics.len();
            units.push(u);
        }
        topic.units = start..units.len();
        topics.push(topic);
    }
    (topics, units)
}

/// Each question bank with the Markdown file of its name (`tiku.md` beside `tiku.xlsx`), or,
/// without one, with front matter of its own: its title, kind `practice`, weight 0, no text.
/// A second bank of the same name (`tiku.xlsx` and `tiku.csv`) is an error and left out.
fn pair_banks(
    files: Vec<SourceFile<UnitFrontMatter>>,
    banks: Vec<BankSource>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(SourceFile<UnitFrontMatter>, Option<BankSource>)> {
    let mut by_slug: BTreeMap<String, BankSource> = BTreeMap::new();
    for b in banks {
        if let Some(prev) = by_slug.get(&b.slug) {
            diags.push(Diagnostic::error(
                &b.path,
                format!(
                    "two question banks make the unit `{}`: `{}` and `{}`; rename or remove one",
                    b.slug,
                    prev.path.display(),
                    b.path.display()
                ),
            ));
            continue;
        }
        by_slug.insert(b.slug.clone(), b);
    }
    let mut paired: Vec<_> = files
        .into_iter()
        .map(|f| {
            let bank = by_slug.remove(&f.slug);
            (f, bank)
        })
        .collect();
    for (_, bank) in by_slug {
        let front = UnitFrontMatter {
            title: bank.title.clone(),
            weight: 0,
            kind: Kind::Practice,
            minutes: None,
            source: None,
            summary: String::new(),
            tags: Vec::new(),
            extra: BTreeMap::new(),
            quiz: None,
        };
        let file = SourceFile {
            path: bank.path.clone(),
            slug: bank.slug.clone(),
            text: String::new(),
            front,
            body_offset: 0,
            body_first_line: 1,
            yaml_first_line: 1,
        };
        paired.push((file, Some(bank)));
    }
    paired
}

/// The quiz of a unit: its front matter's questions, or its question bank's (both is an error
/// naming the two files).
fn unit_quiz(
    file: &SourceFile<UnitFrontMatter>,
    bank: Option<&BankSource>,
    diags: &mut Vec<Diagnostic>,
) -> Option<crate::model::Quiz> {
    let yaml =
        file.front.quiz.as_ref().map(|qs| {
            crate::quiz::check_quiz(qs, &file.path, &file.text, file.yaml_first_line, diags)
        });
    let Some(bank) = bank else { return yaml };
    if yaml.is_some() {
        diags.push(
            Diagnostic::error(
                &file.path,
                format!(
                    "this unit has `quiz:` and the question bank `{}` beside it: keep its questions in one of the two files",
                    bank.path.display()
                ),
            )
            .at_line(&file.text, crate::yaml::line_of_key(&file.text, "quiz")),
        );
    }
    Some(crate::quiz::check_bank(bank, diags))
}

/// One unit: its body rendered, its minutes given or estimated, its quiz checked. A unit with
/// a question bank has the bank's questions as its quiz, and half a minute per question is
/// added to its estimated minutes.
fn unit_from(
    topic_index: usize,
    topic_slug: &str,
    file: SourceFile<UnitFrontMatter>,
    bank: Option<BankSource>,
    reading_speed: u32,
    opts: &LoadOptions<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Unit {
    let body = markdown::render_cached_from(
        opts.markdown_cache,
        opts.markdown_pack,
        opts.text_spill,
        file.body(),
    );
    let quiz = unit_quiz(&file, bank.as_ref(), diags);
    let bank_minutes = match (&bank, &quiz) {
        (Some(_), Some(q)) => q.questions.len().div_ceil(2) as u32,
        _ => 0,
    };
    let fm = file.front;
    let (minutes, estimated) = match &fm.minutes {
        Some(m) if m.value > 0 && m.value <= 100_000 => (m.value as u32, false),
        Some(m) => {
            let (line, column) = crate::yaml::file_position(m.referenced, file.yaml_first_line);
            diags.push(
                Diagnostic::error(
                    &file.path,
                    format!(
                        "`minutes` must be a positive whole number of minutes, got {}",
                        m.value
                    ),
                )
                .at(&file.text, line, column),
            );
            (1, false)
        }
        None if bank.is_some() && body.reading_units == 0 => (bank_minutes.max(1), true),
        None => (
            markdown::estimate_minutes(body.reading_units, reading_speed) + bank_minutes,
            true,
        ),
    };
    if fm.title.trim().is_empty() {
        diags.push(
            Diagnostic::error(&file.path, "`title` must not be empty")
                .at_line(&file.text, crate::yaml::line_of_key(&file.text, "title")),
        );
    }
    Unit {
        topic: topic_index,
        index: 0,
        key: format!("{topic_slug}/{}", file.slug),
        path: format!("{topic_slug}/{}.html", file.slug),
        slug: file.slug,
        source: file.path,
        title: fm.title,
        weight: fm.weight,
        kind: fm.kind,
        minutes,
        minutes_estimated: estimated,
        source_ref: fm.source,
        summary: fm.summary,
        tags: fm.tags,
        extra: fm.extra,
        body,
        quiz,
    }
}
