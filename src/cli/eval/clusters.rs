//! `piyao eval --clusters FILE`: how well unanswered messages are grouped into clusters of "the
//! same forward". Takes the first N distinct messages of a JSONL file (real rumors, not our
//! corpus; a line sharing half its character pairs with an earlier pick is a re-post of it and is
//! skipped), makes M copies of each with the chat-noise generator (seeded, so every run is the
//! same), shuffles them, clusters them with [`MemoryClusters`] (the algorithm the database uses)
//! and prints purity, completeness, the cluster count and the time per message, then how far
//! apart the groups are and which clusters mixed groups or split one.
//!
//! With `--clusters-real` the file's own groups are the truth instead: each line's `expected`
//! (as in the `eann` query files: real re-posts of one rumor) and the texts are used as they are.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};

use super::noise::{self, Noise, Rng};
use crate::record::cluster::{MemoryClusters, SAME_MESSAGE, Sketch, purity_completeness};

/// Options of `piyao eval --clusters`.
#[derive(Debug, Clone, clap::Args)]
pub struct ClustersArgs {
    /// Measure message clustering on a JSONL file of messages (`text`, or else the first of
    /// `variants`, per line); the other eval options are not used then.
    #[arg(long, value_name = "FILE")]
    pub clusters: Option<PathBuf>,
    /// Distinct messages (of at least 15 characters) taken from the start of the file.
    #[arg(long, default_value_t = 50)]
    pub clusters_groups: usize,
    /// Noisy copies made of each message (the first 7 with one kind of noise each, the rest with 2–4 kinds).
    #[arg(long, default_value_t = 20)]
    pub clusters_copies: usize,
    /// Use each line's `expected` as its true group and cluster the texts as they are, without
    /// generated noise (for files of real re-posts such as eann/queries.jsonl).
    #[arg(long)]
    pub clusters_real: bool,
}

/// Shortest message (normalized characters) taken into the measurement.
const MIN_CHARS: usize = 15;

fn read_messages(path: &Path) -> Result<Vec<(String, Option<String>)>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let v: serde_json::Value =
            serde_json::from_str(line).with_context(|| format!("{}:{}: invalid JSON line", path.display(), i + 1))?;
        let text = v["text"].as_str().or_else(|| v["variants"][0].as_str());
        let Some(text) = text else { continue };
        out.push((text.to_string(), v["expected"].as_str().map(str::to_string)));
    }
    Ok(out)
}

/// Character-pair overlap (shared / smaller set) at or above which two lines of the source are
/// taken for the same message: deliberately not the clustering's own measure.
const SAME_SOURCE: f64 = 0.5;

fn overlap(a: &HashSet<(char, char)>, b: &HashSet<(char, char)>) -> f64 {
    let shared = a.iter().filter(|x| b.contains(x)).count();
    shared as f64 / a.len().min(b.len()).max(1) as f64
}

fn shuffle<T>(items: &mut [T], rng: &mut Rng) {
    for i in (1..items.len()).rev() {
        items.swap(i, rng.below(i + 1));
    }
}

fn excerpt(text: &str) -> String {
    let one_line: String = text.chars().map(|c| if c.is_whitespace() { ' ' } else { c }).collect();
    let mut s: String = one_line.chars().take(48).collect();
    if one_line.chars().count() > 48 {
        s.push('…');
    }
    s
}

pub fn run(path: &Path, args: &ClustersArgs) -> Result<i32> {
    let lines = read_messages(path)?;
    // (true group, text); `originals[g]` is what group g stands for, for the report
    let mut messages: Vec<(usize, String)> = Vec::new();
    let mut originals: Vec<String> = Vec::new();
    if args.clusters_real {
        let mut groups: HashMap<String, usize> = HashMap::new();
        for (text, expected) in lines {
            let Some(expected) = expected else { continue };
            let next = groups.len();
            let g = *groups.entry(expected).or_insert(next);
            if g == originals.len() {
                originals.push(text.clone());
            }
            messages.push((g, text));
        }
        let mut rng = Rng::new(0x5eed_c105);
        shuffle(&mut messages, &mut rng);
    } else {
        // Sources hold re-posts of one rumor as separate lines: those are one group, not two.
        let mut picked: Vec<HashSet<(char, char)>> = Vec::new();
        let mut skipped = 0;
        for (text, _) in lines {
            let chars: Vec<char> = crate::text::normalize(&text).chars.into_iter().filter(|c| *c != ' ').collect();
            if chars.len() < MIN_CHARS {
                continue;
            }
            let bigrams: HashSet<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
            if picked.iter().any(|p| overlap(p, &bigrams) >= SAME_SOURCE) {
                skipped += 1;
                continue;
            }
            picked.push(bigrams);
            originals.push(text);
            if originals.len() == args.clusters_groups {
                break;
            }
        }
        println!("skipped {skipped} lines that repeat an earlier message (half its character pairs or more)");
        let mut rng = Rng::new(0x5eed_c105);
        for (g, text) in originals.iter().enumerate() {
            for j in 0..args.clusters_copies {
                let kinds = if j < Noise::ALL.len() { vec![Noise::ALL[j]] } else { noise::random_kinds(&mut rng) };
                messages.push((g, noise::apply(text, &kinds, &mut rng)));
            }
        }
        shuffle(&mut messages, &mut rng);
    }
    if messages.is_empty() {
        eprintln!("no messages to cluster in {}", path.display());
        return Ok(1);
    }
    crate::text::warm_up();

    let mut clusters = MemoryClusters::new();
    let started = Instant::now();
    let ids: Vec<i64> = messages.iter().map(|(_, text)| clusters.add(text)).collect();
    let ms = started.elapsed().as_secs_f64() * 1000.0 / messages.len() as f64;
    let truth: Vec<usize> = messages.iter().map(|(g, _)| *g).collect();
    let (purity, completeness) = purity_completeness(&truth, &ids);

    println!(
        "clusters: {} messages from {} groups ({}) in {}",
        messages.len(),
        originals.len(),
        if args.clusters_real { "real re-posts".to_string() } else { format!("{} noisy copies each", args.clusters_copies) },
        path.display()
    );
    println!("  purity        {purity:.4}  (share of messages in their cluster's majority group)");
    println!("  completeness  {completeness:.4}  (share of messages in their group's largest cluster)");
    println!("  clusters      {}  (true groups: {})", clusters.cluster_count(), originals.len());
    println!("  time          {ms:.3} ms per message");

    if messages.len() <= 5000 {
        separation(&messages);
    }

    // what went wrong, for whoever tunes: clusters holding several groups, groups split apart
    let mut groups_of: HashMap<i64, HashMap<usize, usize>> = HashMap::new();
    let mut clusters_of: HashMap<usize, HashMap<i64, usize>> = HashMap::new();
    for (g, c) in truth.iter().zip(&ids) {
        *groups_of.entry(*c).or_default().entry(*g).or_default() += 1;
        *clusters_of.entry(*g).or_default().entry(*c).or_default() += 1;
    }
    let mut mixed: Vec<(&i64, &HashMap<usize, usize>)> = groups_of.iter().filter(|(_, gs)| gs.len() > 1).collect();
    mixed.sort_by_key(|(c, gs)| (std::cmp::Reverse(gs.values().sum::<usize>()), **c));
    println!("  mixed clusters: {}", mixed.len());
    for (c, gs) in mixed.iter().take(8) {
        let mut gs: Vec<(&usize, &usize)> = gs.iter().collect();
        gs.sort_by_key(|(g, n)| (std::cmp::Reverse(**n), **g));
        println!("    cluster {c}:");
        for (g, n) in gs {
            println!("      {n:>4} × {}", excerpt(&originals[*g]));
        }
    }
    let mut split: Vec<(&usize, &HashMap<i64, usize>)> = clusters_of.iter().filter(|(_, cs)| cs.len() > 1).collect();
    split.sort_by_key(|(g, cs)| (std::cmp::Reverse(cs.len()), **g));
    println!("  split groups: {}", split.len());
    for (g, cs) in split.iter().take(5) {
        let mut sizes: Vec<usize> = cs.values().copied().collect();
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        println!("    {:?} {}", sizes, excerpt(&originals[**g]));
    }
    Ok(0)
}

/// How far apart the groups are: for each message, its best similarity to another message of its
/// group (what lets it join) and to a message of another group (what would mix clusters), and how
/// often its best partner of the same group shares a key (what lets the candidate lookup find it).
fn separation(messages: &[(usize, String)]) {
    let sketches: Vec<Sketch> = messages.iter().map(|(_, t)| Sketch::of(t)).collect();
    let mut within = Vec::with_capacity(messages.len());
    let mut across = Vec::with_capacity(messages.len());
    let (mut found, mut joinable) = (0usize, 0usize);
    for (i, a) in sketches.iter().enumerate() {
        let (mut w, mut x, mut w_at) = (0f32, 0f32, None);
        for (j, b) in sketches.iter().enumerate() {
            if i == j {
                continue;
            }
            let s = a.similarity(b);
            if messages[i].0 == messages[j].0 {
                if s > w || w_at.is_none() {
                    (w, w_at) = (s, Some(j));
                }
            } else {
                x = x.max(s);
            }
        }
        if let Some(j) = w_at
            && w >= SAME_MESSAGE
        {
            joinable += 1;
            if a.keys().iter().any(|k| sketches[j].keys().contains(k)) {
                found += 1;
            }
        }
        within.push(w);
        across.push(x);
    }
    let q = |v: &mut Vec<f32>, p: f64| {
        v.sort_by(f32::total_cmp);
        v[((v.len() - 1) as f64 * p).round() as usize]
    };
    println!(
        "  best same-group similarity  p1 {:.3}  p5 {:.3}  p50 {:.3};  found through the keys when at or above SAME_MESSAGE: {:.2}%",
        q(&mut within, 0.01),
        q(&mut within, 0.05),
        q(&mut within, 0.5),
        100.0 * found as f64 / joinable.max(1) as f64
    );
    println!(
        "  best other-group similarity p50 {:.3}  p95 {:.3}  p99 {:.3}  max {:.3};  at or above SAME_MESSAGE: {}",
        q(&mut across, 0.5),
        q(&mut across, 0.95),
        q(&mut across, 0.99),
        q(&mut across, 1.0),
        across.iter().filter(|s| **s >= SAME_MESSAGE).count()
    );
}
