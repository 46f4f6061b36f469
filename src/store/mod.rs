//! Where recorded checks, their clusters and people's feedback are kept: one `Storage` trait
//! with two backends, an embedded SQLite file (the default) and PostgreSQL (one queue shared by
//! several replicas). Opening a store runs its versioned schema migrations. Knows nothing of
//! HTTP; every call blocks, so async code calls it from `web::block` or the writer thread.

mod postgres;
mod sqlite;

use std::path::{Path, PathBuf};

use serde::Serialize;
use utoipa::ToSchema;

/// Where the database is: a SQLite file, or a `postgres://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Location {
    /// `postgres://…` or `postgresql://…` is PostgreSQL; anything else is a SQLite file path.
    pub fn parse(s: &str) -> Location {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Location::Postgres(s.to_string())
        } else {
            Location::Sqlite(PathBuf::from(s))
        }
    }

    /// The default beside an index folder: `.piyao/index` → `.piyao/piyao.db`.
    pub fn beside_index(index: &Path) -> Location {
        let parent = index.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        Location::Sqlite(parent.join("piyao.db"))
    }

    /// For logs and `/healthz`: the file, or the URL without its password.
    pub fn describe(&self) -> String {
        match self {
            Location::Sqlite(p) => format!("sqlite {}", p.display()),
            Location::Postgres(url) => format!("postgres {}", postgres::without_password(url)),
        }
    }
}

/// Why the database could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database ({location}): {detail}")]
    Open { location: String, detail: String },
    #[error("database error: {0}")]
    Query(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Query(e.to_string())
    }
}

impl From<::postgres::Error> for StoreError {
    fn from(e: ::postgres::Error) -> StoreError {
        StoreError::Query(format!("{e:#}"))
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Open (and migrate) the database at `location`. Safe to call from async code: the
/// PostgreSQL client runs its own runtime, so it connects on a thread of its own.
pub fn open(location: &Location) -> StoreResult<Box<dyn Storage>> {
    match location {
        Location::Sqlite(path) => Ok(Box::new(sqlite::SqliteStore::open(path)?)),
        Location::Postgres(url) => std::thread::scope(|s| {
            s.spawn(|| postgres::PostgresStore::open(url).map(|p| Box::new(p) as Box<dyn Storage>)).join().unwrap_or_else(|_| {
                Err(StoreError::Open { location: location.describe(), detail: "the connecting thread panicked".into() })
            })
        }),
    }
}

/// One recorded check, as stored (the text with personal data already masked).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CheckRow {
    /// The `check_id` the response carried.
    pub id: String,
    /// When it was checked, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// Where it was asked: `api`, `batch`, `web`, `wechat`, `api_image`, `web_image`, `wechat_image`.
    pub surface: String,
    /// The message with personal data masked (for pictures: the text read from them).
    pub text: String,
    /// Hash of the normalized text: the same message up to punctuation, width and emoji.
    pub fingerprint: String,
    pub verdict: String,
    pub stance: Option<String>,
    /// The best match, whatever its level.
    pub top_claim: Option<String>,
    pub top_score: Option<f64>,
    pub top_level: Option<String>,
    /// The index generation that answered.
    pub generation: String,
    /// The cluster of an unanswered check.
    pub cluster_id: Option<i64>,
}

/// What someone said of a check's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackRow {
    pub check_id: String,
    pub at_ms: i64,
    pub helpful: bool,
    pub comment: Option<String>,
}

/// Where an editor has put a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ClusterStatus {
    /// Nobody has answered it yet.
    Open,
    /// A debunk in a later index generation answers it.
    Covered,
    /// An editor said it is not a claim (spam, chatter).
    Ignored,
}

impl ClusterStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ClusterStatus::Open => "open",
            ClusterStatus::Covered => "covered",
            ClusterStatus::Ignored => "ignored",
        }
    }

    pub fn parse(s: &str) -> Option<ClusterStatus> {
        match s {
            "open" | "uncovered" => Some(ClusterStatus::Open),
            "covered" => Some(ClusterStatus::Covered),
            "ignored" => Some(ClusterStatus::Ignored),
            _ => None,
        }
    }

    /// Chinese label for the editors' pages.
    pub fn label(self) -> &'static str {
        match self {
            ClusterStatus::Open => "待处理",
            ClusterStatus::Covered => "已收录",
            ClusterStatus::Ignored => "已忽略",
        }
    }
}

/// A cluster as the queue lists it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ClusterSummary {
    pub id: i64,
    /// The first text of the cluster (masked).
    pub representative: String,
    /// Checks in the cluster.
    pub count: i64,
    pub first_seen_ms: i64,
    pub last_seen_ms: i64,
    /// Surfaces it was asked on.
    pub surfaces: Vec<String>,
    pub status: ClusterStatus,
    /// The claim that now answers it (status `covered`).
    pub covered_by: Option<String>,
    /// The claim it was last found `related` to, if any.
    pub related_claim: Option<String>,
}

/// One distinct wording of a cluster's message.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Variant {
    pub text: String,
    pub fingerprint: String,
    pub count: i64,
    pub first_seen_ms: i64,
}

/// A cluster with its variants.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ClusterDetail {
    #[serde(flatten)]
    pub summary: ClusterSummary,
    /// Most asked first (at most `cluster::MAX_VARIANTS` are kept).
    pub variants: Vec<Variant>,
}

/// How the queue is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueOrder {
    /// Most asked first.
    #[default]
    Count,
    /// Most recently asked first.
    Recent,
}

/// Which clusters the queue lists.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueueQuery {
    pub order: QueueOrder,
    /// Only clusters in this state (all when `None`).
    pub status: Option<ClusterStatus>,
    /// Only clusters asked on this surface.
    pub surface: Option<String>,
    /// Only clusters asked in this period (ms since the epoch, inclusive).
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// What people said of the answers about one claim.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ClaimFeedback {
    /// The claim the checks were answered with (null: answered with nothing).
    pub claim_id: Option<String>,
    pub helpful: i64,
    pub unhelpful: i64,
    /// The latest comments, newest first (at most 5), with the check's text.
    pub comments: Vec<FeedbackComment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FeedbackComment {
    pub at_ms: i64,
    pub helpful: bool,
    pub comment: String,
    pub text: String,
}

/// How much is stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Counts {
    pub checks: i64,
    pub clusters: i64,
    pub feedback: i64,
}

/// The writer's view of one transaction: the steps of recording a batch.
pub trait Tx {
    fn insert_check(&mut self, row: &CheckRow) -> StoreResult<()>;
    fn insert_feedback(&mut self, row: &FeedbackRow) -> StoreResult<()>;
    /// The cluster that holds a variant with this fingerprint.
    fn cluster_of_fingerprint(&mut self, fingerprint: &str) -> StoreResult<Option<i64>>;
    /// Stored variants (cluster, text) sharing a key with `keys`, those sharing the most keys
    /// first, at most `limit`.
    fn candidates(&mut self, keys: &[i64], limit: usize) -> StoreResult<Vec<(i64, String)>>;
    /// A new cluster whose first variant is `row`'s text.
    fn new_cluster(&mut self, row: &CheckRow, keys: &[i64]) -> StoreResult<i64>;
    /// One more check in `cluster`: count, last seen, surfaces, the related claim, and the
    /// variant's count (or a new variant with its keys, while the cluster has fewer than `max_variants`).
    fn join_cluster(&mut self, cluster: i64, row: &CheckRow, keys: &[i64], max_variants: usize) -> StoreResult<()>;
}

/// A database that records checks (see the module doc). Every method blocks.
pub trait Storage: Send + Sync {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// The schema version after migrations.
    fn schema_version(&self) -> StoreResult<i64>;
    /// Run `f` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    fn write(&self, f: &mut dyn FnMut(&mut dyn Tx) -> StoreResult<()>) -> StoreResult<()>;
    fn check(&self, id: &str) -> StoreResult<Option<CheckRow>>;
    fn queue(&self, query: &QueueQuery) -> StoreResult<Vec<ClusterSummary>>;
    fn cluster(&self, id: i64) -> StoreResult<Option<ClusterDetail>>;
    /// Ignore a cluster or open it again; false when there is no such cluster.
    fn set_ignored(&self, id: i64, ignored: bool, at_ms: i64) -> StoreResult<bool>;
    /// Open clusters not yet checked against `generation` (id, representative), at most `limit`.
    fn to_recheck(&self, generation: &str, limit: i64) -> StoreResult<Vec<(i64, String)>>;
    /// Note that `id` was checked against `generation`: covered by `claim`, or still open.
    fn rechecked(&self, id: i64, generation: &str, claim: Option<&str>, at_ms: i64) -> StoreResult<()>;
    /// Feedback per claim, most unhelpful first.
    fn feedback_by_claim(&self) -> StoreResult<Vec<ClaimFeedback>>;
    /// Forget checks, feedback and clusters last seen before `before_ms`; returns checks removed.
    fn purge(&self, before_ms: i64) -> StoreResult<u64>;
    fn counts(&self) -> StoreResult<Counts>;
}

/// Surfaces as stored in `clusters.surfaces`: `,api,web,` (so that a filter is a `LIKE`).
pub(crate) fn join_surfaces(existing: &str, surface: &str) -> String {
    let needle = format!(",{surface},");
    if existing.contains(&needle) {
        existing.to_string()
    } else if existing.is_empty() {
        needle
    } else {
        format!("{existing}{surface},")
    }
}

pub(crate) fn split_surfaces(stored: &str) -> Vec<String> {
    stored.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_url_is_postgres_and_anything_else_a_file() {
        assert_eq!(Location::parse("postgres://u:p@h/db"), Location::Postgres("postgres://u:p@h/db".into()));
        assert_eq!(Location::parse("postgresql://h/db"), Location::Postgres("postgresql://h/db".into()));
        assert_eq!(Location::parse("x/piyao.db"), Location::Sqlite("x/piyao.db".into()));
        assert_eq!(Location::beside_index(Path::new(".piyao/index")), Location::Sqlite(".piyao/piyao.db".into()));
        assert_eq!(Location::beside_index(Path::new("index")), Location::Sqlite("./piyao.db".into()));
        assert_eq!(Location::parse("postgres://u:secret@h:5432/db").describe(), "postgres postgres://u:***@h:5432/db");
    }

    fn row(id: &str, at_ms: i64, text: &str) -> CheckRow {
        CheckRow {
            id: id.into(),
            at_ms,
            surface: "api".into(),
            text: text.into(),
            fingerprint: format!("fp-{text}"),
            verdict: "unknown".into(),
            stance: None,
            top_claim: None,
            top_score: None,
            top_level: None,
            generation: "gen-1".into(),
            cluster_id: None,
        }
    }

    #[test]
    fn retention_forgets_old_checks_feedback_and_clusters_and_keeps_recent_ones() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&Location::Sqlite(dir.path().join("p.db"))).unwrap();
        assert_eq!(store.schema_version().unwrap(), 1);
        let (old, new) = (row("old", 1_000, "旧消息"), row("new", 9_000, "新消息"));
        store
            .write(&mut |tx| {
                for r in [&old, &new] {
                    let id = tx.new_cluster(r, &[1, 2])?;
                    tx.insert_check(&CheckRow { cluster_id: Some(id), ..r.clone() })?;
                    tx.insert_feedback(&FeedbackRow { check_id: r.id.clone(), at_ms: r.at_ms, helpful: true, comment: None })?;
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(store.counts().unwrap(), Counts { checks: 2, clusters: 2, feedback: 2 });
        assert_eq!(store.purge(5_000).unwrap(), 1);
        assert_eq!(store.counts().unwrap(), Counts { checks: 1, clusters: 1, feedback: 1 });
        assert!(store.check("old").unwrap().is_none() && store.check("new").unwrap().is_some());
        // the old variant's keys went with it: only the recent variant is still a candidate
        let mut found = vec![];
        store
            .write(&mut |tx| {
                found = tx.candidates(&[1], 10)?;
                Ok(())
            })
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, "新消息");
        // reopening migrates nothing twice
        drop(store);
        let again = open(&Location::Sqlite(dir.path().join("p.db"))).unwrap();
        assert_eq!((again.schema_version().unwrap(), again.counts().unwrap().checks), (1, 1));
    }

    #[test]
    fn surfaces_are_a_set() {
        let s = join_surfaces("", "api");
        let s = join_surfaces(&s, "web");
        let s = join_surfaces(&s, "api");
        assert_eq!(s, ",api,web,");
        assert_eq!(split_surfaces(&s), vec!["api", "web"]);
    }
}
