//! ControllerRevisions of StatefulSets and DaemonSets (`pkg/controller/history`): one per
//! distinct pod template, named `<owner>-<hash>`, numbered; a template that comes back (a
//! rollback) reuses its revision with a new number; old ones beyond revisionHistoryLimit go.

use super::{OwnerIndex, int_at};
use crate::catalog::ResourceType;
use crate::object;
use crate::state::ClusterState;
use serde_json::{Value, json};
use std::sync::Arc;

/// The label carrying a revision's hash.
pub const HASH_LABEL: &str = "controller.kubernetes.io/hash";

/// The revision data of a workload: its template as a replace patch, as upstream stores it.
pub fn patch_of(owner: &Value) -> Value {
    let mut tpl = owner
        .pointer("/spec/template")
        .cloned()
        .unwrap_or_else(|| json!({}));
    super::strip_nulls(&mut tpl);
    tpl["$patch"] = json!("replace");
    json!({"spec": {"template": tpl}})
}

/// The current (update) revision of `owner`: (name, hash). Creates or renumbers it as needed
/// and trims history. `None` when the API refused a write (retried next pass).
pub fn sync(
    st: &Arc<ClusterState>,
    rt: &Arc<ResourceType>,
    owner: &Value,
    index: &OwnerIndex,
    live: &[&str],
    mgr: &str,
) -> Option<(String, String)> {
    let data = patch_of(owner);
    // Upstream always hashes with a collision count (0 until a collision), so the name stays
    // the same before and after the first status write.
    let hash = super::hash::compute_hash(&data, Some(int_at(owner, "/status/collisionCount", 0)));
    let name = format!("{}-{hash}", object::name(owner));
    let mut revs: Vec<&Value> = index.owned(object::uid(owner)).iter().map(|s| &s.value).collect();
    revs.sort_by_key(|r| int_at(r, "/revision", 0));
    let max = revs.last().map_or(0, |r| int_at(r, "/revision", 0));
    match revs.iter().find(|r| object::name(r) == name) {
        Some(r) if int_at(r, "/revision", 0) == max => {}
        Some(r) => {
            let mut v = (*r).clone();
            v["revision"] = json!(max + 1);
            super::update(st, rt, v, mgr)?;
        }
        None => {
            let mut labels = owner
                .pointer("/spec/selector/matchLabels")
                .cloned()
                .unwrap_or_else(|| json!({}));
            labels[HASH_LABEL] = json!(hash);
            let cr = json!({"apiVersion": "apps/v1", "kind": "ControllerRevision",
                "metadata": {"name": name, "namespace": object::namespace(owner), "labels": labels,
                    "ownerReferences": [super::owner_ref(owner)]},
                "data": data, "revision": max + 1});
            super::create(st, rt, object::namespace(owner), cr, mgr).ok()?;
        }
    }
    // History: keep the live revisions and revisionHistoryLimit others.
    let limit = int_at(owner, "/spec/revisionHistoryLimit", 10).max(0) as usize;
    let old: Vec<&&Value> = revs
        .iter()
        .filter(|r| object::name(r) != name && !live.contains(&object::name(r)))
        .collect();
    let excess = old.len().saturating_sub(limit);
    for r in old.into_iter().take(excess) {
        super::remove(st, rt, r);
    }
    Some((name, hash))
}
