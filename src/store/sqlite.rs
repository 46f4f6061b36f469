//! The embedded default: one SQLite file in WAL mode (readers never wait for the writer), with
//! one connection for the writer thread and one for the pages that read.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use super::*;

/// Schema versions, applied in order; never edit one that has shipped, add the next.
const MIGRATIONS: &[&str] = &[
    // 1: checks, clusters of unanswered checks with their variants and keys, feedback
    "CREATE TABLE checks (
        id TEXT PRIMARY KEY, at_ms INTEGER NOT NULL, surface TEXT NOT NULL, text TEXT NOT NULL,
        fingerprint TEXT NOT NULL, verdict TEXT NOT NULL, stance TEXT, top_claim TEXT,
        top_score REAL, top_level TEXT, generation TEXT NOT NULL, cluster_id INTEGER);
     CREATE INDEX checks_at ON checks(at_ms);
     CREATE INDEX checks_cluster ON checks(cluster_id);
     CREATE TABLE clusters (
        id INTEGER PRIMARY KEY, representative TEXT NOT NULL, count INTEGER NOT NULL,
        first_seen_ms INTEGER NOT NULL, last_seen_ms INTEGER NOT NULL, surfaces TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open', covered_by TEXT, related_claim TEXT,
        checked_generation TEXT, status_at_ms INTEGER);
     CREATE INDEX clusters_count ON clusters(status, count);
     CREATE INDEX clusters_recent ON clusters(status, last_seen_ms);
     CREATE TABLE variants (
        fingerprint TEXT PRIMARY KEY, cluster_id INTEGER NOT NULL, text TEXT NOT NULL,
        count INTEGER NOT NULL, first_seen_ms INTEGER NOT NULL);
     CREATE INDEX variants_cluster ON variants(cluster_id);
     CREATE TABLE cluster_keys (key INTEGER NOT NULL, fingerprint TEXT NOT NULL);
     CREATE INDEX cluster_keys_key ON cluster_keys(key);
     CREATE TABLE feedback (
        id INTEGER PRIMARY KEY, check_id TEXT NOT NULL, at_ms INTEGER NOT NULL,
        helpful INTEGER NOT NULL, comment TEXT);
     CREATE INDEX feedback_check ON feedback(check_id);",
];

pub struct SqliteStore {
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
}

fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    // a locked file waits this long, then fails with "database is locked"
    conn.busy_timeout(Duration::from_secs(2))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // with WAL, NORMAL loses nothing when the process dies (only on a power cut)
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_version", [], |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(sql)?;
        tx.execute("INSERT INTO schema_version (version) VALUES (?1)", [i as i64 + 1])?;
    }
    tx.commit()
}

impl SqliteStore {
    pub fn open(path: &Path) -> StoreResult<SqliteStore> {
        let fail = |e: rusqlite::Error| StoreError::Open { location: format!("sqlite {}", path.display()), detail: e.to_string() };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
                location: format!("sqlite {}", path.display()),
                detail: format!("cannot create {}: {e}", dir.display()),
            })?;
        }
        let mut writer = connect(path).map_err(fail)?;
        // a file that is not a database fails here ("file is not a database")
        writer.query_row("PRAGMA quick_check", [], |r| r.get::<_, String>(0)).map_err(fail).and_then(|s| {
            if s == "ok" {
                Ok(())
            } else {
                Err(StoreError::Open { location: format!("sqlite {}", path.display()), detail: format!("integrity check failed: {s}") })
            }
        })?;
        migrate(&mut writer).map_err(fail)?;
        let reader = connect(path).map_err(fail)?;
        Ok(SqliteStore { writer: Mutex::new(writer), reader: Mutex::new(reader) })
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> StoreResult<T> {
        let conn = self.reader.lock().unwrap_or_else(|e| e.into_inner());
        Ok(f(&conn)?)
    }

    fn write_one<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> StoreResult<T> {
        let conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        Ok(f(&conn)?)
    }
}

struct SqliteTx<'a>(rusqlite::Transaction<'a>);

impl Tx for SqliteTx<'_> {
    fn insert_check(&mut self, r: &CheckRow) -> StoreResult<()> {
        self.0.prepare_cached(
            "INSERT OR IGNORE INTO checks (id, at_ms, surface, text, fingerprint, verdict, stance, top_claim, top_score, top_level, generation, cluster_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?
        .execute(params![
            r.id,
            r.at_ms,
            r.surface,
            r.text,
            r.fingerprint,
            r.verdict,
            r.stance,
            r.top_claim,
            r.top_score,
            r.top_level,
            r.generation,
            r.cluster_id
        ])?;
        Ok(())
    }

    fn insert_feedback(&mut self, f: &FeedbackRow) -> StoreResult<()> {
        self.0
            .prepare_cached("INSERT INTO feedback (check_id, at_ms, helpful, comment) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![f.check_id, f.at_ms, f.helpful, f.comment])?;
        Ok(())
    }

    fn cluster_of_fingerprint(&mut self, fingerprint: &str) -> StoreResult<Option<i64>> {
        Ok(self
            .0
            .prepare_cached("SELECT cluster_id FROM variants WHERE fingerprint = ?1")?
            .query_row([fingerprint], |r| r.get(0))
            .optional()?)
    }

    fn candidates(&mut self, keys: &[i64], limit: usize) -> StoreResult<Vec<(i64, String)>> {
        if keys.is_empty() {
            return Ok(vec![]);
        }
        let marks = vec!["?"; keys.len()].join(",");
        // the variants sharing the most keys first: a limit then drops the least alike
        let sql = format!(
            "SELECT v.cluster_id, v.text FROM variants v JOIN
               (SELECT fingerprint, COUNT(*) AS shared FROM cluster_keys WHERE key IN ({marks})
                GROUP BY fingerprint ORDER BY shared DESC, fingerprint LIMIT {limit}) k ON k.fingerprint = v.fingerprint
             ORDER BY k.shared DESC, v.fingerprint"
        );
        let mut stmt = self.0.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(keys.iter()), |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn new_cluster(&mut self, r: &CheckRow, keys: &[i64]) -> StoreResult<i64> {
        self.0
            .prepare_cached(
                "INSERT INTO clusters (representative, count, first_seen_ms, last_seen_ms, surfaces, related_claim, checked_generation)
                 VALUES (?1, 1, ?2, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![r.text, r.at_ms, join_surfaces("", &r.surface), r.top_claim, r.generation])?;
        let id = self.0.last_insert_rowid();
        add_variant(&self.0, id, r, keys)?;
        Ok(id)
    }

    fn join_cluster(&mut self, cluster: i64, r: &CheckRow, keys: &[i64], max_variants: usize) -> StoreResult<()> {
        // the surfaces are a set: `,api,web,` gains `batch,` only if it lacks `,batch,`
        self.0
            .prepare_cached(
                "UPDATE clusters SET count = count + 1, last_seen_ms = MAX(last_seen_ms, ?2), first_seen_ms = MIN(first_seen_ms, ?2),
                 surfaces = CASE WHEN surfaces LIKE '%,' || ?3 || ',%' THEN surfaces ELSE surfaces || ?3 || ',' END,
                 related_claim = COALESCE(?4, related_claim) WHERE id = ?1",
            )?
            .execute(params![cluster, r.at_ms, r.surface, r.top_claim])?;
        let bumped = self.0.prepare_cached("UPDATE variants SET count = count + 1 WHERE fingerprint = ?1")?.execute([&r.fingerprint])?;
        if bumped == 0 {
            let stored: i64 =
                self.0.prepare_cached("SELECT COUNT(*) FROM variants WHERE cluster_id = ?1")?.query_row([cluster], |row| row.get(0))?;
            if (stored as usize) < max_variants {
                add_variant(&self.0, cluster, r, keys)?;
            }
        }
        Ok(())
    }
}

fn add_variant(conn: &Connection, cluster: i64, r: &CheckRow, keys: &[i64]) -> rusqlite::Result<()> {
    let added = conn
        .prepare_cached("INSERT OR IGNORE INTO variants (fingerprint, cluster_id, text, count, first_seen_ms) VALUES (?1, ?2, ?3, 1, ?4)")?
        .execute(params![r.fingerprint, cluster, r.text, r.at_ms])?;
    if added == 0 {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached("INSERT INTO cluster_keys (key, fingerprint) VALUES (?1, ?2)")?;
    for k in keys {
        stmt.execute(params![k, r.fingerprint])?;
    }
    Ok(())
}

const SUMMARY_COLUMNS: &str = "id, representative, count, first_seen_ms, last_seen_ms, surfaces, status, covered_by, related_claim";

fn summary(r: &rusqlite::Row) -> rusqlite::Result<ClusterSummary> {
    let surfaces: String = r.get(5)?;
    let status: String = r.get(6)?;
    Ok(ClusterSummary {
        id: r.get(0)?,
        representative: r.get(1)?,
        count: r.get(2)?,
        first_seen_ms: r.get(3)?,
        last_seen_ms: r.get(4)?,
        surfaces: split_surfaces(&surfaces),
        status: ClusterStatus::parse(&status).unwrap_or(ClusterStatus::Open),
        covered_by: r.get(7)?,
        related_claim: r.get(8)?,
    })
}

fn check_row(r: &rusqlite::Row) -> rusqlite::Result<CheckRow> {
    Ok(CheckRow {
        id: r.get(0)?,
        at_ms: r.get(1)?,
        surface: r.get(2)?,
        text: r.get(3)?,
        fingerprint: r.get(4)?,
        verdict: r.get(5)?,
        stance: r.get(6)?,
        top_claim: r.get(7)?,
        top_score: r.get(8)?,
        top_level: r.get(9)?,
        generation: r.get(10)?,
        cluster_id: r.get(11)?,
    })
}

impl Storage for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn schema_version(&self) -> StoreResult<i64> {
        self.read(|c| c.query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0)))
    }

    fn write(&self, f: &mut dyn FnMut(&mut dyn Tx) -> StoreResult<()>) -> StoreResult<()> {
        let mut conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let mut tx = SqliteTx(conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?);
        f(&mut tx)?;
        tx.0.commit()?;
        Ok(())
    }

    fn check(&self, id: &str) -> StoreResult<Option<CheckRow>> {
        self.read(|c| {
            c.query_row(
                "SELECT id, at_ms, surface, text, fingerprint, verdict, stance, top_claim, top_score, top_level, generation, cluster_id
                 FROM checks WHERE id = ?1",
                [id],
                check_row,
            )
            .optional()
        })
    }

    fn queue(&self, q: &QueueQuery) -> StoreResult<Vec<ClusterSummary>> {
        let order = match q.order {
            QueueOrder::Count => "count DESC, last_seen_ms DESC",
            QueueOrder::Recent => "last_seen_ms DESC",
        };
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM clusters
             WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR surfaces LIKE ?2)
               AND (?3 IS NULL OR last_seen_ms >= ?3) AND (?4 IS NULL OR first_seen_ms <= ?4)
             ORDER BY {order}, id LIMIT ?5 OFFSET ?6"
        );
        let surface = q.surface.as_ref().map(|s| format!("%,{s},%"));
        self.read(|c| {
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![q.status.map(|s| s.as_str()), surface, q.from_ms, q.to_ms, q.limit, q.offset], summary)?;
            rows.collect()
        })
    }

    fn cluster(&self, id: i64) -> StoreResult<Option<ClusterDetail>> {
        self.read(|c| {
            let Some(summary) = c.query_row(&format!("SELECT {SUMMARY_COLUMNS} FROM clusters WHERE id = ?1"), [id], summary).optional()?
            else {
                return Ok(None);
            };
            let mut stmt = c.prepare_cached(
                "SELECT text, fingerprint, count, first_seen_ms FROM variants WHERE cluster_id = ?1 ORDER BY count DESC, first_seen_ms",
            )?;
            let variants = stmt
                .query_map([id], |r| Ok(Variant { text: r.get(0)?, fingerprint: r.get(1)?, count: r.get(2)?, first_seen_ms: r.get(3)? }))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(Some(ClusterDetail { summary, variants }))
        })
    }

    fn set_ignored(&self, id: i64, ignored: bool, at_ms: i64) -> StoreResult<bool> {
        self.write_one(|c| {
            let (status, from) = if ignored { ("ignored", "open") } else { ("open", "ignored") };
            let n = c.execute(
                "UPDATE clusters SET status = ?2, status_at_ms = ?3 WHERE id = ?1 AND status = ?4",
                params![id, status, at_ms, from],
            )?;
            let exists = n > 0 || c.query_row("SELECT 1 FROM clusters WHERE id = ?1", [id], |_| Ok(())).optional()?.is_some();
            Ok(exists)
        })
    }

    fn to_recheck(&self, generation: &str, limit: i64) -> StoreResult<Vec<(i64, String)>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, representative FROM clusters WHERE status = 'open' AND (checked_generation IS NULL OR checked_generation <> ?1)
                 ORDER BY count DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![generation, limit], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })
    }

    fn rechecked(&self, id: i64, generation: &str, claim: Option<&str>, at_ms: i64) -> StoreResult<()> {
        self.write_one(|c| {
            c.execute(
                "UPDATE clusters SET checked_generation = ?2,
                   status = CASE WHEN ?3 IS NULL THEN status ELSE 'covered' END,
                   covered_by = COALESCE(?3, covered_by),
                   status_at_ms = CASE WHEN ?3 IS NULL THEN status_at_ms ELSE ?4 END
                 WHERE id = ?1 AND status = 'open'",
                params![id, generation, claim, at_ms],
            )
            .map(|_| ())
        })
    }

    fn feedback_by_claim(&self) -> StoreResult<Vec<ClaimFeedback>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT c.top_claim, SUM(f.helpful), SUM(1 - f.helpful) FROM feedback f JOIN checks c ON c.id = f.check_id
                 GROUP BY c.top_claim ORDER BY SUM(1 - f.helpful) DESC, SUM(f.helpful) DESC LIMIT 200",
            )?;
            let mut claims: Vec<ClaimFeedback> = stmt
                .query_map([], |r| Ok(ClaimFeedback { claim_id: r.get(0)?, helpful: r.get(1)?, unhelpful: r.get(2)?, comments: vec![] }))?
                .collect::<rusqlite::Result<_>>()?;
            let mut comments = c.prepare_cached(
                "SELECT f.at_ms, f.helpful, f.comment, c.text FROM feedback f JOIN checks c ON c.id = f.check_id
                 WHERE c.top_claim IS ?1 AND f.comment IS NOT NULL ORDER BY f.at_ms DESC LIMIT 5",
            )?;
            for claim in &mut claims {
                claim.comments = comments
                    .query_map([&claim.claim_id], |r| {
                        Ok(FeedbackComment { at_ms: r.get(0)?, helpful: r.get(1)?, comment: r.get(2)?, text: r.get(3)? })
                    })?
                    .collect::<rusqlite::Result<_>>()?;
            }
            Ok(claims)
        })
    }

    fn purge(&self, before_ms: i64) -> StoreResult<u64> {
        let mut conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn.transaction()?;
        let checks = tx.execute("DELETE FROM checks WHERE at_ms < ?1", [before_ms])?;
        tx.execute("DELETE FROM feedback WHERE at_ms < ?1", [before_ms])?;
        tx.execute(
            "DELETE FROM cluster_keys WHERE fingerprint IN
               (SELECT v.fingerprint FROM variants v JOIN clusters c ON c.id = v.cluster_id WHERE c.last_seen_ms < ?1)",
            [before_ms],
        )?;
        tx.execute("DELETE FROM variants WHERE cluster_id IN (SELECT id FROM clusters WHERE last_seen_ms < ?1)", [before_ms])?;
        tx.execute("DELETE FROM clusters WHERE last_seen_ms < ?1", [before_ms])?;
        tx.commit()?;
        Ok(checks as u64)
    }

    fn counts(&self) -> StoreResult<Counts> {
        self.read(|c| {
            c.query_row("SELECT (SELECT COUNT(*) FROM checks), (SELECT COUNT(*) FROM clusters), (SELECT COUNT(*) FROM feedback)", [], |r| {
                Ok(Counts { checks: r.get(0)?, clusters: r.get(1)?, feedback: r.get(2)? })
            })
        })
    }
}
