//! Golden output: the fixture sites and the shipped site are built and every output file is
//! compared with the committed list of files and their BLAKE3 hashes; the failing variants'
//! exact stderr, and `check`'s exact output, are compared too. Anything the generator changes
//! in its output, by a byte, fails here — which is what a restructuring of the code must not do.
//!
//! Expected files live in `tests/integration/expected/<case>/`:
//! `files.txt` (one line per output file: BLAKE3, size, path), `stderr.txt` (the command's
//! standard error, timings replaced by `[TIME]` and the output folder by `[OUT]`) and, where a
//! case runs `check`, `check.txt` (its standard output, then its standard error).
//!
//! To re-bless after an intended change of the output, run
//! `STUDYSITE_BLESS=1 cargo test --test integration golden` and review `git diff tests/integration/expected`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::support::*;

fn expected_dir(case: &str) -> PathBuf {
    repo_root().join("tests/integration/expected").join(case)
}

fn blessing() -> bool {
    std::env::var_os("STUDYSITE_BLESS").is_some_and(|v| v != "0")
}

/// Compares `actual` with `expected/<case>/<name>`, or writes it there when blessing.
#[track_caller]
fn compare(case: &str, name: &str, actual: &str) {
    let path = expected_dir(case).join(name);
    if blessing() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; bless with STUDYSITE_BLESS=1 cargo test --test integration golden",
            path.display()
        )
    });
    if expected != actual {
        let mut report = String::new();
        let (exp, act): (Vec<&str>, Vec<&str>) =
            (expected.lines().collect(), actual.lines().collect());
        for l in &exp {
            if !act.contains(l) {
                let _ = writeln!(report, "- {l}");
            }
        }
        for l in &act {
            if !exp.contains(l) {
                let _ = writeln!(report, "+ {l}");
            }
        }
        panic!(
            "{case}/{name} differs from {} (- expected, + actual):\n{report}\n(if the change is intended: STUDYSITE_BLESS=1 cargo test --test integration golden)",
            path.display()
        );
    }
}

/// One line per file under `dir`: BLAKE3, size and path, sorted by path.
fn manifest(dir: &Path) -> String {
    let mut out = String::new();
    for (path, bytes) in snapshot(dir) {
        let _ = writeln!(
            out,
            "{} {:>8} {}",
            blake3::hash(&bytes).to_hex(),
            bytes.len(),
            path.to_string_lossy().replace('\\', "/")
        );
    }
    out
}

/// stderr with what changes from run to run replaced: the output folder, and the build time of
/// the `built 21 pages (36 files) in 0.09 s → …` line.
fn normalized(stderr: &str, out: &Path) -> String {
    let text = stderr.replace(&out.display().to_string(), "[OUT]");
    let mut lines = String::new();
    for line in text.lines() {
        let timed = line.starts_with("built ").then(|| {
            let (head, rest) = line.rsplit_once(" in ")?;
            let (_, tail) = rest.split_once(" s ")?;
            Some(format!("{head} in [TIME] s {tail}"))
        });
        lines.push_str(&timed.flatten().unwrap_or_else(|| line.to_string()));
        lines.push('\n');
    }
    lines
}

/// Builds `root` into a fresh folder and compares its files and stderr with `case`'s.
#[track_caller]
fn golden_build(case: &str, root: &Path) {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("public");
    let run = Run::from(
        bin()
            .arg("build")
            // The output, whatever a cache beside the site holds (`incremental` tests the cache).
            .arg("--clean")
            .arg("--root")
            .arg(root)
            .arg("--out")
            .arg(&target)
            .output()
            .unwrap(),
    );
    run.ok();
    compare(case, "files.txt", &manifest(&target));
    compare(case, "stderr.txt", &normalized(&run.stderr, &target));
}

/// `check` of `root`: its stdout, then its stderr.
#[track_caller]
fn golden_check(case: &str, root: &Path, args: &[&str]) {
    let run = Run::from(
        bin()
            .arg("check")
            .args(args)
            .arg("--root")
            .arg(root)
            .output()
            .unwrap(),
    );
    let text = format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        run.code, run.stdout, run.stderr
    );
    let name = if args.is_empty() {
        "check.txt".to_string()
    } else {
        format!("check{}.txt", args.join("").replace("--", "-"))
    };
    compare(case, &name, &text);
}

/// A failing build of `site`: exit code 1, the exact stderr, and nothing written.
#[track_caller]
fn golden_failure(case: &str, site: &TempSite) {
    let run = site.build();
    run.fails(1);
    assert!(
        !site.path().join("public").exists(),
        "a failed build wrote its output"
    );
    compare(case, "stderr.txt", &run.stderr);
}

#[test]
fn golden_quiz_fixture() {
    let site = TempSite::fixture("quiz/basic");
    golden_build("quiz-basic", site.path());
}

#[test]
fn golden_sessions_fixture() {
    let site = TempSite::fixture("sessions/base");
    golden_build("sessions-base", site.path());
    golden_check("sessions-base", site.path(), &[]);
}

#[test]
fn golden_full_fixture() {
    let site = TempSite::fixture("golden/full");
    golden_build("full", site.path());
    golden_check("full", site.path(), &[]);
    golden_check("full", site.path(), &["--format", "json"]);
}

#[test]
fn golden_shipped_site() {
    golden_build("shipped", &repo_root());
    golden_check("shipped", &repo_root(), &[]);
}

#[test]
fn golden_broken_content() {
    let site = TempSite::fixture("golden/broken");
    golden_failure("broken", &site);
    golden_check("broken", site.path(), &[]);
}

#[test]
fn golden_broken_template() {
    let site = TempSite::fixture("golden/full");
    copy_dir(&fixtures().join("golden/broken-template"), site.path());
    golden_failure("broken-template", &site);
}
