//! Deployments: no replica available, fewer available than desired once a rollout is over, and
//! rollouts stuck past their progress deadline.

use crate::health::analyzer::{Analyzer, Check, Target, finding};
use k8s_openapi::api::apps::v1::Deployment;
use kubegenie_core::finding::{Finding, Recommendation, Severity};
use kubegenie_kube::snapshot::ClusterSnapshot;

/// No replica is available: the workload is down.
pub const UNAVAILABLE: Check = Check {
    id: "DEPLOY-UNAVAILABLE-001",
    severity: Severity::Critical,
    title: "Deployment has no available replica",
};
/// Some replicas are unavailable outside a rollout.
pub const DEGRADED: Check = Check {
    id: "DEPLOY-DEGRADED-001",
    severity: Severity::Medium,
    title: "Deployment has unavailable replicas",
};
/// The rollout exceeded `progressDeadlineSeconds`.
pub const STUCK_ROLLOUT: Check = Check {
    id: "DEPLOY-ROLLOUT-001",
    severity: Severity::High,
    title: "Deployment rollout is stuck",
};

/// The deployment analyzer.
pub struct Deployments;

impl Analyzer for Deployments {
    fn name(&self) -> &'static str {
        "deployments"
    }

    fn checks(&self) -> &'static [Check] {
        &[UNAVAILABLE, DEGRADED, STUCK_ROLLOUT]
    }

    fn analyze(&self, snap: &ClusterSnapshot, out: &mut Vec<Finding>) {
        for d in &snap.deployments {
            analyze_one(snap, d, out);
        }
    }
}

fn analyze_one(snap: &ClusterSnapshot, d: &Deployment, out: &mut Vec<Finding>) {
    let ns = d.metadata.namespace.as_deref().unwrap_or_default();
    let name = d.metadata.name.as_deref().unwrap_or_default();
    let t = Target::namespaced("Deployment", ns, name);
    let paused = d.spec.as_ref().and_then(|s| s.paused) == Some(true);
    let desired = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let Some(st) = &d.status else { return };
    let available = st.available_replicas.unwrap_or(0);
    let updated = st.updated_replicas.unwrap_or(0);
    let stuck = st.conditions.iter().flatten().find(|c| {
        c.type_ == "Progressing"
            && c.status == "False"
            && c.reason.as_deref() == Some("ProgressDeadlineExceeded")
    });
    let undo = format!("kubectl rollout undo -n {ns} deployment/{name}");
    let history = format!("kubectl rollout history -n {ns} deployment/{name}");
    let evidence = vec![format!(
        "replicas desired={desired} updated={updated} ready={} available={available}",
        st.ready_replicas.unwrap_or(0)
    )];
    if let Some(c) = stuck {
        out.push(finding(
            &STUCK_ROLLOUT,
            snap,
            t,
            format!(
                "rollout of deployment {name} exceeded its progress deadline: {}",
                c.message.as_deref().unwrap_or("no message")
            ),
            Recommendation::new(
                "Find why the new pods do not become available; roll back to the last working revision.",
                [
                    history.clone(),
                    undo.clone(),
                    format!("kubegenie diagnose deployment/{name} -n {ns}"),
                ],
            ),
            evidence.clone(),
        ));
    }
    // Mid-rollout (the first one included), unavailability is expected and the deadline
    // check covers it; a rollout is over when the controller says its new ReplicaSet is
    // available (or, without a Progressing condition, when every replica is updated).
    let progressing = st.conditions.iter().flatten().find(|c| c.type_ == "Progressing");
    let rolled_out = match progressing {
        Some(c) => c.reason.as_deref() == Some("NewReplicaSetAvailable") || stuck.is_some(),
        None => updated >= desired,
    } || paused;
    if desired == 0 || available >= desired || !rolled_out {
        return;
    }
    let (check, what) = if available == 0 {
        (
            &UNAVAILABLE,
            format!("deployment {name} has none of its {desired} replicas available"),
        )
    } else {
        (
            &DEGRADED,
            format!("deployment {name} has {available} of {desired} replicas available"),
        )
    };
    out.push(finding(
        check,
        snap,
        t,
        what,
        Recommendation::new(
            "Look at the deployment's pods for the cause (they are reported separately).",
            [
                format!("kubectl get pods -n {ns} -l {}", selector(d)),
                t.describe(),
                format!("kubegenie diagnose deployment/{name} -n {ns}"),
            ],
        ),
        evidence,
    ));
}

fn selector(d: &Deployment) -> String {
    d.spec
        .as_ref()
        .and_then(|s| s.selector.match_labels.as_ref())
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::fixtures::{deployment, ids, snapshot};
    use serde_json::json;

    #[test]
    fn availability_and_stuck_rollouts() {
        let mut snap = snapshot();
        snap.deployments = vec![
            deployment("shop", "ok", 3, json!({})),
            deployment(
                "shop",
                "down",
                2,
                json!({"status": {"availableReplicas": 0, "readyReplicas": 0}}),
            ),
            deployment("shop", "half", 4, json!({"status": {"availableReplicas": 2}})),
            // Mid-rollout: one new replica of three, and the deadline not passed yet.
            deployment(
                "shop",
                "rolling",
                3,
                json!({"status": {"updatedReplicas": 1, "availableReplicas": 2, "conditions": [
                    {"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated"}]}}),
            ),
            // A first rollout whose pods are created but not available yet.
            deployment(
                "shop",
                "new",
                1,
                json!({"status": {"availableReplicas": 0, "conditions": [
                    {"type": "Progressing", "status": "True", "reason": "NewReplicaSetCreated"}]}}),
            ),
            deployment(
                "shop",
                "stuck",
                3,
                json!({"status": {"updatedReplicas": 1, "availableReplicas": 3, "conditions": [
                    {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                     "message": "ReplicaSet \"stuck-7f\" has timed out progressing."}]}}),
            ),
        ];
        assert_eq!(
            ids(&Deployments, &snap),
            [
                "DEPLOY-UNAVAILABLE-001 down",
                "DEPLOY-DEGRADED-001 half",
                "DEPLOY-ROLLOUT-001 stuck"
            ]
        );
    }
}
