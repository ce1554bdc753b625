//! `studysite import FILE [--into DIR] [--dry-run]`: resolves the paths, runs
//! [`crate::import`], prints the warnings, the structure (dry run) or the summary line and the
//! next steps.

use anyhow::Result;

use crate::cli::ImportArgs;
use crate::import::write::thousands;

pub fn run(args: ImportArgs) -> Result<u8> {
    let opts = crate::import::Options {
        file: args.file.clone(),
        into: super::absolute(&args.into),
        into_shown: args.into.clone(),
        dry_run: args.dry_run,
    };
    let report = crate::import::run(&opts)?;
    for w in &report.warnings {
        eprintln!("{w}");
    }
    let summary = format!(
        "{} topics, {} units, {} characters (read as {})",
        report.topics,
        report.units,
        thousands(report.characters),
        report.encoding
    );
    if args.dry_run {
        print!("{}", report.tree);
        eprintln!("dry run: {summary}; nothing was written");
        return Ok(crate::cli::EXIT_OK);
    }
    eprintln!(
        "imported {} into {}: {summary}",
        args.file.display(),
        args.into.display()
    );
    eprintln!(
        "next: studysite serve --watch --root {0}   (or studysite build --root {0}); add explanations, discussions and quizzes beside the original units",
        args.into.display()
    );
    Ok(crate::cli::EXIT_OK)
}
