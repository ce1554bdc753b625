//! Markdown → HTML for units, topics and sessions, with the facts the rest of the build needs
//! from the same parse: table of contents, heading anchors, plain text by section (for search
//! and reading-time estimates).
//!
//! The engine is comrak with `cjk_friendly_emphasis`: pulldown-cmark 0.13 leaves
//! `这是**“强调”**测试` unbolded (CommonMark's flanking rules, commonmark-spec #650), which is how
//! Chinese study texts mark key phrases. Everything comrak-specific stays in this module so the
//! engine can be swapped.
//!
//! Heading ids: `## 标题 {#id}` sets one explicitly; otherwise [`anchor_for`] makes one from the
//! text, keeping Chinese characters, so ids are stable across builds and readable in URLs.

pub mod highlight;
pub mod pack;
pub mod spill;

pub use pack::{MarkdownPack, PackPaths, PackUpdate};
pub use spill::TextSpill;

pub use crate::html::{escape_html, write_escaped};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use comrak::nodes::{AstNode, NodeValue};
use comrak::options::{Plugins, URLRewriter};
use comrak::{Arena, Options, format_html_with_plugins, parse_document};
use serde::{Deserialize, Serialize};

/// One entry of a page's table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// The plain text under one heading (or before the first one: `anchor` is `None`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TextSection {
    pub anchor: Option<String>,
    pub heading: String,
    #[serde(deserialize_with = "checked_utf8::string")]
    pub text: String,
}

/// The result of rendering one Markdown document.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Rendered {
    #[serde(deserialize_with = "checked_utf8::string")]
    pub html: String,
    /// Headings of level 2 and 3 (after shifting), for the table of contents.
    pub toc: Vec<TocEntry>,
    /// Every heading id in the document, in order.
    pub anchors: Vec<String>,
    pub sections: Vec<TextSection>,
    /// CJK characters plus Latin words: what reading time is estimated from.
    pub reading_units: usize,
    /// Whether any code block was highlighted (so the syntax stylesheet is needed).
    pub highlighted: bool,
    /// Where the sections' text is while `build` has parked it ([`spill`]); `None` when the
    /// text is in `sections`. Never in the build cache's pack.
    #[serde(skip)]
    pub parked: Option<spill::Parked>,
    /// The BLAKE3 of the Markdown this was rendered from, when it came through a cache
    /// ([`render_cached`]): what a page's cache key takes instead of the HTML.
    #[serde(skip)]
    pub source: Option<blake3::Hash>,
}

/// The long strings of a [`Rendered`] read back from the build cache's pack: checked as UTF-8
/// with `simdutf8` (several times faster than the standard library's check on Chinese text,
/// which was a sixth of a build after one edit: BENCHMARKS.md "build"), then copied out. The
/// encoding is unchanged: postcard writes a string and a byte string alike.
mod checked_utf8 {
    use serde::Deserializer;
    use serde::de::{Error, Visitor};

    pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        d.deserialize_bytes(Utf8)
    }

    struct Utf8;

    impl<'de> Visitor<'de> for Utf8 {
        type Value = String;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a UTF-8 string")
        }

        fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<String, E> {
            match simdutf8::basic::from_utf8(v) {
                Ok(s) => Ok(s.to_owned()),
                Err(_) => Err(E::custom("invalid UTF-8")),
            }
        }

        fn visit_str<E: Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }

        fn visit_string<E: Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }
    }
}

/// Rewrites links between source files (`../02-x/y.md`, `_index.md#a`) to the pages built from
/// them (`../02-x/y.html`, `index.html#a`). Absolute URLs and other files are left alone.
struct SourceLinkRewriter;

impl URLRewriter for SourceLinkRewriter {
    fn to_html(&self, url: &str) -> String {
        rewrite_source_link(url)
    }
}

/// See [`SourceLinkRewriter`].
pub fn rewrite_source_link(url: &str) -> String {
    if url.contains("://") || url.starts_with("mailto:") || url.starts_with('/') {
        return url.to_string();
    }
    let (path, frag) = match url.find(['#', '?']) {
        Some(i) => url.split_at(i),
        None => (url, ""),
    };
    if let Some(stem) = path.strip_suffix(".md") {
        let page = if stem == "_index" || stem.ends_with("/_index") {
            format!("{}index.html", &stem[..stem.len() - "_index".len()])
        } else {
            format!("{stem}.html")
        };
        return format!("{page}{frag}");
    }
    url.to_string()
}

fn options() -> Options<'static> {
    let mut o = Options::default();
    o.extension.strikethrough = true;
    o.extension.table = true;
    o.extension.tasklist = true;
    o.extension.footnotes = true;
    o.extension.cjk_friendly_emphasis = true;
    o.extension.link_url_rewriter = Some(Arc::new(SourceLinkRewriter));
    o.render.tasklist_classes = true;
    // Raw HTML stays off (comrak's default) and is shown as text, escaped, rather than
    // dropped: a `<script>` typed into a prompt reads as what was typed.
    o.render.escape = true;
    o
}

/// Makes a heading id from its text: letters and digits of any script are kept (ASCII is
/// lower-cased), runs of anything else become one `-`.
pub fn anchor_for(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c.to_ascii_lowercase());
        } else if c == '_'
            || c == '-'
            || c.is_whitespace()
            || c.is_ascii_punctuation()
            || !c.is_alphanumeric()
        {
            pending_dash = true;
        }
    }
    if out.is_empty() {
        out.push_str("section");
    }
    out
}

/// Splits an explicit `{#id}` off the end of a heading's text.
fn explicit_id(text: &str) -> Option<(String, String)> {
    let t = text.trim_end();
    let inner = t.strip_suffix('}')?;
    let open = inner.rfind("{#")?;
    let id = &inner[open + 2..];
    let valid = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    valid.then(|| (t[..open].trim_end().to_string(), id.to_string()))
}

/// Is `c` a CJK ideograph or kana/hangul (counted one by one for reading time)?
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F
        | 0x3040..=0x30FF | 0xAC00..=0xD7A3)
}

/// CJK characters plus runs of ASCII letters/digits (words).
pub fn reading_units(text: &str) -> usize {
    let mut n = 0;
    let mut in_word = false;
    for c in text.chars() {
        if is_cjk(c) {
            n += 1;
            in_word = false;
        } else if c.is_ascii_alphanumeric() {
            if !in_word {
                n += 1;
            }
            in_word = true;
        } else {
            in_word = false;
        }
    }
    n
}

/// Minutes to read `units` at `speed` per minute: rounded up, at least one.
pub fn estimate_minutes(units: usize, speed: u32) -> u32 {
    let speed = speed.max(1) as usize;
    units.div_ceil(speed).max(1) as u32
}

/// Heading renderer that writes the ids computed beforehand, in document order.
struct HeadingIds {
    ids: Mutex<std::collections::VecDeque<String>>,
}

impl comrak::adapters::HeadingAdapter for HeadingIds {
    fn enter(
        &self,
        output: &mut dyn std::fmt::Write,
        heading: &comrak::adapters::HeadingMeta,
        _sourcepos: Option<comrak::nodes::Sourcepos>,
    ) -> std::fmt::Result {
        let id = self
            .ids
            .lock()
            .map(|mut q| q.pop_front())
            .ok()
            .flatten()
            .unwrap_or_default();
        write!(output, "<h{} id=\"", heading.level)?;
        write_escaped(output, &id)?;
        output.write_str("\">")
    }

    fn exit(
        &self,
        output: &mut dyn std::fmt::Write,
        heading: &comrak::adapters::HeadingMeta,
    ) -> std::fmt::Result {
        writeln!(output, "</h{}>", heading.level)
    }
}

/// Gives every `id` in a body rendered by [`render`] the prefix `prefix`, and every in-page
/// link to one of those ids (`href="#…"`) the same: for pages that join several bodies (a
/// topic's print page, a session's handout), where two units' `task-1` would otherwise be the
/// same id twice and a link would jump into the wrong unit. One pass to find the ids, one to
/// write. It relies on the renderer escaping `"` in text and attribute values (it does:
/// [`write_escaped`], comrak), so `id="` and `href="#` occur nowhere but in tags, or at the
/// very end of an attribute value (an image's alt text “… id=”), which [`in_value`] tells.
pub fn prefix_ids(html: &str, prefix: &str) -> String {
    const ID: &str = " id=\"";
    const HREF: &str = " href=\"#";
    let ids: std::collections::HashSet<&str> = html
        .match_indices(ID)
        .filter(|(at, _)| !in_value(html, *at))
        .filter_map(|(at, _)| {
            let rest = &html[at + ID.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect();
    if ids.is_empty() {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len() + ids.len() * 2 * (prefix.len() + 1));
    // Every ` id="` and ` href="#`, in order: each pattern is searched for once, through the
    // whole page (a print page joins a topic's every unit).
    let mut id_at = html.match_indices(ID).map(|(at, _)| (at, ID)).peekable();
    let mut href_at = html
        .match_indices(HREF)
        .map(|(at, _)| (at, HREF))
        .peekable();
    let mut next = || match (id_at.peek(), href_at.peek()) {
        (Some(a), Some(b)) if b.0 < a.0 => href_at.next(),
        (Some(_), _) => id_at.next(),
        (None, _) => href_at.next(),
    };
    let mut last = 0;
    let mut i = 0;
    while let Some((at, attr)) = next() {
        if at < i || in_value(html, at) {
            continue;
        }
        let start = at + attr.len();
        let Some(len) = html[start..].find('"') else {
            break;
        };
        let value = &html[start..start + len];
        i = start + len;
        if attr == ID || ids.contains(value) {
            out.push_str(&html[last..start]);
            out.push_str(prefix);
            last = start;
        }
    }
    out.push_str(&html[last..]);
    out
}

/// Whether byte `at` of `html` is inside an attribute's value: an odd number of `"` between
/// the tag's `<` and it (values hold no `"`, and text holds none at all).
fn in_value(html: &str, at: usize) -> bool {
    let tag = html[..at].rfind('<').unwrap_or(0);
    html.as_bytes()[tag..at]
        .iter()
        .filter(|&&b| b == b'"')
        .count()
        % 2
        == 1
}

/// Renders a whole document (a unit's, topic's or session's body): one parse, then the
/// headings' ids and levels, the text by section, and the HTML, all from the same tree.
pub fn render(markdown: &str) -> Rendered {
    let arena = Arena::new();
    let options = options();
    let root = parse_document(&arena, markdown, &options);
    let headings = number_headings(root);
    let (sections, reading) = text_by_section(root, &headings.anchors);

    let highlighter = highlight::Highlighter::default();
    let heading_ids = HeadingIds {
        ids: Mutex::new(headings.ids),
    };
    let mut plugins = Plugins::default();
    plugins.render.codefence_syntax_highlighter = Some(&highlighter);
    plugins.render.heading_adapter = Some(&heading_ids);
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    // Writing into a String cannot fail.
    let _ = format_html_with_plugins(root, &options, &mut html, &plugins);
    html.shrink_to_fit();
    Rendered {
        html,
        toc: headings.toc,
        anchors: headings.anchors,
        sections,
        reading_units: reading,
        highlighted: highlighter.used(),
        parked: None,
        source: None,
    }
}

/// The headings of a document once numbered: the id of each (in document order, for the
/// HTML writer), its anchors and its table of contents.
struct Headings {
    ids: std::collections::VecDeque<String>,
    anchors: Vec<String>,
    toc: Vec<TocEntry>,
}

/// Gives every heading its id — an explicit `{#id}` at its end, taken out of the text, or one
/// made from its text, unique in the document — and shifts the levels so that the body's top
/// level is h2 (the page title is the h1).
fn number_headings<'a>(root: &'a AstNode<'a>) -> Headings {
    let headings: Vec<&AstNode> = root
        .descendants()
        .filter(|n| matches!(n.data().value, NodeValue::Heading(_)))
        .collect();
    let min_level = headings
        .iter()
        .filter_map(|n| match &n.data().value {
            NodeValue::Heading(h) => Some(h.level),
            _ => None,
        })
        .min()
        .unwrap_or(2);
    let shift = 2u8.saturating_sub(min_level);
    let mut used = HashSet::new();
    let mut out = Headings {
        ids: std::collections::VecDeque::new(),
        anchors: Vec::new(),
        toc: Vec::new(),
    };
    for node in &headings {
        if let Some(last_text) = node
            .descendants()
            .filter(|d| matches!(d.data().value, NodeValue::Text(_)))
            .last()
        {
            let mut data = last_text.data_mut();
            if let NodeValue::Text(t) = &mut data.value
                && let Some((rest, id)) = explicit_id(t)
            {
                *t = rest.into();
                drop(data);
                out.ids.push_back(id);
            }
        }
        let title = node.collect_text().trim().to_string();
        let level = {
            let mut data = node.data_mut();
            match &mut data.value {
                NodeValue::Heading(h) => {
                    h.level = (h.level + shift).min(6);
                    h.level
                }
                _ => 2,
            }
        };
        // An explicit id was pushed for this heading already when its text ended in {#…}.
        let id = if out.ids.len() > out.anchors.len() {
            out.ids.back().cloned().unwrap_or_default()
        } else {
            let base = anchor_for(&title);
            let mut id = base.clone();
            let mut n = 1;
            while used.contains(&id) {
                id = format!("{base}-{n}");
                n += 1;
            }
            out.ids.push_back(id.clone());
            id
        };
        used.insert(id.clone());
        out.anchors.push(id.clone());
        if (2..=3).contains(&level) {
            out.toc.push(TocEntry { level, id, title });
        }
    }
    out
}

/// The plain text of each section (for search) and the reading units of all of them (for the
/// estimated minutes).
fn text_by_section<'a>(root: &'a AstNode<'a>, anchors: &[String]) -> (Vec<TextSection>, usize) {
    let mut sections = vec![TextSection::default()];
    let mut heading_index = 0;
    collect_text(root, &mut sections, anchors, &mut heading_index);
    sections.retain(|s| !(s.anchor.is_none() && s.text.trim().is_empty()));
    // The model keeps every page's text and HTML until the build ends: give back what the
    // strings grew by doubling (about a third of their size).
    for s in &mut sections {
        s.text.shrink_to_fit();
    }
    sections.shrink_to_fit();
    let reading = sections
        .iter()
        .map(|s| reading_units(&s.heading) + reading_units(&s.text))
        .sum();
    (sections, reading)
}

/// Rendered documents by the BLAKE3 hash of their Markdown, so that `serve --watch` parses
/// only what changed since the last rebuild. [`render`] depends on nothing but its input, so a
/// hit is exactly what rendering again would give (see [`crate::cache`]).
pub type RenderCache = crate::cache::Cache<Arc<Rendered>>;

/// [`render`] through `cache` when there is one.
pub fn render_cached(cache: Option<&RenderCache>, markdown: &str) -> Arc<Rendered> {
    render_cached_from(cache, None, None, markdown)
}

/// [`render_cached`], looking in `pack` too before rendering, and parking the text of what it
/// renders or takes from the pack in `spill` when there is one.
pub fn render_cached_from(
    cache: Option<&RenderCache>,
    pack: Option<&MarkdownPack>,
    spill: Option<&TextSpill>,
    markdown: &str,
) -> Arc<Rendered> {
    let Some(cache) = cache else {
        return Arc::new(render(markdown));
    };
    let key = blake3::hash(markdown.as_bytes());
    if let Some(hit) = cache.get(&key) {
        return hit;
    }
    // Rendered outside the cache's lock, so the other threads of a build keep going.
    let mut rendered = (pack.and_then(|p| p.take(&key))).unwrap_or_else(|| render(markdown));
    rendered.source = Some(key);
    if let Some(spill) = spill {
        spill.park(&mut rendered);
    }
    let rendered = Arc::new(rendered);
    cache.insert(key, rendered.clone());
    rendered
}

/// Renders a short Markdown string (a quiz prompt, an option) as inline HTML: the outer
/// `<p>…</p>` of a single paragraph is removed.
pub fn render_inline(markdown: &str) -> String {
    let html = render(markdown).html;
    let trimmed = html.trim();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|s| s.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => trimmed.to_string(),
    }
}

/// Walks the tree in document order, without recursion (deeply nested input must not overflow
/// the stack), splitting the text into sections at headings.
fn collect_text<'a>(
    root: &'a AstNode<'a>,
    sections: &mut Vec<TextSection>,
    anchors: &[String],
    heading_index: &mut usize,
) {
    let mut stack: Vec<(&'a AstNode<'a>, bool)> = vec![(root, true)];
    while let Some((node, entering)) = stack.pop() {
        if !entering {
            push_text(sections, "\n");
            continue;
        }
        let is_block = node.data().value.block();
        match &node.data().value {
            NodeValue::Heading(_) => {
                let heading = node.collect_text().trim().to_string();
                let anchor = anchors.get(*heading_index).cloned();
                *heading_index += 1;
                sections.push(TextSection {
                    anchor,
                    heading,
                    text: String::new(),
                });
                continue;
            }
            NodeValue::Text(t) => push_text(sections, t),
            NodeValue::Code(c) => push_text(sections, &c.literal),
            NodeValue::CodeBlock(c) => push_text(sections, &c.literal),
            NodeValue::SoftBreak | NodeValue::LineBreak => push_text(sections, " "),
            _ => {}
        }
        if is_block {
            stack.push((node, false));
        }
        stack.extend(node.reverse_children().map(|c| (c, true)));
    }
}

fn push_text(sections: &mut [TextSection], s: &str) {
    if let Some(last) = sections.last_mut() {
        if s == "\n" && (last.text.is_empty() || last.text.ends_with('\n')) {
            return;
        }
        last.text.push_str(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_cache_gives_what_render_gives_and_sweeps_what_a_build_did_not_use() {
        let cache = RenderCache::new();
        let (a, b) = ("## 甲\n\n**重点**文字。\n", "## 乙\n\n别的。\n");
        for _ in 0..2 {
            let (hit, fresh) = (render_cached(Some(&cache), a), render(a));
            assert_eq!(
                (&hit.html, &hit.toc, &hit.anchors, &hit.sections),
                (&fresh.html, &fresh.toc, &fresh.anchors, &fresh.sections)
            );
        }
        render_cached(Some(&cache), b);
        assert_eq!(cache.len(), 2);
        cache.sweep();
        assert_eq!(cache.len(), 2, "both used since the last sweep");
        render_cached(Some(&cache), a);
        cache.sweep();
        assert_eq!(cache.len(), 1, "`b` was not used by the last build");
        assert_eq!(render_cached(Some(&cache), b).html, render(b).html);
    }

    /// The four everyday ways Chinese study texts bold key phrases, which pulldown-cmark 0.13
    /// leaves unbolded (see DEPENDENCIES.md).
    #[test]
    fn chinese_emphasis_next_to_fullwidth_punctuation_is_bold() {
        let cases = [
            ("这是**“强调”**测试", "这是<strong>“强调”</strong>测试"),
            ("**第一，**推动", "<strong>第一，</strong>推动"),
            ("**加粗：**后面", "<strong>加粗：</strong>后面"),
            (
                "要推进**“两学一做”**学习教育",
                "要推进<strong>“两学一做”</strong>学习教育",
            ),
        ];
        for (md, want) in cases {
            assert_eq!(render(md).html.trim(), format!("<p>{want}</p>"), "{md}");
        }
    }

    #[test]
    fn headings_get_ids_toc_and_shift_to_h2() {
        let r = render("# 一是加强学习\n\n正文。\n\n## 小节 {#xiao-jie}\n\n# 一是加强学习\n");
        assert_eq!(r.anchors, ["一是加强学习", "xiao-jie", "一是加强学习-1"]);
        assert!(
            r.html.contains("<h2 id=\"一是加强学习\">一是加强学习</h2>"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("<h3 id=\"xiao-jie\">小节</h3>"),
            "{}",
            r.html
        );
        assert_eq!(r.toc.len(), 3);
        assert_eq!(r.toc[1].title, "小节");
    }

    #[test]
    fn explicit_ids_with_emphasis_in_heading() {
        let r = render("## 一是**深入**开展轮训。 {#task-1}\n");
        assert_eq!(r.anchors, ["task-1"]);
        assert!(
            r.html
                .contains("<h2 id=\"task-1\">一是<strong>深入</strong>开展轮训。</h2>"),
            "{}",
            r.html
        );
    }

    #[test]
    fn prefix_ids_renames_ids_and_the_links_to_them_only() {
        let r = render(
            "## 一是学习 {#task-1}\n\n见[下文](#task-2)、[外部](other.html#task-1)、[别处](#nowhere)和脚注[^1]。\n\n## 二 {#task-2}\n\n文中写 id=\"x\" 和 href=\"#task-1\"。\n\n[^1]: 注。\n",
        );
        let out = prefix_ids(&r.html, "u2-");
        assert!(out.contains("<h2 id=\"u2-task-1\">"), "{out}");
        assert!(out.contains("<h2 id=\"u2-task-2\">"), "{out}");
        assert!(out.contains("href=\"#u2-task-2\""), "{out}");
        assert!(out.contains("href=\"other.html#task-1\""), "{out}");
        assert!(
            out.contains("href=\"#nowhere\""),
            "not an id of this body: {out}"
        );
        assert!(out.contains("id=&quot;x&quot;"), "text untouched: {out}");
        assert_eq!(
            out.matches(" id=\"").count(),
            out.matches(" id=\"u2-").count(),
            "{out}"
        );
        let footnote_links = out.matches("href=\"#u2-fn").count();
        assert!(footnote_links >= 2, "footnotes and their back links: {out}");
        assert_eq!(prefix_ids("<p>无</p>", "u1-"), "<p>无</p>");
    }

    #[test]
    fn prefix_ids_leaves_a_value_ending_in_id_as_it_is() {
        // An alt text ending in “ id=” is followed by its closing quote: ` id="`, in a value.
        let r = render("## 图 {#fig}\n\n![示意 id=](a.png) 见[图](#fig)。\n");
        assert!(r.html.contains("alt=\"示意 id=\""), "{}", r.html);
        let out = prefix_ids(&r.html, "u3-");
        assert_eq!(
            out,
            r.html
                .replace("\"fig\"", "\"u3-fig\"")
                .replace("\"#fig\"", "\"#u3-fig\"")
        );
        assert!(out.contains("alt=\"示意 id=\""), "{out}");
    }

    #[test]
    fn anchors_keep_chinese_and_fold_punctuation() {
        assert_eq!(anchor_for("第一，推动 Party Work!"), "第一-推动-party-work");
        assert_eq!(anchor_for("？？"), "section");
    }

    #[test]
    fn tables_footnotes_strikethrough_tasklists() {
        let r = render(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~删~~ 注[^1]\n\n[^1]: 脚注\n\n- [x] 已完成\n- [ ] 未完成\n",
        );
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<del>删</del>"));
        assert!(r.html.contains("footnote"));
        assert!(r.html.contains("type=\"checkbox\""));
    }

    #[test]
    fn raw_html_is_not_passed_through() {
        let r = render("<script>alert(1)</script>\n\n文字<b>粗</b>");
        assert!(!r.html.contains("<script>"), "{}", r.html);
        assert!(!r.html.contains("<b>"), "{}", r.html);
    }

    #[test]
    fn links_to_sources_become_links_to_pages() {
        assert_eq!(rewrite_source_link("../02-a/b.md#x"), "../02-a/b.html#x");
        assert_eq!(rewrite_source_link("_index.md"), "index.html");
        assert_eq!(
            rewrite_source_link("../02-a/_index.md"),
            "../02-a/index.html"
        );
        assert_eq!(
            rewrite_source_link("https://x.org/a.md"),
            "https://x.org/a.md"
        );
        assert_eq!(rewrite_source_link("pic.png"), "pic.png");
        let r = render("[原文](yuanwen.md#task-1)");
        assert!(
            r.html.contains("href=\"yuanwen.html#task-1\""),
            "{}",
            r.html
        );
    }

    #[test]
    fn reading_units_count_cjk_characters_and_latin_words() {
        assert_eq!(reading_units("学习 2018 年 Party work，好"), 7);
        assert_eq!(estimate_minutes(0, 200), 1);
        assert_eq!(estimate_minutes(200, 200), 1);
        assert_eq!(estimate_minutes(201, 200), 2);
    }

    #[test]
    fn sections_follow_headings() {
        let r = render("导言。\n\n## 甲 {#a}\n\n甲的内容。\n\n## 乙\n\n乙的**内容**。\n");
        assert_eq!(r.sections.len(), 3);
        assert_eq!(r.sections[0].anchor, None);
        assert_eq!(r.sections[1].anchor.as_deref(), Some("a"));
        assert_eq!(r.sections[2].heading, "乙");
        assert_eq!(r.sections[2].text.trim(), "乙的内容。");
    }

    #[test]
    fn deeply_nested_input_does_not_overflow_the_stack() {
        let md = format!("{} 深\n\n{}x\n", ">".repeat(50_000), "- ".repeat(20_000));
        let handle = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || render(&md).reading_units)
            .unwrap();
        assert!(handle.join().unwrap() >= 1);
    }

    #[test]
    fn code_blocks_are_highlighted_with_classes() {
        let r = render("```rust\nfn main() {}\n```\n");
        assert!(r.highlighted);
        assert!(r.html.contains("class=\"hl-"), "{}", r.html);
        let plain = render("```\nplain <text>\n```\n");
        assert!(plain.html.contains("plain &lt;text&gt;"));
    }
}
