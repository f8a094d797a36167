//! One module per subcommand.

pub mod apply;
pub mod audit;
pub mod cluster;
pub mod common;
pub mod delete;
pub mod demo;
pub mod describe;
pub mod fleet;
pub mod get;
pub mod history;
pub mod logs;
pub mod rollout;
pub mod scale;
pub mod parse;
pub mod sim;
pub mod top;
pub mod write;
