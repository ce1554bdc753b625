//! Rendering: the model into pages through the theme, and every file into a
//! [`crate::output::Sink`] as soon as it is made, so `build` never holds every rendered page at
//! once.
//!
//! [`render_with`] runs named steps, in the manner of zola's `Site::build`: what every page
//! shares is made into template values once ([`Shared`]); the features add their pages
//! ([`feature_pages`]); every page becomes a [`page::Job`]; the jobs are rendered in parallel
//! ([`Renderer::page`], through the page cache when `serve --watch` gives one); the results are
//! tallied, a broken template reported once; then the files that are not pages are written
//! ([`files::write_files`]). The search index is written separately, last ([`write_search`]):
//! `build` frees the pages' HTML first, `serve --watch` reloads the pages first.

mod files;
mod nav;
mod page;
mod page_cache;

pub use nav::root_prefix;
pub use page_cache::{OutputPages, PageCache};

use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::Site;
use crate::output::Sink;
use crate::templates::Theme;
use crate::view::{self, FeaturePage};
use nav::NavEntries;
use page::{Job, PageKeys, PageSpec};
use page_cache::{PageInput, hash_of};

/// What a render wrote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RenderReport {
    pub pages: usize,
    pub files: usize,
    /// Pages taken unchanged from [`RenderOptions::page_cache`].
    pub reused: usize,
    /// What was not written and why, when the render succeeded (a link out of the site in
    /// `static/`): for the command to report.
    #[serde(skip)]
    pub warnings: Vec<Diagnostic>,
}

/// What [`render_with`] reuses.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions<'a> {
    /// Pages of earlier builds: a page whose inputs did not change is not rendered again.
    pub page_cache: Option<&'a PageCache>,
    /// Pages of the previous `build` on disk, under the same keys: a page whose inputs did not
    /// change is linked from the previous output.
    pub output_pages: Option<&'a OutputPages>,
}

impl RenderOptions<'_> {
    /// Whether pages need their keys.
    fn keyed(&self) -> bool {
        self.page_cache.is_some() || self.output_pages.is_some()
    }
}

/// Pages expected to be larger than this are rendered straight into their file.
const STREAM_OVER: usize = 1 << 20;

/// Renders every page and asset of `site` into `sink`, all but the search index. All problems
/// are collected.
pub fn render(site: &Site, theme: &Theme, sink: &dyn Sink) -> Result<RenderReport, Diagnostics> {
    render_with(site, theme, sink, &RenderOptions::default())
}

/// [`render`] with options.
pub fn render_with(
    site: &Site,
    theme: &Theme,
    sink: &dyn Sink,
    opts: &RenderOptions<'_>,
) -> Result<RenderReport, Diagnostics> {
    let site_view = view::site_view(site);
    let nav = view::nav(site);
    let t_quiz = view::strings_with(&theme.strings, &["quiz_", "progress_"]);
    let t_aloud = view::strings_with(&theme.strings, &["aloud_"]);
    let keys = view::SharedKeys {
        site: &site_view,
        t: &theme.strings,
        t_quiz: &t_quiz,
        t_aloud: &t_aloud,
        nav: &nav,
        links: view::SiteLinks {
            final_quiz: site.question_count(0..site.units.len()) > 0,
            sessions: !site.sessions.is_empty(),
        },
    };
    let shared = Shared::new(theme, &keys, opts)?;
    let nav_views: Vec<view::NavUnit> = site.units.iter().map(view::nav_unit).collect();
    let features = feature_pages(site, theme);
    let print_paths: Vec<String> = (site.topics.iter())
        .map(|t| format!("{}/print.html", t.slug))
        .collect();
    let renderer = Renderer {
        site,
        theme,
        sink,
        opts,
        shared: &shared,
        nav_views: &nav_views,
        nav_entries: NavEntries::new(theme, &shared.context, &nav_views),
        print_paths: &print_paths,
        one_print: Mutex::new(()),
    };
    let results: Vec<Result<bool, Diagnostic>> = page::jobs(site, &features)
        .par_iter()
        .map(|job| renderer.page(job))
        .collect();
    let (mut report, mut diags) = tally(results);
    report.files = files::write_files(site, theme, sink, &mut diags);
    if diags.has_errors() {
        Err(diags)
    } else {
        report.warnings = diags.iter().cloned().collect();
        Ok(report)
    }
}

/// Writes the search index of `site` into `sink`; returns how many files it has, or a problem
/// for every file that could not be written. With the previous build's pages (`reuse`), each
/// search file that would be what that build wrote is linked from its output, and only the
/// index shards an edit changed are made ([`crate::search::write_reusing`]). The bodies' text
/// parked in `spill` is read back for what is made.
pub fn write_search(
    site: &Site,
    sink: &dyn Sink,
    reuse: Option<&OutputPages>,
    spill: Option<&crate::markdown::TextSpill>,
) -> Result<usize, Diagnostics> {
    use crate::search::FileBytes;
    let failed = Mutex::new(Vec::new());
    let file = |key: &blake3::Hash, path: &str| reuse.and_then(|pages| pages.reuse(key, path));
    let previous = reuse.map(|pages| crate::search::Reuse {
        state: pages.search_state(),
        file: &file,
    });
    let put = |path: &str, key: &blake3::Hash, bytes: FileBytes<'_>| {
        if let Some(pages) = reuse {
            pages.record(*key, path);
        }
        let written = match bytes {
            FileBytes::New(b) => sink.write(path, b),
            FileBytes::Previous(p) => sink.link(path, p),
        };
        if let Err(e) = written {
            let mut failed = failed.lock().unwrap_or_else(|e| e.into_inner());
            failed.push((path.to_string(), e));
        }
    };
    let written = crate::search::write_reusing(site, previous.as_ref(), spill, &put);
    let mut diags = Diagnostics::new();
    let files = match written {
        Ok((stats, state)) => {
            if let Some(pages) = reuse {
                pages.record_search(state);
            }
            stats.files
        }
        Err(e) => {
            diags.push(Diagnostic::error(crate::search::DIR, format!("{e:#}")));
            0
        }
    };
    let mut failed = failed.into_inner().unwrap_or_else(|e| e.into_inner());
    if failed.is_empty() && !diags.has_errors() {
        return Ok(files);
    }
    failed.sort_by(|a, b| a.0.cmp(&b.0));
    for (rel, e) in failed {
        diags.push(Diagnostic::error(rel, format!("{e:#}")));
    }
    Err(diags)
}

/// The pages the features add: the quiz pages, then the sessions' pages.
fn feature_pages(site: &Site, theme: &Theme) -> Vec<FeaturePage> {
    let mut pages = crate::quiz::pages(site);
    pages.extend(crate::sessions::pages(site, &theme.strings));
    pages
}

/// What every page shares, made into template values once (a clone shares them), and its
/// part of the page cache's keys.
struct Shared {
    context: Context,
    /// What keys a page in the page cache, besides its own inputs.
    key: Option<blake3::Hash>,
}

impl Shared {
    fn new(
        theme: &Theme,
        keys: &view::SharedKeys<'_>,
        opts: &RenderOptions<'_>,
    ) -> Result<Shared, Diagnostics> {
        let key = match opts.keyed() {
            true => hash_of(&[theme.fingerprint.as_bytes()], keys),
            false => None,
        };
        let context = Context::from_serialize(keys).map_err(|e| {
            let mut d = Diagnostics::new();
            d.push(Diagnostic::error(
                "site.yaml",
                format!("internal error preparing the pages: {e}"),
            ));
            d
        })?;
        Ok(Shared { context, key })
    }
}

/// Renders one page at a time, from any thread.
struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    sink: &'a dyn Sink,
    opts: &'a RenderOptions<'a>,
    shared: &'a Shared,
    nav_views: &'a [view::NavUnit<'a>],
    nav_entries: NavEntries<'a>,
    print_paths: &'a [String],
    /// Print pages are made one at a time (each holds a whole topic).
    one_print: Mutex<()>,
}

impl<'a> Renderer<'a> {
    /// Renders and writes the page of `job`: `Ok(true)` when it came from the page cache.
    fn page(&self, job: &Job<'a>) -> Result<bool, Diagnostic> {
        let spec = PageSpec::of(self.site, job, |ti| &self.print_paths[ti]);
        let (nav_range, nav_units_more) = match spec.topic {
            Some(ti) => view::nav_window(&self.site.topics[ti], spec.current),
            None => (0..0, false),
        };
        let common = view::Common {
            root: root_prefix(spec.path),
            current_path: spec.path,
            page_kind: spec.kind,
            nav_units_more,
            breadcrumbs: spec.breadcrumbs,
        };
        // Joined only for a page that is rendered (not for one from the page cache).
        let nav_units = || match spec.topic {
            Some(_) => self
                .nav_entries
                .join(common.root, nav_range.clone(), spec.current),
            None => Ok(String::new()),
        };
        let page = Page {
            template: spec.template,
            keys: &spec.keys,
            common: &common,
        };
        let cache_key = self
            .shared
            .key
            .filter(|_| self.opts.keyed())
            .and_then(|shared| {
                let input = PageInput {
                    template: spec.template,
                    common: &common,
                    nav_units: &self.nav_views[nav_range.clone()],
                    keys: &spec.keys,
                };
                hash_of(&[shared.as_bytes()], &input)
            });
        let path = spec.path;
        let written = match (self.opts.page_cache, self.opts.output_pages, cache_key) {
            (Some(cache), _, Some(key)) => match cache.get(&key) {
                Some(bytes) => self.sink.write_shared(path, bytes).map(|()| true),
                None => {
                    let bytes: Arc<[u8]> = self.render_page(&page, &nav_units()?)?.into();
                    cache.insert(key, bytes.clone());
                    self.sink.write_shared(path, bytes).map(|()| false)
                }
            },
            (None, Some(pages), Some(key)) => {
                pages.record(key, path);
                match pages.reuse(&key, path) {
                    Some(prev) => self.sink.link(path, &prev).map(|()| true),
                    None => self.write_fresh(&page, &nav_units()?)?.map(|()| false),
                }
            }
            _ => self.write_fresh(&page, &nav_units()?)?.map(|()| false),
        };
        written.map_err(|e| Diagnostic::error(path, format!("{e:#}")))
    }

    /// What rendering one page starts with: the turn to render, for a print page (one at a
    /// time), and the template context: the page's own keys, then what every page shares, then
    /// its common keys and its side-navigation units (later keys win).
    fn prepare(
        &self,
        page: &Page<'_>,
        nav_units: &str,
    ) -> Result<(Option<std::sync::MutexGuard<'_, ()>>, Context), Diagnostic> {
        let turn = page
            .keys
            .is_print()
            .then(|| self.one_print.lock().unwrap_or_else(|e| e.into_inner()));
        let base = Context::from_serialize(page.common).map_err(|e| {
            let path = page.common.current_path;
            Diagnostic::error(path, format!("internal error preparing the page: {e}"))
        })?;
        let mut ctx = Context::new();
        page.keys.add_to(&mut ctx);
        ctx.extend(self.shared.context.clone());
        ctx.extend(base);
        ctx.insert_value("nav_units_html", tera::Value::safe_string(nav_units));
        Ok((turn, ctx))
    }

    /// Renders the page and writes it: straight into its file when it is large.
    fn write_fresh(
        &self,
        page: &Page<'_>,
        nav_units: &str,
    ) -> Result<anyhow::Result<()>, Diagnostic> {
        if page.keys.size_hint() > STREAM_OVER {
            return self.stream_page(page, nav_units);
        }
        let bytes = self.render_page(page, nav_units)?;
        Ok(self.sink.write(page.common.current_path, &bytes))
    }

    fn render_page(&self, page: &Page<'_>, nav_units: &str) -> Result<Vec<u8>, Diagnostic> {
        let (_turn, ctx) = self.prepare(page, nav_units)?;
        self.theme
            .render_bytes(page.template, &ctx, page.keys.size_hint())
    }

    /// A page too large to hold twice (a topic's print page) goes straight into its file; the
    /// outer error is the template's, the inner one the file's.
    fn stream_page(
        &self,
        page: &Page<'_>,
        nav_units: &str,
    ) -> Result<anyhow::Result<()>, Diagnostic> {
        let (_turn, ctx) = self.prepare(page, nav_units)?;
        let mut template_error = None;
        let written = self
            .sink
            .write_streamed(page.common.current_path, &mut |out| {
                // A template error stops the write (no half page is kept) and is reported as
                // the template's, not the file's.
                self.theme
                    .render_into(page.template, &ctx, out)
                    .map_err(|d| {
                        template_error = Some(d);
                        anyhow::anyhow!("the page's template failed")
                    })
            });
        match template_error {
            Some(d) => Err(d),
            None => Ok(written),
        }
    }
}

/// One page's template and keys, as [`Renderer`] renders them.
struct Page<'p> {
    template: &'p str,
    keys: &'p PageKeys<'p>,
    common: &'p view::Common<'p>,
}

/// Counts what was written and reused; a broken template fails every page that uses it and
/// is reported once.
fn tally(results: Vec<Result<bool, Diagnostic>>) -> (RenderReport, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut report = RenderReport::default();
    let mut seen_template_errors = std::collections::BTreeSet::new();
    for r in results {
        match r {
            Ok(hit) => {
                report.pages += 1;
                report.reused += usize::from(hit);
            }
            Err(d) => {
                if seen_template_errors.insert(d.headline()) {
                    diags.push(d);
                }
            }
        }
    }
    (report, diags)
}
