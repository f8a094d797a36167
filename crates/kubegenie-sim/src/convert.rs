//! Conversion between a served version and the stored form (see `catalog::Conversion`).

use crate::catalog::ResourceType;
use serde_json::Value;

/// The object as served under `rt`, from its stored form.
pub fn to_served(rt: &ResourceType, mut stored: Value) -> Value {
    stored["apiVersion"] = Value::String(rt.api_version());
    stored
}

/// The stored form of an object received under `rt`.
pub fn to_stored(_rt: &ResourceType, served: Value) -> Value {
    served
}
