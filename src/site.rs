//! The site model and the build pipeline: load → model → render → write.
//!
//! [`Site::load`] reads `site.yaml` and `content/` (via [`crate::content`]), renders every
//! Markdown body once, in parallel, sorts topics and units, computes minutes, previous/next
//! and validates (slugs, minutes, quizzes, sessions). [`render`] turns the model into pages
//! through the theme and hands each file to an [`crate::output::Sink`] as soon as it is made,
//! so `build` never holds every rendered page at once.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::config::SiteConfig;
use crate::content::{self, Kind, Library, SourceFile, UnitFrontMatter};
use crate::diag::{Diagnostic, Diagnostics};
use crate::markdown::{self, Rendered};
use crate::output::Sink;
use crate::templates::Theme;
use crate::view;

/// A topic (专题): one folder of `content/`.
#[derive(Debug, Clone)]
pub struct Topic {
    pub slug: String,
    pub title: String,
    pub weight: i64,
    pub summary: String,
    pub extra: BTreeMap<String, serde_json::Value>,
    /// `content/<slug>/_index.md`
    pub source: PathBuf,
    /// `<slug>/index.html`
    pub path: String,
    pub body: Arc<Rendered>,
    /// Indexes into [`Site::units`].
    pub units: Range<usize>,
    pub minutes: u32,
    pub original_minutes: u32,
    /// Other files of the folder (images…), relative to the root.
    pub assets: Vec<PathBuf>,
}

/// A study unit.
#[derive(Debug, Clone)]
pub struct Unit {
    /// Index of its topic in [`Site::topics`].
    pub topic: usize,
    /// Its own index in [`Site::units`] (reading order).
    pub index: usize,
    pub slug: String,
    /// `<topic>/<unit>`: how sessions and quiz sources refer to it.
    pub key: String,
    /// `<topic>/<unit>.html`
    pub path: String,
    pub source: PathBuf,
    pub title: String,
    pub weight: i64,
    pub kind: Kind,
    pub minutes: u32,
    pub minutes_estimated: bool,
    /// Which passage of the original document (`source:` in front matter).
    pub source_ref: Option<String>,
    pub summary: String,
    pub tags: Vec<String>,
    pub extra: BTreeMap<String, serde_json::Value>,
    pub body: Arc<Rendered>,
    pub quiz: Option<crate::quiz::Quiz>,
}

/// The whole model of a site.
#[derive(Debug, Clone)]
pub struct Site {
    pub root: PathBuf,
    pub config: SiteConfig,
    /// Namespace for what the site keeps in the reader's browser (progress, settings), so two
    /// sites opened from one USB stick do not share it.
    pub key: String,
    pub home_html: String,
    pub topics: Vec<Topic>,
    pub units: Vec<Unit>,
    pub sessions: Vec<crate::sessions::Session>,
    /// Whether any page has highlighted code.
    pub highlighted: bool,
    /// `<topic>/<unit>` → index into `units`, for quiz sources and session blocks (a scan per
    /// reference would grow with sites × references).
    unit_index: std::collections::HashMap<String, usize>,
}

fn unit_from(
    topic_index: usize,
    topic_slug: &str,
    file: SourceFile<UnitFrontMatter>,
    reading_speed: u32,
    opts: &LoadOptions<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Unit {
    let body = markdown::render_cached(opts.markdown_cache, file.body());
    let fm = file.front;
    let (minutes, estimated) = match &fm.minutes {
        Some(m) if m.value > 0 && m.value <= 100_000 => (m.value as u32, false),
        Some(m) => {
            let loc = m.referenced;
            diags.push(
                Diagnostic::error(
                    &file.path,
                    format!(
                        "`minutes` must be a positive whole number of minutes, got {}",
                        m.value
                    ),
                )
                .at(
                    &file.text,
                    loc.line() as usize + file.yaml_first_line - 1,
                    loc.column() as usize,
                ),
            );
            (1, false)
        }
        None => (
            markdown::estimate_minutes(body.reading_units, reading_speed),
            true,
        ),
    };
    if fm.title.trim().is_empty() {
        diags.push(
            Diagnostic::error(&file.path, "`title` must not be empty")
                .at_line(&file.text, line_of_key(&file.text, "title")),
        );
    }
    let quiz = fm.quiz.as_ref().map(|qs| {
        crate::quiz::Quiz::from_source(qs, &file.path, &file.text, file.yaml_first_line, diags)
    });
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

/// The 1-based line of `key:` in a file's text (1 if not found).
pub fn line_of_key(text: &str, key: &str) -> usize {
    let prefix = format!("{key}:");
    text.lines()
        .position(|l| l.starts_with(&prefix))
        .map_or(1, |i| i + 1)
}

/// How [`Site::load_with`] loads: what `serve --watch` keeps from one rebuild to the next.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions<'a> {
    /// Source files of earlier builds, by bytes: an unchanged file is not parsed again.
    pub source_cache: Option<&'a content::SourceCache>,
    /// Rendered Markdown of earlier builds, by text: an unchanged body is not parsed again.
    pub markdown_cache: Option<&'a markdown::RenderCache>,
}

impl Site {
    /// Loads and validates the site at `root`. Returns the model when there were no errors,
    /// and every diagnostic (errors and warnings) either way.
    pub fn load(root: &Path) -> (Option<Site>, Diagnostics) {
        Site::load_with(root, &LoadOptions::default())
    }

    /// [`Site::load`] with options; the model is the same whatever they are.
    pub fn load_with(root: &Path, opts: &LoadOptions<'_>) -> (Option<Site>, Diagnostics) {
        let (site, diags) = Site::load_keeping_errors(root, opts);
        if diags.has_errors() {
            (None, diags)
        } else {
            (site, diags)
        }
    }

    /// Like [`Site::load`], but keeps the model even when the content has errors (whenever
    /// `site.yaml` could be read), so that `check` can still report the sessions' figures.
    pub fn load_with_errors(root: &Path) -> (Option<Site>, Diagnostics) {
        Site::load_keeping_errors(root, &LoadOptions::default())
    }

    fn load_keeping_errors(root: &Path, opts: &LoadOptions<'_>) -> (Option<Site>, Diagnostics) {
        let mut diags = Diagnostics::new();
        let config_path = root.join("site.yaml");
        let config = match crate::fs::read_text(&config_path) {
            Ok(text) => match SiteConfig::parse(&text, Path::new("site.yaml")) {
                Ok(c) => Some(c),
                Err(ds) => {
                    diags.extend(ds);
                    None
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
                return (None, diags);
            }
            Err(crate::fs::ReadTextError::Io(e)) => {
                diags.push(Diagnostic::error(
                    "site.yaml",
                    format!("cannot read the file: {e}"),
                ));
                None
            }
            Err(crate::fs::ReadTextError::NotUtf8 { line, column }) => {
                let mut d =
                    Diagnostic::error("site.yaml", "the file is not UTF-8 text: save it as UTF-8");
                d.line = Some(line);
                d.column = Some(column);
                diags.push(d);
                None
            }
        };
        let library = content::load(root, opts.source_cache, &mut diags);
        let Some(config) = config else {
            return (None, diags);
        };
        let site = Site::from_library(root, config, library, opts, &mut diags);
        (Some(site), diags)
    }

    /// Builds the model from loaded sources (markdown rendered in parallel).
    pub fn from_library(
        root: &Path,
        config: SiteConfig,
        library: Library,
        opts: &LoadOptions<'_>,
        diags: &mut Diagnostics,
    ) -> Site {
        let mut topic_sources = library.topics;
        topic_sources
            .sort_by(|a, b| (a.index.front.weight, &a.slug).cmp(&(b.index.front.weight, &b.slug)));

        // Duplicate slugs (names that differ only in case or spaces).
        let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
        for t in &topic_sources {
            if let Some(prev) = seen.insert(&t.slug, &t.dir) {
                diags.push(Diagnostic::error(
                    &t.dir,
                    format!(
                        "two topics have the slug `{}`: `{}` and `{}`; rename one folder",
                        t.slug,
                        prev.display(),
                        t.dir.display()
                    ),
                ));
            }
        }

        let speed = config.reading_speed;
        let built: Vec<(Topic, Vec<Unit>, Vec<Diagnostic>)> = topic_sources
            .into_par_iter()
            .enumerate()
            .map(|(ti, ts)| {
                let mut local = Vec::new();
                let mut unit_files = ts.units;
                unit_files.sort_by(|a, b| {
                    (a.front.weight, a.path.file_name()).cmp(&(b.front.weight, b.path.file_name()))
                });
                let mut by_slug: BTreeMap<String, PathBuf> = BTreeMap::new();
                for u in &unit_files {
                    if let Some(prev) = by_slug.insert(u.slug.clone(), u.path.clone()) {
                        local.push(Diagnostic::error(
                            &u.path,
                            format!(
                                "two units have the slug `{}`: `{}` and `{}`; rename one file",
                                u.slug,
                                prev.display(),
                                u.path.display()
                            ),
                        ));
                    }
                }
                let units: Vec<Unit> = unit_files
                    .into_par_iter()
                    .map(|f| {
                        let mut d = Vec::new();
                        let u = unit_from(ti, &ts.slug, f, speed, opts, &mut d);
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
                            .at_line(&idx.text, line_of_key(&idx.text, "title")),
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
                    body: markdown::render_cached(opts.markdown_cache, idx.body()),
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
            })
            .collect();

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
        for t in &topics {
            if t.units.is_empty() && !diags.has_errors() {
                diags.push(Diagnostic::warning(
                    &t.source,
                    "this topic has no units yet: add a file such as `yuanwen.md` beside `_index.md`",
                ));
            }
        }

        let key_source = format!("{}\u{0}{}", config.title, config.description);
        let key = blake3::hash(key_source.as_bytes()).to_hex()[..10].to_string();
        let highlighted =
            units.iter().any(|u| u.body.highlighted) || topics.iter().any(|t| t.body.highlighted);
        let home_html = markdown::render(&config.description).html;
        let unit_index = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.key.clone(), i))
            .collect();
        let mut site = Site {
            root: root.to_path_buf(),
            config,
            key,
            home_html,
            topics,
            units,
            sessions: Vec::new(),
            highlighted,
            unit_index,
        };
        crate::quiz::validate_site(&site, diags);
        site.sessions = crate::sessions::load(&site, &library.sessions, diags);
        site
    }

    pub fn unit_by_key(&self, key: &str) -> Option<&Unit> {
        self.unit_index.get(key).map(|&i| &self.units[i])
    }

    pub fn prev_unit(&self, u: &Unit) -> Option<&Unit> {
        u.index.checked_sub(1).map(|i| &self.units[i])
    }

    pub fn next_unit(&self, u: &Unit) -> Option<&Unit> {
        self.units.get(u.index + 1)
    }

    /// Frees the body HTML of every unit and topic, for `build` once every page is written:
    /// the search index, made last, needs only the bodies' text (at 10,000 units this is
    /// ~100 MB less at the build's peak). Pages rendered afterwards would have empty bodies.
    /// Bodies shared with a cache (`serve --watch`) are left alone.
    pub fn release_body_html(&mut self) {
        let units = self.units.iter_mut().map(|u| &mut u.body);
        for body in units.chain(self.topics.iter_mut().map(|t| &mut t.body)) {
            if let Some(rendered) = Arc::get_mut(body) {
                rendered.html = String::new();
            }
        }
    }
}

/// A page to render: which template, where it goes, and its own context keys.
pub struct ExtraPage {
    /// Path from the site root, e.g. `sessions/index.html`.
    pub path: String,
    pub template: &'static str,
    /// The value of `page_kind`.
    pub kind: &'static str,
    /// The topic whose units the side navigation shows, if any.
    pub topic: Option<usize>,
    pub breadcrumbs: Vec<(String, String)>,
    /// Page-specific keys, inserted beside the common ones.
    pub context: PageContext,
}

/// A page's own template keys, in order, already turned into template values: a page's
/// inputs can then be hashed ([`PageCache`]) as well as handed to tera.
#[derive(Debug, Clone, Default)]
pub struct PageContext(Vec<(&'static str, tera::Value)>);

impl PageContext {
    pub fn new() -> PageContext {
        PageContext::default()
    }

    /// Sets `key` (a second insert of a key replaces its value).
    pub fn insert<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        let value = tera::Value::from_serializable(value);
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    fn add_to(&self, ctx: &mut Context) {
        for (k, v) in &self.0 {
            ctx.insert_value(*k, v.clone());
        }
    }
}

impl Serialize for PageContext {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// One unit in a topic's print view (`<topic>/print.html`).
#[derive(Debug, Clone, Serialize)]
struct PrintUnit<'a> {
    title: &'a str,
    kind: &'static str,
    minutes: u32,
    minutes_estimated: bool,
    source: Option<&'a str>,
    /// The unit's body; in the template, with its headings one level down (the unit title is
    /// the `h2`): see [`Own::add_to`].
    html: Cow<'a, str>,
}

/// Moves every heading of rendered HTML one level down (`h2` → `h3` …, `h6` stays).
/// One pass over the text (a topic's print page demotes every unit of the topic).
fn demote_headings(html: &str) -> String {
    let b = html.as_bytes();
    let mut out = String::with_capacity(html.len() + 16);
    let (mut last, mut i) = (0, 0);
    while let Some(off) = html[i..].find('<') {
        let lt = i + off;
        i = lt + 1;
        let (digit, closing) = match (b.get(lt + 1), b.get(lt + 2)) {
            (Some(b'h'), _) => (lt + 2, false),
            (Some(b'/'), Some(b'h')) => (lt + 3, true),
            _ => continue,
        };
        match b.get(digit) {
            Some(d @ b'1'..=b'5') if !closing || b.get(digit + 1) == Some(&b'>') => {
                out.push_str(&html[last..digit]);
                out.push(char::from(d + 1));
                last = digit + 1;
                i = last;
            }
            _ => {}
        }
    }
    out.push_str(&html[last..]);
    out
}

/// The "print the whole topic" page: every unit of a topic, in order, on one page. The units'
/// headings are moved down only when the page is rendered, inside the parallel render, so the
/// demoted copies of the units' HTML are never all in memory at once.
fn topic_print_parts<'a>(site: &'a Site, ti: usize, path: &'a str) -> PageParts<'a> {
    let t = &site.topics[ti];
    let units = site.units[t.units.clone()]
        .iter()
        .map(|u| PrintUnit {
            title: &u.title,
            kind: u.kind.as_str(),
            minutes: u.minutes,
            minutes_estimated: u.minutes_estimated,
            source: u.source_ref.as_deref(),
            html: Cow::Borrowed(&u.body.html),
        })
        .collect();
    (
        path,
        "topic_print.html",
        "topic_print",
        Some(ti),
        None,
        vec![view::Link {
            title: &t.title,
            path: &t.path,
        }],
        Own::Print {
            topic: view::topic_view(site, t, false),
            print_units: units,
        },
    )
}

/// What the render of a page needs: path, template, kind, topic, current unit, breadcrumbs
/// and its own keys.
type PageParts<'a> = (
    &'a str,
    &'a str,
    &'a str,
    Option<usize>,
    Option<usize>,
    Vec<view::Link<'a>>,
    Own<'a>,
);

fn extra_parts(p: &ExtraPage) -> PageParts<'_> {
    let crumbs = p
        .breadcrumbs
        .iter()
        .map(|(t, h)| view::Link { title: t, path: h })
        .collect();
    (
        &p.path,
        p.template,
        p.kind,
        p.topic,
        None,
        crumbs,
        Own::Extra(&p.context),
    )
}

/// A page's own template keys, as views. With [`view::Shared`], [`view::Common`] and the side
/// navigation's units they are all a template sees, so their hash (with the theme's) names the
/// page's bytes: see [`PageCache`].
#[derive(Serialize)]
enum Own<'a> {
    Home(view::HomeView<'a>),
    NotFound,
    Topic(view::TopicView<'a>),
    Unit {
        unit: view::UnitView<'a>,
        prev: Option<view::Link<'a>>,
        next: Option<view::Link<'a>>,
        quiz_json: Option<String>,
    },
    Extra(&'a PageContext),
    Print {
        topic: view::TopicView<'a>,
        print_units: Vec<PrintUnit<'a>>,
    },
}

impl Own<'_> {
    /// About how many bytes the page will be, so its buffer is allocated once (a topic's
    /// print page at 1,000 units is ~10 MB; doubling up to it would hold 1.5× that).
    fn size_hint(&self) -> usize {
        let body = match self {
            Own::Print { print_units, .. } => print_units.iter().map(|u| u.html.len()).sum(),
            Own::Unit { unit, .. } => unit.html.len(),
            _ => 0,
        };
        body + 32 * 1024
    }

    fn add_to(&self, ctx: &mut Context) {
        match self {
            Own::Home(home) => ctx.insert("home", home),
            Own::NotFound => {}
            Own::Topic(topic) => ctx.insert("topic", topic),
            Own::Unit {
                unit,
                prev,
                next,
                quiz_json,
            } => {
                ctx.insert("unit", unit);
                ctx.insert("prev", prev);
                ctx.insert("next", next);
                if let Some(q) = quiz_json {
                    ctx.insert("quiz_json", q);
                }
            }
            Own::Extra(own) => own.add_to(ctx),
            Own::Print { topic, print_units } => {
                ctx.insert("topic", topic);
                // One unit at a time: each demoted copy is dropped once it is a template value.
                let units: Vec<tera::Value> = print_units
                    .iter()
                    .map(|u| {
                        tera::Value::from_serializable(&PrintUnit {
                            html: Cow::Owned(demote_headings(&u.html)),
                            ..u.clone()
                        })
                    })
                    .collect();
                ctx.insert_value("print_units", units.into());
            }
        }
    }
}

/// Everything one page is made from besides the theme and what every page shares.
#[derive(Serialize)]
struct PageInput<'a> {
    template: &'a str,
    common: &'a view::Common<'a>,
    /// The side navigation's units (what their `nav_unit.html` entries are rendered from; the
    /// theme fingerprint covers the template, `common.current_path` the current mark).
    nav_units: &'a [view::NavUnit<'a>],
    own: &'a Own<'a>,
}

/// Pages expected to be larger than this are rendered straight into their file.
const STREAM_OVER: usize = 1 << 20;

/// Finished pages by the hash of their inputs (theme fingerprint, shared keys, [`PageInput`]),
/// for `serve --watch`: after an edit, only the pages whose inputs changed are rendered again.
/// The key is made from the very values the template receives, so no list of "what a page
/// depends on" has to be kept by hand. See [`crate::cache`].
pub type PageCache = crate::cache::Cache<Arc<[u8]>>;

/// BLAKE3 of `prefix` and `value` in postcard's encoding (compact, no escaping: a page's
/// HTML is hashed as it is); `None` if `value` does not encode (the page is then rendered).
fn hash_of<T: Serialize + ?Sized>(prefix: &[&[u8]], value: &T) -> Option<blake3::Hash> {
    let mut hasher = blake3::Hasher::new();
    for p in prefix {
        hasher.update(p);
    }
    let w = std::io::BufWriter::with_capacity(16 * 1024, hasher);
    let w = postcard::to_io(value, w).ok()?;
    Some(w.into_inner().ok()?.finalize())
}

/// Every root prefix a page can have, by folder depth (pages are at most three folders down).
const ROOTS: [&str; 4] = ["", "../", "../../", "../../../"];

/// `""` for pages at the root, `"../"` for pages one folder down.
pub fn root_prefix(path: &str) -> &'static str {
    ROOTS[path.matches('/').count().min(ROOTS.len() - 1)]
}

enum Job<'a> {
    Home,
    NotFound,
    Topic(&'a Topic),
    Unit(&'a Unit),
    Extra(&'a ExtraPage),
    /// A topic's print page, by topic index (its context is made when it is rendered).
    Print(usize),
}

/// What a render wrote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RenderReport {
    pub pages: usize,
    pub files: usize,
    /// Pages taken unchanged from [`RenderOptions::page_cache`].
    pub reused: usize,
}

/// What [`render_with`] reuses.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions<'a> {
    /// Pages of earlier builds: a page whose inputs did not change is not rendered again.
    pub page_cache: Option<&'a PageCache>,
}

/// Renders every page and asset of `site` into `sink`, all but the search index
/// ([`write_search`], made last: `build` frees the pages' HTML first, `serve --watch` reloads
/// the pages first). All problems are collected.
pub fn render(site: &Site, theme: &Theme, sink: &dyn Sink) -> Result<RenderReport, Diagnostics> {
    render_with(site, theme, sink, &RenderOptions::default())
}

/// Writes the search index of `site` into `sink`; returns how many files it wrote, or a
/// problem for every file that could not be written.
pub fn write_search(site: &Site, sink: &dyn Sink) -> Result<usize, Diagnostics> {
    let (stats, failed) = crate::search::write_to(site, sink);
    let mut diags = Diagnostics::new();
    for (rel, e) in failed {
        diags.push(Diagnostic::error(rel, format!("{e:#}")));
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(stats.files)
    }
}

/// Every unit's entry in the side navigation (the theme's `nav_unit.html`), rendered at most
/// once per build in its two forms — as other pages list it, and on its own page (`current`)
/// — and joined for each page. A page lists up to 41 units; rendering them with every page was
/// ~10 % of the CPU of `check` at 10,000 units. Entries are rendered on first use, so a
/// `serve --watch` rebuild whose pages mostly come from the page cache renders few of them.
struct NavEntries<'a> {
    theme: &'a Theme,
    shared: &'a Context,
    units: &'a [view::NavUnit<'a>],
    /// By the page's root prefix (as in [`ROOTS`]), then by unit of [`Site::units`]:
    /// [entry, entry on its own page].
    by_root: [OnceLock<Vec<NavEntry>>; ROOTS.len()],
}

type NavEntry = OnceLock<Result<[String; 2], Diagnostic>>;

impl<'a> NavEntries<'a> {
    fn new(theme: &'a Theme, shared: &'a Context, units: &'a [view::NavUnit<'a>]) -> Self {
        NavEntries {
            theme,
            shared,
            units,
            by_root: Default::default(),
        }
    }

    /// The entries of `units` (indexes into [`Site::units`]) for a page at `root` (one of
    /// [`ROOTS`], from [`root_prefix`]), `current` being the page's own unit.
    fn join(
        &self,
        root: &'static str,
        units: std::ops::Range<usize>,
        current: Option<usize>,
    ) -> Result<String, Diagnostic> {
        let depth = ROOTS.iter().position(|r| *r == root).unwrap_or_default();
        let entries = self.by_root[depth]
            .get_or_init(|| self.units.iter().map(|_| OnceLock::new()).collect());
        let mut out = String::with_capacity(units.len() * 200);
        for i in units {
            let pair = entries[i]
                .get_or_init(|| self.render(root, &self.units[i]))
                .as_ref()
                .map_err(Clone::clone)?;
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&pair[usize::from(current == Some(i))]);
        }
        Ok(out)
    }

    fn render(
        &self,
        root: &'static str,
        unit: &view::NavUnit<'_>,
    ) -> Result<[String; 2], Diagnostic> {
        let one = |current: bool| {
            let mut ctx = self.shared.clone();
            ctx.insert("root", root);
            ctx.insert("u", unit);
            ctx.insert("current", &current);
            let html = self.theme.render("nav_unit.html", &ctx)?;
            Ok(html.trim().to_string())
        };
        Ok([one(false)?, one(true)?])
    }
}

/// [`render`] with options.
pub fn render_with<'s>(
    site: &'s Site,
    theme: &Theme,
    sink: &dyn Sink,
    opts: &RenderOptions<'_>,
) -> Result<RenderReport, Diagnostics> {
    let site_view = view::site_view(site);
    let nav = view::nav(site);
    let shared_view = view::Shared {
        site: &site_view,
        t: &theme.strings,
        nav: &nav,
    };
    // What keys a page in the page cache, besides its own inputs.
    let shared_key = match opts.page_cache {
        Some(_) => hash_of(&[theme.fingerprint.as_bytes()], &shared_view),
        None => None,
    };
    // What every page shares, made into template values once (a clone shares them).
    let shared = Context::from_serialize(&shared_view).map_err(|e| {
        let mut d = Diagnostics::new();
        d.push(Diagnostic::error(
            "site.yaml",
            format!("internal error preparing the pages: {e}"),
        ));
        d
    })?;
    let nav_views: Vec<view::NavUnit> = site.units.iter().map(view::nav_unit).collect();
    let mut extras: Vec<ExtraPage> = Vec::new();
    extras.extend(crate::quiz::pages(site));
    extras.extend(crate::sessions::pages(site, &theme.strings));

    let print_paths: Vec<String> = (site.topics.iter())
        .map(|t| format!("{}/print.html", t.slug))
        .collect();
    let nav_entries = NavEntries::new(theme, &shared, &nav_views);
    // Print pages first: they are the largest (a whole topic each) and are made one at a time
    // (`one_print`), so the other thread renders units meanwhile instead of a second one.
    let mut jobs: Vec<Job> = (0..site.topics.len())
        .filter(|&ti| !site.topics[ti].units.is_empty())
        .map(Job::Print)
        .collect();
    jobs.extend([Job::Home, Job::NotFound]);
    jobs.extend(site.topics.iter().map(Job::Topic));
    jobs.extend(site.units.iter().map(Job::Unit));
    jobs.extend(extras.iter().map(Job::Extra));
    let one_print = std::sync::Mutex::new(());

    // What rendering one page starts with: the turn to render, for a print page (one at a
    // time), and the template context: the page's own keys, then what every page shares, then
    // its common keys and its side-navigation units (later keys win).
    let prepare = |own: &Own<'_>, common: &view::Common<'_>, nav_units: &str| {
        let turn = matches!(own, Own::Print { .. })
            .then(|| one_print.lock().unwrap_or_else(|e| e.into_inner()));
        let base = Context::from_serialize(common).map_err(|e| {
            let path = common.current_path;
            Diagnostic::error(path, format!("internal error preparing the page: {e}"))
        })?;
        let mut ctx = Context::new();
        own.add_to(&mut ctx);
        ctx.extend(shared.clone());
        ctx.extend(base);
        ctx.insert_value("nav_units_html", tera::Value::safe_string(nav_units));
        Ok::<_, Diagnostic>((turn, ctx))
    };
    let render_page = |template: &str,
                       own: &Own<'_>,
                       common: &view::Common<'_>,
                       nav_units: &str|
     -> Result<Vec<u8>, Diagnostic> {
        let (_turn, ctx) = prepare(own, common, nav_units)?;
        theme.render_bytes(template, &ctx, own.size_hint())
    };
    // A page too large to hold twice (a topic's print page) goes straight into its file; the
    // outer error is the template's, the inner one the file's.
    let stream_page = |template: &str,
                       own: &Own<'_>,
                       common: &view::Common<'_>,
                       nav_units: &str|
     -> Result<anyhow::Result<()>, Diagnostic> {
        let (_turn, ctx) = prepare(own, common, nav_units)?;
        let mut template_error = None;
        let written = sink.write_streamed(common.current_path, &mut |out| {
            // A template error stops the write (no half page is kept) and is reported as
            // the template's, not the file's.
            theme.render_into(template, &ctx, out).map_err(|d| {
                template_error = Some(d);
                anyhow::anyhow!("the page's template failed")
            })
        });
        match template_error {
            Some(d) => Err(d),
            None => Ok(written),
        }
    };
    // Ok(true): the page came from the page cache.
    let results: Vec<Result<bool, Diagnostic>> = jobs
        .par_iter()
        .map(|job| {
            let (path, template, kind, topic, current, crumbs, own): PageParts = match job {
                Job::Home => (
                    "index.html",
                    "index.html",
                    "index",
                    None,
                    None,
                    vec![],
                    Own::Home(view::home_view(site)),
                ),
                Job::NotFound => (
                    "404.html",
                    "404.html",
                    "404",
                    None,
                    None,
                    vec![],
                    Own::NotFound,
                ),
                Job::Topic(t) => {
                    let idx = site.topics.iter().position(|x| std::ptr::eq(x, *t));
                    let own = Own::Topic(view::topic_view(site, t, true));
                    (&t.path, "topic.html", "topic", idx, None, vec![], own)
                }
                Job::Unit(u) => {
                    let link = |x: &'s Unit| view::Link {
                        title: &x.title,
                        path: &x.path,
                    };
                    let own = Own::Unit {
                        unit: view::unit_view(site, u),
                        prev: site.prev_unit(u).map(link),
                        next: site.next_unit(u).map(link),
                        quiz_json: u.quiz.as_ref().map(|_| crate::quiz::embed_json(site, u)),
                    };
                    let t = &site.topics[u.topic];
                    (
                        &u.path,
                        "unit.html",
                        "unit",
                        Some(u.topic),
                        Some(u.index),
                        vec![view::Link {
                            title: &t.title,
                            path: &t.path,
                        }],
                        own,
                    )
                }
                Job::Extra(p) => extra_parts(p),
                Job::Print(ti) => topic_print_parts(site, *ti, &print_paths[*ti]),
            };
            let (nav_range, nav_units_more) = match topic {
                Some(ti) => view::nav_window(&site.topics[ti], current),
                None => (0..0, false),
            };
            let common = view::Common {
                root: root_prefix(path),
                current_path: path,
                page_kind: kind,
                nav_units_more,
                breadcrumbs: crumbs,
            };
            // Joined only for a page that is rendered (not for one from the page cache).
            let nav_units = || match topic {
                Some(_) => nav_entries.join(common.root, nav_range.clone(), current),
                None => Ok(String::new()),
            };
            let cache_key = opts.page_cache.zip(shared_key).and_then(|(_, shared)| {
                let input = PageInput {
                    template,
                    common: &common,
                    nav_units: &nav_views[nav_range.clone()],
                    own: &own,
                };
                hash_of(&[shared.as_bytes()], &input)
            });
            let written = match (opts.page_cache, cache_key) {
                (Some(cache), Some(key)) => match cache.get(&key) {
                    Some(page) => sink.write_shared(path, page).map(|()| true),
                    None => {
                        let page: Arc<[u8]> =
                            render_page(template, &own, &common, &nav_units()?)?.into();
                        cache.insert(key, page.clone());
                        sink.write_shared(path, page).map(|()| false)
                    }
                },
                _ if own.size_hint() > STREAM_OVER => {
                    stream_page(template, &own, &common, &nav_units()?)?.map(|()| false)
                }
                _ => sink
                    .write(path, &render_page(template, &own, &common, &nav_units()?)?)
                    .map(|()| false),
            };
            written.map_err(|e| Diagnostic::error(path, format!("{e:#}")))
        })
        .collect();

    let mut diags = Diagnostics::new();
    let (mut pages, mut reused) = (0, 0);
    let mut seen_template_errors = std::collections::BTreeSet::new();
    for r in results {
        match r {
            Ok(hit) => {
                pages += 1;
                reused += usize::from(hit);
            }
            Err(d) => {
                // A broken template fails every page that uses it: report it once.
                if seen_template_errors.insert(d.headline()) {
                    diags.push(d);
                }
            }
        }
    }

    let mut files = 0;
    let mut write_errors = Vec::new();
    let mut write = |rel: &str, bytes: &[u8]| {
        files += 1;
        if let Err(e) = sink.write(rel, bytes) {
            write_errors.push(Diagnostic::error(rel, format!("{e:#}")));
        }
    };
    for (name, bytes) in &theme.static_files {
        write(&format!("static/{name}"), bytes);
    }
    let css = if site.highlighted {
        markdown::highlight::stylesheet()
    } else {
        "/* No code on this site is highlighted. */\n".to_string()
    };
    write("static/syntax.css", css.as_bytes());
    for t in &site.topics {
        for asset in &t.assets {
            match crate::fs::read_bytes(&site.root.join(asset)) {
                Ok(b) => {
                    let rel = asset.strip_prefix("content").unwrap_or(asset);
                    write(&rel.to_string_lossy().replace('\\', "/"), &b);
                }
                Err(e) => diags.push(Diagnostic::error(asset, format!("{e:#}"))),
            }
        }
    }
    copy_site_static(site, &mut write, &mut diags);
    for (rel, bytes) in crate::quiz::data_files(site) {
        write(&rel, &bytes);
    }
    diags.extend(write_errors);

    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(RenderReport {
            pages,
            files,
            reused,
        })
    }
}

fn copy_site_static(site: &Site, write: &mut dyn FnMut(&str, &[u8]), diags: &mut Diagnostics) {
    let dir = site.root.join("static");
    if !dir.is_dir() {
        return;
    }
    for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(Diagnostic::error("static", format!("cannot read: {e}")));
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy();
        if content::is_ignored_name(&name) && entry.depth() > 0 {
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(&site.root) else {
            continue;
        };
        match crate::fs::read_bytes(entry.path()) {
            Ok(b) => write(&rel.to_string_lossy().replace('\\', "/"), &b),
            Err(e) => diags.push(Diagnostic::error(rel, format!("{e:#}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn print_view_moves_unit_headings_one_level_down() {
        assert_eq!(
            demote_headings("<h1>a</h1><h2 id=\"x\">b</h2><p>h2</p><h5>c</h5><h6>d</h6>"),
            "<h2>a</h2><h3 id=\"x\">b</h3><p>h2</p><h6>c</h6><h6>d</h6>"
        );
    }

    #[test]
    fn relative_root_prefix_follows_the_page_depth() {
        assert_eq!(root_prefix("index.html"), "");
        assert_eq!(root_prefix("01-xuexi/index.html"), "../");
        assert_eq!(root_prefix("01-xuexi/yuanwen.html"), "../");
        assert_eq!(root_prefix("sessions/a/b.html"), "../../");
    }

    #[test]
    fn demote_headings_moves_every_heading_down_once() {
        let html = "<h1 id=\"a\">A</h1>\n<h2>B</h2><p>x<h<hr>&lt;h2&gt;</p><h5>E</h5><h6>F</h6>";
        assert_eq!(
            demote_headings(html),
            "<h2 id=\"a\">A</h2>\n<h3>B</h3><p>x<h<hr>&lt;h2&gt;</p><h6>E</h6><h6>F</h6>"
        );
    }

    #[test]
    fn line_of_key_finds_top_level_keys_only() {
        let text = "---\ntitle: a\nextra:\n  title: b\nkind: original\n---\n";
        assert_eq!(line_of_key(text, "title"), 2);
        assert_eq!(line_of_key(text, "kind"), 5);
        assert_eq!(line_of_key(text, "missing"), 1);
    }
}
