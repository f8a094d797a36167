//! The pod status a kubelet 1.33 posts, shaped field for field as it does: conditions in the
//! kubelet's order, container statuses with state/lastState, ids, normalised images, and the
//! resources and volume mounts it echoes.

use super::container::{Ctr, State, Terminated};
use super::images;
use super::pod::PodRuntime;
use crate::object::format_time;
use serde_json::{Map, Value, json};

/// Condition types the kubelet owns; any other (PodScheduled, DisruptionTarget, readiness
/// gates) is kept as others wrote it.
const KUBELET_CONDITIONS: [&str; 4] = [
    "PodReadyToStartContainers",
    "Initialized",
    "Ready",
    "ContainersReady",
];

fn terminated(t: &Terminated) -> Value {
    json!({"terminated": {"containerID": t.container_id, "exitCode": t.exit_code,
        "finishedAt": format_time(t.finished_at), "reason": t.reason, "startedAt": format_time(t.started_at)}})
}

fn state(s: &State) -> Value {
    match s {
        State::Waiting { reason, message } => {
            let mut w = json!({"reason": reason});
            if let Some(m) = message {
                w["message"] = json!(m);
            }
            json!({"waiting": w})
        }
        State::Running(t) => json!({"running": {"startedAt": format_time(*t)}}),
        State::Terminated(t) => terminated(t),
    }
}

fn container_status(c: &Ctr) -> Value {
    let created = c.container_id.is_some();
    // Before its first container exists the kubelet echoes the image as written.
    let image = if created {
        images::normalise(&c.image)
    } else {
        c.image.clone()
    };
    let mut s = Map::new();
    if let Some(id) = &c.container_id {
        s.insert("containerID".into(), json!(id));
    }
    s.insert("image".into(), json!(image));
    let image_id = if created {
        images::image_id(&images::normalise(&c.image))
    } else {
        String::new()
    };
    s.insert("imageID".into(), json!(image_id));
    s.insert("lastState".into(), c.last.as_ref().map_or(json!({}), terminated));
    s.insert("name".into(), json!(c.name));
    s.insert("ready".into(), json!(c.ready));
    let resources = &c.spec["resources"];
    if ["requests", "limits"].iter().any(|k| {
        resources
            .get(*k)
            .and_then(Value::as_object)
            .is_some_and(|m| !m.is_empty())
    }) {
        s.insert("resources".into(), resources.clone());
    }
    s.insert("restartCount".into(), json!(c.restart_count));
    s.insert("started".into(), json!(c.started));
    s.insert("state".into(), state(&c.state));
    let mounts: Vec<Value> = c.spec["volumeMounts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            let mut v = json!({"name": m["name"], "mountPath": m["mountPath"]});
            if m["readOnly"] == true {
                v["readOnly"] = json!(true);
                v["recursiveReadOnly"] = json!("Disabled");
            }
            v
        })
        .collect();
    if !mounts.is_empty() {
        s.insert("volumeMounts".into(), Value::Array(mounts));
    }
    Value::Object(s)
}

/// The full status for `rt`, keeping what others own from `current` (PodScheduled and other
/// foreign conditions, qosClass).
pub fn render(rt: &PodRuntime, current: &Value) -> Value {
    let mut conditions: Vec<Value> = rt
        .conds
        .iter()
        .map(|c| {
            let mut v = json!({"lastProbeTime": null, "lastTransitionTime": format_time(c.since),
                "status": if c.status { "True" } else { "False" }, "type": c.kind});
            if let Some(r) = c.reason {
                v["reason"] = json!(r);
            }
            if let Some(m) = &c.message {
                v["message"] = json!(m);
            }
            v
        })
        .collect();
    for c in current["conditions"].as_array().into_iter().flatten() {
        if !KUBELET_CONDITIONS.iter().any(|k| c["type"] == *k) {
            conditions.push(c.clone());
        }
    }
    let mut s = json!({
        "phase": rt.phase(),
        "conditions": conditions,
        "hostIP": rt.host_ip, "hostIPs": [{"ip": rt.host_ip}],
        "startTime": format_time(rt.start_time),
        "containerStatuses": rt.main.iter().map(container_status).collect::<Vec<_>>(),
    });
    if let Some(q) = current.get("qosClass") {
        s["qosClass"] = q.clone();
    }
    // The IP stays reported after the sandbox is gone, as the kubelet keeps the last one.
    if rt.sandbox_ready || rt.terminal.is_some() || rt.kill.is_some() {
        s["podIP"] = json!(rt.ip);
        s["podIPs"] = json!([{"ip": rt.ip}]);
    }
    if !rt.init.is_empty() {
        s["initContainerStatuses"] = Value::Array(rt.init.iter().map(container_status).collect());
    }
    s
}

/// A hash of a status, to tell whether the stored one is still the kubelet's.
pub fn hash(status: &Value) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_vec(status).unwrap_or_default().hash(&mut h);
    h.finish()
}
