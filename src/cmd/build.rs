//! `studysite build`: the pipeline into a staged output folder, swapped in only when everything
//! succeeded.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Result;

use super::pipeline::{self, PipelineOptions};
use crate::cli::BuildArgs;
use crate::diag::{Diagnostic, Diagnostics};
use crate::output::DiskOutput;
use crate::render::RenderReport;

/// Where a build reads and writes, resolved from the command line.
#[derive(Debug, Clone)]
pub struct BuildPaths {
    pub root: PathBuf,
    pub out: PathBuf,
}

impl BuildPaths {
    pub fn from_args(args: &BuildArgs) -> BuildPaths {
        let root = super::absolute(&args.root);
        let out = match &args.out {
            Some(o) => super::absolute(o),
            None => root.join("public"),
        };
        BuildPaths { root, out }
    }
}

/// Where the output may not go: inside the sources, or over the site itself.
fn check_out_dir(root: &Path, out: &Path) -> Option<Diagnostic> {
    let norm = |p: &Path| -> PathBuf { p.components().collect() };
    let (root, out) = (norm(root), norm(out));
    if root.starts_with(&out) {
        return Some(Diagnostic::error(
            out.display().to_string(),
            "--out must not be the site folder or a folder that contains it",
        ));
    }
    for src in ["content", "themes", "templates", "static"] {
        if out.starts_with(root.join(src)) {
            return Some(Diagnostic::error(
                out.display().to_string(),
                format!(
                    "--out must not be inside `{src}/`: the build would read its own output; choose a folder such as `public`"
                ),
            ));
        }
    }
    None
}

/// Loads, renders and writes the site. Diagnostics (with warnings) are returned either way.
pub fn build_site(paths: &BuildPaths) -> (Result<RenderReport, ()>, Diagnostics) {
    let mut diags = Diagnostics::new();
    if let Some(d) = check_out_dir(&paths.root, &paths.out) {
        diags.push(d);
        return (Err(()), diags);
    }
    let opts = PipelineOptions::default();
    let mut run = pipeline::load(&paths.root, &opts);
    if !run.loaded() {
        diags.extend(run.diags.iter().cloned());
        return (Err(()), diags);
    }
    let output = match DiskOutput::begin(&paths.out) {
        Ok(o) => o,
        Err(e) => {
            diags.extend(run.diags.iter().cloned());
            diags.push(Diagnostic::error(
                paths.out.display().to_string(),
                format!("{e:#}"),
            ));
            return (Err(()), diags);
        }
    };
    run.render(&output, &opts);
    diags.extend(run.diags.iter().cloned());
    let Some(report) = run.report else {
        output.abort();
        return (Err(()), diags);
    };
    match output.commit() {
        Ok(()) => (Ok(report), diags),
        Err(e) => {
            diags.push(Diagnostic::error(
                paths.out.display().to_string(),
                format!("{e:#}"),
            ));
            (Err(()), diags)
        }
    }
}

pub fn run(args: BuildArgs) -> Result<u8> {
    let start = Instant::now();
    let paths = BuildPaths::from_args(&args);
    let (result, diags) = build_site(&paths);
    diags.print();
    match result {
        Ok(report) => {
            let shown = paths
                .out
                .strip_prefix(std::env::current_dir().unwrap_or_default())
                .unwrap_or(&paths.out)
                .display()
                .to_string();
            eprintln!(
                "built {} pages ({} files) in {:.2} s → {}",
                report.pages,
                report.pages + report.files,
                start.elapsed().as_secs_f64(),
                if shown.is_empty() { ".".into() } else { shown }
            );
            Ok(crate::cli::EXIT_OK)
        }
        Err(()) => {
            eprintln!("build failed: nothing was written; the previous output is unchanged");
            Ok(crate::cli::EXIT_CONTENT)
        }
    }
}
