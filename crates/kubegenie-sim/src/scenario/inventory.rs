//! The hub side of a fleet: the ClusterProfile CRD of the sig-multicluster Cluster Inventory API
//! (`multicluster.x-k8s.io/v1alpha1`) and one ClusterProfile per member cluster, so discovery
//! from a hub can be tried against the simulator exactly as against a real inventory.

use super::apply::ClusterPlan;
use serde_json::{Value, json};

/// Label naming the cluster manager that owns a ClusterProfile (upstream constant).
pub const CLUSTER_MANAGER_LABEL: &str = "x-k8s.io/cluster-manager";

/// The ClusterProfile CRD, in the shape the upstream API publishes (spec.displayName,
/// spec.clusterManager.name, status with conditions, version, properties and both the older
/// `credentialProviders` and the newer `accessProviders` lists).
pub fn crd() -> Value {
    let string = json!({"type": "string"});
    let provider = json!({"type": "object", "required": ["name"], "properties": {
        "name": string,
        "cluster": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}});
    let condition = json!({"type": "object", "required": ["type", "status", "lastTransitionTime", "reason", "message"],
        "properties": {"type": string, "status": {"type": "string", "enum": ["True", "False", "Unknown"]},
            "observedGeneration": {"type": "integer", "format": "int64"},
            "lastTransitionTime": {"type": "string", "format": "date-time"},
            "reason": string, "message": string}});
    let schema = json!({"type": "object", "required": ["spec"], "properties": {
        "apiVersion": string, "kind": string, "metadata": {"type": "object"},
        "spec": {"type": "object", "required": ["clusterManager"], "properties": {
            "displayName": string,
            "clusterManager": {"type": "object", "required": ["name"], "properties": {"name": string},
                "x-kubernetes-validations": [{"rule": "self == oldSelf", "message": "ClusterManager is immutable"}]}}},
        "status": {"type": "object", "properties": {
            "conditions": {"type": "array", "items": condition},
            "version": {"type": "object", "properties": {"kubernetes": string}},
            "properties": {"type": "array", "items": {"type": "object", "required": ["name", "value"], "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 253},
                "value": {"type": "string", "minLength": 1, "maxLength": 1024},
                "lastObservedTime": {"type": "string", "format": "date-time"}}}},
            "accessProviders": {"type": "array", "items": provider},
            "credentialProviders": {"type": "array", "items": provider}}}}});
    json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "clusterprofiles.multicluster.x-k8s.io"},
        "spec": {"group": "multicluster.x-k8s.io", "scope": "Namespaced",
            "names": {"kind": "ClusterProfile", "listKind": "ClusterProfileList",
                "plural": "clusterprofiles", "singular": "clusterprofile"},
            "versions": [{"name": "v1alpha1", "served": true, "storage": true,
                "subresources": {"status": {}}, "schema": {"openAPIV3Schema": schema}}]}})
}

/// Where a member cluster is served.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// API server URL.
    pub server: String,
    /// CA (PEM) for HTTPS clusters.
    pub ca_pem: Option<String>,
}

/// The ClusterProfile of `member`, owned by `manager`, in `namespace`.
pub fn cluster_profile(
    member: &ClusterPlan,
    endpoint: &Endpoint,
    namespace: &str,
    manager: &str,
    now: &str,
) -> Value {
    use base64::Engine;
    let mut labels = serde_json::Map::new();
    for (k, v) in &member.labels {
        labels.insert(k.clone(), json!(v));
    }
    labels.insert(CLUSTER_MANAGER_LABEL.into(), json!(manager));
    let node_count: usize = member.pools.values().map(Vec::len).sum();
    let mut properties = vec![
        json!({"name": "provider", "value": member.provider.as_str(), "lastObservedTime": now}),
        json!({"name": "region", "value": member.region, "lastObservedTime": now}),
        json!({"name": "node-count", "value": node_count.to_string(), "lastObservedTime": now}),
    ];
    for (k, v) in &member.labels {
        if k != "provider" && k != "region" && !v.is_empty() {
            properties.push(json!({"name": format!("label.{k}"), "value": v, "lastObservedTime": now}));
        }
    }
    let mut cluster = json!({"server": endpoint.server});
    if let Some(ca) = &endpoint.ca_pem {
        cluster["certificate-authority-data"] =
            json!(base64::engine::general_purpose::STANDARD.encode(ca.as_bytes()));
    }
    // Both spellings: consumers written against either revision of the API find it.
    let providers = json!([{"name": manager, "cluster": cluster}]);
    json!({"apiVersion": "multicluster.x-k8s.io/v1alpha1", "kind": "ClusterProfile",
        "metadata": {"name": member.name, "namespace": namespace, "labels": labels},
        "spec": {"displayName": member.name, "clusterManager": {"name": manager}},
        "status": {
            "conditions": [{"type": "ControlPlaneHealthy", "status": "True", "reason": "Healthy",
                "message": "the control plane is serving", "lastTransitionTime": now}],
            "version": {"kubernetes": member.version},
            "properties": properties,
            "accessProviders": providers, "credentialProviders": providers}})
}
