//! Chinese text handling shared by the index (write path) and the matcher (read path).

mod normalize;
mod tokens;

pub use normalize::{Normalized, is_han, is_invisible, normalize};
pub use tokens::{Tagged, Term, chars, grams, tag, warm_up, words};
