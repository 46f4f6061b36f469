//! tantivy lives only here: the schema, the write path (reindex) and the read path (search).

mod analyzers;
mod build;
mod schema;
mod search;
mod store;
mod table_file;

pub use build::{BuildProgress, BuildSummary, build};
pub use search::Snapshot;
pub use store::IndexRoot;
pub use table_file::TABLE_FILE;
