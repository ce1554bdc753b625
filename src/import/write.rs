//! What an import writes, and how: the plan (a topic per part with a readable ASCII slug, one
//! or more original units per topic cut at task boundaries, the introduction unit, a draft
//! session), the Markdown of each unit (the document's text, escaped so that Markdown shows it
//! as it is, with headings and bold added), a staging folder that everything is written into
//! and checked in ([`super::verify`]), and the move into place once nothing would be
//! overwritten. A failed import leaves the site folder as it was.
//!
//! Slugs: `NN-` (the topic's weight, two digits) and the pinyin, without tones, of the first
//! two Chinese characters of the part's title after its number (`第一，推动…` → `01-tuidong`);
//! a title without Chinese characters gives its first ASCII letters and digits, or `part`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use pinyin::ToPinyin;

use super::outline::Event;
use super::verify::{self, TextHash};
use super::{Block, BlockKind, Options, Para, Place, Report, strip_marks};

/// A unit is cut at the next task boundary once it holds this many reading units (15 minutes
/// at the default reading speed)…
const UNIT_TARGET: usize = 3000;
/// …and at the next paragraph once it holds this many, task or not.
const UNIT_MAX: usize = 6000;
/// The staging folder, inside the site folder (same file system, so the move is a rename).
const STAGING: &str = ".studysite-import";

/// The site folder: what is there already, and the staging folder.
pub struct Target {
    root: PathBuf,
    shown: PathBuf,
    dry_run: bool,
    new_site: bool,
    created_root: bool,
    staging: Option<PathBuf>,
    /// Titles of the existing topics (whitespace aside) → their `_index.md`.
    existing: HashMap<String, PathBuf>,
    next_weight: i64,
    reading_speed: u32,
    min_share: f64,
    committed: bool,
}

impl Target {
    pub fn prepare(opts: &Options) -> Result<Target> {
        let root = opts.into.clone();
        let shown = opts.into_shown.display().to_string();
        if root.exists() && !root.is_dir() {
            bail!("`{shown}` is a file, not a folder: name a folder with --into");
        }
        let mut t = Target {
            root: root.clone(),
            shown: opts.into_shown.clone(),
            dry_run: opts.dry_run,
            new_site: true,
            created_root: false,
            staging: None,
            existing: HashMap::new(),
            next_weight: 1,
            reading_speed: crate::config::DEFAULT_READING_SPEED,
            min_share: 1.0 / 3.0,
            committed: false,
        };
        if root.join("site.yaml").is_file() {
            t.read_site()?;
        } else if root.is_dir() {
            refuse_foreign_folders(&root, &shown)?;
        }
        if !opts.dry_run {
            if !root.exists() {
                crate::fs::create_dir_all(&root)?;
                t.created_root = true;
            }
            let staging = root.join(STAGING);
            if staging.exists() {
                crate::fs::remove_dir_all(&staging)?;
            }
            crate::fs::create_dir_all(&staging)?;
            t.staging = Some(staging);
        }
        Ok(t)
    }

    /// An existing site: its settings, and its topics' titles and weights.
    fn read_site(&mut self) -> Result<()> {
        let path = self.root.join("site.yaml");
        let text = crate::fs::read_to_string(&path)?;
        let config =
            crate::config::SiteConfig::parse(&text, Path::new("site.yaml")).map_err(|d| {
                anyhow::anyhow!(
                    "`{}` has a problem: {}; fix it first (`studysite check --root {}`)",
                    self.shown.join("site.yaml").display(),
                    d.first().map(|d| d.message.clone()).unwrap_or_default(),
                    self.shown.display()
                )
            })?;
        self.reading_speed = config.reading_speed;
        self.min_share = config.rules.min_original_share;
        self.new_site = false;
        let mut diags = crate::diag::Diagnostics::new();
        let library = crate::content::load(&self.root, None, &mut diags);
        let mut max = 0;
        for topic in &library.topics {
            let title = squeeze(&topic.index.front.title);
            self.existing.insert(
                title,
                PathBuf::from("content").join(&topic.slug).join("_index.md"),
            );
            max = max.max(topic.index.front.weight);
        }
        self.next_weight = max + 1;
        Ok(())
    }

    fn write(&self, rel: &Path, bytes: &[u8]) -> Result<()> {
        match &self.staging {
            Some(s) => crate::fs::write(&s.join(rel), bytes),
            None => Ok(()),
        }
    }

    /// Moves what was staged into place: each planned file's highest folder that does not
    /// exist yet, or the file itself.
    fn commit(&mut self, files: &[PathBuf]) -> Result<()> {
        let Some(staging) = self.staging.clone() else {
            return Ok(());
        };
        let mut moved: Vec<PathBuf> = Vec::new();
        for rel in files {
            let mut top = rel.clone();
            for a in rel.ancestors().skip(1) {
                if a.as_os_str().is_empty() || self.root.join(a).exists() {
                    break;
                }
                top = a.to_path_buf();
            }
            if moved.iter().any(|m| top.starts_with(m)) {
                continue;
            }
            crate::fs::rename(&staging.join(&top), &self.root.join(&top))?;
            moved.push(top);
        }
        self.committed = true;
        crate::fs::remove_dir_all(&staging)
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Some(s) = &self.staging {
            let _ = std::fs::remove_dir_all(s);
        }
        if self.created_root && !self.committed {
            let _ = std::fs::remove_dir(&self.root);
        }
    }
}

/// A folder without `site.yaml` may hold files (the outline itself, say), but no folder with
/// something in it: that is someone else's work, not a new site.
fn refuse_foreign_folders(root: &Path, shown: &str) -> Result<()> {
    let entries =
        std::fs::read_dir(root).with_context(|| format!("cannot read the folder `{shown}`"))?;
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter(|e| !crate::fs::is_ignored_name(&e.file_name().to_string_lossy()))
        .filter(|e| std::fs::read_dir(e.path()).is_ok_and(|mut d| d.next().is_some()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    if let Some(first) = names.first() {
        bail!(
            "`{shown}` is not a site (it has no site.yaml) and is not empty: it holds the folder `{first}/`; import into a new or empty folder, or into a site"
        );
    }
    Ok(())
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A unit being filled.
#[derive(Default)]
struct UnitBuf {
    markdown: String,
    /// The document's text that went in (what the verbatim check expects).
    text: String,
    /// The footnotes and endnotes referred to in the unit, written at its end (where the
    /// Markdown renderer puts them), and their text.
    notes: String,
    notes_text: String,
    units: usize,
    first: Option<String>,
    last: Option<String>,
    tasks: usize,
    /// For the dry run: `(id, heading, characters)` of each heading.
    headings: Vec<(String, String, usize)>,
}

/// A unit written.
struct UnitPlan {
    key: String,
    minutes: u32,
}

/// A topic being written.
struct TopicPlan {
    slug: String,
    title: String,
    label: String,
    weight: i64,
    units: Vec<UnitPlan>,
    tasks: usize,
    chars: usize,
    tree: String,
}

/// Turns events into files.
pub struct Writer<'t> {
    t: &'t mut Target,
    place: Place,
    intro: Option<UnitBuf>,
    topic: Option<TopicPlan>,
    unit: Option<UnitBuf>,
    topics: Vec<(String, String, Vec<UnitPlan>)>,
    files: Vec<PathBuf>,
    /// What the units show, read back: the body text, and the notes' text.
    written: [TextHash; 2],
    /// The same, whole, whitespace aside, for the independent reference.
    shown: String,
    chars: usize,
    unit_count: usize,
    images: usize,
    tree: String,
}

impl<'t> Writer<'t> {
    pub fn new(t: &'t mut Target, place: Place) -> Writer<'t> {
        Writer {
            t,
            place,
            intro: None,
            topic: None,
            unit: None,
            topics: Vec::new(),
            files: Vec::new(),
            written: [TextHash::default(), TextHash::default()],
            shown: String::new(),
            chars: 0,
            unit_count: 0,
            images: 0,
            tree: String::new(),
        }
    }

    pub fn event(&mut self, event: Event) -> Result<()> {
        match event {
            Event::Intro(block) => {
                let intro = self.intro.get_or_insert_with(UnitBuf::default);
                let title_line = is_title_line(&block);
                add_block(intro, &block, title_line, None)?;
            }
            Event::Part {
                label,
                title,
                block,
            } => self.part(label, title, block)?,
            Event::Heading {
                level,
                text,
                id,
                marker,
                boundary,
                ..
            } => {
                if boundary && self.unit.as_ref().is_some_and(|u| u.units >= UNIT_TARGET) {
                    self.flush_unit(false)?;
                }
                let u = self.unit.get_or_insert_with(UnitBuf::default);
                let _ = write!(
                    u.markdown,
                    "{} {} {{#{id}}}\n\n",
                    "#".repeat(usize::from(level)),
                    escape_heading(&text)
                );
                let plain = strip_marks(&text);
                u.text.push_str(&plain);
                u.units += crate::markdown::reading_units(&plain);
                if let Some(m) = marker {
                    let m = strip_marks(&m);
                    u.first.get_or_insert_with(|| m.clone());
                    u.last = Some(m);
                    u.tasks += 1;
                }
                let n = squeeze(&plain).chars().count();
                u.headings.push((id, plain, n));
            }
            Event::Text(Block {
                kind: BlockKind::Note(note),
                ..
            }) => {
                // With the unit that refers to it (never cut from it).
                let u = self.unit.get_or_insert_with(UnitBuf::default);
                add_note(u, &note);
            }
            Event::Text(block) => {
                if self.unit.as_ref().is_some_and(|u| u.units >= UNIT_MAX) {
                    self.flush_unit(false)?;
                }
                let folder = self.topic.as_ref().map(|t| t.slug.clone());
                let images = self.images;
                let u = self.unit.get_or_insert_with(UnitBuf::default);
                if let Some(name) = add_block(u, &block, false, Some(images + 1))? {
                    self.images += 1;
                    if let (BlockKind::Image(img), Some(folder)) = (&block.kind, folder) {
                        let rel = PathBuf::from("content").join(folder).join(name);
                        self.t.write(&rel, &img.bytes)?;
                        self.files.push(rel);
                    }
                }
            }
        }
        Ok(())
    }

    fn part(&mut self, label: String, title: String, block: Block) -> Result<()> {
        let (label, title) = (strip_marks(&label), strip_marks(&title));
        self.flush_unit(true)?;
        self.finish_topic()?;
        let weight = self.t.next_weight;
        self.t.next_weight += 1;
        let short = title
            .strip_prefix(&label)
            .unwrap_or(&title)
            .trim()
            .to_string();
        let slug = format!("{:02}-{}", weight, slug_of(&short, "part"));
        self.topic = Some(TopicPlan {
            slug,
            title,
            label,
            weight,
            units: Vec::new(),
            tasks: 0,
            chars: 0,
            tree: String::new(),
        });
        if let Some(intro) = self.intro.take() {
            self.write_unit(intro, "yinyan", 0, "原文：引言".into(), "引言".into())?;
        }
        let mut u = UnitBuf::default();
        if !block.text().trim().is_empty() {
            add_block(&mut u, &block, true, None)?;
        }
        self.unit = Some(u);
        Ok(())
    }

    /// Writes the unit being filled; `last` when its part ends with it.
    fn flush_unit(&mut self, last: bool) -> Result<()> {
        let Some(u) = self.unit.take() else {
            return Ok(());
        };
        let Some(topic) = &self.topic else {
            return Ok(());
        };
        let n = topic
            .units
            .iter()
            .filter(|p| !p.key.ends_with("/yinyan"))
            .count()
            + 1;
        let short = topic
            .title
            .strip_prefix(&topic.label)
            .unwrap_or(&topic.title)
            .trim()
            .to_string();
        let label = topic.label.clone();
        let (slug, title, source) = if n == 1 && last {
            let source = if label.is_empty() {
                short.clone()
            } else {
                label
            };
            ("yuanwen".to_string(), format!("原文：{short}"), source)
        } else {
            let range = match (&u.first, &u.last) {
                (Some(a), Some(b)) if a != b => format!("{a}至{b}"),
                (Some(a), _) => a.clone(),
                _ => format!("之{}", super::outline::cn_numeral(n as u32)),
            };
            let slug = if n == 1 {
                "yuanwen".to_string()
            } else {
                format!("yuanwen-{n}")
            };
            let source = if label.is_empty() {
                range.clone()
            } else {
                format!("{label} {range}")
            };
            (slug, format!("原文：{short}（{range}）"), source)
        };
        self.write_unit(u, &slug, n as i64, title, source)
    }

    fn write_unit(
        &mut self,
        u: UnitBuf,
        slug: &str,
        weight: i64,
        title: String,
        source: String,
    ) -> Result<()> {
        let Some(topic) = &mut self.topic else {
            return Ok(());
        };
        let rel = PathBuf::from("content")
            .join(&topic.slug)
            .join(format!("{slug}.md"));
        let text = format!(
            "---\ntitle: {}\nweight: {weight}\nkind: original\nsource: {}\n---\n{}{}",
            quote(&title),
            quote(&source),
            u.markdown,
            u.notes
        );
        self.t.write(&rel, text.as_bytes())?;
        let expected = format!("{}{}", u.text, u.notes_text);
        let (units, shown) = match &self.t.staging {
            Some(staging) => verify::unit(staging, &rel, &self.place.file, &expected)?,
            None => {
                let (shown, units) = verify::shown_text(&format!("{}{}", u.markdown, u.notes));
                (units, shown)
            }
        };
        // The body's characters, then the notes' (the check above found them equal to the
        // expected text, so the count of the body's cuts them apart exactly).
        let shown = strip_marks(&squeeze(&shown));
        let body = squeeze(&strip_marks(&u.text)).chars().count();
        let cut = shown
            .char_indices()
            .nth(body)
            .map_or(shown.len(), |(i, _)| i);
        self.written[0].add(&shown[..cut]);
        self.written[1].add(&shown[cut..]);
        self.shown.push_str(&shown);
        let minutes = crate::markdown::estimate_minutes(units, self.t.reading_speed);
        let chars = squeeze(&strip_marks(&expected)).chars().count();
        topic.chars += chars;
        topic.tasks += u.tasks;
        self.chars += chars;
        self.unit_count += 1;
        if self.t.dry_run {
            let _ = writeln!(
                topic.tree,
                "  unit {}: {} ({} characters, {minutes} min)",
                source,
                rel.display(),
                thousands(chars)
            );
            for (id, heading, c) in &u.headings {
                let _ = writeln!(
                    topic.tree,
                    "    #{id} {heading} ({} characters)",
                    thousands(*c)
                );
            }
        }
        topic.units.push(UnitPlan {
            key: format!("{}/{slug}", topic.slug),
            minutes,
        });
        self.files.push(rel);
        Ok(())
    }

    fn finish_topic(&mut self) -> Result<()> {
        let Some(topic) = self.topic.take() else {
            return Ok(());
        };
        let minutes: u32 = topic.units.iter().map(|u| u.minutes).sum();
        let mut summary = format!("原文 {} 篇", topic.units.len());
        if topic.tasks > 0 {
            let _ = write!(summary, "，{} 项任务", topic.tasks);
        }
        let _ = write!(summary, "，约 {minutes} 分钟");
        let rel = PathBuf::from("content").join(&topic.slug).join("_index.md");
        let text = format!(
            "---\ntitle: {}\nweight: {}\nsummary: {}\n---\n",
            quote(&topic.title),
            topic.weight,
            quote(&summary)
        );
        self.t.write(&rel, text.as_bytes())?;
        if self.t.dry_run {
            let _ = writeln!(
                self.tree,
                "topic {}: content/{}/ ({} units, {} tasks, {} characters)\n{}",
                topic.title,
                topic.slug,
                topic.units.len(),
                topic.tasks,
                thousands(topic.chars),
                topic.tree.trim_end()
            );
        }
        self.files.push(rel);
        self.topics.push((topic.slug, topic.title, topic.units));
        Ok(())
    }

    /// The end: the last topic, the session, `site.yaml`, the checks, and the move.
    pub fn finish(
        mut self,
        site_title: &str,
        document: [TextHash; 2],
        reference: Option<&verify::Reference>,
        encoding: String,
    ) -> Result<Report> {
        self.flush_unit(true)?;
        self.finish_topic()?;
        for (i, what) in ["text", "notes' text"].iter().enumerate() {
            if !self.written[i].same_as(&document[i]) {
                bail!(
                    "the verbatim check failed: the units hold {} characters of {what}, the document {} (whitespace aside): a paragraph was lost or doubled; nothing was written (a bug of studysite import: please report it with the document)",
                    thousands(self.written[i].chars()),
                    thousands(document[i].chars())
                );
            }
        }
        if let Some(reference) = reference {
            let missing = reference.missing(&self.shown, &self.place.file);
            if !missing.is_empty() {
                bail!("{}", missing.join("\nerror: "));
            }
        }
        let session = self.session(site_title)?;
        let mut head = String::new();
        if self.t.new_site {
            let yaml = site_yaml(site_title);
            self.t.write(Path::new("site.yaml"), yaml.as_bytes())?;
            self.files.insert(0, PathBuf::from("site.yaml"));
            let _ = writeln!(head, "site {site_title}: site.yaml");
        }
        self.refuse_conflicts()?;
        if !self.t.dry_run {
            self.t.commit(&self.files)?;
        }
        let tree = format!("{head}{}{session}", self.tree);
        Ok(Report {
            topics: self.topics.len(),
            units: self.unit_count,
            characters: self.chars,
            encoding,
            warnings: Vec::new(),
            tree,
        })
    }

    /// The draft session: every original unit at its minutes, one discussion per topic, so
    /// that original text has at least the site's minimum share.
    fn session(&mut self, site_title: &str) -> Result<String> {
        let slug = format!("{}-draft", slug_of(site_title, "import"));
        let rel = PathBuf::from("content/sessions").join(format!("{slug}.md"));
        let mut blocks = String::new();
        let (mut original, mut discussion) = (0u32, 0u32);
        for (_, title, units) in &self.topics {
            let mut o = 0;
            for u in units {
                let _ = write!(blocks, "  - unit: {}\n    minutes: {}\n", u.key, u.minutes);
                o += u.minutes;
            }
            let d = discussion_minutes(o, self.t.min_share);
            if d > 0 {
                let _ = write!(
                    blocks,
                    "  - title: {}\n    kind: discussion\n    minutes: {d}\n",
                    quote(&format!("研讨：{title}"))
                );
            }
            original += o;
            discussion += d;
        }
        let text = format!(
            "---\ntitle: {}\ndate: {}\nblocks:\n{blocks}---\n{}",
            quote(&format!("{site_title}（班次草稿）")),
            crate::time::today(),
            SESSION_NOTICE
        );
        self.t.write(&rel, text.as_bytes())?;
        self.files.push(rel.clone());
        Ok(format!(
            "session (draft): {} ({} units, {} discussions; {original} of {} study minutes on the original text)\n",
            rel.display(),
            self.unit_count,
            self.topics.len(),
            original + discussion
        ))
    }

    /// Nothing existing is overwritten, and no topic is imported twice: list every clash.
    fn refuse_conflicts(&self) -> Result<()> {
        let mut clashes = Vec::new();
        for rel in &self.files {
            if self.t.root.join(rel).exists() {
                clashes.push(format!("  {} exists", rel.display()));
            }
        }
        for (_, title, _) in &self.topics {
            if let Some(index) = self.t.existing.get(&squeeze(title)) {
                clashes.push(format!(
                    "  the topic `{title}` exists ({})",
                    index.display()
                ));
            }
        }
        if clashes.is_empty() {
            return Ok(());
        }
        bail!(
            "`{}` already has what importing `{}` would write; nothing was changed:\n{}",
            self.t.shown.display(),
            self.place.file.display(),
            clashes.join("\n")
        )
    }
}

const SESSION_NOTICE: &str = "**这是草稿。** 本班次由 `studysite import` 按提纲生成：每个原文单元的时间按阅读速度估算，每个专题后留一段研讨。请改定标题、日期、地点和参训对象，加上开班、解读、研讨题和测试等安排；原原本本学习原文的时间要保持在三分之一以上（`studysite check` 会核对）。\n";

/// Discussion minutes for a topic of `original` minutes: as long as the reading when the
/// rule allows it (share 50 %), less when the site asks for more than half.
fn discussion_minutes(original: u32, min_share: f64) -> u32 {
    if min_share <= 0.5 {
        return original;
    }
    if min_share >= 1.0 {
        return 0;
    }
    ((f64::from(original) * (1.0 - min_share) / min_share).floor() as u32).saturating_sub(1)
}

/// Adds a block's Markdown to a unit; returns the image file name for an image block.
fn add_block(
    u: &mut UnitBuf,
    block: &Block,
    bold: bool,
    image: Option<usize>,
) -> Result<Option<String>> {
    if let BlockKind::Note(note) = &block.kind {
        add_note(u, note);
        return Ok(None);
    }
    let text = strip_marks(&block.text());
    u.text.push_str(&text);
    let n = crate::markdown::reading_units(&text);
    u.units += n;
    if let Some(h) = u.headings.last_mut() {
        h.2 += squeeze(&text).chars().count();
    }
    match &block.kind {
        BlockKind::Para(p) => {
            let md = if bold {
                format!("**{}**", escape_inline(block.text().trim()))
            } else {
                para_markdown(p)
            };
            u.markdown.push_str(&escape_line_start(&md));
            u.markdown.push_str("\n\n");
            Ok(None)
        }
        BlockKind::Table(rows) => {
            u.markdown.push_str(&table_markdown(rows));
            u.markdown.push('\n');
            Ok(None)
        }
        BlockKind::Image(img) => {
            let name = format!("tu-{}.{}", image.unwrap_or(1), img.ext);
            let _ = write!(u.markdown, "![]({name})\n\n");
            Ok(Some(name))
        }
        BlockKind::Quote(paras) => {
            let lines: Vec<String> = paras
                .iter()
                .map(|p| format!("> {}", escape_line_start(&para_markdown(p))))
                .collect();
            u.markdown.push_str(&lines.join("\n>\n"));
            u.markdown.push_str("\n\n");
            Ok(None)
        }
        BlockKind::Note(_) => Ok(None),
    }
}

/// A footnote or endnote: its definition at the unit's end (`[^n]: …`, a paragraph after the
/// first indented), its text after the unit's.
fn add_note(u: &mut UnitBuf, note: &super::Note) {
    let paras: Vec<String> = note
        .paras
        .iter()
        .map(|p| escape_line_start(&para_markdown(p)))
        .filter(|p| !p.is_empty())
        .collect();
    let body = if paras.is_empty() {
        // A note without text still needs its definition, or the reference shows `[^n]`.
        "\u{3000}".to_string()
    } else {
        paras.join("\n\n    ")
    };
    let _ = write!(u.notes, "[^{}]: {body}\n\n", note.index + 1);
    for p in &note.paras {
        let t = strip_marks(&p.text());
        u.units += crate::markdown::reading_units(&t);
        u.notes_text.push_str(&t);
    }
}

/// A line of the title block shown bold: short, and not a sentence.
fn is_title_line(block: &Block) -> bool {
    let t = block.text();
    let t = t.trim();
    matches!(block.kind, BlockKind::Para(_))
        && t.chars().count() <= 40
        && !t.contains(['。', '，', '；', '：', '！', '？'])
}

fn para_markdown(p: &Para) -> String {
    let mut out = String::new();
    for s in &p.spans {
        let t = s.text.replace(['\t', '\n', '\r'], " ");
        if s.bold && !t.trim().is_empty() {
            let lead = &t[..t.len() - t.trim_start().len()];
            let trail = &t[t.trim_end().len()..];
            let _ = write!(out, "{lead}**{}**{trail}", escape_inline(t.trim()));
        } else {
            out.push_str(&escape_inline(&t));
        }
    }
    out.trim().to_string()
}

fn table_markdown(rows: &[Vec<String>]) -> String {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        out.push('|');
        for k in 0..width {
            let cell = row.get(k).map_or("", String::as_str);
            let _ = write!(
                out,
                " {} |",
                escape_inline(cell.replace(['\t', '\n', '\r'], " ").trim())
            );
        }
        out.push('\n');
        if i == 0 {
            out.push('|');
            out.push_str(&" --- |".repeat(width));
            out.push('\n');
        }
    }
    out
}

/// Escapes what Markdown would read as markup inside a line; a note's mark becomes its
/// reference (`[^n]`).
fn escape_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if let Some(i) = super::marked_note(c) {
            let _ = write!(out, "[^{}]", i + 1);
            continue;
        }
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '!' | '$'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes what Markdown would read as a block marker at the start of a line (`#`, `-`, `1.`).
fn escape_line_start(s: &str) -> String {
    let first = s.chars().next();
    if matches!(first, Some('#' | '-' | '+' | '=' | '>')) {
        return format!("\\{s}");
    }
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && matches!(s.as_bytes().get(digits), Some(b'.' | b')')) {
        return format!("{}\\{}", &s[..digits], &s[digits..]);
    }
    s.to_string()
}

fn escape_heading(s: &str) -> String {
    let e = escape_inline(s).replace('#', "\\#").replace('{', "\\{");
    escape_line_start(&e)
}

/// A YAML string (JSON's double-quoted strings are YAML too); notes' marks left out.
fn quote(s: &str) -> String {
    let s = strip_marks(s);
    serde_json::to_string(&s).unwrap_or_else(|_| format!("{s:?}"))
}

/// An ASCII slug for a Chinese title: the pinyin of its first two Chinese characters.
pub fn slug_of(title: &str, fallback: &str) -> String {
    let mut out = String::new();
    for p in title.to_pinyin().flatten().take(2) {
        out.extend(
            p.plain()
                .chars()
                .map(|c| if c == 'ü' { 'v' } else { c })
                .filter(char::is_ascii_alphanumeric),
        );
    }
    if out.is_empty() {
        out = title
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(12)
            .collect::<String>()
            .to_ascii_lowercase();
    }
    if out.is_empty() {
        fallback.to_string()
    } else {
        out
    }
}

/// `site.yaml` of a new site: the starter's, titled after the document.
fn site_yaml(title: &str) -> String {
    let starter = crate::assets::STARTER_SITE
        .iter()
        .find(|(p, _)| *p == "site.yaml")
        .map_or("", |(_, t)| *t);
    let mut out = String::new();
    for line in starter.lines() {
        if line.starts_with("title:") {
            let _ = writeln!(out, "title: {}", quote(title));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// `12345` → `12,345`.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_pinyin_of_the_first_two_characters() {
        assert_eq!(slug_of("推动基层党组织", "x"), "tuidong");
        assert_eq!(slug_of("深入推进抓党建", "x"), "shenru");
        assert_eq!(slug_of("Party work", "x"), "partywork");
        assert_eq!(slug_of("——", "part"), "part");
    }

    #[test]
    fn civil_dates() {
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
