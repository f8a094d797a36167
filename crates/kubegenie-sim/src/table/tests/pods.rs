//! The pod printer: READY, STATUS and RESTARTS as printPod computes them.

use super::{ago, assert_shape, cells, headers, table};
use serde_json::{Value, json};

fn pod(name: &str, spec: Value, status: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "creationTimestamp": ago(3600 + 300)},
        "spec": spec, "status": status})
}

fn app_spec() -> Value {
    json!({"containers": [{"name": "app", "image": "ghcr.io/acme/app:1.2"}], "nodeName": "node-1"})
}

/// (pod, READY, STATUS, RESTARTS)
fn pod_cases() -> Vec<(Value, &'static str, &'static str, &'static str)> {
    vec![
        (
            pod(
                "running",
                app_spec(),
                json!({"phase": "Running", "podIP": "10.244.1.7", "podIPs": [{"ip": "10.244.1.7"}],
                "conditions": [{"type": "Ready", "status": "True"}],
                "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0, "state": {"running": {"startedAt": ago(3500)}}}]}),
            ),
            "1/1",
            "Running",
            "0",
        ),
        (
            pod(
                "crashing",
                app_spec(),
                json!({"phase": "Running",
                "containerStatuses": [{"name": "app", "ready": false, "restartCount": 5,
                    "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 2m40s"}},
                    "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ago(30)}}}]}),
            ),
            "0/1",
            "CrashLoopBackOff",
            "5 (30s ago)",
        ),
        (
            pod(
                "oom",
                app_spec(),
                json!({"phase": "Running",
                "containerStatuses": [{"name": "app", "ready": false, "restartCount": 2,
                    "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled", "finishedAt": ago(5)}},
                    "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled", "finishedAt": ago(200)}}}]}),
            ),
            "0/1",
            "OOMKilled",
            "2 (3m20s ago)",
        ),
        (
            pod(
                "pending",
                json!({"containers": [{"name": "app", "image": "x"}]}),
                json!({"phase": "Pending",
                "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]}),
            ),
            "0/1",
            "Pending",
            "0",
        ),
        (
            pod(
                "gated",
                json!({"containers": [{"name": "app", "image": "x"}]}),
                json!({"phase": "Pending",
                "conditions": [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]}),
            ),
            "0/1",
            "SchedulingGated",
            "0",
        ),
        (
            pod(
                "pulling",
                app_spec(),
                json!({"phase": "Pending",
                "containerStatuses": [{"name": "app", "ready": false, "restartCount": 0,
                    "state": {"waiting": {"reason": "ContainerCreating"}}}]}),
            ),
            "0/1",
            "ContainerCreating",
            "0",
        ),
        (
            pod(
                "done",
                app_spec(),
                json!({"phase": "Succeeded",
                "containerStatuses": [{"name": "app", "ready": false, "restartCount": 0,
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed", "finishedAt": ago(60)}}}]}),
            ),
            "0/1",
            "Completed",
            "0",
        ),
        (
            pod(
                "exit-no-reason",
                app_spec(),
                json!({"phase": "Failed",
                "containerStatuses": [{"name": "app", "ready": false, "restartCount": 0,
                    "state": {"terminated": {"exitCode": 3, "finishedAt": ago(60)}}}]}),
            ),
            "0/1",
            "ExitCode:3",
            "0",
        ),
        (
            pod(
                "evicted",
                app_spec(),
                json!({"phase": "Failed", "reason": "Evicted", "message": "low on memory"}),
            ),
            "0/1",
            "Evicted",
            "0",
        ),
        (
            pod(
                "init-running",
                json!({"initContainers": [{"name": "migrate", "image": "m"}, {"name": "seed", "image": "s"}],
                "containers": [{"name": "app", "image": "a"}]}),
                json!({"phase": "Pending",
                "initContainerStatuses": [
                    {"name": "migrate", "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
                    {"name": "seed", "ready": false, "restartCount": 0, "state": {"running": {}}}],
                "containerStatuses": [{"name": "app", "ready": false, "restartCount": 0, "state": {"waiting": {"reason": "PodInitializing"}}}]}),
            ),
            "0/1",
            "Init:1/2",
            "0",
        ),
        (
            pod(
                "init-crash",
                json!({"initContainers": [{"name": "migrate", "image": "m"}],
                "containers": [{"name": "app", "image": "a"}]}),
                json!({"phase": "Pending",
                "initContainerStatuses": [{"name": "migrate", "ready": false, "restartCount": 3,
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                    "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ago(600)}}}]}),
            ),
            "0/1",
            "Init:CrashLoopBackOff",
            "3 (10m ago)",
        ),
        (
            pod(
                "init-error",
                json!({"initContainers": [{"name": "migrate", "image": "m"}],
                "containers": [{"name": "app", "image": "a"}]}),
                json!({"phase": "Failed",
                "initContainerStatuses": [{"name": "migrate", "ready": false, "restartCount": 0,
                    "state": {"terminated": {"exitCode": 2, "reason": "Error"}}}]}),
            ),
            "0/1",
            "Init:Error",
            "0",
        ),
        (
            pod(
                "sidecar",
                json!({"initContainers": [{"name": "proxy", "image": "envoy", "restartPolicy": "Always"}],
                "containers": [{"name": "app", "image": "a"}]}),
                json!({"phase": "Running",
                "conditions": [{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "True"}],
                "initContainerStatuses": [{"name": "proxy", "ready": true, "started": true, "restartCount": 1,
                    "state": {"running": {}}, "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(7200)}}}],
                "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0, "state": {"running": {}}}]}),
            ),
            "2/2",
            "Running",
            "1 (120m ago)",
        ),
        (
            pod(
                "two-of-three",
                json!({"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}),
                json!({"phase": "Running",
                "conditions": [{"type": "Ready", "status": "False"}],
                "containerStatuses": [
                    {"name": "a", "ready": true, "restartCount": 0, "state": {"running": {}}},
                    {"name": "b", "ready": true, "restartCount": 0, "state": {"running": {}}},
                    {"name": "c", "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}),
            ),
            "2/3",
            "NotReady",
            "0",
        ),
    ]
}

#[test]
fn pods() {
    let cases = pod_cases();
    let objs: Vec<Value> = cases.iter().map(|c| c.0.clone()).collect();
    let t = table("", "v1", "pods", &objs);
    assert_eq!(
        headers(&t),
        [
            "Name",
            "Ready",
            "Status",
            "Restarts",
            "Age",
            "IP*",
            "Node*",
            "Nominated Node*",
            "Readiness Gates*"
        ]
    );
    assert_shape(&t);
    for (i, (p, ready, status, restarts)) in cases.iter().enumerate() {
        let row = cells(&t, i);
        let name = &p["metadata"]["name"];
        assert_eq!(&row[0], name);
        assert_eq!(
            (row[1].as_str(), row[2].as_str(), row[3].as_str()),
            (Some(*ready), Some(*status), Some(*restarts)),
            "{name}"
        );
        assert_eq!(row[4], "65m", "{name}");
    }
    assert_eq!(
        cells(&t, 0)[5..],
        [
            json!("10.244.1.7"),
            json!("node-1"),
            json!("<none>"),
            json!("<none>")
        ]
    );
    assert_eq!(
        cells(&t, 3)[5..],
        [json!("<none>"), json!("<none>"), json!("<none>"), json!("<none>")]
    );
    assert_eq!(t["rows"][6]["conditions"][0]["reason"], "Succeeded");
    assert_eq!(t["rows"][7]["conditions"][0]["type"], "Completed");
    assert!(t["rows"][0].get("conditions").is_none());
}

#[test]
fn terminating_pod_and_readiness_gates() {
    let mut p = pod(
        "web",
        json!({"containers": [{"name": "app"}], "readinessGates": [{"conditionType": "example.com/lb"}, {"conditionType": "example.com/dns"}]}),
        json!({"phase": "Running", "conditions": [{"type": "example.com/lb", "status": "True"}, {"type": "example.com/dns", "status": "False"}],
            "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0, "state": {"running": {}}}]}),
    );
    p["metadata"]["deletionTimestamp"] = json!(ago(3));
    let t = table("", "v1", "pods", &[p]);
    let row = cells(&t, 0);
    assert_eq!(
        (row[1].as_str(), row[2].as_str()),
        (Some("1/1"), Some("Terminating"))
    );
    assert_eq!(row[8], "1/2");
}
