//! Records every check (API, batch, web, WeChat) so that editors learn what people ask that we
//! have not debunked yet. A check only hands its record to a bounded channel; one writer thread
//! masks personal data, clusters unanswered messages and writes batches in one transaction.
//! When the channel is full the record is dropped and counted: recording never slows a check.

pub mod cluster;
pub mod mask;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::engine::Engine;
use crate::input::{Limit, MessageText};
use crate::response::{CheckResponse, Verdict};
use crate::store::{CheckRow, FeedbackRow, Location, Storage, StoreError, StoreResult, Tx};
use cluster::{ClusterIndex, Placement, Sketch};

/// Records waiting for the writer at most; beyond, records are dropped (and counted).
pub const CHANNEL_CAPACITY: usize = 16_384;
/// Records written in one transaction at most.
pub const MAX_BATCH: usize = 512;
/// How long the writer gathers records after the first one before it writes them: fewer,
/// larger transactions (a commit costs more than the rows it carries). A `kill -9` loses at
/// most the batch being gathered or written, plus what waits in the channel.
pub const BATCH_WINDOW: Duration = Duration::from_millis(100);
/// Days a recorded check is kept by default.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;

/// Where a check was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Surface {
    Api,
    Batch,
    Web,
    Wechat,
    ApiImage,
    WebImage,
    WechatImage,
}

impl Surface {
    pub const ALL: [Surface; 7] =
        [Surface::Api, Surface::Batch, Surface::Web, Surface::Wechat, Surface::ApiImage, Surface::WebImage, Surface::WechatImage];

    pub fn as_str(self) -> &'static str {
        match self {
            Surface::Api => "api",
            Surface::Batch => "batch",
            Surface::Web => "web",
            Surface::Wechat => "wechat",
            Surface::ApiImage => "api_image",
            Surface::WebImage => "web_image",
            Surface::WechatImage => "wechat_image",
        }
    }

    pub fn parse(s: &str) -> Option<Surface> {
        Surface::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// How checks are recorded.
#[derive(Debug, Clone)]
pub struct RecordSettings {
    /// The database; `None` records nothing (`--no-record`).
    pub location: Option<Location>,
    pub retention_days: u32,
}

/// What `/healthz` says of recording.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordStatus {
    /// Checks are being recorded.
    pub enabled: bool,
    /// `sqlite` or `postgres` (null when off).
    pub backend: Option<String>,
    /// Where, or why recording is off.
    pub detail: String,
    pub retention_days: u32,
    /// Checks written since the start.
    pub written: u64,
    /// Checks not recorded because the writer was behind (the channel was full).
    pub dropped: u64,
    /// Batches that failed to be written (their checks are lost).
    pub failed_batches: u64,
    /// The last write error, if any.
    pub last_error: Option<String>,
}

/// Why feedback or a stored check could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("this server records no checks ({0}), so there is nothing to refer to")]
    Off(String),
    #[error("no recorded check has this id (checks are kept {0} days)")]
    NotFound(u32),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A check on its way to the writer (the text is masked by the writer, not here).
struct Pending {
    id: String,
    at_ms: i64,
    surface: Surface,
    text: String,
    verdict: Verdict,
    stance: Option<String>,
    top: Option<(String, f64, String)>,
    generation: String,
}

enum Message {
    Check(Box<Pending>),
    /// Answered once everything sent before it is written.
    Barrier(mpsc::Sender<()>),
}

#[derive(Default)]
struct Counters {
    written: AtomicU64,
    dropped: AtomicU64,
    failed_batches: AtomicU64,
    last_error: Mutex<Option<String>>,
}

/// Hands checks to the writer thread; cheap to clone.
#[derive(Clone)]
pub struct Recorder {
    inner: Option<Arc<Inner>>,
    off_reason: Arc<str>,
    retention_days: u32,
}

struct Inner {
    store: Arc<dyn Storage>,
    sender: SyncSender<Message>,
    counters: Arc<Counters>,
    detail: String,
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// A new check id: 96 random bits, in hex.
pub fn new_check_id() -> String {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    let mut id = String::with_capacity(24);
    for b in bytes {
        id.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        id.push(char::from_digit(u32::from(b & 15), 16).unwrap_or('0'));
    }
    id
}

/// A check id as we make them (24 lowercase hex digits).
pub fn is_check_id(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Recorder {
    /// Recording off, saying why.
    pub fn off(reason: &str) -> Recorder {
        Recorder { inner: None, off_reason: reason.into(), retention_days: DEFAULT_RETENTION_DAYS }
    }

    /// Open the database and start the writer. A database that cannot be opened (corrupt,
    /// locked, unreachable) turns recording off with the reason; the server still answers.
    pub fn start(settings: &RecordSettings) -> Recorder {
        let Some(location) = &settings.location else {
            return Recorder::off("off: --no-record / PIYAO_RECORD=off");
        };
        match crate::store::open(location) {
            Ok(store) => Recorder::with_store(Arc::from(store), location.describe(), settings.retention_days),
            Err(e) => {
                tracing::warn!(error = %e, "recording is off: the database cannot be used; checks are still answered");
                Recorder { inner: None, off_reason: format!("off: {e}").into(), retention_days: settings.retention_days }
            }
        }
    }

    /// Record into an opened store.
    pub fn with_store(store: Arc<dyn Storage>, detail: String, retention_days: u32) -> Recorder {
        let (sender, receiver) = mpsc::sync_channel(CHANNEL_CAPACITY);
        let counters = Arc::new(Counters::default());
        let writer = Writer { store: store.clone(), counters: counters.clone(), retention_days, memo: Memo::default() };
        std::thread::Builder::new()
            .name("piyao-recorder".into())
            .spawn(move || writer.run(receiver))
            .expect("starting the recorder thread");
        let inner = Inner { store, sender, counters, detail };
        Recorder { inner: Some(Arc::new(inner)), off_reason: "".into(), retention_days }
    }

    pub fn enabled(&self) -> bool {
        self.inner.is_some()
    }

    /// The database, when recording is on.
    pub fn store(&self) -> Option<Arc<dyn Storage>> {
        self.inner.as_ref().map(|i| i.store.clone())
    }

    /// Hand a check to the writer and set its `check_id`; never waits. The response keeps a
    /// null `check_id` when recording is off.
    pub fn record(&self, surface: Surface, text: &str, response: &mut CheckResponse, generation: &str) {
        let Some(inner) = &self.inner else { return };
        let id = new_check_id();
        let top = response.matches.first().map(|m| (m.claim_id.clone(), f64::from(m.score), m.level.as_str().to_string()));
        let pending = Pending {
            id: id.clone(),
            at_ms: now_ms(),
            surface,
            text: text.to_string(),
            verdict: response.verdict,
            stance: response.stance.map(|s| s.as_str().to_string()),
            top,
            generation: generation.to_string(),
        };
        match inner.sender.try_send(Message::Check(Box::new(pending))) {
            Ok(()) => response.check_id = Some(id),
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                inner.counters.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Wait until every check handed over so far is written (at most `timeout`); blocks.
    pub fn flush(&self, timeout: Duration) -> bool {
        let Some(inner) = &self.inner else { return true };
        let (tx, rx) = mpsc::channel();
        if inner.sender.send(Message::Barrier(tx)).is_err() {
            return false;
        }
        rx.recv_timeout(timeout).is_ok()
    }

    /// A stored check (after what is pending has been written); blocks.
    pub fn stored_check(&self, id: &str) -> Result<CheckRow, RecordError> {
        let inner = self.inner.as_ref().ok_or_else(|| RecordError::Off(self.off_reason.to_string()))?;
        if !is_check_id(id) {
            return Err(RecordError::NotFound(self.retention_days));
        }
        if let Some(row) = inner.store.check(id)? {
            return Ok(row);
        }
        self.flush(Duration::from_secs(5));
        inner.store.check(id)?.ok_or(RecordError::NotFound(self.retention_days))
    }

    /// Store what someone said of a check's answer; blocks.
    pub fn feedback(&self, check_id: &str, helpful: bool, comment: Option<&str>) -> Result<CheckRow, RecordError> {
        let check = self.stored_check(check_id)?;
        let inner = self.inner.as_ref().ok_or_else(|| RecordError::Off(self.off_reason.to_string()))?;
        let row = FeedbackRow {
            check_id: check.id.clone(),
            at_ms: now_ms(),
            helpful,
            comment: comment.map(|c| mask::mask(c).text).filter(|c| !c.trim().is_empty()),
        };
        inner.store.write(&mut |tx| tx.insert_feedback(&row))?;
        Ok(check)
    }

    /// Check open clusters against `engine`'s generation: one that a debunk now answers is
    /// marked covered by that claim. Returns how many were checked and covered; blocks.
    pub fn recheck_clusters(&self, engine: &Engine) -> StoreResult<(usize, usize)> {
        let Some(inner) = &self.inner else { return Ok((0, 0)) };
        let generation = engine.generation();
        let (mut checked, mut covered) = (0, 0);
        loop {
            let batch = inner.store.to_recheck(generation, 200)?;
            if batch.is_empty() {
                return Ok((checked, covered));
            }
            for (id, text) in batch {
                let claim = MessageText::parse(&text)
                    .ok()
                    .and_then(|t| engine.check(&t, Limit::default()).ok())
                    .filter(|r| r.verdict != Verdict::Unknown)
                    .and_then(|r| r.matches.into_iter().find(|m| m.level.decides()).map(|m| m.claim_id));
                covered += usize::from(claim.is_some());
                checked += 1;
                inner.store.rechecked(id, generation, claim.as_deref(), now_ms())?;
            }
        }
    }

    pub fn status(&self) -> RecordStatus {
        match &self.inner {
            None => RecordStatus {
                enabled: false,
                backend: None,
                detail: self.off_reason.to_string(),
                retention_days: self.retention_days,
                written: 0,
                dropped: 0,
                failed_batches: 0,
                last_error: None,
            },
            Some(inner) => RecordStatus {
                enabled: true,
                backend: Some(inner.store.backend().to_string()),
                detail: inner.detail.clone(),
                retention_days: self.retention_days,
                written: inner.counters.written.load(Ordering::Relaxed),
                dropped: inner.counters.dropped.load(Ordering::Relaxed),
                failed_batches: inner.counters.failed_batches.load(Ordering::Relaxed),
                last_error: inner.counters.last_error.lock().unwrap_or_else(|e| e.into_inner()).clone(),
            },
        }
    }
}

/// The writer thread: batches, masking, clustering, retention.
struct Writer {
    store: Arc<dyn Storage>,
    counters: Arc<Counters>,
    retention_days: u32,
    memo: Memo,
}

/// How often old records are purged.
const PURGE_EVERY: Duration = Duration::from_secs(3600);

impl Writer {
    fn run(mut self, receiver: Receiver<Message>) {
        let mut last_purge: Option<Instant> = None;
        loop {
            if last_purge.is_none_or(|t| t.elapsed() >= PURGE_EVERY) {
                self.purge();
                last_purge = Some(Instant::now());
            }
            let first = match receiver.recv_timeout(Duration::from_secs(1)) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return,
            };
            // gather for BATCH_WINDOW, unless someone waits for a barrier
            let deadline = Instant::now() + BATCH_WINDOW;
            let mut waiting = matches!(first, Message::Barrier(_));
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH && !waiting {
                let left = deadline.saturating_duration_since(Instant::now());
                match receiver.recv_timeout(left) {
                    Ok(m) => {
                        waiting = matches!(m, Message::Barrier(_));
                        batch.push(m);
                    }
                    Err(_) => break,
                }
            }
            self.write(batch);
        }
    }

    fn write(&mut self, batch: Vec<Message>) {
        let mut barriers = Vec::new();
        let mut checks = Vec::new();
        for m in batch {
            match m {
                Message::Check(p) => checks.push(*p),
                Message::Barrier(b) => barriers.push(b),
            }
        }
        if !checks.is_empty() {
            let n = checks.len() as u64;
            let memo = &mut self.memo;
            match self.store.write(&mut |tx| write_checks(tx, &checks, memo)) {
                Ok(()) => {
                    self.counters.written.fetch_add(n, Ordering::Relaxed);
                }
                Err(e) => {
                    self.counters.failed_batches.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(error = %e, checks = n, "could not record a batch of checks");
                    *self.counters.last_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(e.to_string());
                }
            }
        }
        for b in barriers {
            let _ = b.send(());
        }
    }

    fn purge(&self) {
        let before = now_ms() - i64::from(self.retention_days) * 86_400_000;
        match self.store.purge(before) {
            Ok(0) => {}
            Ok(n) => tracing::info!(checks = n, days = self.retention_days, "forgot checks older than the retention"),
            Err(e) => tracing::warn!(error = %e, "could not purge old checks"),
        }
    }
}

/// Texts the writer remembers, each map emptied when it holds this many.
const MEMO_ENTRIES: usize = 50_000;

/// What the writer remembers of texts it has seen: a forward asked again (the common case) is
/// not masked and normalized again, and candidates are compared without sketching them again.
#[derive(Default)]
struct Memo {
    /// Text as asked → masked.
    masked: HashMap<String, String>,
    /// Masked text → its sketch.
    sketches: HashMap<String, Sketch>,
}

impl Memo {
    fn masked(&mut self, text: &str) -> String {
        if let Some(m) = self.masked.get(text) {
            return m.clone();
        }
        if self.masked.len() >= MEMO_ENTRIES {
            self.masked.clear();
        }
        let m = mask::mask(text).text;
        self.masked.insert(text.to_string(), m.clone());
        m
    }

    fn sketch(&mut self, masked: &str) -> Sketch {
        if let Some(s) = self.sketches.get(masked) {
            return s.clone();
        }
        if self.sketches.len() >= MEMO_ENTRIES {
            self.sketches.clear();
        }
        let s = Sketch::of(masked);
        self.sketches.insert(masked.to_string(), s.clone());
        s
    }
}

/// Clustering's view of the writer's transaction.
struct TxIndex<'a> {
    tx: &'a mut dyn Tx,
    memo: &'a mut Memo,
}

impl ClusterIndex for TxIndex<'_> {
    type Error = StoreError;

    fn by_fingerprint(&mut self, fingerprint: &str) -> StoreResult<Option<i64>> {
        self.tx.cluster_of_fingerprint(fingerprint)
    }

    fn candidates(&mut self, keys: &[i64], limit: usize) -> StoreResult<Vec<(i64, String)>> {
        self.tx.candidates(keys, limit)
    }

    fn sketch(&mut self, text: &str) -> Sketch {
        self.memo.sketch(text)
    }
}

/// Mask, cluster the unanswered, and insert one batch of checks.
fn write_checks(tx: &mut dyn Tx, checks: &[Pending], memo: &mut Memo) -> StoreResult<()> {
    for p in checks {
        let text = memo.masked(&p.text);
        let sketch = memo.sketch(&text);
        let mut row = CheckRow {
            id: p.id.clone(),
            at_ms: p.at_ms,
            surface: p.surface.as_str().to_string(),
            fingerprint: sketch.fingerprint().to_string(),
            text,
            verdict: p.verdict.as_str().to_string(),
            stance: p.stance.clone(),
            top_claim: p.top.as_ref().map(|t| t.0.clone()),
            top_score: p.top.as_ref().map(|t| t.1),
            top_level: p.top.as_ref().map(|t| t.2.clone()),
            generation: p.generation.clone(),
            cluster_id: None,
        };
        if p.verdict == Verdict::Unknown {
            let placement = cluster::place(&mut TxIndex { tx: &mut *tx, memo: &mut *memo }, &sketch)?;
            let id = match placement {
                Placement::Exact(id) | Placement::Similar(id) => {
                    tx.join_cluster(id, &row, sketch.keys(), cluster::MAX_VARIANTS)?;
                    id
                }
                Placement::New => tx.new_cluster(&row, sketch.keys())?,
            };
            row.cluster_id = Some(id);
        }
        tx.insert_check(&row)?;
    }
    Ok(())
}
