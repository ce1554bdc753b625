//! The structure of a Chinese official document, recognised block by block: the title block
//! before the first part, the parts (`第一，…`, `第一、…`, `一、…`, `第一部分 …`, `第一章 …`, or a
//! Word "Heading 1"), the tasks inside a part (`一是…`, also several in one paragraph,
//! `（一）…`, `1.`, `1、`, a "Heading 2"), labels that group tasks (`城市基层党建：一是…`), and the
//! structure of laws: 编, 分编, 章, 节, 条 and `第X条之一`, 附则 and 附件.
//!
//! Laws: without 编, each 章 is a topic (the common shape of a law or regulation). With 编 (刑法,
//! 民法典), each 编 is a topic and its 分编 and 章 are headings (`## 第一章　… {#chapter-N}`),
//! because 章 numbers restart in every 编 and the same chapter title (`一般规定`) comes back in
//! several 编, while 编 titles are unique; a topic per 编 also keeps the site's topics few. An
//! unnumbered `附则` line and `附件…` lines after the parts are topics of their own. Every 条 is a
//! heading with its own anchor (`article-120`, `article-120-1` for `第一百二十条之一`); no id is
//! given twice in a topic. A Word heading style is a hint: a numbered part line wins over it,
//! and the document's first line is its title even when styled Heading 1.
//!
//! The recogniser never changes text: it only cuts blocks into pieces (a task's heading up to
//! its first sentence end, the rest of the paragraph as text) and says what each piece is.

use std::collections::HashMap;
use std::path::Path;

use super::{Block, BlockKind, Para, Place, Span};

/// What a piece of the document is.
#[derive(Debug, Clone)]
pub enum Event {
    /// A block of the title block (before the first part).
    Intro(Block),
    /// A part begins: `label` is its number as the source line names it (`第二`), `title` the
    /// topic's title; `block` is the part's own line.
    Part {
        label: String,
        title: String,
        block: Block,
    },
    /// A heading: a task, a label that groups tasks, a section or an article.
    Heading {
        level: u8,
        text: String,
        id: String,
        /// The task's or article's number as written (`一是`, `（一）`, `第三条`).
        marker: Option<String>,
        /// May a long part be split into units before this heading?
        boundary: bool,
        line: usize,
    },
    /// Body text.
    Text(Block),
}

/// The kinds of part line, of which one document uses one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// `第一，` / `第一、`
    Di,
    /// `一、`
    Dun,
    /// `第一部分`
    Bufen,
    /// `第一章` (laws)
    Zhang,
    /// `第一编` (laws in 编: 章 are headings inside)
    Bian,
    /// A Word "Heading 1" without a number.
    Style,
}

/// A part line recognised: its family, number, label and topic title.
struct PartLine {
    family: Family,
    ordinal: u32,
    label: String,
    title: String,
    /// `附则`, `附件…`: a part without a number (not checked against the numbering).
    unnumbered: bool,
}

/// Title blocks longer than this are not title blocks: the document has no parts.
const TITLE_BLOCK_MAX_BLOCKS: usize = 60;
const TITLE_BLOCK_MAX_CHARS: usize = 20_000;
/// A part line is a short line (longer lines are text that happens to start with `第一，`).
const PART_LINE_MAX_CHARS: usize = 100;
/// A label that groups tasks (`城市基层党建：`) is at most this long.
const LABEL_MAX_CHARS: usize = 12;

pub const PATTERNS_LOOKED_FOR: &str = "`第一，…`, `第一、…`, `一、…`, `第一部分 …`, `第一章 …` or a Word heading at the start of a paragraph";

#[derive(Debug, Default)]
struct PartState {
    /// The next `X是` expected inside a paragraph.
    next_shi: u32,
    tasks: u32,
    groups: u32,
    sections: u32,
    /// Articles seen in this part: after one, `（一）` and `1.` are items of an article, not tasks.
    articles: u32,
    grouped: bool,
    /// Laws in 编: chapters and 分编 of this part, and sections since the last chapter.
    chapters: u32,
    subparts: u32,
    chapter_sections: u32,
    /// Heading ids given in this part (none twice).
    ids: std::collections::HashSet<String>,
}

/// The recogniser: feed it blocks in order, then [`Recognizer::finish`].
pub struct Recognizer {
    place: Place,
    title_block: Vec<Block>,
    title_chars: usize,
    /// `None` before the first part; `Some(None)` when the document has no parts.
    family: Option<Option<Family>>,
    last_ordinal: u32,
    last_label: String,
    titles: HashMap<String, (String, usize)>,
    part: PartState,
    site_title: Option<String>,
    warnings: Vec<String>,
    errors: Vec<String>,
}

impl Recognizer {
    pub fn new(place: Place) -> Recognizer {
        Recognizer {
            place,
            title_block: Vec::new(),
            title_chars: 0,
            family: None,
            last_ordinal: 0,
            last_label: String::new(),
            titles: HashMap::new(),
            part: PartState::default(),
            site_title: None,
            warnings: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// The events of one block.
    pub fn push(&mut self, block: Block) -> Vec<Event> {
        let mut out = Vec::new();
        if self.site_title.is_none() {
            let t = block.text().trim().to_string();
            if !t.is_empty() {
                self.site_title = Some(t);
            }
        }
        let fam = self.family.flatten();
        let part = match (&self.family, &block.kind) {
            (Some(None), _) => None,
            (_, BlockKind::Para(p)) => part_line(p, fam),
            _ => None,
        };
        // The document's first line is its title, even when styled Heading 1.
        let title_line = self.family.is_none() && self.title_block.is_empty();
        if let Some(pl) = part
            && (fam.is_none_or(|f| f == pl.family)
                || (fam == Some(Family::Style)
                    && matches!(pl.family, Family::Zhang | Family::Bian)))
            && (pl.family == Family::Style || pl.unnumbered || pl.ordinal > self.last_ordinal)
            && !(pl.family == Family::Style && title_line)
        {
            if self.family.is_none() {
                out.extend(self.title_block.drain(..).map(Event::Intro));
            }
            self.start_part(pl, block, &mut out);
            return out;
        }
        if self.family.is_none() {
            self.title_chars += block.text().chars().count();
            self.title_block.push(block);
            if self.title_block.len() > TITLE_BLOCK_MAX_BLOCKS
                || self.title_chars > TITLE_BLOCK_MAX_CHARS
            {
                self.no_parts(&mut out);
            }
            return out;
        }
        self.body(block, &mut out);
        out
    }

    /// The events still held back (a document without parts is held until here).
    pub fn finish(&mut self) -> Vec<Event> {
        let mut out = Vec::new();
        if self.family.is_none() {
            self.no_parts(&mut out);
        }
        out
    }

    /// Warnings, each a whole line; then the errors (which make the import fail).
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    pub fn take_errors(&mut self) -> Vec<String> {
        std::mem::take(&mut self.errors)
    }

    /// The site's title: the document's first line when it is short, else the file's name.
    pub fn site_title(&self, file: &Path) -> String {
        match &self.site_title {
            Some(t) if t.chars().count() <= 60 => t.clone(),
            _ => super::stem(file),
        }
    }

    fn start_part(&mut self, pl: PartLine, block: Block, out: &mut Vec<Event>) {
        let line = block.line;
        if pl.family != Family::Style && !pl.unnumbered && pl.ordinal != self.last_ordinal + 1 {
            let from = if self.last_ordinal == 0 {
                "the start".to_string()
            } else {
                self.last_label.clone()
            };
            self.warnings.push(format!(
                "warning: {}: the parts' numbering skips from {from} to {}: is a part missing?",
                self.place.at(line),
                pl.label
            ));
        }
        let key: String = pl
            .title
            .strip_prefix(&pl.label)
            .unwrap_or(&pl.title)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if let Some((other, other_line)) = self.titles.get(&key) {
            self.errors.push(format!(
                "{}: part {} has the same title as part {other} ({}): `{}`; give each part its own title",
                self.place.at(line),
                pl.label,
                self.place.at(*other_line),
                pl.title
            ));
        } else {
            self.titles.insert(key, (pl.label.clone(), line));
        }
        self.family = Some(Some(pl.family));
        if !pl.unnumbered {
            self.last_ordinal = pl.ordinal;
            self.last_label.clone_from(&pl.label);
        }
        self.part = PartState {
            next_shi: 1,
            ..PartState::default()
        };
        out.push(Event::Part {
            label: pl.label,
            title: pl.title,
            block,
        });
    }

    /// No parts: one topic with the whole text (tasks are still recognised), and a warning.
    fn no_parts(&mut self, out: &mut Vec<Event>) {
        self.family = Some(None);
        self.warnings.push(format!(
            "warning: {}: no parts found (looked for {PATTERNS_LOOKED_FOR}): the whole text becomes one topic",
            self.place.file.display()
        ));
        let title = self.site_title(&self.place.file.clone());
        let first = self.title_block.first().map_or(1, |b| b.line);
        out.push(Event::Part {
            label: String::new(),
            title,
            block: Block {
                line: first,
                kind: BlockKind::Para(Para::default()),
            },
        });
        self.part = PartState {
            next_shi: 1,
            ..PartState::default()
        };
        for b in std::mem::take(&mut self.title_block) {
            self.body(b, out);
        }
    }

    /// A block inside a part.
    fn body(&mut self, block: Block, out: &mut Vec<Event>) {
        let BlockKind::Para(para) = &block.kind else {
            out.push(Event::Text(block));
            return;
        };
        let text = para.text();
        let start = text.len() - text.trim_start().len();
        let line = block.line;
        let t = &text[start..];
        let fam = self.family.flatten();
        if fam == Some(Family::Bian) {
            if let Some((_, len)) = numbered(t, "第", "分编") {
                self.part.subparts += 1;
                let id = self.unique_id(format!("subpart-{}", self.part.subparts));
                out.push(Event::Heading {
                    level: 2,
                    text: t.trim().to_string(),
                    id,
                    marker: Some(t[..len].to_string()),
                    boundary: true,
                    line,
                });
                return;
            }
            if let Some((_, len)) = numbered(t, "第", "章") {
                self.part.chapters += 1;
                self.part.chapter_sections = 0;
                let id = self.unique_id(format!("chapter-{}", self.part.chapters));
                out.push(Event::Heading {
                    level: 2,
                    text: t.trim().to_string(),
                    id,
                    marker: Some(t[..len].to_string()),
                    boundary: true,
                    line,
                });
                return;
            }
        } else if fam == Some(Family::Zhang)
            && let Some((_, len)) = numbered(t, "第", "章")
            && t.chars().count() <= PART_LINE_MAX_CHARS
        {
            self.warnings.push(format!(
                "warning: {}: `{}` is numbered at or below the chapter before it ({}) and is kept as text: if the law has 编, is a `第X编` line missing?",
                self.place.at(line),
                &t[..len],
                self.last_label
            ));
        }
        let in_chapter = u8::from(self.part.chapters > 0);
        if let Some((_, len)) = numbered(t, "第", "节") {
            self.part.sections += 1;
            self.part.chapter_sections += 1;
            let id = self.unique_id(format!("section-{}", self.part.sections));
            out.push(Event::Heading {
                level: 2 + in_chapter,
                text: t.trim().to_string(),
                id,
                marker: Some(t[..len].to_string()),
                boundary: true,
                line,
            });
            return;
        }
        if let Some((n, len, sub)) = article(t) {
            let level = 2 + in_chapter + u8::from(self.part.chapter_sections > 0);
            self.part.articles += 1;
            let id = match sub {
                Some(m) => format!("article-{n}-{m}"),
                None => format!("article-{n}"),
            };
            let id = self.unique_id(id);
            out.push(Event::Heading {
                level,
                text: t[..len].to_string(),
                id,
                marker: Some(t[..len].to_string()),
                boundary: true,
                line,
            });
            self.rest(para, start + len, line, out);
            return;
        }
        if para.heading == Some(2) && task_marker(t, self.family.flatten()).is_none() {
            self.task_with_marker(t.trim().to_string(), String::new(), line, true, out);
            return;
        }
        if self.part.articles > 0 {
            self.rest(para, start, line, out);
            return;
        }
        self.tasks_in(para, &text, start, line, out);
    }

    /// `id`, or `id-2`, `id-3`… when the part has it already.
    fn unique_id(&mut self, id: String) -> String {
        let mut candidate = id.clone();
        let mut n = 1;
        while self.part.ids.contains(&candidate) {
            n += 1;
            candidate = format!("{id}-{n}");
        }
        self.part.ids.insert(candidate.clone());
        candidate
    }

    /// A paragraph that may hold a label and one or more tasks.
    fn tasks_in(
        &mut self,
        para: &Para,
        text: &str,
        start: usize,
        line: usize,
        out: &mut Vec<Event>,
    ) {
        let mut pos = start;
        let mut boundary = true;
        if let Some(colon) = label_end(&text[start..]) {
            let end = start + colon;
            self.part.groups += 1;
            self.part.grouped = true;
            self.part.next_shi = 1;
            out.push(Event::Heading {
                level: 2,
                text: text[start..end].trim().to_string(),
                id: format!("group-{}", self.part.groups),
                marker: None,
                boundary: true,
                line,
            });
            pos = end;
            boundary = false;
        }
        let fam = self.family.flatten();
        let cuts = task_starts(text, pos, &mut self.part.next_shi, fam);
        let mut prev = pos;
        let mut prev_is_task = false;
        let mut marker_len = 0;
        for (at, len) in cuts.iter().map(|(a, l)| (*a, *l)).chain([(text.len(), 0)]) {
            if at > prev {
                if prev_is_task {
                    let heading_end = sentence_end(&text[prev..at]).map_or(at, |e| prev + e);
                    let heading = text[prev..heading_end].trim().to_string();
                    let marker = text[prev..prev + marker_len].to_string();
                    self.task_with_marker(heading, marker, line, boundary, out);
                    boundary = true;
                    self.rest_range(para, heading_end, at, line, out);
                } else {
                    self.rest_range(para, prev, at, line, out);
                }
            }
            prev = at;
            prev_is_task = len > 0;
            marker_len = len;
        }
    }

    fn task_with_marker(
        &mut self,
        heading: String,
        marker: String,
        line: usize,
        boundary: bool,
        out: &mut Vec<Event>,
    ) {
        self.part.tasks += 1;
        out.push(Event::Heading {
            level: if self.part.grouped { 3 } else { 2 },
            text: heading,
            id: format!("task-{}", self.part.tasks),
            marker: (!marker.is_empty()).then_some(marker),
            boundary,
            line,
        });
    }

    /// The text of `para` from byte `from` to its end, as body text (nothing when blank).
    fn rest(&mut self, para: &Para, from: usize, line: usize, out: &mut Vec<Event>) {
        let len = para.text().len();
        self.rest_range(para, from, len, line, out);
    }

    fn rest_range(
        &mut self,
        para: &Para,
        from: usize,
        to: usize,
        line: usize,
        out: &mut Vec<Event>,
    ) {
        let piece = slice(para, from, to);
        if !piece.text().trim().is_empty() {
            out.push(Event::Text(Block {
                line,
                kind: BlockKind::Para(piece),
            }));
        }
    }
}

/// The runs of `para` between two byte offsets of its text.
pub fn slice(para: &Para, from: usize, to: usize) -> Para {
    let mut spans = Vec::new();
    let mut at = 0;
    for s in &para.spans {
        let (a, b) = (at, at + s.text.len());
        at = b;
        let (lo, hi) = (from.max(a), to.min(b));
        if lo < hi {
            spans.push(Span {
                text: s.text[lo - a..hi - a].to_string(),
                bold: s.bold,
            });
        }
    }
    Para {
        spans,
        heading: None,
    }
}

/// Is this paragraph a part line?
fn part_line(p: &Para, family: Option<Family>) -> Option<PartLine> {
    let text = p.text();
    let t = text.trim();
    let strong = p.all_bold() || p.heading == Some(1);
    let short = t.chars().count() <= PART_LINE_MAX_CHARS
        && !t
            .trim_end_matches(['。', '；', '！', '？'])
            .contains(['。', '；', '！', '？']);
    if !(strong || short) {
        return None;
    }
    if matches!(family, Some(Family::Zhang | Family::Bian)) && short {
        let squeezed: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        let annex = squeezed.strip_prefix("附件").is_some_and(|r| {
            r.is_empty()
                || r.starts_with(|c: char| {
                    c.is_ascii_digit() || "：:一二三四五六七八九十".contains(c)
                })
        }) && squeezed.chars().count() <= 40;
        if squeezed == "附则" || annex {
            return Some(PartLine {
                family: family.unwrap_or(Family::Zhang),
                ordinal: 0,
                label: String::new(),
                title: t.to_string(),
                unnumbered: true,
            });
        }
    }
    let found = if let Some((n, len)) = numbered(t, "第", "编") {
        Some((
            Family::Bian,
            n,
            len,
            t[..len].to_string(),
            t[..len].to_string(),
        ))
    } else if let Some((n, len)) = numbered(t, "第", "章") {
        Some((
            Family::Zhang,
            n,
            len,
            t[..len].to_string(),
            t[..len].to_string(),
        ))
    } else if let Some((n, len)) = numbered(t, "第", "部分") {
        Some((
            Family::Bufen,
            n,
            len,
            t[..len].to_string(),
            t[..len].to_string(),
        ))
    } else if let Some((n, len)) = numbered(t, "第", "，").or_else(|| numbered(t, "第", "、")) {
        let label = t[..len].trim_end_matches(['，', '、']).to_string();
        Some((Family::Di, n, len, label.clone(), label))
    } else if family.is_none_or(|f| f == Family::Dun)
        && let Some((n, len)) = numbered(t, "", "、")
    {
        Some((
            Family::Dun,
            n,
            len,
            t[..len].trim_end_matches('、').to_string(),
            t[..len].to_string(),
        ))
    } else {
        None
    };
    if let Some((family, ordinal, len, label, head)) = found {
        let rest = t[len..].trim_matches(|c: char| c.is_whitespace());
        let title = if rest.is_empty() {
            head
        } else if family == Family::Dun {
            format!("{head}{rest}")
        } else {
            format!("{}　{rest}", head.trim_end_matches(['，', '、']))
        };
        return Some(PartLine {
            family,
            ordinal,
            label,
            title,
            unnumbered: false,
        });
    }
    (p.heading == Some(1)).then(|| PartLine {
        family: Family::Style,
        ordinal: 0,
        label: String::new(),
        title: t.to_string(),
        unnumbered: false,
    })
}

/// `第一百二十条` or `第一百二十条之一` at the start of `s`: the article's number, the byte
/// length, and the number after `之`.
fn article(s: &str) -> Option<(u32, usize, Option<u32>)> {
    let (n, len) = numbered(s, "第", "条")?;
    match numbered(&s[len..], "之", "") {
        Some((m, more)) => {
            let piece = s[len..len + more].trim_end_matches([' ', '　']);
            Some((n, len + piece.len(), Some(m)))
        }
        None => Some((n, len, None)),
    }
}

/// The task markers at the start of `s`: its byte length, if `s` starts with one.
fn task_marker(s: &str, family: Option<Family>) -> Option<usize> {
    if let Some((_, len)) = numbered(s, "", "是") {
        return Some(len);
    }
    if let Some((_, len)) = numbered(s, "（", "）").or_else(|| numbered(s, "(", ")")) {
        return Some(len);
    }
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits <= 3 {
        let after = &s[digits..];
        for p in [".", "．", "、"] {
            if let Some(next) = after.strip_prefix(p)
                && !next.starts_with(|c: char| c.is_ascii_digit())
            {
                return Some(digits + p.len());
            }
        }
    }
    if family.is_some_and(|f| f != Family::Dun)
        && let Some((_, len)) = numbered(s, "", "、")
    {
        return Some(len);
    }
    None
}

/// Where tasks start in `text` from byte `from`: at `from` itself (any marker), and inside the
/// paragraph where the next expected `X是` follows a sentence end or a colon. Each with its
/// marker's byte length.
fn task_starts(
    text: &str,
    from: usize,
    next_shi: &mut u32,
    family: Option<Family>,
) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let head = &text[from..];
    if let Some(len) = task_marker(head, family) {
        if let Some((n, _)) = numbered(head, "", "是") {
            *next_shi = n + 1;
        }
        out.push((from, len));
    }
    let mut search = from + out.first().map_or(0, |(_, l)| *l);
    while search < text.len() {
        let Some(rel) = text[search..].find(['。', '；', '！', '？', '：']) else {
            break;
        };
        let after = search + rel + '。'.len_utf8();
        let want = format!("{}是", cn_numeral(*next_shi));
        let want_first = "一是";
        let t = &text[after..];
        let colon = text[search + rel..].starts_with('：');
        if t.starts_with(&want) {
            out.push((after, want.len()));
            *next_shi += 1;
        } else if (colon || *next_shi == 1) && t.starts_with(want_first) {
            out.push((after, want_first.len()));
            *next_shi = 2;
        }
        search = after;
    }
    out
}

/// The end (byte, inclusive of the mark) of the first sentence of `s`, if before its end.
fn sentence_end(s: &str) -> Option<usize> {
    let i = s.find(['。', '！', '？'])?;
    Some(i + '。'.len_utf8())
}

/// `城市基层党建：一是…`: the byte end of the label (after the colon), when the text starts
/// with a short label followed by a task.
fn label_end(t: &str) -> Option<usize> {
    let colon = t.find('：')?;
    let label = &t[..colon];
    let n = label.chars().count();
    if n == 0 || n > LABEL_MAX_CHARS || label.contains(['，', '。', '；', '、', ',']) {
        return None;
    }
    let end = colon + '：'.len_utf8();
    // The label's tasks follow at once, or after a sentence (`高校等事业单位党建：中组部…。一是…`).
    (numbered(&t[end..], "", "是").is_some() || t[end..].contains("。一是")).then_some(end)
}

/// `s` starts with `open`, a Chinese number, then `close`: the number and the byte length.
fn numbered(s: &str, open: &str, close: &str) -> Option<(u32, usize)> {
    let rest = s.strip_prefix(open)?;
    let digits: usize = rest
        .chars()
        .take_while(|c| "零〇一二三四五六七八九十百千两".contains(*c))
        .take(8)
        .map(char::len_utf8)
        .sum();
    if digits == 0 {
        return None;
    }
    let after = &rest[digits..];
    let after_trim = after.trim_start_matches([' ', '　']);
    after_trim.strip_prefix(close)?;
    let n = cn_value(&rest[..digits])?;
    Some((
        n,
        open.len() + digits + (after.len() - after_trim.len()) + close.len(),
    ))
}

/// The value of a Chinese number (`十二` = 12, `一百零三` = 103).
pub fn cn_value(s: &str) -> Option<u32> {
    let (mut total, mut digit) = (0u32, None::<u32>);
    for c in s.chars() {
        let d = match c {
            '零' | '〇' => Some(0),
            '一' => Some(1),
            '二' | '两' => Some(2),
            '三' => Some(3),
            '四' => Some(4),
            '五' => Some(5),
            '六' => Some(6),
            '七' => Some(7),
            '八' => Some(8),
            '九' => Some(9),
            _ => None,
        };
        if let Some(d) = d {
            digit = Some(digit.unwrap_or(0) * 10 + d);
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => return None,
        };
        total += digit.unwrap_or(1) * unit;
        digit = None;
    }
    let n = total + digit.unwrap_or(0);
    (n > 0).then_some(n)
}

/// A number written in Chinese (`12` = `十二`), as outlines number their tasks.
pub fn cn_numeral(n: u32) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n as usize].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { D[(n - 10) as usize] }),
        20..=99 => format!(
            "{}十{}",
            D[(n / 10) as usize],
            if n.is_multiple_of(10) {
                ""
            } else {
                D[(n % 10) as usize]
            }
        ),
        _ => {
            let rest = n % 100;
            let tail = match rest {
                0 => String::new(),
                1..=9 => format!("零{}", D[rest as usize]),
                10..=19 => format!("一{}", cn_numeral(rest)),
                _ => cn_numeral(rest),
            };
            format!("{}百{tail}", D[((n / 100) % 10) as usize])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numbers_both_ways() {
        for (n, s) in [
            (1, "一"),
            (10, "十"),
            (12, "十二"),
            (20, "二十"),
            (35, "三十五"),
            (103, "一百零三"),
            (110, "一百一十"),
        ] {
            assert_eq!(cn_numeral(n), s);
            assert_eq!(cn_value(s), Some(n), "{s}");
        }
    }

    #[test]
    fn markers() {
        assert_eq!(
            numbered("第十二条　x", "第", "条"),
            Some((12, "第十二条".len()))
        );
        assert_eq!(
            numbered("第一，推动", "第", "，"),
            Some((1, "第一，".len()))
        );
        assert!(numbered("第一条", "第", "，").is_none());
        assert_eq!(task_marker("1.学习", None), Some(2));
        assert_eq!(task_marker("1.5倍", None), None);
        assert_eq!(
            label_end("城市基层党建：一是强化"),
            Some("城市基层党建：".len())
        );
        assert_eq!(label_end("中组部研究确定今年抓好5个专项：一是"), None);
    }
}
