//! The verbatim check: every unit written is read back the way `build` reads it
//! ([`crate::content`] for the front matter, [`crate::markdown`] for the text) and its text,
//! whitespace aside, must equal the document's text that went into it; and the whole of what
//! was written must equal the whole document, in order (a hash of both, so a dropped paragraph
//! between units is caught too). A difference is a bug of the importer, reported with the file,
//! the position and the differing text, and nothing is moved into place.

use std::path::Path;

use anyhow::{Result, bail};

use crate::content::schema::UnitFrontMatter;

/// The text of a document or of what was written, whitespace left out, hashed as it goes.
#[derive(Default)]
pub struct TextHash {
    hasher: blake3::Hasher,
    chars: usize,
}

impl TextHash {
    pub fn add(&mut self, s: &str) {
        let mut buf = [0u8; 4];
        for c in s.chars().filter(|c| !c.is_whitespace()) {
            self.hasher.update(c.encode_utf8(&mut buf).as_bytes());
            self.chars += 1;
        }
    }

    /// Characters added (whitespace aside).
    pub fn chars(&self) -> usize {
        self.chars
    }

    pub fn same_as(&self, other: &TextHash) -> bool {
        self.chars == other.chars && self.hasher.finalize() == other.hasher.finalize()
    }
}

/// The text a unit's Markdown shows (headings and body, in order), as `build` renders it.
pub fn shown_text(markdown: &str) -> (String, usize) {
    let r = crate::markdown::render(markdown);
    let mut text = String::new();
    for s in &r.sections {
        text.push_str(&s.heading);
        text.push_str(&s.text);
    }
    (text, r.reading_units)
}

/// Reads `rel` back from `root` and compares its text with `expected`; adds what it read to
/// `written`. Returns the unit's reading units (for its minutes).
pub fn unit(
    root: &Path,
    rel: &Path,
    document: &Path,
    expected: &str,
    written: &mut TextHash,
) -> Result<usize> {
    let slug = rel
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let file = match crate::content::load_file::<UnitFrontMatter>(root, rel, slug, None) {
        Ok(f) => f,
        Err(d) => bail!(
            "the verbatim check cannot read back {}: {}; nothing was written (a bug of studysite import: please report it with the document)",
            rel.display(),
            d.first().map(|d| d.message.clone()).unwrap_or_default()
        ),
    };
    let (text, units) = shown_text(file.body());
    compare(&text, expected, rel, document)?;
    written.add(&text);
    Ok(units)
}

/// Fails with the first difference of two texts, whitespace aside.
pub fn compare(written: &str, expected: &str, rel: &Path, document: &Path) -> Result<()> {
    let a: Vec<char> = written.chars().filter(|c| !c.is_whitespace()).collect();
    let b: Vec<char> = expected.chars().filter(|c| !c.is_whitespace()).collect();
    if a == b {
        return Ok(());
    }
    let at = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let around = |v: &[char]| -> String {
        let s = at.saturating_sub(10);
        v[s..(at + 10).min(v.len())].iter().collect()
    };
    bail!(
        "the verbatim check failed: {} differs from `{}` at its character {}: the document has `{}`, the unit has `{}`; nothing was written (a bug of studysite import: please report it with the document)",
        rel.display(),
        document.display(),
        at + 1,
        around(&b),
        around(&a)
    )
}
