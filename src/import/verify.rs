//! The verbatim check: every unit written is read back the way `build` reads it
//! ([`crate::content`] for the front matter, [`crate::markdown`] for the text) and its text,
//! whitespace aside, must equal the document's text that went into it; and the whole of what
//! was written must equal the whole document, in order (a hash of both, so a dropped paragraph
//! between units is caught too). A difference is a bug of the importer, reported with the file,
//! the position and the differing text, and nothing is moved into place.
//!
//! Both checks compare with what the importer's own reader saw, so a blind spot of that reader
//! would pass them. A Word document is therefore also read a second, independent way
//! ([`Reference`]): every `w:t` of the parts that hold body text (`document.xml` with its text
//! boxes, `footnotes.xml`, `endnotes.xml`), paragraph by paragraph, with nothing of the
//! importer's reader — and each paragraph must be found in the text of the units written. What
//! is not found is reported with its part and paragraph, as an error. Page furniture (headers,
//! footers, comments) and a table of contents are not part of the reference: the reader names
//! them in warnings instead.

use std::collections::HashSet;
use std::io::Read as _;
use std::path::Path;

use anyhow::{Result, anyhow, bail};
use quick_xml::Reader;
use quick_xml::events::Event;

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
        for c in s
            .chars()
            .filter(|c| !c.is_whitespace() && super::marked_note(*c).is_none())
        {
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

/// Reads `rel` back from `root` and compares its text with `expected`. Returns the unit's
/// reading units (for its minutes) and the text it shows.
pub fn unit(root: &Path, rel: &Path, document: &Path, expected: &str) -> Result<(usize, String)> {
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
    Ok((units, text))
}

/// Fails with the first difference of two texts, whitespace aside.
pub fn compare(written: &str, expected: &str, rel: &Path, document: &Path) -> Result<()> {
    let keep = |c: &char| !c.is_whitespace() && super::marked_note(*c).is_none();
    let a: Vec<char> = written.chars().filter(keep).collect();
    let b: Vec<char> = expected.chars().filter(keep).collect();
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

/// One paragraph of the independent reference: where it is, and its text (whitespace aside).
#[derive(Debug, Clone)]
struct RefPara {
    part: &'static str,
    /// From 1, in the order the part's paragraphs begin.
    index: usize,
    text: String,
}

/// The independent reference of a Word document's text (see the module's header).
#[derive(Debug, Clone, Default)]
pub struct Reference {
    paras: Vec<RefPara>,
}

impl Reference {
    /// Reads the reference from the archive (`document` is `word/document.xml`, already read).
    pub fn of_docx<R: std::io::Read + std::io::Seek>(
        zip: &mut zip::ZipArchive<R>,
        document: &str,
        styles: Option<&str>,
    ) -> Result<Reference> {
        let toc_styles = styles.map(toc_styles).unwrap_or_default();
        let mut r = Reference::default();
        r.read_part("word/document.xml", document, &toc_styles)?;
        for part in ["word/footnotes.xml", "word/endnotes.xml"] {
            let mut xml = String::new();
            match zip.by_name(part) {
                Ok(mut f) => {
                    f.read_to_string(&mut xml)
                        .map_err(|e| anyhow!("cannot read {part}: {e}"))?;
                }
                Err(_) => continue,
            }
            r.read_part(part, &xml, &toc_styles)?;
        }
        Ok(r)
    }

    /// Every `w:t` of one part, by paragraph; deleted and moved-away text, the fallback copy
    /// of a drawing, notes that are separators, and a table of contents left out.
    fn read_part(
        &mut self,
        part: &'static str,
        xml: &str,
        toc_styles: &HashSet<String>,
    ) -> Result<()> {
        let mut reader = Reader::from_str(xml);
        let mut st = PartState::default();
        let first = self.paras.len();
        loop {
            let ev = reader
                .read_event()
                .map_err(|e| anyhow!("{part} cannot be read: {e}"))?;
            let empty = matches!(ev, Event::Empty(_));
            match ev {
                Event::Start(e) | Event::Empty(e) => {
                    let qname = e.name();
                    match qname.as_ref() {
                        "w:del" | "w:moveFrom" if !empty => {
                            reader.read_to_end(e.name())?;
                        }
                        "w:footnote" | "w:endnote"
                            if !empty && value(&e, "w:type").is_some_and(|t| t != "normal") =>
                        {
                            reader.read_to_end(e.name())?;
                        }
                        "mc:AlternateContent" if !empty => st.choice_read.push(false),
                        "mc:Choice" | "mc:Fallback" if !empty => {
                            if st.choice_read.last().copied().unwrap_or(false) {
                                reader.read_to_end(e.name())?;
                            } else if let Some(c) = st.choice_read.last_mut() {
                                *c = true;
                            }
                        }
                        "w:p" if !empty => {
                            st.count += 1;
                            self.paras.push(RefPara {
                                part,
                                index: st.count,
                                text: String::new(),
                            });
                            let toc = st.in_toc_field();
                            st.open.push((self.paras.len() - 1, String::new(), toc));
                        }
                        "w:pStyle" => {
                            let style = value(&e, "w:val");
                            if style.is_some_and(|s| toc_styles.contains(&s)) {
                                st.mark_toc();
                            }
                        }
                        "w:t" if !empty => st.in_t = true,
                        "w:instrText" if !empty => st.instr = true,
                        "w:fldChar" => st.field_char(value(&e, "w:fldCharType").as_deref()),
                        "w:fldSimple" | "w:docPartGallery" if names_a_toc(&e) => st.mark_toc(),
                        _ => {}
                    }
                }
                Event::End(e) => match e.name().as_ref() {
                    "w:t" => st.in_t = false,
                    "w:instrText" => st.instr = false,
                    "mc:AlternateContent" => {
                        st.choice_read.pop();
                    }
                    "w:p" => {
                        if let Some((slot, text, toc)) = st.open.pop() {
                            self.paras[slot].text = if toc { String::new() } else { text };
                        }
                    }
                    _ => {}
                },
                Event::Text(t) => st.text(&t),
                Event::GeneralRef(r) if st.in_t => {
                    if let Some(p) = st.open.last_mut() {
                        if let Ok(Some(c)) = r.resolve_char_ref() {
                            p.1.push(c);
                        } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                            p.1.push_str(s);
                        }
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        self.keep_paragraphs_with_text(first);
        Ok(())
    }

    /// Drops the paragraphs from `first` on that hold no text, keeping the others in order.
    fn keep_paragraphs_with_text(&mut self, first: usize) {
        let mut k = first;
        for i in first..self.paras.len() {
            if !self.paras[i].text.is_empty() {
                self.paras.swap(k, i);
                k += 1;
            }
        }
        self.paras.truncate(k);
    }

    /// Characters in the reference (whitespace aside).
    pub fn chars(&self) -> usize {
        self.paras.iter().map(|p| p.text.chars().count()).sum()
    }

    /// Each paragraph of the reference not found in `imported` (the text of every unit
    /// written, in order, whitespace and note marks aside), as an error line.
    pub fn missing(&self, imported: &str, document: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut cursor = std::collections::HashMap::<&str, usize>::new();
        for p in &self.paras {
            let at = cursor.entry(p.part).or_insert(0);
            if let Some(i) = imported[*at..].find(&p.text) {
                *at += i + p.text.len();
                continue;
            }
            if imported.contains(&p.text) {
                continue;
            }
            // The longest start of the paragraph that is there: the first character missing.
            let chars: Vec<char> = p.text.chars().collect();
            let (mut lo, mut hi) = (0, chars.len());
            while lo < hi {
                let mid = (lo + hi).div_ceil(2);
                let prefix: String = chars[..mid].iter().collect();
                if imported.contains(&prefix) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            let from = lo.saturating_sub(5);
            let around: String = chars[from..(lo + 15).min(chars.len())].iter().collect();
            out.push(format!(
                "{}, {} paragraph {}: the imported text lacks the document's text from its character {} (`{around}`); nothing was written (a bug of studysite import: please report it with the document)",
                document.display(),
                p.part,
                p.index,
                lo + 1
            ));
        }
        out
    }
}

/// The ids of the table-of-contents styles (`toc 1`, `目录 1`) of `styles.xml`.
fn toc_styles(xml: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut reader = Reader::from_str(xml);
    let mut id: Option<String> = None;
    while let Ok(ev) = reader.read_event() {
        match ev {
            Event::Start(e) | Event::Empty(e) => {
                let value = |key: &str| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == key)
                        .map(|a| a.value.to_string())
                };
                match e.name().as_ref() {
                    "w:style" => id = value("w:styleId"),
                    "w:name" => {
                        let name = value("w:val").unwrap_or_default().to_lowercase();
                        let toc = name
                            .strip_prefix("toc")
                            .or_else(|| name.strip_prefix("目录"))
                            .is_some_and(|r| r.trim().parse::<u8>().is_ok());
                        if toc && let Some(id) = &id {
                            out.insert(id.clone());
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// Where [`Reference::read_part`] is in one part.
#[derive(Default)]
struct PartState {
    /// Open paragraphs: (slot in `paras`, text, in a table of contents).
    open: Vec<(usize, String, bool)>,
    /// Inside a `w:t`; inside a `w:instrText`.
    in_t: bool,
    instr: bool,
    /// Paragraphs of the part so far.
    count: usize,
    /// For each open `mc:AlternateContent`: has one of its copies been read?
    choice_read: Vec<bool>,
    /// Fields open: (instruction, is a table of contents — known after the instruction).
    fields: Vec<(String, bool)>,
}

impl PartState {
    fn in_toc_field(&self) -> bool {
        self.fields.iter().any(|f| f.1)
    }

    /// The open paragraph belongs to a table of contents.
    fn mark_toc(&mut self) {
        if let Some(p) = self.open.last_mut() {
            p.2 = true;
        }
    }

    /// A `w:fldChar` of type `kind`: a field begins, its instruction ends, or it ends.
    fn field_char(&mut self, kind: Option<&str>) {
        match kind {
            Some("begin") => self.fields.push((String::new(), false)),
            Some("separate") => {
                if let Some(f) = self.fields.last_mut() {
                    f.1 = f.0.split_whitespace().next() == Some("TOC");
                }
                if self.in_toc_field() {
                    self.mark_toc();
                }
            }
            Some("end") => {
                self.fields.pop();
            }
            _ => {}
        }
    }

    /// Text: a run's (whitespace aside) or a field instruction's.
    fn text(&mut self, t: &str) {
        if self.in_t
            && let Some(p) = self.open.last_mut()
        {
            p.1.extend(t.chars().filter(|c| !c.is_whitespace()));
        } else if self.instr
            && let Some(f) = self.fields.last_mut()
        {
            f.0.push_str(t);
        }
    }
}

/// The value of attribute `key` (as written, prefix included) of an element.
fn value(e: &quick_xml::events::BytesStart, key: &str) -> Option<String> {
    (e.attributes().flatten())
        .find(|a| a.key.as_ref() == key)
        .map(|a| a.value.to_string())
}

/// A simple field or a building-block gallery that is a table of contents.
fn names_a_toc(e: &quick_xml::events::BytesStart) -> bool {
    e.attributes().flatten().any(|a| {
        let v = &a.value;
        (a.key.as_ref() == "w:instr" && v.split_whitespace().next() == Some("TOC"))
            || (a.key.as_ref() == "w:val" && v.contains("Table of Contents"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(xml: &str) -> Reference {
        let mut r = Reference::default();
        r.read_part("word/document.xml", xml, &HashSet::new())
            .unwrap();
        r
    }

    #[test]
    fn the_reference_reads_every_w_t_once_and_finds_what_is_missing() {
        let r = reference(
            r#"<w:document xmlns:w="w" xmlns:mc="mc"><w:body>
<w:p><w:r><w:t>第一段</w:t></w:r></w:p>
<w:p><w:r><w:t>锚定</w:t></w:r><w:r><mc:AlternateContent><mc:Choice><w:txbxContent><w:p><w:r><w:t>框内</w:t></w:r></w:p></w:txbxContent></mc:Choice><mc:Fallback><w:txbxContent><w:p><w:r><w:t>框内</w:t></w:r></w:p></w:txbxContent></mc:Fallback></mc:AlternateContent></w:r><w:del><w:r><w:delText>删</w:delText></w:r></w:del></w:p>
<w:p><w:r><w:t xml:space="preserve">第三 段 &amp; 尾</w:t></w:r></w:p>
</w:body></w:document>"#,
        );
        let texts: Vec<(usize, &str)> =
            r.paras.iter().map(|p| (p.index, p.text.as_str())).collect();
        assert_eq!(
            texts,
            [(1, "第一段"), (2, "锚定"), (3, "框内"), (4, "第三段&尾")]
        );
        assert!(
            r.missing("第一段锚定框内第三段&尾", Path::new("a.docx"))
                .is_empty()
        );
        // The box's text shown after its anchor's paragraph is found too.
        assert!(
            r.missing("第一段锚定第三段&尾框内", Path::new("a.docx"))
                .is_empty()
        );
        assert_eq!(
            r.missing("第一段锚定第三段&尾", Path::new("a.docx")),
            [
                "a.docx, word/document.xml paragraph 3: the imported text lacks the document's text from its character 1 (`框内`); nothing was written (a bug of studysite import: please report it with the document)"
            ]
        );
        assert_eq!(
            r.missing("第一段锚定框内第三段", Path::new("a.docx")),
            [
                "a.docx, word/document.xml paragraph 4: the imported text lacks the document's text from its character 4 (`第三段&尾`); nothing was written (a bug of studysite import: please report it with the document)"
            ]
        );
    }
}
