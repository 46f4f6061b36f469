//! `piyao eval --images`: rumors reach us as screenshots and photos as often as text, so this
//! renders the corpus variants the way they arrive (a chat screenshot, a red-header notice, a long
//! screenshot, a phone photo of a screen), reads them back with the OCR the service uses, and
//! measures Recall@1 and accept on what was read beside the same figures on the text itself.
//!
//! Rendering uses headless Chromium (several images per browser run, cut apart afterwards) and the
//! `image` crate for the photo's damage; both are deterministic, seeded by the variant, and the
//! images are kept in `--images-dir` so a second run only reads them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use image::{Rgb, RgbImage};
use indicatif::{ProgressBar, ProgressStyle};

use super::noise::Rng;
use super::{Outcome, Query};
use crate::engine::Engine;
use crate::ocr::{Ocr, OcrError, OcrSettings};
use crate::stable_hash::fnv1a;

/// Options of `piyao eval --images`.
#[derive(Debug, Clone, clap::Args)]
pub struct ImagesArgs {
    /// Render every corpus variant as images (chat screenshot, notice, long screenshot, phone
    /// photo), read them with OCR and compare Recall@1 and accept with the text's; the query
    /// options (--queries, --self-check, --noise, --curve) are not used then.
    #[arg(long)]
    pub images: bool,
    /// Only N variants, a fixed sample (the same N give the same variants on every machine).
    #[arg(long, value_name = "N")]
    pub images_sample: Option<usize>,
    /// Styles to render, comma-separated.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "chat,notice,long,photo")]
    pub images_styles: Vec<Style>,
    /// Folder where rendered images are kept and found again (default: a temporary folder).
    #[arg(long, value_name = "DIR")]
    pub images_dir: Option<PathBuf>,
    /// Headless Chromium, to render the images.
    #[arg(long, env = "PIYAO_CHROMIUM", default_value = "chromium")]
    pub chromium: PathBuf,
}

/// How a rumor looks when it arrives as a picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Style {
    /// A WeChat group screenshot: the rumor in one bubble.
    Chat,
    /// A notice page: red header and rule, body, date, a red round stamp.
    Notice,
    /// A long screenshot: the rumor split over 2–3 bubbles among other people's replies.
    Long,
    /// The chat screenshot photographed: smaller, rotated, blurred, uneven light, JPEG.
    Photo,
}

impl Style {
    const ALL: [Style; 4] = [Style::Chat, Style::Notice, Style::Long, Style::Photo];

    fn name(self) -> &'static str {
        match self {
            Style::Chat => "chat",
            Style::Notice => "notice",
            Style::Long => "long",
            Style::Photo => "photo",
        }
    }

    /// The part of `Recall@1` and accept on text that images must keep (the issue's bar).
    fn bar(self) -> (f64, f64) {
        match self {
            Style::Photo => (0.80, 0.80),
            _ => (0.95, 0.90),
        }
    }
}

/// A corpus variant to render, with the claim it must find.
struct Sample {
    claim: String,
    text: String,
}

impl Sample {
    /// Seeds the variant's choices (names, angle, light) so they differ between variants and
    /// never between runs.
    fn rng(&self, salt: &str) -> Rng {
        Rng::new(fnv1a(format!("{salt}\u{0}{}", self.text).as_bytes()))
    }
}

/// What OCR gave for one image.
enum Read {
    Text { text: String, lines: Vec<String> },
    NoText,
    Failed(String),
}

/// One image read and checked.
struct Row {
    style: Style,
    sample: usize,
    file: PathBuf,
    read: Read,
    ms: f64,
    outcome: Option<Outcome>,
}

pub fn run(engine: &Engine, args: &ImagesArgs, dump: Option<&Path>) -> Result<i32> {
    let samples = pick_samples(engine, args.images_sample);
    let styles: Vec<Style> = Style::ALL.into_iter().filter(|s| args.images_styles.contains(s)).collect();
    let temp = tempfile::tempdir().context("creating a temporary folder for images")?;
    let dir = match &args.images_dir {
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
            d.clone()
        }
        None => temp.path().to_path_buf(),
    };
    let settings = OcrSettings { concurrency: 2, ..OcrSettings::default() };
    let ocr = Ocr::start(settings.clone());
    if !ocr.status().enabled {
        bail!("OCR is off: {}", ocr.status().detail);
    }
    print_settings(engine, args, &samples, &styles, &dir);
    println!("ocr: {}; {} reads at once, timeout {} s", ocr.status().detail, settings.concurrency, settings.timeout.as_secs());

    let files = render_all(&args.chromium, &samples, &styles, &dir, temp.path())?;
    let mut rows = read_all(&ocr, &files)?;
    for row in &mut rows {
        if let Read::Text { text, .. } = &row.read {
            row.outcome = check(engine, text, &samples[row.sample].claim)?;
        }
    }
    let text: Vec<Option<Outcome>> = samples.iter().map(|s| check(engine, &s.text, &s.claim)).collect::<Result<_>>()?;
    report(&styles, &rows, &samples, &text);
    if let Some(path) = dump {
        write_dump(path, &samples, &rows)?;
    }
    Ok(0)
}

/// Every variant, or a fixed sample of them: the variants with the smallest hashes of their text.
fn pick_samples(engine: &Engine, sample: Option<usize>) -> Vec<Sample> {
    let mut all: Vec<Sample> =
        engine.corpus().claims.iter().flat_map(|c| c.variants.iter().map(|v| Sample { claim: c.id.clone(), text: v.clone() })).collect();
    if let Some(n) = sample {
        all.sort_by_key(|s| (fnv1a(s.text.as_bytes()), s.claim.clone()));
        all.truncate(n);
    }
    all
}

fn print_settings(engine: &Engine, args: &ImagesArgs, samples: &[Sample], styles: &[Style], dir: &Path) {
    let total = engine.corpus().claims.iter().map(|c| c.variants.len()).sum::<usize>();
    let names: Vec<&str> = styles.iter().map(|s| s.name()).collect();
    let sample = args.images_sample.map(|n| format!(" --images-sample {n}")).unwrap_or_default();
    let kept = args.images_dir.as_ref().map(|d| format!(" --images-dir {}", d.display())).unwrap_or_default();
    println!(
        "images: {} of {total} variants; styles {}; images in {}{}",
        samples.len(),
        names.join(","),
        dir.display(),
        if args.images_dir.is_none() { " (removed afterwards)" } else { "" }
    );
    println!(
        "settings: --images{sample} --images-styles {}{kept} --chromium {} (device scale {SCALE}, batches of {BATCH})",
        names.join(","),
        args.chromium.display()
    );
}

/// Check one text as `eval` does (the same `run_queries`), `None` when it is not a valid message.
fn check(engine: &Engine, text: &str, claim: &str) -> Result<Option<Outcome>> {
    let q =
        Query { qid: None, text: text.to_string(), expected: Some(claim.to_string()), expected_any: None, stance: None, differences: None };
    Ok(super::run_queries(engine, std::slice::from_ref(&q))?.pop())
}

fn is_right(o: &Option<Outcome>) -> bool {
    o.as_ref().is_some_and(|o| o.top_right)
}

/// The verdict-level accept: the response's verdict is decided by the right claim.
fn decided_right(o: &Option<Outcome>, claim: &str) -> bool {
    o.as_ref().is_some_and(|o| o.decided.as_deref() == Some(claim))
}

// ---------------------------------------------------------------------------------------------
// Rendering

/// CSS pixels to device pixels: a 390 px wide phone becomes a 780 px wide screenshot.
const SCALE: u32 = 2;
/// Images per Chromium run: one run costs about a second whatever it renders.
const BATCH: usize = 8;
/// Chromium runs at once (the machine has two cores).
const RENDERERS: usize = 2;
/// The page colour around each image, never used inside one, so the empty rows can be cut away.
const SENTINEL: Rgb<u8> = Rgb([255, 0, 255]);
/// How long one Chromium run may take.
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(120);
/// Changes whenever `photo` changes, so that cached photos are made again.
const PHOTO_VERSION: &str = "photo-1";

/// The file of each (style, sample): rendered, made from the chat image, or found in `dir`.
fn render_all(chromium: &Path, samples: &[Sample], styles: &[Style], dir: &Path, work: &Path) -> Result<Vec<(Style, usize, PathBuf)>> {
    let started = Instant::now();
    let mut files = Vec::new();
    let mut rendered = 0;
    let mut cached = 0;
    // the photo is made from the chat screenshot, so that one is rendered even if not measured
    let mut html_styles: Vec<Style> = styles.iter().copied().filter(|s| *s != Style::Photo).collect();
    if styles.contains(&Style::Photo) && !html_styles.contains(&Style::Chat) {
        html_styles.insert(0, Style::Chat);
    }
    let mut chat_files = Vec::new();
    for &style in &html_styles {
        let pages: Vec<(String, PathBuf)> = samples
            .iter()
            .map(|s| {
                let slot = slot_html(style, s);
                let key = fnv1a(format!("{}\u{0}{}\u{0}{SCALE}", css(style), slot).as_bytes());
                (slot, dir.join(format!("{}-{key:016x}.png", style.name())))
            })
            .collect();
        let missing: Vec<&(String, PathBuf)> = pages.iter().filter(|(_, p)| !p.exists()).collect();
        cached += pages.len() - missing.len();
        rendered += missing.len();
        render_style(chromium, style, &missing, work)?;
        if style == Style::Chat {
            chat_files = pages.iter().map(|(_, p)| p.clone()).collect();
        }
        if styles.contains(&style) {
            files.extend(pages.into_iter().enumerate().map(|(i, (_, p))| (style, i, p)));
        }
    }
    if styles.contains(&Style::Photo) {
        for (i, (chat, s)) in chat_files.iter().zip(samples).enumerate() {
            let stem = chat.file_stem().and_then(|n| n.to_str()).unwrap_or_default();
            let key = fnv1a(format!("{PHOTO_VERSION}\u{0}{stem}").as_bytes());
            let path = dir.join(format!("photo-{key:016x}.jpg"));
            if path.exists() {
                cached += 1;
            } else {
                rendered += 1;
                make_photo(chat, &path, &mut s.rng("photo"))?;
            }
            files.push((Style::Photo, i, path));
        }
    }
    println!("rendered {rendered} images ({cached} found in the folder) in {:.1} s", started.elapsed().as_secs_f64());
    Ok(files)
}

/// Render the pages of one style, `BATCH` per Chromium run, `RENDERERS` runs at once.
fn render_style(chromium: &Path, style: Style, pages: &[&(String, PathBuf)], work: &Path) -> Result<()> {
    if pages.is_empty() {
        return Ok(());
    }
    let bar = progress(pages.len(), &format!("rendering {}", style.name()));
    let batches: Vec<&[&(String, PathBuf)]> = pages.chunks(BATCH).collect();
    let next = AtomicUsize::new(0);
    let failure: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..RENDERERS {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= batches.len() || failure.lock().expect("not poisoned").is_some() {
                        return;
                    }
                    let name = format!("{}-{i}", style.name());
                    match render_batch(chromium, style, batches[i], &work.join(name)) {
                        Ok(()) => bar.inc(batches[i].len() as u64),
                        Err(e) => {
                            failure.lock().expect("not poisoned").get_or_insert(e);
                        }
                    }
                }
            });
        }
    });
    bar.finish_and_clear();
    match failure.into_inner().expect("not poisoned") {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// One Chromium run: the pages stacked in fixed-height slots, one screenshot, cut into images.
fn render_batch(chromium: &Path, style: Style, pages: &[&(String, PathBuf)], base: &Path) -> Result<()> {
    let (width, slot) = slot_size(style);
    let html_path = base.with_extension("html");
    let shot = base.with_extension("png");
    let log = base.with_extension("log");
    let profile = base.with_extension("profile");
    let slots: String = pages.iter().map(|(html, _)| format!("<div class=\"slot\" style=\"height:{slot}px\">{html}</div>")).collect();
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><style>{PAGE_CSS}{}</style></head><body>{slots}</body></html>",
        css(style)
    );
    std::fs::write(&html_path, html).with_context(|| format!("writing {}", html_path.display()))?;
    let height = slot * pages.len() as u32;
    run_chromium(chromium, &html_path, &shot, &profile, &log, width, height)?;
    let page = image::open(&shot).with_context(|| format!("reading Chromium's screenshot {}", shot.display()))?.to_rgb8();
    let (w, h) = (width * SCALE, slot * SCALE);
    if page.width() != w || page.height() != h * pages.len() as u32 {
        bail!("{}: Chromium's screenshot is {}×{}, expected {w}×{}", shot.display(), page.width(), page.height(), h * pages.len() as u32);
    }
    for (i, (_, out)) in pages.iter().enumerate() {
        let top = h * i as u32;
        let rows = content_rows(&page, top, h);
        if rows == 0 {
            bail!("{}: slot {i} came out empty", shot.display());
        }
        if rows == h {
            bail!("{}: slot {i} is cut off at {slot} CSS px; the slot is too small for the text", shot.display());
        }
        let img = image::imageops::crop_imm(&page, 0, top, w, rows).to_image();
        save_atomically(out, |tmp| img.save(tmp).map_err(anyhow::Error::from))?;
    }
    std::fs::remove_dir_all(&profile).ok();
    std::fs::remove_file(&shot).ok();
    Ok(())
}

/// Run headless Chromium to take one screenshot of a local page, with a time limit.
fn run_chromium(chromium: &Path, html: &Path, shot: &Path, profile: &Path, log: &Path, width: u32, height: u32) -> Result<()> {
    let log_file = std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
    let url = format!("file://{}", std::path::absolute(html)?.display());
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            &format!("--force-device-scale-factor={SCALE}"),
            &format!("--user-data-dir={}", profile.display()),
            &format!("--screenshot={}", shot.display()),
            &format!("--window-size={width},{height}"),
            &url,
        ])
        .stdin(Stdio::null())
        .stdout(log_file.try_clone()?)
        .stderr(log_file)
        .spawn()
        .with_context(|| format!("starting {} (set --chromium or PIYAO_CHROMIUM)", chromium.display()))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > CHROMIUM_TIMEOUT {
            child.kill().ok();
            child.wait().ok();
            bail!("{} took longer than {} s on {}", chromium.display(), CHROMIUM_TIMEOUT.as_secs(), html.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    if !status.success() || !shot.exists() {
        let said = std::fs::read_to_string(log).unwrap_or_default();
        let tail: Vec<&str> = said.lines().rev().take(5).collect();
        bail!("{} failed ({status}) on {}: {}", chromium.display(), html.display(), tail.into_iter().rev().collect::<Vec<_>>().join(" | "));
    }
    Ok(())
}

/// Rows from `top` down to the last one with something else than the sentinel colour in it.
fn content_rows(page: &RgbImage, top: u32, height: u32) -> u32 {
    let is_sentinel = |p: &Rgb<u8>| p.0.iter().zip(SENTINEL.0).all(|(a, b)| a.abs_diff(b) < 20);
    (0..height).rev().find(|&y| (0..page.width()).any(|x| !is_sentinel(page.get_pixel(x, top + y)))).map_or(0, |y| y + 1)
}

/// Write through a temporary name, so an interrupted run leaves no half image to be reused.
fn save_atomically(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("png");
    let tmp = path.with_extension(format!("part.{ext}"));
    write(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))
}

fn progress(len: usize, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    bar.set_style(ProgressStyle::with_template(&format!("{what} {{bar:30}} {{pos}}/{{len}} {{eta}}")).expect("static template"));
    bar
}

// ---------------------------------------------------------------------------------------------
// The pages

/// (width, slot height) in CSS px: the slot is far taller than any variant needs.
fn slot_size(style: Style) -> (u32, u32) {
    match style {
        Style::Notice => (560, 1400),
        Style::Long => (390, 1900),
        Style::Chat | Style::Photo => (390, 1000),
    }
}

fn css(style: Style) -> &'static str {
    match style {
        Style::Notice => NOTICE_CSS,
        _ => CHAT_CSS,
    }
}

fn slot_html(style: Style, s: &Sample) -> String {
    match style {
        Style::Chat | Style::Photo => chat_html(s),
        Style::Notice => notice_html(s),
        Style::Long => long_html(s),
    }
}

const PAGE_CSS: &str = "*{box-sizing:border-box}body{margin:0;background:#f0f}.slot{overflow:hidden}";

const CHAT_CSS: &str = r#"
.phone{width:390px;background:#ededed;display:flex;flex-direction:column;font-family:"Noto Sans CJK SC",sans-serif}
.status{height:44px;display:flex;justify-content:space-between;align-items:center;padding:0 22px 0 28px;font-size:15px;font-weight:600;color:#111}
.status .r{display:flex;gap:6px;align-items:center;font-size:12px}
.bars{display:flex;gap:2px;align-items:flex-end;height:11px}.bars i{display:block;width:3px;background:#111;border-radius:1px}
.batt{width:24px;height:12px;border:1.5px solid #555;border-radius:3px;padding:1px}.batt b{display:block;height:100%;background:#111;border-radius:1px}
.title{height:44px;display:flex;align-items:center;justify-content:space-between;padding:0 14px;font-size:17px;font-weight:500;color:#111;border-bottom:1px solid #dcdcdc}
.title .back{font-size:22px;width:30px}.title .more{width:30px;text-align:right;font-size:20px;letter-spacing:1px}
.msgs{padding:6px 0 16px}
.time{text-align:center;font-size:12px;color:#999;margin:14px 0 10px}
.row{display:flex;align-items:flex-start;margin:14px 12px;gap:10px}.row.me{flex-direction:row-reverse}
.av{width:40px;height:40px;border-radius:4px;flex:none;color:#fff;font-size:18px;display:flex;align-items:center;justify-content:center}
.col{display:flex;flex-direction:column;max-width:262px}.me .col{align-items:flex-end}
.nick{font-size:12px;color:#888;margin:0 0 4px 2px}
.bub{background:#fff;border-radius:4px;padding:9px 12px;font-size:17px;line-height:1.45;color:#111;position:relative;word-break:break-all}
.bub:before{content:"";position:absolute;left:-5px;top:13px;border:5px solid transparent;border-left:0;border-right-color:#fff}
.me .bub{background:#95ec69}
.me .bub:before{left:auto;right:-5px;border:5px solid transparent;border-right:0;border-left-color:#95ec69}
.sticker{width:72px;height:72px;border-radius:50%;background:#ffcc33;position:relative;box-shadow:inset -4px -6px 0 #f0b400}
.sticker:before,.sticker:after{content:"";position:absolute;top:24px;width:8px;height:12px;background:#5a3b00;border-radius:50%}
.sticker:before{left:20px}.sticker:after{right:20px}
.sticker i{position:absolute;left:20px;right:20px;bottom:16px;height:14px;border:4px solid #5a3b00;border-top:0;border-radius:0 0 20px 20px}
.input{background:#f7f7f7;border-top:1px solid #dcdcdc;height:58px;display:flex;align-items:center;gap:10px;padding:0 10px 4px}
.ic{width:30px;height:30px;border:1.8px solid #222;border-radius:50%;flex:none}
.box{flex:1;height:38px;background:#fff;border-radius:4px}
"#;

const NOTICE_CSS: &str = r#"
.doc{width:560px;background:#fff;padding:34px 40px 64px;font-family:"Noto Serif CJK SC",serif;color:#222;position:relative}
.org{color:#d40000;font-size:30px;font-weight:700;text-align:center;letter-spacing:3px;line-height:1.3}
.rule{border-top:3px solid #d40000;border-bottom:1px solid #d40000;height:6px;margin:14px 0 22px}
.head{font-size:22px;font-weight:700;text-align:center;margin-bottom:18px;font-family:"Noto Sans CJK SC",sans-serif}
.to{font-size:17px;margin:0 0 6px}
.body p{font-size:17px;line-height:1.8;text-indent:2em;margin:0 0 6px;text-align:justify}
.sign{text-align:right;font-size:17px;line-height:1.9;margin-top:30px;padding-right:6px}
.stamp{position:absolute;width:136px;height:136px;border:3.5px solid rgba(220,0,0,.78);border-radius:50%;right:40px;bottom:22px;color:rgba(220,0,0,.78);font-family:"Noto Sans CJK SC",sans-serif;font-weight:700}
.stamp .star{position:absolute;left:0;right:0;top:44px;text-align:center;font-size:38px;line-height:1}
.stamp span{position:absolute;left:60px;top:6px;width:16px;height:62px;font-size:15px;transform-origin:8px 62px;text-align:center}
"#;

/// Group chats, people and times the chat pages pick from.
const GROUPS: &[&str] =
    &["相亲相爱一家人(58)", "幸福一家人(12)", "阳光小区业主群(386)", "老同学聚会群(45)", "三年二班家长群(52)", "广场舞姐妹群(73)"];
const PEOPLE: &[(&str, &str, &str)] = &[
    ("王阿姨", "王", "#5b8bd6"),
    ("老陈", "陈", "#7a6ad6"),
    ("刘姐", "刘", "#d69a5b"),
    ("张叔", "张", "#6aa86a"),
    ("李老师", "李", "#c0775c"),
    ("幸福人生", "福", "#d65b7a"),
];
const CLOCKS: &[&str] = &["9:41", "10:26", "15:43", "20:07", "7:58"];
const STAMPS: &[&str] = &["上午 10:23", "下午 3:41", "昨天 晚上 8:05", "上午 7:52", "星期二 下午 4:16"];
const REPLIES: &[&str] = &["收到", "好的", "谢谢提醒", "早上好", "知道了", "今天降温了，大家多穿点衣服"];
const ORGS: &[&str] = &["XX市疫情防控指挥部", "XX区人民政府办公室", "XX市公安局", "XX社区居委会", "XX县教育局", "XX市市场监督管理局"];
const HEADS: &[&str] = &["紧急通知", "重要通知", "通知", "温馨提示"];
const ADDRESSEES: &[&str] = &["各位居民：", "各位家长：", "广大市民朋友：", "各位业主："];
const DATES: &[&str] = &["2022年4月18日", "2023年11月2日", "2024年7月9日", "2025年1月15日"];

fn pick<T: Copy>(rng: &mut Rng, from: &[T]) -> T {
    from[rng.below(from.len())]
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("<br>"),
            _ => out.push(c),
        }
    }
    out
}

fn phone(rng: &mut Rng, messages: &str) -> String {
    let battery = 20 + rng.below(75);
    format!(
        r#"<div class="phone"><div class="status"><span>{clock}</span><span class="r"><span class="bars"><i style="height:4px"></i><i style="height:6px"></i><i style="height:8px"></i><i style="height:11px"></i></span>5G<span class="batt"><b style="width:{battery}%"></b></span></span></div><div class="title"><span class="back">&lt;</span><span>{group}</span><span class="more">···</span></div><div class="msgs"><div class="time">{stamp}</div>{messages}</div><div class="input"><span class="ic"></span><span class="box"></span><span class="ic"></span><span class="ic"></span></div></div>"#,
        clock = pick(rng, CLOCKS),
        group = pick(rng, GROUPS),
        stamp = pick(rng, STAMPS),
    )
}

/// One message: others' in white with their nickname, mine in green on the right.
fn bubble(person: (&str, &str, &str), text: &str, mine: bool) -> String {
    let (nick, initial, colour) = person;
    let nick = if mine { String::new() } else { format!(r#"<div class="nick">{nick}</div>"#) };
    format!(
        r#"<div class="row{}"><div class="av" style="background:{colour}">{initial}</div><div class="col">{nick}<div class="bub">{}</div></div></div>"#,
        if mine { " me" } else { "" },
        escape(text)
    )
}

fn sticker(person: (&str, &str, &str)) -> String {
    let (nick, initial, colour) = person;
    format!(
        r#"<div class="row"><div class="av" style="background:{colour}">{initial}</div><div class="col"><div class="nick">{nick}</div><div class="sticker"><i></i></div></div></div>"#
    )
}

fn chat_html(s: &Sample) -> String {
    let mut rng = s.rng("chat");
    let sender = pick(&mut rng, PEOPLE);
    let mine = rng.chance(30);
    let mut messages = bubble(sender, &s.text, mine);
    let other = PEOPLE[(PEOPLE.iter().position(|p| *p == sender).unwrap_or(0) + 1 + rng.below(PEOPLE.len() - 1)) % PEOPLE.len()];
    match rng.below(3) {
        0 => messages.push_str(&bubble(other, pick(&mut rng, &REPLIES[..3]), !mine)),
        1 => messages.push_str(&sticker(other)),
        _ => {}
    }
    phone(&mut rng, &messages)
}

/// The rumor over 2–3 consecutive bubbles of one sender, between other people's messages.
fn long_html(s: &Sample) -> String {
    let mut rng = s.rng("long");
    let sender = pick(&mut rng, PEOPLE);
    let others: Vec<_> = PEOPLE.iter().copied().filter(|p| *p != sender).collect();
    let n = s.text.chars().count();
    let parts = split_at_punctuation(&s.text, if n > 60 { 3 } else { 2 });
    let mut messages = String::new();
    for _ in 0..1 + rng.below(2) {
        messages.push_str(&bubble(pick(&mut rng, &others), pick(&mut rng, REPLIES), false));
    }
    messages.push_str(&format!(r#"<div class="time">{}</div>"#, pick(&mut rng, STAMPS)));
    for part in &parts {
        messages.push_str(&bubble(sender, part, false));
    }
    messages.push_str(&bubble(others[0], pick(&mut rng, &REPLIES[..3]), true));
    messages.push_str(&bubble(pick(&mut rng, &others[1..]), pick(&mut rng, &REPLIES[..2]), false));
    phone(&mut rng, &messages)
}

/// Cut `text` into at most `parts` pieces, each ending at a punctuation mark near an even share.
fn split_at_punctuation(text: &str, parts: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let cuts: Vec<usize> =
        chars.iter().enumerate().filter(|(i, c)| "，。！？；、,.!?;：:".contains(**c) && i + 1 < chars.len()).map(|(i, _)| i + 1).collect();
    let mut out = Vec::new();
    let mut start = 0;
    for k in 1..parts {
        let target = chars.len() * k / parts;
        let Some(&cut) = cuts.iter().filter(|&&c| c > start).min_by_key(|&&c| c.abs_diff(target)) else { break };
        out.push(chars[start..cut].iter().collect());
        start = cut;
    }
    out.push(chars[start..].iter().collect());
    out.retain(|p: &String| !p.trim().is_empty());
    out
}

fn notice_html(s: &Sample) -> String {
    let mut rng = s.rng("notice");
    let org = pick(&mut rng, ORGS);
    let paragraphs: String = s.text.split('\n').filter(|p| !p.trim().is_empty()).map(|p| format!("<p>{}</p>", escape(p))).collect();
    format!(
        r#"<div class="doc"><div class="org">{org}</div><div class="rule"></div><div class="head">{head}</div><div class="to">{to}</div><div class="body">{paragraphs}<p>特此通知。</p></div><div class="sign">{org}<br>{date}</div>{stamp}</div>"#,
        head = pick(&mut rng, HEADS),
        to = pick(&mut rng, ADDRESSEES),
        date = pick(&mut rng, DATES),
        stamp = stamp_html(org, -20 + rng.below(30) as i32),
    )
}

/// A red round seal: the organisation's name around the top, a star in the middle.
fn stamp_html(org: &str, tilt: i32) -> String {
    let chars: Vec<char> = org.chars().collect();
    let spread = 220.0;
    let letters: String = chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let angle = -spread / 2.0 + spread * (i as f64 + 0.5) / chars.len() as f64;
            format!(r#"<span style="transform:rotate({angle:.1}deg)">{}</span>"#, escape(&c.to_string()))
        })
        .collect();
    format!(r#"<div class="stamp" style="transform:rotate({tilt}deg)">{letters}<div class="star">★</div></div>"#)
}

// ---------------------------------------------------------------------------------------------
// The photo: what a phone camera does to a screen

/// Photograph the chat screenshot: smaller, on a desk, turned 2–5°, light falling unevenly,
/// slightly out of focus, a little sensor noise, saved as a JPEG of quality 55–65.
fn make_photo(chat: &Path, out: &Path, rng: &mut Rng) -> Result<()> {
    let shot = image::open(chat).with_context(|| format!("reading {}", chat.display()))?.to_rgb8();
    let img = photograph(&shot, rng);
    let quality = 55 + rng.below(11) as u8;
    save_atomically(out, |tmp| {
        let file = std::fs::File::create(tmp)?;
        let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(std::io::BufWriter::new(file), quality);
        encoder.encode_image(&img)?;
        Ok(())
    })
}

fn photograph(shot: &RgbImage, rng: &mut Rng) -> RgbImage {
    let scale = 0.62 + rng.below(16) as f32 / 100.0;
    let (w, h) = ((shot.width() as f32 * scale) as u32, (shot.height() as f32 * scale) as u32);
    let small = image::imageops::resize(shot, w.max(1), h.max(1), image::imageops::FilterType::Triangle);
    let bezel = frame(&small, (w / 24).max(4), Rgb([22, 22, 24]));
    let degrees = (2.0 + rng.below(31) as f32 / 10.0) * if rng.chance(50) { 1.0 } else { -1.0 };
    let desk = Rgb([118 + rng.below(30) as u8, 108 + rng.below(20) as u8, 92 + rng.below(16) as u8]);
    let turned = rotate(&bezel, degrees, desk);
    let lit = uneven_light(&turned, rng);
    let blurred = image::imageops::blur(&lit, 0.7 + rng.below(5) as f32 / 10.0);
    add_noise(blurred, rng, 7)
}

/// `img` inside a border of `width` pixels.
fn frame(img: &RgbImage, width: u32, colour: Rgb<u8>) -> RgbImage {
    let mut out = RgbImage::from_pixel(img.width() + 2 * width, img.height() + 2 * width, colour);
    image::imageops::replace(&mut out, img, i64::from(width), i64::from(width));
    out
}

/// Turn `img` by `degrees` (counter-clockwise) about its centre, bilinear, on a canvas that
/// holds all of it; the corners are filled with `fill`.
fn rotate(img: &RgbImage, degrees: f32, fill: Rgb<u8>) -> RgbImage {
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (w, h) = (img.width() as f32, img.height() as f32);
    let out_w = (w * cos.abs() + h * sin.abs()).ceil() as u32;
    let out_h = (w * sin.abs() + h * cos.abs()).ceil() as u32;
    let (cx, cy) = (w / 2.0, h / 2.0);
    let (ox, oy) = (out_w as f32 / 2.0, out_h as f32 / 2.0);
    RgbImage::from_fn(out_w, out_h, |x, y| {
        // the source point that lands on this pixel's centre (inverse rotation)
        let (dx, dy) = (x as f32 + 0.5 - ox, y as f32 + 0.5 - oy);
        let sx = cos * dx - sin * dy + cx - 0.5;
        let sy = sin * dx + cos * dy + cy - 0.5;
        bilinear(img, sx, sy, fill)
    })
}

/// The colour at a point between pixel centres; outside the image counts as `fill`.
fn bilinear(img: &RgbImage, x: f32, y: f32, fill: Rgb<u8>) -> Rgb<u8> {
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let at = |xi: f32, yi: f32| -> [f32; 3] {
        if xi < 0.0 || yi < 0.0 || xi >= img.width() as f32 || yi >= img.height() as f32 {
            return fill.0.map(f32::from);
        }
        img.get_pixel(xi as u32, yi as u32).0.map(f32::from)
    };
    let (a, b, c, d) = (at(x0, y0), at(x0 + 1.0, y0), at(x0, y0 + 1.0), at(x0 + 1.0, y0 + 1.0));
    let mut out = [0u8; 3];
    for k in 0..3 {
        let top = a[k] + (b[k] - a[k]) * fx;
        let bottom = c[k] + (d[k] - c[k]) * fx;
        out[k] = (top + (bottom - top) * fy).round().clamp(0.0, 255.0) as u8;
    }
    Rgb(out)
}

/// Light brighter on one side than the other, darker in the corners, a little warm.
fn uneven_light(img: &RgbImage, rng: &mut Rng) -> RgbImage {
    let angle = rng.below(360) as f32 * std::f32::consts::PI / 180.0;
    let (dx, dy) = (angle.cos(), angle.sin());
    let strength = 0.18 + rng.below(12) as f32 / 100.0;
    let (w, h) = (img.width() as f32, img.height() as f32);
    let tint = [1.0, 0.97, 0.91];
    RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let (u, v) = (x as f32 / w - 0.5, y as f32 / h - 0.5);
        let gradient = 1.0 - strength * (0.5 + u * dx + v * dy);
        let vignette = 1.0 - 0.35 * (u * u + v * v);
        let p = img.get_pixel(x, y).0;
        Rgb(std::array::from_fn(|k| (f32::from(p[k]) * gradient * vignette * tint[k]).round().clamp(0.0, 255.0) as u8))
    })
}

fn add_noise(mut img: RgbImage, rng: &mut Rng, amount: usize) -> RgbImage {
    for p in img.pixels_mut() {
        let delta = rng.below(2 * amount + 1) as i16 - amount as i16;
        for c in p.0.iter_mut() {
            *c = (i16::from(*c) + delta).clamp(0, 255) as u8;
        }
    }
    img
}

// ---------------------------------------------------------------------------------------------
// Reading and reporting

/// Read every image with OCR, two at a time, timing each read.
fn read_all(ocr: &Ocr, files: &[(Style, usize, PathBuf)]) -> Result<Vec<Row>> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the OCR runtime")?;
    let bar = progress(files.len(), "reading");
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    let worker = || async {
        let mut rows = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::SeqCst);
            let Some((style, sample, file)) = files.get(i) else { return Ok::<_, anyhow::Error>(rows) };
            let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
            let t = Instant::now();
            let read = match ocr.read(bytes).await {
                Ok(text) => Read::Text { lines: text.lines, text: text.text },
                Err(OcrError::NoText) => Read::NoText,
                Err(e) => Read::Failed(e.to_string()),
            };
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            rows.push(Row { style: *style, sample: *sample, file: file.clone(), read, ms, outcome: None });
            bar.inc(1);
        }
    };
    let (a, b) = runtime.block_on(async { tokio::join!(worker(), worker()) });
    bar.finish_and_clear();
    let mut rows = a?;
    rows.extend(b?);
    rows.sort_by_key(|r| (r.style as usize, r.sample));
    println!("read {} images in {:.1} s", rows.len(), started.elapsed().as_secs_f64());
    Ok(rows)
}

fn report(styles: &[Style], rows: &[Row], samples: &[Sample], text: &[Option<Outcome>]) {
    println!(
        "\n{:<7} {:>6}  {:>23}  {:>23}  {:>7} {:>6}  {:>8} {:>8}",
        "style", "images", "Recall@1 image/text", "accept image/text", "no-text", "error", "OCR p50", "p99 ms"
    );
    let mut verdicts = Vec::new();
    for &style in styles {
        let mine: Vec<&Row> = rows.iter().filter(|r| r.style == style).collect();
        let Some(line) = style_line(style, &mine, samples, text) else { continue };
        println!("{}", line.0);
        verdicts.push(line.1);
    }
    let all: Vec<&Row> = rows.iter().collect();
    if styles.len() > 1
        && let Some((line, _)) = style_line_named("all", &all, samples, text)
    {
        println!("{line}");
    }
    println!("\nbar (image ≥ share of text: R@1 0.95 and accept 0.90 for screenshots, 0.80 for photos): {}", verdicts.join("; "));
    print_misses(styles, rows, samples, text);
}

/// A few images whose text was accepted but whose picture was not, with what OCR read, so
/// that a drop can be seen at a glance (`--dump` has them all).
fn print_misses(styles: &[Style], rows: &[Row], samples: &[Sample], text: &[Option<Outcome>]) {
    const SHOWN: usize = 3;
    let misses: Vec<&Row> = rows
        .iter()
        .filter(|r| {
            let claim = &samples[r.sample].claim;
            decided_right(&text[r.sample], claim) && !decided_right(&r.outcome, claim)
        })
        .collect();
    if misses.is_empty() {
        return;
    }
    println!("\nnot accepted from the image but from the text ({}; first {SHOWN} per style, all with --dump):", misses.len());
    for &style in styles {
        for r in misses.iter().filter(|r| r.style == style).take(SHOWN) {
            let read = match &r.read {
                Read::Text { text, .. } => format!("read {:?}", shorten(&text.replace('\n', " / "), 60)),
                Read::NoText => "no text read".to_string(),
                Read::Failed(e) => format!("OCR failed: {e}"),
            };
            let file = r.file.file_name().map(|f| f.to_string_lossy()).unwrap_or_default();
            println!("  {:<6} {file}  {}: {read}", style.name(), samples[r.sample].claim);
        }
    }
}

fn shorten(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

fn style_line(style: Style, rows: &[&Row], samples: &[Sample], text: &[Option<Outcome>]) -> Option<(String, String)> {
    let (line, (r1, acc)) = style_line_named(style.name(), rows, samples, text)?;
    let (need_r1, need_acc) = style.bar();
    let ok = r1 >= need_r1 && acc >= need_acc;
    Some((line, format!("{} {}", style.name(), if ok { "met" } else { "NOT met" })))
}

/// One table line, and the image/text ratios of Recall@1 and accept.
fn style_line_named(name: &str, rows: &[&Row], samples: &[Sample], text: &[Option<Outcome>]) -> Option<(String, (f64, f64))> {
    if rows.is_empty() {
        return None;
    }
    let n = rows.len() as f64;
    let claim = |r: &Row| samples[r.sample].claim.as_str();
    let img_r1 = rows.iter().filter(|r| is_right(&r.outcome)).count() as f64 / n;
    let txt_r1 = rows.iter().filter(|r| is_right(&text[r.sample])).count() as f64 / n;
    let img_acc = rows.iter().filter(|r| decided_right(&r.outcome, claim(r))).count() as f64 / n;
    let txt_acc = rows.iter().filter(|r| decided_right(&text[r.sample], claim(r))).count() as f64 / n;
    let no_text = rows.iter().filter(|r| matches!(r.read, Read::NoText)).count();
    let failed = rows.iter().filter(|r| matches!(r.read, Read::Failed(_))).count();
    let mut ms: Vec<f64> = rows.iter().map(|r| r.ms).collect();
    ms.sort_by(f64::total_cmp);
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    let (r1, acc) = (ratio(img_r1, txt_r1), ratio(img_acc, txt_acc));
    let line = format!(
        "{name:<7} {:>6}  {img_r1:.4}/{txt_r1:.4} ({r1:.3})  {img_acc:.4}/{txt_acc:.4} ({acc:.3})  {no_text:>7} {failed:>6}  {:>8.0} {:>8.0}",
        rows.len(),
        crate::cli::percentile(&ms, 0.5),
        crate::cli::percentile(&ms, 0.99)
    );
    Some((line, (r1, acc)))
}

/// One JSON line per image: what was read, and what the check made of it.
fn write_dump(path: &Path, samples: &[Sample], rows: &[Row]) -> Result<()> {
    let mut out = String::new();
    for r in rows {
        let s = &samples[r.sample];
        let (ocr, lines, error) = match &r.read {
            Read::Text { text, lines } => (Some(text.as_str()), Some(lines), None),
            Read::NoText => (None, None, Some("no text")),
            Read::Failed(e) => (None, None, Some(e.as_str())),
        };
        let o = r.outcome.as_ref();
        let row = serde_json::json!({
            "style": r.style.name(), "file": r.file, "expected": s.claim, "text": s.text, "ocr": ocr, "ocr_lines": lines, "error": error,
            "ocr_ms": r.ms, "right": is_right(&r.outcome), "accepted": decided_right(&r.outcome, &s.claim),
            "rank": o.and_then(|o| o.rank_of_right), "score": o.map(|o| o.top_score), "decided": o.and_then(|o| o.decided.clone()),
            "verdict": o.map(|o| o.verdict), "top": o.and_then(|o| o.probe.clone()),
        });
        out.push_str(&format!("{row}\n"));
    }
    std::fs::write(path, out).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotating_by_nothing_keeps_the_image_and_a_turn_grows_the_canvas() {
        let img = RgbImage::from_fn(40, 20, |x, y| Rgb([(x * 6) as u8, (y * 12) as u8, 7]));
        assert_eq!(rotate(&img, 0.0, Rgb([0, 0, 0])), img);
        let turned = rotate(&img, 4.0, Rgb([1, 2, 3]));
        assert!(turned.width() > 40 && turned.height() > 20);
        // the corners are outside the turned picture, the centre is inside it
        assert_eq!(*turned.get_pixel(0, 0), Rgb([1, 2, 3]));
        let centre = turned.get_pixel(turned.width() / 2, turned.height() / 2);
        assert_eq!(centre[2], 7);
    }

    #[test]
    fn empty_rows_below_the_content_are_cut() {
        let mut page = RgbImage::from_pixel(10, 30, SENTINEL);
        for y in 10..14 {
            page.put_pixel(3, y, Rgb([250, 250, 250]));
        }
        // the slot from row 10: four rows of content, then the page colour
        assert_eq!(content_rows(&page, 10, 20), 4);
        assert_eq!(content_rows(&page, 14, 16), 0);
        page.put_pixel(0, 29, Rgb([0, 0, 0]));
        assert_eq!(content_rows(&page, 10, 20), 20);
    }

    #[test]
    fn a_rumor_is_split_at_punctuation_and_loses_nothing() {
        let text = "手机基站都有辐射，5G基站比4G多，所以5G辐射会比4G要大，对人体危害更大！";
        let parts = split_at_punctuation(text, 3);
        assert_eq!(parts.len(), 3);
        assert_eq!(parts.concat(), text);
        assert!(parts[..2].iter().all(|p| p.ends_with('，')));
        assert_eq!(split_at_punctuation("苏州发生连环杀人案", 2), vec!["苏州发生连环杀人案"]);
    }

    #[test]
    fn text_is_escaped_for_html() {
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}
