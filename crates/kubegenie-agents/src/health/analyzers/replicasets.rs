//! ReplicaSets (and ReplicationControllers) that cannot create their pods: quota, admission
//! webhooks, pod security (the `ReplicaFailure` condition, k8sgpt's rs analyzer).

use crate::health::analyzer::{Analyzer, Check, Target, finding};
use kubegenie_core::finding::{Finding, Recommendation, Severity};
use kubegenie_kube::snapshot::ClusterSnapshot;

/// The controller cannot create pods.
pub const CREATE_FAILED: Check = Check {
    id: "RS-CREATE-001",
    severity: Severity::High,
    title: "ReplicaSet cannot create pods",
};

/// The ReplicaSet analyzer.
pub struct ReplicaSets;

impl Analyzer for ReplicaSets {
    fn name(&self) -> &'static str {
        "replicasets"
    }

    fn checks(&self) -> &'static [Check] {
        &[CREATE_FAILED]
    }

    fn analyze(&self, snap: &ClusterSnapshot, out: &mut Vec<Finding>) {
        let rs = snap.replica_sets.iter().map(|r| {
            let conds = r.status.as_ref().and_then(|s| s.conditions.as_ref());
            let failure = conds
                .into_iter()
                .flatten()
                .find(|c| c.type_ == "ReplicaFailure" && c.status == "True")
                .map(|c| (c.reason.clone(), c.message.clone()));
            ("ReplicaSet", &r.metadata, failure)
        });
        let rc = snap.replication_controllers.iter().map(|r| {
            let conds = r.status.as_ref().and_then(|s| s.conditions.as_ref());
            let failure = conds
                .into_iter()
                .flatten()
                .find(|c| c.type_ == "ReplicaFailure" && c.status == "True")
                .map(|c| (c.reason.clone(), c.message.clone()));
            ("ReplicationController", &r.metadata, failure)
        });
        for (kind, meta, failure) in rs.chain(rc) {
            let Some((reason, message)) = failure else {
                continue;
            };
            let ns = meta.namespace.as_deref().unwrap_or_default();
            let name = meta.name.as_deref().unwrap_or_default();
            let t = Target::namespaced(kind, ns, name);
            out.push(finding(
                &CREATE_FAILED,
                snap,
                t,
                format!(
                    "{} {name} cannot create pods ({}): {}",
                    kind,
                    reason.as_deref().unwrap_or("FailedCreate"),
                    message.as_deref().unwrap_or("no message")
                ),
                Recommendation::new(
                    "Fix what rejects the pods: a ResourceQuota, LimitRange, admission webhook or pod security level.",
                    [t.describe(), format!("kubectl get resourcequota,limitrange -n {ns}")],
                ),
                vec![format!("condition ReplicaFailure=True reason={}", reason.as_deref().unwrap_or("-"))],
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::fixtures::{ids, object, snapshot};
    use serde_json::json;

    #[test]
    fn replica_failure_is_reported() {
        let mut snap = snapshot();
        snap.replica_sets = vec![
            object(json!({"metadata": {"name": "ok", "namespace": "a"}, "status": {"replicas": 1}})),
            object(
                json!({"metadata": {"name": "quota", "namespace": "a"}, "status": {"replicas": 0,
                "conditions": [{"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate",
                    "message": "pods \"x\" is forbidden: exceeded quota: compute"}]}}),
            ),
        ];
        assert_eq!(ids(&ReplicaSets, &snap), ["RS-CREATE-001 quota"]);
    }
}
