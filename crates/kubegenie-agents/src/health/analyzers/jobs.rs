//! Jobs that failed (back-off limit, deadline). For Jobs a CronJob owns, only its most recent
//! Job counts: an old failure followed by a success is history.

use crate::health::analyzer::{Analyzer, Check, Target, finding};
use k8s_openapi::api::batch::v1::Job;
use kubegenie_core::finding::{Finding, Recommendation, Severity};
use kubegenie_kube::snapshot::ClusterSnapshot;

/// The Job failed.
pub const FAILED: Check = Check {
    id: "JOB-FAILED-001",
    severity: Severity::High,
    title: "Job failed",
};

/// The Job analyzer.
pub struct Jobs;

fn cron_owner(j: &Job) -> Option<&str> {
    j.metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.kind == "CronJob")
        .map(|o| o.name.as_str())
}

/// Whether a newer Job of the same CronJob exists.
fn superseded(snap: &ClusterSnapshot, j: &Job) -> bool {
    let Some(owner) = cron_owner(j) else { return false };
    let created = j.metadata.creation_timestamp.as_ref().map(|t| t.0);
    snap.jobs.iter().any(|o| {
        o.metadata.namespace == j.metadata.namespace
            && cron_owner(o) == Some(owner)
            && o.metadata.creation_timestamp.as_ref().map(|t| t.0) > created
    })
}

impl Analyzer for Jobs {
    fn name(&self) -> &'static str {
        "jobs"
    }

    fn checks(&self) -> &'static [Check] {
        &[FAILED]
    }

    fn analyze(&self, snap: &ClusterSnapshot, out: &mut Vec<Finding>) {
        for j in &snap.jobs {
            let conds = j.status.as_ref().and_then(|s| s.conditions.as_ref());
            let Some(c) = conds
                .into_iter()
                .flatten()
                .find(|c| c.type_ == "Failed" && c.status == "True")
            else {
                continue;
            };
            if superseded(snap, j) {
                continue;
            }
            let ns = j.metadata.namespace.as_deref().unwrap_or_default();
            let name = j.metadata.name.as_deref().unwrap_or_default();
            let failed = j.status.as_ref().and_then(|s| s.failed).unwrap_or(0);
            out.push(finding(
                &FAILED,
                snap,
                Target::namespaced("Job", ns, name),
                format!(
                    "job {name} failed ({}): {}",
                    c.reason.as_deref().unwrap_or("Failed"),
                    c.message.as_deref().unwrap_or("no message")
                ),
                Recommendation::new(
                    "Read the failed pods' logs; fix the cause, then delete and re-create the Job.",
                    [
                        format!("kubectl logs -n {ns} job/{name}"),
                        format!("kubectl get pods -n {ns} -l job-name={name}"),
                    ],
                ),
                vec![
                    format!("failed pods: {failed}"),
                    format!("reason: {}", c.reason.as_deref().unwrap_or("-")),
                ],
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::fixtures::{ids, object, snapshot};
    use serde_json::json;

    fn job(name: &str, created: &str, failed: bool, cron: Option<&str>) -> Job {
        let mut j = json!({"metadata": {"name": name, "namespace": "data", "creationTimestamp": created},
            "status": {"failed": if failed { 6 } else { 0 }, "conditions": [
                {"type": if failed { "Failed" } else { "Complete" }, "status": "True",
                 "reason": if failed { "BackoffLimitExceeded" } else { "" },
                 "message": "Job has reached the specified backoff limit"}]}});
        if let Some(c) = cron {
            j["metadata"]["ownerReferences"] = json!([{"apiVersion": "batch/v1", "kind": "CronJob", "name": c, "uid": "c", "controller": true}]);
        }
        object(j)
    }

    #[test]
    fn failed_jobs_unless_a_newer_run_of_the_cronjob_exists() {
        let mut snap = snapshot();
        snap.jobs = vec![
            job("migrate", "2026-01-01T10:00:00Z", true, None),
            job("etl-1", "2026-01-01T10:00:00Z", true, Some("etl")),
            job("etl-2", "2026-01-01T11:00:00Z", false, Some("etl")),
            job("report-1", "2026-01-01T11:00:00Z", true, Some("report")),
        ];
        assert_eq!(
            ids(&Jobs, &snap),
            ["JOB-FAILED-001 migrate", "JOB-FAILED-001 report-1"]
        );
    }
}
