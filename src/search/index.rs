//! Building the index shards whole: every document tokenised, its postings merged into the
//! shards, and each shard encoded and handed over as soon as it is done.
//!
//! Documents are tokenised in parallel in batches of [`BATCH`] (bounded memory), each into
//! its distinct tokens ([`super::dedup`]); each batch is then merged into the shards in
//! parallel, every worker owning a range of shards, so no shard is locked. A build after an
//! edit makes only the shards that changed instead ([`super::delta`]).

use rayon::prelude::*;

use super::codec::{Postings, field_bits};
use super::dedup::{DEDUP, DocTokens, doc_tokens, posting_fields};
use super::documents::Doc;
use super::format::shard_bytes;
use super::tokens::{KeyMap, token_text};

/// Target size of one index shard, in bytes (as [`super::documents::CHUNK_TARGET`]: files are
/// large, since a query's cost in the browser is the number of files it loads).
pub(super) const SHARD_TARGET: usize = 48 * 1024;
/// Documents tokenised per batch (bounds the memory of the token lists, ~2 MB per 64
/// documents of the 10,000-unit corpus).
const BATCH: usize = 64;

/// Where [`build_index`] hands each shard: its number, key (the hash of its bytes) and bytes.
pub(super) type ShardSink<'a> = dyn Fn(usize, blake3::Hash, Vec<u8>) + Sync + 'a;

/// The postings of one shard's tokens.
#[derive(Default)]
struct Shard {
    tokens: KeyMap<Postings>,
}

/// The index shards a build handed over: each one's key, and how many were made (their tokens
/// and bytes) and how many were the previous build's.
#[derive(Default)]
pub(super) struct ShardsMade {
    pub(super) keys: Vec<blake3::Hash>,
    pub(super) reused: usize,
    pub(super) tokens: usize,
    pub(super) bytes: usize,
}

/// Number of index shards for a site: a power of two giving shards of at most about
/// [`SHARD_TARGET`] bytes. The encoded index is under a byte per character of text (a posting
/// costs about a byte per document, not per occurrence; BENCHMARKS.md, "search", has the
/// sizes), so half a byte per character is assumed.
pub(super) fn shard_count(docs: &[Doc<'_>]) -> usize {
    let chars: usize = docs
        .iter()
        .map(|d| {
            d.title.len() + d.text_len() + d.sections().map(|s| s.heading.len()).sum::<usize>()
        })
        .sum::<usize>()
        / 3;
    (chars / 2 / SHARD_TARGET + 1).next_power_of_two().min(4096)
}

/// Builds the index shards and hands each to `send` (number, key, bytes) as soon as it is
/// encoded, freeing it.
pub(super) fn build_index(docs: &[Doc<'_>], n_shards: usize, send: &ShardSink<'_>) -> ShardsMade {
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
            send(n, key, bytes);
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
                .push(doc, posting_fields(e.fields), field_bits(e.key));
        }
    }
}

/// The file of index shard `n`: its tokens in order, each with its posting list.
fn shard_js(n: usize, shard: &Shard, words: &KeyMap<String>) -> Vec<u8> {
    let mut entries: Vec<(String, &[u8])> = shard
        .tokens
        .iter()
        .map(|(&key, p)| (token_text(key, words), &p.data[..]))
        .collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    shard_bytes(n, &entries)
}
