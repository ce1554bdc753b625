//! Where `serve --collect` keeps the learners' results: one SQLite file (the bundled SQLite
//! through `rusqlite`, no system library), `ROOT/.studysite/results.sqlite` by default.
//!
//! Everything that touches the database is here, behind [`Store`], so another store could
//! take its place: the collector (`crate::collect`) hands it checked records and reads rows
//! back for the report; it never sees SQL.
//!
//! - **Durable before 201.** The file runs in WAL mode with `synchronous = FULL`: a commit has
//!   reached the disk when [`Store::insert`] returns, so a record answered 201 survives a
//!   `kill -9` of the server (and a power cut).
//! - **Idempotent.** A record's id (`attempt_id`, chosen by the browser) is the primary key and
//!   its digest (BLAKE3 of its checked content) is kept: the same id again with the same digest
//!   is [`Inserted::Same`], with another digest [`Inserted::Conflict`], and nothing changes.
//! - **Versioned.** `PRAGMA user_version` holds [`SCHEMA_VERSION`]; a file written by a newer
//!   studysite is refused with a message instead of being read wrongly.
//!
//! One connection behind a mutex: writes are serialised by SQLite anyway, and a room of phones
//! sends a few records a second.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

/// The schema this binary reads and writes.
pub const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS attempts (
    id TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    device TEXT NOT NULL,
    name TEXT NOT NULL,
    branch TEXT NOT NULL,
    on_roster INTEGER NOT NULL,
    quiz TEXT NOT NULL,
    score INTEGER NOT NULL,
    total INTEGER NOT NULL,
    passed INTEGER NOT NULL,
    client_score INTEGER,
    stale INTEGER NOT NULL,
    started TEXT NOT NULL,
    finished TEXT NOT NULL,
    received TEXT NOT NULL,
    via TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS answers (
    attempt TEXT NOT NULL REFERENCES attempts(id),
    question TEXT NOT NULL,
    hash TEXT NOT NULL,
    answer TEXT NOT NULL,
    correct INTEGER NOT NULL,
    stale INTEGER NOT NULL,
    points INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_by_attempt ON answers(attempt);
CREATE TABLE IF NOT EXISTS reads (
    id TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    device TEXT NOT NULL,
    name TEXT NOT NULL,
    branch TEXT NOT NULL,
    on_roster INTEGER NOT NULL,
    unit TEXT NOT NULL,
    time TEXT NOT NULL,
    received TEXT NOT NULL,
    via TEXT NOT NULL
);
";

/// Who sent a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Learner {
    pub device: String,
    pub name: String,
    pub branch: String,
    /// Whether the name is on the site's roster (always true when there is no roster).
    pub on_roster: bool,
}

/// One answer of an attempt, as checked and scored by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerRow {
    pub question: String,
    /// The content hash the page had; differs from the site's when the question was edited.
    pub hash: String,
    /// The answer as JSON (`null` when unanswered).
    pub answer: String,
    pub correct: bool,
    /// The question was edited since the page was served: kept, but not counted.
    pub stale: bool,
    pub points: u32,
}

/// A finished quiz attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub id: String,
    pub digest: String,
    pub learner: Learner,
    pub quiz: String,
    /// The server's score (points), from the answers.
    pub score: u32,
    pub total: u32,
    pub passed: bool,
    /// What the browser said the score was (only compared).
    pub client_score: Option<u32>,
    pub stale: bool,
    pub started: String,
    pub finished: String,
    /// When the server stored it (UTC, `YYYY-MM-DDTHH:MM:SSZ`).
    pub received: String,
    /// `post` or `import`.
    pub via: String,
    pub answers: Vec<AnswerRow>,
}

/// A unit marked read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    pub id: String,
    pub digest: String,
    pub learner: Learner,
    pub unit: String,
    pub time: String,
    pub received: String,
    pub via: String,
}

/// A record to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    Attempt(Attempt),
    Read(Read),
}

impl Record {
    pub fn id(&self) -> &str {
        match self {
            Record::Attempt(a) => &a.id,
            Record::Read(r) => &r.id,
        }
    }
}

/// What [`Store::insert`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    /// Stored and committed.
    Created,
    /// The same id with the same content was stored before: nothing changed.
    Same,
    /// The same id with other content was stored before: nothing changed.
    Conflict,
}

/// The results database.
pub struct Store {
    conn: Mutex<Live>,
    path: PathBuf,
}

/// The open connection and the identity (device, inode) of the file it opened: when the file at
/// the path is no longer that one (deleted, or replaced by a copy), the connection writes into
/// a file nobody will read again, so it is closed and a new database made at the path.
struct Live {
    conn: Connection,
    file: Option<(u64, u64)>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// Opens (or creates) the database at `path` and sets it up; refuses a newer schema.
fn connect(path: &Path) -> Result<Connection> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::fs::create_dir_all(dir)?;
    }
    let conn = Connection::open(path)
        .with_context(|| format!("failed to open the results database `{}`", path.display()))?;
    let ctx = || format!("failed to set up the results database `{}`", path.display());
    // A second writer (`report --import` while `serve --collect` runs) waits for the lock.
    conn.busy_timeout(BUSY_TIMEOUT).with_context(ctx)?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .with_context(ctx)?;
    if version > SCHEMA_VERSION {
        bail!(
            "the results database `{}` has schema version {version}, newer than this studysite knows ({SCHEMA_VERSION}): use a newer studysite, or another file with --db",
            path.display()
        );
    }
    conn.pragma_update(None, "journal_mode", "WAL")
        .with_context(ctx)?;
    conn.pragma_update(None, "synchronous", "FULL")
        .with_context(ctx)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .with_context(ctx)?;
    conn.execute_batch(SCHEMA).with_context(ctx)?;
    conn.pragma_update(None, "user_version", SCHEMA_VERSION)
        .with_context(ctx)?;
    Ok(conn)
}

/// How long a write waits for another process' lock before it fails.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Why a write was not acknowledged although it may have reached a file: the database file
/// was removed or replaced while it was written. The caller answers 503, and the browser's
/// outbox sends the record again, into the new file.
#[derive(Debug, thiserror::Error)]
#[error(
    "the results database `{0}` was removed or replaced while a record was written; a new one is made there: send the record again"
)]
pub struct Replaced(pub PathBuf);

impl Store {
    /// Opens (or creates, with its folder) the database at `path`; refuses a newer schema.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = connect(path)?;
        Ok(Store {
            conn: Mutex::new(Live {
                conn,
                file: crate::fs::file_identity(path),
            }),
            path: path.to_path_buf(),
        })
    }

    /// The connection, for a write: when the file at the path is no longer the one open, the
    /// old connection is closed and a new database made at the path (keeping the report's
    /// token, so the organiser's link still works).
    fn writer(&self) -> Result<std::sync::MutexGuard<'_, Live>> {
        let mut live = self.live();
        let now = crate::fs::file_identity(&self.path);
        if now.is_some() && now == live.file {
            return Ok(live);
        }
        let token = read_token(&live.conn);
        // Closing first: the old connection's WAL must not be taken for the new file's.
        live.conn = Connection::open_in_memory().with_context(|| self.context())?;
        live.file = None;
        let conn = connect(&self.path)?;
        if let Some(t) = token {
            conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('report_token', ?1)",
                params![t],
            )
            .with_context(|| self.context())?;
        }
        live.file = crate::fs::file_identity(&self.path);
        live.conn = conn;
        eprintln!(
            "warning: the results database `{}` was removed or replaced while serving: a new one was made there (use `studysite report --clear` to clear results)",
            self.path.display()
        );
        Ok(live)
    }

    /// After a commit: is the file at the path still the one written? If not, what was
    /// written went into a removed file, and is not acknowledged.
    fn still_there(&self, written: Option<(u64, u64)>) -> Result<()> {
        match crate::fs::file_identity(&self.path) {
            Some(id) if Some(id) == written => Ok(()),
            _ => Err(Replaced(self.path.clone()).into()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn live(&self) -> std::sync::MutexGuard<'_, Live> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn context(&self) -> String {
        format!("results database `{}`", self.path.display())
    }

    /// The report's token: made once (random) and kept in the database.
    pub fn token(&self) -> Result<String> {
        let live = self.writer()?;
        if let Some(t) = read_token(&live.conn) {
            return Ok(t);
        }
        let token = random_hex(16);
        live.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES ('report_token', ?1)",
                params![token],
            )
            .with_context(|| self.context())?;
        Ok(token)
    }

    /// Stores `record` in one transaction, committed (durably) before this returns.
    pub fn insert(&self, record: &Record) -> Result<Inserted> {
        let mut live = self.writer()?;
        let file = live.file;
        let tx = (live.conn)
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .with_context(|| self.context())?;
        let (table, id, digest) = match record {
            Record::Attempt(a) => ("attempts", &a.id, &a.digest),
            Record::Read(r) => ("reads", &r.id, &r.digest),
        };
        let old: Option<String> = tx
            .query_row(
                &format!("SELECT digest FROM {table} WHERE id = ?1"),
                params![id],
                |r| r.get(0),
            )
            .optional()
            .with_context(|| self.context())?;
        if let Some(old) = old {
            return Ok(if &old == digest {
                Inserted::Same
            } else {
                Inserted::Conflict
            });
        }
        match record {
            Record::Attempt(a) => insert_attempt(&tx, a),
            Record::Read(r) => insert_read(&tx, r),
        }
        .with_context(|| self.context())?;
        tx.commit().with_context(|| self.context())?;
        self.still_there(file)?;
        Ok(Inserted::Created)
    }

    /// Every attempt, oldest first, with its answers.
    pub fn attempts(&self) -> Result<Vec<Attempt>> {
        let live = self.live();
        let conn = &live.conn;
        let mut answers: std::collections::HashMap<String, Vec<AnswerRow>> =
            std::collections::HashMap::new();
        let mut stmt = conn
            .prepare("SELECT attempt, question, hash, answer, correct, stale, points FROM answers ORDER BY rowid")
            .with_context(|| self.context())?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    AnswerRow {
                        question: r.get(1)?,
                        hash: r.get(2)?,
                        answer: r.get(3)?,
                        correct: r.get(4)?,
                        stale: r.get(5)?,
                        points: r.get(6)?,
                    },
                ))
            })
            .with_context(|| self.context())?;
        for row in rows {
            let (attempt, a) = row.with_context(|| self.context())?;
            answers.entry(attempt).or_default().push(a);
        }
        let mut stmt = conn
            .prepare("SELECT id, digest, device, name, branch, on_roster, quiz, score, total, passed, client_score, stale, started, finished, received, via FROM attempts ORDER BY received, rowid")
            .with_context(|| self.context())?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Attempt {
                    id: r.get(0)?,
                    digest: r.get(1)?,
                    learner: learner_at(r, 2)?,
                    quiz: r.get(6)?,
                    score: r.get(7)?,
                    total: r.get(8)?,
                    passed: r.get(9)?,
                    client_score: r.get(10)?,
                    stale: r.get(11)?,
                    started: r.get(12)?,
                    finished: r.get(13)?,
                    received: r.get(14)?,
                    via: r.get(15)?,
                    answers: Vec::new(),
                })
            })
            .with_context(|| self.context())?;
        let mut out = Vec::new();
        for row in rows {
            let mut a = row.with_context(|| self.context())?;
            a.answers = answers.remove(&a.id).unwrap_or_default();
            out.push(a);
        }
        Ok(out)
    }

    /// Every unit marked read, oldest first.
    pub fn reads(&self) -> Result<Vec<Read>> {
        let live = self.live();
        let conn = &live.conn;
        let mut stmt = conn
            .prepare("SELECT id, digest, device, name, branch, on_roster, unit, time, received, via FROM reads ORDER BY received, rowid")
            .with_context(|| self.context())?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Read {
                    id: r.get(0)?,
                    digest: r.get(1)?,
                    learner: learner_at(r, 2)?,
                    unit: r.get(6)?,
                    time: r.get(7)?,
                    received: r.get(8)?,
                    via: r.get(9)?,
                })
            })
            .with_context(|| self.context())?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .with_context(|| self.context())
    }

    /// Deletes every result (the report's token stays); returns how many records went.
    pub fn clear(&self) -> Result<usize> {
        let mut live = self.writer()?;
        let conn = &mut live.conn;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .with_context(|| self.context())?;
        tx.execute("DELETE FROM answers", [])
            .with_context(|| self.context())?;
        let a = tx
            .execute("DELETE FROM attempts", [])
            .with_context(|| self.context())?;
        let r = tx
            .execute("DELETE FROM reads", [])
            .with_context(|| self.context())?;
        tx.commit().with_context(|| self.context())?;
        conn.execute_batch("VACUUM")
            .with_context(|| self.context())?;
        Ok(a + r)
    }
}

/// The report's token kept in `conn`, if any (and readable).
fn read_token(conn: &Connection) -> Option<String> {
    conn.query_row(
        "SELECT value FROM meta WHERE key = 'report_token'",
        [],
        |r| r.get(0),
    )
    .optional()
    .ok()
    .flatten()
}

fn insert_attempt(tx: &rusqlite::Transaction<'_>, a: &Attempt) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO attempts (id, digest, device, name, branch, on_roster, quiz, score, total, passed, client_score, stale, started, finished, received, via) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        params![
            a.id,
            a.digest,
            a.learner.device,
            a.learner.name,
            a.learner.branch,
            a.learner.on_roster,
            a.quiz,
            a.score,
            a.total,
            a.passed,
            a.client_score,
            a.stale,
            a.started,
            a.finished,
            a.received,
            a.via
        ],
    )?;
    let mut stmt = tx.prepare(
        "INSERT INTO answers (attempt, question, hash, answer, correct, stale, points) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for x in &a.answers {
        stmt.execute(params![
            a.id, x.question, x.hash, x.answer, x.correct, x.stale, x.points
        ])?;
    }
    Ok(())
}

fn insert_read(tx: &rusqlite::Transaction<'_>, r: &Read) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO reads (id, digest, device, name, branch, on_roster, unit, time, received, via) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            r.id,
            r.digest,
            r.learner.device,
            r.learner.name,
            r.learner.branch,
            r.learner.on_roster,
            r.unit,
            r.time,
            r.received,
            r.via
        ],
    )?;
    Ok(())
}

/// `2 * bytes` hex digits from the operating system's randomness (std's `RandomState` keys
/// are drawn from it; each hasher is keyed anew), for the report's token.
pub fn random_hex(bytes: usize) -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut out = String::new();
    let mut i = 0u64;
    while out.len() < bytes * 2 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(i);
        out.push_str(&format!("{:016x}", h.finish()));
        i += 1;
    }
    out.truncate(bytes * 2);
    out
}

/// The learner of a row whose columns `at..at + 4` are device, name, branch and on_roster (the
/// same in both tables).
fn learner_at(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Learner> {
    Ok(Learner {
        device: r.get(at)?,
        name: r.get(at + 1)?,
        branch: r.get(at + 2)?,
        on_roster: r.get(at + 3)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::now_utc;

    fn read(id: &str, digest: &str) -> Record {
        Record::Read(Read {
            id: id.into(),
            digest: digest.into(),
            learner: Learner {
                device: "d".into(),
                name: "张三".into(),
                branch: String::new(),
                on_roster: true,
            },
            unit: "01-a/yuanwen".into(),
            time: "2024-01-01T00:00:00Z".into(),
            received: now_utc(),
            via: "post".into(),
        })
    }

    #[test]
    fn inserts_once_and_tells_same_from_conflict() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("x/results.sqlite")).unwrap();
        assert_eq!(store.insert(&read("a", "1")).unwrap(), Inserted::Created);
        assert_eq!(store.insert(&read("a", "1")).unwrap(), Inserted::Same);
        assert_eq!(store.insert(&read("a", "2")).unwrap(), Inserted::Conflict);
        assert_eq!(store.reads().unwrap().len(), 1);
        let token = store.token().unwrap();
        assert_eq!(token.len(), 32);
        assert_eq!(store.token().unwrap(), token);
        assert_eq!(store.clear().unwrap(), 1);
        assert!(store.reads().unwrap().is_empty());
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.sqlite");
        {
            let c = Connection::open(&path).unwrap();
            c.pragma_update(None, "user_version", 99).unwrap();
        }
        let e = Store::open(&path).unwrap_err().to_string();
        assert!(e.contains("schema version 99, newer"), "{e}");
    }
}
