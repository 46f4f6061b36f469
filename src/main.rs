//! The `piyao` command line: raw arguments → validated settings → one command → exit code.
//! Each command's flags are declared once, in its own `cli` module.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use piyao::cli;

/// piyao (辟谣): check messages forwarded in Chinese group chats against a corpus of debunks.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Log lines as text (for people) or JSON objects, one per line (for log collectors).
    #[arg(long, global = true, env = "PIYAO_LOG_FORMAT", value_enum, default_value_t = cli::LogFormat::Text)]
    log_format: cli::LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web page, the JSON API and /healthz; builds the index first if there is none.
    Serve(cli::serve::ServeCommand),
    /// Validate the corpus and build a new index, made live atomically (a running server picks
    /// it up without a restart). On any corpus error, prints `path:line: message` for each and
    /// leaves the existing index untouched.
    Reindex(cli::reindex::ReindexCommand),
    /// Check one message (TEXT, or stdin when absent) against the local index.
    Check(cli::check::CheckCommand),
    /// Measure matching quality (Recall@1/5, MRR@10, accept and false-accept rates, stance) and
    /// in-process latency on a query set; the corpus is indexed into a temporary folder.
    Eval(cli::eval::EvalCommand),
    /// Fit the score's model on evidence from `piyao eval --features`, with cross-validated
    /// accept/false-accept curves and what each signal is worth.
    Fit(cli::fit::FitCommand),
    /// Convert schema.org ClaimReview JSON-LD (a list, one object, or one per line) to corpus JSONL.
    Import(cli::import::ImportCommand),
    /// Measure check latency over HTTP against a running server.
    Bench(cli::bench::BenchCommand),
    /// Print the editors' queue: the most asked messages that no debunk answers yet.
    Queue(cli::queue::QueueCommand),
    /// Write a large synthetic corpus from real message texts, for the scale test (its claims
    /// are not facts: never put it in the corpus folder).
    Synth(cli::synth::SynthCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    cli::init_logging(cli.log_format);
    let result = match &cli.command {
        Command::Serve(c) => cli::serve::run(c),
        Command::Reindex(c) => cli::reindex::run(c),
        Command::Check(c) => cli::check::run(c),
        Command::Eval(c) => cli::eval::run(c),
        Command::Fit(c) => cli::fit::run(c),
        Command::Import(c) => cli::import::run(c),
        Command::Bench(c) => cli::bench::run(c),
        Command::Queue(c) => cli::queue::run(c),
        Command::Synth(c) => cli::synth::run(c),
    };
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("piyao: {e:#}");
            ExitCode::from(2)
        }
    }
}
