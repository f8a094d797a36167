//! Entry points for the fuzz targets in the repository's `fuzz/` directory (cargo-fuzz).
//!
//! Request decoding lives in crate-private modules; these thin wrappers expose exactly the
//! code a request runs through, so the targets exercise the server's own paths rather than
//! copies of them. Every function must return (an error is fine) for any input: a panic is a
//! bug, since a malformed request must be a 4xx, never a crashed handler.

use crate::catalog::{Catalog, ResourceType};
use crate::error::ApiError;
use crate::patch::{self, PatchType};
use crate::request::{self, Query};
use crate::selector::{FieldSelector, LabelSelector};
use http::{HeaderMap, HeaderValue, header};
use serde_json::{Value, json};
use std::sync::{Arc, LazyLock};

/// The served type of pods, which the fixed object and the field selectors are for.
fn pods() -> Option<Arc<ResourceType>> {
    static PODS: LazyLock<Option<Arc<ResourceType>>> =
        LazyLock::new(|| Catalog::builtin().get("", "v1", "pods"));
    PODS.clone()
}

/// The object patches are applied to: a pod with lists that have merge keys (containers,
/// ports, env, volumes), labels, and managedFields from two managers, so strategic merge
/// directives and server-side apply ownership have something to work on.
pub fn fixed_pod() -> Value {
    let mut pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "namespace": "default", "uid": "0b5f4f5e-8c1f-4a55-9a4e-7d0c7a3e1f00",
            "resourceVersion": "42", "creationTimestamp": "2026-01-15T09:30:00Z",
            "labels": {"app": "web", "tier": "frontend"}, "annotations": {"note": "x"},
            "finalizers": ["example.com/keep"]},
        "spec": {
            "containers": [
                {"name": "app", "image": "nginx:1.27", "ports": [{"containerPort": 80, "protocol": "TCP"}],
                 "env": [{"name": "A", "value": "1"}], "resources": {"limits": {"cpu": "1"}}},
                {"name": "sidecar", "image": "busybox", "args": ["sleep", "3600"]}],
            "volumes": [{"name": "data", "emptyDir": {}}],
            "tolerations": [{"key": "k", "operator": "Exists"}],
            "nodeName": "node-1"},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0}]}
    });
    let created = pod.clone();
    patch::record_update(None, &mut pod, "kubectl-client-side-apply", None);
    let mut status = pod.clone();
    status["status"]["phase"] = json!("Pending");
    patch::record_update(Some(&created), &mut status, "kubelet", Some("status"));
    status["status"]["phase"] = json!("Running");
    status
}

/// Decodes a request body as a create or update does, by `Content-Type` (JSON, YAML,
/// Kubernetes protobuf, or anything else for the 415 path).
pub fn decode_body(content_type: &str, body: &[u8]) -> Result<Value, ApiError> {
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    crate::handlers::decode_object(&headers, body)
}

/// Applies a patch of type `pt` with body `body` to [`fixed_pod`], as a PATCH request does:
/// JSON, merge and strategic merge patches through the patch engine and then the managedFields
/// update; apply patches parsed as YAML and applied server-side (with and without `force`).
pub fn patch(pt: PatchType, body: &[u8]) -> Result<Value, ApiError> {
    let rt = pods().ok_or_else(ApiError::path_not_found)?;
    let current = fixed_pod();
    if pt == PatchType::Apply {
        let applied = patch::parse_apply_body(body)?;
        let forced = patch::server_side_apply(&rt, Some(&current), &applied, "fuzz", true);
        let created = patch::server_side_apply(&rt, None, &applied, "fuzz", false);
        return forced.and(created);
    }
    let mut out = patch::apply_patch(pt, &rt, &current, body)?;
    patch::record_update(Some(&current), &mut out, "fuzz", None);
    Ok(out)
}

/// Parses `s` as a label selector and as a pod field selector and matches both against
/// [`fixed_pod`]; also reads `s` as a JSON `LabelSelector` object when it is one.
/// Returns whether the pod matches, per selector kind.
pub fn selectors(s: &str) -> (Result<bool, ApiError>, Result<bool, ApiError>) {
    let Some(rt) = pods() else {
        return (Err(ApiError::path_not_found()), Err(ApiError::path_not_found()));
    };
    let pod = fixed_pod();
    let labels = pod.pointer("/metadata/labels").and_then(Value::as_object);
    if let Ok(v) = serde_json::from_str::<Value>(s) {
        let _ = LabelSelector::from_object(&v).map(|sel| sel.matches(labels));
    }
    let by_label = LabelSelector::parse(s).map(|sel| sel.matches(labels));
    let by_field = FieldSelector::parse(s, &rt).map(|sel| sel.matches(&pod));
    (by_label, by_field)
}

/// Parses a raw query string as every resource request does; also routes it as a path and
/// negotiates it as an `Accept` header, the other two request inputs parsed by hand.
pub fn query(raw: &str) -> Result<(), ApiError> {
    let _ = request::route(raw);
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(raw) {
        headers.insert(header::ACCEPT, v);
        let _ = request::negotiate(&headers);
    }
    let q = Query::parse(Some(raw))?;
    let _ = q.get("container");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrappers_accept_good_input_and_reject_bad_input() {
        assert!(decode_body("application/json", br#"{"kind":"Pod"}"#).is_ok());
        assert!(decode_body("application/yaml", b"kind: Pod\n").is_ok());
        assert_eq!(decode_body("text/plain", b"{}").unwrap_err().code, 415);
        let merged = patch(PatchType::Merge, br#"{"metadata":{"labels":{"x":"y"}}}"#).unwrap();
        assert_eq!(merged["metadata"]["labels"]["x"], "y");
        assert!(patch(PatchType::Json, br#"[{"op":"remove","path":"/nope"}]"#).is_err());
        assert!(
            patch(
                PatchType::Strategic,
                br#"{"spec":{"containers":[{"name":"app","image":"x"}]}}"#
            )
            .is_ok()
        );
        assert!(
            patch(
                PatchType::Apply,
                b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n"
            )
            .is_ok()
        );
        let (label, field) = selectors("app=web");
        assert!(label.unwrap() && field.is_err());
        let (label, field) = selectors("metadata.name=web");
        assert!(!label.unwrap() && field.unwrap());
        assert!(selectors("app in (").0.is_err());
        assert!(query("watch=1&labelSelector=app%3Dweb").is_ok());
        assert!(query("limit=abc").is_err());
    }
}
