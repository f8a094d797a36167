//! Object validation as kube-apiserver does it on create and update: names, required fields,
//! kind-specific rules (Invalid with field causes), and unknown-field detection for
//! `fieldValidation`.
//!
//! Messages follow k8s.io/apimachinery's `field.Error` rendering so that what kubectl prints
//! from the simulator reads exactly like a real cluster. One file per kind family.

// `ApiError` is the crate-wide error type fixed by the shared interface (src/error.rs); its
// size is not this module's to change, so the lint is silenced here rather than by boxing.
#![allow(clippy::result_large_err)]

mod core;
mod crd;
pub mod field;
mod meta;
pub mod names;
mod pod;
mod quantity;
mod schema;
mod unknown;
mod workloads;

pub use quantity::{QUANTITY_FORMAT_ERROR, parse_quantity, quantity_value};

use crate::catalog::ResourceType;
use crate::error::{ApiError, Result};
use field::{FieldErrors, go_quote};
use serde_json::{Map, Value};

/// A string at a JSON pointer.
fn str_at<'a>(v: &'a Value, ptr: &str) -> Option<&'a str> {
    v.pointer(ptr).and_then(Value::as_str)
}

/// An integer at a JSON pointer (floats with no fraction count, as Go's decoder accepts them).
fn int_at(v: &Value, ptr: &str) -> Option<i64> {
    let n = v.pointer(ptr)?;
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9e18)
            .map(|f| f as i64)
    })
}

/// An object at a JSON pointer.
fn obj_at<'a>(v: &'a Value, ptr: &str) -> Option<&'a Map<String, Value>> {
    v.pointer(ptr).and_then(Value::as_object)
}

/// An array at a JSON pointer (empty when absent).
fn arr_at<'a>(v: &'a Value, ptr: &str) -> &'a [Value] {
    v.pointer(ptr)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The field errors of `obj`, without turning them into an `ApiError` (for callers that merge
/// them with their own, e.g. update rules).
pub fn object_errors(rt: &ResourceType, obj: &Value) -> FieldErrors {
    let mut errs = FieldErrors::default();
    meta::validate_meta(rt, obj, &mut errs);
    if rt.crd.is_some() {
        if let Some(s) = &rt.schema {
            schema::validate_cr(s, obj, &mut errs);
        }
        return errs;
    }
    match (rt.group.as_str(), rt.kind.as_str()) {
        ("", "Pod") => pod::validate_pod_spec(obj.get("spec"), "spec", &mut errs),
        ("", "PodTemplate") => pod::validate_template(obj.get("template"), "template", &mut errs),
        ("", "ReplicationController") => workloads::validate_replication_controller(obj, &mut errs),
        ("", "Service") => core::validate_service(obj, &mut errs),
        ("", "ConfigMap") => core::validate_configmap(obj, &mut errs),
        ("", "Secret") => core::validate_secret(obj, &mut errs),
        ("apps", kind @ ("Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet")) => {
            workloads::validate_apps(kind, obj, &mut errs)
        }
        ("batch", "Job") => workloads::validate_job(obj, &mut errs),
        ("batch", "CronJob") => workloads::validate_cronjob(obj, &mut errs),
        ("autoscaling", "HorizontalPodAutoscaler") => workloads::validate_hpa(obj, &mut errs),
        ("apiextensions.k8s.io", "CustomResourceDefinition") => crd::validate_crd(obj, &mut errs),
        _ => {}
    }
    errs
}

/// Validates an object about to be stored (create or update). Field errors give a 422 Invalid
/// with causes (`Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: ...`);
/// a value kube could not even decode (a malformed quantity) gives its 400 BadRequest.
/// Expects `metadata.namespace` already set from the request path for namespaced kinds.
pub fn validate_object(rt: &ResourceType, obj: &Value) -> Result<()> {
    let errs = object_errors(rt, obj);
    if let Some(msg) = &errs.decode {
        return Err(ApiError::bad_request(format!(
            "{kind} in version {} cannot be handled as a {kind}: {msg}",
            go_quote(&rt.version),
            kind = rt.kind
        )));
    }
    if errs.is_empty() {
        return Ok(());
    }
    let name = str_at(obj, "/metadata/name").unwrap_or_default();
    Err(ApiError::invalid(&rt.group, &rt.kind, name, errs.into_causes()))
}

/// Dotted paths of fields the schema of `rt` does not declare, e.g. `spec.replicaz` or
/// `spec.template.spec.containers[0].imagee`, in document order. Built-in kinds are checked
/// against the k8s-openapi types, custom resources against their CRD schema; kinds with
/// neither accept everything.
pub fn unknown_fields(rt: &ResourceType, obj: &Value) -> Vec<String> {
    if rt.crd.is_some() {
        return rt
            .schema
            .as_ref()
            .map(|s| schema::unknown_in_cr(s, obj))
            .unwrap_or_default();
    }
    unknown::unknown_builtin(&rt.group, &rt.version, &rt.kind, obj).unwrap_or_default()
}

/// The 400 BadRequest of `fieldValidation=Strict`: `Deployment in version "v1" cannot be
/// handled as a Deployment: strict decoding error: unknown field "spec.replicaz"`.
pub fn strict_decoding_error(rt: &ResourceType, paths: &[String]) -> ApiError {
    let fields: Vec<String> = unknown_field_warnings(paths);
    ApiError::bad_request(format!(
        "{kind} in version {} cannot be handled as a {kind}: strict decoding error: {}",
        go_quote(&rt.version),
        fields.join(", "),
        kind = rt.kind
    ))
}

/// The `Warning` header texts of `fieldValidation=Warn`: `unknown field "spec.replicaz"`.
pub fn unknown_field_warnings(paths: &[String]) -> Vec<String> {
    paths
        .iter()
        .map(|p| format!("unknown field {}", go_quote(p)))
        .collect()
}

#[cfg(test)]
mod tests;
