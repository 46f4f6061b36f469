//! `POST /check` (the form), `POST /check/image` (the form's picture) and `GET /check?text=…`
//! (its permalink): the verdict on a message, the debunks it matches, the user's own text with
//! the matching parts highlighted, and a reply to paste back into the chat.
//!
//! The handler only parses and calls `LiveEngine::check`, the same path as the JSON API; this
//! module turns the `CheckResponse` into what the page shows.

use actix_web::{HttpRequest, get, post, web};
use askama::Template;
use askama_web::WebTemplate;
use base64::Engine as _;
use serde::Deserialize;

use super::badge::{Badge, level_label};
use super::error::WebError;
use super::marked::{Piece, mark};
use super::page::{PageMeta, query};
use crate::input::{Limit, MessageText};
use crate::limits::Client;
use crate::links;
use crate::matcher::Stance;
use crate::record::Surface;
use crate::reply::{Audience, Reply, shorten_chars};
use crate::response::{CheckResponse, Match, Segment};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct FeedbackForm {
    check_id: String,
    /// `yes` or `no`.
    helpful: String,
    #[serde(default)]
    comment: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback.html")]
pub struct FeedbackThanks {
    meta: PageMeta,
    helpful: bool,
}

/// The result page's 有用/没用 buttons (a plain form: works without JavaScript).
#[post("/feedback")]
pub async fn feedback_form(state: web::Data<AppState>, client: Client, form: web::Form<FeedbackForm>) -> Result<FeedbackThanks, WebError> {
    let form = form.into_inner();
    state.limits.admit(&client, 1)?;
    let helpful = match form.helpful.as_str() {
        "yes" => true,
        "no" => false,
        other => return Err(WebError::InvalidForm(format!("`helpful` must be yes or no, not `{other}`"))),
    };
    let comment: Option<String> = form.comment.map(|c| c.chars().take(crate::api::MAX_COMMENT_CHARS).collect());
    let recorder = state.live.recorder.clone();
    web::block(move || recorder.feedback(&form.check_id, helpful, comment.as_deref()))
        .await
        .map_err(|e| WebError::Check(crate::live::CheckError::Internal(anyhow::anyhow!("feedback task failed: {e}"))))??;
    Ok(FeedbackThanks { meta: PageMeta::new("谢谢反馈", "谢谢你的反馈").noindex(), helpful })
}

#[derive(Deserialize)]
pub struct CheckForm {
    text: Option<String>,
}

#[post("/check")]
pub async fn check_form(state: web::Data<AppState>, client: Client, form: web::Form<CheckForm>) -> Result<ResultPage, WebError> {
    result(&state, &client, form.into_inner().text).await
}

/// The permalink form of a check.
#[get("/check")]
pub async fn check_permalink(state: web::Data<AppState>, client: Client, req: HttpRequest) -> Result<ResultPage, WebError> {
    result(&state, &client, query::<CheckForm>(&req)?.text).await
}

/// The form's picture: a screenshot or photo of the message (multipart field `image`).
#[post("/check/image")]
pub async fn check_image_form(
    state: web::Data<AppState>,
    client: Client,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<ResultPage, WebError> {
    state.limits.admit(&client, 1)?;
    let image = crate::upload::read_image(&req, payload).await?;
    let ocr = state.ocr.read(image.clone()).await?;
    let data_url = web::block(move || crate::ocr::preview(&image))
        .await
        .map_err(|e| WebError::Ocr(crate::ocr::OcrError::Failed(format!("preview task failed: {e}"))))?
        .map(|(bytes, mime)| format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes)))
        .map_err(crate::ocr::OcrError::Image)?;
    let text = MessageText::parse(&ocr.text)?;
    let response = state.live.check(Surface::WebImage, text.clone(), Limit::default()).await?;
    let mut page = ResultPage::new(&state, text.as_str(), response);
    page.picture = Some(PictureView { data_url, took_ms: ocr.took_ms.round() as u64 });
    Ok(page)
}

async fn result(state: &AppState, client: &Client, raw: Option<String>) -> Result<ResultPage, WebError> {
    let text = MessageText::parse(raw.as_deref().unwrap_or(""))?;
    state.limits.admit(client, 1)?;
    let response = state.live.check(Surface::Web, text.clone(), Limit::default()).await?;
    Ok(ResultPage::new(state, text.as_str(), response))
}

/// The uploaded picture, shown beside the verdict (the page keeps nothing: it travels inline).
pub struct PictureView {
    pub data_url: String,
    /// Time spent reading it, in milliseconds.
    pub took_ms: u64,
}

/// One matched debunk as the page shows it.
pub struct MatchView {
    pub m: Match,
    pub badge: Badge,
    pub level: &'static str,
    /// Fragment id of its card on the result page.
    pub anchor: String,
}

/// A part of the user's message: its pieces, and the debunk it matches when the message glues
/// several rumors together.
pub struct MessagePart {
    pub pieces: Vec<Piece>,
    pub claim: Option<PartClaim>,
}

pub struct PartClaim {
    pub badge: Badge,
    pub title: String,
    pub anchor: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "result.html")]
pub struct ResultPage {
    meta: PageMeta,
    verdict: Badge,
    /// Matches that decide the verdict (`same` or `similar`), best first.
    decisive: Vec<MatchView>,
    /// Matches on the same topic whose verdict does not carry over.
    related: Vec<MatchView>,
    /// The message, whole or cut into parts when it holds several rumors.
    parts: Vec<MessagePart>,
    several_rumors: bool,
    reply: Reply,
    /// What the message does with the deciding claim, when it is not simply repeating it.
    stance_note: Option<&'static str>,
    /// The link to this result, when the message fits in a URL.
    permalink: Option<String>,
    /// The picture the message was read from, for an image check.
    picture: Option<PictureView>,
    /// This check's id, for the 有用/没用 buttons (none when checks are not recorded).
    check_id: Option<String>,
}

impl ResultPage {
    fn new(state: &AppState, text: &str, response: CheckResponse) -> ResultPage {
        let path = links::check_path(text);
        let reply = Reply::compose(&response, &state.links, Audience::Group, None);
        let (decisive, related): (Vec<MatchView>, Vec<MatchView>) = response
            .matches
            .into_iter()
            .map(|m| MatchView { badge: Badge::rating(m.rating), level: level_label(m.level), anchor: format!("match-{}", m.claim_id), m })
            .partition(|v| v.m.level.decides());
        let check_id = response.check_id.clone();
        let parts = message_parts(text, &decisive, &response.segments);
        let several_rumors = parts.len() > 1;

        let stance_note = response.stance.and_then(stance_note);
        let verdict = Badge::verdict(response.verdict);
        let description = match decisive.first() {
            Some(top) => format!("{}：{}", verdict.label, top.m.summary),
            None => "辟谣库暂未收录这条消息。未收录 ≠ 属实，请以官方发布为准。".to_string(),
        };
        let title = match decisive.first() {
            Some(top) => format!("{} · {}", verdict.label, shorten_chars(&top.m.title, 40)),
            None => format!("{} · 查证结果", verdict.label),
        };
        let meta = PageMeta::new(&title, &description).noindex();
        ResultPage {
            meta: match &path {
                Some(p) => meta.at(state, p),
                None => meta,
            },
            verdict,
            decisive,
            related,
            parts,
            several_rumors,
            reply,
            stance_note,
            permalink: path.map(|p| state.links.absolute_or_path(&p)),
            picture: None,
            check_id,
        }
    }
}

/// The message as parts to show. When segments assign different sentences to different debunks,
/// each part is highlighted with its own debunk's spans; otherwise the whole message carries the
/// best match's highlights. Topic-only (`related`) matches highlight nothing: they did not match.
fn message_parts(text: &str, decisive: &[MatchView], segments: &[Segment]) -> Vec<MessagePart> {
    let chars: Vec<char> = text.chars().collect();
    let mut segment_claims = segments.iter().filter_map(|s| s.claim_id.as_deref());
    let first = segment_claims.next();
    let several = first.is_some() && segment_claims.any(|id| Some(id) != first);
    if !several {
        let spans = decisive.first().map(|v| v.m.highlights.as_slice()).unwrap_or_default();
        return vec![MessagePart { pieces: mark(&chars, 0, chars.len(), spans), claim: None }];
    }
    segments
        .iter()
        .map(|s| {
            let view = s.claim_id.as_deref().and_then(|id| decisive.iter().find(|v| v.m.claim_id == id));
            let spans = view.map(|v| v.m.highlights.as_slice()).unwrap_or_default();
            MessagePart {
                pieces: mark(&chars, s.start, s.end, spans),
                claim: view.map(|v| PartClaim { badge: v.badge, title: v.m.title.clone(), anchor: v.anchor.clone() }),
            }
        })
        .collect()
}

/// The line that tells a reader their message is a debunk, or a question, rather than the rumor.
fn stance_note(stance: Stance) -> Option<&'static str> {
    match stance {
        Stance::Refutes => Some("✓ 这是一条辟谣：你的消息在否认上面这条说法，与辟谣结论一致，可以放心转给家人朋友。"),
        Stance::Asks => Some("你的消息在问这条说法是不是真的：上面就是查证结果。"),
        Stance::Repeats => None,
    }
}
