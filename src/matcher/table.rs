//! Per-variant term sets and corpus-wide term weights, computed once per index generation so
//! that re-scoring a candidate is one probe per candidate term into a small table of the
//! message's terms.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use super::details::{Detail, details};
use crate::corpus::Corpus;
use crate::text::{self, Normalized, Term};

/// Interned terms of one kind (bigrams or words) with their weights.
///
/// A term is known by a 64-bit hash of its text, not by the text: the table never hands a term's
/// text back, and a `String` per distinct term (hundreds of thousands at 10k claims) was most of
/// the engine's memory. Two distinct terms share a key with probability ~n²/2⁶⁵ (≈ 10⁻⁸ at a
/// million terms), and a collision would only merge two terms' weights.
#[derive(Debug, Default)]
pub struct TermTable {
    ids: HashMap<u64, u32, BuildHasherDefault<KeyHasher>>,
    /// Inverse document frequency over variants, scaled to 0..1 (1 = seen in no variant).
    weight: Vec<f32>,
}

impl TermTable {
    /// The id of `term`, interning it (with a document frequency of 0) when it is new.
    fn intern(&mut self, df: &mut Vec<u32>, key: u64) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry(key).or_insert_with(|| {
            df.push(0);
            next
        })
    }

    /// Turn document frequencies into weights once every document was interned.
    fn finish(&mut self, df: &[u32], docs: usize) {
        let n = docs as f32;
        let max = idf(n, 0.0);
        self.weight = df.iter().map(|&d| idf(n, d as f32) / max).collect();
        self.ids.shrink_to_fit();
    }

    pub fn id(&self, term: &str) -> Option<u32> {
        self.ids.get(&key(term)).copied()
    }

    /// Every term's key and weight, in id order (for writing the table to disk).
    pub fn parts(&self) -> (Vec<u64>, &[f32]) {
        let mut keys = vec![0u64; self.ids.len()];
        for (&k, &id) in &self.ids {
            keys[id as usize] = k;
        }
        (keys, &self.weight)
    }

    /// The table `parts` describes (read back from disk): one weight per key.
    pub fn from_parts(keys: Vec<u64>, weight: Vec<f32>) -> TermTable {
        assert_eq!(keys.len(), weight.len(), "one weight per term");
        let mut ids = HashMap::with_capacity_and_hasher(keys.len(), BuildHasherDefault::default());
        for (id, k) in keys.into_iter().enumerate() {
            ids.insert(k, id as u32);
        }
        TermTable { ids, weight }
    }

    /// Weight of a known term; unknown terms weigh 1 (they are as rare as can be).
    pub fn weight(&self, id: Option<u32>) -> f32 {
        id.map_or(1.0, |i| self.weight[i as usize])
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Total weight of a set of known term ids.
    pub fn mass(&self, ids: &[u32]) -> f32 {
        ids.iter().map(|&i| self.weight[i as usize]).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// The 64-bit key of a term's text: FNV-1a over its bytes, then MurmurHash3's finalizer so that
/// every bit of the key depends on every byte (the same in every process and on every machine).
fn key(term: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in term.as_bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Keys are hashes already: the map uses them as they are.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, _: &[u8]) {
        unreachable!("only u64 keys are hashed")
    }
    fn write_u64(&mut self, k: u64) {
        self.0 = k;
    }
}

/// BM25's inverse document frequency.
fn idf(n: f32, df: f32) -> f32 {
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// The term sets of one variant.
#[derive(Debug)]
pub struct VariantEntry {
    pub claim: u32,
    /// Position of the variant within its claim's `variants`.
    pub ordinal: u32,
    pub grams: Box<[u32]>,
    pub gram_mass: f32,
    pub words: Box<[u32]>,
    pub word_mass: f32,
    pub chars: Box<[u32]>,
    pub char_mass: f32,
    /// The variant's normalized characters (separators as `' '`), kept from the build: reading a
    /// match's stance and details needs the text, and normalizing it again per check would
    /// repeat the OpenCC work.
    pub norm: Box<[char]>,
    /// Its key details, found on the first check that needs them (part-of-speech tagging every
    /// variant at load would cost start-up time for details most variants never need).
    details: OnceLock<Vec<Detail>>,
    /// Its verbs and adjectives, found on first use (for reading a negation as a refutation).
    predicates: OnceLock<Vec<String>>,
}

impl VariantEntry {
    /// A variant's entry from its parts (read back from disk).
    #[allow(clippy::too_many_arguments)]
    pub fn from_parts(
        claim: u32,
        ordinal: u32,
        masses: [f32; 3],
        grams: Box<[u32]>,
        words: Box<[u32]>,
        chars: Box<[u32]>,
        norm: Box<[char]>,
    ) -> VariantEntry {
        let [gram_mass, word_mass, char_mass] = masses;
        VariantEntry {
            claim,
            ordinal,
            grams,
            gram_mass,
            words,
            word_mass,
            chars,
            char_mass,
            norm,
            details: OnceLock::new(),
            predicates: OnceLock::new(),
        }
    }

    /// The variant's key details (places, dates, amounts …), computed once.
    pub fn details(&self) -> &[Detail] {
        self.details.get_or_init(|| details(&self.norm))
    }

    /// The variant's verbs and adjectives, computed once.
    pub fn predicates(&self) -> &[String] {
        self.predicates.get_or_init(|| super::predicates(&self.norm.iter().collect::<String>()))
    }
}

/// All variants of a corpus, in the order the index numbered them.
#[derive(Debug, Default)]
pub struct VariantTable {
    pub grams: TermTable,
    pub words: TermTable,
    pub chars: TermTable,
    pub variants: Vec<VariantEntry>,
    /// Each claim's keywords, normalized and without separators.
    pub keywords: Vec<Vec<String>>,
}

impl VariantTable {
    /// All variants of the claim that variant `v` belongs to (a claim's variants are contiguous).
    pub fn siblings(&self, v: u32) -> &[VariantEntry] {
        let entry = &self.variants[v as usize];
        let start = v as usize - entry.ordinal as usize;
        let end = self.variants[start..].iter().position(|e| e.claim != entry.claim).map_or(self.variants.len(), |n| start + n);
        &self.variants[start..end]
    }

    /// A table from its parts (read back from disk); the claims' keywords come from `corpus`.
    pub fn from_parts(grams: TermTable, words: TermTable, chars: TermTable, variants: Vec<VariantEntry>, corpus: &Corpus) -> VariantTable {
        VariantTable { grams, words, chars, variants, keywords: claim_keywords(corpus) }
    }

    /// Intern every variant's terms as it is tokenized: no variant's terms are held as text,
    /// so building costs little more memory than the table it leaves.
    pub fn build(corpus: &Corpus) -> VariantTable {
        let keywords = claim_keywords(corpus);
        let (mut grams, mut words, mut chars) = (TermTable::default(), TermTable::default(), TermTable::default());
        let (mut gram_df, mut word_df, mut char_df) = (Vec::new(), Vec::new(), Vec::new());
        fn sets(table: &mut TermTable, df: &mut Vec<u32>, keys: &[u64]) -> Box<[u32]> {
            let mut set: Vec<u32> = keys.iter().map(|&k| table.intern(df, k)).collect();
            set.sort_unstable();
            set.dedup();
            for &id in &set {
                df[id as usize] += 1;
            }
            set.into_boxed_slice()
        }
        /// A variant's normalized text and the keys of its bigrams, words and characters.
        type Tokens = (Box<[char]>, [Vec<u64>; 3]);
        fn tokens(text: &str) -> Tokens {
            let n = text::normalize(text);
            let keys = |terms: Vec<Term>| terms.iter().map(|t| key(&t.text)).collect();
            let sets = [keys(text::grams(&n)), keys(text::words(&n)), keys(text::chars(&n))];
            (n.chars.into_boxed_slice(), sets)
        }
        // Normalizing and segmenting is most of the work and needs no shared state: threads do
        // it a chunk at a time; interning stays in variant order, so ids are what one thread
        // would give.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(BUILD_THREADS);
        let all: Vec<_> = corpus.variants().collect();
        // the index numbered its documents in this same order (`Corpus::variants`)
        let mut variants: Vec<VariantEntry> = Vec::with_capacity(all.len());
        for chunk in all.chunks(BUILD_CHUNK) {
            let per_thread = chunk.len().div_ceil(threads);
            let done: Vec<Vec<Tokens>> = std::thread::scope(|scope| {
                let handles: Vec<_> = chunk
                    .chunks(per_thread)
                    .map(|part| scope.spawn(move || part.iter().map(|v| tokens(v.text)).collect::<Vec<_>>()))
                    .collect();
                handles.into_iter().map(|h| h.join().expect("tokenizing a variant does not panic")).collect()
            });
            for (v, (norm, [g, w, c])) in chunk.iter().zip(done.into_iter().flatten()) {
                variants.push(VariantEntry {
                    claim: v.claim,
                    ordinal: v.ordinal,
                    norm,
                    details: OnceLock::new(),
                    predicates: OnceLock::new(),
                    gram_mass: 0.0,
                    word_mass: 0.0,
                    char_mass: 0.0,
                    grams: sets(&mut grams, &mut gram_df, &g),
                    words: sets(&mut words, &mut word_df, &w),
                    chars: sets(&mut chars, &mut char_df, &c),
                });
            }
        }
        grams.finish(&gram_df, variants.len());
        words.finish(&word_df, variants.len());
        chars.finish(&char_df, variants.len());
        for v in &mut variants {
            v.gram_mass = grams.mass(&v.grams);
            v.word_mass = words.mass(&v.words);
            v.char_mass = chars.mass(&v.chars);
        }
        VariantTable { grams, words, chars, variants, keywords }
    }
}

/// Most threads that tokenize variants while a table is built.
const BUILD_THREADS: usize = 4;
/// Variants tokenized per round (bounds the keys held before they are interned).
const BUILD_CHUNK: usize = 4096;

/// Each claim's keywords, normalized and without separators.
fn claim_keywords(corpus: &Corpus) -> Vec<Vec<String>> {
    corpus
        .claims
        .iter()
        .map(|claim| claim.keywords.iter().map(|k| text::normalize(k).as_string().replace(' ', "")).filter(|k| !k.is_empty()).collect())
        .collect()
}

/// A message analysed against a table (what the matcher works on): its terms, their ids and
/// total weights.
pub struct Analysed {
    pub norm: Normalized,
    pub grams: Vec<Term>,
    pub gram_ids: Vec<Option<u32>>,
    pub gram_mass: f32,
    pub words: Vec<Term>,
    pub word_ids: Vec<Option<u32>>,
    pub word_mass: f32,
    pub char_mass: f32,
    /// The message's known bigram, word and character ids with their weights, for scoring
    /// candidates.
    pub gram_probe: IdWeights,
    pub word_probe: IdWeights,
    pub char_probe: IdWeights,
    /// The normalized text without separators, for keyword look-ups.
    pub compact: String,
}

impl Analysed {
    pub fn new(text_in: &str, table: &VariantTable) -> Analysed {
        Analysed::from_normalized(text::normalize(text_in), table)
    }

    /// The same from a text already normalized (`text::normalize`).
    pub fn from_normalized(norm: text::Normalized, table: &VariantTable) -> Analysed {
        let grams = text::grams(&norm);
        let words = text::words(&norm);
        let (gram_ids, gram_set, gram_mass) = resolve(&grams, &table.grams);
        let (word_ids, word_set, word_mass) = resolve(&words, &table.words);
        let (_, char_set, char_mass) = resolve(&text::chars(&norm), &table.chars);
        let compact = norm.chars.iter().filter(|c| **c != ' ').collect();
        let gram_probe = IdWeights::new(&gram_set, &table.grams);
        let word_probe = IdWeights::new(&word_set, &table.words);
        let char_probe = IdWeights::new(&char_set, &table.chars);
        Analysed { norm, grams, gram_ids, gram_mass, words, word_ids, word_mass, char_mass, gram_probe, word_probe, char_probe, compact }
    }
}

/// A message's known term ids with their weights, in a small open-addressing table: scoring a
/// candidate probes it once per candidate term, where merging two sorted lists branched
/// unpredictably on every element of both (it was the largest part of scoring).
pub struct IdWeights {
    slots: Vec<(u32, f32)>,
    mask: usize,
}

const EMPTY: u32 = u32::MAX;

impl IdWeights {
    fn new(ids: &[u32], table: &TermTable) -> IdWeights {
        let cap = (ids.len() * 2).next_power_of_two().max(16);
        let mut slots = vec![(EMPTY, 0.0); cap];
        let mask = cap - 1;
        for &id in ids {
            let mut i = slot(id, mask);
            while slots[i].0 != EMPTY {
                i = (i + 1) & mask;
            }
            slots[i] = (id, table.weight(Some(id)));
        }
        IdWeights { slots, mask }
    }

    /// The weight of `id` when the message has it.
    pub fn get(&self, id: u32) -> Option<f32> {
        let mut i = slot(id, self.mask);
        loop {
            let (k, w) = self.slots[i];
            if k == id {
                return Some(w);
            }
            if k == EMPTY {
                return None;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Total weight of the ids of sorted `ids` that the message has, summed in id order (as a
    /// merge of the two sorted lists would).
    pub fn shared(&self, ids: &[u32]) -> f32 {
        ids.iter().filter_map(|&i| self.get(i)).sum()
    }

    /// The ids of sorted `ids` that the message has, in order.
    pub fn common(&self, ids: &[u32]) -> Vec<u32> {
        ids.iter().copied().filter(|&i| self.get(i).is_some()).collect()
    }
}

fn slot(id: u32, mask: usize) -> usize {
    (id.wrapping_mul(0x9e37_79b1) >> 7) as usize & mask
}

/// Ids of `terms`, the sorted set of known ids, and the total weight of distinct terms.
fn resolve(terms: &[Term], table: &TermTable) -> (Vec<Option<u32>>, Vec<u32>, f32) {
    let ids: Vec<Option<u32>> = terms.iter().map(|t| table.id(&t.text)).collect();
    let mut set: Vec<u32> = ids.iter().flatten().copied().collect();
    set.sort_unstable();
    set.dedup();
    let mut unknown: Vec<&str> = terms.iter().zip(&ids).filter(|(_, id)| id.is_none()).map(|(t, _)| t.text.as_str()).collect();
    unknown.sort_unstable();
    unknown.dedup();
    let mass = set.iter().map(|&i| table.weight(Some(i))).sum::<f32>() + unknown.len() as f32;
    (ids, set, mass)
}

/// The ids present in both sorted lists, in order.
pub(super) fn common<'a>(a: &'a [u32], b: &'a [u32]) -> impl Iterator<Item = u32> + 'a {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    i += 1;
                    j += 1;
                    return Some(a[i - 1]);
                }
            }
        }
        None
    })
}
