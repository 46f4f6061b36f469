//! The debunk corpus: its data model, and loading it from files with line-accurate errors.

pub mod claimreview;
pub mod import;
mod load;
mod model;
mod validate;

pub use load::{Diagnostic, LoadErrors, Loaded, load};
pub use model::{Article, Category, Claim, Corpus, Rating, Regulation, RegulationRef, Source, VariantRef};
pub use validate::{civil_from_days, parse_date};
