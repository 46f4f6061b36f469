//! Reading the text out of a screenshot or a photographed notice, so that a rumor sent as a
//! picture is checked like one sent as text. Tesseract (Debian's `tesseract-ocr` with the
//! Chinese models) runs as a subprocess in a bounded pool; without it the service still runs
//! and image checks say what to install. Knows nothing of HTTP.

mod layout;
mod picture;

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;
use tokio::sync::Semaphore;

pub use layout::{Line, kept_lines, lines_from_tsv, message_text};
pub use picture::{ImageError, MAX_IMAGE_BYTES, MAX_PIXELS, Picture, preview};

/// The Debian packages image checks need, named in the error when Tesseract is missing.
pub const PACKAGES: &str = "tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-chi-tra";

/// How OCR runs.
#[derive(Debug, Clone)]
pub struct OcrSettings {
    /// The `tesseract` program (a name on `PATH` or a path).
    pub program: PathBuf,
    /// Tesseract's language models, `+`-separated.
    pub langs: String,
    /// OCR runs at once (each uses about one core).
    pub concurrency: usize,
    /// Pictures that may wait for a free slot; one more is refused with `ocr_busy`.
    pub max_waiting: usize,
    /// How long one picture may take before Tesseract is stopped.
    pub timeout: Duration,
}

impl Default for OcrSettings {
    fn default() -> OcrSettings {
        OcrSettings {
            program: PathBuf::from("tesseract"),
            langs: "chi_sim".to_string(),
            concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            max_waiting: 16,
            // within the 15 s a request may take (`RequestLimits`), so a slow picture gets its own error
            timeout: Duration::from_secs(10),
        }
    }
}

/// Whether image checks work here, and why not.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OcrStatus {
    pub enabled: bool,
    /// Tesseract's version and languages, or what is missing and how to install it.
    pub detail: String,
}

/// What was read from a picture.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OcrText {
    /// The message as read, chat chrome dropped, one bubble or paragraph per line: what was checked.
    pub text: String,
    /// The recognised lines kept, as laid out in the picture.
    pub lines: Vec<String>,
    /// Time from the picture's arrival at the OCR pool to its text (a wait for a free slot, the
    /// decoding and the reading), in milliseconds.
    pub took_ms: f64,
}

/// Why a picture could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    #[error("{0}")]
    Image(#[from] ImageError),
    #[error("image checks are off: {0}")]
    Unavailable(String),
    #[error("{waiting} pictures are already waiting to be read: try again in a few seconds")]
    Busy { waiting: usize },
    #[error("reading the picture took longer than {seconds} s")]
    Timeout { seconds: u64 },
    #[error("no text could be read from the picture: send a screenshot or a photo of the message, or paste its text")]
    NoText,
    #[error("OCR failed: {0}")]
    Failed(String),
}

/// The OCR pool: at most `concurrency` Tesseract processes, at most `max_waiting` pictures queued.
pub struct Ocr {
    settings: OcrSettings,
    status: OcrStatus,
    slots: Semaphore,
    waiting: AtomicUsize,
    refused: AtomicU64,
    counts: Counts,
}

/// What became of the pictures given to `read`, for `/metrics`.
#[derive(Default)]
struct Counts {
    read: AtomicU64,
    unreadable: AtomicU64,
    failed: AtomicU64,
    micros: AtomicU64,
}

/// A snapshot of `Counts`.
#[derive(Debug, Clone, Copy, Default)]
pub struct OcrCounts {
    /// Pictures read, with text.
    pub read: u64,
    /// Pictures refused for what they are: bad, too large, animated, without text.
    pub unreadable: u64,
    /// Pictures Tesseract failed on or took too long for.
    pub failed: u64,
    /// Time spent reading pictures, in seconds.
    pub seconds: f64,
}

impl Ocr {
    /// Look for Tesseract and its Chinese model. Never fails: without them, image checks are off.
    pub fn start(settings: OcrSettings) -> Ocr {
        let status = probe(&settings);
        if !status.enabled {
            tracing::warn!(detail = status.detail, "image checks are off");
        }
        let slots = Semaphore::new(settings.concurrency.max(1));
        Ocr { settings, status, slots, waiting: AtomicUsize::new(0), refused: AtomicU64::new(0), counts: Counts::default() }
    }

    /// What became of the pictures read since the start.
    pub fn counts(&self) -> OcrCounts {
        let c = &self.counts;
        OcrCounts {
            read: c.read.load(Ordering::Relaxed),
            unreadable: c.unreadable.load(Ordering::Relaxed),
            failed: c.failed.load(Ordering::Relaxed),
            seconds: c.micros.load(Ordering::Relaxed) as f64 / 1e6,
        }
    }

    pub fn status(&self) -> &OcrStatus {
        &self.status
    }

    /// Pictures refused because the queue was full, since the start.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// Check, decode and read a picture.
    pub async fn read(&self, bytes: Vec<u8>) -> Result<OcrText, OcrError> {
        if !self.status.enabled {
            return Err(OcrError::Unavailable(self.status.detail.clone()));
        }
        let started = Instant::now();
        let result = self.read_counted(bytes, started).await;
        let counter = match &result {
            Ok(_) => Some(&self.counts.read),
            Err(OcrError::Image(_) | OcrError::NoText) => Some(&self.counts.unreadable),
            Err(OcrError::Timeout { .. } | OcrError::Failed(_)) => Some(&self.counts.failed),
            Err(OcrError::Busy { .. } | OcrError::Unavailable(_)) => None,
        };
        if let Some(counter) = counter {
            counter.fetch_add(1, Ordering::Relaxed);
            self.counts.micros.fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
        }
        result
    }

    async fn read_counted(&self, bytes: Vec<u8>, started: Instant) -> Result<OcrText, OcrError> {
        let waiting = self.waiting.fetch_add(1, Ordering::SeqCst);
        let _queued = Queued(&self.waiting);
        if waiting >= self.settings.max_waiting + self.settings.concurrency {
            self.refused.fetch_add(1, Ordering::Relaxed);
            return Err(OcrError::Busy { waiting });
        }
        let _slot = self.slots.acquire().await.map_err(|e| OcrError::Failed(e.to_string()))?;
        let pgm = tokio::task::spawn_blocking(move || Picture::parse(&bytes).map(|p| p.to_pgm()))
            .await
            .map_err(|e| OcrError::Failed(format!("decoding task failed: {e}")))??;
        let seconds = self.settings.timeout.as_secs().max(1);
        let tsv = tokio::time::timeout(self.settings.timeout, self.tesseract(pgm)).await.map_err(|_| OcrError::Timeout { seconds })??;
        let lines = lines_from_tsv(&tsv);
        let text = message_text(&lines);
        if text.chars().filter(|c| !c.is_whitespace()).count() == 0 {
            return Err(OcrError::NoText);
        }
        Ok(OcrText { text, lines: kept_lines(&lines), took_ms: started.elapsed().as_secs_f64() * 1000.0 })
    }

    /// Run Tesseract on a PGM picture given on standard input; its TSV output.
    async fn tesseract(&self, pgm: Vec<u8>) -> Result<String, OcrError> {
        let mut child = tokio::process::Command::new(&self.settings.program)
            // one uniform block: screenshots and notices are columns of text, and the automatic
            // layout analysis (`--psm 3`) loses short bubbles and tilted photos to it
            .args(["stdin", "stdout", "-l", &self.settings.langs, "--psm", "6", "tsv"])
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| OcrError::Failed(format!("starting {}: {e}", self.settings.program.display())))?;
        let mut stdin = child.stdin.take().ok_or_else(|| OcrError::Failed("no stdin".into()))?;
        let write = async move {
            let r = stdin.write_all(&pgm).await;
            drop(stdin);
            r
        };
        let (written, output) = tokio::join!(write, child.wait_with_output());
        let output = output.map_err(|e| OcrError::Failed(format!("waiting for tesseract: {e}")))?;
        if !output.status.success() {
            let err = String::from_utf8_lossy(&output.stderr);
            return Err(OcrError::Failed(format!("tesseract exited with {}: {}", output.status, err.trim())));
        }
        written.map_err(|e| OcrError::Failed(format!("sending the picture to tesseract: {e}")))?;
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

/// Counts a picture as waiting until it is answered.
struct Queued<'a>(&'a AtomicUsize);

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Is Tesseract there, with every language asked for?
fn probe(settings: &OcrSettings) -> OcrStatus {
    let off = |why: String| OcrStatus { enabled: false, detail: format!("{why}; install Debian's packages: apt-get install {PACKAGES}") };
    let run = |arg: &str| std::process::Command::new(&settings.program).arg(arg).output();
    let version = match run("--version") {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
            text.lines().next().unwrap_or("tesseract").trim().to_string()
        }
        Ok(out) => return off(format!("`{} --version` failed with {}", settings.program.display(), out.status)),
        Err(e) => return off(format!("`{}` could not be run ({e})", settings.program.display())),
    };
    let langs = match run("--list-langs") {
        Ok(out) => String::from_utf8_lossy(&out.stdout).into_owned(),
        Err(e) => return off(format!("`{} --list-langs` failed ({e})", settings.program.display())),
    };
    let have: Vec<&str> = langs.lines().skip(1).map(str::trim).collect();
    if let Some(missing) = settings.langs.split('+').find(|l| !have.contains(l)) {
        return off(format!("{version} has no `{missing}` language model"));
    }
    OcrStatus { enabled: true, detail: format!("{version}, languages {}", settings.langs) }
}
