//! studysite compiles Markdown study units into an offline study site.
//!
//! Data flows one way:
//!
//! ```text
//! cli → cmd::* → config → content (load: files → typed front matter)
//!     → markdown (per file, pure: HTML, table of contents, plain text)
//!     → site (the model: topics, units, sessions, order, validation)
//!     → view (typed template context) → templates (tera) → output (disk | memory)
//! ```
//!
//! `check` stops after the model; `build` writes through [`output::DiskOutput`], which stages
//! the whole site beside the target folder and swaps it in only when everything succeeded;
//! `serve` rebuilds into [`output::MemoryOutput`] and serves that.
//!
//! Problems with user content are collected as [`diag::Diagnostic`]s (file, line, column,
//! message, snippet) so one run lists all of them; I/O and internal failures travel as
//! `anyhow::Error` with context.

pub mod assets;
pub mod cache;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod content;
pub mod diag;
pub mod fs;
pub mod markdown;
pub mod output;
pub mod quiz;
pub mod search;
pub mod server;
pub mod sessions;
pub mod site;
pub mod templates;
pub mod view;
pub mod watch;
pub mod yaml;

use std::process::ExitCode;

/// Exit code: everything went well.
pub const EXIT_OK: u8 = 0;
/// Exit code: the content has problems (or the build failed).
pub const EXIT_CONTENT: u8 = 1;
/// Exit code: the command line was wrong (clap uses 2 as well).
pub const EXIT_USAGE: u8 = 2;

/// Runs one command and decides the exit code; errors are printed here, once.
pub fn run(cli: cli::Cli) -> ExitCode {
    match cmd::dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            let code = match err.downcast_ref::<cmd::UsageError>() {
                Some(_) => EXIT_USAGE,
                None => EXIT_CONTENT,
            };
            ExitCode::from(code)
        }
    }
}
