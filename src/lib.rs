//! paperlint: keeps curated paper lists healthy.
pub mod autolink;
pub mod model;
pub mod parse;
pub mod source;
