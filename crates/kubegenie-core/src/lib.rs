//! Vocabulary shared by every KubeGenie crate: cluster selection, the typed [`operation::Operation`]
//! every front end produces, the typed outcomes handlers return (objects and tables tagged with
//! their cluster, error rows per failed cluster), error classes with fix hints, and
//! [`plan::Plan`]s of actions for writes; findings and recommendations follow.
//!
//! This crate does no I/O. See `docs/ARCHITECTURE.md` for the layering.
//!
//! ```
//! use kubegenie_core::selection::{Candidate, ClusterSelection, parse_label_selector};
//! use std::collections::BTreeMap;
//!
//! let prod: BTreeMap<String, String> = [("env".to_string(), "prod".to_string())].into();
//! let dev = BTreeMap::new();
//! let fleet = [Candidate { name: "prod-us", labels: &prod }, Candidate { name: "dev", labels: &dev }];
//! let sel = ClusterSelection { label_selector: parse_label_selector("env=prod").unwrap(), ..Default::default() };
//! assert_eq!(sel.resolve(&fleet, None).unwrap(), ["prod-us"]);
//! ```

pub mod finding;
pub mod operation;
pub mod outcome;
pub mod plan;
pub mod quantity;
pub mod render;
pub mod selection;
pub mod task;
