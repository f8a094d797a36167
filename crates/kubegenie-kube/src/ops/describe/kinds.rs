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

pub(super) fn arr<'a>(o: &'a Value, pointer: &str) -> impl Iterator<Item = &'a Value> {
    o.pointer(pointer).and_then(Value::as_array).into_iter().flatten()
}

pub(super) fn header(w: &mut Writer, o: &Value, namespaced: bool) {
    w.field(0, "Name", text(o, "/metadata/name"));
    if namespaced {
        w.field(0, "Namespace", text(o, "/metadata/namespace"));
    }
}

pub(super) fn labels_annotations(w: &mut Writer, o: &Value) {
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
        "Pod" => super::pod::pod(w, o),
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
        super::pod::container(&mut sub, c, None);
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
