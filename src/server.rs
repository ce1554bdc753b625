//! The HTTP side of `studysite serve`: serves a built site from memory, read-only.
//!
//! The served bytes are exactly what `build` writes; the server adds, to HTML responses and
//! only in watch mode, a small live-reload script (and while a rebuild has failed, an overlay
//! with the errors) just before `</body>`. Nothing of this ever reaches `build` output: it is
//! added per response, here.
//!
//! Requests map onto the keys of the in-memory site only: the path is percent-decoded segment
//! by segment, and anything odd — `.`/`..` segments, an encoded `/`, backslashes, NUL and other
//! control characters, empty segments, invalid UTF-8 or escapes — is refused with 400 before
//! any lookup. There is no file system behind the map, so symlinks and absolute paths cannot
//! reach anything. A folder serves its `index.html` (a path without the trailing slash is
//! redirected to it, so the page's relative links work) and is never listed. Missing pages get
//! the theme's `404.html` with status 404 and `<base href="/">`, since its links are relative
//! to the site root.
//!
//! Live reload uses server-sent events at [`EVENTS_PATH`] on the same origin: `hello` (the
//! site's generation, so a page that missed a rebuild reloads), `reload` after a good rebuild,
//! `error` with the diagnostics after a failed one; keep-alive comments every
//! [`ServerConfig::keep_alive`]. Connections that send no request within
//! [`ServerConfig::idle_timeout`] are closed (hyper's header-read timeout, which also covers
//! idle keep-alive connections); a streaming response is not a read, so SSE streams live on.
//!
//! With `serve --collect`, a [`collect::Collector`] plugged in through
//! [`LiveSite::collect_with`] answers everything under `/__studysite/` but the event stream
//! (POST included) and adds its tag to every HTML page; see [`collect`].
//!
//! The connection loop is hyper's HTTP/1 server driven directly (instead of `axum::serve`)
//! because that is where the header-read timeout is set.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::{broadcast, watch};

pub mod collect;

use collect::{Collector, CollectorSlot};

/// Where open pages listen for reloads (watch mode only).
pub const EVENTS_PATH: &str = "/__studysite/events";

/// How long an EventSource waits before reconnecting, in milliseconds.
const RETRY: Duration = Duration::from_millis(1000);

/// One file of the built site, ready to send.
#[derive(Debug, Clone)]
struct Entry {
    bytes: Bytes,
    /// Quoted strong ETag: blake3 of the bytes, computed on first use (hashing every file
    /// up front would add to each rebuild's save→reload time).
    etag: OnceLock<String>,
    content_type: HeaderValue,
    html: bool,
}

/// A quoted strong ETag for `bytes`.
fn etag_of(bytes: &[u8]) -> String {
    format!("\"{}\"", &blake3::hash(bytes).to_hex()[..32])
}

impl Entry {
    fn etag(&self) -> &str {
        self.etag.get_or_init(|| etag_of(&self.bytes))
    }
}

/// A built site in memory: output path (`a/b.html`, no leading `/`) → file.
#[derive(Debug, Default)]
pub struct SiteFiles {
    entries: HashMap<String, Entry>,
}

/// Content-Type for an output path: `mime_guess`, with `; charset=utf-8` for text.
pub fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let essence = mime.essence_str();
    let texty = mime.type_() == mime_guess::mime::TEXT
        || matches!(
            essence,
            "application/javascript"
                | "application/json"
                | "application/xml"
                | "image/svg+xml"
                | "application/manifest+json"
        );
    if texty {
        format!("{essence}; charset=utf-8")
    } else {
        essence.to_string()
    }
}

impl SiteFiles {
    /// Takes a build's files (as [`crate::output::MemoryOutput`] holds them).
    pub fn new(files: HashMap<String, Arc<[u8]>>) -> SiteFiles {
        let entries = files
            .into_iter()
            .map(|(path, bytes)| {
                let ct = content_type(&path);
                let entry = Entry {
                    bytes: Bytes::from_owner(bytes),
                    etag: OnceLock::new(),
                    content_type: HeaderValue::from_str(&ct)
                        .unwrap_or(HeaderValue::from_static("application/octet-stream")),
                    html: ct.starts_with("text/html"),
                };
                (path, entry)
            })
            .collect();
        SiteFiles { entries }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Adds `from`'s files whose path passes `pick`, where `self` has no file of that path
    /// (the bytes are shared, not copied).
    pub fn add_missing_from(&mut self, from: &SiteFiles, pick: impl Fn(&str) -> bool) {
        for (path, entry) in &from.entries {
            if pick(path) && !self.entries.contains_key(path) {
                self.entries.insert(path.clone(), entry.clone());
            }
        }
    }

    /// These files without those whose path passes `pick`, plus `new`'s.
    pub fn replacing(&self, pick: impl Fn(&str) -> bool, new: SiteFiles) -> SiteFiles {
        let mut entries = new.entries;
        for (path, entry) in &self.entries {
            if !pick(path) {
                entries.entry(path.clone()).or_insert_with(|| entry.clone());
            }
        }
        SiteFiles { entries }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether `other` has the same paths with the same bytes (pages reused from the page
    /// cache share their bytes, so most are compared by address).
    pub fn same_as(&self, other: &SiteFiles) -> bool {
        self.entries.len() == other.entries.len()
            && self.entries.iter().all(|(path, a)| {
                other.entries.get(path).is_some_and(|b| {
                    let (a, b) = (&a.bytes, &b.bytes);
                    (a.as_ptr() == b.as_ptr() && a.len() == b.len()) || a == b
                })
            })
    }
}

/// What open pages are told.
#[derive(Debug, Clone)]
enum Notice {
    Reload(u64),
    Error(Arc<str>),
}

/// The site being served, as the server and the rebuild thread share it: its files, the
/// error overlay of a failed rebuild, and the notices open pages get.
#[derive(Debug)]
pub struct LiveSite {
    files: RwLock<Arc<SiteFiles>>,
    error: RwLock<Option<Arc<str>>>,
    /// Counts good builds; pages carry the one they were served from.
    generation: AtomicU64,
    watch: bool,
    notices: broadcast::Sender<Notice>,
    collector: CollectorSlot,
    /// The overlay's headline, in the site's language ([`LiveSite::set_overlay_title`]).
    overlay_title: RwLock<Arc<str>>,
}

impl LiveSite {
    /// `watch`: whether pages get the live-reload script.
    pub fn new(files: SiteFiles, watch: bool) -> Arc<LiveSite> {
        let (notices, _) = broadcast::channel(16);
        Arc::new(LiveSite {
            files: RwLock::new(Arc::new(files)),
            error: RwLock::new(None),
            generation: AtomicU64::new(1),
            watch,
            notices,
            collector: CollectorSlot::default(),
            overlay_title: RwLock::new(Arc::from(OVERLAY_TITLE)),
        })
    }

    /// The words the error overlay opens with (the caller takes them from the site's
    /// language table; until then, [`OVERLAY_TITLE`]).
    pub fn set_overlay_title(&self, title: &str) {
        *self
            .overlay_title
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Arc::from(title);
    }

    fn overlay_title(&self) -> Arc<str> {
        self.overlay_title
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Serves `files` from now on, clears the error and reloads every open page.
    pub fn publish(&self, files: SiteFiles) {
        *self.files.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(files);
        *self.error.write().unwrap_or_else(|e| e.into_inner()) = None;
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let _ = self.notices.send(Notice::Reload(generation));
    }

    /// Plugs in the collector of `serve --collect` (once, before serving).
    pub fn collect_with(&self, collector: Arc<dyn Collector>) {
        self.collector.set(collector);
    }

    /// The files served now.
    pub fn current(&self) -> Arc<SiteFiles> {
        self.files()
    }

    /// Serves `files` from now on without telling open pages: for files that complete the
    /// published build (the search index, made after the reload), or a build that changed
    /// nothing a page shows.
    pub fn replace_quietly(&self, files: SiteFiles) {
        *self.files.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(files);
    }

    /// Whether open pages are shown an error now (rather than the last good build).
    pub fn showing_error(&self) -> bool {
        self.error().is_some()
    }

    /// Keeps serving the last good site and shows `text` over every open page.
    pub fn publish_error(&self, text: &str) {
        let text: Arc<str> = Arc::from(text);
        *self.error.write().unwrap_or_else(|e| e.into_inner()) = Some(text.clone());
        let _ = self.notices.send(Notice::Error(text));
    }

    fn files(&self) -> Arc<SiteFiles> {
        self.files.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn error(&self) -> Option<Arc<str>> {
        self.error.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }
}

/// Knobs of the HTTP server.
#[derive(Debug, Clone, Copy)]
pub struct ServerConfig {
    /// A connection that sends no (complete) request head for this long is closed.
    pub idle_timeout: Duration,
    /// How often an idle event stream gets a comment, so proxies and phones keep it open.
    pub keep_alive: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            idle_timeout: Duration::from_secs(20),
            keep_alive: Duration::from_secs(15),
        }
    }
}

#[derive(Clone)]
struct App {
    shared: Arc<LiveSite>,
    config: ServerConfig,
    closing: watch::Receiver<bool>,
}

/// Serves on `listener` until `shutdown` completes, then lets running requests finish (open
/// event streams end at once) for up to two seconds.
pub async fn serve(
    listener: tokio::net::TcpListener,
    shared: Arc<LiveSite>,
    config: ServerConfig,
    shutdown: impl Future<Output = ()>,
) {
    let (close_tx, close_rx) = watch::channel(false);
    let app = App {
        shared,
        config,
        closing: close_rx.clone(),
    };
    let router = Router::new().fallback(handle).with_state(app);
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            a = listener.accept() => a,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(_) => {
                // Out of file descriptors or an aborted handshake: wait a moment, go on.
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service = collect::WithPeer {
            inner: TowerToHyperService::new(router.clone()),
            peer,
        };
        let mut closing = close_rx.clone();
        let idle = config.idle_timeout;
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(idle)
                .keep_alive(true);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            let closed = tokio::select! {
                _ = conn.as_mut() => false,
                _ = closing.wait_for(|c| *c) => true,
            };
            if closed {
                conn.as_mut().graceful_shutdown();
                let _ = conn.await;
            }
            drop(closing);
        });
    }
    drop(listener);
    let _ = close_tx.send(true);
    drop(close_rx);
    drop(router);
    let _ = tokio::time::timeout(Duration::from_secs(2), close_tx.closed()).await;
}

/// Why a request path cannot name a file.
#[derive(Debug, PartialEq, Eq)]
pub struct BadPath;

/// Maps a request path (as sent, percent-encoded, without the query) to a key of the site:
/// `/` → `index.html`, `/a/` → `a/index.html`, `/a/b.html` → `a/b.html`. The second value
/// tells whether the path ended with `/`.
pub fn resolve(raw: &str) -> Result<(String, bool), BadPath> {
    let rest = raw.strip_prefix('/').ok_or(BadPath)?;
    let trailing = rest.is_empty() || rest.ends_with('/');
    let mut segments: Vec<String> = Vec::new();
    let body = rest.strip_suffix('/').unwrap_or(rest);
    if !body.is_empty() {
        for seg in body.split('/') {
            segments.push(decode_segment(seg)?);
        }
    }
    let mut key = segments.join("/");
    if trailing {
        if !key.is_empty() {
            key.push('/');
        }
        key.push_str("index.html");
    }
    Ok((key, trailing))
}

/// Percent-decodes one path segment and refuses anything that is not a plain name.
fn decode_segment(seg: &str) -> Result<String, BadPath> {
    let bytes = seg.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = |b: u8| (b as char).to_digit(16);
            let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) else {
                return Err(BadPath);
            };
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let name = String::from_utf8(out).map_err(|_| BadPath)?;
    let odd = name.is_empty()
        || name == "."
        || name == ".."
        || name
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control());
    if odd { Err(BadPath) } else { Ok(name) }
}

fn base_headers(builder: axum::http::response::Builder) -> axum::http::response::Builder {
    builder
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(header::CACHE_CONTROL, "no-cache")
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    base_headers(Response::builder().status(status))
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Body::from(text))
        .unwrap_or_else(|_| status.into_response())
}

async fn handle(State(app): State<App>, req: Request) -> Response {
    if let Some(c) = app.shared.collector.get()
        && req.uri().path().starts_with(collect::COLLECT_PREFIX)
        && req.uri().path() != EVENTS_PATH
    {
        return collect::respond(c.clone(), req).await;
    }
    let method = req.method().clone();
    if method != Method::GET && method != Method::HEAD {
        let mut r = plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "405 method not allowed: this site is read-only\n",
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let head = method == Method::HEAD;
    let path = req.uri().path();
    if app.shared.watch && path == EVENTS_PATH {
        return events(&app).into_response();
    }
    let Ok((key, trailing)) = resolve(path) else {
        return plain(
            StatusCode::BAD_REQUEST,
            "400 bad request: not a page of this site\n",
        );
    };
    let files = app.shared.files();
    if let Some(entry) = files.entries.get(&key) {
        return send(&app, entry, StatusCode::OK, false, req.headers(), head);
    }
    if !trailing {
        let index = format!("{key}/index.html");
        if files.entries.contains_key(&index) {
            let mut location = format!("{path}/");
            if let Some(q) = req.uri().query() {
                location.push('?');
                location.push_str(q);
            }
            return base_headers(Response::builder().status(StatusCode::MOVED_PERMANENTLY))
                .header(header::LOCATION, location)
                .body(Body::empty())
                .unwrap_or_else(|_| StatusCode::MOVED_PERMANENTLY.into_response());
        }
    }
    match files.entries.get("404.html") {
        Some(entry) => send(
            &app,
            entry,
            StatusCode::NOT_FOUND,
            true,
            req.headers(),
            head,
        ),
        None => {
            let fallback = Entry {
                bytes: Bytes::from_static(FALLBACK_404.as_bytes()),
                etag: OnceLock::new(),
                content_type: HeaderValue::from_static("text/html; charset=utf-8"),
                html: true,
            };
            send(
                &app,
                &fallback,
                StatusCode::NOT_FOUND,
                false,
                req.headers(),
                head,
            )
        }
    }
}

/// Served when the site has no `404.html` (or no site could be built yet).
const FALLBACK_404: &str = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>404</title></head><body><h1>404</h1><p>This page does not exist.</p></body></html>\n";

fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

fn send(
    app: &App,
    entry: &Entry,
    status: StatusCode,
    base: bool,
    req_headers: &HeaderMap,
    head: bool,
) -> Response {
    let collector = app.shared.collector.get().filter(|_| entry.html);
    let (bytes, etag) = if entry.html && (base || app.shared.watch || collector.is_some()) {
        let generation = app.shared.generation();
        let error = app.shared.error();
        let title = app.shared.overlay_title();
        let live = Live {
            generation,
            error: error.as_deref(),
            title: &title,
        };
        let mut injected = inject(&entry.bytes, base, app.shared.watch.then_some(live));
        if let Some(c) = collector {
            injected = collect::inject_tag(&injected, &c.page_tag());
        }
        let etag = etag_of(&injected);
        (Bytes::from(injected), etag)
    } else {
        (entry.bytes.clone(), entry.etag().to_string())
    };
    if status == StatusCode::OK && !etag.is_empty() && if_none_match(req_headers, &etag) {
        return base_headers(Response::builder().status(StatusCode::NOT_MODIFIED))
            .header(header::ETAG, etag)
            .body(Body::empty())
            .unwrap_or_else(|_| StatusCode::NOT_MODIFIED.into_response());
    }
    if status == StatusCode::OK
        && let Some(answer) = byte_range(req_headers, &etag, bytes.len())
    {
        return ranged(entry, &bytes, &etag, answer, head);
    }
    let mut builder = base_headers(Response::builder().status(status))
        .header(header::CONTENT_TYPE, entry.content_type.clone())
        .header(header::CONTENT_LENGTH, bytes.len());
    if status == StatusCode::OK {
        builder = builder.header(header::ACCEPT_RANGES, "bytes");
    }
    if !etag.is_empty() {
        builder = builder.header(header::ETAG, etag);
    }
    let body = if head {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    builder
        .body(body)
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// What a `Range` request asks of a file of `len` bytes.
#[derive(Debug, PartialEq, Eq)]
enum RangeAnswer {
    /// Bytes `start..=end`, both within the file.
    Part { start: usize, end: usize },
    /// No byte of the file is in the range: `416`.
    Unsatisfiable,
}

/// Reads the `Range` header of a request for a file of `len` bytes whose ETag is `etag`, so
/// that a video or a PDF in `static/` plays and pages on an iPhone (which asks for ranges
/// first). None means "send the whole file": no `Range`, a unit other than bytes, several
/// ranges (allowed by RFC 9110, and browsers do not ask for them), a malformed header, or an
/// `If-Range` that no longer matches the file.
fn byte_range(headers: &HeaderMap, etag: &str, len: usize) -> Option<RangeAnswer> {
    let value = headers.get(header::RANGE)?.to_str().ok()?.trim();
    if let Some(if_range) = headers.get(header::IF_RANGE)
        && if_range.to_str().ok()?.trim() != etag
    {
        return None;
    }
    let spec = value.strip_prefix("bytes=")?.trim();
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    let number = |s: &str| -> Option<usize> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(s.parse().unwrap_or(usize::MAX))
    };
    let (start, end) = if first.is_empty() {
        // `bytes=-N`: the last N bytes.
        let n = number(last)?;
        if n == 0 || len == 0 {
            return Some(RangeAnswer::Unsatisfiable);
        }
        (len.saturating_sub(n), len - 1)
    } else {
        let start = number(first)?;
        let end = if last.is_empty() {
            usize::MAX
        } else {
            number(last)?
        };
        if end < start {
            return None;
        }
        if start >= len {
            return Some(RangeAnswer::Unsatisfiable);
        }
        (start, end.min(len - 1))
    };
    Some(RangeAnswer::Part { start, end })
}

/// The `206 Partial Content` (or `416 Range Not Satisfiable`) answer to a range request.
fn ranged(entry: &Entry, bytes: &Bytes, etag: &str, answer: RangeAnswer, head: bool) -> Response {
    let len = bytes.len();
    let mut builder = base_headers(Response::builder()).header(header::ACCEPT_RANGES, "bytes");
    if !etag.is_empty() {
        builder = builder.header(header::ETAG, etag);
    }
    let RangeAnswer::Part { start, end } = answer else {
        return builder
            .status(StatusCode::RANGE_NOT_SATISFIABLE)
            .header(header::CONTENT_RANGE, format!("bytes */{len}"))
            .body(Body::empty())
            .unwrap_or_else(|_| StatusCode::RANGE_NOT_SATISFIABLE.into_response());
    };
    let part = bytes.slice(start..=end);
    builder
        .status(StatusCode::PARTIAL_CONTENT)
        .header(header::CONTENT_TYPE, entry.content_type.clone())
        .header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}"))
        .header(header::CONTENT_LENGTH, part.len())
        .body(if head {
            Body::empty()
        } else {
            Body::from(part)
        })
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The id of the error overlay's element.
pub const OVERLAY_ID: &str = "__studysite-error";

const OVERLAY_STYLE: &str = "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:1.5rem;background:rgba(24,24,24,.97);color:#fff;font:14px/1.5 ui-monospace,monospace;text-align:left;box-sizing:border-box";

/// The overlay's `<pre>`, proof against the theme's own `pre` styles.
const PRE_STYLE: &str = "white-space:pre-wrap;margin:1em 0 0;padding:0;border:0;background:none;color:#ffd7d7;font:inherit;max-height:none;overflow:visible";

/// The overlay's headline until the site's language table gives its own
/// (`serve_error_title`, passed in by `cmd::serve`).
pub const OVERLAY_TITLE: &str = "studysite serve: the last change did not build. The page shows the last good build; fix the problem and save.";

/// What a page served in watch mode gets: the build it is from, the standing error, and the
/// overlay's headline.
#[derive(Debug, Clone, Copy)]
pub struct Live<'a> {
    pub generation: u64,
    pub error: Option<&'a str>,
    pub title: &'a str,
}

/// The error overlay as HTML, for pages served while an error stands.
fn overlay_html(text: &str, title: &str) -> String {
    format!(
        "<div id=\"{OVERLAY_ID}\" style=\"{OVERLAY_STYLE}\"><strong>{}</strong><pre style=\"{PRE_STYLE}\">{}</pre></div>",
        escape_html(title),
        escape_html(text)
    )
}

/// `s` as a JavaScript string literal that can stand inside a `<script>` element.
fn js_string(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap_or_else(|_| "\"\"".into())
        .replace("</", "<\\/")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// The live-reload script: listens on [`EVENTS_PATH`]; reloads on `reload` (and on `hello`
/// when the site changed since this page was served); shows the overlay on `error`. The
/// browser's own `error` event (a lost connection) has no `data` and is left to
/// EventSource's reconnect.
fn reload_script(generation: u64, title: &str) -> String {
    format!(
        concat!(
            "<script>(function(){{var g=\"{gen}\";if(!window.EventSource)return;",
            "var s=window.__studysiteEvents=new EventSource(\"{path}\");",
            "s.addEventListener(\"hello\",function(e){{if(e.data!==g)location.reload();}});",
            "s.addEventListener(\"reload\",function(){{location.reload();}});",
            "s.addEventListener(\"error\",function(e){{if(typeof e.data!==\"string\")return;",
            "var d=document.getElementById(\"{id}\");if(!d){{d=document.createElement(\"div\");d.id=\"{id}\";",
            "d.setAttribute(\"style\",\"{style}\");document.body.appendChild(d);}}",
            "d.textContent=\"\";var h=document.createElement(\"strong\");h.textContent={title};",
            "var p=document.createElement(\"pre\");p.setAttribute(\"style\",\"{pre}\");p.textContent=e.data;",
            "d.appendChild(h);d.appendChild(p);}});",
            "}})();</script>"
        ),
        gen = generation,
        path = EVENTS_PATH,
        id = OVERLAY_ID,
        style = OVERLAY_STYLE,
        title = js_string(title),
        pre = PRE_STYLE,
    )
}

/// Finds `needle` (ASCII, lower case) in `hay`, ignoring ASCII case; the last match when
/// `last`.
fn find_ci(hay: &[u8], needle: &[u8], last: bool) -> Option<usize> {
    if hay.len() < needle.len() {
        return None;
    }
    let matches = |i: &usize| hay[*i..*i + needle.len()].eq_ignore_ascii_case(needle);
    let mut range = 0..=hay.len() - needle.len();
    if last {
        range.rfind(matches)
    } else {
        range.find(matches)
    }
}

/// Adds serve-mode markup to an HTML page: `<base href="/">` at the start of `<head>` when
/// `base`; with `live`, the reload script (and the overlay when there is an error) before the
/// last `</body>`, or at the end when there is none.
pub fn inject(html: &[u8], base: bool, live: Option<Live<'_>>) -> Vec<u8> {
    let mut out = Vec::with_capacity(html.len() + 2048);
    let mut rest = html;
    if base {
        match find_ci(html, b"<head", false)
            .and_then(|i| html[i..].iter().position(|&b| b == b'>').map(|j| i + j + 1))
        {
            Some(at) => {
                out.extend_from_slice(&html[..at]);
                out.extend_from_slice(b"<base href=\"/\">");
                rest = &html[at..];
            }
            None => out.extend_from_slice(b"<base href=\"/\">"),
        }
    }
    let Some(Live {
        generation,
        error,
        title,
    }) = live
    else {
        out.extend_from_slice(rest);
        return out;
    };
    let mut extra = String::new();
    if let Some(text) = error {
        extra.push_str(&overlay_html(text, title));
    }
    extra.push_str(&reload_script(generation, title));
    match find_ci(rest, b"</body", true) {
        Some(at) => {
            out.extend_from_slice(&rest[..at]);
            out.extend_from_slice(extra.as_bytes());
            out.extend_from_slice(&rest[at..]);
        }
        None => {
            out.extend_from_slice(rest);
            out.extend_from_slice(extra.as_bytes());
        }
    }
    out
}

/// SSE `data` must not hold carriage returns; keep the lines.
fn sse_text(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

fn event_of(notice: &Notice) -> Event {
    match notice {
        Notice::Reload(g) => Event::default().event("reload").data(g.to_string()),
        Notice::Error(text) => Event::default().event("error").data(sse_text(text)),
    }
}

/// The event stream: `retry` and `hello`, the standing error if any, then every notice until
/// the server stops.
fn events(app: &App) -> impl IntoResponse + use<> {
    let shared = app.shared.clone();
    let rx = shared.notices.subscribe();
    let mut first: VecDeque<Event> = VecDeque::new();
    first.push_back(
        Event::default()
            .retry(RETRY)
            .event("hello")
            .data(shared.generation().to_string()),
    );
    if let Some(text) = shared.error() {
        first.push_back(event_of(&Notice::Error(text)));
    }
    let state = (first, rx, app.closing.clone(), shared);
    let stream = futures_util::stream::unfold(
        state,
        |(mut first, mut rx, mut closing, shared)| async move {
            if let Some(e) = first.pop_front() {
                return Some((Ok::<Event, Infallible>(e), (first, rx, closing, shared)));
            }
            let notice = tokio::select! {
                c = closing.wait_for(|c| *c) => {
                    drop(c);
                    return None;
                }
                n = rx.recv() => n,
            };
            let event = match notice {
                Ok(n) => event_of(&n),
                // Missed notices: the page is out of date either way.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    event_of(&Notice::Reload(shared.generation()))
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            Some((Ok(event), (first, rx, closing, shared)))
        },
    );
    let mut r = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(app.config.keep_alive))
        .into_response();
    r.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_pages_and_folders() {
        assert_eq!(resolve("/"), Ok(("index.html".into(), true)));
        assert_eq!(resolve("/01-a/"), Ok(("01-a/index.html".into(), true)));
        assert_eq!(resolve("/01-a"), Ok(("01-a".into(), false)));
        assert_eq!(
            resolve("/01-a/yuanwen.html"),
            Ok(("01-a/yuanwen.html".into(), false))
        );
        assert_eq!(
            resolve("/%E5%AD%A6%E4%B9%A0/a.html"),
            Ok(("学习/a.html".into(), false))
        );
    }

    #[test]
    fn refuses_traversal_in_every_spelling() {
        for p in [
            "/..",
            "/../site.yaml",
            "/a/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/x",
            "/.%2e/x",
            "/a/%2e",
            "/a%2f..%2fb",
            "/a%2Fb",
            "/..%5cx",
            "/a\\..\\b",
            "/a%00.html",
            "/a%0a",
            "//etc/passwd",
            "/a//b",
            "etc/passwd",
            "*",
            "/%zz",
            "/%",
            "/%e5%ad",
            "/./index.html",
        ] {
            assert_eq!(resolve(p), Err(BadPath), "{p}");
        }
    }

    #[test]
    fn injects_before_the_last_body_end_and_base_into_head() {
        let page =
            b"<html><HEAD><title>t</title></HEAD><body>x</body><!-- </body> --></BODY></html>";
        let out = String::from_utf8(inject(
            page,
            true,
            Some(Live {
                generation: 7,
                error: Some("a <b> & c"),
                title: "构建失败 </script>",
            }),
        ))
        .unwrap();
        assert!(
            out.starts_with("<html><HEAD><base href=\"/\"><title>"),
            "{out}"
        );
        let script = out.find("<script>").unwrap();
        assert!(script > out.find("<!-- </body> -->").unwrap(), "{out}");
        assert!(out.ends_with("</script></BODY></html>"), "{out}");
        assert!(out.contains("a &lt;b&gt; &amp; c"), "{out}");
        assert!(out.contains("var g=\"7\""), "{out}");
        assert!(
            out.contains("<strong>构建失败 &lt;/script&gt;</strong>"),
            "{out}"
        );
        assert!(
            out.contains("h.textContent=\"构建失败 <\\/script>\""),
            "{out}"
        );
        assert_eq!(out.matches("</script>").count(), 1, "{out}");
        let plain = inject(page, false, None);
        assert_eq!(plain, page);
    }

    #[test]
    fn byte_ranges() {
        let ask = |range: &str, len: usize| {
            let mut h = HeaderMap::new();
            h.insert(header::RANGE, HeaderValue::from_str(range).unwrap());
            byte_range(&h, "\"e\"", len)
        };
        let part = |start, end| Some(RangeAnswer::Part { start, end });
        assert_eq!(ask("bytes=0-99", 1000), part(0, 99));
        assert_eq!(ask("bytes=0-99", 50), part(0, 49));
        assert_eq!(ask("bytes=900-", 1000), part(900, 999));
        assert_eq!(ask("bytes=-100", 1000), part(900, 999));
        assert_eq!(ask("bytes=-5000", 1000), part(0, 999));
        assert_eq!(ask("bytes=1000-", 1000), Some(RangeAnswer::Unsatisfiable));
        assert_eq!(ask("bytes=-0", 1000), Some(RangeAnswer::Unsatisfiable));
        assert_eq!(ask("bytes=0-1,5-6", 1000), None);
        assert_eq!(ask("items=0-1", 1000), None);
        assert_eq!(ask("bytes=5-1", 1000), None);
        assert_eq!(ask("bytes=a-b", 1000), None);
        let mut h = HeaderMap::new();
        h.insert(header::RANGE, HeaderValue::from_static("bytes=0-9"));
        h.insert(header::IF_RANGE, HeaderValue::from_static("\"old\""));
        assert_eq!(
            byte_range(&h, "\"e\"", 100),
            None,
            "changed since: whole file"
        );
    }

    #[test]
    fn text_types_carry_a_charset() {
        assert_eq!(content_type("a/b.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("s.css"), "text/css; charset=utf-8");
        assert!(content_type("s.js").ends_with("javascript; charset=utf-8"));
        assert_eq!(content_type("logo.png"), "image/png");
        assert_eq!(content_type("font.woff2"), "font/woff2");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }
}
