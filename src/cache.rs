//! Memo tables for `serve --watch`, keyed by the BLAKE3 hash of everything a value is made
//! from, so that a rebuild redoes only the work whose inputs changed.
//!
//! Two of them exist: rendered Markdown by its text ([`crate::markdown::RenderCache`]) and
//! finished pages by their template inputs ([`crate::render::PageCache`]). A key names its inputs
//! completely, so a hit is exactly what doing the work again would give; nothing here knows
//! which file changed. The owner (the rebuild loop) passes a cache in explicitly and calls
//! [`Cache::sweep`] after each good build, which drops the entries that build did not use: a
//! cache never holds more than two builds' values. `check` uses none.
//!
//! `build` keeps its tables between runs in files beside the site (`ROOT/.studysite/cache/`,
//! see [`crate::reuse`]): a *pack* ([`write_pack`], [`read_pack`]) is a header naming the format,
//! the build of studysite that wrote it ([`binary_id`]: another one may render differently,
//! so its entries are foreign) and what the entries are, then the entries (key, length, bytes), then
//! the BLAKE3 of all that. A pack is trusted only whole: a wrong header, a short file or a wrong
//! checksum discards every entry read from it.

use std::collections::HashMap;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

#[derive(Debug)]
struct Entry<V> {
    value: V,
    /// Used since the last sweep.
    used: bool,
}

/// Values by content hash; `V` is cheap to clone (an `Arc`).
#[derive(Debug)]
pub struct Cache<V> {
    entries: Mutex<HashMap<blake3::Hash, Entry<V>>>,
}

impl<V> Default for Cache<V> {
    fn default() -> Self {
        Cache {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<V: Clone> Cache<V> {
    pub fn new() -> Self {
        Self::default()
    }

    /// The value stored under `key`, marked as used by this build.
    pub fn get(&self, key: &blake3::Hash) -> Option<V> {
        let mut entries = self.lock();
        let e = entries.get_mut(key)?;
        e.used = true;
        Some(e.value.clone())
    }

    /// Stores `value` under `key` (used by this build).
    pub fn insert(&self, key: blake3::Hash, value: V) {
        self.lock().insert(key, Entry { value, used: true });
    }

    /// Drops every entry not used since the previous sweep.
    pub fn sweep(&self) {
        self.lock().retain(|_, e| std::mem::take(&mut e.used));
    }

    /// The entries used since the last sweep, in key order (so a pack written from them is
    /// the same for the same build).
    pub fn used_entries(&self) -> Vec<(blake3::Hash, V)> {
        let mut out: Vec<(blake3::Hash, V)> = (self.lock().iter())
            .filter(|(_, e)| e.used)
            .map(|(k, e)| (*k, e.value.clone()))
            .collect();
        out.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        out
    }

    /// Drops every entry.
    pub fn clear(&self) {
        self.lock().clear();
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<blake3::Hash, Entry<V>>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The first bytes of every pack.
const MAGIC: &[u8; 16] = b"studysite-cache\n";
/// Version of the pack layout.
const PACK_FORMAT: u32 = 1;

/// What makes a pack written by another build of studysite foreign: the package version and
/// a hash of every source file, the compiler and the features (made by `build.rs`).
pub fn binary_id() -> &'static str {
    concat!(env!("CARGO_PKG_VERSION"), "+", env!("STUDYSITE_BUILD_ID"))
}

/// A hasher of the first `limit` bytes that pass between a file and its buffer (so it sees
/// the buffer's large pieces, which it hashes on every core: a pack is some hundred
/// megabytes at 10,000 units).
struct Hashing<T> {
    inner: T,
    hasher: blake3::Hasher,
    limit: u64,
}

impl<T> Hashing<T> {
    fn new(inner: T, limit: u64) -> Hashing<T> {
        Hashing {
            inner,
            hasher: blake3::Hasher::new(),
            limit,
        }
    }

    fn hash(&mut self, bytes: &[u8]) {
        let n = bytes
            .len()
            .min(usize::try_from(self.limit).unwrap_or(usize::MAX));
        let piece = &bytes[..n];
        if piece.len() >= 128 * 1024 {
            self.hasher.update_rayon(piece);
        } else {
            self.hasher.update(piece);
        }
        self.limit -= n as u64;
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash(&buf[..n]);
        Ok(n)
    }
}

/// The buffers between a pack and its file.
const PACK_BUFFER: usize = 1 << 20;

fn header(kind: &str) -> Vec<u8> {
    let tag = format!("{kind} {}", binary_id());
    let mut h = MAGIC.to_vec();
    h.extend_from_slice(&PACK_FORMAT.to_le_bytes());
    h.extend_from_slice(&(tag.len() as u32).to_le_bytes());
    h.extend_from_slice(tag.as_bytes());
    h
}

/// Writes `entries` (key, bytes) as a pack of `kind` at `path`, through a temporary file
/// renamed into place, so a reader never sees half a pack. The entries are taken one at a
/// time (an encoder can make each as it is written); those past `limit` bytes are left out.
/// Returns the pack's size in bytes.
pub fn write_pack<B: AsRef<[u8]>>(
    path: &Path,
    kind: &str,
    entries: impl Iterator<Item = (blake3::Hash, B)>,
    limit: u64,
) -> anyhow::Result<u64> {
    use anyhow::Context;
    let head = header(kind);
    if head.len() as u64 + 1 + 32 > limit {
        // Not even an empty pack fits: none at all.
        return match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(e).with_context(|| format!("failed to remove `{}`", path.display()))
            }
            _ => Ok(0),
        };
    }
    // A name of its own per writer: two builds of one site at once each write a whole pack,
    // and the last rename wins.
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = path.with_extension(format!("{}-{n}.tmp", std::process::id()));
    let failed = || format!("failed to write `{}`", tmp.display());
    let file = std::fs::File::create(&tmp).with_context(failed)?;
    let mut out = BufWriter::with_capacity(PACK_BUFFER, Hashing::new(file, u64::MAX));
    out.write_all(&head).with_context(failed)?;
    // Every entry is marked by a 1, the end by a 0, then the checksum.
    let mut size = head.len() as u64 + 1 + 32;
    for (key, bytes) in entries {
        let bytes = bytes.as_ref();
        let next = size + 37 + bytes.len() as u64;
        if next > limit {
            break;
        }
        size = next;
        out.write_all(&[1]).with_context(failed)?;
        out.write_all(key.as_bytes()).with_context(failed)?;
        out.write_all(&(bytes.len() as u32).to_le_bytes())
            .with_context(failed)?;
        out.write_all(bytes).with_context(failed)?;
    }
    out.write_all(&[0]).with_context(failed)?;
    let hashing = out
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(failed)?;
    let mut file = hashing.inner;
    file.write_all(hashing.hasher.finalize().as_bytes())
        .with_context(failed)?;
    drop(file);
    crate::fs::rename(&tmp, path)?;
    Ok(size)
}

/// Why a pack was not used.
#[derive(Debug, PartialEq, Eq)]
pub enum PackProblem {
    /// No pack at `path` (nothing to warn about).
    Missing,
    /// Unreadable, foreign or damaged: the reason, for a warning.
    Discarded(String),
}

/// Reads the pack of `kind` at `path`, calling `entry` with each (key, bytes) in order. The
/// checksum is known only at the end: on an error the caller drops whatever `entry` kept.
pub fn read_pack(
    path: &Path,
    kind: &str,
    mut entry: impl FnMut(blake3::Hash, &[u8]) -> Result<(), String>,
) -> Result<(), PackProblem> {
    let file = open(path)?;
    scan(file, kind, |key, _, bytes| entry(key, bytes)).map(|_| ())
}

fn open(path: &Path) -> Result<std::fs::File, PackProblem> {
    match std::fs::File::open(path) {
        Ok(f) => Ok(f),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(PackProblem::Missing),
        Err(e) => Err(PackProblem::Discarded(format!("cannot be read: {e}"))),
    }
}

/// Reads a whole pack from `file`, checking it, and calls `entry` with each key, the offset
/// of its bytes in the file and the bytes; gives the file back.
fn scan(
    file: std::fs::File,
    kind: &str,
    mut entry: impl FnMut(blake3::Hash, u64, &[u8]) -> Result<(), String>,
) -> Result<std::fs::File, PackProblem> {
    let damaged = |what: &str| PackProblem::Discarded(what.to_string());
    let len = file
        .metadata()
        .map_err(|e| damaged(&format!("cannot be read: {e}")))?;
    // Everything but the checksum at the end is hashed.
    let hashed = len.len().saturating_sub(32);
    let mut r = BufReader::with_capacity(PACK_BUFFER, Hashing::new(file, hashed));
    let want = header(kind);
    let mut head = vec![0; want.len()];
    if r.read_exact(&mut head).is_err() || head != want {
        return Err(damaged(
            "it was written by another version of studysite, or is not a cache",
        ));
    }
    let short = |_| damaged("it is cut short");
    let (mut buf, mut offset) = (Vec::new(), want.len() as u64);
    loop {
        let mut mark = [0u8; 1];
        r.read_exact(&mut mark).map_err(short)?;
        match mark[0] {
            0 => break,
            1 => {}
            _ => return Err(damaged("its checksum does not match (the file is damaged)")),
        }
        let mut key = [0u8; 32];
        let mut len = [0u8; 4];
        r.read_exact(&mut key).map_err(short)?;
        r.read_exact(&mut len).map_err(short)?;
        buf.resize(u32::from_le_bytes(len) as usize, 0);
        r.read_exact(&mut buf).map_err(short)?;
        entry(blake3::Hash::from_bytes(key), offset + 37, &buf).map_err(|e| damaged(&e))?;
        offset += 37 + buf.len() as u64;
    }
    let mut stored = [0u8; 32];
    r.read_exact(&mut stored).map_err(short)?;
    let at_end = r.read(&mut [0u8; 1]).is_ok_and(|n| n == 0);
    let hashing = r.into_inner();
    if !at_end || hashing.limit != 0 || stored != *hashing.hasher.finalize().as_bytes() {
        return Err(damaged("its checksum does not match (the file is damaged)"));
    }
    Ok(hashing.inner)
}

/// A pack checked whole once, whose entries are then read one at a time, when asked for, from
/// the file opened then (a pack written over it meanwhile by another build is a new file: this
/// one stays as checked). Holds only the keys and where their bytes are.
#[derive(Debug)]
pub struct PackIndex {
    file: std::fs::File,
    entries: HashMap<blake3::Hash, (u64, u32)>,
}

impl PackIndex {
    /// Checks the pack of `kind` at `path` and indexes it.
    pub fn open(path: &Path, kind: &str) -> Result<PackIndex, PackProblem> {
        let mut entries = HashMap::new();
        let file = scan(open(path)?, kind, |key, at, bytes| {
            entries.insert(key, (at, bytes.len() as u32));
            Ok(())
        })?;
        Ok(PackIndex { file, entries })
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn contains(&self, key: &blake3::Hash) -> bool {
        self.entries.contains_key(key)
    }

    /// The bytes of `key`'s entry (`None` when the pack has none, or it cannot be read).
    pub fn get(&self, key: &blake3::Hash) -> Option<Vec<u8>> {
        let &(at, len) = self.entries.get(key)?;
        let mut buf = vec![0; len as usize];
        crate::fs::read_at(&self.file, &mut buf, at).ok()?;
        Some(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweep_keeps_only_what_the_last_build_used() {
        let cache: Cache<u32> = Cache::new();
        let (a, b) = (blake3::hash(b"a"), blake3::hash(b"b"));
        cache.insert(a, 1);
        cache.insert(b, 2);
        cache.sweep();
        assert_eq!(cache.len(), 2, "both used since the last sweep");
        assert_eq!(cache.get(&a), Some(1));
        cache.sweep();
        assert_eq!((cache.len(), cache.get(&b)), (1, None), "`b` was not used");
        assert_eq!(cache.get(&a), Some(1));
    }

    #[test]
    fn a_pack_reads_back_and_a_changed_byte_discards_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.bin");
        let (a, b) = (blake3::hash(b"a"), blake3::hash(b"b"));
        let entries = [(a, &b"one"[..]), (b, &b"two"[..])];
        write_pack(&path, "test", entries.into_iter(), u64::MAX).unwrap();
        let mut read = Vec::new();
        read_pack(&path, "test", |k, v| {
            read.push((k, v.to_vec()));
            Ok(())
        })
        .unwrap();
        assert_eq!(read, vec![(a, b"one".to_vec()), (b, b"two".to_vec())]);
        let index = PackIndex::open(&path, "test").unwrap();
        assert_eq!(index.len(), 2);
        assert_eq!(index.get(&b), Some(b"two".to_vec()));
        assert_eq!(index.get(&blake3::hash(b"c")), None);
        let other = read_pack(&path, "other", |_, _| Ok(()));
        assert!(matches!(other, Err(PackProblem::Discarded(_))), "{other:?}");

        let mut bytes = std::fs::read(&path).unwrap();
        let i = bytes.len() - 40;
        bytes[i] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let r = read_pack(&path, "test", |_, _| Ok(()));
        assert!(
            matches!(r, Err(PackProblem::Discarded(ref m)) if m.contains("checksum")),
            "{r:?}"
        );
        let missing = read_pack(&dir.path().join("none"), "test", |_, _| Ok(()));
        assert_eq!(missing, Err(PackProblem::Missing));
    }

    #[test]
    fn a_pack_keeps_within_its_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.bin");
        let big = vec![7u8; 1000];
        let keys: Vec<_> = (0u8..10).map(|i| blake3::hash(&[i])).collect();
        let size = write_pack(&path, "test", keys.iter().map(|k| (*k, &big[..])), 4000).unwrap();
        assert!(size <= 4000, "{size}");
        assert_eq!(std::fs::metadata(&path).unwrap().len(), size);
        let mut n = 0;
        read_pack(&path, "test", |_, _| {
            n += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(n, 3);
    }
}
