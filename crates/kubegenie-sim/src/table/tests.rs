//! Table output checked cell by cell against what kube-apiserver prints for the same objects.

use super::*;
use crate::catalog::Catalog;
use serde_json::json;

mod apps;
mod core;
mod other;
mod pods;

/// "Now" of every test: objects are dated relative to it.
pub(super) fn now() -> Timestamp {
    "2025-06-01T12:00:00Z".parse().expect("now")
}

/// The built-in type served at `group/version/plural`.
pub(super) fn rt(group: &str, version: &str, plural: &str) -> ResourceType {
    let c = Catalog::builtin();
    (*c.get(group, version, plural).expect("builtin type")).clone()
}

/// Table of `objects` printed as `group/version/plural`.
pub(super) fn table(group: &str, version: &str, plural: &str, objects: &[Value]) -> Value {
    let refs: Vec<&Value> = objects.iter().collect();
    to_table(
        &rt(group, version, plural),
        &refs,
        IncludeObject::Metadata,
        json!({"resourceVersion": "7"}),
        "meta.k8s.io/v1",
        now(),
    )
}

/// Column names of a table, with `*` after wide ones.
pub(super) fn headers(t: &Value) -> Vec<String> {
    t["columnDefinitions"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    let name = c["name"].as_str().unwrap_or("").to_string();
                    if c["priority"] == 1 {
                        format!("{name}*")
                    } else {
                        name
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The cells of row `i`.
pub(super) fn cells(t: &Value, i: usize) -> Vec<Value> {
    t["rows"][i]["cells"].as_array().cloned().unwrap_or_default()
}

/// Every row has one cell per column (kubectl rejects tables that do not).
pub(super) fn assert_shape(t: &Value) {
    let n = t["columnDefinitions"].as_array().map_or(0, Vec::len);
    for row in t["rows"].as_array().into_iter().flatten() {
        assert_eq!(row["cells"].as_array().map_or(0, Vec::len), n, "row {row}");
    }
}

/// `creationTimestamp` `secs` seconds before [`now`].
pub(super) fn ago(secs: i64) -> String {
    now()
        .checked_sub(jiff::SignedDuration::from_secs(secs))
        .expect("time")
        .to_string()
}

#[test]
fn table_envelope_and_include_object() {
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "cfg", "namespace": "default", "creationTimestamp": ago(30), "uid": "u1"},
        "data": {"a": "1"}});
    let t = table("", "v1", "configmaps", std::slice::from_ref(&cm));
    assert_eq!(t["kind"], "Table");
    assert_eq!(t["apiVersion"], "meta.k8s.io/v1");
    assert_eq!(t["metadata"]["resourceVersion"], "7");
    assert_eq!(
        t["rows"][0]["object"],
        json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": cm["metadata"]})
    );
    let c = rt("", "v1", "configmaps");
    let full = to_table(
        &c,
        &[&cm],
        IncludeObject::Object,
        json!({}),
        "meta.k8s.io/v1beta1",
        now(),
    );
    assert_eq!(full["apiVersion"], "meta.k8s.io/v1beta1");
    assert_eq!(full["rows"][0]["object"], cm);
    let none = to_table(
        &c,
        &[&cm],
        IncludeObject::None,
        json!({}),
        "meta.k8s.io/v1",
        now(),
    );
    assert!(none["rows"][0]["object"].is_null());
    let name_col = &t["columnDefinitions"][0];
    assert_eq!(
        (&name_col["type"], &name_col["format"], &name_col["priority"]),
        (&json!("string"), &json!("name"), &json!(0))
    );
    assert_eq!(IncludeObject::parse(Some("None")), IncludeObject::None);
    assert_eq!(IncludeObject::parse(Some("Object")), IncludeObject::Object);
    assert_eq!(IncludeObject::parse(None), IncludeObject::Metadata);
}

#[test]
fn default_convertor_for_kinds_without_printer() {
    let role = json!({"metadata": {"name": "reader", "namespace": "default", "creationTimestamp": "2025-05-01T08:30:00Z"}});
    for (group, plural) in [
        ("rbac.authorization.k8s.io", "roles"),
        ("rbac.authorization.k8s.io", "clusterroles"),
        ("", "limitranges"),
        ("apiextensions.k8s.io", "customresourcedefinitions"),
    ] {
        let t = table(group, "v1", plural, std::slice::from_ref(&role));
        assert_eq!(headers(&t), ["Name", "Created At"], "{plural}");
        assert_eq!(t["columnDefinitions"][1]["type"], "date");
        assert_eq!(
            cells(&t, 0),
            [json!("reader"), json!("2025-05-01T08:30:00Z")],
            "{plural}"
        );
    }
}

fn widget_type(columns: Vec<PrinterColumn>) -> ResourceType {
    let mut w = ResourceType::builtin("example.com", "v1", "Widget", "widgets", true);
    w.crd = Some("widgets.example.com".into());
    w.printer_columns = columns;
    w
}

fn pc(name: &str, type_: &str, priority: i64, path: &str) -> PrinterColumn {
    PrinterColumn {
        name: name.into(),
        type_: type_.into(),
        format: String::new(),
        description: String::new(),
        priority,
        json_path: path.into(),
    }
}

#[test]
fn custom_resource_columns() {
    let w = widget_type(vec![
        pc(
            "Ready",
            "string",
            0,
            ".status.conditions[?(@.type==\"Ready\")].status",
        ),
        pc("Replicas", "integer", 0, ".spec.replicas"),
        pc("Ratio", "number", 0, ".spec.ratio"),
        pc("Paused", "boolean", 1, ".spec.paused"),
        pc("Config", "string", 1, ".spec.config"),
        pc("Age", "date", 0, ".metadata.creationTimestamp"),
        pc("Missing", "string", 0, ".spec.nothing"),
    ]);
    let obj = json!({"apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": "w1", "creationTimestamp": ago(2 * 86400 + 3 * 3600)},
        "spec": {"replicas": 3, "ratio": 0.5, "paused": false, "config": {"k": "v"}},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]}});
    let t = to_table(
        &w,
        &[&obj],
        IncludeObject::Metadata,
        json!({}),
        "meta.k8s.io/v1",
        now(),
    );
    assert_eq!(
        headers(&t),
        [
            "Name", "Ready", "Replicas", "Ratio", "Paused*", "Config*", "Age", "Missing"
        ]
    );
    assert_eq!(
        cells(&t, 0),
        [
            json!("w1"),
            json!("True"),
            json!(3),
            json!(0.5),
            json!(false),
            json!("{\"k\":\"v\"}"),
            json!("2d3h"),
            Value::Null
        ]
    );
    assert_shape(&t);
}

#[test]
fn custom_resource_default_age_column() {
    let w = widget_type(Vec::new());
    let obj = json!({"metadata": {"name": "w1", "creationTimestamp": ago(200)}});
    let t = to_table(
        &w,
        &[&obj],
        IncludeObject::Metadata,
        json!({}),
        "meta.k8s.io/v1",
        now(),
    );
    assert_eq!(headers(&t), ["Name", "Age"]);
    assert_eq!(t["columnDefinitions"][1]["type"], "date");
    assert_eq!(cells(&t, 0), [json!("w1"), json!("3m20s")]);
}

#[test]
fn odd_objects_never_panic() {
    let odd = [
        json!(null),
        json!("x"),
        json!([1, 2]),
        json!({}),
        json!({"metadata": 5, "spec": "x", "status": [1]}),
    ];
    for t in Catalog::builtin().all() {
        let refs: Vec<&Value> = odd.iter().collect();
        let table = to_table(
            t,
            &refs,
            IncludeObject::Metadata,
            json!({}),
            "meta.k8s.io/v1",
            now(),
        );
        assert_shape(&table);
    }
}
