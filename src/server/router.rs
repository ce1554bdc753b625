//! One function routes every request: the collector's routes under `/__studysite/` (with
//! `serve --collect`), the live-reload event stream, then the site's files. The `Host` check
//! against DNS rebinding is made here, before anything of the request is read.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::app::{App, base_headers};
use super::collect;
use super::files::{FALLBACK_404, resolve, send};
use super::live::{EVENTS_PATH, events};
use super::site::Entry;

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
