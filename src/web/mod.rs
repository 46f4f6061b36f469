//! The HTML pages (askama): the check form and its result, with errors shown in the same layout.
//! Works without JavaScript; Chinese UI; mobile first.

mod pages;

use actix_web::web;

pub use pages::WebError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    pages::routes(cfg);
}
