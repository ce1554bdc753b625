//! Where a build's files go: one write sink for every page and asset.
//!
//! [`DiskOutput`] stages the whole site in a hidden folder beside the target and swaps it in
//! only at [`DiskOutput::commit`]; a failed build calls [`DiskOutput::abort`] and the previous
//! output stays exactly as it was. It refuses to replace a non-empty folder that is not a
//! previous studysite output (a marker file tells), so a mistyped `--out` cannot wipe a folder.
//! [`MemoryOutput`] keeps the files in memory for `serve`.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};

/// Marker file in every output folder we write.
pub const MARKER: &str = ".studysite-output";

/// Receives every file of a build; paths are relative to the site's output root, with `/`.
pub trait Sink: Sync {
    fn write(&self, rel_path: &str, bytes: &[u8]) -> Result<()>;

    /// [`Sink::write`] for bytes that are shared (a page taken from a cache): a sink that
    /// keeps files in memory keeps them without a copy.
    fn write_shared(&self, rel_path: &str, bytes: Arc<[u8]>) -> Result<()> {
        self.write(rel_path, &bytes)
    }

    /// Writes the file at `rel_path` with the bytes of `existing`, a file of an earlier build
    /// known to hold exactly what this one would write: a sink on disk makes a hard link (no
    /// new file, nothing copied), or copies when it cannot.
    fn link(&self, rel_path: &str, existing: &Path) -> Result<()> {
        self.write(rel_path, &crate::fs::read(existing)?)
    }

    /// Writes a file whose bytes `fill` produces, for a file too large to hold in memory
    /// twice: a sink on disk streams it into the file.
    fn write_streamed(
        &self,
        rel_path: &str,
        fill: &mut dyn FnMut(&mut dyn Write) -> Result<()>,
    ) -> Result<()> {
        let mut bytes = Vec::new();
        fill(&mut bytes)?;
        self.write(rel_path, &bytes)
    }
}

/// A build staged on disk and swapped in at the end.
#[derive(Debug)]
pub struct DiskOutput {
    target: PathBuf,
    staging: PathBuf,
    /// The site folder: the swap never moves a folder that holds it.
    site: PathBuf,
}

fn sibling(target: &Path, tag: &str) -> Result<PathBuf> {
    let name = target
        .file_name()
        .with_context(|| format!("`{}` has no folder name", target.display()))?;
    let parent = target.parent().unwrap_or(Path::new("."));
    Ok(parent.join(format!(
        ".{}.{tag}-{}",
        name.to_string_lossy(),
        std::process::id()
    )))
}

/// The process id in the name of a staging folder of `target` (`.<name>.studysite-new-<pid>`
/// or `.<name>.studysite-old-<pid>`), or None when `file_name` is not one.
fn staging_pid(target_name: &str, file_name: &str) -> Option<u32> {
    let rest = file_name.strip_prefix('.')?.strip_prefix(target_name)?;
    let pid = rest
        .strip_prefix(".studysite-new-")
        .or_else(|| rest.strip_prefix(".studysite-old-"))?;
    pid.parse().ok()
}

/// Is process `pid` still running? Where the system cannot tell (no `/proc`), a folder of
/// another process is taken as stale: two builds into one folder at once are not supported.
fn process_alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    proc.join("self").exists() && proc.join(pid.to_string()).exists()
}

/// Removes the staging folders a killed build (`kill -9`, a power cut) left beside `target`:
/// only folders named as ours, of a process that is no longer running, that carry our
/// [`MARKER`]. Anything else of that name is left alone.
fn remove_stale_staging(target: &Path) -> Result<()> {
    let (Some(name), Some(parent)) = (target.file_name(), target.parent()) else {
        return Ok(());
    };
    let name = name.to_string_lossy();
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = staging_pid(&name, &file_name.to_string_lossy()) else {
            continue;
        };
        let path = entry.path();
        let ours = path.is_dir() && path.join(MARKER).is_file();
        if ours && pid != std::process::id() && !process_alive(pid) {
            crate::fs::remove_dir_all(&path)?;
        }
    }
    Ok(())
}

/// Refuses to replace `target` when the site at `site` is inside it: moving it aside would take
/// the site's own sources with it.
fn refuse_holding_site(target: &Path, site: &Path) -> Result<()> {
    if crate::fs::is_within(site, target) {
        bail!(
            "the output `{}` is the site folder or holds it: refusing to replace it",
            target.display()
        );
    }
    Ok(())
}

impl DiskOutput {
    /// Prepares a staging folder for `target` (an absolute path) of the site at `site`;
    /// refuses a target that is the site or holds it (however it is spelled).
    pub fn begin(target: &Path, site: &Path) -> Result<DiskOutput> {
        refuse_holding_site(target, site)?;
        if target.exists() {
            if !target.is_dir() {
                bail!(
                    "the output `{}` exists and is not a folder; choose another --out",
                    target.display()
                );
            }
            let non_empty = std::fs::read_dir(target)
                .with_context(|| format!("failed to read `{}`", target.display()))?
                .next()
                .is_some();
            if non_empty && !target.join(MARKER).exists() {
                bail!(
                    "the output folder `{}` is not empty and was not written by studysite; refusing to replace it (choose another --out, or empty it)",
                    target.display()
                );
            }
        }
        remove_stale_staging(target)?;
        let staging = sibling(target, "studysite-new")?;
        if staging.exists() {
            crate::fs::remove_dir_all(&staging)?;
        }
        crate::fs::create_dir_all(&staging)?;
        crate::fs::write(
            &staging.join(MARKER),
            b"This folder was written by studysite build; it is replaced on every build.\n",
        )?;
        Ok(DiskOutput {
            target: target.to_path_buf(),
            staging,
            site: site.to_path_buf(),
        })
    }

    pub fn staging_dir(&self) -> &Path {
        &self.staging
    }

    /// Swaps the staged site in place of the target.
    pub fn commit(self) -> Result<()> {
        refuse_holding_site(&self.target, &self.site)?;
        if self.target.exists() {
            let old = sibling(&self.target, "studysite-old")?;
            if old.exists() {
                crate::fs::remove_dir_all(&old)?;
            }
            crate::fs::rename(&self.target, &old)?;
            if let Err(e) = crate::fs::rename(&self.staging, &self.target) {
                // Put the previous output back before reporting.
                let _ = std::fs::rename(&old, &self.target);
                return Err(e);
            }
            crate::fs::remove_dir_all(&old)?;
        } else {
            if let Some(parent) = self.target.parent() {
                crate::fs::create_dir_all(parent)?;
            }
            crate::fs::rename(&self.staging, &self.target)?;
        }
        Ok(())
    }

    /// Throws the staged files away; the target is untouched.
    pub fn abort(self) {
        let _ = std::fs::remove_dir_all(&self.staging);
    }
}

impl Sink for DiskOutput {
    fn write(&self, rel_path: &str, bytes: &[u8]) -> Result<()> {
        let path = self.staging.join(rel_path);
        match std::fs::write(&path, bytes) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => crate::fs::write(&path, bytes),
            Err(e) => Err(e).with_context(|| format!("failed to write `{}`", path.display())),
        }
    }

    fn link(&self, rel_path: &str, existing: &Path) -> Result<()> {
        let path = self.staging.join(rel_path);
        let linked = match std::fs::hard_link(existing, &path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(parent) = path.parent() {
                    crate::fs::create_dir_all(parent)?;
                }
                std::fs::hard_link(existing, &path)
            }
            r => r,
        };
        match linked {
            Ok(()) => Ok(()),
            // A file system without hard links: copy.
            Err(_) => self.write(rel_path, &crate::fs::read(existing)?),
        }
    }

    fn write_streamed(
        &self,
        rel_path: &str,
        fill: &mut dyn FnMut(&mut dyn Write) -> Result<()>,
    ) -> Result<()> {
        let path = self.staging.join(rel_path);
        if let Some(parent) = path.parent() {
            crate::fs::create_dir_all(parent)?;
        }
        let failed = |e: std::io::Error| {
            anyhow::Error::new(e).context(format!("failed to write `{}`", path.display()))
        };
        let file = std::fs::File::create(&path).map_err(failed)?;
        let mut out = std::io::BufWriter::with_capacity(256 * 1024, file);
        fill(&mut out)?;
        out.flush().map_err(failed)
    }
}

/// A build kept in memory (for `serve`).
#[derive(Debug, Default)]
pub struct MemoryOutput {
    files: Mutex<HashMap<String, Arc<[u8]>>>,
}

impl MemoryOutput {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the files out, leaving the output empty.
    pub fn into_files(self) -> HashMap<String, Arc<[u8]>> {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for MemoryOutput {
    fn write(&self, rel_path: &str, bytes: &[u8]) -> Result<()> {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.insert(rel_path.to_string(), Arc::from(bytes));
        Ok(())
    }

    fn write_shared(&self, rel_path: &str, bytes: Arc<[u8]>) -> Result<()> {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.insert(rel_path.to_string(), bytes);
        Ok(())
    }
}

/// A sink that discards everything (for `check`, which renders but writes nothing).
#[derive(Debug, Default)]
pub struct NullOutput;

impl Sink for NullOutput {
    fn write(&self, _rel_path: &str, _bytes: &[u8]) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_replace_a_foreign_folder() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("mine");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("thesis.docx"), b"precious").unwrap();
        let err = DiskOutput::begin(&target, &dir.path().join("site"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not written by studysite"), "{err}");
        assert_eq!(
            std::fs::read(target.join("thesis.docx")).unwrap(),
            b"precious"
        );
    }

    #[test]
    fn commit_swaps_and_abort_keeps_the_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let out = DiskOutput::begin(&target, &dir.path().join("site")).unwrap();
        out.write("a/index.html", b"one").unwrap();
        out.commit().unwrap();
        assert_eq!(std::fs::read(target.join("a/index.html")).unwrap(), b"one");

        let out = DiskOutput::begin(&target, &dir.path().join("site")).unwrap();
        out.write("a/index.html", b"two").unwrap();
        out.abort();
        assert_eq!(std::fs::read(target.join("a/index.html")).unwrap(), b"one");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "staging folder removed");
    }

    /// Issue 17: a killed build's staging folders go at the next build; folders of that name
    /// without our marker, or of a running process, stay.
    #[test]
    fn stale_staging_folders_with_our_marker_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let dead = u32::MAX - 7; // no such process
        let stale_new = dir.path().join(format!(".public.studysite-new-{dead}"));
        let stale_old = dir.path().join(format!(".public.studysite-old-{dead}"));
        let foreign = dir
            .path()
            .join(format!(".public.studysite-new-{}", dead - 1));
        let other_site = dir.path().join(format!(".other.studysite-new-{dead}"));
        for d in [&stale_new, &stale_old, &other_site] {
            std::fs::create_dir_all(d.join("a")).unwrap();
            std::fs::write(d.join(MARKER), b"").unwrap();
        }
        std::fs::create_dir_all(&foreign).unwrap();
        std::fs::write(foreign.join("notes.txt"), b"mine").unwrap();
        let out = DiskOutput::begin(&target, &dir.path().join("site")).unwrap();
        out.commit().unwrap();
        assert!(!stale_new.exists() && !stale_old.exists());
        assert!(foreign.join("notes.txt").exists(), "no marker: left alone");
        assert!(other_site.exists(), "another output's folder: left alone");
        assert_eq!(staging_pid("public", ".public.studysite-new-12"), Some(12));
        assert_eq!(staging_pid("public", ".public.studysite-newer-12"), None);
        assert_eq!(staging_pid("pub", ".public.studysite-new-12"), None);
    }
}
