//! PostgreSQL, for several replicas that share one queue: the same schema and queries as the
//! SQLite store, in PostgreSQL's dialect. Migrations take an advisory lock, so replicas that
//! start together migrate once.

use std::collections::HashMap;
use std::sync::Mutex;

use ::postgres::{Client, NoTls, Row, Statement};

use super::*;

/// Schema versions, applied in order; never edit one that has shipped, add the next.
const MIGRATIONS: &[&str] = &[
    // 1: checks, clusters of unanswered checks with their variants and keys, feedback
    "CREATE TABLE checks (
        id TEXT PRIMARY KEY, at_ms BIGINT NOT NULL, surface TEXT NOT NULL, text TEXT NOT NULL,
        fingerprint TEXT NOT NULL, verdict TEXT NOT NULL, stance TEXT, top_claim TEXT,
        top_score DOUBLE PRECISION, top_level TEXT, generation TEXT NOT NULL, cluster_id BIGINT);
     CREATE INDEX checks_at ON checks(at_ms);
     CREATE INDEX checks_cluster ON checks(cluster_id);
     CREATE TABLE clusters (
        id BIGSERIAL PRIMARY KEY, representative TEXT NOT NULL, count BIGINT NOT NULL,
        first_seen_ms BIGINT NOT NULL, last_seen_ms BIGINT NOT NULL, surfaces TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open', covered_by TEXT, related_claim TEXT,
        checked_generation TEXT, status_at_ms BIGINT);
     CREATE INDEX clusters_count ON clusters(status, count);
     CREATE INDEX clusters_recent ON clusters(status, last_seen_ms);
     CREATE TABLE variants (
        fingerprint TEXT PRIMARY KEY, cluster_id BIGINT NOT NULL, text TEXT NOT NULL,
        count BIGINT NOT NULL, first_seen_ms BIGINT NOT NULL);
     CREATE INDEX variants_cluster ON variants(cluster_id);
     CREATE TABLE cluster_keys (key BIGINT NOT NULL, fingerprint TEXT NOT NULL);
     CREATE INDEX cluster_keys_key ON cluster_keys(key);
     CREATE TABLE feedback (
        id BIGSERIAL PRIMARY KEY, check_id TEXT NOT NULL, at_ms BIGINT NOT NULL,
        helpful BOOLEAN NOT NULL, comment TEXT);
     CREATE INDEX feedback_check ON feedback(check_id);",
];

/// Arbitrary constants: the advisory locks that serialize migrations and writes.
const MIGRATION_LOCK: i64 = 0x0070_6979_616f;
const WRITE_LOCK: i64 = 0x0070_6979_6170;

/// The URL with its password replaced by `***`.
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let Some((userinfo, host)) = rest.split_once('@') else { return url.to_string() };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

pub struct PostgresStore {
    config: ::postgres::Config,
    writer: Mutex<WriterConn>,
    reader: Mutex<Client>,
}

/// The writer's connection, with its statements prepared once (each one unprepared would cost
/// a round trip more per query).
struct WriterConn {
    client: Client,
    statements: HashMap<&'static str, Statement>,
}

fn migrate(client: &mut Client) -> Result<(), ::postgres::Error> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")?;
    let version: i64 = tx.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_version", &[])?.get(0);
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.batch_execute(sql)?;
        tx.execute("INSERT INTO schema_version (version) VALUES ($1)", &[&(i as i64 + 1)])?;
    }
    tx.commit()
}

impl PostgresStore {
    pub fn open(url: &str) -> StoreResult<PostgresStore> {
        let fail =
            |e: ::postgres::Error| StoreError::Open { location: format!("postgres {}", without_password(url)), detail: format!("{e:#}") };
        let mut config: ::postgres::Config = url.parse().map_err(fail)?;
        // an unreachable server must not hold up the start for minutes: recording is then off
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(5));
        }
        let mut writer = config.connect(NoTls).map_err(fail)?;
        migrate(&mut writer).map_err(fail)?;
        let reader = config.connect(NoTls).map_err(fail)?;
        let writer = WriterConn { client: writer, statements: HashMap::new() };
        Ok(PostgresStore { config, writer: Mutex::new(writer), reader: Mutex::new(reader) })
    }

    /// The writer's connection, connected again if the server closed it.
    fn writer(&self) -> StoreResult<std::sync::MutexGuard<'_, WriterConn>> {
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        if w.client.is_closed() {
            w.client = self.config.connect(NoTls)?;
            w.statements.clear();
        }
        Ok(w)
    }

    /// The client behind `m`, connected again if the server closed it (a restart of PostgreSQL).
    fn client<'a>(&self, m: &'a Mutex<Client>) -> StoreResult<std::sync::MutexGuard<'a, Client>> {
        let mut client = m.lock().unwrap_or_else(|e| e.into_inner());
        if client.is_closed() {
            *client = self.config.connect(NoTls)?;
        }
        Ok(client)
    }
}

struct PgTx<'a> {
    tx: ::postgres::Transaction<'a>,
    statements: &'a mut HashMap<&'static str, Statement>,
}

impl PgTx<'_> {
    /// `sql` prepared on this connection (once).
    fn st(&mut self, sql: &'static str) -> Result<Statement, ::postgres::Error> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.tx.prepare(sql)?;
        self.statements.insert(sql, s.clone());
        Ok(s)
    }
}

impl Tx for PgTx<'_> {
    fn insert_check(&mut self, r: &CheckRow) -> StoreResult<()> {
        let st = self.st(
            "INSERT INTO checks (id, at_ms, surface, text, fingerprint, verdict, stance, top_claim, top_score, top_level, generation, cluster_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING",
        )?;
        self.tx.execute(
            &st,
            &[
                &r.id,
                &r.at_ms,
                &r.surface,
                &r.text,
                &r.fingerprint,
                &r.verdict,
                &r.stance,
                &r.top_claim,
                &r.top_score,
                &r.top_level,
                &r.generation,
                &r.cluster_id,
            ],
        )?;
        Ok(())
    }

    fn insert_feedback(&mut self, f: &FeedbackRow) -> StoreResult<()> {
        let st = self.st("INSERT INTO feedback (check_id, at_ms, helpful, comment) VALUES ($1, $2, $3, $4)")?;
        self.tx.execute(&st, &[&f.check_id, &f.at_ms, &f.helpful, &f.comment])?;
        Ok(())
    }

    fn cluster_of_fingerprint(&mut self, fingerprint: &str) -> StoreResult<Option<i64>> {
        let st = self.st("SELECT cluster_id FROM variants WHERE fingerprint = $1")?;
        Ok(self.tx.query_opt(&st, &[&fingerprint])?.map(|r| r.get(0)))
    }

    fn candidates(&mut self, keys: &[i64], limit: usize) -> StoreResult<Vec<(i64, String)>> {
        if keys.is_empty() {
            return Ok(vec![]);
        }
        // the variants sharing the most keys first: a limit then drops the least alike
        let st = self.st("SELECT v.cluster_id, v.text FROM variants v JOIN
               (SELECT fingerprint, COUNT(*) AS shared FROM cluster_keys WHERE key = ANY($1)
                GROUP BY fingerprint ORDER BY shared DESC, fingerprint LIMIT $2) k ON k.fingerprint = v.fingerprint
             ORDER BY k.shared DESC, v.fingerprint")?;
        let rows = self.tx.query(&st, &[&keys, &(limit as i64)])?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    fn new_cluster(&mut self, r: &CheckRow, keys: &[i64]) -> StoreResult<i64> {
        let st = self
            .st("INSERT INTO clusters (representative, count, first_seen_ms, last_seen_ms, surfaces, related_claim, checked_generation)
             VALUES ($1, 1, $2, $2, $3, $4, $5) RETURNING id")?;
        let id: i64 = self.tx.query_one(&st, &[&r.text, &r.at_ms, &join_surfaces("", &r.surface), &r.top_claim, &r.generation])?.get(0);
        self.add_variant(id, r, keys)?;
        Ok(id)
    }

    fn join_cluster(&mut self, cluster: i64, r: &CheckRow, keys: &[i64], max_variants: usize) -> StoreResult<()> {
        // the surfaces are a set: `,api,web,` gains `batch,` only if it lacks `,batch,`
        let st = self.st(
            "UPDATE clusters SET count = count + 1, last_seen_ms = GREATEST(last_seen_ms, $2), first_seen_ms = LEAST(first_seen_ms, $2),
             surfaces = CASE WHEN surfaces LIKE '%,' || $3 || ',%' THEN surfaces ELSE surfaces || $3 || ',' END,
             related_claim = COALESCE($4, related_claim) WHERE id = $1",
        )?;
        self.tx.execute(&st, &[&cluster, &r.at_ms, &r.surface, &r.top_claim])?;
        let st = self.st("UPDATE variants SET count = count + 1 WHERE fingerprint = $1")?;
        let bumped = self.tx.execute(&st, &[&r.fingerprint])?;
        if bumped == 0 {
            let st = self.st("SELECT COUNT(*) FROM variants WHERE cluster_id = $1")?;
            let stored: i64 = self.tx.query_one(&st, &[&cluster])?.get(0);
            if (stored as usize) < max_variants {
                self.add_variant(cluster, r, keys)?;
            }
        }
        Ok(())
    }
}

impl PgTx<'_> {
    fn add_variant(&mut self, cluster: i64, r: &CheckRow, keys: &[i64]) -> Result<(), ::postgres::Error> {
        let st = self.st(
            "INSERT INTO variants (fingerprint, cluster_id, text, count, first_seen_ms) VALUES ($1, $2, $3, 1, $4) ON CONFLICT (fingerprint) DO NOTHING",
        )?;
        let added = self.tx.execute(&st, &[&r.fingerprint, &cluster, &r.text, &r.at_ms])?;
        if added > 0 {
            let st = self.st("INSERT INTO cluster_keys (key, fingerprint) SELECT k, $2 FROM UNNEST($1::BIGINT[]) AS k")?;
            self.tx.execute(&st, &[&keys, &r.fingerprint])?;
        }
        Ok(())
    }
}

const SUMMARY_COLUMNS: &str = "id, representative, count, first_seen_ms, last_seen_ms, surfaces, status, covered_by, related_claim";

fn summary(r: &Row) -> ClusterSummary {
    let surfaces: String = r.get(5);
    let status: String = r.get(6);
    ClusterSummary {
        id: r.get(0),
        representative: r.get(1),
        count: r.get(2),
        first_seen_ms: r.get(3),
        last_seen_ms: r.get(4),
        surfaces: split_surfaces(&surfaces),
        status: ClusterStatus::parse(&status).unwrap_or(ClusterStatus::Open),
        covered_by: r.get(7),
        related_claim: r.get(8),
    }
}

impl Storage for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn schema_version(&self) -> StoreResult<i64> {
        Ok(self.client(&self.reader)?.query_one("SELECT MAX(version) FROM schema_version", &[])?.get(0))
    }

    fn write(&self, f: &mut dyn FnMut(&mut dyn Tx) -> StoreResult<()>) -> StoreResult<()> {
        let mut conn = self.writer()?;
        let WriterConn { client, statements } = &mut *conn;
        let mut tx = PgTx { tx: client.transaction()?, statements };
        // replicas write one at a time, so that two copies of a new message asked on two
        // replicas at once join one cluster rather than start two
        let lock = tx.st("SELECT pg_advisory_xact_lock($1)")?;
        tx.tx.execute(&lock, &[&WRITE_LOCK])?;
        f(&mut tx)?;
        tx.tx.commit()?;
        Ok(())
    }

    fn check(&self, id: &str) -> StoreResult<Option<CheckRow>> {
        let row = self.client(&self.reader)?.query_opt(
            "SELECT id, at_ms, surface, text, fingerprint, verdict, stance, top_claim, top_score, top_level, generation, cluster_id
             FROM checks WHERE id = $1",
            &[&id],
        )?;
        Ok(row.map(|r| CheckRow {
            id: r.get(0),
            at_ms: r.get(1),
            surface: r.get(2),
            text: r.get(3),
            fingerprint: r.get(4),
            verdict: r.get(5),
            stance: r.get(6),
            top_claim: r.get(7),
            top_score: r.get(8),
            top_level: r.get(9),
            generation: r.get(10),
            cluster_id: r.get(11),
        }))
    }

    fn queue(&self, q: &QueueQuery) -> StoreResult<Vec<ClusterSummary>> {
        let order = match q.order {
            QueueOrder::Count => "count DESC, last_seen_ms DESC",
            QueueOrder::Recent => "last_seen_ms DESC",
        };
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM clusters
             WHERE ($1::TEXT IS NULL OR status = $1) AND ($2::TEXT IS NULL OR surfaces LIKE $2)
               AND ($3::BIGINT IS NULL OR last_seen_ms >= $3) AND ($4::BIGINT IS NULL OR first_seen_ms <= $4)
             ORDER BY {order}, id LIMIT $5 OFFSET $6"
        );
        let surface = q.surface.as_ref().map(|s| format!("%,{s},%"));
        let status = q.status.map(|s| s.as_str());
        let rows = self.client(&self.reader)?.query(&sql, &[&status, &surface, &q.from_ms, &q.to_ms, &q.limit, &q.offset])?;
        Ok(rows.iter().map(summary).collect())
    }

    fn cluster(&self, id: i64) -> StoreResult<Option<ClusterDetail>> {
        let mut client = self.client(&self.reader)?;
        let Some(row) = client.query_opt(&format!("SELECT {SUMMARY_COLUMNS} FROM clusters WHERE id = $1"), &[&id])? else {
            return Ok(None);
        };
        let variants = client
            .query(
                "SELECT text, fingerprint, count, first_seen_ms FROM variants WHERE cluster_id = $1 ORDER BY count DESC, first_seen_ms",
                &[&id],
            )?
            .iter()
            .map(|r| Variant { text: r.get(0), fingerprint: r.get(1), count: r.get(2), first_seen_ms: r.get(3) })
            .collect();
        Ok(Some(ClusterDetail { summary: summary(&row), variants }))
    }

    fn set_ignored(&self, id: i64, ignored: bool, at_ms: i64) -> StoreResult<bool> {
        let (status, from) = if ignored { ("ignored", "open") } else { ("open", "ignored") };
        let mut conn = self.writer()?;
        let client = &mut conn.client;
        let n = client
            .execute("UPDATE clusters SET status = $2, status_at_ms = $3 WHERE id = $1 AND status = $4", &[&id, &status, &at_ms, &from])?;
        Ok(n > 0 || client.query_opt("SELECT 1 FROM clusters WHERE id = $1", &[&id])?.is_some())
    }

    fn to_recheck(&self, generation: &str, limit: i64) -> StoreResult<Vec<(i64, String)>> {
        let rows = self.client(&self.reader)?.query(
            "SELECT id, representative FROM clusters WHERE status = 'open' AND (checked_generation IS NULL OR checked_generation <> $1)
             ORDER BY count DESC LIMIT $2",
            &[&generation, &limit],
        )?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    fn rechecked(&self, id: i64, generation: &str, claim: Option<&str>, at_ms: i64) -> StoreResult<()> {
        self.writer()?.client.execute(
            "UPDATE clusters SET checked_generation = $2,
               status = CASE WHEN $3::TEXT IS NULL THEN status ELSE 'covered' END,
               covered_by = COALESCE($3, covered_by),
               status_at_ms = CASE WHEN $3::TEXT IS NULL THEN status_at_ms ELSE $4 END
             WHERE id = $1 AND status = 'open'",
            &[&id, &generation, &claim, &at_ms],
        )?;
        Ok(())
    }

    fn feedback_by_claim(&self) -> StoreResult<Vec<ClaimFeedback>> {
        let mut client = self.client(&self.reader)?;
        let rows = client.query(
            "SELECT c.top_claim, COUNT(*) FILTER (WHERE f.helpful), COUNT(*) FILTER (WHERE NOT f.helpful)
             FROM feedback f JOIN checks c ON c.id = f.check_id
             GROUP BY c.top_claim ORDER BY 3 DESC, 2 DESC LIMIT 200",
            &[],
        )?;
        let mut claims = Vec::with_capacity(rows.len());
        for r in rows {
            let claim_id: Option<String> = r.get(0);
            let comments = client
                .query(
                    "SELECT f.at_ms, f.helpful, f.comment, c.text FROM feedback f JOIN checks c ON c.id = f.check_id
                     WHERE c.top_claim IS NOT DISTINCT FROM $1 AND f.comment IS NOT NULL ORDER BY f.at_ms DESC LIMIT 5",
                    &[&claim_id],
                )?
                .iter()
                .map(|c| FeedbackComment { at_ms: c.get(0), helpful: c.get(1), comment: c.get(2), text: c.get(3) })
                .collect();
            claims.push(ClaimFeedback { claim_id, helpful: r.get(1), unhelpful: r.get(2), comments });
        }
        Ok(claims)
    }

    fn purge(&self, before_ms: i64) -> StoreResult<u64> {
        let mut conn = self.writer()?;
        let client = &mut conn.client;
        let mut tx = client.transaction()?;
        let checks = tx.execute("DELETE FROM checks WHERE at_ms < $1", &[&before_ms])?;
        tx.execute("DELETE FROM feedback WHERE at_ms < $1", &[&before_ms])?;
        tx.execute(
            "DELETE FROM cluster_keys WHERE fingerprint IN
               (SELECT v.fingerprint FROM variants v JOIN clusters c ON c.id = v.cluster_id WHERE c.last_seen_ms < $1)",
            &[&before_ms],
        )?;
        tx.execute("DELETE FROM variants WHERE cluster_id IN (SELECT id FROM clusters WHERE last_seen_ms < $1)", &[&before_ms])?;
        tx.execute("DELETE FROM clusters WHERE last_seen_ms < $1", &[&before_ms])?;
        tx.commit()?;
        Ok(checks)
    }

    fn counts(&self) -> StoreResult<Counts> {
        let r = self
            .client(&self.reader)?
            .query_one("SELECT (SELECT COUNT(*) FROM checks), (SELECT COUNT(*) FROM clusters), (SELECT COUNT(*) FROM feedback)", &[])?;
        Ok(Counts { checks: r.get(0), clusters: r.get(1), feedback: r.get(2) })
    }
}
