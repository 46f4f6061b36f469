//! The stylesheet, the two scripts (the reply's copy button; pasting a picture) and the favicon, compiled into the
//! binary so a deployment is one file. They change only with a release, so browsers may cache
//! them (a day for the CSS and the script, a week for the icon).

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, get};

const DAY: u32 = 86_400;

fn asset(content_type: &'static str, max_age: u32, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, content_type))
        .insert_header((CACHE_CONTROL, format!("public, max-age={max_age}")))
        .body(body)
}

#[get("/static/style.css")]
pub async fn stylesheet() -> HttpResponse {
    asset("text/css; charset=utf-8", DAY, include_str!("static/style.css"))
}

#[get("/static/reply.js")]
pub async fn reply_script() -> HttpResponse {
    asset("text/javascript; charset=utf-8", DAY, include_str!("static/reply.js"))
}

#[get("/static/picture.js")]
pub async fn picture_script() -> HttpResponse {
    asset("text/javascript; charset=utf-8", DAY, include_str!("static/picture.js"))
}

#[get("/favicon.svg")]
pub async fn favicon() -> HttpResponse {
    asset("image/svg+xml", 7 * DAY, include_str!("static/favicon.svg"))
}
