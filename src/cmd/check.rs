//! `studysite check`: load and validate everything (templates too, by rendering every page
//! into a sink that discards), write nothing, and print the training sessions' figures. The
//! search index is not made: nothing in it can fail on content.

use anyhow::Result;

use crate::cli::{CheckArgs, Format};
use crate::diag::Diagnostics;
use crate::output::NullOutput;
use crate::site::{Site, render};
use crate::templates::Theme;

pub fn run(args: CheckArgs) -> Result<u8> {
    let root = super::absolute(&args.root);
    // The model is kept even when the content has errors, so that the sessions' figures are
    // reported either way; templates are only tried on a model without errors.
    let (site, load_diags) = Site::load_with_errors(&root);
    let mut diags = Diagnostics::new();
    diags.extend(load_diags.iter().cloned());
    if let Some(site) = site.as_ref().filter(|_| !load_diags.has_errors()) {
        match Theme::load(&root, &site.config) {
            Ok(theme) => {
                if let Err(ds) = render(site, &theme, &NullOutput) {
                    diags.extend(ds.iter().cloned());
                }
            }
            Err(ds) => diags.extend(ds),
        }
    }
    match args.format {
        Format::Text => {
            diags.print();
            if let Some(site) = &site {
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
        crate::EXIT_CONTENT
    } else {
        crate::EXIT_OK
    })
}
