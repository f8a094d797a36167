//! One module per subcommand.

pub mod demo;
pub mod history;
pub mod sim;
