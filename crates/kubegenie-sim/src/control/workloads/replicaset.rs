//! The ReplicaSet controller (`pkg/controller/replicaset`): keeps `spec.replicas` active pods,
//! deletes the least valuable pods first, and reports replicas/fullyLabeled/ready/available.

use super::{Gate, OwnerIndex};
use crate::control::Controller;
use crate::control::events::{self, EventType, Source};
use crate::object;
use crate::selector::LabelSelector;
use crate::state::ClusterState;
use crate::store::Stored;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

const MANAGER: &str = "replicaset-controller";
/// `burstReplicas`: at most this many creations or deletions per sync.
const BURST: usize = 500;

/// The ReplicaSet controller.
#[derive(Default)]
pub struct ReplicaSets {
    gate: Gate,
}

impl Controller for ReplicaSets {
    fn name(&self) -> &'static str {
        MANAGER
    }

    fn reconcile(&self, st: &Arc<ClusterState>) -> Option<Duration> {
        self.gate.run(st, reconcile_all)
    }
}

fn reconcile_all(st: &Arc<ClusterState>) -> Option<Duration> {
    let (Some(rs_rt), Some(pod_rt)) = (
        super::resource(st, "apps", "replicasets"),
        super::resource(st, "", "pods"),
    ) else {
        return None;
    };
    let sets = st.store.list(&rs_rt.storage, None).0;
    if sets.is_empty() {
        return None;
    }
    let pods = OwnerIndex::build(st, &pod_rt);
    let mut requeue = None;
    for rs in &sets {
        let r = sync(st, &rs_rt, &pod_rt, &rs.value, &pods);
        requeue = super::sooner(requeue, r);
    }
    requeue
}

/// Pods owned by (or adopted by) a controller, active ones only.
pub(crate) fn claim_pods(
    st: &Arc<ClusterState>,
    pod_rt: &Arc<crate::catalog::ResourceType>,
    owner: &Value,
    sel: &LabelSelector,
    pods: &OwnerIndex,
    mgr: &str,
) -> Vec<Value> {
    let mut out: Vec<Value> = pods
        .owned(object::uid(owner))
        .iter()
        .map(|s| s.value.clone())
        .filter(super::pod_active)
        .collect();
    if object::is_deleting(owner) {
        return out;
    }
    let ns = object::namespace(owner);
    let orphans: Vec<&Arc<Stored>> = pods.adoptable(ns, sel).collect();
    for o in orphans {
        if super::pod_active(&o.value)
            && let Some(p) = super::adopt(st, pod_rt, &o.value, owner, mgr)
        {
            out.push(p);
        }
    }
    out
}

fn sync(
    st: &Arc<ClusterState>,
    rs_rt: &Arc<crate::catalog::ResourceType>,
    pod_rt: &Arc<crate::catalog::ResourceType>,
    rs: &Value,
    pods: &OwnerIndex,
) -> Option<Duration> {
    let sel = super::selector_of(rs);
    let mut active = claim_pods(st, pod_rt, rs, &sel, pods, MANAGER);
    let want = super::int_at(rs, "/spec/replicas", 1).max(0) as usize;
    if !object::is_deleting(rs) {
        active = manage(st, pod_rt, rs, active, want);
    }
    update_status(st, rs_rt, rs, &active)
}

/// Creates or deletes pods toward `want` (`manageReplicas`); returns the pods now active.
fn manage(
    st: &Arc<ClusterState>,
    pod_rt: &Arc<crate::catalog::ResourceType>,
    rs: &Value,
    mut active: Vec<Value>,
    want: usize,
) -> Vec<Value> {
    let src = Source {
        component: MANAGER,
        host: None,
    };
    let ns = object::namespace(rs);
    if active.len() < want {
        let template = rs.pointer("/spec/template").cloned().unwrap_or_default();
        let generate = format!("{}-", object::name(rs));
        for _ in 0..(want - active.len()).min(BURST) {
            let pod = super::pod_from_template(&template, rs, Some(&generate));
            match super::create(st, pod_rt, ns, pod, MANAGER) {
                Ok(p) => {
                    let msg = format!("Created pod: {}", object::name(&p));
                    events::record(st, rs, None, EventType::Normal, "SuccessfulCreate", &msg, src);
                    active.push(p);
                }
                Err(e) => {
                    let msg = format!("Error creating: {}", e.message);
                    events::record(st, rs, None, EventType::Warning, "FailedCreate", &msg, src);
                    break;
                }
            }
        }
    } else if active.len() > want {
        let diff = (active.len() - want).min(BURST);
        rank_for_deletion(&mut active);
        let doomed: Vec<Value> = active.drain(..diff).collect();
        for p in &doomed {
            if super::remove(st, pod_rt, p) {
                let msg = format!("Deleted pod: {}", object::name(p));
                events::record(st, rs, None, EventType::Normal, "SuccessfulDelete", &msg, src);
            }
        }
    }
    active
}

/// Sorts pods so the ones to delete first come first (`ActivePodsWithRanks` with
/// LogarithmicScaleDown): unassigned, then Pending < Unknown < Running, not ready, lower
/// deletion cost, more pods on the same node, ready for less time, more restarts, newer.
/// Upstream also counts the pods of sibling ReplicaSets on a node; counting the set's own pods
/// gives the same spreading within one ReplicaSet, which is what a scale-down sees.
pub(crate) fn rank_for_deletion(pods: &mut [Value]) {
    let mut per_node: HashMap<String, i64> = HashMap::new();
    for p in pods.iter() {
        let n = super::str_at(p, "/spec/nodeName");
        if !n.is_empty() {
            *per_node.entry(n.to_string()).or_default() += 1;
        }
    }
    let phase_rank = |p: &Value| match super::phase(p) {
        "Pending" => 0,
        "Unknown" => 1,
        "Running" => 2,
        _ => 0,
    };
    let restarts = |p: &Value| -> i64 {
        p.pointer("/status/containerStatuses")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|c| super::int_at(c, "/restartCount", 0))
                    .max()
                    .unwrap_or(0)
            })
            .unwrap_or(0)
    };
    let cost = |p: &Value| -> i64 {
        super::annotation(p, "controller.kubernetes.io/pod-deletion-cost")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    };
    let secs = |t: Option<jiff::Timestamp>| t.map(|t| t.as_second());
    pods.sort_by(|a, b| {
        let node_a = super::str_at(a, "/spec/nodeName");
        let node_b = super::str_at(b, "/spec/nodeName");
        let rank_a = per_node.get(node_a).copied().unwrap_or(0);
        let rank_b = per_node.get(node_b).copied().unwrap_or(0);
        (!node_a.is_empty())
            .cmp(&!node_b.is_empty())
            .then(phase_rank(a).cmp(&phase_rank(b)))
            .then(super::pod_ready(a).cmp(&super::pod_ready(b)))
            .then(cost(a).cmp(&cost(b)))
            .then(rank_b.cmp(&rank_a))
            // Ready more recently (a later timestamp) goes first.
            .then(secs(super::ready_since(b)).cmp(&secs(super::ready_since(a))))
            .then(restarts(b).cmp(&restarts(a)))
            .then(super::created(b).cmp(super::created(a)))
    });
}

/// Computes and writes status when it changed (`calculateStatus` + `updateReplicaSetStatus`);
/// returns when a ready pod will become available.
fn update_status(
    st: &Arc<ClusterState>,
    rs_rt: &Arc<crate::catalog::ResourceType>,
    rs: &Value,
    active: &[Value],
) -> Option<Duration> {
    let min_ready = super::int_at(rs, "/spec/minReadySeconds", 0);
    let now = st.clock.now();
    let tpl_labels = rs
        .pointer("/spec/template/metadata/labels")
        .and_then(Value::as_object);
    let (mut labeled, mut ready, mut available) = (0, 0, 0);
    let mut requeue = None;
    for p in active {
        let labels = object::labels(p);
        if tpl_labels.is_none_or(|t| t.iter().all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))) {
            labeled += 1;
        }
        if super::pod_ready(p) {
            ready += 1;
            let (ok, wait) = super::pod_available(p, min_ready, now);
            available += i64::from(ok);
            requeue = super::sooner(requeue, wait);
        }
    }
    let mut status = Map::new();
    status.insert("replicas".into(), json!(active.len()));
    super::put_nonzero(&mut status, "fullyLabeledReplicas", labeled);
    super::put_nonzero(&mut status, "readyReplicas", ready);
    super::put_nonzero(&mut status, "availableReplicas", available);
    super::put_nonzero(
        &mut status,
        "observedGeneration",
        super::int_at(rs, "/metadata/generation", 0),
    );
    if let Some(c) = rs.pointer("/status/conditions").filter(|c| !c.is_null()) {
        status.insert("conditions".into(), c.clone());
    }
    let status = Value::Object(status);
    if rs.get("status") != Some(&status) {
        let mut new = rs.clone();
        new["status"] = status;
        super::update_status(st, rs_rt, new, MANAGER);
    }
    requeue
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, node: &str, phase: &str, ready: bool, created: &str) -> Value {
        json!({"metadata": {"name": name, "creationTimestamp": created},
            "spec": {"nodeName": node},
            "status": {"phase": phase, "conditions": [{"type": "Ready", "status": if ready {"True"} else {"False"},
                "lastTransitionTime": created}]}})
    }

    #[test]
    fn deletion_prefers_unscheduled_then_not_ready_then_newest() {
        let mut pods = vec![
            pod("old-ready", "n1", "Running", true, "2026-01-01T00:00:00Z"),
            pod("new-ready", "n2", "Running", true, "2026-01-01T01:00:00Z"),
            pod("not-ready", "n3", "Running", false, "2026-01-01T00:00:00Z"),
            pod("pending", "n4", "Pending", false, "2026-01-01T00:00:00Z"),
            pod("unscheduled", "", "Pending", false, "2026-01-01T00:00:00Z"),
        ];
        rank_for_deletion(&mut pods);
        let names: Vec<&str> = pods.iter().map(object::name).collect();
        assert_eq!(
            names,
            ["unscheduled", "pending", "not-ready", "new-ready", "old-ready"]
        );
    }
}
