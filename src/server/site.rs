//! The built site in memory, as the server and the rebuild thread share it: every file with
//! its type and ETag ([`SiteFiles`]), and the state open pages follow ([`LiveSite`]: the
//! current files, the standing error, the build generation, the notices).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use axum::body::Bytes;
use axum::http::HeaderValue;
use tokio::sync::broadcast;

use super::collect::{Collector, CollectorSlot};

/// The overlay's headline until the site's language table gives its own
/// (`serve_error_title`, passed in by `cmd::serve`).
pub const OVERLAY_TITLE: &str = "studysite serve: the last change did not build. The page shows the last good build; fix the problem and save.";

/// One file of the built site, ready to send.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) bytes: Bytes,
    /// Quoted strong ETag: blake3 of the bytes, computed on first use (hashing every file
    /// up front would add to each rebuild's save→reload time).
    pub(super) etag: OnceLock<String>,
    pub(super) content_type: HeaderValue,
    pub(super) html: bool,
    /// The gzip encoding and its ETag, made on first request by a browser that accepts it;
    /// `None` when the type is not text or compressing does not make it smaller.
    pub(super) gzip: OnceLock<Option<(Bytes, String)>>,
}

/// A quoted strong ETag for `bytes`.
pub(super) fn etag_of(bytes: &[u8]) -> String {
    format!("\"{}\"", &blake3::hash(bytes).to_hex()[..32])
}

impl Entry {
    /// A file of `content_type`, its ETag and gzip encoding made when first asked for.
    pub(super) fn new(bytes: Bytes, content_type: HeaderValue) -> Entry {
        let html = content_type.as_bytes().starts_with(b"text/html");
        Entry {
            bytes,
            etag: OnceLock::new(),
            content_type,
            html,
            gzip: OnceLock::new(),
        }
    }

    /// The gzip encoding of the file with its ETag (the identity's, marked), if it pays.
    pub(super) fn gzipped(&self) -> Option<&(Bytes, String)> {
        self.gzip
            .get_or_init(|| {
                let packed = gzip(&self.content_type, &self.bytes)?;
                Some((Bytes::from(packed), gzip_etag(self.etag())))
            })
            .as_ref()
    }

    pub(super) fn etag(&self) -> &str {
        self.etag.get_or_init(|| etag_of(&self.bytes))
    }
}

/// A built site in memory: output path (`a/b.html`, no leading `/`) → file.
#[derive(Debug, Default)]
pub struct SiteFiles {
    pub(super) entries: HashMap<String, Entry>,
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
                let ct = HeaderValue::from_str(&content_type(&path))
                    .unwrap_or(HeaderValue::from_static("application/octet-stream"));
                let entry = Entry::new(Bytes::from_owner(bytes), ct);
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
pub(super) enum Notice {
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
    pub(super) watch: bool,
    pub(super) notices: broadcast::Sender<Notice>,
    pub(super) collector: CollectorSlot,
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

    pub(super) fn overlay_title(&self) -> Arc<str> {
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

    pub(super) fn files(&self) -> Arc<SiteFiles> {
        self.files.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(super) fn error(&self) -> Option<Arc<str>> {
        self.error.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(super) fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }
}

/// Files smaller than this are sent as they are: the header costs more than gzip saves.
pub(super) const GZIP_MIN: usize = 512;

/// Is a file of this type text that gzip makes smaller (pages, styles, scripts, data)?
pub(super) fn compressible(content_type: &HeaderValue) -> bool {
    let ct = content_type.to_str().unwrap_or("");
    ct.starts_with("text/")
        || ["javascript", "json", "svg", "xml"]
            .iter()
            .any(|t| ct.contains(t))
}

/// `bytes` gzip-compressed, when `content_type` is text and the result is smaller.
pub(super) fn gzip(content_type: &HeaderValue, bytes: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    if !compressible(content_type) || bytes.len() < GZIP_MIN {
        return None;
    }
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    enc.write_all(bytes).ok()?;
    let packed = enc.finish().ok()?;
    (packed.len() < bytes.len()).then_some(packed)
}

/// The strong ETag of the gzip encoding of the file whose identity ETag is `etag`: another
/// representation, another tag (RFC 9110, 8.8.3).
pub(super) fn gzip_etag(etag: &str) -> String {
    format!("{}-gz\"", etag.trim_end_matches('"'))
}

#[cfg(test)]
mod tests {
    use super::*;

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
