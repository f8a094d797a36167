//! The OpenAPI v2 document in gnostic's protobuf encoding (`openapi.v2.Document`), which
//! client-go requests as `application/com.github.proto-openapi.spec.v2@v1.0+protobuf`.
//!
//! The document carries no paths and no definitions on purpose. kubectl only reads v2 where
//! v3 cannot answer: client-side validation of `kind: List` manifests (a resource missing from
//! v2 is skipped, as kubectl does for unknown kinds) and the strategic-merge fallback of
//! `apply`/`diff` (no patch types in v2 means kubectl uses its compiled-in types, which carry
//! the exact merge keys). Both then behave as against kube-apiserver, without serving a
//! half-true v2 schema that would make kubectl reject valid objects.

/// Appends a protobuf varint.
fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Appends a length-delimited field (`string`, `bytes` or an embedded message).
fn field(out: &mut Vec<u8>, number: u64, bytes: &[u8]) {
    varint(out, (number << 3) | 2);
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// `openapi.v2.Document{swagger: "2.0", info: {title, version}, paths: {}, definitions: {}}`.
pub fn document(title: &str, version: &str) -> Vec<u8> {
    let mut info = Vec::new();
    field(&mut info, 1, title.as_bytes());
    field(&mut info, 2, version.as_bytes());
    let mut doc = Vec::new();
    field(&mut doc, 1, b"2.0");
    field(&mut doc, 2, &info);
    field(&mut doc, 8, &[]);
    field(&mut doc, 9, &[]);
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes the top-level length-delimited fields, as a protobuf reader would.
    fn fields(mut b: &[u8]) -> Vec<(u64, Vec<u8>)> {
        let mut out = Vec::new();
        let read = |b: &mut &[u8]| {
            let (mut v, mut shift) = (0u64, 0);
            while let Some((&byte, rest)) = b.split_first() {
                *b = rest;
                v |= u64::from(byte & 0x7f) << shift;
                shift += 7;
                if byte < 0x80 {
                    break;
                }
            }
            v
        };
        while !b.is_empty() {
            let tag = read(&mut b);
            assert_eq!(tag & 7, 2, "length-delimited");
            let len = read(&mut b) as usize;
            out.push((tag >> 3, b[..len].to_vec()));
            b = &b[len..];
        }
        out
    }

    #[test]
    fn encodes_a_minimal_document() {
        let doc = document("Kubernetes", "v1.33.1");
        let f = fields(&doc);
        assert_eq!(f.iter().map(|x| x.0).collect::<Vec<_>>(), [1, 2, 8, 9]);
        assert_eq!(f[0].1, b"2.0");
        let info = fields(&f[1].1);
        assert_eq!(info, [(1, b"Kubernetes".to_vec()), (2, b"v1.33.1".to_vec())]);
        let mut long = Vec::new();
        varint(&mut long, 300);
        assert_eq!(long, [0xac, 0x02]);
    }
}
