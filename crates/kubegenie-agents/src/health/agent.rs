//! The health agent: handles `health.scan` by taking one snapshot per cluster in scope and
//! running every analyzer over it.

use crate::agent::{Agent, AgentContext, AgentDescriptor, AgentHealth, Task, TaskOutput};
use crate::error::AgentError;
use crate::health::analyzer::Analyzer;
use crate::health::{analyzers, report};
use async_trait::async_trait;
use kubegenie_core::finding::Severity;
use kubegenie_kube::snapshot::{Scope, collect_fleet};
use serde::Deserialize;
use std::sync::Mutex;

/// The operation the health agent handles.
pub const SCAN: &str = "health.scan";

/// Parameters of `health.scan`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScanParams {
    /// Only this namespace (cluster-scoped checks still run).
    #[serde(default)]
    pub namespace: Option<String>,
    /// Drop findings below this severity.
    #[serde(default)]
    pub min_severity: Option<Severity>,
    /// Clusters to scan (names from the context); all when empty.
    #[serde(default)]
    pub clusters: Vec<String>,
}

/// Consecutive scans in which every cluster failed before the agent calls itself degraded.
const DEGRADED_AFTER: u32 = 3;

/// The health agent.
pub struct HealthAgent {
    analyzers: Vec<Box<dyn Analyzer>>,
    failed_scans: Mutex<u32>,
}

impl Default for HealthAgent {
    fn default() -> Self {
        Self {
            analyzers: analyzers::all(),
            failed_scans: Mutex::new(0),
        }
    }
}

impl HealthAgent {
    fn failed_scans(&self) -> std::sync::MutexGuard<'_, u32> {
        self.failed_scans.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl Agent for HealthAgent {
    fn descriptor(&self) -> AgentDescriptor {
        AgentDescriptor {
            name: "health".into(),
            domain: "health monitoring".into(),
            operations: vec![SCAN.into()],
        }
    }

    async fn initialize(&self, _ctx: &AgentContext) -> Result<(), AgentError> {
        *self.failed_scans() = 0;
        Ok(())
    }

    async fn health_check(&self) -> AgentHealth {
        let n = *self.failed_scans();
        if n >= DEGRADED_AFTER {
            AgentHealth::Degraded(format!("the last {n} scans reached no cluster"))
        } else {
            AgentHealth::Healthy
        }
    }

    async fn handle(&self, task: Task, ctx: &AgentContext) -> Result<TaskOutput, AgentError> {
        if task.operation != SCAN {
            return Err(AgentError::Failed(format!(
                "the health agent does not handle {}",
                task.operation
            )));
        }
        let params: ScanParams = if task.params.is_null() {
            ScanParams::default()
        } else {
            serde_json::from_value(task.params).map_err(|e| AgentError::InvalidParams(e.to_string()))?
        };
        let clusters: Vec<_> = ctx
            .clusters
            .iter()
            .filter(|c| params.clusters.is_empty() || params.clusters.contains(&c.name))
            .cloned()
            .collect();
        let scope = Scope {
            namespace: params.namespace.clone(),
        };
        let (snaps, errors) = collect_fleet(&clusters, &scope, ctx.fan_out).await;
        {
            let mut failed = self.failed_scans();
            *failed = if snaps.is_empty() && !errors.is_empty() {
                *failed + 1
            } else {
                0
            };
        }
        let mut r = report(&self.analyzers, &snaps, errors);
        if let Some(min) = params.min_severity {
            r.retain_at_least(min);
        }
        Ok(TaskOutput::Health(r))
    }

    async fn self_heal(&self) -> Result<(), AgentError> {
        *self.failed_scans() = 0;
        Ok(())
    }

    async fn shutdown(&self) -> Result<(), AgentError> {
        Ok(())
    }
}
