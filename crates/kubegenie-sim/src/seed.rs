//! What a fresh cluster holds before anyone touches it: the system namespaces, the bootstrap
//! RBAC policy, the `kubernetes` service, and Ready nodes with their heartbeat leases.

use crate::auth;
use crate::error::{ApiError, Result};
use crate::handlers::write::{self, Opts};
use crate::object;
use crate::state::ClusterState;
use serde_json::{Value, json};
use std::sync::Arc;

/// Creates an object through the normal write path (defaults, validation, events).
pub fn create(st: &Arc<ClusterState>, obj: Value) -> Result<Value> {
    let api_version = obj["apiVersion"].as_str().unwrap_or_default().to_string();
    let kind = obj["kind"].as_str().unwrap_or_default().to_string();
    let rt = st
        .resource_by_kind(&api_version, &kind)
        .ok_or_else(|| ApiError::bad_request(format!("no resource serves {kind} in {api_version}")))?;
    let ns = object::namespace(&obj).to_string();
    let ns = rt
        .namespaced
        .then_some(if ns.is_empty() { "default" } else { ns.as_str() });
    Ok(write::create(st, &rt, ns, obj, &Opts::internal("kube-apiserver"))?.obj)
}

/// Creates an object and then, when creation dropped it (status subresources), writes its
/// status as its controller would, so a scenario can start objects in a given state.
pub fn create_with_status(st: &Arc<ClusterState>, obj: Value) -> Result<Value> {
    let status = obj.get("status").cloned();
    let created = create(st, obj)?;
    match status {
        Some(status) if created.get("status") != Some(&status) => {
            let api_version = created["apiVersion"].as_str().unwrap_or_default();
            let kind = created["kind"].as_str().unwrap_or_default();
            let rt = st
                .resource_by_kind(api_version, kind)
                .ok_or_else(|| ApiError::bad_request(format!("no resource serves {kind}")))?;
            let ns = object::namespace(&created).to_string();
            let name = object::name(&created).to_string();
            let mut with = created;
            with["status"] = status;
            let ns = rt.namespaced.then_some(ns.as_str());
            let opts = Opts::internal("kube-apiserver");
            Ok(write::update(st, &rt, ns, &name, with, Some("status"), &opts)?.obj)
        }
        _ => Ok(created),
    }
}

/// A Ready node as a kubelet registers it: a self-managed 4-vCPU/16 GiB machine named
/// `<cluster>-node-<index>`, the first one labelled as the control plane (untainted, so a
/// one-node cluster still runs workloads, as kind and minikube do).
pub fn node(st: &ClusterState, index: usize) -> Value {
    use crate::scenario::nodes::{self, NodeParams, Provider};
    let cfg = &st.config;
    let Some(instance) = nodes::instance_type("medium") else {
        return Value::Null;
    };
    let region = Provider::Onprem.default_region();
    let zone = format!("{region}-a");
    let params = NodeParams {
        cluster: &cfg.name,
        provider: Provider::Onprem,
        region,
        zone: &zone,
        instance,
        pool: "node",
        index,
        spot: false,
        control_plane: false,
        kubelet_version: &cfg.kubernetes_version,
        seed: cfg.seed,
        name: Some(format!("{}-node-{index}", cfg.name)),
    };
    let mut labels = serde_json::Map::new();
    if index == 1 {
        labels.insert("node-role.kubernetes.io/control-plane".into(), json!(""));
    }
    nodes::node_object(&params, &st.now_string(), &labels, &[])
}

fn lease(st: &ClusterState, node: &str) -> Value {
    json!({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": {"name": node, "namespace": "kube-node-lease"},
        "spec": {"holderIdentity": node, "leaseDurationSeconds": 40, "renewTime": object::format_micro_time(st.clock.now())}})
}

/// Seeds a fresh cluster, then creates `initial` (a scenario's objects) in order.
pub fn seed(st: &Arc<ClusterState>, initial: Vec<Value>) -> Result<()> {
    for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        create(
            st,
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
        )?;
    }
    for obj in auth::bootstrap_policy() {
        create(st, obj)?;
    }
    for u in &st.config.users {
        if let Some(role) = &u.cluster_role {
            create(st, auth::bind_user_to_cluster_role(&u.name, role))?;
        }
    }
    create(
        st,
        json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kubernetes", "namespace": "default",
                "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"clusterIP": "10.96.0.1", "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]}}),
    )?;
    let leases = st.resource("coordination.k8s.io", "v1", "leases").is_some();
    for i in 1..=st.config.nodes {
        let n = create(st, node(st, i))?;
        if leases {
            create(st, lease(st, object::name(&n)))?;
        }
    }
    for obj in initial {
        let is_node = obj["kind"] == "Node" && obj["apiVersion"] == "v1";
        let created = create_with_status(st, obj)?;
        if is_node && leases {
            create(st, lease(st, object::name(&created)))?;
        }
    }
    crate::control::reconcile(st, &crate::control::standard());
    Ok(())
}
