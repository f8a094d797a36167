use super::*;
use serde_json::json;

fn rt(group: &str, kind: &str, plural: &str, namespaced: bool) -> ResourceType {
    ResourceType::builtin(group, "v1", kind, plural, namespaced)
}

fn pods() -> ResourceType {
    rt("", "Pod", "pods", true)
}

fn err(s: &str, t: &ResourceType) -> String {
    FieldSelector::parse(s, t)
        .err()
        .map(|e| e.message)
        .unwrap_or_default()
}

#[test]
fn unsupported_fields_use_kubes_messages() {
    let deploy = rt("apps", "Deployment", "deployments", true);
    let mut cr = rt("example.com", "Widget", "widgets", false);
    cr.crd = Some("widgets.example.com".into());
    let cases = [
        ("spec.foo=x", pods(), "field label not supported: spec.foo"),
        (
            "spec.replicas=1",
            deploy,
            "\"spec.replicas\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"",
        ),
        (
            "metadata.namespace=x",
            rt("", "Node", "nodes", false),
            "field label not supported: metadata.namespace",
        ),
        (
            "metadata.namespace=x",
            cr.clone(),
            "field label not supported: metadata.namespace",
        ),
        ("spec.size=1", cr, "field label not supported: spec.size"),
        (
            "metadata.name = x",
            pods(),
            "field label not supported: metadata.name ",
        ),
        ("foo", pods(), "invalid selector: 'foo'; can't understand 'foo'"),
        (
            "metadata.name=a\\b",
            pods(),
            "invalid field selector: invalid escape sequence: \\b",
        ),
        (
            "metadata.name=a=b",
            pods(),
            "invalid field selector: unescaped character in value: =",
        ),
        (
            "metadata.name=a\\",
            pods(),
            "invalid field selector: invalid escape sequence: \\",
        ),
    ];
    for (input, t, want) in cases {
        assert_eq!(err(input, &t), want, "{input}");
    }
}

#[test]
fn matching_defaults_missing_values_like_kube() {
    let node = rt("", "Node", "nodes", false);
    let plain = json!({"metadata": {"name": "n1"}, "spec": {}});
    let cordoned = json!({"metadata": {"name": "n2"}, "spec": {"unschedulable": true}});
    let cases = [
        ("spec.unschedulable=false", &node, &plain, true),
        ("spec.unschedulable=false", &node, &cordoned, false),
        ("spec.unschedulable==true", &node, &cordoned, true),
        ("spec.unschedulable!=true", &node, &plain, true),
        ("metadata.name=n1", &node, &plain, true),
    ];
    for (input, t, obj, want) in cases {
        let sel = FieldSelector::parse(input, t).unwrap_or_default();
        assert_eq!(sel.matches(obj), want, "{input}");
    }

    let pod = json!({
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"nodeName": "n1", "restartPolicy": "Always"},
        "status": {"phase": "Running", "podIPs": [{"ip": "10.0.0.1"}, {"ip": "fd00::1"}]}
    });
    let cases = [
        ("spec.hostNetwork=false", true),
        ("spec.host=n1", true),
        ("status.phase!=Running", false),
        ("status.phase=Running,spec.nodeName=n1", true),
        ("status.podIP=10.0.0.1", true),
        ("status.podIPs=fd00::1", true),
        ("spec.schedulerName=", true),
        ("metadata.namespace=default,metadata.name=web", true),
        ("metadata.name=a\\,b", false),
    ];
    for (input, want) in cases {
        let sel = FieldSelector::parse(input, &pods()).unwrap_or_default();
        assert_eq!(sel.matches(&pod), want, "{input}");
    }
}

#[test]
fn kind_specific_fields() {
    let rs = rt("apps", "ReplicaSet", "replicasets", true);
    let sel = FieldSelector::parse("status.replicas=0", &rs).unwrap_or_default();
    assert!(sel.matches(&json!({"metadata": {"name": "x"}})));
    let job = rt("batch", "Job", "jobs", true);
    let sel = FieldSelector::parse("status.successful=1", &job).unwrap_or_default();
    assert!(sel.matches(&json!({"status": {"succeeded": 1}})));
    let ev = rt("", "Event", "events", true);
    let sel = FieldSelector::parse("involvedObject.name=web,source=kubelet", &ev).unwrap_or_default();
    assert!(sel.matches(&json!({"involvedObject": {"name": "web"}, "source": {"component": "kubelet"}})));
    let ev1 = rt("events.k8s.io", "Event", "events", true);
    let sel = FieldSelector::parse("regarding.name=web,reportingController=k", &ev1).unwrap_or_default();
    assert!(sel.matches(&json!({"regarding": {"name": "web"}, "reportingController": "k"})));
    let secret = rt("", "Secret", "secrets", true);
    let sel = FieldSelector::parse("type=Opaque", &secret).unwrap_or_default();
    assert!(sel.matches(&json!({"type": "Opaque"})));
}

#[test]
fn name_equals_finds_exact_name() {
    let sel = FieldSelector::parse("status.phase=Running,metadata.name=web", &pods()).unwrap_or_default();
    assert_eq!(sel.name_equals(), Some("web"));
    let sel = FieldSelector::parse("metadata.name!=web", &pods()).unwrap_or_default();
    assert_eq!(sel.name_equals(), None);
    assert!(FieldSelector::parse("", &pods()).is_ok_and(|s| s.is_empty()));
}
