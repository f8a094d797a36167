//! JSON, merge and strategic merge patches, with bodies shaped as kubectl 1.33 sends them.

use super::*;
use serde_json::json;

fn deployments() -> ResourceType {
    let mut rt = ResourceType::builtin("apps", "v1", "Deployment", "deployments", true);
    rt.subresources = vec!["status".into(), "scale".into()];
    rt
}

fn crontabs() -> ResourceType {
    let mut rt = ResourceType::builtin("stable.example.com", "v1", "CronTab", "crontabs", true);
    rt.crd = Some("crontabs.stable.example.com".into());
    rt
}

fn deploy(containers: Value) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": containers}}
        }
    })
}

fn smp(current: &Value, patch: Value) -> Result<Value> {
    apply_patch(
        PatchType::Strategic,
        &deployments(),
        current,
        patch.to_string().as_bytes(),
    )
}

fn containers(v: &Value) -> &Value {
    &v["spec"]["template"]["spec"]["containers"]
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect()
}

#[test]
fn content_types() {
    let cases = [
        ("application/json-patch+json", Some(PatchType::Json)),
        (
            "application/merge-patch+json; charset=utf-8",
            Some(PatchType::Merge),
        ),
        (
            "application/strategic-merge-patch+json",
            Some(PatchType::Strategic),
        ),
        ("application/apply-patch+yaml", Some(PatchType::Apply)),
        ("application/json", None),
    ];
    for (ct, want) in cases {
        assert_eq!(PatchType::from_content_type(ct), want, "{ct}");
    }
}

#[test]
fn json_patch_applies_and_fails_like_apiserver() {
    let cur = deploy(json!([{"name": "nginx", "image": "nginx:1.25"}]));
    let rt = deployments();
    let ok = br#"[{"op":"test","path":"/spec/replicas","value":2},{"op":"replace","path":"/spec/replicas","value":5}]"#;
    let out = apply_patch(PatchType::Json, &rt, &cur, ok).unwrap();
    assert_eq!(out["spec"]["replicas"], 5);

    let failing: &[&[u8]] = &[
        br#"[{"op":"test","path":"/spec/replicas","value":9}]"#,
        br#"[{"op":"remove","path":"/spec/paused"}]"#,
        br#"[{"op":"add","path":"/spec/nope/deeper","value":1}]"#,
    ];
    for body in failing {
        let e = apply_patch(PatchType::Json, &rt, &cur, body).unwrap_err();
        assert_eq!(
            (e.code, e.reason),
            (422, "Invalid"),
            "{}",
            String::from_utf8_lossy(body)
        );
        assert_eq!(
            e.message,
            "the server rejected our request due to an error in our request"
        );
        assert!(!e.causes[0].message.is_empty());
    }
    // Failed patches leave nothing half-applied: the caller keeps `cur`, but check no panic
    // and a clean error for malformed bodies too.
    for body in [
        &b"{"[..],
        b"{\"op\":\"add\"}",
        b"[{\"op\":\"frobnicate\",\"path\":\"/a\"}]",
    ] {
        let e = apply_patch(PatchType::Json, &rt, &cur, body).unwrap_err();
        assert_eq!(e.code, 400, "{}", String::from_utf8_lossy(body));
    }
}

#[test]
fn merge_patches_from_kubectl_label_scale_and_crs() {
    let cur = deploy(json!([{"name": "nginx", "image": "nginx:1.25"}]));
    let rt = deployments();
    // kubectl label deploy web app- tier=fe
    let body = br#"{"metadata":{"labels":{"app":null,"tier":"fe"}}}"#;
    let out = apply_patch(PatchType::Merge, &rt, &cur, body).unwrap();
    assert_eq!(out["metadata"]["labels"], json!({"tier": "fe"}));
    // kubectl scale --replicas=4 (merge patch on the scale subresource body shape)
    let out = apply_patch(PatchType::Merge, &rt, &cur, br#"{"spec":{"replicas":4}}"#).unwrap();
    assert_eq!(out["spec"]["replicas"], 4);
    // Merge patch replaces lists: containers become exactly the patch's.
    let body = br#"{"spec":{"template":{"spec":{"containers":[{"name":"x","image":"busybox"}]}}}}"#;
    let out = apply_patch(PatchType::Merge, &rt, &cur, body).unwrap();
    assert_eq!(names(containers(&out)), ["x"]);

    let cr = json!({"apiVersion": "stable.example.com/v1", "kind": "CronTab",
        "metadata": {"name": "c"}, "spec": {"cronSpec": "* * * * */5", "image": "img"}});
    let out = apply_patch(
        PatchType::Merge,
        &crontabs(),
        &cr,
        br#"{"spec":{"image":null,"replicas":2}}"#,
    )
    .unwrap();
    assert_eq!(out["spec"], json!({"cronSpec": "* * * * */5", "replicas": 2}));
    assert_eq!(
        apply_patch(PatchType::Merge, &rt, &cur, b"[1]").unwrap_err().code,
        400
    );
    assert_eq!(
        apply_patch(PatchType::Merge, &rt, &cur, b"nope")
            .unwrap_err()
            .code,
        400
    );
}

#[test]
fn strategic_merge_patch_is_unsupported_for_custom_resources() {
    let cr = json!({"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "c"}});
    let e = apply_patch(PatchType::Strategic, &crontabs(), &cr, b"{}").unwrap_err();
    assert_eq!((e.code, e.reason), (415, "UnsupportedMediaType"));
    assert_eq!(
        e.message,
        "the body of the request was in an unknown format - accepted media types include: \
         application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
    );
}

/// One strategic merge patch case: the live object, kubectl's patch, and a check of the result.
struct Case {
    name: &'static str,
    current: Value,
    patch: Value,
    check: fn(&Value),
}

#[test]
fn strategic_merge_patches_as_kubectl_sends_them() {
    let two = || {
        deploy(json!([
            {"name": "app", "image": "app:1", "ports": [{"containerPort": 8080, "protocol": "TCP"}],
             "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}, {"name": "C", "value": "3"}]},
            {"name": "sidecar", "image": "envoy:1"}
        ]))
    };
    let with_meta = |finalizers: Value| {
        let mut d = two();
        d["metadata"]["finalizers"] = finalizers;
        d
    };
    let cases = vec![
        Case {
            name: "kubectl apply: image change with last-applied and $setElementOrder",
            current: two(),
            patch: json!({
                "metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"kind\":\"Deployment\"}\n"}},
                "spec": {"template": {"spec": {
                    "$setElementOrder/containers": [{"name": "app"}, {"name": "sidecar"}],
                    "containers": [{"image": "app:2", "name": "app"}]
                }}}
            }),
            check: |out| {
                let c = containers(out);
                assert_eq!(names(c), ["app", "sidecar"]);
                assert_eq!(c[0]["image"], "app:2");
                assert_eq!(c[0]["ports"][0]["containerPort"], 8080, "untouched fields stay");
                assert_eq!(c[0]["env"].as_array().map(Vec::len), Some(3));
                assert_eq!(
                    out["metadata"]["annotations"][LAST_APPLIED],
                    "{\"kind\":\"Deployment\"}\n"
                );
            },
        },
        Case {
            name: "kubectl set image",
            current: two(),
            patch: json!({"spec": {"template": {"spec": {"containers": [{"image": "envoy:2", "name": "sidecar"}]}}}}),
            check: |out| {
                assert_eq!(names(containers(out)), ["app", "sidecar"]);
                assert_eq!(containers(out)[1]["image"], "envoy:2");
            },
        },
        Case {
            name: "kubectl apply: env var removed via $patch: delete",
            current: two(),
            patch: json!({"spec": {"template": {"spec": {
                "$setElementOrder/containers": [{"name": "app"}, {"name": "sidecar"}],
                "containers": [{
                    "$setElementOrder/env": [{"name": "A"}, {"name": "C"}],
                    "env": [{"$patch": "delete", "name": "B"}],
                    "name": "app"
                }]
            }}}}),
            check: |out| {
                let env = &containers(out)[0]["env"];
                assert_eq!(
                    env,
                    &json!([{"name": "A", "value": "1"}, {"name": "C", "value": "3"}])
                );
            },
        },
        Case {
            name: "kubectl apply: strategy RollingUpdate -> Recreate with $retainKeys",
            current: two(),
            patch: json!({"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": null, "type": "Recreate"}}}),
            check: |out| assert_eq!(out["spec"]["strategy"], json!({"type": "Recreate"})),
        },
        Case {
            name: "kubectl patch: finalizers merge as a set, new items first",
            current: with_meta(json!(["a.example.com/x"])),
            patch: json!({"metadata": {"finalizers": ["b.example.com/y", "a.example.com/x"]}}),
            check: |out| {
                assert_eq!(
                    out["metadata"]["finalizers"],
                    json!(["b.example.com/y", "a.example.com/x"])
                )
            },
        },
        Case {
            name: "kubectl apply: finalizer added with $setElementOrder",
            current: with_meta(json!(["a"])),
            patch: json!({"metadata": {"$setElementOrder/finalizers": ["a", "b"], "finalizers": ["b"]}}),
            check: |out| assert_eq!(out["metadata"]["finalizers"], json!(["a", "b"])),
        },
        Case {
            name: "kubectl apply: finalizer removed with $deleteFromPrimitiveList",
            current: with_meta(json!(["a", "b", "c"])),
            patch: json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["b"], "$setElementOrder/finalizers": ["a", "c"]}}),
            check: |out| assert_eq!(out["metadata"]["finalizers"], json!(["a", "c"])),
        },
        Case {
            name: "kubectl apply: containers reordered by $setElementOrder only",
            current: two(),
            patch: json!({"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "sidecar"}, {"name": "app"}]}}}}),
            check: |out| assert_eq!(names(containers(out)), ["sidecar", "app"]),
        },
        Case {
            name: "kubectl edit: container removed",
            current: two(),
            patch: json!({"spec": {"template": {"spec": {
                "$setElementOrder/containers": [{"name": "app"}],
                "containers": [{"$patch": "delete", "name": "sidecar"}]
            }}}}),
            check: |out| assert_eq!(names(containers(out)), ["app"]),
        },
        Case {
            name: "kubectl patch: new container goes before server-only ones",
            current: two(),
            patch: json!({"spec": {"template": {"spec": {"containers": [{"name": "debug", "image": "busybox"}]}}}}),
            check: |out| assert_eq!(names(containers(out)), ["debug", "app", "sidecar"]),
        },
        Case {
            name: "kubectl apply: container added in the middle",
            current: two(),
            patch: json!({"spec": {"template": {"spec": {
                "$setElementOrder/containers": [{"name": "app"}, {"name": "mid"}, {"name": "sidecar"}],
                "containers": [{"image": "mid:1", "name": "mid"}]
            }}}}),
            check: |out| assert_eq!(names(containers(out)), ["app", "mid", "sidecar"]),
        },
        Case {
            name: "container ports merge by containerPort; env entry updated in place",
            current: two(),
            patch: json!({"spec": {"template": {"spec": {"containers": [{"name": "app",
                "ports": [{"containerPort": 9090, "name": "metrics"}],
                "env": [{"name": "B", "value": "two"}]}]}}}}),
            check: |out| {
                let c = &containers(out)[0];
                let ports: Vec<&Value> = c["ports"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| &p["containerPort"])
                    .collect();
                assert_eq!(ports, [&json!(9090), &json!(8080)]);
                assert_eq!(c["env"][1], json!({"name": "B", "value": "two"}));
                assert_eq!(c["env"].as_array().map(Vec::len), Some(3));
            },
        },
        Case {
            name: "$patch: replace on a map",
            current: two(),
            patch: json!({"spec": {"template": {"metadata": {"labels": {"$patch": "replace", "run": "x"}}}}}),
            check: |out| assert_eq!(out["spec"]["template"]["metadata"]["labels"], json!({"run": "x"})),
        },
        Case {
            name: "$patch: replace on a list",
            current: two(),
            patch: json!({"spec": {"template": {"spec": {"containers": [{"$patch": "replace"}, {"name": "only", "image": "busybox"}]}}}}),
            check: |out| assert_eq!(containers(out), &json!([{"name": "only", "image": "busybox"}])),
        },
        Case {
            name: "$patch: delete on a map, null deletes a key",
            current: two(),
            patch: json!({"spec": {"strategy": {"$patch": "delete"}, "replicas": null}}),
            check: |out| {
                assert_eq!(out["spec"]["strategy"], json!({}));
                assert!(out["spec"].get("replicas").is_none());
            },
        },
        Case {
            name: "lists without a strategy (tolerations, args) are replaced",
            current: {
                let mut d = two();
                d["spec"]["template"]["spec"]["tolerations"] = json!([{"key": "a", "operator": "Exists"}]);
                d["spec"]["template"]["spec"]["containers"][0]["args"] = json!(["--a", "--b"]);
                d
            },
            patch: json!({"spec": {"template": {"spec": {
                "tolerations": [{"key": "b", "operator": "Exists"}],
                "containers": [{"name": "app", "args": ["--c"]}]
            }}}}),
            check: |out| {
                assert_eq!(
                    out["spec"]["template"]["spec"]["tolerations"],
                    json!([{"key": "b", "operator": "Exists"}])
                );
                assert_eq!(containers(out)[0]["args"], json!(["--c"]));
            },
        },
        Case {
            name: "directives inside a brand-new subtree are not stored",
            current: two(),
            patch: json!({"spec": {"template": {"spec": {"volumes": [
                {"name": "v", "emptyDir": {}}, {"name": "gone", "$patch": "delete"}
            ]}}}}),
            check: |out| {
                assert_eq!(
                    out["spec"]["template"]["spec"]["volumes"],
                    json!([{"name": "v", "emptyDir": {}}])
                )
            },
        },
    ];
    for case in cases {
        let out = smp(&case.current, case.patch).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        (case.check)(&out);
    }
}

#[test]
fn strategic_merge_patch_by_kind_specific_keys() {
    let svc_rt = ResourceType::builtin("", "v1", "Service", "services", true);
    let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
        "spec": {"ports": [{"port": 80, "targetPort": 8080}], "selector": {"app": "a"}}});
    let body = br#"{"spec":{"ports":[{"port":80,"targetPort":9090},{"port":443,"targetPort":8443}]}}"#;
    let out = apply_patch(PatchType::Strategic, &svc_rt, &svc, body).unwrap();
    assert_eq!(
        out["spec"]["ports"],
        json!([{"port": 80, "targetPort": 9090}, {"port": 443, "targetPort": 8443}])
    );

    // Node taints have no patch strategy: `kubectl taint ... key-` relies on replacement.
    let node_rt = ResourceType::builtin("", "v1", "Node", "nodes", false);
    let node = json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"},
        "spec": {"taints": [{"key": "a", "effect": "NoSchedule"}, {"key": "b", "effect": "NoSchedule"}]}});
    let body = br#"{"spec":{"taints":[{"effect":"NoSchedule","key":"a"}]}}"#;
    let out = apply_patch(PatchType::Strategic, &node_rt, &node, body).unwrap();
    assert_eq!(
        out["spec"]["taints"],
        json!([{"effect": "NoSchedule", "key": "a"}])
    );
}

#[test]
fn strategic_merge_patch_errors() {
    let cur = deploy(json!([{"name": "app", "image": "app:1"}]));
    let cases: &[(Value, u16)] = &[
        (
            json!({"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {"maxSurge": 1}}}}),
            400,
        ),
        (json!({"spec": {"strategy": {"$retainKeys": "type"}}}), 400),
        (
            json!({"spec": {"template": {"spec": {"containers": [{"image": "no-name"}]}}}}),
            422,
        ),
        (
            json!({"spec": {"template": {"spec": {"containers": [{"$patch": "delete"}]}}}}),
            422,
        ),
        (
            json!({"spec": {"template": {"spec": {"containers": [{"$patch": "merge", "name": "app"}]}}}}),
            400,
        ),
        (json!({"spec": {"strategy": {"$patch": "frobnicate"}}}), 400),
        (
            json!({"metadata": {"$deleteFromPrimitiveList/finalizers": "a"}}),
            400,
        ),
        (
            json!({"spec": {"template": {"spec": {"$setElementOrder/containers": {"name": "app"}}}}}),
            400,
        ),
        (
            json!({"spec": {"template": {"spec": {"containers": ["app"]}}}}),
            422,
        ),
        (json!([1, 2]), 400),
    ];
    for (patch, code) in cases {
        let e = smp(&cur, patch.clone()).unwrap_err();
        assert_eq!(e.code, *code, "{patch}: {e}");
    }
    // Deep nesting is an error, not a stack overflow.
    let mut deep = json!(1);
    for _ in 0..120 {
        deep = json!({ "a": deep });
    }
    assert!(smp(&cur, json!({"spec": deep})).is_ok());
}

/// A tiny deterministic generator of hostile patches: directive keys, merge-keyed lists with
/// and without keys, wrong types and nulls at every level.
struct Gen(u64);

impl Gen {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }

    fn value(&mut self, depth: u32) -> Value {
        const KEYS: &[&str] = &[
            "spec",
            "template",
            "containers",
            "name",
            "env",
            "ports",
            "containerPort",
            "finalizers",
            "metadata",
            "labels",
            "$patch",
            "$retainKeys",
            "$setElementOrder/containers",
            "$deleteFromPrimitiveList/finalizers",
            "$setElementOrder/env",
            "strategy",
            "type",
            "volumes",
        ];
        const SCALARS: &[&str] = &["replace", "delete", "merge", "app", "nginx", "a", "b"];
        match if depth == 0 { self.next(3) } else { self.next(6) } {
            0 => Value::Null,
            1 => json!(SCALARS[self.next(SCALARS.len() as u64) as usize]),
            2 => json!(self.next(100)),
            3 | 4 => {
                let mut m = serde_json::Map::new();
                for _ in 0..self.next(4) {
                    let k = KEYS[self.next(KEYS.len() as u64) as usize];
                    m.insert(k.to_string(), self.value(depth - 1));
                }
                Value::Object(m)
            }
            _ => Value::Array((0..self.next(4)).map(|_| self.value(depth - 1)).collect()),
        }
    }
}

#[test]
fn hostile_patches_never_panic() {
    let cur = deploy(json!([
        {"name": "app", "image": "a", "env": [{"name": "A"}, {"value": "no-name"}], "ports": [{"containerPort": 1}]},
        {"image": "nameless"}
    ]));
    let mut g = Gen(7);
    for _ in 0..1000 {
        let patch = json!({"spec": g.value(6), "metadata": g.value(3)});
        let _ = smp(&cur, patch.clone());
        let _ = apply_patch(
            PatchType::Merge,
            &deployments(),
            &cur,
            patch.to_string().as_bytes(),
        );
        let mut cfg = patch.clone();
        cfg["apiVersion"] = json!("apps/v1");
        cfg["kind"] = json!("Deployment");
        if let Ok(out) = server_side_apply(&deployments(), Some(&cur), &cfg, "fuzz", g.next(2) == 0) {
            let _ = server_side_apply(&deployments(), Some(&out), &cfg, "other", false);
            let mut next = out.clone();
            record_update(Some(&out), &mut next, "fuzz-update", None);
        }
    }
}
