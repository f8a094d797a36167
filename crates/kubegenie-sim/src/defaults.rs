//! Defaulting, as kube-apiserver's defaulters, registry strategies and default admission
//! plugins apply it. Clients see these fields (`kubectl get -o yaml`, `diff`, `describe`), so
//! they follow the real values.

use crate::catalog::ResourceType;
use crate::object;
use crate::state::ClusterState;
use serde_json::{Map, Value, json};
use std::sync::atomic::Ordering;

/// Sets `obj[key] = value` when the key is missing or null.
fn default(obj: &mut Value, key: &str, value: Value) {
    if let Some(m) = obj.as_object_mut() {
        let slot = m.entry(key.to_string()).or_insert(Value::Null);
        if slot.is_null() {
            *slot = value;
        }
    }
}

/// A mutable child object, created when missing.
fn child<'a>(obj: &'a mut Value, key: &str) -> &'a mut Value {
    if !obj.is_object() {
        *obj = Value::Object(Map::new());
    }
    let m = obj.as_object_mut().expect("just made an object");
    let c = m.entry(key.to_string()).or_insert_with(|| json!({}));
    if !c.is_object() {
        *c = json!({});
    }
    c
}

/// Defaults of a pod spec (pods and pod templates).
fn pod_spec(spec: &mut Value, is_pod: bool) {
    default(spec, "restartPolicy", json!("Always"));
    default(spec, "terminationGracePeriodSeconds", json!(30));
    default(spec, "dnsPolicy", json!("ClusterFirst"));
    default(spec, "securityContext", json!({}));
    default(spec, "schedulerName", json!("default-scheduler"));
    for list in ["containers", "initContainers"] {
        if let Some(cs) = spec.get_mut(list).and_then(Value::as_array_mut) {
            for c in cs {
                container(c);
            }
        }
    }
    if is_pod {
        default(spec, "serviceAccountName", json!("default"));
        let sa = spec
            .get("serviceAccountName")
            .cloned()
            .unwrap_or(json!("default"));
        default(spec, "serviceAccount", sa);
        default(spec, "enableServiceLinks", json!(true));
        default(spec, "preemptionPolicy", json!("PreemptLowerPriority"));
        default(spec, "priority", json!(0));
        // The DefaultTolerationSeconds admission plugin.
        if spec.get("tolerations").is_none() {
            spec["tolerations"] = json!([
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
            ]);
        }
    }
}

fn container(c: &mut Value) {
    default(c, "terminationMessagePath", json!("/dev/termination-log"));
    default(c, "terminationMessagePolicy", json!("File"));
    default(c, "resources", json!({}));
    let image = c.get("image").and_then(Value::as_str).unwrap_or_default();
    let last = image.rsplit('/').next().unwrap_or_default();
    let tagged = last.contains(':') && !last.ends_with(":latest");
    let policy = if tagged || image.contains('@') {
        "IfNotPresent"
    } else {
        "Always"
    };
    default(c, "imagePullPolicy", json!(policy));
    if let Some(ports) = c.get_mut("ports").and_then(Value::as_array_mut) {
        for p in ports {
            default(p, "protocol", json!("TCP"));
        }
    }
}

fn template(spec: &mut Value) {
    let tpl = child(spec, "template");
    let pspec = child(tpl, "spec");
    pod_spec(pspec, false);
}

/// The QoS class of a pod, from its containers' requests and limits.
fn qos_class(spec: &Value) -> &'static str {
    let containers = spec
        .get("containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut any = false;
    let mut guaranteed = !containers.is_empty();
    for c in &containers {
        let req = c.pointer("/resources/requests").and_then(Value::as_object);
        let lim = c.pointer("/resources/limits").and_then(Value::as_object);
        any |= req.is_some_and(|r| !r.is_empty()) || lim.is_some_and(|l| !l.is_empty());
        for r in ["cpu", "memory"] {
            let l = lim.and_then(|l| l.get(r));
            let q = req.and_then(|q| q.get(r)).or(l);
            guaranteed &= l.is_some() && q == l;
        }
    }
    if guaranteed {
        "Guaranteed"
    } else if any {
        "Burstable"
    } else {
        "BestEffort"
    }
}

fn service(st: &ClusterState, obj: &mut Value) {
    let spec = child(obj, "spec");
    default(spec, "type", json!("ClusterIP"));
    default(spec, "sessionAffinity", json!("None"));
    let ty = spec
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("ClusterIP")
        .to_string();
    if ty != "ExternalName" {
        if spec
            .get("clusterIP")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            let n = st.next_ip.fetch_add(1, Ordering::Relaxed);
            spec["clusterIP"] = json!(format!("10.96.{}.{}", (n >> 8) & 0xff, n & 0xff));
        }
        let ip = spec["clusterIP"].clone();
        default(spec, "clusterIPs", json!([ip]));
        default(spec, "ipFamilies", json!(["IPv4"]));
        default(spec, "ipFamilyPolicy", json!("SingleStack"));
        default(spec, "internalTrafficPolicy", json!("Cluster"));
    }
    let needs_node_port = matches!(ty.as_str(), "NodePort" | "LoadBalancer");
    if needs_node_port {
        default(spec, "externalTrafficPolicy", json!("Cluster"));
    }
    if let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) {
        for p in ports {
            default(p, "protocol", json!("TCP"));
            let port = p.get("port").cloned().unwrap_or(Value::Null);
            default(p, "targetPort", port);
            if needs_node_port && p.get("nodePort").is_none_or(Value::is_null) {
                let n = st.next_node_port.fetch_add(1, Ordering::Relaxed);
                p["nodePort"] = json!(30000 + (n % 2768));
            }
        }
    }
    obj["status"] = json!({"loadBalancer": {}});
}

/// Defaults applied when an object is created.
pub fn on_create(st: &ClusterState, rt: &ResourceType, obj: &mut Value) {
    let kind = (rt.group.as_str(), rt.plural.as_str());
    // Status is set by controllers, not by creators, for kinds where it is a subresource.
    if rt.status_is_subresource()
        && kind != ("", "nodes")
        && let Some(m) = obj.as_object_mut()
    {
        m.remove("status");
    }
    match kind {
        ("", "namespaces") => {
            let name = object::name(obj).to_string();
            let labels = child(child(obj, "metadata"), "labels");
            labels["kubernetes.io/metadata.name"] = json!(name);
            obj["spec"] = json!({"finalizers": ["kubernetes"]});
            obj["status"] = json!({"phase": "Active"});
        }
        ("", "services") => service(st, obj),
        ("", "pods") => {
            let spec = child(obj, "spec");
            pod_spec(spec, true);
            let qos = qos_class(spec);
            obj["status"] = json!({"phase": "Pending", "qosClass": qos});
        }
        ("", "persistentvolumeclaims") => {
            default(child(obj, "spec"), "volumeMode", json!("Filesystem"));
            obj["status"] = json!({"phase": "Pending"});
        }
        ("", "persistentvolumes") => {
            default(
                child(obj, "spec"),
                "persistentVolumeReclaimPolicy",
                json!("Retain"),
            );
            obj["status"] = json!({"phase": "Available"});
        }
        ("apiextensions.k8s.io", "customresourcedefinitions") => {
            let mut fins = object::finalizers(obj);
            if !fins.iter().any(|f| f == crate::crd::CLEANUP_FINALIZER) {
                fins.push(crate::crd::CLEANUP_FINALIZER.into());
            }
            object::set_finalizers(obj, &fins);
        }
        _ => {}
    }
    workload(obj, rt);
}

/// Defaults of workload controllers' specs (shared by create and update).
fn workload(obj: &mut Value, rt: &ResourceType) {
    match (rt.group.as_str(), rt.plural.as_str()) {
        ("apps", "deployments") => {
            let spec = child(obj, "spec");
            default(spec, "replicas", json!(1));
            default(spec, "revisionHistoryLimit", json!(10));
            default(spec, "progressDeadlineSeconds", json!(600));
            default(spec, "strategy", json!({"type": "RollingUpdate"}));
            let strategy = child(spec, "strategy");
            if strategy.get("type").and_then(Value::as_str) == Some("RollingUpdate") {
                default(strategy, "rollingUpdate", json!({}));
                let ru = child(strategy, "rollingUpdate");
                default(ru, "maxSurge", json!("25%"));
                default(ru, "maxUnavailable", json!("25%"));
            }
            template(spec);
        }
        ("apps", "replicasets") => {
            let spec = child(obj, "spec");
            default(spec, "replicas", json!(1));
            template(spec);
        }
        ("apps", "statefulsets") => {
            let spec = child(obj, "spec");
            default(spec, "replicas", json!(1));
            default(spec, "podManagementPolicy", json!("OrderedReady"));
            default(spec, "revisionHistoryLimit", json!(10));
            default(
                spec,
                "updateStrategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
            );
            default(
                spec,
                "persistentVolumeClaimRetentionPolicy",
                json!({"whenDeleted": "Retain", "whenScaled": "Retain"}),
            );
            template(spec);
        }
        ("apps", "daemonsets") => {
            let spec = child(obj, "spec");
            default(spec, "revisionHistoryLimit", json!(10));
            default(
                spec,
                "updateStrategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}),
            );
            template(spec);
        }
        ("batch", "jobs") => job(obj),
        ("batch", "cronjobs") => {
            let spec = child(obj, "spec");
            default(spec, "concurrencyPolicy", json!("Allow"));
            default(spec, "suspend", json!(false));
            default(spec, "successfulJobsHistoryLimit", json!(3));
            default(spec, "failedJobsHistoryLimit", json!(1));
            let jt = child(child(spec, "jobTemplate"), "spec");
            template(jt);
        }
        _ => {}
    }
}

/// Jobs get a generated selector and template labels tied to their uid, as the Job registry
/// strategy does, unless `manualSelector` is set.
fn job(obj: &mut Value) {
    let uid = object::uid(obj).to_string();
    let name = object::name(obj).to_string();
    let spec = child(obj, "spec");
    default(spec, "backoffLimit", json!(6));
    default(spec, "completions", json!(1));
    default(spec, "parallelism", json!(1));
    default(spec, "completionMode", json!("NonIndexed"));
    default(spec, "suspend", json!(false));
    default(spec, "podReplacementPolicy", json!("TerminatingOrFailed"));
    let manual = spec.get("manualSelector").and_then(Value::as_bool) == Some(true);
    if !manual && spec.get("selector").is_none() && !uid.is_empty() {
        spec["selector"] = json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}});
        let labels = child(child(child(spec, "template"), "metadata"), "labels");
        for (k, v) in [
            ("batch.kubernetes.io/controller-uid", &uid),
            ("batch.kubernetes.io/job-name", &name),
            ("controller-uid", &uid),
            ("job-name", &name),
        ] {
            labels[k] = json!(v);
        }
    }
    let tpl = child(spec, "template");
    let pspec = child(tpl, "spec");
    default(pspec, "restartPolicy", json!("Never"));
    pod_spec(pspec, false);
}

/// Defaults applied when an object is updated.
pub fn on_update(st: &ClusterState, rt: &ResourceType, old: &Value, new: &mut Value) {
    match (rt.group.as_str(), rt.plural.as_str()) {
        ("", "services") => {
            // The allocated cluster IP and node ports survive updates that omit them.
            if new.pointer("/spec/clusterIP").is_none()
                && let Some(ip) = old.pointer("/spec/clusterIP").cloned()
            {
                child(new, "spec")["clusterIP"] = ip;
            }
            let status = old.get("status").cloned();
            service(st, new);
            if let Some(s) = status {
                new["status"] = s;
            }
        }
        ("", "pods") => pod_spec(child(new, "spec"), true),
        ("", "namespaces") => {
            let name = object::name(old).to_string();
            child(child(new, "metadata"), "labels")["kubernetes.io/metadata.name"] = json!(name);
            if let Some(f) = old.pointer("/spec/finalizers").cloned()
                && new.pointer("/spec/finalizers").is_none()
            {
                child(new, "spec")["finalizers"] = f;
            }
        }
        _ => workload(new, rt),
    }
}
