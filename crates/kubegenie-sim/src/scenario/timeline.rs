//! Scripted changes on a running cluster at points of its simulated time: a new image (a
//! rollout), a scale, a node failure, pod deletions, a manifest applied. Each is performed the
//! way a user or the node lifecycle controller would, through the normal write path, so watches,
//! events and controllers see ordinary changes.

use super::apply::type_of;
use super::format::{NodeRef, PodRef, TimelineEntry};
use super::load::parse_offset;
use crate::catalog::StorageKey;
use crate::error::{ApiError, Result};
use crate::handlers::delete::{DeleteOpts, delete_object};
use crate::handlers::write::{self, Opts};
use crate::object;
use crate::selector::LabelSelector;
use crate::state::ClusterState;
use crate::store::Mutation;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Annotation the simulator puts on a node a scenario failed; the kubelet simulation stops
/// heartbeating such a node.
pub const FAILED_NODE_ANNOTATION: &str = "sim.kubegenie.io/fail";

/// Field manager of scenario writes.
const MANAGER: &str = "kubegenie-scenario";

/// Runs `entries` against `st` at their offsets from the cluster's start.
pub async fn run(st: Arc<ClusterState>, entries: Vec<TimelineEntry>, pools: BTreeMap<String, Vec<String>>) {
    let mut due: Vec<(Duration, TimelineEntry)> = entries
        .into_iter()
        .filter_map(|e| parse_offset(&e.at.value).map(|d| (d, e)))
        .collect();
    // Stable: entries at the same offset run in file order.
    due.sort_by_key(|(d, _)| *d);
    for (at, entry) in due {
        let elapsed = st.clock.elapsed();
        if at > elapsed {
            st.clock.sleep(at - elapsed).await;
        }
        match perform(&st, &entry, &pools) {
            Ok(what) => tracing::info!(cluster = %st.config.name, at = %entry.at.value, "scenario: {what}"),
            Err(e) => {
                tracing::warn!(cluster = %st.config.name, at = %entry.at.value, "scenario step failed: {}", e.message)
            }
        }
    }
}

/// Performs one entry; returns a description for the log.
pub fn perform(
    st: &Arc<ClusterState>,
    e: &TimelineEntry,
    pools: &BTreeMap<String, Vec<String>>,
) -> Result<String> {
    if let Some(s) = &e.set_image {
        let (api, kind) = type_of(s.kind);
        let container = s.container.clone();
        let cause = format!(
            "kubectl set image {}/{} {}={}",
            kind.to_lowercase(),
            s.workload,
            container.as_deref().unwrap_or(&s.workload),
            s.image
        );
        update(st, api, kind, &s.namespace, &s.workload, |obj| {
            let path = if kind == "CronJob" {
                "/spec/jobTemplate/spec/template/spec/containers"
            } else if kind == "Pod" {
                "/spec/containers"
            } else {
                "/spec/template/spec/containers"
            };
            let containers = obj
                .pointer_mut(path)
                .and_then(Value::as_array_mut)
                .ok_or_else(|| ApiError::bad_request("no containers"))?;
            let target = match &container {
                Some(c) => containers.iter_mut().find(|x| x["name"] == c.as_str()),
                None => containers.first_mut(),
            };
            let target = target.ok_or_else(|| ApiError::bad_request("no such container"))?;
            target["image"] = json!(s.image);
            object::metadata_mut(obj)
                .entry("annotations")
                .or_insert_with(|| json!({}))["kubernetes.io/change-cause"] = json!(cause);
            Ok(())
        })?;
        return Ok(format!(
            "set image of {kind} {}/{} to {}",
            s.namespace, s.workload, s.image
        ));
    }
    if let Some(s) = &e.scale {
        let (api, kind) = type_of(s.kind);
        update(st, api, kind, &s.namespace, &s.workload, |obj| {
            obj["spec"]["replicas"] = json!(s.replicas);
            Ok(())
        })?;
        return Ok(format!(
            "scaled {kind} {}/{} to {}",
            s.namespace, s.workload, s.replicas
        ));
    }
    if let Some(n) = &e.fail_node {
        let name = node_name(n, pools)?;
        fail_node(st, &name)?;
        return Ok(format!("node {name} failed"));
    }
    if let Some(p) = &e.delete_pod {
        let n = delete_pods(st, p)?;
        return Ok(format!("deleted {n} pod(s) in {}", p.namespace));
    }
    if let Some(m) = &e.apply {
        let what = apply(st, Value::Object(m.clone()))?;
        return Ok(format!("applied {what}"));
    }
    Ok("nothing to do".into())
}

fn node_name(n: &NodeRef, pools: &BTreeMap<String, Vec<String>>) -> Result<String> {
    if let Some(name) = &n.node {
        return Ok(name.clone());
    }
    let pool = n.pool.as_deref().unwrap_or_default();
    pools
        .get(pool)
        .and_then(|names| names.get(n.index))
        .cloned()
        .ok_or_else(|| ApiError::bad_request(format!("node pool {pool} has no node {}", n.index)))
}

/// Reads an object, changes it with `f`, and writes it back (retrying on conflicts with
/// controllers writing the same object).
fn update(
    st: &Arc<ClusterState>,
    api: &str,
    kind: &str,
    ns: &str,
    name: &str,
    f: impl Fn(&mut Value) -> Result<()>,
) -> Result<()> {
    let rt = st
        .resource_by_kind(api, kind)
        .ok_or_else(|| ApiError::bad_request(format!("{kind} is not served")))?;
    let mut last = ApiError::internal("no attempt");
    for _ in 0..5 {
        let cur = st
            .store
            .get(&rt.storage, ns, name)
            .ok_or_else(|| ApiError::not_found(&rt.group, &rt.plural, name))?;
        let mut obj = crate::convert::to_served(&rt, cur.value.clone());
        f(&mut obj)?;
        match write::update(st, &rt, Some(ns), name, obj, None, &Opts::internal(MANAGER)) {
            Ok(_) => return Ok(()),
            Err(e) if e.code == 409 => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

/// What the node lifecycle controller does when a kubelet stops reporting: conditions become
/// Unknown and the node gets the unreachable taints (so NoExecute evictions follow).
fn fail_node(st: &Arc<ClusterState>, name: &str) -> Result<()> {
    let key = StorageKey::new("", "nodes");
    let now = st.now_string();
    st.store.mutate::<ApiError>(&key, "", name, |cur| {
        let cur = cur.ok_or_else(|| ApiError::not_found("", "nodes", name))?;
        let mut v = cur.value.clone();
        object::metadata_mut(&mut v)
            .entry("annotations")
            .or_insert_with(|| json!({}))[FAILED_NODE_ANNOTATION] = json!("true");
        if let Some(conds) = v.pointer_mut("/status/conditions").and_then(Value::as_array_mut) {
            for c in conds {
                c["status"] = json!("Unknown");
                c["reason"] = json!("NodeStatusUnknown");
                c["message"] = json!("Kubelet stopped posting node status.");
                c["lastTransitionTime"] = json!(now);
            }
        }
        let taints = v["spec"]
            .as_object_mut()
            .map(|s| s.entry("taints").or_insert_with(|| json!([])));
        if let Some(Value::Array(t)) = taints {
            for effect in ["NoSchedule", "NoExecute"] {
                let mut taint = json!({"key": "node.kubernetes.io/unreachable", "effect": effect});
                if effect == "NoExecute" {
                    taint["timeAdded"] = json!(now);
                }
                t.push(taint);
            }
        }
        Ok(Mutation::Put(v))
    })?;
    st.kick.notify_one();
    Ok(())
}

fn delete_pods(st: &Arc<ClusterState>, p: &PodRef) -> Result<usize> {
    let rt = st
        .resource("", "v1", "pods")
        .ok_or_else(|| ApiError::internal("pods are not served"))?;
    let names: Vec<String> = match (&p.name, &p.selector) {
        (Some(n), _) => vec![n.clone()],
        (None, Some(sel)) => {
            let sel = LabelSelector::parse(sel)?;
            let (pods, _) = st.store.list(&rt.storage, Some(&p.namespace));
            let mut names: Vec<String> = pods
                .iter()
                .filter(|s| sel.matches(object::labels(&s.value)) && !object::is_deleting(&s.value))
                .map(|s| object::name(&s.value).to_string())
                .collect();
            names.sort();
            names
        }
        (None, None) => Vec::new(),
    };
    let limit = p.count.unwrap_or(usize::MAX);
    let mut n = 0;
    for name in names.iter().take(limit) {
        delete_object(st, &rt, &p.namespace, name, &DeleteOpts::default())?;
        n += 1;
    }
    Ok(n)
}

/// Creates `obj`, or replaces it when it exists.
pub fn apply(st: &Arc<ClusterState>, obj: Value) -> Result<String> {
    let api = obj["apiVersion"].as_str().unwrap_or_default().to_string();
    let kind = obj["kind"].as_str().unwrap_or_default().to_string();
    let rt = st
        .resource_by_kind(&api, &kind)
        .ok_or_else(|| ApiError::bad_request(format!("no resource serves {kind} in {api}")))?;
    let name = object::name(&obj).to_string();
    let ns = object::namespace(&obj);
    let ns = if rt.namespaced {
        Some(if ns.is_empty() { "default" } else { ns }.to_string())
    } else {
        None
    };
    let what = format!(
        "{kind} {}{name}",
        ns.as_deref().map(|n| format!("{n}/")).unwrap_or_default()
    );
    let exists = st
        .store
        .get(&rt.storage, ns.as_deref().unwrap_or_default(), &name)
        .is_some();
    if !exists || name.is_empty() {
        write::create(st, &rt, ns.as_deref(), obj, &Opts::internal(MANAGER))?;
        return Ok(what);
    }
    let mut obj = obj;
    if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("resourceVersion");
    }
    write::update(st, &rt, ns.as_deref(), &name, obj, None, &Opts::internal(MANAGER))?;
    Ok(what)
}
