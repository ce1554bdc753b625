//! Offline full-text search: an index written as JavaScript files, so it loads from file://.
//!
//! Pages cannot `fetch()` local files when opened from a USB stick, so every piece of search
//! data is a `.js` file that registers itself through one global callback
//! (`window.__studysiteSearch`); `static/search.js` inserts `<script>` tags for the pieces a
//! query needs, which works from file:// and over HTTP alike. Files, below `search/`:
//!
//! - `index.js` — the manifest: format version, number of index shards, where each document
//!   chunk starts, topic titles, and each document's title, topic and path. Loaded when the
//!   reader first focuses the search box, not on every page view (its size by site size is in
//!   BENCHMARKS.md, "search").
//! - `i/<n>.js` — index shard `n`: token → posting list, for the tokens whose hash falls in the
//!   shard. A query loads only the shards of its own tokens, ranks from them alone and lists
//!   its results at once (titles are in the manifest).
//! - `d/<n>.js` — document chunk `n`: the plain text of each section (anchor, heading, text) of
//!   a run of consecutive documents. Loaded next, only for the best dozen candidates, to rank
//!   them on their text (terms as written, side by side), pick the passage the link goes to and
//!   build the snippet. The text of the site is shipped once, here; the index holds no text.
//!
//! Every script file costs a browser a few milliseconds however small it is (BENCHMARKS.md,
//! "search", has the figures from file://), so a query touches few files: one shard per
//! token, at most a dozen chunks.
//!
//! A document is a unit or a topic page: its title, the sections of its body, and its summary
//! and (a unit's) tags from the front matter, shipped and indexed as one more section, last,
//! with neither heading nor anchor (so a result found there links to the top of the page).
//! Quiz text is not indexed.
//!
//! ## Tokens: no dictionary
//!
//! Chinese is written without spaces and a segmenting dictionary (jieba's is ~5 MB) would
//! dwarf the site, miss the political vocabulary of the material (“三会一课”, “软弱涣散”) and
//! split some of it wrongly. So every run of CJK characters is indexed as its single
//! characters plus its overlapping bigrams (“三会一课” → 三 会 一 课 三会 会一 一课); a query of
//! two or more characters looks up only its bigrams, a one-character query its character.
//! Runs of other letters and digits are words (“2018”, “5g”), indexed whole and by their
//! beginnings of 2 to 12 characters ([`word_prefixes`]: “2018” also under “20” and “201”), so
//! that typing “201” finds “2018”; a beginning shares the token, and the posting list, of the
//! word written so, and a posting bit tells a document that has only longer words starting
//! with it (ranked below whole words). A query word of more than 12 characters finds only
//! itself. Before tokenising, full-width
//! ASCII forms (U+FF01–FF5E, the ideographic space) become half-width and ASCII letters are
//! lower-cased, on both sides — a one-to-one mapping of UTF-16 code units, so offsets in folded
//! text are offsets in the original (the snippet highlighter relies on it).
//!
//! The trade-off: bigrams find every occurrence (perfect recall, no out-of-vocabulary words)
//! but also documents where the bigrams of a term occur apart (“第一” … “书记”), and a posting
//! list per bigram is larger than per word. Precision is restored in the browser: the best
//! candidates by the index are re-ranked on their text, where a term that occurs as written
//! (adjacent characters) scores far above one whose bigrams are scattered. Size is kept down
//! by indexing at document granularity (which section matched is found in the text) and by a
//! compact posting encoding (below).
//!
//! ## Posting lists
//!
//! One string per token, a sequence of variable-length numbers: 5 bits per character from the
//! base64url alphabet, the upper half of the alphabet meaning “more digits follow”. Each number
//! is `(gap - 1) << b | fields`, where `gap` is the distance to the previous document id (the
//! first counts from -1) and `fields` has bit 0 = in a heading, bit 1 = in the title (body
//! text is implied). A CJK token's list has `b` = 2; a word's has `b` = 3, bit 2 = prefix
//! only: the document has the word only as the beginning of longer words (its heading and
//! title bits are then those of the longer words). `search.js` tells the two kinds by the
//! token's first character. A token found in most documents costs one character per document.
//!
//! ## Build cost
//!
//! Tokens are 64-bit keys (a CJK character, a pair of them, or a hash of a word), so no string
//! is allocated per token. Documents are tokenised in parallel in batches (bounded memory);
//! each batch is then merged into the shards in parallel, every worker owning a range of
//! shards. The files are then encoded in parallel (each shard freed once encoded, the document
//! chunks after the shards) and handed to the output sink by one writer thread, through a
//! short queue: the files of one folder cannot be created in parallel (the kernel locks the
//! folder for each creation, and a second writer only spins on the lock), but they can be
//! written while the workers encode the next ones. Making the chunks while the index is built
//! was measured too: no faster, and the peak memory higher (index and chunk writing at once).
//! Files are few and large, about [`SHARD_TARGET`] and [`CHUNK_TARGET`]: creating a file costs
//! the build more than its bytes do.
//!
//! `build` starts from the previous build's files ([`write_reusing`]): a document chunk whose
//! documents are unchanged is the previous file, and after an edit only the edited documents
//! are tokenised and only the index shards where their postings changed are made ([`delta`]).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::markdown::{Rendered, TextSection, TextSpill, is_cjk};
use crate::model::Site;

mod delta;
pub use delta::IndexState;

/// Version of the files' format (the manifest's `v`); `search.js` checks it. 2: word
/// prefixes, and the prefix bit in the postings of words.
pub const FORMAT: u32 = 2;
/// Folder of the search files below the site root.
pub const DIR: &str = "search";

const FIELD_HEADING: u8 = 1;
const FIELD_TITLE: u8 = 2;
/// Marks a token seen in body text (not encoded: every posting implies some field).
const FIELD_BODY: u8 = 4;
/// A word token seen only as the beginning of longer words in the document, never as a
/// whole word: bit 2 of a word's posting (CJK postings have two bits, see the module doc).
const FIELD_PREFIX: u8 = 4;
/// Building only: a word token seen as the beginning of a longer word, and seen as a whole
/// word. A posting is prefix-only when it has the first and not the second.
const SEEN_PREFIX: u8 = 8;
const SEEN_WHOLE: u8 = 16;

/// Words are also indexed by their beginnings of [`MIN_PREFIX`] to [`MAX_PREFIX`] characters
/// (“2018” under “20” and “201”), so that a query finds longer words that start with it.
pub const MIN_PREFIX: usize = 2;
pub const MAX_PREFIX: usize = 12;

/// Target size of one index shard and of one document chunk, in bytes. A query's cost in the
/// browser is the number of script files it loads, not their bytes (see BENCHMARKS.md), and
/// every file costs the build an inode, so files are large.
const SHARD_TARGET: usize = 48 * 1024;
const CHUNK_TARGET: usize = 48 * 1024;
/// Documents tokenised per batch (bounds the memory of the token lists, ~2 MB per 64
/// documents of the 10,000-unit corpus).
const BATCH: usize = 64;

/// Folds one character for search: full-width ASCII forms and the ideographic space to their
/// half-width forms, ASCII letters to lower case. One code unit in, one out (see module doc).
pub fn fold(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    c.to_ascii_lowercase()
}

/// One search token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok<'a> {
    Char(char),
    Bigram(char, char),
    Word(&'a str),
    /// The beginning of a longer word ([`word_prefixes`]): the same key and posting list as
    /// the word of that text, with the prefix bit when the document has it as a prefix only.
    Prefix(&'a str),
}

/// The beginnings of `w` that are indexed besides the word itself: from [`MIN_PREFIX`] to
/// [`MAX_PREFIX`] characters, shorter than `w`.
pub fn word_prefixes(w: &str) -> impl Iterator<Item = &str> {
    w.char_indices()
        .skip(MIN_PREFIX)
        .take(MAX_PREFIX + 1 - MIN_PREFIX)
        .map(move |(i, _)| &w[..i])
}

impl Tok<'_> {
    /// The token as text (what the shard files use as keys).
    pub fn text(&self) -> String {
        match *self {
            Tok::Char(c) => c.to_string(),
            Tok::Bigram(a, b) => [a, b].iter().collect(),
            Tok::Word(w) | Tok::Prefix(w) => w.to_string(),
        }
    }

    /// A 64-bit key: the characters themselves for CJK tokens, a hash for words.
    fn key(&self) -> u64 {
        match *self {
            Tok::Char(c) => c as u64,
            Tok::Bigram(a, b) => (1 << 62) | ((a as u64) << 21) | b as u64,
            Tok::Word(w) | Tok::Prefix(w) => word_key(w),
        }
    }

    /// A 32-bit hash of the token's code points ([`fnv32`]); `search.js` computes the same.
    fn hash(&self) -> u32 {
        match *self {
            Tok::Char(c) => fnv32(std::iter::once(c)),
            Tok::Bigram(a, b) => fnv32([a, b].into_iter()),
            Tok::Word(w) | Tok::Prefix(w) => fnv32(w.chars()),
        }
    }
}

/// FNV-1a over code points, then MurmurHash3's finaliser (FNV's low bits, which pick the shard,
/// depend only on the inputs' low bits).
fn fnv32(chars: impl Iterator<Item = char>) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for c in chars {
        h ^= c as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

fn word_key(w: &str) -> u64 {
    (2 << 62) | (fnv64(w) >> 2)
}

/// Is `key` a word's (or prefix's)? Their postings carry the prefix bit.
fn is_word_key(key: u64) -> bool {
    key >> 62 == 2
}

fn fnv64(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Is `c` part of a word (letters and digits that are not CJK)?
fn is_word_char(c: char) -> bool {
    match c as u32 {
        0..=0x7F => c.is_ascii_alphanumeric(),
        // General punctuation and CJK punctuation (、。《》【】…): never letters or digits, and
        // Unicode's alphabetic table is slow to consult. (Not all of U+3000–303F: 々 and 〇
        // are a letter and a number; full-width forms are folded to ASCII before this.)
        0x2000..=0x206F | 0x3000..=0x3004 | 0x3008..=0x3020 => false,
        _ => c.is_alphanumeric() && !is_cjk(c),
    }
}

/// Receives the tokens of a text from [`tokenize_into`]. The index builder implements it
/// directly rather than through a closure taking a [`Tok`]: each kind of token then has code
/// of its own, inlined into the tokeniser's loop, instead of matching on the token again.
trait TokenSink {
    /// A CJK character, and the one before it when they are neighbours (their bigram comes
    /// right after the character in [`tokenize`]'s order).
    fn cjk(&mut self, c: char, prev: Option<char>);
    /// A word (never empty).
    fn word(&mut self, w: &str);
}

/// Calls `f` with every token of `text` (after [`fold`]): each CJK character and each pair of
/// neighbouring CJK characters, and each word followed by its [`word_prefixes`]. `word` is
/// scratch space for words.
pub fn tokenize(text: &str, word: &mut String, f: impl FnMut(Tok<'_>)) {
    struct Each<F>(F);
    impl<F: FnMut(Tok<'_>)> TokenSink for Each<F> {
        fn cjk(&mut self, c: char, prev: Option<char>) {
            (self.0)(Tok::Char(c));
            if let Some(p) = prev {
                (self.0)(Tok::Bigram(p, c));
            }
        }
        fn word(&mut self, w: &str) {
            (self.0)(Tok::Word(w));
            word_prefixes(w).for_each(|p| (self.0)(Tok::Prefix(p)));
        }
    }
    tokenize_into(text, word, &mut Each(f));
}

/// The character starting at byte `i` of `text`, and its length. Decodes three-byte
/// sequences (U+0800–FFFF, where all of the main CJK blocks are) and ASCII itself: `chars()`'s
/// decoder, for any length, was a fifth of the tokeniser's instructions.
#[inline(always)]
fn next_char(text: &str, i: usize) -> (char, usize) {
    match text.as_bytes()[i..] {
        [b, ..] if b < 0x80 => (b as char, 1),
        // `text` is valid UTF-8: two continuation bytes follow, and no surrogate is encoded
        // (so `from_u32` never fails).
        [b, b1, b2, ..] if b & 0xF0 == 0xE0 => {
            let c = (b as u32 & 0x0F) << 12 | (b1 as u32 & 0x3F) << 6 | (b2 as u32 & 0x3F);
            (char::from_u32(c).unwrap_or_default(), 3)
        }
        _ => {
            let c = text[i..].chars().next().unwrap_or_default();
            (c, c.len_utf8())
        }
    }
}

/// [`tokenize`], handing the tokens to `sink`.
fn tokenize_into(text: &str, word: &mut String, sink: &mut impl TokenSink) {
    let mut prev_cjk: Option<char> = None;
    word.clear();
    let mut i = 0;
    while i < text.len() {
        let (c, len) = next_char(text, i);
        i += len;
        // CJK characters, most of the text, skip `fold`: it leaves them as they are and folds
        // nothing into them. Most are in the main block, tested first.
        if (0x4E00..=0x9FFF).contains(&(c as u32)) || is_cjk(c) {
            if !word.is_empty() {
                sink.word(word);
                word.clear();
            }
            sink.cjk(c, prev_cjk);
            prev_cjk = Some(c);
        } else {
            let c = fold(c);
            prev_cjk = None;
            if is_word_char(c) {
                word.push(c);
            } else if !word.is_empty() {
                sink.word(word);
                word.clear();
            }
        }
    }
    if !word.is_empty() {
        sink.word(word);
        word.clear();
    }
}

/// The tokens a query term is looked up by: its bigrams (or its character, for a single one)
/// and its words — the rule `search.js` follows.
pub fn query_tokens(term: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let folded: Vec<char> = term.chars().map(fold).collect();
    let mut i = 0;
    while i < folded.len() {
        let c = folded[i];
        if is_cjk(c) {
            let start = i;
            while i < folded.len() && is_cjk(folded[i]) {
                i += 1;
            }
            let run = &folded[start..i];
            if run.len() == 1 {
                out.push(run[0].to_string());
            } else {
                out.extend(run.windows(2).map(|w| w.iter().collect::<String>()));
            }
        } else if is_word_char(c) {
            let start = i;
            while i < folded.len() && is_word_char(folded[i]) {
                i += 1;
            }
            out.push(folded[start..i].iter().collect());
        } else {
            i += 1;
        }
    }
    out.dedup();
    out
}

/// A document to index: a unit or a topic page.
struct Doc<'a> {
    title: &'a str,
    /// Index of the unit's topic; `None` for a topic page.
    topic: Option<usize>,
    path: &'a str,
    /// The body's sections; without their text while it is parked ([`Doc::restore`]).
    body: &'a [TextSection],
    rendered: &'a Rendered,
    /// The text of each section of `body`, read back from where it was parked.
    restored: Option<Vec<String>>,
    /// The key of the Markdown `body` was rendered from, when it came through a cache
    /// ([`crate::markdown::Rendered::source`]): the body is a function of it.
    source: Option<&'a blake3::Hash>,
    /// The summary and tags from the front matter, as a last section with no heading and no
    /// anchor (a result found there links to the top of the page).
    about: Option<TextSection>,
}

/// A section of a document as indexed and shipped.
#[derive(Clone, Copy)]
struct Section<'a> {
    anchor: Option<&'a str>,
    heading: &'a str,
    text: &'a str,
}

impl<'a> Section<'a> {
    fn of(s: &'a TextSection) -> Section<'a> {
        Section {
            anchor: s.anchor.as_deref(),
            heading: &s.heading,
            text: &s.text,
        }
    }
}

impl Doc<'_> {
    /// The sections as indexed and shipped: the body's, then the summary and tags.
    fn sections(&self) -> impl Iterator<Item = Section<'_>> {
        let body = self.body.iter().enumerate().map(|(i, s)| Section {
            text: self.restored.as_ref().map_or(&s.text[..], |t| &t[i]),
            ..Section::of(s)
        });
        body.chain(self.about.as_ref().map(Section::of))
    }

    /// Whether the body's text is still parked ([`Doc::restore`]).
    fn parked(&self) -> bool {
        self.restored.is_none() && self.rendered.parked.is_some()
    }

    /// The length in bytes of the sections' text, parked or not.
    fn text_len(&self) -> usize {
        let about = self.about.as_ref().map_or(0, |s| s.text.len());
        match (self.parked(), &self.rendered.parked) {
            (true, Some(parked)) => parked.text_len() + about,
            _ => self.sections().map(|s| s.text.len()).sum(),
        }
    }

    /// Reads the body's parked text back from `spill` (`build` parks every body's text while
    /// it renders the pages, [`crate::markdown::spill`]); the text of a body that is not
    /// parked is where it was.
    fn restore(&mut self, spill: Option<&TextSpill>) -> anyhow::Result<()> {
        if self.parked() {
            let spill = spill.ok_or_else(|| {
                anyhow::anyhow!("a body's text is parked, and no spill was given")
            })?;
            self.restored = Some(spill.restored_texts(self.rendered)?);
        }
        Ok(())
    }
}

/// Restores the parked text ([`Doc::restore`]) of the documents `which` picks.
fn restore(
    docs: &mut [Doc<'_>],
    which: impl Fn(usize) -> bool + Sync,
    spill: Option<&TextSpill>,
) -> anyhow::Result<()> {
    (docs.par_iter_mut().enumerate())
        .filter(|(i, d)| d.parked() && which(*i))
        .try_for_each(|(_, d)| d.restore(spill))
}

/// The section of a summary and tags: the summary, then the tags on a line of their own.
fn about(summary: &str, tags: &[String]) -> Option<TextSection> {
    let mut text = summary.trim().to_string();
    if !tags.is_empty() {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&tags.join("、"));
    }
    (!text.is_empty()).then(|| TextSection {
        anchor: None,
        heading: String::new(),
        text,
    })
}

fn docs(site: &Site) -> Vec<Doc<'_>> {
    let units = site.units.iter().map(|u| Doc {
        title: &u.title,
        topic: Some(u.topic),
        path: &u.path,
        body: &u.body.sections,
        rendered: &u.body,
        restored: None,
        source: u.body.source.as_ref(),
        about: about(&u.summary, &u.tags),
    });
    let topics = site.topics.iter().map(|t| Doc {
        title: &t.title,
        topic: None,
        path: &t.path,
        body: &t.body.sections,
        rendered: &t.body,
        restored: None,
        source: t.body.source.as_ref(),
        about: about(&t.summary, &[]),
    });
    units.chain(topics).collect()
}

/// A distinct token of one document: key, shard, fields.
#[derive(Clone, Copy)]
struct DocToken {
    key: u64,
    shard: u32,
    fields: u8,
}

/// The distinct tokens of one document, by the merge worker owning their shard, and the text
/// of its words.
struct DocTokens {
    by_worker: Vec<Vec<DocToken>>,
    words: Vec<(u64, String)>,
}

#[derive(Clone, Copy, Default)]
struct Slot {
    key: u64,
    stamp: u32,
    /// At most 4096 shards.
    shard: u16,
    fields: u8,
}

/// A reusable set of one document's tokens: a slot is live when its stamp is the current
/// generation, so moving to the next document clears nothing.
struct Dedup {
    /// Open addressing, for bigrams, words and the characters outside [`CHAR_TABLE`].
    slots: Vec<Slot>,
    /// Below 2^29, so that it fits beside the fields in `chars`.
    generation: u32,
    live: Vec<u32>,
    /// Single characters of the main CJK blocks, indexed directly (no hashing): half of all
    /// tokens are single characters. Each is `generation << 3 | fields`: the key is the index
    /// and the shard is computed for the live ones at the end, so the table is 4 bytes a
    /// character (110 KB, which stays in the cache; slots would be 440 KB).
    chars: Vec<u32>,
    live_chars: Vec<u32>,
}

const CHAR_TABLE: std::ops::RangeInclusive<u32> = 0x3400..=0x9FFF;
const GENERATIONS: u32 = 1 << 29;

thread_local! {
    /// One per worker thread: rayon's `map_init` would make one per split job, and these
    /// tables are some hundreds of kilobytes.
    static DEDUP: std::cell::RefCell<Dedup> = std::cell::RefCell::new(Dedup::new());
}

impl Dedup {
    fn new() -> Dedup {
        Dedup {
            slots: vec![Slot::default(); 1 << 13],
            generation: 0,
            live: Vec::with_capacity(1 << 12),
            chars: vec![0; (CHAR_TABLE.end() - CHAR_TABLE.start() + 1) as usize],
            live_chars: Vec::with_capacity(1 << 11),
        }
    }

    fn next_document(&mut self) {
        self.live.clear();
        self.live_chars.clear();
        self.generation += 1;
        if self.generation == GENERATIONS {
            self.slots.iter_mut().for_each(|s| s.stamp = 0);
            self.chars.fill(0);
            self.generation = 1;
        }
    }

    fn slot_of(&self, key: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut h = key ^ (key >> 33);
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        let mut i = h as usize & mask;
        loop {
            let s = &self.slots[i];
            if s.stamp != self.generation || s.key == key {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// Adds an occurrence of a single character.
    #[inline(always)]
    fn add_char(&mut self, c: char, field: u8, shard: impl FnOnce() -> u32) {
        let i = (c as u32).wrapping_sub(*CHAR_TABLE.start()) as usize;
        match self.chars.get_mut(i) {
            Some(s) => {
                if *s >> 3 != self.generation {
                    *s = self.generation << 3;
                    self.live_chars.push(i as u32);
                }
                *s |= field as u32;
            }
            None => self.add(c as u64, field, shard),
        }
    }

    /// Adds an occurrence of any other token; `shard` is called for its first occurrence
    /// only.
    #[inline(always)]
    fn add(&mut self, key: u64, field: u8, shard: impl FnOnce() -> u32) {
        let i = self.slot_of(key);
        let s = &mut self.slots[i];
        if s.stamp == self.generation {
            s.fields |= field;
            return;
        }
        *s = Slot {
            key,
            stamp: self.generation,
            shard: shard() as u16,
            fields: field,
        };
        self.live.push(i as u32);
        if self.live.len() * 2 >= self.slots.len() {
            self.grow();
        }
    }

    /// The number of live tokens.
    fn len(&self) -> usize {
        self.live.len() + self.live_chars.len()
    }

    /// The live tokens: (key, shard, fields).
    fn tokens(&self, shard_mask: u32) -> impl Iterator<Item = (u64, u32, u8)> + '_ {
        let table = self.live.iter().map(|&i| {
            let s = &self.slots[i as usize];
            (s.key, s.shard as u32, s.fields)
        });
        let chars = self.live_chars.iter().map(move |&i| {
            let c = char::from_u32(CHAR_TABLE.start() + i).unwrap_or_default();
            let fields = (self.chars[i as usize] & 7) as u8;
            (c as u64, Tok::Char(c).hash() & shard_mask, fields)
        });
        table.chain(chars)
    }

    #[cold]
    fn grow(&mut self) {
        let old: Vec<Slot> = self.live.iter().map(|&i| self.slots[i as usize]).collect();
        self.slots = vec![Slot::default(); self.slots.len() * 2];
        self.live.clear();
        for e in old {
            let i = self.slot_of(e.key);
            self.slots[i] = e;
            self.live.push(i as u32);
        }
    }
}

/// Collects one document's tokens into a [`Dedup`], for [`tokenize_into`].
struct DocSink<'a> {
    dedup: &'a mut Dedup,
    /// The field of the text being tokenised.
    field: u8,
    shard_mask: u32,
    /// The text of each distinct word.
    words: Vec<(u64, String)>,
}

impl TokenSink for DocSink<'_> {
    #[inline(always)]
    fn cjk(&mut self, c: char, prev: Option<char>) {
        let (field, mask) = (self.field, self.shard_mask);
        self.dedup.add_char(c, field, || Tok::Char(c).hash() & mask);
        if let Some(p) = prev {
            let t = Tok::Bigram(p, c);
            self.dedup.add(t.key(), field, || t.hash() & mask);
        }
    }

    fn word(&mut self, w: &str) {
        let (field, mask, words) = (self.field, self.shard_mask, &mut self.words);
        let whole = std::iter::once((w, SEEN_WHOLE));
        let prefixes = word_prefixes(w).map(|p| (p, SEEN_PREFIX));
        for (text, seen) in whole.chain(prefixes) {
            let t = Tok::Word(text);
            let key = t.key();
            // The closure runs on a token's first occurrence in the document only, so its text
            // is kept once per document without searching `words`.
            self.dedup.add(key, field | seen, || {
                words.push((key, text.to_string()));
                t.hash() & mask
            });
        }
    }
}

/// Tokenises one document (title, headings, text) into its distinct tokens with the fields
/// they occur in, grouped by merge worker (`per_worker` shards each, `workers` of them).
fn doc_tokens(
    doc: &Doc<'_>,
    dedup: &mut Dedup,
    shard_mask: u32,
    per_worker: u32,
    workers: usize,
) -> DocTokens {
    dedup.next_document();
    let mut sink = DocSink {
        dedup,
        field: FIELD_TITLE,
        shard_mask,
        words: Vec::new(),
    };
    let mut scratch = String::new();
    tokenize_into(doc.title, &mut scratch, &mut sink);
    for s in doc.sections() {
        sink.field = FIELD_HEADING;
        tokenize_into(s.heading, &mut scratch, &mut sink);
        sink.field = FIELD_BODY;
        tokenize_into(s.text, &mut scratch, &mut sink);
    }
    let DocSink { dedup, words, .. } = sink;
    // Straight into a list per worker, with room for an even share and some (the shards are
    // hashed): a counting sort into one list cost as much again as collecting the tokens.
    let share = dedup.len().div_ceil(workers);
    let mut by_worker: Vec<Vec<DocToken>> = (0..workers)
        .map(|_| Vec::with_capacity(share + share / 8 + 16))
        .collect();
    dedup.tokens(shard_mask).for_each(|(key, shard, fields)| {
        by_worker[(shard / per_worker) as usize].push(DocToken { key, shard, fields });
    });
    DocTokens { by_worker, words }
}

/// A multiplicative hasher for the 64-bit token keys (std's SipHash is several times slower
/// here and hash flooding is no concern for a build).
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(5) ^ *b as u64).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ (n >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

/// One posting list being encoded.
#[derive(Default)]
struct Postings {
    data: Vec<u8>,
    /// Previous document id + 1 (0: none yet).
    next: u32,
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn push_number(out: &mut Vec<u8>, mut v: u64) {
    while v >= 32 {
        out.push(ALPHABET[32 + (v & 31) as usize]);
        v >>= 5;
    }
    out.push(ALPHABET[v as usize]);
}

/// Number of field bits in the postings of a token: 3 for words (heading, title, prefix), 2
/// for CJK tokens (heading, title).
fn field_bits(key: u64) -> u32 {
    if is_word_key(key) { 3 } else { 2 }
}

/// The value of each base64url character of a posting list; 64 for any other byte.
const DIGIT: [u8; 256] = {
    let mut t = [64; 256];
    let mut i = 0;
    while i < 64 {
        t[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// The postings of a list with `bits` field bits, in order: (document id, fields). Stops at a
/// byte outside the alphabet, and says so ([`PostingIter::damaged`]).
struct PostingIter<'a> {
    bytes: std::slice::Iter<'a, u8>,
    bits: u32,
    doc: i64,
    damaged: bool,
}

impl<'a> PostingIter<'a> {
    fn new(s: &'a str, bits: u32) -> Self {
        PostingIter {
            bytes: s.as_bytes().iter(),
            bits,
            doc: -1,
            damaged: false,
        }
    }
}

impl Iterator for PostingIter<'_> {
    type Item = (u32, u8);

    fn next(&mut self) -> Option<(u32, u8)> {
        let (mut v, mut shift) = (0u64, 0u32);
        for &b in self.bytes.by_ref() {
            let d = DIGIT[b as usize] as u64;
            if d == 64 || shift > 60 {
                self.damaged = true;
                return None;
            }
            if d >= 32 {
                v |= (d - 32) << shift;
                shift += 5;
            } else {
                v |= d << shift;
                self.doc += (v >> self.bits) as i64 + 1;
                return Some((self.doc as u32, (v & ((1 << self.bits) - 1)) as u8));
            }
        }
        // A list ends with a last digit; one that stops inside a number is damaged.
        self.damaged |= shift > 0;
        None
    }
}

/// Decodes a posting list (for tests and tools) with `bits` field bits (3 for a word's, 2 for
/// a CJK token's): (document id, fields). Stops at the first byte outside the alphabet.
pub fn decode_postings(s: &str, bits: u32) -> Vec<(u32, u8)> {
    PostingIter::new(s, bits).collect()
}

/// The fields a posting stores for a token seen in `fields` of a document (with the
/// `SEEN_*` bits): heading and title, and the prefix bit for a word seen only as the beginning
/// of longer words.
fn posting_fields(fields: u8) -> u8 {
    let mut f = fields & (FIELD_HEADING | FIELD_TITLE);
    if fields & (SEEN_PREFIX | SEEN_WHOLE) == SEEN_PREFIX {
        f |= FIELD_PREFIX;
    }
    f
}

impl Postings {
    /// Adds a document, with the fields a token was seen in, in a list of `bits` field bits
    /// ([`field_bits`]).
    fn add(&mut self, doc: u32, fields: u8, bits: u32) {
        self.push(doc, posting_fields(fields), bits);
    }

    /// Adds a document with the fields as stored ([`posting_fields`]); documents come in
    /// increasing order.
    fn push(&mut self, doc: u32, f: u8, bits: u32) {
        let gap = doc + 1 - self.next;
        if self.data.capacity() - self.data.len() < 8 {
            // Grow by a quarter, not double: the lists are most of the builder's memory. (An
            // eighth made twice the reallocations, a fifth of the merge's instructions, and
            // the build's peak memory is not here.)
            self.data.reserve_exact(self.data.len() / 4 + 16);
        }
        push_number(&mut self.data, (((gap - 1) as u64) << bits) | f as u64);
        self.next = doc + 1;
    }
}

#[derive(Default)]
struct Shard {
    tokens: KeyMap<Postings>,
}

/// Writes `s` as a JSON string literal that is also safe inside HTML `<script>` and in every
/// JavaScript engine (`<`, `>`, `&`, U+2028 and U+2029 are escaped).
fn push_json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let mut last = 0;
    for (i, c) in s.char_indices() {
        if c > '\u{2029}' {
            continue; // CJK, the bulk of the text: nothing to escape.
        }
        let esc: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '<' => Some("\\u003c"),
            '>' => Some("\\u003e"),
            '&' => Some("\\u0026"),
            '\u{2028}' => Some("\\u2028"),
            '\u{2029}' => Some("\\u2029"),
            c if (c as u32) < 0x20 => None,
            _ => continue,
        };
        out.extend_from_slice(&s.as_bytes()[last..i]);
        match esc {
            Some(e) => out.extend_from_slice(e.as_bytes()),
            None => out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes()),
        }
        last = i + c.len_utf8();
    }
    out.extend_from_slice(&s.as_bytes()[last..]);
    out.push(b'"');
}

/// For each byte starting a character that [`push_json_compact`] copies as it is, the
/// character's length; 0 for the others (white space, control and escaped characters, and
/// U+0080–2FFF, which hold some white space). Characters from U+3000 on (CJK, mostly) are
/// never white space for it (U+3000 is kept), so they are stepped over whole.
const PLAIN: [u8; 256] = {
    let mut t = [0; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            b'"' | b'\\' | b'<' | b'>' | b'&' => 0,
            0x21..=0x7F => 1,
            // Continuation bytes, of characters whose first byte was looked at.
            0x80..=0xBF => 1,
            0xE3..=0xEF => 3,
            0xF0..=0xFF => 4,
            _ => 0,
        };
        b += 1;
    }
    t
};

/// Writes section text as shipped, as a JSON string ([`push_json_str`]): runs of white space
/// become one space, or one newline when they hold a line break (kept: snippets do not run
/// across paragraphs). One pass, no intermediate string: this is most of the search output.
/// It goes byte by byte through a table ([`PLAIN`]), decoding only the characters below
/// U+3000 that are not ASCII: those can be white space.
fn push_json_compact(out: &mut Vec<u8>, text: &str) {
    let text = text.trim();
    let bytes = text.as_bytes();
    out.push(b'"');
    // `bytes[last..i]` is a run not yet copied, holding nothing to escape or compact.
    let mut last = 0;
    let mut i = 0;
    let white = |at: usize| match text[at..].chars().next() {
        Some(c) if c.is_whitespace() && c != '\u{3000}' => Some(c),
        _ => None,
    };
    while i < bytes.len() {
        let b = bytes[i];
        let plain = PLAIN[b as usize];
        if plain > 0 {
            i += plain as usize;
            continue;
        }
        if b >= 0x80 || b <= b' ' {
            // White space, a control character, or a character from U+0080 to U+2FFF.
            let Some(c) = white(i) else {
                i += 1; // Its continuation bytes are plain.
                if b < b' ' {
                    out.extend_from_slice(&bytes[last..i - 1]);
                    out.extend_from_slice(format!("\\u{:04x}", b).as_bytes());
                    last = i;
                }
                continue;
            };
            // One space between words is kept as it is (no copy).
            let next = i + c.len_utf8();
            if c == ' ' && white(next).is_none() {
                i = next;
                continue;
            }
            // A run of white space: the text is trimmed, so something follows it.
            out.extend_from_slice(&bytes[last..i]);
            let mut newline = false;
            while let Some(c) = white(i) {
                newline |= c == '\n';
                i += c.len_utf8();
            }
            out.extend_from_slice(if newline { b"\\n" } else { b" " });
            last = i;
            continue;
        }
        out.extend_from_slice(&bytes[last..i]);
        out.extend_from_slice(match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'<' => b"\\u003c",
            b'>' => b"\\u003e",
            _ => b"\\u0026",
        });
        i += 1;
        last = i;
    }
    out.extend_from_slice(&bytes[last..]);
    out.push(b'"');
}

/// The document chunks: each a run of consecutive documents of about [`CHUNK_TARGET`] bytes.
/// Returns the first document of each chunk.
fn chunk_starts(docs: &[Doc<'_>]) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut size = usize::MAX;
    for (i, d) in docs.iter().enumerate() {
        if size >= CHUNK_TARGET {
            starts.push(i);
            size = 0;
        }
        size += d.text_len()
            + d.sections()
                .map(|s| s.heading.len() + s.anchor.map_or(0, str::len) + 12)
                .sum::<usize>();
    }
    starts
}

fn chunk_js(n: usize, docs: &[Doc<'_>], first: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(CHUNK_TARGET + 1024);
    out.extend_from_slice(format!("__studysiteSearch.d({n},{first},[").as_bytes());
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'[');
        for (j, s) in d.sections().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            out.push(b'[');
            push_json_str(&mut out, s.anchor.unwrap_or(""));
            out.push(b',');
            push_json_compact(&mut out, s.heading);
            out.push(b',');
            push_json_compact(&mut out, s.text);
            out.push(b']');
        }
        out.push(b']');
    }
    out.extend_from_slice(b"]);\n");
    out
}

fn shard_js(n: usize, shard: &Shard, words: &KeyMap<String>) -> Vec<u8> {
    let mut entries: Vec<(String, &[u8])> = shard
        .tokens
        .iter()
        .map(|(&key, p)| (token_text(key, words), &p.data[..]))
        .collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    shard_bytes(n, &entries)
}

/// The file of index shard `n` with `entries` (token, encoded posting list), sorted by token.
fn shard_bytes<T: AsRef<str>>(n: usize, entries: &[(T, &[u8])]) -> Vec<u8> {
    let size: usize = (entries.iter())
        .map(|(t, p)| t.as_ref().len() + p.len() + 6)
        .sum();
    let mut out = Vec::with_capacity(size + 64);
    out.extend_from_slice(format!("__studysiteSearch.i({n},{{").as_bytes());
    for (i, (tok, p)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_json_str(&mut out, tok.as_ref());
        out.extend_from_slice(b":\"");
        out.extend_from_slice(p);
        out.push(b'"');
    }
    out.extend_from_slice(b"});\n");
    out
}

fn token_text(key: u64, words: &KeyMap<String>) -> String {
    let ch = |v: u64| char::from_u32((v & 0x1f_ffff) as u32).unwrap_or('\u{fffd}');
    match key >> 62 {
        0 => ch(key).to_string(),
        1 => [ch(key >> 21), ch(key)].iter().collect(),
        _ => words.get(&key).cloned().unwrap_or_default(),
    }
}

/// Number of index shards for a site: a power of two giving shards of at most about
/// [`SHARD_TARGET`] bytes. The encoded index is under a byte per character of text (a posting
/// costs about a byte per document, not per occurrence; BENCHMARKS.md, "search", has the
/// sizes), so half a byte per character is assumed.
fn shard_count(docs: &[Doc<'_>]) -> usize {
    let chars: usize = docs
        .iter()
        .map(|d| {
            d.title.len() + d.text_len() + d.sections().map(|s| s.heading.len()).sum::<usize>()
        })
        .sum::<usize>()
        / 3;
    (chars / 2 / SHARD_TARGET + 1).next_power_of_two().min(4096)
}

/// What [`write_files`] wrote, for reports and benchmarks.
#[derive(Debug, Clone, Default)]
pub struct IndexStats {
    pub documents: usize,
    pub shards: usize,
    pub chunks: usize,
    /// Files handed to the sink: shards, chunks and the manifest.
    pub files: usize,
    /// Files that were the previous build's (linked, not made).
    pub reused: usize,
    /// Index shards made by this build (the others were the previous build's).
    pub shards_made: usize,
    /// Tokens of the index shards made.
    pub tokens: usize,
    pub index_bytes: usize,
    pub text_bytes: usize,
    pub manifest_bytes: usize,
    /// Tokenising, merging and encoding the index shards (including handing them to the sink).
    pub index_time: std::time::Duration,
    /// Everything, document chunks and manifest included.
    pub total_time: std::time::Duration,
}

/// Files waiting for the writer thread (bounds the memory of encoded files).
const WRITE_QUEUE: usize = 16;

/// The bytes of a search file, as [`write_reusing`] hands it over: made by this build, or the
/// previous build's file, unchanged.
pub enum FileBytes<'a> {
    New(&'a [u8]),
    Previous(&'a Path),
}

/// A file waiting for the writer thread: path, key and bytes.
struct Queued(String, blake3::Hash, QueuedBytes);

enum QueuedBytes {
    New(Vec<u8>),
    Previous(PathBuf),
}

type Queue = std::sync::mpsc::SyncSender<Queued>;

/// What a build may take from the previous build's search files.
pub struct Reuse<'a> {
    /// What the previous build's index was made from; without it the index is made whole.
    pub state: Option<&'a IndexState>,
    /// The previous build's file at `path` (below the site root), when it was written under
    /// `key` and is still as it was written.
    pub file: &'a PreviousFile<'a>,
}

/// Builds the search index of `site` and hands every file to `write` (path below the site
/// root, bytes) as soon as it is made, in no particular order. See [`write_reusing`].
pub fn write_files(
    site: &Site,
    write: &(dyn Fn(&str, &[u8]) + Sync),
) -> anyhow::Result<IndexStats> {
    let put = |path: &str, _: &blake3::Hash, bytes: FileBytes<'_>| {
        if let FileBytes::New(b) = bytes {
            write(path, b)
        }
    };
    Ok(write_reusing(site, None, None, &put)?.0)
}

/// Builds the search index of `site` and hands every file to `put` (path below the site root,
/// key, bytes) as soon as it is made, in no particular order; with `reuse`, each file that
/// would be what the previous build wrote is the previous build's file, and an index shard
/// that an edit changed is the previous one with the changed documents' postings replaced
/// ([`delta`]). The bodies' text parked in `spill` is read back only for the documents whose
/// files are made. Returns what was done and what the next build reuses; fails only when the
/// parked text cannot be read back.
///
/// A file's key names its bytes: an index shard's is the hash of its bytes, a document
/// chunk's the hash of its documents' (and its place), the manifest's the hash of its bytes.
///
/// `put` is called from one thread of its own, not the caller's: the files of one folder
/// cannot be created in parallel (the folder is locked for each creation, and a second writer
/// only spins on the lock), but they can be written while the workers encode the next ones.
/// `put` must not wait on rayon's pool: its workers may be blocked on the full queue.
pub fn write_reusing(
    site: &Site,
    reuse: Option<&Reuse<'_>>,
    spill: Option<&TextSpill>,
    put: &(dyn Fn(&str, &blake3::Hash, FileBytes<'_>) + Sync),
) -> anyhow::Result<(IndexStats, IndexState)> {
    let started = std::time::Instant::now();
    let mut docs = docs(site);
    let starts = chunk_starts(&docs);
    let n_shards = shard_count(&docs);
    // A body is keyed by its text when it has no Markdown key ([`doc_key`]).
    let unkeyed: Vec<bool> = docs.iter().map(|d| d.source.is_none()).collect();
    restore(&mut docs, |i| unkeyed[i], spill)?;
    let doc_keys: Vec<blake3::Hash> = docs.par_iter().map(doc_key).collect();
    let file = reuse.map(|r| r.file);
    // What is the previous build's is decided first: the text is read back only for what is
    // made again.
    let delta = match reuse.and_then(|r| Some((r.state?, r.file))) {
        Some((state, file)) => match delta::changed(&docs, &doc_keys, state) {
            Some(changed) => {
                let is_changed = |i: usize| changed.binary_search(&(i as u32)).is_ok();
                restore(&mut docs, is_changed, spill)?;
                delta::shards(&docs, &changed, state, file)
            }
            None => None,
        },
        None => None,
    };
    let chunks = chunk_plan(&docs, &starts, &doc_keys, file);
    let mut needed = vec![delta.is_none(); docs.len()];
    for (n, chunk) in chunks.iter().enumerate() {
        if chunk.previous.is_none() {
            let end = starts.get(n + 1).copied().unwrap_or(docs.len());
            needed[starts[n]..end].fill(true);
        }
    }
    restore(&mut docs, |i| needed[i], spill)?;
    let (docs, starts, doc_keys) = (&docs, &starts, &doc_keys);
    std::thread::scope(|scope| {
        let (queue, queued) = std::sync::mpsc::sync_channel::<Queued>(WRITE_QUEUE);
        let writer = scope.spawn(move || {
            for Queued(path, key, bytes) in queued {
                match &bytes {
                    QueuedBytes::New(b) => put(&path, &key, FileBytes::New(b)),
                    QueuedBytes::Previous(p) => put(&path, &key, FileBytes::Previous(p)),
                }
            }
        });
        let shards = match delta {
            Some(files) => queue_shards(files, &queue),
            None => build_index(docs, n_shards, &queue),
        };
        let index_time = started.elapsed();
        let (text_bytes, chunks_reused) = write_chunks(docs, starts, chunks, &queue);
        let manifest = manifest_js(site, docs, n_shards, starts);
        let manifest_bytes = manifest.len();
        let manifest_reused = queue_file(&queue, format!("{DIR}/index.js"), manifest, file);
        // A send fails only when the writer has panicked; `join` reports that below.
        drop(queue);
        if let Err(panic) = writer.join() {
            std::panic::resume_unwind(panic);
        }
        let stats = IndexStats {
            documents: docs.len(),
            shards: n_shards,
            chunks: starts.len(),
            files: n_shards + starts.len() + 1,
            reused: shards.reused + chunks_reused + manifest_reused as usize,
            shards_made: n_shards - shards.reused,
            tokens: shards.tokens,
            index_bytes: shards.bytes,
            text_bytes,
            manifest_bytes,
            index_time,
            total_time: started.elapsed(),
        };
        if std::env::var_os("STUDYSITE_SEARCH_STATS").is_some() {
            eprintln!("search: {stats:?}");
        }
        Ok((stats, IndexState::new(doc_keys, &shards.keys)))
    })
}

/// The index shards a build handed over: each one's key, and how many were made (their tokens
/// and bytes) and how many were the previous build's.
#[derive(Default)]
struct ShardsMade {
    keys: Vec<blake3::Hash>,
    reused: usize,
    tokens: usize,
    bytes: usize,
}

/// Queues the shards [`delta::shards`] gave, the previous build's or made again.
fn queue_shards(files: Vec<delta::ShardFile>, queue: &Queue) -> ShardsMade {
    let mut made = ShardsMade::default();
    for (n, file) in files.into_iter().enumerate() {
        let path = format!("{DIR}/i/{n}.js");
        let (key, bytes) = match file {
            delta::ShardFile::Previous(key, prev) => {
                made.reused += 1;
                (key, QueuedBytes::Previous(prev))
            }
            delta::ShardFile::New(bytes, tokens) => {
                made.tokens += tokens;
                made.bytes += bytes.len();
                (blake3::hash(&bytes), QueuedBytes::New(bytes))
            }
        };
        made.keys.push(key);
        let _ = queue.send(Queued(path, key, bytes));
    }
    made
}

/// Queues a file made by this build (keyed by its bytes), or the previous build's file with
/// the same key; says whether it was the previous one.
fn queue_file(
    queue: &Queue,
    path: String,
    bytes: Vec<u8>,
    file: Option<&PreviousFile<'_>>,
) -> bool {
    let key = blake3::hash(&bytes);
    let prev = file.and_then(|f| f(&key, &path));
    let reused = prev.is_some();
    let bytes = prev.map_or(QueuedBytes::New(bytes), QueuedBytes::Previous);
    let _ = queue.send(Queued(path, key, bytes));
    reused
}

/// Where a previous build's file may be found ([`Reuse::file`]).
type PreviousFile<'a> = dyn Fn(&blake3::Hash, &str) -> Option<PathBuf> + Sync + 'a;

/// A document chunk of this build: its path, its key (its documents' keys, `doc_keys`, and
/// its place), and the previous build's file when that is the same.
struct Chunk {
    path: String,
    key: blake3::Hash,
    previous: Option<PathBuf>,
}

fn chunk_plan(
    docs: &[Doc<'_>],
    starts: &[usize],
    doc_keys: &[blake3::Hash],
    file: Option<&PreviousFile<'_>>,
) -> Vec<Chunk> {
    (0..starts.len())
        .into_par_iter()
        .map(|n| {
            let (s, e) = (starts[n], starts.get(n + 1).copied().unwrap_or(docs.len()));
            let path = format!("{DIR}/d/{n}.js");
            let mut h = blake3::Hasher::new();
            h.update(b"studysite search chunk");
            h.update(&(s as u64).to_le_bytes());
            h.update(&(e as u64).to_le_bytes());
            doc_keys[s..e].iter().for_each(|k| {
                h.update(k.as_bytes());
            });
            h.update(path.as_bytes());
            let key = h.finalize();
            let previous = file.and_then(|f| f(&key, &path));
            Chunk {
                path,
                key,
                previous,
            }
        })
        .collect()
}

/// Queues the document chunks, the previous build's or made; returns the bytes of those made
/// and how many were the previous build's.
fn write_chunks(
    docs: &[Doc<'_>],
    starts: &[usize],
    chunks: Vec<Chunk>,
    queue: &Queue,
) -> (usize, usize) {
    (chunks.into_par_iter().enumerate())
        .map(
            |(
                n,
                Chunk {
                    path,
                    key,
                    previous,
                },
            )| {
                if let Some(prev) = previous {
                    let _ = queue.send(Queued(path, key, QueuedBytes::Previous(prev)));
                    return (0, 1);
                }
                let (s, e) = (starts[n], starts.get(n + 1).copied().unwrap_or(docs.len()));
                let bytes = chunk_js(n, &docs[s..e], s);
                let len = bytes.len();
                let _ = queue.send(Queued(path, key, QueuedBytes::New(bytes)));
                (len, 0)
            },
        )
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

/// Builds the index shards and queues each for writing as soon as it is encoded, freeing it.
fn build_index(docs: &[Doc<'_>], n_shards: usize, queue: &Queue) -> ShardsMade {
    let mask = (n_shards - 1) as u32;
    let mut shards: Vec<Shard> = (0..n_shards).map(|_| Shard::default()).collect();
    let mut words: KeyMap<String> = KeyMap::default();
    let per_worker = n_shards.div_ceil(rayon::current_num_threads() * 2).max(1);
    let workers = n_shards.div_ceil(per_worker);

    for (b, batch) in docs.chunks(BATCH).enumerate() {
        let first = b * BATCH;
        let tokens: Vec<DocTokens> = batch
            .par_iter()
            .map(|d| {
                DEDUP
                    .with_borrow_mut(|dedup| doc_tokens(d, dedup, mask, per_worker as u32, workers))
            })
            .collect();
        for t in &tokens {
            for (k, w) in &t.words {
                words.entry(*k).or_insert_with(|| w.clone());
            }
        }
        shards
            .par_chunks_mut(per_worker)
            .enumerate()
            .for_each(|(w, owned)| merge(owned, w, (w * per_worker) as u32, &tokens, first));
    }

    let made: Vec<(blake3::Hash, usize, usize)> = shards
        .into_par_iter()
        .enumerate()
        .map(|(n, shard)| {
            let bytes = shard_js(n, &shard, &words);
            let tokens = shard.tokens.len();
            drop(shard);
            let (key, len) = (blake3::hash(&bytes), bytes.len());
            let _ = queue.send(Queued(
                format!("{DIR}/i/{n}.js"),
                key,
                QueuedBytes::New(bytes),
            ));
            (key, tokens, len)
        })
        .collect();
    ShardsMade {
        tokens: made.iter().map(|m| m.1).sum(),
        bytes: made.iter().map(|m| m.2).sum(),
        keys: made.into_iter().map(|m| m.0).collect(),
        reused: 0,
    }
}

/// Adds the postings of a batch of documents (the first is `first`) to the shards of worker
/// `w`, `owned`, the first of which is shard `lo`. Not inlined: profiles show it apart.
#[inline(never)]
fn merge(owned: &mut [Shard], w: usize, lo: u32, tokens: &[DocTokens], first: usize) {
    for (i, t) in tokens.iter().enumerate() {
        let doc = (first + i) as u32;
        for e in &t.by_worker[w] {
            owned[(e.shard - lo) as usize]
                .tokens
                .entry(e.key)
                .or_default()
                .add(doc, e.fields, field_bits(e.key));
        }
    }
}

fn manifest_js(site: &Site, docs: &[Doc<'_>], shards: usize, starts: &[usize]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(
        format!(
            "__studysiteSearch.m({{\"v\":{FORMAT},\"count\":{},\"units\":{},\"shards\":{shards},\"chunks\":[",
            docs.len(),
            site.units.len()
        )
        .as_bytes(),
    );
    for (i, s) in starts.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(s.to_string().as_bytes());
    }
    // Title, topic and path of every document: results are listed as soon as the index
    // shards of a query have arrived, before any document chunk.
    out.extend_from_slice(b"],\"docs\":[");
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'[');
        push_json_str(&mut out, d.title);
        out.extend_from_slice(format!(",{},", d.topic.map_or(-1, |t| t as i64)).as_bytes());
        push_json_str(&mut out, d.path);
        out.push(b']');
    }
    out.extend_from_slice(b"],\"topics\":[");
    for (i, t) in site.topics.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'[');
        push_json_str(&mut out, &t.title);
        out.push(b',');
        push_json_str(&mut out, &t.path);
        out.push(b']');
    }
    out.extend_from_slice(b"]});\n");
    out
}

/// What one document gives the search files: title, topic, path and sections. A body that
/// came through a cache is taken by the key of its Markdown (rendering is a function of the
/// Markdown alone, as the Markdown cache's keys are, and a cache of another studysite binary is
/// never used): its text is not hashed again, and may be parked.
fn doc_key(d: &Doc<'_>) -> blake3::Hash {
    let mut h = blake3::Hasher::new();
    put_field(&mut h, d.title);
    put_field(&mut h, d.path);
    h.update(&d.topic.map_or(u64::MAX, |t| t as u64).to_le_bytes());
    let sections: &mut dyn Iterator<Item = Section<'_>> = match d.source {
        Some(source) => {
            h.update(&[2]);
            h.update(source.as_bytes());
            &mut d.about.iter().map(Section::of)
        }
        None => &mut d.sections(),
    };
    for s in sections {
        match s.anchor {
            Some(a) => {
                h.update(&[1]);
                put_field(&mut h, a);
            }
            None => {
                h.update(&[0]);
            }
        }
        put_field(&mut h, s.heading);
        put_field(&mut h, s.text);
    }
    h.finalize()
}

/// A string into a key, length first, so that no two lists of strings hash alike.
fn put_field(h: &mut blake3::Hasher, s: &str) {
    h.update(&(s.len() as u64).to_le_bytes());
    h.update(s.as_bytes());
}

/// Whether `path` (relative to the output folder) is one of the files [`write_files`] makes.
pub fn is_search_file(path: &str) -> bool {
    let Some(rest) = path.strip_prefix(DIR).and_then(|r| r.strip_prefix('/')) else {
        return false;
    };
    rest == "index.js"
        || ((rest.starts_with("i/") || rest.starts_with("d/"))
            && rest.ends_with(".js")
            && rest[2..rest.len() - 3].bytes().all(|b| b.is_ascii_digit()))
}

/// Every search file of `site`, collected (tests and tools; the build streams them through
/// [`write_files`]).
pub fn data_files(site: &Site) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let files = std::sync::Mutex::new(Vec::new());
    write_files(site, &|rel, bytes| {
        let mut files = files.lock().unwrap_or_else(|e| e.into_inner());
        files.push((rel.to_string(), bytes.to_vec()));
    })?;
    let mut files = files.into_inner().unwrap_or_else(|e| e.into_inner());
    // In the order the files were once written: shards, chunks, manifest.
    files.sort_by_key(|(p, _)| file_order(p));
    Ok(files)
}

/// Sort key of a search file: index shards, then document chunks by number, then the
/// manifest.
fn file_order(path: &str) -> (u8, usize) {
    let rest = path
        .strip_prefix(DIR)
        .unwrap_or(path)
        .trim_start_matches('/');
    let number = |r: &str| r.trim_end_matches(".js").parse().unwrap_or(usize::MAX);
    match rest.split_at_checked(2) {
        Some(("i/", r)) => (0, number(r)),
        Some(("d/", r)) => (1, number(r)),
        _ => (2, 0),
    }
}

/// The ranking `search.js` does in the browser, restated in Rust as the specification its
/// unit tests pin down (test builds only: nothing in the build ranks).
#[cfg(test)]
mod score;

#[cfg(test)]
mod tests {
    use super::score::*;
    use super::*;

    /// The specification of [`push_json_compact`]'s compaction, as a string.
    fn compact(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut pending: Option<char> = None;
        for c in text.trim().chars() {
            if c.is_whitespace() && c != '\u{3000}' {
                pending = Some(match pending {
                    Some('\n') => '\n',
                    _ if c == '\n' => '\n',
                    _ => ' ',
                });
            } else {
                if let Some(p) = pending.take() {
                    out.push(p);
                }
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn section_text_is_compacted_and_escaped_in_one_pass() {
        for text in [
            "",
            "  \n ",
            "第一书记　驻村",
            " 甲 \t 乙\r\n\n丙\u{2028}丁\u{85}戊\u{a0}己 ",
            "a  <b>&\"c\"\\ \u{1}\u{1f}　\n　x",
            "软弱\n \n涣散 \u{3000}",
            "\u{3000} 甲 \u{3000}",
            "one space, two  spaces, \u{7f} end",
            "a \n b\u{2028}\u{3000}c \u{e01} \u{1680}d\u{205f}\u{202f}\u{2029}e \u{1f600}",
        ] {
            let (mut fused, mut reference) = (Vec::new(), Vec::new());
            push_json_compact(&mut fused, text);
            push_json_str(&mut reference, &compact(text));
            assert_eq!(
                String::from_utf8(fused).unwrap(),
                String::from_utf8(reference).unwrap(),
                "{text:?}"
            );
        }
    }

    fn tokens(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut scratch = String::new();
        tokenize(text, &mut scratch, |t| out.push(t.text()));
        out
    }

    #[test]
    fn chinese_is_characters_plus_overlapping_bigrams() {
        assert_eq!(
            tokens("三会一课"),
            ["三", "会", "三会", "一", "会一", "课", "一课"]
        );
    }

    #[test]
    fn punctuation_and_latin_break_chinese_runs() {
        assert_eq!(
            tokens("整顿，软弱"),
            ["整", "顿", "整顿", "软", "弱", "软弱"]
        );
        assert_eq!(tokens("第1书"), ["第", "1", "书"]);
    }

    #[test]
    fn latin_words_and_numbers_are_case_folded_words() {
        assert_eq!(
            tokens("2018年 APP下载 e-Mail"),
            [
                "2018", "20", "201", "年", "app", "ap", "下", "载", "下载", "e", "mail", "ma",
                "mai"
            ]
        );
    }

    #[test]
    fn full_width_forms_fold_to_half_width() {
        assert_eq!(tokens("２０１８ＡＢＣ")[0], "2018abc");
        assert_eq!(fold('　'), ' ');
        assert_eq!(query_tokens("Ｇ２０　峰会"), ["g20", "峰会"]);
    }

    #[test]
    fn the_punctuation_fast_path_agrees_with_unicode() {
        // The ranges `is_word_char` answers without the table.
        for r in [0x2000..=0x206F, 0x3000..=0x3004, 0x3008..=0x3020] {
            for c in r.filter_map(char::from_u32) {
                assert!(!c.is_alphanumeric(), "{c:?} is alphanumeric");
            }
        }
        assert!(is_word_char('〇') && is_word_char('々'));
        assert_eq!(tokens("一〇"), ["一", "〇"]);
    }

    #[test]
    fn the_token_set_grows_past_its_first_table() {
        let mut d = Dedup::new();
        d.next_document();
        for k in 0..20_000u64 {
            d.add((1 << 62) | k, FIELD_BODY, || 0);
        }
        d.add((1 << 62) | 7, FIELD_TITLE, || 0);
        assert_eq!(d.live.len(), 20_000);
        let slot = d.slots[d.slot_of((1 << 62) | 7)];
        assert_eq!(slot.fields, FIELD_BODY | FIELD_TITLE);
        d.next_document();
        d.add((1 << 62) | 7, FIELD_HEADING, || 0);
        assert_eq!(d.live.len(), 1, "a new document starts empty");
        assert_eq!(d.slots[d.slot_of((1 << 62) | 7)].fields, FIELD_HEADING);
    }

    #[test]
    fn queries_use_bigrams_or_the_single_character() {
        assert_eq!(query_tokens("第一书记"), ["第一", "一书", "书记"]);
        assert_eq!(query_tokens("党"), ["党"]);
        assert_eq!(query_tokens("2018年"), ["2018", "年"]);
        assert!(query_tokens("，。！").is_empty());
    }

    #[test]
    fn postings_round_trip_with_fields() {
        let mut p = Postings::default();
        let docs = [
            (0, FIELD_BODY),
            (1, FIELD_TITLE),
            (2, FIELD_HEADING | FIELD_BODY),
            (40, FIELD_BODY),
            (70_000, FIELD_TITLE | FIELD_HEADING),
        ];
        for (d, f) in docs {
            p.add(d, f, 2);
        }
        let s = String::from_utf8(p.data.clone()).unwrap();
        assert_eq!(
            decode_postings(&s, 2),
            [(0, 0), (1, 2), (2, 1), (40, 0), (70_000, 3)]
        );
        // Neighbouring documents in the body cost one character each.
        assert_eq!(&s[..1], "A");
    }

    #[test]
    fn word_postings_have_the_prefix_bit_when_only_a_prefix_was_seen() {
        let mut p = Postings::default();
        let docs = [
            (0, FIELD_BODY | SEEN_WHOLE),
            (3, FIELD_TITLE | SEEN_PREFIX),
            (4, FIELD_BODY | SEEN_PREFIX | FIELD_HEADING | SEEN_WHOLE),
            (90_000, FIELD_HEADING | SEEN_PREFIX),
        ];
        for (d, f) in docs {
            p.add(d, f, field_bits(word_key("201")));
        }
        let s = String::from_utf8(p.data).unwrap();
        assert_eq!(
            decode_postings(&s, 3),
            [
                (0, 0),
                (3, FIELD_TITLE | FIELD_PREFIX),
                (4, FIELD_HEADING),
                (90_000, FIELD_HEADING | FIELD_PREFIX)
            ]
        );
        assert_eq!((field_bits(word_key("a")), field_bits('党' as u64)), (3, 2));
    }

    #[test]
    fn words_are_indexed_with_their_beginnings_from_two_to_twelve_characters() {
        assert_eq!(
            tokens("2018年 PPT x ab"),
            ["2018", "20", "201", "年", "ppt", "pp", "x", "ab"]
        );
        let long = tokens("abcdefghijklmnopq");
        assert_eq!(long.len(), 1 + 11, "{long:?}");
        assert_eq!(long[1], "ab");
        assert_eq!(long.last().unwrap(), "abcdefghijkl");
        // Characters, not bytes.
        assert_eq!(word_prefixes("ÉtéΩ").collect::<Vec<_>>(), ["Ét", "Été"]);
        // A beginning is looked up under the same key as the word written so.
        assert_eq!(Tok::Prefix("201").key(), Tok::Word("201").key());
        assert_eq!(Tok::Prefix("201").hash(), Tok::Word("201").hash());
    }

    #[test]
    fn title_ranks_above_heading_above_body() {
        let q = "三会一课";
        let title = score("落实三会一课制度", &[("概述", "支部工作。")], q);
        let heading = score("支部工作", &[("三会一课", "按时召开。")], q);
        let body = score("支部工作", &[("概述", "要落实三会一课。")], q);
        assert!(title.score > heading.score, "{title:?} {heading:?}");
        assert!(heading.score > body.score, "{heading:?} {body:?}");
        assert!(body.score > 0);
    }

    #[test]
    fn all_terms_rank_above_some_even_in_the_title() {
        let q = "第一书记 整顿";
        let both = score("驻村工作", &[("", "第一书记要抓好软弱涣散党组织整顿。")], q);
        let one_in_title = score("第一书记", &[("", "选派工作。")], q);
        assert_eq!((both.present, one_in_title.present), (2, 1));
        assert!(both.score > one_in_title.score);
    }

    #[test]
    fn adjacent_characters_rank_above_scattered_bigrams() {
        let q = "第一书记";
        let phrase = score("单元", &[("", "选派第一书记。")], q);
        let scattered = score("单元", &[("", "第一次会议由支部书记主持，一书一档。")], q);
        assert_eq!(scattered.present, 1, "all bigrams occur, apart");
        assert!(phrase.score > scattered.score, "{phrase:?} {scattered:?}");
    }

    #[test]
    fn terms_side_by_side_rank_above_terms_far_apart() {
        let q = "软弱 涣散";
        let far = "软弱".to_string() + &"的".repeat(40) + "涣散";
        let adjacent = score("单元", &[("", "整顿软弱涣散党组织。")], q);
        let apart = score("单元", &[("", &far)], q);
        assert!(adjacent.score > apart.score);
    }

    #[test]
    fn the_link_goes_to_the_best_section() {
        let s = score(
            "单元",
            &[
                ("引言", "会议精神。"),
                ("二是整顿", "整顿软弱涣散基层党组织。"),
            ],
            "软弱涣散",
        );
        assert_eq!(s.section, Some(1));
        assert_eq!(score("单元", &[("引言", "会议。")], "软弱涣散").present, 0);
    }

    #[test]
    fn whole_words_rank_above_words_found_only_inside_longer_ones() {
        let whole = score("单元", &[("", "第201号文件。")], "201");
        let prefix = score("2018年工作", &[("二〇一八", "2018年要点。")], "201");
        assert_eq!((whole.present, prefix.present), (1, 1));
        assert!(whole.score > prefix.score, "{whole:?} {prefix:?}");
        // Whole in a later section only still counts as whole.
        let later = score("单元", &[("", "2018年"), ("", "201年")], "201");
        assert!(later.score > prefix.score);
        // Case and full width do not matter; CJK terms as written are whole.
        assert!(
            score("单元", &[("", "用 PPT 讲")], "ppt").score
                > score("单元", &[("", "apps")], "pp").score
        );
        assert_eq!(
            score("单元", &[("", "第一书记")], "第一书记").score,
            10_000 + 1000 + 11 + 11
        );
    }

    #[test]
    fn word_boundaries() {
        assert!(whole_in("第201号", "201"));
        assert!(whole_in("201", "201"));
        assert!(whole_in("2018 201", "201"));
        assert!(!whole_in("2018", "201"));
        assert!(!whole_in("x201", "201"));
        assert!(
            !whole_in("ébc", "bc"),
            "letters beyond ASCII are word characters"
        );
        assert!(
            whole_in("2018年度", "2018年"),
            "a term ending in CJK needs no boundary after"
        );
        assert!(whole_in("软弱涣散", "涣散"));
        assert!(!whole_in("", "201"));
    }

    #[test]
    fn coarse_scores_put_whole_words_above_prefixes_and_more_terms_above_all() {
        let whole_body = coarse_term(0, false, false);
        let prefix_title = coarse_term(2, true, true);
        assert!(whole_body > prefix_title);
        assert!(coarse_term(2, false, true) > coarse_term(1, false, false));
        assert!(coarse_term(1, true, false) > coarse_term(0, true, false));
        assert!(2 * coarse_term(0, true, false) > coarse_term(2, false, true));
    }

    #[test]
    fn json_strings_are_safe_in_script_tags() {
        let mut out = Vec::new();
        push_json_str(&mut out, "</script>&\u{2028}\"\\\u{1}");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#""\u003c/script\u003e\u0026\u2028\"\\\u0001""#
        );
    }

    /// The model of a site made of `files` (path, text), in a folder removed afterwards.
    pub(super) fn site_of(files: &[(&str, &str)]) -> Site {
        let dir = tempfile::tempdir().unwrap();
        for (p, text) in files {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let (site, diags) = crate::load::load_site(dir.path());
        site.unwrap_or_else(|| panic!("{diags:?}"))
    }

    #[test]
    fn site_index_has_every_unit_and_topic_and_no_quiz_text() {
        let site = site_of(&[
            ("site.yaml", "title: 测试\n"),
            (
                "content/01-a/_index.md",
                "---\ntitle: 专题甲\nweight: 1\n---\n导言。\n",
            ),
            (
                "content/01-a/yuanwen.md",
                "---\ntitle: 第一书记\nkind: original\nminutes: 5\n---\n## 整顿 {#zd}\n\n软弱涣散。\n",
            ),
            (
                "content/01-a/jiedu.md",
                "---\ntitle: 解读\nkind: explanation\nminutes: 5\nquiz:\n  - id: q1\n    type: truefalse\n    prompt: 测验独有词汇\n    answer: true\n---\n正文。\n",
            ),
        ]);
        let files = data_files(&site).unwrap();
        let all: String = files
            .iter()
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .collect();
        assert!(all.contains("\"书记\":"), "bigram indexed");
        assert!(all.contains("\"涣散\":"));
        assert!(all.contains("\"专题甲\""));
        assert!(!all.contains("测验"), "quiz text is not indexed");
        assert!(files.iter().any(|(p, _)| p == "search/index.js"));
        // The title bigram carries the title field for the unit that has it.
        let shard = files.iter().find(|(p, _)| p == "search/i/0.js").unwrap();
        let text = String::from_utf8_lossy(&shard.1);
        let at = text.find("\"书记\":\"").unwrap() + "\"书记\":\"".len();
        let postings = &text[at..at + text[at..].find('"').unwrap()];
        let unit = site
            .units
            .iter()
            .position(|u| u.title == "第一书记")
            .unwrap() as u32;
        assert_eq!(decode_postings(postings, 2), [(unit, FIELD_TITLE)]);
        assert!(files.iter().all(|(p, _)| is_search_file(p)), "{files:?}");
    }

    #[test]
    fn prefixes_summaries_and_tags_are_indexed() {
        let site = site_of(&[
            ("site.yaml", "title: 测试\n"),
            (
                "content/01-a/_index.md",
                "---\ntitle: 专题甲\nweight: 1\nsummary: 专题摘要独有\n---\n导言。\n",
            ),
            (
                "content/01-a/a.md",
                "---\ntitle: 甲\nkind: original\nminutes: 5\n---\n第201号文件。\n",
            ),
            (
                "content/01-a/b.md",
                "---\ntitle: 乙\nkind: original\nminutes: 5\nsummary: 课件说明\ntags: [PPT, 课件]\n---\n2018年。\n",
            ),
            (
                "content/01-a/c.md",
                "---\ntitle: 丙 2018\nkind: original\nminutes: 5\n---\n201 与 2019。\n",
            ),
        ]);
        let id = |title: &str| site.units.iter().position(|u| u.title == title).unwrap() as u32;
        let files = data_files(&site).unwrap();
        let shard =
            String::from_utf8_lossy(&files.iter().find(|(p, _)| p == "search/i/0.js").unwrap().1)
                .into_owned();
        let list = |tok: &str, bits| {
            let key = format!("\"{tok}\":\"");
            let at = shard
                .find(&key)
                .unwrap_or_else(|| panic!("{tok} not indexed"))
                + key.len();
            decode_postings(&shard[at..at + shard[at..].find('"').unwrap()], bits)
        };
        let mut expected = vec![
            (id("甲"), 0),
            (id("乙"), FIELD_PREFIX),
            // Whole in the body, and the beginning of "2018" in the title: the fields are
            // every occurrence's, the prefix bit is off.
            (id("丙 2018"), FIELD_TITLE),
        ];
        expected.sort();
        assert_eq!(list("201", 3), expected);
        let mut expected = vec![(id("乙"), 0), (id("丙 2018"), FIELD_TITLE)];
        expected.sort();
        assert_eq!(list("2018", 3), expected);
        assert_eq!(list("ppt", 3), [(id("乙"), 0)], "a tag is indexed");
        assert_eq!(list("pp", 3), [(id("乙"), FIELD_PREFIX)]);
        assert_eq!(list("课件", 2), [(id("乙"), 0)], "a summary is indexed");
        let topic = site.units.len() as u32;
        assert_eq!(
            list("摘要", 2),
            [(topic, 0)],
            "a topic's summary is indexed"
        );
        // Shipped as a last section with neither anchor nor heading.
        let text: String = files
            .iter()
            .filter(|(p, _)| p.starts_with("search/d/"))
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .collect();
        assert!(text.contains(r#"["","","课件说明\nPPT、课件"]]"#), "{text}");
        let manifest = &files
            .iter()
            .find(|(p, _)| p == "search/index.js")
            .unwrap()
            .1;
        assert!(String::from_utf8_lossy(manifest).contains(&format!("{{\"v\":{FORMAT},")));
    }

    #[test]
    fn search_files_are_told_from_pages_of_a_topic_named_search() {
        for p in ["search/index.js", "search/i/0.js", "search/d/12.js"] {
            assert!(is_search_file(p), "{p}");
        }
        for p in [
            "search/index.html",
            "search/i.html",
            "search/i/a.js",
            "search/img/x.js",
            "searchx/index.js",
            "static/search.js",
        ] {
            assert!(!is_search_file(p), "{p}");
        }
    }
}
