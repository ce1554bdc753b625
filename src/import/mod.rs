//! `studysite import`: an outline — a Word document (.docx) or a text file — becomes the sources
//! of a study site, its text verbatim in original (原文) units.
//!
//! Data flows one way, one block (paragraph, table, image) at a time, so a long document never
//! sits in memory whole:
//!
//! ```text
//! decode (text files: encoding, lines)  ─┐
//! docx   (Word: paragraphs, numbering,  ─┴→ Block → outline (parts, tasks, articles) → Event
//!         bold, tables, images)                  → write (units into a staging folder)
//!                                                → verify (each unit re-read and compared)
//!                                                → write (conflicts, session, move into place)
//! ```
//!
//! This module sits with the inputs (layer 1): it reads a document and writes sources, and
//! re-reads what it wrote with [`crate::content`] and [`crate::markdown`], the same readers the
//! build uses. Nothing but `cmd` uses it.

pub mod decode;
pub mod document;
pub mod docx;
pub mod outline;
pub mod verify;
pub mod write;

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

/// What `studysite import` was asked to do, paths resolved.
#[derive(Debug, Clone)]
pub struct Options {
    /// The document, as the user named it (messages show it so).
    pub file: PathBuf,
    /// The site folder, absolute.
    pub into: PathBuf,
    /// The site folder as the user named it (for the next steps printed).
    pub into_shown: PathBuf,
    pub dry_run: bool,
}

/// One paragraph, table or image of the document, in order.
#[derive(Debug, Clone)]
pub struct Block {
    /// The line (text files) or paragraph (Word), from 1.
    pub line: usize,
    pub kind: BlockKind,
}

#[derive(Debug, Clone)]
pub enum BlockKind {
    Para(Para),
    /// Rows of cells, each cell's text.
    Table(Vec<Vec<String>>),
    Image(Image),
    /// A footnote or endnote, right after the block that refers to it: its number (the
    /// reference in the text is [`note_mark`] of it) and its paragraphs.
    Note(Note),
    /// A text box (or shape with text), at its anchor: its paragraphs, shown as a quote.
    Quote(Vec<Para>),
}

/// A footnote or endnote of a Word document.
#[derive(Debug, Clone)]
pub struct Note {
    /// From 0, in the order the document refers to its notes.
    pub index: usize,
    pub paras: Vec<Para>,
}

/// The first character of the marks of note references: a reference to note `i` is one
/// character, `NOTE_MARKS + i`, of Unicode's Supplementary Private Use Area-B (which no font
/// of Chinese documents uses), so it stays in place through every cut the outline makes and is
/// written as `[^i+1]`.
const NOTE_MARKS: u32 = 0x10_F000;
/// Notes beyond this many are written as quotes after their paragraph (no mark left).
pub const NOTE_MARKS_MAX: usize = 0xFFD;

/// The mark of a reference to note `index`, if there are marks left.
pub fn note_mark(index: usize) -> Option<char> {
    if index >= NOTE_MARKS_MAX {
        return None;
    }
    char::from_u32(NOTE_MARKS + index as u32)
}

/// The note a character marks, if it is a mark.
pub fn marked_note(c: char) -> Option<usize> {
    let v = c as u32;
    (NOTE_MARKS..NOTE_MARKS + NOTE_MARKS_MAX as u32)
        .contains(&v)
        .then(|| (v - NOTE_MARKS) as usize)
}

/// `s` without note marks (titles, front matter, what the verbatim check compares).
pub fn strip_marks(s: &str) -> String {
    s.chars().filter(|c| marked_note(*c).is_none()).collect()
}

/// A paragraph: its runs of text, and the heading level of its Word style, if any.
#[derive(Debug, Clone, Default)]
pub struct Para {
    pub spans: Vec<Span>,
    pub heading: Option<u8>,
}

/// A run of text, bold or not.
#[derive(Debug, Clone)]
pub struct Span {
    pub text: String,
    pub bold: bool,
}

/// An image of a Word document: its file extension and bytes.
#[derive(Debug, Clone)]
pub struct Image {
    pub ext: String,
    pub bytes: Vec<u8>,
}

impl Para {
    pub fn plain(text: impl Into<String>) -> Para {
        Para {
            spans: vec![Span {
                text: text.into(),
                bold: false,
            }],
            heading: None,
        }
    }

    pub fn text(&self) -> String {
        self.spans.iter().map(|s| s.text.as_str()).collect()
    }

    /// Is every non-blank character bold (a bold line, as office documents mark headings)?
    pub fn all_bold(&self) -> bool {
        let mut any = false;
        for s in &self.spans {
            if !s.text.trim().is_empty() {
                if !s.bold {
                    return false;
                }
                any = true;
            }
        }
        any
    }
}

impl Block {
    /// The block's text as the document has it (what must reach the original units).
    pub fn text(&self) -> String {
        match &self.kind {
            BlockKind::Para(p) => p.text(),
            BlockKind::Table(rows) => rows.iter().flatten().map(String::as_str).collect(),
            BlockKind::Image(_) => String::new(),
            BlockKind::Note(n) => n.paras.iter().map(Para::text).collect(),
            BlockKind::Quote(paras) => paras.iter().map(Para::text).collect(),
        }
    }
}

/// Where a block is, for messages: `a.txt:7` or `a.docx, paragraph 7`.
#[derive(Debug, Clone)]
pub struct Place {
    pub file: PathBuf,
    pub paragraphs: bool,
}

impl Place {
    pub fn at(&self, line: usize) -> String {
        if self.paragraphs {
            format!("{}, paragraph {line}", self.file.display())
        } else {
            format!("{}:{line}", self.file.display())
        }
    }
}

/// What a run did, for the summary line.
#[derive(Debug, Clone)]
pub struct Report {
    pub topics: usize,
    pub units: usize,
    pub characters: usize,
    pub encoding: String,
    pub warnings: Vec<String>,
    /// The structure found (`--dry-run` prints it).
    pub tree: String,
}

/// Imports `opts.file` into `opts.into` (or, with `dry_run`, only plans it).
pub fn run(opts: &Options) -> Result<Report> {
    let place = Place {
        file: opts.file.clone(),
        paragraphs: document::kind_of(&opts.file)? == document::Kind::Docx,
    };
    let mut source = open(&opts.file)?;
    let mut target = write::Target::prepare(opts)?;
    let mut recognizer = outline::Recognizer::new(place.clone());
    let mut hasher = verify::TextHash::default();
    let mut note_hasher = verify::TextHash::default();
    let mut writer = write::Writer::new(&mut target, place.clone());
    let mut blocks = 0usize;
    while let Some(block) = source.next_block()? {
        blocks += 1;
        match &block.kind {
            BlockKind::Note(_) => note_hasher.add(&block.text()),
            _ => hasher.add(&block.text()),
        }
        for event in recognizer.push(block) {
            writer.event(event)?;
        }
    }
    if blocks == 0 || hasher.chars() == 0 {
        let images = source.images();
        if images > 0 {
            bail!(
                "`{}` has no text, only {images} image{}: studysite imports an outline's text; if the pages are scanned, have them typed or recognised (OCR) into a .docx first",
                opts.file.display(),
                if images == 1 { "" } else { "s" }
            );
        }
        bail!(
            "`{}` holds no text: there is no outline to import",
            opts.file.display()
        );
    }
    for event in recognizer.finish() {
        writer.event(event)?;
    }
    let errors = recognizer.take_errors();
    if !errors.is_empty() {
        bail!("{}", errors.join("\nerror: "));
    }
    let mut warnings = recognizer.take_warnings();
    warnings.extend(source.warnings());
    let reference = source.reference()?;
    let site_title = strip_marks(&recognizer.site_title(&opts.file));
    let mut report = writer.finish(
        &site_title,
        [hasher, note_hasher],
        reference.as_ref(),
        source.encoding(),
    )?;
    warnings.append(&mut report.warnings);
    report.warnings = warnings;
    Ok(report)
}

/// The file name of `path` without its extension, for titles of last resort.
pub fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A document being read, block by block: what both readers — [`decode`] for text,
/// [`docx`] for Word — hand on, so the outline is recognised the same way from either.
pub trait Source {
    fn next_block(&mut self) -> Result<Option<Block>>;
    /// How many images the document had (a document of images only is refused).
    fn images(&self) -> usize;
    /// The encoding read (`UTF-8`, `GB18030`, … or `Word` for .docx).
    fn encoding(&self) -> String;
    /// What the reader saw and did not import (page furniture, embedded objects, a table of
    /// contents), each a whole line; asked once, after the last block.
    fn warnings(&mut self) -> Vec<String> {
        Vec::new()
    }
    /// The independent reference of the verbatim check ([`verify::Reference`]), for the
    /// formats that have one.
    fn reference(&mut self) -> Result<Option<verify::Reference>> {
        Ok(None)
    }
}

/// Opens a document of a kind [`document::kind_of`] accepts.
pub fn open(path: &Path) -> Result<Box<dyn Source>> {
    match document::kind_of(path)? {
        document::Kind::Docx => Ok(Box::new(docx::read(path)?)),
        document::Kind::Text => Ok(Box::new(decode::TextSource::open(path)?)),
    }
}
