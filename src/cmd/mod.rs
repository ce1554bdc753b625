//! One function per subcommand. Each resolves its raw flags (paths made absolute, defaults
//! applied), runs the [`pipeline`] (the commands that read a site) and returns the exit code.

mod build;
mod check;
mod import;
mod init;
pub mod pipeline;
mod report;
pub mod serve;

pub use build::{BuildPaths, build_site};

use crate::cli::{Cli, Command};

/// A mistake on the command line (exit code 2), as opposed to a problem in the content.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

pub fn dispatch(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Build(args) => build::run(args),
        Command::Check(args) => check::run(args),
        Command::Init(args) => init::run(args),
        Command::Import(args) => import::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Report(args) => report::run(args),
    }
}

/// Makes `p` absolute against the current folder, without touching the file system.
pub fn absolute(p: &std::path::Path) -> std::path::PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}
