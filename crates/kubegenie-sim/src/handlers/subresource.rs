//! Subresources (`status`, `scale`, `log`, `eviction`, `binding`, `finalize`) and the
//! access-review resources that answer a create without storing anything.

use super::write::{self, Opts};
use super::{delete, json_response, read};
use crate::auth::{self, User};
use crate::catalog::ResourceType;
use crate::error::{ApiError, Result};
use crate::object;
use crate::patch::{self, PatchType};
use crate::request::{Output, Query, ResourcePath};
use crate::selector::LabelSelector;
use crate::state::ClusterState;
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode, header};
use serde_json::{Value, json};
use std::sync::Arc;

/// Handles `/{resource}/{name}/{sub}`.
#[allow(clippy::too_many_arguments)]
pub async fn handle(
    st: &Arc<ClusterState>,
    rt: &Arc<ResourceType>,
    p: &ResourcePath,
    sub: &str,
    method: &Method,
    headers: &HeaderMap,
    q: &Query,
    body: Bytes,
) -> Result<Response> {
    let name = p.name.as_deref().ok_or_else(ApiError::path_not_found)?;
    let ns = p.namespace.as_deref();
    let opts = || Opts {
        dry_run: q.dry_run,
        manager: q.field_manager.clone().unwrap_or_else(|| "unknown".into()),
        validation: write::FieldValidation::Ignore,
        force: q.force,
        explicit_manager: q.field_manager.is_some(),
    };
    match (sub, method.as_str()) {
        ("status", "GET") => read::get(st, rt, p, &Output::Json),
        ("status", "PUT") => {
            let obj = super::decode_object(headers, &body)?;
            Ok(write::update(st, rt, ns, name, obj, Some("status"), &opts())?.into_response(StatusCode::OK))
        }
        ("status", "PATCH") => Ok(
            write::patch(st, rt, ns, name, headers, &body, Some("status"), &opts())?
                .into_response(StatusCode::OK),
        ),
        ("scale", "GET" | "PUT" | "PATCH") => scale(st, rt, ns, name, method, headers, &body, &opts()),
        ("log", "GET") => pod_log(st, ns.unwrap_or_default(), name, q),
        ("eviction", "POST") => {
            let o = delete::DeleteOpts {
                dry_run: q.dry_run,
                ..Default::default()
            };
            delete::delete_object(st, rt, ns.unwrap_or_default(), name, &o)?;
            let status = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201});
            Ok(json_response(StatusCode::CREATED, &status))
        }
        ("binding", "POST") => {
            let b = super::decode_object(headers, &body)?;
            let node = b
                .pointer("/target/name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let pod = st.store.get(&rt.storage, ns.unwrap_or_default(), name);
            let mut pod = pod
                .ok_or_else(|| ApiError::not_found(&rt.group, &rt.plural, name))?
                .value
                .clone();
            if pod
                .pointer("/spec/nodeName")
                .and_then(Value::as_str)
                .is_some_and(|n| !n.is_empty())
            {
                return Err(ApiError::conflict_with(
                    &rt.group,
                    &rt.plural,
                    name,
                    "pod is already assigned to a node",
                ));
            }
            pod["spec"]["nodeName"] = json!(node);
            write::update(st, rt, ns, name, pod, None, &opts())?;
            let status = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201});
            Ok(json_response(StatusCode::CREATED, &status))
        }
        ("finalize", "PUT") => {
            let b = super::decode_object(headers, &body)?;
            let cur = st
                .store
                .get(&rt.storage, "", name)
                .ok_or_else(|| ApiError::not_found("", "namespaces", name))?;
            let mut new = cur.value.clone();
            new["spec"]["finalizers"] = b.pointer("/spec/finalizers").cloned().unwrap_or(json!([]));
            Ok(write::update(st, rt, None, name, new, None, &opts())?.into_response(StatusCode::OK))
        }
        _ => Err(ApiError::method_not_allowed()),
    }
}

/// Reads a dotted JSONPath (`.spec.replicas`) into a JSON pointer.
fn pointer(path: &str) -> String {
    path.trim_start_matches('.')
        .split('.')
        .fold(String::new(), |acc, s| format!("{acc}/{s}"))
}

fn scale_paths(rt: &ResourceType) -> (String, String, Option<String>) {
    match &rt.scale {
        Some(s) => (
            pointer(&s.spec_replicas),
            pointer(&s.status_replicas),
            s.label_selector.as_deref().map(pointer),
        ),
        None => ("/spec/replicas".into(), "/status/replicas".into(), None),
    }
}

/// The `autoscaling/v1` Scale of an object.
fn scale_of(rt: &ResourceType, obj: &Value) -> Value {
    let (spec, status, sel) = scale_paths(rt);
    let selector = match sel {
        Some(p) => obj
            .pointer(&p)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        None => obj
            .pointer("/spec/selector")
            .and_then(|s| LabelSelector::from_object(s).ok())
            .map(|s| s.to_string())
            .unwrap_or_default(),
    };
    let m = &obj["metadata"];
    let mut scale = json!({
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {"name": m["name"], "namespace": m["namespace"], "uid": m["uid"],
            "resourceVersion": m["resourceVersion"], "creationTimestamp": m["creationTimestamp"]},
        "spec": {"replicas": obj.pointer(&spec).cloned().unwrap_or(json!(0))},
        "status": {"replicas": obj.pointer(&status).cloned().unwrap_or(json!(0))},
    });
    if !selector.is_empty() {
        scale["status"]["selector"] = json!(selector);
    }
    scale
}

#[allow(clippy::too_many_arguments)]
fn scale(
    st: &Arc<ClusterState>,
    rt: &Arc<ResourceType>,
    ns: Option<&str>,
    name: &str,
    method: &Method,
    headers: &HeaderMap,
    body: &[u8],
    opts: &Opts,
) -> Result<Response> {
    let cur = st
        .store
        .get(&rt.storage, ns.unwrap_or_default(), name)
        .ok_or_else(|| ApiError::not_found(&rt.group, &rt.plural, name))?;
    let served = read::served(rt, &cur).into_owned();
    let current_scale = scale_of(rt, &served);
    let wanted = match method.as_str() {
        "GET" => return Ok(json_response(StatusCode::OK, &current_scale)),
        "PUT" => super::decode_object(headers, body)?,
        _ => {
            let ct = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let pt = PatchType::from_content_type(ct)
                .filter(|p| *p != PatchType::Apply)
                .ok_or_else(|| ApiError::unsupported_media_type(ct, &["application/merge-patch+json"]))?;
            let scale_rt = ResourceType::builtin("autoscaling", "v1", "Scale", "scale", true);
            patch::apply_patch(pt, &scale_rt, &current_scale, body)?
        }
    };
    let rv = wanted
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !rv.is_empty() && rv != object::resource_version(&served) {
        return Err(ApiError::conflict(&rt.group, &rt.plural, name));
    }
    let replicas = wanted
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    if replicas < 0 {
        return Err(ApiError::invalid(
            "autoscaling",
            "Scale",
            name,
            vec![crate::error::StatusCause::new(
                "FieldValueInvalid",
                "spec.replicas",
                format!("Invalid value: {replicas}: must be greater than or equal to 0"),
            )],
        ));
    }
    let (spec_ptr, _, _) = scale_paths(rt);
    let mut new = served;
    if let Some(slot) = pointer_mut_or_create(&mut new, &spec_ptr) {
        *slot = json!(replicas);
    }
    let res = write::update(st, rt, ns, name, new, None, opts)?;
    Ok(json_response(StatusCode::OK, &scale_of(rt, &res.obj)))
}

fn pointer_mut_or_create<'a>(v: &'a mut Value, ptr: &str) -> Option<&'a mut Value> {
    let mut cur = v;
    for seg in ptr.split('/').skip(1) {
        if !cur.is_object() {
            *cur = json!({});
        }
        cur = cur.as_object_mut()?.entry(seg.to_string()).or_insert(Value::Null);
    }
    Some(cur)
}

/// `pods/{name}/log`: checks the container choice as the kubelet does; the lines come from
/// the container's log generator (`observe::logs`).
fn pod_log(st: &Arc<ClusterState>, ns: &str, name: &str, q: &Query) -> Result<Response> {
    let pod = st
        .store
        .get(&crate::catalog::StorageKey::new("", "pods"), ns, name)
        .ok_or_else(|| ApiError::not_found("", "pods", name))?;
    let containers: Vec<&str> = pod
        .value
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| c.get("name").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    let container = match q.get("container") {
        Some(c) if !containers.contains(&c) => {
            return Err(ApiError::bad_request(format!(
                "container {c} is not valid for pod {name}"
            )));
        }
        None if containers.len() > 1 => {
            return Err(ApiError::bad_request(format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                containers.join(" ")
            )));
        }
        Some(c) => c.to_string(),
        None => containers.first().map(|c| c.to_string()).unwrap_or_default(),
    };
    crate::observe::logs::respond(st, &pod.value, &container, q)
}

/// Access and token reviews: evaluated and returned with a status, never stored.
pub fn review(
    st: &Arc<ClusterState>,
    user: &User,
    rt: &ResourceType,
    ns: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response> {
    let mut req = super::decode_object(headers, body)?;
    let out = match rt.plural.as_str() {
        "selfsubjectaccessreviews" => {
            auth::validate_self_subject_access_review(&req)?;
            auth::self_subject_access_review(user, &req, &**st)
        }
        "selfsubjectreviews" => auth::self_subject_review(user),
        "selfsubjectrulesreviews" => {
            let ns = req
                .pointer("/spec/namespace")
                .and_then(Value::as_str)
                .unwrap_or("default")
                .to_string();
            auth::self_subject_rules_review(user, &ns, &**st)
        }
        "subjectaccessreviews" | "localsubjectaccessreviews" => {
            if let (Some(ns), Some(ra)) = (ns, req.pointer_mut("/spec/resourceAttributes")) {
                ra["namespace"] = json!(ns);
            }
            let subject = User {
                name: req
                    .pointer("/spec/user")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                groups: req
                    .pointer("/spec/groups")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(|g| g.as_str().map(str::to_string)).collect())
                    .unwrap_or_default(),
            };
            auth::self_subject_access_review(&subject, &req, &**st)
        }
        "tokenreviews" => {
            let token = req
                .pointer("/spec/token")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let who = st
                .authn
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .authenticate(Some(&format!("Bearer {token}")));
            let mut r = req.clone();
            r["status"] = match who {
                Ok(u) => json!({"authenticated": true, "user": {"username": u.name, "groups": u.groups}}),
                Err(_) => json!({"authenticated": false, "error": "invalid bearer token"}),
            };
            r
        }
        _ => return Err(ApiError::method_not_allowed()),
    };
    Ok(json_response(StatusCode::CREATED, &out))
}
