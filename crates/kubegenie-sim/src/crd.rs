//! CustomResourceDefinitions: the resource types a CRD defines, and the status the
//! apiextensions controllers give it (NamesAccepted, Established, storedVersions).

use crate::catalog::{PrinterColumn, ResourceType, ScalePaths, StorageKey};
use crate::object;
use serde_json::{Value, json};

/// The finalizer kube-apiserver puts on CRDs so their custom resources are deleted first.
pub const CLEANUP_FINALIZER: &str = "customresourcecleanup.apiextensions.k8s.io";

/// Sort key of a Kubernetes version name: GA before beta before alpha, higher numbers first,
/// anything else last (alphabetically).
pub fn version_priority(v: &str) -> (u8, i64, i64, String) {
    let parse = |rest: &str| -> Option<(u8, i64, i64)> {
        let (major, tail) = rest.split_at(rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len()));
        let major: i64 = major.parse().ok()?;
        if tail.is_empty() {
            return Some((0, -major, 0));
        }
        let (class, minor) = if let Some(m) = tail.strip_prefix("beta") {
            (1, m)
        } else if let Some(m) = tail.strip_prefix("alpha") {
            (2, m)
        } else {
            return None;
        };
        Some((class, -major, -minor.parse::<i64>().ok()?))
    };
    match v.strip_prefix('v').and_then(parse) {
        Some((c, a, b)) => (c, a, b, String::new()),
        None => (3, 0, 0, v.to_string()),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// The served resource types of a CRD, preferred version first.
pub fn types_of(crd: &Value) -> Vec<ResourceType> {
    let spec = &crd["spec"];
    let group = spec["group"].as_str().unwrap_or_default();
    let names = &spec["names"];
    let kind = names["kind"].as_str().unwrap_or_default();
    let plural = names["plural"].as_str().unwrap_or_default();
    if group.is_empty() || kind.is_empty() || plural.is_empty() {
        return Vec::new();
    }
    let namespaced = spec["scope"].as_str() != Some("Cluster");
    let mut versions: Vec<&Value> = spec["versions"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|v| v["served"].as_bool().unwrap_or(false))
                .collect()
        })
        .unwrap_or_default();
    versions.sort_by_key(|v| version_priority(v["name"].as_str().unwrap_or_default()));
    versions
        .into_iter()
        .map(|v| {
            let version = v["name"].as_str().unwrap_or_default();
            let mut t = ResourceType::builtin(group, version, kind, plural, namespaced);
            t.singular = names["singular"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| kind.to_ascii_lowercase());
            t.short_names = strings(names.get("shortNames"));
            t.categories = strings(names.get("categories"));
            if v.pointer("/subresources/status").is_some() {
                t.subresources.push("status".into());
            }
            if let Some(s) = v.pointer("/subresources/scale") {
                t.subresources.push("scale".into());
                t.scale = Some(ScalePaths {
                    spec_replicas: s["specReplicasPath"]
                        .as_str()
                        .unwrap_or(".spec.replicas")
                        .to_string(),
                    status_replicas: s["statusReplicasPath"]
                        .as_str()
                        .unwrap_or(".status.replicas")
                        .to_string(),
                    label_selector: s["labelSelectorPath"].as_str().map(str::to_string),
                });
            }
            t.printer_columns = v["additionalPrinterColumns"]
                .as_array()
                .map(|cols| cols.iter().map(printer_column).collect())
                .unwrap_or_default();
            t.schema = v.pointer("/schema/openAPIV3Schema").cloned();
            t.storage = StorageKey::new(group, plural);
            t.crd = Some(object::name(crd).to_string());
            t
        })
        .collect()
}

fn printer_column(c: &Value) -> PrinterColumn {
    let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
    PrinterColumn {
        name: s("name"),
        type_: s("type"),
        format: s("format"),
        description: s("description"),
        priority: c["priority"].as_i64().unwrap_or(0),
        json_path: s("jsonPath"),
    }
}

/// The status the apiextensions controllers set once a CRD's names are accepted.
pub fn established_status(crd: &Value, now: &str) -> Value {
    let stored: Vec<Value> = crd["spec"]["versions"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|v| v["storage"].as_bool() == Some(true))
                .map(|v| v["name"].clone())
                .collect()
        })
        .unwrap_or_default();
    let mut names = crd["spec"]["names"].clone();
    if names.get("singular").is_none() {
        names["singular"] = json!(names["kind"].as_str().unwrap_or_default().to_ascii_lowercase());
    }
    if names.get("listKind").is_none() {
        names["listKind"] = json!(format!("{}List", names["kind"].as_str().unwrap_or_default()));
    }
    json!({
        "acceptedNames": names,
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "lastTransitionTime": now, "reason": "NoConflicts",
             "message": "no conflicts found"},
            {"type": "Established", "status": "True", "lastTransitionTime": now, "reason": "InitialNamesAccepted",
             "message": "the initial names have been accepted"}
        ],
        "storedVersions": stored,
    })
}

/// Whether a CRD already reports Established.
pub fn is_established(crd: &Value) -> bool {
    crd.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|c| {
            c.iter()
                .any(|c| c["type"] == "Established" && c["status"] == "True")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_like_kubernetes() {
        let mut v = vec!["v1alpha1", "v2beta1", "v1", "v1beta2", "v2", "foo"];
        v.sort_by_key(|s| version_priority(s));
        assert_eq!(v, ["v2", "v1", "v2beta1", "v1beta2", "v1alpha1", "foo"]);
    }

    #[test]
    fn crd_types_carry_scope_subresources_and_columns() {
        let crd = json!({"metadata": {"name": "widgets.example.com"}, "spec": {
            "group": "example.com", "scope": "Cluster",
            "names": {"kind": "Widget", "plural": "widgets", "shortNames": ["wd"]},
            "versions": [
                {"name": "v1beta1", "served": true, "storage": false},
                {"name": "v1", "served": true, "storage": true, "subresources": {"status": {}},
                 "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}]},
                {"name": "v0", "served": false, "storage": false}]}});
        let types = types_of(&crd);
        assert_eq!(types.len(), 2);
        assert_eq!(types[0].version, "v1");
        assert!(!types[0].namespaced);
        assert!(types[0].has_subresource("status"));
        assert_eq!(types[0].printer_columns[0].json_path, ".spec.size");
        assert_eq!(types[1].storage, types[0].storage);
        let status = established_status(&crd, "2026-01-01T00:00:00Z");
        assert!(is_established(&json!({"status": status})));
        assert_eq!(status["storedVersions"], json!(["v1"]));
    }
}
