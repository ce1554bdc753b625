//! One function routes every request: the collector's routes under `/__studysite/` (with
//! `serve --collect`), the live-reload event stream, then the site's files. The `Host` check
//! against DNS rebinding is made here, before anything of the request is read.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::watch;

use super::collect;
use super::files::{FALLBACK_404, resolve, send};
use super::listen::ServerConfig;
use super::live::{EVENTS_PATH, events};
use super::site::{Entry, LiveSite};

/// What every request is answered from.
#[derive(Clone)]
pub(super) struct App {
    pub(super) shared: Arc<LiveSite>,
    pub(super) config: ServerConfig,
    /// With `serve --collect`: the names a request's `Host` may give.
    pub(super) hosts: Option<Arc<HostNames>>,
    pub(super) closing: watch::Receiver<bool>,
}

/// The names this server answers to: its bound addresses (every address of the machine when it
/// listens on all), `localhost`, the machine's host name, and the names given with
/// `--allow-host`. A page of another site that a DNS name now points at this machine (DNS
/// rebinding) sends its own name as `Host`, and is refused before anything is read — as
/// Vite's `server.allowedHosts` does (CVE-2025-24010).
#[derive(Debug, Clone, Default)]
pub struct HostNames {
    names: Vec<String>,
}

impl HostNames {
    /// The names, compared without case, a port or a trailing dot.
    pub fn new(names: impl IntoIterator<Item = String>) -> HostNames {
        let mut names: Vec<String> = names.into_iter().map(|n| normal_host(&n)).collect();
        names.sort();
        names.dedup();
        HostNames { names }
    }

    /// Whether a request's `Host` header value names this server.
    pub fn allows(&self, host: &str) -> bool {
        let name = normal_host(strip_port(host.trim()));
        !name.is_empty() && self.names.contains(&name)
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// `host` without a port: `a:8000` → `a`, `[::1]:8000` → `::1`, `::1` stays.
fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("");
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            name
        }
        _ => host,
    }
}

fn normal_host(name: &str) -> String {
    let name = name.trim().trim_start_matches('[').trim_end_matches(']');
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// The headers every answer of the site carries.
pub(super) fn base_headers(
    builder: axum::http::response::Builder,
) -> axum::http::response::Builder {
    builder
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(header::CACHE_CONTROL, "no-cache")
}

pub(super) fn plain(status: StatusCode, text: &'static str) -> Response {
    base_headers(Response::builder().status(status))
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Body::from(text))
        .unwrap_or_else(|_| status.into_response())
}

pub(super) async fn handle(State(app): State<App>, req: Request) -> Response {
    if let Some(hosts) = &app.hosts {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok());
        if !host.is_some_and(|h| hosts.allows(h)) {
            return plain(
                StatusCode::MISDIRECTED_REQUEST,
                "421 misdirected request: this server does not answer to that host name (start it with --allow-host NAME to add one)\n",
            );
        }
    }
    if let Some(c) = app.shared.collector.get()
        && req.uri().path().starts_with(collect::COLLECT_PREFIX)
        && req.uri().path() != EVENTS_PATH
    {
        return collect::respond(c.clone(), req, app.config.body_timeout).await;
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
            let fallback = Entry::new(
                Bytes::from_static(FALLBACK_404.as_bytes()),
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_matched_without_port_case_or_trailing_dot() {
        let hosts =
            HostNames::new(["127.0.0.1", "localhost", "Branch-PC", "::1"].map(String::from));
        for ok in [
            "127.0.0.1:8000",
            "LOCALHOST",
            "localhost.:80",
            "branch-pc",
            "[::1]:8000",
            "::1",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for refused in [
            "evil.example",
            "evil.example:8000",
            "",
            "127.0.0.2",
            "localhost.evil",
            "[::2]:80",
        ] {
            assert!(!hosts.allows(refused), "{refused}");
        }
    }
}
