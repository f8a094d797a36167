//! Deletes, as kube-apiserver's registry performs them: preconditions, finalizers and
//! `deletionTimestamp`, propagation policies (Background, Foreground, Orphan) whose dependents
//! the garbage collector then handles, namespaces that terminate, and deletecollection.

use super::read::{Filter, served};
use crate::catalog::ResourceType;
use crate::error::{ApiError, Result};
use crate::object;
use crate::request::{Query, ResourcePath};
use crate::state::ClusterState;
use crate::store::Mutation;
use axum::response::Response;
use http::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;

/// Finalizer the garbage collector honours for foreground deletion.
pub const FOREGROUND: &str = "foregroundDeletion";
/// Finalizer the garbage collector honours for orphaning dependents.
pub const ORPHAN: &str = "orphan";

/// Options of a delete (`DeleteOptions` body merged with query parameters).
#[derive(Debug, Clone, Default)]
pub struct DeleteOpts {
    /// `Background` (default), `Foreground` or `Orphan`.
    pub policy: Option<String>,
    /// Precondition on the uid.
    pub uid: Option<String>,
    /// Precondition on the resourceVersion.
    pub resource_version: Option<String>,
    /// `dryRun=All`.
    pub dry_run: bool,
    /// `gracePeriodSeconds` (pods only; `None` means the pod's own period).
    pub grace_period: Option<i64>,
}

impl DeleteOpts {
    fn parse(q: &Query, body: &[u8]) -> Result<Self> {
        let mut o = DeleteOpts {
            policy: q.propagation_policy.clone(),
            dry_run: q.dry_run,
            grace_period: q.grace_period_seconds,
            ..Default::default()
        };
        if q.orphan_dependents == Some(true) && o.policy.is_none() {
            o.policy = Some("Orphan".into());
        }
        if !body.iter().all(u8::is_ascii_whitespace) {
            let v: Value = serde_json::from_slice(body).map_err(|e| {
                ApiError::bad_request(format!(
                    "the body of the request could not be decoded as DeleteOptions: {e}"
                ))
            })?;
            if let Some(p) = v.get("propagationPolicy").and_then(Value::as_str) {
                o.policy = Some(p.to_string());
            }
            if let Some(g) = v.get("gracePeriodSeconds").and_then(Value::as_i64) {
                o.grace_period = Some(g);
            }
            if v.get("orphanDependents").and_then(Value::as_bool) == Some(true) && o.policy.is_none() {
                o.policy = Some("Orphan".into());
            }
            o.uid = v
                .pointer("/preconditions/uid")
                .and_then(Value::as_str)
                .map(str::to_string);
            o.resource_version = v
                .pointer("/preconditions/resourceVersion")
                .and_then(Value::as_str)
                .map(str::to_string);
            if v.get("dryRun")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|x| x == "All"))
            {
                o.dry_run = true;
            }
        }
        if let Some(p) = &o.policy
            && !matches!(p.as_str(), "Background" | "Foreground" | "Orphan")
        {
            return Err(ApiError::bad_request(format!(
                "propagationPolicy: Unsupported value: {p:?}: supported values: \"Foreground\", \"Background\", \"Orphan\""
            )));
        }
        Ok(o)
    }
}

/// What a delete did.
pub enum Deleted {
    /// The object is gone; its last state.
    Gone(Value),
    /// The object waits for finalizers (it now has a deletionTimestamp).
    Pending(Value),
}

/// The grace period of a pod delete (`podStrategy.CheckGracefulDelete`): unbound and finished
/// pods go at once; a bound one gets the requested period or its
/// `terminationGracePeriodSeconds`, and its kubelet deletes it (grace 0) once stopped.
fn pod_grace(pod: &Value, requested: Option<i64>) -> i64 {
    let unbound = pod["spec"]["nodeName"].as_str().is_none_or(str::is_empty);
    let finished = matches!(pod["status"]["phase"].as_str(), Some("Succeeded" | "Failed"));
    if unbound || finished {
        return 0;
    }
    let own = pod["spec"]["terminationGracePeriodSeconds"]
        .as_i64()
        .unwrap_or(30);
    requested.unwrap_or(own).max(0)
}

/// Deletes one object (used by HTTP handlers and by the in-process controllers).
pub fn delete_object(
    st: &Arc<ClusterState>,
    rt: &ResourceType,
    ns: &str,
    name: &str,
    o: &DeleteOpts,
) -> Result<Deleted> {
    let is_namespace = rt.group.is_empty() && rt.plural == "namespaces";
    let is_pod = rt.group.is_empty() && rt.plural == "pods";
    let mut dry: Option<Value> = None;
    let stored = st.store.mutate(&rt.storage, ns, name, |cur| {
        let cur = cur.ok_or_else(|| ApiError::not_found(&rt.group, &rt.plural, name))?;
        let v = &cur.value;
        if let Some(uid) = &o.uid
            && uid != object::uid(v)
        {
            return Err(ApiError::conflict_with(
                &rt.group,
                &rt.plural,
                name,
                &format!("Precondition failed: UID in precondition: {uid}, UID in object meta: {}", object::uid(v)),
            ));
        }
        if let Some(rv) = &o.resource_version
            && rv != object::resource_version(v)
        {
            return Err(ApiError::conflict_with(
                &rt.group,
                &rt.plural,
                name,
                &format!(
                    "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {}",
                    object::resource_version(v)
                ),
            ));
        }
        let mut fins = object::finalizers(v);
        match o.policy.as_deref() {
            Some("Foreground") if !fins.iter().any(|f| f == FOREGROUND) => fins.push(FOREGROUND.into()),
            Some("Orphan") if !fins.iter().any(|f| f == ORPHAN) => fins.push(ORPHAN.into()),
            _ => {}
        }
        let grace = if is_pod { pod_grace(v, o.grace_period) } else { 0 };
        if fins.is_empty() && !is_namespace && grace == 0 {
            if o.dry_run {
                dry = Some(v.clone());
                return Ok(Mutation::Keep);
            }
            return Ok(Mutation::Delete);
        }
        let mut new = v.clone();
        let current_grace = v["metadata"]["deletionGracePeriodSeconds"].as_i64().unwrap_or(0);
        // A pod's grace period can only shorten, as with a second `kubectl delete --now`.
        if !object::is_deleting(&new) || (is_pod && grace < current_grace) {
            let at = st
                .clock
                .now()
                .checked_add(jiff::SignedDuration::from_secs(grace))
                .unwrap_or(st.clock.now());
            object::set_meta(&mut new, "deletionTimestamp", Some(Value::String(object::format_time(at))));
            object::set_meta(&mut new, "deletionGracePeriodSeconds", Some(json!(grace)));
        }
        object::set_finalizers(&mut new, &fins);
        if is_namespace {
            new["status"]["phase"] = json!("Terminating");
        }
        if o.dry_run {
            dry = Some(new);
            return Ok(Mutation::Keep);
        }
        if &new == v { Ok(Mutation::Keep) } else { Ok(Mutation::Put(new)) }
    })?;
    st.kick.notify_one();
    if let Some(d) = dry {
        return Ok(if object::is_deleting(&d) {
            Deleted::Pending(d)
        } else {
            Deleted::Gone(d)
        });
    }
    let stored = stored.ok_or_else(|| ApiError::not_found(&rt.group, &rt.plural, name))?;
    let still_there = st
        .store
        .get(&rt.storage, ns, name)
        .is_some_and(|s| s.rv == stored.rv);
    let value = served(rt, &stored).into_owned();
    Ok(if still_there {
        Deleted::Pending(value)
    } else {
        Deleted::Gone(value)
    })
}

fn success_status(rt: &ResourceType, obj: &Value) -> Value {
    let mut details = json!({"name": object::name(obj), "kind": rt.plural, "uid": object::uid(obj)});
    if !rt.group.is_empty() {
        details["group"] = json!(rt.group);
    }
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details})
}

/// DELETE of one object.
pub fn delete(
    st: &Arc<ClusterState>,
    rt: &Arc<ResourceType>,
    p: &ResourcePath,
    q: &Query,
    body: &[u8],
) -> Result<Response> {
    let o = DeleteOpts::parse(q, body)?;
    let name = p.name.as_deref().unwrap_or_default();
    let ns = p.namespace.as_deref().unwrap_or_default();
    Ok(match delete_object(st, rt, ns, name, &o)? {
        Deleted::Pending(v) => super::json_response(StatusCode::OK, &v),
        // Pods answer with the object itself, most other kinds with a Status.
        Deleted::Gone(v) if rt.group.is_empty() && rt.plural == "pods" => {
            super::json_response(StatusCode::OK, &v)
        }
        Deleted::Gone(v) => super::json_response(StatusCode::OK, &success_status(rt, &v)),
    })
}

/// DELETE of a collection (with selectors).
pub fn delete_collection(
    st: &Arc<ClusterState>,
    rt: &Arc<ResourceType>,
    p: &ResourcePath,
    q: &Query,
    body: &[u8],
) -> Result<Response> {
    let o = DeleteOpts::parse(q, body)?;
    let filter = Filter::from_query(rt, q)?;
    let (items, _) = st.store.list(&rt.storage, p.namespace.as_deref());
    let mut deleted = Vec::new();
    for s in items.iter().filter(|s| filter.matches(&s.value)) {
        let (ns, name) = (object::namespace(&s.value), object::name(&s.value));
        match delete_object(st, rt, ns, name, &o) {
            Ok(Deleted::Gone(v) | Deleted::Pending(v)) => deleted.push(v),
            // Deleted concurrently: nothing to report for it.
            Err(e) if e.code == 404 => {}
            Err(e) => return Err(e),
        }
    }
    let list = json!({"kind": format!("{}List", rt.kind), "apiVersion": rt.api_version(),
        "metadata": {"resourceVersion": st.store.current_rv().to_string()}, "items": deleted});
    Ok(super::json_response(StatusCode::OK, &list))
}
