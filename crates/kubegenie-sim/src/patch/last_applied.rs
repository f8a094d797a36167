//! The upgrade path from client-side to server-side apply, as kube-apiserver's
//! `lastAppliedManager` does it: when `kubectl apply --server-side` (field manager `kubectl`)
//! conflicts only on fields that still hold the values of the client-side
//! `last-applied-configuration`, the apply is forced — the user is taking over their own
//! fields, not someone else's.

use super::LAST_APPLIED;
use crate::error::ApiError;
use serde_json::Value;

/// The only field manager the upgrade applies to (other managers opt out by their name).
pub const UPGRADING_MANAGER: &str = "kubectl";

/// Whether every conflict of `err` is on a field whose live value equals its value in the
/// live object's last-applied configuration.
pub fn conflicts_allowed(live: &Value, err: &ApiError) -> bool {
    let Some(text) = live
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(LAST_APPLIED))
        .and_then(Value::as_str)
    else {
        return false;
    };
    let Ok(last) = serde_json::from_str::<Value>(text) else {
        return false;
    };
    !err.causes.is_empty()
        && err
            .causes
            .iter()
            .all(|c| match (resolve(&last, &c.field), resolve(live, &c.field)) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            })
}

/// Resolves a field path as structured-merge-diff prints it: `.spec.replicas`,
/// `.spec.containers[name="app"].image`, `.metadata.finalizers[="x"]`, `.args[0]`.
fn resolve<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = obj;
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            cur = cur.get(&r[..end])?;
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let sel = &r[..end];
            rest = &r[end + 1..];
            let items = cur.as_array()?;
            cur = if let Ok(i) = sel.parse::<usize>() {
                items.get(i)?
            } else if let Some(v) = sel.strip_prefix('=') {
                let want: Value = serde_json::from_str(v).ok()?;
                items.iter().find(|x| **x == want)?
            } else {
                let keys: Vec<(&str, Value)> = sel
                    .split(',')
                    .filter_map(|kv| kv.split_once('='))
                    .filter_map(|(k, v)| Some((k, serde_json::from_str(v).ok()?)))
                    .collect();
                items
                    .iter()
                    .find(|x| keys.iter().all(|(k, v)| x.get(*k) == Some(v)))?
            };
        } else {
            return None;
        }
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::StatusCause;
    use serde_json::json;

    fn conflict(fields: &[&str]) -> ApiError {
        let mut e = ApiError::new(409, "Conflict", "Apply failed");
        e.causes = fields
            .iter()
            .map(|f| StatusCause::new("FieldManagerConflict", f, "conflict"))
            .collect();
        e
    }

    #[test]
    fn resolves_kube_field_paths() {
        let o = json!({"spec": {"containers": [{"name": "app", "image": "a:1", "args": ["x", "y"]}]},
            "metadata": {"finalizers": ["f1"]}});
        assert_eq!(
            resolve(&o, ".spec.containers[name=\"app\"].image"),
            Some(&json!("a:1"))
        );
        assert_eq!(resolve(&o, ".spec.containers[0].args[1]"), Some(&json!("y")));
        assert_eq!(resolve(&o, ".metadata.finalizers[=\"f1\"]"), Some(&json!("f1")));
        assert_eq!(resolve(&o, ".spec.containers[name=\"db\"].image"), None);
    }

    #[test]
    fn only_unchanged_last_applied_fields_are_taken_over() {
        let last = json!({"data": {"mode": "a"}}).to_string();
        let live =
            json!({"metadata": {"annotations": {LAST_APPLIED: last}}, "data": {"mode": "a", "other": "x"}});
        assert!(conflicts_allowed(&live, &conflict(&[".data.mode"])));
        assert!(
            !conflicts_allowed(&live, &conflict(&[".data.other"])),
            "not in last-applied"
        );
        let edited = json!({"metadata": {"annotations": {LAST_APPLIED: last}}, "data": {"mode": "changed-by-someone"}});
        assert!(
            !conflicts_allowed(&edited, &conflict(&[".data.mode"])),
            "changed since the last apply"
        );
        assert!(!conflicts_allowed(
            &json!({"data": {"mode": "a"}}),
            &conflict(&[".data.mode"])
        ));
    }
}
