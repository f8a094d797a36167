//! The garbage collector: dependents whose owners are gone are deleted (background
//! propagation); owners deleted in the foreground wait for their dependents; orphaning owners
//! release their dependents.

use super::workloads::Gate;
use super::{Controller, background, remove_finalizer};
use crate::catalog::StorageKey;
use crate::error::ApiError;
use crate::handlers::delete::{self, DeleteOpts, FOREGROUND, ORPHAN};
use crate::object;
use crate::state::ClusterState;
use crate::store::{Mutation, Stored};
use serde_json::Value;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

/// The garbage collector. It reads every object, so it runs only after a write (its own
/// deletions included), never on an idle tick.
#[derive(Default)]
pub struct GarbageCollector {
    gate: Gate,
}

impl Controller for GarbageCollector {
    fn name(&self) -> &'static str {
        "garbage-collector"
    }

    fn reconcile(&self, st: &Arc<ClusterState>) -> Option<Duration> {
        self.gate.run(st, |st| {
            garbage_collect(st);
            None
        })
    }
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
