//! The `Agent` trait: a long-lived worker owning one domain (health, remediation, cost, ...),
//! with a lifecycle the orchestrator and supervisor drive.

use crate::error::AgentError;
use async_trait::async_trait;
use kubegenie_core::finding::HealthReport;
use kubegenie_core::task::TaskId;
use kubegenie_kube::fanout::FanOut;
use kubegenie_kube::ops::get::Connected;
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// What an agent is and does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentDescriptor {
    /// Unique name (`health`).
    pub name: String,
    /// Domain it owns (`health monitoring`).
    pub domain: String,
    /// Operations it handles (`health.scan`).
    pub operations: Vec<String>,
}

/// An agent's own view of its health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "reason", rename_all = "lowercase")]
pub enum AgentHealth {
    /// Working.
    Healthy,
    /// Working, with a problem worth showing.
    Degraded(String),
    /// Not working: the supervisor heals or restarts it.
    Failing(String),
}

/// What agents work with: the clusters in scope and how to reach them.
#[derive(Clone, Default)]
pub struct AgentContext {
    /// Connected clusters.
    pub clusters: Arc<Vec<Connected>>,
    /// Fan-out settings for multi-cluster work.
    pub fan_out: FanOut,
}

/// A unit of work for one agent.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// Id.
    pub id: TaskId,
    /// Operation (`health.scan`).
    pub operation: String,
    /// Parameters, as the operation defines them.
    pub params: Value,
    /// Which attempt this is (1 for the first).
    pub attempt: u32,
}

/// What a task produced.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "result", rename_all = "lowercase")]
pub enum TaskOutput {
    /// A health report.
    Health(HealthReport),
    /// Any other JSON result.
    Json(Value),
}

impl TaskOutput {
    /// One line about the result, kept in the task history.
    pub fn summary(&self) -> String {
        match self {
            Self::Health(r) => format!(
                "{} findings on {} clusters ({} failed), worst score {}",
                r.findings.len(),
                r.summary.clusters,
                r.summary.failed_clusters,
                r.summary.worst_score
            ),
            Self::Json(v) => {
                let s = v.to_string();
                if s.len() > 80 {
                    format!("{}...", &s[..s.floor_char_boundary(77)])
                } else {
                    s
                }
            }
        }
    }
}

/// An agent. Implementations must be cheap to call concurrently: the worker pool may run
/// several tasks of one agent at once.
#[async_trait]
pub trait Agent: Send + Sync {
    /// Name, domain and operations.
    fn descriptor(&self) -> AgentDescriptor;

    /// Prepares the agent (caches, connections). Called once per instance before any task.
    async fn initialize(&self, ctx: &AgentContext) -> Result<(), AgentError>;

    /// Reports whether the agent works. Must answer quickly: the supervisor treats a check
    /// that exceeds its timeout as failing.
    async fn health_check(&self) -> AgentHealth;

    /// Does one task.
    async fn handle(&self, task: Task, ctx: &AgentContext) -> Result<TaskOutput, AgentError>;

    /// Tries to repair the agent after a failing health check (reset caches, reconnect).
    async fn self_heal(&self) -> Result<(), AgentError>;

    /// Releases what the agent holds. Called before a restart and at shutdown.
    async fn shutdown(&self) -> Result<(), AgentError>;
}

/// Time limits of lifecycle calls made by the runtime.
#[derive(Debug, Clone, Copy)]
pub struct LifecycleTimeouts {
    /// `initialize`.
    pub initialize: Duration,
    /// `health_check`.
    pub health_check: Duration,
    /// `self_heal`.
    pub self_heal: Duration,
    /// `shutdown`.
    pub shutdown: Duration,
}

impl Default for LifecycleTimeouts {
    fn default() -> Self {
        Self {
            initialize: Duration::from_secs(30),
            health_check: Duration::from_secs(5),
            self_heal: Duration::from_secs(30),
            shutdown: Duration::from_secs(10),
        }
    }
}
