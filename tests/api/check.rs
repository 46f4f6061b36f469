//! Checking messages through `POST /api/v1/check` and the web form.

use crate::helpers::spawn_app;

#[actix_web::test]
async fn retyped_notice_is_found_as_rumor_with_its_regulations() {
    let app = spawn_app().await;
    let msg = "转发：【紧急通知】从今晚8点开始，全国开始新一轮清查！！聊天纪录不删的一律封群封号😱😱，群主号、群员号一起封，永不解冻[捂脸] 收到请转发🙏";
    let r = app.check(msg).await;
    assert_eq!(r["verdict"], "false", "{r:#}");
    assert_eq!(r["label"], "谣言");
    let top = &r["matches"][0];
    assert_eq!(top["claim_id"], "wechat-purge-notice-2022");
    assert!(["same", "similar"].contains(&top["level"].as_str().unwrap()), "{top:#}");
    let regs: Vec<(String, String)> = top["regulations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["regulation"].as_str().unwrap().to_string(), a["article"].as_str().unwrap().to_string()))
        .collect();
    assert!(regs.contains(&("cybersecurity-law".into(), "13".into())), "{regs:?}");
    assert!(regs.contains(&("public-security-punishments-law".into(), "29".into())), "{regs:?}");
    let art = top["regulations"].as_array().unwrap().iter().find(|a| a["article"] == "13").unwrap();
    assert_eq!(art["label"], "第十三条");
    assert_eq!(art["formerly"], "12");
    assert!(!top["highlights"].as_array().unwrap().is_empty());
    let score = top["score"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&score));
    assert!(r["took_ms"].as_f64().unwrap() >= 0.0);
}

#[actix_web::test]
async fn traditional_and_full_width_forward_is_found() {
    let app = spawn_app().await;
    let r = app.check("從今晚８點開始全國清查，不刪聊天記錄封群封號，收到請轉發！").await;
    assert_eq!(r["verdict"], "false", "{r:#}");
    assert_eq!(r["matches"][0]["claim_id"], "wechat-purge-notice-2022");
}

#[actix_web::test]
async fn unrelated_message_is_unknown() {
    let app = spawn_app().await;
    for msg in [
        "周末一起去公园放风筝吧，天气预报说是晴天",
        "妈，我晚上加班不回来吃饭了，你们先吃",
        "The quarterly report is attached, please review by Friday.",
    ] {
        let r = app.check(msg).await;
        assert_eq!(r["verdict"], "unknown", "{msg}: {r:#}");
        assert_eq!(r["label"], "未收录");
        for m in r["matches"].as_array().unwrap() {
            assert_eq!(m["level"], "related", "{msg}: {m:#}");
        }
    }
}

#[actix_web::test]
async fn matches_are_sorted_and_limited() {
    let app = spawn_app().await;
    let body = serde_json::json!({"text": "群主要为群里所有言论负责，转发超过500次就要坐牢，清查封群封号", "limit": 2});
    let r = app.post_json("/api/v1/check", &body).await.json();
    let scores: Vec<f64> = r["matches"].as_array().unwrap().iter().map(|m| m["score"].as_f64().unwrap()).collect();
    assert!(scores.len() <= 2, "{scores:?}");
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[actix_web::test]
async fn web_form_shows_the_verdict() {
    let app = spawn_app().await;
    let page = app.post_form("/check", &[("text", "从今晚8点开始全国清查，不删聊天记录封群封号，收到请转发")]).await;
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"), "{}", page.content_type);
    let html = page.text();
    assert!(html.contains("谣言"), "{html}");
    assert!(html.contains("第十三条"), "{html}");

    let unknown = app.post_form("/check", &[("text", "周末一起去公园放风筝吧，天气预报说是晴天")]).await.text();
    assert!(unknown.contains("未收录"), "{unknown}");
    assert!(unknown.contains("未收录 ≠ 属实"), "{unknown}");
}

#[actix_web::test]
async fn cli_check_json_prints_the_api_response() {
    let app = spawn_app().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_piyao"))
        .args(["check", "--json", "从今晚8点开始全国清查，不删聊天记录封群封号"])
        .arg("--index")
        .arg(app.index_dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let api = app.check("从今晚8点开始全国清查，不删聊天记录封群封号").await;
    let strip = |mut v: serde_json::Value| {
        v.as_object_mut().unwrap().remove("took_ms");
        v
    };
    assert_eq!(strip(cli), strip(api));
}

#[actix_web::test]
async fn cli_check_rejects_bad_input_clearly() {
    let app = spawn_app().await;
    let run = |args: &[&str], stdin: &str| {
        use std::io::Write;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_piyao"))
            .args(args)
            .arg("--index")
            .arg(app.index_dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let empty = run(&["check"], "  \n ");
    assert_eq!(empty.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("`text` is empty"));
    let long = run(&["check"], &"谣".repeat(10_001));
    assert_eq!(long.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&long.stderr).contains("at most 10000"));
    let limit = run(&["check", "--limit", "0", "清查封号"], "");
    assert_eq!(limit.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&limit.stderr).contains("`limit` must be between 1 and 20"));
    // from stdin, human-readable
    let ok = run(&["check"], "从今晚8点开始全国清查，不删聊天记录封群封号");
    assert!(ok.status.success());
    assert!(String::from_utf8_lossy(&ok.stdout).contains("【谣言】"));
    let missing = std::process::Command::new(env!("CARGO_BIN_EXE_piyao"))
        .args(["check", "x", "--index", "/nonexistent/piyao-index"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("run `piyao reindex` first"));
}

#[test]
fn cli_eval_reports_stance_and_names_a_bad_label_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let eval = |queries: &str| {
        let path = dir.path().join("queries.jsonl");
        std::fs::write(&path, queries).unwrap();
        std::process::Command::new(env!("CARGO_BIN_EXE_piyao"))
            .args(["eval", "--queries"])
            .arg(&path)
            .arg("--corpus")
            .arg(crate::helpers::bundled_corpus())
            .output()
            .unwrap()
    };
    let good = eval(concat!(
        r#"{"text": "【辟谣】网传“从今晚开始全国清查微信群，不删聊天记录封群封号”系谣言，请勿转发！", "expected": "wechat-purge-notice-2022", "stance": "refutes"}"#,
        "\n",
        r#"{"text": "从今晚9点开始全国清查，不删聊天记录封群封号", "expected": "wechat-purge-notice-2022", "differences": [{"kind": "date", "claim": "8点", "message": "9点"}]}"#,
        "\n"
    ));
    let stdout = String::from_utf8_lossy(&good.stdout);
    assert!(good.status.success(), "{}", String::from_utf8_lossy(&good.stderr));
    assert!(stdout.contains("stance refutes: 1 texts; called a rumor 0.0000"), "{stdout}");
    assert!(stdout.contains("changed details: 1 texts"), "{stdout}");

    let bad = eval(concat!(r#"{"text": "清查封号", "expected": "x"}"#, "\n", r#"{"text": "清查封号", "stance": "agrees"}"#, "\n"));
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("queries.jsonl:2: invalid query line") && stderr.contains("agrees"), "{stderr}");
}
