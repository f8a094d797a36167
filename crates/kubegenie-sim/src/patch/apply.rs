//! Server-side apply, after `sigs.k8s.io/structured-merge-diff`: merge the applied
//! configuration into the live object, prune what the manager stopped applying, detect
//! conflicts with other managers, and keep `metadata.managedFields`.

use super::MAX_DEPTH;
use super::fields::{FieldSet, Walker, key_elem, path_string, value_elem};
use super::managed::{
    self, APPLY, BEFORE_FIRST_APPLY, Entry, Reset, UPDATE, encode, strip_ignored, without_managed_fields,
};
use super::merge_keys::{ListStrategy, Schema};
use crate::catalog::ResourceType;
use crate::error::{ApiError, Result, StatusCause};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

/// The annotation of kubectl's client-side apply.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// See [`super::server_side_apply_to`].
pub fn server_side_apply(
    rt: &ResourceType,
    current: Option<&Value>,
    applied: &Value,
    manager: &str,
    force: bool,
    subresource: Option<&str>,
) -> Result<Value> {
    validate_config(rt, applied)?;
    let schema = Schema::of(rt);
    let api_version = rt.api_version();
    let subresource = subresource.filter(|s| !s.is_empty());
    // With a status subresource, the main resource neither writes nor owns status, and the
    // status subresource writes and owns nothing else.
    let reset = match subresource {
        Some("status") => Reset::AllButStatus,
        _ if rt.status_is_subresource() => Reset::Status,
        _ => Reset::Nothing,
    };
    let mut config = strip_nulls(applied, 0);
    if let Some(m) = config.as_object_mut() {
        match reset {
            Reset::Nothing => {}
            Reset::Status => {
                m.shift_remove("status");
            }
            Reset::AllButStatus => {
                m.retain(|k, _| matches!(k.as_str(), "apiVersion" | "kind" | "metadata" | "status"));
                if let Some(meta) = m.get_mut("metadata").and_then(Value::as_object_mut) {
                    meta.retain(|k, _| k == "name" || k == "namespace");
                }
            }
        }
    }
    let mut applied_set = Walker::new(schema, true).fields(&config)?;
    strip_ignored(&mut applied_set, reset);

    let walker = Walker::new(schema, false);
    let live = current.map(without_managed_fields).unwrap_or_else(|| json!({}));
    let mut entries = current.map(managed::decode).unwrap_or_default();
    if current.is_some() && entries.is_empty() {
        // Fields set before anyone applied belong to someone, so applying over them conflicts.
        let mut set = walker.fields(&live)?;
        strip_ignored(&mut set, reset);
        entries.push(Entry::new(BEFORE_FIRST_APPLY, UPDATE, &api_version, None, set));
    }
    let (last_set, last_time) = match entries
        .iter()
        .position(|e| e.is(manager, APPLY, &api_version, subresource))
    {
        Some(i) => {
            let e = entries.remove(i);
            (e.set, e.time)
        }
        None => (FieldSet::new(), None),
    };

    let mut merged = merge(&live, &config, &mut Vec::new(), schema)?;
    let keep = entries
        .iter()
        .fold(applied_set.clone(), |acc, e| acc.union(&e.set));
    let remove = last_set.difference(&keep);
    if !remove.is_empty() {
        walker.prune(&mut merged, &remove, &keep);
    }

    let cmp = walker.compare(&live, &merged)?;
    let mut changed = cmp.changed();
    strip_ignored(&mut changed, reset);
    let mut removed = cmp.removed;
    strip_ignored(&mut removed, reset);
    let mut conflicts = Vec::new();
    for e in &entries {
        for p in e.set.intersection(&changed).paths() {
            conflicts.push((e.describe(), path_string(&p)));
        }
    }
    if !force && !conflicts.is_empty() {
        return Err(conflict_error(conflicts));
    }
    for e in entries.iter_mut() {
        e.set = e.set.difference(&changed).difference(&removed);
    }

    if manager == "kubectl" {
        sync_last_applied(&live, &mut merged, applied);
    }
    let unchanged = merged == live && last_set == applied_set;
    let mut mine = Entry::new(manager, APPLY, &api_version, subresource, applied_set);
    if unchanged && last_time.is_some() {
        mine.time = last_time;
    }
    entries.push(mine);
    encode(&mut merged, entries);
    Ok(merged)
}

fn validate_config(rt: &ResourceType, applied: &Value) -> Result<()> {
    let Value::Object(m) = applied else {
        return Err(ApiError::bad_request(
            "error decoding YAML: the apply configuration must be an object",
        ));
    };
    let kind = m.get("kind").and_then(Value::as_str).unwrap_or_default();
    if kind.is_empty() {
        return Err(ApiError::bad_request(format!(
            "Object 'Kind' is missing in '{applied}'"
        )));
    }
    let version = m.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
    if version != rt.api_version() {
        return Err(ApiError::bad_request(format!(
            "Incorrect version specified in apply patch. Specified patch version: {version}, expected: {}",
            rt.api_version()
        )));
    }
    if kind != rt.kind {
        return Err(ApiError::bad_request(format!(
            "Incorrect kind specified in apply patch. Specified patch kind: {kind}, expected: {}",
            rt.kind
        )));
    }
    if applied
        .pointer("/metadata/managedFields")
        .is_some_and(|v| !v.is_null())
    {
        return Err(ApiError::bad_request("metadata.managedFields must be nil"));
    }
    Ok(())
}

/// An apply configuration's nulls mean "not specified".
fn strip_nulls(v: &Value, depth: usize) -> Value {
    match v {
        Value::Object(m) if depth < MAX_DEPTH => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), strip_nulls(v, depth + 1)))
                .collect(),
        ),
        Value::Array(a) if depth < MAX_DEPTH => {
            Value::Array(a.iter().map(|v| strip_nulls(v, depth + 1)).collect())
        }
        other => other.clone(),
    }
}

/// kube-apiserver's message and causes for apply conflicts.
fn conflict_error(mut conflicts: Vec<(String, String)>) -> ApiError {
    conflicts.sort();
    let msg = if let [(m, p)] = conflicts.as_slice() {
        format!("Apply failed with 1 conflict: conflict with {m}: {p}")
    } else {
        let mut lines = Vec::new();
        let mut last: Option<&str> = None;
        for (m, p) in &conflicts {
            if last != Some(m.as_str()) {
                lines.push(format!("conflicts with {m}:"));
                last = Some(m);
            }
            lines.push(format!("- {p}"));
        }
        format!(
            "Apply failed with {} conflicts: {}",
            conflicts.len(),
            lines.join("\n")
        )
    };
    let mut err = ApiError::new(409, "Conflict", msg);
    err.causes = conflicts
        .iter()
        .map(|(m, p)| StatusCause::new("FieldManagerConflict", p, format!("conflict with {m}")))
        .collect();
    err
}

/// `kubectl apply --server-side` keeps an existing client-side-apply annotation current, so
/// that a later client-side apply computes its three-way diff from what was applied last.
fn sync_last_applied(live: &Value, merged: &mut Value, applied: &Value) {
    if live
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(LAST_APPLIED))
        .is_none()
    {
        return;
    }
    let mut cfg = applied.clone();
    if let Some(ann) = cfg
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        ann.shift_remove(LAST_APPLIED);
        if ann.is_empty()
            && let Some(meta) = cfg.get_mut("metadata").and_then(Value::as_object_mut)
        {
            meta.shift_remove("annotations");
        }
    }
    let Ok(text) = serde_json::to_string(&cfg) else {
        return;
    };
    if let Some(ann) = merged
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        ann.insert(LAST_APPLIED.to_string(), Value::String(text + "\n"));
    }
}

/// Merges an apply configuration into a live object: maps field by field, associative lists
/// and sets item by item, atomic values replaced.
pub fn merge(lhs: &Value, rhs: &Value, path: &mut Vec<String>, schema: Schema<'_>) -> Result<Value> {
    if path.len() > MAX_DEPTH {
        return Err(ApiError::bad_request("object nesting is too deep"));
    }
    match (lhs, rhs) {
        (Value::Object(l), Value::Object(r)) if path.is_empty() || !schema.atomic_map(path) => {
            let mut out = l.clone();
            for (k, rv) in r {
                path.push(k.clone());
                let merged = match l.get(k) {
                    Some(lv) => merge(lv, rv, path, schema),
                    None => Ok(rv.clone()),
                };
                path.pop();
                out.insert(k.clone(), merged?);
            }
            Ok(Value::Object(out))
        }
        (Value::Array(l), Value::Array(r)) => match schema.list(path).apply {
            ListStrategy::Atomic => Ok(rhs.clone()),
            ListStrategy::Set => Ok(Value::Array(merge_items(
                l,
                r,
                |v| Some(value_elem(v)),
                |_, r| Ok(r.clone()),
            )?)),
            ListStrategy::Map(keys) => {
                let id = |v: &Value| key_elem(v, &keys);
                let items = merge_items(l, r, id, |lv, rv| merge(lv, rv, path, schema))?;
                Ok(Value::Array(items))
            }
        },
        _ => Ok(rhs.clone()),
    }
}

/// structured-merge-diff's list merge: items shared by both sides follow the applied order,
/// live-only items stay where they were relative to their neighbours, new items are placed
/// where the applied list puts them.
fn merge_items(
    lhs: &[Value],
    rhs: &[Value],
    id: impl Fn(&Value) -> Option<String>,
    mut merge_item: impl FnMut(&Value, &Value) -> Result<Value>,
) -> Result<Vec<Value>> {
    let lk: Vec<Option<String>> = lhs.iter().map(&id).collect();
    let rk: Vec<Option<String>> = rhs.iter().map(&id).collect();
    let mut l_index: HashMap<&str, usize> = HashMap::new();
    for (i, k) in lk.iter().enumerate() {
        if let Some(k) = k {
            l_index.entry(k.as_str()).or_insert(i);
        }
    }
    let r_set: HashSet<&str> = rk.iter().flatten().map(String::as_str).collect();
    let shared: Vec<&str> = rk
        .iter()
        .flatten()
        .map(String::as_str)
        .filter(|k| l_index.contains_key(k))
        .collect();
    let mut next_shared = 0;
    let mut done: HashSet<&str> = HashSet::new();
    let mut out = Vec::with_capacity(lhs.len().max(rhs.len()));
    let (mut li, mut ri) = (0, 0);
    while li < lhs.len() || ri < rhs.len() {
        if li < lhs.len() && ri < rhs.len() {
            if let (Some(a), Some(b)) = (&lk[li], &rk[ri])
                && a == b
            {
                done.insert(b.as_str());
                out.push(merge_item(&lhs[li], &rhs[ri])?);
                if shared.get(next_shared) == Some(&b.as_str()) {
                    next_shared += 1;
                }
                li += 1;
                ri += 1;
                continue;
            }
            if let Some(a) = &lk[li]
                && r_set.contains(a.as_str())
                && shared.get(next_shared).is_some_and(|s| *s != a.as_str())
            {
                li += 1;
                continue;
            }
        }
        if li < lhs.len() {
            match &lk[li] {
                Some(a) if done.contains(a.as_str()) => {
                    li += 1;
                    continue;
                }
                Some(a) if r_set.contains(a.as_str()) => {}
                _ => {
                    out.push(lhs[li].clone());
                    li += 1;
                    continue;
                }
            }
        }
        if ri < rhs.len() {
            let Some(b) = &rk[ri] else {
                out.push(rhs[ri].clone());
                ri += 1;
                continue;
            };
            done.insert(b.as_str());
            let item = match l_index.get(b.as_str()) {
                Some(&i) => merge_item(&lhs[i], &rhs[ri])?,
                None => rhs[ri].clone(),
            };
            out.push(item);
            if shared.get(next_shared) == Some(&b.as_str()) {
                next_shared += 1;
            }
            ri += 1;
        } else {
            // Only live items left whose keys the applied list named but which were merged.
            li += 1;
        }
    }
    Ok(out)
}
