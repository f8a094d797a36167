//! Table-driven tests: each case is an object and the exact `Status.message` users would see.

use super::*;
use serde_json::json;

fn rt(group: &str, kind: &str, plural: &str, namespaced: bool) -> ResourceType {
    ResourceType::builtin(group, "v1", kind, plural, namespaced)
}

fn message(t: &ResourceType, obj: Value) -> String {
    match validate_object(t, &obj) {
        Ok(()) => String::new(),
        Err(e) => e.message,
    }
}

fn pod(spec: Value) -> Value {
    json!({"metadata": {"name": "web", "namespace": "default"}, "spec": spec})
}

fn deploy(spec: Value) -> Value {
    json!({"metadata": {"name": "web", "namespace": "default"}, "spec": spec})
}

const SUBDOMAIN: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

#[test]
fn metadata_errors() {
    let cm = rt("", "ConfigMap", "configmaps", true);
    let ns = rt("", "Namespace", "namespaces", false);
    let svc = rt("", "Service", "services", true);
    let role = rt("rbac.authorization.k8s.io", "Role", "roles", true);
    let cases = [
        (&cm, json!({"metadata": {"name": "Foo", "namespace": "default"}}), format!("ConfigMap \"Foo\" is invalid: metadata.name: Invalid value: \"Foo\": {SUBDOMAIN}")),
        (&cm, json!({"metadata": {"namespace": "default"}}), "ConfigMap \"\" is invalid: metadata.name: Required value: name or generateName is required".to_string()),
        (&cm, json!({"metadata": {"generateName": "web-", "namespace": "default"}}), String::new()),
        (&cm, json!({"metadata": {"name": "a"}}), "ConfigMap \"a\" is invalid: metadata.namespace: Required value".to_string()),
        (&ns, json!({"metadata": {"name": "a.b"}}), format!("Namespace \"a.b\" is invalid: metadata.name: Invalid value: \"a.b\": {LABEL}")),
        (&ns, json!({"metadata": {"name": "a", "namespace": "x"}}), "Namespace \"a\" is invalid: metadata.namespace: Forbidden: not allowed on this type".to_string()),
        (&svc, json!({"metadata": {"name": "1web", "namespace": "d"}, "spec": {"ports": [{"port": 80}]}}), "Service \"1web\" is invalid: metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')".to_string()),
        (&role, json!({"metadata": {"name": "system:Reader", "namespace": "d"}}), String::new()),
        (&role, json!({"metadata": {"name": "a/b", "namespace": "d"}}), "Role.rbac.authorization.k8s.io \"a/b\" is invalid: metadata.name: Invalid value: \"a/b\": may not contain '/'".to_string()),
        (&cm, json!({"metadata": {"name": "a", "namespace": "d", "labels": {"app": "-x"}}}), "ConfigMap \"a\" is invalid: metadata.labels: Invalid value: \"-x\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')".to_string()),
        (&cm, json!({"metadata": {"name": "a", "namespace": "d", "annotations": {"x": "y".repeat(262_144)}}}), "ConfigMap \"a\" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes".to_string()),
        (&cm, json!({"metadata": {"name": "a", "namespace": "d", "annotations": {"Example.COM/Key": "v"}}}), String::new()),
    ];
    for (t, obj, want) in cases {
        assert_eq!(message(t, obj), want);
    }
}

#[test]
fn pod_spec_errors() {
    let pods = rt("", "Pod", "pods", true);
    let cases = [
        (
            json!({}),
            "Pod \"web\" is invalid: spec.containers: Required value",
        ),
        (
            json!({"containers": [{"name": "app"}]}),
            "Pod \"web\" is invalid: spec.containers[0].image: Required value",
        ),
        (
            json!({"containers": [{"name": "a", "image": "x"}, {"name": "a", "image": "x"}]}),
            "Pod \"web\" is invalid: spec.containers[1].name: Duplicate value: \"a\"",
        ),
        (
            json!({"containers": [{"name": "a", "image": "x"}], "restartPolicy": "Sometimes"}),
            "Pod \"web\" is invalid: spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
        ),
        (
            json!({"containers": [{"name": "a", "image": "x", "ports": [{"containerPort": 70000, "protocol": "HTTP"}]}]}),
            "Pod \"web\" is invalid: [spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive, spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"]",
        ),
        (
            json!({"containers": [{"name": "a", "image": "x", "resources": {"requests": {"cpu": "2"}, "limits": {"cpu": "1500m"}}}]}),
            "Pod \"web\" is invalid: spec.containers[0].resources.requests[cpu]: Invalid value: \"2\": must be less than or equal to cpu limit of 1500m",
        ),
        (
            json!({"containers": [{"name": "a", "image": "x", "resources": {"requests": {"memory": "1Gi"}, "limits": {"memory": "2Gi"}}}]}),
            "",
        ),
        (
            json!({"containers": [{"name": "a", "image": "x", "volumeMounts": [{"name": "data", "mountPath": "/d"}]}]}),
            "Pod \"web\" is invalid: spec.containers[0].volumeMounts[0].name: Not found: \"data\"",
        ),
        (
            json!({"containers": [{"name": "Web_1", "image": "x"}]}),
            "Pod \"web\" is invalid: spec.containers[0].name: Invalid value: \"Web_1\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        ),
    ];
    for (spec, want) in cases {
        assert_eq!(message(&pods, pod(spec)), want);
    }
    let bad_q =
        pod(json!({"containers": [{"name": "a", "image": "x", "resources": {"limits": {"cpu": "lots"}}}]}));
    let err = validate_object(&pods, &bad_q).err();
    assert_eq!(err.as_ref().map(|e| e.code), Some(400));
    assert_eq!(
        err.map(|e| e.message).unwrap_or_default(),
        "Pod in version \"v1\" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    );
}

#[test]
fn workload_errors() {
    let d = rt("apps", "Deployment", "deployments", true);
    let tmpl = |labels: Value| json!({"metadata": {"labels": labels}, "spec": {"containers": [{"name": "a", "image": "x"}]}});
    let cases = [
        (
            json!({"selector": {"matchLabels": {"app": "web"}}, "template": tmpl(json!({"app": "web"}))}),
            String::new(),
        ),
        (
            json!({"selector": {"matchLabels": {"app": "web"}}, "template": tmpl(json!({"app": "x"}))}),
            "Deployment.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`".to_string(),
        ),
        (
            json!({"template": tmpl(json!({"app": "x"}))}),
            "Deployment.apps \"web\" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`]".to_string(),
        ),
        (
            json!({"replicas": -1, "selector": {"matchLabels": {"app": "x"}}, "template": tmpl(json!({"app": "x"}))}),
            "Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0".to_string(),
        ),
        (
            json!({"selector": {}, "template": tmpl(json!({"app": "x"}))}),
            "Deployment.apps \"web\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment".to_string(),
        ),
        (
            json!({"selector": {"matchLabels": {"app": "x"}}, "template": {"metadata": {"labels": {"app": "x"}}, "spec": {"restartPolicy": "Never", "containers": [{"name": "a", "image": "x"}]}}}),
            "Deployment.apps \"web\" is invalid: spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"".to_string(),
        ),
    ];
    for (spec, want) in cases {
        assert_eq!(message(&d, deploy(spec)), want);
    }

    let job = rt("batch", "Job", "jobs", true);
    let j = deploy(json!({"template": {"spec": {"containers": [{"name": "a", "image": "x"}]}}}));
    assert_eq!(
        message(&job, j),
        "Job.batch \"web\" is invalid: spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""
    );
    let cj = rt("batch", "CronJob", "cronjobs", true);
    let c = deploy(
        json!({"schedule": "", "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "a", "image": "x"}]}}}}}),
    );
    assert_eq!(
        message(&cj, c),
        "CronJob.batch \"web\" is invalid: spec.schedule: Required value"
    );
    let c = deploy(
        json!({"schedule": "* * *", "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "a", "image": "x"}]}}}}}),
    );
    assert_eq!(
        message(&cj, c),
        "CronJob.batch \"web\" is invalid: spec.schedule: Invalid value: \"* * *\": expected exactly 5 fields, found 3: [* * *]"
    );
    let hpa = ResourceType::builtin(
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        true,
    );
    let h = deploy(
        json!({"minReplicas": 5, "maxReplicas": 2, "scaleTargetRef": {"kind": "Deployment", "name": "web"}}),
    );
    assert_eq!(
        message(&hpa, h),
        "HorizontalPodAutoscaler.autoscaling \"web\" is invalid: spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`"
    );
}

#[test]
fn service_configmap_secret_errors() {
    let svc = rt("", "Service", "services", true);
    let cases = [
        (
            json!({}),
            "Service \"web\" is invalid: spec.ports: Required value",
        ),
        (json!({"clusterIP": "None"}), ""),
        (
            json!({"type": "Magic", "ports": [{"port": 80}]}),
            "Service \"web\" is invalid: spec.type: Unsupported value: \"Magic\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"",
        ),
        (
            json!({"ports": [{"name": "a", "port": 80}, {"name": "b", "port": 80}]}),
            "Service \"web\" is invalid: spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}",
        ),
        (
            json!({"ports": [{"port": 80}, {"port": 81}]}),
            "Service \"web\" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: Required value]",
        ),
        (
            json!({"ports": [{"port": 0}]}),
            "Service \"web\" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
        ),
        (
            json!({"ports": [{"port": 80, "nodePort": 30080}]}),
            "Service \"web\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
        ),
    ];
    for (spec, want) in cases {
        assert_eq!(message(&svc, deploy(spec)), want);
    }
    let cm = rt("", "ConfigMap", "configmaps", true);
    let obj = json!({"metadata": {"name": "c", "namespace": "d"}, "data": {"a b": "x"}});
    assert_eq!(
        message(&cm, obj),
        "ConfigMap \"c\" is invalid: data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
    );
    let secret = rt("", "Secret", "secrets", true);
    let obj = json!({"metadata": {"name": "s", "namespace": "d"}, "type": "kubernetes.io/tls", "data": {"tls.crt": "eA=="}});
    assert_eq!(
        message(&secret, obj),
        "Secret \"s\" is invalid: data[tls.key]: Required value"
    );
}

#[test]
fn crd_errors() {
    let crd = rt(
        "apiextensions.k8s.io",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        false,
    );
    let good = json!({
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
            "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {"type": "object"}}}]}
    });
    assert_eq!(message(&crd, good.clone()), "");
    let mut bad = good.clone();
    bad["metadata"]["name"] = json!("widget.example.com");
    assert_eq!(
        message(&crd, bad),
        "CustomResourceDefinition.apiextensions.k8s.io \"widget.example.com\" is invalid: metadata.name: Invalid value: \"widget.example.com\": must be spec.names.plural+\".\"+spec.group"
    );
    let mut bad = good.clone();
    bad["spec"]["versions"][0]["storage"] = json!(false);
    bad["spec"]["scope"] = json!("Global");
    assert_eq!(
        message(&crd, bad),
        "CustomResourceDefinition.apiextensions.k8s.io \"widgets.example.com\" is invalid: [spec.scope: Unsupported value: \"Global\": supported values: \"Cluster\", \"Namespaced\", spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{apiextensions.CustomResourceDefinitionVersion{Name:\"v1\", ...}}: must have exactly one version marked as storage version]"
    );
}

fn widget_type() -> ResourceType {
    let mut t = ResourceType::builtin("example.com", "v1", "Widget", "widgets", true);
    t.crd = Some("widgets.example.com".into());
    t.schema = Some(json!({
        "type": "object",
        "properties": {
            "spec": {"type": "object", "required": ["size"], "properties": {
                "size": {"type": "integer", "minimum": 1, "maximum": 10},
                "mode": {"type": "string", "enum": ["fast", "slow"]},
                "tags": {"type": "array", "items": {"type": "object", "properties": {"k": {"type": "string"}}}},
                "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "template": {"type": "object", "x-kubernetes-embedded-resource": true, "properties": {"spec": {"type": "object"}}}
            }},
            "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
        }
    }));
    t
}

#[test]
fn custom_resources_follow_their_schema() {
    let t = widget_type();
    let cr = |spec: Value| json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "d"}, "spec": spec});
    let cases = [
        (json!({"size": 3, "mode": "fast"}), ""),
        (
            json!({}),
            "Widget.example.com \"w\" is invalid: spec.size: Required value",
        ),
        (
            json!({"size": "big"}),
            "Widget.example.com \"w\" is invalid: spec.size: Invalid value: \"string\": spec.size in body must be of type integer: \"string\"",
        ),
        (
            json!({"size": 11}),
            "Widget.example.com \"w\" is invalid: spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10",
        ),
        (
            json!({"size": 1, "mode": "warp"}),
            "Widget.example.com \"w\" is invalid: spec.mode: Unsupported value: \"warp\": supported values: \"fast\", \"slow\"",
        ),
    ];
    for (spec, want) in cases {
        assert_eq!(message(&t, cr(spec)), want);
    }
    let obj = cr(json!({
        "size": 1, "colour": "red", "tags": [{"k": "a", "v": "b"}], "extra": {"anything": 1},
        "labels": {"any": "x"}, "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "bogus": 1}, "spec": {"x": 1}, "other": 2}
    }));
    assert_eq!(
        unknown_fields(&t, &obj),
        vec![
            "spec.colour",
            "spec.tags[0].v",
            "spec.template.metadata.bogus",
            "spec.template.spec.x",
            "spec.template.other"
        ]
    );
}

#[test]
fn unknown_fields_of_builtins() {
    let d = rt("apps", "Deployment", "deployments", true);
    let obj = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"any.key/x": "y"}, "annotations": {"a": "b"}, "colour": "red"},
        "spec": {"replicaz": 3, "replicas": null, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
                {"name": "a", "image": "x", "imagee": "y", "resources": {"limits": {"cpu": "1"}}, "ports": []}
            ], "securityContext": {}}}},
        "status": {}
    });
    let paths = unknown_fields(&d, &obj);
    assert_eq!(
        paths,
        vec![
            "metadata.colour",
            "spec.replicaz",
            "spec.template.spec.containers[0].imagee"
        ]
    );
    assert_eq!(
        strict_decoding_error(&d, &paths[1..2]).message,
        "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.replicaz\""
    );
    assert_eq!(
        strict_decoding_error(&d, &paths).message,
        "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"metadata.colour\", unknown field \"spec.replicaz\", unknown field \"spec.template.spec.containers[0].imagee\""
    );
    assert_eq!(
        unknown_field_warnings(&paths[1..2]),
        vec!["unknown field \"spec.replicaz\""]
    );

    let cm = rt("", "ConfigMap", "configmaps", true);
    let obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "v"}, "dat": {}});
    assert_eq!(unknown_fields(&cm, &obj), vec!["dat"]);
    let unknown_kind = rt("example.com", "Thing", "things", true);
    assert!(unknown_fields(&unknown_kind, &json!({"x": 1})).is_empty());
}

#[test]
fn never_panics_on_odd_objects() {
    let kinds = [
        rt("", "Pod", "pods", true),
        rt("apps", "Deployment", "deployments", true),
        rt("apps", "DaemonSet", "daemonsets", true),
        rt("", "Service", "services", true),
        rt("", "Secret", "secrets", true),
        rt("batch", "CronJob", "cronjobs", true),
        rt(
            "apiextensions.k8s.io",
            "CustomResourceDefinition",
            "customresourcedefinitions",
            false,
        ),
        widget_type(),
    ];
    let odd = [
        json!(null),
        json!([]),
        json!("x"),
        json!({"metadata": 5, "spec": []}),
        json!({"metadata": {"name": 1, "labels": [1]}, "spec": {"containers": "x", "selector": 3, "ports": {}}}),
        json!({"spec": {"template": {"spec": {"containers": [null, 1, {"resources": {"limits": {"cpu": []}}}]}}}}),
        json!({"spec": {"size": {"a": 1}, "tags": "x", "versions": [null], "names": 1}}),
    ];
    for t in &kinds {
        for o in &odd {
            let _ = validate_object(t, o);
            let _ = unknown_fields(t, o);
        }
    }
}
