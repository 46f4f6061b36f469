//! The WeChat Official Account endpoint `/wechat`: URL verification, signed messages, passive
//! text replies for every kind of message, and the endpoint off without a token.

use sha1::{Digest, Sha1};

use crate::helpers::{Options, TestApp, spawn_app, spawn_app_with};

const RUMOR: &str = "从今晚8点开始全国清查，不删聊天记录封群封号，收到请转发";
const RUMOR_CLAIM: &str = "wechat-purge-notice-2022";
const UNRELATED: &str = "周末一起去公园放风筝吧，天气预报说是晴天";

const TOKEN: &str = "test-token";

async fn wechat_app() -> TestApp {
    spawn_app_with(Options { wechat_token: Some(TOKEN.into()), ..Options::default() }).await
}

/// `/wechat?…` signed as WeChat signs it, now: hex SHA-1 of token, timestamp and nonce, sorted.
fn signed(token: &str, extra: &str) -> String {
    signed_at(token, &now().to_string(), "nonce123", extra)
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

fn signed_at(token: &str, timestamp: &str, nonce: &str, extra: &str) -> String {
    let mut parts = [token, timestamp, nonce];
    parts.sort();
    let signature: String = Sha1::digest(parts.concat()).iter().map(|b| format!("{b:02x}")).collect();
    format!("/wechat?signature={signature}&timestamp={timestamp}&nonce={nonce}{extra}")
}

fn message(msg_type: &str, inner: &str) -> Vec<u8> {
    format!(
        "<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[openid]]></FromUserName>\
         <CreateTime>1700000000</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>{inner}<MsgId>123</MsgId></xml>"
    )
    .into_bytes()
}

fn text_message(content: &str) -> Vec<u8> {
    message("text", &format!("<Content><![CDATA[{content}]]></Content>"))
}

/// A passive text reply, read back: (ToUserName, FromUserName, CreateTime, MsgType, Content).
struct TextReply {
    to: String,
    from: String,
    create_time: u64,
    msg_type: String,
    content: String,
}

async fn post_wechat(app: &TestApp, body: Vec<u8>) -> TextReply {
    let r = app.post_raw(&signed(TOKEN, ""), Some("text/xml"), body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.content_type.contains("xml"), "{}", r.content_type);
    let xml = r.text();
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("reply is not XML ({e}): {xml}"));
    let field = |name: &str| -> String {
        let node = doc.root_element().children().find(|n| n.has_tag_name(name)).unwrap_or_else(|| panic!("no {name} in {xml}"));
        node.children().filter_map(|c| c.text()).collect()
    };
    TextReply {
        to: field("ToUserName"),
        from: field("FromUserName"),
        create_time: field("CreateTime").parse().unwrap(),
        msg_type: field("MsgType"),
        content: field("Content"),
    }
}

#[actix_web::test]
async fn wechat_url_verification_echoes_only_when_signed() {
    let app = wechat_app().await;
    let r = app.get(&signed(TOKEN, "&echostr=5923481923")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.content_type.starts_with("text/plain"), "{}", r.content_type);
    assert_eq!(r.text(), "5923481923");
    // the echoed text can never be sniffed into HTML
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));

    for path in [
        signed("wrong-token", "&echostr=5923481923"),
        // signed for another nonce
        signed_at(TOKEN, &now().to_string(), "nonce123", "&echostr=5923481923").replace("nonce=nonce123", "nonce=nonce124"),
        "/wechat?echostr=5923481923".to_string(),
        "/wechat".to_string(),
    ] {
        let r = app.get(&path).await;
        assert_eq!((r.status, r.error_code().as_str()), (403, "invalid_signature"), "{path}");
        assert!(!r.text().contains("5923481923"));
    }
}

#[actix_web::test]
async fn wechat_rumor_gets_a_verdict_reply() {
    let app = wechat_app().await;
    let before = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let reply = post_wechat(&app, text_message(RUMOR)).await;
    assert_eq!((reply.to.as_str(), reply.from.as_str()), ("openid", "gh_x"), "sender and recipient swapped");
    assert_eq!(reply.msg_type, "text");
    assert!(reply.create_time >= before, "CreateTime is now, not the message's: {}", reply.create_time);
    let c = &reply.content;
    assert!(c.starts_with("【谣言】"), "{c}");
    let title = app.get(&format!("/api/v1/claims/{RUMOR_CLAIM}")).await.json()["title"].as_str().unwrap().to_string();
    assert!(c.contains(&title), "{c}");
    assert!(c.ends_with(&format!("{}/claims/{RUMOR_CLAIM}", app.address)), "{c}");
    assert!(c.len() <= 2048, "{} bytes", c.len());
}

#[actix_web::test]
async fn wechat_unknown_message_is_not_in_the_database() {
    let app = wechat_app().await;
    let c = post_wechat(&app, text_message(UNRELATED)).await.content;
    assert!(c.starts_with("【未收录】"), "{c}");
    assert!(c.contains("未收录不等于属实"), "{c}");
}

#[actix_web::test]
async fn wechat_anything_but_usable_text_gets_a_polite_reply() {
    let app = wechat_app().await;
    // a picture from anywhere but WeChat's picture servers is not fetched (tests/api/images.rs reads real ones)
    let image =
        post_wechat(&app, message("image", "<PicUrl><![CDATA[http://example.org/a.jpg]]></PicUrl><MediaId><![CDATA[m]]></MediaId>")).await;
    assert!(image.content.contains("没能取到这张图片"), "{}", image.content);
    let voice = post_wechat(&app, message("voice", "<MediaId><![CDATA[m]]></MediaId><Format><![CDATA[amr]]></Format>")).await;
    assert!(voice.content.contains("只能核查文字和图片"), "{}", voice.content);
    let empty = post_wechat(&app, text_message("  ")).await;
    assert!(empty.content.contains("发给我"), "{}", empty.content);
    // (in Latin letters: 10,001 CJK characters would not fit the 16 KB body cap)
    let long = post_wechat(&app, text_message(&"y".repeat(10_001))).await;
    assert!(long.content.contains("10001") && long.content.contains("10000"), "{}", long.content);
    let subscribe = post_wechat(&app, message("event", "<Event><![CDATA[subscribe]]></Event>")).await;
    assert!(subscribe.content.contains("感谢关注"), "{}", subscribe.content);

    // events that expect no answer get WeChat's "success"
    let r = app.post_raw(&signed(TOKEN, ""), Some("text/xml"), message("event", "<Event><![CDATA[unsubscribe]]></Event>")).await;
    assert_eq!((r.status, r.text().as_str()), (200, "success"));
}

#[actix_web::test]
async fn wechat_refuses_unsigned_and_malformed_posts() {
    let app = wechat_app().await;
    for path in [signed("wrong-token", ""), "/wechat".to_string()] {
        let r = app.post_raw(&path, Some("text/xml"), text_message(RUMOR)).await;
        assert_eq!((r.status, r.error_code().as_str()), (403, "invalid_signature"), "{path}");
    }
    for body in [b"<xml><ToUserName>".to_vec(), b"not xml".to_vec(), vec![0xff, 0xfe], b"<xml><Content>hi</Content></xml>".to_vec()] {
        let r = app.post_raw(&signed(TOKEN, ""), Some("text/xml"), body).await;
        assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_xml"), "{}", r.text());
    }
    // the signature is checked before the body is parsed
    let r = app.post_raw(&signed("wrong-token", ""), Some("text/xml"), b"not xml".to_vec()).await;
    assert_eq!(r.status, 403);
}

#[actix_web::test]
async fn wechat_is_off_without_a_token() {
    let app = spawn_app().await;
    let r = app.get(&signed(TOKEN, "&echostr=1")).await;
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
    let r = app.post_raw(&signed(TOKEN, ""), Some("text/xml"), text_message(RUMOR)).await;
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
}

#[actix_web::test]
async fn wechat_refuses_replayed_and_oversized_requests() {
    let app = wechat_app().await;
    let now = now();
    // correctly signed, but sent too long ago, too far ahead, or with no usable time
    for timestamp in ["1000000000".to_string(), (now - 301).to_string(), (now + 301).to_string(), "garbage".into(), String::new()] {
        let r = app.post_raw(&signed_at(TOKEN, &timestamp, "n1", ""), Some("text/xml"), text_message(RUMOR)).await;
        assert_eq!((r.status, r.error_code().as_str()), (403, "stale_timestamp"), "timestamp {timestamp:?}: {}", r.text());
        let r = app.get(&signed_at(TOKEN, &timestamp, "n1", "&echostr=1")).await;
        assert_eq!(r.status, 403, "GET with timestamp {timestamp:?}");
    }
    // within the window it is accepted; an empty nonce is not a signature
    let r = app.post_raw(&signed_at(TOKEN, &(now - 200).to_string(), "n1", ""), Some("text/xml"), text_message(RUMOR)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = app.post_raw(&signed_at(TOKEN, &now.to_string(), "", ""), Some("text/xml"), text_message(RUMOR)).await;
    assert_eq!((r.status, r.error_code().as_str()), (403, "invalid_signature"));

    // a body over 16 KB is refused before parsing, as a JSON error like every other
    let attributes: String = (0..3000).map(|i| format!(" a{i}=\"x\"")).collect();
    let hostile = format!("<xml{attributes}><ToUserName>x</ToUserName></xml>").into_bytes();
    assert!(hostile.len() > 16 * 1024);
    let r = app.post_raw(&signed(TOKEN, ""), Some("text/xml"), hostile).await;
    assert_eq!((r.status, r.error_code().as_str()), (413, "payload_too_large"), "{}", r.text());
    let r = app.post_raw(&signed(TOKEN, ""), Some("text/xml"), text_message(&"谣".repeat(6000))).await;
    assert_eq!((r.status, r.error_code().as_str()), (413, "payload_too_large"));
    // and the endpoint still answers
    assert_eq!(post_wechat(&app, text_message(RUMOR)).await.msg_type, "text");
}

#[test]
fn serve_refuses_an_empty_wechat_token() {
    for (flag, env) in [(Some(""), None), (Some("   "), None), (None, Some(""))] {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_piyao"));
        cmd.args(["serve", "--bind", "127.0.0.1:0", "--index", "/nonexistent/piyao-index"]);
        if let Some(f) = flag {
            cmd.args(["--wechat-token", f]);
        }
        match env {
            Some(e) => cmd.env("PIYAO_WECHAT_TOKEN", e),
            None => cmd.env_remove("PIYAO_WECHAT_TOKEN"),
        };
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("WeChat token is empty"), "{stderr}");
    }
}
