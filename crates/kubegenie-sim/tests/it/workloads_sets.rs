//! StatefulSets, DaemonSets, Jobs and CronJobs through kube-rs.

use crate::common::*;
use crate::workloads::{fast_sim, wait_for};
use k8s_openapi::api::apps::v1::{ControllerRevision, DaemonSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use kube::ResourceExt;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn statefulset_creates_ordinals_in_order_with_claims_and_rolls() {
    let s = fast_sim(1).await;
    let sets: Api<StatefulSet> = Api::default_namespaced(s.client.clone());
    let pods: Api<Pod> = Api::default_namespaced(s.client.clone());
    let pvcs: Api<PersistentVolumeClaim> = Api::default_namespaced(s.client.clone());
    let sts: StatefulSet = serde_json::from_value(json!({"metadata": {"name": "db"},
        "spec": {"replicas": 3, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
            "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "pg", "image": "postgres:16"}]}},
            "volumeClaimTemplates": [{"metadata": {"name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]}}))
    .unwrap();
    sets.create(&PostParams::default(), &sts).await.unwrap();
    let ready = |s: &StatefulSet| {
        let st = s.status.clone().unwrap_or_default();
        st.ready_replicas == Some(3)
            && st.current_revision == st.update_revision
            && st.updated_replicas == Some(3)
    };
    let set = wait_for(&sets, "db", "3 ready", ready).await;
    let mut pl = pods
        .list(&ListParams::default().labels("app=db"))
        .await
        .unwrap()
        .items;
    pl.sort_by_key(|p| p.creation_timestamp());
    let names: Vec<String> = pl.iter().map(|p| p.name_any()).collect();
    assert_eq!(names, ["db-0", "db-1", "db-2"]);
    let rev1 = set.status.clone().unwrap().update_revision.unwrap();
    assert_eq!(pl[0].labels()["controller-revision-hash"], rev1);
    assert_eq!(pl[1].labels()["apps.kubernetes.io/pod-index"], "1");
    assert_eq!(pl[2].spec.clone().unwrap().hostname.as_deref(), Some("db-2"));
    for i in 0..3 {
        pvcs.get(&format!("data-db-{i}")).await.unwrap();
    }
    let revs: Api<ControllerRevision> = Api::default_namespaced(s.client.clone());
    assert!(revs.get(&rev1).await.is_ok());

    let patch =
        json!({"spec": {"template": {"spec": {"containers": [{"name": "pg", "image": "postgres:17"}]}}}});
    sets.patch("db", &PatchParams::default(), &Patch::Strategic(&patch))
        .await
        .unwrap();
    let set = wait_for(&sets, "db", "rolled to revision 2", |s| {
        ready(s) && s.status.as_ref().unwrap().update_revision.as_deref() != Some(rev1.as_str())
    })
    .await;
    let rev2 = set.status.unwrap().update_revision.unwrap();
    let pl = pods
        .list(&ListParams::default().labels("app=db"))
        .await
        .unwrap()
        .items;
    assert!(pl.iter().all(|p| p.labels()["controller-revision-hash"] == rev2));
    assert_eq!(revs.get(&rev2).await.unwrap().revision, 2);

    sets.patch(
        "db",
        &PatchParams::default(),
        &Patch::Merge(&json!({"spec": {"replicas": 1}})),
    )
    .await
    .unwrap();
    wait_for(&sets, "db", "scaled to 1", |s| {
        s.status.as_ref().is_some_and(|st| st.replicas == 1)
    })
    .await;
    // Scaled-down pods terminate gracefully before they disappear.
    let only_first = eventually(Duration::from_secs(10), || {
        let pods = pods.clone();
        async move {
            let names: Vec<String> = pods
                .list(&ListParams::default().labels("app=db"))
                .await
                .unwrap()
                .items
                .iter()
                .map(|p| p.name_any())
                .collect();
            names == ["db-0"]
        }
    })
    .await;
    assert!(only_first);
}

#[tokio::test]
async fn daemonset_runs_one_pod_per_eligible_node() {
    let s = fast_sim(3).await;
    let nodes: Api<k8s_openapi::api::core::v1::Node> = Api::all(s.client.clone());
    let node3 = "wl-node-3";
    let taint = json!({"spec": {"taints": [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]}});
    nodes
        .patch(node3, &PatchParams::default(), &Patch::Merge(&taint))
        .await
        .unwrap();
    let dss: Api<DaemonSet> = Api::default_namespaced(s.client.clone());
    let ds: DaemonSet = serde_json::from_value(json!({"metadata": {"name": "agent"},
        "spec": {"selector": {"matchLabels": {"app": "agent"}},
            "template": {"metadata": {"labels": {"app": "agent"}}, "spec": {"containers": [{"name": "a", "image": "fluent-bit:3"}]}}}}))
    .unwrap();
    dss.create(&PostParams::default(), &ds).await.unwrap();
    let d = wait_for(&dss, "agent", "2 ready", |d| {
        d.status.as_ref().is_some_and(|s| {
            s.desired_number_scheduled == 2 && s.number_ready == 2 && s.number_available == Some(2)
        })
    })
    .await;
    assert_eq!(d.status.unwrap().current_number_scheduled, 2);
    let pods: Api<Pod> = Api::default_namespaced(s.client.clone());
    let pl = pods
        .list(&ListParams::default().labels("app=agent"))
        .await
        .unwrap()
        .items;
    let mut on: Vec<String> = pl
        .iter()
        .filter_map(|p| p.spec.clone().unwrap().node_name)
        .collect();
    on.sort();
    assert_eq!(on, ["wl-node-1", "wl-node-2"]);
    assert!(
        pl.iter().all(
            |p| p.name_any().starts_with("agent-") && p.labels().contains_key("controller-revision-hash")
        )
    );
    let tol = json!({"spec": {"template": {"spec": {"tolerations": [{"key": "dedicated", "operator": "Exists"}]}}}});
    dss.patch("agent", &PatchParams::default(), &Patch::Merge(&tol))
        .await
        .unwrap();
    wait_for(&dss, "agent", "3 updated and ready", |d| {
        d.status.as_ref().is_some_and(|s| {
            s.desired_number_scheduled == 3 && s.number_ready == 3 && s.updated_number_scheduled == Some(3)
        })
    })
    .await;
}

fn job(name: &str, image: &str, completions: i32, backoff: i32) -> Job {
    serde_json::from_value(json!({"metadata": {"name": name},
        "spec": {"completions": completions, "backoffLimit": backoff,
            "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "w", "image": image}]}}}}))
    .unwrap()
}

fn has_condition(j: &Job, ty: &str) -> bool {
    j.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == ty && c.status == "True"))
}

#[tokio::test]
async fn jobs_complete_or_exhaust_their_backoff_limit() {
    let s = fast_sim(1).await;
    let jobs: Api<Job> = Api::default_namespaced(s.client.clone());
    jobs.create(&PostParams::default(), &job("pi", "perl:5", 2, 6))
        .await
        .unwrap();
    let j = wait_for(&jobs, "pi", "complete", |j| has_condition(j, "Complete")).await;
    let st = j.status.unwrap();
    assert_eq!(st.succeeded, Some(2));
    assert!(st.start_time.is_some() && st.completion_time.is_some());
    let c = st.conditions.unwrap();
    assert!(c.iter().any(|c| c.type_ == "SuccessCriteriaMet"));
    assert_eq!(
        c.iter()
            .find(|c| c.type_ == "Complete")
            .unwrap()
            .reason
            .as_deref(),
        Some("CompletionsReached")
    );

    jobs.create(&PostParams::default(), &job("broken", "busybox:crash", 1, 1))
        .await
        .unwrap();
    let j = wait_for(&jobs, "broken", "failed", |j| has_condition(j, "Failed")).await;
    let st = j.status.unwrap();
    assert_eq!(st.failed, Some(2));
    assert!(st.completion_time.is_none());
    let failed = st
        .conditions
        .unwrap()
        .into_iter()
        .find(|c| c.type_ == "Failed")
        .unwrap();
    assert_eq!(failed.reason.as_deref(), Some("BackoffLimitExceeded"));
}

#[tokio::test]
async fn cronjob_creates_jobs_on_schedule_and_keeps_history() {
    let s = fast_sim(1).await;
    let cjs: Api<CronJob> = Api::default_namespaced(s.client.clone());
    let cj: CronJob = serde_json::from_value(json!({"metadata": {"name": "report"},
        "spec": {"schedule": "* * * * *", "successfulJobsHistoryLimit": 2,
            "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "OnFailure",
                "containers": [{"name": "r", "image": "busybox:1"}]}}}}}}))
    .unwrap();
    cjs.create(&PostParams::default(), &cj).await.unwrap();
    // One job a minute of cluster time (2 s real at 30x); wait for a few to finish.
    let c = wait_for(&cjs, "report", "3 runs", |c| {
        c.status
            .as_ref()
            .and_then(|s| s.last_successful_time.as_ref())
            .is_some()
    })
    .await;
    let last = c.status.unwrap().last_schedule_time.unwrap();
    let jobs: Api<Job> = Api::default_namespaced(s.client.clone());
    let ok = eventually(Duration::from_secs(20), || {
        let jobs = jobs.clone();
        async move {
            let l = jobs.list(&ListParams::default()).await.unwrap().items;
            let done = l.iter().filter(|j| has_condition(j, "Complete")).count();
            done == 2 && l.len() <= 3
        }
    })
    .await;
    assert!(ok, "history limited to 2 successful jobs");
    let l = jobs.list(&ListParams::default()).await.unwrap().items;
    for j in &l {
        let minutes: i64 = j.name_any().strip_prefix("report-").unwrap().parse().unwrap();
        let at = &j.annotations()["batch.kubernetes.io/cronjob-scheduled-timestamp"];
        let t: jiff::Timestamp = at.parse().unwrap();
        assert_eq!(t.as_second() / 60, minutes);
        assert_eq!(j.owner_references()[0].kind, "CronJob");
    }
    assert_eq!(last.0.as_second() % 60, 0);
}
