//! What a run may reuse from the runs before it: the one seam for every cache, pack and
//! spill. `build`, `serve` and `check` each construct one [`Reuse`] and hand it to the
//! pipeline (`cmd::pipeline`), which asks it for what the load and render phases take; no
//! command reaches into a cache of its own.
//!
//! - [`Reuse::nothing`]: `check` (and `report`): everything read and rendered anew, nothing
//!   kept.
//! - [`Reuse::in_memory`]: `serve --watch`, from one rebuild to the next: source files by
//!   bytes, rendered Markdown by text, pages by their template inputs ([`crate::cache`]),
//!   swept after every good build ([`Reuse::sweep`]).
//! - [`Reuse::on_disk`]: `build`, from the cache folder beside the site ([`CACHE_DIR`], never
//!   inside the output; the content walk and the watcher skip hidden folders), unless
//!   `--clean`; written back after the build ([`Reuse::save_markdown`], [`Reuse::save_pages`]).
//!   Packs, all keyed by content as the in-memory caches are, so no list of what depends on
//!   what is kept:
//!   - `markdown.bin` and `markdown-more.bin`: every rendered Markdown body by the BLAKE3 of
//!     its text (HTML, headings, text by section): a body that did not change is not parsed or
//!     highlighted again. The second pack holds what was rendered since the first was written,
//!     so an edit writes a few kilobytes, not the whole (see [`crate::markdown::pack`]). A
//!     pack is checked whole when the build starts, then each body is read from it only when
//!     met ([`crate::cache::PackIndex`]), so a build holds no more than a clean build does.
//!   - `pages-<folder>.bin`: every page's key (the hash of its template inputs, as in
//!     `serve`'s page cache) with its path and the [`crate::fs::Stamp`] of its file in the
//!     output: a page whose key is unchanged, and whose file is as the build left it, is
//!     hard-linked from the previous output into the new one instead of rendered and written.
//!     The search files are keyed like pages (a document chunk by its documents, an index
//!     shard by its bytes); the pack also holds the search index's state
//!     ([`crate::search::IndexState`]), so that after an edit only the index shards whose
//!     postings changed are made again ([`crate::search::write_reusing`]).
//!
//!   While the pages render, every document's text waits in a temporary file
//!   ([`crate::markdown::spill`]); the type says so ([`crate::markdown::Rendered::parked`]).
//!   A pack written by another studysite binary, damaged or cut short is discarded with a
//!   warning; the packs together stay under [`cache_limit`] bytes (what does not fit is left
//!   out and made again next time).

use std::path::{Path, PathBuf};

use crate::content::SourceCache;
use crate::diag::{Diagnostic, Diagnostics};
use crate::load::LoadOptions;
use crate::markdown::{MarkdownPack, PackPaths, PackUpdate, RenderCache, TextSpill};
use crate::render::{OutputPages, PageCache, RenderOptions};

/// The build cache's folder, relative to the site root.
pub const CACHE_DIR: &str = ".studysite/cache";

/// The most bytes the build cache may take: 1 GiB, or `STUDYSITE_CACHE_LIMIT` (bytes).
pub fn cache_limit() -> u64 {
    std::env::var("STUDYSITE_CACHE_LIMIT")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(1 << 30)
}

/// What a run may reuse; see the module's documentation for the three kinds.
#[derive(Debug, Default)]
pub struct Reuse {
    /// `serve --watch`: the caches kept between rebuilds.
    memory: Option<MemoryCaches>,
    /// `build`: the packs of the build before, and where this build's go.
    disk: Option<DiskCache>,
}

/// What `serve --watch` keeps from one rebuild to the next.
#[derive(Debug, Default)]
struct MemoryCaches {
    sources: SourceCache,
    markdown: RenderCache,
    pages: PageCache,
}

/// What `build` reads from and writes to the cache folder beside the site.
#[derive(Debug)]
struct DiskCache {
    /// The cache folder.
    dir: PathBuf,
    /// The output folder (the pages pack is one per output folder).
    out: PathBuf,
    /// This build's rendered Markdown (what the next build's pack is written from).
    markdown: RenderCache,
    /// The build before's (`None` with `--clean`, or when there is none).
    markdown_pack: Option<MarkdownPack>,
    /// The previous output's pages (none with `--clean`).
    pages: OutputPages,
    /// Where the units' and topics' text waits, from the Markdown pass to the search index
    /// (none when no temporary file could be made: the text then stays in memory).
    spill: Option<TextSpill>,
}

impl Reuse {
    /// Nothing to reuse and nothing kept (`check`, `report`).
    pub fn nothing() -> Reuse {
        Reuse::default()
    }

    /// Caches kept in memory between runs (`serve --watch`).
    pub fn in_memory() -> Reuse {
        Reuse {
            memory: Some(MemoryCaches::default()),
            disk: None,
        }
    }

    /// `build`'s cache of the site at `root` building into `out`: the packs of the build
    /// before, unless `clean` (then none are read, and this build's are written all the same).
    /// A discarded pack is a warning in `diags`.
    pub fn on_disk(root: &Path, out: &Path, clean: bool, diags: &mut Diagnostics) -> Reuse {
        let dir = root.join(CACHE_DIR);
        let mut disk = DiskCache {
            dir: dir.clone(),
            out: out.to_path_buf(),
            markdown: RenderCache::default(),
            markdown_pack: None,
            pages: OutputPages::default(),
            spill: TextSpill::new(),
        };
        if !clean {
            let mut discarded = |path: &Path, why: String| {
                diags.push(Diagnostic::warning(
                    path.display().to_string(),
                    format!("the build cache was discarded, and is made again: {why}"),
                ));
            };
            let (pack, warnings) = MarkdownPack::open(&PackPaths::in_folder(&dir));
            for (path, why) in warnings {
                discarded(&path, why);
            }
            disk.markdown_pack = pack;
            let pages_pack = dir.join(OutputPages::pack_name(out));
            let (pages, why) = OutputPages::load(out, &pages_pack);
            if let Some(why) = why {
                discarded(&pages_pack, why);
            }
            disk.pages = pages;
        }
        Reuse {
            memory: None,
            disk: Some(disk),
        }
    }

    /// What the load phase may take from this.
    pub fn load_options(&self) -> LoadOptions<'_> {
        let disk = self.disk.as_ref();
        LoadOptions {
            source_cache: self.memory.as_ref().map(|m| &m.sources),
            markdown_cache: (self.memory.as_ref().map(|m| &m.markdown))
                .or(disk.map(|d| &d.markdown)),
            markdown_pack: disk.and_then(|d| d.markdown_pack.as_ref()),
            text_spill: self.spill(),
        }
    }

    /// What the render phase may take from this.
    pub fn render_options(&self) -> RenderOptions<'_> {
        RenderOptions {
            page_cache: self.memory.as_ref().map(|m| &m.pages),
            output_pages: self.disk.as_ref().map(|d| &d.pages),
        }
    }

    /// Where the documents' text is parked while the pages render (`build` only).
    pub fn spill(&self) -> Option<&TextSpill> {
        self.disk.as_ref().and_then(|d| d.spill.as_ref())
    }

    /// Drops what the last good build did not use (`serve --watch`; nothing otherwise).
    pub fn sweep(&self) {
        if let Some(m) = &self.memory {
            m.sources.sweep();
            m.markdown.sweep();
            m.pages.sweep();
        }
    }

    /// Writes the rendered Markdown this build used into the cache (only what the packs lack,
    /// [`crate::markdown::pack`]), then empties the table, so the build's own copies are the
    /// only ones and can be freed once the pages are written. Nothing unless [`Reuse::on_disk`].
    pub fn save_markdown(&self, diags: &mut Diagnostics) {
        let Some(disk) = &self.disk else { return };
        let dir = &disk.dir;
        let pack = disk.markdown_pack.as_ref();
        let used = disk.markdown.used_entries();
        let update = match others_size(dir, &[]) <= cache_limit() {
            true => crate::markdown::pack::update(pack, &used),
            // Over the bound (it was lowered): written again, within it.
            false => PackUpdate::Whole,
        };
        let limit = cache_limit().saturating_sub(others_size(dir, PackPaths::written_by(update)));
        let saved = match update {
            PackUpdate::Nothing => Ok(0),
            _ => crate::fs::create_dir_all(dir).and_then(|()| {
                let (packs, spill) = (PackPaths::in_folder(dir), disk.spill.as_ref());
                crate::markdown::pack::save(&used, pack, update, &packs, limit, spill)
            }),
        };
        drop(used);
        disk.markdown.clear();
        if let Err(e) = saved {
            not_written(dir, &e, diags);
        }
    }

    /// Writes the pages of this build, as they are in the output now (after it was swapped
    /// in), into the cache, within what the Markdown pack left of the bound. Nothing unless
    /// [`Reuse::on_disk`].
    pub fn save_pages(self, diags: &mut Diagnostics) {
        let Some(disk) = self.disk else { return };
        let pages_pack = OutputPages::pack_name(&disk.out);
        let limit = cache_limit().saturating_sub(others_size(&disk.dir, &[&pages_pack]));
        let saved = crate::fs::create_dir_all(&disk.dir)
            .and_then(|()| (disk.pages).save(&disk.out, &disk.dir.join(&pages_pack), limit));
        if let Err(e) = saved {
            not_written(&disk.dir, &e, diags);
        }
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
