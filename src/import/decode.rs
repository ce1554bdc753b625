//! Which documents `import` reads, and text files read as their authors saved them: UTF-8
//! (with or without a byte-order mark), UTF-16 with a byte-order mark, and the legacy Chinese
//! encodings of older Windows (GBK, read as its superset GB18030), detected with `chardetng`
//! and decoded with `encoding_rs`. The file is read in chunks and handed on line by line, so
//! memory stays bounded however long it is. What is not an outline — an old Word or WPS file,
//! a PDF, binary data under a text name — is refused with a message that says what to do.
//!
//! In a Markdown file (`.md`, `.markdown`) an ATX heading line (`# …` to `###### …`) is a
//! heading of that level, its `#` marks not text; everything else is read as plain text.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use encoding_rs::{Decoder, DecoderResult, Encoding};

use super::{Block, BlockKind, Para, Source};

/// How much is read at a time.
const CHUNK: usize = 64 * 1024;
/// The longest line accepted (a longer one means the file is not an outline).
const MAX_LINE: usize = 1024 * 1024;

/// A text file read in chunks and decoded as it goes.
pub struct TextSource {
    path: PathBuf,
    file: File,
    decoder: Decoder,
    encoding: String,
    /// Decoded text not yet handed on (at most a chunk and the start of a line).
    pending: String,
    /// Bytes read but not yet decoded (the first chunk, once sniffed).
    raw: Vec<u8>,
    line: usize,
    eof: bool,
    /// A Markdown file: `#` headings are headings.
    markdown: bool,
}

impl TextSource {
    pub fn open(path: &Path) -> Result<TextSource> {
        let shown = path.display();
        let mut file = File::open(path).with_context(|| format!("cannot open `{shown}`"))?;
        let mut first = vec![0; CHUNK];
        let n =
            read_full(&mut file, &mut first).with_context(|| format!("cannot read `{shown}`"))?;
        first.truncate(n);
        if first.iter().all(|b| b.is_ascii_whitespace()) {
            bail!("`{shown}` is empty: there is no outline to import");
        }
        let (encoding, bom) = sniff(path, &first, n < CHUNK)?;
        let label = match (encoding.name(), bom) {
            ("UTF-8", true) => "UTF-8 with BOM".to_string(),
            ("gb18030", _) => "GB18030".to_string(),
            (name, _) => name.to_string(),
        };
        Ok(TextSource {
            path: path.to_path_buf(),
            file,
            decoder: encoding.new_decoder_with_bom_removal(),
            encoding: label,
            pending: String::new(),
            raw: first,
            line: 0,
            eof: false,
            markdown: path.extension().is_some_and(|e| {
                let e = e.to_string_lossy().to_lowercase();
                e == "md" || e == "markdown"
            }),
        })
    }

    /// Decodes the next chunk into `pending`; false at the end of the file.
    fn fill(&mut self) -> Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.raw.is_empty() {
            self.raw.resize(CHUNK, 0);
            let n = read_full(&mut self.file, &mut self.raw)
                .with_context(|| format!("cannot read `{}`", self.path.display()))?;
            self.raw.truncate(n);
        }
        let last = self.raw.len() < CHUNK;
        let need = self
            .decoder
            .max_utf8_buffer_length_without_replacement(self.raw.len())
            .unwrap_or(self.raw.len() * 3 + 16);
        self.pending.reserve(need);
        let (result, read) =
            self.decoder
                .decode_to_string_without_replacement(&self.raw, &mut self.pending, last);
        if let DecoderResult::Malformed(..) = result {
            let line = self.line + self.pending.matches('\n').count() + 1;
            bail!(
                "`{}`:{line} is not valid {} text, though the file begins as {0}: save the file again as UTF-8 (or as .docx) and import it again",
                self.path.display(),
                self.encoding
            );
        }
        self.raw.drain(..read);
        if last && self.raw.is_empty() {
            self.eof = true;
        }
        Ok(true)
    }
}

impl Source for TextSource {
    fn next_block(&mut self) -> Result<Option<Block>> {
        loop {
            if let Some(nl) = self.pending.find('\n') {
                self.line += 1;
                let line: String = self.pending.drain(..=nl).collect();
                let text = line.trim_end_matches(['\n', '\r']);
                if text.trim().is_empty() {
                    continue;
                }
                return Ok(Some(block(self.line, text, self.markdown)));
            }
            if self.pending.len() > MAX_LINE {
                bail!(
                    "`{}`:{} is a line longer than 1 MiB: is this an outline? Save the document as .txt with one paragraph a line, or as .docx",
                    self.path.display(),
                    self.line + 1
                );
            }
            if !self.fill()? {
                if self.pending.trim().is_empty() {
                    return Ok(None);
                }
                self.line += 1;
                let rest = std::mem::take(&mut self.pending);
                return Ok(Some(block(
                    self.line,
                    rest.trim_end_matches('\r'),
                    self.markdown,
                )));
            }
        }
    }

    fn images(&self) -> usize {
        0
    }

    fn encoding(&self) -> String {
        self.encoding.clone()
    }
}

fn block(line: usize, text: &str, markdown: bool) -> Block {
    if markdown && let Some((level, rest)) = atx_heading(text) {
        let mut para = Para::plain(rest);
        para.heading = Some(level);
        return Block {
            line,
            kind: BlockKind::Para(para),
        };
    }
    Block {
        line,
        kind: BlockKind::Para(Para::plain(text)),
    }
}

/// `## 第一章　总则` → (2, `第一章　总则`): a Markdown ATX heading (closing `#`s dropped).
fn atx_heading(line: &str) -> Option<(u8, &str)> {
    let t = line.trim_start_matches(' ');
    let hashes = t.bytes().take_while(|b| *b == b'#').count();
    if !(1..=6).contains(&hashes) || line.len() - t.len() > 3 {
        return None;
    }
    let rest = &t[hashes..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let rest = rest.trim();
    let closed = rest.trim_end_matches('#');
    let rest = if closed.is_empty() || closed.ends_with([' ', '\t']) {
        closed.trim_end()
    } else {
        rest
    };
    (!rest.is_empty()).then_some((hashes as u8, rest))
}

/// Reads until `buf` is full or the file ends; the number of bytes read.
fn read_full(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// The encoding of a text file from its first bytes (and whether they start with a BOM), or
/// why it is not text.
fn sniff(path: &Path, first: &[u8], whole: bool) -> Result<(&'static Encoding, bool)> {
    let shown = path.display();
    if let Some((enc, _)) = Encoding::for_bom(first) {
        return Ok((enc, true));
    }
    if first.starts_with(b"%PDF") {
        bail!(
            "`{shown}` is a PDF, not a text file: import the Word (.docx) or text file it was made from"
        );
    }
    if first.starts_with(b"PK\x03\x04") {
        bail!(
            "`{shown}` is a zip archive (a .docx?), not a text file: if it is a Word document, name it .docx"
        );
    }
    if first.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        bail!(
            "`{shown}` is an old Word or WPS document (.doc, .wps), not a text file: open it in Word or WPS and save it as .docx"
        );
    }
    if let Some(at) = first.iter().position(|&b| b == 0) {
        bail!(
            "`{shown}` is not a text file: it holds binary data (a zero byte at byte {at}); import the outline as .txt or .docx"
        );
    }
    match std::str::from_utf8(first) {
        Ok(_) => return Ok((encoding_rs::UTF_8, false)),
        Err(e) if e.error_len().is_none() && !whole => return Ok((encoding_rs::UTF_8, false)),
        Err(_) => {}
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(first, whole);
    let guess = detector.guess(None, chardetng::Utf8Detection::Allow);
    // GB18030 is a superset of GBK (and of GB2312): it reads all three.
    let enc = if guess == encoding_rs::GBK {
        encoding_rs::GB18030
    } else {
        guess
    };
    Ok((enc, false))
}
