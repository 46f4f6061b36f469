//! The yardstick for `piyao bench`: an actix-web server that parses the same check request as
//! `POST /api/v1/check` and answers a fixed JSON, doing no work. Throughput on a shared machine
//! means little alone; compared with this one in the same run it says what piyao's work costs
//! (README "Performance").
//!
//! `piyao-hello [ADDR]` (default `127.0.0.1:8099`).

use actix_web::{App, HttpResponse, HttpServer, web};
use serde::Deserialize;

#[derive(Deserialize)]
struct CheckRequest {
    text: String,
    #[allow(dead_code)]
    limit: Option<usize>,
}

async fn check(body: web::Json<CheckRequest>) -> HttpResponse {
    let chars = body.text.chars().count();
    HttpResponse::Ok().json(serde_json::json!({ "verdict": "unknown", "chars": chars }))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8099".to_string());
    eprintln!("piyao-hello listening on {addr}");
    HttpServer::new(|| App::new().app_data(web::JsonConfig::default().limit(64 * 1024)).route("/api/v1/check", web::post().to(check)))
        .bind(&addr)?
        .run()
        .await
}
