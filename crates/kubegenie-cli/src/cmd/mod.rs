//! One module per subcommand.

pub mod cluster;
pub mod demo;
pub mod fleet;
pub mod get;
pub mod history;
pub mod serve;
pub mod sim;
pub mod token;
