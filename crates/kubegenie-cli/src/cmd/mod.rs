//! One module per subcommand.

pub mod cluster;
pub mod demo;
pub mod history;
pub mod sim;
