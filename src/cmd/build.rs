//! `studysite build`: the pipeline into a staged output folder, swapped in only when everything
//! succeeded.
//!
//! A build keeps a cache beside the site, in [`CACHE_DIR`] (never inside the output; the content
//! walk and the watcher skip hidden folders), and the next build starts from it unless
//! `--clean` is given. Packs, all keyed by content as `serve --watch`'s caches are (see
//! [`crate::cache`]), so no list of what depends on what is kept:
//!
//! - `markdown.bin` and `markdown-more.bin`: every rendered Markdown body by the BLAKE3 of its
//!   text (HTML, headings, text by section): a body that did not change is not parsed or
//!   highlighted again. The second pack holds what was rendered since the first was written,
//!   so an edit writes a few kilobytes, not the whole (see [`crate::markdown::pack`]). A
//!   pack is checked whole when the build starts, then each body is read from it only when
//!   met ([`crate::cache::PackIndex`]), so a build holds no more than a clean build does.
//! - `pages.bin`: every page's key (the hash of its template inputs, as in `serve`'s page
//!   cache) with its path and the [`crate::fs::Stamp`] of its file in the output: a page
//!   whose key is unchanged, and whose file is as the build left it, is hard-linked from the
//!   previous output into the new one instead of rendered and written.
//!
//! The search files are keyed like pages (a document chunk by its documents, an index shard
//! by its bytes); `pages.bin` also holds the search index's state
//! ([`crate::search::IndexState`]), so that after an edit only the index shards whose postings
//! changed are made again ([`crate::search::write_reusing`]).
//! The assets are written anew every time. While the pages render, every page's text waits
//! in a temporary file ([`crate::markdown::spill`]). A pack written by another
//! studysite binary, damaged or cut short is discarded with a warning; the packs together stay
//! under [`cache_limit`] bytes (what does not fit is left out and made again next time).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Result;

use super::pipeline::{self, BuildCache, Outcome, PipelineOptions};
use crate::cli::BuildArgs;
use crate::diag::{Diagnostic, Diagnostics};
use crate::markdown::{MarkdownPack, PackPaths, PackUpdate};
use crate::output::DiskOutput;
use crate::render::{OutputPages, RenderReport};

/// Where a build reads and writes, resolved from the command line.
#[derive(Debug, Clone)]
pub struct BuildPaths {
    pub root: PathBuf,
    pub out: PathBuf,
    /// Ignore the cache (`--clean`).
    pub clean: bool,
}

impl BuildPaths {
    /// The paths of the command line, resolved ([`crate::fs::resolve`]: absolute, links and
    /// `..` followed), so every decision below is made on where they really are.
    pub fn from_args(args: &BuildArgs) -> BuildPaths {
        let root = crate::fs::resolve(&args.root);
        let out = match &args.out {
            Some(o) => crate::fs::resolve(o),
            None => root.join("public"),
        };
        BuildPaths {
            root,
            out,
            clean: args.clean,
        }
    }
}

/// Where the output may not go: over the site or a folder holding it, or inside the sources,
/// whatever spelling or link leads there (both paths resolved, folders compared by identity).
fn check_out_dir(root: &Path, out: &Path) -> Option<Diagnostic> {
    let shown = crate::fs::shown(&out.display().to_string());
    if crate::fs::is_within(root, out) {
        return Some(Diagnostic::error(
            shown,
            format!(
                "--out must not be the site folder or a folder that contains it (the site is `{}`): the build replaces its output folder whole; choose a folder such as `public`",
                crate::fs::shown(&root.display().to_string())
            ),
        ));
    }
    let own = [crate::fs::OWN_DIR];
    for src in crate::fs::SOURCE_DIRS.iter().chain(&own) {
        if crate::fs::is_within(out, &root.join(src)) {
            return Some(Diagnostic::error(
                shown,
                format!(
                    "--out must not be inside `{src}/`: the build would read its own output; choose a folder such as `public`"
                ),
            ));
        }
    }
    None
}

/// The build cache's folder, relative to the site root.
pub const CACHE_DIR: &str = ".studysite/cache";

/// The most bytes the build cache may take: 1 GiB, or `STUDYSITE_CACHE_LIMIT` (bytes).
pub fn cache_limit() -> u64 {
    std::env::var("STUDYSITE_CACHE_LIMIT")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(1 << 30)
}

/// The cache of the build before, unless `--clean`; a discarded pack is a warning.
fn open_cache(paths: &BuildPaths, diags: &mut Diagnostics) -> BuildCache {
    let dir = paths.root.join(CACHE_DIR);
    let spill = crate::markdown::TextSpill::new();
    if paths.clean {
        return BuildCache {
            spill,
            ..BuildCache::default()
        };
    }
    let mut discarded = |path: &Path, why: String| {
        diags.push(Diagnostic::warning(
            path.display().to_string(),
            format!("the build cache was discarded, and is made again: {why}"),
        ));
    };
    let (markdown_pack, warnings) = MarkdownPack::open(&PackPaths::in_folder(&dir));
    for (path, why) in warnings {
        discarded(&path, why);
    }
    let pages_pack = dir.join(OutputPages::pack_name(&paths.out));
    let (pages, why) = OutputPages::load(&paths.out, &pages_pack);
    if let Some(why) = why {
        discarded(&pages_pack, why);
    }
    BuildCache {
        markdown: Default::default(),
        markdown_pack,
        pages,
        spill,
    }
}

/// Writes the rendered Markdown this build used into the cache (only what the packs lack,
/// [`crate::markdown::pack`]), then empties the table, so the build's own copies are the only
/// ones and can be freed once the pages are written.
fn save_markdown(paths: &BuildPaths, cache: &BuildCache, diags: &mut Diagnostics) {
    let dir = paths.root.join(CACHE_DIR);
    let pack = cache.markdown_pack.as_ref();
    let used = cache.markdown.used_entries();
    let update = match others_size(&dir, &[]) <= cache_limit() {
        true => crate::markdown::pack::update(pack, &used),
        // Over the bound (it was lowered): written again, within it.
        false => PackUpdate::Whole,
    };
    let limit = cache_limit().saturating_sub(others_size(&dir, PackPaths::written_by(update)));
    let saved = match update {
        PackUpdate::Nothing => Ok(0),
        _ => crate::fs::create_dir_all(&dir).and_then(|()| {
            let (packs, spill) = (PackPaths::in_folder(&dir), cache.spill.as_ref());
            crate::markdown::pack::save(&used, pack, update, &packs, limit, spill)
        }),
    };
    drop(used);
    cache.markdown.clear();
    if let Err(e) = saved {
        not_written(&dir, &e, diags);
    }
}

/// The bytes of every file in the cache folder `dir` but those named in `but`: what packs
/// written under those names must leave room for.
fn others_size(dir: &Path, but: &[&str]) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    (entries.filter_map(Result::ok))
        .filter(|e| !but.iter().any(|name| e.file_name() == *name))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

fn not_written(dir: &Path, e: &anyhow::Error, diags: &mut Diagnostics) {
    diags.push(Diagnostic::warning(
        dir.display().to_string(),
        format!("the build cache could not be written: {e:#}"),
    ));
}

/// Writes the pages of this build, as they are in the output now, into the cache, within what
/// the Markdown pack left of the bound.
fn save_pages(paths: &BuildPaths, cache: BuildCache, diags: &mut Diagnostics) {
    let dir = paths.root.join(CACHE_DIR);
    let pages_pack = OutputPages::pack_name(&paths.out);
    let limit = cache_limit().saturating_sub(others_size(&dir, &[&pages_pack]));
    let saved = crate::fs::create_dir_all(&dir)
        .and_then(|()| cache.pages.save(&paths.out, &dir.join(&pages_pack), limit));
    if let Err(e) = saved {
        not_written(&dir, &e, diags);
    }
}

/// Loads, renders and writes the site. Diagnostics (with warnings) are returned either way.
pub fn build_site(paths: &BuildPaths) -> Outcome<RenderReport> {
    let mut diags = Diagnostics::new();
    let report = build_into(paths, &mut diags);
    Outcome {
        made: report,
        diags,
    }
}

/// [`build_site`]'s steps; `None` at the first that failed (its problems in `diags`).
fn build_into(paths: &BuildPaths, diags: &mut Diagnostics) -> Option<RenderReport> {
    let out_error =
        |e: anyhow::Error| Diagnostic::error(paths.out.display().to_string(), format!("{e:#}"));
    if let Some(d) = check_out_dir(&paths.root, &paths.out) {
        diags.push(d);
        return None;
    }
    let cache = open_cache(paths, diags);
    let opts = PipelineOptions {
        build_cache: Some(&cache),
        ..PipelineOptions::default()
    };
    let mut run = pipeline::load(&paths.root, &opts);
    if !run.loaded() {
        diags.extend(run.diags.iter().cloned());
        return None;
    }
    save_markdown(paths, &cache, diags);
    let output = match DiskOutput::begin(&paths.out, &paths.root) {
        Ok(o) => o,
        Err(e) => {
            diags.extend(run.diags.iter().cloned());
            diags.push(out_error(e));
            return None;
        }
    };
    run.render(&output, &opts);
    diags.extend(run.diags.iter().cloned());
    let Some(report) = run.report else {
        output.abort();
        return None;
    };
    if let Err(e) = output.commit() {
        diags.push(out_error(e));
        return None;
    }
    save_pages(paths, cache, diags);
    Some(report)
}

pub fn run(args: BuildArgs) -> Result<u8> {
    let start = Instant::now();
    let paths = BuildPaths::from_args(&args);
    if let Some(refused) = check_out_dir(&paths.root, &paths.out) {
        // A mistake on the command line: nothing was read or written.
        eprintln!("{refused}");
        return Ok(crate::cli::EXIT_USAGE);
    }
    let Outcome { made, diags } = build_site(&paths);
    diags.print();
    match made {
        Some(report) => {
            let shown = paths
                .out
                .strip_prefix(std::env::current_dir().unwrap_or_default())
                .unwrap_or(&paths.out)
                .display()
                .to_string();
            let reused = match report.reused {
                0 => String::new(),
                n => format!("; {n} pages unchanged, from the cache"),
            };
            eprintln!(
                "built {} pages ({} files{reused}) in {:.2} s → {}",
                report.pages,
                report.pages + report.files,
                start.elapsed().as_secs_f64(),
                if shown.is_empty() { ".".into() } else { shown }
            );
            Ok(crate::cli::EXIT_OK)
        }
        None => {
            eprintln!("build failed: nothing was written; the previous output is unchanged");
            Ok(crate::cli::EXIT_CONTENT)
        }
    }
}
