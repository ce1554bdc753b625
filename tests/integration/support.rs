//! Helpers shared by the integration tests: fixture sites in temp dirs, running the binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (the shipped site lives here).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The longest a test waits for something it expects (a page's state, a server's line, an
/// event): one bound for every module, generous for a loaded two-core machine. A test that
/// passes waits only as long as the thing takes.
pub const WAIT: std::time::Duration = std::time::Duration::from_secs(20);

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

/// A running `studysite serve` — the one way the tests start it: `--port 0` (a free loopback
/// port) unless `args` names one, its port read from the `serving at http://127.0.0.1:…/`
/// line (and, with `--collect`, the report URL from `report at …`); stderr kept for
/// messages. Killed (SIGKILL) on drop.
pub struct Serve {
    pub child: std::process::Child,
    pub port: u16,
    /// What it printed on stdout up to the address lines (LAN addresses, QR code, report URL).
    pub stdout: String,
    /// `report at …`, with `--collect`.
    pub report: String,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Serve {
    /// `studysite serve --root ROOT ARGS…`.
    #[track_caller]
    pub fn start(root: &Path, args: &[&str]) -> Serve {
        Serve::start_env(root, args, &[])
    }

    /// `studysite serve --collect` on `port` (0: any), with the rate limit out of the way.
    #[track_caller]
    pub fn collecting(root: &Path, port: u16) -> Serve {
        let port = port.to_string();
        let args = ["--collect", "--port", port.as_str()];
        Serve::start_env(root, &args, &[("STUDYSITE_COLLECT_RATE", "100000")])
    }

    /// [`Serve::start`] with environment variables.
    #[track_caller]
    pub fn start_env(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Serve {
        use std::io::BufRead;
        use std::process::Stdio;
        let mut cmd = bin();
        cmd.arg("serve").arg("--root").arg(root).args(args);
        if !args.contains(&"--port") {
            cmd.args(["--port", "0"]);
        }
        cmd.envs(env.iter().copied());
        let mut child = (cmd.stdin(Stdio::null()))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start studysite serve");
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (err_pipe, sink) = (child.stderr.take().unwrap(), stderr.clone());
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(err_pipe).lines() {
                let Ok(line) = line else { break };
                let mut s = sink.lock().unwrap_or_else(|e| e.into_inner());
                s.push_str(&line);
                s.push('\n');
            }
        });
        let out_pipe = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(out_pipe).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Serve {
            child,
            port: 0,
            stdout: String::new(),
            report: String::new(),
            stderr,
        };
        let collecting = args.contains(&"--collect");
        let deadline = std::time::Instant::now() + WAIT;
        while server.port == 0 || (collecting && server.report.is_empty()) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let Ok(line) = rx.recv_timeout(left) else {
                panic!(
                    "studysite serve printed no address within {WAIT:?}\nstdout:\n{}\nstderr:\n{}",
                    server.stdout,
                    server.stderr()
                );
            };
            server.stdout.push_str(&line);
            server.stdout.push('\n');
            if let Some(rest) = line.strip_prefix("serving at http://127.0.0.1:") {
                server.port = rest.trim_end_matches('/').parse().expect("port");
            }
            if let Some(rest) = line.strip_prefix("report at ") {
                server.report = rest.to_string();
            }
        }
        // The rest of the address lines (LAN addresses, QR code) come at once; later lines
        // are read and dropped, so the server never blocks on a full pipe.
        std::thread::sleep(std::time::Duration::from_millis(100));
        while let Ok(line) = rx.try_recv() {
            server.stdout.push_str(&line);
            server.stdout.push('\n');
        }
        std::thread::spawn(move || for _ in rx {});
        server
    }

    /// `http://127.0.0.1:PORT/`.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// `http://127.0.0.1:PORT`, as a browser sends it in `Origin`.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// What it printed on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Ends it at once (SIGKILL), as a crash or a pulled plug would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        self.kill();
    }
}
