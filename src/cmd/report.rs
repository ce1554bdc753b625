//! `studysite report`: the results `serve --collect` gathered, as tables (text, CSV, JSON);
//! `--import` merges learners' exported progress files (read and merged by
//! [`crate::collect::progress`]), `--clear` deletes everything (asking
//! first). The site is loaded for the quizzes' titles and questions; the database is the one
//! `serve --collect` uses ([`db_path`]).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::pipeline::{self, PipelineOptions};
use crate::cli::{ReportArgs, ReportFormat};
use crate::collect::report::{self as tables, Data, Filter};
use crate::collect::{QuizTable, progress, roster_file};
use crate::model::Site;
use crate::store::Store;
use crate::templates::Theme;

/// The results database: `--db`, or `ROOT/.studysite/results.sqlite`. Refused inside the
/// output or the sources (the build or the watcher would see it).
pub fn db_path(root: &Path, db: Option<&Path>) -> Result<PathBuf> {
    let path = match db {
        Some(p) => crate::fs::resolve(p),
        None => root.join(crate::fs::OWN_DIR).join("results.sqlite"),
    };
    for dir in std::iter::once("public").chain(crate::fs::SOURCE_DIRS) {
        if crate::fs::is_within(&path, &root.join(dir)) {
            return Err(super::UsageError(format!(
                "--db `{}` is inside `{dir}/`: the results (learners' names, the report's token) would be published or watched as part of the site; use the default `.studysite/results.sqlite`",
                crate::fs::shown(&path.display().to_string())
            ))
            .into());
        }
    }
    Ok(path)
}

/// The site's model and theme, for the collector and the report.
pub fn load_site(root: &Path) -> Result<(Site, Theme)> {
    let run = pipeline::load(root, &PipelineOptions::default());
    let Some(site) = run.site else {
        run.diags.print();
        anyhow::bail!("cannot read the site at `{}`", root.display());
    };
    let theme = Theme::load(root, &site.config).map_err(|ds| {
        ds.iter().for_each(|d| eprintln!("{d}"));
        anyhow::anyhow!("cannot load the theme of the site")
    })?;
    Ok((site, theme))
}

/// The site's quiz table with the roster of `learners.txt`.
pub fn quiz_table(root: &Path, site: &Site) -> QuizTable {
    let extra = crate::fs::read_text(&root.join("learners.txt"))
        .map(|t| roster_file(&t))
        .unwrap_or_default();
    QuizTable::from_site(site, &extra)
}

pub fn run(args: ReportArgs) -> Result<u8> {
    let root = crate::fs::resolve(&args.root);
    let db = db_path(&root, args.db.as_deref())?;
    if args.clear {
        return clear(&db, args.yes);
    }
    let (site, theme) = load_site(&root)?;
    let table = quiz_table(&root, &site);
    if !args.import.is_empty() {
        let store = Store::open(&db)?;
        for file in &args.import {
            let doc = progress::read(file, &site.storage_key)?;
            let done = progress::import(&store, &table, &doc, file, args.name.as_deref())?;
            eprintln!(
                "{}: {} records added, {} already there, {} refused",
                file.display(),
                done.added,
                done.known,
                done.refused
            );
        }
    }
    if !db.exists() {
        eprintln!(
            "no results yet: `{}` does not exist (start `studysite serve --collect`)",
            db.display()
        );
    }
    let store = Store::open(&db)?;
    let data = Data::load(&store)?;
    let filter = Filter {
        branch: args.branch.clone(),
        ..Filter::default()
    };
    let list = tables::tables(&data, &table, &filter, &theme.strings);
    let out = match args.format {
        ReportFormat::Table => tables::text(&list),
        ReportFormat::Json => tables::json(&list),
        ReportFormat::Csv => list
            .iter()
            .map(tables::csv)
            .collect::<Vec<_>>()
            .join("\r\n"),
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(out.as_bytes());
    let _ = stdout.flush();
    Ok(crate::cli::EXIT_OK)
}

fn clear(db: &Path, yes: bool) -> Result<u8> {
    if !db.exists() {
        eprintln!("nothing to delete: `{}` does not exist", db.display());
        return Ok(crate::cli::EXIT_OK);
    }
    let store = Store::open(db)?;
    let n = store.attempts()?.len() + store.reads()?.len();
    if !yes {
        eprint!(
            "delete all {n} records (quiz attempts and units read) in `{}`? This cannot be undone. [y/N] ",
            db.display()
        );
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        if !matches!(line.trim(), "y" | "Y" | "yes") {
            eprintln!("nothing deleted");
            return Ok(crate::cli::EXIT_CONTENT);
        }
    }
    let gone = store.clear()?;
    eprintln!("deleted {gone} records from `{}`", db.display());
    Ok(crate::cli::EXIT_OK)
}
