//! Printers of core/v1 kinds, after kube-apiserver's `printPod`, `printNode`, `printService`,
//! `printEvent` and friends.

use super::age::{age, parse_time, since, since_value};
use super::format::{int, items, labels, list_with_more, s};
use super::summary::{Cell, Summary, SummaryFn};
use super::{AGE, Col, NAME, Printer, Row, col};
use jiff::Timestamp;
use serde_json::{Value, json};

/// The printer of a core/v1 pod, node, namespace, service, endpoints or event.
pub(crate) fn printer(group: &str, plural: &str) -> Option<Printer> {
    if !group.is_empty() {
        return None;
    }
    Some(match plural {
        "pods" => (POD, print_pod),
        "nodes" => (NODE, print_node),
        "namespaces" => (NAMESPACE, print_namespace),
        "services" => (SERVICE, print_service),
        "endpoints" => (ENDPOINTS, print_endpoints),
        "events" => (EVENT, print_event),
        _ => return None,
    })
}

/// The two-step printer of a core/v1 kind, for kinds whose rows are worth caching per
/// object version (see [`super::summary`]).
pub(crate) fn summarizer(group: &str, plural: &str) -> Option<SummaryFn> {
    (group.is_empty() && plural == "pods").then_some(summarize_pod as SummaryFn)
}

const POD: &[Col] = &[
    NAME,
    col("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
    col("Status", "string", "The aggregate status of the containers in this pod."),
    col(
        "Restarts",
        "string",
        "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
    ),
    AGE,
    col("IP", "string", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.").wide(),
    col("Node", "string", "NodeName indicates in which node this pod is scheduled.").wide(),
    col("Nominated Node", "string", "nominatedNodeName is set only when this pod preempts other pods on the node.").wide(),
    col("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness.").wide(),
];

fn has_condition(conditions: &Value, type_: &str) -> bool {
    items(conditions)
        .iter()
        .any(|c| c["type"] == type_ && c["status"] == "True")
}

fn later(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

fn terminated_reason(t: &Value, prefix: &str) -> String {
    let reason = s(&t["reason"]);
    if !reason.is_empty() {
        return format!("{prefix}{reason}");
    }
    let signal = int(&t["signal"]);
    if signal != 0 {
        format!("{prefix}Signal:{signal}")
    } else {
        format!("{prefix}ExitCode:{}", int(&t["exitCode"]))
    }
}

/// `printPod`: READY counts ready containers (and started restartable init containers),
/// STATUS is the most telling container reason, RESTARTS shows when the last one happened.
fn print_pod(pod: &Value, now: Timestamp) -> Row {
    summarize_pod(pod).render(now)
}

/// [`print_pod`] without the time of the request (RESTARTS' "ago" and AGE are left open), so
/// the row of a pod version can be computed once.
pub(crate) fn summarize_pod(pod: &Value) -> Summary {
    let spec = &pod["spec"];
    let status = &pod["status"];
    let phase = s(&status["phase"]);
    let mut reason = phase.to_string();
    if !s(&status["reason"]).is_empty() {
        reason = s(&status["reason"]).to_string();
    }
    if items(&status["conditions"])
        .iter()
        .any(|c| c["type"] == "PodScheduled" && c["reason"] == "SchedulingGated")
    {
        reason = "SchedulingGated".to_string();
    }
    let conditions = match phase {
        "Succeeded" => Some(
            json!([{"type": "Completed", "status": "True", "reason": "Succeeded", "message": "The pod has completed successfully."}]),
        ),
        "Failed" => Some(
            json!([{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}]),
        ),
        _ => None,
    };

    let init_specs = items(&spec["initContainers"]);
    let restartable = |name: &str| {
        init_specs
            .iter()
            .any(|c| c["name"] == name && c["restartPolicy"] == "Always")
    };
    let total = items(&spec["containers"]).len()
        + init_specs
            .iter()
            .filter(|c| c["restartPolicy"] == "Always")
            .count();
    let mut ready = 0usize;
    let mut restarts = 0i64;
    let mut sidecar_restarts = 0i64;
    let mut last_restart: Option<Timestamp> = None;
    let mut last_sidecar_restart: Option<Timestamp> = None;

    let mut initializing = false;
    for (i, c) in items(&status["initContainerStatuses"]).iter().enumerate() {
        restarts += int(&c["restartCount"]);
        let finished = parse_time(&c["lastState"]["terminated"]["finishedAt"]);
        last_restart = later(last_restart, finished);
        let name = s(&c["name"]);
        if restartable(name) {
            sidecar_restarts += int(&c["restartCount"]);
            last_sidecar_restart = later(last_sidecar_restart, finished);
        }
        let state = &c["state"];
        if state["terminated"].is_object() && int(&state["terminated"]["exitCode"]) == 0 {
            continue;
        }
        if restartable(name) && c["started"] == true {
            if c["ready"] == true {
                ready += 1;
            }
            continue;
        }
        if state["terminated"].is_object() {
            reason = terminated_reason(&state["terminated"], "Init:");
        } else if !s(&state["waiting"]["reason"]).is_empty()
            && s(&state["waiting"]["reason"]) != "PodInitializing"
        {
            reason = format!("Init:{}", s(&state["waiting"]["reason"]));
        } else {
            reason = format!("Init:{i}/{}", init_specs.len());
        }
        initializing = true;
        break;
    }

    let initialized = items(&status["conditions"])
        .iter()
        .find(|c| c["type"] == "Initialized")
        .is_some_and(|c| c["status"] == "True");
    if !initializing || initialized {
        restarts = sidecar_restarts;
        last_restart = last_sidecar_restart;
        let mut has_running = false;
        for c in items(&status["containerStatuses"]).iter().rev() {
            restarts += int(&c["restartCount"]);
            last_restart = later(
                last_restart,
                parse_time(&c["lastState"]["terminated"]["finishedAt"]),
            );
            let state = &c["state"];
            if !s(&state["waiting"]["reason"]).is_empty() {
                reason = s(&state["waiting"]["reason"]).to_string();
            } else if state["terminated"].is_object() {
                reason = terminated_reason(&state["terminated"], "");
            } else if c["ready"] == true && state["running"].is_object() {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            reason = if has_condition(&status["conditions"], "Ready") {
                "Running"
            } else {
                "NotReady"
            }
            .to_string();
        }
    }

    let deleting = !pod["metadata"]["deletionTimestamp"].is_null();
    if deleting && s(&status["reason"]) == "NodeLost" {
        reason = "Unknown".to_string();
    } else if deleting && phase != "Succeeded" && phase != "Failed" {
        reason = "Terminating".to_string();
    }

    let or_none = |v: &str| {
        if v.is_empty() {
            "<none>".to_string()
        } else {
            v.to_string()
        }
    };
    let ip = items(&status["podIPs"])
        .first()
        .map(|p| s(&p["ip"]).to_string())
        .unwrap_or_default();
    let ip = if ip.is_empty() {
        s(&status["podIP"]).to_string()
    } else {
        ip
    };
    let gates = items(&spec["readinessGates"]);
    let gates_str = if gates.is_empty() {
        "<none>".to_string()
    } else {
        let true_count = gates
            .iter()
            .filter(|g| {
                items(&status["conditions"])
                    .iter()
                    .find(|c| c["type"] == g["conditionType"])
                    .is_some_and(|c| c["status"] == "True")
            })
            .count();
        format!("{true_count}/{}", gates.len())
    };
    let fixed = |v: Value| Cell::Value(v);
    Summary {
        cells: vec![
            fixed(pod["metadata"]["name"].clone()),
            fixed(json!(format!("{ready}/{total}"))),
            fixed(json!(reason)),
            Cell::CountAgo(restarts, last_restart),
            Cell::Age(parse_time(&pod["metadata"]["creationTimestamp"])),
            fixed(json!(or_none(&ip))),
            fixed(json!(or_none(s(&spec["nodeName"])))),
            fixed(json!(or_none(s(&status["nominatedNodeName"])))),
            fixed(json!(gates_str)),
        ],
        conditions,
    }
}

const NODE: &[Col] = &[
    NAME,
    col("Status", "string", "The status of the node"),
    col("Roles", "string", "The roles of the node"),
    AGE,
    col("Version", "string", "Kubelet Version reported by the node."),
    col(
        "Internal-IP",
        "string",
        "List of addresses reachable to the node.",
    )
    .wide(),
    col(
        "External-IP",
        "string",
        "List of addresses reachable to the node.",
    )
    .wide(),
    col(
        "OS-Image",
        "string",
        "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
    )
    .wide(),
    col(
        "Kernel-Version",
        "string",
        "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
    )
    .wide(),
    col(
        "Container-Runtime",
        "string",
        "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
    )
    .wide(),
];

/// `printNode`: Ready/NotReady/Unknown plus SchedulingDisabled; roles from labels.
fn print_node(node: &Value, now: Timestamp) -> Row {
    let mut status: Vec<String> = Vec::new();
    // The last condition of a type wins, as in the printer's map.
    if let Some(c) = items(&node["status"]["conditions"])
        .iter()
        .rev()
        .find(|c| c["type"] == "Ready")
    {
        status.push(if c["status"] == "True" {
            "Ready".into()
        } else {
            "NotReady".into()
        });
    }
    if status.is_empty() {
        status.push("Unknown".into());
    }
    if node["spec"]["unschedulable"] == true {
        status.push("SchedulingDisabled".into());
    }
    let mut roles: Vec<String> = Vec::new();
    if let Some(l) = node["metadata"]["labels"].as_object() {
        for (k, v) in l {
            if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
                if !role.is_empty() {
                    roles.push(role.to_string());
                }
            } else if k == "kubernetes.io/role" && !s(v).is_empty() {
                roles.push(s(v).to_string());
            }
        }
    }
    roles.sort();
    roles.dedup();
    let roles = if roles.is_empty() {
        "<none>".to_string()
    } else {
        roles.join(",")
    };
    let info = &node["status"]["nodeInfo"];
    let address = |t: &str| {
        items(&node["status"]["addresses"])
            .iter()
            .find(|a| a["type"] == t)
            .map(|a| s(&a["address"]).to_string())
            .unwrap_or_else(|| "<none>".to_string())
    };
    let unknown = |v: &Value| {
        if s(v).is_empty() {
            "<unknown>".to_string()
        } else {
            s(v).to_string()
        }
    };
    Row::new(vec![
        node["metadata"]["name"].clone(),
        json!(status.join(",")),
        json!(roles),
        json!(age(node, now)),
        json!(s(&info["kubeletVersion"])),
        json!(address("InternalIP")),
        json!(address("ExternalIP")),
        json!(unknown(&info["osImage"])),
        json!(unknown(&info["kernelVersion"])),
        json!(unknown(&info["containerRuntimeVersion"])),
    ])
}

const NAMESPACE: &[Col] = &[NAME, col("Status", "string", "The status of the namespace"), AGE];

fn print_namespace(ns: &Value, now: Timestamp) -> Row {
    Row::new(vec![
        ns["metadata"]["name"].clone(),
        json!(s(&ns["status"]["phase"])),
        json!(age(ns, now)),
    ])
}

const SERVICE: &[Col] = &[
    NAME,
    col("Type", "string", "type determines how the Service is exposed."),
    col(
        "Cluster-IP",
        "string",
        "clusterIP is the IP address of the service and is usually assigned randomly.",
    ),
    col(
        "External-IP",
        "string",
        "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.",
    ),
    col(
        "Port(s)",
        "string",
        "The list of ports that are exposed by this service.",
    ),
    AGE,
    col(
        "Selector",
        "string",
        "Route service traffic to pods with label keys and values matching this selector.",
    )
    .wide(),
];

/// `loadBalancerStatusStringer` with wide output: sorted unique IPs or hostnames.
fn lb_ingress(status: &Value) -> Vec<String> {
    let mut out: Vec<String> = items(&status["loadBalancer"]["ingress"])
        .iter()
        .filter_map(|i| {
            let ip = s(&i["ip"]);
            let host = s(&i["hostname"]);
            if !ip.is_empty() {
                Some(ip.to_string())
            } else if !host.is_empty() {
                Some(host.to_string())
            } else {
                None
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `printService`: EXTERNAL-IP is `<none>`, `<pending>` for a load balancer without
/// ingress, or the addresses; PORT(S) like `80/TCP,443:30443/TCP`.
fn print_service(svc: &Value, now: Timestamp) -> Row {
    let spec = &svc["spec"];
    // The API server defaults the type; objects stored without one are ClusterIP services.
    let type_ = if s(&spec["type"]).is_empty() {
        "ClusterIP"
    } else {
        s(&spec["type"])
    };
    let cluster_ip = items(&spec["clusterIPs"])
        .first()
        .map(|v| s(v).to_string())
        .filter(|v| !v.is_empty())
        .or_else(|| Some(s(&spec["clusterIP"]).to_string()).filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "<none>".to_string());
    let external_ips: Vec<String> = items(&spec["externalIPs"])
        .iter()
        .map(|v| s(v).to_string())
        .collect();
    let external = match type_ {
        "ClusterIP" | "NodePort" => {
            if external_ips.is_empty() {
                "<none>".to_string()
            } else {
                external_ips.join(",")
            }
        }
        "LoadBalancer" => {
            let mut all = lb_ingress(&svc["status"]);
            if all.is_empty() && external_ips.is_empty() {
                "<pending>".to_string()
            } else {
                all.extend(external_ips);
                all.join(",")
            }
        }
        "ExternalName" => s(&spec["externalName"]).to_string(),
        _ => "<unknown>".to_string(),
    };
    let ports: Vec<String> = items(&spec["ports"])
        .iter()
        .map(|p| {
            let proto = if s(&p["protocol"]).is_empty() {
                "TCP"
            } else {
                s(&p["protocol"])
            };
            let node_port = int(&p["nodePort"]);
            if node_port > 0 {
                format!("{}:{node_port}/{proto}", int(&p["port"]))
            } else {
                format!("{}/{proto}", int(&p["port"]))
            }
        })
        .collect();
    let ports = if ports.is_empty() {
        "<none>".to_string()
    } else {
        ports.join(",")
    };
    Row::new(vec![
        svc["metadata"]["name"].clone(),
        json!(type_),
        json!(cluster_ip),
        json!(external),
        json!(ports),
        json!(age(svc, now)),
        json!(labels(&spec["selector"])),
    ])
}

const ENDPOINTS: &[Col] = &[
    NAME,
    col(
        "Endpoints",
        "string",
        "The set of all endpoints is the union of all subsets.",
    ),
    AGE,
];

fn host_port(ip: &str, port: i64) -> String {
    if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    }
}

/// `formatEndpoints`: up to three `ip:port`, then ` + N more...`; `<none>` without subsets.
fn print_endpoints(ep: &Value, now: Timestamp) -> Row {
    let subsets = items(&ep["subsets"]);
    let text = if subsets.is_empty() {
        "<none>".to_string()
    } else {
        let mut list = Vec::new();
        let mut count = 0;
        for ss in subsets {
            let addrs = items(&ss["addresses"]);
            let ports = items(&ss["ports"]);
            if ports.is_empty() {
                count += addrs.len();
                list.extend(addrs.iter().map(|a| s(&a["ip"]).to_string()));
                continue;
            }
            for p in ports {
                count += addrs.len();
                list.extend(addrs.iter().map(|a| host_port(s(&a["ip"]), int(&p["port"]))));
            }
        }
        list_with_more(&list, count, 3, "")
    };
    Row::new(vec![
        ep["metadata"]["name"].clone(),
        json!(text),
        json!(age(ep, now)),
    ])
}

const EVENT: &[Col] = &[
    col("Last Seen", "string", "The time at which the most recent occurrence of this event was recorded."),
    col("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future"),
    col("Reason", "string", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    col("Object", "string", "The object that this event is about."),
    col("Subobject", "string", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.").wide(),
    col("Source", "string", "The component reporting this event. Should be a short machine understandable string.").wide(),
    col("Message", "string", "A human-readable description of the status of this operation."),
    col("First Seen", "string", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)").wide(),
    col("Count", "string", "The number of times this event has occurred.").wide(),
    col("Name", "string", super::NAME_DESC).wide().name_format(),
];

/// `printEvent` over a core/v1 Event (events.k8s.io events are converted first).
fn print_event(ev: &Value, now: Timestamp) -> Row {
    let first = match parse_time(&ev["firstTimestamp"]) {
        Some(t) => since(Some(t), now),
        None => since_value(&ev["eventTime"], now),
    };
    let mut last = match parse_time(&ev["lastTimestamp"]) {
        Some(t) => since(Some(t), now),
        None => first.clone(),
    };
    let mut count = int(&ev["count"]);
    if ev["series"].is_object() {
        last = since_value(&ev["series"]["lastObservedTime"], now);
        count = int(&ev["series"]["count"]);
    } else if count == 0 {
        count = 1;
    }
    let involved = &ev["involvedObject"];
    let kind = s(&involved["kind"]).to_lowercase();
    let target = if s(&involved["name"]).is_empty() {
        kind
    } else {
        format!("{kind}/{}", s(&involved["name"]))
    };
    let component = [s(&ev["source"]["component"]), s(&ev["reportingComponent"])]
        .into_iter()
        .find(|x| !x.is_empty())
        .unwrap_or("");
    let instance = [s(&ev["source"]["host"]), s(&ev["reportingInstance"])]
        .into_iter()
        .find(|x| !x.is_empty())
        .unwrap_or("");
    let source = if instance.is_empty() {
        component.to_string()
    } else {
        format!("{component}, {instance}")
    };
    Row::new(vec![
        json!(last),
        json!(s(&ev["type"])),
        json!(s(&ev["reason"])),
        json!(target),
        json!(s(&involved["fieldPath"])),
        json!(source),
        json!(s(&ev["message"]).trim()),
        json!(first),
        json!(count),
        ev["metadata"]["name"].clone(),
    ])
}
