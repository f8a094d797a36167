//! Object validation as kube-apiserver does it on create and update: names, required fields,
//! kind-specific rules (Invalid with field causes), and unknown-field detection for
//! `fieldValidation`.

pub mod field;
pub mod names;

use crate::catalog::ResourceType;
use crate::error::Result;
use serde_json::Value;

/// Validates an object about to be stored; an error is a 422 Invalid with field causes.
pub fn validate_object(_rt: &ResourceType, _obj: &Value) -> Result<()> {
    Ok(())
}

/// Dotted paths of fields the schema of `rt` does not declare, e.g. `spec.replicaz`.
pub fn unknown_fields(_rt: &ResourceType, _obj: &Value) -> Vec<String> {
    Vec::new()
}

/// 400 for unknown fields under fieldValidation=Strict.
pub fn strict_decoding_error(rt: &ResourceType, paths: &[String]) -> crate::error::ApiError {
    let list: Vec<String> = paths.iter().map(|p| format!("unknown field \"{p}\"")).collect();
    crate::error::ApiError::bad_request(format!(
        "{} in version \"{}\" cannot be handled as a {}: strict decoding error: {}",
        rt.kind,
        rt.version,
        rt.kind,
        list.join(", ")
    ))
}

/// Warning texts for unknown fields.
pub fn unknown_field_warnings(paths: &[String]) -> Vec<String> {
    paths.iter().map(|p| format!("unknown field \"{p}\"")).collect()
}
