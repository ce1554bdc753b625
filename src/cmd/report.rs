//! `studysite report`: the results `serve --collect` gathered, as tables (text, CSV, JSON);
//! `--import` merges learners' exported progress files, `--clear` deletes everything (asking
//! first). The site is loaded for the quizzes' titles and questions; the database is the one
//! `serve --collect` uses ([`db_path`]).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::{Value, json};

use super::pipeline::{self, PipelineOptions};
use crate::cli::{ReportArgs, ReportFormat};
use crate::collect::report::{self as tables, Data, Filter};
use crate::collect::{QuizTable, intake, roster_file};
use crate::model::Site;
use crate::store::{Inserted, Store};
use crate::templates::Theme;

/// The results database: `--db`, or `ROOT/.studysite/results.sqlite`. Refused inside the
/// output or the sources (the build or the watcher would see it).
pub fn db_path(root: &Path, db: Option<&Path>) -> Result<PathBuf> {
    let path = match db {
        Some(p) => crate::fs::resolve(p),
        None => root.join(".studysite").join("results.sqlite"),
    };
    for dir in ["public", "content", "themes", "templates", "static"] {
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
            import(
                &store,
                &table,
                &site.storage_key,
                file,
                args.name.as_deref(),
            )?;
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

/// Merges one exported progress file: each quiz it records becomes one attempt (scored from
/// the last answers the file holds), each unit read one read record; ids are made from the
/// file's content, so a second import of the same file adds nothing.
fn import(
    store: &Store,
    table: &QuizTable,
    site_key: &str,
    file: &Path,
    fallback_name: Option<&str>,
) -> Result<()> {
    let text = crate::fs::read_to_string(file)?;
    let doc: Value = serde_json::from_str(&text)
        .with_context(|| format!("`{}` is not a progress file (not JSON)", file.display()))?;
    if doc["format"] != "studysite-progress" {
        anyhow::bail!("`{}` is not a studysite progress file", file.display());
    }
    if doc["site"] != site_key {
        anyhow::bail!("`{}` is the progress of another site", file.display());
    }
    let name = doc["learner"]["name"]
        .as_str()
        .filter(|n| !n.trim().is_empty())
        .or(fallback_name)
        .unwrap_or("");
    if name.trim().is_empty() {
        anyhow::bail!(
            "`{}` carries no learner's name (it was exported from a browser that was never asked one by `serve --collect`): give it with --name",
            file.display()
        );
    }
    let branch = doc["learner"]["branch"].as_str().unwrap_or("");
    let id_of =
        |parts: &[&str]| blake3::hash(parts.join("\u{0}").as_bytes()).to_hex()[..32].to_string();
    let device = match doc["learner"]["device"].as_str() {
        Some(d) if d.len() >= 8 && d.len() <= 64 => d.to_string(),
        _ => id_of(&["device", name, branch]),
    };
    let mut bodies = Vec::new();
    if let Some(read) = doc["read"].as_object() {
        for (unit, time) in read {
            let time = time.as_str().unwrap_or("");
            bodies.push(json!({"attempt_id": id_of(&["read", &device, unit, time]), "kind": "read", "device": device, "name": name, "branch": branch, "unit": unit, "time": time}));
        }
    }
    let answers = doc["answers"].as_object().cloned().unwrap_or_default();
    if let Some(quizzes) = doc["quizzes"].as_object() {
        for (id, q) in quizzes {
            let Some(info) = table.quizzes.get(id) else {
                continue;
            };
            let time = q["time"].as_str().unwrap_or("");
            // One answer per question: the one under its current hash, else any.
            let mut given: std::collections::BTreeMap<&str, Value> = Default::default();
            for (k, v) in &answers {
                let Some((qid, hash)) = k.rsplit_once('@') else {
                    continue;
                };
                let Some(q) = table.questions.get(qid) else {
                    continue;
                };
                if info.questions.iter().any(|x| x == qid)
                    && (hash == q.question.hash || !given.contains_key(qid))
                {
                    given.insert(qid, json!({"id": qid, "hash": hash, "answer": v}));
                }
            }
            let given: Vec<Value> = given.into_values().collect();
            if given.is_empty() {
                continue;
            }
            bodies.push(json!({"attempt_id": id_of(&["quiz", &device, id, time]), "kind": "quiz", "device": device, "name": name, "branch": branch, "quiz": id, "finished": time, "score": q["score"], "answers": given}));
        }
    }
    let (mut added, mut known, mut refused) = (0, 0, 0);
    for body in bodies {
        match intake::record(body.to_string().as_bytes(), table, "import") {
            Ok(record) => match store.insert(&record)? {
                Inserted::Created => added += 1,
                Inserted::Same | Inserted::Conflict => known += 1,
            },
            Err(_) => refused += 1,
        }
    }
    eprintln!(
        "{}: {added} records added, {known} already there, {refused} refused",
        file.display()
    );
    Ok(())
}
