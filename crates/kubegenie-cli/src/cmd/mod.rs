//! One module per subcommand.

pub mod cluster;
pub mod demo;
pub mod fleet;
pub mod get;
pub mod history;
pub mod parse;
pub mod sim;
