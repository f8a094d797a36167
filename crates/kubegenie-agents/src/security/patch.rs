//! Strategic-merge patches: merging the fragments several violations contribute into one
//! patch, and the `kubectl patch` command that applies it.

use serde_json::Value;

/// Merges `b` into `a`: objects key by key, lists of named items (containers) item by name,
/// other lists concatenated without duplicates — how a strategic merge would combine them.
pub fn merge(a: &mut Value, b: Value) {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for item in b {
                let same = item
                    .get("name")
                    .and_then(|n| a.iter().position(|x| x.get("name") == Some(n)));
                match same {
                    Some(i) => merge(&mut a[i], item),
                    None if !a.contains(&item) => a.push(item),
                    None => {}
                }
            }
        }
        (a, b) => *a = b,
    }
}

/// Single-quotes `s` for a POSIX shell.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merges_containers_by_name_and_keeps_other_fields() {
        let mut a = json!({"containers": [{"name": "app", "securityContext": {"privileged": false}}]});
        merge(
            &mut a,
            json!({"containers": [{"name": "app", "securityContext": {"runAsNonRoot": true}},
                {"name": "side", "securityContext": {"privileged": false}}]}),
        );
        assert_eq!(
            a,
            json!({"containers": [
                {"name": "app", "securityContext": {"privileged": false, "runAsNonRoot": true}},
                {"name": "side", "securityContext": {"privileged": false}}]})
        );
        let mut caps = json!({"drop": ["ALL"]});
        merge(&mut caps, json!({"drop": ["ALL"]}));
        assert_eq!(caps, json!({"drop": ["ALL"]}));
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
