//! studysite compiles Markdown study units into an offline study site.
//!
//! Data flows one way — load → model → features → render → write:
//!
//! ```text
//! cli → cmd (one pipeline for build, check and serve)
//!     → load: config (site.yaml) + content (files → typed front matter) + markdown (bodies)
//!             → model (topics, units, questions, sessions) → the features' load-time checks
//!     → render: view (the typed template contract) + the features' pages and files
//!             → templates (tera) → output (disk | memory | nothing, for `check`)
//! ```
//!
//! `check` runs the whole pipeline into a sink that discards (every page is rendered, so the
//! templates are checked too) and makes no search index; `build` writes through
//! [`output::DiskOutput`], which stages the whole site beside the target folder and swaps it in
//! only when everything succeeded (starting from the build cache beside the site, see
//! `cmd::build`); `serve` renders into [`output::MemoryOutput`] and serves
//! that.
//!
//! ## Layers
//!
//! Every module belongs to one layer and imports (`crate::…`) only from its own layer or lower
//! ones; the modules of layer 4 never import each other, nor do `load` and `render`. The
//! integration test `architecture::layers_*` checks this on every `crate::` path in `src/`
//! (test modules, which may build fixtures through any layer, excepted), and that no import
//! cycle and no function over 100 lines exists.
//!
//! | layer | modules | what each owns |
//! |---|---|---|
//! | 0 leaves | `diag`, `fs`, `html`, `yaml`, `cache`, `assets`, `cli`, `output`, `server`, `store`, `time`, `watch` | problems with positions; file access and the naming policy; escaping text for HTML; YAML with file-absolute positions; content-keyed memo tables, and their checksummed packs on disk for `build`; the embedded theme and starter; the command line; the write sink; the HTTP server; the results database; calendar dates and times as text from Unix time; the file watcher |
//! | 1 inputs | `config`, `content`, `markdown`, `templates`, `import` | `site.yaml`; the walk of `content/` into a library of typed front matter (the schema) and question banks read into cells (`content/bank.rs`); Markdown → HTML, anchors, text (and the text parked outside memory while `build` renders: `markdown/spill.rs`); the theme; an outline document (.docx, .txt) → the sources of a site, checked verbatim by reading them back with `content` and `markdown` |
//! | 2 model | `model` | `Site`, `Topic`, `Unit` and lookups; questions, quizzes, sessions, days, blocks, dates; the original-text share rule |
//! | 3 view | `view` | the typed template contract, feature pages and their keys, JSON inside pages |
//! | 4 features | `quiz`, `sessions`, `search`, `collect` | each takes the model and gives checks, pages and files: questions; training sessions; the offline search index; results gathered by `serve --collect` and their report |
//! | 5 phases | `load`, `render` | `site.yaml` + library → model, then the features' checks; the model → every page and file, in named steps |
//! | 6 commands | `cmd` | one function per subcommand, and the one pipeline they share |
//!
//! Problems with user content are collected as [`diag::Diagnostic`]s (file, line, column,
//! message, snippet) so one run lists all of them; I/O and internal failures travel as
//! `anyhow::Error` with context.

// The API documentation is for studysite's developers, who read it with
// `cargo doc --document-private-items`: module docs link to the private items they explain.
#![allow(rustdoc::private_intra_doc_links)]

pub mod assets;
pub mod cache;
pub mod cli;
pub mod diag;
pub mod fs;
pub mod html;
pub mod output;
pub mod server;
pub mod store;
pub mod time;
pub mod watch;
pub mod yaml;

pub mod config;
pub mod content;
pub mod import;
pub mod markdown;
pub mod templates;

pub mod model;

pub mod view;

pub mod collect;
pub mod quiz;
pub mod search;
pub mod sessions;

pub mod load;
pub mod render;

pub mod cmd;

use std::process::ExitCode;

pub use cli::{EXIT_CONTENT, EXIT_OK, EXIT_USAGE};

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
