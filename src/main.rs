//! The `studysite` binary: parse the command line, run it, turn the result into an exit code.
//! Everything else lives in the library (`lib.rs`).

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = studysite::cli::Cli::parse();
    studysite::run(cli)
}
