//! The kubelet's node heartbeats: the Lease renewed every 10 s, and the Node status posted
//! when a condition changes or every 5 min otherwise (nodeStatusReportFrequency), with
//! MemoryPressure computed from the simulated memory of the node's pods.

use super::container::secs;
use super::pod::PodRuntime;
use super::resources::allocatable;
use super::{NodeRuntime, events};
use crate::catalog::StorageKey;
use crate::control::events::EventType;
use crate::control::nodes::kubelet_running;
use crate::handlers::write::{self, Opts};
use crate::object::{self, format_micro_time, format_time};
use crate::observe::usage::{self, Replicas};
use crate::state::ClusterState;
use jiff::Timestamp;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Lease renewal interval.
const LEASE_EVERY: Duration = Duration::from_secs(10);
/// Status report interval when nothing changes.
const REPORT_EVERY: f64 = 300.0;

/// Renews leases and posts node status where due; returns when the next renewal is due.
pub(super) fn heartbeat(
    st: &Arc<ClusterState>,
    nodes: &mut HashMap<String, NodeRuntime>,
    pods: &HashMap<String, PodRuntime>,
    now: Timestamp,
) -> Option<Timestamp> {
    let (list, _) = st.store.list(&StorageKey::new("", "nodes"), None);
    let mut next: Option<Timestamp> = None;
    // Ready replicas per workload, counted once and only when some node reports.
    let mut replicas: Option<Replicas> = None;
    for n in &list {
        let v = &n.value;
        if !kubelet_running(v) {
            continue;
        }
        let name = object::name(v).to_string();
        let nrt = nodes.entry(name.clone()).or_default();
        if nrt.lease_due.is_none_or(|d| d <= now) {
            renew_lease(st, &name, now);
            let replicas = replicas.get_or_insert_with(|| {
                let (all, _) = st.store.list(&StorageKey::new("", "pods"), None);
                Replicas::count(all.iter().map(|s| &s.value))
            });
            post_status(st, v, memory_pressure(st, v, pods, replicas, now), now);
            nrt.lease_due = Some(super::container::after(now, LEASE_EVERY.as_secs_f64()));
        }
        next = match (next, nrt.lease_due) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    next
}

fn renew_lease(st: &Arc<ClusterState>, node: &str, now: Timestamp) {
    let Some(rt) = st.resource("coordination.k8s.io", "v1", "leases") else {
        return;
    };
    let Some(cur) = st.store.get(&rt.storage, "kube-node-lease", node) else {
        return;
    };
    let mut v = cur.value.clone();
    v["spec"]["renewTime"] = json!(format_micro_time(now));
    let _ = write::update(
        st,
        &rt,
        Some("kube-node-lease"),
        node,
        v,
        None,
        &Opts::internal("kubelet"),
    );
}

/// Working-set memory of a node's running containers, as the metrics API reports it.
fn memory_used(
    st: &ClusterState,
    node: &str,
    pods: &HashMap<String, PodRuntime>,
    replicas: &Replicas,
    now: Timestamp,
) -> f64 {
    let key = StorageKey::new("", "pods");
    let mut sum = 0.0;
    for p in pods.values().filter(|p| p.node == node) {
        let Some(stored) = st.store.get(&key, &p.ns, &p.name) else {
            continue;
        };
        for c in &p.main {
            sum += usage::container_usage(
                st.config.seed,
                &stored.value,
                &c.name,
                now,
                replicas.of(&stored.value),
            )
            .memory_bytes;
        }
    }
    sum
}

fn memory_pressure(
    st: &ClusterState,
    node: &Value,
    pods: &HashMap<String, PodRuntime>,
    replicas: &Replicas,
    now: Timestamp,
) -> bool {
    let alloc = allocatable(node).memory;
    alloc > 0.0 && memory_used(st, crate::object::name(node), pods, replicas, now) > alloc
}

fn condition<'a>(node: &'a Value, kind: &str) -> Option<&'a Value> {
    node["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == kind)
}

/// Posts the node status when a condition changes or the report interval passed.
fn post_status(st: &Arc<ClusterState>, node: &Value, pressure: bool, now: Timestamp) {
    let ready = condition(node, "Ready");
    let was_ready = ready.is_some_and(|c| c["status"] == "True");
    let was_pressure = condition(node, "MemoryPressure").is_some_and(|c| c["status"] == "True");
    let age = ready
        .and_then(|c| c["lastHeartbeatTime"].as_str())
        .and_then(|t| t.parse::<Timestamp>().ok())
        .map_or(f64::INFINITY, |t| secs(t, now));
    if was_ready && was_pressure == pressure && age < REPORT_EVERY {
        return;
    }
    let Some(rt) = st.resource("", "v1", "nodes") else {
        return;
    };
    let mut v = node.clone();
    let stamp = format_time(now);
    let want = |kind: &str| -> Option<(&str, &str, &str)> {
        match kind {
            "Ready" => Some(("True", "KubeletReady", "kubelet is posting ready status")),
            "MemoryPressure" if pressure => Some((
                "True",
                "KubeletHasInsufficientMemory",
                "kubelet has insufficient memory available",
            )),
            "MemoryPressure" => Some((
                "False",
                "KubeletHasSufficientMemory",
                "kubelet has sufficient memory available",
            )),
            "DiskPressure" => Some((
                "False",
                "KubeletHasNoDiskPressure",
                "kubelet has no disk pressure",
            )),
            "PIDPressure" => Some((
                "False",
                "KubeletHasSufficientPID",
                "kubelet has sufficient PID available",
            )),
            _ => None,
        }
    };
    if let Some(conds) = v["status"]["conditions"].as_array_mut() {
        for c in conds.iter_mut() {
            let kind = c["type"].as_str().unwrap_or_default().to_string();
            c["lastHeartbeatTime"] = json!(stamp);
            if let Some((status, reason, message)) = want(&kind) {
                if c["status"] != status {
                    c["lastTransitionTime"] = json!(stamp);
                }
                c["status"] = json!(status);
                c["reason"] = json!(reason);
                c["message"] = json!(message);
            }
        }
    }
    let name = object::name(node).to_string();
    if write::update(
        st,
        &rt,
        None,
        &name,
        v,
        Some("status"),
        &Opts::internal("kubelet"),
    )
    .is_err()
    {
        return;
    }
    let src = events::Source {
        component: "kubelet",
        host: Some(&name),
    };
    if !was_ready {
        let msg = format!("Node {name} status is now: NodeReady");
        events::record(st, node, None, EventType::Normal, "NodeReady", &msg, src);
    }
    if pressure != was_pressure {
        let (reason, msg) = if pressure {
            (
                "NodeHasInsufficientMemory",
                format!("Node {name} status is now: NodeHasInsufficientMemory"),
            )
        } else {
            (
                "NodeHasSufficientMemory",
                format!("Node {name} status is now: NodeHasSufficientMemory"),
            )
        };
        events::record(st, node, None, EventType::Normal, reason, &msg, src);
    }
}
