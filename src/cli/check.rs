//! `piyao check`: check one message from the command line (or stdin) against the local index.

use std::io::Read;

use anyhow::{Context, Result, bail};

use crate::config::IndexArgs;
use crate::engine::Engine;
use crate::index::IndexRoot;
use crate::message::{Limit, MessageText};

pub fn run(text: Option<String>, json: bool, limit: Option<i64>, index: &IndexArgs) -> Result<i32> {
    let raw = match text {
        Some(t) => t,
        None => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).context("reading the message from stdin")?;
            s
        }
    };
    let (text, limit) = match (MessageText::parse(&raw), Limit::parse(limit)) {
        (Ok(t), Ok(l)) => (t, l),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("piyao check: {e}");
            return Ok(2);
        }
    };
    let root = IndexRoot::new(&index.index);
    let Some(engine) = Engine::open(&root)? else {
        bail!("no index at {}: run `piyao reindex` first", root.path().display());
    };
    let r = engine.check(&text, limit)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(0);
    }
    println!("【{}】 confidence {:.2}", r.label, r.confidence);
    if r.matches.is_empty() {
        println!("未收录：辟谣库中没有相符的记录（这不代表属实）。");
    }
    for m in &r.matches {
        println!("\n{} [{} · {:?} · {:.3}]  /claims/{}", m.title, m.label, m.level, m.score, m.claim_id);
        println!("  真相：{}", m.summary);
        for s in &m.sources {
            println!("  来源：{} 《{}》 {} {}", s.publisher, s.title, s.date.as_deref().unwrap_or(""), s.url.as_deref().unwrap_or(""));
        }
        for a in &m.regulations {
            let former = a.formerly.as_deref().map(|f| format!("（原第{f}条）")).unwrap_or_default();
            println!("  法规：{} {}{}", a.title, a.label, former);
        }
    }
    Ok(0)
}
