//! The command line as typed: raw flags only (`cmd` turns these into resolved options), and
//! the exit codes the commands end with.

use std::path::PathBuf;

/// Exit code: everything went well.
pub const EXIT_OK: u8 = 0;
/// Exit code: the content has problems (or the build failed).
pub const EXIT_CONTENT: u8 = 1;
/// Exit code: the command line was wrong (clap uses 2 as well).
pub const EXIT_USAGE: u8 = 2;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// studysite: build offline study sites (学习培训资料) from Markdown study units.
#[derive(Debug, Parser)]
#[command(name = "studysite", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (default: ROOT/public).
    ///
    /// The new site is written beside the output folder and swapped in only when the whole
    /// build succeeded: a failed build leaves the previous output as it was. It starts from the
    /// build cache beside the site (ROOT/.studysite/cache/: rendered Markdown, and the pages
    /// of the previous output whose inputs did not change), unless --clean; the output is the
    /// same either way.
    Build(BuildArgs),
    /// Load and validate everything; write nothing. Prints the training sessions' figures.
    Check(CheckArgs),
    /// Create a new site in DIR (which must be empty or absent) that builds at once.
    Init(InitArgs),
    /// Turn an outline (.docx, .txt, .md) into a study site: its parts become topics, its text
    /// original units, verbatim.
    ///
    /// Into a folder without site.yaml a new site is written; into a site, the parts are added as
    /// topics after the existing ones. Nothing is overwritten: when a file would be, they are all
    /// listed and nothing is written. The text is checked against the document after writing.
    Import(ImportArgs),
    /// Serve the site, optionally rebuilding on change (--watch) and for phones on the LAN (--lan).
    Serve(ServeArgs),
    /// Print the results `serve --collect` gathered: per learner, per quiz, per question.
    Report(ReportArgs),
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The site's folder (holds site.yaml and content/).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Where to write the site (default: ROOT/public).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Build everything anew: ignore the build cache (ROOT/.studysite/cache/), then write a
    /// fresh one.
    #[arg(long)]
    pub clean: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for people.
    Text,
    /// JSON for scripts.
    Json,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The site's folder (holds site.yaml and content/).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// How to print the sessions' table and the problems found.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create the site in; it must not exist or be empty.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The outline: a Word document (.docx) or a text file (.txt, .md; UTF-8, UTF-16 or GB18030/GBK).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The site to write into: a new site when it has no site.yaml.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub into: PathBuf,
    /// Print the structure found (parts, tasks, characters, the file each goes to); write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The site's folder (holds site.yaml and content/).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// The port to listen on; when it is taken, the next free one is used.
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// The address to listen on (default 127.0.0.1; 0.0.0.0 with --lan).
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<std::net::IpAddr>,
    /// Serve to the local network: bind 0.0.0.0 and print every address with a QR code.
    #[arg(long)]
    pub lan: bool,
    /// Rebuild when content, themes, templates, static files or site.yaml change, and reload open pages.
    #[arg(long)]
    pub watch: bool,
    /// Watch by polling the files instead of the system's file events.
    #[arg(long, requires = "watch")]
    pub poll: bool,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Gather quiz results and units read from the learners' browsers, with a report page
    /// for the organiser (README, "Collecting results").
    #[arg(long)]
    pub collect: bool,
    /// The results database (default: ROOT/.studysite/results.sqlite).
    #[arg(long, value_name = "FILE", requires = "collect")]
    pub db: Option<PathBuf>,
    /// With --collect, also answer requests that name this server NAME (a DNS name pointing
    /// at it); its addresses, localhost and the machine's name are always allowed. Repeatable.
    #[arg(long, value_name = "NAME", requires = "collect")]
    pub allow_host: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Tables for people, aligned.
    Table,
    /// CSV (UTF-8 with a BOM), the tables one after another.
    Csv,
    /// JSON for scripts.
    Json,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The site's folder (holds site.yaml and content/).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// The results database (default: ROOT/.studysite/results.sqlite).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// How to print the tables.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Only this branch (支部).
    #[arg(long)]
    pub branch: Option<String>,
    /// Merge progress files that learners exported (学习进度 → 导出进度); merging one twice
    /// changes nothing.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub import: Vec<PathBuf>,
    /// With --import: the learner's name for files that carry none (exported from a copy
    /// opened from a USB stick, where no name is asked); a file's own name wins.
    #[arg(long, value_name = "NAME", requires = "import")]
    pub name: Option<String>,
    /// Delete every stored result (asks first, unless --yes).
    #[arg(long, conflicts_with = "import")]
    pub clear: bool,
    /// With --clear: do not ask.
    #[arg(long, requires = "clear")]
    pub yes: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
