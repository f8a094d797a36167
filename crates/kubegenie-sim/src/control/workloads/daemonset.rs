//! The DaemonSet controller (`pkg/controller/daemon`): one pod per eligible node (node
//! selector, taints against tolerations), rolled by maxUnavailable, with ControllerRevisions
//! and the desired/current/ready/available/updated counts `kubectl get ds` shows.

use super::{Gate, OwnerIndex, int_at, revisions};
use crate::catalog::ResourceType;
use crate::control::Controller;
use crate::control::events::{self, EventType, Source};
use crate::object;
use crate::state::ClusterState;
use crate::store::Stored;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

const MANAGER: &str = "daemonset-controller";

/// The DaemonSet controller.
#[derive(Default)]
pub struct DaemonSets {
    gate: Gate,
}

impl Controller for DaemonSets {
    fn name(&self) -> &'static str {
        MANAGER
    }

    fn reconcile(&self, st: &Arc<ClusterState>) -> Option<Duration> {
        self.gate.run(st, reconcile_all)
    }
}

fn reconcile_all(st: &Arc<ClusterState>) -> Option<Duration> {
    let ds_rt = super::resource(st, "apps", "daemonsets")?;
    let pod_rt = super::resource(st, "", "pods")?;
    let cr_rt = super::resource(st, "apps", "controllerrevisions")?;
    let node_rt = super::resource(st, "", "nodes")?;
    let sets = st.store.list(&ds_rt.storage, None).0;
    if sets.is_empty() {
        return None;
    }
    let nodes = st.store.list(&node_rt.storage, None).0;
    let pods = OwnerIndex::build(st, &pod_rt);
    let revs = OwnerIndex::build(st, &cr_rt);
    let mut requeue = None;
    for ds in &sets {
        let r = sync(st, &ds_rt, &pod_rt, &cr_rt, &ds.value, &nodes, &pods, &revs);
        requeue = super::sooner(requeue, r);
    }
    requeue
}

/// The tolerations every daemon pod gets (`util.AddOrUpdateDaemonPodTolerations`).
fn daemon_tolerations(spec: &Value) -> Vec<Value> {
    let mut t: Vec<Value> = spec
        .get("tolerations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut add = |key: &str, effect: &str| {
        if !t.iter().any(|x| x["key"] == key && x["effect"] == effect) {
            t.push(json!({"key": key, "operator": "Exists", "effect": effect}));
        }
    };
    add("node.kubernetes.io/not-ready", "NoExecute");
    add("node.kubernetes.io/unreachable", "NoExecute");
    add("node.kubernetes.io/disk-pressure", "NoSchedule");
    add("node.kubernetes.io/memory-pressure", "NoSchedule");
    add("node.kubernetes.io/pid-pressure", "NoSchedule");
    add("node.kubernetes.io/unschedulable", "NoSchedule");
    if spec.get("hostNetwork").and_then(Value::as_bool) == Some(true) {
        add("node.kubernetes.io/network-unavailable", "NoSchedule");
    }
    t
}

fn tolerates(tols: &[Value], taint: &Value) -> bool {
    tols.iter().any(|t| {
        let effect_ok = t["effect"].as_str().is_none_or(str::is_empty) || t["effect"] == taint["effect"];
        let key_ok = t["key"].as_str().is_none_or(str::is_empty) || t["key"] == taint["key"];
        let value_ok = t["operator"] == "Exists"
            || t["value"].as_str().unwrap_or_default() == taint["value"].as_str().unwrap_or_default();
        effect_ok && key_ok && value_ok
    })
}

/// Whether a daemon pod belongs on `node` (`NodeShouldRunDaemonPod`): node selector, required
/// node affinity on labels, and NoSchedule/NoExecute taints.
pub fn should_run(spec: &Value, node: &Value) -> bool {
    let labels = object::labels(node);
    if let Some(sel) = spec.get("nodeSelector").and_then(Value::as_object)
        && !sel.iter().all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
    {
        return false;
    }
    if let Some(terms) = spec
        .pointer("/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms")
        .and_then(Value::as_array)
    {
        let term_ok = |term: &Value| {
            let exprs = term
                .get("matchExpressions")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let sel = json!({"matchExpressions": exprs.iter().filter(|e| matches!(e["operator"].as_str(),
                Some("In" | "NotIn" | "Exists" | "DoesNotExist"))).cloned().collect::<Vec<_>>()});
            crate::selector::LabelSelector::from_object(&sel).is_ok_and(|s| s.matches(labels))
        };
        if !terms.is_empty() && !terms.iter().any(term_ok) {
            return false;
        }
    }
    let tols = daemon_tolerations(spec);
    node.pointer("/spec/taints")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|t| matches!(t["effect"].as_str(), Some("NoSchedule" | "NoExecute")))
        .all(|t| tolerates(&tols, t))
}

fn src() -> Source<'static> {
    Source {
        component: MANAGER,
        host: None,
    }
}

/// A daemon pod for `node`: pinned by node affinity as upstream does, and bound directly so it
/// runs even where a scheduler would not place it (daemons ignore unschedulable nodes).
fn new_pod(ds: &Value, node: &str, hash: &str) -> Value {
    let tpl = ds.pointer("/spec/template").cloned().unwrap_or_default();
    let generate = format!("{}-", object::name(ds));
    let mut pod = super::pod_from_template(&tpl, ds, Some(&generate));
    let meta = object::metadata_mut(&mut pod);
    let labels = meta.entry("labels").or_insert_with(|| json!({}));
    labels["controller-revision-hash"] = json!(hash);
    labels["pod-template-generation"] = json!(int_at(ds, "/metadata/generation", 1).to_string());
    let spec = pod["spec"].clone();
    pod["spec"]["tolerations"] = Value::Array(daemon_tolerations(&spec));
    pod["spec"]["affinity"] = json!({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
        {"nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]}}});
    pod["spec"]["nodeName"] = json!(node);
    pod
}

fn pod_hash(p: &Value) -> &str {
    object::labels(p)
        .and_then(|l| l.get("controller-revision-hash"))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

#[allow(clippy::too_many_arguments)]
fn sync(
    st: &Arc<ClusterState>,
    ds_rt: &Arc<ResourceType>,
    pod_rt: &Arc<ResourceType>,
    cr_rt: &Arc<ResourceType>,
    ds: &Value,
    nodes: &[Arc<Stored>],
    pods: &OwnerIndex,
    revs: &OwnerIndex,
) -> Option<Duration> {
    let owned: Vec<&Value> = pods
        .owned(object::uid(ds))
        .iter()
        .map(|s| &s.value)
        .filter(|p| !object::is_deleting(p))
        .collect();
    let live: Vec<String> = owned
        .iter()
        .map(|p| format!("{}-{}", object::name(ds), pod_hash(p)))
        .collect();
    let live: Vec<&str> = live.iter().map(String::as_str).collect();
    let (_, hash) = revisions::sync(st, cr_rt, ds, revs, &live, MANAGER)?;
    let mut on_node: HashMap<&str, Vec<&Value>> = HashMap::new();
    for p in &owned {
        on_node
            .entry(super::str_at(p, "/spec/nodeName"))
            .or_default()
            .push(p);
    }
    let tpl_spec = ds.pointer("/spec/template/spec").cloned().unwrap_or_default();
    let deleting = object::is_deleting(ds);
    let (mut desired, mut scheduled, mut misscheduled) = (0, 0, 0);
    let mut stale: Vec<&Value> = Vec::new();
    for n in nodes {
        let node = object::name(&n.value);
        let here = on_node.remove(node).unwrap_or_default();
        let should = should_run(&tpl_spec, &n.value);
        if should {
            desired += 1;
        }
        match (should, here.as_slice()) {
            (true, []) if !deleting => {
                create_pod(st, pod_rt, ds, node, &hash);
            }
            (true, [first, extra @ ..]) => {
                scheduled += 1;
                // Failed daemon pods are replaced; duplicates go.
                if super::phase(first) == "Failed" {
                    delete_pod(st, pod_rt, ds, first);
                }
                for p in extra {
                    delete_pod(st, pod_rt, ds, p);
                }
                if pod_hash(first) != hash {
                    stale.push(first);
                }
            }
            (false, ps) if !ps.is_empty() => {
                misscheduled += 1;
                for p in ps {
                    delete_pod(st, pod_rt, ds, p);
                }
            }
            _ => {}
        }
    }
    // Pods on nodes that no longer exist.
    for ps in on_node.values() {
        for p in ps {
            delete_pod(st, pod_rt, ds, p);
        }
    }
    let min_ready = int_at(ds, "/spec/minReadySeconds", 0);
    let now = st.clock.now();
    let (mut ready, mut available, mut updated) = (0, 0, 0);
    let mut requeue = None;
    for p in &owned {
        if !nodes
            .iter()
            .any(|n| object::name(&n.value) == super::str_at(p, "/spec/nodeName"))
        {
            continue;
        }
        updated += i64::from(pod_hash(p) == hash);
        if super::pod_ready(p) {
            ready += 1;
            let (ok, wait) = super::pod_available(p, min_ready, now);
            available += i64::from(ok);
            requeue = super::sooner(requeue, wait);
        }
    }
    let rolling = super::str_at(ds, "/spec/updateStrategy/type") != "OnDelete";
    if rolling && !deleting && !stale.is_empty() {
        let max_unavailable = super::scaled_value(
            ds.pointer("/spec/updateStrategy/rollingUpdate/maxUnavailable"),
            desired,
            true,
        )
        .max(1);
        let unavailable = desired - available;
        // Unavailable stale pods go first: replacing them costs no availability.
        stale.sort_by_key(|p| super::pod_ready(p));
        let mut budget = max_unavailable - unavailable;
        for p in stale {
            if !super::pod_ready(p) {
                delete_pod(st, pod_rt, ds, p);
            } else if budget > 0 {
                delete_pod(st, pod_rt, ds, p);
                budget -= 1;
            }
        }
    }
    let mut s = Map::new();
    s.insert("currentNumberScheduled".into(), json!(scheduled));
    s.insert("numberMisscheduled".into(), json!(misscheduled));
    s.insert("desiredNumberScheduled".into(), json!(desired));
    s.insert("numberReady".into(), json!(ready));
    s.insert(
        "observedGeneration".into(),
        json!(int_at(ds, "/metadata/generation", 0)),
    );
    super::put_nonzero(&mut s, "updatedNumberScheduled", updated);
    super::put_nonzero(&mut s, "numberAvailable", available);
    super::put_nonzero(&mut s, "numberUnavailable", desired - available);
    let s = Value::Object(s);
    if ds.get("status") != Some(&s) {
        let mut new = ds.clone();
        new["status"] = s;
        super::update_status(st, ds_rt, new, MANAGER);
    }
    requeue
}

fn create_pod(st: &Arc<ClusterState>, pod_rt: &Arc<ResourceType>, ds: &Value, node: &str, hash: &str) {
    match super::create(
        st,
        pod_rt,
        object::namespace(ds),
        new_pod(ds, node, hash),
        MANAGER,
    ) {
        Ok(p) => {
            let msg = format!("Created pod: {}", object::name(&p));
            events::record(st, ds, None, EventType::Normal, "SuccessfulCreate", &msg, src());
        }
        Err(e) => {
            let msg = format!("Error creating: {}", e.message);
            events::record(st, ds, None, EventType::Warning, "FailedCreate", &msg, src());
        }
    }
}

fn delete_pod(st: &Arc<ClusterState>, pod_rt: &Arc<ResourceType>, ds: &Value, p: &Value) {
    if super::remove(st, pod_rt, p) {
        let msg = format!("Deleted pod: {}", object::name(p));
        events::record(st, ds, None, EventType::Normal, "SuccessfulDelete", &msg, src());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_eligibility_follows_selectors_and_taints() {
        let node = json!({"metadata": {"name": "n1", "labels": {"disk": "ssd"}},
            "spec": {"taints": [{"key": "dedicated", "value": "db", "effect": "NoSchedule"}]}});
        assert!(!should_run(&json!({}), &node), "untolerated taint");
        let tol = json!({"tolerations": [{"key": "dedicated", "operator": "Equal", "value": "db", "effect": "NoSchedule"}]});
        assert!(should_run(&tol, &node));
        let mut sel = tol.clone();
        sel["nodeSelector"] = json!({"disk": "hdd"});
        assert!(!should_run(&sel, &node));
        let cordoned = json!({"metadata": {"name": "n2"}, "spec": {"taints": [
            {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}]}});
        assert!(
            should_run(&json!({}), &cordoned),
            "daemons tolerate cordoned nodes"
        );
    }
}
