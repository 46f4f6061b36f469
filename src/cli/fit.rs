//! `piyao fit`: fit the score's two-stage logistic model on evidence dumped by
//! `piyao eval --features`, and show, with two-fold cross-validation by claim, the accept and
//! false-accept curves and what each signal is worth. The printed coefficients are what
//! `matcher::FITTED` / `FITTED_STAGE2` hold; anyone can re-run this and get the same numbers.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::matcher::{Evidence, FEATURE_NAMES, FEATURES, MARGIN_CLAMP, Model, best_competitors, features};

/// Chance-match logits tried for the margin floor.
const FLOORS: [f32; 9] = [-8.0, -7.0, -6.0, -5.0, -4.0, -3.0, -2.0, -1.0, 0.0];

#[derive(Deserialize)]
struct Line {
    group: String,
    negative: bool,
    cands: Vec<Cand>,
}

#[derive(Deserialize)]
struct Cand {
    claim: String,
    right: bool,
    evidence: Evidence,
    /// Positions of the candidates this one competes with (see `matcher::competing`). Dumps
    /// written before this field existed: every candidate competes with every other.
    #[serde(default)]
    competes: Option<Vec<usize>>,
}

/// One query: its candidates, its fold, and its file's weight.
struct Query {
    file: usize,
    fold: usize,
    negative: bool,
    cands: Vec<Candidate>,
}

/// A candidate variant: its claim, features, whether it is right, whom it competes with.
struct Candidate {
    claim: String,
    x: [f32; FEATURES],
    right: bool,
    competes: Option<Vec<usize>>,
}

/// Hard negatives per query used in training (the best-scoring wrong candidates).
const HARD_NEGATIVES: usize = 5;
const L2: f32 = 1e-3;

fn read(paths: &[PathBuf]) -> Result<Vec<Query>> {
    let mut out = Vec::new();
    for (file, p) in paths.iter().enumerate() {
        let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
        for (i, l) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let line: Line = serde_json::from_str(l).with_context(|| format!("{}:{}", p.display(), i + 1))?;
            if line.cands.is_empty() {
                continue;
            }
            out.push(Query {
                file,
                fold: (crate::stable_hash::fnv1a(line.group.as_bytes()) % 2) as usize,
                negative: line.negative,
                cands: line
                    .cands
                    .into_iter()
                    .map(|c| Candidate { x: features(&c.evidence), claim: c.claim, right: c.right, competes: c.competes })
                    .collect(),
            });
        }
    }
    Ok(out)
}

/// Weighted, L2-regularised logistic regression by Newton's method (a handful of features, so
/// the Hessian is tiny and the fit converges exactly and deterministically).
// matrix code reads best with indices
#[allow(clippy::needless_range_loop)]
fn logistic(rows: &[(Vec<f32>, f32, f32)], init: Vec<f32>, frozen: &[bool]) -> Vec<f32> {
    let d = init.len();
    let mut w: Vec<f64> = init.iter().map(|&v| f64::from(v)).collect();
    let total: f64 = rows.iter().map(|r| f64::from(r.2)).sum::<f64>().max(1e-12);
    for _ in 0..30 {
        let mut grad = vec![0.0f64; d];
        let mut hess = vec![vec![0.0f64; d]; d];
        for (x, y, weight) in rows {
            let x: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
            let z: f64 = w.iter().zip(&x).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let wt = f64::from(*weight) / total;
            for a in 0..d {
                grad[a] += wt * (p - f64::from(*y)) * x[a];
                for b in 0..d {
                    hess[a][b] += wt * p * (1.0 - p) * x[a] * x[b];
                }
            }
        }
        for a in 1..d {
            grad[a] += f64::from(L2) * w[a];
            hess[a][a] += f64::from(L2);
        }
        for a in 0..d {
            if frozen[a] {
                grad[a] = 0.0;
                for b in 0..d {
                    hess[a][b] = 0.0;
                    hess[b][a] = 0.0;
                }
                hess[a][a] = 1.0;
            }
        }
        let step = solve(hess, grad);
        let mut biggest = 0.0f64;
        for a in 0..d {
            w[a] -= step[a];
            biggest = biggest.max(step[a].abs());
        }
        if biggest < 1e-6 {
            break;
        }
    }
    w.into_iter().map(|v| v as f32).collect()
}

/// Solve `a x = b` by Gaussian elimination with partial pivoting.
#[allow(clippy::needless_range_loop)]
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs())).unwrap_or(col);
        a.swap(col, pivot);
        b.swap(col, pivot);
        let p = a[col][col];
        if p.abs() < 1e-12 {
            continue;
        }
        for row in col + 1..n {
            let f = a[row][col] / p;
            for k in col..n {
                a[row][k] -= f * a[col][k];
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = if a[row][row].abs() < 1e-12 { 0.0 } else { (b[row] - s) / a[row][row] };
    }
    x
}

/// Per-query best logit per claim under stage one, best first: (logit, right?, candidate).
fn claim_logits(q: &Query, coef: &[f32]) -> Vec<(f32, bool, usize)> {
    let mut best: HashMap<&str, (f32, bool, usize)> = HashMap::new();
    for (k, c) in q.cands.iter().enumerate() {
        let z: f32 = coef.iter().zip(&c.x).map(|(a, b)| a * b).sum();
        let e = best.entry(c.claim.as_str()).or_insert((f32::MIN, false, k));
        if z > e.0 {
            *e = (z, c.right, k);
        }
    }
    let mut v: Vec<(f32, bool, usize)> = best.into_values().collect();
    v.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)));
    v
}

/// Do the best candidates of the `i`-th and `j`-th claims compete?
fn competes(q: &Query, z: &[(f32, bool, usize)], i: usize, j: usize) -> bool {
    q.cands[z[i].2].competes.as_ref().is_none_or(|c| c.contains(&z[j].2))
}

/// Stage-two inputs (1, logit, margin) of each claim of a query, with the margin taken exactly
/// as serving takes it (`matcher::best_competitors`).
fn stage2_inputs(q: &Query, coef: &[f32], floor: f32) -> Vec<([f32; 3], bool)> {
    let z = claim_logits(q, coef);
    let logits: Vec<f32> = z.iter().map(|c| c.0).collect();
    let others = best_competitors(&logits, floor, |i, j| competes(q, &z, i, j));
    z.iter()
        .zip(others)
        .map(|((zi, right, _), other)| {
            let other = other.map_or(floor, |o| o.max(floor));
            let m = (zi - other).clamp(-MARGIN_CLAMP, MARGIN_CLAMP);
            ([1.0, *zi, m], *right)
        })
        .collect()
}

/// Fit both stages. `mask` drops stage-one features; `margin` false drops the margin.
fn fit(queries: &[&Query], weights: &[f32], mask: &[bool; FEATURES], margin: bool, floor: f32) -> Model {
    let frozen: Vec<bool> = mask.iter().map(|k| !k).collect();
    let mut coef: Vec<f32> = vec![0.0; FEATURES];
    for _round in 0..2 {
        let mut rows = Vec::new();
        for q in queries {
            let wq = weights[q.file];
            let mut scored: Vec<(f32, &[f32; FEATURES], bool)> =
                q.cands.iter().map(|c| (coef.iter().zip(&c.x).map(|(a, b)| a * b).sum(), &c.x, c.right)).collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0));
            if let Some((_, x, _)) = scored.iter().find(|s| s.2) {
                rows.push((x.to_vec(), 1.0, wq));
            }
            for (_, x, _) in scored.iter().filter(|s| !s.2).take(HARD_NEGATIVES) {
                rows.push((x.to_vec(), 0.0, wq));
            }
        }
        coef = logistic(&rows, coef, &frozen);
    }
    let mut rows = Vec::new();
    for q in queries {
        for (x, right) in stage2_inputs(q, &coef, floor).into_iter().take(1 + HARD_NEGATIVES) {
            rows.push((x.to_vec(), if right { 1.0 } else { 0.0 }, weights[q.file]));
        }
    }
    let frozen2 = [false, false, !margin];
    let s2 = logistic(&rows, vec![0.0, 1.0, 0.0], &frozen2);
    let mut model = Model::default();
    model.coef.copy_from_slice(&coef);
    model.stage2.copy_from_slice(&s2);
    model.floor = floor;
    model
}

/// (top score, top right?, negative?, file) per query under a model.
fn outcomes(queries: &[&Query], model: &Model) -> Vec<(f32, bool, bool, usize)> {
    queries
        .iter()
        .map(|q| {
            let z = claim_logits(q, &model.coef);
            let logits: Vec<f32> = z.iter().map(|c| c.0).collect();
            let others = best_competitors(&logits, model.floor, |i, j| competes(q, &z, i, j));
            let (s, r) = z.first().map_or((0.0, false), |(z0, r, _)| (model.calibrate(*z0, others[0]), *r));
            (s, r, q.negative, q.file)
        })
        .collect()
}

/// accept, wrong-accept, false-accept at threshold t, over the outcomes of one file (or all).
fn rates(o: &[(f32, bool, bool, usize)], t: f32, file: Option<usize>) -> (f64, f64, f64, usize, usize) {
    let sel: Vec<_> = o.iter().filter(|x| file.is_none_or(|f| x.3 == f)).collect();
    let pos: Vec<_> = sel.iter().filter(|x| !x.2).collect();
    let neg: Vec<_> = sel.iter().filter(|x| x.2).collect();
    let np = pos.len().max(1) as f64;
    let a = pos.iter().filter(|x| x.0 >= t && x.1).count() as f64 / np;
    let w = pos.iter().filter(|x| x.0 >= t && !x.1).count() as f64 / np;
    let f = neg.iter().filter(|x| x.0 >= t).count() as f64 / neg.len().max(1) as f64;
    (a, w, f, pos.len(), neg.len())
}

/// Held-out outcomes: fit on one fold, score the other, both ways.
fn cross_validated(queries: &[Query], weights: &[f32], mask: &[bool; FEATURES], margin: bool, floor: f32) -> Vec<(f32, bool, bool, usize)> {
    let mut out = Vec::new();
    for fold in 0..2 {
        let train: Vec<&Query> = queries.iter().filter(|q| q.fold != fold).collect();
        let test: Vec<&Query> = queries.iter().filter(|q| q.fold == fold).collect();
        let m = fit(&train, weights, mask, margin, floor);
        out.extend(outcomes(&test, &m));
    }
    out
}

fn fmt(v: &[f32]) -> String {
    v.iter().map(|c| format!("{c:.3}")).collect::<Vec<_>>().join(", ")
}

#[derive(Debug, Clone, clap::Args)]
pub struct FitCommand {
    /// Feature files written by `piyao eval --features`.
    #[arg(long = "features", required = true)]
    pub features: Vec<PathBuf>,
    /// Score threshold for the per-signal comparison.
    #[arg(long, default_value_t = crate::matcher::SIMILAR)]
    pub threshold: f32,
}

pub fn run(c: &FitCommand) -> Result<i32> {
    let (paths, threshold) = (c.features.as_slice(), c.threshold);
    let queries = read(paths)?;
    // every file counts the same, however many queries it has
    let weights: Vec<f32> = (0..paths.len()).map(|f| 1.0 / queries.iter().filter(|q| q.file == f).count().max(1) as f32).collect();
    let all = [true; FEATURES];
    let everything: Vec<&Query> = queries.iter().collect();
    // the floor: the one whose held-out results are best (accept minus 5 x false-accept, every
    // file weighted the same)
    println!("margin floor (held-out, at score >= {threshold}): accept, false-accept averaged over files");
    let mut best = (f64::MIN, FLOORS[0]);
    for floor in FLOORS {
        let cv = cross_validated(&queries, &weights, &all, true, floor);
        let (mut a, mut f) = (0.0, 0.0);
        for file in 0..paths.len() {
            let r = rates(&cv, threshold, Some(file));
            a += r.0 / paths.len() as f64;
            f += r.2 / paths.len() as f64;
        }
        println!("  floor {floor:>5.1}: accept {a:.4}  false-accept {f:.4}");
        if a - 5.0 * f > best.0 {
            best = (a - 5.0 * f, floor);
        }
    }
    let floor = best.1;
    let model = fit(&everything, &weights, &all, true, floor);
    println!("{} queries ({} negative) from {} file(s)", queries.len(), queries.iter().filter(|q| q.negative).count(), paths.len());
    println!("\nfitted on everything; stage one over ({}):", FEATURE_NAMES.join(", "));
    println!("pub const FITTED: [f32; FEATURES] = [{}];", fmt(&model.coef));
    println!("pub const FITTED_STAGE2: [f32; 3] = [{}];", fmt(&model.stage2));
    println!("pub const FITTED_FLOOR: f32 = {floor:.1};");

    let cv = cross_validated(&queries, &weights, &all, true, floor);
    println!("\ntwo-fold cross-validation by claim (held-out scores), per file: accept / wrong-accept / false-accept");
    for (f, p) in paths.iter().enumerate() {
        let (_, _, _, np, nn) = rates(&cv, 0.5, Some(f));
        println!("\n{} ({np} queries, {nn} negatives)", p.display());
        println!("threshold  accept  wrong-accept  false-accept");
        for step in 2..=19 {
            let t = step as f32 * 0.05;
            let (a, w, fa, _, _) = rates(&cv, t, Some(f));
            println!("{t:>9.2}  {a:.4}  {w:>12.4}  {fa:>12.4}");
        }
    }

    println!("\nwhat each signal is worth (held-out, all files pooled, at score >= {threshold}):");
    println!("{:<14} accept  wrong-accept  false-accept", "without");
    let (a, w, f, _, _) = rates(&cv, threshold, None);
    println!("{:<14} {a:.4}  {w:>12.4}  {f:>12.4}", "(nothing)");
    for k in 1..FEATURES {
        let mut mask = all;
        mask[k] = false;
        let (a, w, f, _, _) = rates(&cross_validated(&queries, &weights, &mask, true, floor), threshold, None);
        println!("{:<14} {a:.4}  {w:>12.4}  {f:>12.4}", FEATURE_NAMES[k]);
    }
    let (a, w, f, _, _) = rates(&cross_validated(&queries, &weights, &all, false, floor), threshold, None);
    println!("{:<14} {a:.4}  {w:>12.4}  {f:>12.4}", "margin");
    Ok(0)
}
