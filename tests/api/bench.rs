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
