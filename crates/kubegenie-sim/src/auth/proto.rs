//! Decoding of the protobuf request bodies of the access-review APIs.
//!
//! kubectl sends typed objects as `application/vnd.kubernetes.protobuf` (`kubectl auth can-i`
//! posts a protobuf SelfSubjectAccessReview), and kube-apiserver accepts that; a server that
//! answered 415 would break `can-i`. Only the few messages these APIs take are decoded, into the
//! same JSON shape a JSON body has, so the rest of the server never sees protobuf.

use serde_json::{Map, Value, json};

/// Content type of Kubernetes protobuf bodies.
pub const PROTOBUF_CONTENT_TYPE: &str = "application/vnd.kubernetes.protobuf";

/// The `k8s\0` magic that starts every Kubernetes protobuf envelope (`runtime.Unknown`).
const MAGIC: &[u8] = b"k8s\0";

/// Decodes a protobuf SelfSubjectAccessReview, SelfSubjectRulesReview or SelfSubjectReview body
/// into its JSON form, or `None` if it is not one of those (the caller then answers 415/400).
pub fn decode_review(body: &[u8]) -> Option<Value> {
    let envelope = fields(body.strip_prefix(MAGIC)?)?;
    let type_meta = fields(bytes_of(&envelope, 1)?)?;
    let api_version = string_of(&type_meta, 1);
    let kind = string_of(&type_meta, 2);
    let raw = fields(bytes_of(&envelope, 2).unwrap_or_default())?;
    let spec_fields = fields(bytes_of(&raw, 2).unwrap_or_default())?;
    let spec = match kind.as_str() {
        "SelfSubjectAccessReview" => access_review_spec(&spec_fields)?,
        "SelfSubjectRulesReview" => json!({"namespace": string_of(&spec_fields, 1)}),
        "SelfSubjectReview" => json!({}),
        _ => return None,
    };
    Some(json!({"apiVersion": api_version, "kind": kind, "metadata": {}, "spec": spec}))
}

fn access_review_spec(spec: &[(u64, Field<'_>)]) -> Option<Value> {
    let mut out = Map::new();
    if let Some(ra) = bytes_of(spec, 1) {
        let ra = fields(ra)?;
        // Field numbers of authorization/v1 ResourceAttributes in kube's generated.proto.
        let names = [
            "namespace",
            "verb",
            "group",
            "version",
            "resource",
            "subresource",
            "name",
        ];
        let mut attrs = Map::new();
        for (number, name) in (1..).zip(names) {
            let value = string_of(&ra, number);
            if !value.is_empty() {
                attrs.insert(name.into(), json!(value));
            }
        }
        out.insert("resourceAttributes".into(), Value::Object(attrs));
    }
    if let Some(nra) = bytes_of(spec, 2) {
        let nra = fields(nra)?;
        out.insert(
            "nonResourceAttributes".into(),
            json!({"path": string_of(&nra, 1), "verb": string_of(&nra, 2)}),
        );
    }
    Some(Value::Object(out))
}

#[derive(Debug, Clone, Copy)]
enum Field<'a> {
    Varint,
    Bytes(&'a [u8]),
    Fixed,
}

fn bytes_of<'a>(fields: &[(u64, Field<'a>)], number: u64) -> Option<&'a [u8]> {
    fields.iter().rev().find_map(|(n, f)| match f {
        Field::Bytes(b) if *n == number => Some(*b),
        _ => None,
    })
}

fn string_of(fields: &[(u64, Field<'_>)], number: u64) -> String {
    bytes_of(fields, number)
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default()
}

fn varint(input: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = input.split_first()?;
        *input = rest;
        value |= u64::from(byte & 0x7F) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// The top-level fields of one protobuf message, or `None` if it is malformed.
fn fields(mut input: &[u8]) -> Option<Vec<(u64, Field<'_>)>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let key = varint(&mut input)?;
        let field = match key & 7 {
            0 => varint(&mut input).map(|_| Field::Varint)?,
            1 | 5 => {
                let width = if key & 7 == 1 { 8 } else { 4 };
                input = input.get(width..)?;
                Field::Fixed
            }
            2 => {
                let len = usize::try_from(varint(&mut input)?).ok()?;
                let (bytes, rest) = (input.get(..len)?, input.get(len..)?);
                input = rest;
                Field::Bytes(bytes)
            }
            _ => return None,
        };
        out.push((key >> 3, field));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_kubectl_can_i_for_a_path() {
        // Captured from `kubectl auth can-i get /version` (kubectl 1.33, `-v=9`).
        let body: &[u8] = b"k8s\0\x0a\x32\x0a\x17authorization.k8s.io/v1\x12\x17SelfSubjectAccessReview\
            \x12\x2f\x0a\x10\x0a\x00\x12\x00\x1a\x00\x22\x00\x2a\x00\x32\x00\x38\x00\x42\x00\
            \x12\x11\x12\x0f\x0a\x08/version\x12\x03get\x1a\x08\x08\x00\x12\x00\x1a\x00\x20\x00\x1a\x00\x22\x00";
        let review = decode_review(body);
        assert_eq!(
            review.map(|r| r["spec"].clone()),
            Some(json!({"nonResourceAttributes": {"path": "/version", "verb": "get"}}))
        );
    }

    #[test]
    fn decodes_kubectl_can_i_for_a_resource() {
        // Captured from `kubectl auth can-i list pods -n prod`.
        let body: &[u8] = b"k8s\0\x0a\x32\x0a\x17authorization.k8s.io/v1\x12\x17SelfSubjectAccessReview\
            \x12\x3a\x0a\x10\x0a\x00\x12\x00\x1a\x00\x22\x00\x2a\x00\x32\x00\x38\x00\x42\x00\
            \x12\x1c\x0a\x1a\x0a\x04prod\x12\x04list\x1a\x00\x22\x00\x2a\x04pods\x32\x00\x3a\x00\
            \x1a\x08\x08\x00\x12\x00\x1a\x00\x20\x00\x1a\x00\x22\x00";
        let review = decode_review(body);
        assert_eq!(
            review.map(|r| r["spec"].clone()),
            Some(json!({"resourceAttributes": {"namespace": "prod", "verb": "list", "resource": "pods"}}))
        );
    }

    #[test]
    fn rejects_what_it_does_not_know() {
        assert_eq!(decode_review(b"{\"kind\":\"SelfSubjectAccessReview\"}"), None);
        assert_eq!(decode_review(b"k8s\0\x0a\xff"), None);
    }
}
