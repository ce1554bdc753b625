//! Finding and reading the site's source files — `content/<topic>/_index.md`, units,
//! `content/sessions/*.md` — into a [`Library`]: typed front matter ([`schema`]) plus Markdown
//! bodies, in folder and file-name order; and the question banks of topic folders
//! (`<topic>/<name>.xlsx|csv`, [`bank`]) and the workbooks of `content/sessions/` (sessions and
//! rosters, [`workbook`]) as rows of cells.
//!
//! This is the first half of loading: it walks folders, reads files and parses YAML, nothing
//! more (the model is made from the library by `load`). Every problem becomes a [`Diagnostic`]
//! and the walk goes on, so one run reports all of them.

pub mod bank;
pub mod front_matter;
pub mod schema;
pub mod workbook;

use std::any::Any;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::de::DeserializeOwned;

use crate::diag::{Diagnostic, Diagnostics};
use crate::fs::{EntryKind, ReadTextError, decode_text, is_ignored_name};

pub use bank::{BankCell, BankRow, BankSource, CellPos};
pub use schema::{
    BlockSource, Kind, QuestionSource, SessionFrontMatter, TopicFrontMatter, UnitFrontMatter,
};
pub use workbook::{SessionBook, SheetSource};

/// The folder below `content/` that holds training sessions, not a topic.
pub const SESSIONS_DIR: &str = "sessions";

/// One source file read and split: its text, front matter and body.
#[derive(Debug, Clone)]
pub struct SourceFile<F> {
    /// Path relative to the site root, e.g. `content/01-xuexi/yuanwen.md`.
    pub path: PathBuf,
    /// The slug: the file (or, for `_index.md`, folder) name.
    pub slug: String,
    /// The whole text (for snippets in later diagnostics).
    pub text: String,
    pub front: F,
    /// Byte offset of the body in `text`.
    pub body_offset: usize,
    pub body_first_line: usize,
    /// Line where the front matter's YAML starts.
    pub yaml_first_line: usize,
}

impl<F> SourceFile<F> {
    pub fn body(&self) -> &str {
        &self.text[self.body_offset..]
    }
}

/// A topic folder with its `_index.md` and units (in file-name order; the model sorts).
#[derive(Debug, Clone)]
pub struct TopicSource {
    pub slug: String,
    /// `content/<slug>`, relative to the root.
    pub dir: PathBuf,
    pub index: SourceFile<TopicFrontMatter>,
    pub units: Vec<SourceFile<UnitFrontMatter>>,
    /// The question banks (`<name>.xlsx`, `.csv`…), read; each is a unit (with the `.md` of
    /// the same name, when there is one). They are sources, not copied to the output.
    pub banks: Vec<BankSource>,
    /// Other files in the folder (images…), relative to the root; copied beside the pages.
    pub assets: Vec<PathBuf>,
}

/// A session file split at its fences; the sessions feature parses its front matter
/// ([`SessionFrontMatter`]) and reports what it finds at file-absolute lines.
#[derive(Debug, Clone)]
pub struct RawFile {
    pub path: PathBuf,
    pub slug: String,
    pub text: String,
    pub yaml_first_line: usize,
    pub yaml_range: std::ops::Range<usize>,
    pub body_offset: usize,
    pub body_first_line: usize,
}

impl RawFile {
    pub fn yaml(&self) -> &str {
        &self.text[self.yaml_range.clone()]
    }
    pub fn body(&self) -> &str {
        &self.text[self.body_offset..]
    }
}

/// Everything found under `content/`.
#[derive(Debug, Clone, Default)]
pub struct Library {
    pub topics: Vec<TopicSource>,
    pub sessions: Vec<RawFile>,
    /// The workbooks of `content/sessions/` (sessions with their `.md`, and rosters).
    pub session_books: Vec<SessionBook>,
}

/// Makes a slug from a file or folder name: ASCII letters lower-cased, spaces to `-`.
/// Returns an error message when the name holds characters that break links.
pub fn slug_from_name(name: &str) -> Result<String, String> {
    let slug: String = name
        .trim()
        .chars()
        .map(|c| {
            if c == ' ' {
                '-'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    if slug.is_empty() {
        return Err("an empty name cannot be a slug".into());
    }
    if let Some(bad) = slug.chars().find(|c| {
        matches!(
            c,
            '#' | '?' | '%' | '/' | '\\' | '"' | '\'' | '<' | '>' | '&'
        ) || c.is_control()
    }) {
        return Err(format!(
            "the name `{name}` contains `{bad}`, which cannot be part of a link; use letters, digits and `-`"
        ));
    }
    Ok(slug)
}

fn read_source(root: &Path, rel: &Path, diags: &mut Vec<Diagnostic>) -> Option<Vec<u8>> {
    match std::fs::read(root.join(rel)) {
        Ok(b) => Some(b),
        Err(e) => {
            diags.push(Diagnostic::error(rel, format!("cannot read the file: {e}")));
            None
        }
    }
}

fn decode_source(rel: &Path, bytes: Vec<u8>, diags: &mut Vec<Diagnostic>) -> Option<String> {
    match decode_text(bytes) {
        Ok(t) => Some(t),
        Err(ReadTextError::NotUtf8 { line, column }) => {
            let mut d = Diagnostic::error(rel, "the file is not UTF-8 text: save it as UTF-8");
            d.line = Some(line);
            d.column = Some(column);
            diags.push(d);
            None
        }
        Err(ReadTextError::Io(e)) => {
            diags.push(Diagnostic::error(rel, format!("cannot read the file: {e}")));
            None
        }
    }
}

/// Parsed source files of earlier loads, by the BLAKE3 of their front matter type, path, slug
/// and bytes (`serve --watch`): a file whose bytes did not change is not decoded or parsed
/// again. See [`crate::cache`].
pub type SourceCache = crate::cache::Cache<Arc<dyn Any + Send + Sync>>;

/// Reads and parses one Markdown source file with front matter of type `F`, through `cache`
/// when there is one.
pub fn load_file<F>(
    root: &Path,
    rel: &Path,
    slug: String,
    cache: Option<&SourceCache>,
) -> Result<SourceFile<F>, Vec<Diagnostic>>
where
    F: DeserializeOwned + Clone + Send + Sync + 'static,
{
    let mut diags = Vec::new();
    let Some(bytes) = read_source(root, rel, &mut diags) else {
        return Err(diags);
    };
    let Some(cache) = cache else {
        return parse_file(rel, slug, bytes);
    };
    let mut hasher = blake3::Hasher::new();
    for part in [
        std::any::type_name::<F>().as_bytes(),
        rel.as_os_str().as_encoded_bytes(),
        slug.as_bytes(),
    ] {
        hasher.update(part).update(b"\0");
    }
    let key = hasher.update(&bytes).finalize();
    if let Some(hit) = cache.get(&key)
        && let Some(file) = hit.downcast_ref::<SourceFile<F>>()
    {
        return Ok(file.clone());
    }
    let file = parse_file::<F>(rel, slug, bytes)?;
    cache.insert(key, Arc::new(file.clone()));
    Ok(file)
}

fn parse_file<F: DeserializeOwned>(
    rel: &Path,
    slug: String,
    bytes: Vec<u8>,
) -> Result<SourceFile<F>, Vec<Diagnostic>> {
    let raw = raw_file(rel, slug, bytes)?;
    let front: F = match crate::yaml::parse(raw.yaml(), raw.yaml_first_line, &raw.text, rel) {
        Ok(f) => f,
        Err(mut d) => {
            d.message = crate::yaml::friendlier_at(&d.message, d.source_line.as_deref());
            if d.message.starts_with("missing required key") {
                // The parser points past the mapping; the front matter as a whole lacks it.
                d = Diagnostic::error(rel, d.message).at_line(&raw.text, 1);
            }
            return Err(vec![d]);
        }
    };
    Ok(SourceFile {
        path: raw.path,
        slug: raw.slug,
        text: raw.text,
        front,
        body_offset: raw.body_offset,
        body_first_line: raw.body_first_line,
        yaml_first_line: raw.yaml_first_line,
    })
}

/// Reads a file and splits off its front matter without parsing it (sessions parse their own).
pub fn load_raw(root: &Path, rel: &Path, slug: String) -> Result<RawFile, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let Some(bytes) = read_source(root, rel, &mut diags) else {
        return Err(diags);
    };
    raw_file(rel, slug, bytes)
}

fn raw_file(rel: &Path, slug: String, bytes: Vec<u8>) -> Result<RawFile, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let Some(text) = decode_source(rel, bytes, &mut diags) else {
        return Err(diags);
    };
    let split = match front_matter::split(&text) {
        Ok(s) => s,
        Err(e) => return Err(vec![Diagnostic::error(rel, e.message()).at(&text, 1, 1)]),
    };
    let yaml_start = split.yaml.as_ptr() as usize - text.as_ptr() as usize;
    let yaml_range = yaml_start..yaml_start + split.yaml.len();
    let (yaml_first_line, body_first_line) = (split.yaml_first_line, split.body_first_line);
    let body_offset = text.len() - split.body.len();
    Ok(RawFile {
        path: rel.to_path_buf(),
        slug,
        yaml_first_line,
        yaml_range,
        body_offset,
        body_first_line,
        text,
    })
}

/// The name of `entry` (in the folder `rel_dir` of the site at `root`) and what it is, or
/// `None` when it is not read: an ignored name quietly; a name that is not UTF-8, or a link
/// out of the site or to nothing, with a warning naming it ([`crate::fs::site_entry`]).
fn site_name(
    root: &Path,
    entry: &std::fs::DirEntry,
    rel_dir: &Path,
    diags: &mut Diagnostics,
) -> Option<(String, EntryKind)> {
    let file_name = entry.file_name();
    let name = match crate::fs::name_text(&file_name) {
        Ok(n) => n.to_string(),
        Err(why) => {
            let shown = crate::fs::shown(&file_name.to_string_lossy());
            diags.push(Diagnostic::warning(rel_dir.join(shown), why));
            return None;
        }
    };
    if is_ignored_name(&name) {
        return None;
    }
    match crate::fs::site_entry(root, &entry.path()) {
        Ok(kind) => Some((name, kind)),
        Err(why) => {
            diags.push(Diagnostic::warning(rel_dir.join(&name), why));
            None
        }
    }
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<std::fs::DirEntry>> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    Ok(entries)
}

/// What one topic folder holds, before anything is read: found in order, read in parallel.
struct TopicPlan {
    slug: String,
    dir: PathBuf,
    units: Vec<(PathBuf, String)>,
    banks: Vec<(PathBuf, String)>,
    assets: Vec<PathBuf>,
}

/// What one folder holds: Markdown files and question banks (with their slugs), other files.
#[derive(Default)]
struct FolderFiles {
    md: Vec<(PathBuf, String)>,
    banks: Vec<(PathBuf, String)>,
    assets: Vec<PathBuf>,
}

/// What a walk of `content/` found to read: the topic folders, and the session files.
#[derive(Default)]
struct Plan {
    topics: Vec<TopicPlan>,
    sessions: Vec<(PathBuf, String)>,
    books: Vec<workbook::BookPlan>,
}

/// Walks `root/content` and loads every topic, unit and session, through `cache` when there is
/// one. Problems go into `diags`.
pub fn load(root: &Path, cache: Option<&SourceCache>, diags: &mut Diagnostics) -> Library {
    let plan = plan(root, diags);
    let mut library = Library {
        topics: read_topics(root, plan.topics, cache, diags),
        sessions: Vec::new(),
        session_books: Vec::new(),
    };
    for (path, slug) in plan.sessions {
        match load_raw(root, &path, slug) {
            Ok(f) => library.sessions.push(f),
            Err(ds) => diags.extend(ds),
        }
    }
    for book in plan.books {
        let (book, ds) = workbook::read_book(root, book);
        diags.extend(ds);
        library.session_books.extend(book);
    }
    if library.topics.is_empty() && !diags.has_errors() {
        diags.push(Diagnostic::error(
            "content",
            "`content/` holds no topics: add a folder such as `content/01-xuexi/` with an `_index.md` and a unit (or run `studysite init DIR` for a sample site)",
        ));
    }
    library
}

/// Lists what `content/` holds, in name order, without reading any file: cheap, and the
/// order every later step keeps.
fn plan(root: &Path, diags: &mut Diagnostics) -> Plan {
    let content = root.join("content");
    let mut plan = Plan::default();
    if !content.is_dir() {
        diags.push(Diagnostic::error(
            "content",
            "there is no `content/` folder: create one with a topic folder such as `content/01-xuexi/_index.md` (or run `studysite init DIR` for a sample site)",
        ));
        return plan;
    }
    let entries = match sorted_entries(&content) {
        Ok(e) => e,
        Err(e) => {
            diags.push(Diagnostic::error(
                "content",
                format!("cannot read the folder: {e}"),
            ));
            return plan;
        }
    };
    for entry in entries {
        let Some((name, kind)) = site_name(root, &entry, Path::new("content"), diags) else {
            continue;
        };
        let rel = Path::new("content").join(&name);
        let is_dir = kind == EntryKind::Dir;
        if !is_dir {
            if name.ends_with(".md") {
                diags.push(Diagnostic::error(
                    &rel,
                    "a unit must be inside a topic folder: move it to `content/<topic>/` (each topic folder has an `_index.md`)",
                ));
            }
            continue;
        }
        if name == SESSIONS_DIR {
            let mut files = folder_files(root, &rel, true, diags);
            plan.books = workbook::plan_books(&mut files.md, files.banks);
            plan.sessions.extend(files.md);
            continue;
        }
        let slug = match slug_from_name(&name) {
            Ok(s) => s,
            Err(msg) => {
                diags.push(Diagnostic::error(&rel, msg));
                continue;
            }
        };
        let files = folder_files(root, &rel, true, diags);
        plan.topics.push(TopicPlan {
            slug,
            dir: rel,
            units: files.md,
            banks: files.banks,
            assets: files.assets,
        });
    }
    plan
}

/// Reads and parses every planned topic (its `_index.md` and units) in parallel; a topic
/// without a readable `_index.md` is reported and left out.
fn read_topics(
    root: &Path,
    plans: Vec<TopicPlan>,
    cache: Option<&SourceCache>,
    diags: &mut Diagnostics,
) -> Vec<TopicSource> {
    let results: Vec<(Option<TopicSource>, Vec<Diagnostic>)> = plans
        .into_par_iter()
        .map(|plan| read_topic(root, plan, cache))
        .collect();
    let mut topics = Vec::with_capacity(results.len());
    for (topic, local) in results {
        diags.extend(local);
        topics.extend(topic);
    }
    topics
}

fn read_topic(
    root: &Path,
    plan: TopicPlan,
    cache: Option<&SourceCache>,
) -> (Option<TopicSource>, Vec<Diagnostic>) {
    let mut local = Vec::new();
    let index_rel = plan.dir.join("_index.md");
    let index_kind = crate::fs::site_entry(root, &root.join(&index_rel));
    let index = if index_kind == Ok(EntryKind::File) {
        match load_file::<TopicFrontMatter>(root, &index_rel, plan.slug.clone(), cache) {
            Ok(f) => Some(f),
            Err(ds) => {
                local.extend(ds);
                None
            }
        }
    } else {
        local.push(Diagnostic::error(
            &plan.dir,
            format!(
                "the topic folder `{}/` has no `_index.md`: create it with front matter such as `title: 第一　…` and `weight: 1`",
                plan.dir.display()
            ),
        ));
        None
    };
    let results: Vec<_> = plan
        .units
        .par_iter()
        .map(|(path, slug)| load_file::<UnitFrontMatter>(root, path, slug.clone(), cache))
        .collect();
    let mut units = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(u) => units.push(u),
            Err(ds) => local.extend(ds),
        }
    }
    let read: Vec<_> = plan
        .banks
        .par_iter()
        .map(|(path, slug)| {
            let mut d = Vec::new();
            match read_source(root, path, &mut d) {
                Some(bytes) => bank::load_bank(path, slug.clone(), &bytes),
                None => (None, d),
            }
        })
        .collect();
    let mut banks = Vec::with_capacity(read.len());
    for (b, ds) in read {
        local.extend(ds);
        banks.extend(b);
    }
    let topic = index.map(|index| TopicSource {
        slug: plan.slug,
        dir: plan.dir,
        index,
        units,
        banks,
        assets: plan.assets,
    });
    (topic, local)
}

/// The `.md` files (with slugs), spreadsheets (when `banks`: question banks in a topic folder,
/// workbooks in the sessions folder) and other
/// files of one folder; reports nested folders and names that cannot be slugs.
fn folder_files(root: &Path, rel_dir: &Path, banks: bool, diags: &mut Diagnostics) -> FolderFiles {
    let mut files = FolderFiles::default();
    let entries = match sorted_entries(&root.join(rel_dir)) {
        Ok(e) => e,
        Err(e) => {
            diags.push(Diagnostic::error(
                rel_dir,
                format!("cannot read the folder: {e}"),
            ));
            return files;
        }
    };
    for entry in entries {
        let Some((name, kind)) = site_name(root, &entry, rel_dir, diags) else {
            continue;
        };
        if name == "_index.md" || kind == EntryKind::Other {
            continue;
        }
        let rel = rel_dir.join(&name);
        if kind == EntryKind::Dir {
            diags.push(Diagnostic::error(
                &rel,
                "folders inside a topic are not supported: put units directly in the topic folder",
            ));
            continue;
        }
        let (stem, list) = match (name.strip_suffix(".md"), bank::bank_stem(&name)) {
            (Some(stem), _) => (stem, &mut files.md),
            (None, Some(stem)) if banks => (stem, &mut files.banks),
            _ => {
                files.assets.push(rel);
                continue;
            }
        };
        match slug_from_name(stem) {
            Ok(slug) if slug == "index" => diags.push(Diagnostic::error(
                &rel,
                if rel_dir.ends_with(SESSIONS_DIR) {
                    "`index` is reserved for the list of sessions: rename the file"
                } else {
                    "`index` is reserved for the topic page: rename the file"
                },
            )),
            Ok(slug) => list.push((rel, slug)),
            Err(msg) => diags.push(Diagnostic::error(&rel, msg)),
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_from_names() {
        assert_eq!(slug_from_name("01-XueXi").unwrap(), "01-xuexi");
        assert_eq!(slug_from_name("my unit").unwrap(), "my-unit");
        assert_eq!(slug_from_name("原文").unwrap(), "原文");
        assert!(slug_from_name("a#b").is_err());
        assert!(slug_from_name("50%").is_err());
    }
}
