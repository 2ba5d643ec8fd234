//! paperlint's integration tests: one binary, one module per area.

mod cli;
mod corpus;
mod fix;
mod github;
mod links;
mod metadata;
mod reports;
mod server;
mod support;
