//! Search tokens: how text and queries are cut into the keys the index is looked up by.
//!
//! Every run of CJK characters gives its characters and overlapping bigrams; every run of other
//! letters and digits a word and its beginnings ([`word_prefixes`]); see the module doc of
//! [`super`] for why. A token is a 64-bit key ([`Tok::key`]) while the index is built and a
//! 32-bit hash ([`Tok::hash`]) picks its shard; `search.js` restates [`fold`], the tokeniser
//! and the hash (`tests/js/constants.test.js` compares the two).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::markdown::is_cjk;

/// Words are also indexed by their beginnings of [`MIN_PREFIX`] to [`MAX_PREFIX`] characters
/// (“2018” under “20” and “201”), so that a query finds longer words that start with it.
pub const MIN_PREFIX: usize = 2;
pub const MAX_PREFIX: usize = 12;

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
    pub(super) fn key(&self) -> u64 {
        match *self {
            Tok::Char(c) => c as u64,
            Tok::Bigram(a, b) => (1 << 62) | ((a as u64) << 21) | b as u64,
            Tok::Word(w) | Tok::Prefix(w) => word_key(w),
        }
    }

    /// A 32-bit hash of the token's code points ([`fnv32`]); `search.js` computes the same.
    pub(super) fn hash(&self) -> u32 {
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

pub(super) fn word_key(w: &str) -> u64 {
    (2 << 62) | (fnv64(w) >> 2)
}

/// Is `key` a word's (or prefix's)? Their postings carry the prefix bit.
pub(super) fn is_word_key(key: u64) -> bool {
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
pub(super) fn is_word_char(c: char) -> bool {
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
pub(super) trait TokenSink {
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
pub(super) fn tokenize_into(text: &str, word: &mut String, sink: &mut impl TokenSink) {
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

/// A multiplicative hasher for the 64-bit token keys (std's SipHash is several times slower
/// here and hash flooding is no concern for a build).
#[derive(Default)]
pub(super) struct KeyHasher(u64);

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

pub(super) type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

/// The text of the token with `key`; a word's is looked up in `words` (its key is a hash).
pub(super) fn token_text(key: u64, words: &KeyMap<String>) -> String {
    let ch = |v: u64| char::from_u32((v & 0x1f_ffff) as u32).unwrap_or('\u{fffd}');
    match key >> 62 {
        0 => ch(key).to_string(),
        1 => [ch(key >> 21), ch(key)].iter().collect(),
        _ => words.get(&key).cloned().unwrap_or_default(),
    }
}
