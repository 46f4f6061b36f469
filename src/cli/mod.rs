//! The `piyao` commands. Each module turns validated settings into work and an exit code.

pub mod bench;
pub mod check;
pub mod eval;
pub mod fit;
pub mod import;
pub mod reindex;
pub mod serve;

/// The value at quantile `p` (0..1) of sorted figures, nearest rank; 0 when there are none.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}
