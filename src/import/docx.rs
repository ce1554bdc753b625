//! Word documents (.docx, also as WPS saves them) read with `zip` and `quick-xml`: the body's
//! paragraphs in order; automatic list numbering rendered as the text Word shows (`第一，`,
//! `（一）`, `1.`), from `numbering.xml`; bold runs; heading levels of paragraph styles (from
//! `styles.xml`, by name or outline level); tables as rows of cell texts; images (the bytes
//! of each, with its file extension). Deleted text, field codes, text boxes and the fallback
//! copies of drawings are not document text and are skipped.

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::Read;
use std::path::Path;

use anyhow::{Result, anyhow, bail};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::outline::cn_numeral;
use super::{Block, BlockKind, Image, Para, Source, Span};

/// A Word document, read whole (its XML is small beside what it holds) and handed on block by
/// block.
pub struct Docx {
    blocks: VecDeque<Block>,
    images: usize,
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
    let styles = entry(&mut zip, "word/styles.xml")?
        .map(|x| heading_styles(&x))
        .unwrap_or_default();
    let numbering = entry(&mut zip, "word/numbering.xml")?
        .map(|x| Numbering::parse(&x))
        .unwrap_or_default();
    let rels = entry(&mut zip, "word/_rels/document.xml.rels")?
        .map(|x| relationships(&x))
        .unwrap_or_default();
    let mut body = Body {
        styles,
        numbering,
        rels,
        zip: &mut zip,
        blocks: VecDeque::new(),
        image_count: 0,
        para: None,
        tables: Vec::new(),
        cell: None,
        paragraphs: 0,
    };
    body.parse(&document).map_err(|e| {
        anyhow!("`{shown}` is damaged: its text (word/document.xml) cannot be read: {e}")
    })?;
    Ok(Docx {
        images: body.image_count,
        blocks: body.blocks,
    })
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

/// Heading level of each paragraph style: `heading N` / `标题 N` by name, or an outline level.
fn heading_styles(xml: &str) -> HashMap<String, u8> {
    let mut out = HashMap::new();
    let mut reader = Reader::from_str(xml);
    let mut current: Option<String> = None;
    while let Ok(ev) = reader.read_event() {
        match ev {
            Event::Start(e) | Event::Empty(e) => match local(&e).as_str() {
                "style" => current = attr(&e, "styleId"),
                "name" => {
                    if let (Some(id), Some(name)) = (&current, attr(&e, "val")) {
                        let lower = name.to_lowercase();
                        let n = lower
                            .strip_prefix("heading")
                            .or_else(|| lower.strip_prefix("标题"))
                            .and_then(|r| r.trim().parse::<u8>().ok());
                        if let Some(n) = n {
                            out.insert(id.clone(), n);
                        }
                    }
                }
                "outlineLvl" => {
                    if let (Some(id), Some(v)) = (&current, attr(&e, "val"))
                        && let Ok(v) = v.parse::<u8>()
                        && v < 9
                    {
                        out.entry(id.clone()).or_insert(v + 1);
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    out
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
}

/// `numbering.xml`: list definitions, and the counters as the body is read.
#[derive(Debug, Default)]
struct Numbering {
    abstracts: HashMap<String, HashMap<u8, Level>>,
    nums: HashMap<String, String>,
    counters: HashMap<String, [Option<u32>; 9]>,
}

impl Numbering {
    fn parse(xml: &str) -> Numbering {
        let mut n = Numbering::default();
        let mut reader = Reader::from_str(xml);
        let (mut abs, mut num, mut lvl): (Option<String>, Option<String>, Option<u8>) =
            (None, None, None);
        while let Ok(ev) = reader.read_event() {
            let e = match ev {
                Event::Start(e) | Event::Empty(e) => e,
                Event::Eof => break,
                _ => continue,
            };
            let val = attr(&e, "val");
            match local(&e).as_str() {
                "abstractNum" => abs = attr(&e, "abstractNumId"),
                "num" => num = attr(&e, "numId"),
                "abstractNumId" => {
                    if let (Some(id), Some(v)) = (&num, val) {
                        n.nums.insert(id.clone(), v);
                    }
                }
                "lvl" => lvl = attr(&e, "ilvl").and_then(|v| v.parse().ok()),
                "start" | "numFmt" | "lvlText" => {
                    if let (Some(a), Some(l), Some(v)) = (&abs, lvl, val) {
                        let level = n
                            .abstracts
                            .entry(a.clone())
                            .or_default()
                            .entry(l)
                            .or_default();
                        match local(&e).as_str() {
                            "start" => level.start = v.parse().unwrap_or(1),
                            "numFmt" => level.format = v,
                            _ => level.text = v,
                        }
                    }
                }
                _ => {}
            }
        }
        n
    }

    /// The text Word shows before a paragraph of list `num_id` at level `ilvl`.
    fn label(&mut self, num_id: &str, ilvl: u8) -> Option<String> {
        let abs = self.nums.get(num_id)?.clone();
        let levels = self.abstracts.get(&abs)?;
        let level = levels.get(&ilvl)?.clone();
        let counters = self.counters.entry(abs.clone()).or_insert([None; 9]);
        let i = usize::from(ilvl.min(8));
        counters[i] = Some(counters[i].map_or(level.start.max(1), |c| c + 1));
        for c in counters.iter_mut().skip(i + 1) {
            *c = None;
        }
        if matches!(level.format.as_str(), "bullet" | "none") {
            return None;
        }
        let mut text = level.text.clone();
        for (k, c) in counters.iter().enumerate().take(i + 1) {
            let fmt = levels
                .get(&(k as u8))
                .map_or("decimal", |l| l.format.as_str());
            let start = levels.get(&(k as u8)).map_or(1, |l| l.start.max(1));
            text = text.replace(
                &format!("%{}", k + 1),
                &format_number(c.unwrap_or(start), fmt),
            );
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
        | "chineseLegalSimplified" => cn_numeral(n),
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
    ilvl: u8,
    bold: bool,
    in_text: bool,
    images: Vec<Image>,
}

/// The body being read into blocks.
struct Body<'z> {
    styles: HashMap<String, u8>,
    numbering: Numbering,
    rels: HashMap<String, String>,
    zip: &'z mut Archive,
    blocks: VecDeque<Block>,
    image_count: usize,
    para: Option<ParaState>,
    /// Open tables: rows of cells.
    tables: Vec<Vec<Vec<String>>>,
    cell: Option<String>,
    paragraphs: usize,
}

/// Subtrees that hold no document text (or a second copy of it).
const SKIPPED: &[&str] = &[
    "Fallback",
    "txbxContent",
    "delText",
    "instrText",
    "del",
    "footnoteReference",
];

impl<'z> Body<'z> {
    fn parse(&mut self, xml: &str) -> Result<()> {
        let mut reader = Reader::from_str(xml);
        loop {
            match reader.read_event()? {
                Event::Start(e) => {
                    let name = local(&e);
                    if SKIPPED.contains(&name.as_str()) {
                        reader.read_to_end(e.name())?;
                        continue;
                    }
                    self.start(&name, &e)?;
                }
                Event::Empty(e) => {
                    let name = local(&e);
                    self.start(&name, &e)?;
                    self.end(&name);
                }
                Event::End(e) => self.end(e.local_name().as_ref()),
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
                Event::Eof => break,
                _ => {}
            }
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
            "p" => self.para = Some(ParaState::default()),
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
                    p.ilvl = attr(e, "val").and_then(|v| v.parse().ok()).unwrap_or(0);
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
            "tab" => self.push_text("\t"),
            "br" | "cr" => self.push_text(" "),
            "blip" | "imagedata" => self.image(e)?,
            "tbl" => self.tables.push(Vec::new()),
            "tr" => {
                if let Some(t) = self.tables.last_mut() {
                    t.push(Vec::new());
                }
            }
            "tc" => self.cell = Some(String::new()),
            _ => {}
        }
        Ok(())
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
                    if let Some(cell) = &mut self.cell {
                        // A table inside a cell: its text joins the cell's.
                        cell.push_str(
                            &rows.iter().flatten().cloned().collect::<Vec<_>>().join(" "),
                        );
                    } else if rows.iter().flatten().any(|c| !c.trim().is_empty()) {
                        self.paragraphs += 1;
                        self.blocks.push_back(Block {
                            line: self.paragraphs,
                            kind: BlockKind::Table(rows),
                        });
                    }
                }
            }
            _ => {}
        }
    }

    fn end_paragraph(&mut self) {
        let Some(mut p) = self.para.take() else {
            return;
        };
        if let Some(num) = &p.num_id
            && let Some(label) = self.numbering.label(num, p.ilvl)
        {
            let sep = if label.ends_with(|c: char| c.is_ascii_punctuation()) {
                " "
            } else {
                ""
            };
            p.spans.insert(
                0,
                Span {
                    text: format!("{label}{sep}"),
                    bold: p.spans.first().is_some_and(|s| s.bold),
                },
            );
        }
        let text: String = p.spans.iter().map(|s| s.text.as_str()).collect();
        if let Some(cell) = &mut self.cell {
            if !cell.is_empty() && !text.is_empty() {
                cell.push(' ');
            }
            cell.push_str(&text);
            return;
        }
        if !text.trim().is_empty() {
            self.paragraphs += 1;
            let heading = p.style.as_ref().and_then(|s| self.styles.get(s)).copied();
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
        let mut bytes = Vec::new();
        match self.zip.by_name(&name) {
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
}
