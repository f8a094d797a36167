//! `metrics.k8s.io/v1beta1`, as metrics-server serves it behind kube-apiserver's aggregation
//! layer: NodeMetrics (cluster-scoped) and PodMetrics (namespaced), get and list, computed
//! from the usage model at request time, so `kubectl top` and the HPA see the scripted curves.

use super::usage::{self, Replicas, Usage};
use crate::catalog::{ResourceType, StorageKey};
use crate::error::{ApiError, Result};
use crate::handlers::json_response;
use crate::object;
use crate::request::{Query, ResourcePath};
use crate::selector::LabelSelector;
use crate::state::ClusterState;
use axum::response::Response;
use http::StatusCode;
use serde_json::{Value, json};

/// The API group metrics-server registers.
pub const GROUP: &str = "metrics.k8s.io";
/// Window metrics-server reports for node metrics (its scrape interval plus jitter).
const NODE_WINDOW: &str = "10.5s";
/// Window metrics-server reports for pod metrics.
const POD_WINDOW: &str = "15s";
/// CPU a node's system daemons use on top of its pods, as a fraction of capacity.
const NODE_SYSTEM_CPU: f64 = 0.04;
/// Memory a node's system daemons and page cache use on top of its pods.
const NODE_SYSTEM_MEMORY: f64 = 900.0 * 1024.0 * 1024.0;

/// CPU as metrics-server writes it: nanocores (`123456789n`).
pub fn format_cpu(millicores: f64) -> String {
    let nanos = (millicores * 1e6).round().max(0.0) as u64;
    format!("{nanos}n")
}

/// Memory as metrics-server writes it: whole kibibytes (`12345Ki`).
pub fn format_memory(bytes: f64) -> String {
    let ki = (bytes / 1024.0).round().max(0.0) as u64;
    format!("{ki}Ki")
}

fn pods_key() -> StorageKey {
    StorageKey::new("", "pods")
}

/// Every pod of the cluster, with the ready-replica counts their shared loads divide by.
fn all_pods(st: &ClusterState) -> (Vec<Value>, Replicas) {
    let pods: Vec<Value> = st
        .store
        .list(&pods_key(), None)
        .0
        .iter()
        .map(|s| s.value.clone())
        .collect();
    let replicas = Replicas::count(pods.iter());
    (pods, replicas)
}

/// The PodMetrics of `pod`, `None` when none of its containers runs (metrics-server has no
/// sample for it yet).
pub fn pod_metrics(
    st: &ClusterState,
    pod: &Value,
    replicas: &Replicas,
    now: jiff::Timestamp,
) -> Option<Value> {
    let usage = usage::pod_usage(st.config.seed, pod, now, replicas);
    if usage.is_empty() {
        return None;
    }
    let containers: Vec<Value> = usage
        .iter()
        .map(|(name, u)| json!({"name": name, "usage": usage_json(u)}))
        .collect();
    let mut meta = json!({"name": object::name(pod), "namespace": object::namespace(pod),
        "creationTimestamp": object::format_time(now)});
    if let Some(l) = pod.pointer("/metadata/labels") {
        meta["labels"] = l.clone();
    }
    Some(
        json!({"kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": meta,
        "timestamp": object::format_time(now), "window": POD_WINDOW, "containers": containers}),
    )
}

fn usage_json(u: &Usage) -> Value {
    json!({"cpu": format_cpu(u.cpu_millicores), "memory": format_memory(u.memory_bytes)})
}

/// Usage of a whole node: its running pods plus system overhead.
pub fn node_usage(
    st: &ClusterState,
    node: &Value,
    pods: &[Value],
    replicas: &Replicas,
    now: jiff::Timestamp,
) -> Usage {
    let name = object::name(node);
    let capacity_cpu = node
        .pointer("/status/capacity/cpu")
        .and_then(crate::validation::quantity_value)
        .unwrap_or(1.0)
        * 1000.0;
    let mut total = Usage {
        cpu_millicores: capacity_cpu * NODE_SYSTEM_CPU,
        memory_bytes: NODE_SYSTEM_MEMORY,
    };
    let mut rng = crate::SimRng::derived(st.config.seed, &format!("node/{name}@{}", now.as_second() / 60));
    total.cpu_millicores *= 1.0 + 0.1 * rng.normal();
    total.memory_bytes *= 1.0 + 0.02 * rng.normal();
    for p in pods
        .iter()
        .filter(|p| p.pointer("/spec/nodeName").and_then(Value::as_str) == Some(name))
    {
        for (_, u) in usage::pod_usage(st.config.seed, p, now, replicas) {
            total.cpu_millicores += u.cpu_millicores;
            total.memory_bytes += u.memory_bytes;
        }
    }
    total
}

fn node_metrics(name: &str, labels: Option<&Value>, u: &Usage, now: jiff::Timestamp) -> Value {
    let mut meta = json!({"name": name, "creationTimestamp": object::format_time(now)});
    if let Some(l) = labels {
        meta["labels"] = l.clone();
    }
    json!({"kind": "NodeMetrics", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": meta,
        "timestamp": object::format_time(now), "window": NODE_WINDOW, "usage": usage_json(u)})
}

fn list_of(kind: &str, items: Vec<Value>) -> Value {
    json!({"kind": format!("{kind}List"), "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {}, "items": items})
}

fn selector(q: &Query) -> Result<LabelSelector> {
    LabelSelector::parse(q.label_selector.as_deref().unwrap_or_default())
}

/// Whether `obj` passes a `metadata.name=` field selector (the only field metrics-server knows).
fn name_matches(q: &Query, obj: &Value) -> bool {
    match q
        .field_selector
        .as_deref()
        .and_then(|f| f.strip_prefix("metadata.name="))
    {
        Some(n) => object::name(obj) == n,
        None => true,
    }
}

/// Serves a get or list of `nodes` or `pods` in `metrics.k8s.io`.
pub fn serve(
    st: &ClusterState,
    rt: &ResourceType,
    p: &ResourcePath,
    q: &Query,
    verb: &str,
) -> Result<Response> {
    let now = st.clock.now();
    let (pods, replicas) = all_pods(st);
    let not_found = |name: &str| ApiError::not_found(GROUP, &rt.plural, name);
    let body = match (rt.plural.as_str(), verb) {
        ("pods", "get") => {
            let name = p.name.as_deref().unwrap_or_default();
            let ns = p.namespace.as_deref().unwrap_or_default();
            let pod = pods
                .iter()
                .find(|x| object::name(x) == name && object::namespace(x) == ns)
                .ok_or_else(|| not_found(name))?;
            pod_metrics(st, pod, &replicas, now).ok_or_else(|| not_found(name))?
        }
        ("pods", "list") => {
            let sel = selector(q)?;
            let items = pods
                .iter()
                .filter(|x| p.namespace.as_deref().is_none_or(|ns| object::namespace(x) == ns))
                .filter(|x| sel.matches(object::labels(x)) && name_matches(q, x))
                .filter_map(|x| pod_metrics(st, x, &replicas, now))
                .collect();
            list_of("PodMetrics", items)
        }
        ("nodes", "get" | "list") => {
            let sel = selector(q)?;
            let nodes = st.store.list(&StorageKey::new("", "nodes"), None).0;
            let wanted = p.name.as_deref();
            let items: Vec<Value> = nodes
                .iter()
                .map(|s| &s.value)
                .filter(|n| wanted.is_none_or(|w| object::name(n) == w))
                .filter(|n| sel.matches(object::labels(n)) && name_matches(q, n))
                .map(|n| {
                    let u = node_usage(st, n, &pods, &replicas, now);
                    node_metrics(object::name(n), n.pointer("/metadata/labels"), &u, now)
                })
                .collect();
            match wanted {
                Some(w) => items.into_iter().next().ok_or_else(|| not_found(w))?,
                None => list_of("NodeMetrics", items),
            }
        }
        _ => return Err(ApiError::method_not_allowed()),
    };
    Ok(json_response(StatusCode::OK, &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_look_like_metrics_servers() {
        assert_eq!(format_cpu(150.0), "150000000n");
        assert_eq!(format_memory(12_641_280.0), "12345Ki");
        assert_eq!(crate::validation::parse_quantity(&format_cpu(1.5)), Some(0.0015));
    }
}
