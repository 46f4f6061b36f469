//! The tantivy schema: one document per rumor variant, two analysed text fields.

use tantivy::schema::{FAST, Field, INDEXED, IndexRecordOption, Schema, TextFieldIndexing, TextOptions};

use super::analyzers;

/// Handles to the schema's fields.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Position of the variant in the corpus snapshot (claims in order, variants in order).
    pub variant: Field,
    /// Character bigrams of the variant: the main matching field.
    pub grams: Field,
    /// jieba words of the variant and its claim's keywords: the second field.
    pub words: Field,
}

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let variant = b.add_u64_field("variant", FAST | INDEXED);
    let text_field = |name| {
        TextOptions::default()
            .set_indexing_options(TextFieldIndexing::default().set_tokenizer(name).set_index_option(IndexRecordOption::WithFreqs))
    };
    let grams = b.add_text_field("grams", text_field(analyzers::GRAMS));
    let words = b.add_text_field("words", text_field(analyzers::WORDS));
    (b.build(), Fields { variant, grams, words })
}

pub fn fields(schema: &Schema) -> tantivy::Result<Fields> {
    Ok(Fields { variant: schema.get_field("variant")?, grams: schema.get_field("grams")?, words: schema.get_field("words")? })
}
