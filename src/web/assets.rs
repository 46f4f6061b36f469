//! The stylesheet, the one script (the reply's copy button) and the favicon, compiled into the binary so a deployment is one file. They
//! change only with a release, so browsers may cache them (a day for the CSS, a week for the icon).

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, get};

#[get("/static/style.css")]
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/css; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "public, max-age=86400"))
        .body(include_str!("static/style.css"))
}

#[get("/static/reply.js")]
pub async fn reply_script() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/javascript; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "public, max-age=86400"))
        .body(include_str!("static/reply.js"))
}

#[get("/favicon.svg")]
pub async fn favicon() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "image/svg+xml"))
        .insert_header((CACHE_CONTROL, "public, max-age=604800"))
        .body(include_str!("static/favicon.svg"))
}
