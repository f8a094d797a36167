//! Workload controllers as users see them through kube-rs: Deployments roll out through
//! ReplicaSets, StatefulSets keep ordinals, DaemonSets cover nodes, Jobs complete, CronJobs
//! fire on schedule.

use crate::common::*;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::Pod;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

/// A cluster with an accelerated clock (30 s of cluster time per real second).
pub(crate) async fn fast_sim(nodes: usize) -> Sim {
    let mut cfg = config("wl");
    cfg.clock_speed = 30.0;
    cfg.nodes = nodes;
    sim_with(cfg).await.unwrap()
}

fn deployment(name: &str, replicas: i32, image: &str) -> Deployment {
    serde_json::from_value(json!({"metadata": {"name": name},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "main", "image": image}]}}}}))
    .unwrap()
}

pub(crate) async fn wait_for<T, F>(api: &Api<T>, name: &str, what: &str, f: F) -> T
where
    T: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
    F: Fn(&T) -> bool,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let cur = api.get_opt(name).await.unwrap();
        if let Some(c) = &cur
            && f(c)
        {
            return c.clone();
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for {name}: {what}; last: {cur:#?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn rolled_out(d: &Deployment) -> bool {
    let s = d.status.clone().unwrap_or_default();
    let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    s.observed_generation >= d.metadata.generation
        && s.updated_replicas.unwrap_or(0) == want
        && s.replicas.unwrap_or(0) == want
        && s.available_replicas.unwrap_or(0) == want
}

fn annotation(o: &impl ResourceExt, k: &str) -> String {
    o.annotations().get(k).cloned().unwrap_or_default()
}

async fn owned_rs(rss: &Api<ReplicaSet>, d: &Deployment) -> Vec<ReplicaSet> {
    let uid = d.uid().unwrap();
    let mut v: Vec<ReplicaSet> = rss
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|r| r.owner_references().iter().any(|o| o.uid == uid))
        .collect();
    v.sort_by_key(|r| annotation(r, "deployment.kubernetes.io/revision"));
    v
}

fn rs_size(r: &ReplicaSet) -> i32 {
    r.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)
}

#[tokio::test]
async fn deployment_creates_replica_set_and_pods() {
    let s = fast_sim(2).await;
    let deps: Api<Deployment> = Api::default_namespaced(s.client.clone());
    let rss: Api<ReplicaSet> = Api::default_namespaced(s.client.clone());
    let pods: Api<Pod> = Api::default_namespaced(s.client.clone());
    deps.create(&PostParams::default(), &deployment("web", 3, "nginx:1.27"))
        .await
        .unwrap();
    let d = wait_for(&deps, "web", "rolled out", rolled_out).await;
    assert_eq!(annotation(&d, "deployment.kubernetes.io/revision"), "1");
    let conds = d.status.clone().unwrap().conditions.unwrap();
    let reasons: Vec<(String, String)> = conds
        .iter()
        .map(|c| (c.type_.clone(), c.reason.clone().unwrap_or_default()))
        .collect();
    assert!(
        reasons.contains(&("Available".into(), "MinimumReplicasAvailable".into())),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&("Progressing".into(), "NewReplicaSetAvailable".into())),
        "{reasons:?}"
    );

    let owned = owned_rs(&rss, &d).await;
    assert_eq!(owned.len(), 1);
    let rs = &owned[0];
    let hash = rs.labels()["pod-template-hash"].clone();
    assert_eq!(rs.name_any(), format!("web-{hash}"));
    let oref = &rs.owner_references()[0];
    assert_eq!(
        (oref.kind.as_str(), oref.controller, oref.block_owner_deletion),
        ("Deployment", Some(true), Some(true))
    );
    assert_eq!(annotation(rs, "deployment.kubernetes.io/desired-replicas"), "3");
    assert_eq!(annotation(rs, "deployment.kubernetes.io/max-replicas"), "4");
    let sel = rs.spec.as_ref().unwrap().selector.match_labels.clone().unwrap();
    assert_eq!(sel["pod-template-hash"], hash);
    let rs_status = rs.status.clone().unwrap();
    assert_eq!(
        (
            rs_status.replicas,
            rs_status.ready_replicas,
            rs_status.available_replicas
        ),
        (3, Some(3), Some(3))
    );

    let pl = pods
        .list(&ListParams::default().labels("app=web"))
        .await
        .unwrap()
        .items;
    assert_eq!(pl.len(), 3);
    for p in &pl {
        assert!(p.name_any().starts_with(&format!("web-{hash}-")));
        assert_eq!(p.name_any().len(), format!("web-{hash}-").len() + 5);
        assert_eq!(p.labels()["pod-template-hash"], hash);
        assert_eq!(p.owner_references()[0].name, rs.name_any());
    }
    let events: Api<k8s_openapi::api::core::v1::Event> = Api::default_namespaced(s.client.clone());
    let msgs: Vec<String> = events
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|e| e.message)
        .collect();
    assert!(
        msgs.contains(&format!("Scaled up replica set web-{hash} from 0 to 3")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with(&format!("Created pod: web-{hash}-"))),
        "{msgs:?}"
    );
}

#[tokio::test]
async fn image_change_rolls_out_and_undo_restores_revision_one() {
    let s = fast_sim(2).await;
    let deps: Api<Deployment> = Api::default_namespaced(s.client.clone());
    let rss: Api<ReplicaSet> = Api::default_namespaced(s.client.clone());
    deps.create(&PostParams::default(), &deployment("api", 4, "nginx:1.26"))
        .await
        .unwrap();
    let d = wait_for(&deps, "api", "rolled out", rolled_out).await;
    let first = owned_rs(&rss, &d).await.remove(0);

    let patch =
        json!({"spec": {"template": {"spec": {"containers": [{"name": "main", "image": "nginx:1.27"}]}}}});
    deps.patch("api", &PatchParams::default(), &Patch::Strategic(&patch))
        .await
        .unwrap();
    let d = wait_for(&deps, "api", "rev 2 rolled out", |d| {
        rolled_out(d) && annotation(d, "deployment.kubernetes.io/revision") == "2"
    })
    .await;
    let owned = owned_rs(&rss, &d).await;
    assert_eq!(owned.len(), 2, "old ReplicaSet kept as history");
    let old = owned.iter().find(|r| r.name_any() == first.name_any()).unwrap();
    let new = owned.iter().find(|r| r.name_any() != first.name_any()).unwrap();
    assert_eq!(rs_size(old), 0);
    assert_eq!(rs_size(new), 4);
    assert_eq!(annotation(new, "deployment.kubernetes.io/revision"), "2");

    // `kubectl rollout undo`: the old template goes back into the deployment.
    let mut tpl = serde_json::to_value(old.spec.as_ref().unwrap().template.clone().unwrap()).unwrap();
    tpl["metadata"]["labels"]
        .as_object_mut()
        .unwrap()
        .remove("pod-template-hash");
    let undo = json!([{"op": "replace", "path": "/spec/template", "value": tpl}]);
    deps.patch(
        "api",
        &PatchParams::default(),
        &Patch::<Value>::Json(serde_json::from_value(undo).unwrap()),
    )
    .await
    .unwrap();
    let d = wait_for(&deps, "api", "rev 3 rolled out", |d| {
        rolled_out(d) && annotation(d, "deployment.kubernetes.io/revision") == "3"
    })
    .await;
    let owned = owned_rs(&rss, &d).await;
    assert_eq!(owned.len(), 2, "undo reuses the first ReplicaSet");
    let back = rss.get(&first.name_any()).await.unwrap();
    assert_eq!(annotation(&back, "deployment.kubernetes.io/revision"), "3");
    assert_eq!(
        annotation(&back, "deployment.kubernetes.io/revision-history"),
        "1"
    );
    assert_eq!(rs_size(&back), 4);
}

#[tokio::test]
async fn bad_image_rollout_keeps_old_replicas_serving() {
    let s = fast_sim(1).await;
    let deps: Api<Deployment> = Api::default_namespaced(s.client.clone());
    let rss: Api<ReplicaSet> = Api::default_namespaced(s.client.clone());
    let mut d = deployment("shop", 4, "nginx:1.26");
    d.spec.as_mut().unwrap().progress_deadline_seconds = Some(60);
    deps.create(&PostParams::default(), &d).await.unwrap();
    wait_for(&deps, "shop", "rolled out", rolled_out).await;
    // `:bad` never becomes ready (the image fails to pull).
    let patch =
        json!({"spec": {"template": {"spec": {"containers": [{"name": "main", "image": "nginx:bad"}]}}}});
    deps.patch("shop", &PatchParams::default(), &Patch::Strategic(&patch))
        .await
        .unwrap();
    let d = wait_for(&deps, "shop", "deadline exceeded", |d| {
        d.status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| {
                c.iter().any(|c| {
                    c.type_ == "Progressing" && c.reason.as_deref() == Some("ProgressDeadlineExceeded")
                })
            })
    })
    .await;
    let st = d.status.clone().unwrap();
    // maxSurge 25% of 4 rounds up to 1, maxUnavailable 25% rounds down to 1: one old pod
    // goes, two new ones are stuck, three old ones keep serving.
    assert_eq!(st.available_replicas, Some(3));
    assert_eq!(st.updated_replicas, Some(2));
    assert_eq!(st.unavailable_replicas, Some(2));
    let owned = owned_rs(&rss, &d).await;
    assert_eq!(owned.iter().map(rs_size).collect::<Vec<_>>(), [3, 2]);
}

#[tokio::test]
async fn recreate_and_scale() {
    let s = fast_sim(1).await;
    let deps: Api<Deployment> = Api::default_namespaced(s.client.clone());
    let rss: Api<ReplicaSet> = Api::default_namespaced(s.client.clone());
    let mut d = deployment("batch", 2, "busybox:1");
    d.spec.as_mut().unwrap().strategy = Some(serde_json::from_value(json!({"type": "Recreate"})).unwrap());
    deps.create(&PostParams::default(), &d).await.unwrap();
    wait_for(&deps, "batch", "rolled out", rolled_out).await;
    deps.patch(
        "batch",
        &PatchParams::default(),
        &Patch::Merge(&json!({"spec": {"replicas": 5}})),
    )
    .await
    .unwrap();
    wait_for(&deps, "batch", "scaled to 5", |d| {
        rolled_out(d) && d.status.as_ref().unwrap().replicas == Some(5)
    })
    .await;
    let patch = json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "now"}}}}});
    deps.patch("batch", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    let d = wait_for(&deps, "batch", "rev 2", |d| {
        rolled_out(d) && annotation(d, "deployment.kubernetes.io/revision") == "2"
    })
    .await;
    let owned = owned_rs(&rss, &d).await;
    assert_eq!(owned.iter().map(rs_size).collect::<Vec<_>>(), [0, 5]);
    let events: Api<k8s_openapi::api::core::v1::Event> = Api::default_namespaced(s.client.clone());
    let msgs: Vec<String> = events
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|e| e.message)
        .collect();
    let old = owned[0].name_any();
    assert!(
        msgs.contains(&format!("Scaled down replica set {old} from 5 to 0")),
        "{msgs:?}"
    );
}

#[tokio::test]
async fn revision_history_limit_and_cascading_delete() {
    let s = fast_sim(1).await;
    let deps: Api<Deployment> = Api::default_namespaced(s.client.clone());
    let rss: Api<ReplicaSet> = Api::default_namespaced(s.client.clone());
    let pods: Api<Pod> = Api::default_namespaced(s.client.clone());
    let mut d = deployment("hist", 1, "nginx:1");
    d.spec.as_mut().unwrap().revision_history_limit = Some(1);
    deps.create(&PostParams::default(), &d).await.unwrap();
    wait_for(&deps, "hist", "rolled out", rolled_out).await;
    for v in 2..=4 {
        let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "main", "image": format!("nginx:{v}")}]}}}});
        deps.patch("hist", &PatchParams::default(), &Patch::Strategic(&patch))
            .await
            .unwrap();
        wait_for(&deps, "hist", "rolled out", |d| {
            rolled_out(d) && annotation(d, "deployment.kubernetes.io/revision") == v.to_string()
        })
        .await;
    }
    let d = deps.get("hist").await.unwrap();
    let ok = eventually(WAIT, || {
        let (rss, d) = (rss.clone(), d.clone());
        async move { owned_rs(&rss, &d).await.len() == 2 }
    })
    .await;
    assert!(ok, "one current and one old ReplicaSet remain");
    deps.delete("hist", &DeleteParams::background()).await.unwrap();
    let ok = eventually(WAIT, || {
        let (rss, pods) = (rss.clone(), pods.clone());
        async move {
            rss.list(&ListParams::default()).await.unwrap().items.is_empty()
                && pods
                    .list(&ListParams::default().labels("app=hist"))
                    .await
                    .unwrap()
                    .items
                    .is_empty()
        }
    })
    .await;
    assert!(ok, "ReplicaSets and pods are garbage collected");
}
