//! Pods as a whole: pending (with the scheduler's reason), running but not ready, evicted, and
//! stuck terminating.

use crate::health::analyzer::{Analyzer, Check, Target, finding};
use crate::health::objects::{age, human, workload_of};
use k8s_openapi::api::core::v1::{Pod, PodCondition};
use kubegenie_core::finding::{Finding, Recommendation, Severity};
use kubegenie_kube::snapshot::ClusterSnapshot;
use std::time::Duration;

/// The pod cannot be scheduled.
pub const PENDING: Check = Check {
    id: "POD-PENDING-001",
    severity: Severity::High,
    title: "Pod cannot be scheduled",
};
/// Running, but its readiness probe fails: it receives no traffic.
pub const NOT_READY: Check = Check {
    id: "POD-NOTREADY-001",
    severity: Severity::Medium,
    title: "Pod is running but not ready",
};
/// The kubelet evicted the pod (node pressure).
pub const EVICTED: Check = Check {
    id: "POD-EVICTED-001",
    severity: Severity::Low,
    title: "Pod was evicted",
};
/// Deleted long ago, still there.
pub const TERMINATING: Check = Check {
    id: "POD-TERMINATING-001",
    severity: Severity::Medium,
    title: "Pod is stuck terminating",
};

/// A pod not scheduled by any scheduler for this long is reported.
const UNSEEN_PENDING: Duration = Duration::from_secs(300);
/// A running pod may be not ready this long (startup) before it is reported.
const NOT_READY_GRACE: Duration = Duration::from_secs(120);
/// Beyond its grace period, a terminating pod may take this long before it is reported.
const TERMINATING_GRACE: Duration = Duration::from_secs(300);

/// The pod lifecycle analyzer.
pub struct PodLifecycle;

impl Analyzer for PodLifecycle {
    fn name(&self) -> &'static str {
        "pod-lifecycle"
    }

    fn checks(&self) -> &'static [Check] {
        &[PENDING, NOT_READY, EVICTED, TERMINATING]
    }

    fn analyze(&self, snap: &ClusterSnapshot, out: &mut Vec<Finding>) {
        for pod in &snap.pods {
            let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
            let name = pod.metadata.name.as_deref().unwrap_or_default();
            let t = Target::namespaced("Pod", ns, name);
            if pod.metadata.deletion_timestamp.is_some() {
                terminating(snap, pod, t, out);
                continue;
            }
            let status = pod.status.as_ref();
            match status.and_then(|s| s.phase.as_deref()) {
                Some("Pending") => pending(snap, pod, t, out),
                Some("Running") => not_ready(snap, pod, t, out),
                Some("Failed") if status.and_then(|s| s.reason.as_deref()) == Some("Evicted") => {
                    evicted(snap, pod, t, out)
                }
                _ => {}
            }
        }
    }
}

fn condition<'a>(pod: &'a Pod, ty: &str) -> Option<&'a PodCondition> {
    pod.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == ty)
}

fn pending(snap: &ClusterSnapshot, pod: &Pod, t: Target<'_>, out: &mut Vec<Finding>) {
    let scheduled = condition(pod, "PodScheduled");
    let (reason, evidence) = match scheduled {
        Some(c) if c.status == "False" => (
            c.message
                .clone()
                .unwrap_or_else(|| "the scheduler gave no reason".into()),
            format!(
                "condition PodScheduled=False reason={}",
                c.reason.as_deref().unwrap_or("-")
            ),
        ),
        None if age(snap, pod.metadata.creation_timestamp.as_ref()).is_some_and(|a| a > UNSEEN_PENDING) => {
            let scheduler = pod
                .spec
                .as_ref()
                .and_then(|s| s.scheduler_name.as_deref())
                .unwrap_or("default-scheduler");
            (
                format!("no scheduler has placed it; is {scheduler} running?"),
                format!("no PodScheduled condition; schedulerName={scheduler}"),
            )
        }
        _ => return,
    };
    let since = age(snap, pod.metadata.creation_timestamp.as_ref())
        .map(|a| format!(" for {}", human(a)))
        .unwrap_or_default();
    let mut commands = vec![
        t.describe(),
        "kubectl describe nodes | grep -A8 'Allocated resources'".into(),
    ];
    if let Some((k, n)) = workload_of(snap, pod) {
        commands.push(format!(
            "kubectl set resources -n {} {}/{n} --requests=cpu=<cpu>,memory=<memory>",
            t.namespace.unwrap_or_default(),
            k.to_ascii_lowercase()
        ));
    }
    out.push(finding(
        &PENDING,
        snap,
        t,
        format!("pod {} has been Pending{since}: {reason}", t.name),
        Recommendation::new(
            "Lower the pod's requests, relax its node selector, affinity or tolerations, or add nodes that fit.",
            commands,
        ),
        vec![evidence],
    ));
}

fn not_ready(snap: &ClusterSnapshot, pod: &Pod, t: Target<'_>, out: &mut Vec<Finding>) {
    let Some(ready) = condition(pod, "Ready").filter(|c| c.status != "True") else {
        return;
    };
    if age(snap, ready.last_transition_time.as_ref()).is_some_and(|a| a < NOT_READY_GRACE) {
        return;
    }
    let statuses = pod.status.as_ref().and_then(|s| s.container_statuses.as_ref());
    // Waiting or terminated containers are reported by the container checks, with the cause.
    let unready: Vec<&str> = statuses
        .into_iter()
        .flatten()
        .filter(|c| !c.ready)
        .filter(|c| c.state.as_ref().is_some_and(|s| s.running.is_some()))
        .map(|c| c.name.as_str())
        .collect();
    let all_running = statuses
        .into_iter()
        .flatten()
        .all(|c| c.state.as_ref().is_some_and(|s| s.running.is_some()));
    if unready.is_empty() || !all_running {
        return;
    }
    let probe_failures: Vec<String> = snap
        .events_for("Pod", t.namespace, t.name)
        .filter(|e| e.reason.as_deref() == Some("Unhealthy"))
        .filter_map(|e| e.message.clone())
        .take(3)
        .collect();
    let mut evidence = vec![format!("containers not ready: {}", unready.join(", "))];
    evidence.extend(probe_failures);
    out.push(finding(
        &NOT_READY,
        snap,
        t,
        format!(
            "pod {} runs but container(s) {} are not ready, so it receives no Service traffic",
            t.name,
            unready.join(", ")
        ),
        Recommendation::new(
            "Check the readiness probe (path, port, timeout) and what the application reports.",
            [
                t.describe(),
                format!("kubectl logs -n {} {}", t.namespace.unwrap_or_default(), t.name),
            ],
        ),
        evidence,
    ));
}

fn evicted(snap: &ClusterSnapshot, pod: &Pod, t: Target<'_>, out: &mut Vec<Finding>) {
    let msg = pod
        .status
        .as_ref()
        .and_then(|s| s.message.clone())
        .unwrap_or_else(|| "no message".into());
    out.push(finding(
        &EVICTED,
        snap,
        t,
        format!("pod {} was evicted: {msg}", t.name),
        Recommendation::new(
            "Delete the evicted pod; if evictions repeat, set memory requests close to usage or add capacity.",
            [format!("kubectl delete pod -n {} {}", t.namespace.unwrap_or_default(), t.name)],
        ),
        vec!["status.phase=Failed reason=Evicted".into()],
    ));
}

fn terminating(snap: &ClusterSnapshot, pod: &Pod, t: Target<'_>, out: &mut Vec<Finding>) {
    let grace = Duration::from_secs(pod.metadata.deletion_grace_period_seconds.unwrap_or(30).max(0) as u64);
    let Some(since) = age(snap, pod.metadata.deletion_timestamp.as_ref()) else {
        return;
    };
    if since < grace + TERMINATING_GRACE {
        return;
    }
    let finalizers = pod.metadata.finalizers.clone().unwrap_or_default();
    let node = pod
        .spec
        .as_ref()
        .and_then(|s| s.node_name.clone())
        .unwrap_or_default();
    let ns = t.namespace.unwrap_or_default();
    let mut commands = vec![t.describe()];
    if !finalizers.is_empty() {
        commands.push(format!(
            "kubectl patch pod -n {ns} {} --type merge -p '{{\"metadata\":{{\"finalizers\":null}}}}'",
            t.name
        ));
    }
    commands.push(format!(
        "kubectl delete pod -n {ns} {} --grace-period=0 --force",
        t.name
    ));
    let mut evidence = vec![format!("deletionTimestamp {} ago", human(since))];
    if !finalizers.is_empty() {
        evidence.push(format!("finalizers: {}", finalizers.join(", ")));
    }
    if !node.is_empty() {
        evidence.push(format!("node: {node}"));
    }
    out.push(finding(
        &TERMINATING,
        snap,
        t,
        format!(
            "pod {} was deleted {} ago and is still terminating{}",
            t.name,
            human(since),
            if finalizers.is_empty() {
                " (its node may be unreachable)".to_string()
            } else {
                format!(" (finalizers: {})", finalizers.join(", "))
            }
        ),
        Recommendation::new(
            "Check the node is up; remove stale finalizers, or force-delete once the node is known dead.",
            commands,
        ),
        evidence,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::fixtures::{HOUR_AGO, ids, pod, snapshot};
    use serde_json::json;

    #[test]
    fn lifecycle_problems_are_reported_once_each() {
        let mut snap = snapshot();
        snap.pods = vec![
            pod("shop", "ok", json!({})),
            pod(
                "data",
                "big",
                json!({"status": {"phase": "Pending", "containerStatuses": null, "conditions": [
                    {"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                     "message": "0/3 nodes are available: 3 Insufficient cpu."}]}}),
            ),
            pod(
                "shop",
                "probe",
                json!({"status": {"conditions": [{"type": "Ready", "status": "False", "lastTransitionTime": HOUR_AGO}],
                    "containerStatuses": [{"name": "app", "ready": false, "restartCount": 0, "image": "i",
                        "imageID": "", "state": {"running": {}}}]}}),
            ),
            pod(
                "shop",
                "gone",
                json!({"status": {"phase": "Failed", "reason": "Evicted",
                    "message": "The node was low on resource: memory."}}),
            ),
            pod(
                "shop",
                "stuck",
                json!({"metadata": {"deletionTimestamp": HOUR_AGO, "deletionGracePeriodSeconds": 30,
                    "finalizers": ["example.com/cleanup"]}}),
            ),
        ];
        assert_eq!(
            ids(&PodLifecycle, &snap),
            [
                "POD-PENDING-001 big",
                "POD-NOTREADY-001 probe",
                "POD-EVICTED-001 gone",
                "POD-TERMINATING-001 stuck"
            ]
        );
        let mut out = Vec::new();
        PodLifecycle.analyze(&snap, &mut out);
        assert!(out[0].message.contains("3 Insufficient cpu"));
        assert!(
            out[3]
                .remediation
                .commands
                .iter()
                .any(|c| c.contains("finalizers"))
        );
    }

    #[test]
    fn a_pod_just_turned_unready_is_given_time() {
        let mut snap = snapshot();
        snap.pods = vec![pod(
            "shop",
            "starting",
            json!({"status": {"conditions": [{"type": "Ready", "status": "False",
                "lastTransitionTime": crate::health::fixtures::NOW}],
                "containerStatuses": [{"name": "app", "ready": false, "restartCount": 0, "image": "i",
                    "imageID": "", "state": {"running": {}}}]}}),
        )];
        assert!(ids(&PodLifecycle, &snap).is_empty());
    }
}
