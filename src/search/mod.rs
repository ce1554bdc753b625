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
//! Files are few and large, about [`index::SHARD_TARGET`] and [`documents::CHUNK_TARGET`]: creating a file costs
//! the build more than its bytes do.
//!
//! `build` starts from the previous build's files ([`write_reusing`]): a document chunk whose
//! documents are unchanged is the previous file, and after an edit only the edited documents
//! are tokenised and only the index shards where their postings changed are made ([`delta`]).
//!
//! ## Parts
//!
//! | file | concern |
//! |---|---|
//! | `tokens.rs` | folding, the tokeniser, query tokens, token keys and hashes |
//! | `documents.rs` | the documents (units and topics), their keys, their chunks, parked text |
//! | `dedup.rs` | one document's distinct tokens and where each was seen (`SEEN_*`) |
//! | `codec.rs` | the posting lists' encoding and the field bits they store (`FIELD_*`) |
//! | `format.rs` | the files' format, written and read: manifest, shards, chunks, paths, JSON |
//! | `index.rs` | the index shards made whole |
//! | `delta.rs` | the index shards after an edit, from the previous build's |
//! | `writer.rs` | what is made and what is reused, and the writer thread |
//! | `score.rs` | the browser's ranking restated as a specification (tests only) |
//!
//! Each part uses the others only through what they mark `pub(super)`.

mod codec;
mod dedup;
mod delta;
mod documents;
mod format;
mod index;
mod tokens;
mod writer;

pub use codec::decode_postings;
pub use delta::IndexState;
pub use format::{DIR, FORMAT, is_search_file};
pub use tokens::{MAX_PREFIX, MIN_PREFIX, Tok, fold, query_tokens, tokenize, word_prefixes};
pub use writer::{FileBytes, IndexStats, Reuse, data_files, write_files, write_reusing};

/// The ranking `search.js` does in the browser, restated in Rust as the specification its
/// unit tests pin down (test builds only: nothing in the build ranks).
#[cfg(test)]
mod score;

#[cfg(test)]
mod tests;
