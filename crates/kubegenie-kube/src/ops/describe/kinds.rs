//! The describers: Pod, Deployment, Node and Service as kubectl lays them out, and the
//! generic describer for every other kind (CRDs included).

use super::text::{Writer, age, generic, human_duration, rfc1123, scalar, text};
use serde_json::Value;

/// What a describer may need besides the object.
#[derive(Debug, Default)]
pub struct Related {
    /// ReplicaSets owned by a Deployment.
    pub replica_sets: Vec<Value>,
    /// Endpoints of a Service.
    pub endpoints: Option<Value>,
    /// Pods on a Node.
    pub pods: Vec<Value>,
}

fn arr<'a>(o: &'a Value, pointer: &str) -> impl Iterator<Item = &'a Value> {
    o.pointer(pointer).and_then(Value::as_array).into_iter().flatten()
}

fn header(w: &mut Writer, o: &Value, namespaced: bool) {
    w.field(0, "Name", text(o, "/metadata/name"));
    if namespaced {
        w.field(0, "Namespace", text(o, "/metadata/namespace"));
    }
}

fn labels_annotations(w: &mut Writer, o: &Value) {
    w.map(0, "Labels", &o["metadata"]["labels"], "=");
    w.map(0, "Annotations", &o["metadata"]["annotations"], ": ");
}

/// Describes `o` (of `kind`) into `w`, without events.
pub fn describe(
    w: &mut Writer,
    kind: &str,
    o: &Value,
    namespaced: bool,
    related: &Related,
    now: jiff::Timestamp,
) {
    match kind {
        "Pod" => pod(w, o),
        "Deployment" => deployment(w, o, related),
        "Node" => node(w, o, related, now),
        "Service" => service(w, o, related),
        _ => fallback(w, o, namespaced),
    }
}

fn fallback(w: &mut Writer, o: &Value, namespaced: bool) {
    header(w, o, namespaced);
    labels_annotations(w, o);
    w.field(0, "API Version", text(o, "/apiVersion"));
    w.field(0, "Kind", text(o, "/kind"));
    let mut meta = o["metadata"].clone();
    if let Some(m) = meta.as_object_mut() {
        for k in ["name", "namespace", "labels", "annotations", "managedFields"] {
            m.remove(k);
        }
    }
    generic(w, 0, "Metadata", &meta);
    if let Some(m) = o.as_object() {
        for (k, v) in m
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "apiVersion" | "kind" | "metadata"))
        {
            generic(w, 0, &super::text::title(k), v);
        }
    }
}

fn pod(w: &mut Writer, o: &Value) {
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
                w.field(2, "Type", format!("{} ", super::text::title(kind)).trim_end());
                for (k, val) in src
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter(|(_, v)| !v.is_object() && !v.is_array())
                {
                    w.field(2, &super::text::title(k), scalar(val));
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
    w.field(2, key, super::text::title(name));
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

fn container(w: &mut Writer, c: &Value, st: Option<&Value>) {
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

fn deployment(w: &mut Writer, o: &Value, related: &Related) {
    header(w, o, true);
    w.field(
        0,
        "CreationTimestamp",
        rfc1123(o.pointer("/metadata/creationTimestamp").and_then(Value::as_str)),
    );
    labels_annotations(w, o);
    let sel =
        super::super::target::selector_string(&o["spec"]["selector"]).unwrap_or_else(|| "<none>".into());
    w.field(0, "Selector", sel);
    let n = |p: &str| o.pointer(p).and_then(Value::as_i64).unwrap_or(0);
    w.field(
        0,
        "Replicas",
        format!(
            "{} desired | {} updated | {} total | {} available | {} unavailable",
            o.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1),
            n("/status/updatedReplicas"),
            n("/status/replicas"),
            n("/status/availableReplicas"),
            n("/status/unavailableReplicas")
        ),
    );
    let strategy = o
        .pointer("/spec/strategy/type")
        .and_then(Value::as_str)
        .unwrap_or("RollingUpdate");
    w.field(0, "StrategyType", strategy);
    w.field(0, "MinReadySeconds", n("/spec/minReadySeconds").to_string());
    if strategy == "RollingUpdate" {
        let ru = &o["spec"]["strategy"]["rollingUpdate"];
        let get = |k: &str| ru.get(k).map_or("25%".into(), scalar);
        w.field(
            0,
            "RollingUpdateStrategy",
            format!(
                "{} max unavailable, {} max surge",
                get("maxUnavailable"),
                get("maxSurge")
            ),
        );
    }
    w.heading(0, "Pod Template");
    w.map(1, "Labels", &o["spec"]["template"]["metadata"]["labels"], "=");
    if o.pointer("/spec/template/metadata/annotations").is_some() {
        w.map(
            1,
            "Annotations",
            &o["spec"]["template"]["metadata"]["annotations"],
            ": ",
        );
    }
    w.heading(1, "Containers");
    for c in arr(o, "/spec/template/spec/containers") {
        let mut sub = Writer::default();
        container(&mut sub, c, None);
        // Template containers sit one level deeper than a pod's.
        for line in sub.finish().lines() {
            w.row(1, &[line]);
        }
    }
    w.heading(0, "Conditions");
    w.row(1, &["Type", "Status", "Reason"]);
    w.row(1, &["----", "------", "------"]);
    for c in arr(o, "/status/conditions") {
        w.row(1, &[&text(c, "/type"), &text(c, "/status"), &text(c, "/reason")]);
    }
    let revision = |rs: &Value| {
        rs.pointer("/metadata/annotations/deployment.kubernetes.io~1revision")
            .and_then(Value::as_str)
            .and_then(|r| r.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let newest = related.replica_sets.iter().max_by_key(|rs| revision(rs));
    let describe_rs = |rs: &Value| {
        format!(
            "{} ({}/{} replicas created)",
            text(rs, "/metadata/name"),
            rs.pointer("/status/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(0),
            rs.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(0)
        )
    };
    let old: Vec<String> = related
        .replica_sets
        .iter()
        .filter(|rs| {
            Some(*rs) != newest && rs.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(0) > 0
        })
        .map(describe_rs)
        .collect();
    w.field(
        0,
        "OldReplicaSets",
        if old.is_empty() {
            "<none>".into()
        } else {
            old.join(", ")
        },
    );
    w.field(0, "NewReplicaSet", newest.map_or("<none>".into(), describe_rs));
}

fn node(w: &mut Writer, o: &Value, related: &Related, now: jiff::Timestamp) {
    header(w, o, false);
    let roles: Vec<String> = o["metadata"]["labels"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/").map(str::to_string))
        .collect();
    w.field(
        0,
        "Roles",
        if roles.is_empty() {
            "<none>".into()
        } else {
            roles.join(",")
        },
    );
    labels_annotations(w, o);
    w.field(
        0,
        "CreationTimestamp",
        rfc1123(o.pointer("/metadata/creationTimestamp").and_then(Value::as_str)),
    );
    let taints: Vec<String> = arr(o, "/spec/taints")
        .map(|t| match t["value"].as_str() {
            Some(v) => format!("{}={v}:{}", text(t, "/key"), text(t, "/effect")),
            None => format!("{}:{}", text(t, "/key"), text(t, "/effect")),
        })
        .collect();
    w.list(0, "Taints", &taints);
    w.field(
        0,
        "Unschedulable",
        o.pointer("/spec/unschedulable").map_or("false".into(), scalar),
    );
    w.heading(0, "Conditions");
    w.row(
        1,
        &[
            "Type",
            "Status",
            "LastHeartbeatTime",
            "LastTransitionTime",
            "Reason",
            "Message",
        ],
    );
    w.row(
        1,
        &[
            "----",
            "------",
            "-----------------",
            "------------------",
            "------",
            "-------",
        ],
    );
    for c in arr(o, "/status/conditions") {
        let t = |p: &str| rfc1123(c.pointer(p).and_then(Value::as_str));
        w.row(
            1,
            &[
                &text(c, "/type"),
                &text(c, "/status"),
                &t("/lastHeartbeatTime"),
                &t("/lastTransitionTime"),
                &text(c, "/reason"),
                &text(c, "/message"),
            ],
        );
    }
    w.heading(0, "Addresses");
    for a in arr(o, "/status/addresses") {
        w.field(1, &text(a, "/type"), text(a, "/address"));
    }
    for (key, field) in [("Capacity", "capacity"), ("Allocatable", "allocatable")] {
        w.heading(0, key);
        for (k, v) in o["status"][field].as_object().into_iter().flatten() {
            w.field(1, k, scalar(v));
        }
    }
    w.heading(0, "System Info");
    for (k, v) in o["status"]["nodeInfo"].as_object().into_iter().flatten() {
        w.field(1, &super::text::title(k), scalar(v));
    }
    w.field(
        0,
        "PodCIDR",
        o.pointer("/spec/podCIDR").map_or(String::new(), scalar),
    );
    let cidrs: Vec<String> = arr(o, "/spec/podCIDRs").map(scalar).collect();
    w.field(0, "PodCIDRs", cidrs.join(","));
    if let Some(p) = o.pointer("/spec/providerID") {
        w.field(0, "ProviderID", scalar(p));
    }
    let running: Vec<&Value> = related
        .pods
        .iter()
        .filter(|p| {
            !matches!(
                p.pointer("/status/phase").and_then(Value::as_str),
                Some("Succeeded" | "Failed")
            )
        })
        .collect();
    w.field(0, "Non-terminated Pods", format!("({} in total)", running.len()));
    w.row(
        1,
        &["Namespace", "Name", "CPU Requests", "Memory Requests", "Age"],
    );
    w.row(
        1,
        &["---------", "----", "------------", "---------------", "---"],
    );
    for p in running {
        let req = |r: &str| {
            let parts: Vec<String> = arr(p, "/spec/containers")
                .filter_map(|c| c.pointer(&format!("/resources/requests/{r}")).map(scalar))
                .collect();
            if parts.is_empty() {
                "0 (0%)".to_string()
            } else {
                parts.join("+")
            }
        };
        let a = age(
            now,
            p.pointer("/metadata/creationTimestamp").and_then(Value::as_str),
        )
        .map_or("<unknown>".into(), human_duration);
        w.row(
            1,
            &[
                &text(p, "/metadata/namespace"),
                &text(p, "/metadata/name"),
                &req("cpu"),
                &req("memory"),
                &a,
            ],
        );
    }
}

fn service(w: &mut Writer, o: &Value, related: &Related) {
    header(w, o, true);
    labels_annotations(w, o);
    w.map(0, "Selector", &o["spec"]["selector"], "=");
    w.field(0, "Type", text(o, "/spec/type"));
    w.field(0, "IP Family Policy", text(o, "/spec/ipFamilyPolicy"));
    let fams: Vec<String> = arr(o, "/spec/ipFamilies").map(scalar).collect();
    w.field(
        0,
        "IP Families",
        if fams.is_empty() {
            "<none>".into()
        } else {
            fams.join(",")
        },
    );
    w.field(0, "IP", text(o, "/spec/clusterIP"));
    let ips: Vec<String> = arr(o, "/spec/clusterIPs").map(scalar).collect();
    w.field(
        0,
        "IPs",
        if ips.is_empty() {
            "<none>".into()
        } else {
            ips.join(",")
        },
    );
    let endpoints: Vec<String> = related
        .endpoints
        .iter()
        .flat_map(|e| arr(e, "/subsets"))
        .flat_map(|s| {
            let ports: Vec<String> = arr(s, "/ports").map(|p| scalar(&p["port"])).collect();
            arr(s, "/addresses")
                .flat_map(|a| ports.iter().map(move |p| format!("{}:{p}", text(a, "/ip"))))
                .collect::<Vec<_>>()
        })
        .collect();
    for p in arr(o, "/spec/ports") {
        let name = p["name"].as_str().unwrap_or("<unset>");
        let proto = p["protocol"].as_str().unwrap_or("TCP");
        w.field(0, "Port", format!("{name}  {}/{proto}", scalar(&p["port"])));
        w.field(
            0,
            "TargetPort",
            format!(
                "{}/{proto}",
                p.get("targetPort").map_or_else(|| scalar(&p["port"]), scalar)
            ),
        );
        if let Some(np) = p.get("nodePort") {
            w.field(0, "NodePort", format!("{name}  {}/{proto}", scalar(np)));
        }
        w.field(
            0,
            "Endpoints",
            if endpoints.is_empty() {
                "<none>".into()
            } else {
                endpoints.join(",")
            },
        );
    }
    w.field(
        0,
        "Session Affinity",
        o.pointer("/spec/sessionAffinity").map_or("None".into(), scalar),
    );
}
