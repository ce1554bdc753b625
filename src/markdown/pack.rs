//! The rendered Markdown `build` keeps between runs: two packs (see [`crate::cache`]) of
//! documents by the BLAKE3 of their Markdown.
//!
//! The *base* pack holds the documents of some earlier build; the *more* pack those rendered
//! since then. A build after an edit writes only the more pack (the edited bodies, a few
//! kilobytes) and leaves the base as it is: the base of a 10,000-unit site is ~190 MB, and
//! writing it again after every edit made a body edit cost half again as much as a title
//! edit (BENCHMARKS.md "build"). The base is written whole again, with only what the build
//! used, when a quarter of it is no longer used or the more pack has grown to a quarter of
//! what the build used; so neither holds more than a third beyond what the next build needs.
//! Each pack is checked whole when opened, then each document read and decoded only when a
//! body with its text is met, by the thread that meets it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use super::{Rendered, TextSection, TextSpill, TocEntry};
use crate::cache::{PackIndex, PackProblem};

/// The kind of [`super::RenderCache`] pack `build` keeps between runs (see [`crate::cache`]).
pub const PACK_KIND: &str = "markdown 1";

/// Where the two packs are.
#[derive(Debug, Clone)]
pub struct PackPaths {
    pub base: PathBuf,
    pub more: PathBuf,
}

impl PackPaths {
    pub const BASE: &str = "markdown.bin";
    pub const MORE: &str = "markdown-more.bin";

    /// The two packs in the cache folder `dir`.
    pub fn in_folder(dir: &Path) -> PackPaths {
        PackPaths {
            base: dir.join(Self::BASE),
            more: dir.join(Self::MORE),
        }
    }

    /// The names of the files `update` writes (or removes).
    pub fn written_by(update: PackUpdate) -> &'static [&'static str] {
        match update {
            PackUpdate::Nothing => &[],
            PackUpdate::More => &[Self::MORE],
            PackUpdate::Whole => &[Self::BASE, Self::MORE],
        }
    }
}

/// The rendered documents of earlier builds, from the two packs.
#[derive(Debug)]
pub struct MarkdownPack {
    base: Option<PackIndex>,
    more: Option<PackIndex>,
}

/// What a build writes of the documents it used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackUpdate {
    /// The packs hold what the next build needs: nothing.
    Nothing,
    /// The more pack: what the build used that the base does not hold.
    More,
    /// The base pack, with everything the build used; no more pack.
    Whole,
}

impl MarkdownPack {
    /// The packs at `paths`, either of which may be missing; `None` when there is neither.
    /// Each discarded pack gives its path and the warning's text.
    pub fn open(paths: &PackPaths) -> (Option<MarkdownPack>, Vec<(PathBuf, String)>) {
        let mut warnings = Vec::new();
        let mut open = |path: &Path| match PackIndex::open(path, PACK_KIND) {
            Ok(index) => Some(index),
            Err(PackProblem::Missing) => None,
            Err(PackProblem::Discarded(why)) => {
                warnings.push((path.to_path_buf(), why));
                None
            }
        };
        let (base, more) = (open(&paths.base), open(&paths.more));
        let pack = (base.is_some() || more.is_some()).then_some(MarkdownPack { base, more });
        (pack, warnings)
    }

    /// The document of `key`, from either pack.
    pub(super) fn take(&self, key: &blake3::Hash) -> Option<Rendered> {
        let bytes = [&self.base, &self.more]
            .into_iter()
            .flatten()
            .find_map(|index| index.get(key))?;
        postcard::from_bytes(&bytes).ok()
    }

    fn in_base(&self, key: &blake3::Hash) -> bool {
        self.base.as_ref().is_some_and(|b| b.contains(key))
    }
}

/// The documents a build used ([`super::RenderCache`]'s used entries), key and document.
pub type Used = [(blake3::Hash, Arc<Rendered>)];

/// What to write after a build that used the documents `used`, having started from `pack`
/// (see the module doc for the rule).
pub fn update(pack: Option<&MarkdownPack>, used: &Used) -> PackUpdate {
    let Some(pack) = pack else {
        return PackUpdate::Whole;
    };
    let Some(base) = &pack.base else {
        return PackUpdate::Whole;
    };
    let in_base = used.iter().filter(|(k, _)| base.contains(k)).count();
    let rest = used.len() - in_base;
    if in_base * 4 < base.len() * 3 || rest * 4 > used.len() {
        return PackUpdate::Whole;
    }
    let more_holds_rest = match &pack.more {
        Some(more) => {
            more.len() == rest && (used.iter()).all(|(k, _)| base.contains(k) || more.contains(k))
        }
        None => rest == 0,
    };
    match more_holds_rest {
        true => PackUpdate::Nothing,
        false => PackUpdate::More,
    }
}

/// Writes what `update` names of the documents this build used into the packs at `paths`,
/// the pack written within `limit` bytes; returns its size. A document whose text is parked is
/// written with its text, read back from `spill`.
pub fn save(
    used: &Used,
    pack: Option<&MarkdownPack>,
    update: PackUpdate,
    paths: &PackPaths,
    limit: u64,
    spill: Option<&TextSpill>,
) -> anyhow::Result<u64> {
    match update {
        PackUpdate::Nothing => Ok(0),
        PackUpdate::More => {
            let in_base = |k: &blake3::Hash| pack.is_some_and(|p| p.in_base(k));
            let rest: Vec<_> = (used.iter())
                .filter(|(k, _)| !in_base(k))
                .cloned()
                .collect();
            write(&rest, &paths.more, limit, spill)
        }
        PackUpdate::Whole => {
            let size = write(used, &paths.base, limit, spill)?;
            match std::fs::remove_file(&paths.more) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(anyhow::Error::from(e)
                    .context(format!("failed to remove `{}`", paths.more.display()))),
                _ => Ok(size),
            }
        }
    }
}

/// Writes `docs` as a pack at `path`, within `limit` bytes.
fn write(
    docs: &[(blake3::Hash, Arc<Rendered>)],
    path: &Path,
    limit: u64,
    spill: Option<&TextSpill>,
) -> anyhow::Result<u64> {
    use rayon::prelude::*;
    // Encoded on every core, a batch at a time (what is held at once), written in order.
    let entries = docs.chunks(256).flat_map(|batch| {
        (batch.par_iter())
            .filter_map(|(k, doc)| Some((*k, pack_bytes(doc, spill)?)))
            .collect::<Vec<_>>()
    });
    crate::cache::write_pack(path, PACK_KIND, entries, limit)
}

/// What the pack keeps of `doc`: all of it, its parked text read back from `spill`.
pub(super) fn pack_bytes(doc: &Rendered, spill: Option<&TextSpill>) -> Option<Vec<u8>> {
    /// [`Rendered`] as it is encoded, by reference (its fields in its order).
    #[derive(Serialize)]
    struct Whole<'a> {
        html: &'a str,
        toc: &'a [TocEntry],
        anchors: &'a [String],
        sections: &'a [TextSection],
        reading_units: usize,
        highlighted: bool,
    }
    let restored;
    let sections = match (&doc.parked, spill) {
        (None, _) => &doc.sections,
        (Some(_), Some(spill)) => {
            restored = spill.restored_sections(doc).ok()?;
            &restored
        }
        (Some(_), None) => return None,
    };
    let whole = Whole {
        html: &doc.html,
        toc: &doc.toc,
        anchors: &doc.anchors,
        sections,
        reading_units: doc.reading_units,
        highlighted: doc.highlighted,
    };
    postcard::to_allocvec(&whole).ok()
}

#[cfg(test)]
mod tests {
    use super::super::render;
    use super::*;

    #[test]
    fn the_pack_keeps_a_document_as_it_was_rendered_even_with_its_text_parked() {
        let md = "引言。\n\n## 第一节 {#one}\n\n一是**重点**。\n\n```rust\nfn a() {}\n```\n";
        let doc = render(md);
        let want = postcard::to_allocvec(&doc).unwrap();
        assert_eq!(pack_bytes(&doc, None).unwrap(), want);
        let spill = TextSpill::new().expect("a temporary file");
        let mut parked = render(md);
        spill.park(&mut parked);
        assert!(parked.parked.is_some());
        assert_eq!(pack_bytes(&parked, Some(&spill)).unwrap(), want);
        assert_eq!(pack_bytes(&parked, None), None, "no text, no entry");
    }
}
