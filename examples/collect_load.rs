//! Load benchmark of `serve --collect` (BENCHMARKS.md, "collect"): PHONES simulated phones,
//! all at once, each sending ATTEMPTS quiz attempts one after another over its own keep-alive
//! connection (as collect.js does), then every phone resends its first attempt (a resend after
//! a lost answer: must be 200, never a second record). Prints the errors, p50/p99 latency and
//! how many attempts the report counts (must be PHONES × ATTEMPTS: 0 lost, 0 duplicated).
//!
//! ```sh
//! STUDYSITE_COLLECT_RATE=100000 target/release/studysite serve --collect --port 8123 &
//! cargo run --release --example collect_load -- 'http://127.0.0.1:8123/__studysite/report?token=…' [PHONES] [ATTEMPTS]
//! ```
//! (All phones come from 127.0.0.1, so the per-address rate limit is raised for the run.)

// A measuring tool, not the program: it stops at the first surprise.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Conn {
    fn open(port: u16) -> Conn {
        let s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        s.set_nodelay(true).ok();
        s.set_read_timeout(Some(Duration::from_secs(30))).ok();
        Conn {
            reader: BufReader::new(s.try_clone().unwrap()),
            writer: s,
        }
    }

    /// One request on the open connection: status and body.
    fn send(&mut self, method: &str, path: &str, port: u16, body: &str) -> (u16, String) {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        self.writer.write_all(head.as_bytes()).expect("write");
        self.writer.write_all(body.as_bytes()).expect("write");
        let mut status_line = String::new();
        self.reader.read_line(&mut status_line).expect("read");
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut len = 0usize;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).expect("read");
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
        let mut buf = vec![0; len];
        self.reader.read_exact(&mut buf).expect("read body");
        (status, String::from_utf8_lossy(&buf).into_owned())
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let report = args
        .get(1)
        .expect("usage: collect_load REPORT_URL [PHONES] [ATTEMPTS]");
    let phones: usize = args.get(2).map_or(200, |s| s.parse().unwrap());
    let attempts: usize = args.get(3).map_or(10, |s| s.parse().unwrap());
    let rest = report
        .strip_prefix("http://127.0.0.1:")
        .expect("a report URL on 127.0.0.1");
    let (port, path) = rest.split_once('/').unwrap();
    let port: u16 = port.parse().unwrap();
    let report_path = format!("/{path}");

    // A quiz of the site: the first topic quiz, and its questions' hashes.
    let (_, quizzes) = Conn::open(port).send("GET", "/quizzes.json", port, "");
    let doc: serde_json::Value = serde_json::from_str(&quizzes).expect("quizzes.json");
    let topic = &doc["topic_quizzes"][0];
    let quiz_id = topic["id"].as_str().unwrap().to_string();
    let hashes: std::collections::HashMap<String, String> = doc["quizzes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|q| q["questions"].as_array().unwrap())
        .map(|q| {
            (
                q["id"].as_str().unwrap().to_string(),
                q["hash"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let answers: Vec<serde_json::Value> = topic["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| {
            let id = id.as_str().unwrap();
            serde_json::json!({"id": id, "hash": hashes[id], "answer": null})
        })
        .collect();
    let before = counted(port, &report_path);

    let start = Instant::now();
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(phones));
    let threads: Vec<_> = (0..phones)
        .map(|p| {
            let barrier = barrier.clone();
            let answers = answers.clone();
            let quiz_id = quiz_id.clone();
            std::thread::spawn(move || {
                let mut conn = Conn::open(port);
                let mut times = Vec::new();
                let mut errors = Vec::new();
                let body = |i: usize| {
                    serde_json::json!({
                        "attempt_id": format!("load-{p:04}-{i:04}-{}", std::process::id()),
                        "kind": "quiz", "device": format!("phone-{p:04}-device"),
                        "name": format!("学员{p:03}"), "branch": format!("第{}支部", p % 5 + 1),
                        "quiz": quiz_id, "started": "2024-05-01T08:00:00.000Z",
                        "finished": "2024-05-01T08:05:00.000Z", "score": 0, "total": answers.len(),
                        "answers": answers,
                    })
                    .to_string()
                };
                barrier.wait();
                for i in 0..attempts {
                    let t = Instant::now();
                    let (status, text) = conn.send("POST", "/__studysite/attempts", port, &body(i));
                    times.push(t.elapsed());
                    if status != 201 {
                        errors.push(format!("{status} {text}"));
                    }
                }
                let (status, _) = conn.send("POST", "/__studysite/attempts", port, &body(0));
                if status != 200 {
                    errors.push(format!("resend: {status}"));
                }
                (times, errors)
            })
        })
        .collect();
    let mut times = Vec::new();
    let mut errors = Vec::new();
    for t in threads {
        let (a, b) = t.join().unwrap();
        times.extend(a);
        errors.extend(b);
    }
    let wall = start.elapsed();
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    let after = counted(port, &report_path);
    println!(
        "{phones} phones × {attempts} attempts = {} in {:.2} s ({:.0}/s); errors {}; p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; stored {} new (expected {}): lost {}, duplicated {}",
        times.len(),
        wall.as_secs_f64(),
        times.len() as f64 / wall.as_secs_f64(),
        errors.len(),
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        times.last().unwrap().as_secs_f64() * 1000.0,
        after - before,
        phones * attempts,
        (phones * attempts).saturating_sub(after - before),
        (after - before).saturating_sub(phones * attempts),
    );
    for e in errors.iter().take(5) {
        println!("  error: {e}");
    }
}

/// Attempts the report counts (the quizzes table's CSV, column `attempts`).
fn counted(port: u16, report_path: &str) -> usize {
    let (status, csv) =
        Conn::open(port).send("GET", &format!("{report_path}&download=quizzes"), port, "");
    assert_eq!(status, 200, "the report: {csv}");
    csv.lines()
        .skip(1)
        .filter_map(|l| l.rsplit(',').next()?.trim().parse::<usize>().ok())
        .sum()
}
