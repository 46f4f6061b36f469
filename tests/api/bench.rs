//! `piyao bench`, the real binary: over HTTP against the real app, and in process on its index
//! with the time of each stage.

use std::path::Path;
use std::process::{Command, Output};

use crate::helpers::spawn_app;

/// Run `piyao bench ARGS` off the test's runtime, which keeps serving the app meanwhile.
async fn bench(args: Vec<String>) -> Output {
    actix_web::rt::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_piyao")).arg("bench").args(args).env_remove("PIYAO_INDEX").output().expect("piyao runs")
    })
    .await
    .expect("bench task")
}

fn queries() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reworded.jsonl").display().to_string()
}

#[actix_web::test]
async fn bench_measures_over_http_and_in_process() {
    let app = spawn_app().await;
    let args = |more: &[&str]| -> Vec<String> { ["--queries", &queries()].iter().chain(more).map(|s| s.to_string()).collect() };

    let out = bench(args(&["--url", &app.address, "--requests", "30", "--concurrency", "2"])).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("30 checks (0 failed) over 2 connections"), "{stdout}");
    assert!(stdout.contains("checks/s") && stdout.contains("p90"), "{stdout}");

    let index = app.index_dir.path().display().to_string();
    let out = bench(args(&["--in-process", "--index", &index, "--requests", "40"])).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("40 checks in process"), "{stdout}");
    for stage in ["normalize", "analyse", "candidates", "score", "assess", "respond", "json"] {
        assert!(stdout.lines().any(|l| l.starts_with(stage) && l.contains('%')), "no {stage} row: {stdout}");
    }

    // no index there: say what to do
    let empty = tempfile::tempdir().unwrap();
    let out = bench(args(&["--in-process", "--index", &empty.path().display().to_string()])).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("piyao reindex"), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Run `piyao ARGS` and give (success, stdout, stderr).
fn piyao(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_piyao")).args(args).env_remove("PIYAO_INDEX").output().expect("piyao runs");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn synth_writes_a_corpus_reindex_accepts_and_names_what_is_wrong_with_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("synth.jsonl");
    let out_s = out.display().to_string();

    // a file that is not there, a line that is not JSON, too little material: clear errors, no corpus
    let missing = dir.path().join("nope.jsonl").display().to_string();
    let (ok, _, err) = piyao(&["synth", "--claims", "5", "--from", &missing, "--out", &out_s]);
    assert!(!ok && err.contains("nope.jsonl"), "{err}");
    let broken = dir.path().join("broken.jsonl");
    std::fs::write(&broken, "{\"text\": \"第一条足够长的真实消息文字内容\"}\n{\"text\": 不是 JSON\n").unwrap();
    let (ok, _, err) = piyao(&["synth", "--claims", "5", "--from", &broken.display().to_string(), "--out", &out_s]);
    assert!(!ok && err.contains("broken.jsonl:2") && err.contains("not JSON"), "{err}");
    let short = dir.path().join("short.jsonl");
    std::fs::write(&short, "{\"text\": \"只有一条足够长的真实消息文字内容\"}\n{\"text\": \"太短\"}\n").unwrap();
    let (ok, _, err) = piyao(&["synth", "--claims", "5", "--from", &short.display().to_string(), "--out", &out_s]);
    assert!(!ok && err.contains("at least two texts"), "{err}");
    assert!(!out.exists(), "nothing is written from bad input");

    // real texts: the corpus has the claims asked for, and reindex takes it
    let (ok, stdout, err) = piyao(&["synth", "--claims", "50", "--from", &queries(), "--out", &out_s]);
    assert!(ok && stdout.contains("wrote 50 synthetic claims"), "{stdout}{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 50);
    let index = dir.path().join("ix").display().to_string();
    let (ok, stdout, err) = piyao(&["reindex", "--corpus", &out_s, "--index", &index]);
    assert!(ok && stdout.contains("indexed 50 claims"), "{stdout}{err}");
}
