//! The `piyao` commands. Each module turns validated settings into work and an exit code.

pub mod bench;
pub mod check;
pub mod eval;
pub mod fit;
pub mod import;
pub mod reindex;
pub mod serve;
