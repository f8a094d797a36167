//! One module per subcommand.

pub mod audit_manifests;
pub mod cluster;
pub mod demo;
pub mod fleet;
pub mod get;
pub mod history;
pub mod security;
pub mod sim;
