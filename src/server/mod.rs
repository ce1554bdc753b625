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
//! The connection loop is hyper's HTTP/1 server driven directly (instead of `axum::serve`),
//! because that is where the header-read timeout is set.
//!
//! The parts, each using only those listed after it: [`listen`] (accepting connections and
//! the limits that keep one client from holding the server), [`router`] (one function that
//! routes every request, and the `Host` check), [`files`] (request paths to files,
//! conditional and range requests), [`live`] (live reload and the error overlay), [`app`]
//! (what every request is answered from: the limits, the host names, the common headers),
//! [`site`] (the built site in memory, each file's gzip, and what open pages are told),
//! [`collect`] (the plug for `serve --collect`), [`markup`] (finding tags in pages and adding
//! to them).

pub mod app;
pub mod collect;
pub mod files;
pub mod listen;
pub mod live;
pub mod markup;
pub mod router;
pub mod site;

pub use app::{HostNames, ServerConfig};
pub use files::{BadPath, resolve};
pub use listen::serve;
pub use live::{EVENTS_PATH, Live, OVERLAY_ID, inject};
pub use site::{LiveSite, OVERLAY_TITLE, SiteFiles, content_type};
