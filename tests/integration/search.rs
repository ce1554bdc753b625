//! Search on the shipped site, in Chromium, from file:// and over HTTP: the reader types into
//! the box in the header, results appear, and following a result lands on the passage that
//! holds the words. Expected pages are worked out from the content files, not written down.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use crate::browser::{Page, file_url, shipped_site};
use crate::require_browser;
use crate::support::WAIT;
use crate::support::{Serve, TempSite, percent_decode, repo_root};

/// One result as the reader sees it.
#[derive(Debug, serde::Deserialize)]
struct Hit {
    title: String,
    href: String,
    marks: Vec<String>,
}

/// The searched text (the body, then the front matter's summary and tags lines) and title of
/// every unit and topic page of the shipped content, by output path.
fn content_pages() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(repo_root().join("content")).sort_by_file_name() {
        let entry = entry.unwrap();
        let p = entry.path();
        if p.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let rel = p.strip_prefix(repo_root().join("content")).unwrap();
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel.starts_with("sessions/") {
            continue;
        }
        let text = std::fs::read_to_string(p).unwrap();
        let (front, body) = match text
            .strip_prefix("---\n")
            .and_then(|t| t.split_once("\n---\n"))
        {
            Some((f, b)) => (f.to_string(), b.to_string()),
            None => (String::new(), text.clone()),
        };
        let title = front
            .lines()
            .find_map(|l| l.strip_prefix("title:"))
            .unwrap_or("")
            .trim()
            .to_string();
        let about: String = front
            .lines()
            .filter_map(|l| {
                l.strip_prefix("summary:")
                    .or_else(|| l.strip_prefix("tags:"))
            })
            .map(|l| format!("\n{}", l.trim()))
            .collect();
        let body = body + &about;
        let path = if rel.ends_with("/_index.md") {
            rel.replace("_index.md", "index.html")
        } else {
            rel.replace(".md", ".html")
        };
        out.push((path, title, body));
    }
    out
}

/// Output paths of the pages whose title or body holds every one of `terms`.
fn pages_with(terms: &[&str]) -> BTreeSet<String> {
    content_pages()
        .into_iter()
        .filter(|(_, title, body)| terms.iter().all(|t| title.contains(t) || body.contains(t)))
        .map(|(path, _, _)| path)
        .collect()
}

/// Types `query` into the search box and returns the results once they are shown.
fn search(page: &Page, query: &str) -> Vec<Hit> {
    page.eval("(() => { const i = document.querySelector('#site-search-input'); i.value = ''; i.focus(); document.querySelector('[data-search]').removeAttribute('data-done'); })()");
    page.type_text(query);
    let q = serde_json::to_string(query).unwrap();
    page.wait_until(
        &format!("document.querySelector('[data-search]').getAttribute('data-done') === {q}"),
        WAIT,
    );
    let json = page.eval_str(
        "JSON.stringify([...document.querySelectorAll('#site-search-results a[role=option]')].map(a => ({
            title: a.querySelector('.search-title').textContent,
            href: a.href,
            marks: [...a.querySelectorAll('mark')].map(m => m.textContent)
        })))",
    );
    serde_json::from_str(&json).unwrap()
}

/// The site-relative page path of a result link (`02-tuopin/yuanwen.html`) and its anchor.
fn target(href: &str) -> (String, Option<String>) {
    let (page, anchor) = match href.split_once('#') {
        Some((p, a)) => (p, Some(percent_decode(a))),
        None => (href, None),
    };
    let page = percent_decode(page);
    // file:///…/public/<rel> or http://127.0.0.1:port/<rel>
    let rel = match page.rfind("/public/") {
        Some(i) => page[i + "/public/".len()..].to_string(),
        None => page.splitn(4, '/').nth(3).unwrap_or("").to_string(),
    };
    (rel, anchor)
}

/// The visible text of the part of a built page a link lands on: from the heading with id
/// `anchor` to the next heading, or the page's main content without an anchor.
fn landing_text(site: &Path, page: &str, anchor: Option<&str>) -> String {
    let html = std::fs::read_to_string(site.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
    let main = &html[html.find("<main").unwrap_or(0)..];
    let part = match anchor {
        Some(a) => {
            let at = main
                .find(&format!("id=\"{a}\""))
                .unwrap_or_else(|| panic!("{page} has no element with id `{a}`"));
            let rest = &main[at..];
            let end = rest[1..]
                .match_indices("<h")
                .find(|(i, _)| rest[1 + i + 2..].starts_with(|c: char| c.is_ascii_digit()))
                .map_or(rest.len(), |(i, _)| i + 1);
            &rest[..end]
        }
        None => main,
    };
    strip_tags(part)
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Runs the standard queries on the shipped site at `base` (the URL of its `index.html`, or
/// of a page one folder down) and checks results, highlighting and landing pages.
fn standard_queries(base: &str) {
    let b = require_browser!();
    let site = shipped_site();
    let page = Page::open(b, base, 360, 740);

    for query in ["第一书记", "软弱涣散", "三会一课", "2018"] {
        let hits = search(&page, query);
        let expected = pages_with(&[query]);
        assert!(!expected.is_empty(), "the content should hold `{query}`");
        let found: BTreeSet<String> = hits.iter().map(|h| target(&h.href).0).collect();
        // Every page that holds the words is listed (there are fewer than ten of each).
        assert!(expected.len() <= 10);
        assert_eq!(found, expected, "results for `{query}`: {hits:#?}");
        for h in &hits {
            let (p, anchor) = target(&h.href);
            let text = landing_text(site, &p, anchor.as_deref());
            assert!(
                text.contains(query) || h.title.contains(query),
                "`{query}`: the result {h:?} lands on {p}#{anchor:?}, which does not contain it: {text}"
            );
            assert!(
                h.marks.iter().any(|m| m == query),
                "`{query}` is highlighted in {h:?}"
            );
        }
        // A unit whose title holds the words comes first.
        if let Some(titled) = content_pages().iter().find(|(_, t, _)| t.contains(query)) {
            assert_eq!(target(&hits[0].href).0, titled.0, "{hits:#?}");
        }
    }

    // Two words: pages with both come before pages with one, and the link lands on a passage
    // with at least one of them on a page that has both.
    let both = pages_with(&["第一书记", "整顿"]);
    let either: BTreeSet<String> = pages_with(&["第一书记"])
        .union(&pages_with(&["整顿"]))
        .cloned()
        .collect();
    assert!(!both.is_empty() && either.len() > both.len());
    let hits = search(&page, "第一书记 整顿");
    let order: Vec<String> = hits.iter().map(|h| target(&h.href).0).collect();
    assert_eq!(
        order[..both.len()].iter().cloned().collect::<BTreeSet<_>>(),
        both,
        "pages with both words first: {order:?}"
    );
    for h in &hits {
        let (p, anchor) = target(&h.href);
        let text = landing_text(site, &p, anchor.as_deref());
        assert!(
            text.contains("第一书记") || text.contains("整顿"),
            "{h:?} lands on {text}"
        );
        assert!(either.contains(&p), "{p} holds neither word");
    }

    // Nothing matches: a friendly message that repeats the query, and no options.
    let hits = search(&page, "量子纠缠");
    assert!(hits.is_empty());
    let status = page.eval_str("document.querySelector('.search-status').textContent");
    assert_eq!(
        status,
        "没有找到与“量子纠缠”相关的内容。试试更短的词，或检查有没有错别字；多个词请用空格隔开。"
    );

    // Enter on the first result opens its page at the passage.
    let hits = search(&page, "三会一课");
    page.press("ArrowDown");
    assert_eq!(
        page.eval_str(
            "document.querySelector('#site-search-input').getAttribute('aria-activedescendant')"
        ),
        "search-option-0"
    );
    page.press("Enter");
    page.wait_until(
        &format!(
            "location.href === {}",
            serde_json::to_string(&hits[0].href).unwrap()
        ),
        WAIT,
    );
    page.wait_until("document.readyState === 'complete'", WAIT);
    let (_, anchor) = target(&hits[0].href);
    let landed = match anchor {
        Some(a) => page.eval_str(&format!(
            "(() => {{ const h = document.getElementById({}); if (!h) return ''; let t = h.textContent, n = h.nextElementSibling; while (n && !/^H[1-6]$/.test(n.tagName)) {{ t += n.textContent; n = n.nextElementSibling; }} return t; }})()",
            serde_json::to_string(&a).unwrap()
        )),
        None => page.eval_str("document.querySelector('main').textContent"),
    };
    assert!(
        landed.contains("三会一课"),
        "landed on {}: {landed}",
        page.url()
    );
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn queries_find_and_link_the_right_passages_from_file_urls() {
    standard_queries(&file_url(&shipped_site().join("index.html")));
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn search_works_from_a_page_one_folder_down() {
    let unit = pages_with(&["软弱涣散"]).into_iter().next().unwrap();
    standard_queries(&file_url(&shipped_site().join(unit)));
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn queries_find_and_link_the_right_passages_over_http() {
    let _ = require_browser!();
    let server = StaticServer::start(shipped_site());
    standard_queries(&format!("{}/index.html", server.url));
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn queries_find_and_link_the_right_passages_from_studysite_serve() {
    let _ = require_browser!();
    let server = Serve::start(&repo_root(), &[]);
    assert!(
        server.base().starts_with("http://127.0.0.1:"),
        "{}",
        server.base()
    );
    let base = server.origin();
    standard_queries(&format!("{base}/index.html"));
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn keyboard_shortcuts_aria_and_escape() {
    let b = require_browser!();
    let page = Page::open(b, &file_url(&shipped_site().join("index.html")), 1280, 800);
    // `/` focuses the box; typing elsewhere in a field does not.
    page.press("/");
    assert!(page.eval_bool("document.activeElement.id === 'site-search-input'"));
    assert_eq!(
        page.eval_str("document.querySelector('#site-search-input').value"),
        "",
        "`/` is not typed"
    );
    page.eval("document.activeElement.blur()");
    page.press("s");
    assert!(page.eval_bool("document.activeElement.id === 'site-search-input'"));
    page.type_text("2018");
    page.wait_until(
        "document.querySelector('[data-search]').getAttribute('data-done') === '2018'",
        WAIT,
    );
    assert_eq!(
        page.eval_str("document.querySelector('#site-search-input').getAttribute('aria-expanded')"),
        "true"
    );
    assert!(
        page.eval_bool(
            "document.querySelectorAll('#site-search-results [role=option]').length > 0"
        )
    );
    page.press("ArrowDown");
    assert_eq!(
        page.eval_str("document.querySelector('[aria-selected=true]').id"),
        "search-option-0"
    );
    page.press("ArrowUp");
    let last = page.eval_str("document.querySelector('[aria-selected=true]').id");
    let n = page
        .eval("document.querySelectorAll('#site-search-results [role=option]').length")
        .as_u64()
        .unwrap();
    assert_eq!(
        last,
        format!("search-option-{}", n - 1),
        "ArrowUp wraps to the last option"
    );
    page.press("Escape");
    assert!(page.eval_bool("document.querySelector('.search-panel').hidden"));
    assert_eq!(
        page.eval_str("document.querySelector('#site-search-input').getAttribute('aria-expanded')"),
        "false"
    );
    page.press("Escape");
    assert_eq!(
        page.eval_str("document.querySelector('#site-search-input').value"),
        "",
        "a second Esc clears"
    );

    // `s` typed into another field stays there.
    page.eval("(() => { const t = document.createElement('textarea'); t.id = 'other'; document.body.appendChild(t); t.focus(); })()");
    page.press("s");
    assert_eq!(page.eval_str("document.getElementById('other').value"), "s");
    assert!(page.eval_bool("document.activeElement.id === 'other'"));
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn full_width_and_case_variants_find_the_same_pages() {
    let b = require_browser!();
    let page = Page::open(b, &file_url(&shipped_site().join("index.html")), 1280, 800);
    let half: Vec<String> = search(&page, "2018").into_iter().map(|h| h.href).collect();
    let full: Vec<String> = search(&page, "２０１８")
        .into_iter()
        .map(|h| h.href)
        .collect();
    assert!(!half.is_empty());
    assert_eq!(half, full);
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn results_drop_down_under_the_box_on_a_wide_screen() {
    let b = require_browser!();
    let page = Page::open(
        b,
        &file_url(&shipped_site().join("01-xuexi/yuanwen.html")),
        1280,
        800,
    );
    let hits = search(&page, "软弱涣散");
    assert!(!hits.is_empty());
    page.screenshot("search-desktop-1280");
    let (panel, input) = (
        page.eval("(() => { const r = document.querySelector('.search-panel').getBoundingClientRect(); return [r.left, r.right, r.top]; })()"),
        page.eval("(() => { const r = document.querySelector('#site-search-input').getBoundingClientRect(); return [r.left, r.right, r.bottom]; })()"),
    );
    let f = |v: &serde_json::Value, i: usize| v[i].as_f64().unwrap();
    assert!(
        f(&panel, 2) >= f(&input, 2),
        "below the box: {panel} {input}"
    );
    assert!(
        f(&panel, 1) <= 1280.0 && f(&panel, 0) >= 0.0,
        "on screen: {panel}"
    );
    assert!(!page.overflows_horizontally());
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn user_text_is_shown_as_text_never_as_markup() {
    let b = require_browser!();
    let page = Page::open(b, &file_url(&shipped_site().join("index.html")), 1280, 800);
    let evil = "<img src=x onerror=window.__pwned=1>";
    search(&page, evil);
    assert!(!page.eval_bool("!!document.querySelector('.search-panel img') || !!window.__pwned"));
    assert!(
        page.eval_str("document.querySelector('.search-status').textContent")
            .contains(evil)
    );
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn results_fill_a_phone_screen_with_large_touch_targets() {
    let b = require_browser!();
    let page = Page::open(b, &file_url(&shipped_site().join("index.html")), 360, 740);
    let hits = search(&page, "党支部");
    page.screenshot("search-phone-360");
    assert!(hits.len() >= 3);
    let panel = page.eval("(() => { const r = document.querySelector('.search-panel').getBoundingClientRect(); return [r.left, r.width]; })()");
    assert_eq!(
        panel,
        serde_json::json!([0, 360]),
        "results span the screen"
    );
    eprintln!("{}", page.eval_str("JSON.stringify([...document.querySelectorAll('#site-search-results a')].map(a => [a.getBoundingClientRect().height, a.textContent.slice(0, 30)]))"));
    let min_height = page.eval("Math.min(...[...document.querySelectorAll('#site-search-results a')].map(a => a.getBoundingClientRect().height))");
    assert!(
        min_height.as_f64().unwrap() >= 44.0,
        "touch targets {min_height}"
    );
    assert!(!page.overflows_horizontally());
}

/// A minimal static file server on 127.0.0.1 for the built site (GET only, one thread per
/// connection, `Connection: close`). Deliberately not `studysite serve`: the site must work
/// from any web server, and this one knows nothing of it.
struct StaticServer {
    url: String,
}

impl StaticServer {
    fn start(root: &Path) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let root: PathBuf = root.to_path_buf();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let root = root.clone();
                std::thread::spawn(move || {
                    let mut line = String::new();
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    if reader.read_line(&mut line).is_err() {
                        return;
                    }
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                            break;
                        }
                    }
                    let path = line.split_whitespace().nth(1).unwrap_or("/");
                    let path = percent_decode(path.split(['?', '#']).next().unwrap_or("/"));
                    let rel = path.trim_start_matches('/');
                    let file = root.join(rel);
                    let ok = !rel.split('/').any(|s| s == "..") && file.is_file();
                    let (status, body, ty) = if ok {
                        let ty = match file.extension().and_then(|e| e.to_str()) {
                            Some("html") => "text/html; charset=utf-8",
                            Some("js") => "text/javascript; charset=utf-8",
                            Some("css") => "text/css; charset=utf-8",
                            _ => "application/octet-stream",
                        };
                        ("200 OK", std::fs::read(&file).unwrap(), ty)
                    } else {
                        ("404 Not Found", b"not found".to_vec(), "text/plain")
                    };
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status}\r\nContent-Type: {ty}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(&body);
                });
            }
        });
        StaticServer { url }
    }
}

/// Sizes and gzip sizes of files below `dir` whose names `keep` accepts.
fn sizes(dir: &Path, keep: impl Fn(&str) -> bool) -> (usize, u64, u64) {
    let mut n = 0;
    let mut raw = 0;
    let mut gz = 0;
    for e in walkdir::WalkDir::new(dir) {
        let e = e.unwrap();
        let rel = e
            .path()
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if !e.file_type().is_file() || !keep(&rel) {
            continue;
        }
        n += 1;
        raw += e.metadata().unwrap().len();
        gz += gzip_len(e.path());
    }
    (n, raw, gz)
}

fn gzip_len(path: &Path) -> u64 {
    let out = std::process::Command::new("gzip")
        .args(["-6", "-c"])
        .arg(path)
        .output()
        .expect("run gzip");
    out.stdout.len() as u64
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

/// Measures the search of a built site in Chromium (from file://, phone viewport): index size,
/// manifest load time, and the time of each query from typing to results on screen (shards and
/// document chunks loaded on demand, as a reader would see it), cold and repeated.
fn measure(site: &Path, label: &str) {
    let search = site.join("search");
    let (_, manifest, manifest_gz) = sizes(&search, |r| r == "index.js");
    let (shards, index, index_gz) = sizes(&search, |r| r.starts_with("i/"));
    let (chunks, text, text_gz) = sizes(&search, |r| r.starts_with("d/"));
    println!("## {label}");
    println!("manifest: {manifest} B (gzip {manifest_gz} B)");
    println!(
        "index: {shards} shards, {index} B (gzip {index_gz} B), mean {} B per shard",
        index / shards.max(1) as u64
    );
    println!(
        "text: {chunks} chunks, {text} B (gzip {text_gz} B), mean {} B per chunk",
        text / chunks.max(1) as u64
    );

    let Some(b) = crate::browser::launch() else {
        return;
    };
    let b = &b;
    let queries = [
        "第一书记",
        "软弱涣散",
        "三会一课",
        "2018",
        "第一书记 整顿",
        "基层党组织",
        "组织力",
        "脱贫攻坚",
        "乡村振兴",
        "党员教育",
        "全面从严治党",
        "作风建设",
        "政治功能",
        "主题党日",
        "发展党员",
        "党",
        "村党组织书记",
        "机关党建",
        "两学一做",
        "量子纠缠",
    ];
    let mut loads = Vec::new();
    let mut cold = Vec::new();
    let mut listed = Vec::new();
    let mut warm = Vec::new();
    let mut loaded_bytes = Vec::new();
    for round in 0..3 {
        // A fresh page each round: nothing cached in the page's memory.
        let page = Page::open(b, &file_url(&site.join("index.html")), 360, 740);
        let t = page.eval("(async () => { const t0 = performance.now(); await window.__studysiteSearch.load(); return performance.now() - t0; })()");
        loads.push(t.as_f64().unwrap());
        for (i, q) in queries.iter().enumerate() {
            let before: Vec<String> = serde_json::from_str(
                &page.eval_str("JSON.stringify([...document.scripts].map(s => s.src))"),
            )
            .unwrap();
            let qs = serde_json::to_string(q).unwrap();
            let ms = page.eval(&format!("(async () => {{ await window.__studysiteSearch.update({qs}); return [window.__studysiteSearch.firstMs, window.__studysiteSearch.lastMs]; }})()"));
            let (first, ms) = (
                ms[0].as_f64().unwrap(),
                ms[1]
                    .as_f64()
                    .unwrap_or_else(|| panic!("no time for {q}: {ms}")),
            );
            listed.push(first);
            if round == 0 {
                let after: Vec<String> = serde_json::from_str(
                    &page.eval_str("JSON.stringify([...document.scripts].map(s => s.src))"),
                )
                .unwrap();
                let new: u64 = after
                    .iter()
                    .filter(|s| !before.contains(s) && s.contains("/search/"))
                    .map(|s| {
                        let rel = percent_decode(&s[s.find("/search/").unwrap() + 8..]);
                        std::fs::metadata(search.join(rel))
                            .map(|m| m.len())
                            .unwrap_or(0)
                    })
                    .sum();
                loaded_bytes.push(new as f64);
                println!(
                    "  {q}: listed in {first:.1} ms, with passages in {ms:.1} ms, {new} B loaded, {} results",
                    page.eval(
                        "document.querySelectorAll('#site-search-results [role=option]').length"
                    )
                );
            }
            cold.push(ms);
            let again = page.eval(&format!("(async () => {{ await window.__studysiteSearch.update(''); await window.__studysiteSearch.update({qs}); return window.__studysiteSearch.lastMs; }})()"));
            warm.push(again.as_f64().unwrap());
            let _ = i;
        }
    }
    {
        let page = Page::open(b, &file_url(&site.join("index.html")), 360, 740);
        for n in [1, 5, 10, 20] {
            let t = page.eval(&format!("(async () => {{ const t0 = performance.now(); await Promise.all([...Array({n}).keys()].map(i => new Promise((ok, err) => {{ const s = document.createElement('script'); s.src = document.body.dataset.root + 'search/d/' + (100 + i + {n} * 7) + '.js'; s.onload = ok; s.onerror = err; document.head.appendChild(s); }}))); return performance.now() - t0; }})()"));
            println!("loading {n} document chunks in parallel: {t} ms");
        }
    }
    println!("manifest load: median {:.1} ms", median(&mut loads));
    println!(
        "query, first time, results listed (index shards loaded): median {:.1} ms, p90 {:.1} ms, max {:.1} ms",
        median(&mut listed),
        percentile(&mut listed, 0.9),
        percentile(&mut listed, 1.0)
    );
    println!(
        "query, first time, ranked on the text with passages (document chunks loaded): median {:.1} ms, p90 {:.1} ms, max {:.1} ms",
        median(&mut cold),
        percentile(&mut cold, 0.9),
        percentile(&mut cold, 1.0)
    );
    println!(
        "query, repeated: median {:.1} ms, p90 {:.1} ms",
        median(&mut warm),
        percentile(&mut warm, 0.9)
    );
    println!(
        "bytes loaded per query (first time): median {:.0} B, max {:.0} B",
        median(&mut loaded_bytes),
        percentile(&mut loaded_bytes, 1.0)
    );
    assert!(median(&mut listed) <= 30.0, "median query time over 30 ms");
}

/// `cargo test --release --test integration search::measure_shipped_site -- --ignored --nocapture`
#[test]
#[ignore = "a measurement for BENCHMARKS.md"]
fn measure_shipped_site() {
    measure(shipped_site(), "shipped site");
}

/// Builds the 10,000-unit corpus (`STUDYSITE_CORPUS`, default /tmp/corpus10k, generated with
/// `benches/gen_corpus.py` when missing) and measures its
/// search:
/// `cargo test --release --test integration search::measure_10k_corpus -- --ignored --nocapture`
#[test]
#[ignore = "a measurement for BENCHMARKS.md; generating and building 10,000 pages is slow"]
fn measure_10k_corpus() {
    let corpus = PathBuf::from(
        std::env::var("STUDYSITE_CORPUS").unwrap_or_else(|_| "/tmp/corpus10k".into()),
    );
    if !corpus.join("site.yaml").exists() {
        let script = std::env::var("STUDYSITE_GEN_CORPUS")
            .map_or_else(|_| repo_root().join("benches/gen_corpus.py"), PathBuf::from);
        let status = std::process::Command::new("python3")
            .arg(script)
            .args(["10000", "studysite"])
            .arg(&corpus)
            .status()
            .expect("run gen_corpus.py");
        assert!(status.success());
    }
    let out = corpus.with_extension("public");
    let t = std::time::Instant::now();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_studysite"))
        .env("STUDYSITE_SEARCH_STATS", "1")
        .args(["build", "--root"])
        .arg(&corpus)
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    println!("build: {:.1} s", t.elapsed().as_secs_f64());
    measure(&out, "10,000-unit corpus");
}

/// search.js takes its messages and the separator of a result's topic › heading line from the
/// language table (through `studysite.t()`): a site's own table changes them.
#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn the_result_line_and_messages_come_from_the_language_table() {
    let b = require_browser!();
    let site = TempSite::minimal();
    site.write(
        "themes/default/i18n/zh-CN.yaml",
        "sep_path: \" » \"\nsearch_no_results: 无结果：{query}\nsearch_hint: 换个词。\nsearch_all_results: \"{total} 条\"\n",
    );
    site.build().ok();
    let page = Page::open(
        b,
        &file_url(&site.path().join("public/index.html")),
        1280,
        800,
    );
    let hits = search(&page, "原文内容");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(
        page.eval_str("document.querySelector('#site-search-results .search-meta').textContent"),
        "第一专题 » 一是学习。"
    );
    assert_eq!(
        page.eval_str("document.querySelector('.search-status').textContent"),
        "1 条"
    );
    assert!(search(&page, "量子纠缠").is_empty());
    assert_eq!(
        page.eval_str("document.querySelector('.search-status').textContent"),
        "无结果：量子纠缠换个词。"
    );
}

/// Latin words and numbers match by their beginnings, below whole words (“201” finds the page
/// with “2018” after the one with “201”), case does not matter (“ppt” finds “PPT”), and a
/// unit's tags and summary are searched: such a result links to the top of its page.
#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn words_match_by_prefix_below_whole_words_and_tags_find_their_unit() {
    let b = require_browser!();
    let site = TempSite::minimal();
    let unit = |file: &str, front: &str, body: &str| {
        site.write(
            &format!("content/01-a/{file}.md"),
            &format!("---\n{front}kind: explanation\nminutes: 5\n---\n{body}\n"),
        );
    };
    unit("a", "title: 年度要点\n", "2018年的工作要点。");
    unit("b", "title: 文件汇编\n", "第201号文件。");
    unit("c", "title: 课件制作\n", "用 PPT 讲课。");
    unit(
        "d",
        "title: 党课\nsummary: 支部书记讲党课的做法。\ntags: [示范课堂]\n",
        "正文。",
    );
    site.build().ok();
    let page = Page::open(
        b,
        &file_url(&site.path().join("public/index.html")),
        1280,
        800,
    );
    let titles = |hits: &[Hit]| hits.iter().map(|h| h.title.clone()).collect::<Vec<_>>();

    let hits = search(&page, "201");
    assert_eq!(titles(&hits), ["文件汇编", "年度要点"], "{hits:#?}");
    assert_eq!(
        hits[1].marks,
        ["201"],
        "the beginning of 2018 is highlighted"
    );
    for q in ["2018", "２０１"] {
        let hits = search(&page, q);
        assert!(
            titles(&hits).contains(&"年度要点".to_string()),
            "{q}: {hits:#?}"
        );
    }

    let hits = search(&page, "ppt");
    assert_eq!(titles(&hits), ["课件制作"], "{hits:#?}");
    assert_eq!(hits[0].marks, ["PPT"]);
    assert_eq!(titles(&search(&page, "pp")), ["课件制作"]);

    for q in ["示范课堂", "讲党课的做法"] {
        let hits = search(&page, q);
        assert_eq!(titles(&hits), ["党课"], "{q}: {hits:#?}");
        let (path, anchor) = target(&hits[0].href);
        assert_eq!((path.as_str(), anchor), ("01-a/d.html", None), "{q}");
    }
}
