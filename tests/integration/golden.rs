//! Golden output: the fixture sites and the shipped site are built and compared, file by file,
//! with what a person reviewed; the failing variants' exact stderr, and `check`'s exact
//! output, are compared too. Anything the generator changes in its output, by a byte, fails
//! here — which is what a restructuring of the code must not do.
//!
//! Expected files live in `tests/integration/expected/<case>/`:
//! - `pages/<path>`: a handful of representative pages of the case (home, a topic, a unit, a
//!   session, a quiz or question bank page), as text a diff can show ([`readable`]: the page
//!   as it is, its long lines broken between tags, each break marked `↪`, so the text still
//!   names every byte);
//! - `files.txt`: one line per output file: the start of its BLAKE3 (or `[page]` for a page in
//!   `pages/`, whose text is compared instead), its size and its path;
//! - `stderr.txt`: the command's standard error, timings replaced by `[TIME]` and the output
//!   folder by `[OUT]`; and, where a case runs `check`, `check.txt` (its standard output, then
//!   its standard error).
//!
//! To re-bless after an intended change of the output, run
//! `STUDYSITE_BLESS=1 cargo test --test integration golden` and review
//! `git diff tests/integration/expected`: a changed page shows as changed lines of HTML, any
//! other file as a changed hash and size.

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
        panic!(
            "{case}/{name} differs from {} (- expected, + actual):\n{}\n(if the change is intended: STUDYSITE_BLESS=1 cargo test --test integration golden)",
            path.display(),
            line_diff(&expected, actual)
        );
    }
}

/// The lines that differ between `expected` and `actual`, in order, with their line numbers
/// and two lines of context (a longest common subsequence of lines; the pages are small).
fn line_diff(expected: &str, actual: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = match a[i] == b[j] {
                true => lcs[i + 1][j + 1] + 1,
                false => lcs[i + 1][j].max(lcs[i][j + 1]),
            };
        }
    }
    let mut ops: Vec<(char, usize, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', i, a[i]));
            (i, j) = (i + 1, j + 1);
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', i, a[i]));
            i += 1;
        } else {
            ops.push(('+', j, b[j]));
            j += 1;
        }
    }
    let near = |k: usize| ops[k.saturating_sub(2)..(k + 3).min(ops.len())].iter();
    let mut report = String::new();
    let mut last = None;
    for (k, &(op, line, text)) in ops.iter().enumerate() {
        if !near(k).any(|op| op.0 != ' ') {
            continue;
        }
        if last.is_some_and(|l| l + 1 != k) {
            report.push_str("   ...\n");
        }
        let _ = writeln!(report, "{op}{:>5} {text}", line + 1);
        last = Some(k);
    }
    report
}

/// Longer lines of a page are broken between tags ([`readable`]).
const WIDTH: usize = 100;

/// A page as text a person can review in a diff, naming every byte of it: the page as it is,
/// with each line longer than [`WIDTH`] broken before every tag that directly follows another
/// (`><`); a line that continues the one before starts with `↪`. A line of the page that
/// itself starts with `↪` or `\\` gets a `\\` in front, so no two pages read alike.
fn readable(page: &str) -> String {
    let mut out = String::with_capacity(page.len() + page.len() / 16);
    for (n, line) in page.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        if line.starts_with('↪') || line.starts_with('\\') {
            out.push('\\');
        }
        if line.len() <= WIDTH {
            out.push_str(line);
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("><") {
            out.push_str(&rest[..=at]);
            out.push_str("\n↪");
            rest = &rest[at + 1..];
        }
        out.push_str(rest);
    }
    out
}

/// The text of [`readable`] back as the page (its inverse; the tests check the round trip).
fn from_readable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.split('\n').enumerate() {
        match line.strip_prefix('↪') {
            Some(rest) if n > 0 => out.push_str(rest),
            _ => {
                if n > 0 {
                    out.push('\n');
                }
                out.push_str(line.strip_prefix('\\').unwrap_or(line));
            }
        }
    }
    out
}

/// One line per file under `dir`, sorted by path: the first 16 hex digits of its BLAKE3 (64
/// bits: a change of any byte changes them) or `[page]` for one of `pages`, then its size
/// and path.
fn manifest(dir: &Path, pages: &[&str]) -> String {
    let mut out = String::new();
    for (path, bytes) in snapshot(dir) {
        let path = path.to_string_lossy().replace('\\', "/");
        let hash = match pages.contains(&path.as_str()) {
            true => "[page]".to_string(),
            false => blake3::hash(&bytes).to_hex()[..16].to_string(),
        };
        let _ = writeln!(out, "{hash:<16} {:>8} {path}", bytes.len());
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

/// Builds `root` into a fresh folder and compares its files, its `pages` (paths in the
/// output) as text, and its stderr with `case`'s.
#[track_caller]
fn golden_build(case: &str, root: &Path, pages: &[&str]) {
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
    if blessing() {
        // Pages no longer chosen go; the others are written again below.
        let _ = std::fs::remove_dir_all(expected_dir(case).join("pages"));
    }
    compare(case, "files.txt", &manifest(&target, pages));
    for page in pages {
        let text = std::fs::read_to_string(target.join(page))
            .unwrap_or_else(|e| panic!("{case}: page {page} not built: {e}"));
        let shown = readable(&text);
        assert_eq!(
            from_readable(&shown),
            text,
            "{page}: readable() lost a byte"
        );
        compare(case, &format!("pages/{page}"), &shown);
    }
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
    golden_build(
        "quiz-basic",
        site.path(),
        &[
            "index.html",
            "01-a/index.html",
            "01-a/jiedu.html",
            "01-a/quiz.html",
            "quiz.html",
        ],
    );
}

#[test]
fn golden_sessions_fixture() {
    let site = TempSite::fixture("sessions/base");
    golden_build(
        "sessions-base",
        site.path(),
        &[
            "index.html",
            "01-a/index.html",
            "01-a/yuanwen.html",
            "02-b/yantao.html",
        ],
    );
    golden_check("sessions-base", site.path(), &[]);
}

#[test]
fn golden_full_fixture() {
    let site = TempSite::fixture("golden/full");
    golden_build(
        "full",
        site.path(),
        &[
            "index.html",
            "01-yuanwen/index.html",
            "01-yuanwen/yuanwen.html",
            "02-jiedu/quiz.html",
            "sessions/liangri.html",
        ],
    );
    golden_check("full", site.path(), &[]);
    golden_check("full", site.path(), &["--format", "json"]);
}

#[test]
fn golden_shipped_site() {
    golden_build(
        "shipped",
        &repo_root(),
        &[
            "index.html",
            "01-xuexi/index.html",
            "01-xuexi/yuanwen.html",
            "sessions/cunshuji-yiri.html",
            "sessions/dangyuan-liangri.html",
            "sessions/dangyuan-liangri-signin.html",
            "10-zuofeng/tiku.html",
        ],
    );
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

#[test]
fn golden_pages_read_back_byte_for_byte() {
    let long = format!("<p>{}</p><p>b</p>", "a".repeat(WIDTH));
    for page in [
        "",
        "\n",
        "<p>a</p>\n",
        "↪ starts so\n\\ and so\n",
        long.as_str(),
        &format!("{long}\n↪{long}\n"),
    ] {
        let shown = readable(page);
        assert_eq!(from_readable(&shown), page, "{shown}");
    }
    assert_eq!(
        readable(&long),
        format!("<p>{}</p>\n↪<p>b</p>", "a".repeat(WIDTH))
    );
    assert!(line_diff("a\nb\nc\n", "a\nB\nc\n").contains("-    2 b\n+    2 B"));
}
