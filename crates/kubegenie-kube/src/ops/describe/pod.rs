//! The Pod describer, and the container section Deployments reuse for their pod template.

use super::kinds::{arr, header, labels_annotations};
use super::text::{Writer, rfc1123, scalar, text, title};
use serde_json::Value;

pub(super) fn pod(w: &mut Writer, o: &Value) {
    header(w, o, true);
    w.field(
        0,
        "Priority",
        o.pointer("/spec/priority").map_or("0".into(), scalar),
    );
    w.field(0, "Service Account", text(o, "/spec/serviceAccountName"));
    let node = match (o.pointer("/spec/nodeName"), o.pointer("/status/hostIP")) {
        (Some(n), Some(ip)) => format!("{}/{}", scalar(n), scalar(ip)),
        (Some(n), None) => scalar(n),
        _ => "<none>".into(),
    };
    w.field(0, "Node", node);
    if let Some(t) = o.pointer("/status/startTime").and_then(Value::as_str) {
        w.field(0, "Start Time", rfc1123(Some(t)));
    }
    labels_annotations(w, o);
    let status = if o.pointer("/metadata/deletionTimestamp").is_some() {
        "Terminating".to_string()
    } else {
        text(o, "/status/phase")
    };
    w.field(0, "Status", status);
    w.field(0, "IP", o.pointer("/status/podIP").map_or(String::new(), scalar));
    let ips: Vec<String> = arr(o, "/status/podIPs").map(|i| text(i, "/ip")).collect();
    if ips.is_empty() {
        w.field(0, "IPs", "<none>");
    } else {
        w.heading(0, "IPs");
        for ip in ips {
            w.field(1, "IP", ip);
        }
    }
    if let Some(owner) = arr(o, "/metadata/ownerReferences").find(|r| r["controller"] == true) {
        w.field(
            0,
            "Controlled By",
            format!("{}/{}", text(owner, "/kind"), text(owner, "/name")),
        );
    }
    w.heading(0, "Containers");
    for c in arr(o, "/spec/containers") {
        let name = c["name"].as_str().unwrap_or_default();
        let st = arr(o, "/status/containerStatuses").find(|s| s["name"] == name);
        container(w, c, st);
    }
    w.heading(0, "Conditions");
    w.row(1, &["Type", "Status"]);
    for cond in arr(o, "/status/conditions") {
        w.row(1, &[&text(cond, "/type"), &text(cond, "/status")]);
    }
    let volumes: Vec<&Value> = arr(o, "/spec/volumes").collect();
    if volumes.is_empty() {
        w.field(0, "Volumes", "<none>");
    } else {
        w.heading(0, "Volumes");
        for v in volumes {
            w.heading(1, v["name"].as_str().unwrap_or_default());
            if let Some((kind, src)) = v.as_object().and_then(|m| m.iter().find(|(k, _)| *k != "name")) {
                w.field(2, "Type", format!("{} ", title(kind)).trim_end());
                for (k, val) in src
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter(|(_, v)| !v.is_object() && !v.is_array())
                {
                    w.field(2, &title(k), scalar(val));
                }
            }
        }
    }
    w.field(0, "QoS Class", text(o, "/status/qosClass"));
    w.map(0, "Node-Selectors", &o["spec"]["nodeSelector"], "=");
    let tolerations: Vec<String> = arr(o, "/spec/tolerations").map(toleration).collect();
    w.list(0, "Tolerations", &tolerations);
}

fn toleration(t: &Value) -> String {
    let mut s = t["key"].as_str().unwrap_or_default().to_string();
    if let Some(v) = t["value"].as_str() {
        s.push('=');
        s.push_str(v);
    }
    if let Some(e) = t["effect"].as_str() {
        s.push(':');
        s.push_str(e);
    }
    s.push_str(&format!(" op={}", t["operator"].as_str().unwrap_or("Equal")));
    if let Some(n) = t["tolerationSeconds"].as_i64() {
        s.push_str(&format!(" for {n}s"));
    }
    s
}

fn state(w: &mut Writer, key: &str, s: &Value) {
    let Some((name, detail)) = s.as_object().and_then(|m| m.iter().next()) else {
        w.field(2, key, "Waiting");
        return;
    };
    w.field(2, key, title(name));
    if let Some(reason) = detail["reason"].as_str() {
        w.field(3, "Reason", reason);
    }
    if let Some(code) = detail.get("exitCode") {
        w.field(3, "Exit Code", scalar(code));
    }
    if let Some(t) = detail["startedAt"].as_str() {
        w.field(3, "Started", rfc1123(Some(t)));
    }
    if let Some(t) = detail["finishedAt"].as_str() {
        w.field(3, "Finished", rfc1123(Some(t)));
    }
}

pub(super) fn container(w: &mut Writer, c: &Value, st: Option<&Value>) {
    w.heading(1, c["name"].as_str().unwrap_or_default());
    if let Some(s) = st {
        w.field(2, "Container ID", text(s, "/containerID"));
    }
    w.field(2, "Image", text(c, "/image"));
    if let Some(s) = st {
        w.field(2, "Image ID", s.pointer("/imageID").map_or(String::new(), scalar));
    }
    let ports: Vec<String> = arr(c, "/ports")
        .map(|p| {
            format!(
                "{}/{}",
                scalar(&p["containerPort"]),
                p["protocol"].as_str().unwrap_or("TCP")
            )
        })
        .collect();
    w.field(
        2,
        if ports.len() > 1 { "Ports" } else { "Port" },
        if ports.is_empty() {
            "<none>".into()
        } else {
            ports.join(", ")
        },
    );
    if let Some(s) = st {
        state(w, "State", &s["state"]);
        if s["lastState"].as_object().is_some_and(|m| !m.is_empty()) {
            state(w, "Last State", &s["lastState"]);
        }
        w.field(
            2,
            "Ready",
            scalar(&s["ready"])
                .replace("true", "True")
                .replace("false", "False"),
        );
        w.field(
            2,
            "Restart Count",
            s.pointer("/restartCount").map_or("0".into(), scalar),
        );
    }
    for (key, field) in [("Limits", "limits"), ("Requests", "requests")] {
        if let Some(m) = c
            .pointer(&format!("/resources/{field}"))
            .and_then(Value::as_object)
        {
            w.heading(2, key);
            for (k, v) in m {
                w.field(3, k, scalar(v));
            }
        }
    }
    let env: Vec<String> = arr(c, "/env")
        .map(|e| {
            let value = match e.get("value") {
                Some(v) => scalar(v),
                None if e.get("valueFrom").is_some() => "<set from a reference>".into(),
                None => String::new(),
            };
            format!("{}:\t{value}", e["name"].as_str().unwrap_or_default())
        })
        .collect();
    if env.is_empty() {
        w.field(2, "Environment", "<none>");
    } else {
        w.heading(2, "Environment");
        for e in env {
            w.row(3, &[&e]);
        }
    }
    let mounts: Vec<String> = arr(c, "/volumeMounts")
        .map(|m| {
            let ro = if m["readOnly"] == true { "ro" } else { "rw" };
            format!("{} from {} ({ro})", text(m, "/mountPath"), text(m, "/name"))
        })
        .collect();
    if mounts.is_empty() {
        w.field(2, "Mounts", "<none>");
    } else {
        w.heading(2, "Mounts");
        for m in mounts {
            w.row(3, &[&m]);
        }
    }
}
