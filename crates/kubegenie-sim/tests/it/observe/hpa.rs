//! The HPA scales a Deployment with a load shared by its replicas up when the load rises and
//! back down after the stabilization window.
//!
//! Until the workload controllers and the kubelet land, a stand-in here keeps one Running pod
//! per desired replica; once a Deployment controller creates ReplicaSets, the stand-in steps
//! aside and the real pods are used.

use super::make_running;
use crate::common::{config, eventually, sim_with};
use anyhow::Result;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const LOAD_ANNOTATION: &str = "sim.kubegenie.io/behaviour";

fn load(millicores: u32) -> String {
    format!("cpu: {{base: {millicores}m, noise: 0, sharedByReplicas: true}}")
}

/// Keeps `deployment.spec.replicas` Running pods owned by a ReplicaSet `web-abc`.
async fn stand_in(client: kube::Client, behaviour: Arc<Mutex<String>>) -> Result<()> {
    let deploys: Api<Deployment> = Api::default_namespaced(client.clone());
    let pods: Api<Pod> = Api::default_namespaced(client.clone());
    let rss: Api<ReplicaSet> = Api::default_namespaced(client.clone());
    let rs = rss
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "web-abc", "labels": {"app": "web", "pod-template-hash": "abc"}},
                "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "web", "pod-template-hash": "abc"}},
                    "template": {"metadata": {"labels": {"app": "web", "pod-template-hash": "abc"}},
                        "spec": {"containers": [{"name": "app", "image": "shop/web:1"}]}}}}))?,
        )
        .await?;
    let uid = rs.metadata.uid.unwrap_or_default();
    let mut next = 0;
    loop {
        let want = deploys
            .get("web")
            .await?
            .spec
            .and_then(|s| s.replicas)
            .unwrap_or(1) as usize;
        let mut have = pods.list(&ListParams::default().labels("app=web")).await?.items;
        have.retain(|p| p.metadata.deletion_timestamp.is_none());
        let b = behaviour.lock().map(|b| b.clone()).unwrap_or_default();
        for p in &have {
            let name = p.metadata.name.clone().unwrap_or_default();
            let cur = p
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(LOAD_ANNOTATION));
            if cur != Some(&b) {
                let patch = json!({"metadata": {"annotations": {LOAD_ANNOTATION: b}}});
                pods.patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
                    .await?;
            }
        }
        for p in have.iter().skip(want) {
            let name = p.metadata.name.clone().unwrap_or_default();
            pods.delete(&name, &DeleteParams::default().grace_period(0))
                .await?;
        }
        for _ in have.len()..want {
            next += 1;
            let name = format!("web-abc-{next}");
            let pod = json!({"metadata": {"name": name, "labels": {"app": "web", "pod-template-hash": "abc"},
                "annotations": {LOAD_ANNOTATION: b},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-abc", "uid": uid, "controller": true}]},
                "spec": {"nodeName": "it-node-1", "containers": [{"name": "app", "image": "shop/web:1",
                    "resources": {"requests": {"cpu": "100m"}}}]}});
            pods.create(&PostParams::default(), &serde_json::from_value(pod)?)
                .await?;
            let started = jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
            make_running(&pods, &name, &started, None).await?;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn hpa_scales_a_deployment_up_with_load_and_down_after_the_window() -> Result<()> {
    let mut cfg = config("it");
    cfg.clock_speed = 100.0;
    let s = sim_with(cfg).await?;
    let client = s.client.clone();
    let deploys: Api<Deployment> = Api::default_namespaced(client.clone());
    let behaviour = Arc::new(Mutex::new(load(100)));
    let template_with = |b: &str| {
        json!({"metadata": {"labels": {"app": "web"}, "annotations": {LOAD_ANNOTATION: b}},
            "spec": {"containers": [{"name": "app", "image": "shop/web:1", "resources": {"requests": {"cpu": "100m"}}}]}})
    };
    let d = json!({"metadata": {"name": "web"}, "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
        "template": template_with(&load(100))}});
    deploys
        .create(&PostParams::default(), &serde_json::from_value(d)?)
        .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss: Api<ReplicaSet> = Api::default_namespaced(client.clone());
    let controllers_exist = !rss.list(&ListParams::default()).await?.items.is_empty();
    let stand_in_task =
        (!controllers_exist).then(|| tokio::spawn(stand_in(client.clone(), behaviour.clone())));
    let set_load = |m: u32| {
        let behaviour = behaviour.clone();
        let deploys = deploys.clone();
        async move {
            if let Ok(mut b) = behaviour.lock() {
                *b = load(m);
            }
            if controllers_exist {
                let patch =
                    json!({"spec": {"template": {"metadata": {"annotations": {LOAD_ANNOTATION: load(m)}}}}});
                deploys
                    .patch("web", &PatchParams::default(), &Patch::Merge(&patch))
                    .await?;
            }
            Ok::<(), anyhow::Error>(())
        }
    };
    let hpas: Api<HorizontalPodAutoscaler> = Api::default_namespaced(client.clone());
    let hpa = json!({"metadata": {"name": "web"}, "spec": {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
        "minReplicas": 2, "maxReplicas": 10,
        "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}]}});
    hpas.create(&PostParams::default(), &serde_json::from_value(hpa)?)
        .await?;
    let replicas = || async {
        deploys
            .get("web")
            .await
            .ok()
            .and_then(|d| d.spec)
            .and_then(|s| s.replicas)
            .unwrap_or(0)
    };
    // 100m shared by 2 pods with 100m requests is 50 %: on target, nothing moves.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(replicas().await, 2);
    // 600m over 100m requests at 50 % settles at 12, capped by maxReplicas at 10; 400m at 8.
    set_load(400).await?;
    assert!(
        eventually(Duration::from_secs(20), || async { replicas().await == 8 }).await,
        "scaled up to {}",
        replicas().await
    );
    let h = hpas.get("web").await?;
    let status = serde_json::to_value(h.status)?;
    assert_eq!(status["desiredReplicas"], 8);
    let active = status["conditions"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["type"] == "ScalingActive"))
        .cloned();
    assert_eq!(
        active.map(|c| c["reason"].clone()),
        Some(json!("ValidMetricFound"))
    );
    let events: Api<Event> = Api::default_namespaced(client.clone());
    let rescale = events
        .list(&ListParams::default().fields("reason=SuccessfulRescale"))
        .await?;
    // The default scale-up policy allows at most +4 pods (or +100 %) per 15 s, so 2 -> 8 takes
    // at least two steps: some rescale lands between 3 and 6 pods.
    let sizes: Vec<i64> = rescale
        .items
        .iter()
        .filter_map(|e| {
            e.message
                .as_deref()?
                .strip_prefix("New size: ")?
                .split(';')
                .next()?
                .parse()
                .ok()
        })
        .collect();
    assert!(
        sizes.iter().any(|n| (3..=6).contains(n)) && sizes.contains(&8),
        "the first step is limited to +4 pods: {sizes:?}"
    );
    // Load drops: the HPA waits out the 300 s window (3 s real), then goes back to 2.
    set_load(100).await?;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        replicas().await,
        8,
        "scale-down waits for the stabilization window"
    );
    assert!(
        eventually(Duration::from_secs(20), || async { replicas().await == 2 }).await,
        "scaled down to {}",
        replicas().await
    );
    if let Some(t) = stand_in_task {
        t.abort();
    }
    Ok(())
}

#[tokio::test]
async fn hpa_reports_pods_without_requests() -> Result<()> {
    let s = sim_with(config("it")).await?;
    let pods: Api<Pod> = Api::default_namespaced(s.client.clone());
    pods.create(&PostParams::default(), &super::pod("solo", "{}", None))
        .await?;
    make_running(
        &pods,
        "solo",
        &jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        None,
    )
    .await?;
    let rss: Api<ReplicaSet> = Api::default_namespaced(s.client.clone());
    let rs = json!({"metadata": {"name": "solo"}, "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "solo"}},
        "template": {"metadata": {"labels": {"app": "solo"}}, "spec": {"containers": [{"name": "app", "image": "x"}]}}}});
    rss.create(&PostParams::default(), &serde_json::from_value(rs)?)
        .await?;
    let hpas: Api<HorizontalPodAutoscaler> = Api::default_namespaced(s.client.clone());
    let hpa = json!({"metadata": {"name": "solo"}, "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "solo"},
        "maxReplicas": 3, "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}]}});
    hpas.create(&PostParams::default(), &serde_json::from_value(hpa)?)
        .await?;
    let reason = || async {
        let h = hpas.get("solo").await.ok()?;
        let v = serde_json::to_value(h.status).ok()?;
        let c = v["conditions"]
            .as_array()?
            .iter()
            .find(|c| c["type"] == "ScalingActive")?
            .clone();
        Some((
            c["reason"].as_str()?.to_string(),
            c["message"].as_str()?.to_string(),
        ))
    };
    assert!(eventually(Duration::from_secs(5), || async { reason().await.is_some() }).await);
    let (r, m) = reason().await.unwrap_or_default();
    assert_eq!(r, "FailedGetResourceMetric");
    assert!(
        m.contains("missing request for cpu in container app of Pod solo"),
        "{m}"
    );
    Ok(())
}
