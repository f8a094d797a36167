//! Writes. Create, update, patch and server-side apply all end in the same steps kube-apiserver
//! takes: type and scope checks, defaults, validation, field-validation warnings, system
//! metadata, managedFields, no-op detection, and an atomic store write with preconditions.

use super::bytes_response;
use crate::auth::User;
use crate::catalog::ResourceType;
use crate::convert;
use crate::defaults;
use crate::error::{ApiError, Result};
use crate::object;
use crate::patch::{self, PatchType};
use crate::request::Query;
use crate::state::ClusterState;
use crate::store::Mutation;
use crate::validation;
use axum::response::Response;
use http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use serde_json::Value;
use std::sync::Arc;

/// How unknown fields are treated (`fieldValidation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldValidation {
    /// Reject with 400.
    Strict,
    /// Accept and return a Warning header (the server default).
    Warn,
    /// Accept silently.
    Ignore,
}

/// Options common to every write.
#[derive(Debug, Clone)]
pub struct Opts {
    /// `dryRun=All`.
    pub dry_run: bool,
    /// Field manager recorded in managedFields.
    pub manager: String,
    /// Unknown-field handling.
    pub validation: FieldValidation,
    /// Server-side apply `force`.
    pub force: bool,
    /// Explicit fieldManager given (required for apply).
    pub explicit_manager: bool,
}

impl Opts {
    /// Options from the query and headers of a request.
    pub fn from_query(q: &Query, _user: &User, parts: &Parts) -> Self {
        // kube-apiserver defaults the manager to the user agent's product name.
        let agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("unknown");
        let agent = agent.split('/').next().unwrap_or("unknown").to_string();
        let validation = match q.field_validation.as_deref() {
            Some("Strict") => FieldValidation::Strict,
            Some("Ignore") => FieldValidation::Ignore,
            _ => FieldValidation::Warn,
        };
        Self {
            dry_run: q.dry_run,
            explicit_manager: q.field_manager.is_some(),
            manager: q.field_manager.clone().unwrap_or(agent),
            validation,
            force: q.force,
        }
    }

    /// Options for writes made by the simulator's own controllers.
    pub fn internal(manager: &str) -> Self {
        Self {
            dry_run: false,
            manager: manager.to_string(),
            validation: FieldValidation::Ignore,
            force: true,
            explicit_manager: true,
        }
    }
}

/// The result of a write: the object as served, and warnings for the client.
#[derive(Debug)]
pub struct WriteResult {
    /// The object after the write (or as it would be, for dry runs).
    pub obj: Value,
    /// Whether the object was created.
    pub created: bool,
    /// `Warning` header texts.
    pub warnings: Vec<String>,
}

impl WriteResult {
    /// The HTTP response for this result.
    pub fn into_response(self, code: StatusCode) -> Response {
        let mut resp = bytes_response(code, serde_json::to_vec(&self.obj).unwrap_or_default());
        for w in &self.warnings {
            let text = format!("299 - \"{}\"", w.replace('"', "\\\""));
            if let Ok(v) = HeaderValue::from_str(&text) {
                resp.headers_mut().append(header::WARNING, v);
            }
        }
        resp
    }
}

/// Fills a missing apiVersion/kind from the URL and rejects a mismatch.
fn check_type_meta(rt: &ResourceType, obj: &mut Value) -> Result<()> {
    let want = rt.api_version();
    match obj.get("apiVersion").and_then(Value::as_str) {
        None | Some("") => obj["apiVersion"] = Value::String(want.clone()),
        Some(v) if v == want => {}
        Some(v) => {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({v}) does not match the expected API version ({want})"
            )));
        }
    }
    match obj.get("kind").and_then(Value::as_str) {
        None | Some("") => obj["kind"] = Value::String(rt.kind.clone()),
        Some(k) if k == rt.kind => {}
        Some(k) => {
            return Err(ApiError::bad_request(format!(
                "the kind in the data ({k}) does not match the expected kind ({}) for resource {}",
                rt.kind,
                rt.qualified()
            )));
        }
    }
    Ok(())
}

/// Sets `metadata.namespace` from the URL, rejecting a different one in the body.
fn set_scope(rt: &ResourceType, obj: &mut Value, ns: Option<&str>) -> Result<()> {
    if !rt.namespaced {
        object::set_meta(obj, "namespace", None);
        return Ok(());
    }
    let ns = ns.unwrap_or_default();
    let body_ns = object::namespace(obj);
    if !body_ns.is_empty() && body_ns != ns {
        return Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        ));
    }
    object::set_meta(obj, "namespace", Some(Value::String(ns.to_string())));
    Ok(())
}

/// The namespace must exist and not be terminating for new objects in it.
fn ensure_namespace(st: &ClusterState, ns: &str) -> Result<()> {
    let key = crate::catalog::StorageKey::new("", "namespaces");
    match st.store.get(&key, "", ns) {
        None => Err(ApiError::not_found("", "namespaces", ns)),
        Some(n) if object::is_deleting(&n.value) => Err(ApiError::new(
            403,
            "Forbidden",
            format!("unable to create new content in namespace {ns} because it is being terminated"),
        )),
        Some(_) => Ok(()),
    }
}

/// Unknown-field handling for `fieldValidation`.
fn check_fields(rt: &ResourceType, obj: &Value, opts: &Opts) -> Result<Vec<String>> {
    if opts.validation == FieldValidation::Ignore {
        return Ok(Vec::new());
    }
    let unknown = validation::unknown_fields(rt, obj);
    if unknown.is_empty() {
        return Ok(Vec::new());
    }
    match opts.validation {
        FieldValidation::Strict => Err(validation::strict_decoding_error(rt, &unknown)),
        _ => Ok(validation::unknown_field_warnings(&unknown)),
    }
}

/// Kinds whose `metadata.generation` tracks spec changes.
fn tracks_generation(rt: &ResourceType) -> bool {
    rt.crd.is_some()
        || matches!(
            rt.group.as_str(),
            "apps" | "batch" | "autoscaling" | "policy" | "apiextensions.k8s.io"
        )
}

/// Creates an object (HTTP POST, server-side apply of a new object, and internal seeding).
pub fn create(
    st: &Arc<ClusterState>,
    rt: &Arc<ResourceType>,
    ns: Option<&str>,
    obj: Value,
    opts: &Opts,
) -> Result<WriteResult> {
    create_with(st, rt, ns, obj, opts, true)
}

/// Creates an object; `record` adds an Update managedFields entry (apply brings its own).
fn create_with(
    st: &Arc<ClusterState>,
    rt: &Arc<ResourceType>,
    ns: Option<&str>,
    mut obj: Value,
    opts: &Opts,
    record: bool,
) -> Result<WriteResult> {
    check_type_meta(rt, &mut obj)?;
    set_scope(rt, &mut obj, ns)?;
    if object::name(&obj).is_empty() {
        let generate = obj
            .pointer("/metadata/generateName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !generate.is_empty() {
            let name = format!("{generate}{}", st.name_suffix());
            object::set_meta(&mut obj, "name", Some(Value::String(name)));
        }
    }
    if rt.namespaced {
        ensure_namespace(st, ns.unwrap_or_default())?;
    }
    let warnings = check_fields(rt, &obj, opts)?;
    // The uid exists before the strategy runs: a Job's generated selector and template labels
    // carry it, as kube-apiserver's Job strategy does at validation.
    object::metadata_mut(&mut obj).insert("uid".into(), Value::String(st.new_uid()));
    defaults::on_create(st, rt, &mut obj);
    validation::validate_object(rt, &obj)?;
    let meta = object::metadata_mut(&mut obj);
    for k in [
        "resourceVersion",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "selfLink",
    ] {
        meta.remove(k);
    }
    meta.insert("creationTimestamp".into(), Value::String(st.now_string()));
    if tracks_generation(rt) {
        meta.insert("generation".into(), Value::from(1));
    } else {
        meta.remove("generation");
    }
    if record {
        patch::record_update(None, &mut obj, &opts.manager, None);
    }
    let name = object::name(&obj).to_string();
    if opts.dry_run {
        return Ok(WriteResult {
            obj,
            created: true,
            warnings,
        });
    }
    let stored_form = convert::to_stored(rt, obj);
    let ns = object::namespace(&stored_form).to_string();
    let stored = st
        .store
        .mutate(&rt.storage, &ns, &name, |cur| match cur {
            Some(_) => Err(ApiError::already_exists(&rt.group, &rt.plural, &name)),
            None => Ok(Mutation::Put(stored_form)),
        })?
        .ok_or_else(|| ApiError::internal("object vanished after create"))?;
    crate::control::after_write(st, rt, &stored.value);
    Ok(WriteResult {
        obj: convert::to_served(rt, stored.value.clone()),
        created: true,
        warnings,
    })
}

/// Carries the fields a client may not change from the current object into the new one, and
/// splits status from the rest when status is a subresource.
fn merge_system_fields(rt: &ResourceType, cur: &Value, new: &mut Value, sub: Option<&str>) {
    if sub == Some("status") {
        let status = new.get("status").cloned();
        let mut merged = cur.clone();
        match status {
            Some(s) => merged["status"] = s,
            None => {
                if let Some(m) = merged.as_object_mut() {
                    m.remove("status");
                }
            }
        }
        // Status writes may not touch metadata other than what kube allows; keep the current.
        *new = merged;
        return;
    }
    if rt.status_is_subresource() && sub.is_none() {
        match cur.get("status") {
            Some(s) => new["status"] = s.clone(),
            None => {
                if let Some(m) = new.as_object_mut() {
                    m.remove("status");
                }
            }
        }
    }
    let cur_meta = cur.get("metadata").cloned().unwrap_or_default();
    let meta = object::metadata_mut(new);
    for k in [
        "uid",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "generation",
        "namespace",
    ] {
        match cur_meta.get(k) {
            Some(v) => meta.insert(k.to_string(), v.clone()),
            None => meta.remove(k),
        };
    }
}

/// Whether anything outside metadata and status changed.
fn spec_changed(cur: &Value, new: &Value) -> bool {
    let strip = |v: &Value| -> Value {
        let mut v = v.clone();
        if let Some(m) = v.as_object_mut() {
            m.remove("metadata");
            m.remove("status");
        }
        v
    };
    strip(cur) != strip(new)
}

/// Equality that ignores what a no-op write would still change.
fn same_object(cur: &Value, new: &Value) -> bool {
    let strip = |v: &Value| -> Value {
        let mut v = v.clone();
        let meta = object::metadata_mut(&mut v);
        meta.remove("resourceVersion");
        meta.remove("managedFields");
        v
    };
    strip(cur) == strip(new)
}

/// Turns a proposed new version into the stored one, or `None` when nothing changes.
fn finish_update(
    st: &ClusterState,
    rt: &ResourceType,
    cur: &Value,
    mut new: Value,
    sub: Option<&str>,
    opts: &Opts,
    record: bool,
) -> Result<Option<Value>> {
    merge_system_fields(rt, cur, &mut new, sub);
    if tracks_generation(rt) && sub.is_none() && spec_changed(cur, &new) {
        let g = cur
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(0)
            + 1;
        object::set_meta(&mut new, "generation", Some(Value::from(g)));
    }
    defaults::on_update(st, rt, cur, &mut new);
    validation::validate_object(rt, &new)?;
    if record {
        patch::record_update(Some(cur), &mut new, &opts.manager, sub);
    }
    if same_object(cur, &new) {
        return Ok(None);
    }
    Ok(Some(new))
}

/// Commits a computed update through the store with the usual preconditions; `compute` maps
/// the current served object to the new one (or `None` for no change).
fn commit(
    st: &Arc<ClusterState>,
    rt: &Arc<ResourceType>,
    ns: &str,
    name: &str,
    opts: &Opts,
    compute: impl FnOnce(&Value) -> Result<Option<Value>>,
) -> Result<Value> {
    let mut dry: Option<Value> = None;
    let stored = st.store.mutate(&rt.storage, ns, name, |cur| {
        let cur = cur.ok_or_else(|| ApiError::not_found(&rt.group, &rt.plural, name))?;
        let served = convert::to_served(rt, cur.value.clone());
        let Some(new) = compute(&served)? else {
            return Ok(Mutation::Keep);
        };
        if opts.dry_run {
            dry = Some(new);
            return Ok(Mutation::Keep);
        }
        // An object being deleted goes away once its last finalizer is removed, unless it is a
        // pod in its grace period (its kubelet deletes it once the containers have stopped).
        let graceful = new
            .pointer("/metadata/deletionGracePeriodSeconds")
            .and_then(Value::as_i64)
            .is_some_and(|g| g > 0);
        if object::is_deleting(&new) && object::finalizers(&new).is_empty() && !graceful {
            return Ok(Mutation::Delete);
        }
        Ok(Mutation::Put(convert::to_stored(rt, new)))
    })?;
    if let Some(d) = dry {
        return Ok(d);
    }
    let stored = stored.ok_or_else(|| ApiError::not_found(&rt.group, &rt.plural, name))?;
    crate::control::after_write(st, rt, &stored.value);
    Ok(convert::to_served(rt, stored.value.clone()))
}

/// Replaces an object (HTTP PUT on the object or its status).
pub fn update(
    st: &Arc<ClusterState>,
    rt: &Arc<ResourceType>,
    ns: Option<&str>,
    name: &str,
    mut obj: Value,
    sub: Option<&str>,
    opts: &Opts,
) -> Result<WriteResult> {
    check_type_meta(rt, &mut obj)?;
    set_scope(rt, &mut obj, ns)?;
    let body_name = object::name(&obj);
    if body_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    let warnings = check_fields(rt, &obj, opts)?;
    let want_rv = object::resource_version(&obj).to_string();
    let ns = ns.unwrap_or_default();
    let obj = commit(st, rt, ns, name, opts, |cur| {
        if !want_rv.is_empty() && want_rv != object::resource_version(cur) {
            return Err(ApiError::conflict(&rt.group, &rt.plural, name));
        }
        finish_update(st, rt, cur, obj, sub, opts, true)
    })?;
    Ok(WriteResult {
        obj,
        created: false,
        warnings,
    })
}

/// Patches an object (HTTP PATCH), including server-side apply, which may create it.
#[allow(clippy::too_many_arguments)]
pub fn patch(
    st: &Arc<ClusterState>,
    rt: &Arc<ResourceType>,
    ns: Option<&str>,
    name: &str,
    headers: &HeaderMap,
    body: &[u8],
    sub: Option<&str>,
    opts: &Opts,
) -> Result<WriteResult> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let pt = PatchType::from_content_type(ct).ok_or_else(|| {
        ApiError::unsupported_media_type(
            ct,
            &[
                "application/json-patch+json",
                "application/merge-patch+json",
                "application/strategic-merge-patch+json",
                "application/apply-patch+yaml",
            ],
        )
    })?;
    if pt == PatchType::Apply {
        return apply(st, rt, ns, name, body, sub, opts);
    }
    let nsv = ns.unwrap_or_default();
    let mut warnings = Vec::new();
    let obj = commit(st, rt, nsv, name, opts, |cur| {
        let mut patched = patch::apply_patch(pt, rt, cur, body)?;
        check_type_meta(rt, &mut patched)?;
        set_scope(rt, &mut patched, ns)?;
        if object::name(&patched) != name {
            return Err(ApiError::bad_request(
                "the name of the object cannot be changed by a patch",
            ));
        }
        let rv = object::resource_version(&patched);
        if !rv.is_empty() && rv != object::resource_version(cur) {
            return Err(ApiError::conflict(&rt.group, &rt.plural, name));
        }
        warnings = check_fields(rt, &patched, opts)?;
        finish_update(st, rt, cur, patched, sub, opts, true)
    })?;
    Ok(WriteResult {
        obj,
        created: false,
        warnings,
    })
}

/// Server-side apply: creates the object when absent, else merges with field ownership.
fn apply(
    st: &Arc<ClusterState>,
    rt: &Arc<ResourceType>,
    ns: Option<&str>,
    name: &str,
    body: &[u8],
    sub: Option<&str>,
    opts: &Opts,
) -> Result<WriteResult> {
    if !opts.explicit_manager {
        return Err(ApiError::invalid(
            "meta.k8s.io",
            "PatchOptions",
            "",
            vec![crate::error::StatusCause::new(
                "FieldValueRequired",
                "fieldManager",
                "Required value: is required for apply patch",
            )],
        ));
    }
    let mut applied = patch::parse_apply_body(body)?;
    if applied
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .is_empty()
        || applied
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .is_empty()
    {
        return Err(ApiError::bad_request(
            "apiVersion and kind must be set in an apply patch",
        ));
    }
    check_type_meta(rt, &mut applied)?;
    set_scope(rt, &mut applied, ns)?;
    if object::name(&applied) != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({}) does not match the name on the URL ({name})",
            object::name(&applied)
        )));
    }
    let warnings = check_fields(rt, &applied, opts)?;
    let nsv = ns.unwrap_or_default();
    if st.store.get(&rt.storage, nsv, name).is_none() {
        let obj = patch::server_side_apply(rt, None, &applied, &opts.manager, opts.force)?;
        let mut res = create_with(
            st,
            rt,
            ns,
            obj,
            &Opts {
                validation: FieldValidation::Ignore,
                ..opts.clone()
            },
            false,
        )?;
        res.warnings = warnings;
        return Ok(res);
    }
    let obj = commit(st, rt, nsv, name, opts, |cur| {
        let new = patch::server_side_apply_to(rt, Some(cur), &applied, &opts.manager, opts.force, sub)?;
        finish_update(st, rt, cur, new, sub, opts, false)
    })?;
    Ok(WriteResult {
        obj,
        created: false,
        warnings,
    })
}
