//! piyao (辟谣): checks messages forwarded in Chinese group chats against a corpus of debunks.
//!
//! The engine (`corpus`, `text`, `index`, `matcher`, `engine`, `live`) knows nothing of HTTP;
//! the surfaces (`api`, `web`, `wechat`, `cli`) parse input, call `LiveEngine::check` and
//! translate; `server` assembles the surfaces into one actix application.

pub mod admin;
pub mod api;
pub mod cli;
pub mod config;
pub mod corpus;
pub mod engine;
pub mod error_code;
pub mod index;
pub mod input;
pub mod limits;
pub mod links;
pub mod live;
pub mod matcher;
pub mod metrics;
pub mod middleware;
pub mod ocr;
pub mod record;
pub mod reload;
pub mod reply;
pub mod request_id;
pub mod response;
pub mod server;
pub mod stable_hash;
pub mod state;
pub mod store;
pub mod text;
pub mod upload;
pub mod web;
pub mod wechat;
