//! One document's distinct tokens, with what each was seen in, for the index builder.
//!
//! Every token of a document is added to a [`Dedup`] set (one per worker thread, [`DEDUP`],
//! reused from document to document without clearing) with `SEEN_*` flags saying where it was
//! seen; [`doc_tokens`] then hands the distinct tokens over grouped by the merge worker that
//! owns their shard. The `SEEN_*` flags exist only while building; what a posting stores is
//! [`posting_fields`] of them, in the format's bits ([`super::codec`]).

use super::codec::{FIELD_HEADING, FIELD_PREFIX, FIELD_TITLE};
use super::documents::Doc;
use super::tokens::{Tok, TokenSink, tokenize_into, word_prefixes};

/// Seen in a heading of the document (the same bit as the posting's [`FIELD_HEADING`]).
pub(super) const SEEN_HEADING: u8 = 1;
/// Seen in the document's title (the same bit as the posting's [`FIELD_TITLE`]).
pub(super) const SEEN_TITLE: u8 = 2;
/// Seen in body text. Not stored: every posting implies some field.
pub(super) const SEEN_BODY: u8 = 4;
/// A word token seen as the beginning of a longer word; [`SEEN_WHOLE`]: seen as a whole word.
/// A posting is prefix-only ([`FIELD_PREFIX`]) when it has the first and not the second.
pub(super) const SEEN_PREFIX: u8 = 8;
pub(super) const SEEN_WHOLE: u8 = 16;

// [`posting_fields`] keeps the heading and title bits as they are, and [`Dedup`]'s table of
// characters keeps a character's flags in three bits.
const _: () = assert!(SEEN_HEADING == FIELD_HEADING && SEEN_TITLE == FIELD_TITLE);
const _: () = assert!(SEEN_HEADING | SEEN_TITLE | SEEN_BODY == 0b111);

/// The fields a posting stores for a token seen with `seen` (`SEEN_*` flags) in a document:
/// heading and title, and the prefix bit for a word seen only as the beginning of longer
/// words.
pub(super) fn posting_fields(seen: u8) -> u8 {
    let mut f = seen & (SEEN_HEADING | SEEN_TITLE);
    if seen & (SEEN_PREFIX | SEEN_WHOLE) == SEEN_PREFIX {
        f |= FIELD_PREFIX;
    }
    f
}

/// A distinct token of one document: key, shard, fields.
#[derive(Clone, Copy)]
pub(super) struct DocToken {
    pub(super) key: u64,
    pub(super) shard: u32,
    /// `SEEN_*` flags.
    pub(super) fields: u8,
}

/// The distinct tokens of one document, by the merge worker owning their shard, and the text
/// of its words.
pub(super) struct DocTokens {
    pub(super) by_worker: Vec<Vec<DocToken>>,
    pub(super) words: Vec<(u64, String)>,
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
pub(super) struct Dedup {
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
    pub(super) static DEDUP: std::cell::RefCell<Dedup> = std::cell::RefCell::new(Dedup::new());
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
pub(super) fn doc_tokens(
    doc: &Doc<'_>,
    dedup: &mut Dedup,
    shard_mask: u32,
    per_worker: u32,
    workers: usize,
) -> DocTokens {
    dedup.next_document();
    let mut sink = DocSink {
        dedup,
        field: SEEN_TITLE,
        shard_mask,
        words: Vec::new(),
    };
    let mut scratch = String::new();
    tokenize_into(doc.title, &mut scratch, &mut sink);
    for s in doc.sections() {
        sink.field = SEEN_HEADING;
        tokenize_into(s.heading, &mut scratch, &mut sink);
        sink.field = SEEN_BODY;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_set_grows_past_its_first_table() {
        let mut d = Dedup::new();
        d.next_document();
        for k in 0..20_000u64 {
            d.add((1 << 62) | k, SEEN_BODY, || 0);
        }
        d.add((1 << 62) | 7, SEEN_TITLE, || 0);
        assert_eq!(d.live.len(), 20_000);
        let slot = d.slots[d.slot_of((1 << 62) | 7)];
        assert_eq!(slot.fields, SEEN_BODY | SEEN_TITLE);
        d.next_document();
        d.add((1 << 62) | 7, SEEN_HEADING, || 0);
        assert_eq!(d.live.len(), 1, "a new document starts empty");
        assert_eq!(d.slots[d.slot_of((1 << 62) | 7)].fields, SEEN_HEADING);
    }
}
