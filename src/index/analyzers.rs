//! The two tantivy tokenizers over piyao's own terms (`crate::text`), named once here and
//! registered wherever the index is opened, so that indexing and querying cannot drift apart.

use tantivy::Index;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::text::{Normalized, Term, grams, normalize, words};

/// Tokenizer name of the bigram field.
pub const GRAMS: &str = "piyao_grams";
/// Tokenizer name of the word field.
pub const WORDS: &str = "piyao_words";

/// Register both tokenizers on an index (call on every open).
pub fn register(index: &Index) {
    index.tokenizers().register(GRAMS, TermTokenizer(grams));
    index.tokenizers().register(WORDS, TermTokenizer(words));
}

/// A tokenizer that normalizes and then applies one of the term functions.
#[derive(Clone)]
struct TermTokenizer(fn(&Normalized) -> Vec<Term>);

impl Tokenizer for TermTokenizer {
    type TokenStream<'a> = TermStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> TermStream {
        let terms = (self.0)(&normalize(text));
        TermStream { terms, next: 0, token: Token::default() }
    }
}

struct TermStream {
    terms: Vec<Term>,
    next: usize,
    token: Token,
}

impl TokenStream for TermStream {
    fn advance(&mut self) -> bool {
        let Some(t) = self.terms.get_mut(self.next) else { return false };
        self.token.text = std::mem::take(&mut t.text);
        self.token.offset_from = t.start;
        self.token.offset_to = t.end;
        self.token.position = self.next;
        self.next += 1;
        true
    }
    fn token(&self) -> &Token {
        &self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}
