//! Finished pages by the hash of their inputs, for `serve --watch`: after an edit, only the
//! pages whose inputs changed are rendered again. The key is made from the very values the
//! template receives (the theme's fingerprint, what every page shares, and the page's own
//! [`PageInput`]), so no list of "what a page depends on" has to be kept by hand. See
//! [`crate::cache`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use super::page::PageKeys;
use crate::fs::Stamp;
use crate::search::IndexState;
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

/// The pages of the previous `build`, in its output folder, by page key (the same key as
/// [`PageCache`]'s): a page whose key is here, and whose file is still as that build left it
/// (its [`Stamp`]), is linked into the new output instead of rendered and written again. Kept
/// between runs as a pack (see [`crate::cache`]) of key → stamp and path, with one more entry:
/// what the previous build's search index was made from ([`IndexState`]; the search files are
/// pages here too). Nothing of a page's bytes is kept outside the output itself.
#[derive(Debug, Default)]
pub struct OutputPages {
    /// The output folder the previous build wrote.
    dir: PathBuf,
    prev: HashMap<blake3::Hash, (Stamp, String)>,
    /// The pages of this build: key and path.
    made: Mutex<Vec<(blake3::Hash, String)>>,
    /// What the previous build's search index was made from (its files are pages here).
    search: Option<IndexState>,
    /// This build's.
    search_made: Mutex<Option<IndexState>>,
}

impl OutputPages {
    const PACK_KIND: &str = "pages 2";

    /// The key of the pack's one entry that is not a page: the search index's state.
    fn search_key() -> blake3::Hash {
        blake3::hash(b"studysite: the search index's state")
    }

    /// The file name of the pack of output folder `dir`'s pages (one per output folder, so
    /// building one site into two folders in turn reuses pages in both).
    pub fn pack_name(dir: &Path) -> String {
        let h = blake3::hash(dir.as_os_str().as_encoded_bytes()).to_hex();
        format!("pages-{}.bin", &h[..16])
    }

    /// Reads the pack at `path` about output folder `dir`: no previous pages when it is
    /// missing, and the warning's text besides when it was discarded.
    pub fn load(dir: &Path, path: &Path) -> (OutputPages, Option<String>) {
        let mut prev = HashMap::new();
        let mut search = None;
        let r = crate::cache::read_pack(path, Self::PACK_KIND, |key, bytes| {
            let bad = || "an entry is damaged".to_string();
            if key == Self::search_key() {
                search = Some(IndexState::from_bytes(bytes).ok_or_else(bad)?);
                return Ok(());
            }
            let (stamp, page) = bytes.split_at_checked(Stamp::LEN).ok_or_else(bad)?;
            let stamp = Stamp::from_bytes(stamp).ok_or_else(bad)?;
            let page = std::str::from_utf8(page).map_err(|_| bad())?;
            prev.insert(key, (stamp, page.to_string()));
            Ok(())
        });
        let warning = match r {
            Ok(()) => None,
            Err(problem) => {
                prev.clear();
                search = None;
                match problem {
                    crate::cache::PackProblem::Missing => None,
                    crate::cache::PackProblem::Discarded(why) => Some(why),
                }
            }
        };
        let pages = OutputPages {
            dir: dir.to_path_buf(),
            prev,
            made: Mutex::default(),
            search,
            search_made: Mutex::default(),
        };
        (pages, warning)
    }

    /// The previous build's file of the page `key` at `path`, when it is still as written.
    pub fn reuse(&self, key: &blake3::Hash, path: &str) -> Option<PathBuf> {
        let (stamp, prev_path) = self.prev.get(key)?;
        let file = self.dir.join(prev_path);
        (prev_path == path && crate::fs::stamp(&file) == Some(*stamp)).then_some(file)
    }

    /// Notes that this build wrote (or linked) the page `key` at `path`.
    pub fn record(&self, key: blake3::Hash, path: &str) {
        let mut made = self.made.lock().unwrap_or_else(|e| e.into_inner());
        made.push((key, path.to_string()));
    }

    /// What the previous build's search index was made from.
    pub fn search_state(&self) -> Option<&IndexState> {
        self.search.as_ref()
    }

    /// Notes what this build's search index was made from.
    pub fn record_search(&self, state: IndexState) {
        *self.search_made.lock().unwrap_or_else(|e| e.into_inner()) = Some(state);
    }

    /// Writes the pages this build made, as they now are in output folder `dir` (after the
    /// build was swapped in), and its search index's state, as a pack at `path`; returns its
    /// size.
    pub fn save(self, dir: &Path, path: &Path, limit: u64) -> anyhow::Result<u64> {
        let mut made = self.made.into_inner().unwrap_or_else(|e| e.into_inner());
        made.sort_unstable_by(|a, b| a.1.cmp(&b.1));
        let search = (self.search_made.into_inner())
            .unwrap_or_else(|e| e.into_inner())
            .map(|state| (Self::search_key(), state.to_bytes()));
        let pages = made.into_iter().filter_map(|(key, page)| {
            let stamp = crate::fs::stamp(&dir.join(&page))?;
            let mut bytes = stamp.to_bytes().to_vec();
            bytes.extend_from_slice(page.as_bytes());
            Some((key, bytes))
        });
        crate::cache::write_pack(
            path,
            Self::PACK_KIND,
            search.into_iter().chain(pages),
            limit,
        )
    }
}
