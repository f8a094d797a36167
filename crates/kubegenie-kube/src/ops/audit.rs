//! The audit entry of an executed plan: who, which operation, which clusters and objects (by
//! reference: a Secret's data never reaches the log), dry run or not, and each cluster's
//! result.

use kubegenie_core::plan::{ActionStatus, ClusterStatus, PlanOutcome};
use kubegenie_store::AuditEntry;
use serde_json::{Value, json};

/// The entry for `outcome`, executed by `actor` at `at`.
pub fn audit_entry(actor: &str, at: jiff::Timestamp, outcome: &PlanOutcome) -> AuditEntry {
    let per_cluster = outcome.per_cluster();
    let objects: Vec<Value> = outcome
        .results
        .iter()
        .map(|r| {
            json!({"cluster": r.cluster, "object": r.target.display(), "namespace": r.target.namespace,
                "change": r.change.describe()})
        })
        .collect();
    let mut result = serde_json::Map::new();
    for (cluster, status) in &per_cluster {
        let errors: Vec<String> = outcome
            .results
            .iter()
            .filter(|r| &r.cluster == cluster)
            .filter_map(|r| match &r.result {
                ActionStatus::Failed { error } => Some(format!("{}: {}", r.target.display(), error.message)),
                _ => None,
            })
            .chain(
                outcome
                    .errors
                    .iter()
                    .filter(|e| &e.cluster == cluster)
                    .map(|e| format!("{:?}: {}", e.reason, e.message)),
            )
            .collect();
        let status = match status {
            ClusterStatus::Succeeded => "succeeded",
            ClusterStatus::Failed => "failed",
            ClusterStatus::Skipped => "skipped",
        };
        result.insert(cluster.clone(), json!({"status": status, "errors": errors}));
    }
    AuditEntry {
        id: 0,
        at,
        actor: actor.to_string(),
        operation: outcome.operation.clone(),
        clusters: per_cluster.into_iter().map(|(c, _)| c).collect(),
        objects: Value::Array(objects),
        dry_run: serde_json::to_value(outcome.dry_run)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        outcome: Value::Object(result),
    }
}
