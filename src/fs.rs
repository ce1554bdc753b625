//! The file system as studysite sees it: which names are never read (hidden files, editor
//! backups and temp files: [`is_ignored_name`], shared by the content walk, the theme loader,
//! the static copy and the watcher), and helpers that name the path in every error and read text
//! as users write it (a UTF-8 byte-order mark is dropped).
//!
//! Readers that turn an I/O error into a [`crate::diag::Diagnostic`] of their own (the content
//! walk, the theme) call `std::fs` directly; everything else reads and writes through here, so
//! every `anyhow` error carries its path.

use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result};

/// The folders of a site that hold its sources (beside `site.yaml`): what the build reads
/// and the watcher watches; an output or a results database inside one is refused.
pub const SOURCE_DIRS: [&str; 4] = ["content", "themes", "templates", "static"];

/// The folder beside the sources where studysite keeps its own files (the build cache, the
/// results database): never read as a source.
pub const OWN_DIR: &str = ".studysite";

/// Is this a file or folder name we never read (hidden, editor backups and temp files)?
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.ends_with(".bak")
        || name == "4913"
}

/// `path` made absolute, with every symbolic link and `.`/`..` resolved as far as the path
/// exists; the part that does not exist yet (an output folder to be made) is appended with
/// `.`/`..` applied as text, which is right because a name that does not exist is no link.
/// Decisions about where a path lies are made on this, never on the path as typed.
pub fn resolve(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let parts: Vec<Component<'_>> = abs.components().collect();
    for keep in (1..=parts.len()).rev() {
        let head: PathBuf = parts[..keep].iter().collect();
        let Ok(mut out) = head.canonicalize() else {
            continue;
        };
        for part in &parts[keep..] {
            match part {
                Component::ParentDir => {
                    out.pop();
                }
                Component::Normal(name) => out.push(name),
                _ => {}
            }
        }
        return out;
    }
    abs
}

/// Are `a` and `b` the same existing file or folder (the same device and inode on Unix), however
/// each is spelled — a link, `..`, or another case on a file system that folds case?
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => identity(&x) == identity(&y) && identity(&x).is_some(),
        _ => false,
    }
}

#[cfg(unix)]
fn identity(m: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// The device and inode of the file at `path`, following links; `None` when there is none
/// (or the system cannot tell). The results database compares it before every write.
pub fn file_identity(path: &Path) -> Option<(u64, u64)> {
    identity(&std::fs::metadata(path).ok()?)
}

/// Is `inner` the folder `outer`, or inside it? Both are resolved first ([`resolve`]) and every
/// existing folder on the way from `inner` up is compared with `outer` by identity, so no
/// spelling of either hides the answer.
pub fn is_within(inner: &Path, outer: &Path) -> bool {
    let (inner, outer) = (resolve(inner), resolve(outer));
    if inner.starts_with(&outer) {
        return true;
    }
    inner.ancestors().any(|a| same_file(a, &outer))
}

/// What a name in a site's folder is, under the site's rule for symbolic links: a link whose
/// target lies inside the site folder is followed (it is what it points to); one whose target
/// lies outside, or that points nowhere, is not followed, and [`site_entry`] says why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    /// A socket, a device, a pipe: never read.
    Other,
}

/// [`EntryKind`] of `path`, a name inside the site at `root`, or why it is not read: a link out
/// of the site (to keep files such as `/etc/passwd` out of `public/` and `serve`), a link to
/// nothing, or a name that cannot be read. The message names the link's target.
pub fn site_entry(root: &Path, path: &Path) -> Result<EntryKind, String> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if !meta.file_type().is_symlink() {
        return Ok(kind_of(&meta));
    }
    let target = std::fs::read_link(path)
        .map(|t| t.display().to_string())
        .unwrap_or_default();
    let Ok(resolved) = path.canonicalize() else {
        return Err(format!(
            "a link to `{}`, which does not exist: not followed",
            shown(&target)
        ));
    };
    let root = root.canonicalize().unwrap_or_else(|_| resolve(root));
    if !resolved.starts_with(&root) {
        return Err(format!(
            "a link to `{}`, outside the site folder: not followed (links are followed only when they point inside the site)",
            shown(&resolved.display().to_string())
        ));
    }
    std::fs::metadata(path)
        .map(|m| kind_of(&m))
        .map_err(|e| format!("cannot read: {e}"))
}

fn kind_of(m: &std::fs::Metadata) -> EntryKind {
    if m.is_dir() {
        EntryKind::Dir
    } else if m.is_file() {
        EntryKind::File
    } else {
        EntryKind::Other
    }
}

/// A file or folder name as text, or why it is not read: a name that is not UTF-8 cannot be a
/// page's address and is never renamed behind the author's back.
pub fn name_text(name: &std::ffi::OsStr) -> Result<&str, String> {
    name.to_str().ok_or_else(|| {
        format!(
            "the name `{}` is not UTF-8 text: not read (rename it)",
            shown(&name.to_string_lossy())
        )
    })
}

/// `text` with control characters escaped (`\n`, `\u{1b}`), for names printed to a terminal.
pub fn shown(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.chars()
        .map(|c| match c.is_control() {
            true => c.escape_default().to_string(),
            false => c.to_string(),
        })
        .collect()
}

/// Every file below `dir` (a folder of the site at `root`), in name order, under the site's
/// rules: hidden and temporary names skipped ([`is_ignored_name`]), links followed only inside
/// the site ([`site_entry`]), each folder entered once (a link back up is no loop). Names not
/// read are handed to `skipped` with why; a `dir` that does not exist holds nothing.
pub fn walk_files(root: &Path, dir: &Path, skipped: &mut dyn FnMut(&Path, String)) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut seen = std::collections::HashSet::new();
    if dir.is_dir() {
        walk_into(root, dir, &mut seen, &mut files, skipped);
    }
    files
}

fn walk_into(
    root: &Path,
    dir: &Path,
    seen: &mut std::collections::HashSet<PathBuf>,
    files: &mut Vec<PathBuf>,
    skipped: &mut dyn FnMut(&Path, String),
) {
    if !seen.insert(dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf())) {
        return;
    }
    let mut entries = match std::fs::read_dir(dir) {
        Ok(e) => e.flatten().collect::<Vec<_>>(),
        Err(e) => return skipped(dir, format!("cannot read the folder: {e}")),
    };
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let name = match name_text(&e.file_name()) {
            Ok(n) => n.to_string(),
            Err(why) => {
                skipped(&path, why);
                continue;
            }
        };
        if is_ignored_name(&name) {
            continue;
        }
        match site_entry(root, &path) {
            Ok(EntryKind::Dir) => walk_into(root, &path, seen, files, skipped),
            Ok(EntryKind::File) => files.push(path),
            Ok(EntryKind::Other) => {}
            Err(why) => skipped(&path, why),
        }
    }
}

/// Why a user file could not be read as text.
#[derive(Debug)]
pub enum ReadTextError {
    Io(std::io::Error),
    /// Not UTF-8: the byte offset, 1-based line and column of the first bad byte.
    NotUtf8 {
        line: usize,
        column: usize,
    },
}

/// Reads a text file; strips a UTF-8 BOM; reports where the first invalid byte is.
pub fn read_text(path: &Path) -> Result<String, ReadTextError> {
    decode_text(std::fs::read(path).map_err(ReadTextError::Io)?)
}

/// [`read_text`] for bytes already read. The check is `simdutf8`'s (several times faster than
/// the standard library's on Chinese text; a build reads every source), the copy after it
/// cheaper than the standard check it saves.
pub fn decode_text(bytes: Vec<u8>) -> Result<String, ReadTextError> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    if let Ok(s) = simdutf8::basic::from_utf8(text) {
        return Ok(s.to_owned());
    }
    match String::from_utf8(text.to_vec()) {
        Ok(s) => Ok(s),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let good = &e.as_bytes()[..valid];
            // The prefix is valid UTF-8 by construction.
            let prefix = std::str::from_utf8(good).unwrap_or("");
            let line = prefix.matches('\n').count() + 1;
            let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Err(ReadTextError::NotUtf8 { line, column })
        }
    }
}

/// Reads a text file that is ours or the theme's; errors name the path.
pub fn read_to_string(path: &Path) -> Result<String> {
    let s = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read `{}`", path.display()))?;
    Ok(s.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(s))
}

pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("failed to read `{}`", path.display()))
}

pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        create_dir_all(parent)?;
    }
    std::fs::write(path, bytes).with_context(|| format!("failed to write `{}`", path.display()))
}

pub fn create_dir_all(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path)
        .with_context(|| format!("failed to create folder `{}`", path.display()))
}

pub fn remove_dir_all(path: &Path) -> Result<()> {
    std::fs::remove_dir_all(path)
        .with_context(|| format!("failed to remove folder `{}`", path.display()))
}

pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("failed to read `{}`", path.display()))
}

pub fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).with_context(|| {
        format!(
            "failed to rename `{}` to `{}`",
            from.display(),
            to.display()
        )
    })
}

/// What tells that a file is as it was when last looked at, without reading it: its identity
/// (device and inode, on Unix), size and modification time, as git's index tells a changed
/// work-tree file. Rewriting a file in place changes its modification time; replacing it (what
/// editors do) changes its inode too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp([u64; 5]);

impl Stamp {
    /// Length of [`Stamp::to_bytes`].
    pub const LEN: usize = 40;

    pub fn to_bytes(self) -> [u8; Self::LEN] {
        let mut out = [0u8; Self::LEN];
        for (chunk, v) in out.chunks_exact_mut(8).zip(self.0) {
            chunk.copy_from_slice(&v.to_le_bytes());
        }
        out
    }

    pub fn from_bytes(b: &[u8]) -> Option<Stamp> {
        let mut v = [0u64; 5];
        if b.len() != Self::LEN {
            return None;
        }
        for (x, chunk) in v.iter_mut().zip(b.chunks_exact(8)) {
            *x = u64::from_le_bytes(chunk.try_into().ok()?);
        }
        Some(Stamp(v))
    }
}

/// The [`Stamp`] of the file at `path`, `None` when it is not a readable file.
pub fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::symlink_metadata(path).ok()?;
    if !m.is_file() {
        return None;
    }
    let since = m
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    #[cfg(unix)]
    let (dev, ino) = {
        use std::os::unix::fs::MetadataExt;
        (m.dev(), m.ino())
    };
    #[cfg(not(unix))]
    let (dev, ino) = (0, 0);
    Some(Stamp([
        dev,
        ino,
        m.len(),
        since.as_secs(),
        u64::from(since.subsec_nanos()),
    ]))
}

/// Reads `buf.len()` bytes of `file` from offset `at`, without moving a shared cursor, so
/// threads may read one file at once.
#[cfg(unix)]
pub fn read_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

/// See the Unix version.
#[cfg(windows)]
pub fn read_at(file: &std::fs::File, mut buf: &mut [u8], mut at: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, at)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                at += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_utf8_reports_line_and_column_of_the_first_bad_byte() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        std::fs::write(&p, b"---\ntitle: \xe6\xa0\x87\xff\n").unwrap();
        match read_text(&p) {
            Err(ReadTextError::NotUtf8 { line, column }) => assert_eq!((line, column), (2, 9)),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn ignored_names() {
        for n in [".hidden.md", "a.md~", ".a.md.swp", "#a.md#", "4913"] {
            assert!(is_ignored_name(n), "{n}");
        }
        assert!(!is_ignored_name("a.md"));
    }

    #[test]
    fn bom_is_stripped() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        std::fs::write(&p, "\u{feff}---\n").unwrap();
        assert_eq!(read_text(&p).unwrap(), "---\n");
    }
}
