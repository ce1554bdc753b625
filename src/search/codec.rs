//! The posting lists' encoding: written here while the index is built, read here when a
//! build after an edit rewrites a shard ([`super::delta`]), and read by `search.js`.
//!
//! A list is one string of variable-length numbers, 5 bits per character of the base64url
//! [`ALPHABET`], the upper half meaning "more digits follow"; each number is
//! `(gap - 1) << bits | fields` (module doc of [`super`]). The field bits are the format's:
//! [`FIELD_HEADING`] and [`FIELD_TITLE`] for every token, [`FIELD_PREFIX`] for words only.
//! (What a document's token was *seen* in while it is tokenised is another set of flags,
//! `SEEN_*` in [`super::dedup`], never written; [`super::dedup::posting_fields`] maps one to the
//! other.)

use super::tokens::is_word_key;
use crate::markdown::is_cjk;

/// Posting field bit 0: the token is in a heading of the document.
pub(super) const FIELD_HEADING: u8 = 1;
/// Posting field bit 1: the token is in the document's title.
pub(super) const FIELD_TITLE: u8 = 2;
/// Posting field bit 2, in a word's list only: the document has the word only as the
/// beginning of longer words, never whole (CJK postings have two bits; see [`field_bits`]).
pub(super) const FIELD_PREFIX: u8 = 4;

/// One posting list being encoded.
#[derive(Default)]
pub(super) struct Postings {
    pub(super) data: Vec<u8>,
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
pub(super) fn field_bits(key: u64) -> u32 {
    if is_word_key(key) { 3 } else { 2 }
}

/// Field bits of the posting list of a token as written in a shard: a token that starts
/// with a CJK character is a character or a bigram (2), any other a word (3); the same rule
/// as `search.js`'s and as [`field_bits`] on the token's key.
pub(super) fn text_field_bits(token: &str) -> u32 {
    match token.chars().next() {
        Some(c) if (0x4E00..=0x9FFF).contains(&(c as u32)) || is_cjk(c) => 2,
        _ => 3,
    }
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
pub(super) struct PostingIter<'a> {
    bytes: std::slice::Iter<'a, u8>,
    bits: u32,
    doc: i64,
    pub(super) damaged: bool,
}

impl<'a> PostingIter<'a> {
    pub(super) fn new(s: &'a str, bits: u32) -> Self {
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

impl Postings {
    /// Adds a document with its stored fields ([`FIELD_HEADING`], [`FIELD_TITLE`],
    /// [`FIELD_PREFIX`]) to a list of `bits` field bits ([`field_bits`]); documents come in
    /// increasing order.
    pub(super) fn push(&mut self, doc: u32, f: u8, bits: u32) {
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

/// The posting list of `postings` (any order; stored fields) with `bits` field bits, encoded.
pub(super) fn encode(mut postings: Vec<(u32, u8)>, bits: u32) -> Vec<u8> {
    postings.sort_unstable();
    let mut p = Postings::default();
    postings.iter().for_each(|&(doc, f)| p.push(doc, f, bits));
    p.data
}
