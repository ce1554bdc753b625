//! The benchmark corpus generator (`benches/gen_corpus.py`): its corpus must stay the same
//! from session to session, or the figures in BENCHMARKS.md stop being comparable. A small
//! corpus is generated and its files' hash compared with the one pinned here (the hash of the
//! corpus of the generator the figures were first measured with); then it is built.

use std::path::Path;

use crate::support::*;

/// BLAKE3 of the 100-unit studysite corpus: every file's path and bytes, sorted by path.
const CORPUS_100: &str = "c89ae1f9cc2e0e2f5f332fdd787b9a8b1780d3d81a461e245d7a28c5d1ae7c35";

fn generate(n: usize, tool: &str, dir: &Path) {
    let status = std::process::Command::new("python3")
        .arg(repo_root().join("benches/gen_corpus.py"))
        .arg(n.to_string())
        .arg(tool)
        .arg(dir)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run python3 benches/gen_corpus.py");
    assert!(status.success(), "gen_corpus.py {n} {tool} failed");
}

#[test]
fn the_benchmark_corpus_is_the_one_the_figures_were_measured_on_and_builds() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    generate(100, "studysite", &corpus);
    let mut h = blake3::Hasher::new();
    for (path, bytes) in snapshot(&corpus) {
        let path = path.to_string_lossy().replace('\\', "/");
        h.update(&(path.len() as u64).to_le_bytes());
        h.update(path.as_bytes());
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    assert_eq!(h.finalize().to_hex().as_str(), CORPUS_100);
    let out = dir.path().join("public");
    Run::from(
        bin()
            .args(["build", "--root"])
            .arg(&corpus)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap(),
    )
    .ok();
    assert!(out.join("part-10/unit-00100.html").exists());
}
