//! Current CPU and memory usage of simulated containers: the one function every observability
//! surface (metrics API, Prometheus, history, HPA, logs) and the kubelet's OOM decision read, so
//! they can never disagree.
//!
//! Usage comes from the container's behaviour model ([`crate::behaviour`]); a container
//! without a model gets a plausible default derived from its requests (CPU 10-30 % of the
//! request, memory 40-60 %), stable per container so its curve looks like one workload.

use crate::behaviour::{self, Amount, Behaviour, Fault, UsageModel};
use crate::clock::SimRng;
use crate::object;
use crate::validation::quantity_value;
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

/// CPU used by a container without requests, in millicores.
const IDLE_CPU_MILLIS: f64 = 5.0;
/// Memory used by a container without requests, in bytes.
const IDLE_MEMORY_BYTES: f64 = 32.0 * 1024.0 * 1024.0;
/// Memory an OOM-faulted container grows toward when it has no limit (the node would kill it).
const OOM_WITHOUT_LIMIT_BYTES: f64 = 2.0 * 1024.0 * 1024.0 * 1024.0;
/// Running time after which an OOM-faulted container reaches its limit.
pub const OOM_RAMP: Duration = Duration::from_secs(120);

/// Usage of one container at one instant.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Usage {
    /// CPU in millicores.
    pub cpu_millicores: f64,
    /// Working-set memory in bytes.
    pub memory_bytes: f64,
}

/// Requests and limits of a container, in millicores and bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Resources {
    /// CPU request (millicores).
    pub cpu_request: Option<f64>,
    /// Memory request (bytes).
    pub memory_request: Option<f64>,
    /// CPU limit (millicores).
    pub cpu_limit: Option<f64>,
    /// Memory limit (bytes).
    pub memory_limit: Option<f64>,
}

/// The spec of container `name` in `pod`.
pub fn container_spec<'a>(pod: &'a Value, name: &str) -> Option<&'a Value> {
    pod.pointer("/spec/containers")?
        .as_array()?
        .iter()
        .find(|c| c["name"] == name)
}

/// Names of the (regular) containers of `pod`, in spec order.
pub fn container_names(pod: &Value) -> Vec<&str> {
    pod.pointer("/spec/containers")
        .and_then(Value::as_array)
        .map(|cs| cs.iter().filter_map(|c| c["name"].as_str()).collect())
        .unwrap_or_default()
}

/// Requests and limits of container `name`; a limit without a request defaults the request,
/// as kube-apiserver does.
pub fn resources(pod: &Value, name: &str) -> Resources {
    let Some(c) = container_spec(pod, name) else {
        return Resources::default();
    };
    let get = |kind: &str, res: &str| {
        c.pointer(&format!("/resources/{kind}/{res}"))
            .and_then(quantity_value)
    };
    let cpu_limit = get("limits", "cpu").map(|v| v * 1000.0);
    let memory_limit = get("limits", "memory");
    Resources {
        cpu_request: get("requests", "cpu").map(|v| v * 1000.0).or(cpu_limit),
        memory_request: get("requests", "memory").or(memory_limit),
        cpu_limit,
        memory_limit,
    }
}

/// The status entry of container `name`.
pub fn container_status<'a>(pod: &'a Value, name: &str) -> Option<&'a Value> {
    pod.pointer("/status/containerStatuses")?
        .as_array()?
        .iter()
        .find(|c| c["name"] == name)
}

fn parse_time(v: &Value) -> Option<jiff::Timestamp> {
    v.as_str()?.parse().ok()
}

/// When the running instance of container `name` started; `None` unless it is running.
pub fn running_since(pod: &Value, name: &str) -> Option<jiff::Timestamp> {
    let s = container_status(pod, name)?;
    parse_time(s.pointer("/state/running/startedAt")?)
}

/// Restart count of container `name`.
pub fn restart_count(pod: &Value, name: &str) -> u32 {
    container_status(pod, name)
        .and_then(|s| s["restartCount"].as_u64())
        .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX))
}

/// Whether the pod is Ready (its Ready condition is True).
pub fn is_ready(pod: &Value) -> bool {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| cs.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"))
}

/// The workload a pod belongs to, for load shared by replicas: a Deployment (through its
/// ReplicaSet's name and the pod-template-hash, so both ReplicaSets of a rollout share the
/// load), or the pod's controller; `None` for a bare pod.
pub fn workload_key(pod: &Value) -> Option<String> {
    let owner = pod
        .pointer("/metadata/ownerReferences")?
        .as_array()?
        .iter()
        .find(|r| r["controller"] == true)?;
    let kind = owner["kind"].as_str().unwrap_or_default();
    let name = owner["name"].as_str().unwrap_or_default();
    let hash = pod
        .pointer("/metadata/labels/pod-template-hash")
        .and_then(Value::as_str);
    let ns = object::namespace(pod);
    match (kind, hash) {
        ("ReplicaSet", Some(h)) if name.ends_with(&format!("-{h}")) => {
            Some(format!("{ns}/Deployment/{}", &name[..name.len() - h.len() - 1]))
        }
        _ => Some(format!("{ns}/{kind}/{name}")),
    }
}

/// Ready replicas per workload, so a `sharedByReplicas` load is divided among them.
#[derive(Debug, Default, Clone)]
pub struct Replicas {
    ready: HashMap<String, u32>,
}

impl Replicas {
    /// Counts the ready pods of every workload among `pods`.
    pub fn count<'a>(pods: impl IntoIterator<Item = &'a Value>) -> Self {
        let mut ready = HashMap::new();
        for p in pods {
            if is_ready(p)
                && !object::is_deleting(p)
                && let Some(k) = workload_key(p)
            {
                *ready.entry(k).or_insert(0) += 1;
            }
        }
        Self { ready }
    }

    /// Every pod counted as ready (the history exporter assumes a healthy fleet).
    pub fn count_all<'a>(pods: impl IntoIterator<Item = &'a Value>) -> Self {
        let mut ready = HashMap::new();
        for p in pods {
            if let Some(k) = workload_key(p) {
                *ready.entry(k).or_insert(0) += 1;
            }
        }
        Self { ready }
    }

    /// Ready replicas sharing `pod`'s load (at least 1).
    pub fn of(&self, pod: &Value) -> u32 {
        workload_key(pod)
            .and_then(|k| self.ready.get(&k).copied())
            .unwrap_or(1)
            .max(1)
    }
}

/// Series key of a container's usage: stable across restarts and re-creations of the pod
/// with the same name, so a rerun with the same seed draws the same curve.
fn series_key(pod: &Value, container: &str, resource: &str) -> String {
    format!(
        "{}/{}/{container}/{resource}",
        object::namespace(pod),
        object::name(pod)
    )
}

/// A per-container fraction in [lo, hi), stable for the pod's workload and container.
fn stable_fraction(seed: u64, pod: &Value, container: &str, what: &str, lo: f64, hi: f64) -> f64 {
    let who = workload_key(pod).unwrap_or_else(|| object::name(pod).to_string());
    lo + (hi - lo) * SimRng::derived(seed, &format!("default/{who}/{container}/{what}")).next_f64()
}

/// The CPU model of a container: its behaviour's, or a default from its request.
pub fn cpu_model(seed: u64, pod: &Value, container: &str, b: &Behaviour) -> UsageModel {
    if let Some(m) = &b.cpu {
        return m.clone();
    }
    let base = match resources(pod, container).cpu_request {
        Some(req) => req * stable_fraction(seed, pod, container, "cpu", 0.1, 0.3),
        None => IDLE_CPU_MILLIS,
    };
    UsageModel {
        noise: 0.1,
        ..UsageModel::flat(base)
    }
}

/// The memory model of a container: its behaviour's, or a default from its request.
pub fn memory_model(seed: u64, pod: &Value, container: &str, b: &Behaviour) -> UsageModel {
    if let Some(m) = &b.memory {
        return m.clone();
    }
    let base = match resources(pod, container).memory_request {
        Some(req) => req * stable_fraction(seed, pod, container, "memory", 0.4, 0.6),
        None => IDLE_MEMORY_BYTES,
    };
    UsageModel {
        noise: 0.02,
        ..UsageModel::flat(base)
    }
}

/// CPU (millicores) of a container that has been running for `running` at `at`.
pub fn container_cpu(
    seed: u64,
    pod: &Value,
    container: &str,
    b: &Behaviour,
    at: jiff::Timestamp,
    running: Duration,
    replicas: u32,
) -> f64 {
    let key = series_key(pod, container, "cpu");
    cpu_model(seed, pod, container, b).sample(seed, &key, at, running, replicas, Amount::millicores)
}

/// Working-set memory (bytes) of a container that has been running for `running` at `at`.
///
/// This is the number the kubelet compares with the memory limit to decide an OOM kill: with
/// [`Fault::Oom`] it grows linearly from the model's value to the limit over [`OOM_RAMP`] of
/// running time and keeps growing past it (so the kill happens at `running ≈ OOM_RAMP`).
pub fn container_memory(
    seed: u64,
    pod: &Value,
    container: &str,
    b: &Behaviour,
    at: jiff::Timestamp,
    running: Duration,
    replicas: u32,
) -> f64 {
    let key = series_key(pod, container, "memory");
    let v = memory_model(seed, pod, container, b).sample(seed, &key, at, running, replicas, Amount::value);
    if b.fault == Some(Fault::Oom) {
        let limit = resources(pod, container)
            .memory_limit
            .unwrap_or(OOM_WITHOUT_LIMIT_BYTES);
        let progress = running.as_secs_f64() / OOM_RAMP.as_secs_f64();
        return v + (limit - v).max(0.0) * progress;
    }
    v
}

/// The behaviour of a container; a malformed annotation falls back to the image conventions
/// (the write path already warned about it, and metrics must not fail for it).
pub fn behaviour_of(pod: &Value, container: &str) -> Behaviour {
    behaviour::for_container(pod, container).unwrap_or_else(|_| {
        let image = container_spec(pod, container)
            .and_then(|c| c["image"].as_str())
            .unwrap_or_default();
        behaviour::from_image(image)
    })
}

/// Usage of container `name` of `pod` at `at`: zero unless it is running (per its status).
pub fn container_usage(seed: u64, pod: &Value, name: &str, at: jiff::Timestamp, replicas: u32) -> Usage {
    let Some(since) = running_since(pod, name) else {
        return Usage::default();
    };
    let running = Duration::try_from(at.duration_since(since)).unwrap_or(Duration::ZERO);
    let b = behaviour_of(pod, name);
    Usage {
        cpu_millicores: container_cpu(seed, pod, name, &b, at, running, replicas),
        memory_bytes: container_memory(seed, pod, name, &b, at, running, replicas),
    }
}

/// Usage of every running container of `pod` (containers not running are left out, as
/// metrics-server leaves them out).
pub fn pod_usage(seed: u64, pod: &Value, at: jiff::Timestamp, replicas: &Replicas) -> Vec<(String, Usage)> {
    let n = replicas.of(pod);
    container_names(pod)
        .into_iter()
        .filter(|c| running_since(pod, c).is_some())
        .map(|c| (c.to_string(), container_usage(seed, pod, c, at, n)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(annotation: Option<&str>, image: &str) -> Value {
        let mut p = json!({"metadata": {"name": "web-abc-x", "namespace": "default",
            "labels": {"pod-template-hash": "abc"},
            "ownerReferences": [{"kind": "ReplicaSet", "name": "web-abc", "controller": true, "uid": "u"}]},
            "spec": {"containers": [{"name": "app", "image": image,
                "resources": {"requests": {"cpu": "200m", "memory": "100Mi"}, "limits": {"memory": "200Mi"}}}]},
            "status": {"conditions": [{"type": "Ready", "status": "True"}],
                "containerStatuses": [{"name": "app", "restartCount": 0, "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}}]}});
        if let Some(a) = annotation {
            p["metadata"]["annotations"] = json!({behaviour::ANNOTATION: a});
        }
        p
    }

    #[test]
    fn defaults_follow_requests_and_stop_when_not_running() {
        let p = pod(None, "nginx");
        let at: jiff::Timestamp = "2026-01-01T01:00:00Z".parse().unwrap();
        let u = container_usage(1, &p, "app", at, 1);
        assert!((10.0..=80.0).contains(&u.cpu_millicores), "{u:?}");
        let mi = 1024.0 * 1024.0;
        assert!((35.0 * mi..65.0 * mi).contains(&u.memory_bytes), "{u:?}");
        let mut stopped = p.clone();
        stopped["status"]["containerStatuses"][0]["state"] =
            json!({"waiting": {"reason": "CrashLoopBackOff"}});
        assert_eq!(container_usage(1, &stopped, "app", at, 1), Usage::default());
    }

    #[test]
    fn oom_memory_reaches_the_limit_after_the_ramp() {
        let p = pod(None, "shop/worker:oom");
        let b = behaviour_of(&p, "app");
        let at: jiff::Timestamp = "2026-01-01T01:00:00Z".parse().unwrap();
        let limit = 200.0 * 1024.0 * 1024.0;
        let early = container_memory(1, &p, "app", &b, at, Duration::from_secs(10), 1);
        let late = container_memory(1, &p, "app", &b, at, OOM_RAMP, 1);
        assert!(early < limit * 0.8, "{early}");
        assert!(late >= limit, "{late}");
    }

    #[test]
    fn shared_load_divides_among_ready_replicas_of_a_deployment() {
        let p = pod(Some("cpu: {base: 900, noise: 0, sharedByReplicas: true}"), "x");
        let mut other = p.clone();
        other["metadata"]["name"] = json!("web-abc-y");
        let mut newer = p.clone();
        newer["metadata"]["labels"]["pod-template-hash"] = json!("def");
        newer["metadata"]["ownerReferences"][0]["name"] = json!("web-def");
        let r = Replicas::count([&p, &other, &newer]);
        assert_eq!(r.of(&p), 3, "both ReplicaSets of the rollout share the load");
        let at: jiff::Timestamp = "2026-01-01T01:00:00Z".parse().unwrap();
        assert_eq!(container_usage(1, &p, "app", at, r.of(&p)).cpu_millicores, 300.0);
    }
}
