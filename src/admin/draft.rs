//! "Draft a debunk": a claim TOML skeleton made from a cluster, for an editor to complete with
//! what is true and its sources, and commit to `corpus/claims/` (the corpus files stay the
//! source of truth; `piyao reindex` stays the only writer of the index). Facts are never
//! guessed: the skeleton leaves `title`, `summary` and the sources empty.

use std::collections::HashMap;

use crate::engine::Engine;
use crate::store::ClusterDetail;

/// Variants copied into the draft at most.
const MAX_DRAFT_VARIANTS: usize = 8;

/// Categories whose claims' keywords the text contains, most votes first (at most 3).
pub fn guess_categories(engine: Option<&Engine>, detail: &ClusterDetail) -> Vec<String> {
    let Some(engine) = engine else { return vec![] };
    let text: String = detail.variants.iter().map(|v| v.text.as_str()).chain([detail.summary.representative.as_str()]).collect();
    let mut votes: HashMap<String, usize> = HashMap::new();
    if let Some(category) = detail.summary.related_claim.as_deref().and_then(|id| engine.claim(id)).and_then(|c| c.category) {
        *votes.entry(category.as_str().to_string()).or_default() += 3;
    }
    for claim in &engine.corpus().claims {
        let Some(category) = claim.category else { continue };
        let hits = claim.keywords.iter().filter(|k| k.chars().count() >= 2 && text.contains(k.as_str())).count();
        if hits > 0 {
            *votes.entry(category.as_str().to_string()).or_default() += hits;
        }
    }
    let mut ranked: Vec<(String, usize)> = votes.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.into_iter().take(3).map(|(c, _)| c).collect()
}

/// A TOML string literal.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The claim skeleton for a cluster; `today` is `YYYY-MM-DD`.
pub fn skeleton(detail: &ClusterDetail, categories: &[String], today: &str) -> String {
    let s = &detail.summary;
    let category = categories.first().map_or("", String::as_str);
    let id_prefix = if category.is_empty() { "draft" } else { category };
    let id = format!("{id_prefix}-{}-{}", today.replace('-', ""), s.id);
    let mut variants: Vec<&str> = vec![s.representative.as_str()];
    for v in &detail.variants {
        if variants.len() >= MAX_DRAFT_VARIANTS {
            break;
        }
        if !variants.contains(&v.text.as_str()) {
            variants.push(&v.text);
        }
    }
    let mut out = String::new();
    out.push_str(&format!(
        "# 草稿：由编辑后台根据问题簇 #{} 生成（{today}；被问 {} 次）。\n\
         # 补全标题、事实和来源（只写核实过的网址、日期和条文），保存为 corpus/claims/{id}.toml，\n\
         # 提交后运行 `piyao reindex`。文本中的个人信息已打码。\n",
        s.id, s.count
    ));
    out.push_str(&format!("id = {}\n", quoted(&id)));
    out.push_str("title = \"\"  # 一句话：说法？结论（如：……？不实）\n");
    out.push_str("rating = \"false\"  # false | misleading | true | unproven\n");
    let others = categories.iter().skip(1).map(String::as_str).collect::<Vec<_>>().join(", ");
    out.push_str(&format!(
        "category = {}  # 猜测{}\n",
        quoted(category),
        if others.is_empty() { String::new() } else { format!("；其次：{others}") }
    ));
    out.push_str("keywords = []\n");
    out.push_str("summary = \"\"  # 真实情况是什么，谁在何时辟谣\n");
    out.push_str("variants = [\n");
    for v in variants {
        out.push_str(&format!("  {},\n", quoted(v)));
    }
    out.push_str("]\n\n[[sources]]\npublisher = \"\"\ntitle = \"\"\nurl = \"\"\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ClusterStatus, ClusterSummary, Variant};

    fn detail() -> ClusterDetail {
        ClusterDetail {
            summary: ClusterSummary {
                id: 7,
                representative: "明天起全市停水三天，\"赶紧\"储水".into(),
                count: 12,
                first_seen_ms: 0,
                last_seen_ms: 0,
                surfaces: vec!["api".into()],
                status: ClusterStatus::Open,
                covered_by: None,
                related_claim: None,
            },
            variants: vec![
                Variant {
                    text: "明天起全市停水三天，\"赶紧\"储水".into(), fingerprint: "a".into(), count: 9, first_seen_ms: 0
                },
                Variant { text: "转发：明天起全市停水三天".into(), fingerprint: "b".into(), count: 3, first_seen_ms: 0 },
            ],
        }
    }

    #[test]
    fn the_skeleton_is_toml_with_the_variants_and_no_invented_facts() {
        let toml_text = skeleton(&detail(), &["disaster".into(), "policy".into()], "2026-11-27");
        let value: toml::Table = toml::from_str(&toml_text).expect("valid TOML");
        assert_eq!(value["id"].as_str(), Some("disaster-20261127-7"));
        assert_eq!(value["category"].as_str(), Some("disaster"));
        assert_eq!(value["title"].as_str(), Some(""));
        assert_eq!(value["summary"].as_str(), Some(""));
        let variants = value["variants"].as_array().unwrap();
        assert_eq!(variants.len(), 2);
        assert_eq!(variants[0].as_str(), Some("明天起全市停水三天，\"赶紧\"储水"));
        assert_eq!(value["sources"].as_array().unwrap()[0]["url"].as_str(), Some(""));
        assert!(toml_text.contains("其次：policy"));
    }
}
