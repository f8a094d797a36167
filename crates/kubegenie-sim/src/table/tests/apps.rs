//! Workload printers.

use super::{ago, assert_shape, cells, headers, table};
use serde_json::json;

fn template() -> serde_json::Value {
    json!({"metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}, {"name": "log", "image": "fluent-bit:3"}]}})
}

#[test]
fn deployments_replicasets_statefulsets_daemonsets() {
    let meta = json!({"name": "web", "namespace": "default", "creationTimestamp": ago(2 * 86400 + 3 * 3600)});
    let t = table(
        "apps",
        "v1",
        "deployments",
        &[json!({"metadata": meta, "spec": {"replicas": 3,
        "selector": {"matchLabels": {"app": "web"}}, "template": template()},
        "status": {"replicas": 3, "readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}})],
    );
    assert_eq!(
        headers(&t),
        [
            "Name",
            "Ready",
            "Up-to-date",
            "Available",
            "Age",
            "Containers*",
            "Images*",
            "Selector*"
        ]
    );
    assert_eq!(
        cells(&t, 0),
        [
            json!("web"),
            json!("2/3"),
            json!(3),
            json!(2),
            json!("2d3h"),
            json!("app,log"),
            json!("nginx:1.27,fluent-bit:3"),
            json!("app=web")
        ]
    );
    // A freshly created deployment has no status yet.
    let t = table(
        "apps",
        "v1",
        "deployments",
        &[json!({"metadata": {"name": "new", "creationTimestamp": ago(2)},
        "spec": {"selector": {}, "template": template()}})],
    );
    assert_eq!(
        cells(&t, 0)[..5],
        [json!("new"), json!("0/1"), json!(0), json!(0), json!("2s")]
    );
    assert_eq!(cells(&t, 0)[7], "");

    let t = table(
        "apps",
        "v1",
        "replicasets",
        &[json!({"metadata": meta, "spec": {"replicas": 3,
        "selector": {"matchLabels": {"app": "web", "pod-template-hash": "7d9f"}}, "template": template()},
        "status": {"replicas": 3, "readyReplicas": 3}})],
    );
    assert_eq!(
        headers(&t),
        [
            "Name",
            "Desired",
            "Current",
            "Ready",
            "Age",
            "Containers*",
            "Images*",
            "Selector*"
        ]
    );
    assert_eq!(cells(&t, 0)[..4], [json!("web"), json!(3), json!(3), json!(3)]);
    assert_eq!(cells(&t, 0)[7], "app=web,pod-template-hash=7d9f");

    let t = table(
        "apps",
        "v1",
        "statefulsets",
        &[
            json!({"metadata": meta, "spec": {"replicas": 3, "template": template()},
        "status": {"readyReplicas": 1}}),
        ],
    );
    assert_eq!(headers(&t), ["Name", "Ready", "Age", "Containers*", "Images*"]);
    assert_eq!(cells(&t, 0)[..3], [json!("web"), json!("1/3"), json!("2d3h")]);

    let t = table(
        "apps",
        "v1",
        "daemonsets",
        &[
            json!({"metadata": meta, "spec": {"selector": {"matchLabels": {"app": "agent"}},
        "template": {"spec": {"nodeSelector": {"kubernetes.io/os": "linux"}, "containers": [{"name": "a", "image": "agent:1"}]}}},
        "status": {"desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 2, "updatedNumberScheduled": 3, "numberAvailable": 2}}),
        ],
    );
    assert_eq!(
        headers(&t),
        [
            "Name",
            "Desired",
            "Current",
            "Ready",
            "Up-to-date",
            "Available",
            "Node Selector",
            "Age",
            "Containers*",
            "Images*",
            "Selector*"
        ]
    );
    assert_eq!(
        cells(&t, 0),
        [
            json!("web"),
            json!(3),
            json!(3),
            json!(2),
            json!(3),
            json!(2),
            json!("kubernetes.io/os=linux"),
            json!("2d3h"),
            json!("a"),
            json!("agent:1"),
            json!("app=agent")
        ]
    );
}

#[test]
fn controller_revisions() {
    let t = table(
        "apps",
        "v1",
        "controllerrevisions",
        &[
            json!({"metadata": {"name": "db-7c9", "creationTimestamp": ago(60),
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db", "controller": true}]}, "revision": 2}),
        ],
    );
    assert_eq!(
        cells(&t, 0),
        [
            json!("db-7c9"),
            json!("statefulset.apps/db"),
            json!(2),
            json!("60s")
        ]
    );
}

#[test]
fn jobs_and_cronjobs() {
    let job = |name: &str, spec: serde_json::Value, status: serde_json::Value| json!({"metadata": {"name": name, "creationTimestamp": ago(3600)}, "spec": spec, "status": status});
    let objs = [
        job(
            "done",
            json!({"completions": 1, "template": template(), "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "u1"}}}),
            json!({"succeeded": 1, "startTime": ago(3600), "completionTime": ago(3600 - 47),
                "conditions": [{"type": "SuccessCriteriaMet", "status": "True"}, {"type": "Complete", "status": "True"}]}),
        ),
        job(
            "running",
            json!({"completions": 5, "parallelism": 2}),
            json!({"succeeded": 2, "startTime": ago(200)}),
        ),
        job(
            "failed",
            json!({"parallelism": 3}),
            json!({"failed": 6, "startTime": ago(900), "conditions": [{"type": "Failed", "status": "True"}]}),
        ),
        job(
            "suspended",
            json!({"suspend": true}),
            json!({"conditions": [{"type": "Suspended", "status": "True"}]}),
        ),
    ];
    let t = table("batch", "v1", "jobs", &objs);
    assert_eq!(
        headers(&t),
        [
            "Name",
            "Status",
            "Completions",
            "Duration",
            "Age",
            "Containers*",
            "Images*",
            "Selector*"
        ]
    );
    assert_eq!(cells(&t, 0)[..5], ["done", "Complete", "1/1", "47s", "60m"]);
    assert_eq!(cells(&t, 0)[7], "batch.kubernetes.io/controller-uid=u1");
    assert_eq!(cells(&t, 1)[..4], ["running", "Running", "2/5", "3m20s"]);
    assert_eq!(cells(&t, 2)[..4], ["failed", "Failed", "0/1 of 3", "15m"]);
    assert_eq!(cells(&t, 3)[..4], ["suspended", "Suspended", "0/1", ""]);
    assert_eq!(cells(&t, 3)[7], "<none>");

    let t = table(
        "batch",
        "v1",
        "cronjobs",
        &[
            json!({"metadata": {"name": "backup", "creationTimestamp": ago(8 * 86400)},
            "spec": {"schedule": "0 2 * * *", "timeZone": "Europe/Paris", "suspend": false,
                "jobTemplate": {"spec": {"template": template()}}},
            "status": {"active": [{"name": "backup-1"}], "lastScheduleTime": ago(36000)}}),
            json!({"metadata": {"name": "never", "creationTimestamp": ago(60)}, "spec": {"schedule": "@hourly", "suspend": true}}),
        ],
    );
    assert_eq!(
        headers(&t),
        [
            "Name",
            "Schedule",
            "Timezone",
            "Suspend",
            "Active",
            "Last Schedule",
            "Age",
            "Containers*",
            "Images*",
            "Selector*"
        ]
    );
    assert_eq!(
        cells(&t, 0)[..7],
        [
            json!("backup"),
            json!("0 2 * * *"),
            json!("Europe/Paris"),
            json!("False"),
            json!(1),
            json!("10h"),
            json!("8d")
        ]
    );
    assert_eq!(
        cells(&t, 1)[..7],
        [
            json!("never"),
            json!("@hourly"),
            json!("<none>"),
            json!("True"),
            json!(0),
            json!("<none>"),
            json!("60s")
        ]
    );
    assert_shape(&t);
}

#[test]
fn hpas() {
    let hpa = |metrics: serde_json::Value, current: serde_json::Value| {
        json!({"metadata": {"name": "web", "creationTimestamp": ago(600)},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                "minReplicas": 2, "maxReplicas": 10, "metrics": metrics},
            "status": {"currentReplicas": 3, "currentMetrics": current}})
    };
    let cpu = json!({"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}});
    let mem = json!({"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "500Mi"}}});
    let pods = json!({"type": "Pods", "pods": {"metric": {"name": "rps"}, "target": {"type": "AverageValue", "averageValue": "100"}}});
    let objs = [
        hpa(
            json!([cpu]),
            json!([{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 42, "averageValue": "210m"}}}]),
        ),
        hpa(json!([cpu]), json!(null)),
        hpa(json!([cpu, mem, pods]), json!(null)),
        hpa(json!(null), json!(null)),
    ];
    let t = table("autoscaling", "v2", "horizontalpodautoscalers", &objs);
    assert_eq!(
        headers(&t),
        [
            "Name",
            "Reference",
            "Targets",
            "MinPods",
            "MaxPods",
            "Replicas",
            "Age"
        ]
    );
    assert_eq!(
        cells(&t, 0),
        [
            json!("web"),
            json!("Deployment/web"),
            json!("cpu: 42%/50%"),
            json!("2"),
            json!(10),
            json!(3),
            json!("10m")
        ]
    );
    assert_eq!(cells(&t, 1)[2], "cpu: <unknown>/50%");
    assert_eq!(
        cells(&t, 2)[2],
        "cpu: <unknown>/50%, memory: <unknown>/500Mi + 1 more..."
    );
    assert_eq!(cells(&t, 3)[2], "<none>");
}

#[test]
fn pdbs() {
    let t = table(
        "policy",
        "v1",
        "poddisruptionbudgets",
        &[
            json!({"metadata": {"name": "web", "creationTimestamp": ago(60)}, "spec": {"minAvailable": 2}, "status": {"disruptionsAllowed": 1}}),
            json!({"metadata": {"name": "db", "creationTimestamp": ago(60)}, "spec": {"maxUnavailable": "25%"}}),
        ],
    );
    assert_eq!(
        headers(&t),
        [
            "Name",
            "Min Available",
            "Max Unavailable",
            "Allowed Disruptions",
            "Age"
        ]
    );
    assert_eq!(
        cells(&t, 0),
        [json!("web"), json!("2"), json!("N/A"), json!(1), json!("60s")]
    );
    assert_eq!(
        cells(&t, 1),
        [json!("db"), json!("N/A"), json!("25%"), json!(0), json!("60s")]
    );
}
