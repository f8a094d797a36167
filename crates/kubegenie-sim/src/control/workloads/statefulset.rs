//! The StatefulSet controller (`pkg/controller/statefulset`): pods `<name>-0..N-1` with stable
//! identities and claims from volumeClaimTemplates, created in order (OrderedReady) or all at
//! once (Parallel), rolled from the highest ordinal down to the partition, with
//! ControllerRevisions behind currentRevision/updateRevision.

use super::{Gate, OwnerIndex, int_at, revisions};
use crate::catalog::ResourceType;
use crate::control::Controller;
use crate::control::events::{self, EventType, Source};
use crate::object;
use crate::state::ClusterState;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

const MANAGER: &str = "statefulset-controller";
const REVISION_LABEL: &str = "controller-revision-hash";

/// The StatefulSet controller.
#[derive(Default)]
pub struct StatefulSets {
    gate: Gate,
}

impl Controller for StatefulSets {
    fn name(&self) -> &'static str {
        MANAGER
    }

    fn reconcile(&self, st: &Arc<ClusterState>) -> Option<Duration> {
        self.gate.run(st, reconcile_all)
    }
}

struct Types {
    sts: Arc<ResourceType>,
    pod: Arc<ResourceType>,
    cr: Arc<ResourceType>,
    pvc: Option<Arc<ResourceType>>,
}

fn reconcile_all(st: &Arc<ClusterState>) -> Option<Duration> {
    let t = Types {
        sts: super::resource(st, "apps", "statefulsets")?,
        pod: super::resource(st, "", "pods")?,
        cr: super::resource(st, "apps", "controllerrevisions")?,
        pvc: super::resource(st, "", "persistentvolumeclaims"),
    };
    let sets = st.store.list(&t.sts.storage, None).0;
    if sets.is_empty() {
        return None;
    }
    let pods = OwnerIndex::build(st, &t.pod);
    let revs = OwnerIndex::build(st, &t.cr);
    let mut requeue = None;
    for s in &sets {
        requeue = super::sooner(requeue, sync(st, &t, &s.value, &pods, &revs));
    }
    requeue
}

/// The ordinal of a pod named `<set>-<n>`.
fn ordinal(set: &str, pod: &str) -> Option<i64> {
    pod.strip_prefix(set)?.strip_prefix('-')?.parse().ok()
}

fn src() -> Source<'static> {
    Source {
        component: MANAGER,
        host: None,
    }
}

/// A new pod for ordinal `i` at revision `rev` (`newVersionedStatefulSetPod`).
fn new_pod(set: &Value, i: i64, rev: &str) -> Value {
    let name = format!("{}-{i}", object::name(set));
    let tpl = set.pointer("/spec/template").cloned().unwrap_or_default();
    let mut pod = super::pod_from_template(&tpl, set, None);
    let meta = object::metadata_mut(&mut pod);
    meta.insert("name".into(), json!(name));
    let labels = meta.entry("labels").or_insert_with(|| json!({}));
    labels[REVISION_LABEL] = json!(rev);
    labels["statefulset.kubernetes.io/pod-name"] = json!(name);
    labels["apps.kubernetes.io/pod-index"] = json!(i.to_string());
    pod["spec"]["hostname"] = json!(name);
    if let Some(svc) = set
        .pointer("/spec/serviceName")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        pod["spec"]["subdomain"] = json!(svc);
    }
    // Each claim template becomes a volume backed by this ordinal's claim.
    let claims = claim_templates(set);
    if !claims.is_empty() {
        let vols = pod["spec"]
            .as_object_mut()
            .map(|s| s.entry("volumes").or_insert_with(|| json!([])));
        if let Some(Value::Array(vols)) = vols {
            for c in &claims {
                let cname = object::name(c);
                vols.retain(|v| v["name"] != cname);
                vols.push(
                    json!({"name": cname, "persistentVolumeClaim": {"claimName": claim_name(set, cname, i)}}),
                );
            }
        }
    }
    pod
}

fn claim_templates(set: &Value) -> Vec<Value> {
    set.pointer("/spec/volumeClaimTemplates")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn claim_name(set: &Value, claim: &str, i: i64) -> String {
    format!("{claim}-{}-{i}", object::name(set))
}

/// Creates the missing claims of ordinal `i` (`createPersistentVolumeClaims`).
fn ensure_claims(st: &Arc<ClusterState>, t: &Types, set: &Value, i: i64, pod_name: &str) -> bool {
    let Some(pvc_rt) = &t.pvc else { return true };
    let ns = object::namespace(set);
    for c in claim_templates(set) {
        let name = claim_name(set, object::name(&c), i);
        if st.store.get(&pvc_rt.storage, ns, &name).is_some() {
            continue;
        }
        let mut labels = set
            .pointer("/spec/selector/matchLabels")
            .cloned()
            .unwrap_or_else(|| json!({}));
        if let Some(l) = c.pointer("/metadata/labels").and_then(Value::as_object) {
            for (k, v) in l {
                labels[k] = v.clone();
            }
        }
        let pvc = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": c.get("spec").cloned().unwrap_or_default()});
        let set_name = object::name(set);
        match super::create(st, pvc_rt, ns, pvc, MANAGER) {
            Ok(_) => {
                let msg = format!("create Claim {name} Pod {pod_name} in StatefulSet {set_name} success");
                events::record(st, set, None, EventType::Normal, "SuccessfulCreate", &msg, src());
            }
            Err(e) => {
                let msg = format!(
                    "create Claim {name} for Pod {pod_name} in StatefulSet {set_name} failed error: {}",
                    e.message
                );
                events::record(st, set, None, EventType::Warning, "FailedCreate", &msg, src());
                return false;
            }
        }
    }
    true
}

fn running_and_ready(p: &Value) -> bool {
    super::phase(p) == "Running" && super::pod_ready(p)
}

fn revision_of(p: &Value) -> &str {
    object::labels(p)
        .and_then(|l| l.get(REVISION_LABEL))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn sync(
    st: &Arc<ClusterState>,
    t: &Types,
    set: &Value,
    pods: &OwnerIndex,
    revs: &OwnerIndex,
) -> Option<Duration> {
    let name = object::name(set);
    let replicas = int_at(set, "/spec/replicas", 1).max(0);
    let owned: Vec<&Value> = pods.owned(object::uid(set)).iter().map(|s| &s.value).collect();
    let mut by_ordinal: HashMap<i64, &Value> = HashMap::new();
    let mut condemned: Vec<&Value> = Vec::new();
    for p in &owned {
        match ordinal(name, object::name(p)) {
            Some(i) if i < replicas => {
                by_ordinal.insert(i, p);
            }
            _ => condemned.push(p),
        }
    }
    let live: Vec<&str> = owned.iter().map(|p| revision_of(p)).collect();
    let (update_rev, _) = revisions::sync(st, &t.cr, set, revs, &live, MANAGER)?;
    let current_rev = super::str_at(set, "/status/currentRevision").to_string();
    let current_rev = if current_rev.is_empty() {
        update_rev.clone()
    } else {
        current_rev
    };
    if !object::is_deleting(set) {
        manage(
            st,
            t,
            set,
            &by_ordinal,
            &mut condemned,
            replicas,
            &current_rev,
            &update_rev,
        );
    }
    update_status(st, t, set, &owned, replicas, &current_rev, &update_rev)
}

/// One step of `updateStatefulSet`: create missing ordinals, delete failed and condemned pods,
/// then roll one stale pod.
#[allow(clippy::too_many_arguments)]
fn manage(
    st: &Arc<ClusterState>,
    t: &Types,
    set: &Value,
    by_ordinal: &HashMap<i64, &Value>,
    condemned: &mut [&Value],
    replicas: i64,
    current_rev: &str,
    update_rev: &str,
) {
    let set_name = object::name(set);
    let ns = object::namespace(set);
    let parallel = super::str_at(set, "/spec/podManagementPolicy") == "Parallel";
    let partition = int_at(set, "/spec/updateStrategy/rollingUpdate/partition", 0);
    let on_delete = super::str_at(set, "/spec/updateStrategy/type") == "OnDelete";
    for i in 0..replicas {
        match by_ordinal.get(&i) {
            None => {
                // Ordinals below the partition keep the current revision.
                let rev = if i < partition && !on_delete {
                    current_rev
                } else {
                    update_rev
                };
                let pod = new_pod(set, i, rev);
                let pod_name = object::name(&pod).to_string();
                if !ensure_claims(st, t, set, i, &pod_name) {
                    return;
                }
                match super::create(st, &t.pod, ns, pod, MANAGER) {
                    Ok(_) => {
                        let msg = format!("create Pod {pod_name} in StatefulSet {set_name} successful");
                        events::record(st, set, None, EventType::Normal, "SuccessfulCreate", &msg, src());
                    }
                    Err(e) => {
                        let msg = format!(
                            "create Pod {pod_name} in StatefulSet {set_name} failed error: {}",
                            e.message
                        );
                        events::record(st, set, None, EventType::Warning, "FailedCreate", &msg, src());
                        return;
                    }
                }
                if !parallel {
                    return;
                }
            }
            Some(p) if super::phase(p) == "Failed" => {
                delete_pod(st, t, set, p);
                if !parallel {
                    return;
                }
            }
            Some(p) if !parallel && !running_and_ready(p) => return,
            Some(_) => {}
        }
    }
    // Scale down from the highest ordinal, one at a time unless Parallel.
    condemned.sort_by_key(|p| std::cmp::Reverse(ordinal(set_name, object::name(p)).unwrap_or(i64::MAX)));
    for p in condemned.iter() {
        if object::is_deleting(p) {
            if !parallel {
                return;
            }
            continue;
        }
        delete_pod(st, t, set, p);
        if !parallel {
            return;
        }
    }
    if on_delete {
        return;
    }
    // Rolling update: the highest stale ordinal at or above the partition, once all are ready.
    if by_ordinal.values().any(|p| !running_and_ready(p)) {
        return;
    }
    let mut ords: Vec<&i64> = by_ordinal.keys().collect();
    ords.sort_unstable_by(|a, b| b.cmp(a));
    if let Some(p) = ords
        .into_iter()
        .filter(|i| **i >= partition)
        .filter_map(|i| by_ordinal.get(i))
        .find(|p| revision_of(p) != update_rev)
    {
        delete_pod(st, t, set, p);
    }
}

fn delete_pod(st: &Arc<ClusterState>, t: &Types, set: &Value, p: &Value) {
    if super::remove(st, &t.pod, p) {
        let msg = format!(
            "delete Pod {} in StatefulSet {} successful",
            object::name(p),
            object::name(set)
        );
        events::record(st, set, None, EventType::Normal, "SuccessfulDelete", &msg, src());
    }
}

fn update_status(
    st: &Arc<ClusterState>,
    t: &Types,
    set: &Value,
    owned: &[&Value],
    replicas: i64,
    current_rev: &str,
    update_rev: &str,
) -> Option<Duration> {
    let min_ready = int_at(set, "/spec/minReadySeconds", 0);
    let now = st.clock.now();
    let (mut count, mut ready, mut available, mut current, mut updated) = (0, 0, 0, 0, 0);
    let mut requeue = None;
    for p in owned.iter().filter(|p| !object::is_deleting(p)) {
        count += 1;
        if super::pod_ready(p) {
            ready += 1;
            let (ok, wait) = super::pod_available(p, min_ready, now);
            available += i64::from(ok);
            requeue = super::sooner(requeue, wait);
        }
        current += i64::from(revision_of(p) == current_rev);
        updated += i64::from(revision_of(p) == update_rev);
    }
    // The rollout is complete when every replica runs the update revision.
    let current_rev = if updated == replicas && count == replicas {
        update_rev
    } else {
        current_rev
    };
    let current = if current_rev == update_rev {
        updated
    } else {
        current
    };
    let mut s = Map::new();
    s.insert(
        "observedGeneration".into(),
        json!(int_at(set, "/metadata/generation", 0)),
    );
    s.insert("replicas".into(), json!(count));
    super::put_nonzero(&mut s, "readyReplicas", ready);
    super::put_nonzero(&mut s, "currentReplicas", current);
    super::put_nonzero(&mut s, "updatedReplicas", updated);
    s.insert("currentRevision".into(), json!(current_rev));
    s.insert("updateRevision".into(), json!(update_rev));
    s.insert(
        "collisionCount".into(),
        json!(int_at(set, "/status/collisionCount", 0)),
    );
    s.insert("availableReplicas".into(), json!(available));
    let s = Value::Object(s);
    if set.get("status") != Some(&s) {
        let mut new = set.clone();
        new["status"] = s;
        super::update_status(st, &t.sts, new, MANAGER);
    }
    requeue
}
