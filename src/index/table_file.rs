//! The match table on disk: a reindex writes every variant's term sets, term weights and
//! normalized text beside the tantivy files, so that a server loads them instead of normalizing
//! and segmenting every variant again (which made start-up grow by ~0.25 ms a variant: 32 s at
//! 100k claims).
//!
//! Little-endian, in this order: the magic `PIYAOTB1`; for bigrams, words and characters, a
//! count and then every term's 64-bit key and weight in id order; the variant count and every
//! variant (claim, ordinal, three masses, four lengths, then its bigram, word and character ids
//! and its characters); an FNV-1a checksum of everything before it.

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use anyhow::{Context, Result, ensure};

use crate::corpus::Corpus;
use crate::matcher::{TermTable, VariantEntry, VariantTable};

/// File in each generation holding its match table.
pub const TABLE_FILE: &str = "table.bin";

const MAGIC: &[u8; 8] = b"PIYAOTB1";

/// Write `table` to `path` (streamed: nothing is held twice).
pub fn write(table: &VariantTable, path: &Path) -> Result<()> {
    let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut w = Checksummed { inner: BufWriter::new(file), sum: FNV_OFFSET };
    w.write_all(MAGIC)?;
    for terms in [&table.grams, &table.words, &table.chars] {
        let (keys, weights) = terms.parts();
        w.write_all(&len(keys.len())?.to_le_bytes())?;
        for k in keys {
            w.write_all(&k.to_le_bytes())?;
        }
        for x in weights {
            w.write_all(&x.to_le_bytes())?;
        }
    }
    w.write_all(&len(table.variants.len())?.to_le_bytes())?;
    for v in &table.variants {
        for x in [v.claim, v.ordinal] {
            w.write_all(&x.to_le_bytes())?;
        }
        for x in [v.gram_mass, v.word_mass, v.char_mass] {
            w.write_all(&x.to_le_bytes())?;
        }
        for n in [v.grams.len(), v.words.len(), v.chars.len(), v.norm.len()] {
            w.write_all(&len(n)?.to_le_bytes())?;
        }
        for ids in [&v.grams, &v.words, &v.chars] {
            for x in ids.iter() {
                w.write_all(&x.to_le_bytes())?;
            }
        }
        for c in v.norm.iter() {
            w.write_all(&u32::from(*c).to_le_bytes())?;
        }
    }
    let sum = w.sum;
    let mut inner = w.inner;
    inner.write_all(&sum.to_le_bytes())?;
    inner.flush().with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Read the table of `corpus` from `path`, checking its checksum and that it describes this
/// corpus's claims and variants. Streamed: the file is never held in memory beside the table
/// (a swap's peak stays near twice the steady state).
pub fn read(path: &Path, corpus: &Corpus) -> Result<VariantTable> {
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let size = file.metadata().with_context(|| format!("reading {}", path.display()))?.len();
    let mut r = Reader { inner: BufReader::with_capacity(1 << 20, file), left: size.saturating_sub(8), sum: FNV_OFFSET };
    parse(&mut r, size, corpus).with_context(|| format!("{} is not a valid match table", path.display()))
}

fn parse(r: &mut Reader, size: u64, corpus: &Corpus) -> Result<VariantTable> {
    ensure!(size >= MAGIC.len() as u64 + 8 && r.take(MAGIC.len())? == MAGIC, "it does not start with {}", String::from_utf8_lossy(MAGIC));
    let mut tables = Vec::with_capacity(3);
    for _ in 0..3 {
        let n = r.u32()? as usize;
        let keys = r.array(n, 8, |b| u64::from_le_bytes(b.try_into().expect("8 bytes")))?;
        let weights = r.array(n, 4, |b| f32::from_le_bytes(b.try_into().expect("4 bytes")))?;
        tables.push(TermTable::from_parts(keys, weights));
    }
    let n = r.u32()? as usize;
    ensure!(n == corpus.variant_count(), "it holds {n} variants, the corpus {}", corpus.variant_count());
    let mut variants = Vec::with_capacity(n);
    for expected in corpus.variants() {
        let (claim, ordinal) = (r.u32()?, r.u32()?);
        ensure!(claim == expected.claim && ordinal == expected.ordinal, "variant {claim}/{ordinal} is not the corpus's next variant");
        let masses = [r.f32()?, r.f32()?, r.f32()?];
        let lens = [r.u32()? as usize, r.u32()? as usize, r.u32()? as usize, r.u32()? as usize];
        let mut ids = |n: usize, table: &TermTable| -> Result<Box<[u32]>> {
            let v = r.array(n, 4, |b| u32::from_le_bytes(b.try_into().expect("4 bytes")))?;
            ensure!(v.iter().all(|&i| (i as usize) < table.len()), "a term id is out of range");
            Ok(v.into_boxed_slice())
        };
        let grams = ids(lens[0], &tables[0])?;
        let words = ids(lens[1], &tables[1])?;
        let chars = ids(lens[2], &tables[2])?;
        let norm = r.array(lens[3], 4, |b| char::from_u32(u32::from_le_bytes(b.try_into().expect("4 bytes"))))?;
        let norm: Option<Box<[char]>> = norm.into_iter().collect();
        let norm = norm.context("a character is not a Unicode scalar value")?;
        variants.push(VariantEntry::from_parts(claim, ordinal, masses, grams, words, chars, norm));
    }
    ensure!(r.left == 0, "{} bytes follow the last variant", r.left);
    let computed = r.sum;
    let mut tail = [0u8; 8];
    r.inner.read_exact(&mut tail).context("it ends early")?;
    ensure!(u64::from_le_bytes(tail) == computed, "its checksum does not match (damaged)");
    let chars = tables.pop().expect("three tables");
    let words = tables.pop().expect("three tables");
    let grams = tables.pop().expect("three tables");
    Ok(VariantTable::from_parts(grams, words, chars, variants, corpus))
}

fn len(n: usize) -> Result<u32> {
    u32::try_from(n).context("a count does not fit in 32 bits")
}

/// Reads the body (everything before the checksum), keeping count and checksum of what it read.
struct Reader {
    inner: BufReader<std::fs::File>,
    /// Body bytes not read yet: no count in the file can make us allocate more than this.
    left: u64,
    sum: u64,
}

impl Reader {
    fn take(&mut self, n: usize) -> Result<Vec<u8>> {
        ensure!(n as u64 <= self.left, "it ends early");
        let mut buf = vec![0u8; n];
        self.inner.read_exact(&mut buf).context("it ends early")?;
        self.left -= n as u64;
        self.sum = fnv(self.sum, &buf);
        Ok(buf)
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }

    fn f32(&mut self) -> Result<f32> {
        Ok(f32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }

    /// `n` values of `size` bytes each.
    fn array<T>(&mut self, n: usize, size: usize, f: impl Fn(&[u8]) -> T) -> Result<Vec<T>> {
        let bytes = self.take(n.checked_mul(size).context("a count is too large")?)?;
        Ok(bytes.chunks_exact(size).map(f).collect())
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A writer that keeps the checksum of what went through it.
struct Checksummed<W: Write> {
    inner: W,
    sum: u64,
}

impl<W: Write> Write for Checksummed<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sum = fnv(self.sum, &buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Corpus {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        crate::corpus::load(&[dir]).expect("the bundled corpus loads").corpus
    }

    #[test]
    fn a_table_read_back_is_the_table_written() {
        let corpus = corpus();
        let built = VariantTable::build(&corpus);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(TABLE_FILE);
        write(&built, &path).unwrap();
        let read = read(&path, &corpus).unwrap();
        assert_eq!(read.variants.len(), built.variants.len());
        for (a, b) in read.variants.iter().zip(&built.variants) {
            assert_eq!(
                (a.claim, a.ordinal, &a.grams, &a.words, &a.chars, &a.norm),
                (b.claim, b.ordinal, &b.grams, &b.words, &b.chars, &b.norm)
            );
            assert_eq!([a.gram_mass, a.word_mass, a.char_mass], [b.gram_mass, b.word_mass, b.char_mass]);
        }
        for (x, y) in [(&read.grams, &built.grams), (&read.words, &built.words), (&read.chars, &built.chars)] {
            assert_eq!(x.parts().0, y.parts().0);
            assert_eq!(x.parts().1, y.parts().1);
        }
        assert_eq!(read.keywords, built.keywords);
        // a message finds the same ids in both
        let text = "从今晚8点开始全国清查，不删聊天记录封群封号";
        let (a, b) = (crate::matcher::Analysed::new(text, &read), crate::matcher::Analysed::new(text, &built));
        assert_eq!((a.gram_ids, a.word_ids), (b.gram_ids, b.word_ids));
    }

    #[test]
    fn a_damaged_or_foreign_table_is_refused_with_the_reason() {
        let corpus = corpus();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(TABLE_FILE);
        write(&VariantTable::build(&corpus), &path).unwrap();
        let good = std::fs::read(&path).unwrap();
        let cases: [(&str, Vec<u8>); 4] = [
            ("does not start with", b"not a table at all".to_vec()),
            ("ends early", good[..good.len() / 2].to_vec()),
            ("checksum", {
                // a bit of the first term's key: only the checksum can tell
                let mut b = good.clone();
                b[MAGIC.len() + 4 + 3] ^= 0x40;
                b
            }),
            ("does not start with", Vec::new()),
        ];
        for (why, bytes) in cases {
            std::fs::write(&path, bytes).unwrap();
            let err = format!("{:#}", read(&path, &corpus).expect_err("refused"));
            assert!(err.contains(why) && err.contains(TABLE_FILE), "{err}");
        }
        // another corpus's table: intact, but not this corpus's variants
        std::fs::write(&path, &good).unwrap();
        let mut other = corpus.clone();
        other.claims.pop();
        let err = format!("{:#}", read(&path, &other).expect_err("refused"));
        assert!(err.contains("variants"), "{err}");
    }

    #[test]
    fn an_engine_with_a_damaged_table_builds_it_again_and_answers_the_same() {
        let corpus = corpus();
        let dir = tempfile::tempdir().unwrap();
        let root = crate::index::IndexRoot::new(dir.path());
        crate::index::build(&root, &corpus, &crate::index::BuildProgress::SILENT).unwrap();
        let path = root.generation_dir(&root.current().unwrap()).join(TABLE_FILE);
        assert!(path.exists(), "a reindex writes the table");
        let text = crate::input::MessageText::parse("从今晚8点开始全国清查，不删聊天记录封群封号，收到请转发").unwrap();
        let limit = crate::input::Limit::parse(None).unwrap();
        let answer = |engine: crate::engine::Engine| {
            let mut v = serde_json::to_value(engine.check(&text, limit).unwrap()).unwrap();
            v.as_object_mut().unwrap().remove("took_ms");
            v
        };
        let intact = answer(crate::engine::Engine::open(&root).unwrap().unwrap());
        assert_eq!(intact["verdict"], "false", "{intact}");
        std::fs::write(&path, b"PIYAOTB1 and then nothing").unwrap();
        let rebuilt = answer(crate::engine::Engine::open(&root).unwrap().unwrap());
        assert_eq!(rebuilt, intact);
    }
}
