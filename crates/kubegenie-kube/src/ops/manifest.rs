//! Reading manifests for `apply`: multi-document YAML or JSON (a `List` is expanded), each
//! document checked for what apply needs, and named by file and 1-based index when it is not.

use kubegenie_core::operation::Manifest;
use serde_json::Value;

/// A document that cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {reason}")]
pub struct InvalidDocument {
    /// `file#index` (1-based).
    pub origin: String,
    /// What is wrong.
    pub reason: String,
}

/// Splits YAML text into documents at `---` lines (kept apart so a broken document can be
/// named by its index while the others still parse).
fn split_documents(text: &str) -> Vec<String> {
    let mut docs = vec![String::new()];
    for line in text.lines() {
        if line.starts_with("---") && empty_or_comment(line[3..].trim()) {
            docs.push(String::new());
        } else if line.trim() == "..." {
            continue;
        } else if let Some(cur) = docs.last_mut() {
            cur.push_str(line);
            cur.push('\n');
        }
    }
    docs
}

fn empty_or_comment(s: &str) -> bool {
    s.is_empty() || s.starts_with('#')
}

fn blank(doc: &str) -> bool {
    doc.lines().all(|l| empty_or_comment(l.trim()))
}

/// Parses the manifests of one source (`file` names it in messages). Returns the valid
/// manifests and the invalid documents; empty documents are skipped as kubectl does.
pub fn parse_manifests(file: &str, text: &str) -> (Vec<Manifest>, Vec<InvalidDocument>) {
    let (mut ok, mut bad) = (Vec::new(), Vec::new());
    let docs: Vec<String> = if text.trim_start().starts_with(['{', '[']) {
        vec![text.to_string()]
    } else {
        split_documents(text)
    };
    let mut index = 0;
    for doc in docs.iter().filter(|d| !blank(d)) {
        index += 1;
        let origin = format!("{file}#{index}");
        let value: Value = match serde_saphyr::from_str(doc) {
            Ok(v) => v,
            Err(e) => {
                bad.push(InvalidDocument {
                    origin,
                    reason: format!("not valid YAML or JSON: {e}"),
                });
                continue;
            }
        };
        let objects = match value.get("items").and_then(Value::as_array) {
            Some(items) if value["kind"].as_str().is_some_and(|k| k.ends_with("List")) => items.clone(),
            _ => vec![value],
        };
        for (i, object) in objects.into_iter().enumerate() {
            let origin = if i == 0 {
                origin.clone()
            } else {
                format!("{origin}.items[{i}]")
            };
            match check(&object) {
                Ok(()) => ok.push(Manifest { origin, object }),
                Err(reason) => bad.push(InvalidDocument { origin, reason }),
            }
        }
    }
    (ok, bad)
}

/// What server-side apply needs of an object.
fn check(o: &Value) -> Result<(), String> {
    if !o.is_object() {
        return Err("a document must be a mapping with apiVersion, kind and metadata".into());
    }
    let text = |p: &str| o.pointer(p).and_then(Value::as_str).filter(|s| !s.is_empty());
    if text("/apiVersion").is_none() {
        return Err("apiVersion not set (e.g. apiVersion: apps/v1)".into());
    }
    if text("/kind").is_none() {
        return Err("kind not set (e.g. kind: Deployment)".into());
    }
    if text("/metadata/name").is_none() {
        return Err(if text("/metadata/generateName").is_some() {
            "metadata.generateName cannot be applied; set metadata.name".into()
        } else {
            "metadata.name not set".into()
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_document_yaml_with_a_broken_document_names_it() {
        let text = "\
# leading comment
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
---
---   # empty
apiVersion: v1
kind: ConfigMap
metadata:
  name: [unclosed
---
kind: ConfigMap
metadata: {name: c}
---
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: ConfigMap, metadata: {name: d}}
- {apiVersion: v1, kind: ConfigMap, metadata: {}}
";
        let (ok, bad) = parse_manifests("cm.yaml", text);
        let names: Vec<&str> = ok
            .iter()
            .map(|m| m.object["metadata"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["a", "d"]);
        assert_eq!(ok[1].origin, "cm.yaml#4");
        let bad: Vec<(&str, &str)> = bad
            .iter()
            .map(|b| (b.origin.as_str(), b.reason.as_str()))
            .collect();
        assert_eq!(bad[0].0, "cm.yaml#2");
        assert!(bad[0].1.starts_with("not valid YAML"), "{}", bad[0].1);
        assert_eq!(
            bad[1],
            ("cm.yaml#3", "apiVersion not set (e.g. apiVersion: apps/v1)")
        );
        assert_eq!(bad[2], ("cm.yaml#4.items[1]", "metadata.name not set"));
    }

    #[test]
    fn json_documents_parse() {
        let (ok, bad) = parse_manifests(
            "-",
            r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"}}"#,
        );
        assert_eq!((ok.len(), bad.len()), (1, 0));
        assert_eq!(ok[0].origin, "-#1");
        let (_, bad) = parse_manifests("x.json", "[1, 2]");
        assert!(bad[0].reason.contains("mapping"));
    }
}
