//! `piyao check`: check one message from the command line (or stdin) against the local index.

use std::io::Read;

use anyhow::{Context, Result, bail};

use crate::config::{IndexArgs, OcrArgs};
use crate::engine::Engine;
use crate::index::IndexRoot;
use crate::input::{Limit, MessageText};
use crate::links::{self, Links};
use crate::reply::{Audience, Reply};

#[derive(Debug, Clone, clap::Args)]
pub struct CheckCommand {
    /// The message; read from stdin when absent.
    pub text: Option<String>,
    /// Check the text read from this screenshot or photo (PNG, JPEG, WebP, GIF) instead.
    #[arg(long, conflicts_with = "text")]
    pub image: Option<std::path::PathBuf>,
    /// Print exactly what `POST /api/v1/check` returns.
    #[arg(long)]
    pub json: bool,
    /// Number of matches, 1 to 20.
    #[arg(long)]
    pub limit: Option<i64>,
    #[command(flatten)]
    pub index: IndexArgs,
    #[command(flatten)]
    pub ocr: OcrArgs,
}

pub fn run(c: &CheckCommand) -> Result<i32> {
    let (json, limit, index) = (c.json, c.limit, &c.index);
    let mut read = None;
    let raw = match (c.text.clone(), &c.image) {
        (_, Some(path)) => match read_image(path, c)? {
            Ok(ocr) => {
                let text = ocr.text.clone();
                read = Some(ocr);
                text
            }
            Err(e) => {
                eprintln!("piyao check: {}: {e}", path.display());
                return Ok(2);
            }
        },
        (Some(t), None) => t,
        (None, None) => {
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
        match read {
            Some(ocr) => println!("{}", serde_json::to_string_pretty(&crate::response::ImageCheckResponse { check: r, ocr })?),
            None => println!("{}", serde_json::to_string_pretty(&r)?),
        }
        return Ok(0);
    }
    if let Some(ocr) = &read {
        println!("识别出的文字（{:.0} ms）：\n{}\n", ocr.took_ms, ocr.text);
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

/// Read a picture's text with Tesseract, as the server does.
fn read_image(path: &std::path::Path, c: &CheckCommand) -> Result<Result<crate::ocr::OcrText, crate::ocr::OcrError>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let ocr = crate::ocr::Ocr::start(c.ocr.settings());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the OCR runtime")?;
    Ok(runtime.block_on(ocr.read(bytes)))
}
