//! The checking service without HTTP: one index generation, its corpus and match tables, and
//! `check`, which every surface (API, web page, CLI, WeChat, eval) calls.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde::Serialize;

use crate::corpus::{Claim, Corpus, Regulation};
use crate::index::{IndexRoot, Snapshot};
use crate::input::{Limit, MessageText};
use crate::links;
use crate::matcher::{self, Analysed, Level, Model, VariantTable};
use crate::response::{ArticleRef, CheckResponse, Difference, Match, Segment, Verdict};

/// Variants fetched from the index before re-scoring. Re-scoring is the largest part of a check
/// and grows with this; 30 rather than 50 made checks ~25% faster and left every eval figure the
/// same or a little better (fewer chance candidates to compete with: README "Where the time
/// goes").
const CANDIDATES: usize = 30;

/// Hand the heap's free pages back to the operating system. glibc keeps what a load freed
/// (tokenizing every variant, parsing the corpus) mapped for later, which made the server's
/// resident memory its loading peak, more than twice what it holds; `malloc_trim` releases
/// every free page, also between live allocations.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own free lists; it is safe to call at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// A loaded index generation, ready to answer.
pub struct Engine {
    snapshot: Snapshot,
    table: VariantTable,
    claim_ix: HashMap<String, usize>,
    reg_ix: HashMap<String, usize>,
    model: Model,
    /// Assertion cover a decisive match needs (0: not checked); see `matcher::ASSERTION_MIN`.
    assertion_min: f32,
    /// Normalized title, summary, variants and keywords of each claim, for `/claims?q=`; built on
    /// the first search, not at load.
    search_texts: std::sync::OnceLock<Vec<String>>,
}

/// What `/healthz` reports.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IndexStats {
    pub generation: String,
    pub claims: usize,
    pub variants: usize,
    pub regulations: usize,
    pub bigram_terms: usize,
    pub word_terms: usize,
}

impl Engine {
    /// Open the live generation of `root`; `None` when there is no index yet.
    pub fn open(root: &IndexRoot) -> Result<Option<Engine>> {
        Ok(Snapshot::open(root)?.map(Engine::from_snapshot))
    }

    pub fn from_snapshot(snapshot: Snapshot) -> Engine {
        let table = snapshot.table().unwrap_or_else(|e| {
            tracing::warn!(generation = %snapshot.generation, "{e:#}; building the match table from the corpus instead");
            VariantTable::build(&snapshot.corpus)
        });
        release_freed_memory();
        let claim_ix = snapshot.corpus.claims.iter().enumerate().map(|(i, c)| (c.id.clone(), i)).collect();
        let reg_ix = snapshot.corpus.regulations.iter().enumerate().map(|(i, r)| (r.id.clone(), i)).collect();
        Engine {
            snapshot,
            table,
            claim_ix,
            reg_ix,
            model: Model::default(),
            assertion_min: matcher::ASSERTION_MIN,
            search_texts: std::sync::OnceLock::new(),
        }
    }

    /// Score with another model (for measuring in `piyao eval --model`).
    pub fn with_model(mut self, model: Model) -> Engine {
        self.model = model;
        self
    }

    /// Require another assertion cover of decisive matches (for measuring in `piyao eval
    /// --assertion-min`; 0 turns the check off).
    pub fn with_assertion_min(mut self, min: f32) -> Engine {
        self.assertion_min = min;
        self
    }

    pub fn generation(&self) -> &str {
        &self.snapshot.generation
    }

    pub fn corpus(&self) -> &Corpus {
        &self.snapshot.corpus
    }

    pub fn claim(&self, id: &str) -> Option<&Claim> {
        self.claim_ix.get(id).map(|&i| &self.snapshot.corpus.claims[i])
    }

    pub fn regulation(&self, id: &str) -> Option<&Regulation> {
        self.reg_ix.get(id).map(|&i| &self.snapshot.corpus.regulations[i])
    }

    /// Claims containing every word of `query`, compared after normalization on both sides (so
    /// Traditional, full-width and confusable characters find the same claims), in corpus order.
    pub fn search_claims(&self, query: &str) -> Vec<&Claim> {
        let mut terms: Vec<String> = crate::text::normalize(query).as_string().split_whitespace().map(str::to_string).collect();
        terms.sort_unstable();
        terms.dedup();
        let texts = self.search_texts.get_or_init(|| {
            self.corpus()
                .claims
                .iter()
                .map(|c| {
                    let fields = std::iter::once(&c.title).chain([&c.summary]).chain(&c.variants).chain(&c.keywords);
                    fields.map(|f| crate::text::normalize(f).as_string()).collect::<Vec<_>>().join(" ")
                })
                .collect()
        });
        self.corpus().claims.iter().zip(texts).filter(|(_, t)| terms.iter().all(|w| t.contains(w.as_str()))).map(|(c, _)| c).collect()
    }

    /// Claims that cite a regulation, in corpus order.
    pub fn claims_citing(&self, regulation: &str) -> Vec<&Claim> {
        self.corpus().claims.iter().filter(|c| c.regulations.iter().any(|r| r.regulation == regulation)).collect()
    }

    pub fn stats(&self) -> IndexStats {
        IndexStats {
            generation: self.snapshot.generation.clone(),
            claims: self.corpus().claims.len(),
            variants: self.table.variants.len(),
            regulations: self.corpus().regulations.len(),
            bigram_terms: self.table.grams.len(),
            word_terms: self.table.words.len(),
        }
    }

    /// The cited articles of a claim, resolved against the regulations.
    pub fn article_refs(&self, claim: &Claim) -> Vec<ArticleRef> {
        claim
            .regulations
            .iter()
            .filter_map(|r| {
                let reg = self.regulation(&r.regulation)?;
                let art = reg.article(&r.article)?;
                Some(ArticleRef {
                    regulation: reg.id.clone(),
                    title: reg.title.clone(),
                    article: art.number.clone(),
                    label: art.label.clone(),
                    text: art.text.clone(),
                    paraphrased: art.paraphrased,
                    formerly: art.formerly.clone(),
                    url: reg.url.clone(),
                    permalink: links::article_path(&reg.id, &art.anchor()),
                })
            })
            .collect()
    }

    /// Ranked claims for a message with their scores (for `check` and for `piyao eval`).
    pub fn rank(&self, text: &str) -> Result<(Analysed, Vec<matcher::Scored>)> {
        self.rank_timed(text, &mut Stages::default())
    }

    fn rank_timed(&self, text: &str, t: &mut Stages) -> Result<(Analysed, Vec<matcher::Scored>)> {
        let mut clock = Instant::now();
        let norm = crate::text::normalize(text);
        t.normalize += lap(&mut clock);
        let msg = Analysed::from_normalized(norm, &self.table);
        t.analyse += lap(&mut clock);
        let (grams, words) = matcher::query_terms(&msg, &self.table);
        let hits = self.snapshot.candidates(&grams, &words, CANDIDATES)?;
        let ids: Vec<u32> = hits.into_iter().map(|(v, _)| v).collect();
        t.candidates += lap(&mut clock);
        let ranked = matcher::rank(&msg, &ids, &self.table, &self.model);
        t.score += lap(&mut clock);
        Ok((msg, ranked))
    }

    /// Evidence for every candidate variant of a message, as (claim position, evidence, the
    /// positions of the candidates it competes with): for fitting the score offline (`piyao eval
    /// --features`, `piyao fit`).
    pub fn candidate_evidence(&self, text: &str) -> Result<Vec<(u32, matcher::Evidence, Vec<usize>)>> {
        let msg = Analysed::new(text, &self.table);
        let (grams, words) = matcher::query_terms(&msg, &self.table);
        let hits = self.snapshot.candidates(&grams, &words, CANDIDATES)?;
        let entries: Vec<&matcher::VariantEntry> = hits.iter().filter_map(|(v, _)| self.table.variants.get(*v as usize)).collect();
        let competing = matcher::competing(&msg, &entries);
        Ok(entries.iter().zip(competing).map(|(e, c)| (e.claim, matcher::evidence(&msg, e, &self.table), c)).collect())
    }

    /// What decided the top-ranked claim of a message (`rank`'s result), for `piyao eval
    /// --dump`: its evidence, calibrated score, stage-one logit and assertion cover.
    pub fn probe(&self, msg: &Analysed, ranked: &[matcher::Scored]) -> Option<serde_json::Value> {
        let top = ranked.first()?;
        let entry = &self.table.variants[top.variant as usize];
        let assertion = matcher::assertion_cover(entry.predicates(), &msg.compact, &self.table);
        Some(serde_json::json!({
            "claim": self.corpus().claims[top.claim as usize].id,
            "variant": entry.ordinal,
            "score": top.score,
            "logit": top.logit,
            "second_logit": ranked.get(1).map(|s| s.logit),
            "assertion": assertion,
            "evidence": top.evidence,
            "message_chars": msg.compact.chars().count(),
            "variant_chars": entry.norm.len(),
        }))
    }

    /// Check a message: verdict, matches (each with its stance and differences), segments.
    pub fn check(&self, text: &MessageText, limit: Limit) -> Result<CheckResponse> {
        self.check_timed(text, limit, &mut Stages::default())
    }

    /// The same, adding the time each stage took to `t` (for `piyao bench --in-process`).
    pub fn check_timed(&self, text: &MessageText, limit: Limit, t: &mut Stages) -> Result<CheckResponse> {
        let started = Instant::now();
        let (msg, ranked) = self.rank_timed(text.as_str(), t)?;
        let mut clock = Instant::now();
        let mut message_details = matcher::MessageDetails::new(&msg.norm.chars, &msg.compact);
        let shown: Vec<Assessed> =
            ranked.iter().filter(|s| s.level().is_some()).take(limit.get()).map(|s| self.assess(&msg, s, &mut message_details)).collect();
        t.assess += lap(&mut clock);

        let best = shown.iter().find(|a| a.level.decides());
        let verdict = best.map_or(Verdict::Unknown, |a| Verdict::from_rating(self.corpus().claims[a.scored.claim as usize].rating));
        let top_score = ranked.first().map_or(0.0, |s| s.score);
        let confidence = best.map_or(1.0 - top_score, |a| a.scored.score);
        let stance = best.map(|a| a.stance);

        let accepted: Vec<&Assessed> = shown.iter().filter(|a| a.level.decides()).collect();
        let entries: Vec<&[matcher::VariantEntry]> = accepted.iter().map(|a| self.table.siblings(a.scored.variant)).collect();
        let segments = matcher::segments(text.as_str(), &msg, &entries, &self.table)
            .into_iter()
            .map(|p| Segment {
                start: p.span.start,
                end: p.span.end,
                claim_id: p.claim.map(|k| self.corpus().claims[accepted[k].scored.claim as usize].id.clone()),
            })
            .collect();
        let matches: Vec<Match> = shown.iter().map(|a| self.to_match(&msg, a)).collect();
        t.respond += lap(&mut clock);

        Ok(CheckResponse {
            verdict,
            label: verdict.label().to_string(),
            confidence: round3(confidence),
            matches,
            stance,
            segments,
            took_ms: (started.elapsed().as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
            check_id: None,
        })
    }

    /// Stance of one match, and for a match whose score would decide the verdict, its changed
    /// details and assertion cover: conflicting details or a missing assertion cap it at
    /// `related`. Matches that are `related` by score cannot decide anything, so the
    /// part-of-speech work is spent only on the others; the message's own details are found
    /// once, and only as far as a claim needs them (`MessageDetails`).
    fn assess<'a>(&self, msg: &Analysed, s: &'a matcher::Scored, message_details: &mut matcher::MessageDetails) -> Assessed<'a> {
        let entry = &self.table.variants[s.variant as usize];
        let stance = matcher::stance(&msg.norm.chars, &matcher::covered(msg, entry), &entry.norm, &|| entry.predicates().to_vec());
        let mut level = s.level().unwrap_or(Level::Related);
        // a debunk that names the claim in its own words still answers "this is a debunk of X":
        // for a refuting message the score is enough (neither the claim's text nor its
        // predicates are needed), as the answer cannot read as 谣言
        let refutes_on_score = stance == matcher::Stance::Refutes && s.score >= matcher::SIMILAR;
        if level == Level::Related && refutes_on_score {
            level = Level::Similar;
        }
        if !level.decides() {
            return Assessed { scored: s, level, stance, conflicts: Vec::new() };
        }
        let conflicts = message_details.conflicts_with(&entry.norm, entry.details());
        let carries_assertion = refutes_on_score
            || self.assertion_min <= 0.0
            || matcher::assertion_cover(entry.predicates(), &msg.compact, &self.table) >= self.assertion_min;
        let level = if !conflicts.is_empty() || !carries_assertion {
            Level::Related
        } else if level == Level::Same && message_details.adds_to(&entry.norm) {
            Level::Similar
        } else {
            level
        };
        Assessed { scored: s, level, stance, conflicts }
    }

    fn to_match(&self, msg: &Analysed, a: &Assessed) -> Match {
        let s = a.scored;
        let claim = &self.corpus().claims[s.claim as usize];
        let entry = &self.table.variants[s.variant as usize];
        let matched_text = claim.variants.get(entry.ordinal as usize).cloned().unwrap_or_default();
        let differences = a
            .conflicts
            .iter()
            .map(|c| {
                let (start, end) = msg.norm.origin_span(c.start, c.end);
                Difference { kind: c.kind, claim: c.claim.clone(), message: c.message.clone(), start, end }
            })
            .collect();
        Match {
            claim_id: claim.id.clone(),
            title: claim.title.clone(),
            rating: claim.rating,
            label: claim.rating.label().to_string(),
            level: a.level,
            score: round3(s.score),
            matched_text,
            summary: claim.summary.clone(),
            explanation: claim.explanation.clone(),
            url: claim.primary_url().map(str::to_string),
            permalink: links::claim_path(&claim.id),
            category: claim.category.map(|c| c.as_str().to_string()),
            published: claim.published.clone(),
            sources: claim.sources.clone(),
            regulations: self.article_refs(claim),
            highlights: matcher::highlights(msg, entry),
            stance: a.stance,
            differences,
        }
    }
}

/// Time spent in each stage of a check, summed over checks (`Engine::check_timed`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Stages {
    /// `text::normalize`: invisibles, NFKC, Traditional → Simplified, folds, separators.
    pub normalize: Duration,
    /// Bigrams, jieba words and characters, looked up in the term tables.
    pub analyse: Duration,
    /// Choosing the query terms and the tantivy search for candidate variants.
    pub candidates: Duration,
    /// Evidence per candidate, the model, the margins against competing claims.
    pub score: Duration,
    /// Stance, changed details and assertion cover of the shown matches.
    pub assess: Duration,
    /// Segments, highlights and the response's matches (claim texts, sources, regulations).
    pub respond: Duration,
}

/// The time since `clock`, which restarts.
fn lap(clock: &mut Instant) -> Duration {
    let now = Instant::now();
    let d = now - *clock;
    *clock = now;
    d
}

/// A shown match after reading what the message does with it.
struct Assessed<'a> {
    scored: &'a matcher::Scored,
    /// The score's level, capped at `related` when key details conflict or the assertion is missing.
    level: Level,
    stance: matcher::Stance,
    conflicts: Vec<matcher::Conflict>,
}

fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}
