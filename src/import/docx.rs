//! Word documents (.docx, also as WPS saves them) read with `zip` and `quick-xml`: the body's
//! paragraphs in order; automatic list numbering rendered as the text Word shows (`第一，`,
//! `（一）`, `1.`, `1.2`), from `numbering.xml` as Word counts (below, [`Numbering`]),
//! including numbering that a paragraph style carries; bold runs; heading levels of paragraph
//! styles (from `styles.xml`, by name or outline level); tables as rows of cell texts; images
//! (the bytes of each, with its file extension); footnotes and endnotes (`footnotes.xml`,
//! `endnotes.xml`) as [`Note`] blocks after the paragraph that refers to them; text boxes
//! (`w:txbxContent`, of a drawing or of VML) as quotes at their anchor — of a drawing's
//! `mc:AlternateContent`, the first `mc:Choice` is read and the `mc:Fallback` (a second copy of
//! the same text) only when there is no choice.
//!
//! Not imported, and named in a warning so that nothing with text is dropped silently: page
//! headers and footers, comments, embedded objects (OLE), charts, SmartArt, embedded chunks
//! (`w:altChunk`), and a table of contents (a `TOC` field or `toc N` styles), which the site's
//! topics replace. Deleted text, moved-away text and field codes are not document text.

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::Read;
use std::path::Path;

use anyhow::{Result, anyhow, bail};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::outline::cn_numeral;
use super::verify::Reference;
use super::{Block, BlockKind, Image, Note, Para, Source, Span, note_mark};

/// A Word document, read whole (its XML is small beside what it holds) and handed on block by
/// block.
pub struct Docx {
    blocks: VecDeque<Block>,
    images: usize,
    warnings: Vec<String>,
    reference: Option<Reference>,
}

impl Source for Docx {
    fn next_block(&mut self) -> Result<Option<Block>> {
        Ok(self.blocks.pop_front())
    }
    fn images(&self) -> usize {
        self.images
    }
    fn encoding(&self) -> String {
        "Word".into()
    }
    fn warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }
    fn reference(&mut self) -> Result<Option<Reference>> {
        Ok(self.reference.take())
    }
}

type Archive = zip::ZipArchive<File>;

/// Reads a .docx, or says why it is not one.
pub fn read(path: &Path) -> Result<Docx> {
    let shown = path.display();
    let file = File::open(path).map_err(|e| anyhow!("cannot open `{shown}`: {e}"))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|_| {
        anyhow!(
            "`{shown}` is not a Word document: it is not a .docx (zip) file, or it is damaged; open it in Word or WPS and save it again as .docx"
        )
    })?;
    let Some(document) = entry(&mut zip, "word/document.xml")? else {
        bail!(
            "`{shown}` is a zip archive but not a Word document (it has no word/document.xml): save the outline as .docx in Word or WPS"
        );
    };
    let styles_xml = entry(&mut zip, "word/styles.xml")?;
    let styles = styles_xml.as_deref().map(Styles::parse).unwrap_or_default();
    let numbering = entry(&mut zip, "word/numbering.xml")?
        .map(|x| Numbering::parse(&x))
        .unwrap_or_default();
    let rels = entry(&mut zip, "word/_rels/document.xml.rels")?
        .map(|x| relationships(&x))
        .unwrap_or_default();
    let mut notes = HashMap::new();
    for (part, kind) in [("word/footnotes.xml", "f"), ("word/endnotes.xml", "e")] {
        if let Some(xml) = entry(&mut zip, part)? {
            read_notes(&xml, kind, &styles, &mut notes).map_err(|e| {
                anyhow!("`{shown}` is damaged: its notes ({part}) cannot be read: {e}")
            })?;
        }
    }
    let mut body = Body::new(styles, numbering, rels, &mut zip, notes);
    body.parse(&document).map_err(|e| {
        anyhow!("`{shown}` is damaged: its text (word/document.xml) cannot be read: {e}")
    })?;
    let mut warnings = Vec::new();
    let (image_count, blocks) = (body.image_count, std::mem::take(&mut body.blocks));
    body.warnings(&shown.to_string(), &mut warnings);
    furniture(&mut zip, &shown.to_string(), &mut warnings)?;
    let reference = Reference::of_docx(&mut zip, &document, styles_xml.as_deref())
        .map_err(|e| anyhow!("`{shown}` is damaged: {e}"))?;
    Ok(Docx {
        images: image_count,
        blocks,
        warnings,
        reference: Some(reference),
    })
}

/// The footnotes (`kind` `f`) or endnotes (`e`) of a document: each note's paragraphs, by
/// kind and id. The separators Word keeps among them (`w:type`) are not notes.
fn read_notes(
    xml: &str,
    kind: &str,
    styles: &Styles,
    out: &mut HashMap<String, Vec<Para>>,
) -> Result<()> {
    let mut zip_less = Body::without_archive(styles.clone());
    let mut reader = Reader::from_str(xml);
    let mut current: Option<String> = None;
    loop {
        match reader.read_event()? {
            Event::Start(e) if matches!(local(&e).as_str(), "footnote" | "endnote") => {
                current = attr(&e, "type")
                    .is_none_or(|t| t == "normal")
                    .then(|| attr(&e, "id").unwrap_or_default());
                if current.is_none() {
                    reader.read_to_end(e.name())?;
                }
            }
            Event::End(e) if matches!(e.local_name().as_ref(), "footnote" | "endnote") => {
                if let Some(id) = current.take() {
                    let paras = zip_less
                        .blocks
                        .drain(..)
                        .flat_map(|b| match b.kind {
                            BlockKind::Para(p) => vec![p],
                            BlockKind::Quote(ps) => ps,
                            BlockKind::Table(rows) => vec![Para::plain(
                                rows.iter().flatten().cloned().collect::<Vec<_>>().join(" "),
                            )],
                            _ => Vec::new(),
                        })
                        .collect();
                    out.insert(format!("{kind}{id}"), paras);
                }
            }
            Event::Eof => break,
            ev => {
                if current.is_some() {
                    zip_less.event(&mut reader, ev)?;
                }
            }
        }
    }
    Ok(())
}

/// Page furniture — headers, footers, comments — is not imported; what it says is named.
fn furniture(zip: &mut Archive, shown: &str, warnings: &mut Vec<String>) -> Result<()> {
    let mut names: Vec<String> = zip
        .file_names()
        .flatten()
        .map(String::from)
        .filter(|n| {
            let n = n.strip_prefix("word/").unwrap_or("");
            (n.starts_with("header") || n.starts_with("footer")) && n.ends_with(".xml")
        })
        .collect();
    names.sort_by_key(|n| (n.contains("footer"), n.clone()));
    let mut texts: Vec<String> = Vec::new();
    for name in &names {
        if let Some(xml) = entry(zip, name)? {
            for t in paragraph_texts(&xml) {
                if !texts.contains(&t) {
                    texts.push(t);
                }
            }
        }
    }
    if !texts.is_empty() {
        warnings.push(format!(
            "warning: {shown}: the page headers and footers (页眉、页脚) are not imported: {}",
            quoted_list(&texts)
        ));
    }
    if let Some(xml) = entry(zip, "word/comments.xml")? {
        let comments = xml.matches("<w:comment ").count();
        let texts = paragraph_texts(&xml);
        if !texts.is_empty() {
            warnings.push(format!(
                "warning: {shown}: {comments} comment{} (批注) {} not imported: {}",
                if comments == 1 { "" } else { "s" },
                if comments == 1 { "is" } else { "are" },
                quoted_list(&texts)
            ));
        }
    }
    Ok(())
}

/// `` `a`, `b`, `c` and 2 more ``, each cut at 30 characters.
fn quoted_list(texts: &[String]) -> String {
    let mut out: Vec<String> = texts
        .iter()
        .take(3)
        .map(|t| {
            let cut: String = t.chars().take(30).collect();
            if cut.len() < t.len() {
                format!("`{cut}…`")
            } else {
                format!("`{cut}`")
            }
        })
        .collect();
    if texts.len() > 3 {
        out.push(format!("and {} more", texts.len() - 3));
    }
    out.join(", ")
}

/// The `w:t` text of each non-blank paragraph of a part.
fn paragraph_texts(xml: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut reader = Reader::from_str(xml);
    let mut para = String::new();
    let mut in_t = false;
    while let Ok(ev) = reader.read_event() {
        match ev {
            Event::Start(e) if local(&e) == "t" => in_t = true,
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_t = false,
                "p" => {
                    let t = std::mem::take(&mut para).trim().to_string();
                    if !t.is_empty() {
                        out.push(t);
                    }
                }
                _ => {}
            },
            Event::Text(t) if in_t => para.push_str(&t),
            Event::GeneralRef(r) if in_t => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    para.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    para.push_str(s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// The text of one member of the archive, if it is there.
fn entry(zip: &mut Archive, name: &str) -> Result<Option<String>> {
    let mut f = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(anyhow!("cannot read {name} of the document: {e}")),
    };
    let mut s = String::new();
    f.read_to_string(&mut s)
        .map_err(|e| anyhow!("cannot read {name} of the document: {e}"))?;
    Ok(Some(s))
}

/// The value of attribute `name` (any prefix) of an element.
fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

fn local(e: &BytesStart) -> String {
    e.local_name().as_ref().to_string()
}

/// What `styles.xml` says of each paragraph style: its heading level (`heading N` / `标题 N`
/// by name, or an outline level), whether it is a table-of-contents style (`toc N`), the list
/// numbering it carries (`w:numPr`), and the style it is based on.
#[derive(Debug, Clone, Default)]
struct Styles {
    heading: HashMap<String, u8>,
    toc: std::collections::HashSet<String>,
    num: HashMap<String, (Option<String>, Option<u8>)>,
    based_on: HashMap<String, String>,
}

impl Styles {
    fn parse(xml: &str) -> Styles {
        let mut out = Styles::default();
        let mut reader = Reader::from_str(xml);
        let mut current: Option<String> = None;
        while let Ok(ev) = reader.read_event() {
            match ev {
                Event::Start(e) | Event::Empty(e) => {
                    let val = attr(&e, "val");
                    let Some(id) = current.clone() else {
                        if local(&e) == "style" {
                            current = attr(&e, "styleId");
                        }
                        continue;
                    };
                    match local(&e).as_str() {
                        "style" => current = attr(&e, "styleId"),
                        "name" => {
                            let lower = val.unwrap_or_default().to_lowercase();
                            let n = lower
                                .strip_prefix("heading")
                                .or_else(|| lower.strip_prefix("标题"))
                                .and_then(|r| r.trim().parse::<u8>().ok());
                            if let Some(n) = n {
                                out.heading.insert(id, n);
                            } else if lower
                                .strip_prefix("toc")
                                .or_else(|| lower.strip_prefix("目录"))
                                .is_some_and(|r| r.trim().parse::<u8>().is_ok())
                            {
                                out.toc.insert(id);
                            }
                        }
                        "outlineLvl" => {
                            if let Some(v) = val.and_then(|v| v.parse::<u8>().ok())
                                && v < 9
                            {
                                out.heading.entry(id).or_insert(v + 1);
                            }
                        }
                        "basedOn" => {
                            if let Some(v) = val {
                                out.based_on.insert(id, v);
                            }
                        }
                        "numId" => out.num.entry(id).or_default().0 = val,
                        "ilvl" => {
                            out.num.entry(id).or_default().1 = val.and_then(|v| v.parse().ok())
                        }
                        _ => {}
                    }
                }
                Event::End(e) if e.local_name().as_ref() == "style" => current = None,
                Event::Eof => break,
                _ => {}
            }
        }
        out
    }

    /// The list numbering of style `id` (or of the style it is based on): `(numId, ilvl)`.
    fn numbering(&self, id: &str) -> Option<(String, Option<u8>)> {
        let mut at = id;
        for _ in 0..10 {
            if let Some((num, ilvl)) = self.num.get(at)
                && let Some(num) = num
            {
                return Some((num.clone(), *ilvl));
            }
            at = self.based_on.get(at)?;
        }
        None
    }
}

/// Relationship ids → targets (images are named by these).
fn relationships(xml: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut reader = Reader::from_str(xml);
    while let Ok(ev) = reader.read_event() {
        match ev {
            Event::Start(e) | Event::Empty(e) if local(&e) == "Relationship" => {
                if let (Some(id), Some(t)) = (attr(&e, "Id"), attr(&e, "Target")) {
                    out.insert(id, t);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// One level of a list definition.
#[derive(Debug, Clone, Default)]
struct Level {
    start: u32,
    format: String,
    text: String,
    /// What follows the number: `tab` (Word's default), `space` or `nothing`.
    suffix: String,
    /// `w:isLgl`: every level's number shown in Arabic digits (`1.1`, not `一.1`).
    legal: bool,
    /// The paragraph style this level belongs to (`w:pStyle`).
    style: Option<String>,
}

/// One `w:num`: the abstract list it instantiates, and its level overrides.
#[derive(Debug, Clone, Default)]
struct Num {
    abstract_id: String,
    /// `w:lvlOverride/w:startOverride` by level.
    start: HashMap<u8, u32>,
    /// `w:lvlOverride/w:lvl`: a level redefined for this num only.
    levels: HashMap<u8, Level>,
}

/// `numbering.xml`: list definitions, and the counters as the body is read.
///
/// Word's model, as Word and LibreOffice show it: paragraphs of every `w:num` that points to
/// the same abstract list count on together (a list continued), unless the num overrides a
/// level (`w:lvlOverride`, usually with `w:startOverride`): such a num is a list of its own,
/// counting from its override at its first paragraph (a list restarted). A paragraph at a
/// level resets the levels below it; `%1.%2` shows the counters of levels 1 and 2.
#[derive(Debug, Clone, Default)]
struct Numbering {
    abstracts: HashMap<String, HashMap<u8, Level>>,
    nums: HashMap<String, Num>,
    counters: HashMap<String, [Option<u32>; 9]>,
}

impl Numbering {
    fn parse(xml: &str) -> Numbering {
        let mut n = Numbering::default();
        let mut reader = Reader::from_str(xml);
        let (mut abs, mut num, mut lvl): (Option<String>, Option<String>, Option<u8>) =
            (None, None, None);
        let mut over: Option<u8> = None;
        while let Ok(ev) = reader.read_event() {
            let e = match ev {
                Event::Start(e) | Event::Empty(e) => e,
                Event::End(e) => {
                    match e.local_name().as_ref() {
                        "abstractNum" => abs = None,
                        "num" => num = None,
                        "lvlOverride" => over = None,
                        "lvl" => lvl = None,
                        _ => {}
                    }
                    continue;
                }
                Event::Eof => break,
                _ => continue,
            };
            let val = attr(&e, "val");
            let name = local(&e);
            match name.as_str() {
                "abstractNum" => abs = attr(&e, "abstractNumId"),
                "num" => {
                    num = attr(&e, "numId");
                    if let Some(id) = &num {
                        n.nums.insert(id.clone(), Num::default());
                    }
                }
                "abstractNumId" => {
                    if let (Some(id), Some(v)) = (&num, val) {
                        n.nums.entry(id.clone()).or_default().abstract_id = v;
                    }
                }
                "lvlOverride" => over = attr(&e, "ilvl").and_then(|v| v.parse().ok()),
                "startOverride" => {
                    if let (Some(id), Some(l), Some(v)) = (&num, over, val) {
                        n.nums
                            .entry(id.clone())
                            .or_default()
                            .start
                            .insert(l, v.parse().unwrap_or(1));
                    }
                }
                "lvl" => lvl = attr(&e, "ilvl").and_then(|v| v.parse().ok()).or(over),
                "start" | "numFmt" | "lvlText" | "suff" | "isLgl" | "pStyle" => {
                    let Some(l) = lvl else { continue };
                    let level = match (&num, &abs) {
                        (Some(id), _) => n
                            .nums
                            .entry(id.clone())
                            .or_default()
                            .levels
                            .entry(l)
                            .or_default(),
                        (None, Some(a)) => n
                            .abstracts
                            .entry(a.clone())
                            .or_default()
                            .entry(l)
                            .or_default(),
                        _ => continue,
                    };
                    let v = val.unwrap_or_default();
                    match name.as_str() {
                        "start" => level.start = v.parse().unwrap_or(1),
                        "numFmt" => level.format = v,
                        "lvlText" => level.text = v,
                        "suff" => level.suffix = v,
                        "isLgl" => level.legal = !matches!(v.as_str(), "0" | "false" | "off"),
                        _ => level.style = Some(v),
                    }
                }
                _ => {}
            }
        }
        n
    }

    /// The level of list `num_id` that belongs to paragraph style `style` (`w:pStyle` in the
    /// level), for numbering a style carries without naming the level.
    fn level_of_style(&self, num_id: &str, style: &str) -> Option<u8> {
        let num = self.nums.get(num_id)?;
        let levels = self.abstracts.get(&num.abstract_id)?;
        levels
            .iter()
            .find(|(_, l)| l.style.as_deref() == Some(style))
            .map(|(k, _)| *k)
    }

    /// The level definitions of a num: the abstract list's, with the num's own levels over them.
    fn levels(&self, num: &Num) -> HashMap<u8, Level> {
        let mut levels = self
            .abstracts
            .get(&num.abstract_id)
            .cloned()
            .unwrap_or_default();
        for (k, l) in &num.levels {
            levels.insert(*k, l.clone());
        }
        levels
    }

    /// The text Word shows before a paragraph of list `num_id` at level `ilvl`, with what
    /// follows it (a space for Word's tab or space, nothing for `nothing`).
    fn label(&mut self, num_id: &str, ilvl: u8) -> Option<String> {
        let num = self.nums.get(num_id)?.clone();
        let levels = self.levels(&num);
        let level = levels.get(&ilvl)?.clone();
        let own = !num.start.is_empty() || !num.levels.is_empty();
        let key = if own {
            format!("num {num_id}")
        } else {
            format!("abstract {}", num.abstract_id)
        };
        let start_of = |k: u8| -> u32 {
            num.start
                .get(&k)
                .copied()
                .or_else(|| levels.get(&k).map(|l| l.start))
                .unwrap_or(1)
        };
        let counters = self.counters.entry(key).or_insert([None; 9]);
        let i = usize::from(ilvl.min(8));
        counters[i] = Some(counters[i].map_or(start_of(ilvl), |c| c + 1));
        for c in counters.iter_mut().skip(i + 1) {
            *c = None;
        }
        if matches!(level.format.as_str(), "bullet" | "none") {
            return None;
        }
        let mut text = level.text.clone();
        for (k, c) in counters.iter().enumerate().take(i + 1) {
            let fmt = match levels.get(&(k as u8)) {
                _ if level.legal => "decimal",
                Some(l) => l.format.as_str(),
                None => "decimal",
            };
            text = text.replace(
                &format!("%{}", k + 1),
                &format_number(c.unwrap_or_else(|| start_of(k as u8)), fmt),
            );
        }
        if text.is_empty() {
            return None;
        }
        match level.suffix.as_str() {
            "nothing" => {}
            _ => text.push(' '),
        }
        Some(text)
    }
}

/// A list number in one of Word's formats.
fn format_number(n: u32, format: &str) -> String {
    match format {
        "chineseCounting"
        | "chineseCountingThousand"
        | "japaneseCounting"
        | "ideographDigital"
        | "taiwaneseCounting"
        | "taiwaneseCountingThousand"
        | "chineseLegalSimplified" => cn_numeral(n),
        "ideographTraditional" if (1..=10).contains(&n) => "甲乙丙丁戊己庚辛壬癸"
            .chars()
            .nth(n as usize - 1)
            .map_or(n.to_string(), String::from),
        "decimalFullWidth" | "decimalFullWidth2" => n
            .to_string()
            .chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap_or(c))
            .collect(),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => {
            char::from_u32(0x2460 + n - 1).map_or(n.to_string(), String::from)
        }
        "lowerLetter" | "upperLetter" => {
            let base = if format == "lowerLetter" { b'a' } else { b'A' };
            let c = (base + ((n.max(1) - 1) % 26) as u8) as char;
            c.to_string().repeat(((n.max(1) - 1) / 26 + 1) as usize)
        }
        "lowerRoman" | "upperRoman" => {
            let r = roman(n);
            if format == "lowerRoman" {
                r.to_lowercase()
            } else {
                r
            }
        }
        _ => n.to_string(),
    }
}

fn roman(mut n: u32) -> String {
    const R: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut s = String::new();
    for (v, r) in R {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

/// The paragraph being read.
#[derive(Default)]
struct ParaState {
    spans: Vec<Span>,
    style: Option<String>,
    num_id: Option<String>,
    ilvl: Option<u8>,
    bold: bool,
    in_text: bool,
    images: Vec<Image>,
    /// Text boxes anchored in this paragraph, each its paragraphs.
    boxes: Vec<Vec<Para>>,
    /// Part of a table of contents (a `TOC` field runs through it).
    toc: bool,
}

/// What a text box interrupts: the paragraph, cell and tables it is anchored in.
struct Saved {
    para: Option<ParaState>,
    cell: Option<String>,
    tables: Vec<Vec<Vec<String>>>,
}

/// A field being read (`w:fldChar` begin … end): its instruction so far.
struct Field {
    instr: String,
    toc: bool,
}

/// Subtrees that hold no document text (or a second copy of it).
const SKIPPED: &[&str] = &["delText", "del", "moveFrom"];

/// Elements whose text (if any) studysite cannot read, and what they are called in a warning.
const NOT_READ: &[(&str, &str)] = &[
    ("object", "an embedded object (OLE)"),
    ("chart", "a chart"),
    ("relIds", "a SmartArt diagram"),
    ("altChunk", "an embedded document (altChunk)"),
];

/// The body being read into blocks.
struct Body<'z> {
    styles: Styles,
    numbering: Numbering,
    rels: HashMap<String, String>,
    zip: Option<&'z mut Archive>,
    blocks: VecDeque<Block>,
    image_count: usize,
    para: Option<ParaState>,
    /// Open tables: rows of cells.
    tables: Vec<Vec<Vec<String>>>,
    cell: Option<String>,
    paragraphs: usize,
    /// The notes of the document by kind and id (`f2`: footnote 2), and how many were
    /// referred to so far.
    notes: HashMap<String, Vec<Para>>,
    notes_used: usize,
    /// Notes referred to in the block being read, written after it.
    pending_notes: Vec<Note>,
    /// Text boxes being read (nested in this order), each its paragraphs so far.
    boxes: Vec<(Saved, Vec<Para>)>,
    /// `mc:AlternateContent` open: has a choice been read?
    alternates: Vec<bool>,
    fields: Vec<Field>,
    /// Paragraphs of a table of contents skipped: (first paragraph's place, count).
    toc: Option<(usize, usize)>,
    /// Elements not read: (paragraph, what).
    not_read: Vec<(usize, &'static str)>,
}

impl<'z> Body<'z> {
    fn new(
        styles: Styles,
        numbering: Numbering,
        rels: HashMap<String, String>,
        zip: &'z mut Archive,
        notes: HashMap<String, Vec<Para>>,
    ) -> Body<'z> {
        let mut b = Body::without_archive(styles);
        b.numbering = numbering;
        b.rels = rels;
        b.zip = Some(zip);
        b.notes = notes;
        b
    }

    /// A reader of notes: no images, no numbering of its own.
    fn without_archive(styles: Styles) -> Body<'z> {
        Body {
            styles,
            numbering: Numbering::default(),
            rels: HashMap::new(),
            zip: None,
            blocks: VecDeque::new(),
            image_count: 0,
            para: None,
            tables: Vec::new(),
            cell: None,
            paragraphs: 0,
            notes: HashMap::new(),
            notes_used: 0,
            pending_notes: Vec::new(),
            boxes: Vec::new(),
            alternates: Vec::new(),
            fields: Vec::new(),
            toc: None,
            not_read: Vec::new(),
        }
    }

    fn parse(&mut self, xml: &str) -> Result<()> {
        let mut reader = Reader::from_str(xml);
        loop {
            let ev = reader.read_event()?;
            if matches!(ev, Event::Eof) {
                break;
            }
            self.event(&mut reader, ev)?;
        }
        Ok(())
    }

    fn event(&mut self, reader: &mut Reader<&[u8]>, ev: Event) -> Result<()> {
        match ev {
            Event::Start(e) => {
                let name = local(&e);
                if SKIPPED.contains(&name.as_str()) {
                    reader.read_to_end(e.name())?;
                    return Ok(());
                }
                match name.as_str() {
                    "AlternateContent" => self.alternates.push(false),
                    "Choice" | "Fallback" => {
                        if self.alternates.last().copied().unwrap_or(false) {
                            // A second copy of what was read.
                            reader.read_to_end(e.name())?;
                        } else if let Some(read) = self.alternates.last_mut() {
                            *read = true;
                        }
                        return Ok(());
                    }
                    "instrText" => {
                        let instr = reader.read_text(e.name())?;
                        if let Some(f) = self.fields.last_mut() {
                            f.instr.push_str(&instr);
                        }
                        return Ok(());
                    }
                    _ => {}
                }
                self.start(&name, &e)?;
            }
            Event::Empty(e) => {
                let name = local(&e);
                self.start(&name, &e)?;
                self.end(&name);
            }
            Event::End(e) => {
                if e.local_name().as_ref() == "AlternateContent" {
                    self.alternates.pop();
                }
                self.end(&local_end(&e));
            }
            Event::Text(t) => self.text(&t),
            Event::GeneralRef(r) => {
                let s = match r.resolve_char_ref()? {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&r)
                        .unwrap_or_default()
                        .to_string(),
                };
                self.text(&s);
            }
            Event::CData(t) => self.text(&t),
            _ => {}
        }
        Ok(())
    }

    fn text(&mut self, s: &str) {
        if let Some(p) = &mut self.para
            && p.in_text
        {
            let bold = p.bold;
            match p.spans.last_mut() {
                Some(last) if last.bold == bold => last.text.push_str(s),
                _ => p.spans.push(Span {
                    text: s.to_string(),
                    bold,
                }),
            }
        }
    }

    fn push_text(&mut self, s: &str) {
        if let Some(p) = &mut self.para {
            let was = p.in_text;
            p.in_text = true;
            self.text(s);
            if let Some(p) = &mut self.para {
                p.in_text = was;
            }
        }
    }

    fn start(&mut self, name: &str, e: &BytesStart) -> Result<()> {
        match name {
            "p" => {
                self.para = Some(ParaState {
                    toc: self.fields.iter().any(|f| f.toc),
                    ..ParaState::default()
                })
            }
            "pStyle" => {
                if let Some(p) = &mut self.para {
                    p.style = attr(e, "val");
                }
            }
            "numId" => {
                if let Some(p) = &mut self.para {
                    p.num_id = attr(e, "val");
                }
            }
            "ilvl" => {
                if let Some(p) = &mut self.para {
                    p.ilvl = attr(e, "val").and_then(|v| v.parse().ok());
                }
            }
            "r" => {
                if let Some(p) = &mut self.para {
                    p.bold = false;
                }
            }
            "b" => {
                if let Some(p) = &mut self.para {
                    p.bold = !matches!(attr(e, "val").as_deref(), Some("0" | "false" | "off"));
                }
            }
            "t" => {
                if let Some(p) = &mut self.para {
                    p.in_text = true;
                }
            }
            "tab" => {
                // `w:tab` in a run is a tab; in `w:tabs` (paragraph properties) a tab stop.
                if attr(e, "pos").is_none() {
                    self.push_text("\t");
                }
            }
            "br" | "cr" => self.push_text(" "),
            "blip" | "imagedata" => self.image(e)?,
            "tbl" => self.tables.push(Vec::new()),
            "tr" => {
                if let Some(t) = self.tables.last_mut() {
                    t.push(Vec::new());
                }
            }
            "tc" => self.cell = Some(String::new()),
            "footnoteReference" | "endnoteReference" => self.note_reference(name, e),
            "txbxContent" => {
                let saved = Saved {
                    para: self.para.take(),
                    cell: self.cell.take(),
                    tables: std::mem::take(&mut self.tables),
                };
                self.boxes.push((saved, Vec::new()));
            }
            "fldChar" => self.field_char(attr(e, "fldCharType").as_deref()),
            "fldSimple" if attr(e, "instr").is_some_and(|i| is_toc(&i)) => self.mark_toc(),
            "docPartGallery" if attr(e, "val").is_some_and(|v| v.contains("Table of Contents")) => {
                self.mark_toc()
            }
            _ => self.note_not_read(name),
        }
        Ok(())
    }

    /// An element that carries text and is not read (an embedded object, a chart): named in a
    /// warning with the paragraph it is in, once.
    fn note_not_read(&mut self, name: &str) {
        if let Some((_, what)) = NOT_READ.iter().find(|(n, _)| *n == name) {
            let at = self.paragraphs + 1;
            if !self.not_read.iter().any(|(p, w)| *p == at && w == what) {
                self.not_read.push((at, what));
            }
        }
    }

    /// The open paragraph belongs to a table of contents.
    fn mark_toc(&mut self) {
        if let Some(p) = &mut self.para {
            p.toc = true;
        }
    }

    /// A `w:fldChar` of type `kind`: a field begins, its instruction ends, or it ends.
    fn field_char(&mut self, kind: Option<&str>) {
        match kind {
            Some("begin") => self.fields.push(Field {
                instr: String::new(),
                toc: false,
            }),
            Some("separate") => {
                if let Some(f) = self.fields.last_mut() {
                    f.toc = is_toc(&f.instr);
                }
                if self.fields.iter().any(|f| f.toc) {
                    self.mark_toc();
                }
            }
            Some("end") => {
                self.fields.pop();
            }
            _ => {}
        }
    }

    /// `w:footnoteReference` / `w:endnoteReference`: the note's mark in the text, the note
    /// itself after the block.
    fn note_reference(&mut self, name: &str, e: &BytesStart) {
        let kind = if name.starts_with("foot") { "f" } else { "e" };
        let key = format!("{kind}{}", attr(e, "id").unwrap_or_default());
        let Some(paras) = self.notes.get(&key).cloned() else {
            return;
        };
        let index = self.notes_used;
        self.notes_used += 1;
        match note_mark(index) {
            Some(mark) => {
                self.push_text(&mark.to_string());
                self.pending_notes.push(Note { index, paras });
            }
            None => {
                // Beyond the marks: the note's text as a quote after its paragraph.
                if let Some(p) = &mut self.para {
                    p.boxes.push(paras);
                }
            }
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "t" => {
                if let Some(p) = &mut self.para {
                    p.in_text = false;
                }
            }
            "rPr" | "r" => {}
            "p" => self.end_paragraph(),
            "tc" => {
                let cell = self.cell.take().unwrap_or_default();
                if let Some(row) = self.tables.last_mut().and_then(|t| t.last_mut()) {
                    row.push(cell);
                }
            }
            "tbl" => {
                if let Some(rows) = self.tables.pop() {
                    let joined = || rows.iter().flatten().cloned().collect::<Vec<_>>().join(" ");
                    if let Some(cell) = &mut self.cell {
                        // A table inside a cell: its text joins the cell's.
                        cell.push_str(&joined());
                    } else if let Some((_, paras)) = self.boxes.last_mut() {
                        paras.push(Para::plain(joined()));
                    } else if rows.iter().flatten().any(|c| !c.trim().is_empty()) {
                        self.paragraphs += 1;
                        self.blocks.push_back(Block {
                            line: self.paragraphs,
                            kind: BlockKind::Table(rows),
                        });
                        self.flush_notes();
                    }
                }
            }
            "txbxContent" => {
                if let Some((saved, paras)) = self.boxes.pop() {
                    self.para = saved.para;
                    self.cell = saved.cell;
                    self.tables = saved.tables;
                    if paras.iter().any(|p| !p.text().trim().is_empty()) {
                        match &mut self.para {
                            Some(p) => p.boxes.push(paras),
                            None => self.boxes_out(vec![paras]),
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// The notes referred to in the block just written, after it.
    fn flush_notes(&mut self) {
        if !self.boxes.is_empty() || self.cell.is_some() {
            return;
        }
        let line = self.paragraphs.max(1);
        for note in self.pending_notes.drain(..) {
            self.blocks.push_back(Block {
                line,
                kind: BlockKind::Note(note),
            });
        }
    }

    /// Text boxes at their anchor: in a cell their text joins the cell's, in a text box its
    /// paragraphs, elsewhere each a quote.
    fn boxes_out(&mut self, boxes: Vec<Vec<Para>>) {
        for paras in boxes {
            if let Some(cell) = &mut self.cell {
                for p in &paras {
                    if !cell.is_empty() {
                        cell.push(' ');
                    }
                    cell.push_str(&p.text());
                }
            } else if let Some((_, outer)) = self.boxes.last_mut() {
                outer.extend(paras);
            } else {
                self.paragraphs += 1;
                self.blocks.push_back(Block {
                    line: self.paragraphs,
                    kind: BlockKind::Quote(paras),
                });
            }
        }
    }

    fn end_paragraph(&mut self) {
        let Some(mut p) = self.para.take() else {
            return;
        };
        let toc = p.toc
            || p.style
                .as_ref()
                .is_some_and(|s| self.styles.toc.contains(s));
        if toc && self.boxes.is_empty() && self.cell.is_none() {
            // A line of a table of contents: the site's topics take its place.
            let first = self.toc.map_or(self.paragraphs + 1, |(f, _)| f);
            let count = self.toc.map_or(0, |(_, c)| c);
            let text = p.spans.iter().map(|s| s.text.as_str()).collect::<String>();
            self.toc = Some((first, count + usize::from(!text.trim().is_empty())));
            self.pending_notes.clear();
            return;
        }
        // The list numbering: the paragraph's own, else its style's (`w:numId` 0 is none).
        let style_num = p.style.as_ref().and_then(|s| self.styles.numbering(s));
        let numbered = match (&p.num_id, style_num) {
            (Some(n), _) if n == "0" => None,
            (Some(n), _) => Some((n.clone(), p.ilvl.unwrap_or(0))),
            (None, Some((n, ilvl))) if n != "0" => {
                let level = p
                    .ilvl
                    .or(ilvl)
                    .or_else(|| {
                        p.style
                            .as_ref()
                            .and_then(|s| self.numbering.level_of_style(&n, s))
                    })
                    .unwrap_or(0);
                Some((n, level))
            }
            _ => None,
        };
        if let Some((num, ilvl)) = numbered
            && let Some(label) = self.numbering.label(&num, ilvl)
        {
            p.spans.insert(
                0,
                Span {
                    text: label,
                    bold: p.spans.first().is_some_and(|s| s.bold),
                },
            );
        }
        let text: String = p.spans.iter().map(|s| s.text.as_str()).collect();
        let boxes = std::mem::take(&mut p.boxes);
        if let Some(cell) = &mut self.cell {
            if !cell.is_empty() && !text.is_empty() {
                cell.push(' ');
            }
            cell.push_str(&text);
            self.boxes_out(boxes);
            return;
        }
        if let Some((_, paras)) = self.boxes.last_mut() {
            if !text.trim().is_empty() {
                paras.push(Para {
                    spans: p.spans,
                    heading: None,
                });
            }
            self.boxes_out(boxes);
            return;
        }
        if !text.trim().is_empty() {
            self.paragraphs += 1;
            let heading = p
                .style
                .as_ref()
                .and_then(|s| self.styles.heading.get(s))
                .copied();
            self.blocks.push_back(Block {
                line: self.paragraphs,
                kind: BlockKind::Para(Para {
                    spans: p.spans,
                    heading,
                }),
            });
        }
        for image in p.images {
            self.blocks.push_back(Block {
                line: self.paragraphs.max(1),
                kind: BlockKind::Image(image),
            });
        }
        self.flush_notes();
        self.boxes_out(boxes);
    }

    /// An image of a drawing (`a:blip r:embed`) or of VML (`v:imagedata r:id`).
    fn image(&mut self, e: &BytesStart) -> Result<()> {
        let Some(id) = attr(e, "embed").or_else(|| attr(e, "id")) else {
            return Ok(());
        };
        let Some(target) = self.rels.get(&id) else {
            return Ok(());
        };
        let name = match target.strip_prefix('/') {
            Some(abs) => abs.to_string(),
            None => format!("word/{target}"),
        };
        let Some(zip) = self.zip.as_mut() else {
            return Ok(());
        };
        let mut bytes = Vec::new();
        match zip.by_name(&name) {
            Ok(mut f) => {
                f.read_to_end(&mut bytes)
                    .map_err(|e| anyhow!("cannot read the image {name}: {e}"))?;
            }
            Err(_) => return Ok(()),
        }
        let ext = Path::new(&name)
            .extension()
            .map(|x| x.to_string_lossy().to_lowercase())
            .unwrap_or_else(|| "png".into());
        self.image_count += 1;
        if let Some(p) = &mut self.para {
            p.images.push(Image { ext, bytes });
        }
        Ok(())
    }

    /// What was seen and not imported, each a warning line.
    fn warnings(&self, shown: &str, out: &mut Vec<String>) {
        if let Some((first, count)) = self.toc {
            out.push(format!(
                "note: {shown}, paragraph {first}: the table of contents (目录, {count} line{}) is not imported: the site's topics take its place",
                if count == 1 { "" } else { "s" }
            ));
        }
        for (at, what) in &self.not_read {
            out.push(format!(
                "warning: {shown}, paragraph {at}: {what} is not imported; if it holds text the site needs, put that text into the document as text"
            ));
        }
    }
}

/// The local name of an end tag.
fn local_end(e: &quick_xml::events::BytesEnd) -> String {
    e.local_name().as_ref().to_string()
}

/// Is a field instruction a table of contents (`TOC \o "1-3" \h`)?
fn is_toc(instr: &str) -> bool {
    instr.split_whitespace().next() == Some("TOC")
}
