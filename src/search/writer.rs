//! Writing the search files: what is made and what is the previous build's, and the one
//! thread that hands every file to the output sink.
//!
//! [`write_reusing`] decides first what can be the previous build's (document chunks whose
//! documents are unchanged, index shards an edit did not touch: [`super::delta`]), reads
//! parked text back only for what is made again, then encodes the files in parallel and
//! queues them for a writer thread of its own: the files of one folder cannot be created in
//! parallel (the kernel locks the folder for each creation, and a second writer only spins on
//! the lock), but they can be written while the workers encode the next ones. The queue is
//! short ([`WRITE_QUEUE`]), which bounds the memory of encoded files.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::delta::{self, IndexState, PreviousFile};
use super::documents::{Doc, chunk_starts, doc_key, docs, restore};
use super::format::{chunk_js, chunk_path, file_order, manifest_js, manifest_path, shard_path};
use super::index::{ShardsMade, build_index, shard_count};
use crate::markdown::TextSpill;
use crate::model::Site;

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
            None => {
                let send = |n, key, bytes| {
                    let _ = queue.send(Queued(shard_path(n), key, QueuedBytes::New(bytes)));
                };
                build_index(docs, n_shards, &send)
            }
        };
        let index_time = started.elapsed();
        let (text_bytes, chunks_reused) = write_chunks(docs, starts, chunks, &queue);
        let manifest = manifest_js(site, docs, n_shards, starts);
        let manifest_bytes = manifest.len();
        let manifest_reused = queue_file(&queue, manifest_path(), manifest, file);
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

/// Queues the shards [`delta::shards`] gave, the previous build's or made again.
fn queue_shards(files: Vec<delta::ShardFile>, queue: &Queue) -> ShardsMade {
    let mut made = ShardsMade::default();
    for (n, file) in files.into_iter().enumerate() {
        let path = shard_path(n);
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
            let path = chunk_path(n);
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
