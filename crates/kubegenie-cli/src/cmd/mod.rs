//! One module per subcommand.

pub mod cluster;
pub mod demo;
pub mod fleet;
pub mod get;
pub mod history;
pub mod sim;
pub mod watch;

/// The user pressed Ctrl-C: the command stopped early (exit code 130, as shells report SIGINT).
#[derive(Debug, thiserror::Error)]
#[error("interrupted")]
pub struct Interrupted;
