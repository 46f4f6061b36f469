//! The `piyao` command line: raw arguments → validated settings → one command → exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use piyao::cli;
use piyao::config::{CorpusArgs, IndexArgs, ServeArgs};

/// piyao (辟谣): check messages forwarded in Chinese group chats against a corpus of debunks.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web page, the JSON API and /healthz; builds the index first if there is none.
    Serve {
        #[command(flatten)]
        serve: ServeArgs,
        #[command(flatten)]
        index: IndexArgs,
        #[command(flatten)]
        corpus: CorpusArgs,
    },
    /// Validate the corpus and build a new index, made live atomically (a running server picks
    /// it up without a restart). On any corpus error, prints `path:line: message` for each and
    /// leaves the existing index untouched.
    Reindex {
        #[command(flatten)]
        corpus: CorpusArgs,
        #[command(flatten)]
        index: IndexArgs,
    },
    /// Check one message (TEXT, or stdin when absent) against the local index.
    Check {
        /// The message; read from stdin when absent.
        text: Option<String>,
        /// Print exactly what `POST /api/v1/check` returns.
        #[arg(long)]
        json: bool,
        /// Number of matches, 1 to 20.
        #[arg(long)]
        limit: Option<i64>,
        #[command(flatten)]
        index: IndexArgs,
    },
    /// Measure matching quality (Recall@1/5, MRR@10, accept and false-accept rates) and
    /// in-process latency on a query set; the corpus is indexed into a temporary folder.
    Eval {
        #[command(flatten)]
        corpus: CorpusArgs,
        /// JSONL queries with `text` and `expected` / `expected_any`.
        #[arg(long)]
        queries: Option<PathBuf>,
        /// JSONL messages that match no claim.
        #[arg(long)]
        negatives: Option<PathBuf>,
        /// Also use every corpus variant as a query for its own claim.
        #[arg(long)]
        self_check: bool,
        /// Replace each query by N copies with 2–4 kinds of generated chat noise.
        #[arg(long, default_value_t = 0)]
        noise: usize,
        /// Print accept / wrong-accept / false-accept rates per score threshold.
        #[arg(long)]
        curve: bool,
        /// Write one JSON line per query with its score and rank.
        #[arg(long)]
        dump: Option<PathBuf>,
        /// Model coefficients to measure instead of the fitted ones (as `piyao fit` prints them).
        #[arg(long)]
        model: Option<String>,
        /// Write every candidate's evidence per query (JSONL), to fit scoring offline.
        #[arg(long)]
        features: Option<PathBuf>,
    },
    /// Fit the score's model on evidence from `piyao eval --features`, with cross-validated
    /// accept/false-accept curves and what each signal is worth.
    Fit {
        /// Feature files written by `piyao eval --features`.
        #[arg(long = "features", required = true)]
        features: Vec<PathBuf>,
        /// Score threshold for the per-signal comparison.
        #[arg(long, default_value_t = piyao::matcher::SIMILAR)]
        threshold: f32,
    },
    /// Convert schema.org ClaimReview JSON-LD (a list, one object, or one per line) to corpus JSONL.
    Import {
        /// The ClaimReview file.
        #[arg(long)]
        claimreview: PathBuf,
        /// Output file (default: stdout).
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Measure check latency over HTTP against a running server.
    Bench {
        /// Base URL of the server.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
        /// JSONL file with `text` fields.
        #[arg(long)]
        queries: PathBuf,
        #[arg(long, default_value_t = 2000)]
        requests: usize,
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt().with_writer(std::io::stderr).with_target(false).init();
    let result = match &cli.command {
        Command::Serve { serve, index, corpus } => cli::serve::run(serve, index, corpus),
        Command::Reindex { corpus, index } => cli::reindex::run(corpus, index),
        Command::Check { text, json, limit, index } => cli::check::run(text.clone(), *json, *limit, index),
        Command::Eval { corpus, queries, negatives, self_check, noise, curve, dump, model, features } => cli::eval::run(
            corpus,
            &cli::eval::EvalArgs {
                queries: queries.clone(),
                negatives: negatives.clone(),
                noise: *noise,
                self_check: *self_check,
                curve: *curve,
                dump: dump.clone(),
                model: model.clone(),
                features: features.clone(),
            },
        ),
        Command::Fit { features, threshold } => cli::fit::run(features, *threshold),
        Command::Import { claimreview, output } => cli::import::run(claimreview, output.as_deref()),
        Command::Bench { url, queries, requests, concurrency } => cli::bench::run(url, queries, *requests, *concurrency),
    };
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("piyao: {e:#}");
            ExitCode::from(2)
        }
    }
}
