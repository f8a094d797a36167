//! The node lifecycle controller and taint-eviction controller of kube-controller-manager: a
//! node whose kubelet stops renewing its Lease turns Unknown after the grace period, nodes get
//! the taints of their conditions (not-ready, unreachable, unschedulable, memory-pressure),
//! pods on a lost node turn not Ready, and pods that do not tolerate a NoExecute taint are
//! evicted once their toleration seconds run out (their controllers recreate them elsewhere).
//!
//! Scripts fail a node with the annotation `sim.kubegenie.io/fail: "true"` (its kubelet stops)
//! or by setting its Ready condition to False.

use super::Controller;
use super::events::{self, EventType, Source};
use super::kubelet::container::{after, secs};
use super::scheduler::{set_condition, tolerates};
use crate::catalog::StorageKey;
use crate::handlers::delete::{self, DeleteOpts};
use crate::handlers::write::{self, Opts};
use crate::object::{self, format_time};
use crate::state::ClusterState;
use jiff::Timestamp;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// The annotation that stops a node's kubelet.
pub const FAIL_ANNOTATION: &str = "sim.kubegenie.io/fail";
/// `--node-monitor-grace-period` (50 s since 1.32).
const GRACE: f64 = 50.0;
const NOT_READY: &str = "node.kubernetes.io/not-ready";
const UNREACHABLE: &str = "node.kubernetes.io/unreachable";
const UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";
const MEMORY_PRESSURE: &str = "node.kubernetes.io/memory-pressure";
const MANAGED: [&str; 4] = [NOT_READY, UNREACHABLE, UNSCHEDULABLE, MEMORY_PRESSURE];

/// The node lifecycle and taint-eviction controllers.
pub struct NodeLifecycle;

/// Whether a node's kubelet runs: not failed by annotation and not reported NotReady.
pub fn kubelet_running(node: &Value) -> bool {
    let failed = node["metadata"]["annotations"][FAIL_ANNOTATION] == "true";
    !failed && condition_status(node, "Ready") != "False"
}

fn condition_status<'a>(node: &'a Value, kind: &str) -> &'a str {
    node["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["type"] == kind)
        .and_then(|c| c["status"].as_str())
        .unwrap_or("Unknown")
}

impl Controller for NodeLifecycle {
    fn name(&self) -> &'static str {
        "node-lifecycle"
    }

    fn reconcile(&self, st: &Arc<ClusterState>) -> Option<Duration> {
        let now = st.clock.now();
        let (nodes, _) = st.store.list(&StorageKey::new("", "nodes"), None);
        let mut next: Option<Timestamp> = None;
        for n in &nodes {
            let mut node = n.value.clone();
            if let Some(lost) = check_lease(st, &node, now) {
                node = lost;
            }
            if let Some(updated) = sync_taints(st, &node, now) {
                node = updated;
            }
            if condition_status(&node, "Ready") != "True" {
                let due = handle_lost_node(st, &node, now);
                next = match (next, due) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
        }
        next.map(|t| Duration::try_from(t.duration_since(now)).unwrap_or(Duration::ZERO))
    }
}

/// A Ready node whose lease is older than the grace period turns Unknown.
fn check_lease(st: &Arc<ClusterState>, node: &Value, now: Timestamp) -> Option<Value> {
    // A running simulated kubelet renews its lease in the pass before this one, so a stale
    // lease then only means the process fell behind an accelerated clock on a loaded machine;
    // that must not fail nodes and evict their pods. Only a stopped kubelet goes silent.
    if condition_status(node, "Ready") != "True" || kubelet_running(node) {
        return None;
    }
    let name = object::name(node);
    let lease = st.store.get(
        &StorageKey::new("coordination.k8s.io", "leases"),
        "kube-node-lease",
        name,
    )?;
    let renewed: Timestamp = lease.value["spec"]["renewTime"].as_str()?.parse().ok()?;
    if secs(renewed, now) <= GRACE {
        return None;
    }
    let rt = st.resource("", "v1", "nodes")?;
    let mut v = node.clone();
    let stamp = format_time(now);
    for c in v["status"]["conditions"].as_array_mut().into_iter().flatten() {
        c["status"] = json!("Unknown");
        c["reason"] = json!("NodeStatusUnknown");
        c["message"] = json!("Kubelet stopped posting node status.");
        c["lastTransitionTime"] = json!(stamp);
    }
    let res = write::update(
        st,
        &rt,
        None,
        name,
        v,
        Some("status"),
        &Opts::internal("node-controller"),
    )
    .ok()?;
    let msg = format!("Node {name} status is now: NodeNotReady");
    events::record(
        st,
        node,
        None,
        EventType::Normal,
        "NodeNotReady",
        &msg,
        source("node-controller"),
    );
    Some(res.obj)
}

fn source(component: &str) -> Source<'_> {
    Source {
        component,
        host: None,
    }
}

/// The taints a node's conditions and spec call for.
fn wanted_taints(node: &Value) -> Vec<(&'static str, &'static str)> {
    let mut want = Vec::new();
    match condition_status(node, "Ready") {
        "False" => want.extend([(NOT_READY, "NoExecute"), (NOT_READY, "NoSchedule")]),
        "True" => {}
        _ => want.extend([(UNREACHABLE, "NoExecute"), (UNREACHABLE, "NoSchedule")]),
    }
    if node["spec"]["unschedulable"] == true {
        want.push((UNSCHEDULABLE, "NoSchedule"));
    }
    if condition_status(node, "MemoryPressure") == "True" {
        want.push((MEMORY_PRESSURE, "NoSchedule"));
    }
    want
}

/// Adds and removes the condition taints; returns the updated node when it changed.
fn sync_taints(st: &Arc<ClusterState>, node: &Value, now: Timestamp) -> Option<Value> {
    let want = wanted_taints(node);
    let current: Vec<Value> = node["spec"]["taints"].as_array().cloned().unwrap_or_default();
    let has = |k: &str, e: &str| current.iter().any(|t| t["key"] == k && t["effect"] == e);
    let mut taints: Vec<Value> = current
        .iter()
        .filter(|t| {
            let key = t["key"].as_str().unwrap_or_default();
            let effect = t["effect"].as_str().unwrap_or_default();
            !MANAGED.contains(&key) || want.iter().any(|(k, e)| *k == key && *e == effect)
        })
        .cloned()
        .collect();
    for (k, e) in &want {
        if !has(k, e) {
            let mut t = json!({"key": k, "effect": e});
            if *e == "NoExecute" {
                t["timeAdded"] = json!(format_time(now));
            }
            taints.push(t);
        }
    }
    if taints == current {
        return None;
    }
    let rt = st.resource("", "v1", "nodes")?;
    let mut v = node.clone();
    if taints.is_empty() {
        if let Some(spec) = v["spec"].as_object_mut() {
            spec.remove("taints");
        }
    } else {
        v["spec"]["taints"] = Value::Array(taints);
    }
    let name = object::name(node);
    write::update(st, &rt, None, name, v, None, &Opts::internal("node-controller"))
        .ok()
        .map(|r| r.obj)
}

/// When a pod must leave a node with these NoExecute taints: `None` when it tolerates them
/// all forever, else the eviction time.
fn eviction_time(pod: &Value, taints: &[&Value], now: Timestamp) -> Option<Timestamp> {
    let mut at: Option<Timestamp> = None;
    for taint in taints {
        let added = taint["timeAdded"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .unwrap_or(now);
        let tols: Vec<&Value> = pod["spec"]["tolerations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| tolerates(t, taint))
            .collect();
        let this = if tols.is_empty() {
            Some(now)
        } else if tols
            .iter()
            .any(|t| t.get("tolerationSeconds").is_none_or(Value::is_null))
        {
            None
        } else {
            let secs = tols
                .iter()
                .filter_map(|t| t["tolerationSeconds"].as_f64())
                .fold(f64::INFINITY, f64::min);
            Some(after(added, secs.max(0.0)))
        };
        if let Some(t) = this {
            at = Some(at.map_or(t, |a| a.min(t)));
        }
    }
    at
}

/// Marks pods of a lost node not Ready and evicts those whose toleration ran out; returns the
/// next eviction time.
fn handle_lost_node(st: &Arc<ClusterState>, node: &Value, now: Timestamp) -> Option<Timestamp> {
    let name = object::name(node);
    let taints: Vec<&Value> = node["spec"]["taints"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["effect"] == "NoExecute")
        .collect();
    let rt = st.resource("", "v1", "pods")?;
    let (pods, _) = st.store.list(&rt.storage, None);
    let mut next: Option<Timestamp> = None;
    for p in pods.iter().filter(|p| p.value["spec"]["nodeName"] == name) {
        let pod = &p.value;
        if object::is_deleting(pod) || matches!(pod["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
        {
            continue;
        }
        let (ns, pname) = (object::namespace(pod).to_string(), object::name(pod).to_string());
        let mut pod = pod.clone();
        if mark_not_ready(&mut pod, now) {
            if let Ok(r) = write::update(
                st,
                &rt,
                Some(&ns),
                &pname,
                pod.clone(),
                Some("status"),
                &Opts::internal("node-controller"),
            ) {
                pod = r.obj;
            }
            let src = source("node-controller");
            events::record(
                st,
                &pod,
                None,
                EventType::Warning,
                "NodeNotReady",
                "Node is not ready",
                src,
            );
        }
        let Some(at) = eviction_time(&pod, &taints, now) else {
            continue;
        };
        if at > now {
            next = Some(next.map_or(at, |n| n.min(at)));
            continue;
        }
        let msg = format!("Marking for deletion Pod {ns}/{pname}");
        events::record(
            st,
            &pod,
            None,
            EventType::Normal,
            "TaintManagerEviction",
            &msg,
            source("taint-eviction-controller"),
        );
        set_condition(
            &mut pod,
            json!({"type": "DisruptionTarget", "status": "True", "reason": "DeletionByTaintManager",
            "message": "Taint manager: deleting due to NoExecute taint", "lastProbeTime": null, "lastTransitionTime": format_time(now)}),
        );
        let _ = write::update(
            st,
            &rt,
            Some(&ns),
            &pname,
            pod,
            Some("status"),
            &Opts::internal("taint-eviction-controller"),
        );
        let _ = delete::delete_object(st, &rt, &ns, &pname, &DeleteOpts::default());
    }
    next
}

/// `MarkPodsNotReady`: the Ready condition turns False; true when it changed.
fn mark_not_ready(pod: &mut Value, now: Timestamp) -> bool {
    let mut changed = false;
    for c in pod["status"]["conditions"].as_array_mut().into_iter().flatten() {
        if c["type"] == "Ready" && c["status"] != "False" {
            c["status"] = json!("False");
            c["lastTransitionTime"] = json!(format_time(now));
            changed = true;
        }
    }
    changed
}
