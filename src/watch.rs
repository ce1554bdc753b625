//! File watching for `serve --watch`: turns the file system's events into a short list of
//! [`Change`]s that matter to the site, so `serve` knows when to rebuild and what to say.
//!
//! Raw events are noisy: editors save through a temp file and a rename (vim, VS Code,
//! JetBrains), write a file in several steps, and our own rebuild opens every file it reads.
//! So events are debounced (`notify-debouncer-full`, [`DEBOUNCE`]), reads (`open`, access
//! times) are dropped, hidden and temp files ([`crate::fs::is_ignored_name`] plus
//! JetBrains' `___jb_tmp___` files) are dropped, and only paths under `content/`, `themes/`,
//! `templates/`, `static/` and `site.yaml` count — the output folder (`public/`) and anything
//! else in the site folder never trigger a rebuild. A rebuild always reads every source again
//! (what it reuses is keyed by content, not by file), so nothing here needs to know which
//! files a change affects.
//!
//! The site folder itself is watched non-recursively (to see `site.yaml` replaced by a rename,
//! and source folders created later); the source folders recursively (notify adds new
//! subfolders as they appear; files written into a new folder before its watch existed are
//! still read by the rebuild that the folder's creation triggers). `--poll` swaps the
//! system's events for notify's `PollWatcher`, which scans every [`POLL_INTERVAL`] and
//! compares file contents (its modification times have whole-second resolution).

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use anyhow::{Context, Result};
use notify::event::{AccessKind, AccessMode, EventKind, MetadataKind, ModifyKind};
use notify::{PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{
    DebounceEventResult, DebouncedEvent, Debouncer, NoCache, RecommendedCache, new_debouncer_opt,
};

/// How long a path must stay quiet before its events are handed on. Short, because the time
/// from saving a file to the page reloading is what a writer feels; long enough to fold an
/// editor's write-rename-chmod burst into one rebuild.
pub const DEBOUNCE: Duration = Duration::from_millis(30);

/// How often `--poll` scans the sources.
pub const POLL_INTERVAL: Duration = Duration::from_millis(300);

/// The folders whose contents make up a site's sources (watched recursively).
pub use crate::fs::SOURCE_DIRS;

/// Which part of the site a change touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// Under `content/`.
    Content,
    /// Under `themes/` or `templates/`.
    Theme,
    /// Under `static/`.
    Static,
    /// `site.yaml`.
    Config,
}

/// What happened to a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Created,
    Modified,
    Removed,
    Renamed,
}

impl Op {
    fn word(self) -> &'static str {
        match self {
            Op::Created => "created",
            Op::Modified => "changed",
            Op::Removed => "removed",
            Op::Renamed => "renamed",
        }
    }
}

/// One relevant change: a path relative to the site folder, with `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    pub op: Op,
    pub path: String,
}

/// Says what changed in a few words: `content/a/b.md changed`, `… (+3 more)`.
pub fn describe(changes: &[Change]) -> String {
    match changes {
        [] => "nothing changed".into(),
        [one] => format!("{} {}", one.path, one.op.word()),
        [first, rest @ ..] => {
            format!("{} {} (+{} more)", first.path, first.op.word(), rest.len())
        }
    }
}

/// JetBrains IDEs save through `name___jb_tmp___` and keep `name___jb_old___`.
fn is_editor_temp(name: &str) -> bool {
    name.ends_with("___jb_tmp___") || name.ends_with("___jb_old___")
}

/// Which part of the site `path` belongs to; `None` for paths that must not trigger a rebuild
/// (the output folder, hidden and temp files, anything outside the sources).
pub fn classify(root: &Path, path: &Path) -> Option<ChangeKind> {
    let rel = path.strip_prefix(root).ok()?;
    let mut names = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(n) => {
                let n = n.to_str()?;
                if crate::fs::is_ignored_name(n) || is_editor_temp(n) {
                    return None;
                }
                names.push(n);
            }
            _ => return None,
        }
    }
    match names.as_slice() {
        ["site.yaml"] => Some(ChangeKind::Config),
        ["content", ..] => Some(ChangeKind::Content),
        ["themes" | "templates", ..] => Some(ChangeKind::Theme),
        ["static", ..] => Some(ChangeKind::Static),
        _ => None,
    }
}

/// What an event did, or `None` for events that change nothing (reads, access times).
fn op_of(kind: &EventKind) -> Option<Op> {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => Some(Op::Modified),
        EventKind::Access(_) => None,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => None,
        EventKind::Create(_) => Some(Op::Created),
        EventKind::Remove(_) => Some(Op::Removed),
        EventKind::Modify(ModifyKind::Name(_)) => Some(Op::Renamed),
        EventKind::Modify(_) | EventKind::Any | EventKind::Other => Some(Op::Modified),
    }
}

/// The relevant changes in a batch of debounced events: the last operation per path, in the
/// order the paths first appeared.
pub fn changes_of(root: &Path, events: &[DebouncedEvent]) -> Vec<Change> {
    let mut order: Vec<String> = Vec::new();
    let mut last: BTreeMap<String, Change> = BTreeMap::new();
    for event in events {
        let Some(op) = op_of(&event.kind) else {
            continue;
        };
        for path in &event.paths {
            let Some(kind) = classify(root, path) else {
                continue;
            };
            let rel = path
                .strip_prefix(root)
                .unwrap_or(path)
                .to_string_lossy()
                .replace('\\', "/");
            if !last.contains_key(&rel) {
                order.push(rel.clone());
            }
            last.insert(
                rel.clone(),
                Change {
                    kind,
                    op,
                    path: rel,
                },
            );
        }
    }
    order.into_iter().filter_map(|p| last.remove(&p)).collect()
}

enum Inner {
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<PollWatcher, NoCache>),
}

impl Inner {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match self {
            Inner::Native(d) => d.watch(path, mode),
            Inner::Poll(d) => d.watch(path, mode),
        }
    }
}

/// Watches a site's sources; [`SiteWatcher::next_changes`] blocks until something relevant
/// changed.
pub struct SiteWatcher {
    root: PathBuf,
    inner: Inner,
    rx: Receiver<DebounceEventResult>,
    /// Source folders with a recursive watch.
    watched: Vec<PathBuf>,
}

impl SiteWatcher {
    /// Starts watching `root` (an absolute path): system events, or polling when `poll`.
    pub fn new(root: &Path, poll: bool) -> Result<SiteWatcher> {
        let (tx, rx) = channel();
        let inner = if poll {
            // notify keeps modification times in whole seconds: compare contents too, or
            // a second save within the same second goes unseen.
            let config = notify::Config::default()
                .with_poll_interval(POLL_INTERVAL)
                .with_compare_contents(true);
            Inner::Poll(
                new_debouncer_opt(DEBOUNCE, None, tx, NoCache, config)
                    .context("failed to start polling the site's files")?,
            )
        } else {
            Inner::Native(
                new_debouncer_opt(
                    DEBOUNCE,
                    None,
                    tx,
                    RecommendedCache::new(),
                    notify::Config::default(),
                )
                .context("failed to start watching the site's files")?,
            )
        };
        let mut w = SiteWatcher {
            root: root.to_path_buf(),
            inner,
            rx,
            watched: Vec::new(),
        };
        w.inner
            .watch(root, RecursiveMode::NonRecursive)
            .with_context(|| format!("failed to watch `{}`", root.display()))?;
        w.watch_source_dirs();
        Ok(w)
    }

    /// Adds a recursive watch on every source folder that exists and has none yet (again
    /// after a folder was removed and made anew).
    fn watch_source_dirs(&mut self) {
        for name in SOURCE_DIRS {
            let dir = self.root.join(name);
            if self.watched.contains(&dir) || !dir.is_dir() {
                continue;
            }
            match self.inner.watch(&dir, RecursiveMode::Recursive) {
                Ok(()) => self.watched.push(dir),
                Err(e) => eprintln!(
                    "warning: cannot watch `{}`: {e}; changes there are not seen (try --poll)",
                    dir.display()
                ),
            }
        }
    }

    /// Blocks until relevant changes arrive and returns them (one batch, plus any batch that
    /// is already waiting: the debouncer has folded the burst). `None` when the watcher has
    /// stopped.
    pub fn next_changes(&mut self) -> Option<Vec<Change>> {
        self.changes_until(None)
    }

    /// Like [`SiteWatcher::next_changes`], but gives up (`None`) after `limit` without any
    /// relevant change.
    pub fn next_changes_within(&mut self, limit: Duration) -> Option<Vec<Change>> {
        self.changes_until(Some(std::time::Instant::now() + limit))
    }

    fn changes_until(&mut self, deadline: Option<std::time::Instant>) -> Option<Vec<Change>> {
        let mut changes: Vec<Change> = Vec::new();
        loop {
            let batch = if changes.is_empty() {
                match deadline {
                    None => self.rx.recv().ok()?,
                    Some(d) => self
                        .rx
                        .recv_timeout(d.saturating_duration_since(std::time::Instant::now()))
                        .ok()?,
                }
            } else {
                match self.rx.try_recv() {
                    Ok(b) => b,
                    Err(_) => return Some(changes),
                }
            };
            match batch {
                Ok(events) => {
                    let mut found = changes_of(&self.root, &events);
                    self.after_structure_change(&found);
                    let inside = self.rescan_new_folders(&found);
                    found.extend(inside);
                    for c in found {
                        changes.retain(|x| x.path != c.path);
                        changes.push(c);
                    }
                }
                Err(errors) => {
                    for e in errors {
                        eprintln!("warning: file watching: {e}");
                    }
                }
            }
        }
    }

    /// The files inside folders that just appeared. Files written into a new folder before
    /// its watch was added raise no event of their own; the rebuild (which runs after the
    /// watch exists) reads them anyway, and this makes them part of what the terminal says
    /// changed.
    fn rescan_new_folders(&self, changes: &[Change]) -> Vec<Change> {
        let mut out = Vec::new();
        for c in changes {
            if !matches!(c.op, Op::Created | Op::Renamed) {
                continue;
            }
            let dir = self.root.join(&c.path);
            if !dir.is_dir() {
                continue;
            }
            for entry in walkdir::WalkDir::new(&dir)
                .min_depth(1)
                .into_iter()
                .flatten()
            {
                if !entry.file_type().is_file() {
                    continue;
                }
                let Some(kind) = classify(&self.root, entry.path()) else {
                    continue;
                };
                let rel = entry
                    .path()
                    .strip_prefix(&self.root)
                    .unwrap_or(entry.path())
                    .to_string_lossy()
                    .replace('\\', "/");
                if !changes.iter().any(|x| x.path == rel) {
                    out.push(Change {
                        kind,
                        op: Op::Created,
                        path: rel,
                    });
                }
            }
        }
        out
    }

    /// A source folder that was removed loses its watch; one that appears (again) gets one.
    fn after_structure_change(&mut self, changes: &[Change]) {
        let top_level = |c: &Change| SOURCE_DIRS.contains(&c.path.as_str());
        if changes.iter().any(top_level) {
            self.watched.clear();
            self.watch_source_dirs();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::Event;
    use notify::event::{CreateKind, ModifyKind, RenameMode};
    use std::time::Instant;

    fn ev(kind: EventKind, paths: &[&str]) -> DebouncedEvent {
        let mut e = Event::new(kind);
        for p in paths {
            e = e.add_path(PathBuf::from(p));
        }
        DebouncedEvent::new(e, Instant::now())
    }

    #[test]
    fn classifies_sources_and_ignores_output_hidden_and_temp_files() {
        let root = Path::new("/site");
        let c = |p: &str| classify(root, Path::new(p));
        assert_eq!(
            c("/site/content/01-a/yuanwen.md"),
            Some(ChangeKind::Content)
        );
        assert_eq!(
            c("/site/themes/mine/templates/unit.html"),
            Some(ChangeKind::Theme)
        );
        assert_eq!(c("/site/templates/unit.html"), Some(ChangeKind::Theme));
        assert_eq!(c("/site/static/logo.png"), Some(ChangeKind::Static));
        assert_eq!(c("/site/site.yaml"), Some(ChangeKind::Config));
        assert_eq!(c("/site/public/index.html"), None);
        assert_eq!(
            c("/site/.studysite/cache/markdown.bin"),
            None,
            "the build cache"
        );
        assert_eq!(c("/site/content/01-a/.yuanwen.md.swp"), None);
        assert_eq!(c("/site/content/01-a/yuanwen.md~"), None);
        assert_eq!(c("/site/content/01-a/4913"), None);
        assert_eq!(c("/site/content/01-a/yuanwen.md___jb_tmp___"), None);
        assert_eq!(c("/site/content/.git/HEAD"), None);
        assert_eq!(c("/site/notes.txt"), None);
        assert_eq!(c("/elsewhere/content/a.md"), None);
    }

    #[test]
    fn rename_over_a_unit_counts_and_reads_do_not() {
        let root = Path::new("/site");
        let events = vec![
            ev(
                EventKind::Access(AccessKind::Open(AccessMode::Any)),
                &["/site/content/a/b.md"],
            ),
            ev(
                EventKind::Create(CreateKind::File),
                &["/site/content/a/b.md.tmp"],
            ),
            ev(
                EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
                &["/site/content/a/b.md.tmp", "/site/content/a/b.md"],
            ),
        ];
        let changes = changes_of(root, &events);
        assert_eq!(
            changes,
            vec![Change {
                kind: ChangeKind::Content,
                op: Op::Renamed,
                path: "content/a/b.md".into()
            }]
        );
        assert_eq!(describe(&changes), "content/a/b.md renamed");
    }

    #[test]
    fn keeps_the_last_operation_per_path() {
        let root = Path::new("/site");
        let events = vec![
            ev(
                EventKind::Create(CreateKind::File),
                &["/site/content/a/new.md"],
            ),
            ev(EventKind::Modify(ModifyKind::Any), &["/site/site.yaml"]),
            ev(
                EventKind::Access(AccessKind::Close(AccessMode::Write)),
                &["/site/content/a/new.md"],
            ),
        ];
        let changes = changes_of(root, &events);
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].op, Op::Modified);
        assert_eq!(describe(&changes), "content/a/new.md changed (+1 more)");
    }

    #[test]
    fn sees_a_file_written_into_a_new_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("content")).unwrap();
        let mut w = SiteWatcher::new(dir.path(), false).unwrap();
        let sub = dir.path().join("content/02-new");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("unit.md"), "x").unwrap();
        let mut seen = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline
            && !seen.iter().any(|c: &Change| c.path.ends_with("unit.md"))
        {
            if let Some(cs) = w.next_changes_within(Duration::from_secs(1)) {
                seen.extend(cs);
            }
        }
        assert!(
            seen.iter().any(|c| c.path == "content/02-new/unit.md"),
            "{seen:?}"
        );
    }
}
