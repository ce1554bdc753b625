//! The one pipeline every command that reads a site runs: load the model, load the theme,
//! render every page into a sink, free the pages' HTML (`build` parked the text meanwhile:
//! [`crate::markdown::spill`]), then make the search index — each step
//! only when the ones before it succeeded. `build` runs it into its staged output folder,
//! `check` into a sink that discards (without the search index: nothing in it can fail on
//! content), `serve` into memory (through its caches, with the search index made after the
//! pages have reloaded).

use std::path::Path;
use std::time::Instant;

use crate::content::SourceCache;
use crate::diag::Diagnostics;
use crate::load::{LoadOptions, load_site_keeping_errors};
use crate::markdown::{MarkdownPack, RenderCache, TextSpill};
use crate::model::Site;
use crate::output::Sink;
use crate::render::{
    OutputPages, PageCache, RenderOptions, RenderReport, render_with, write_search,
};
use crate::templates::Theme;

/// What a run may reuse from the runs before it: owned by `serve --watch`'s rebuild loop,
/// swept after every good build.
#[derive(Debug, Default)]
pub struct Caches {
    pub sources: SourceCache,
    pub markdown: RenderCache,
    pub pages: PageCache,
}

impl Caches {
    /// Drops what the last good build did not use.
    pub fn sweep(&self) {
        self.sources.sweep();
        self.markdown.sweep();
        self.pages.sweep();
    }
}

/// What `build` reuses from the build before it, read from and written to the cache beside
/// the site (`cmd::build`): rendered Markdown, and the previous output's pages.
#[derive(Debug, Default)]
pub struct BuildCache {
    /// This build's rendered Markdown (what the next build's pack is written from).
    pub markdown: RenderCache,
    /// The build before's.
    pub markdown_pack: Option<MarkdownPack>,
    pub pages: OutputPages,
    /// Where the units' and topics' text waits, from the Markdown pass to the search index
    /// (none when no temporary file could be made: the text then stays in memory).
    pub spill: Option<TextSpill>,
}

/// What becomes of the search index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchIndex {
    /// Written into the sink after the pages.
    #[default]
    Write,
    /// Left out: the caller makes it later from [`Run::site`].
    Defer,
    /// Not made at all (`check`).
    Skip,
}

/// How [`run`] runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct PipelineOptions<'a> {
    pub caches: Option<&'a Caches>,
    /// `build`'s cache (when `caches` is given, this is not used).
    pub build_cache: Option<&'a BuildCache>,
    pub search: SearchIndex,
}

impl<'a> PipelineOptions<'a> {
    /// `build`'s cache, unless `serve`'s caches are given (they take its place).
    fn build_cache(&self) -> Option<&'a BuildCache> {
        self.build_cache.filter(|_| self.caches.is_none())
    }
}

/// Where a run's time went, in milliseconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Phases {
    /// Reading and checking the sources, and the theme.
    pub load: u128,
    /// Rendering every page and file (and the search index, when written).
    pub render: u128,
    /// `serve`: hashing the files for the server (0 for the others).
    pub index: u128,
}

/// What a command's run of the pipeline gave: what it made, when every step succeeded, and
/// every problem (errors and warnings) either way.
#[derive(Debug)]
pub struct Outcome<T> {
    pub made: Option<T>,
    pub diags: Diagnostics,
}

impl<T> Outcome<T> {
    /// A run that made nothing, for these problems.
    pub fn failed(diags: Diagnostics) -> Outcome<T> {
        Outcome { made: None, diags }
    }
}

/// What a run did.
pub struct Run {
    /// The model, whenever `site.yaml` could be read, even when the content has errors (what
    /// `check` prints its sessions' figures from; what a deferred search index is made from).
    pub site: Option<Site>,
    /// The theme, once the model has no errors and the theme loaded: the run is ready to
    /// render.
    theme: Option<Theme>,
    /// What was written, when every step succeeded.
    pub report: Option<RenderReport>,
    pub phases: Phases,
    /// Every problem, errors and warnings.
    pub diags: Diagnostics,
}

impl Run {
    /// The theme this run loaded (for a caller that renders more with it, such as
    /// `serve --collect`'s report page), taking it out of the run.
    pub fn take_theme(&mut self) -> Option<Theme> {
        self.theme.take()
    }

    /// Whether the model and the theme loaded without errors, so that [`Run::render`] can go on.
    pub fn loaded(&self) -> bool {
        self.theme.is_some()
    }

    /// Renders a loaded run into `sink`: the pages and files, then (with the pages' HTML
    /// freed) the search index. Does nothing when the run did not load.
    pub fn render(&mut self, sink: &dyn Sink, opts: &PipelineOptions<'_>) {
        let (Some(theme), Some(site)) = (self.theme.as_ref(), self.site.as_mut()) else {
            return;
        };
        let t = Instant::now();
        match render_all(site, theme, sink, opts) {
            Ok(mut report) => {
                self.diags.extend(std::mem::take(&mut report.warnings));
                self.report = Some(report);
            }
            Err(ds) => self.diags.extend(ds.iter().cloned()),
        }
        self.phases.render = t.elapsed().as_millis();
    }
}

/// Loads the site at `root` and writes it into `sink`.
pub fn run(root: &Path, sink: &dyn Sink, opts: &PipelineOptions<'_>) -> Run {
    let mut run = load(root, opts);
    run.render(sink, opts);
    run
}

/// The first half of [`run`]: the model, and the theme when the model has no errors. `build`
/// opens its output only once this succeeded.
pub fn load(root: &Path, opts: &PipelineOptions<'_>) -> Run {
    let t = Instant::now();
    let load = LoadOptions {
        source_cache: opts.caches.map(|c| &c.sources),
        markdown_cache: (opts.caches.map(|c| &c.markdown))
            .or(opts.build_cache().map(|c| &c.markdown)),
        markdown_pack: opts.build_cache().and_then(|c| c.markdown_pack.as_ref()),
        text_spill: opts.build_cache().and_then(|c| c.spill.as_ref()),
    };
    let (site, mut diags) = load_site_keeping_errors(root, &load);
    let theme = match site.as_ref().filter(|_| !diags.has_errors()) {
        Some(site) => match Theme::load(root, &site.config) {
            Ok(mut theme) => {
                diags.extend(std::mem::take(&mut theme.warnings));
                Some(theme)
            }
            Err(ds) => {
                diags.extend(ds);
                None
            }
        },
        None => None,
    };
    Run {
        site,
        theme,
        report: None,
        phases: Phases {
            load: t.elapsed().as_millis(),
            ..Phases::default()
        },
        diags,
    }
}

/// The pages and files, then (with the pages' HTML freed) the search index.
fn render_all(
    site: &mut Site,
    theme: &Theme,
    sink: &dyn Sink,
    opts: &PipelineOptions<'_>,
) -> Result<RenderReport, Diagnostics> {
    let render_opts = RenderOptions {
        page_cache: opts.caches.map(|c| &c.pages),
        output_pages: opts.build_cache().map(|c| &c.pages),
    };
    let mut report = render_with(site, theme, sink, &render_opts)?;
    site.release_body_html();
    if opts.search == SearchIndex::Write {
        let spill = opts.build_cache().and_then(|c| c.spill.as_ref());
        report.files += write_search(site, sink, render_opts.output_pages, spill)?;
    }
    Ok(report)
}
