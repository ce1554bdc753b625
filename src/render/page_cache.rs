//! Finished pages by the hash of their inputs, for `serve --watch`: after an edit, only the
//! pages whose inputs changed are rendered again. The key is made from the very values the
//! template receives (the theme's fingerprint, what every page shares, and the page's own
//! [`PageInput`]), so no list of "what a page depends on" has to be kept by hand. See
//! [`crate::cache`].

use std::sync::Arc;

use serde::Serialize;

use super::page::PageKeys;
use crate::view;

/// Finished pages by the hash of their inputs.
pub type PageCache = crate::cache::Cache<Arc<[u8]>>;

/// Everything one page is made from besides the theme and what every page shares.
#[derive(Serialize)]
pub struct PageInput<'a> {
    pub template: &'a str,
    pub common: &'a view::Common<'a>,
    /// The side navigation's units (what their `nav_unit.html` entries are rendered from; the
    /// theme fingerprint covers the template, `common.current_path` the current mark).
    pub nav_units: &'a [view::NavUnit<'a>],
    pub keys: &'a PageKeys<'a>,
}

/// BLAKE3 of `prefix` and `value` in postcard's encoding (compact, no escaping: a page's
/// HTML is hashed as it is); `None` if `value` does not encode (the page is then rendered).
pub fn hash_of<T: Serialize + ?Sized>(prefix: &[&[u8]], value: &T) -> Option<blake3::Hash> {
    let mut hasher = blake3::Hasher::new();
    for p in prefix {
        hasher.update(p);
    }
    let w = std::io::BufWriter::with_capacity(16 * 1024, hasher);
    let w = postcard::to_io(value, w).ok()?;
    Some(w.into_inner().ok()?.finalize())
}
