//! paperlint's integration tests: one binary, one module per area.

mod bot;
mod cli;
mod corpus;
mod distribution;
mod fix;
mod github;
mod hostile;
mod init;
mod install;
mod layers;
mod links;
mod manners;
mod metadata;
mod proxy;
mod reports;
mod server;
mod stages;
mod support;
mod venue_regression;
mod venues;
mod verdicts;
