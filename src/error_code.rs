//! The one table of error codes that clients and readers see. Every surface (JSON API, web
//! pages, WeChat) maps its own error type into an `ErrorCode`, and takes the status, the stable
//! snake_case code and the plain-Chinese advice from here, so a code means the same everywhere.

use serde::{Deserialize, Serialize};

use crate::input::InputError;
use crate::live::CheckError;

/// An error a client or reader can see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    EmptyText,
    TextTooLong,
    InvalidLimit,
    InvalidJson,
    InvalidRequest,
    InvalidQuery,
    UnsupportedMediaType,
    PayloadTooLarge,
    ClaimNotFound,
    RegulationNotFound,
    NotFound,
    TooManyItems,
    EmptyBatch,
    EmptyId,
    InvalidXml,
    InvalidSignature,
    StaleTimestamp,
    InvalidApiKey,
    RateLimited,
    Busy,
    UriTooLong,
    RequestTimeout,
    ResultsTooLarge,
    IndexUnavailable,
    Internal,
    EmptyImage,
    ImageTooLarge,
    UnsupportedImage,
    TooManyPixels,
    AnimatedImage,
    CorruptImage,
    NoTextInImage,
    OcrUnavailable,
    OcrBusy,
    OcrTimeout,
    CheckNotFound,
    RecordingOff,
    DatabaseUnavailable,
    AdminOff,
    LoginRequired,
    InvalidAdminToken,
    InvalidCsrfToken,
    ClusterNotFound,
}

impl ErrorCode {
    /// Every code, for documentation and tests.
    pub const ALL: [ErrorCode; 43] = [
        ErrorCode::EmptyText,
        ErrorCode::TextTooLong,
        ErrorCode::InvalidLimit,
        ErrorCode::InvalidJson,
        ErrorCode::InvalidRequest,
        ErrorCode::InvalidQuery,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::PayloadTooLarge,
        ErrorCode::ClaimNotFound,
        ErrorCode::RegulationNotFound,
        ErrorCode::NotFound,
        ErrorCode::TooManyItems,
        ErrorCode::EmptyBatch,
        ErrorCode::EmptyId,
        ErrorCode::InvalidXml,
        ErrorCode::InvalidSignature,
        ErrorCode::StaleTimestamp,
        ErrorCode::InvalidApiKey,
        ErrorCode::RateLimited,
        ErrorCode::Busy,
        ErrorCode::UriTooLong,
        ErrorCode::RequestTimeout,
        ErrorCode::ResultsTooLarge,
        ErrorCode::IndexUnavailable,
        ErrorCode::Internal,
        ErrorCode::EmptyImage,
        ErrorCode::ImageTooLarge,
        ErrorCode::UnsupportedImage,
        ErrorCode::TooManyPixels,
        ErrorCode::AnimatedImage,
        ErrorCode::CorruptImage,
        ErrorCode::NoTextInImage,
        ErrorCode::OcrUnavailable,
        ErrorCode::OcrBusy,
        ErrorCode::OcrTimeout,
        ErrorCode::CheckNotFound,
        ErrorCode::RecordingOff,
        ErrorCode::DatabaseUnavailable,
        ErrorCode::AdminOff,
        ErrorCode::LoginRequired,
        ErrorCode::InvalidAdminToken,
        ErrorCode::InvalidCsrfToken,
        ErrorCode::ClusterNotFound,
    ];

    /// The row of the table: HTTP status, stable code, advice for a reader.
    fn row(self) -> (u16, &'static str, &'static str) {
        use ErrorCode::*;
        match self {
            EmptyText => (400, "empty_text", "没有收到要查证的内容。请把群里转发的消息粘贴到输入框里，再点“查证”。"),
            TextTooLong => (413, "text_too_long", "消息太长了。请只粘贴最可疑的一段（一万字以内）再查。"),
            InvalidLimit => (400, "invalid_limit", "返回条数要在 1 到 20 之间。"),
            InvalidJson => (400, "invalid_json", "请求不是有效的 JSON。"),
            InvalidRequest => (400, "invalid_request", "请求有误，请回到首页重新查证。"),
            InvalidQuery => (400, "invalid_query", "链接里的参数不对，请从页面上的链接重新进入。"),
            UnsupportedMediaType => (415, "unsupported_media_type", "请求的格式不对，请回到首页重新查证。"),
            PayloadTooLarge => (413, "payload_too_large", "消息太长了。请只粘贴最可疑的一段（一万字以内）再查。"),
            ClaimNotFound => (404, "claim_not_found", "没有找到这条辟谣，可能链接有误或已被合并。可以到谣言库里搜一搜。"),
            RegulationNotFound => (404, "regulation_not_found", "没有找到这部法规，可能链接有误。可以到法规列表里看看。"),
            NotFound => (404, "not_found", "没有这个页面，可能链接有误。"),
            TooManyItems => (400, "too_many_items", "一次最多查 100 条消息。"),
            EmptyBatch => (400, "empty_batch", "没有收到要查证的消息。"),
            EmptyId => (400, "empty_id", "每条消息都要有非空的 id。"),
            InvalidXml => (400, "invalid_xml", "收到的不是微信消息。"),
            InvalidSignature => (403, "invalid_signature", "签名不对：公众号后台的 Token 要与服务器设置的一致。"),
            StaleTimestamp => (403, "stale_timestamp", "请求的时间戳与服务器时间相差超过五分钟：可能是重放的请求，或服务器时钟不准。"),
            InvalidApiKey => (401, "invalid_api_key", "API 密钥不对：请使用服务方发给你的密钥，或不带密钥访问。"),
            RateLimited => (429, "rate_limited", "查得太频繁了，请稍等几秒再查。"),
            Busy => (503, "busy", "现在查证的人太多了，请过几秒再试。"),
            UriTooLong => (414, "uri_too_long", "链接太长了。请回到首页，把消息粘贴到输入框里查证。"),
            RequestTimeout => (408, "request_timeout", "请求没有及时发完，请检查网络后再试。"),
            ResultsTooLarge => (413, "results_too_large", "一次查的内容太多了，请分几次查，或少要几条结果。"),
            IndexUnavailable => (503, "index_unavailable", "辟谣库正在准备中，请过几分钟再试。"),
            Internal => (500, "internal", "服务出了点问题，我们已经记录下来了。请稍后再试。"),
            EmptyImage => (400, "empty_image", "没有收到图片。请选择一张截图或照片再查证。"),
            ImageTooLarge => (413, "image_too_large", "图片太大了（最多 5 MB）。请截取有文字的部分，或压缩后再发。"),
            UnsupportedImage => (415, "unsupported_image", "这不是我们能读的图片。请发 PNG、JPEG、WebP 或 GIF 格式的截图或照片。"),
            TooManyPixels => (413, "too_many_pixels", "图片的像素太多了（最多 4000 万像素）。请截取有文字的部分再发。"),
            AnimatedImage => (422, "animated_image", "这是一张动图。请发静止的截图或照片。"),
            CorruptImage => (422, "corrupt_image", "图片已损坏或不完整，打不开。请重新截图或拍照再发。"),
            NoTextInImage => (422, "no_text_in_image", "图片里没有认出文字。请发消息的截图，或直接把文字粘贴进来。"),
            OcrUnavailable => (503, "ocr_unavailable", "图片查证暂时不可用。请直接把消息的文字粘贴进来查证。"),
            OcrBusy => (503, "ocr_busy", "现在识别图片的人太多了，请过几秒再试，或直接粘贴文字。"),
            OcrTimeout => (503, "ocr_timeout", "这张图片识别得太久了。请截取有文字的部分再发，或直接粘贴文字。"),
            CheckNotFound => (404, "check_not_found", "没有找到这次查证的记录，可能链接有误，或记录已过了保存期限。"),
            RecordingOff => (503, "recording_off", "本服务不保存查证记录，所以无法反馈或重新查证。"),
            DatabaseUnavailable => (503, "database_unavailable", "记录库暂时不可用，请稍后再试；查证本身不受影响。"),
            AdminOff => (404, "admin_off", "编辑后台没有开启（需设置 PIYAO_ADMIN_TOKEN）。"),
            LoginRequired => (401, "login_required", "请先登录编辑后台。"),
            InvalidAdminToken => (403, "invalid_admin_token", "登录口令不对。"),
            InvalidCsrfToken => (403, "invalid_csrf_token", "表单已过期或不是从本站提交的，请刷新页面再试。"),
            ClusterNotFound => (404, "cluster_not_found", "没有这个问题簇，可能已过了保存期限。"),
        }
    }

    /// HTTP status.
    pub fn status(self) -> u16 {
        self.row().0
    }

    /// The stable code clients switch on.
    pub fn as_str(self) -> &'static str {
        self.row().1
    }

    /// What went wrong and what to do, for a reader who does not read error codes.
    pub fn advice(self) -> &'static str {
        self.row().2
    }
}

impl From<&InputError> for ErrorCode {
    fn from(e: &InputError) -> ErrorCode {
        match e {
            InputError::Empty => ErrorCode::EmptyText,
            InputError::TooLong { .. } => ErrorCode::TextTooLong,
            InputError::BadLimit(_) => ErrorCode::InvalidLimit,
        }
    }
}

impl From<&CheckError> for ErrorCode {
    fn from(e: &CheckError) -> ErrorCode {
        match e {
            CheckError::IndexUnavailable => ErrorCode::IndexUnavailable,
            CheckError::Busy => ErrorCode::Busy,
            CheckError::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<&crate::record::RecordError> for ErrorCode {
    fn from(e: &crate::record::RecordError) -> ErrorCode {
        use crate::record::RecordError as R;
        match e {
            R::Off(_) => ErrorCode::RecordingOff,
            R::NotFound(_) => ErrorCode::CheckNotFound,
            R::Store(_) => ErrorCode::DatabaseUnavailable,
        }
    }
}

impl From<&crate::ocr::ImageError> for ErrorCode {
    fn from(e: &crate::ocr::ImageError) -> ErrorCode {
        use crate::ocr::ImageError as I;
        match e {
            I::Empty => ErrorCode::EmptyImage,
            I::TooLarge { .. } => ErrorCode::ImageTooLarge,
            I::Unsupported(_) => ErrorCode::UnsupportedImage,
            I::TooManyPixels { .. } => ErrorCode::TooManyPixels,
            I::Animated => ErrorCode::AnimatedImage,
            I::Corrupt(_) => ErrorCode::CorruptImage,
        }
    }
}

impl From<&crate::ocr::OcrError> for ErrorCode {
    fn from(e: &crate::ocr::OcrError) -> ErrorCode {
        use crate::ocr::OcrError as O;
        match e {
            O::Image(i) => i.into(),
            O::NoText => ErrorCode::NoTextInImage,
            O::Unavailable(_) => ErrorCode::OcrUnavailable,
            O::Busy { .. } => ErrorCode::OcrBusy,
            O::Timeout { .. } => ErrorCode::OcrTimeout,
            O::Failed(_) => ErrorCode::Internal,
        }
    }
}

impl From<&crate::upload::UploadError> for ErrorCode {
    fn from(e: &crate::upload::UploadError) -> ErrorCode {
        use crate::upload::UploadError as U;
        match e {
            U::Image(i) => i.into(),
            U::NotAnImage(_) => ErrorCode::UnsupportedMediaType,
            U::NoImageField => ErrorCode::EmptyImage,
            U::Malformed(_) => ErrorCode::InvalidRequest,
        }
    }
}

/// `{"error": {"code": "…", "message": "…"}}`: how the JSON surfaces (API, WeChat) say it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    /// The id of the request (also in the `X-Request-Id` header and the access log): quote it
    /// when reporting a problem. Absent on errors of single items inside a batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl ErrorBody {
    /// The error of the request being answered, with its id.
    pub fn new(code: ErrorCode, message: String) -> ErrorBody {
        ErrorBody { error: ErrorDetail { request_id: crate::request_id::current(), ..ErrorDetail::new(code, message) } }
    }
}

impl ErrorDetail {
    pub fn new(code: ErrorCode, message: String) -> ErrorDetail {
        ErrorDetail { code: code.as_str().to_string(), message, request_id: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            assert!(seen.insert(c.as_str()), "{} twice", c.as_str());
            assert!(c.as_str().chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'));
            assert!((400..600).contains(&c.status()));
            assert!(!c.advice().is_empty());
        }
    }
}
