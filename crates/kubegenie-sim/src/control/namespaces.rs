//! The namespace lifecycle: terminating namespaces empty themselves and go away; every
//! namespace gets a `default` service account and the `kube-root-ca.crt` config map.

use super::{Controller, background};
use crate::catalog::StorageKey;
use crate::error::ApiError;
use crate::handlers::delete;
use crate::handlers::write::{self, Opts};
use crate::object;
use crate::state::ClusterState;
use crate::store::Mutation;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// The namespace controller (with the service-account and root-CA publishers).
pub struct Namespaces;

impl Controller for Namespaces {
    fn name(&self) -> &'static str {
        "namespace"
    }

    fn reconcile(&self, st: &Arc<ClusterState>) -> Option<Duration> {
        namespaces(st);
        None
    }
}

fn namespaces(st: &Arc<ClusterState>) {
    let key = StorageKey::new("", "namespaces");
    for ns in st.store.list(&key, None).0 {
        let name = object::name(&ns.value).to_string();
        if object::is_deleting(&ns.value) {
            terminate_namespace(st, &key, &name);
        } else {
            populate_namespace(st, &name);
        }
    }
}

/// Deletes everything in a terminating namespace; removes the namespace once it is empty.
fn terminate_namespace(st: &Arc<ClusterState>, key: &StorageKey, ns: &str) {
    let mut remaining = 0;
    for k in st.store.keys() {
        let Some(rt) = st.resource_by_storage(&k) else {
            continue;
        };
        if !rt.namespaced {
            continue;
        }
        for s in st.store.list(&k, Some(ns)).0 {
            remaining += 1;
            if !object::is_deleting(&s.value) {
                let _ = delete::delete_object(st, &rt, ns, object::name(&s.value), &background());
            }
        }
    }
    if remaining > 0 && st.store.keys().iter().any(|k| st.store.count(k, Some(ns)) > 0) {
        return;
    }
    let _ = st.store.mutate::<ApiError>(key, "", ns, |cur| {
        let Some(cur) = cur else { return Ok(Mutation::Keep) };
        if object::finalizers(&cur.value).is_empty() {
            return Ok(Mutation::Delete);
        }
        let mut v = cur.value.clone();
        v["spec"]["finalizers"] = json!([]);
        Ok(Mutation::Put(v))
    });
}

/// The `default` service account and the root CA config map every namespace gets.
fn populate_namespace(st: &Arc<ClusterState>, ns: &str) {
    let opts = Opts::internal("kube-controller-manager");
    let sa_key = StorageKey::new("", "serviceaccounts");
    if st.store.get(&sa_key, ns, "default").is_none()
        && let Some(rt) = st.resource("", "v1", "serviceaccounts")
    {
        let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}});
        let _ = write::create(st, &rt, Some(ns), sa, &opts);
    }
    let cm_key = StorageKey::new("", "configmaps");
    if st.store.get(&cm_key, ns, "kube-root-ca.crt").is_none()
        && let Some(rt) = st.resource("", "v1", "configmaps")
    {
        let ca = st.ca_pem.get().cloned().unwrap_or_default();
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "kube-root-ca.crt", "annotations": {"kubernetes.io/description":
                "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}},
            "data": {"ca.crt": ca}});
        let _ = write::create(st, &rt, Some(ns), cm, &opts);
    }
}
