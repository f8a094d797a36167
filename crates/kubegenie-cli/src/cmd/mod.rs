//! One module per subcommand.

pub mod agents;
pub mod apply;
pub mod audit;
pub mod audit_manifests;
pub mod cluster;
pub mod common;
pub mod delete;
pub mod demo;
pub mod describe;
pub mod fleet;
pub mod get;
pub mod health;
pub mod history;
pub mod logs;
pub mod parse;
pub mod rollout;
pub mod scale;
pub mod security;
pub mod serve;
pub mod sim;
pub mod tasks;
pub mod token;
pub mod top;
pub mod watch;
pub mod write;

/// The user pressed Ctrl-C: the command stopped early (exit code 130, as shells report SIGINT).
#[derive(Debug, thiserror::Error)]
#[error("interrupted")]
pub struct Interrupted;
