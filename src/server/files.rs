//! Request paths to files of the site, and sending one: conditional requests (`ETag`,
//! `If-None-Match`), byte ranges, the 404 page.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::app::{App, base_headers};
use super::live::{Live, inject};
use super::site::{Entry, GZIP_MIN, compressible, etag_of, gzip, gzip_etag};

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

/// Does the request accept gzip (`Accept-Encoding: gzip`, `x-gzip` or `*`, with a quality above
/// zero)?
fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut star = false;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        for item in value.to_str().unwrap_or("").split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .filter_map(|q| q.trim().parse::<f32>().ok())
                .next_back()
                .unwrap_or(1.0);
            match name.as_str() {
                "gzip" | "x-gzip" => return q > 0.0,
                "*" => star = q > 0.0,
                _ => {}
            }
        }
    }
    star
}

pub(super) const FALLBACK_404: &str = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>404</title></head><body><h1>404</h1><p>This page does not exist.</p></body></html>\n";

fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

pub(super) fn send(
    app: &App,
    entry: &Entry,
    status: StatusCode,
    base: bool,
    req_headers: &HeaderMap,
    head: bool,
) -> Response {
    let collector = app.shared.collector.get().filter(|_| entry.html);
    let injected = entry.html && (base || app.shared.watch || collector.is_some());
    let (bytes, etag) = if injected {
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
            injected = super::markup::inject_tag(&injected, &c.page_tag());
        }
        let etag = etag_of(&injected);
        (Bytes::from(injected), etag)
    } else {
        (entry.bytes.clone(), entry.etag().to_string())
    };
    // Text goes gzip-compressed to a browser that accepts it (a branch's Wi-Fi is busy);
    // ranges are answered from the identity encoding only, so their offsets stay right.
    let varies = compressible(&entry.content_type) && bytes.len() >= GZIP_MIN;
    let wanted = varies && !req_headers.contains_key(header::RANGE) && accepts_gzip(req_headers);
    let gzipped = match (wanted, injected) {
        (false, _) => None,
        (true, false) => entry.gzipped().cloned(),
        (true, true) => {
            gzip(&entry.content_type, &bytes).map(|g| (Bytes::from(g), gzip_etag(&etag)))
        }
    };
    let (bytes, etag, encoded) = match gzipped {
        Some((g, e)) => (g, e, true),
        None => (bytes, etag, false),
    };
    if status == StatusCode::OK && !etag.is_empty() && if_none_match(req_headers, &etag) {
        let mut builder = base_headers(Response::builder().status(StatusCode::NOT_MODIFIED));
        if varies {
            builder = builder.header(header::VARY, "Accept-Encoding");
        }
        return builder
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
    if varies {
        builder = builder.header(header::VARY, "Accept-Encoding");
    }
    if encoded {
        builder = builder.header(header::CONTENT_ENCODING, "gzip");
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

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
    fn gzip_is_taken_when_accepted_with_a_quality_above_zero() {
        let accepts = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            accepts_gzip(&h)
        };
        assert!(accepts("gzip, deflate, br"));
        assert!(accepts("br;q=1.0, GZIP;q=0.5"));
        assert!(accepts("*"));
        assert!(!accepts("gzip;q=0"));
        assert!(!accepts("gzip;q=0, *"));
        assert!(!accepts("br, deflate"));
        assert!(!accepts_gzip(&HeaderMap::new()));
        assert_eq!(gzip_etag("\"abc\""), "\"abc-gz\"");
        let html = HeaderValue::from_static("text/html; charset=utf-8");
        let page = "<p>学习贯彻</p>".repeat(200);
        let packed = gzip(&html, page.as_bytes()).unwrap();
        let mut back = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&packed[..]), &mut back)
            .unwrap();
        assert_eq!(back, page);
        assert_eq!(
            gzip(&HeaderValue::from_static("image/png"), page.as_bytes()),
            None
        );
        assert_eq!(gzip(&html, b"<p>short</p>"), None);
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
}
