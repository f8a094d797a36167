//! Small accessors for Kubernetes objects held as JSON values.

use serde_json::{Map, Value};

/// `metadata.<key>`. Looked up key by key rather than with `Value::pointer`, which allocates
/// the path's tokens on every call: these accessors run per object in every LIST, watch event
/// and controller pass.
fn meta<'a>(obj: &'a Value, key: &str) -> Option<&'a Value> {
    obj.get("metadata")?.get(key)
}

/// `metadata.name`, or `""`.
pub fn name(obj: &Value) -> &str {
    meta(obj, "name").and_then(Value::as_str).unwrap_or_default()
}

/// `metadata.namespace`, or `""`.
pub fn namespace(obj: &Value) -> &str {
    meta(obj, "namespace").and_then(Value::as_str).unwrap_or_default()
}

/// `metadata.uid`, or `""`.
pub fn uid(obj: &Value) -> &str {
    meta(obj, "uid").and_then(Value::as_str).unwrap_or_default()
}

/// `metadata.resourceVersion`, or `""`.
pub fn resource_version(obj: &Value) -> &str {
    meta(obj, "resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// `metadata.labels`.
pub fn labels(obj: &Value) -> Option<&Map<String, Value>> {
    meta(obj, "labels").and_then(Value::as_object)
}

/// `metadata.finalizers` as strings.
pub fn finalizers(obj: &Value) -> Vec<String> {
    meta(obj, "finalizers")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|f| f.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// Whether `metadata.deletionTimestamp` is set.
pub fn is_deleting(obj: &Value) -> bool {
    meta(obj, "deletionTimestamp").is_some_and(|v| !v.is_null())
}

/// `metadata` as a mutable map, created if missing or not an object.
pub fn metadata_mut(obj: &mut Value) -> &mut Map<String, Value> {
    if !obj.is_object() {
        *obj = Value::Object(Map::new());
    }
    let map = obj.as_object_mut().expect("just made an object");
    let meta = map.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
    if !meta.is_object() {
        *meta = Value::Object(Map::new());
    }
    meta.as_object_mut().expect("just made an object")
}

/// Sets or removes (`None`) a metadata field.
pub fn set_meta(obj: &mut Value, key: &str, value: Option<Value>) {
    let meta = metadata_mut(obj);
    match value {
        Some(v) => {
            meta.insert(key.to_string(), v);
        }
        None => {
            meta.remove(key);
        }
    }
}

/// Replaces `metadata.finalizers` (removing the field when empty).
pub fn set_finalizers(obj: &mut Value, finalizers: &[String]) {
    let v = (!finalizers.is_empty()).then(|| Value::from(finalizers.to_vec()));
    set_meta(obj, "finalizers", v);
}

/// `metadata.ownerReferences[].uid`.
pub fn owner_uids(obj: &Value) -> Vec<&str> {
    meta(obj, "ownerReferences")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|r| r.get("uid").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default()
}

/// A timestamp formatted as Kubernetes writes it (`2026-11-23T12:00:00Z`).
pub fn format_time(t: jiff::Timestamp) -> String {
    let secs = t.as_second();
    jiff::Timestamp::from_second(secs).unwrap_or(t).to_string()
}

/// A `MicroTime` as Kubernetes writes it: exactly six fractional digits
/// (`2026-11-23T12:00:00.123456Z`); clients parse it with that fixed layout.
pub fn format_micro_time(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S.%6fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micro_time_has_six_fraction_digits() {
        let t: jiff::Timestamp = "2026-11-23T12:00:00.1234567Z".parse().unwrap();
        assert_eq!(format_micro_time(t), "2026-11-23T12:00:00.123456Z");
        let whole: jiff::Timestamp = "2026-11-23T12:00:00Z".parse().unwrap();
        assert_eq!(format_micro_time(whole), "2026-11-23T12:00:00.000000Z");
        assert_eq!(format_time(t), "2026-11-23T12:00:00Z");
    }
}
