//! The file system as studysite sees it: which names are never read (hidden files, editor
//! backups and temp files: [`is_ignored_name`], shared by the content walk, the theme loader,
//! the static copy and the watcher), and helpers that name the path in every error and read text
//! as users write it (a UTF-8 byte-order mark is dropped).
//!
//! Readers that turn an I/O error into a [`crate::diag::Diagnostic`] of their own (the content
//! walk, the theme) call `std::fs` directly; everything else reads and writes through here, so
//! every `anyhow` error carries its path.

use std::path::Path;

use anyhow::{Context, Result};

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
