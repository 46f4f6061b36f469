//! What the user reads in WeChat: the verdict on their message in a few lines, or a polite word
//! when there is nothing to check. WeChat shows nothing at all when we answer with an HTTP
//! error, so every user-side problem gets a text here instead. Pure functions, no HTTP.

use crate::input::{InputError, MAX_CHARS};
use crate::links::Links;
use crate::reply::{Audience, Reply};
use crate::response::CheckResponse;

/// Longest `Content` of a passive text reply WeChat delivers, in bytes of UTF-8.
pub const MAX_CONTENT_BYTES: usize = 2048;

pub const ONLY_TEXT: &str = "目前只能核查文字和图片消息。请把要核实的消息文字复制后发给我，或发一张截图（语音、视频和链接暂时无法核查）。";
pub const PICTURE_NOT_FETCHED: &str = "没能取到这张图片，请稍后再发一次，或直接把消息的文字发给我。";
/// Put before the verdict on a picture, so the user knows what was read.
const FROM_PICTURE: &str = "（根据图片中识别出的文字）\n";
pub const WELCOME: &str = "感谢关注！把群里转发的消息原文发给我，我会告诉你它是不是已经被辟谣的说法。";
pub const EMPTY: &str = "请把要核实的消息文字发给我。";
pub const UNAVAILABLE: &str = "抱歉，核查服务暂时不可用，请稍后再试。";

/// The reply to a checked message, composed like every other answer (`crate::reply`) and cut to
/// what WeChat delivers: every decisive match with label, title, summary and link, or 未收录.
pub fn verdict(r: &CheckResponse, links: &Links) -> String {
    Reply::compose(r, links, Audience::Asker, Some(MAX_CONTENT_BYTES)).text
}

/// The reply to a picture whose text was read and checked.
pub fn picture_verdict(r: &CheckResponse, links: &Links) -> String {
    FROM_PICTURE.to_string() + &Reply::compose(r, links, Audience::Asker, Some(MAX_CONTENT_BYTES - FROM_PICTURE.len())).text
}

/// The reply to a picture that could not be read, in the words of the error table.
pub fn unreadable(e: &crate::ocr::OcrError) -> String {
    if let crate::ocr::OcrError::Failed(detail) = e {
        tracing::error!(error = detail.as_str(), "wechat OCR failed");
    }
    crate::error_code::ErrorCode::from(e).advice().to_string()
}

/// The reply to a message that could not be checked.
pub fn refused(e: &InputError) -> String {
    match e {
        InputError::TooLong { chars } => {
            format!("这条消息有 {chars} 个字，超过了 {MAX_CHARS} 字的上限。请只发送需要核实的那一段。")
        }
        InputError::Empty | InputError::BadLimit(_) => EMPTY.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_polite_texts() {
        assert_eq!(refused(&InputError::Empty), EMPTY);
        assert!(refused(&InputError::TooLong { chars: 12_345 }).contains("12345"));
    }
}
