//! The access log of the real `piyao serve`: one line per request with method, path (never the
//! query: it can hold a user's message), status, latency and request id; JSON lines with
//! `--log-format json`; no ANSI colour codes when stderr is a file. Before issue 10, `serve`
//! logged no request at all and coloured its file logs.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::helpers::{TestApp, bundled_corpus};

const SECRET: &str = "我家住在幸福路88号";

/// Start `piyao serve` on port 0 with stderr to a file; returns the child, its address, and the log.
fn serve(index: &std::path::Path, format: &str, log: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_piyao"))
        .args(["serve", "--bind", "127.0.0.1:0", "--log-format", format, "--corpus"])
        .arg(bundled_corpus())
        .arg("--index")
        .arg(index)
        .env_remove("PIYAO_WECHAT_TOKEN")
        .env("PIYAO_RECORD", "off")
        .stderr(std::fs::File::create(log).unwrap())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..600 {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(rest) = text.split("piyao listening on ").nth(1) {
            return (child, rest.lines().next().unwrap().trim().to_string());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("serve did not start: {}", std::fs::read_to_string(log).unwrap_or_default());
}

async fn requests(address: &str) -> Vec<String> {
    let app = TestApp { address: address.to_string(), index_dir: tempfile::tempdir().unwrap(), client: awc::Client::default() };
    let mut ids = Vec::new();
    for path in [format!("/check?text={}", piyao::links::url_encode(SECRET)), "/claims/nope".to_string(), "/healthz".to_string()] {
        ids.push(app.get(&path).await.header("x-request-id").unwrap().to_string());
    }
    ids
}

/// Serve, make the three requests, stop; the request ids.
async fn serve_and_request(index: &std::path::Path, format: &str, log: &std::path::Path) -> Vec<String> {
    let (mut child, address) = serve(index, format, log);
    let ids = requests(&address).await;
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    child.kill().unwrap();
    child.wait().unwrap();
    ids
}

fn lines_with(log: &std::path::Path, needle: &str) -> Vec<String> {
    let f = std::fs::File::open(log).unwrap();
    BufReader::new(f).lines().map_while(Result::ok).filter(|l| l.contains(needle)).collect()
}

#[actix_web::test]
async fn serve_logs_each_request_without_its_query_and_without_colour() {
    let index = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();

    let text_log = dir.path().join("text.log");
    let ids = serve_and_request(index.path(), "text", &text_log).await;
    let log = std::fs::read_to_string(&text_log).unwrap();
    assert!(!log.contains('\u{1b}'), "ANSI escape codes in a log file:\n{log}");
    assert!(!log.contains(SECRET) && !log.contains(&piyao::links::url_encode(SECRET)), "the message leaked into the log:\n{log}");
    for (id, (path, status)) in ids.iter().zip([("/check", 200), ("/claims/nope", 404), ("/healthz", 200)]) {
        let line = lines_with(&text_log, id).pop().unwrap_or_else(|| panic!("no log line for {path}:\n{log}"));
        assert!(line.contains("piyao::access") && line.contains("method=\"GET\""), "{line}");
        assert!(line.contains(&format!("path=\"{path}\"")) && line.contains(&format!("status={status}")), "{line}");
        assert!(line.contains("latency_ms="), "{line}");
    }

    let json_log = dir.path().join("json.log");
    let ids = serve_and_request(index.path(), "json", &json_log).await;
    let line = lines_with(&json_log, &ids[1]).pop().expect("a JSON access line");
    let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    assert_eq!(v["target"], "piyao::access");
    assert_eq!((v["method"].as_str(), v["path"].as_str(), v["status"].as_u64()), (Some("GET"), Some("/claims/nope"), Some(404)));
    assert_eq!(v["request_id"], ids[1].as_str());
    assert!(v["latency_ms"].as_f64().is_some());
    assert!(!std::fs::read_to_string(&json_log).unwrap().contains(SECRET));
}
