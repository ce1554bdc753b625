//! `studysite build`: the pipeline into a staged output folder, swapped in only when everything
//! succeeded.
//!
//! A build starts from the cache beside the site ([`crate::reuse::Reuse::on_disk`]: rendered
//! Markdown and the previous output's pages, unless `--clean`) and writes it back after the
//! output was swapped in.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Result;

use super::pipeline::{self, Outcome, PipelineOptions};
use crate::cli::BuildArgs;
use crate::diag::{Diagnostic, Diagnostics};
use crate::output::DiskOutput;
use crate::render::RenderReport;
use crate::reuse::Reuse;

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
    let reuse = Reuse::on_disk(&paths.root, &paths.out, paths.clean, diags);
    let opts = PipelineOptions::new(&reuse);
    let mut run = pipeline::load(&paths.root, &opts);
    if !run.loaded() {
        diags.extend(run.diags.iter().cloned());
        return None;
    }
    reuse.save_markdown(diags);
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
    reuse.save_pages(diags);
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
