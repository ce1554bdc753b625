//! Helpers shared by the integration tests: fixture sites in temp dirs, running the binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (the shipped site lives here).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    repo_root().join("tests/integration/fixtures")
}

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_studysite"))
}

/// A site in a temp dir, removed on drop.
pub struct TempSite {
    pub dir: tempfile::TempDir,
}

impl TempSite {
    /// An empty temp dir.
    pub fn empty() -> TempSite {
        TempSite {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A copy of `fixtures/<name>`.
    #[track_caller]
    pub fn fixture(name: &str) -> TempSite {
        let site = TempSite::empty();
        copy_dir(&fixtures().join(name), site.path());
        site
    }

    /// A minimal valid site: site.yaml, one topic, one original unit.
    pub fn minimal() -> TempSite {
        let site = TempSite::empty();
        site.write("site.yaml", "title: 测试站点\n");
        site.write(
            "content/01-a/_index.md",
            "---\ntitle: 第一专题\nweight: 1\n---\n导言。\n",
        );
        site.write(
            "content/01-a/yuanwen.md",
            "---\ntitle: 原文一\nkind: original\nminutes: 10\n---\n## 一是学习。 {#task-1}\n\n原文内容。\n",
        );
        site
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    pub fn remove(&self, rel: &str) {
        let p = self.path().join(rel);
        if p.is_dir() {
            std::fs::remove_dir_all(p).unwrap();
        } else {
            std::fs::remove_file(p).unwrap();
        }
    }

    /// Runs `studysite <args…> --root <site>`.
    pub fn run(&self, args: &[&str]) -> Run {
        let out = bin()
            .args(args)
            .arg("--root")
            .arg(self.path())
            .output()
            .expect("run studysite");
        Run::from(out)
    }

    pub fn build(&self) -> Run {
        self.run(&["build"])
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    // What a build leaves beside the sources (its cache, its output) is not copied: a stray
    // build in a fixture folder must not change what another test starts from.
    let left_by_a_build = |e: &walkdir::DirEntry| {
        e.depth() == 1 && matches!(e.file_name().to_str(), Some(".studysite" | "public"))
    };
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_entry(|e| !left_by_a_build(e))
    {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// The outcome of one run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    #[track_caller]
    pub fn ok(&self) -> &Run {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn fails(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts that stderr has this exact line.
    #[track_caller]
    pub fn has_line(&self, line: &str) -> &Run {
        assert!(
            self.stderr.lines().any(|l| l == line),
            "stderr lacks the line\n  {line}\nstderr:\n{}",
            self.stderr
        );
        self
    }
}

/// A snapshot of every file under `dir`: path → bytes.
pub fn snapshot(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Decodes `%XX` escapes of a URL path (as a browser would before asking the file system).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(Ok(b)) = s.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16))
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `studysite serve --port 0 --root ROOT` on a free loopback port, its base URL read from the
/// `serving at …` line; killed on drop.
pub struct Served {
    pub child: std::process::Child,
    pub base: String,
}

impl Served {
    #[track_caller]
    pub fn start(root: &Path) -> Served {
        use std::io::BufRead;
        let mut child = bin()
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start studysite serve");
        let out = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix("serving at ") {
                        let base = rest.trim().to_string();
                        return Served { child, base };
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("studysite serve printed no `serving at` line");
                }
            }
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
