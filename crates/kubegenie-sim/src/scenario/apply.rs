//! Turning a scenario's cluster into the Kubernetes objects it starts with: nodes from its pools,
//! namespaces, workloads expanded into Deployments/StatefulSets/... with behaviour annotations,
//! and raw manifests. This is pure (no cluster needed), so the same scenario and seed always
//! give the same objects; uids are assigned by the cluster's seeded stream when they are created.

use super::format::{ClusterSpec, Labels, Workload, WorkloadKind};
use super::load::normalize_version;
use super::nodes::{self, NodeParams, Provider};
use crate::behaviour;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Kubernetes version of clusters whose scenario names none.
pub const DEFAULT_VERSION: &str = "v1.33.1";

/// What one cluster of a scenario starts with.
#[derive(Debug, Clone)]
pub struct ClusterPlan {
    /// Cluster name.
    pub name: String,
    /// Provider.
    pub provider: Provider,
    /// Region.
    pub region: String,
    /// Reported Kubernetes version.
    pub version: String,
    /// The cluster's own labels (with `provider` and `region` added when missing).
    pub labels: Labels,
    /// Objects to create, in order.
    pub objects: Vec<Value>,
    /// Node names per pool, in index order (timeline `failNode` by pool reads them).
    pub pools: BTreeMap<String, Vec<String>>,
}

/// apiVersion and kind of a workload kind.
pub fn type_of(kind: WorkloadKind) -> (&'static str, &'static str) {
    match kind {
        WorkloadKind::Deployment => ("apps/v1", "Deployment"),
        WorkloadKind::StatefulSet => ("apps/v1", "StatefulSet"),
        WorkloadKind::DaemonSet => ("apps/v1", "DaemonSet"),
        WorkloadKind::Job => ("batch/v1", "Job"),
        WorkloadKind::CronJob => ("batch/v1", "CronJob"),
        WorkloadKind::Pod => ("v1", "Pod"),
    }
}

fn labels_value(l: &Labels) -> Map<String, Value> {
    l.iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect()
}

/// The objects cluster `c` starts with (ClusterProfiles of a hub are added at start, when the
/// member clusters' addresses are known); `now` stamps the node conditions.
pub fn plan(c: &ClusterSpec, seed: u64, now: &str) -> ClusterPlan {
    let name = c.name.value.clone();
    let region = c
        .region
        .clone()
        .unwrap_or_else(|| c.provider.default_region().to_string());
    let version = c
        .kubernetes_version
        .as_deref()
        .and_then(normalize_version)
        .unwrap_or_else(|| DEFAULT_VERSION.to_string());
    let mut labels = c.labels.clone();
    labels
        .entry("provider".into())
        .or_insert_with(|| c.provider.as_str().into());
    labels.entry("region".into()).or_insert_with(|| region.clone());
    let mut objects = Vec::new();
    let mut pools = BTreeMap::new();
    let default_pool;
    let node_pools = if c.node_pools.is_empty() {
        default_pool = vec![super::format::NodePool {
            name: if c.provider == Provider::Azure {
                "nodepool1"
            } else {
                "default"
            }
            .into(),
            count: 3,
            instance_type: None,
            zones: Vec::new(),
            spot: false,
            control_plane: false,
            labels: Labels::new(),
            taints: Vec::new(),
        }];
        &default_pool
    } else {
        &c.node_pools
    };
    let mut index = 0;
    for pool in node_pools {
        let type_name = pool
            .instance_type
            .as_ref()
            .map_or(c.provider.default_instance_type(), |t| t.value.as_str());
        let Some(instance) = nodes::instance_type(type_name) else {
            continue; // rejected by validation; a hand-built spec just gets no such nodes
        };
        let zones = if pool.zones.is_empty() {
            c.provider.default_zones(&region)
        } else {
            pool.zones.clone()
        };
        let taints: Vec<Value> = pool
            .taints
            .iter()
            .map(|t| {
                let mut v = json!({"key": t.key, "effect": t.effect.value});
                if let Some(val) = &t.value {
                    v["value"] = json!(val);
                }
                v
            })
            .collect();
        let extra = labels_value(&pool.labels);
        let mut names = Vec::new();
        for i in 0..pool.count {
            let params = NodeParams {
                cluster: &name,
                provider: c.provider,
                region: &region,
                zone: &zones[i % zones.len().max(1)],
                instance,
                pool: &pool.name,
                index,
                spot: pool.spot,
                control_plane: pool.control_plane,
                kubelet_version: &version,
                seed,
                name: None,
            };
            let node = nodes::node_object(&params, now, &extra, &taints);
            names.push(crate::object::name(&node).to_string());
            objects.push(node);
            index += 1;
        }
        pools.insert(pool.name.clone(), names);
    }
    let mut namespaces: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
    for ns in &c.namespaces {
        namespaces.insert(&ns.name, labels_value(&ns.labels));
    }
    for w in &c.workloads {
        namespaces.entry(&w.namespace).or_default();
    }
    let builtin: BTreeSet<&str> = ["default", "kube-system", "kube-public", "kube-node-lease"].into();
    for (ns, l) in &namespaces {
        if !builtin.contains(ns) {
            objects.push(
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": l}}),
            );
        }
    }
    if let Some(inv) = &c.inventory {
        objects.push(super::inventory::crd());
        objects.push(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": inv.namespace}}));
    }
    for w in &c.workloads {
        objects.extend(workload_objects(w));
    }
    for m in &c.manifests {
        objects.push(Value::Object(m.value.clone()));
    }
    ClusterPlan {
        name,
        provider: c.provider,
        region,
        version,
        labels,
        objects,
        pools,
    }
}

/// The container of a workload.
fn container(w: &Workload) -> Value {
    let mut c = json!({"name": w.name.value, "image": w.image, "imagePullPolicy": "IfNotPresent"});
    if let Some(r) = &w.resources {
        c["resources"] = r.clone();
    }
    if !w.ports.is_empty() {
        c["ports"] = w
            .ports
            .iter()
            .map(|p| json!({"containerPort": p, "protocol": "TCP"}))
            .collect();
    }
    if let Some(p) = &w.probes {
        for (field, probe) in [
            ("readinessProbe", &p.readiness),
            ("livenessProbe", &p.liveness),
            ("startupProbe", &p.startup),
        ] {
            if let Some(probe) = probe {
                c[field] = probe.clone();
            }
        }
    }
    if w.privileged {
        c["securityContext"] = json!({"privileged": true});
    }
    if !w.command.is_empty() {
        c["command"] = json!(w.command);
    }
    c
}

/// The pod template of a workload.
fn template(w: &Workload, restart: &str) -> Value {
    let mut labels = labels_value(&w.labels);
    labels.insert("app".into(), json!(w.name.value));
    let mut annotations = labels_value(&w.annotations);
    if let Some(b) = &w.behaviour {
        // JSON is valid YAML, so the annotation is what a user would write by hand.
        if let Ok(text) = serde_json::to_string(b) {
            annotations.insert(behaviour::ANNOTATION.into(), Value::String(text));
        }
    }
    let mut spec = json!({"containers": [container(w)], "restartPolicy": restart});
    if !w.node_selector.is_empty() {
        spec["nodeSelector"] = Value::Object(labels_value(&w.node_selector));
    }
    if !w.tolerations.is_empty() {
        spec["tolerations"] = json!(w.tolerations);
    }
    if let Some(sa) = &w.service_account {
        spec["serviceAccountName"] = json!(sa);
    }
    let mut meta = json!({"labels": labels});
    if !annotations.is_empty() {
        meta["annotations"] = Value::Object(annotations);
    }
    json!({"metadata": meta, "spec": spec})
}

/// The objects of a workload: the workload itself and, when asked, its Service.
pub fn workload_objects(w: &Workload) -> Vec<Value> {
    let (api_version, kind) = type_of(w.kind);
    let name = &w.name.value;
    let mut labels = labels_value(&w.labels);
    labels.insert("app".into(), json!(name));
    let meta = json!({"name": name, "namespace": w.namespace, "labels": labels});
    let selector = json!({"matchLabels": {"app": name}});
    let obj = match w.kind {
        WorkloadKind::Deployment => json!({"spec": {"replicas": w.replicas, "selector": selector,
            "template": template(w, "Always")}}),
        WorkloadKind::StatefulSet => json!({"spec": {"replicas": w.replicas, "serviceName": name,
            "selector": selector, "template": template(w, "Always")}}),
        WorkloadKind::DaemonSet => json!({"spec": {"selector": selector, "template": template(w, "Always")}}),
        WorkloadKind::Job => json!({"spec": {"parallelism": w.replicas, "completions": w.replicas,
            "backoffLimit": 6, "template": template(w, "Never")}}),
        WorkloadKind::CronJob => json!({"spec": {"schedule": w.schedule.clone().unwrap_or_default(),
            "jobTemplate": {"spec": {"backoffLimit": 2, "template": template(w, "OnFailure")}}}}),
        WorkloadKind::Pod => {
            let t = template(w, "Always");
            let mut m = meta.clone();
            m["annotations"] = t["metadata"]["annotations"].clone();
            if m["annotations"].is_null()
                && let Some(o) = m.as_object_mut()
            {
                o.remove("annotations");
            }
            return vec![json!({"apiVersion": api_version, "kind": kind, "metadata": m, "spec": t["spec"]})];
        }
    };
    let mut obj = obj;
    obj["apiVersion"] = json!(api_version);
    obj["kind"] = json!(kind);
    obj["metadata"] = meta;
    let mut out = vec![obj];
    if let Some(port) = w.ports.first().filter(|_| w.service) {
        out.push(json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": w.namespace, "labels": {"app": name}},
            "spec": {"selector": {"app": name}, "ports": [{"name": "http", "port": 80, "targetPort": port, "protocol": "TCP"}]}}));
    }
    out
}
