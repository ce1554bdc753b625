//! The text of rendered documents, parked outside the process while a build renders its pages.
//!
//! A build holds every unit's HTML (for its page and its topic's print page) and every unit's
//! text by section (for the search index, made after the pages, and for the build cache's
//! pack). Nothing between the Markdown pass and the search index reads the text, only the
//! headings and anchors beside it; so `build` moves each document's text into an unnamed
//! temporary file the moment the document is rendered; the search index, made once the pages'
//! HTML is freed, reads back the text of what it makes files from, and the pack the text of
//! what it writes: the text and the HTML are never all in memory at once. At 10,000 units that is the ~75 MB
//! of text (BENCHMARKS.md "build"). The file lives in the kernel's page cache, which the
//! system may reclaim, and vanishes with the process however it ends.
//!
//! Only `build` parks (`serve --watch` keeps its documents in memory between rebuilds); when
//! no temporary file can be made or written, the text stays in memory as before.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::sync::Mutex;

use anyhow::{Context, Result};

use super::{Rendered, TextSection};

/// Where one document's text is in the spill: its offset, then each section's length in
/// bytes, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parked {
    at: u64,
    lens: Vec<u32>,
}

impl Parked {
    /// The length of the parked text, in bytes.
    pub fn text_len(&self) -> usize {
        self.lens.iter().map(|&l| l as usize).sum()
    }
}

/// The unnamed temporary file the text is parked in.
#[derive(Debug)]
pub struct TextSpill {
    /// The writer and where its next bytes go; `None` once a write failed (nothing more is
    /// parked, what was is still read back).
    writer: Mutex<Option<(BufWriter<File>, u64)>>,
    reader: File,
}

impl TextSpill {
    /// A new, empty spill; `None` when no temporary file can be made.
    pub fn new() -> Option<TextSpill> {
        let file = tempfile::tempfile().ok()?;
        let reader = file.try_clone().ok()?;
        Some(TextSpill {
            writer: Mutex::new(Some((BufWriter::with_capacity(256 * 1024, file), 0))),
            reader,
        })
    }

    /// Moves the text of `doc`'s sections into the spill (their headings and anchors stay).
    /// Leaves the text where it is when it cannot be written.
    pub fn park(&self, doc: &mut Rendered) {
        if doc.parked.is_some() || doc.sections.iter().all(|s| s.text.is_empty()) {
            return;
        }
        let Ok(lens) = (doc.sections.iter())
            .map(|s| u32::try_from(s.text.len()))
            .collect::<Result<Vec<u32>, _>>()
        else {
            return;
        };
        let mut guard = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let Some((out, end)) = guard.as_mut() else {
            return;
        };
        let at = *end;
        let written = doc.sections.iter().try_for_each(|s| {
            out.write_all(s.text.as_bytes())?;
            *end += s.text.len() as u64;
            Ok::<(), std::io::Error>(())
        });
        if written.is_err() {
            *guard = None;
            return;
        }
        drop(guard);
        for s in &mut doc.sections {
            s.text = String::new();
        }
        doc.parked = Some(Parked { at, lens });
    }

    /// `doc`'s sections with their text, leaving `doc` as it is.
    pub fn restored_sections(&self, doc: &Rendered) -> Result<Vec<TextSection>> {
        let mut sections = doc.sections.clone();
        if let Some(parked) = &doc.parked {
            self.fill(parked, &mut sections)?;
        }
        Ok(sections)
    }

    /// The parked text of each of `doc`'s sections (empty when it is not parked), leaving
    /// `doc` as it is.
    pub fn restored_texts(&self, doc: &Rendered) -> Result<Vec<String>> {
        let mut sections = vec![TextSection::default(); doc.sections.len()];
        if let Some(parked) = &doc.parked {
            self.fill(parked, &mut sections)?;
        }
        Ok(sections.into_iter().map(|s| s.text).collect())
    }

    fn fill(&self, parked: &Parked, sections: &mut [TextSection]) -> Result<()> {
        let total: usize = parked.lens.iter().map(|&l| l as usize).sum();
        let bytes = self.read(parked.at, total)?;
        let damaged =
            || anyhow::anyhow!("the search text read back from a temporary file is damaged");
        let mut rest = simdutf8::basic::from_utf8(&bytes).map_err(|_| damaged())?;
        for (s, &len) in sections.iter_mut().zip(&parked.lens) {
            let (text, after) = rest.split_at_checked(len as usize).ok_or_else(damaged)?;
            s.text = text.to_owned();
            rest = after;
        }
        Ok(())
    }

    fn read(&self, at: u64, len: usize) -> Result<Vec<u8>> {
        let failed = "failed to read the search text back from a temporary file";
        {
            let mut guard = self.writer.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((out, _)) = guard.as_mut() {
                out.flush().context(failed)?;
            }
        }
        let mut buf = vec![0; len];
        crate::fs::read_at(&self.reader, &mut buf, at).context(failed)?;
        Ok(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parked_text_comes_back_as_it_was_and_the_headings_stay() {
        let spill = TextSpill::new().expect("a temporary file");
        let md = "引言文字。\n\n## 第一节\n\n一是**重点**。\n\n## 第二节 {#two}\n\n```rust\nfn a() {}\n```\n";
        let mut docs = [super::super::render(md), super::super::render("## 空\n")];
        let want: Vec<_> = docs.iter().map(|d| d.sections.clone()).collect();
        for d in &mut docs {
            spill.park(d);
        }
        assert!(docs[0].parked.is_some());
        assert!(docs[0].sections.iter().all(|s| s.text.is_empty()));
        assert_eq!(docs[0].sections[1].heading, "第一节");
        assert_eq!(docs[0].sections[2].anchor.as_deref(), Some("two"));
        for (d, want) in docs.iter().zip(&want) {
            assert_eq!(&spill.restored_sections(d).unwrap(), want);
            let texts: Vec<&str> = want.iter().map(|s| &s.text[..]).collect();
            assert_eq!(spill.restored_texts(d).unwrap(), texts);
        }
    }
}
