//! Test fixtures: healthy objects as a real cluster returns them, with JSON overlays that turn
//! them into the broken cases analyzers must find.

use crate::health::analyzer::Analyzer;
use kubegenie_kube::snapshot::ClusterSnapshot;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// The snapshot time of every fixture.
pub const NOW: &str = "2026-01-01T12:00:00Z";
/// An hour before [`NOW`]: when fixtures were created.
pub const HOUR_AGO: &str = "2026-01-01T11:00:00Z";

/// An empty snapshot of cluster `test` taken at [`NOW`] from a v1.33.1 API server.
pub fn snapshot() -> ClusterSnapshot {
    ClusterSnapshot {
        cluster: "test".into(),
        taken_at: NOW.parse().expect("time"),
        server_version: Some("v1.33.1".into()),
        ..Default::default()
    }
}

/// `"ID name"` of each finding, in the analyzer's order.
pub fn ids(a: &dyn Analyzer, snap: &ClusterSnapshot) -> Vec<String> {
    let mut out = Vec::new();
    a.analyze(snap, &mut out);
    out.iter().map(|f| format!("{} {}", f.id, f.name)).collect()
}

/// Deep-merges `overlay` into `base` (objects merge, everything else replaces).
pub fn merge(base: &mut Value, overlay: Value) {
    match (base, overlay) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                merge(b.entry(k).or_insert(Value::Null), v);
            }
        }
        (b, o) => *b = o,
    }
}

fn typed<T: DeserializeOwned>(mut base: Value, overlay: Value) -> T {
    merge(&mut base, overlay);
    serde_json::from_value(base).expect("fixture deserialises")
}

fn meta(ns: Option<&str>, name: &str) -> Value {
    let mut m = json!({"name": name, "uid": format!("uid-{name}"), "creationTimestamp": HOUR_AGO,
        "labels": {"app": name}});
    if let Some(ns) = ns {
        m["namespace"] = json!(ns);
    }
    m
}

/// A Ready node running kubelet v1.33.1.
pub fn node(name: &str, overlay: Value) -> k8s_openapi::api::core::v1::Node {
    let base = json!({"metadata": meta(None, name), "spec": {},
        "status": {"conditions": [
            {"type": "MemoryPressure", "status": "False"}, {"type": "DiskPressure", "status": "False"},
            {"type": "PIDPressure", "status": "False"}, {"type": "Ready", "status": "True"}],
          "nodeInfo": {"architecture": "amd64", "bootID": "b", "containerRuntimeVersion": "containerd://1.7",
            "kernelVersion": "6.1", "kubeProxyVersion": "v1.33.1", "kubeletVersion": "v1.33.1",
            "machineID": "m", "operatingSystem": "linux", "osImage": "Ubuntu", "systemUUID": "u"}}});
    typed(base, overlay)
}

/// A running, ready pod with one container `app`, labelled `app=<name>`.
pub fn pod(ns: &str, name: &str, overlay: Value) -> k8s_openapi::api::core::v1::Pod {
    let base = json!({"metadata": meta(Some(ns), name),
        "spec": {"nodeName": "n1", "containers": [{"name": "app", "image": "nginx:1.27",
            "resources": {"limits": {"memory": "512Mi"}, "requests": {"memory": "256Mi", "cpu": "100m"}}}]},
        "status": {"phase": "Running", "startTime": HOUR_AGO,
            "conditions": [{"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "True",
                "lastTransitionTime": HOUR_AGO}],
            "containerStatuses": [running("app", 0)]}});
    typed(base, overlay)
}

/// A running, ready container status.
pub fn running(name: &str, restarts: i32) -> Value {
    json!({"name": name, "ready": true, "restartCount": restarts, "image": "nginx:1.27", "imageID": "x",
        "state": {"running": {"startedAt": HOUR_AGO}}})
}

/// A container waiting with `reason`, after `restarts` restarts whose last ended with `last`.
pub fn waiting(name: &str, reason: &str, restarts: i32, last: Option<(&str, i32)>) -> Value {
    let mut s = json!({"name": name, "ready": false, "restartCount": restarts, "image": "nginx:1.27",
        "imageID": "", "state": {"waiting": {"reason": reason, "message": format!("{reason} message")}}});
    if let Some((r, code)) = last {
        s["lastState"] = json!({"terminated": {"reason": r, "exitCode": code, "finishedAt": NOW}});
    }
    s
}

/// A Deployment of `replicas`, fully rolled out and available, selecting `app=<name>`.
pub fn deployment(
    ns: &str,
    name: &str,
    replicas: i32,
    overlay: Value,
) -> k8s_openapi::api::apps::v1::Deployment {
    let base = json!({"metadata": {"name": name, "namespace": ns, "generation": 1},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                    "resources": {"requests": {"cpu": "100m"}}}]}}},
        "status": {"observedGeneration": 1, "replicas": replicas, "updatedReplicas": replicas,
            "readyReplicas": replicas, "availableReplicas": replicas,
            "conditions": [{"type": "Available", "status": "True"},
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]}});
    typed(base, overlay)
}

/// Builds any object from JSON.
pub fn object<T: DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("fixture deserialises")
}
