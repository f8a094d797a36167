//! Patches as kube-apiserver applies them: JSON patch (RFC 6902), JSON merge patch (RFC 7386),
//! strategic merge patch with kubectl's directives, and server-side apply with managedFields.

mod apply;
pub mod fields;
mod last_applied;
pub mod managed;
pub mod merge_keys;
pub mod strategic;

#[cfg(test)]
mod tests_apply;
#[cfg(test)]
mod tests_patch;

pub use apply::LAST_APPLIED;
pub use merge_keys::{ListSchema, ListStrategy, Schema, list_strategy};

use crate::catalog::ResourceType;
use crate::error::{ApiError, Result, StatusCause};
use serde_json::Value;

/// Deepest nesting the engines follow; parsers already stop well before (serde_json at 128,
/// serde-saphyr at 64), this guards objects built by other means.
pub(crate) const MAX_DEPTH: usize = 200;

/// Media types a custom resource accepts for PATCH, in kube-apiserver's order.
pub const CUSTOM_RESOURCE_PATCH_TYPES: &[&str] = &[
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/apply-patch+yaml",
];

/// The four patch types, by request `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    /// `application/json-patch+json`.
    Json,
    /// `application/merge-patch+json`.
    Merge,
    /// `application/strategic-merge-patch+json`.
    Strategic,
    /// `application/apply-patch+yaml` (server-side apply).
    Apply,
}

impl PatchType {
    /// The patch type of a `Content-Type` header value (parameters ignored).
    pub fn from_content_type(ct: &str) -> Option<Self> {
        match ct.split(';').next().unwrap_or_default().trim() {
            "application/json-patch+json" => Some(Self::Json),
            "application/merge-patch+json" => Some(Self::Merge),
            "application/strategic-merge-patch+json" => Some(Self::Strategic),
            "application/apply-patch+yaml" | "application/apply-patch+json" => Some(Self::Apply),
            _ => None,
        }
    }
}

/// Applies a JSON, merge or strategic merge patch to `current`, returning the new object.
///
/// A malformed body is 400 BadRequest; a JSON patch whose operation fails (a `test` that does
/// not match, a missing path) is 422 Invalid; a strategic merge patch on a custom resource is
/// 415 UnsupportedMediaType, as custom resources have no patch strategies.
pub fn apply_patch(pt: PatchType, rt: &ResourceType, current: &Value, body: &[u8]) -> Result<Value> {
    let schema = Schema::of(rt);
    if pt == PatchType::Strategic && schema.is_custom() {
        return Err(ApiError::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: {}",
                CUSTOM_RESOURCE_PATCH_TYPES.join(", ")
            ),
        ));
    }
    if pt == PatchType::Apply {
        return Err(ApiError::bad_request(
            "apply patches are handled by server-side apply",
        ));
    }
    let patch: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
    match pt {
        PatchType::Json => {
            let ops: json_patch::Patch =
                serde_json::from_value(patch).map_err(|e| ApiError::bad_request(e.to_string()))?;
            let mut out = current.clone();
            json_patch::patch(&mut out, &ops).map_err(|e| rejected(json_patch_message(&ops, &e)))?;
            Ok(out)
        }
        PatchType::Merge => {
            if !patch.is_object() {
                return Err(ApiError::bad_request("Invalid JSON Patch"));
            }
            let mut out = current.clone();
            json_patch::merge(&mut out, &patch);
            Ok(out)
        }
        _ => strategic::strategic_merge(current, &patch, schema),
    }
}

/// The text kube-apiserver's JSON patch library (evanphx/json-patch) gives for a failed
/// operation; kubectl shows it to users, so scripts match on it.
fn json_patch_message(ops: &json_patch::Patch, e: &json_patch::PatchError) -> String {
    use json_patch::{PatchErrorKind, PatchOperation};
    let path = e.path.to_string();
    match (ops.0.get(e.operation), &e.kind) {
        (Some(PatchOperation::Test(_)), PatchErrorKind::TestFailed) => {
            format!("testing value {path} failed: test failed")
        }
        (Some(PatchOperation::Test(_)), _) => format!("testing value {path} failed: missing value"),
        (Some(PatchOperation::Remove(_)), _) => {
            format!(
                "Unable to remove nonexistent key: {}: missing value",
                path.rsplit('/').next().unwrap_or_default()
            )
        }
        (Some(PatchOperation::Replace(_)), _) => {
            format!("replace operation does not apply: doc is missing key: {path}: missing value")
        }
        (Some(PatchOperation::Add(_)), _) => {
            format!("add operation does not apply: doc is missing path: \"{path}\": missing value")
        }
        (Some(PatchOperation::Move(_)), _) => {
            format!("move operation does not apply: doc is missing from path: {path}: missing value")
        }
        (Some(PatchOperation::Copy(_)), _) => {
            format!("copy operation does not apply: doc is missing from path: {path}: missing value")
        }
        (None, kind) => kind.to_string(),
    }
}

/// kube-apiserver's 422 for a patch that cannot be applied: a generic message, the cause in
/// `details.causes`.
fn rejected(cause: String) -> ApiError {
    let mut e = ApiError::new(
        422,
        "Invalid",
        "the server rejected our request due to an error in our request",
    );
    e.causes = vec![StatusCause::new("UnexpectedServerResponse", "", cause)];
    e
}

/// Parses an `application/apply-patch+yaml` body (YAML, or JSON which is YAML) into an object.
pub fn parse_apply_body(body: &[u8]) -> Result<Value> {
    let text = std::str::from_utf8(body)
        .map_err(|e| ApiError::bad_request(format!("error decoding YAML: invalid UTF-8: {e}")))?;
    let v: Value = serde_saphyr::from_str(text)
        .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?;
    match v {
        Value::Object(_) => Ok(v),
        Value::Null => Err(ApiError::bad_request(
            "error decoding YAML: the apply configuration is empty",
        )),
        other => Err(ApiError::bad_request(format!(
            "error decoding YAML: cannot unmarshal {} into an object",
            kind_name(&other)
        ))),
    }
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Server-side apply of `applied` (the parsed apply-patch body) by `manager` over `current`
/// (`None` when the object does not exist yet). Maintains `metadata.managedFields`.
///
/// Applied fields merge into the live object (associative lists item by item, atomic values
/// whole); fields this manager applied before and omits now are removed unless another
/// manager owns them. Changing a field another manager owns is a 409 Conflict unless `force`,
/// which takes ownership. With `current` `None` the result is the applied object with
/// managedFields; the caller assigns uid, resourceVersion and timestamps. The caller also
/// checks that `metadata.name` matches the request path.
pub fn server_side_apply(
    rt: &ResourceType,
    current: Option<&Value>,
    applied: &Value,
    manager: &str,
    force: bool,
) -> Result<Value> {
    apply::server_side_apply(rt, current, applied, manager, force, None)
}

/// [`server_side_apply`] through a subresource: with `Some("status")` only `status` is
/// merged and owned, and the manager's entry records the subresource.
pub fn server_side_apply_to(
    rt: &ResourceType,
    current: Option<&Value>,
    applied: &Value,
    manager: &str,
    force: bool,
    subresource: Option<&str>,
) -> Result<Value> {
    match apply::server_side_apply(rt, current, applied, manager, force, subresource) {
        Err(e)
            if e.code == 409
                && !force
                && manager == last_applied::UPGRADING_MANAGER
                && current.is_some_and(|live| last_applied::conflicts_allowed(live, &e)) =>
        {
            apply::server_side_apply(rt, current, applied, manager, true, subresource)
        }
        other => other,
    }
}

/// Records a non-apply write (`operation`: `Update`) by `manager` in `new`'s managedFields,
/// carrying over the entries of `old`.
///
/// Fields the write added or changed become owned by `manager`'s Update entry for
/// `subresource` and leave other managers' sets; removed fields leave every set. Call it with
/// the object as it will be stored (after defaulting), and with `old` `None` on create.
pub fn record_update(old: Option<&Value>, new: &mut Value, manager: &str, subresource: Option<&str>) {
    managed::record_update(old, new, manager, subresource)
}
