//! The model layer: the data every stage shares, and nothing else. It depends on std,
//! serde and hashbrown (for [`Urls`]) only, so any stage may use it and it can use no
//! stage.
//!
//! - [`document`]: what the parser sees (links, cells, rows, tables, blocks) and the
//!   [`Entry`] (one paper row) the rules and reports work on;
//! - [`finding`]: [`Finding`], [`Severity`], [`Fix`] and the table order a finding
//!   carries for `fix`;
//! - [`rule`]: [`RuleId`] and the rule registry [`RULES`];
//! - [`link`]: [`LinkStatus`], [`Hop`], [`LinkStats`];
//! - [`urls`]: [`Urls`] (a run's distinct URLs, each stored once) and
//!   [`LinkResults`] (statuses by URL);
//! - [`paper`]: [`PaperRef`], [`Paper`], [`Resolution`], [`MetaStats`];
//! - [`venue_truth`]: [`VenueTruth`], [`Placement`] (where an arXiv paper was published).

pub mod document;
pub mod finding;
pub mod link;
pub mod paper;
pub mod rule;
pub mod urls;
pub mod venue_truth;

pub use document::*;
pub use finding::{Finding, Fix, Severity, TableOrder};
pub use link::{Hop, LinkStats, LinkStatus, permanent_target};
pub use paper::{MetaStats, Paper, PaperRef, Resolution};
pub use rule::{RULES, Rule, RuleId};
pub use urls::{LinkResults, UrlId, Urls};
pub use venue_truth::{Placement, VenueTruth};
