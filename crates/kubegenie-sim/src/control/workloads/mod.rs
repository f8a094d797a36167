//! The workload controllers of kube-controller-manager: Deployment → ReplicaSet → Pod,
//! StatefulSet, DaemonSet, Job and CronJob. Each is a level-triggered [`super::Controller`]
//! whose decisions follow the upstream 1.33 sources closely, because what users see
//! (`kubectl rollout status|history|undo`, `get`, `describe`) is derived from exactly these
//! annotations, status fields, conditions and events.
//!
//! Shared here: the [`Gate`] that makes passes free when nothing changed, pod readiness and
//! availability, owner references, int-or-percent scaling, conditions and the write helpers.

pub mod cron;
pub mod cronjob;
pub mod daemonset;
pub mod deployment;
mod deployment_rollout;
mod deployment_status;
pub mod hash;
pub mod job;
pub mod replicaset;
mod revisions;
pub mod statefulset;

use crate::catalog::ResourceType;
use crate::handlers::delete::{self, DeleteOpts};
use crate::handlers::write::{self, Opts};
use crate::object;
use crate::selector::LabelSelector;
use crate::state::ClusterState;
use crate::store::Stored;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Skips a controller's pass when no object changed since its last pass and no timed
/// follow-up (min-ready wait, progress deadline, cron schedule) is due. With thousands of pods
/// per cluster and a pass per second, this keeps the steady state at one atomic load.
#[derive(Debug, Default)]
pub struct Gate {
    rv: AtomicU64,
    due: Mutex<Option<jiff::Timestamp>>,
}

impl Gate {
    /// The store's resourceVersion to pass to [`Gate::close`] when a pass is needed.
    pub fn open(&self, st: &ClusterState) -> Option<u64> {
        let rv = st.store.current_rv();
        if rv != self.rv.load(Ordering::Acquire) {
            return Some(rv);
        }
        let due = *self.due.lock().unwrap_or_else(|e| e.into_inner());
        due.is_some_and(|d| st.clock.now() >= d).then_some(rv)
    }

    /// Runs `pass` when something changed since the last pass or a requested follow-up is
    /// due, and remembers its follow-up; otherwise does nothing.
    pub fn run(
        &self,
        st: &Arc<ClusterState>,
        pass: impl FnOnce(&Arc<ClusterState>) -> Option<Duration>,
    ) -> Option<Duration> {
        let rv = self.open(st)?;
        let requeue = pass(st);
        self.close(st, rv, requeue);
        requeue
    }

    /// Records a finished pass that started at `rv`. Recording the rv from before the pass
    /// means the controller's own writes trigger one more pass, as the watch events of its
    /// own writes do upstream.
    pub fn close(&self, st: &ClusterState, rv: u64, requeue: Option<Duration>) {
        self.rv.store(rv, Ordering::Release);
        let due = requeue.and_then(|d| {
            st.clock
                .now()
                .checked_add(jiff::SignedDuration::try_from(d).ok()?)
                .ok()
        });
        *self.due.lock().unwrap_or_else(|e| e.into_inner()) = due;
    }
}

/// The soonest of two optional follow-ups.
pub fn sooner(a: Option<Duration>, b: Option<Duration>) -> Option<Duration> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// An integer at a JSON pointer, or `default`.
pub fn int_at(v: &Value, ptr: &str, default: i64) -> i64 {
    v.pointer(ptr).and_then(Value::as_i64).unwrap_or(default)
}

/// A string at a JSON pointer, or `""`.
pub fn str_at<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or_default()
}

/// An annotation of an object.
pub fn annotation<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.pointer("/metadata/annotations")
        .and_then(|a| a.get(key))
        .and_then(Value::as_str)
}

/// Parses a Kubernetes timestamp.
pub fn parse_time(s: &str) -> Option<jiff::Timestamp> {
    s.parse().ok()
}

/// `metav1.Time` of an object's creation (for ordering).
pub fn created(v: &Value) -> &str {
    str_at(v, "/metadata/creationTimestamp")
}

/// The uid of the controlling owner (`ownerReferences[controller=true]`).
pub fn controller_uid(v: &Value) -> Option<&str> {
    v.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)?
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
        .and_then(|r| r.get("uid"))
        .and_then(Value::as_str)
}

/// A controller reference to `owner`, as every workload controller sets on what it creates.
pub fn owner_ref(owner: &Value) -> Value {
    json!({
        "apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": object::name(owner),
        "uid": object::uid(owner), "controller": true, "blockOwnerDeletion": true,
    })
}

/// The label selector of a workload (`spec.selector`); a missing or invalid one matches nothing.
pub fn selector_of(v: &Value) -> LabelSelector {
    LabelSelector::from_object(v.pointer("/spec/selector").unwrap_or(&Value::Null))
        .unwrap_or_else(|_| LabelSelector::nothing())
}

/// Objects grouped by the uid of their controlling owner, built once per pass so each
/// workload finds its dependents without scanning everything.
pub struct OwnerIndex {
    by_owner: HashMap<String, Vec<Arc<Stored>>>,
    /// Objects without a controller (candidates for adoption).
    pub orphans: Vec<Arc<Stored>>,
}

impl OwnerIndex {
    /// Indexes every object of `rt`.
    pub fn build(st: &ClusterState, rt: &ResourceType) -> Self {
        let mut by_owner: HashMap<String, Vec<Arc<Stored>>> = HashMap::new();
        let mut orphans = Vec::new();
        for s in st.store.list(&rt.storage, None).0 {
            match controller_uid(&s.value) {
                Some(uid) => by_owner.entry(uid.to_string()).or_default().push(s),
                None => orphans.push(s),
            }
        }
        Self { by_owner, orphans }
    }

    /// Objects controlled by `uid`.
    pub fn owned(&self, uid: &str) -> &[Arc<Stored>] {
        self.by_owner.get(uid).map(Vec::as_slice).unwrap_or_default()
    }

    /// Orphans in `ns` matching `sel` that a controller adopts.
    pub fn adoptable<'a>(
        &'a self,
        ns: &'a str,
        sel: &'a LabelSelector,
    ) -> impl Iterator<Item = &'a Arc<Stored>> + 'a {
        self.orphans.iter().filter(move |s| {
            object::namespace(&s.value) == ns
                && !object::is_deleting(&s.value)
                && !sel.is_empty()
                && sel.matches(object::labels(&s.value))
        })
    }
}

/// Adds a controller reference to an orphan (the `ClaimObject` adoption); returns the result.
pub fn adopt(
    st: &Arc<ClusterState>,
    rt: &Arc<ResourceType>,
    obj: &Value,
    owner: &Value,
    mgr: &str,
) -> Option<Value> {
    let mut v = obj.clone();
    let meta = object::metadata_mut(&mut v);
    let refs = meta.entry("ownerReferences").or_insert_with(|| json!([]));
    if let Some(a) = refs.as_array_mut() {
        a.push(owner_ref(owner));
    }
    update(st, rt, v, mgr)
}

/// Pod phase.
pub fn phase(pod: &Value) -> &str {
    str_at(pod, "/status/phase")
}

/// A pod that still counts toward its controller: not finished and not being deleted
/// (`controller.IsPodActive`).
pub fn pod_active(pod: &Value) -> bool {
    !matches!(phase(pod), "Succeeded" | "Failed") && !object::is_deleting(pod)
}

fn ready_condition(pod: &Value) -> Option<&Value> {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some("Ready"))
}

/// Whether the pod's Ready condition is True (`podutil.IsPodReady`).
pub fn pod_ready(pod: &Value) -> bool {
    ready_condition(pod).is_some_and(|c| c.get("status").and_then(Value::as_str) == Some("True"))
}

/// When the pod became ready.
pub fn ready_since(pod: &Value) -> Option<jiff::Timestamp> {
    ready_condition(pod)
        .and_then(|c| c.get("lastTransitionTime"))
        .and_then(Value::as_str)
        .and_then(parse_time)
}

/// Availability (`podutil.IsPodAvailable`): ready for at least `min_ready` seconds. When the
/// pod is ready but not yet available, also returns how long until it will be, so the
/// controller can come back exactly then.
pub fn pod_available(pod: &Value, min_ready: i64, now: jiff::Timestamp) -> (bool, Option<Duration>) {
    if !pod_ready(pod) {
        return (false, None);
    }
    if min_ready <= 0 {
        return (true, None);
    }
    let Some(since) = ready_since(pod) else {
        return (false, None);
    };
    let at = since.as_second() + min_ready;
    if at < now.as_second() {
        return (true, None);
    }
    let wait = (at - now.as_second() + 1).max(1) as u64;
    (false, Some(Duration::from_secs(wait)))
}

/// `intstr.GetScaledValueFromIntOrPercent`: an int, or a percentage of `total` rounded up or
/// down. Invalid values count as 0, as the API's validation prevents them anyway.
pub fn scaled_value(v: Option<&Value>, total: i64, round_up: bool) -> i64 {
    match v {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(Value::String(s)) => match s.strip_suffix('%').and_then(|p| p.parse::<i64>().ok()) {
            Some(p) => {
                let x = p * total;
                if round_up {
                    (x + 99).div_euclid(100)
                } else {
                    x.div_euclid(100)
                }
            }
            None => s.parse().unwrap_or(0),
        },
        _ => 0,
    }
}

/// Sets a condition as the apps controllers do (`SetDeploymentCondition`): unchanged status
/// and reason keep the existing condition; unchanged status keeps its lastTransitionTime; the
/// new condition moves to the end.
pub fn set_condition(conds: &mut Vec<Value>, mut new: Value) {
    let ty = new["type"].clone();
    if let Some(cur) = conds.iter().find(|c| c["type"] == ty) {
        if cur["status"] == new["status"] && cur["reason"] == new["reason"] {
            return;
        }
        if cur["status"] == new["status"] {
            new["lastTransitionTime"] = cur["lastTransitionTime"].clone();
        }
    }
    conds.retain(|c| c["type"] != ty);
    conds.push(new);
}

/// The condition of a type.
pub fn condition<'a>(conds: &'a [Value], ty: &str) -> Option<&'a Value> {
    conds.iter().find(|c| c["type"] == ty)
}

/// `status.conditions` as a vector.
pub fn conditions_of(v: &Value) -> Vec<Value> {
    v.pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Inserts `n` under `key` unless it is zero (Go's `omitempty` on int32 status fields).
pub fn put_nonzero(m: &mut Map<String, Value>, key: &str, n: i64) {
    if n != 0 {
        m.insert(key.to_string(), json!(n));
    }
}

/// A pod from a template (`controller.GetPodFromTemplate`): labels, annotations and
/// finalizers of the template, `generateName` from the owner, a controller reference.
pub fn pod_from_template(template: &Value, owner: &Value, generate_name: Option<&str>) -> Value {
    let mut meta = Map::new();
    for k in ["labels", "annotations", "finalizers"] {
        if let Some(v) = template.pointer(&format!("/metadata/{k}"))
            && !v.is_null()
        {
            meta.insert(k.to_string(), v.clone());
        }
    }
    if let Some(g) = generate_name {
        meta.insert("generateName".into(), json!(g));
    }
    meta.insert("ownerReferences".into(), json!([owner_ref(owner)]));
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta,
        "spec": template.get("spec").cloned().unwrap_or_else(|| json!({}))})
}

/// The served type, when the catalog has it.
pub fn resource(st: &ClusterState, group: &str, plural: &str) -> Option<Arc<ResourceType>> {
    // Every workload kind, and pods, are served at `v1` of their group.
    st.resource(group, "v1", plural)
}

/// Creates an object through the API pipeline; the caller decides whether a failure matters
/// (most are simply retried on the next pass).
pub fn create(
    st: &Arc<ClusterState>,
    rt: &Arc<ResourceType>,
    ns: &str,
    obj: Value,
    mgr: &str,
) -> Result<Value, crate::error::ApiError> {
    write::create(st, rt, Some(ns), obj, &Opts::internal(mgr))
        .map(|r| r.obj)
        .inspect_err(|e| tracing::debug!(controller = mgr, error = %e.message, "create failed"))
}

/// Replaces an object, guarded by the resourceVersion it was read at, so a controller never
/// overwrites a user's concurrent change (a conflict is retried on the next pass).
pub fn update(st: &Arc<ClusterState>, rt: &Arc<ResourceType>, obj: Value, mgr: &str) -> Option<Value> {
    put(st, rt, obj, None, mgr)
}

/// Replaces an object's status, guarded by resourceVersion.
pub fn update_status(st: &Arc<ClusterState>, rt: &Arc<ResourceType>, obj: Value, mgr: &str) -> Option<Value> {
    put(st, rt, obj, Some("status"), mgr)
}

fn put(
    st: &Arc<ClusterState>,
    rt: &Arc<ResourceType>,
    obj: Value,
    sub: Option<&str>,
    mgr: &str,
) -> Option<Value> {
    let ns = object::namespace(&obj).to_string();
    let name = object::name(&obj).to_string();
    let ns = rt.namespaced.then_some(ns.as_str());
    match write::update(st, rt, ns, &name, obj, sub, &Opts::internal(mgr)) {
        Ok(r) => Some(r.obj),
        Err(e) => {
            tracing::debug!(controller = mgr, %name, error = %e.message, "update failed");
            None
        }
    }
}

/// Deletes an object (background propagation).
pub fn remove(st: &Arc<ClusterState>, rt: &ResourceType, obj: &Value) -> bool {
    let o = DeleteOpts {
        policy: Some("Background".into()),
        uid: Some(object::uid(obj).to_string()),
        ..Default::default()
    };
    delete::delete_object(st, rt, object::namespace(obj), object::name(obj), &o).is_ok()
}

/// Removes null fields recursively. Templates are compared and hashed as typed Go structs
/// upstream, where `creationTimestamp: null` (which kubectl writes into every template it
/// sends) and an absent field are the same thing.
pub fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(strip_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// Sorts by creation time, then name (`controller.ReplicaSetsByCreationTimestamp`).
pub fn by_creation(a: &Value, b: &Value) -> std::cmp::Ordering {
    created(a)
        .cmp(created(b))
        .then_with(|| object::name(a).cmp(object::name(b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_like_kubernetes() {
        let p = json!("25%");
        assert_eq!(scaled_value(Some(&p), 10, true), 3);
        assert_eq!(scaled_value(Some(&p), 10, false), 2);
        assert_eq!(scaled_value(Some(&p), 4, true), 1);
        assert_eq!(scaled_value(Some(&p), 1, false), 0);
        assert_eq!(scaled_value(Some(&json!("100%")), 3, false), 3);
        assert_eq!(scaled_value(Some(&json!(2)), 10, true), 2);
        assert_eq!(scaled_value(None, 10, true), 0);
    }

    #[test]
    fn availability_waits_for_min_ready_seconds() {
        let now: jiff::Timestamp = "2026-01-01T00:00:10Z".parse().unwrap();
        let pod = json!({"status": {"conditions": [
            {"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-01T00:00:05Z"}]}});
        assert_eq!(pod_available(&pod, 0, now), (true, None));
        assert_eq!(pod_available(&pod, 3, now), (true, None));
        let (ok, wait) = pod_available(&pod, 10, now);
        assert!(!ok);
        assert_eq!(wait, Some(Duration::from_secs(6)));
    }

    #[test]
    fn conditions_keep_transition_time() {
        let mut c = vec![json!({"type": "A", "status": "True", "reason": "X", "lastTransitionTime": "t1"})];
        set_condition(
            &mut c,
            json!({"type": "A", "status": "True", "reason": "Y", "lastTransitionTime": "t2"}),
        );
        assert_eq!(c[0]["reason"], "Y");
        assert_eq!(c[0]["lastTransitionTime"], "t1");
        set_condition(
            &mut c,
            json!({"type": "A", "status": "False", "reason": "Z", "lastTransitionTime": "t3"}),
        );
        assert_eq!(c[0]["lastTransitionTime"], "t3");
    }
}
