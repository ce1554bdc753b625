//! `studysite init DIR`: write a starter site that builds at once (default theme, one topic
//! with an original and an explanation unit). Refuses a folder that is not empty.

use anyhow::{Context, Result};

use super::UsageError;
use crate::cli::InitArgs;

pub fn run(args: InitArgs) -> Result<u8> {
    let dir = super::absolute(&args.dir);
    if dir.exists() {
        let mut entries = std::fs::read_dir(&dir)
            .map_err(|e| UsageError(format!("cannot read `{}`: {e}", dir.display())))?;
        if entries.next().is_some() {
            return Err(UsageError(format!(
                "`{}` is not empty: init writes a new site only into an empty or new folder",
                dir.display()
            ))
            .into());
        }
    }
    for (path, text) in crate::assets::STARTER_SITE {
        crate::fs::write(&dir.join(path), text.as_bytes())
            .with_context(|| format!("writing the starter site into `{}`", dir.display()))?;
    }
    eprintln!("created a new site in {}", dir.display());
    eprintln!(
        "next: studysite build --root {0}   then open {0}/public/index.html",
        dir.display()
    );
    Ok(crate::cli::EXIT_OK)
}
