//! `serve --collect` (issue 16): results gathered from the learners' browsers. A hostile and
//! malformed suite against the endpoint (plain HTTP on 127.0.0.1), and Chromium against a
//! collecting server: the name asked once, the report (CLI and page), the outbox offline and
//! across a `kill -9` of the server, and a built site from file:// that sends nothing.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use headless_chrome::Browser;
use headless_chrome::protocol::cdp::Network;
use serde_json::{Value, json};

use crate::browser::{Page, file_url};
use crate::support::WAIT;
use crate::support::{Serve, TempSite};

/// One request over a fresh connection: the status and the body.
pub(crate) fn request(port: u16, head: &str, body: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(WAIT)).unwrap();
    let _ = s.write_all(head.as_bytes());
    let _ = s.write_all(body);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map_or("", |x| x.1).to_string();
    (status, body)
}

fn post(server: &Serve, content_type: &str, origin: Option<&str>, body: &[u8]) -> (u16, String) {
    let origin = origin.map_or(String::new(), |o| format!("Origin: {o}\r\n"));
    let head = format!(
        "POST /__studysite/attempts HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: {content_type}\r\n{origin}Content-Length: {}\r\nConnection: close\r\n\r\n",
        server.port,
        body.len()
    );
    request(server.port, &head, body)
}

pub(crate) fn post_json(server: &Serve, body: &Value) -> (u16, String) {
    post(
        server,
        "application/json",
        Some(&server.origin()),
        body.to_string().as_bytes(),
    )
}

/// `studysite report --format FORMAT` of `site`.
pub(crate) fn report(site: &Path, format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_studysite"))
        .args(["report", "--format", format, "--root"])
        .arg(site)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub(crate) fn attempts_stored(site: &Path) -> u64 {
    let doc: Value = serde_json::from_str(&report(site, "json")).unwrap();
    doc["learners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["attempts"].as_str().unwrap().parse::<u64>().unwrap())
        .sum()
}

pub(crate) fn fixture() -> TempSite {
    TempSite::fixture("quiz/basic")
}

/// A good record of the fixture's topic quiz `topic:02-b` (one true/false question).
pub(crate) fn good(id: &str, name: &str) -> Value {
    json!({
        "attempt_id": id, "kind": "quiz", "device": "device-0001", "name": name, "branch": "一支部",
        "quiz": "topic:02-b", "started": "2024-05-01T08:00:00.000Z", "finished": "2024-05-01T08:01:00.000Z",
        "score": 1, "total": 1,
        "answers": [{"id": "b-tf", "hash": hash_of("b-tf"), "answer": false}]
    })
}

pub(crate) fn hash_of(qid: &str) -> String {
    static QUIZZES: OnceLock<Value> = OnceLock::new();
    let doc = QUIZZES.get_or_init(|| {
        let site = fixture();
        site.build().ok();
        serde_json::from_str(&site.read("public/quizzes.json")).unwrap()
    });
    doc["quizzes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|q| q["questions"].as_array().unwrap())
        .find(|q| q["id"] == qid)
        .map(|q| q["hash"].as_str().unwrap().to_string())
        .unwrap()
}

#[test]
fn hostile_and_malformed_bodies_are_refused_and_nothing_is_stored() {
    let site = fixture();
    let server = Serve::collecting(site.path(), 0);
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = good("hostile-0001", "张三");
        f(&mut v);
        v.to_string().into_bytes()
    };
    let huge = format!(
        "{{\"attempt_id\":\"hostile-0002\",\"name\":\"{}\"}}",
        "长".repeat(40_000)
    );
    let o = server.origin();
    let cases: Vec<(&str, &str, Option<&str>, Vec<u8>)> = vec![
        ("invalid JSON", "application/json", Some(&o), b"{\"attempt_id\":".to_vec()),
        ("not an object", "application/json", Some(&o), b"[1,2,3]".to_vec()),
        ("empty body", "application/json", Some(&o), Vec::new()),
        ("a string", "application/json", Some(&o), b"\"hi\"".to_vec()),
        ("null", "application/json", Some(&o), b"null".to_vec()),
        ("huge", "application/json", Some(&o), huge.into_bytes()),
        ("wrong content type", "text/plain", Some(&o), with(&|_| {})),
        ("form content type", "application/x-www-form-urlencoded", Some(&o), with(&|_| {})),
        ("no content type", "", Some(&o), with(&|_| {})),
        ("wrong origin", "application/json", Some("http://evil.example"), with(&|_| {})),
        ("no origin", "application/json", None, with(&|_| {})),
        ("origin of another port", "application/json", Some("http://127.0.0.1:1"), with(&|_| {})),
        ("null origin", "application/json", Some("null"), with(&|_| {})),
        ("unknown quiz", "application/json", Some(&o), with(&|v| v["quiz"] = json!("topic:99-x"))),
        ("unknown question", "application/json", Some(&o), with(&|v| v["answers"][0]["id"] = json!("nope"))),
        ("question of another quiz", "application/json", Some(&o), with(&|v| v["answers"][0]["id"] = json!("a-tf"))),
        ("question twice", "application/json", Some(&o), with(&|v| {
            let a = v["answers"][0].clone();
            v["answers"].as_array_mut().unwrap().push(a);
        })),
        ("no answers", "application/json", Some(&o), with(&|v| v["answers"] = json!([]))),
        ("answers not a list", "application/json", Some(&o), with(&|v| v["answers"] = json!("all right"))),
        ("answer of the wrong type", "application/json", Some(&o), with(&|v| v["answers"][0]["answer"] = json!([0]))),
        ("score a string", "application/json", Some(&o), with(&|v| v["score"] = json!("100"))),
        ("score negative", "application/json", Some(&o), with(&|v| v["score"] = json!(-1))),
        ("unknown field", "application/json", Some(&o), with(&|v| v["admin"] = json!(true))),
        ("unknown kind", "application/json", Some(&o), with(&|v| v["kind"] = json!("grade"))),
        ("missing attempt_id", "application/json", Some(&o), with(&|v| { v.as_object_mut().unwrap().remove("attempt_id"); })),
        ("short attempt_id", "application/json", Some(&o), with(&|v| v["attempt_id"] = json!("x"))),
        ("attempt_id with markup", "application/json", Some(&o), with(&|v| v["attempt_id"] = json!("<script>alert(1)</script>"))),
        ("device a number", "application/json", Some(&o), with(&|v| v["device"] = json!(12345678))),
        ("empty name", "application/json", Some(&o), with(&|v| v["name"] = json!(" \u{3000}\u{0} "))),
        ("name a list", "application/json", Some(&o), with(&|v| v["name"] = json!(["a"]))),
        ("finished not a time", "application/json", Some(&o), with(&|v| v["finished"] = json!("yesterday <b>"))),
        ("hash with markup", "application/json", Some(&o), with(&|v| v["answers"][0]["hash"] = json!("<x>"))),
        ("read of an unknown unit", "application/json", Some(&o), json!({"attempt_id": "hostile-0003", "kind": "read", "device": "device-0001", "name": "张三", "unit": "../etc", "time": "2024-05-01T08:00:00.000Z"}).to_string().into_bytes()),
        ("option index out of range", "application/json", Some(&o), {
            let mut v = good("hostile-0004", "张三");
            v["quiz"] = json!("unit:01-a/jiedu");
            v["answers"] = json!([{"id": "a-single", "hash": "x", "answer": [99]}]);
            v.to_string().into_bytes()
        }),
    ];
    assert!(cases.len() >= 30, "{}", cases.len());
    for (what, ct, origin, body) in &cases {
        let (status, text) = post(&server, ct, *origin, body);
        assert!((400..500).contains(&status), "{what}: {status} {text}");
    }
    // Other methods and paths.
    let (status, _) = request(
        server.port,
        &format!(
            "GET /__studysite/attempts HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            server.port
        ),
        b"",
    );
    assert_eq!(status, 405);
    let (status, _) = request(
        server.port,
        &format!(
            "PUT /index.html HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            server.port
        ),
        b"",
    );
    assert_eq!(status, 405);
    let (status, _) = request(
        server.port,
        &format!(
            "GET /__studysite/report HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            server.port
        ),
        b"",
    );
    assert_eq!(status, 403);
    let (status, _) = request(
        server.port,
        &format!(
            "GET /__studysite/report?token=wrong HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            server.port
        ),
        b"",
    );
    assert_eq!(status, 403);
    assert_eq!(attempts_stored(site.path()), 0, "nothing stored");

    // Still alive; hostile names are stored as text and shown as text.
    let script = "<script>alert(1)</script>";
    let formula = "=HYPERLINK(\"http://evil.example\",\"点我\")";
    assert_eq!(post_json(&server, &good("named-0001", script)).0, 201);
    assert_eq!(post_json(&server, &good("named-0002", formula)).0, 201);
    // A resend: the same content → 200, other content → 409; nothing doubles.
    assert_eq!(post_json(&server, &good("named-0002", formula)).0, 200);
    assert_eq!(post_json(&server, &good("named-0002", "别人")).0, 409);
    assert_eq!(attempts_stored(site.path()), 2);
    let token = server.report.split("token=").nth(1).unwrap().to_string();
    let (status, page) = request(
        server.port,
        &format!(
            "GET /__studysite/report?token={token} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        ),
        b"",
    );
    assert_eq!(status, 200);
    assert!(!page.contains(script), "{page}");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;")
            || page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    let (_, csv) = request(
        server.port,
        &format!(
            "GET /__studysite/report?token={token}&download=learners HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        ),
        b"",
    );
    assert!(csv.starts_with('\u{FEFF}'), "{csv}");
    assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
    let cli = report(site.path(), "csv");
    assert!(cli.contains("\"'=HYPERLINK("), "{cli}");
    assert!(!cli.lines().any(|l| l.starts_with('=')), "{cli}");
}

#[test]
fn a_newer_database_is_refused_and_clear_asks_first() {
    let site = fixture();
    let server = Serve::collecting(site.path(), 0);
    assert_eq!(post_json(&server, &good("clear-0001", "张三")).0, 201);
    drop(server);
    let mut child = Command::new(env!("CARGO_BIN_EXE_studysite"))
        .args(["report", "--clear", "--root"])
        .arg(site.path())
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"n\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("delete all 1 records"));
    assert_eq!(attempts_stored(site.path()), 1);
    site.run(&["report", "--clear", "--yes"]).ok();
    assert_eq!(attempts_stored(site.path()), 0);
}

fn collect_browser() -> Option<(&'static Browser, MutexGuard<'static, ()>)> {
    crate::module_browser!()
}

/// Answers every question of the quiz on the page rightly and submits it.
fn answer_all(page: &Page) {
    page.wait_until(
        "document.querySelectorAll('fieldset.quiz-question').length > 0",
        WAIT,
    );
    page.eval(r#"(() => {
        const data = JSON.parse(document.getElementById('quiz-data').textContent);
        document.querySelectorAll('fieldset.quiz-question').forEach(fs => {
            const q = data.questions[Number(fs.dataset.index)];
            if (q.type === 'truefalse') fs.querySelector('input[value="' + q.answer + '"]').click();
            else if (q.type === 'fill') fs.querySelectorAll('input[data-blank]').forEach((i, k) => { i.value = q.answer[k][0]; });
            else fs.querySelectorAll('input[data-option]').forEach(i => { if (q.answer.includes(Number(i.value))) i.click(); });
        });
        document.querySelector('button.quiz-submit').click();
        return true;
    })()"#);
}

fn open_clean(browser: &Browser, url: &str) -> Page {
    let page = Page::open(browser, url, 390, 800);
    page.eval("(localStorage.clear(), true)");
    page.goto(url);
    page
}

fn set_offline(page: &Page, offline: bool) {
    page.tab
        .call_method(Network::Enable {
            max_total_buffer_size: None,
            max_resource_buffer_size: None,
            max_post_data_size: None,
            report_direct_socket_traffic: None,
            enable_durable_messages: None,
        })
        .unwrap();
    page.tab
        .call_method(Network::EmulateNetworkConditions {
            offline,
            latency: 0.0,
            download_throughput: -1.0,
            upload_throughput: -1.0,
            connection_Type: None,
            packet_loss: None,
            packet_queue_length: None,
            packet_reordering: None,
        })
        .unwrap();
}

#[track_caller]
fn wait_for(what: &str, mut f: impl FnMut() -> bool, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn a_learner_gives_a_name_once_and_the_results_reach_the_report() {
    let Some((b, _one)) = collect_browser() else {
        return;
    };
    let site = fixture();
    let server = Serve::collecting(site.path(), 0);
    let page = open_clean(b, &format!("{}01-a/quiz.html", server.base()));
    answer_all(&page);
    page.wait_until("document.querySelector('dialog.collect-dialog') && document.querySelector('dialog.collect-dialog').open", WAIT);
    page.eval("(() => { const d = document.querySelector('dialog.collect-dialog'); d.querySelector('input[name=name]').value = '王小明'; d.querySelector('input[name=branch]').value = '第一支部'; d.querySelector('[data-collect-save]').click(); return true; })()");
    let sent = Instant::now();
    wait_for(
        "the attempt in `report --format csv`",
        || report(site.path(), "csv").contains("王小明"),
        WAIT,
    );
    let took = sent.elapsed();
    assert!(took < Duration::from_secs(1), "took {took:?}");
    let csv = report(site.path(), "csv");
    assert!(
        csv.contains("第一支部") && csv.contains("第一专题"),
        "{csv}"
    );
    // The report page (the organiser's phone) shows it too, and refreshes itself.
    let organiser = Page::open(b, &server.report, 390, 800);
    assert!(
        organiser
            .eval_str("document.querySelector('[data-report-table=learners]').textContent")
            .contains("王小明")
    );
    // A second quiz is sent without asking again.
    page.goto(&format!("{}02-b/quiz.html", server.base()));
    answer_all(&page);
    page.wait_until(
        "window.StudysiteCollect && window.StudysiteCollect.pending() === 0",
        WAIT,
    );
    assert!(!page.eval_bool("!!(document.querySelector('dialog.collect-dialog') && document.querySelector('dialog.collect-dialog').open)"));
    assert_eq!(attempts_stored(site.path()), 2);
    organiser.wait_until(
        "document.querySelector('[data-report-table=quizzes]').textContent.includes('第二专题')",
        WAIT,
    );
    // 学习进度 names the learner.
    page.goto(&format!("{}progress.html", server.base()));
    page.wait_until("document.querySelector('[data-collect-learner]')", WAIT);
    assert_eq!(
        page.eval_str("document.querySelector('[data-collect-learner]').textContent"),
        "学习者：王小明（第一支部）"
    );
    assert_eq!(
        page.eval_str("document.querySelector('[data-collect-pending]').textContent"),
        "成绩已全部上传。"
    );
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn offline_attempts_wait_in_the_outbox_and_arrive_when_back_online() {
    let Some((b, _one)) = collect_browser() else {
        return;
    };
    let site = fixture();
    let server = Serve::collecting(site.path(), 0);
    let page = open_clean(b, &format!("{}02-b/quiz.html", server.base()));
    page.eval("(localStorage.setItem('studysite:' + document.body.dataset.siteKey + ':learner', JSON.stringify({name: '李四', branch: '', device: 'device-offline-1'})), true)");
    // 学习进度, open in another tab (online), follows the outbox.
    let progress = Page::open(b, &format!("{}progress.html", server.base()), 390, 800);
    progress.wait_until("document.querySelector('[data-collect-pending]')", WAIT);
    page.goto(&format!("{}02-b/quiz.html", server.base()));
    set_offline(&page, true);
    page.wait_until("navigator.onLine === false", WAIT);
    answer_all(&page);
    page.wait_until("window.StudysiteCollect.pending() === 1", WAIT);
    page.eval("(document.querySelector('button.quiz-retry').click(), true)");
    answer_all(&page);
    page.wait_until("window.StudysiteCollect.pending() === 2", WAIT);
    progress.wait_until(
        "document.querySelector('[data-collect-pending]').textContent === '2 条成绩待上传'",
        WAIT,
    );
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(attempts_stored(site.path()), 0);
    // Back online: the browser's `online` event sends them.
    set_offline(&page, false);
    page.wait_until("window.StudysiteCollect.pending() === 0", WAIT);
    wait_for(
        "both attempts stored",
        || attempts_stored(site.path()) == 2,
        WAIT,
    );
    progress.wait_until(
        "document.querySelector('[data-collect-pending]').textContent === '成绩已全部上传。'",
        WAIT,
    );
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn progress_page_counts_what_waits() {
    let Some((b, _one)) = collect_browser() else {
        return;
    };
    let site = fixture();
    let server = Serve::collecting(site.path(), 0);
    let page = open_clean(b, &format!("{}progress.html", server.base()));
    // Two records waiting without a name (never asked yet on this page).
    page.eval("(localStorage.setItem('studysite:' + document.body.dataset.siteKey + ':outbox', JSON.stringify([{attempt_id: 'aaaaaaaa1', kind: 'read', unit: '01-a/yuanwen', time: '2024-05-01T08:00:00.000Z', device: 'device-x-1', name: '', branch: ''}, {attempt_id: 'aaaaaaaa2', kind: 'read', unit: '01-a/jiedu', time: '2024-05-01T08:00:00.000Z', device: 'device-x-1', name: '', branch: ''}])), true)");
    page.reload();
    page.wait_until("document.querySelector('[data-collect-pending]')", WAIT);
    assert_eq!(
        page.eval_str("document.querySelector('[data-collect-pending]').textContent"),
        "2 条成绩待上传"
    );
    assert_eq!(
        page.eval_str("document.querySelector('[data-collect-learner]').textContent"),
        "还没有留下姓名，成绩暂存在本浏览器里。"
    );
    // Giving the name (更改姓名) sends them.
    page.click("[data-collect-change]");
    page.eval("(() => { const d = document.querySelector('dialog.collect-dialog'); d.querySelector('input[name=name]').value = '赵六'; d.querySelector('[data-collect-save]').click(); return true; })()");
    page.wait_until(
        "document.querySelector('[data-collect-pending]').textContent === '成绩已全部上传。'",
        WAIT,
    );
    let doc: Value = serde_json::from_str(&report(site.path(), "json")).unwrap();
    assert_eq!(doc["learners"][0]["name"], "赵六");
    assert_eq!(doc["learners"][0]["units_read"], "2");
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn kill_9_during_a_burst_loses_nothing_answered_and_the_outbox_sends_the_rest() {
    let Some((b, _one)) = collect_browser() else {
        return;
    };
    let site = fixture();
    let mut server = Serve::collecting(site.path(), 0);
    let port = server.port;
    let page = open_clean(b, &format!("{}02-b/quiz.html", server.base()));
    page.eval("(localStorage.setItem('studysite:' + document.body.dataset.siteKey + ':learner', JSON.stringify({name: '钱七', branch: '', device: 'device-burst-1'})), true)");
    page.goto(&format!("{}02-b/quiz.html", server.base()));
    page.wait_until("window.StudysiteCollect", WAIT);
    // A burst of 60 attempts, as quiz.js reports them.
    page.eval(&format!(r#"(() => {{
        for (let i = 0; i < 60; i++) document.dispatchEvent(new CustomEvent('studysite:attempt', {{ detail: {{
            quiz: 'topic:02-b', started: new Date().toISOString(), finished: new Date().toISOString(),
            score: 1, total: 1, answers: [{{ id: 'b-tf', hash: '{}', answer: false }}] }} }}));
        return true;
    }})()"#, hash_of("b-tf")));
    wait_for(
        "a few attempts stored",
        || {
            page.eval("window.StudysiteCollect.pending()")
                .as_u64()
                .unwrap()
                < 55
        },
        WAIT,
    );
    server.kill();
    let outbox: Vec<String> = serde_json::from_value(page.eval("JSON.parse(localStorage.getItem('studysite:' + document.body.dataset.siteKey + ':outbox')).map(r => r.attempt_id)")).unwrap();
    assert!(!outbox.is_empty() && outbox.len() < 60, "{}", outbox.len());
    // Every attempt the browser saw answered (no longer in its outbox) is in the database.
    let stored = attempts_stored(site.path());
    assert!(
        stored >= 60 - outbox.len() as u64,
        "stored {stored}, waiting {}",
        outbox.len()
    );
    // After the restart (same port, so the same origin) the rest arrive, none twice.
    let server = Serve::collecting(site.path(), port);
    assert_eq!(server.port, port);
    page.reload();
    page.wait_until(
        "window.StudysiteCollect && window.StudysiteCollect.pending() === 0",
        WAIT,
    );
    wait_for("all 60 stored", || attempts_stored(site.path()) == 60, WAIT);
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn a_built_site_from_file_urls_sends_nothing_and_asks_no_name() {
    let Some((b, _one)) = collect_browser() else {
        return;
    };
    let site = fixture();
    site.build().ok();
    let built = std::fs::read_to_string(site.path().join("public/01-a/quiz.html")).unwrap();
    assert!(!built.contains("studysite-collect") && !built.contains("collect.js"));
    let page = open_clean(b, &file_url(&site.path().join("public/01-a/quiz.html")));
    answer_all(&page);
    page.wait_until(
        "document.querySelector('.quiz-results').dataset.percent === '100'",
        WAIT,
    );
    std::thread::sleep(Duration::from_millis(300));
    assert!(page.eval_bool("document.querySelector('dialog') === null"));
    assert!(page.eval_bool("window.StudysiteCollect === undefined"));
    assert!(page.eval_bool(
        "Object.keys(localStorage).every(k => !k.endsWith(':outbox') && !k.endsWith(':learner'))"
    ));
    assert!(page.eval_bool(
        "performance.getEntriesByType('resource').every(e => !e.name.startsWith('http'))"
    ));
}

#[test]
fn report_import_merges_an_exported_progress_file_once() {
    let site = fixture();
    site.build().ok();
    let html = site.read("public/index.html");
    let key = html
        .split("data-site-key=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let export = json!({
        "format": "studysite-progress", "version": 1, "site": key,
        "read": {"01-a/yuanwen": "2024-05-01T08:00:00.000Z"},
        "quizzes": {"topic:02-b": {"best": 100, "last": 100, "score": 1, "total": 1, "attempts": 1, "passed": true, "time": "2024-05-01T09:00:00.000Z"}},
        "answers": {format!("b-tf@{}", hash_of("b-tf")): false},
        "learner": {"name": "孙八", "branch": "第二支部", "device": "usb-device-1"}
    });
    site.write("export.json", &export.to_string());
    let file = site.path().join("export.json");
    let file = file.to_str().unwrap();
    let first = site.run(&["report", "--format", "json", "--import", file]);
    first.ok();
    assert!(
        first.stderr.contains("2 records added, 0 already there"),
        "{}",
        first.stderr
    );
    let second = site.run(&["report", "--format", "json", "--import", file]);
    assert!(
        second.stderr.contains("0 records added, 2 already there"),
        "{}",
        second.stderr
    );
    let doc: Value = serde_json::from_str(&second.stdout).unwrap();
    assert_eq!(doc["learners"][0]["name"], "孙八");
    assert_eq!(doc["learners"][0]["units_read"], "1");
    assert_eq!(doc["quizzes"][0]["passed_count"], "1");
}

/// An export from a copy opened from a USB stick carries no name (no page asked one there):
/// `--import` refuses it and says to give one, and `--name` gives it.
#[test]
fn report_import_of_a_file_without_a_name_takes_the_name_given() {
    let site = fixture();
    site.build().ok();
    let html = site.read("public/index.html");
    let key = html
        .split("data-site-key=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let export = json!({
        "format": "studysite-progress", "version": 1, "site": key,
        "read": {"01-a/yuanwen": "2024-05-01T08:00:00.000Z"},
        "quizzes": {}, "answers": {}
    });
    site.write("usb.json", &export.to_string());
    let file = site.path().join("usb.json");
    let file = file.to_str().unwrap();
    let refused = site.run(&["report", "--import", file]);
    refused.fails(1);
    refused.has_line(&format!(
        "error: `{file}` carries no learner's name (it was exported from a browser that was never asked one by `serve --collect`): give it with --name"
    ));
    let named = site.run(&[
        "report", "--format", "json", "--import", file, "--name", "周九",
    ]);
    named.ok();
    let doc: Value = serde_json::from_str(&named.stdout).unwrap();
    assert_eq!(doc["learners"][0]["name"], "周九");
    assert_eq!(doc["learners"][0]["units_read"], "1");
}
