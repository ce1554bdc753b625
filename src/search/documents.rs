//! The documents of the index: a unit or a topic page, its title, sections and place.
//!
//! [`docs`] takes them from the model in index order (units, then topics: a document's number
//! is its place), [`doc_key`] names what each gives the search files (a build after an edit
//! compares them, [`super::delta`]), and [`chunk_starts`] cuts them into the runs shipped as
//! document chunks. A body's text may be parked outside memory while `build` renders the pages
//! ([`crate::markdown::spill`]); [`restore`] reads it back for the documents whose files are
//! made.

use rayon::prelude::*;

use crate::markdown::{Rendered, TextSection, TextSpill};
use crate::model::Site;

/// Target size of one document chunk, in bytes. A query's cost in the browser is the number
/// of script files it loads, not their bytes (see BENCHMARKS.md), and every file costs the
/// build an inode, so files are large.
pub(super) const CHUNK_TARGET: usize = 48 * 1024;

/// A document to index: a unit or a topic page.
pub(super) struct Doc<'a> {
    pub(super) title: &'a str,
    /// Index of the unit's topic; `None` for a topic page.
    pub(super) topic: Option<usize>,
    pub(super) path: &'a str,
    /// The body's sections; without their text while it is parked ([`Doc::restore`]).
    body: &'a [TextSection],
    rendered: &'a Rendered,
    /// The text of each section of `body`, read back from where it was parked.
    restored: Option<Vec<String>>,
    /// The key of the Markdown `body` was rendered from, when it came through a cache
    /// ([`crate::markdown::Rendered::source`]): the body is a function of it.
    pub(super) source: Option<&'a blake3::Hash>,
    /// The summary and tags from the front matter, as a last section with no heading and no
    /// anchor (a result found there links to the top of the page).
    about: Option<TextSection>,
}

/// A section of a document as indexed and shipped.
#[derive(Clone, Copy)]
pub(super) struct Section<'a> {
    pub(super) anchor: Option<&'a str>,
    pub(super) heading: &'a str,
    pub(super) text: &'a str,
}

impl<'a> Section<'a> {
    fn of(s: &'a TextSection) -> Section<'a> {
        Section {
            anchor: s.anchor.as_deref(),
            heading: &s.heading,
            text: &s.text,
        }
    }
}

impl Doc<'_> {
    /// The sections as indexed and shipped: the body's, then the summary and tags.
    pub(super) fn sections(&self) -> impl Iterator<Item = Section<'_>> {
        let body = self.body.iter().enumerate().map(|(i, s)| Section {
            text: self.restored.as_ref().map_or(&s.text[..], |t| &t[i]),
            ..Section::of(s)
        });
        body.chain(self.about.as_ref().map(Section::of))
    }

    /// Whether the body's text is still parked ([`Doc::restore`]).
    fn parked(&self) -> bool {
        self.restored.is_none() && self.rendered.parked.is_some()
    }

    /// The length in bytes of the sections' text, parked or not.
    pub(super) fn text_len(&self) -> usize {
        let about = self.about.as_ref().map_or(0, |s| s.text.len());
        match (self.parked(), &self.rendered.parked) {
            (true, Some(parked)) => parked.text_len() + about,
            _ => self.sections().map(|s| s.text.len()).sum(),
        }
    }

    /// Reads the body's parked text back from `spill` (`build` parks every body's text while
    /// it renders the pages, [`crate::markdown::spill`]); the text of a body that is not
    /// parked is where it was.
    fn restore(&mut self, spill: Option<&TextSpill>) -> anyhow::Result<()> {
        if self.parked() {
            let spill = spill.ok_or_else(|| {
                anyhow::anyhow!("a body's text is parked, and no spill was given")
            })?;
            self.restored = Some(spill.restored_texts(self.rendered)?);
        }
        Ok(())
    }
}

/// Restores the parked text ([`Doc::restore`]) of the documents `which` picks.
pub(super) fn restore(
    docs: &mut [Doc<'_>],
    which: impl Fn(usize) -> bool + Sync,
    spill: Option<&TextSpill>,
) -> anyhow::Result<()> {
    (docs.par_iter_mut().enumerate())
        .filter(|(i, d)| d.parked() && which(*i))
        .try_for_each(|(_, d)| d.restore(spill))
}

/// The section of a summary and tags: the summary, then the tags on a line of their own.
fn about(summary: &str, tags: &[String]) -> Option<TextSection> {
    let mut text = summary.trim().to_string();
    if !tags.is_empty() {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&tags.join("、"));
    }
    (!text.is_empty()).then(|| TextSection {
        anchor: None,
        heading: String::new(),
        text,
    })
}

/// The documents of `site` in index order: its units, then its topics.
pub(super) fn docs(site: &Site) -> Vec<Doc<'_>> {
    let units = site.units.iter().map(|u| Doc {
        title: &u.title,
        topic: Some(u.topic),
        path: &u.path,
        body: &u.body.sections,
        rendered: &u.body,
        restored: None,
        source: u.body.source.as_ref(),
        about: about(&u.summary, &u.tags),
    });
    let topics = site.topics.iter().map(|t| Doc {
        title: &t.title,
        topic: None,
        path: &t.path,
        body: &t.body.sections,
        rendered: &t.body,
        restored: None,
        source: t.body.source.as_ref(),
        about: about(&t.summary, &[]),
    });
    units.chain(topics).collect()
}

/// What one document gives the search files: title, topic, path and sections. A body that
/// came through a cache is taken by the key of its Markdown (rendering is a function of the
/// Markdown alone, as the Markdown cache's keys are, and a cache of another studysite binary is
/// never used): its text is not hashed again, and may be parked.
pub(super) fn doc_key(d: &Doc<'_>) -> blake3::Hash {
    let mut h = blake3::Hasher::new();
    put_field(&mut h, d.title);
    put_field(&mut h, d.path);
    h.update(&d.topic.map_or(u64::MAX, |t| t as u64).to_le_bytes());
    let sections: &mut dyn Iterator<Item = Section<'_>> = match d.source {
        Some(source) => {
            h.update(&[2]);
            h.update(source.as_bytes());
            &mut d.about.iter().map(Section::of)
        }
        None => &mut d.sections(),
    };
    for s in sections {
        match s.anchor {
            Some(a) => {
                h.update(&[1]);
                put_field(&mut h, a);
            }
            None => {
                h.update(&[0]);
            }
        }
        put_field(&mut h, s.heading);
        put_field(&mut h, s.text);
    }
    h.finalize()
}

/// A string into a key, length first, so that no two lists of strings hash alike.
fn put_field(h: &mut blake3::Hasher, s: &str) {
    h.update(&(s.len() as u64).to_le_bytes());
    h.update(s.as_bytes());
}

/// The document chunks: each a run of consecutive documents of about [`CHUNK_TARGET`] bytes.
/// Returns the first document of each chunk.
pub(super) fn chunk_starts(docs: &[Doc<'_>]) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut size = usize::MAX;
    for (i, d) in docs.iter().enumerate() {
        if size >= CHUNK_TARGET {
            starts.push(i);
            size = 0;
        }
        size += d.text_len()
            + d.sections()
                .map(|s| s.heading.len() + s.anchor.map_or(0, str::len) + 12)
                .sum::<usize>();
    }
    starts
}
