//! Hashes that name what the controllers create: the `pod-template-hash` of a Deployment's
//! ReplicaSets and the `controller-revision-hash` of StatefulSet and DaemonSet revisions.
//!
//! Upstream (`controller.ComputeHash`) feeds a spew dump of the Go struct to FNV-32a, appends
//! the collision count, and renders the decimal hash with `rand.SafeEncodeString`. A spew dump
//! of Go structs cannot be reproduced from JSON, so the hash here is FNV-32a over canonical
//! JSON (keys sorted), with the same collision handling and the same safe alphabet: names look
//! and behave like real ones (stable for a template, changed by any template change).

use serde_json::Value;

/// apimachinery's `rand` alphabet without vowels and confusable characters.
const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// FNV-32a.
pub fn fnv32a(bytes: impl IntoIterator<Item = u8>, mut h: u32) -> u32 {
    for b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// FNV-32a offset basis.
pub const FNV32_OFFSET: u32 = 0x811c_9dc5;

/// `rand.SafeEncodeString`: each byte mapped into the safe alphabet.
pub fn safe_encode(s: &str) -> String {
    s.bytes()
        .map(|b| ALPHANUMS[usize::from(b) % ALPHANUMS.len()] as char)
        .collect()
}

/// Writes `v` as JSON with object keys sorted, so equal templates hash equally whatever the
/// order their fields were written in.
fn canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                canonical(&m[k], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// `controller.ComputeHash(template, collisionCount)`.
pub fn compute_hash(template: &Value, collision_count: Option<i64>) -> String {
    let mut s = String::new();
    canonical(template, &mut s);
    let mut h = fnv32a(s.bytes(), FNV32_OFFSET);
    if let Some(c) = collision_count {
        h = fnv32a((c as u32).to_le_bytes(), h);
    }
    safe_encode(&h.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fnv32a_matches_reference_vectors() {
        assert_eq!(fnv32a(*b"", FNV32_OFFSET), 0x811c_9dc5);
        assert_eq!(fnv32a(*b"a", FNV32_OFFSET), 0xe40c_292c);
        assert_eq!(fnv32a(*b"foobar", FNV32_OFFSET), 0xbf9c_f968);
    }

    #[test]
    fn safe_encoding_uses_the_kubernetes_alphabet() {
        // '0' is byte 48, 48 % 27 = 21 → '4'; '9' is 57 % 27 = 3 → 'f'.
        assert_eq!(safe_encode("09"), "4f");
        let h = compute_hash(
            &json!({"spec": {"containers": [{"name": "a", "image": "nginx"}]}}),
            None,
        );
        assert!(!h.is_empty() && h.len() <= 10);
        assert!(h.bytes().all(|b| ALPHANUMS.contains(&b)), "{h}");
    }

    #[test]
    fn hash_ignores_key_order_and_follows_changes_and_collisions() {
        let a = json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"image": "nginx:1", "name": "n"}]}});
        let b = json!({"spec": {"containers": [{"name": "n", "image": "nginx:1"}]}, "metadata": {"labels": {"app": "web"}}});
        assert_eq!(compute_hash(&a, None), compute_hash(&b, None));
        let c = json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"image": "nginx:2", "name": "n"}]}});
        assert_ne!(compute_hash(&a, None), compute_hash(&c, None));
        assert_ne!(compute_hash(&a, None), compute_hash(&a, Some(1)));
    }
}
