//! paperlint keeps curated paper lists healthy: it reads the markdown tables of an
//! "awesome" list the way GitHub renders them, and reports rows that are broken,
//! malformed or inconsistent.
//!
//! # Layout
//! The modules form layers; a module imports only modules below it (ARCHITECTURE.md
//! draws them, `tests/it/layers.rs` enforces it):
//!
//! 1. [`model`]: the shared data (documents, entries, findings, rule ids, link
//!    statuses, interned URLs, papers); std, serde and hashbrown only.
//! 2. Pure helpers and knowledge: [`text`] (normalisation, excerpts), [`source`]
//!    (read a file, line/column), [`autolink`], [`memory`] (malloc's settings, packed
//!    flags), [`scholarly`] (what a URL says about a paper), [`venue`] (the venue
//!    model), [`parse`] (markdown → tables, cells, links with byte spans), [`config`].
//! 3. Pure stages: [`extract`] (rows → [`model::Entry`]), [`rules`] (entries →
//!    [`model::Finding`]s), [`report`] (human, JSON, markdown, GitHub); [`pipeline`]
//!    runs them on one file; [`suppress`] reads the comments that silence findings;
//!    [`fix`] applies the fixes; [`init`] writes a repository's setup.
//! 4. Network: [`net`] (HTTP client, rate-limit headers, address guard, host pacing)
//!    and [`cache`] (the persistent cache); the network stages [`check`] (link health)
//!    and [`metadata`] (registries); [`online`] orders them.
//! 5. [`github`] (the bot and Actions outputs), then [`cli`] on top.

#![warn(missing_docs, unreachable_pub)]

pub mod autolink;
pub mod cache;
pub mod check;
pub mod cli;
pub mod config;
pub mod extract;
pub mod fix;
pub mod github;
pub mod init;
pub mod memory;
pub mod metadata;
pub mod model;
pub mod net;
pub mod online;
pub mod output;
pub mod parse;
pub mod pipeline;
pub mod report;
pub mod rules;
pub mod scholarly;
pub mod source;
pub mod suppress;
pub mod text;
pub mod venue;

pub use pipeline::{Linted, entries, lint};
