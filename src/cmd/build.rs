//! `studysite build`: load → model → render → write, staged and swapped in at the end.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Result;

use crate::cli::BuildArgs;
use crate::diag::{Diagnostic, Diagnostics};
use crate::output::DiskOutput;
use crate::site::{RenderReport, Site, render, write_search};
use crate::templates::Theme;

/// Resolved options for a build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub out: PathBuf,
}

impl BuildOptions {
    pub fn from_args(args: &BuildArgs) -> BuildOptions {
        let root = super::absolute(&args.root);
        let out = match &args.out {
            Some(o) => super::absolute(o),
            None => root.join("public"),
        };
        BuildOptions { root, out }
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
pub fn build_site(opts: &BuildOptions) -> (Result<RenderReport, ()>, Diagnostics) {
    let mut diags = Diagnostics::new();
    if let Some(d) = check_out_dir(&opts.root, &opts.out) {
        diags.push(d);
        return (Err(()), diags);
    }
    let (site, load_diags) = Site::load(&opts.root);
    diags.extend(load_diags.iter().cloned());
    let Some(mut site) = site else {
        return (Err(()), diags);
    };
    let theme = match Theme::load(&opts.root, &site.config) {
        Ok(t) => t,
        Err(ds) => {
            diags.extend(ds);
            return (Err(()), diags);
        }
    };
    let output = match DiskOutput::begin(&opts.out) {
        Ok(o) => o,
        Err(e) => {
            diags.push(Diagnostic::error(
                opts.out.display().to_string(),
                format!("{e:#}"),
            ));
            return (Err(()), diags);
        }
    };
    // The pages first; then the search index, from the text alone, with the pages' HTML freed.
    let rendered = render(&site, &theme, &output).and_then(|mut report| {
        site.release_body_html();
        report.files += write_search(&site, &output)?;
        Ok(report)
    });
    match rendered {
        Ok(report) => match output.commit() {
            Ok(()) => (Ok(report), diags),
            Err(e) => {
                diags.push(Diagnostic::error(
                    opts.out.display().to_string(),
                    format!("{e:#}"),
                ));
                (Err(()), diags)
            }
        },
        Err(ds) => {
            output.abort();
            diags.extend(ds.iter().cloned());
            (Err(()), diags)
        }
    }
}

pub fn run(args: BuildArgs) -> Result<u8> {
    let start = Instant::now();
    let opts = BuildOptions::from_args(&args);
    let (result, diags) = build_site(&opts);
    diags.print();
    match result {
        Ok(report) => {
            let shown = opts
                .out
                .strip_prefix(std::env::current_dir().unwrap_or_default())
                .unwrap_or(&opts.out)
                .display()
                .to_string();
            eprintln!(
                "built {} pages ({} files) in {:.2} s → {}",
                report.pages,
                report.pages + report.files,
                start.elapsed().as_secs_f64(),
                if shown.is_empty() { ".".into() } else { shown }
            );
            Ok(crate::EXIT_OK)
        }
        Err(()) => {
            eprintln!("build failed: nothing was written; the previous output is unchanged");
            Ok(crate::EXIT_CONTENT)
        }
    }
}
