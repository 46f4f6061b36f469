//! Settings shared by the commands: defaults < environment (`PIYAO_*`) < flags, parsed once by
//! clap into these structs.

use std::path::PathBuf;

use clap::Args;

/// Where the index lives.
#[derive(Debug, Clone, Args)]
pub struct IndexArgs {
    /// Index folder (generations + CURRENT pointer).
    #[arg(long, env = "PIYAO_INDEX", default_value = ".piyao/index")]
    pub index: PathBuf,
}

/// Where the corpus lives.
#[derive(Debug, Clone, Args)]
pub struct CorpusArgs {
    /// Corpus folder(s) or file(s): a folder with claims/*.toml, regulations/*.toml and *.jsonl,
    /// or a single .jsonl/.toml file. Repeat the flag (or separate with commas) to combine.
    #[arg(long, env = "PIYAO_CORPUS", default_value = "corpus", value_delimiter = ',')]
    pub corpus: Vec<PathBuf>,
}

/// How pictures are read (`serve`, `check --image`).
#[derive(Debug, Clone, Args)]
pub struct OcrArgs {
    /// The Tesseract program that reads pictures (Debian: tesseract-ocr tesseract-ocr-chi-sim
    /// tesseract-ocr-chi-tra); image checks are off when it is missing.
    #[arg(long, env = "PIYAO_TESSERACT", default_value = "tesseract")]
    pub tesseract: PathBuf,
    /// Tesseract language models, `+`-separated (chi_tra reads Traditional characters better, at about twice the time).
    #[arg(long, env = "PIYAO_OCR_LANGS", default_value = "chi_sim")]
    pub ocr_langs: String,
    /// Seconds one picture may take to be read before it is refused with `ocr_timeout`.
    #[arg(long, env = "PIYAO_OCR_TIMEOUT", default_value_t = 10)]
    pub ocr_timeout: u64,
}

impl OcrArgs {
    pub fn settings(&self) -> crate::ocr::OcrSettings {
        crate::ocr::OcrSettings {
            program: self.tesseract.clone(),
            langs: self.ocr_langs.clone(),
            timeout: std::time::Duration::from_secs(self.ocr_timeout.max(1)),
            ..crate::ocr::OcrSettings::default()
        }
    }
}

/// Options of the server.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "PIYAO_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Public base URL of the site, used for absolute links (e.g. https://piyao.example.org).
    #[arg(long, env = "PIYAO_PUBLIC_URL", default_value = "")]
    pub public_url: String,
    /// Token of the WeChat Official Account; `/wechat` is off when unset. Never empty.
    #[arg(long, env = "PIYAO_WECHAT_TOKEN", hide_env_values = true)]
    pub wechat_token: Option<crate::wechat::Token>,
    /// How often to look for a newly published index, in milliseconds.
    #[arg(long, env = "PIYAO_RELOAD_MS", default_value_t = 500)]
    pub reload_ms: u64,
    /// Checks per second an address without an API key may make (bursts up to 100); 0 = no limit.
    #[arg(long, env = "PIYAO_RATE_LIMIT", default_value_t = crate::limits::DEFAULT_ANONYMOUS_RATE)]
    pub rate_limit: u32,
    /// TOML file of API keys with their own rates (`[[key]] name, key, rate`).
    #[arg(long, env = "PIYAO_API_KEYS")]
    pub api_keys: Option<PathBuf>,
    /// Count clients by the last `X-Forwarded-For` address: set only behind a reverse proxy that
    /// sets it and is the only way in.
    #[arg(long, env = "PIYAO_BEHIND_PROXY")]
    pub behind_proxy: bool,
    /// Hosts (and their subdomains) that WeChat picture messages may be fetched from, comma-separated.
    #[arg(long, env = "PIYAO_PICTURE_HOSTS", default_value = crate::wechat::DEFAULT_PICTURE_HOSTS)]
    pub picture_hosts: String,
    /// Token that opens the editors' pages under `/admin` (off when unset; at least 16 characters).
    #[arg(long, env = "PIYAO_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<crate::admin::AdminToken>,
}

/// Where checks are recorded (`serve`, `queue`).
#[derive(Debug, Clone, Args)]
pub struct RecordArgs {
    /// Database for recorded checks, clusters and feedback: a SQLite file, or a `postgres://`
    /// URL shared by several replicas. Default: `piyao.db` beside the index folder.
    #[arg(long, env = "PIYAO_DATABASE", hide_env_values = true)]
    pub database: Option<String>,
    /// Days recorded checks, feedback and clusters are kept.
    #[arg(long, env = "PIYAO_RETENTION_DAYS", default_value_t = crate::record::DEFAULT_RETENTION_DAYS)]
    pub retention_days: u32,
    /// Record nothing (no texts are kept; feedback and re-checks are off).
    #[arg(long)]
    pub no_record: bool,
    /// `off` is the same as `--no-record`.
    #[arg(long, env = "PIYAO_RECORD", value_enum, default_value_t = RecordSwitch::On)]
    pub record: RecordSwitch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RecordSwitch {
    On,
    Off,
}

impl RecordArgs {
    /// The database for an index folder: the flag, or `piyao.db` beside the index.
    pub fn location(&self, index: &std::path::Path) -> crate::store::Location {
        match &self.database {
            Some(s) => crate::store::Location::parse(s),
            None => crate::store::Location::beside_index(index),
        }
    }

    pub fn settings(&self, index: &std::path::Path) -> crate::record::RecordSettings {
        let off = self.no_record || self.record == RecordSwitch::Off;
        crate::record::RecordSettings { location: (!off).then(|| self.location(index)), retention_days: self.retention_days.max(1) }
    }
}
