//! Image checks: a real screenshot read by the real Tesseract (`POST /api/v1/check/image`, as a
//! multipart form and as a raw body), every kind of bad picture refused with a clear 4xx while
//! the server keeps answering, the service without Tesseract, and WeChat picture messages
//! fetched from a local picture server through the allow-list.

use std::io::Cursor;
use std::path::Path;

use actix_web::{App, HttpResponse, HttpServer, web};
use image::{GrayImage, ImageEncoder, ImageFormat, Luma};
use serde_json::Value;
use sha1::{Digest, Sha1};

use crate::helpers::{Options, Reply, TestApp, spawn_app, spawn_app_with};

const RUMOR_CLAIM: &str = "wechat-purge-notice-2022";
const CHECK_IMAGE: &str = "/api/v1/check/image";
const BOUNDARY: &str = "piyao-test-boundary";

fn screenshot() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images/wechat-purge-chat.png"))
        .expect("the fixture screenshot")
}

/// A multipart/form-data body with one file field.
fn multipart(field: &str, bytes: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"shot.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn post_multipart(app: &TestApp, path: &str, field: &str, bytes: &[u8]) -> Reply {
    app.post_raw(path, Some(&format!("multipart/form-data; boundary={BOUNDARY}")), multipart(field, bytes)).await
}

fn png(img: &GrayImage) -> Vec<u8> {
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Default, FilterType::NoFilter)
        .write_image(img.as_raw(), img.width(), img.height(), image::ExtendedColorType::L8)
        .unwrap();
    out
}

fn animated_gif() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut out);
        for shade in [0u8, 255] {
            let frame = image::RgbaImage::from_pixel(40, 40, image::Rgba([shade, shade, shade, 255]));
            encoder.encode_frame(image::Frame::new(frame)).unwrap();
        }
    }
    out
}

#[actix_web::test]
async fn a_screenshot_is_read_and_its_rumor_found() {
    let app = spawn_app().await;
    let shot = screenshot();
    for reply in [post_multipart(&app, CHECK_IMAGE, "image", &shot).await, app.post_raw(CHECK_IMAGE, Some("image/png"), shot.clone()).await]
    {
        assert_eq!(reply.status, 200, "{}", reply.text());
        let r = reply.json();
        assert_eq!(r["verdict"], "false", "{r}");
        assert_eq!(r["matches"][0]["claim_id"], RUMOR_CLAIM, "{r}");
        let text = r["ocr"]["text"].as_str().unwrap();
        assert!(text.contains("全国清查") && text.contains("封群封号"), "{text}");
        // chat chrome is not part of the message: the clock, the battery, the group's title
        assert!(!text.contains("9:41") && !text.contains("87%") && !text.contains("(58)"), "{text}");
        assert!(!r["ocr"]["lines"].as_array().unwrap().is_empty());
        assert!(r["ocr"]["took_ms"].as_f64().unwrap() > 0.0);
        // highlights point into the recognised text
        let h = &r["matches"][0]["highlights"][0];
        assert!(h["end"].as_u64().unwrap() <= text.chars().count() as u64, "{h}");
    }
    // the web form: the verdict page shows the picture inline and the text read from it
    let page = post_multipart(&app, "/check/image", "image", &shot).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    assert!(html.contains("<img src=\"data:image/png;base64,") && html.contains("谣言") && html.contains("<mark>"), "{html}");
    let limited = app.post_raw(&format!("{CHECK_IMAGE}?limit=1"), Some("image/png"), shot).await;
    assert_eq!(limited.json()["matches"].as_array().unwrap().len(), 1);
    let bad_limit = app.post_raw(&format!("{CHECK_IMAGE}?limit=abc"), Some("image/png"), b"x".to_vec()).await;
    assert_eq!((bad_limit.status, bad_limit.error_code()), (400, "invalid_query".to_string()));
}

#[actix_web::test]
async fn bad_pictures_get_a_clear_4xx_and_the_server_keeps_answering() {
    let app = spawn_app().await;
    let shot = screenshot();
    let mut truncated = shot.clone();
    truncated.truncate(shot.len() / 3);
    // 100 million white pixels: a few hundred kilobytes that would take 100 MB to decode
    let bomb = png(&GrayImage::from_pixel(10_000, 10_000, Luma([255])));
    assert!(bomb.len() < 5 << 20, "the bomb is small: {}", bomb.len());
    let blank = png(&GrayImage::from_pixel(800, 600, Luma([255])));
    let mut jpeg = Vec::new();
    GrayImage::from_pixel(64, 64, Luma([128])).write_to(&mut Cursor::new(&mut jpeg), ImageFormat::Jpeg).unwrap();

    let cases: Vec<(&str, Vec<u8>, u16, &str, &str)> = vec![
        ("truncated", truncated, 422, "corrupt_image", "truncated"),
        ("a text file", "从今晚8点开始全国清查".as_bytes().to_vec(), 415, "unsupported_image", "not an image"),
        ("a PDF", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj".to_vec(), 415, "unsupported_image", "PNG, JPEG, WebP or GIF"),
        ("a bomb", bomb, 413, "too_many_pixels", "10000×10000"),
        ("20 MB", vec![0x89; 20 << 20], 413, "image_too_large", "5242880"),
        ("zero bytes", Vec::new(), 400, "empty_image", "empty"),
        ("an animated GIF", animated_gif(), 422, "animated_image", "animated"),
        ("no text", blank, 422, "no_text_in_image", "no text"),
    ];
    for (what, bytes, status, code, says) in cases {
        for reply in
            [post_multipart(&app, CHECK_IMAGE, "image", &bytes).await, app.post_raw(CHECK_IMAGE, Some("image/png"), bytes.clone()).await]
        {
            assert_eq!((reply.status, reply.error_code()), (status, code.to_string()), "{what}: {}", reply.text());
            let message = reply.json()["error"]["message"].as_str().unwrap().to_string();
            assert!(message.contains(says), "{what}: {message}");
        }
        // the same refusal as a page on the web form
        let page = post_multipart(&app, "/check/image", "image", &bytes).await;
        assert_eq!(page.status, status, "{what}");
        assert!(page.content_type.starts_with("text/html") && page.text().contains(code), "{what}");
    }
    let no_field = post_multipart(&app, CHECK_IMAGE, "photo", &jpeg).await;
    assert_eq!((no_field.status, no_field.error_code()), (400, "empty_image".to_string()), "{}", no_field.text());
    assert!(no_field.text().contains("`image`"));
    let not_multipart = app.post_raw(CHECK_IMAGE, Some("text/plain"), jpeg.clone()).await;
    assert_eq!((not_multipart.status, not_multipart.error_code()), (415, "unsupported_media_type".to_string()));
    let garbled = app.post_raw(CHECK_IMAGE, Some(&format!("multipart/form-data; boundary={BOUNDARY}")), b"--nothing here".to_vec()).await;
    assert!([400, 415].contains(&garbled.status) && garbled.error_code() != "internal", "{}", garbled.text());

    // still answering, text and pictures
    assert_eq!(app.check("从今晚8点开始全国清查，不删聊天记录封群封号，收到请转发").await["verdict"], "false");
    let again = app.post_raw(CHECK_IMAGE, Some("image/png"), shot).await;
    assert_eq!(again.status, 200, "{}", again.text());
    let health: Value = app.get("/healthz").await.json();
    assert_eq!(health["ocr"]["enabled"], true, "{health}");
    // what became of the pictures, in /metrics: the screenshot read once, and each bad picture
    // that got as far as decoding (by the API twice, by the web form once) counted as unreadable
    let metrics = app.get("/metrics").await.text();
    let value = |series: &str| -> f64 {
        let line = metrics.lines().find(|l| l.starts_with(series)).unwrap_or_else(|| panic!("no {series} in\n{metrics}"));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    assert_eq!(value("piyao_ocr_enabled "), 1.0);
    assert_eq!(value("piyao_ocr_pictures_total{outcome=\"read\"}"), 1.0);
    assert!(value("piyao_ocr_pictures_total{outcome=\"unreadable\"}") >= 12.0, "{metrics}");
    assert_eq!(value("piyao_ocr_pictures_total{outcome=\"failed\"}"), 0.0);
    assert!(value("piyao_ocr_seconds_total ") > 0.0);
}

#[actix_web::test]
async fn without_tesseract_text_checks_work_and_pictures_say_what_to_install() {
    let app = spawn_app_with(Options {
        settings: |s| {
            let s = (Options::default().settings)(s);
            Settings { ocr: piyao::ocr::OcrSettings { program: "/nonexistent/tesseract".into(), ..s.ocr.clone() }, ..s }
        },
        ..Options::default()
    })
    .await;
    let health = app.get("/healthz").await.json();
    assert_eq!(health["ocr"]["enabled"], false, "{health}");
    assert!(health["ocr"]["detail"].as_str().unwrap().contains("tesseract-ocr-chi-sim"), "{health}");
    let r = app.post_raw(CHECK_IMAGE, Some("image/png"), screenshot()).await;
    assert_eq!((r.status, r.error_code()), (503, "ocr_unavailable".to_string()), "{}", r.text());
    assert!(r.text().contains("apt-get install tesseract-ocr"), "{}", r.text());
    assert_eq!(app.check("从今晚8点开始全国清查，不删聊天记录封群封号，收到请转发").await["verdict"], "false");
}

#[actix_web::test]
async fn cli_check_image_prints_what_was_read_and_the_api_response() {
    let app = spawn_app().await;
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images/wechat-purge-chat.png");
    let run = |args: &[&str], image: &Path, env: Option<(&str, &str)>| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_piyao"));
        cmd.args(["check", "--image"]).arg(image).args(args).arg("--index").arg(app.index_dir.path());
        if let Some((k, v)) = env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    let json = run(&["--json"], &fixture, None);
    assert!(json.status.success(), "{}", String::from_utf8_lossy(&json.stderr));
    let cli: Value = serde_json::from_slice(&json.stdout).unwrap();
    let api = app.post_raw(CHECK_IMAGE, Some("image/png"), screenshot()).await.json();
    assert_eq!(
        (&cli["verdict"], &cli["matches"][0]["claim_id"], &cli["ocr"]["text"]),
        (&api["verdict"], &api["matches"][0]["claim_id"], &api["ocr"]["text"])
    );
    let human = run(&[], &fixture, None);
    let out = String::from_utf8_lossy(&human.stdout);
    assert!(out.contains("识别出的文字") && out.contains("全国清查") && out.contains("【谣言】"), "{out}");

    let not_image = run(&[], &Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"), None);
    assert_eq!(not_image.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&not_image.stderr).contains("not an image"), "{}", String::from_utf8_lossy(&not_image.stderr));
    let no_ocr = run(&[], &fixture, Some(("PIYAO_TESSERACT", "/nonexistent/tesseract")));
    assert_eq!(no_ocr.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&no_ocr.stderr).contains("apt-get install tesseract-ocr"),
        "{}",
        String::from_utf8_lossy(&no_ocr.stderr)
    );
}

#[actix_web::test]
async fn pictures_beyond_the_queue_are_refused_with_retry_after() {
    // one picture read at a time and none waiting: of three sent at once, some must be refused
    let app = spawn_app_with(Options {
        settings: |s| {
            let s = (Options::default().settings)(s);
            Settings { ocr: piyao::ocr::OcrSettings { concurrency: 1, max_waiting: 0, ..s.ocr.clone() }, ..s }
        },
        ..Options::default()
    })
    .await;
    let shot = screenshot();
    let (a, b, c) = futures_util::join!(
        app.post_raw(CHECK_IMAGE, Some("image/png"), shot.clone()),
        app.post_raw(CHECK_IMAGE, Some("image/png"), shot.clone()),
        app.post_raw(CHECK_IMAGE, Some("image/png"), shot.clone()),
    );
    let busy: Vec<&Reply> = [&a, &b, &c].into_iter().filter(|r| r.status == 503).collect();
    assert!([&a, &b, &c].iter().any(|r| r.status == 200), "one is read: {} {} {}", a.status, b.status, c.status);
    assert!(!busy.is_empty(), "the others are refused: {} {} {}", a.status, b.status, c.status);
    for r in busy {
        assert_eq!(r.error_code(), "ocr_busy", "{}", r.text());
        assert_eq!(r.header("retry-after"), Some("2"));
    }
    // text checks do not wait for pictures, and the queue empties
    assert_eq!(app.check("从今晚8点开始全国清查，不删聊天记录封群封号，收到请转发").await["verdict"], "false");
    assert_eq!(app.post_raw(CHECK_IMAGE, Some("image/png"), shot).await.status, 200);
    assert!(app.get("/healthz").await.json()["refused"]["ocr_busy"].as_u64().unwrap() >= 1);
}

use piyao::server::Settings;

const TOKEN: &str = "test-token";

fn signed_wechat_path() -> String {
    let timestamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs().to_string();
    let mut parts = [TOKEN, timestamp.as_str(), "nonce1"];
    parts.sort();
    let signature: String = Sha1::digest(parts.concat()).iter().map(|b| format!("{b:02x}")).collect();
    format!("/wechat?signature={signature}&timestamp={timestamp}&nonce=nonce1")
}

fn picture_message(url: &str) -> Vec<u8> {
    format!(
        "<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[openid]]></FromUserName>\
         <CreateTime>1700000000</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[{url}]]></PicUrl>\
         <MediaId><![CDATA[m]]></MediaId><MsgId>123</MsgId></xml>"
    )
    .into_bytes()
}

/// A local stand-in for WeChat's picture server: the screenshot at `/pic.png`, a redirect away
/// at `/moved`, 6 MB at `/huge.png`, a 404 elsewhere.
fn picture_server() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(|| {
        App::new().route("/pic.png", web::get().to(|| async { HttpResponse::Ok().content_type("image/png").body(screenshot()) })).route(
            "/moved",
            web::get().to(|| async { HttpResponse::Found().insert_header(("location", "http://example.org/x.png")).finish() }),
        )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    actix_web::rt::spawn(server);
    port
}

async fn wechat_reply(app: &TestApp, url: &str) -> String {
    let r = app.post_raw(&signed_wechat_path(), Some("text/xml"), picture_message(url)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let xml = r.text();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let content = doc.root_element().children().find(|n| n.has_tag_name("Content")).unwrap_or_else(|| panic!("no Content in {xml}"));
    content.children().filter_map(|c| c.text()).collect()
}

#[actix_web::test]
async fn wechat_pictures_are_fetched_from_allowed_hosts_read_and_checked() {
    let port = picture_server();
    let app = spawn_app_with(Options {
        wechat_token: Some(TOKEN.into()),
        settings: |s| Settings { picture_hosts: piyao::wechat::PictureHosts::parse("127.0.0.1"), ..(Options::default().settings)(s) },
        ..Options::default()
    })
    .await;
    let verdict = wechat_reply(&app, &format!("http://127.0.0.1:{port}/pic.png")).await;
    assert!(verdict.contains("图片中识别出的文字") && verdict.contains("谣言"), "{verdict}");
    // not on the allow-list (the same server by another name), a redirect, a missing picture
    for url in
        [format!("http://localhost:{port}/pic.png"), format!("http://127.0.0.1:{port}/moved"), format!("http://127.0.0.1:{port}/gone.png")]
    {
        let reply = wechat_reply(&app, &url).await;
        assert!(reply.contains("没能取到这张图片"), "{url}: {reply}");
    }
}
