//! Reading the corpus from disk: claim TOML files, regulation TOML files and bulk JSONL, with
//! every problem reported as `path:line: message` so an operator can fix all of them in one go.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::model::{Article, Category, Claim, Corpus, Rating, Regulation, RegulationRef, Source};
use super::validate::{Checker, Locator, Origin, StyleRule};

/// One problem found in the corpus, pointing at a file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path, self.line, self.message)
    }
}

/// A corpus that passed every check, with the warnings found on the way.
#[derive(Debug)]
pub struct Loaded {
    pub corpus: Corpus,
    pub warnings: Vec<Diagnostic>,
}

/// What went wrong, every error at once (warnings are kept so they can be shown too).
#[derive(Debug)]
pub struct LoadErrors {
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

#[derive(Deserialize)]
struct RawClaim {
    id: Option<String>,
    title: Option<String>,
    rating: Option<String>,
    summary: Option<String>,
    explanation: Option<String>,
    category: Option<String>,
    keywords: Option<Vec<String>>,
    published: Option<String>,
    variants: Option<Vec<String>>,
    sources: Option<Vec<RawSource>>,
    regulations: Option<Vec<RawRef>>,
    #[serde(flatten)]
    extra: BTreeMap<String, IgnoredAny>,
}

#[derive(Deserialize)]
struct RawSource {
    publisher: Option<String>,
    title: Option<String>,
    url: Option<String>,
    date: Option<String>,
    #[serde(flatten)]
    extra: BTreeMap<String, IgnoredAny>,
}

#[derive(Deserialize)]
struct RawRef {
    regulation: Option<String>,
    article: Option<StringOrNumber>,
}

/// Article numbers may be written `13` or `"13"`.
#[derive(Deserialize)]
#[serde(untagged)]
enum StringOrNumber {
    S(String),
    N(i64),
}

impl StringOrNumber {
    fn into_string(self) -> String {
        match self {
            StringOrNumber::S(s) => s.trim().to_string(),
            StringOrNumber::N(n) => n.to_string(),
        }
    }
}

#[derive(Deserialize)]
struct RawRegulation {
    id: Option<String>,
    title: Option<String>,
    short_title: Option<String>,
    issuer: Option<String>,
    effective: Option<String>,
    amended: Option<String>,
    note: Option<String>,
    url: Option<String>,
    articles: Option<Vec<RawArticle>>,
    #[serde(flatten)]
    extra: BTreeMap<String, IgnoredAny>,
}

#[derive(Deserialize)]
struct RawArticle {
    number: Option<StringOrNumber>,
    label: Option<String>,
    formerly: Option<StringOrNumber>,
    text: Option<String>,
    paraphrased: Option<bool>,
    checked: Option<String>,
    #[serde(flatten)]
    extra: BTreeMap<String, IgnoredAny>,
}

/// Where a claim came from, kept until the cross-file checks are done.
struct ClaimSite {
    loc: Locator,
    /// Lines of each regulation reference: its `regulation` and its `article`.
    ref_lines: Vec<(usize, usize)>,
    variant_lines: Vec<usize>,
}

/// Load and validate a corpus from folders and/or single files (`.toml` claim, `.jsonl` bulk).
///
/// A folder contributes `claims/*.toml`, `regulations/*.toml` and every `*.jsonl` below it.
pub fn load(paths: &[PathBuf]) -> Result<Loaded, LoadErrors> {
    let mut ck = Checker::default();
    let mut claims: Vec<(Claim, ClaimSite)> = Vec::new();
    let mut regulations: Vec<(Regulation, Locator)> = Vec::new();
    let mut seen_any_file = false;

    for root in paths {
        let files = match discover(root) {
            Ok(files) => files,
            Err(message) => {
                ck.error_at(&root.display().to_string(), 0, message);
                continue;
            }
        };
        for (kind, path) in files {
            seen_any_file = true;
            let display = path.display().to_string();
            let text = match std::fs::read(&path) {
                Err(e) => {
                    ck.error_at(&display, 0, format!("cannot read file: {e}"));
                    continue;
                }
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(t) => t,
                    Err(e) => {
                        let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()].iter().filter(|&&b| b == b'\n').count();
                        ck.error_at(&display, line, "not UTF-8 text (is this a binary file?)".into());
                        continue;
                    }
                },
            };
            match kind {
                FileKind::ClaimToml => {
                    if let Some(c) = parse_toml_claim(&mut ck, &display, &path, text) {
                        claims.push(c);
                    }
                }
                FileKind::RegulationToml => {
                    if let Some(r) = parse_toml_regulation(&mut ck, &display, text) {
                        regulations.push(r);
                    }
                }
                FileKind::Jsonl => parse_jsonl(&mut ck, &display, &text, &mut claims),
            }
        }
    }
    if !seen_any_file && ck.errors.is_empty() {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        ck.error_at(&names.join(", "), 0, "no claim files found (expected claims/*.toml or *.jsonl)".into());
    }

    cross_check(&mut ck, &mut claims, &regulations);
    ck.finish_style();

    if !ck.errors.is_empty() {
        return Err(LoadErrors { errors: ck.errors, warnings: ck.warnings });
    }
    Ok(Loaded {
        corpus: Corpus {
            claims: claims.into_iter().map(|(c, _)| c).collect(),
            regulations: regulations.into_iter().map(|(r, _)| r).collect(),
        },
        warnings: ck.warnings,
    })
}

#[derive(Clone, Copy)]
enum FileKind {
    ClaimToml,
    RegulationToml,
    Jsonl,
}

/// The corpus files under `root`, in a stable order.
fn discover(root: &Path) -> Result<Vec<(FileKind, PathBuf)>, String> {
    let meta = std::fs::metadata(root).map_err(|e| format!("cannot open corpus path: {e}"))?;
    if meta.is_file() {
        return match root.extension().and_then(|e| e.to_str()) {
            Some("jsonl") => Ok(vec![(FileKind::Jsonl, root.to_path_buf())]),
            Some("toml") => Ok(vec![(FileKind::ClaimToml, root.to_path_buf())]),
            _ => Err("a corpus file must end in .jsonl (bulk claims) or .toml (one claim)".into()),
        };
    }
    let mut out = Vec::new();
    for (sub, kind) in [("claims", FileKind::ClaimToml), ("regulations", FileKind::RegulationToml)] {
        let dir = root.join(sub);
        if dir.is_dir() {
            for p in sorted_entries(&dir)? {
                if p.extension().is_some_and(|e| e == "toml") {
                    out.push((kind, p));
                }
            }
        }
    }
    // folders already walked, by their real path: a symlink back up the tree is a loop
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let real = std::fs::canonicalize(&dir).map_err(|e| format!("{}: cannot resolve folder: {e}", dir.display()))?;
        if !seen.insert(real.clone()) {
            return Err(format!(
                "{}: reached twice (a symlink loop, or a second link to {}): remove the link",
                dir.display(),
                real.display()
            ));
        }
        for p in sorted_entries(&dir)?.into_iter().rev() {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if p.is_dir() && !name.starts_with('.') {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "jsonl") {
                out.push((FileKind::Jsonl, p));
            }
        }
    }
    Ok(out)
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let rd = std::fs::read_dir(dir).map_err(|e| format!("{}: cannot list folder: {e}", dir.display()))?;
    let mut v: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    v.sort();
    Ok(v)
}

/// Parse a TOML file, reporting a syntax or type error at its line.
fn parse_toml<T: serde::de::DeserializeOwned>(ck: &mut Checker, display: &str, text: &str) -> Option<T> {
    match toml::from_str(text) {
        Ok(r) => Some(r),
        Err(e) => {
            let line = e.span().map(|s| 1 + text[..s.start.min(text.len())].matches('\n').count()).unwrap_or(1);
            ck.error_at(display, line, format!("invalid TOML: {}", e.message()));
            None
        }
    }
}

fn parse_toml_claim(ck: &mut Checker, display: &str, path: &Path, text: String) -> Option<(Claim, ClaimSite)> {
    let raw: RawClaim = parse_toml(ck, display, &text)?;
    let loc = Locator::toml(display, text);
    let claim = claim_from_raw(ck, Origin::Curated, loc, raw)?;
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if claim.0.id != stem {
        let line = claim.1.loc.key_line("id", None);
        ck.error(&claim.1.loc, line, format!("id `{}` does not match the file name `{stem}.toml`", claim.0.id));
    }
    Some(claim)
}

fn parse_jsonl(ck: &mut Checker, display: &str, text: &str, claims: &mut Vec<(Claim, ClaimSite)>) {
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<RawClaim>(line) {
            Ok(raw) => {
                if let Some(c) = claim_from_raw(ck, Origin::Bulk, Locator::line(display, line_no), raw) {
                    claims.push(c);
                }
            }
            Err(e) => ck.error_at(display, line_no, format!("invalid JSON (column {}): {e}", e.column())),
        }
    }
}

fn claim_from_raw(ck: &mut Checker, origin: Origin, loc: Locator, raw: RawClaim) -> Option<(Claim, ClaimSite)> {
    let before = ck.errors.len();
    ck.unknown_fields(&loc, None, &raw.extra);
    let id = ck.required(&loc, None, "id", raw.id);
    if let Some(id) = &id {
        ck.slug(&loc, None, "id", id);
    }
    let title = ck.required(&loc, None, "title", raw.title);
    let summary = ck.required(&loc, None, "summary", raw.summary);
    let rating = ck.required(&loc, None, "rating", raw.rating).and_then(|r| {
        let parsed = Rating::parse(&r);
        if parsed.is_none() {
            let line = loc.key_line("rating", None);
            ck.error(&loc, line, format!("rating `{r}` is not one of false, misleading, true, unproven"));
        }
        parsed
    });
    let category = raw.category.and_then(|c| {
        let parsed = Category::parse(&c);
        if parsed.is_none() {
            let names: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
            let line = loc.key_line("category", None);
            ck.error(&loc, line, format!("category `{c}` is not one of {}", names.join(", ")));
        }
        parsed
    });
    if let Some(d) = &raw.published {
        ck.date(&loc, None, "published", d);
    }
    if category.is_none() && ck.errors.len() == before {
        let msg = format!("no `category`: give one of {}", Category::ALL.map(|c| c.as_str()).join(", "));
        ck.style(origin, StyleRule::NoCategory, &loc, loc.key_line("category", None), msg);
    }
    let keywords: Vec<String> = raw.keywords.unwrap_or_default().into_iter().map(|k| k.trim().to_string()).collect();
    if keywords.iter().any(|k| k.is_empty()) {
        ck.error(&loc, loc.key_line("keywords", None), "keywords must not be empty strings".into());
    } else if keywords.len() < 3 {
        let msg = format!("{} keywords: give 3 to 8 distinctive words of the rumor", keywords.len());
        ck.style(origin, StyleRule::FewKeywords, &loc, loc.key_line("keywords", None), msg);
    }

    let variants = ck.required(&loc, None, "variants", raw.variants).unwrap_or_default();
    let mut variant_lines = Vec::with_capacity(variants.len());
    if variants.is_empty() && ck.errors.len() == before {
        ck.error(&loc, loc.key_line("variants", None), "variants must list at least one text of the rumor".into());
    }
    for v in &variants {
        let line = loc.text_line(v, "variants");
        variant_lines.push(line);
        ck.variant(origin, &loc, line, v);
    }

    let raw_sources = raw.sources.unwrap_or_default();
    if raw_sources.is_empty() {
        ck.error(&loc, loc.key_line("sources", None), "a claim needs at least one source (publisher and title of the debunk)".into());
    }
    let mut sources = Vec::with_capacity(raw_sources.len());
    for (n, s) in raw_sources.into_iter().enumerate() {
        let table = Some(("sources", n));
        ck.unknown_fields(&loc, table, &s.extra);
        let publisher = ck.required(&loc, table, "publisher", s.publisher);
        let title = ck.required(&loc, table, "title", s.title);
        if let Some(u) = &s.url {
            ck.url(&loc, table, u);
        }
        if let Some(d) = &s.date {
            ck.date(&loc, table, "date", d);
        }
        if let (Some(publisher), Some(title)) = (publisher, title) {
            sources.push(Source { publisher, title, url: s.url, date: s.date });
        }
    }

    if let Some(p) = &raw.published
        && !sources.iter().any(|s| s.date.as_deref() == Some(p.as_str()))
    {
        let msg = format!("`published` = `{p}` is not the `date` of any source: it is the date the earliest cited debunk shows");
        ck.style(origin, StyleRule::UnsourcedPublished, &loc, loc.key_line("published", None), msg);
    }

    let mut regulations = Vec::new();
    let mut ref_lines = Vec::new();
    for (n, r) in raw.regulations.unwrap_or_default().into_iter().enumerate() {
        let table = Some(("regulations", n));
        let regulation = ck.required(&loc, table, "regulation", r.regulation);
        let article = ck.required(&loc, table, "article", r.article.map(StringOrNumber::into_string));
        if let (Some(regulation), Some(article)) = (regulation, article) {
            ref_lines.push((loc.key_line("regulation", table), loc.key_line("article", table)));
            regulations.push(RegulationRef { regulation, article });
        }
    }

    if ck.errors.len() > before {
        return None;
    }
    let claim = Claim {
        id: id?,
        title: title?,
        rating: rating?,
        summary: summary?,
        explanation: raw.explanation.filter(|e| !e.trim().is_empty()),
        category,
        keywords,
        published: raw.published,
        variants,
        sources,
        regulations,
    };
    Some((claim, ClaimSite { loc, ref_lines, variant_lines }))
}

fn parse_toml_regulation(ck: &mut Checker, display: &str, text: String) -> Option<(Regulation, Locator)> {
    let raw: RawRegulation = parse_toml(ck, display, &text)?;
    let loc = Locator::toml(display, text);
    let before = ck.errors.len();
    ck.unknown_fields(&loc, None, &raw.extra);
    let id = ck.required(&loc, None, "id", raw.id);
    if let Some(id) = &id {
        ck.slug(&loc, None, "id", id);
    }
    let title = ck.required(&loc, None, "title", raw.title);
    let issuer = ck.required(&loc, None, "issuer", raw.issuer);
    let effective = ck.required(&loc, None, "effective", raw.effective);
    if let Some(d) = &effective {
        ck.date(&loc, None, "effective", d);
    }
    if let Some(d) = &raw.amended {
        ck.date(&loc, None, "amended", d);
    }
    if let Some(u) = &raw.url {
        ck.url(&loc, None, u);
    }
    let raw_articles = ck.required(&loc, None, "articles", raw.articles).unwrap_or_default();
    let mut articles: Vec<Article> = Vec::new();
    for (n, a) in raw_articles.into_iter().enumerate() {
        let table = Some(("articles", n));
        ck.unknown_fields(&loc, table, &a.extra);
        let number = ck.required(&loc, table, "number", a.number.map(StringOrNumber::into_string));
        let label = ck.required(&loc, table, "label", a.label);
        let text = ck.required(&loc, table, "text", a.text);
        let formerly = a.formerly.map(StringOrNumber::into_string);
        for num in number.iter().chain(formerly.iter()) {
            ck.article_number(&loc, table, num);
        }
        if let Some(num) = &number
            && articles.iter().any(|x| &x.number == num)
        {
            ck.error(&loc, loc.key_line("number", table), format!("article {num} is listed twice"));
        }
        if let (Some(number), Some(label), Some(text)) = (number, label, text) {
            articles.push(Article { number, label, formerly, text, paraphrased: a.paraphrased.unwrap_or(false), checked: a.checked });
        }
    }
    if ck.errors.len() > before {
        return None;
    }
    let reg = Regulation {
        id: id?,
        title: title?,
        short_title: raw.short_title,
        issuer: issuer?,
        effective: effective?,
        amended: raw.amended,
        note: raw.note,
        url: raw.url,
        articles,
    };
    Some((reg, loc))
}

/// Checks that need the whole corpus: unique ids, resolvable references, repeated variants.
fn cross_check(ck: &mut Checker, claims: &mut [(Claim, ClaimSite)], regulations: &[(Regulation, Locator)]) {
    let mut reg_ids: HashMap<&str, &(Regulation, Locator)> = HashMap::new();
    for r in regulations {
        if let Some(first) = reg_ids.get(r.0.id.as_str()) {
            let line = r.1.key_line("id", None);
            let msg = format!("duplicate regulation id `{}` (first in {})", r.0.id, first.1.path);
            ck.error(&r.1, line, msg);
        } else {
            reg_ids.insert(&r.0.id, r);
        }
    }

    let mut claim_ids: HashMap<String, String> = HashMap::new();
    let mut variant_owner: HashMap<String, String> = HashMap::new();
    for (claim, site) in claims.iter_mut() {
        let here = format!("{}:{}", site.loc.path, site.loc.key_line("id", None));
        if let Some(first) = claim_ids.get(&claim.id) {
            let msg = format!("duplicate claim id `{}` (first at {first})", claim.id);
            ck.error(&site.loc, site.loc.key_line("id", None), msg);
        } else {
            claim_ids.insert(claim.id.clone(), here);
        }

        for (r, (reg_line, line)) in claim.regulations.iter_mut().zip(&site.ref_lines) {
            let Some((reg, _)) = reg_ids.get(r.regulation.as_str()) else {
                ck.error(
                    &site.loc,
                    *reg_line,
                    format!("unknown regulation `{}` (no corpus/regulations/{}.toml)", r.regulation, r.regulation),
                );
                continue;
            };
            if reg.article(&r.article).is_some() {
                continue;
            }
            match reg.articles.iter().find(|a| a.formerly.as_deref() == Some(r.article.as_str())) {
                Some(current) => {
                    let msg = format!(
                        "{} article {} was renumbered; cite article {} (the number in force today)",
                        r.regulation, r.article, current.number
                    );
                    ck.warn(&site.loc, *line, msg);
                    r.article = current.number.clone();
                }
                None => {
                    let known: Vec<&str> = reg.articles.iter().map(|a| a.number.as_str()).collect();
                    let msg = format!("regulation `{}` has no article {} (it lists {})", r.regulation, r.article, known.join(", "));
                    ck.error(&site.loc, *line, msg);
                }
            }
        }

        for (v, line) in claim.variants.iter().zip(&site.variant_lines) {
            let key = crate::text::normalize(v).as_string();
            match variant_owner.get(&key) {
                Some(owner) if owner != &claim.id => {
                    ck.warn(&site.loc, *line, format!("this variant also belongs to claim `{owner}`"));
                }
                _ => {
                    variant_owner.insert(key, claim.id.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLAIM: &str = r#"id = "purge"
title = "全国清查微信群？谣言"
rating = "false"
category = "platform"
keywords = ["清查", "封群", "封号"]
summary = "不存在这样的行动。"
variants = ["从今晚8点开始全国清查，不删聊天记录封群封号"]

[[sources]]
publisher = "快科技"
title = "网传“清查微信群”：群主、群员一起封 永不解冻？官方辟谣"
date = "2022-07-18"
"#;

    /// A corpus folder with the given files (path relative to it, contents).
    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    fn errors(files: &[(&str, &str)]) -> Vec<String> {
        let dir = folder(files);
        let e = load(&[dir.path().to_path_buf()]).expect_err("the corpus is broken");
        e.errors
            .iter()
            .map(|d| format!("{}:{}: {}", Path::new(&d.path).file_name().unwrap().to_string_lossy(), d.line, d.message))
            .collect()
    }

    #[test]
    fn loads_claim_files_and_jsonl_in_one_corpus() {
        let jsonl = r#"{"id": "jail", "title": "转发500次坐牢？", "rating": "misleading", "summary": "s", "variants": ["转发超过500次就要坐牢"], "sources": [{"publisher": "p", "title": "t"}]}"#;
        let dir = folder(&[("claims/purge.toml", CLAIM), ("bulk.jsonl", jsonl)]);
        let loaded = load(&[dir.path().to_path_buf()]).expect("valid corpus");
        let ids: Vec<&str> = loaded.corpus.claims.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids.len(), 2);
        assert!(ids.contains(&"purge") && ids.contains(&"jail"), "{ids:?}");
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let broken = CLAIM.replace(r#"rating = "false""#, r#"rating = "fake""#);
        let e = errors(&[("claims/purge.toml", &broken)]);
        assert!(e.iter().any(|m| m.starts_with("purge.toml:3:") && m.contains("fake")), "{e:?}");

        let e = errors(&[("claims/purge.toml", "id = \"x\"\ntitle = \n")]);
        assert!(e.iter().any(|m| m.starts_with("purge.toml:2:")), "{e:?}");
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let dup = CLAIM.to_string();
        let no_source = CLAIM.split("[[sources]]").next().unwrap().replace(r#"id = "purge""#, r#"id = "other""#);
        let e = errors(&[("claims/a.toml", CLAIM), ("claims/b.toml", &dup), ("claims/c.toml", &no_source)]);
        assert!(e.iter().any(|m| m.contains("purge") && m.contains("duplicate")), "{e:?}");
        assert!(e.iter().any(|m| m.starts_with("c.toml:")), "{e:?}");
    }

    #[test]
    fn style_rules_are_errors_for_curated_claims_and_warnings_in_bulk() {
        let curated = CLAIM
            .replace("keywords = [\"清查\", \"封群\", \"封号\"]\n", "")
            .replace("category = \"platform\"\n", "")
            .replace("summary", "published = \"2020-01-01\"\nsummary")
            .replace("variants = [\"从今晚8点开始全国清查，不删聊天记录封群封号\"]", "variants = [\"北京封城了\", \"网传封群封号系谣言\"]");
        let e = errors(&[("claims/purge.toml", &curated)]);
        for expected in
            ["no `category`", "0 keywords", "is too short to match reliably", "contains `谣言`", "is not the `date` of any source"]
        {
            assert!(e.iter().any(|m| m.contains(expected)), "{expected}: {e:?}");
        }
        // the same claims in a bulk file load, with one warning per rule and file beyond three
        let line = |i: usize, v: &str| {
            format!(
                r#"{{"id": "c{i}", "title": "t", "rating": "false", "summary": "s", "variants": ["{v}"], "sources": [{{"publisher": "p", "title": "t"}}]}}"#
            )
        };
        let bulk: Vec<String> = (0..5).map(|i| line(i, "北京封城了")).collect();
        let dir = folder(&[("bulk.jsonl", &bulk.join("\n"))]);
        let loaded = load(&[dir.path().to_path_buf()]).expect("bulk style problems are warnings");
        assert_eq!(loaded.corpus.claims.len(), 5);
        let short: Vec<&Diagnostic> = loaded.warnings.iter().filter(|w| w.message.contains("is short (")).collect();
        assert_eq!(short.len(), 3, "{:?}", loaded.warnings);
        assert!(
            loaded.warnings.iter().any(|w| w.message == "5 claims in this file have variants shorter than 6 characters (3 shown above)")
        );
        // structure stays an error everywhere: a variant with nothing to match
        let dir = folder(&[("bulk.jsonl", &line(0, "！！！"))]);
        assert!(load(&[dir.path().to_path_buf()]).is_err());
    }
}
