//! Operations across clusters, each producing a typed outcome with per-cluster error rows.

pub mod get;
pub mod sort_by;
pub mod watch;
