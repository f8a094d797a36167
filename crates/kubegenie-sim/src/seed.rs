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

/// A Ready node as a kubelet registers it.
pub fn node(st: &ClusterState, index: usize) -> Value {
    let cfg = &st.config;
    let name = format!("{}-node-{index}", cfg.name);
    let now = st.now_string();
    let id = || st.new_uid();
    let cond = |t: &str, s: &str, reason: &str, msg: &str| json!({"type": t, "status": s, "lastHeartbeatTime": now, "lastTransitionTime": now, "reason": reason, "message": msg});
    let mut labels = json!({
        "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64",
    });
    if index == 1 {
        labels["node-role.kubernetes.io/control-plane"] = json!("");
    }
    let resources = json!({"cpu": "4", "memory": "16374860Ki", "pods": "110", "ephemeral-storage": "101445540Ki",
        "hugepages-1Gi": "0", "hugepages-2Mi": "0"});
    json!({"apiVersion": "v1", "kind": "Node",
    "metadata": {"name": name, "labels": labels,
        "annotations": {"node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
    "spec": {"podCIDR": format!("10.244.{index}.0/24"), "podCIDRs": [format!("10.244.{index}.0/24")]},
    "status": {
        "capacity": resources, "allocatable": resources,
        "conditions": [
            cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
        ],
        "addresses": [{"type": "InternalIP", "address": format!("10.0.0.{}", 10 + index)}, {"type": "Hostname", "address": name}],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        "nodeInfo": {"machineID": id().replace('-', ""), "systemUUID": id(),
            "bootID": id(), "kernelVersion": "6.1.0-28-amd64",
            "osImage": "Debian GNU/Linux 12 (bookworm)", "containerRuntimeVersion": "containerd://1.7.24",
            "kubeletVersion": cfg.kubernetes_version, "kubeProxyVersion": cfg.kubernetes_version,
            "operatingSystem": "linux", "architecture": "amd64"}
    }})
}

fn lease(st: &ClusterState, node: &str) -> Value {
    json!({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": {"name": node, "namespace": "kube-node-lease"},
        "spec": {"holderIdentity": node, "leaseDurationSeconds": 40, "renewTime": object::format_micro_time(st.clock.now())}})
}

/// Seeds a fresh cluster.
pub fn seed(st: &Arc<ClusterState>) -> Result<()> {
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
    for i in 1..=st.config.nodes {
        let n = create(st, node(st, i))?;
        if st.resource("coordination.k8s.io", "v1", "leases").is_some() {
            create(st, lease(st, object::name(&n)))?;
        }
    }
    crate::control::reconcile(st, &crate::control::standard());
    Ok(())
}
