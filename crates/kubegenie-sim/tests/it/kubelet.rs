//! Scheduler, kubelets and node lifecycle, through kube-rs against an accelerated clock.

use crate::common::*;
use k8s_openapi::api::core::v1::{Event, Node, Pod};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use std::time::Duration;

/// Simulated seconds per real second in these tests.
const SPEED: f64 = 60.0;

async fn cluster(nodes: usize) -> Sim {
    let mut cfg = config("kubelet");
    cfg.clock_speed = SPEED;
    cfg.nodes = nodes;
    sim_with(cfg).await.unwrap()
}

async fn create(pods: &Api<Pod>, spec: Value) -> Pod {
    let p: Pod = serde_json::from_value(spec).unwrap();
    pods.create(&PostParams::default(), &p).await.unwrap()
}

fn simple(name: &str, image: &str) -> Value {
    json!({"metadata": {"name": name}, "spec": {"containers": [{"name": "app", "image": image}]}})
}

async fn get(pods: &Api<Pod>, name: &str) -> Value {
    serde_json::to_value(pods.get(name).await.unwrap()).unwrap()
}

/// Polls the pod until `f` holds, returning it; panics after `secs` real seconds.
async fn wait_for(pods: &Api<Pod>, name: &str, secs: u64, what: &str, f: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let v = get(pods, name).await;
        if f(&v) {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}: {v:#}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn condition<'a>(pod: &'a Value, kind: &str) -> &'a Value {
    pod["status"]["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == kind))
        .unwrap_or(&Value::Null)
}

async fn events_of(s: &Sim, name: &str) -> Vec<(String, String)> {
    let evs: Api<Event> = Api::namespaced(s.client.clone(), "default");
    let lp = ListParams::default().fields(&format!("involvedObject.name={name}"));
    evs.list(&lp)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| (e.reason.unwrap_or_default(), e.message.unwrap_or_default()))
        .collect()
}

fn has_event(evs: &[(String, String)], reason: &str, message_part: &str) -> bool {
    evs.iter().any(|(r, m)| r == reason && m.contains(message_part))
}

fn ts(v: &Value) -> jiff::Timestamp {
    v.as_str().unwrap().parse().unwrap()
}

/// STATUS column as `kubectl get pods` prints it (server-side Table).
async fn printed_status(s: &Sim, name: &str) -> String {
    let req = http::Request::builder()
        .uri(format!("/api/v1/namespaces/default/pods/{name}"))
        .header("accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
        .body(Vec::new())
        .unwrap();
    let t: Value = s.client.request(req).await.unwrap();
    let cols: Vec<&str> = t["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let i = cols.iter().position(|c| *c == "Status").unwrap();
    t["rows"][0]["cells"][i].as_str().unwrap().to_string()
}

#[tokio::test]
async fn pod_schedules_and_becomes_ready() {
    let s = cluster(3).await;
    let pods: Api<Pod> = Api::namespaced(s.client.clone(), "default");
    create(&pods, json!({"metadata": {"name": "web"}, "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
        "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "100m", "memory": "64Mi"}}}]}}))
    .await;
    let p = wait_for(&pods, "web", 10, "Ready", |p| {
        condition(p, "Ready")["status"] == "True"
    })
    .await;
    let st = &p["status"];
    assert_eq!(st["phase"], "Running");
    assert_eq!(st["qosClass"], "Guaranteed");
    for c in [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
    ] {
        assert_eq!(condition(&p, c)["status"], "True", "{c}");
        assert!(condition(&p, c)["lastTransitionTime"].is_string());
    }
    let types: Vec<&str> = st["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "PodReadyToStartContainers",
            "Initialized",
            "Ready",
            "ContainersReady",
            "PodScheduled"
        ]
    );
    let cs = &st["containerStatuses"][0];
    assert_eq!(cs["ready"], true);
    assert_eq!(cs["started"], true);
    assert_eq!(cs["restartCount"], 0);
    assert_eq!(cs["image"], "docker.io/library/nginx:1.27");
    assert!(
        cs["imageID"]
            .as_str()
            .unwrap()
            .starts_with("docker.io/library/nginx@sha256:")
    );
    let id = cs["containerID"].as_str().unwrap();
    assert!(
        id.starts_with("containerd://") && id.len() == "containerd://".len() + 64,
        "{id}"
    );
    assert!(cs["state"]["running"]["startedAt"].is_string());
    assert_eq!(cs["lastState"], json!({}));
    assert!(st["podIP"].as_str().unwrap().starts_with("10.244."));
    assert!(
        st["hostIP"]
            .as_str()
            .unwrap()
            .parse::<std::net::Ipv4Addr>()
            .is_ok()
    );
    assert_eq!(st["hostIPs"][0]["ip"], st["hostIP"]);
    assert!(st["startTime"].is_string());
    assert!(
        p["spec"]["nodeName"]
            .as_str()
            .unwrap()
            .starts_with("kubelet-node-")
    );
    let evs = events_of(&s, "web").await;
    let node = p["spec"]["nodeName"].as_str().unwrap();
    assert!(
        has_event(
            &evs,
            "Scheduled",
            &format!("Successfully assigned default/web to {node}")
        ),
        "{evs:?}"
    );
    assert!(
        has_event(&evs, "Pulling", "Pulling image \"nginx:1.27\""),
        "{evs:?}"
    );
    assert!(
        has_event(&evs, "Pulled", "Successfully pulled image \"nginx:1.27\" in "),
        "{evs:?}"
    );
    assert!(has_event(&evs, "Created", "Created container: app"), "{evs:?}");
    assert!(has_event(&evs, "Started", "Started container app"), "{evs:?}");
    assert_eq!(printed_status(&s, "web").await, "Running");
}

#[tokio::test]
async fn pods_spread_across_nodes() {
    let s = cluster(3).await;
    let pods: Api<Pod> = Api::namespaced(s.client.clone(), "default");
    for i in 0..6 {
        create(&pods, simple(&format!("p{i}"), "nginx")).await;
    }
    let mut nodes = std::collections::HashMap::new();
    for i in 0..6 {
        let p = wait_for(&pods, &format!("p{i}"), 10, "bound", |p| {
            p["spec"]["nodeName"].is_string()
        })
        .await;
        *nodes
            .entry(p["spec"]["nodeName"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
    }
    assert_eq!(nodes.len(), 3, "{nodes:?}");
    assert!(nodes.values().all(|n| *n == 2), "{nodes:?}");
}

#[tokio::test]
async fn crash_loop_follows_the_kubelet_back_off() {
    let s = cluster(1).await;
    let pods: Api<Pod> = Api::namespaced(s.client.clone(), "default");
    create(&pods, simple("crash", "nginx:crash")).await;
    // restartCount → (restart start − previous finish), read from consecutive runs.
    let mut gaps = std::collections::BTreeMap::new();
    let mut saw_backoff = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while gaps.len() < 5 && tokio::time::Instant::now() < deadline {
        let p = get(&pods, "crash").await;
        let cs = &p["status"]["containerStatuses"][0];
        let n = cs["restartCount"].as_u64().unwrap_or(0);
        if let Some(started) = cs["state"]["running"].get("startedAt")
            && n > 0
        {
            let finished = ts(&cs["lastState"]["terminated"]["finishedAt"]);
            gaps.insert(n, ts(started).duration_since(finished).as_secs());
        }
        if cs["state"]["waiting"]["reason"] == "CrashLoopBackOff" && !saw_backoff {
            saw_backoff = true;
            let msg = cs["state"]["waiting"]["message"].as_str().unwrap();
            assert!(
                msg.starts_with("back-off 10s restarting failed container=app pod=crash_default("),
                "{msg}"
            );
            assert_eq!(printed_status(&s, "crash").await, "CrashLoopBackOff");
            assert_eq!(cs["lastState"]["terminated"]["reason"], "Error");
            assert_eq!(cs["lastState"]["terminated"]["exitCode"], 1);
            assert_eq!(p["status"]["phase"], "Running");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(saw_backoff);
    let gaps: Vec<i64> = gaps.values().copied().collect();
    assert_eq!(gaps.len(), 5, "{gaps:?}");
    let expect: [i64; 5] = [1, 10, 20, 40, 80];
    for (g, e) in gaps.iter().zip(expect) {
        assert!(
            g.abs_diff(e) <= 1,
            "restart gaps {gaps:?}, expected about {expect:?}"
        );
    }
    let evs = events_of(&s, "crash").await;
    assert!(
        has_event(
            &evs,
            "BackOff",
            "Back-off restarting failed container app in pod crash_default("
        ),
        "{evs:?}"
    );
    assert!(
        has_event(
            &evs,
            "Pulled",
            "Container image \"nginx:crash\" already present on machine"
        ),
        "{evs:?}"
    );
}

#[tokio::test]
async fn bad_image_goes_from_err_image_pull_to_back_off() {
    let s = cluster(1).await;
    let pods: Api<Pod> = Api::namespaced(s.client.clone(), "default");
    create(&pods, simple("bad", "nginx:bad")).await;
    let p = wait_for(&pods, "bad", 10, "ErrImagePull", |p| {
        p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "ErrImagePull"
    })
    .await;
    let w = &p["status"]["containerStatuses"][0]["state"]["waiting"];
    assert!(
        w["message"]
            .as_str()
            .unwrap()
            .contains("docker.io/library/nginx:bad: not found"),
        "{w}"
    );
    assert_eq!(p["status"]["containerStatuses"][0]["image"], "nginx:bad");
    let p = wait_for(&pods, "bad", 10, "ImagePullBackOff", |p| {
        p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "ImagePullBackOff"
    })
    .await;
    assert_eq!(p["status"]["phase"], "Pending");
    let w = &p["status"]["containerStatuses"][0]["state"]["waiting"];
    assert!(
        w["message"]
            .as_str()
            .unwrap()
            .starts_with("Back-off pulling image \"nginx:bad\": ErrImagePull: "),
        "{w}"
    );
    assert_eq!(printed_status(&s, "bad").await, "ImagePullBackOff");
    let evs = events_of(&s, "bad").await;
    assert!(
        has_event(
            &evs,
            "Failed",
            "Failed to pull image \"nginx:bad\": rpc error: code = NotFound"
        ),
        "{evs:?}"
    );
    assert!(has_event(&evs, "Failed", "Error: ErrImagePull"), "{evs:?}");
    assert!(has_event(&evs, "Failed", "Error: ImagePullBackOff"), "{evs:?}");
    assert!(
        has_event(&evs, "BackOff", "Back-off pulling image \"nginx:bad\""),
        "{evs:?}"
    );
}

#[tokio::test]
async fn oom_container_is_killed_and_restarted() {
    let s = cluster(1).await;
    let pods: Api<Pod> = Api::namespaced(s.client.clone(), "default");
    create(&pods, json!({"metadata": {"name": "worker"}, "spec": {"containers": [{"name": "app", "image": "shop/worker:oom",
        "resources": {"limits": {"memory": "128Mi"}}}]}}))
    .await;
    let p = wait_for(&pods, "worker", 20, "OOMKilled", |p| {
        p["status"]["containerStatuses"][0]["lastState"]["terminated"]["reason"] == "OOMKilled"
    })
    .await;
    let cs = &p["status"]["containerStatuses"][0];
    assert_eq!(cs["lastState"]["terminated"]["exitCode"], 137);
    assert!(cs["restartCount"].as_u64().unwrap() >= 1);
    let t = &cs["lastState"]["terminated"];
    let ran = ts(&t["finishedAt"]).duration_since(ts(&t["startedAt"])).as_secs();
    assert!(
        (100..=125).contains(&ran),
        "memory passes the limit after the 120 s ramp, ran {ran}s"
    );
}

#[tokio::test]
async fn unschedulable_pod_stays_pending_with_the_scheduler_message() {
    let s = cluster(3).await;
    let pods: Api<Pod> = Api::namespaced(s.client.clone(), "default");
    create(
        &pods,
        json!({"metadata": {"name": "big"}, "spec": {"containers": [{"name": "app", "image": "nginx",
        "resources": {"requests": {"cpu": "64"}}}]}}),
    )
    .await;
    let want = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.";
    let p = wait_for(&pods, "big", 10, "Unschedulable", |p| {
        condition(p, "PodScheduled")["reason"] == "Unschedulable"
    })
    .await;
    assert_eq!(condition(&p, "PodScheduled")["status"], "False");
    assert_eq!(condition(&p, "PodScheduled")["message"], want);
    assert_eq!(p["status"]["phase"], "Pending");
    assert!(p["spec"]["nodeName"].is_null());
    assert!(has_event(&events_of(&s, "big").await, "FailedScheduling", want));
}

#[tokio::test]
async fn taints_tolerations_selectors_and_cordons() {
    let s = cluster(3).await;
    let nodes: Api<Node> = Api::all(s.client.clone());
    let pp = PatchParams::default();
    nodes
        .patch(
            "kubelet-node-1",
            &pp,
            &Patch::Merge(json!({"spec": {"unschedulable": true}})),
        )
        .await
        .unwrap();
    for n in ["kubelet-node-2", "kubelet-node-3"] {
        let taint =
            json!({"spec": {"taints": [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]}});
        nodes.patch(n, &pp, &Patch::Merge(taint)).await.unwrap();
    }
    nodes
        .patch(
            "kubelet-node-3",
            &pp,
            &Patch::Merge(json!({"metadata": {"labels": {"gpu": "a100"}}})),
        )
        .await
        .unwrap();
    let pods: Api<Pod> = Api::namespaced(s.client.clone(), "default");
    create(&pods, simple("plain", "nginx")).await;
    let p = wait_for(&pods, "plain", 10, "Unschedulable", |p| {
        condition(p, "PodScheduled")["reason"] == "Unschedulable"
    })
    .await;
    assert_eq!(
        condition(&p, "PodScheduled")["message"],
        "0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    );
    create(&pods, json!({"metadata": {"name": "gpu"}, "spec": {
        "containers": [{"name": "app", "image": "nginx"}],
        "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}],
        "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "gpu", "operator": "In", "values": ["a100"]}]}]}}}}}))
    .await;
    let p = wait_for(&pods, "gpu", 10, "bound", |p| p["spec"]["nodeName"].is_string()).await;
    assert_eq!(p["spec"]["nodeName"], "kubelet-node-3");
    // Uncordoning lets the plain pod in.
    nodes
        .patch(
            "kubelet-node-1",
            &pp,
            &Patch::Merge(json!({"spec": {"unschedulable": false}})),
        )
        .await
        .unwrap();
    let p = wait_for(&pods, "plain", 10, "bound", |p| p["spec"]["nodeName"].is_string()).await;
    assert_eq!(p["spec"]["nodeName"], "kubelet-node-1");
}

#[tokio::test]
async fn graceful_deletion_shows_terminating_then_removes_the_pod() {
    let s = cluster(1).await;
    let pods: Api<Pod> = Api::namespaced(s.client.clone(), "default");
    create(&pods, simple("web", "nginx")).await;
    wait_for(&pods, "web", 10, "Ready", |p| {
        condition(p, "Ready")["status"] == "True"
    })
    .await;
    let resp = pods.delete("web", &DeleteParams::default()).await.unwrap();
    let pending = resp.left().expect("a running pod is deleted gracefully");
    assert!(pending.metadata.deletion_timestamp.is_some());
    assert_eq!(pending.metadata.deletion_grace_period_seconds, Some(30));
    let gone = eventually(Duration::from_secs(10), || {
        let pods = pods.clone();
        async move { pods.get_opt("web").await.unwrap().is_none() }
    })
    .await;
    assert!(gone, "the kubelet removes the pod once its containers stopped");
    assert!(has_event(
        &events_of(&s, "web").await,
        "Killing",
        "Stopping container app"
    ));
    // Unbound pods and force deletions go at once.
    create(
        &pods,
        json!({"metadata": {"name": "nowhere"}, "spec": {"nodeName": "", "schedulerName": "other",
        "containers": [{"name": "app", "image": "nginx"}]}}),
    )
    .await;
    pods.delete("nowhere", &DeleteParams::default()).await.unwrap();
    assert!(pods.get_opt("nowhere").await.unwrap().is_none());
}

#[tokio::test]
async fn restart_policies_end_pods() {
    let s = cluster(1).await;
    let pods: Api<Pod> = Api::namespaced(s.client.clone(), "default");
    let mut never = simple("once", "nginx:crash");
    never["spec"]["restartPolicy"] = json!("Never");
    create(&pods, never).await;
    let p = wait_for(&pods, "once", 10, "Failed", |p| p["status"]["phase"] == "Failed").await;
    assert_eq!(
        p["status"]["containerStatuses"][0]["state"]["terminated"]["reason"],
        "Error"
    );
    assert_eq!(condition(&p, "Ready")["reason"], "PodCompleted");
    assert_eq!(printed_status(&s, "once").await, "Error");
    create(
        &pods,
        json!({"metadata": {"name": "init"}, "spec": {
        "initContainers": [{"name": "migrate", "image": "busybox"}, {"name": "warm", "image": "busybox"}],
        "containers": [{"name": "app", "image": "nginx"}]}}),
    )
    .await;
    let p = wait_for(&pods, "init", 10, "Running", |p| {
        condition(p, "Ready")["status"] == "True"
    })
    .await;
    for i in 0..2 {
        let c = &p["status"]["initContainerStatuses"][i];
        assert_eq!(c["state"]["terminated"]["reason"], "Completed", "{c}");
        assert_eq!(c["ready"], true);
    }
    let init_done = ts(&p["status"]["initContainerStatuses"][1]["state"]["terminated"]["finishedAt"]);
    let app_start = ts(&p["status"]["containerStatuses"][0]["state"]["running"]["startedAt"]);
    assert!(
        app_start >= init_done,
        "app containers start after init containers"
    );
}

#[tokio::test]
async fn job_pods_complete() {
    let s = cluster(1).await;
    let jobs: Api<k8s_openapi::api::batch::v1::Job> = Api::namespaced(s.client.clone(), "default");
    let job = serde_json::from_value(
        json!({"metadata": {"name": "report"}, "spec": {"template": {"spec": {
        "restartPolicy": "Never", "containers": [{"name": "run", "image": "busybox"}]}}}}),
    )
    .unwrap();
    jobs.create(&PostParams::default(), &job).await.unwrap();
    let pods: Api<Pod> = Api::namespaced(s.client.clone(), "default");
    // The Job controller makes the pod; the kubelet runs a healthy job container to completion.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let name = loop {
        let lp = ListParams::default().labels("job-name=report");
        if let Some(p) = pods.list(&lp).await.unwrap().items.first() {
            break p.metadata.name.clone().unwrap();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the Job controller made no labelled pod"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let p = wait_for(&pods, &name, 10, "Succeeded", |p| {
        p["status"]["phase"] == "Succeeded"
    })
    .await;
    let t = &p["status"]["containerStatuses"][0]["state"]["terminated"];
    assert_eq!(t["exitCode"], 0);
    assert_eq!(t["reason"], "Completed");
    assert_eq!(printed_status(&s, &name).await, "Completed");
}

#[tokio::test]
async fn failed_node_taints_and_evicts_its_pods() {
    let s = cluster(2).await;
    let nodes: Api<Node> = Api::all(s.client.clone());
    let pp = PatchParams::default();
    // Only node 2 takes pods, so the failure hits them.
    nodes
        .patch(
            "kubelet-node-1",
            &pp,
            &Patch::Merge(json!({"spec": {"unschedulable": true}})),
        )
        .await
        .unwrap();
    let pods: Api<Pod> = Api::namespaced(s.client.clone(), "default");
    let mut short = simple("short", "nginx");
    short["spec"]["tolerations"] = json!([{"key": "node.kubernetes.io/unreachable", "operator": "Exists",
        "effect": "NoExecute", "tolerationSeconds": 60}]);
    create(&pods, short).await;
    let mut forever = simple("forever", "nginx");
    forever["spec"]["tolerations"] =
        json!([{"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}]);
    create(&pods, forever).await;
    for n in ["short", "forever"] {
        wait_for(&pods, n, 10, "Ready", |p| {
            condition(p, "Ready")["status"] == "True"
        })
        .await;
    }
    nodes
        .patch(
            "kubelet-node-2",
            &pp,
            &Patch::Merge(json!({"metadata": {"annotations": {"sim.kubegenie.io/fail": "true"}}})),
        )
        .await
        .unwrap();
    let lost = eventually(Duration::from_secs(10), || {
        let nodes = nodes.clone();
        async move {
            let n = serde_json::to_value(nodes.get("kubelet-node-2").await.unwrap()).unwrap();
            let unknown = n["status"]["conditions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["type"] == "Ready" && c["status"] == "Unknown");
            let tainted = n["spec"]["taints"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|t| t["key"] == "node.kubernetes.io/unreachable" && t["effect"] == "NoExecute");
            unknown && tainted
        }
    })
    .await;
    assert!(lost, "the node turns Unknown and gets the unreachable taint");
    let p = wait_for(&pods, "forever", 10, "not Ready", |p| {
        condition(p, "Ready")["status"] == "False"
    })
    .await;
    assert!(p["metadata"]["deletionTimestamp"].is_null());
    let p = wait_for(&pods, "short", 10, "evicted", |p| {
        p["metadata"]["deletionTimestamp"].is_string()
    })
    .await;
    assert_eq!(
        condition(&p, "DisruptionTarget")["reason"],
        "DeletionByTaintManager"
    );
    assert_eq!(printed_status(&s, "short").await, "Terminating");
    assert!(has_event(
        &events_of(&s, "short").await,
        "TaintManagerEviction",
        "Marking for deletion Pod default/short"
    ));
    let node_events = events_of(&s, "kubelet-node-2").await;
    assert!(
        has_event(
            &node_events,
            "NodeNotReady",
            "Node kubelet-node-2 status is now: NodeNotReady"
        ),
        "{node_events:?}"
    );
    // The node comes back: its kubelet finishes the deletion and the other pod is Ready again.
    nodes
        .patch(
            "kubelet-node-2",
            &pp,
            &Patch::Merge(json!({"metadata": {"annotations": {"sim.kubegenie.io/fail": null}}})),
        )
        .await
        .unwrap();
    let gone = eventually(Duration::from_secs(10), || {
        let pods = pods.clone();
        async move { pods.get_opt("short").await.unwrap().is_none() }
    })
    .await;
    assert!(gone);
    wait_for(&pods, "forever", 10, "Ready again", |p| {
        condition(p, "Ready")["status"] == "True"
    })
    .await;
}

/// CPU seconds this process has used (user + system).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// Steady-state cost at the real-time clock: `SIM_CLUSTERS` × `SIM_PODS` (default 100 ×
/// 1000) healthy pods. Run with `--ignored --nocapture` in release mode.
#[tokio::test]
#[ignore = "benchmark"]
async fn steady_state_cost() {
    let env = |k: &str, d: usize| std::env::var(k).ok().and_then(|v| v.parse().ok()).unwrap_or(d);
    let (clusters, per) = (env("SIM_CLUSTERS", 100), env("SIM_PODS", 1000));
    let mut sims = Vec::new();
    for i in 0..clusters {
        let mut cfg = config(&format!("c{i}"));
        cfg.nodes = 10;
        sims.push(sim_with(cfg).await.unwrap());
    }
    let t0 = std::time::Instant::now();
    let mut tasks = Vec::new();
    for s in &sims {
        let pods: Api<Pod> = Api::namespaced(s.client.clone(), "default");
        tasks.push(tokio::spawn(async move {
            for i in 0..per {
                let p: Pod = serde_json::from_value(simple(&format!("p{i}"), "nginx:1.27")).unwrap();
                pods.create(&PostParams::default(), &p).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    println!("created {} pods in {:?}", clusters * per, t0.elapsed());
    // Let start-up settle (pulls, starts), then measure.
    tokio::time::sleep(Duration::from_secs(20)).await;
    let pods: Api<Pod> = Api::namespaced(sims[0].client.clone(), "default");
    let running = pods
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .iter()
        .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
        .count();
    println!("cluster 0: {running}/{per} running");
    if running == 0 {
        println!("{:#}", get(&pods, "p0").await);
    }
    let (c0, w0) = (cpu_seconds(), std::time::Instant::now());
    tokio::time::sleep(Duration::from_secs(30)).await;
    let cores = (cpu_seconds() - c0) / w0.elapsed().as_secs_f64();
    println!("steady state: {cores:.3} cores");
}
