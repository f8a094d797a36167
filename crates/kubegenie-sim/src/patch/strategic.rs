//! Strategic merge patch, as `k8s.io/apimachinery/pkg/util/strategicpatch` applies it on the
//! server: merge-keyed lists, `$patch`, `$retainKeys`, `$setElementOrder/<field>` and
//! `$deleteFromPrimitiveList/<field>` directives, and `null` to delete a key.

use super::MAX_DEPTH;
use super::merge_keys::{ListStrategy, Schema};
use crate::error::{ApiError, Result};
use serde_json::{Map, Value};

const PATCH: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const SET_ORDER: &str = "$setElementOrder/";
const DELETE_PRIMITIVE: &str = "$deleteFromPrimitiveList/";

/// Applies a strategic merge patch to `original` (both objects).
pub fn strategic_merge(original: &Value, patch: &Value, schema: Schema<'_>) -> Result<Value> {
    let (Value::Object(o), Value::Object(p)) = (original, patch) else {
        return Err(ApiError::bad_request("invalid JSON document"));
    };
    let mut path = Vec::new();
    Ok(Value::Object(merge_map(o.clone(), p.clone(), &mut path, schema)?))
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::bad_request(msg)
}

/// Errors that kube-apiserver does not map to BadRequest surface as 422 on a `patch` field.
fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::new(422, "Invalid", msg)
}

fn merge_map(
    mut orig: Map<String, Value>,
    mut patch: Map<String, Value>,
    path: &mut Vec<String>,
    schema: Schema<'_>,
) -> Result<Map<String, Value>> {
    if path.len() > MAX_DEPTH {
        return Err(bad("patch nesting is too deep"));
    }
    if let Some(d) = patch.shift_remove(PATCH) {
        return match d.as_str() {
            // Replace still goes through the merge against nothing so that nested
            // directives and nulls are not stored verbatim.
            Some("replace") => merge_map(Map::new(), patch, path, schema),
            Some("delete") => Ok(Map::new()),
            _ => Err(bad(format!(
                "unknown patch type: {d} in map: {}",
                Value::Object(patch)
            ))),
        };
    }
    if let Some(rk) = patch.shift_remove(RETAIN_KEYS) {
        let Some(retain) = rk.as_array() else {
            return Err(bad("invalid patch format of retainKeys"));
        };
        let kept = |k: &str| retain.iter().any(|r| r.as_str() == Some(k));
        for (k, v) in &patch {
            let directive = k.starts_with(SET_ORDER) || k.starts_with(DELETE_PRIMITIVE);
            if !v.is_null() && !directive && !kept(k) {
                return Err(bad("invalid patch format of retainKeys"));
            }
        }
        orig.retain(|k, _| kept(k));
    }
    let order_keys: Vec<String> = patch
        .keys()
        .filter(|k| k.starts_with(SET_ORDER))
        .cloned()
        .collect();
    for ok in order_keys {
        let order = patch.shift_remove(&ok).unwrap_or(Value::Null);
        let field = ok[SET_ORDER.len()..].to_string();
        apply_set_element_order(&mut orig, &mut patch, &field, order, path, schema)?;
    }
    for (k, pv) in patch {
        if let Some(field) = k.strip_prefix(DELETE_PRIMITIVE) {
            let Value::Array(del) = pv else {
                return Err(bad("invalid patch format of primitive list"));
            };
            if let Some(Value::Array(items)) = orig.get_mut(field) {
                items.retain(|i| !del.contains(i));
            }
            continue;
        }
        if pv.is_null() {
            orig.shift_remove(&k);
            continue;
        }
        path.push(k.clone());
        let current = orig.get_mut(&k).map(std::mem::take);
        let merged = merge_value(current, pv, path, schema);
        path.pop();
        orig.insert(k, merged?);
    }
    Ok(orig)
}

fn merge_value(
    orig: Option<Value>,
    patch: Value,
    path: &mut Vec<String>,
    schema: Schema<'_>,
) -> Result<Value> {
    Ok(match (orig, patch) {
        (Some(Value::Object(o)), Value::Object(p)) => Value::Object(merge_map(o, p, path, schema)?),
        (_, Value::Object(p)) => Value::Object(merge_map(Map::new(), p, path, schema)?),
        (Some(Value::Array(o)), Value::Array(p)) => Value::Array(merge_list(o, p, path, schema)?),
        (_, Value::Array(p)) => Value::Array(merge_list(Vec::new(), p, path, schema)?),
        (_, p) => p,
    })
}

/// `$setElementOrder/<field>`: merge the field's patch list, then order the result as listed,
/// keeping server-only items near their old neighbours.
fn apply_set_element_order(
    orig: &mut Map<String, Value>,
    patch: &mut Map<String, Value>,
    field: &str,
    order: Value,
    path: &mut Vec<String>,
    schema: Schema<'_>,
) -> Result<()> {
    let Value::Array(order) = order else {
        return Err(bad("invalid patch format of setElementOrder list"));
    };
    let patch_list = match patch.shift_remove(field) {
        None => Vec::new(),
        Some(Value::Array(p)) => p,
        // An explicit null deletes the field; the order is moot.
        Some(Value::Null) => {
            orig.shift_remove(field);
            return Ok(());
        }
        Some(_) => return Err(bad("invalid patch format of setElementOrder list")),
    };
    path.push(field.to_string());
    let strategy = schema.list(path).patch;
    let original = match orig.get(field) {
        Some(Value::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    let result = match &strategy {
        ListStrategy::Atomic if patch_list.is_empty() => None,
        ListStrategy::Atomic => Some(patch_list),
        ListStrategy::Set | ListStrategy::Map(_) => {
            let key = merge_key(&strategy);
            let merged = merge_items(original.clone(), patch_list, key, path, schema)?;
            let (in_order, server_only): (Vec<Value>, Vec<Value>) = merged
                .into_iter()
                .partition(|i| index_of(&order, i, key).is_some());
            Some(normalize_order(in_order, server_only, &order, &original, key))
        }
    };
    path.pop();
    if let Some(list) = result
        && (!list.is_empty() || orig.contains_key(field))
    {
        orig.insert(field.to_string(), Value::Array(list));
    }
    Ok(())
}

fn merge_key(s: &ListStrategy) -> Option<&str> {
    match s {
        ListStrategy::Map(keys) => keys.first().map(String::as_str),
        _ => None,
    }
}

fn merge_list(
    orig: Vec<Value>,
    patch: Vec<Value>,
    path: &mut Vec<String>,
    schema: Schema<'_>,
) -> Result<Vec<Value>> {
    let strategy = schema.list(path).patch;
    match &strategy {
        ListStrategy::Atomic => Ok(patch),
        ListStrategy::Set | ListStrategy::Map(_) => {
            if patch.is_empty() {
                return Ok(orig);
            }
            let key = merge_key(&strategy);
            let merged = merge_items(orig.clone(), patch.clone(), key, path, schema)?;
            let (from_patch, server_only): (Vec<Value>, Vec<Value>) = merged
                .into_iter()
                .partition(|i| index_of(&patch, i, key).is_some());
            Ok(normalize_order(from_patch, server_only, &patch, &orig, key))
        }
    }
}

/// Merges the items of a merging list, honouring `$patch` elements; no ordering yet.
fn merge_items(
    orig: Vec<Value>,
    patch: Vec<Value>,
    key: Option<&str>,
    path: &mut Vec<String>,
    schema: Schema<'_>,
) -> Result<Vec<Value>> {
    if patch
        .iter()
        .any(|i| i.get(PATCH).and_then(Value::as_str) == Some("replace"))
    {
        let mut out = Vec::new();
        for p in patch.into_iter().filter(|i| i.get(PATCH).is_none()) {
            out.push(merge_value(None, p, path, schema)?);
        }
        return Ok(out);
    }
    let mut merged = orig;
    let mut rest = Vec::with_capacity(patch.len());
    for item in patch {
        let directive = item.get(PATCH).cloned();
        match directive.as_ref().map(|d| d.as_str()) {
            None => rest.push(item),
            Some(Some("delete")) => {
                let Some(k) = key else {
                    return Err(bad(format!(
                        "unknown patch type: delete in list: {}",
                        Value::Array(merged)
                    )));
                };
                let Some(kv) = item.get(k) else {
                    return Err(invalid(format!(
                        "map: {item} does not contain declared merge key: {k}"
                    )));
                };
                merged.retain(|m| m.get(k) != Some(kv));
            }
            Some(Some("merge")) => return Err(bad("merging lists cannot yet be specified in the patch")),
            _ => {
                let d = directive.unwrap_or(Value::Null);
                return Err(bad(format!("unknown patch type: {d} in map: {item}")));
            }
        }
    }
    for p in rest {
        match key {
            None => {
                if p.is_object() || p.is_array() {
                    return Err(invalid(format!(
                        "{}: a list of scalars cannot merge {p}",
                        path.join(".")
                    )));
                }
                if !merged.contains(&p) {
                    merged.push(p);
                }
            }
            Some(k) => {
                let Value::Object(pm) = p else {
                    return Err(invalid(format!(
                        "{}: expected a map with merge key {k}, got {p}",
                        path.join(".")
                    )));
                };
                let Some(kv) = pm.get(k).cloned() else {
                    return Err(invalid(format!(
                        "map: {} does not contain declared merge key: {k}",
                        Value::Object(pm)
                    )));
                };
                match merged.iter_mut().find(|m| m.get(k) == Some(&kv)) {
                    Some(existing) => {
                        let o = match std::mem::take(existing) {
                            Value::Object(o) => o,
                            _ => Map::new(),
                        };
                        *existing = Value::Object(merge_map(o, pm, path, schema)?);
                    }
                    None => merged.push(Value::Object(merge_map(Map::new(), pm, path, schema)?)),
                }
            }
        }
    }
    Ok(merged)
}

/// Position of `item` in `list`: by merge key for maps, by value for scalars.
fn index_of(list: &[Value], item: &Value, key: Option<&str>) -> Option<usize> {
    match key {
        Some(k) => {
            let kv = item.get(k)?;
            list.iter()
                .position(|l| l.get(k) == Some(kv) && l.get(PATCH).is_none())
        }
        None => list.iter().position(|l| l == item),
    }
}

/// `normalizeElementOrder`: patch items in patch order, server-only items in server order,
/// interleaved so that both relative orders hold and the live order breaks ties.
fn normalize_order(
    mut patch_items: Vec<Value>,
    mut server_only: Vec<Value>,
    patch_order: &[Value],
    server_order: &[Value],
    key: Option<&str>,
) -> Vec<Value> {
    patch_items.sort_by_key(|i| index_of(patch_order, i, key).unwrap_or(usize::MAX));
    server_only.sort_by_key(|i| index_of(server_order, i, key).unwrap_or(usize::MAX));
    let mut out = Vec::with_capacity(patch_items.len() + server_only.len());
    let mut left = server_only.into_iter().peekable();
    let mut right = patch_items.into_iter().peekable();
    loop {
        let take_left = match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(l), Some(r)) => match (index_of(server_order, l, key), index_of(server_order, r, key)) {
                (Some(li), Some(ri)) => li < ri,
                _ => false,
            },
        };
        let next = if take_left { left.next() } else { right.next() };
        out.extend(next);
    }
    out
}
