//! `piyao queue`: the editors' queue on the command line, for operators without a browser: the
//! most asked messages we have not debunked, read straight from the database.

use anyhow::{Result, bail};
use clap::Args;

use crate::admin::api::QueueParams;
use crate::config::{IndexArgs, RecordArgs};

#[derive(Debug, Clone, Args)]
pub struct QueueCommand {
    #[command(flatten)]
    pub index: IndexArgs,
    #[command(flatten)]
    pub record: RecordArgs,
    /// `count` (most asked first) or `recent`.
    #[arg(long, default_value = "count")]
    pub sort: String,
    /// `uncovered`, `covered`, `ignored` or `all`.
    #[arg(long, default_value = "uncovered")]
    pub status: String,
    /// Only clusters asked on this surface (`api`, `batch`, `web`, `wechat`, `api_image` …).
    #[arg(long)]
    pub surface: Option<String>,
    /// Only clusters asked on or after this day (YYYY-MM-DD, UTC).
    #[arg(long)]
    pub from: Option<String>,
    /// How many clusters to print (at most 50).
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Print JSON (one object per cluster, one per line) instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(c: &QueueCommand) -> Result<i32> {
    let params = QueueParams {
        sort: Some(c.sort.clone()),
        status: Some(c.status.clone()),
        surface: c.surface.clone(),
        from: c.from.clone(),
        ..QueueParams::default()
    };
    let query = params.query().map_err(anyhow::Error::msg)?;
    let location = c.record.location(&c.index.index);
    if let crate::store::Location::Sqlite(path) = &location
        && !path.exists()
    {
        bail!("no database at {} (checks are recorded there by `piyao serve`; see --database)", path.display());
    }
    let store = crate::store::open(&location)?;
    let clusters = store.queue(&query)?;
    if c.json {
        for cluster in clusters.iter().take(c.top) {
            println!("{}", serde_json::to_string(cluster)?);
        }
        return Ok(0);
    }
    if clusters.is_empty() {
        println!("no {} clusters in {}", c.status, location.describe());
        return Ok(0);
    }
    println!("{:>6}  {:>6}  {:<16}  {:<8}  message", "asked", "id", "last seen (UTC)", "status");
    for cl in clusters.iter().take(c.top) {
        let last = crate::api::rfc3339(cl.last_seen_ms);
        let text: String = cl.representative.split_whitespace().collect::<Vec<_>>().join(" ");
        println!(
            "{:>6}  {:>6}  {:<16}  {:<8}  {}",
            cl.count,
            cl.id,
            format!("{} {}", &last[..10], &last[11..16]),
            cl.status.as_str(),
            crate::reply::shorten_chars(&text, 60)
        );
    }
    Ok(0)
}
