//! piyao (辟谣): checks messages forwarded in Chinese group chats against a corpus of debunks.

pub mod api;
pub mod cli;
pub mod config;
pub mod corpus;
pub mod engine;
pub mod index;
pub mod live;
pub mod matcher;
pub mod message;
pub mod noise;
pub mod server;
pub mod text;
pub mod verdict;
pub mod web;
pub mod wechat;
