//! The `Agent` trait and lifecycle (initialize, health_check, handle, self_heal, shutdown), the
//! agent registry, the orchestrator with its bounded task queue, worker pool, timeouts, retries
//! and supervisor, and the agents themselves (health monitoring today; remediation, cost,
//! security, logs and others follow).
//!
//! Analysis here is pure: analyzers are functions from cluster snapshots (collected by
//! `kubegenie-kube`) to findings, unit-tested with fixtures.
//!
//! ```
//! use kubegenie_agents::health::{analyzers, report};
//! use kubegenie_kube::snapshot::ClusterSnapshot;
//!
//! let snap = ClusterSnapshot { cluster: "dev".into(), ..Default::default() };
//! let report = report(&analyzers::all(), &[snap], vec![]);
//! assert_eq!(report.clusters[0].score, 100);
//! ```

pub mod agent;
pub mod cost;
pub mod error;
pub mod health;
pub mod orchestrator;
pub mod registry;
pub mod schedule;
pub mod security;
pub mod supervisor;

pub use agent::{Agent, AgentContext, AgentDescriptor, AgentHealth, Task, TaskOutput};
pub use error::AgentError;
pub use orchestrator::{Orchestrator, OrchestratorConfig, TaskHandle, TaskRequest};
pub use registry::{AgentRegistry, AgentState, AgentStatus};
pub use supervisor::Supervisor;
#[cfg(test)]
mod runtime_tests;
