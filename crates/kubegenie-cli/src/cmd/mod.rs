//! One module per subcommand.

pub mod agents;
pub mod cluster;
pub mod demo;
pub mod fleet;
pub mod get;
pub mod health;
pub mod history;
pub mod sim;
pub mod tasks;
