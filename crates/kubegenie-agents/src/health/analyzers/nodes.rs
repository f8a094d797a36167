//! Nodes: not ready, under pressure, cordoned, and kubelets outside the version skew policy.

use crate::health::analyzer::{Analyzer, Check, Target, finding};
use crate::health::objects::{age, human, minor};
use k8s_openapi::api::core::v1::Node;
use kubegenie_core::finding::{Finding, Recommendation, Severity};
use kubegenie_kube::snapshot::ClusterSnapshot;

/// The node is not Ready (or its kubelet stopped reporting).
pub const NOT_READY: Check = Check {
    id: "NODE-NOTREADY-001",
    severity: Severity::Critical,
    title: "Node is not ready",
};
/// Memory, disk or PID pressure, or the network is unavailable.
pub const PRESSURE: Check = Check {
    id: "NODE-PRESSURE-001",
    severity: Severity::High,
    title: "Node reports a pressure condition",
};
/// Cordoned: no new pods are scheduled there.
pub const UNSCHEDULABLE: Check = Check {
    id: "NODE-UNSCHEDULABLE-001",
    severity: Severity::Low,
    title: "Node is cordoned",
};
/// The kubelet's version is outside the supported skew with the API server.
pub const VERSION_SKEW: Check = Check {
    id: "NODE-VERSIONSKEW-001",
    severity: Severity::Medium,
    title: "Kubelet version skew is unsupported",
};

/// Kubelets may be at most this many minor versions older than the API server (since 1.28).
const MAX_KUBELET_LAG: u32 = 3;

/// The node analyzer.
pub struct Nodes;

impl Analyzer for Nodes {
    fn name(&self) -> &'static str {
        "nodes"
    }

    fn checks(&self) -> &'static [Check] {
        &[NOT_READY, PRESSURE, UNSCHEDULABLE, VERSION_SKEW]
    }

    fn analyze(&self, snap: &ClusterSnapshot, out: &mut Vec<Finding>) {
        for node in &snap.nodes {
            let name = node.metadata.name.as_deref().unwrap_or_default();
            let t = Target::cluster("Node", name);
            ready(snap, node, t, out);
            pressure(snap, node, t, out);
            if node.spec.as_ref().and_then(|s| s.unschedulable) == Some(true) {
                out.push(finding(
                    &UNSCHEDULABLE,
                    snap,
                    t,
                    format!("node {name} is cordoned: new pods are not scheduled on it"),
                    Recommendation::new(
                        "Uncordon the node once its maintenance is over.",
                        [format!("kubectl uncordon {name}")],
                    ),
                    vec!["spec.unschedulable=true".into()],
                ));
            }
            skew(snap, node, t, out);
        }
    }
}

fn ready(snap: &ClusterSnapshot, node: &Node, t: Target<'_>, out: &mut Vec<Finding>) {
    let conds = node.status.as_ref().and_then(|s| s.conditions.as_ref());
    let Some(c) = conds.into_iter().flatten().find(|c| c.type_ == "Ready") else {
        return;
    };
    if c.status == "True" {
        return;
    }
    let since = age(snap, c.last_transition_time.as_ref())
        .map(|d| format!(" for {}", human(d)))
        .unwrap_or_default();
    let why = c.message.clone().unwrap_or_else(|| "no message".into());
    out.push(finding(
        &NOT_READY,
        snap,
        t,
        format!(
            "node {} has been NotReady{since} (Ready={}): {why}; its pods are being evicted or are unreachable",
            t.name, c.status
        ),
        Recommendation::new(
            "Check the kubelet and the machine; cordon and drain the node if it does not recover.",
            [
                t.describe(),
                format!("kubectl cordon {}", t.name),
                format!("kubectl drain {} --ignore-daemonsets --delete-emptydir-data", t.name),
            ],
        ),
        vec![format!(
            "condition Ready={} reason={}",
            c.status,
            c.reason.as_deref().unwrap_or("-")
        )],
    ));
}

fn pressure(snap: &ClusterSnapshot, node: &Node, t: Target<'_>, out: &mut Vec<Finding>) {
    let conds = node.status.as_ref().and_then(|s| s.conditions.as_ref());
    for c in conds.into_iter().flatten() {
        let kind = c.type_.as_str();
        if !matches!(
            kind,
            "MemoryPressure" | "DiskPressure" | "PIDPressure" | "NetworkUnavailable"
        ) || c.status != "True"
        {
            continue;
        }
        let advice = match kind {
            "MemoryPressure" => {
                "Move or right-size memory-hungry pods; the kubelet evicts pods under pressure."
            }
            "DiskPressure" => "Free disk (images, logs, emptyDir volumes) or grow the node's disk.",
            "PIDPressure" => "Find the pod leaking processes; raise pid limits only after.",
            _ => "Check the node's network plugin (CNI) pods and routes.",
        };
        out.push(finding(
            &PRESSURE,
            snap,
            t,
            format!(
                "node {} reports {kind}: {}",
                t.name,
                c.message.as_deref().unwrap_or("no message")
            ),
            Recommendation::new(
                advice,
                [t.describe(), "kubectl top pods -A --sort-by=memory".to_string()],
            ),
            vec![format!("condition {kind}=True")],
        ));
    }
}

fn skew(snap: &ClusterSnapshot, node: &Node, t: Target<'_>, out: &mut Vec<Finding>) {
    let Some(server) = snap.server_version.as_deref() else {
        return;
    };
    let kubelet = node
        .status
        .as_ref()
        .and_then(|s| s.node_info.as_ref())
        .map(|i| i.kubelet_version.as_str());
    let (Some(sv), Some(kv)) = (minor(server), kubelet.and_then(minor)) else {
        return;
    };
    let problem = if kv > sv {
        format!("is newer than the API server ({server})")
    } else if sv - kv > MAX_KUBELET_LAG {
        format!(
            "is {} minor versions older than the API server ({server}); at most {MAX_KUBELET_LAG} are supported",
            sv - kv
        )
    } else {
        return;
    };
    let kubelet = kubelet.unwrap_or_default();
    out.push(finding(
        &VERSION_SKEW,
        snap,
        t,
        format!("kubelet {kubelet} on node {} {problem}", t.name),
        Recommendation::new(
            "Upgrade (or replace) the node so its kubelet is within the skew policy.",
            [
                format!(
                    "kubectl drain {} --ignore-daemonsets --delete-emptydir-data",
                    t.name
                ),
                "kubectl version".to_string(),
            ],
        ),
        vec![format!("kubeletVersion={kubelet} server={server}")],
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::fixtures::{ids, node, snapshot};
    use serde_json::json;

    #[test]
    fn healthy_nodes_have_no_findings() {
        let mut snap = snapshot();
        snap.nodes = vec![node("n1", json!({}))];
        assert!(ids(&Nodes, &snap).is_empty());
    }

    #[test]
    fn not_ready_pressure_cordon_and_skew_are_reported() {
        let mut snap = snapshot();
        snap.nodes = vec![
            node(
                "down",
                json!({"status": {"conditions": [
                        {"type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown",
                         "message": "Kubelet stopped posting node status."}]}}),
            ),
            node(
                "full",
                json!({"status": {"conditions": [
                        {"type": "Ready", "status": "True"},
                        {"type": "DiskPressure", "status": "True", "message": "ephemeral storage low"}]}}),
            ),
            node("cordoned", json!({"spec": {"unschedulable": true}})),
            node(
                "old",
                json!({"status": {"nodeInfo": {"kubeletVersion": "v1.28.4"}}}),
            ),
        ];
        assert_eq!(
            ids(&Nodes, &snap),
            [
                "NODE-NOTREADY-001 down",
                "NODE-PRESSURE-001 full",
                "NODE-UNSCHEDULABLE-001 cordoned",
                "NODE-VERSIONSKEW-001 old",
            ]
        );
        let mut out = Vec::new();
        Nodes.analyze(&snap, &mut out);
        assert!(out[0].message.contains("Kubelet stopped posting"));
        assert!(
            out[0]
                .remediation
                .commands
                .contains(&"kubectl cordon down".to_string())
        );
    }
}
