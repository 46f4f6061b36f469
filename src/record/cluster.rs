//! Groups recorded messages that are the same forward (re-typed, wrapped, truncated …) into clusters:
//! editors then see that 300 people asked about one new message instead of 300 different texts.
//!
//! A message is reduced to a [`Sketch`]: its normalized text (Traditional → Simplified, full-width
//! → half-width, evasive spellings folded: see [`crate::text::normalize`]) with every separator,
//! punctuation mark and emoji removed, cut into overlapping character 3-grams (a link is one
//! shingle of its own, so links on one shortener do not make messages alike). Two sketches are
//! compared by containment (shared 3-grams over the smaller set), so a truncated or wrapped copy
//! scores high against the full message. To find what to compare with, each sketch carries
//! MinHash band keys (20 bands of 2 rows): copies of one message share at least one key with
//! high probability, unrelated messages almost never.
//!
//! [`place`] decides where a message goes through a [`ClusterIndex`] (the database in
//! production, [`MemoryClusters`] in tests and `piyao eval --clusters`): the cluster of a variant
//! with the same fingerprint, else the cluster of the most similar candidate variant at or above
//! [`SAME_MESSAGE`], else a new cluster. Clusters are never merged afterwards.
//!
//! Keys and fingerprints are stored: changing the shingle size, the bands, the hashing or the
//! normalization changes them, and stored variants must then be sketched again.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

use crate::stable_hash::fnv1a;
use crate::text::normalize;

/// Similarity at or above which two messages are the same forward.
///
/// Measured (`piyao eval --clusters` on real Weibo, EANN and Cofacts texts): noisy copies of one
/// message have a best similarity to another copy of ≥ 0.71 for 99% of them, while the best
/// similarity to a copy of another message is ≤ 0.48 for 99% of them. Rumors built on one
/// template (the same notice with another place and date) mostly score 0.5–0.8 and are merged,
/// which is what an editor wants; two different rumors sharing a formula ("我收到一个快递……扫码
/// 就能领，是真的吗？") score up to about 0.48 and are not. Lower (0.4–0.45) joins more
/// real re-posts but starts mixing different short messages on one topic.
pub const SAME_MESSAGE: f32 = 0.5;

/// Most variants kept per cluster (beyond that only counts grow).
pub const MAX_VARIANTS: usize = 50;

/// Candidate variants compared with a new message at most (see [`ClusterIndex::candidates`]).
pub const CANDIDATES: usize = 64;

/// Fewer normalized characters than this: too little text to cluster by similarity.
pub const MIN_CHARS: usize = 4;

/// Characters per shingle. Bigrams let different messages on one topic (疫苗, 封号, 微信群 …)
/// share too much; 4-grams lose too many shingles to each typo.
const SHINGLE: usize = 3;

/// MinHash bands (keys per message) and rows per band. With 2 rows a pair of copies whose
/// 3-gram Jaccard is 0.3 shares a key with probability 1 − (1 − 0.3²)²⁰ ≈ 85%, at 0.5 with 99.7%;
/// unrelated messages (Jaccard ≈ 0.03) with 2%.
const BANDS: usize = 20;
const ROWS: usize = 2;

/// A message much smaller than the other counts as if it had this share of the other's size:
/// a short message wholly contained in a long one (a common phrase, a wrapper) is not the long
/// one, while truncated copies (60–85%) and wrapped ones are unaffected.
const SIZE_FLOOR: f32 = 0.4;

/// A message reduced to what clustering compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sketch {
    fingerprint: String,
    /// Hashes of the character 3-grams, sorted and deduplicated.
    shingles: Vec<u64>,
    keys: Vec<i64>,
    /// Normalized characters (without separators).
    chars: usize,
}

/// SplitMix64's finalizer: a fixed bijective mix, the same on every machine and Rust version.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A link (after NFKC, so full-width links too). Its characters would make 3-grams that any two
/// messages with links on one shortener share (`httptcn…`): a link counts as one shingle instead.
static LINK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)(?:https?://|www\.)[a-z0-9\-._~:/?#@!$&'*+,;=%]+").expect("link pattern"));

impl Sketch {
    pub fn of(text: &str) -> Sketch {
        let text: String = text.nfkc().collect();
        let mut links: Vec<String> = Vec::new();
        let rest = LINK.replace_all(&text, |c: &regex::Captures| {
            let link: String = c[0].chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
            links.push(link);
            " "
        });
        let chars: Vec<char> = normalize(&rest).chars.into_iter().filter(|c| *c != ' ').collect();
        let mut compact: String = chars.iter().collect();
        for link in &links {
            compact.push('\u{0}');
            compact.push_str(link);
        }
        let fingerprint = format!("{:016x}", fnv1a(compact.as_bytes()));
        let mut shingles: Vec<u64> = match chars.len() {
            0 => Vec::new(),
            n if n < SHINGLE => vec![shingle(&chars)],
            _ => chars.windows(SHINGLE).map(shingle).collect(),
        };
        shingles.extend(links.iter().map(|l| mix(fnv1a(l.as_bytes()) ^ 0x6c69_6e6b)));
        shingles.sort_unstable();
        shingles.dedup();
        let keys = band_keys(&shingles);
        Sketch { fingerprint, shingles, keys, chars: chars.len() }
    }

    /// Exact-duplicate key: a short hex hash of the normalized text with punctuation, spaces and
    /// emoji removed (the same text up to those, width, Traditional characters and folded
    /// evasive spellings → the same fingerprint; links count by their letters and digits).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Locality-sensitive keys (MinHash bands): two messages that are the same forward share at
    /// least one key with high probability; 20 per message (none for a message without text).
    pub fn keys(&self) -> &[i64] {
        &self.keys
    }

    /// How alike two messages are, 0..1: shared 3-grams over the smaller message's 3-grams (so a
    /// truncated or wrapped copy scores high against the full message), the smaller counted as at
    /// least 40% of the larger.
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
        (common as f32 / small.max(SIZE_FLOOR * large)).min(1.0)
    }

    /// True when the message has too little text to cluster meaningfully (fewer than
    /// [`MIN_CHARS`] characters after normalization, links not counted): it joins a cluster only
    /// by its fingerprint;
    /// the caller may still make a singleton cluster.
    pub fn too_short(&self) -> bool {
        self.chars < MIN_CHARS
    }
}

/// One shingle's hash: up to 3 characters (21 bits each) packed exactly, then mixed.
fn shingle(w: &[char]) -> u64 {
    mix(w.iter().fold(0u64, |h, c| h.rotate_left(21) ^ u64::from(*c as u32)))
}

fn band_keys(shingles: &[u64]) -> Vec<i64> {
    if shingles.is_empty() {
        return Vec::new();
    }
    (0..BANDS)
        .map(|band| {
            let mut h = mix(0x6b65_7973_0000_0000 ^ band as u64);
            for row in 0..ROWS {
                let seed = mix(((band * ROWS + row) as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
                let min = shingles.iter().map(|s| mix(s ^ seed)).min().unwrap_or(0);
                h = mix(h ^ min);
            }
            h as i64
        })
        .collect()
}

/// What clustering needs from where clusters are kept (the database in production, memory in tests and eval).
pub trait ClusterIndex {
    type Error;
    /// The cluster that already holds a variant with this fingerprint.
    fn by_fingerprint(&mut self, fingerprint: &str) -> Result<Option<i64>, Self::Error>;
    /// Stored variants (cluster id, variant text) that share at least one key with `keys`, at
    /// most `limit`. When there are more, those sharing the most keys should come first (in SQL:
    /// group the key rows by variant and order by their count): an arbitrary choice misses the
    /// right cluster more often when many variants share a common key.
    fn candidates(&mut self, keys: &[i64], limit: usize) -> Result<Vec<(i64, String)>, Self::Error>;
    /// The sketch of a stored variant's text (an index may keep them, rather than sketch the
    /// same variants again for every new message).
    fn sketch(&mut self, text: &str) -> Sketch {
        Sketch::of(text)
    }
}

/// Where a message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Same fingerprint as a stored variant of this cluster.
    Exact(i64),
    /// A new variant of this cluster.
    Similar(i64),
    /// The first message of a new cluster.
    New,
}

/// Decide the cluster of a message: exact fingerprint first, then the most similar of at most
/// [`CANDIDATES`] candidate variants at or above [`SAME_MESSAGE`] (ties: the older cluster), else
/// New. A message that is [`Sketch::too_short`] is only placed by its fingerprint (and a stored
/// variant that is, is only found by its own).
pub fn place<I: ClusterIndex>(index: &mut I, sketch: &Sketch) -> Result<Placement, I::Error> {
    if let Some(id) = index.by_fingerprint(sketch.fingerprint())? {
        return Ok(Placement::Exact(id));
    }
    if sketch.too_short() || sketch.keys().is_empty() {
        return Ok(Placement::New);
    }
    let mut best: Option<(i64, f32)> = None;
    for (id, text) in index.candidates(sketch.keys(), CANDIDATES)? {
        let candidate = index.sketch(&text);
        if candidate.too_short() {
            continue;
        }
        let s = sketch.similarity(&candidate);
        if s >= SAME_MESSAGE && best.is_none_or(|(best_id, b)| s > b || (s == b && id < best_id)) {
            best = Some((id, s));
        }
    }
    Ok(best.map_or(Placement::New, |(id, _)| Placement::Similar(id)))
}

struct Variant {
    cluster: i64,
    text: String,
}

#[derive(Default, Clone, Copy)]
struct ClusterCounts {
    messages: usize,
    variants: usize,
}

/// Clusters kept in memory: the same algorithm as the database (used by tests and `piyao eval
/// --clusters`). Cluster ids start at 1, in order of creation.
#[derive(Default)]
pub struct MemoryClusters {
    variants: Vec<Variant>,
    by_fingerprint: HashMap<String, i64>,
    /// Key → stored variants (indexes into `variants`) that have it.
    by_key: HashMap<i64, Vec<usize>>,
    /// Per cluster, at index id − 1.
    clusters: Vec<ClusterCounts>,
}

impl MemoryClusters {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a message; returns its cluster id. Exact: only counts grow; Similar: the message is
    /// also stored as a variant if the cluster has fewer than [`MAX_VARIANTS`]; New: a new
    /// cluster with the message as its first variant.
    pub fn add(&mut self, text: &str) -> i64 {
        let sketch = Sketch::of(text);
        let Ok(placement) = place(self, &sketch);
        let id = match placement {
            Placement::Exact(id) => id,
            Placement::Similar(id) => {
                if self.clusters[(id - 1) as usize].variants < MAX_VARIANTS {
                    self.store(id, text, &sketch);
                }
                id
            }
            Placement::New => {
                self.clusters.push(ClusterCounts::default());
                let id = self.clusters.len() as i64;
                self.store(id, text, &sketch);
                id
            }
        };
        self.clusters[(id - 1) as usize].messages += 1;
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
        self.clusters[(id - 1) as usize].variants += 1;
    }

    pub fn cluster_count(&self) -> usize {
        self.clusters.len()
    }

    /// Messages added to cluster `id` (0 for an unknown id).
    pub fn message_count(&self, id: i64) -> usize {
        self.counts(id).messages
    }

    /// Variants stored for cluster `id` (at most [`MAX_VARIANTS`]).
    pub fn variant_count(&self, id: i64) -> usize {
        self.counts(id).variants
    }

    fn counts(&self, id: i64) -> ClusterCounts {
        usize::try_from(id - 1).ok().and_then(|i| self.clusters.get(i)).copied().unwrap_or_default()
    }
}

impl ClusterIndex for MemoryClusters {
    type Error = std::convert::Infallible;

    fn by_fingerprint(&mut self, fingerprint: &str) -> Result<Option<i64>, Self::Error> {
        Ok(self.by_fingerprint.get(fingerprint).copied())
    }

    /// Variants sharing the most keys first, then the oldest.
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

/// Purity and completeness of a clustering (`clusters[i]`: the cluster of message i) against the
/// true groups (`truth[i]`), both weighted by messages:
/// purity = share of messages that are in the majority true group of their cluster;
/// completeness = share of messages that are in the cluster holding most of their true group
/// (for each true group, its largest part in one cluster, summed over groups, over all messages).
/// Both are 1 for a perfect clustering; one cluster for everything has completeness 1, one
/// cluster per message has purity 1.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::eval::noise::{self, Noise, Rng};

    const PURGE: &str = "紧急通知：从今晚12点开始，全国开始新一轮微信群清查，不但封群主号，连群员号一起封，永不解冻，\
                         群里不要发任何疫情的图片和链接，收到请转告家人！";

    fn sim(a: &str, b: &str) -> f32 {
        Sketch::of(a).similarity(&Sketch::of(b))
    }

    #[test]
    fn noisy_copies_are_the_same_message_and_other_rumors_are_not() {
        let chars: Vec<char> = PURGE.chars().collect();
        let truncated: String = chars[..chars.len() * 6 / 10].iter().collect();
        let wrapped = format!("转发：【紧急通知】{PURGE}不转不是中国人！");
        let traditional = noise::apply(PURGE, &[Noise::Traditional], &mut Rng::new(1));
        assert_ne!(traditional, PURGE);
        // re-typed by hand: dropped characters and homophones (青查, 裙, 好, 永不解动, 转高)
        let typos = "紧急通知从今晚12点开始，全国开始新一轮微信裙青查，不但封群主好，连群员号一起封，永不解动，\
                     群里不要发任何疫情图片和链接，收到请转高家人";
        let evasive = "紧急通知：从今晚12点开始，全国开始新一轮V信群清查，不但封.群主号，连群员号一起封，永不解冻，\
                       群里不要发任何yi情的图片和链接，收到请转告家人！";
        let mixed = noise::apply(PURGE, &[Noise::Typos, Noise::Emoji, Noise::Wrapped, Noise::FullWidth], &mut Rng::new(9));
        for (name, copy) in [
            ("truncated", truncated.as_str()),
            ("wrapped", &wrapped),
            ("traditional", &traditional),
            ("typos", typos),
            ("evasive", evasive),
            ("typos+emoji+wrapped+full-width", &mixed),
        ] {
            let s = sim(PURGE, copy);
            assert!(s >= SAME_MESSAGE, "{name}: {s} < {SAME_MESSAGE}: {copy}");
            assert_eq!(s, sim(copy, PURGE), "{name}: symmetric");
        }

        // different rumors on the same topic
        let other_purge = "注意：微信新规定今天起生效，所有聊天记录都被监控，发了不当言论的一律封号，严重的还要拘留，\
                           群主负连带责任，大家说话小心点，收到请转告家人！";
        let vaccine_dna = "新冠疫苗打了以后会改变人的基因，三年之内就会得白血病，这是国外专家说的，千万别给孩子打疫苗！";
        let vaccine_chip = "疫苗里面被植入了芯片，打了以后就能被追踪定位，国外专家已经证实了，千万别给孩子打疫苗！";
        let parcel_fund = "我收到一个快递，说国家发300万扶贫款，扫码就能领，是真的吗？";
        let parcel_card = "我收到一个快递，里面有张刮刮卡，刮开中了一等奖，扫码就能领，是真的吗？";
        for (a, b) in [(PURGE, other_purge), (vaccine_dna, vaccine_chip), (parcel_fund, parcel_card)] {
            let s = sim(a, b);
            assert!(s < SAME_MESSAGE, "{s} ≥ {SAME_MESSAGE}:\n{a}\n{b}");
        }
        // a short common phrase inside a long message is not that message
        assert!(sim("收到请转告家人！", PURGE) < SAME_MESSAGE);
        assert_eq!(sim("", PURGE), 0.0);
    }

    #[test]
    fn fingerprint_ignores_punctuation_emoji_width_and_script() {
        let plain = Sketch::of("微信群8点开始清查封号，收到请转发");
        for same in [
            "微信群8点开始清查封号收到请转发",
            "微信群８点开始清查封号！！收到请转发😱😱",
            "微信群 8点开始 清查[捂脸]封号……收到请转发[玫瑰]",
            "微信群8點開始清查封號，收到請轉發",
            "V信群8点开始清查封号，收到请转发",
        ] {
            assert_eq!(Sketch::of(same).fingerprint(), plain.fingerprint(), "{same}");
            assert_eq!(Sketch::of(same).keys(), plain.keys(), "{same}");
        }
        assert_ne!(Sketch::of("微信群9点开始清查封号，收到请转发").fingerprint(), plain.fingerprint());
        assert_eq!(plain.fingerprint().len(), 16);
        assert!(plain.fingerprint().bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(plain.keys().len(), BANDS);
    }

    #[test]
    fn links_count_as_one_shingle() {
        let a = "《纸牌屋》下木总统。。。http://t.cn/RU0Bbvm";
        let b = "你现在知道了吗[doge]？http://t.cn/RU0AsM1";
        assert!(sim(a, b) < 0.2, "{}", sim(a, b));
        let same_link = "你现在知道了吗？？ＨＴＴＰ：／／ｔ．ｃｎ／ＲＵ０ＡｓＭ１";
        assert_eq!(Sketch::of(same_link).fingerprint(), Sketch::of(b).fingerprint());
        assert_ne!(Sketch::of("你现在知道了吗 http://t.cn/RU0Bbvm").fingerprint(), Sketch::of(b).fingerprint());
        assert!(Sketch::of("http://t.cn/RU0Bbvm").too_short());
        assert!(!Sketch::of("http://t.cn/RU0Bbvm").keys().is_empty());
    }

    #[test]
    fn short_messages_only_join_by_fingerprint() {
        assert!(Sketch::of("真的吗？").too_short());
        assert!(Sketch::of("😱😱").too_short());
        assert!(Sketch::of("😱😱").keys().is_empty());
        assert!(!Sketch::of("真的假的？").too_short());
        let mut c = MemoryClusters::new();
        let a = c.add("真的吗？");
        assert_eq!(c.add("真的吗"), a);
        assert_ne!(c.add("真的吗啊"), a);
    }

    #[test]
    fn memory_clusters_follow_the_writer_rules() {
        let mut c = MemoryClusters::new();
        let first = c.add(PURGE);
        assert_eq!(first, 1);
        // Exact: count only
        assert_eq!(c.add(&format!("{PURGE}！！！😱")), first);
        assert_eq!((c.message_count(first), c.variant_count(first)), (2, 1));
        // Similar: a new variant
        let mut rng = Rng::new(3);
        assert_eq!(c.add(&noise::apply(PURGE, &[Noise::Truncated, Noise::Wrapped], &mut rng)), first);
        assert_eq!((c.message_count(first), c.variant_count(first)), (3, 2));
        // New
        let other = c.add("疫苗里面被植入了芯片，打了以后就能被追踪定位，国外专家已经证实了，千万别给孩子打疫苗！");
        assert_eq!(other, 2);
        assert_eq!(c.cluster_count(), 2);
        // beyond MAX_VARIANTS only the count grows
        for i in 0..MAX_VARIANTS + 10 {
            assert_eq!(c.add(&format!("{PURGE}（第{i}次转发）")), first);
        }
        assert_eq!(c.variant_count(first), MAX_VARIANTS);
        assert_eq!(c.message_count(first), MAX_VARIANTS + 13);
        assert_eq!(c.message_count(99), 0);
    }

    #[test]
    fn purity_and_completeness() {
        assert_eq!(purity_completeness(&[0, 0, 1, 1], &[5, 5, 6, 6]), (1.0, 1.0));
        // everything in one cluster: complete, half pure
        assert_eq!(purity_completeness(&[0, 0, 1, 1], &[1, 1, 1, 1]), (0.5, 1.0));
        // every message alone: pure, half complete
        assert_eq!(purity_completeness(&[0, 0, 1, 1], &[1, 2, 3, 4]), (1.0, 0.5));
        // group 0 split 2+1, cluster 2 holds 1 of group 0 and 3 of group 1
        let (p, c) = purity_completeness(&[0, 0, 0, 1, 1, 1], &[1, 1, 2, 2, 2, 2]);
        assert!((p - 5.0 / 6.0).abs() < 1e-9 && (c - 5.0 / 6.0).abs() < 1e-9, "{p} {c}");
    }

    /// The longest variant of each corpus claim, in file order, skipping a claim whose text
    /// shares half its character pairs with one already taken (two claims can circulate the
    /// same text; those would be one message, not two).
    fn corpus_messages(n: usize) -> Vec<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/claims");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("corpus/claims")
            .map(|e| e.expect("corpus entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        let pairs = |t: &str| -> std::collections::HashSet<(char, char)> {
            let c: Vec<char> = normalize(t).chars.into_iter().filter(|c| *c != ' ').collect();
            c.windows(2).map(|w| (w[0], w[1])).collect()
        };
        let mut out: Vec<(String, String)> = Vec::new();
        let mut taken = Vec::new();
        for f in files {
            let claim: toml::Value = toml::from_str(&std::fs::read_to_string(&f).expect("claim file")).expect("claim toml");
            let id = claim["id"].as_str().expect("id").to_string();
            let Some(text) =
                claim["variants"].as_array().into_iter().flatten().filter_map(|v| v.as_str()).max_by_key(|v| v.chars().count())
            else {
                continue;
            };
            let p = pairs(text);
            if p.len() < 8 || out.iter().any(|(i, _)| *i == id) {
                continue;
            }
            if taken.iter().any(|q: &std::collections::HashSet<(char, char)>| p.intersection(q).count() * 2 >= p.len().min(q.len())) {
                continue;
            }
            taken.push(p);
            out.push((id, text.to_string()));
            if out.len() == n {
                break;
            }
        }
        out
    }

    #[test]
    fn fifty_messages_twenty_noisy_copies_each() {
        let messages = corpus_messages(50);
        assert_eq!(messages.len(), 50, "the corpus has 50 distinct claim texts");
        let mut rng = Rng::new(20_26);
        let mut copies: Vec<(usize, String)> = Vec::new();
        for (g, (_, text)) in messages.iter().enumerate() {
            for j in 0..20 {
                let kinds = if j < Noise::ALL.len() { vec![Noise::ALL[j]] } else { noise::random_kinds(&mut rng) };
                copies.push((g, noise::apply(text, &kinds, &mut rng)));
            }
        }
        for i in (1..copies.len()).rev() {
            copies.swap(i, rng.below(i + 1));
        }
        let mut clusters = MemoryClusters::new();
        let ids: Vec<i64> = copies.iter().map(|(_, t)| clusters.add(t)).collect();
        let truth: Vec<usize> = copies.iter().map(|(g, _)| *g).collect();
        let (purity, completeness) = purity_completeness(&truth, &ids);
        eprintln!("50 claims × 20 copies: purity {purity:.4}, completeness {completeness:.4}, {} clusters", clusters.cluster_count());
        assert!(purity >= 0.95, "purity {purity}");
        assert!(completeness >= 0.90, "completeness {completeness}");
    }
}
