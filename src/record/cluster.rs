//! Groups recorded messages that are the same forward (re-typed, wrapped, truncated …) into clusters.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::stable_hash::fnv1a;
use crate::text::normalize;

struct Params {
    n: usize,
    bands: usize,
    rows: usize,
    threshold: f32,
    guard: f32,
    limit: usize,
}

static P: LazyLock<Params> = LazyLock::new(|| {
    let get = |k: &str, d: f64| std::env::var(k).ok().and_then(|v| v.parse::<f64>().ok()).unwrap_or(d);
    Params {
        n: get("CL_N", 3.0) as usize,
        bands: get("CL_BANDS", 20.0) as usize,
        rows: get("CL_ROWS", 2.0) as usize,
        threshold: get("CL_T", 0.5) as f32,
        guard: get("CL_G", 0.3) as f32,
        limit: get("CL_LIMIT", 64.0) as usize,
    }
});

pub fn same_message() -> f32 {
    P.threshold
}

/// Most variants kept per cluster (beyond that only counts grow).
pub const MAX_VARIANTS: usize = 50;

/// Fewer normalized characters than this: too little text to cluster by similarity.
pub const MIN_CHARS: usize = 4;

/// A message reduced to what clustering compares.
#[derive(Debug, Clone)]
pub struct Sketch {
    fingerprint: String,
    shingles: Vec<u64>,
    keys: Vec<i64>,
    chars: usize,
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Sketch {
    pub fn of(text: &str) -> Sketch {
        let chars: Vec<char> = normalize(text).chars.into_iter().filter(|c| *c != ' ').collect();
        let compact: String = chars.iter().collect();
        let fingerprint = format!("{:016x}", fnv1a(compact.as_bytes()));
        let n = P.n;
        let mut shingles: Vec<u64> = if chars.is_empty() {
            Vec::new()
        } else if chars.len() <= n {
            vec![shingle(&chars)]
        } else {
            chars.windows(n).map(shingle).collect()
        };
        shingles.sort_unstable();
        shingles.dedup();
        let keys = keys(&shingles);
        Sketch { fingerprint, shingles, keys, chars: chars.len() }
    }

    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    pub fn keys(&self) -> &[i64] {
        &self.keys
    }

    pub fn too_short(&self) -> bool {
        self.chars < MIN_CHARS
    }

    pub fn similarity(&self, other: &Sketch) -> f32 {
        let (a, b) = (&self.shingles, &other.shingles);
        if a.is_empty() || b.is_empty() {
            return 0.0;
        }
        let (mut i, mut j, mut common) = (0, 0, 0usize);
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    common += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        let small = a.len().min(b.len()) as f32;
        let large = a.len().max(b.len()) as f32;
        common as f32 / small.max(P.guard * large)
    }
}

fn shingle(w: &[char]) -> u64 {
    mix(w.iter().fold(0u64, |h, c| h.rotate_left(21) ^ u64::from(*c as u32)))
}

fn keys(shingles: &[u64]) -> Vec<i64> {
    if shingles.is_empty() {
        return Vec::new();
    }
    let (bands, rows) = (P.bands, P.rows);
    let mut keys = Vec::with_capacity(bands);
    for band in 0..bands {
        let mut h = mix(0x6B65_7973_0000_0000 ^ band as u64);
        for row in 0..rows {
            let seed = mix(((band * rows + row) as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let min = shingles.iter().map(|s| mix(s ^ seed)).min().unwrap_or(0);
            h = mix(h ^ min);
        }
        keys.push(h as i64);
    }
    keys
}

/// What clustering needs from where clusters are kept (the database in production, memory in tests and eval).
pub trait ClusterIndex {
    type Error;
    /// The cluster that already holds a variant with this fingerprint.
    fn by_fingerprint(&mut self, fingerprint: &str) -> Result<Option<i64>, Self::Error>;
    /// Stored variants (cluster id, variant text) that share at least one key with `keys`, at most `limit`.
    fn candidates(&mut self, keys: &[i64], limit: usize) -> Result<Vec<(i64, String)>, Self::Error>;
}

/// Where a message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Exact(i64),
    Similar(i64),
    New,
}

pub fn place<I: ClusterIndex>(index: &mut I, sketch: &Sketch) -> Result<Placement, I::Error> {
    if let Some(id) = index.by_fingerprint(sketch.fingerprint())? {
        return Ok(Placement::Exact(id));
    }
    if sketch.too_short() || sketch.keys().is_empty() {
        return Ok(Placement::New);
    }
    let mut best: Option<(i64, f32)> = None;
    for (id, text) in index.candidates(sketch.keys(), P.limit)? {
        let s = sketch.similarity(&Sketch::of(&text));
        if s >= same_message() && best.is_none_or(|(b_id, b)| s > b || (s == b && id < b_id)) {
            best = Some((id, s));
        }
    }
    Ok(best.map_or(Placement::New, |(id, _)| Placement::Similar(id)))
}

struct Variant {
    cluster: i64,
    text: String,
}

#[derive(Default)]
pub struct MemoryClusters {
    variants: Vec<Variant>,
    by_fingerprint: HashMap<String, i64>,
    by_key: HashMap<i64, Vec<usize>>,
    /// Per cluster (id − 1): messages, stored variants.
    clusters: Vec<(usize, usize)>,
}

impl MemoryClusters {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, text: &str) -> i64 {
        let sketch = Sketch::of(text);
        let id = match place(self, &sketch) {
            Ok(Placement::Exact(id)) => id,
            Ok(Placement::Similar(id)) => {
                if self.clusters[(id - 1) as usize].1 < MAX_VARIANTS {
                    self.store(id, text, &sketch);
                }
                id
            }
            Ok(Placement::New) => {
                self.clusters.push((0, 0));
                let id = self.clusters.len() as i64;
                self.store(id, text, &sketch);
                id
            }
            Err(e) => match e {},
        };
        self.clusters[(id - 1) as usize].0 += 1;
        id
    }

    fn store(&mut self, id: i64, text: &str, sketch: &Sketch) {
        let v = self.variants.len();
        self.variants.push(Variant { cluster: id, text: text.to_string() });
        self.by_fingerprint.entry(sketch.fingerprint().to_string()).or_insert(id);
        for k in sketch.keys() {
            let list = self.by_key.entry(*k).or_default();
            if list.last() != Some(&v) {
                list.push(v);
            }
        }
        self.clusters[(id - 1) as usize].1 += 1;
    }

    pub fn cluster_count(&self) -> usize {
        self.clusters.len()
    }
}

impl ClusterIndex for MemoryClusters {
    type Error = std::convert::Infallible;

    fn by_fingerprint(&mut self, fingerprint: &str) -> Result<Option<i64>, Self::Error> {
        Ok(self.by_fingerprint.get(fingerprint).copied())
    }

    fn candidates(&mut self, keys: &[i64], limit: usize) -> Result<Vec<(i64, String)>, Self::Error> {
        let mut shared: HashMap<usize, u32> = HashMap::new();
        for k in keys {
            for v in self.by_key.get(k).into_iter().flatten() {
                *shared.entry(*v).or_default() += 1;
            }
        }
        let mut ranked: Vec<(usize, u32)> = shared.into_iter().collect();
        ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(ranked.into_iter().take(limit).map(|(v, _)| (self.variants[v].cluster, self.variants[v].text.clone())).collect())
    }
}

pub fn purity_completeness(truth: &[usize], clusters: &[i64]) -> (f64, f64) {
    assert_eq!(truth.len(), clusters.len(), "one cluster per message");
    if truth.is_empty() {
        return (1.0, 1.0);
    }
    let mut pairs: HashMap<(i64, usize), usize> = HashMap::new();
    for (t, c) in truth.iter().zip(clusters) {
        *pairs.entry((*c, *t)).or_default() += 1;
    }
    let mut best_in_cluster: HashMap<i64, usize> = HashMap::new();
    let mut best_in_group: HashMap<usize, usize> = HashMap::new();
    for ((c, t), n) in pairs {
        let b = best_in_cluster.entry(c).or_default();
        *b = (*b).max(n);
        let b = best_in_group.entry(t).or_default();
        *b = (*b).max(n);
    }
    let n = truth.len() as f64;
    (best_in_cluster.values().sum::<usize>() as f64 / n, best_in_group.values().sum::<usize>() as f64 / n)
}
