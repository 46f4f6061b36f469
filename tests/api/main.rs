//! The one integration-test binary: the real app on port 0, a real index on disk, real HTTP.

mod helpers;

mod access_log;
mod admin;
mod batch;
mod bench;
mod browser;
mod check;
mod claimreview;
mod corpus_errors;
mod errors;
mod images;
mod limits;
mod lookups;
mod metrics;
mod openapi;
mod recording;
mod reindex;
mod robustness;
mod security_headers;
mod web_pages;
mod wechat;
