//! The `piyao` commands. Each module turns validated settings into work and an exit code.

pub mod bench;
pub mod check;
pub mod eval;
pub mod fit;
pub mod import;
pub mod queue;
pub mod reindex;
pub mod serve;
pub mod synth;

/// How log lines are written (to stderr).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Plain lines; coloured only when stderr is a terminal, never in a file or a pipe.
    Text,
    /// One JSON object per line, with every field (for log collectors).
    Json,
}

/// Send `tracing` events (among them the access log, target `piyao::access`) to stderr.
pub fn init_logging(format: LogFormat) {
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt().with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).init(),
    }
}

/// The value at quantile `p` (0..1) of sorted figures, nearest rank; 0 when there are none.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}
