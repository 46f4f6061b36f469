//! `piyao check`: check one message from the command line (or stdin) against the local index.

use std::io::Read;

use anyhow::{Context, Result, bail};

use crate::config::IndexArgs;
use crate::engine::Engine;
use crate::index::IndexRoot;
use crate::input::{Limit, MessageText};
use crate::links::{self, Links};
use crate::reply::{Audience, Reply};

#[derive(Debug, Clone, clap::Args)]
pub struct CheckCommand {
    /// The message; read from stdin when absent.
    pub text: Option<String>,
    /// Print exactly what `POST /api/v1/check` returns.
    #[arg(long)]
    pub json: bool,
    /// Number of matches, 1 to 20.
    #[arg(long)]
    pub limit: Option<i64>,
    #[command(flatten)]
    pub index: IndexArgs,
}

pub fn run(c: &CheckCommand) -> Result<i32> {
    let (json, limit, index) = (c.json, c.limit, &c.index);
    let raw = match c.text.clone() {
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
    // the same words a WeChat user reads, then what a terminal has room for
    println!("{}", Reply::compose(&r, &Links::default(), Audience::Asker, None).text);
    println!("\nconfidence {:.2}", r.confidence);
    for m in &r.matches {
        println!("\n{} [{} · {:?} · {:.3}]  {}", m.title, m.label, m.level, m.score, links::claim_path(&m.claim_id));
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
