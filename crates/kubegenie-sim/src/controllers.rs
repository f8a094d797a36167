//! The control-plane controllers every cluster has, run in-process: the garbage collector
//! (ownerReferences with background, foreground and orphan propagation), the namespace
//! lifecycle (Terminating namespaces empty themselves, new ones get a `default` service
//! account and the `kube-root-ca.crt` config map), and the apiextensions controllers (CRDs are
//! established on create and their custom resources removed on delete).

use crate::catalog::{ResourceType, StorageKey};
use crate::crd;
use crate::error::ApiError;
use crate::handlers::delete::{self, DeleteOpts, FOREGROUND, ORPHAN};
use crate::handlers::write::{self, Opts};
use crate::object;
use crate::state::ClusterState;
use crate::store::{Mutation, Stored};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

fn is(rt: &ResourceType, group: &str, plural: &str) -> bool {
    rt.group == group && rt.plural == plural
}

/// Synchronous follow-ups of a write, so clients see their effect at once (a CRD's resources
/// are served as soon as its create returns, as with a fast real control plane).
pub fn after_write(st: &Arc<ClusterState>, rt: &ResourceType, obj: &Value) {
    if is(rt, "apiextensions.k8s.io", "customresourcedefinitions") && !object::is_deleting(obj) {
        install_crd(st, obj);
    }
    if object::is_deleting(obj) || is(rt, "", "namespaces") {
        st.kick.notify_one();
    }
}

fn install_crd(st: &ClusterState, obj: &Value) {
    let name = object::name(obj).to_string();
    {
        let mut cat = st.catalog_mut();
        cat.remove_crd(&name);
        for t in crd::types_of(obj) {
            cat.insert(t);
        }
    }
    if crd::is_established(obj) {
        return;
    }
    let key = StorageKey::new("apiextensions.k8s.io", "customresourcedefinitions");
    let _ = st.store.mutate::<ApiError>(&key, "", &name, |cur| {
        let Some(cur) = cur else { return Ok(Mutation::Keep) };
        let mut v = cur.value.clone();
        v["status"] = crd::established_status(&v, &st.now_string());
        Ok(Mutation::Put(v))
    });
}

/// Runs the controllers until `shutdown` resolves.
pub async fn run(st: Arc<ClusterState>, shutdown: impl std::future::Future<Output = ()>) {
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => return,
            _ = st.kick.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
        reconcile(&st);
    }
}

/// One pass of every controller.
pub fn reconcile(st: &Arc<ClusterState>) {
    namespaces(st);
    crds(st);
    garbage_collect(st);
}

fn background() -> DeleteOpts {
    DeleteOpts {
        policy: Some("Background".into()),
        ..Default::default()
    }
}

/// Removes one finalizer; the object goes away when it was the last one during deletion.
fn remove_finalizer(st: &ClusterState, key: &StorageKey, ns: &str, name: &str, fin: &str) {
    let _ = st.store.mutate::<ApiError>(key, ns, name, |cur| {
        let Some(cur) = cur else { return Ok(Mutation::Keep) };
        let mut fins = object::finalizers(&cur.value);
        if !fins.iter().any(|f| f == fin) {
            return Ok(Mutation::Keep);
        }
        fins.retain(|f| f != fin);
        if fins.is_empty() && object::is_deleting(&cur.value) {
            return Ok(Mutation::Delete);
        }
        let mut v = cur.value.clone();
        object::set_finalizers(&mut v, &fins);
        Ok(Mutation::Put(v))
    });
}

fn all_objects(st: &ClusterState) -> Vec<(StorageKey, Arc<Stored>)> {
    let mut out = Vec::new();
    for key in st.store.keys() {
        for s in st.store.list(&key, None).0 {
            out.push((key.clone(), s));
        }
    }
    out
}

fn garbage_collect(st: &Arc<ClusterState>) {
    let objects = all_objects(st);
    let uids: HashSet<&str> = objects.iter().map(|(_, s)| object::uid(&s.value)).collect();
    for (key, s) in &objects {
        let v = &s.value;
        let owners = object::owner_uids(v);
        let Some(rt) = st.resource_by_storage(key) else {
            continue;
        };
        // A dependent whose owners are all gone is deleted (background propagation).
        if !owners.is_empty() && owners.iter().all(|u| !uids.contains(u)) && !object::is_deleting(v) {
            let _ = delete::delete_object(st, &rt, object::namespace(v), object::name(v), &background());
            continue;
        }
        if !object::is_deleting(v) {
            continue;
        }
        let fins = object::finalizers(v);
        let uid = object::uid(v);
        let dependents: Vec<&(StorageKey, Arc<Stored>)> = objects
            .iter()
            .filter(|(_, d)| object::owner_uids(&d.value).contains(&uid))
            .collect();
        if fins.iter().any(|f| f == FOREGROUND) {
            for (dkey, d) in &dependents {
                if let Some(drt) = st.resource_by_storage(dkey)
                    && !object::is_deleting(&d.value)
                {
                    let fg = DeleteOpts {
                        policy: Some("Foreground".into()),
                        ..Default::default()
                    };
                    let _ = delete::delete_object(
                        st,
                        &drt,
                        object::namespace(&d.value),
                        object::name(&d.value),
                        &fg,
                    );
                }
            }
            if dependents.is_empty() {
                remove_finalizer(st, key, object::namespace(v), object::name(v), FOREGROUND);
            }
        }
        if fins.iter().any(|f| f == ORPHAN) {
            for (dkey, d) in &dependents {
                orphan(st, dkey, &d.value, uid);
            }
            remove_finalizer(st, key, object::namespace(v), object::name(v), ORPHAN);
        }
    }
}

/// Drops the owner reference to `owner_uid` from a dependent.
fn orphan(st: &ClusterState, key: &StorageKey, dep: &Value, owner_uid: &str) {
    let _ = st
        .store
        .mutate::<ApiError>(key, object::namespace(dep), object::name(dep), |cur| {
            let Some(cur) = cur else { return Ok(Mutation::Keep) };
            let mut v = cur.value.clone();
            if let Some(refs) = v
                .pointer_mut("/metadata/ownerReferences")
                .and_then(Value::as_array_mut)
            {
                refs.retain(|r| r["uid"].as_str() != Some(owner_uid));
                if refs.is_empty() {
                    object::set_meta(&mut v, "ownerReferences", None);
                }
            }
            Ok(Mutation::Put(v))
        });
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

/// Deleted CRDs lose their custom resources, then their served types, then themselves.
fn crds(st: &Arc<ClusterState>) {
    let key = StorageKey::new("apiextensions.k8s.io", "customresourcedefinitions");
    for c in st.store.list(&key, None).0 {
        let v = &c.value;
        if !object::is_deleting(v) || !object::finalizers(v).iter().any(|f| f == crd::CLEANUP_FINALIZER) {
            continue;
        }
        let types = crd::types_of(v);
        if let Some(rt) = types.first() {
            for s in st.store.list(&rt.storage, None).0 {
                let _ = delete::delete_object(
                    st,
                    rt,
                    object::namespace(&s.value),
                    object::name(&s.value),
                    &background(),
                );
            }
            if st.store.count(&rt.storage, None) > 0 {
                continue;
            }
        }
        st.catalog_mut().remove_crd(object::name(v));
        remove_finalizer(st, &key, "", object::name(v), crd::CLEANUP_FINALIZER);
    }
}
