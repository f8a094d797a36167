//! Observability through real clients: metrics.k8s.io, pod logs, the Prometheus endpoint, the
//! history exporter (through promtool when installed) and the HPA, on an accelerated clock.

use crate::common::{config, raw, sim_with};
use anyhow::Result;
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, DynamicObject, ListParams, LogParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, GroupVersionKind};
use kubegenie_sim::observe::{history, prometheus};
use serde_json::{Value, json};
use std::time::Duration;

/// Marks a pod Running and Ready with running containers, as the kubelet would (harmless once
/// the simulated kubelet exists: it writes the same shape).
async fn make_running(
    pods: &Api<Pod>,
    name: &str,
    started: &str,
    previous: Option<(&str, &str)>,
) -> Result<()> {
    let pod = pods.get(name).await?;
    let statuses: Vec<Value> = pod
        .spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .map(|c| {
            let mut s = json!({"name": c.name, "image": c.image, "imageID": "", "ready": true, "started": true,
                "restartCount": 0, "state": {"running": {"startedAt": started}}});
            if let Some((from, to)) = previous {
                s["restartCount"] = json!(1);
                s["lastState"] = json!({"terminated": {"exitCode": 1, "reason": "Error", "startedAt": from, "finishedAt": to}});
            }
            s
        })
        .collect();
    let status = json!({"status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
        "containerStatuses": statuses}});
    pods.patch_status(name, &PatchParams::default(), &Patch::Merge(&status))
        .await?;
    Ok(())
}

fn pod(name: &str, behaviour: &str, cpu_request: Option<&str>) -> Pod {
    let mut resources = json!({"limits": {"memory": "512Mi"}});
    if let Some(c) = cpu_request {
        resources["requests"] = json!({"cpu": c, "memory": "256Mi"});
    }
    serde_json::from_value(json!({"metadata": {"name": name, "labels": {"app": name},
        "annotations": {"sim.kubegenie.io/behaviour": behaviour}},
        "spec": {"nodeName": "it-node-1", "containers": [{"name": "app", "image": "shop/api:1.0", "resources": resources}]}}))
    .expect("pod")
}

fn ago(client_now: jiff::Timestamp, secs: i64) -> String {
    client_now
        .checked_sub(jiff::SignedDuration::from_secs(secs))
        .expect("time")
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn metrics_api(client: &Client, plural: &str, kind: &str, ns: Option<&str>) -> Api<DynamicObject> {
    let ar =
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("metrics.k8s.io", "v1beta1", kind), plural);
    match ns {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &ar),
        None => Api::all_with(client.clone(), &ar),
    }
}

fn cpu_millis(q: &Value) -> f64 {
    let s = q.as_str().unwrap_or_default();
    s.trim_end_matches('n').parse::<f64>().unwrap_or(-1.0) / 1e6
}

#[tokio::test]
async fn metrics_api_follows_the_scripted_model() -> Result<()> {
    let s = sim_with(config("it")).await?;
    let pods: Api<Pod> = Api::default_namespaced(s.client.clone());
    pods.create(
        &PostParams::default(),
        &pod(
            "api",
            "cpu: {base: 250m, noise: 0}\nmemory: {base: 100Mi, noise: 0}",
            Some("500m"),
        ),
    )
    .await?;
    let pm = metrics_api(&s.client, "pods", "PodMetrics", Some("default"));
    let err = pm.get("api").await.expect_err("no metrics before the pod runs");
    assert!(matches!(err, kube::Error::Api(ref e) if e.code == 404), "{err:?}");
    make_running(&pods, "api", &ago(jiff::Timestamp::now(), 60), None).await?;
    let m = pm.get("api").await?;
    assert_eq!(m.data["window"], "15s");
    let c = &m.data["containers"][0];
    assert_eq!(c["name"], "app");
    assert_eq!(cpu_millis(&c["usage"]["cpu"]), 250.0);
    assert_eq!(c["usage"]["memory"], "102400Ki");
    let list = pm.list(&ListParams::default().labels("app=api")).await?;
    assert_eq!(list.items.len(), 1);
    let nodes = metrics_api(&s.client, "nodes", "NodeMetrics", None)
        .list(&ListParams::default())
        .await?;
    let n1 = nodes
        .items
        .iter()
        .find(|n| n.metadata.name.as_deref() == Some("it-node-1"))
        .expect("node");
    assert!(
        cpu_millis(&n1.data["usage"]["cpu"]) > 250.0,
        "node usage includes its pods"
    );
    let (code, disc) = raw(
        &s.client,
        "GET",
        "/apis/metrics.k8s.io/v1beta1",
        "application/json",
        vec![],
    )
    .await?;
    assert_eq!(code, 200);
    assert_eq!(disc["resources"].as_array().map(Vec::len), Some(2));
    Ok(())
}

#[tokio::test]
async fn logs_honour_tail_since_previous_and_timestamps() -> Result<()> {
    let s = sim_with(config("it")).await?;
    let pods: Api<Pod> = Api::default_namespaced(s.client.clone());
    pods.create(
        &PostParams::default(),
        &pod("web", "logs: {linesPerMinute: 30}", Some("100m")),
    )
    .await?;
    let now = jiff::Timestamp::now();
    make_running(
        &pods,
        "web",
        &ago(now, 600),
        Some((&ago(now, 1800), &ago(now, 601))),
    )
    .await?;
    let all = pods.logs("web", &LogParams::default()).await?;
    assert!(
        all.lines().count() > 100,
        "10 minutes at 30 lines/min: {}",
        all.lines().count()
    );
    assert!(
        all.lines().next().unwrap_or_default().contains("starting api"),
        "{all}"
    );
    let tail = pods
        .logs(
            "web",
            &LogParams {
                tail_lines: Some(3),
                ..Default::default()
            },
        )
        .await?;
    assert_eq!(tail.lines().count(), 3);
    assert!(all.ends_with(&tail), "the tail is the end of the log");
    let recent = pods
        .logs(
            "web",
            &LogParams {
                since_seconds: Some(120),
                ..Default::default()
            },
        )
        .await?;
    let n = recent.lines().count();
    assert!(n > 20 && n < all.lines().count() / 2, "{n}");
    let again = pods
        .logs(
            "web",
            &LogParams {
                tail_lines: Some(3),
                ..Default::default()
            },
        )
        .await?;
    assert!(
        again.lines().take(2).all(|l| all.contains(l)),
        "lines are generated deterministically"
    );
    let prev = pods
        .logs(
            "web",
            &LogParams {
                previous: true,
                ..Default::default()
            },
        )
        .await?;
    assert!(
        prev.trim_end().ends_with("exiting with code 1"),
        "{}",
        &prev[prev.len().saturating_sub(300)..]
    );
    let stamped = pods
        .logs(
            "web",
            &LogParams {
                timestamps: true,
                tail_lines: Some(1),
                ..Default::default()
            },
        )
        .await?;
    let first = stamped.split(' ').next().unwrap_or_default();
    assert!(first.parse::<jiff::Timestamp>().is_ok(), "{stamped}");
    let limited = pods
        .logs(
            "web",
            &LogParams {
                limit_bytes: Some(40),
                ..Default::default()
            },
        )
        .await?;
    assert_eq!(limited.len(), 40);
    pods.create(&PostParams::default(), &pod("fresh", "{}", None))
        .await?;
    make_running(&pods, "fresh", &ago(now, 5), None).await?;
    let err = pods
        .logs(
            "fresh",
            &LogParams {
                previous: true,
                ..Default::default()
            },
        )
        .await
        .expect_err("no previous instance");
    let kube::Error::Api(e) = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            400,
            "previous terminated container \"app\" in pod \"fresh\" not found"
        )
    );
    Ok(())
}

#[tokio::test]
async fn prometheus_endpoint_carries_the_series() -> Result<()> {
    let mut cfg = config("it");
    cfg.clock_speed = 60.0;
    let s = sim_with(cfg).await?;
    let pods: Api<Pod> = Api::default_namespaced(s.client.clone());
    pods.create(
        &PostParams::default(),
        &pod("api", "cpu: {base: 500m, noise: 0}", Some("1")),
    )
    .await?;
    make_running(&pods, "api", &ago(jiff::Timestamp::now(), 0), None).await?;
    let scrape = || async {
        let (code, body) = raw(&s.client, "GET", "/metrics", "text/plain", vec![]).await?;
        anyhow::ensure!(code == 200);
        Ok::<String, anyhow::Error>(body.as_str().unwrap_or_default().to_string())
    };
    let cpu = |text: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with("container_cpu_usage_seconds_total{") && l.contains("pod=\"api\""))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(-1.0)
    };
    let first = scrape().await?;
    for l in first.lines().filter(|l| !l.starts_with('#')) {
        let (series, value) = l.rsplit_once(' ').expect("name and value");
        assert!(value.parse::<f64>().is_ok(), "{l}");
        assert!(series.ends_with('}') && series.contains('{'), "{l}");
    }
    for family in [
        "container_memory_working_set_bytes",
        "kube_pod_container_status_restarts_total",
        "kube_pod_container_resource_requests{namespace=\"default\",pod=\"api\"",
        "kube_pod_status_phase",
        "kube_node_status_capacity{node=\"it-node-1\",resource=\"cpu\",unit=\"core\"} 4",
        "kube_node_status_allocatable",
    ] {
        assert!(first.contains(family), "{family} missing");
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let (a, b) = (cpu(&first), cpu(&scrape().await?));
    // 1 s real is 60 s simulated at half a core: about 30 core-seconds more.
    assert!(
        b - a > 20.0 && b - a < 45.0,
        "counter grows with usage: {a} → {b}"
    );
    Ok(())
}

#[tokio::test]
async fn history_round_trips_through_promtool() -> Result<()> {
    let objs = vec![
        json!({"kind": "Node", "metadata": {"name": "n1"}, "status": {"capacity": {"cpu": "4", "memory": "16Gi"}, "allocatable": {"cpu": "4"}}}),
        json!({"kind": "Pod", "metadata": {"name": "api", "namespace": "shop", "uid": "u1",
            "annotations": {"sim.kubegenie.io/behaviour": "cpu: {base: 200m, dailyAmplitude: 1, peakHour: 14}"}},
            "spec": {"nodeName": "n1", "containers": [{"name": "app", "image": "shop/api:1",
                "resources": {"requests": {"cpu": "250m"}, "limits": {"memory": "256Mi"}}}]}}),
        json!({"kind": "Pod", "metadata": {"name": "worker", "namespace": "shop", "uid": "u2"},
            "spec": {"nodeName": "n1", "containers": [{"name": "w", "image": "shop/worker:oom",
                "resources": {"limits": {"memory": "128Mi"}}}]}}),
    ];
    let snap = prometheus::Snapshot::from_objects("prod-us", 7, objs);
    let end: jiff::Timestamp = "2026-01-08T00:00:00Z".parse()?;
    let range = history::Range::last_days(end, 1, history::parse_duration("30s").expect("step"));
    let mut out = Vec::new();
    let stats = history::export(std::slice::from_ref(&snap), &range, &mut out)?;
    let text = String::from_utf8(out)?;
    assert!(text.ends_with("# EOF\n"));
    assert!(text.contains("# TYPE container_cpu_usage_seconds counter"));
    assert!(stats.samples > 2880 * 4, "{stats:?}");
    let mut again = Vec::new();
    history::export(&[snap], &range, &mut again)?;
    assert_eq!(text.as_bytes(), again.as_slice(), "same seed, same history");
    let restarts = text
        .lines()
        .rfind(|l| l.starts_with("kube_pod_container_status_restarts_total{cluster=\"prod-us\",namespace=\"shop\",pod=\"worker\""))
        .expect("restarts");
    assert!(
        restarts.contains("} 205 "),
        "the OOM worker restarts every 7 minutes: {restarts}"
    );
    let Ok(promtool) = which("promtool") else {
        eprintln!("promtool not installed; skipping the TSDB round trip");
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("history.om");
    std::fs::write(&file, &text)?;
    let blocks = dir.path().join("blocks");
    let status = std::process::Command::new(promtool)
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&file)
        .arg(&blocks)
        .output()?;
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert!(std::fs::read_dir(&blocks)?.count() > 0, "blocks written");
    Ok(())
}

fn which(bin: &str) -> Result<std::path::PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(bin))
        .find(|p| p.is_file())
        .ok_or_else(|| anyhow::anyhow!("{bin} not found"))
}

mod hpa;
