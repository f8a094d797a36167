//! kube-scheduler's default profile, reduced to what decides placement in a simulated cluster:
//! the NodeUnschedulable, TaintToleration, NodeAffinity and NodeResourcesFit filters,
//! least-allocated scoring (so pods spread), binding, and the FitError message and events
//! users see on a Pending pod.

use super::Controller;
use super::events::{self, EventType, Source};
use super::kubelet::resources::{Resources, allocatable, holds_resources, pod_requests};
use crate::catalog::StorageKey;
use crate::error::ApiError;
use crate::handlers::write::{self, Opts};
use crate::object;
use crate::state::ClusterState;
use crate::store::{Mutation, Stored};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SCHEDULER: &str = "default-scheduler";
/// Unschedulable pods are reported again at most this often while nothing changes.
const REPORT_EVERY: Duration = Duration::from_secs(300);
/// Requests the scorer assumes for containers without any (`NonZeroRequested`).
const DEFAULT_CPU: f64 = 100.0;
const DEFAULT_MEMORY: f64 = 200.0 * 1024.0 * 1024.0;

/// The scheduler.
#[derive(Default)]
pub struct Scheduler {
    state: Mutex<Memory>,
}

#[derive(Default)]
struct Memory {
    /// Effective requests by pod uid (pod resources do not change once created).
    requests: HashMap<String, Resources>,
    /// Last failure message and when it was reported, by pod uid.
    failed: HashMap<String, (String, jiff::Timestamp)>,
}

struct NodeInfo {
    node: Arc<Stored>,
    alloc: Resources,
    used: Resources,
    /// Used with the scorer's non-zero defaults.
    used_scored: Resources,
}

impl Controller for Scheduler {
    fn name(&self) -> &'static str {
        "scheduler"
    }

    fn reconcile(&self, st: &Arc<ClusterState>) -> Option<Duration> {
        let mut mem = self.state.lock().unwrap_or_else(|e| e.into_inner());
        schedule(st, &mut mem);
        None
    }
}

/// Whether `tol` tolerates `taint` (`ToleratesTaint`).
pub fn tolerates(tol: &Value, taint: &Value) -> bool {
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let effect = s(tol, "effect");
    if !effect.is_empty() && effect != s(taint, "effect") {
        return false;
    }
    let key = s(tol, "key");
    if !key.is_empty() && key != s(taint, "key") {
        return false;
    }
    match tol.get("operator").and_then(Value::as_str).unwrap_or("Equal") {
        "Exists" => true,
        _ => s(tol, "value") == s(taint, "value"),
    }
}

/// Whether any of a pod's tolerations tolerates `taint`.
pub fn pod_tolerates(pod: &Value, taint: &Value) -> bool {
    pod["spec"]["tolerations"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|t| tolerates(t, taint))
}

fn expression_matches(e: &Value, labels: &Value) -> bool {
    let key = e["key"].as_str().unwrap_or_default();
    let values: Vec<&str> = e["values"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let actual = labels.get(key).and_then(Value::as_str);
    let num = |s: Option<&str>| s.and_then(|v| v.parse::<i64>().ok());
    match e["operator"].as_str().unwrap_or_default() {
        "In" => actual.is_some_and(|a| values.contains(&a)),
        "NotIn" => actual.is_none_or(|a| !values.contains(&a)),
        "Exists" => actual.is_some(),
        "DoesNotExist" => actual.is_none(),
        "Gt" => matches!((num(actual), num(values.first().copied())), (Some(a), Some(b)) if a > b),
        "Lt" => matches!((num(actual), num(values.first().copied())), (Some(a), Some(b)) if a < b),
        _ => false,
    }
}

/// nodeSelector and required node affinity (terms are ORed, expressions ANDed).
fn matches_affinity(pod: &Value, node: &Value) -> bool {
    let labels = &node["metadata"]["labels"];
    let selector_ok = pod["spec"]["nodeSelector"]
        .as_object()
        .into_iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    let terms = pod.pointer(
        "/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms",
    );
    let affinity_ok = match terms.and_then(Value::as_array) {
        None => true,
        Some(terms) => terms.iter().any(|t| {
            let fields_ok = t["matchFields"].as_array().into_iter().flatten().all(|f| {
                let name = json!({"metadata.name": object::name(node)});
                expression_matches(f, &name)
            });
            fields_ok
                && t["matchExpressions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .all(|e| expression_matches(e, labels))
        }),
    };
    selector_ok && affinity_ok
}

/// The filters, in the default profile's order. `Err((reasons, unresolvable))` when the node
/// does not fit; unresolvable failures are those preemption cannot help with.
fn filter(pod: &Value, req: &Resources, n: &NodeInfo) -> Result<(), (Vec<String>, bool)> {
    let node = &n.node.value;
    if node["spec"]["unschedulable"] == true {
        let taint = json!({"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"});
        if !pod_tolerates(pod, &taint) {
            return Err((vec!["node(s) were unschedulable".into()], true));
        }
    }
    for taint in node["spec"]["taints"].as_array().into_iter().flatten() {
        let hard = matches!(taint["effect"].as_str(), Some("NoSchedule" | "NoExecute"));
        if hard && !pod_tolerates(pod, taint) {
            let key = taint["key"].as_str().unwrap_or_default();
            let value = taint["value"].as_str().unwrap_or_default();
            return Err((
                vec![format!("node(s) had untolerated taint {{{key}: {value}}}")],
                true,
            ));
        }
    }
    if !matches_affinity(pod, node) {
        return Err((
            vec!["node(s) didn't match Pod's node affinity/selector".into()],
            true,
        ));
    }
    let mut insufficient = Vec::new();
    if n.used.pods + 1.0 > n.alloc.pods {
        insufficient.push("Too many pods".to_string());
    }
    if req.cpu > 0.0 && n.used.cpu + req.cpu > n.alloc.cpu {
        insufficient.push("Insufficient cpu".to_string());
    }
    if req.memory > 0.0 && n.used.memory + req.memory > n.alloc.memory {
        insufficient.push("Insufficient memory".to_string());
    }
    if insufficient.is_empty() {
        Ok(())
    } else {
        Err((insufficient, false))
    }
}

fn scored(r: &Resources) -> Resources {
    Resources {
        cpu: if r.cpu > 0.0 { r.cpu } else { DEFAULT_CPU },
        memory: if r.memory > 0.0 { r.memory } else { DEFAULT_MEMORY },
        pods: r.pods,
    }
}

/// LeastAllocated: the mean free share of CPU and memory after placing the pod.
fn score(n: &NodeInfo, req: &Resources) -> f64 {
    let free = |alloc: f64, used: f64| {
        if alloc <= 0.0 {
            0.0
        } else {
            ((alloc - used) / alloc).max(0.0)
        }
    };
    let r = scored(req);
    (free(n.alloc.cpu, n.used_scored.cpu + r.cpu) + free(n.alloc.memory, n.used_scored.memory + r.memory))
        / 2.0
}

/// `FitError.Error()` with the default preemption plugin's post-filter message.
fn fit_error(pod: &Value, nodes: usize, reasons: &BTreeMap<String, usize>, unresolvable: usize) -> String {
    if nodes == 0 {
        return "no nodes available to schedule pods".to_string();
    }
    let histogram = |m: &BTreeMap<String, usize>| {
        let mut v: Vec<String> = m.iter().map(|(r, c)| format!("{c} {r}")).collect();
        v.sort();
        v.join(", ")
    };
    let mut msg = format!("0/{nodes} nodes are available: {}.", histogram(reasons));
    let post = if pod["spec"]["preemptionPolicy"] == "Never" {
        "not eligible due to preemptionPolicy=Never.".to_string()
    } else {
        let mut m = BTreeMap::new();
        if unresolvable > 0 {
            m.insert(
                "Preemption is not helpful for scheduling".to_string(),
                unresolvable,
            );
        }
        if nodes > unresolvable {
            m.insert(
                "No preemption victims found for incoming pod".to_string(),
                nodes - unresolvable,
            );
        }
        format!("0/{nodes} nodes are available: {}.", histogram(&m))
    };
    msg.push_str(&format!(" preemption: {post}"));
    msg
}

fn wants_scheduling(v: &Value) -> bool {
    let unbound = v["spec"]["nodeName"].as_str().is_none_or(str::is_empty);
    let ours = v["spec"]["schedulerName"]
        .as_str()
        .is_none_or(|s| s.is_empty() || s == SCHEDULER);
    let gated = v["spec"]["schedulingGates"]
        .as_array()
        .is_some_and(|g| !g.is_empty());
    let done = matches!(v["status"]["phase"].as_str(), Some("Succeeded" | "Failed"));
    unbound && ours && !gated && !done && !object::is_deleting(v)
}

fn schedule(st: &Arc<ClusterState>, mem: &mut Memory) {
    let pods_key = StorageKey::new("", "pods");
    let (pods, _) = st.store.list(&pods_key, None);
    let mut pending: Vec<&Arc<Stored>> = pods.iter().filter(|p| wants_scheduling(&p.value)).collect();
    if mem.requests.len() > 2 * pods.len() + 64 {
        let live: HashSet<&str> = pods.iter().map(|p| object::uid(&p.value)).collect();
        mem.requests.retain(|u, _| live.contains(u.as_str()));
        mem.failed.retain(|u, _| live.contains(u.as_str()));
    }
    if pending.is_empty() {
        return;
    }
    let (nodes, _) = st.store.list(&StorageKey::new("", "nodes"), None);
    let mut infos: Vec<NodeInfo> = nodes
        .into_iter()
        .map(|node| NodeInfo {
            alloc: allocatable(&node.value),
            node,
            used: Resources::default(),
            used_scored: Resources::default(),
        })
        .collect();
    let index: HashMap<String, usize> = infos
        .iter()
        .enumerate()
        .map(|(i, n)| (object::name(&n.node.value).to_string(), i))
        .collect();
    for p in pods.iter().filter(|p| holds_resources(&p.value)) {
        let node = p.value["spec"]["nodeName"].as_str().unwrap_or_default();
        if let Some(&i) = index.get(node) {
            let r = requests(mem, &p.value);
            infos[i].used.add(&r);
            infos[i].used_scored.add(&scored(&r));
        }
    }
    // The active queue's order: higher priority first, then oldest.
    pending.sort_by(|a, b| {
        let prio = |p: &Stored| p.value["spec"]["priority"].as_i64().unwrap_or(0);
        let created = |p: &Stored| {
            p.value["metadata"]["creationTimestamp"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        };
        prio(b).cmp(&prio(a)).then_with(|| created(a).cmp(&created(b)))
    });
    for p in pending {
        let pod = &p.value;
        let req = requests(mem, pod);
        let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
        let mut unresolvable = 0;
        let mut best: Option<(usize, f64)> = None;
        for (i, n) in infos.iter().enumerate() {
            match filter(pod, &req, n) {
                Ok(()) => {
                    let s = score(n, &req);
                    if best.is_none_or(|(_, b)| s > b) {
                        best = Some((i, s));
                    }
                }
                Err((rs, hard)) => {
                    unresolvable += usize::from(hard);
                    for r in rs {
                        *reasons.entry(r).or_default() += 1;
                    }
                }
            }
        }
        match best {
            Some((i, _)) => {
                let node = object::name(&infos[i].node.value).to_string();
                if bind(st, p, &node) {
                    infos[i].used.add(&req);
                    infos[i].used_scored.add(&scored(&req));
                    mem.failed.remove(object::uid(pod));
                }
            }
            None => {
                let msg = fit_error(pod, infos.len(), &reasons, unresolvable);
                report_unschedulable(st, mem, pod, &msg);
            }
        }
    }
}

fn requests(mem: &mut Memory, pod: &Value) -> Resources {
    *mem.requests
        .entry(object::uid(pod).to_string())
        .or_insert_with(|| pod_requests(pod))
}

/// Binds as the `pods/binding` registry does: nodeName and PodScheduled in one write.
fn bind(st: &Arc<ClusterState>, p: &Stored, node: &str) -> bool {
    let (ns, name) = (object::namespace(&p.value), object::name(&p.value));
    let now = st.now_string();
    let res = st.store.mutate::<ApiError>(&StorageKey::new("", "pods"), ns, name, |cur| {
        let Some(cur) = cur else { return Ok(Mutation::Keep) };
        if cur.rv != p.rv || !wants_scheduling(&cur.value) {
            return Ok(Mutation::Keep);
        }
        let mut v = cur.value.clone();
        v["spec"]["nodeName"] = json!(node);
        set_condition(&mut v, json!({"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": now}));
        Ok(Mutation::Put(v))
    });
    let bound = matches!(res, Ok(Some(s)) if s.rv != p.rv);
    if bound {
        let msg = format!("Successfully assigned {ns}/{name} to {node}");
        events::record(st, &p.value, None, EventType::Normal, "Scheduled", &msg, source());
    }
    bound
}

fn source() -> Source<'static> {
    Source {
        component: SCHEDULER,
        host: None,
    }
}

/// Sets (replaces or appends) a pod condition by type.
pub fn set_condition(pod: &mut Value, cond: Value) {
    if !pod["status"]["conditions"].is_array() {
        pod["status"]["conditions"] = json!([]);
    }
    if let Some(list) = pod["status"]["conditions"].as_array_mut() {
        match list.iter_mut().find(|c| c["type"] == cond["type"]) {
            Some(c) => *c = cond,
            None => list.push(cond),
        }
    }
}

fn report_unschedulable(st: &Arc<ClusterState>, mem: &mut Memory, pod: &Value, msg: &str) {
    let now = st.clock.now();
    let uid = object::uid(pod).to_string();
    let current = pod["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["type"] == "PodScheduled");
    let same = current.is_some_and(|c| c["status"] == "False" && c["message"] == msg);
    if !same && let Some(rt) = st.resource("", "v1", "pods") {
        let mut v = pod.clone();
        set_condition(
            &mut v,
            json!({"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
            "message": msg, "lastProbeTime": null, "lastTransitionTime": st.now_string()}),
        );
        let (ns, name) = (object::namespace(pod).to_string(), object::name(pod).to_string());
        let _ = write::update(
            st,
            &rt,
            Some(&ns),
            &name,
            v,
            Some("status"),
            &Opts::internal(SCHEDULER),
        );
    }
    let due = match mem.failed.get(&uid) {
        Some((m, at)) => m != msg || now.duration_since(*at).as_secs_f64() >= REPORT_EVERY.as_secs_f64(),
        None => true,
    };
    if due {
        events::record(
            st,
            pod,
            None,
            EventType::Warning,
            "FailedScheduling",
            msg,
            source(),
        );
        mem.failed.insert(uid, (msg.to_string(), now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_error_matches_kube_scheduler() {
        let mut reasons = BTreeMap::new();
        reasons.insert(
            "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }".to_string(),
            1,
        );
        reasons.insert("Insufficient cpu".to_string(), 2);
        assert_eq!(
            fit_error(&json!({"spec": {}}), 3, &reasons, 1),
            "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."
        );
    }

    #[test]
    fn tolerations_match_taints() {
        let taint = json!({"key": "dedicated", "value": "gpu", "effect": "NoSchedule"});
        assert!(tolerates(
            &json!({"key": "dedicated", "operator": "Equal", "value": "gpu"}),
            &taint
        ));
        assert!(tolerates(&json!({"operator": "Exists"}), &taint));
        assert!(!tolerates(&json!({"key": "dedicated", "value": "cpu"}), &taint));
        assert!(!tolerates(
            &json!({"key": "dedicated", "operator": "Exists", "effect": "NoExecute"}),
            &taint
        ));
    }

    #[test]
    fn affinity_expressions() {
        let node = json!({"metadata": {"name": "n1", "labels": {"zone": "a", "gpu": "true"}}});
        let pod = |terms: Value| json!({"spec": {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": terms}}}}});
        assert!(matches_affinity(
            &pod(json!([{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a", "b"]}]}])),
            &node
        ));
        assert!(!matches_affinity(
            &pod(json!([{"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}])),
            &node
        ));
        assert!(matches_affinity(
            &pod(
                json!([{"matchExpressions": [{"key": "x", "operator": "Exists"}]}, {"matchExpressions": [{"key": "gpu", "operator": "Exists"}]}])
            ),
            &node
        ));
        assert!(!matches_affinity(
            &json!({"spec": {"nodeSelector": {"zone": "b"}}}),
            &node
        ));
    }
}
