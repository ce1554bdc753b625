//! `studysite check`: the pipeline into a sink that discards — every page rendered, so the
//! templates are checked too, but nothing written and no search index made (nothing in it can
//! fail on content) — then the training sessions' figures.

use anyhow::Result;

use super::pipeline::{self, PipelineOptions, SearchIndex};
use crate::cli::{CheckArgs, Format};
use crate::output::NullOutput;
use crate::reuse::Reuse;

pub fn run(args: CheckArgs) -> Result<u8> {
    let root = crate::fs::resolve(&args.root);
    // The model is kept even when the content has errors, so that the sessions' figures are
    // reported either way; templates are only tried on a model without errors.
    let nothing = Reuse::nothing();
    let opts = PipelineOptions {
        reuse: &nothing,
        search: SearchIndex::Skip,
    };
    let run = pipeline::run(&root, &NullOutput, &opts);
    let (site, diags) = (&run.site, &run.diags);
    match args.format {
        Format::Text => {
            diags.print();
            if let Some(site) = site {
                crate::sessions::print_table(site);
            }
            if !diags.has_errors() {
                eprintln!(
                    "check passed: {}",
                    crate::diag::summary_line(0, diags.warning_count())
                );
            }
        }
        Format::Json => {
            let problems: Vec<_> = diags.sorted().into_iter().cloned().collect();
            let report = serde_json::json!({
                "ok": !diags.has_errors(),
                "problems": problems,
                "sessions": site.as_ref().map(crate::sessions::report_json),
            });
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
    }
    Ok(if diags.has_errors() {
        crate::cli::EXIT_CONTENT
    } else {
        crate::cli::EXIT_OK
    })
}
