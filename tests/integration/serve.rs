//! `studysite serve`: the real binary on a free port of 127.0.0.1, a small site in a temp dir,
//! and a hand-written HTTP/1.1 client on `std::net::TcpStream` (raw requests can spell `..`,
//! `%2e%2e`, backslashes and NUL exactly as an attacker would). Each test starts its own
//! server with `--port 0` and reads the address from the `serving at http://…/` line; the
//! [`Server`] guard kills it at the end.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use crate::support::WAIT;
use crate::support::{Serve as Server, TempSite, bin, snapshot};

impl Server {
    fn get(&self, path: &str) -> Resp {
        self.request(&format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        ))
    }

    fn request(&self, raw: &str) -> Resp {
        request(self.port, raw.as_bytes())
    }

    fn events(&self) -> Events {
        Events::open(self.port)
    }

    /// Polls `path` until its body contains `text`.
    #[track_caller]
    fn wait_for_page(&self, path: &str, text: &str) -> Resp {
        let deadline = Instant::now() + WAIT;
        loop {
            let r = self.get(path);
            if r.status == 200 && r.text().contains(text) {
                return r;
            }
            if Instant::now() > deadline {
                panic!(
                    "{path} never showed {text:?}; last status {}\nstderr:\n{}",
                    r.status,
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A parsed HTTP response.
#[derive(Debug)]
struct Resp {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn parse_head(head: &str) -> (u16, BTreeMap<String, String>) {
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers)
}

/// Sends raw bytes, reads until the server closes (requests say `Connection: close`).
fn request(port: u16, raw: &[u8]) -> Resp {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.write_all(raw).unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).expect("read response");
    split_response(&buf)
}

fn split_response(buf: &[u8]) -> Resp {
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(buf)));
    let (status, headers) = parse_head(&String::from_utf8_lossy(&buf[..end]));
    Resp {
        status,
        headers,
        body: buf[end + 4..].to_vec(),
    }
}

/// A connected event-stream client: (event, data) pairs arrive on a channel.
struct Events {
    rx: Receiver<(String, String)>,
    _stream: TcpStream,
}

impl Events {
    fn open(port: u16) -> Events {
        let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        s.write_all(
            b"GET /__studysite/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n",
        )
        .unwrap();
        let reader = s.try_clone().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(reader);
            let mut line = String::new();
            // Skip the head; the body is chunked: chunk-size lines are not `field: value`.
            let (mut event, mut data) = (String::new(), Vec::<String>::new());
            loop {
                line.clear();
                match r.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                let l = line.trim_end_matches(['\r', '\n']);
                if let Some(v) = l.strip_prefix("event: ") {
                    event = v.to_string();
                } else if let Some(v) = l.strip_prefix("data: ") {
                    data.push(v.to_string());
                } else if l == "data:" {
                    data.push(String::new());
                } else if l.is_empty() && !event.is_empty() {
                    if tx
                        .send((std::mem::take(&mut event), data.join("\n")))
                        .is_err()
                    {
                        break;
                    }
                    data.clear();
                }
            }
        });
        Events { rx, _stream: s }
    }

    /// The next event, whatever it is.
    #[track_caller]
    fn next(&self) -> (String, String) {
        match self.rx.recv_timeout(WAIT) {
            Ok(e) => e,
            Err(e) => panic!("no event within {WAIT:?}: {e:?}"),
        }
    }

    /// Skips events until one named `name` arrives; returns its data.
    #[track_caller]
    fn wait(&self, name: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            match self
                .rx
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok((e, d)) if e == name => return d,
                Ok(_) => {}
                Err(e) => panic!("no `{name}` event within {WAIT:?}: {e:?}"),
            }
        }
    }
}

const UNIT: &str = "content/01-a/yuanwen.md";

/// The start of the error overlay the server puts into pages.
const OVERLAY: &str = "<div id=\"__studysite-error\"";

fn unit_text(body: &str) -> String {
    format!(
        "---\ntitle: 原文一\nkind: original\nminutes: 10\n---\n## 一是学习。 {{#task-1}}\n\n{body}\n"
    )
}

/// A site whose server is connected and has said hello.
fn watched(args: &[&str]) -> (TempSite, Server, Events) {
    let site = TempSite::minimal();
    let mut all = vec!["--watch"];
    all.extend_from_slice(args);
    let server = Server::start(site.path(), &all);
    let events = server.events();
    assert_eq!(events.next().0, "hello");
    (site, server, events)
}

/// The live-reload markup the server adds, cut out of a page (None when there is none).
fn strip_injection(html: &str) -> Option<String> {
    let start = html.find("<script>(function(){var g=")?;
    let end = start + html[start..].find("})();</script>")? + "})();</script>".len();
    Some(format!("{}{}", &html[..start], &html[end..]))
}

#[test]
fn serves_exactly_what_build_writes() {
    let site = TempSite::minimal();
    site.build().ok();
    let built = snapshot(&site.path().join("public"));
    // Files that differ between two builds cannot be compared (a bug of their own, reported).
    site.build().ok();
    let again = snapshot(&site.path().join("public"));
    let server = Server::start(site.path(), &[]);
    assert!(built.len() > 5, "{built:?}");
    for (rel, bytes) in &built {
        if again.get(rel) != Some(bytes) {
            eprintln!(
                "warning: {} differs between two builds; not compared",
                rel.display()
            );
            continue;
        }
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel == ".studysite-output" {
            continue;
        }
        let r = server.get(&format!("/{rel}"));
        assert_eq!(r.status, 200, "/{rel}");
        assert_eq!(&r.body, bytes, "/{rel} differs from the build");
    }
    let home = server.get("/");
    assert_eq!(&home.body, &built[Path::new("index.html")]);
    assert!(
        !home.text().contains("/__studysite/events"),
        "no live reload without --watch"
    );
    assert_eq!(server.get("/__studysite/events").status, 404);
}

#[test]
fn watch_mode_adds_live_reload_to_served_pages_only() {
    let site = TempSite::minimal();
    let server = Server::start(site.path(), &["--watch"]);
    let served = server.get("/01-a/yuanwen.html").text();
    assert!(
        served.contains("new EventSource(\"/__studysite/events\")"),
        "{served}"
    );
    let script_at = served.find("<script>(function(){var g=").unwrap();
    assert!(
        script_at < served.rfind("</body>").unwrap(),
        "script before </body>"
    );
    drop(server);
    site.build().ok();
    for (rel, bytes) in snapshot(&site.path().join("public")) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("/__studysite/events")
                && !text.contains("EventSource")
                && !text.contains("__studysite-error"),
            "build output {} has live-reload code",
            rel.display()
        );
    }
    let built = site.read("public/01-a/yuanwen.html");
    assert_eq!(strip_injection(&served).as_deref(), Some(built.as_str()));
}

#[test]
fn http_rules() {
    let site = TempSite::minimal();
    let server = Server::start(site.path(), &[]);

    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        let r = server.request(&format!(
            "{method} /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ));
        assert_eq!(r.status, 405, "{method}");
        assert_eq!(r.header("allow"), Some("GET, HEAD"), "{method}");
    }

    let get = server.get("/01-a/yuanwen.html");
    assert_eq!(get.status, 200);
    assert_eq!(get.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(get.header("x-content-type-options"), Some("nosniff"));
    let head = server.request(
        "HEAD /01-a/yuanwen.html HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD has no body");
    assert_eq!(
        head.header("content-length"),
        Some(get.body.len().to_string().as_str())
    );
    assert_eq!(head.header("etag"), get.header("etag"));

    assert_eq!(
        server.get("/static/style.css").header("content-type"),
        Some("text/css; charset=utf-8")
    );
    let js = server.get("/static/reader.js");
    assert!(
        js.header("content-type")
            .unwrap()
            .ends_with("javascript; charset=utf-8"),
        "{:?}",
        js.headers
    );

    // ETag: blake3 of the bytes; If-None-Match → 304 without a body.
    let etag = get.header("etag").unwrap().to_string();
    let expected = format!("\"{}\"", &blake3::hash(&get.body).to_hex()[..32]);
    assert_eq!(etag, expected);
    let cached = server.request(&format!(
        "GET /01-a/yuanwen.html HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: {etag}\r\nConnection: close\r\n\r\n"
    ));
    assert_eq!(cached.status, 304);
    assert!(cached.body.is_empty());
    let stale = server.request(
        "GET /01-a/yuanwen.html HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: \"0000\"\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(stale.status, 200);

    // Folders: index.html, a redirect to the slash, never a listing.
    let topic = server.get("/01-a/");
    assert_eq!(topic.status, 200);
    assert_eq!(topic.body, built_file(&site, "01-a/index.html"));
    let redirect = server.get("/01-a?x=1");
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.header("location"), Some("/01-a/?x=1"));
    let static_dir = server.get("/static/");
    assert_eq!(
        static_dir.status, 404,
        "no listing of a folder without index.html"
    );
    assert_eq!(
        static_dir.body,
        server.get("/nothing-here.html").body,
        "the 404 page"
    );

    // The theme's 404 page, with status 404 and a base for its root-relative links.
    let missing = server.get("/no/such/page.html");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let text = missing.text();
    assert!(
        text.contains("<title>页面不存在 · 测试站点</title>"),
        "{text}"
    );
    let base_at = text.find("<base href=\"/\">").expect("base element");
    assert!(base_at < text.find("<title>").unwrap());
}

/// Issue 17: every file answers byte ranges, so a video or a PDF in `static/` plays and pages
/// on an iPhone (Safari asks for `bytes=0-1` first and plays nothing without a 206).
#[test]
fn files_answer_byte_ranges() {
    let site = TempSite::minimal();
    // An MP4's first box (`ftyp`), then filler: what the server sends is bytes, whatever they are.
    let mut video = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    video.extend((0..5000u32).map(|i| (i * 7 % 251) as u8));
    site.write_bytes("static/video/lesson.mp4", &video);
    let server = Server::start(site.path(), &[]);
    let range = |path: &str, range: &str| {
        server.request(&format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: {range}\r\nConnection: close\r\n\r\n"
        ))
    };

    let whole = server.get("/static/video/lesson.mp4");
    assert_eq!(whole.status, 200);
    assert_eq!(whole.header("accept-ranges"), Some("bytes"));
    assert_eq!(whole.header("content-type"), Some("video/mp4"));
    assert_eq!(whole.body, video);

    // `curl -r 0-99`
    let first = range("/static/video/lesson.mp4", "bytes=0-99");
    assert_eq!(first.status, 206);
    assert_eq!(first.body, &video[..100]);
    assert_eq!(first.header("content-length"), Some("100"));
    let total = video.len();
    assert_eq!(
        first.header("content-range"),
        Some(format!("bytes 0-99/{total}").as_str())
    );
    assert_eq!(first.header("content-type"), Some("video/mp4"));
    assert_eq!(first.header("etag"), whole.header("etag"));

    let probe = range("/static/video/lesson.mp4", "bytes=0-1");
    assert_eq!((probe.status, probe.body.len()), (206, 2));
    let tail = range("/static/video/lesson.mp4", "bytes=-10");
    assert_eq!(tail.status, 206);
    assert_eq!(tail.body, &video[total - 10..]);
    let open = range("/static/video/lesson.mp4", &format!("bytes={}-", total - 3));
    assert_eq!(open.body, &video[total - 3..]);

    let beyond = range("/static/video/lesson.mp4", &format!("bytes={total}-"));
    assert_eq!(beyond.status, 416);
    assert_eq!(
        beyond.header("content-range"),
        Some(format!("bytes */{total}").as_str())
    );
    assert!(beyond.body.is_empty());

    // Every file, pages too; a stale If-Range gets the whole file.
    let page = range("/01-a/yuanwen.html", "bytes=0-14");
    assert_eq!(page.status, 206);
    assert_eq!(page.text(), "<!DOCTYPE html>");
    let etag = whole.header("etag").unwrap();
    let changed = server.request(
        "GET /static/video/lesson.mp4 HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes=0-9\r\nIf-Range: \"0000\"\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(changed.status, 200);
    let same = server.request(&format!(
        "GET /static/video/lesson.mp4 HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes=0-9\r\nIf-Range: {etag}\r\nConnection: close\r\n\r\n"
    ));
    assert_eq!((same.status, same.body.len()), (206, 10));
    let head = server.request(
        "HEAD /static/video/lesson.mp4 HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes=0-99\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(head.status, 206);
    assert_eq!(head.header("content-length"), Some("100"));
    // A missing file is still the 404 page, ranges or not.
    assert_eq!(range("/no/such.mp4", "bytes=0-99").status, 404);
}

/// The built bytes of one file, via a fresh build into a temp folder.
fn built_file(site: &TempSite, rel: &str) -> Vec<u8> {
    let out = tempfile::tempdir().unwrap();
    let run = bin()
        .arg("build")
        .arg("--root")
        .arg(site.path())
        .arg("--out")
        .arg(out.path().join("public"))
        .output()
        .unwrap();
    assert!(run.status.success());
    std::fs::read(out.path().join("public").join(rel)).unwrap()
}

#[test]
fn no_path_traversal_in_any_spelling() {
    let site = TempSite::minimal();
    site.write("secret.txt", "TOP-SECRET-VALUE");
    site.write("content/01-a/secret.txt", "TOP-SECRET-VALUE");
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc", site.path().join("etc")).unwrap();
    let server = Server::start(site.path(), &[]);
    let targets = [
        "/../secret.txt",
        "/../../../../etc/passwd",
        "/01-a/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/.%2e/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/..%2Fsecret.txt",
        "/01-a%2f..%2f..%2fsecret.txt",
        "/..\\secret.txt",
        "/..%5csecret.txt",
        "/01-a\\..\\..\\secret.txt",
        "/%5c..%5c..%5cetc%5cpasswd",
        "/secret.txt%00.html",
        "/index.html%00",
        "//etc/passwd",
        "/%2fetc/passwd",
        "/etc/passwd",
        "/secret.txt",
        "/content/01-a/secret.txt",
        "/content/01-a/yuanwen.md",
        "/site.yaml",
        "/etc/passwd%00",
        "/%252e%252e/secret.txt",
        "/%c0%ae%c0%ae/secret.txt",
        "/./index.html",
        "/01-a/./yuanwen.html",
        "http://127.0.0.1/../secret.txt",
        "/%",
        "/%zz",
    ];
    for t in targets {
        let r = server.get(t);
        assert!(
            r.status == 400 || r.status == 404,
            "{t}: status {} — expected 400 or 404",
            r.status
        );
        let body = r.text();
        assert!(!body.contains("TOP-SECRET"), "{t} leaked the secret");
        assert!(!body.contains("root:x:0:0"), "{t} leaked /etc/passwd");
    }
    // A NUL byte and a raw backslash in the request line itself.
    for raw in [
        &b"GET /..\\secret.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"[..],
        &b"GET /secret.txt\0 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"[..],
    ] {
        let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        s.set_read_timeout(Some(WAIT)).unwrap();
        s.write_all(raw).unwrap();
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        let text = String::from_utf8_lossy(&buf);
        assert!(!text.contains("TOP-SECRET"), "{text}");
        assert!(!text.starts_with("HTTP/1.1 200"), "{text}");
    }
    // Still serving.
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn an_edit_reloads_open_pages() {
    let (site, server, events) = watched(&[]);
    site.write(UNIT, &unit_text("修改后的新内容。"));
    events.wait("reload");
    server.wait_for_page("/01-a/yuanwen.html", "修改后的新内容。");
    let line = rebuild_line(&server, 1);
    assert!(
        line.starts_with("content/01-a/yuanwen.md changed: rebuilt ")
            && line.contains(" ms (load "),
        "one line per rebuild\n{}",
        server.stderr()
    );
}

/// The search files are made after the reload (the last build's are served meanwhile); once
/// the rebuild has said it is done, the served site is again exactly what `build` writes.
/// Waits until the server has printed `n` rebuild lines and returns the last.
fn rebuild_line(server: &Server, n: usize) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let stderr = server.stderr();
        let lines: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("changed: rebuilt "))
            .collect();
        if lines.len() >= n {
            return lines[n - 1].to_string();
        }
        assert!(Instant::now() < deadline, "no rebuild line\n{stderr}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Builds the site and checks that the server serves every file exactly as `build` wrote it
/// (files that differ between two builds are skipped). Returns the built files.
fn assert_serves_the_build(site: &TempSite, server: &Server) -> BTreeMap<PathBuf, Vec<u8>> {
    site.build().ok();
    let built = snapshot(&site.path().join("public"));
    site.build().ok();
    let again = snapshot(&site.path().join("public"));
    for (rel, bytes) in &built {
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel == ".studysite-output" || again.get(Path::new(&rel)) != Some(bytes) {
            continue;
        }
        let r = server.get(&format!("/{rel}"));
        assert_eq!(r.status, 200, "/{rel}");
        if rel.ends_with(".html") {
            let served = strip_injection(&r.text()).unwrap_or_else(|| r.text());
            assert_eq!(served, String::from_utf8_lossy(bytes), "/{rel}");
        } else {
            assert_eq!(&r.body, bytes, "/{rel} differs from the build");
        }
    }
    built
}

#[test]
fn after_an_edit_the_served_site_and_its_search_index_are_what_build_writes() {
    let (site, server, events) = watched(&[]);
    let before = server.get("/search/index.js");
    assert_eq!(before.status, 200);
    site.write(UNIT, &unit_text("检索新词汇出现了。"));
    events.wait("reload");
    rebuild_line(&server, 1);
    let built = assert_serves_the_build(&site, &server);
    let search_files = built.keys().filter(|p| p.starts_with("search")).count();
    assert!(search_files >= 3, "{search_files} search files compared");
    let after = server.get("/search/index.js");
    assert_eq!(&after.body, &built[Path::new("search/index.js")]);
    let all_search: Vec<u8> = built
        .iter()
        .filter(|(p, _)| p.starts_with("search"))
        .flat_map(|(_, b)| b.clone())
        .collect();
    assert!(String::from_utf8_lossy(&all_search).contains("新词"));
}

/// The last rebuild line about `file` among the server's rebuild lines past the first `seen`,
/// once the server has printed nothing new for 400 ms, and how many rebuild lines there are:
/// an editor's write can reach the watcher as two bursts and make two rebuilds.
fn settled_rebuild_line(server: &Server, file: &str, seen: usize) -> (String, usize) {
    let deadline = Instant::now() + WAIT;
    let mut before = server.stderr();
    loop {
        std::thread::sleep(Duration::from_millis(400));
        let now = server.stderr();
        let lines: Vec<&str> = now
            .lines()
            .filter(|l| l.contains("changed: rebuilt "))
            .collect();
        let last = lines
            .iter()
            .skip(seen)
            .rfind(|l| l.starts_with(&format!("{file} changed: rebuilt ")));
        if let (Some(last), true) = (last, now == before) {
            return (last.to_string(), lines.len());
        }
        assert!(
            Instant::now() < deadline,
            "no settled rebuild of {file}\n{now}"
        );
        before = now;
    }
}

/// Pages whose inputs did not change are reused between rebuilds; a changed title must still
/// reach every page that shows it (navigation, previous/next, topic and home lists).
#[test]
fn a_new_title_reaches_every_page_that_shows_it_and_unchanged_pages_are_reused() {
    let site = TempSite::minimal();
    site.write(
        "content/01-a/jiedu.md",
        "---\ntitle: 解读一\nkind: explanation\nweight: 2\nminutes: 5\n---\n解读正文。\n",
    );
    site.write(
        "content/01-a/yantao.md",
        "---\ntitle: 研讨一\nkind: discussion\nweight: 3\nminutes: 5\n---\n研讨正文。\n",
    );
    site.write(
        "content/02-b/_index.md",
        "---\ntitle: 第二专题\nweight: 2\n---\n导言。\n",
    );
    site.write(
        "content/02-b/yantao.md",
        "---\ntitle: 研讨二\nkind: discussion\nminutes: 5\n---\n研讨正文。\n",
    );
    let server = Server::start(site.path(), &["--watch"]);
    let events = server.events();
    assert_eq!(events.next().0, "hello");

    site.write(
        UNIT,
        "---\ntitle: 原文一（修订版）\nkind: original\nminutes: 10\n---\n## 一是学习。 {#task-1}\n\n原文内容。\n",
    );
    events.wait("reload");
    let (line, seen) = settled_rebuild_line(&server, UNIT, 0);
    let neighbour = server.get("/01-a/jiedu.html").text();
    assert_eq!(
        neighbour.matches("原文一（修订版）").count(),
        2,
        "side navigation and the previous-page link\n{neighbour}"
    );
    let far = server.get("/01-a/yantao.html").text();
    assert!(far.contains("原文一（修订版）"), "side navigation\n{far}");
    assert!(
        server
            .get("/index.html")
            .text()
            .contains("原文一（修订版）")
    );
    assert_serves_the_build(&site, &server);

    // A body edit of the other topic's unit leaves the first topic's pages as they were.
    site.write(
        "content/02-b/yantao.md",
        "---\ntitle: 研讨二\nkind: discussion\nminutes: 5\n---\n研讨正文，改过。\n",
    );
    events.wait("reload");
    let (second, _) = settled_rebuild_line(&server, "content/02-b/yantao.md", seen);
    let count = |l: &str, what: &str| -> usize {
        let i = l.find(what).unwrap_or_else(|| panic!("`{what}` in {l}"));
        let digits: String = l[..i]
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.chars().rev().collect::<String>().parse().unwrap()
    };
    let (pages, unchanged) = (count(&second, " pages"), count(&second, " unchanged"));
    assert!(
        unchanged > 0 && unchanged < pages,
        "some pages reused, some made again: {second} (first: {line})"
    );
    assert!(
        server
            .get("/02-b/yantao.html")
            .text()
            .contains("研讨正文，改过。")
    );
    assert_serves_the_build(&site, &server);
}

/// Saving a file unchanged (or an editor's second write of the same save) rebuilds, but open
/// pages are not reloaded for a site that is byte for byte what they show.
#[test]
fn a_save_that_changes_nothing_does_not_reload_open_pages() {
    let (site, server, events) = watched(&[]);
    let text = std::fs::read_to_string(site.path().join(UNIT)).unwrap();
    site.write(UNIT, &text);
    let line = rebuild_line(&server, 1);
    assert!(
        line.ends_with("; the site is as it was: open pages are not reloaded"),
        "{line}"
    );
    // A real change still reloads them — and its reload is the first event since the save:
    // the unchanged build sent none (checked by order, not by waiting a while). A save can
    // reach the watcher as two bursts, so the unchanged one may print a second line first;
    // every line but the real change's says the site is as it was.
    site.write(UNIT, &unit_text("真正的修改。"));
    assert_eq!(events.next().0, "reload");
    server.wait_for_page("/01-a/yuanwen.html", "真正的修改。");
    let reloaded = reloading_rebuilds(&server);
    assert_eq!(reloaded.len(), 1, "{}", server.stderr());
}

/// The rebuild lines printed so far that reloaded open pages (those that do not say the site
/// is as it was), once the last rebuild has printed its line.
fn reloading_rebuilds(server: &Server) -> Vec<String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let stderr = server.stderr();
        let lines: Vec<String> = (stderr.lines())
            .filter(|l| l.contains("changed: rebuilt ") && !l.contains("not reloaded"))
            .map(String::from)
            .collect();
        if !lines.is_empty() {
            return lines;
        }
        assert!(Instant::now() < deadline, "no rebuild reloaded\n{stderr}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_page_that_missed_a_rebuild_reloads_on_connect() {
    let (site, server, events) = watched(&[]);
    site.write(UNIT, &unit_text("第二版。"));
    let generation = events.wait("reload");
    let late = server.events();
    let (name, data) = late.next();
    assert_eq!(
        (name.as_str(), data.as_str()),
        ("hello", generation.as_str())
    );
    let page = server.get("/01-a/yuanwen.html").text();
    assert!(page.contains(&format!("var g=\"{generation}\"")), "{page}");
}

#[test]
fn broken_front_matter_shows_the_error_until_fixed() {
    let (site, server, events) = watched(&[]);
    let broken = "---\ntitle: [<b>坏了\nkind: original\n---\n正文\n";
    site.write(UNIT, broken);
    let error = events.wait("error");

    // The overlay says what `check` says about the same file.
    let check = site.run(&["check"]);
    check.fails(1);
    let headline = check.stderr.lines().next().unwrap().to_string();
    assert!(
        headline.starts_with("error: content/01-a/yuanwen.md:"),
        "{headline}"
    );
    assert!(
        error.lines().any(|l| l == headline),
        "event data:\n{error}\ncheck:\n{}",
        check.stderr
    );
    assert!(error.contains("title: [<b>坏了"), "the snippet: {error}");
    assert!(server.stderr().contains(&headline), "terminal shows it too");
    assert!(
        server.stderr().contains("build failed in"),
        "{}",
        server.stderr()
    );

    // The last good site is still served, with the overlay, escaped.
    let page = server.get("/01-a/yuanwen.html");
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(text.contains("原文内容。"), "last good build");
    assert!(text.contains(OVERLAY), "{text}");
    assert!(text.contains("title: [&lt;b&gt;坏了"), "escaped snippet");
    assert!(!text.contains("[<b>坏了"), "never raw");
    // A page opened now hears about the error at once.
    let late = server.events();
    assert_eq!(late.next().0, "hello");
    assert_eq!(late.next(), ("error".to_string(), error.clone()));

    site.write(UNIT, &unit_text("修好了。"));
    events.wait("reload");
    let fixed = server
        .wait_for_page("/01-a/yuanwen.html", "修好了。")
        .text();
    assert!(!fixed.contains(OVERLAY), "overlay gone");
}

/// Issue 17: the overlay's headline comes from the site's language table
/// (`serve_error_title`), in the overlay served with a page and in the live-reload script that
/// shows it on open pages; a site's own table can change it.
#[test]
fn the_error_overlay_speaks_the_sites_language() {
    let zh = "studysite serve：刚才的修改没能生成网站。";
    let en = "studysite serve: the last change did not build.";
    let (site, server, events) = watched(&[]);
    site.write(UNIT, "---\ntitle: [\n---\n");
    events.wait("error");
    let text = server.get("/01-a/yuanwen.html").text();
    assert!(text.contains(&format!("<strong>{zh}")), "{text}");
    assert!(
        text.contains(&format!("h.textContent=\"{zh}")),
        "the script's words: {text}"
    );
    assert!(!text.contains(en), "{text}");
    drop(server);

    let site = TempSite::minimal();
    site.write("site.yaml", "title: Test site\nlanguage: en\n");
    site.write(UNIT, "---\ntitle: [\n---\n");
    let server = Server::start(site.path(), &["--watch"]);
    let text = server.get("/01-a/yuanwen.html").text();
    assert!(text.contains(&format!("<strong>{en}")), "{text}");
    assert!(!text.contains(zh), "{text}");

    // A theme's own table gives its own words.
    site.write(
        "themes/mine/i18n/en.yaml",
        "serve_error_title: \"Not built — fix it </script> and save\"\n",
    );
    site.write("site.yaml", "title: Test site\nlanguage: en\ntheme: mine\n");
    site.write(UNIT, "---\ntitle: [[\n---\n");
    let deadline = Instant::now() + WAIT;
    let text = loop {
        let text = server.get("/01-a/yuanwen.html").text();
        if text.contains("Not built") || Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        text.contains("<strong>Not built — fix it &lt;/script&gt; and save"),
        "{text}"
    );
    assert!(
        text.contains("Not built — fix it <\\/script> and save"),
        "{text}"
    );
}

#[test]
fn rename_on_save_is_seen() {
    let (site, server, events) = watched(&[]);
    // vim / VS Code style: write a temp file, rename it over the unit.
    let unit = site.path().join(UNIT);
    let tmp = site.path().join("content/01-a/yuanwen.md.tmp");
    std::fs::write(&tmp, unit_text("改名保存一。")).unwrap();
    std::fs::rename(&tmp, &unit).unwrap();
    events.wait("reload");
    server.wait_for_page("/01-a/yuanwen.html", "改名保存一。");
    // JetBrains style.
    let jb = site.path().join("content/01-a/yuanwen.md___jb_tmp___");
    std::fs::write(&jb, unit_text("改名保存二。")).unwrap();
    std::fs::rename(&jb, &unit).unwrap();
    events.wait("reload");
    server.wait_for_page("/01-a/yuanwen.html", "改名保存二。");
}

#[test]
fn new_folder_with_files_written_right_after_mkdir() {
    let (site, server, events) = watched(&[]);
    let dir = site.path().join("content/02-b");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("_index.md"),
        "---\ntitle: 第二专题\nweight: 2\n---\n导言。\n",
    )
    .unwrap();
    std::fs::write(dir.join("yuanwen.md"), unit_text("新专题的原文。")).unwrap();
    events.wait("reload");
    server.wait_for_page("/02-b/yuanwen.html", "新专题的原文。");

    // Deleting the folder removes its pages.
    std::fs::remove_dir_all(&dir).unwrap();
    let deadline = Instant::now() + WAIT;
    while server.get("/02-b/yuanwen.html").status != 404 {
        assert!(Instant::now() < deadline, "deleted unit still served");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn output_hidden_and_temp_files_do_not_rebuild() {
    let (site, server, events) = watched(&[]);
    site.write("public/index.html", "not a source");
    site.write("content/01-a/.yuanwen.md.swp", "vim swap");
    site.write("content/01-a/yuanwen.md~", "backup");
    site.write("content/01-a/4913", "vim probe");
    site.write("notes.txt", "not a source");
    // Then a source: its rebuild is the first, names it alone, and is the first event. Had
    // any file above been taken for a change, a rebuild (or `+N more`) would come first.
    site.write(UNIT, &unit_text("真正的修改。"));
    assert_eq!(events.next().0, "reload");
    server.wait_for_page("/01-a/yuanwen.html", "真正的修改。");
    // One rebuild reloaded, and every rebuild line names the unit alone (a save can reach the
    // watcher as two bursts: the second is a rebuild of the same change, not reloaded).
    assert_eq!(reloading_rebuilds(&server).len(), 1, "{}", server.stderr());
    let stderr = server.stderr();
    for line in stderr.lines().filter(|l| l.contains(": rebuilt ")) {
        assert!(
            line.starts_with(&format!("{UNIT} changed: rebuilt ")),
            "{line}\n{stderr}"
        );
    }
}

#[test]
fn site_yaml_and_theme_changes_rebuild() {
    let (site, server, events) = watched(&[]);
    site.write("site.yaml", "title: 改过的站名\n");
    events.wait("reload");
    server.wait_for_page("/", "改过的站名");
    let line = rebuild_line(&server, 1);
    assert!(line.starts_with("site.yaml changed: rebuilt"), "{line}");
}

#[test]
fn poll_mode_rebuilds_too() {
    let (site, server, events) = watched(&["--poll"]);
    site.write(UNIT, &unit_text("轮询看到了。"));
    events.wait("reload");
    server.wait_for_page("/01-a/yuanwen.html", "轮询看到了。");
}

#[test]
fn a_broken_site_at_start_is_served_as_its_errors_with_watch() {
    let site = TempSite::minimal();
    site.write(UNIT, "---\ntitle: [\n---\n");
    let plain = site.run(&["serve", "--port", "0"]);
    plain.fails(1);
    assert!(
        plain.stderr.contains("build failed: nothing to serve"),
        "{}",
        plain.stderr
    );

    let server = Server::start(site.path(), &["--watch"]);
    let page = server.get("/01-a/yuanwen.html");
    assert_eq!(page.status, 404);
    assert!(page.text().contains(OVERLAY));
    let events = server.events();
    assert_eq!(events.next().0, "hello");
    assert_eq!(events.next().0, "error");
    site.write(UNIT, &unit_text("终于好了。"));
    events.wait("reload");
    server.wait_for_page("/01-a/yuanwen.html", "终于好了。");
}

#[test]
fn lan_binds_every_address_and_says_read_only() {
    let site = TempSite::minimal();
    let server = Server::start(site.path(), &["--lan"]);
    // Reached through loopback only.
    assert_eq!(server.get("/").status, 200);
    #[cfg(target_os = "linux")]
    {
        let tcp = std::fs::read_to_string("/proc/net/tcp").unwrap();
        let wanted = format!("00000000:{:04X}", server.port);
        assert!(
            tcp.lines()
                .any(|l| l.split_whitespace().nth(1) == Some(wanted.as_str())
                    && l.split_whitespace().nth(3) == Some("0A")),
            "no socket listening on 0.0.0.0:{}",
            server.port
        );
    }
    let out = &server.stdout;
    if out.contains("on the local network") {
        assert!(out.contains("read-only"), "{out}");
        assert!(out.contains(&format!(":{}/\n", server.port)));
        assert!(
            out.contains('█') || out.contains('▀') || out.contains('▄'),
            "QR code\n{out}"
        );
    } else {
        assert!(out.contains("no network address found"), "{out}");
    }
}

#[test]
fn a_taken_port_moves_to_the_next_free_one() {
    let site = TempSite::minimal();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let server = Server::start(site.path(), &["--port", &port.to_string()]);
    assert!(server.port > port, "{} after {port}", server.port);
    assert!(
        server
            .stderr()
            .contains(&format!("port {port} is in use; trying {}", port + 1)),
        "{}",
        server.stderr()
    );
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn two_hundred_connections_at_once_are_all_served() {
    let site = TempSite::minimal();
    let server = Server::start(site.path(), &["--watch"]);
    let mut conns: Vec<TcpStream> = (0..200)
        .map(|_| TcpStream::connect(("127.0.0.1", server.port)).expect("connect"))
        .collect();
    for c in &mut conns {
        c.set_read_timeout(Some(WAIT)).unwrap();
        c.write_all(
            b"GET /01-a/yuanwen.html HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
    }
    let mut ok = 0;
    for c in &mut conns {
        let mut buf = Vec::new();
        c.read_to_end(&mut buf).unwrap();
        let r = split_response(&buf);
        if r.status == 200 && r.text().contains("原文内容。") {
            ok += 1;
        }
    }
    assert_eq!(ok, 200);
}

#[test]
fn idle_connections_are_closed_but_event_streams_stay() {
    let site = TempSite::minimal();
    let server = Server::start_env(
        site.path(),
        &["--watch"],
        &[("STUDYSITE_IDLE_TIMEOUT_MS", "300")],
    );
    let events = server.events();
    assert_eq!(events.next().0, "hello");

    let mut idle = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    idle.set_read_timeout(Some(WAIT)).unwrap();
    let start = Instant::now();
    let mut buf = [0u8; 64];
    let n = idle.read(&mut buf).unwrap_or(0);
    let waited = start.elapsed();
    assert_eq!(n, 0, "closed without a response");
    assert!(waited >= Duration::from_millis(250), "{waited:?}");
    assert!(waited < Duration::from_secs(5), "{waited:?}");

    // A kept-alive connection is closed after its request, when idle.
    let mut kept = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    kept.set_read_timeout(Some(WAIT)).unwrap();
    kept.write_all(b"HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let mut all = Vec::new();
    kept.read_to_end(&mut all).unwrap();
    assert!(
        all.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&all)
    );

    // The event stream outlived the timeout and still delivers.
    std::thread::sleep(Duration::from_millis(400));
    site.write(UNIT, &unit_text("还在听。"));
    events.wait("reload");
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly() {
    let site = TempSite::minimal();
    let mut server = Server::start(site.path(), &["--watch"]);
    let events = server.events();
    assert_eq!(events.next().0, "hello");
    let status = Command::new("kill")
        .args(["-INT", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(5);
    let code = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s.code();
        }
        assert!(Instant::now() < deadline, "still running after Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(code, Some(0), "{}", server.stderr());
}

/// Like `Page::wait_until`, but an evaluation that fails because the page is just reloading
/// (its context destroyed) counts as "not yet".
#[track_caller]
fn wait_across_reloads(page: &crate::browser::Page, js: &str, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    let expr = format!("!!({js})");
    loop {
        if let Ok(obj) = page.tab.evaluate(&expr, false)
            && obj.value == Some(serde_json::Value::Bool(true))
        {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for `{js}`");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn browser_page_reloads_after_an_edit_and_shows_errors_in_an_overlay() {
    use crate::browser::Page;
    let b = crate::require_browser!();
    let (site, server, _events) = watched(&[]);
    let page = Page::open(
        b,
        &format!("http://127.0.0.1:{}/01-a/yuanwen.html", server.port),
        1280,
        800,
    );
    let timeout = Duration::from_secs(15);
    wait_across_reloads(
        &page,
        "document.body.innerText.includes('原文内容。')",
        timeout,
    );
    // Let the page's event stream connect before the edit.
    wait_across_reloads(
        &page,
        "window.__studysiteEvents && window.__studysiteEvents.readyState === 1",
        timeout,
    );

    site.write(UNIT, &unit_text("浏览器里看到的新内容。"));
    wait_across_reloads(
        &page,
        "document.body.innerText.includes('浏览器里看到的新内容。')",
        timeout,
    );

    site.write(UNIT, "---\ntitle: [<i>坏了\nkind: original\n---\n正文\n");
    wait_across_reloads(
        &page,
        "document.getElementById('__studysite-error')",
        timeout,
    );
    let overlay = page.eval_str("document.getElementById('__studysite-error').innerText");
    assert!(
        overlay.contains("error: content/01-a/yuanwen.md:2:"),
        "{overlay}"
    );
    assert!(
        overlay.contains("title: [<i>坏了"),
        "shown as text: {overlay}"
    );
    assert!(
        page.eval_bool("document.querySelector('#__studysite-error i') === null"),
        "never as markup"
    );
    page.screenshot("serve-error-overlay");

    site.write(UNIT, &unit_text("又好了。"));
    wait_across_reloads(
        &page,
        "document.body.innerText.includes('又好了。') && !document.getElementById('__studysite-error')",
        timeout,
    );
}

#[test]
fn the_content_folder_removed_and_made_anew_is_watched_again() {
    let (site, server, events) = watched(&[]);
    let content = site.path().join("content");
    let saved = tempfile::tempdir().unwrap();
    crate::support::copy_dir(&content, saved.path());
    std::fs::remove_dir_all(&content).unwrap();
    events.wait("error");
    crate::support::copy_dir(saved.path(), &content);
    events.wait("reload");
    server.wait_for_page("/01-a/yuanwen.html", "原文内容。");
    // The new folder has a watch of its own.
    site.write(UNIT, &unit_text("重建后的修改。"));
    server.wait_for_page("/01-a/yuanwen.html", "重建后的修改。");
}

#[test]
fn an_edited_question_bank_reloads_and_a_bad_cell_shows_in_the_overlay() {
    // Issue 15: a bank is a source like any other.
    let (site, server, events) = watched(&[]);
    let bank = "content/01-a/tiku.xlsx";
    site.write_bytes(bank, &crate::bank::xlsx_bank("题库", 4, &[]));
    events.wait("reload");
    server.wait_for_page("/01-a/tiku.html", "第4题");
    site.write_bytes(
        bank,
        &crate::bank::xlsx_bank("题库", 4, &[(2, 2, "改过的题干___。")]),
    );
    events.wait("reload");
    server.wait_for_page("/01-a/tiku.html", "改过的题干");
    site.write_bytes(bank, &crate::bank::xlsx_bank("题库", 4, &[(1, 7, "E")]));
    let error = events.wait("error");
    let headline = "error: content/01-a/tiku.xlsx: 题库!H2: answer `E` names no option: the question has 4 options (A–D)";
    assert!(error.lines().any(|l| l == headline), "{error}");
    let page = server.get("/01-a/tiku.html").text();
    assert!(page.contains(OVERLAY), "{page}");
    assert!(page.contains("题库!H2"), "{page}");
}

/// Issue 28: pages go gzip-compressed to a browser that accepts it, with `Vary` and an ETag of
/// their own; ranges are still answered from the identity bytes; a browser that does not
/// accept gzip gets the bytes as built.
#[test]
fn text_is_sent_gzip_compressed_when_accepted_and_ranges_stay_right() {
    let site = TempSite::minimal();
    site.build().ok();
    let built = built_file(&site, "01-a/yuanwen.html");
    let server = Server::start(site.path(), &[]);
    let get = |extra: &str| {
        server.request(&format!(
            "GET /01-a/yuanwen.html HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}Connection: close\r\n\r\n"
        ))
    };
    let plain = get("");
    assert_eq!(plain.status, 200);
    assert_eq!(plain.body, built);
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.header("vary"), Some("Accept-Encoding"));

    let packed = get("Accept-Encoding: gzip, deflate, br\r\n");
    assert_eq!(packed.status, 200);
    assert_eq!(packed.header("content-encoding"), Some("gzip"));
    assert_eq!(packed.header("vary"), Some("Accept-Encoding"));
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(&packed.body[..])
        .read_to_end(&mut unpacked)
        .unwrap();
    assert_eq!(unpacked, built, "gzip carries exactly the built page");
    assert!(
        packed.body.len() * 2 < built.len(),
        "{} of {}",
        packed.body.len(),
        built.len()
    );
    let (plain_tag, gz_tag) = (
        plain.header("etag").unwrap(),
        packed.header("etag").unwrap(),
    );
    assert_ne!(plain_tag, gz_tag, "an ETag per encoding");

    let again = get(&format!(
        "Accept-Encoding: gzip\r\nIf-None-Match: {gz_tag}\r\n"
    ));
    assert_eq!(again.status, 304);
    let other = get(&format!("If-None-Match: {gz_tag}\r\n"));
    assert_eq!(
        other.status, 200,
        "the gzip tag does not match the identity bytes"
    );

    let part = get("Accept-Encoding: gzip\r\nRange: bytes=0-99\r\n");
    assert_eq!(part.status, 206);
    assert_eq!(part.header("content-encoding"), None);
    assert_eq!(part.body, &built[..100]);
}
