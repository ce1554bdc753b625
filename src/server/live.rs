//! Live reload (`serve --watch`): the script added to every HTML response, the error overlay
//! shown while a rebuild has failed, and the server-sent event stream at [`EVENTS_PATH`].
//! Nothing of this reaches `build` output: it is added per response.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use tokio::sync::broadcast;

use super::app::App;
use super::site::Notice;
use crate::html::escape_html;

/// Where open pages listen for reloads (watch mode only).
pub const EVENTS_PATH: &str = "/__studysite/events";

/// How long an EventSource waits before reconnecting, in milliseconds.
const RETRY: Duration = Duration::from_millis(1000);

/// The id of the error overlay's element.
pub const OVERLAY_ID: &str = "__studysite-error";

const OVERLAY_STYLE: &str = "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:1.5rem;background:rgba(24,24,24,.97);color:#fff;font:14px/1.5 ui-monospace,monospace;text-align:left;box-sizing:border-box";

/// The overlay's `<pre>`, proof against the theme's own `pre` styles.
const PRE_STYLE: &str = "white-space:pre-wrap;margin:1em 0 0;padding:0;border:0;background:none;color:#ffd7d7;font:inherit;max-height:none;overflow:visible";

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

/// Adds serve-mode markup to an HTML page: `<base href="/">` at the start of `<head>` when
/// `base`; with `live`, the reload script (and the overlay when there is an error) before the
/// last `</body>`, or at the end when there is none.
pub fn inject(html: &[u8], base: bool, live: Option<Live<'_>>) -> Vec<u8> {
    let mut out = Vec::with_capacity(html.len() + 2048);
    let mut rest = html;
    if base {
        match super::markup::find_ci(html, b"<head", false)
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
    match super::markup::find_ci(rest, b"</body", true) {
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
pub(super) fn events(app: &App) -> impl IntoResponse + use<> {
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
}
