//! The door `serve --collect` opens in the read-only server: requests under
//! [`COLLECT_PREFIX`] go to a [`Collector`] handed in by `cmd::serve` (the server knows no
//! quiz, no database: it is a leaf), and every HTML page gets the collector's tag before
//! `</body>`, as live reload adds its script. Without a collector nothing here runs: the
//! server stays GET/HEAD-only and pages are sent as `build` wrote them.
//!
//! The server reads at most [`BODY_LIMIT`] bytes of a request body (more is 413 before the
//! collector sees anything) and calls the collector off the async threads, since it may wait
//! for a disk commit.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Paths the collector answers.
pub const COLLECT_PREFIX: &str = "/__studysite/";

/// The largest request body read, in bytes: an attempt of a 200-question final test is
/// about 20 KB.
pub const BODY_LIMIT: usize = 64 * 1024;

/// What the collector is told of a request.
#[derive(Debug, Clone)]
pub struct CollectRequest {
    pub method: String,
    /// The path, as sent (`/__studysite/attempts`).
    pub path: String,
    pub query: String,
    pub content_type: Option<String>,
    pub origin: Option<String>,
    pub host: Option<String>,
    /// The client's address (for the rate limit).
    pub peer: Option<IpAddr>,
    pub body: Vec<u8>,
}

/// The collector's answer.
#[derive(Debug, Clone)]
pub struct CollectResponse {
    pub status: u16,
    pub content_type: &'static str,
    /// `Content-Disposition`, for downloads.
    pub disposition: Option<String>,
    pub body: Vec<u8>,
}

impl CollectResponse {
    /// A JSON answer.
    pub fn json(status: u16, body: String) -> CollectResponse {
        CollectResponse {
            status,
            content_type: "application/json; charset=utf-8",
            disposition: None,
            body: body.into_bytes(),
        }
    }
}

/// What `serve --collect` plugs into the server.
pub trait Collector: Send + Sync {
    /// Markup added before `</body>` of every HTML page (the collector's configuration and
    /// script); it must be safe inside HTML.
    fn page_tag(&self) -> String;
    /// Answers one request under [`COLLECT_PREFIX`]; must not panic.
    fn handle(&self, req: &CollectRequest) -> CollectResponse;
}

/// Where a collector is plugged in: empty unless `serve --collect`.
#[derive(Default)]
pub struct CollectorSlot(OnceLock<Arc<dyn Collector>>);

impl std::fmt::Debug for CollectorSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "CollectorSlot(set)"
        } else {
            "CollectorSlot(empty)"
        })
    }
}

impl CollectorSlot {
    /// Plugs `c` in; a second call changes nothing.
    pub fn set(&self, c: Arc<dyn Collector>) {
        let _ = self.0.set(c);
    }

    pub fn get(&self) -> Option<&Arc<dyn Collector>> {
        self.0.get()
    }
}

/// The client's address, put into every request's extensions by [`WithPeer`].
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);

/// A hyper service that tells the inner one who is connected.
pub struct WithPeer<S> {
    pub inner: S,
    pub peer: SocketAddr,
}

impl<S, B> hyper::service::Service<hyper::Request<B>> for WithPeer<S>
where
    S: hyper::service::Service<hyper::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn call(&self, mut req: hyper::Request<B>) -> Self::Future {
        req.extensions_mut().insert(Peer(self.peer));
        self.inner.call(req)
    }
}

/// Reads the body (POST only, at most [`BODY_LIMIT`]) and lets the collector answer, on a
/// blocking thread; a panic there is a 500, never the server's end.
pub async fn respond(
    collector: Arc<dyn Collector>,
    req: Request,
    body_timeout: Duration,
) -> Response {
    let (parts, body) = req.into_parts();
    let header = |name: header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let body = if parts.method == Method::POST {
        match tokio::time::timeout(body_timeout, axum::body::to_bytes(body, BODY_LIMIT)).await {
            Ok(Ok(b)) => b.to_vec(),
            Err(_) => {
                let msg = format!(
                    "{{\"error\":\"the body did not arrive within {} s\"}}",
                    body_timeout.as_secs()
                );
                return finish(CollectResponse::json(408, msg));
            }
            Ok(Err(_)) => {
                let msg = format!("{{\"error\":\"the body is larger than {BODY_LIMIT} bytes\"}}");
                return finish(CollectResponse::json(413, msg));
            }
        }
    } else {
        Vec::new()
    };
    let request = CollectRequest {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        content_type: header(header::CONTENT_TYPE),
        origin: header(header::ORIGIN),
        host: header(header::HOST),
        peer: parts.extensions.get::<Peer>().map(|p| p.0.ip()),
        body,
    };
    match tokio::task::spawn_blocking(move || collector.handle(&request)).await {
        Ok(r) => finish(r),
        Err(_) => finish(CollectResponse::json(
            500,
            "{\"error\":\"internal error\"}".into(),
        )),
    }
}

fn finish(r: CollectResponse) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut b = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, r.content_type)
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(header::CACHE_CONTROL, "no-store")
        .header("Referrer-Policy", "no-referrer");
    if let Some(d) = r.disposition {
        b = b.header(header::CONTENT_DISPOSITION, d);
    }
    b.body(Body::from(r.body))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
