//! Server-side apply and managedFields bookkeeping.

use super::*;
use serde_json::json;

fn deployments() -> ResourceType {
    let mut rt = ResourceType::builtin("apps", "v1", "Deployment", "deployments", true);
    rt.subresources = vec!["status".into(), "scale".into()];
    rt
}

fn config(replicas: i64, labels: Value, containers: Value) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": containers}}
        }
    })
}

fn nginx(image: &str) -> Value {
    json!([{"name": "nginx", "image": image}])
}

/// What the caller does on create: assign server-side metadata.
fn stored(mut obj: Value) -> Value {
    obj["metadata"]["uid"] = json!("6f1d1f7e-0000-4000-8000-000000000001");
    obj["metadata"]["resourceVersion"] = json!("1");
    obj["metadata"]["namespace"] = json!("default");
    obj
}

fn entries(obj: &Value) -> Vec<&Value> {
    obj["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .collect()
}

fn entry<'a>(obj: &'a Value, manager: &str, op: &str) -> &'a Value {
    entries(obj)
        .into_iter()
        .find(|e| e["manager"] == manager && e["operation"] == op)
        .unwrap_or_else(|| panic!("no {manager}/{op} entry in {}", obj["metadata"]["managedFields"]))
}

fn owns(obj: &Value, manager: &str, op: &str, path: &[&str]) -> bool {
    let fields = &entry(obj, manager, op)["fieldsV1"];
    let mut node = fields;
    for p in path {
        match node.get(*p) {
            Some(n) => node = n,
            None => return false,
        }
    }
    true
}

fn ssa(current: Option<&Value>, applied: &Value, manager: &str, force: bool) -> Result<Value> {
    server_side_apply(&deployments(), current, applied, manager, force).map(stored)
}

#[test]
fn create_records_fields_v1_exactly() {
    let cfg = config(2, json!({"app": "web"}), nginx("nginx:1.25"));
    let out = ssa(None, &cfg, "kubectl", false).unwrap();
    assert_eq!(out["spec"]["replicas"], 2);
    assert_eq!(out["spec"]["template"]["spec"]["containers"], nginx("nginx:1.25"));
    let e = entries(&out);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0]["manager"], "kubectl");
    assert_eq!(e[0]["operation"], "Apply");
    assert_eq!(e[0]["apiVersion"], "apps/v1");
    assert_eq!(e[0]["fieldsType"], "FieldsV1");
    let time = e[0]["time"].as_str().unwrap();
    assert!(
        time.ends_with('Z') && time.parse::<jiff::Timestamp>().is_ok(),
        "{time}"
    );
    let want = json!({
        "f:metadata": {"f:labels": {"f:app": {}}},
        "f:spec": {
            "f:replicas": {},
            "f:selector": {},
            "f:template": {
                "f:metadata": {"f:labels": {"f:app": {}}},
                "f:spec": {"f:containers": {"k:{\"name\":\"nginx\"}": {".": {}, "f:image": {}, "f:name": {}}}}
            }
        }
    });
    assert_eq!(e[0]["fieldsV1"], want);
    assert_eq!(
        e[0]["fieldsV1"].to_string(),
        want.to_string(),
        "fieldsV1 keys serialise in order with \".\" first"
    );
}

#[test]
fn container_ports_are_keyed_by_port_and_defaulted_protocol() {
    let cfg = config(
        1,
        json!({}),
        json!([{"name": "nginx", "image": "n", "ports": [{"containerPort": 80}]}]),
    );
    let out = ssa(None, &cfg, "kubectl", false).unwrap();
    let ctr = &entry(&out, "kubectl", "Apply")["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"]
        ["k:{\"name\":\"nginx\"}"];
    assert!(
        ctr["f:ports"]
            .get("k:{\"containerPort\":80,\"protocol\":\"TCP\"}")
            .is_some(),
        "{ctr}"
    );
    // An empty labels map is a leaf of its own.
    assert_eq!(
        entry(&out, "kubectl", "Apply")["fieldsV1"]["f:metadata"],
        json!({"f:labels": {}})
    );
}

#[test]
fn reapply_removes_fields_the_manager_stopped_applying() {
    let first = config(2, json!({"app": "web", "tier": "fe"}), nginx("nginx:1.25"));
    let live = ssa(None, &first, "kubectl", false).unwrap();
    // Someone else labels the object; that label is theirs and must survive.
    let mut labelled = live.clone();
    labelled["metadata"]["labels"]["team"] = json!("a");
    record_update(Some(&live), &mut labelled, "kubectl-label", None);
    assert!(owns(
        &labelled,
        "kubectl-label",
        "Update",
        &["f:metadata", "f:labels", "f:team"]
    ));

    let second = config(2, json!({"app": "web"}), nginx("nginx:1.26"));
    let out = ssa(Some(&labelled), &second, "kubectl", false).unwrap();
    assert_eq!(out["metadata"]["labels"], json!({"app": "web", "team": "a"}));
    assert_eq!(
        out["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.26"
    );
    assert!(!owns(
        &out,
        "kubectl",
        "Apply",
        &["f:metadata", "f:labels", "f:tier"]
    ));
    assert!(owns(
        &out,
        "kubectl-label",
        "Update",
        &["f:metadata", "f:labels", "f:team"]
    ));
    assert_eq!(entries(&out).len(), 2);
}

#[test]
fn conflict_with_client_side_apply_and_force() {
    // Created by `kubectl apply` (client-side) and then scaled by the same tool.
    let mut live = stored(config(3, json!({"app": "web"}), nginx("nginx:1.25")));
    record_update(None, &mut live, "kubectl-client-side-apply", None);
    let cfg = config(5, json!({"app": "web"}), nginx("nginx:1.25"));

    let e = ssa(Some(&live), &cfg, "kubectl", false).unwrap_err();
    assert_eq!((e.code, e.reason), (409, "Conflict"));
    assert_eq!(
        e.message,
        "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.replicas"
    );
    assert_eq!(e.causes.len(), 1);
    assert_eq!(e.causes[0].reason, "FieldManagerConflict");
    assert_eq!(
        e.causes[0].message,
        "conflict with \"kubectl-client-side-apply\" using apps/v1"
    );
    assert_eq!(e.causes[0].field, ".spec.replicas");
    let status = e.to_status();
    assert_eq!(status["details"]["causes"][0]["field"], ".spec.replicas");

    let out = ssa(Some(&live), &cfg, "kubectl", true).unwrap();
    assert_eq!(out["spec"]["replicas"], 5);
    assert!(owns(&out, "kubectl", "Apply", &["f:spec", "f:replicas"]));
    assert!(!owns(
        &out,
        "kubectl-client-side-apply",
        "Update",
        &["f:spec", "f:replicas"]
    ));
    // Unchanged fields stay co-owned.
    assert!(owns(
        &out,
        "kubectl-client-side-apply",
        "Update",
        &["f:spec", "f:template"]
    ));
    assert!(owns(&out, "kubectl", "Apply", &["f:spec", "f:template"]));
}

#[test]
fn objects_without_managed_fields_are_owned_before_first_apply() {
    let live = stored(config(3, json!({"app": "web"}), nginx("nginx:1.25")));
    let e = ssa(
        Some(&live),
        &config(4, json!({"app": "web"}), nginx("nginx:1.25")),
        "kubectl",
        false,
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        "Apply failed with 1 conflict: conflict with \"before-first-apply\" using apps/v1: .spec.replicas"
    );
}

#[test]
fn two_appliers_share_keyed_lists_and_conflict_on_scalars() {
    let a_cfg = config(2, json!({"app": "web"}), nginx("nginx:1.25"));
    let live = ssa(None, &a_cfg, "team-a", false).unwrap();
    let b_cfg = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"template": {"spec": {"containers": [{"name": "sidecar", "image": "envoy:1"}]}}}});
    let live = ssa(Some(&live), &b_cfg, "team-b", false).unwrap();
    let names: Vec<&Value> = live["spec"]["template"]["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| &c["name"])
        .collect();
    assert_eq!(names, [&json!("nginx"), &json!("sidecar")]);
    assert!(owns(
        &live,
        "team-b",
        "Apply",
        &[
            "f:spec",
            "f:template",
            "f:spec",
            "f:containers",
            "k:{\"name\":\"sidecar\"}"
        ]
    ));

    // The same value is shared ownership, not a conflict.
    let mut b_same = b_cfg.clone();
    b_same["spec"]["replicas"] = json!(2);
    let shared = ssa(Some(&live), &b_same, "team-b", false).unwrap();
    assert!(owns(&shared, "team-a", "Apply", &["f:spec", "f:replicas"]));
    assert!(owns(&shared, "team-b", "Apply", &["f:spec", "f:replicas"]));

    // A different value conflicts with the other applier (no "using" for appliers).
    let mut b_other = b_cfg.clone();
    b_other["spec"]["replicas"] = json!(7);
    let e = ssa(Some(&live), &b_other, "team-b", false).unwrap_err();
    assert_eq!(
        e.message,
        "Apply failed with 1 conflict: conflict with \"team-a\": .spec.replicas"
    );

    // Two conflicting fields: kube's multi-line form.
    let mut b_two = b_other.clone();
    b_two["metadata"]["labels"] = json!({"app": "other"});
    let e = ssa(Some(&live), &b_two, "team-b", false).unwrap_err();
    assert_eq!(
        e.message,
        "Apply failed with 2 conflicts: conflicts with \"team-a\":\n- .metadata.labels.app\n- .spec.replicas"
    );

    // team-b drops its container: it goes, team-a's stays.
    let b_none = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"paused": false}});
    let out = ssa(Some(&live), &b_none, "team-b", false).unwrap();
    assert_eq!(out["spec"]["template"]["spec"]["containers"], nginx("nginx:1.25"));
    assert_eq!(out["spec"]["paused"], false);
}

#[test]
fn apply_ignores_status_and_keeps_time_on_no_op() {
    let mut cfg = config(1, json!({"app": "web"}), nginx("n"));
    cfg["status"] = json!({"replicas": 9});
    let out = ssa(None, &cfg, "kubectl", false).unwrap();
    assert!(out.get("status").is_none());
    assert!(
        entry(&out, "kubectl", "Apply")["fieldsV1"]
            .get("f:status")
            .is_none()
    );
    let again = ssa(Some(&out), &cfg, "kubectl", false).unwrap();
    assert_eq!(
        again["metadata"]["managedFields"],
        out["metadata"]["managedFields"]
    );
}

#[test]
fn apply_config_validation() {
    let rt = deployments();
    let cases: &[(Value, u16, &str)] = &[
        (
            json!({"apiVersion": "apps/v1", "metadata": {"name": "web"}}),
            400,
            "Object 'Kind' is missing in",
        ),
        (
            json!({"apiVersion": "apps/v1beta1", "kind": "Deployment", "metadata": {"name": "web"}}),
            400,
            "Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1",
        ),
        (
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "managedFields": [{}]}}),
            400,
            "metadata.managedFields must be nil",
        ),
        (
            config(1, json!({}), json!([{"image": "n"}])),
            422,
            "omits key field \"name\"",
        ),
        (
            config(1, json!({}), json!([{"name": "a"}, {"name": "a"}])),
            422,
            "duplicate entries",
        ),
    ];
    for (cfg, code, msg) in cases {
        let e = server_side_apply(&rt, None, cfg, "kubectl", false).unwrap_err();
        assert_eq!(e.code, *code, "{cfg}");
        assert!(e.message.contains(msg), "{} does not contain {msg}", e.message);
    }
}

#[test]
fn parse_apply_body_reads_yaml_and_json() {
    let yaml = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  port: \"80\"\n  n: 3\n";
    let v = parse_apply_body(yaml).unwrap();
    assert_eq!(v["data"], json!({"port": "80", "n": 3}));
    let v = parse_apply_body(br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}"#).unwrap();
    assert_eq!(v["metadata"]["name"], "c");
    for bad in [&b"a: [1, 2"[..], b"- 1\n- 2\n", b"", b"\xff\xfe"] {
        let e = parse_apply_body(bad).unwrap_err();
        assert_eq!(e.code, 400, "{}", String::from_utf8_lossy(bad));
        assert!(e.message.starts_with("error decoding YAML"), "{}", e.message);
    }
}

#[test]
fn kubectl_server_side_apply_keeps_last_applied_in_sync() {
    let mut live = stored(config(1, json!({"app": "web"}), nginx("n:1")));
    live["metadata"]["annotations"] = json!({LAST_APPLIED: "{}\n"});
    record_update(None, &mut live, "kubectl-client-side-apply", None);
    let cfg = config(1, json!({"app": "web"}), nginx("n:2"));
    let out = ssa(Some(&live), &cfg, "kubectl", true).unwrap();
    let ann = out["metadata"]["annotations"][LAST_APPLIED].as_str().unwrap();
    let parsed: Value = serde_json::from_str(ann).unwrap();
    assert_eq!(parsed, cfg);
}

#[test]
fn custom_resources_use_their_schema() {
    let mut rt = ResourceType::builtin("stable.example.com", "v1", "CronTab", "crontabs", true);
    rt.crd = Some("crontabs.stable.example.com".into());
    rt.schema = Some(
        json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
            "jobs": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["id"],
                "items": {"type": "object"}},
            "args": {"type": "array", "items": {"type": "string"}}
        }}}}),
    );
    let a = json!({"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "c"},
        "spec": {"jobs": [{"id": "a", "cmd": "x"}], "args": ["1"]}});
    let live = server_side_apply(&rt, None, &a, "a", false).unwrap();
    let b = json!({"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "c"},
        "spec": {"jobs": [{"id": "b", "cmd": "y"}]}});
    let out = server_side_apply(&rt, Some(&live), &b, "b", false).unwrap();
    assert_eq!(
        out["spec"]["jobs"],
        json!([{"id": "a", "cmd": "x"}, {"id": "b", "cmd": "y"}])
    );
    let fields = &entry(&out, "a", "Apply")["fieldsV1"]["f:spec"];
    assert_eq!(
        fields,
        &json!({"f:args": {}, "f:jobs": {"k:{\"id\":\"a\"}": {".": {}, "f:cmd": {}, "f:id": {}}}})
    );
}

#[test]
fn record_update_tracks_writers_and_caps_entries() {
    let mut live = stored(config(1, json!({"app": "web"}), nginx("n:1")));
    record_update(None, &mut live, "kubectl-create", None);
    assert_eq!(entries(&live).len(), 1);
    assert!(owns(&live, "kubectl-create", "Update", &["f:spec", "f:replicas"]));
    assert!(
        !owns(&live, "kubectl-create", "Update", &["f:metadata", "f:name"]),
        "identity is never owned"
    );

    // kubectl set image: only the changed field moves.
    let mut next = live.clone();
    next["spec"]["template"]["spec"]["containers"][0]["image"] = json!("n:2");
    record_update(Some(&live), &mut next, "kubectl-set", None);
    let img = [
        "f:spec",
        "f:template",
        "f:spec",
        "f:containers",
        "k:{\"name\":\"nginx\"}",
        "f:image",
    ];
    assert!(owns(&next, "kubectl-set", "Update", &img));
    assert!(!owns(&next, "kubectl-create", "Update", &img));
    assert!(owns(&next, "kubectl-create", "Update", &["f:spec", "f:replicas"]));
    let set_fields = &entry(&next, "kubectl-set", "Update")["fieldsV1"];
    assert!(
        set_fields.to_string().find("\".\"").is_none(),
        "an existing item is not re-owned: {set_fields}"
    );

    // A status write is recorded against the subresource and does not steal spec fields.
    let mut st = next.clone();
    st["status"] = json!({"replicas": 1});
    record_update(Some(&next), &mut st, "kube-controller-manager", Some("status"));
    let e = entry(&st, "kube-controller-manager", "Update");
    assert_eq!(e["subresource"], "status");
    assert_eq!(e["fieldsV1"], json!({"f:status": {"f:replicas": {}}}));

    // Fifteen different writers: managedFields stays bounded.
    let mut cur = st;
    for i in 0..15 {
        let mut n = cur.clone();
        n["metadata"]["labels"][format!("l{i}")] = json!("x");
        record_update(Some(&cur), &mut n, &format!("writer-{i}"), None);
        cur = n;
    }
    let updates = entries(&cur)
        .into_iter()
        .filter(|e| e["operation"] == "Update")
        .count();
    assert!(
        updates <= managed::MAX_UPDATE_MANAGERS,
        "{updates} update entries"
    );
    assert!(entries(&cur).iter().any(|e| e["manager"] == "ancient-changes"));

    // A request may reset managedFields with an empty list.
    let mut reset = cur.clone();
    reset["metadata"]["managedFields"] = json!([]);
    record_update(Some(&cur), &mut reset, "kubectl-edit", None);
    assert!(reset["metadata"].get("managedFields").is_none());
}

#[test]
fn apply_through_the_status_subresource_owns_only_status() {
    let live = ssa(
        None,
        &config(1, json!({"app": "web"}), nginx("n")),
        "kubectl",
        false,
    )
    .unwrap();
    let mut cfg = config(9, json!({"app": "hijack"}), nginx("evil"));
    cfg["status"] = json!({"replicas": 1, "conditions": [{"type": "Available", "status": "True"}]});
    let out = server_side_apply_to(
        &deployments(),
        Some(&live),
        &cfg,
        "controller",
        false,
        Some("status"),
    )
    .unwrap();
    assert_eq!(out["spec"], live["spec"]);
    assert_eq!(out["metadata"]["labels"], json!({"app": "web"}));
    assert_eq!(out["status"]["replicas"], 1);
    let e = entry(&out, "controller", "Apply");
    assert_eq!(e["subresource"], "status");
    assert_eq!(
        e["fieldsV1"],
        json!({"f:status": {"f:conditions": {"k:{\"type\":\"Available\"}": {".": {}, "f:status": {}, "f:type": {}}}, "f:replicas": {}}})
    );
}
