//! Shared pieces of the simulator benchmarks: a small timing helper (warm-up, N timed
//! iterations, min/median/p99 as a table), clients for simulated clusters, and realistic pods.
//!
//! Plain `harness = false` benches rather than criterion: criterion's dependency tree costs more
//! compile time on the 2-core CI machine than these few measurements are worth, and the figures
//! that matter here are end-to-end latencies, not nanosecond-level regressions.

// Each bench binary includes this module and uses a different subset of it.
#![allow(dead_code)]

use anyhow::{Context, Result};
use futures::{StreamExt, TryStreamExt, stream};
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kubegenie_sim::SimCluster;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Timed samples of one measurement.
pub struct Samples {
    pub name: String,
    pub goal: Option<Duration>,
    pub times: Vec<Duration>,
}

impl Samples {
    pub fn new(name: impl Into<String>, goal: Option<Duration>) -> Self {
        Self {
            name: name.into(),
            goal,
            times: Vec::new(),
        }
    }

    fn sorted(&self) -> Vec<Duration> {
        let mut t = self.times.clone();
        t.sort();
        t
    }

    /// The sample at quantile `q` (nearest rank), zero when there are none.
    pub fn quantile(&self, q: f64) -> Duration {
        let t = self.sorted();
        if t.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((q * t.len() as f64).ceil() as usize).clamp(1, t.len());
        t[rank - 1]
    }

    pub fn min(&self) -> Duration {
        self.sorted().first().copied().unwrap_or_default()
    }

    pub fn median(&self) -> Duration {
        self.quantile(0.5)
    }

    pub fn p99(&self) -> Duration {
        self.quantile(0.99)
    }

    pub fn max(&self) -> Duration {
        self.sorted().last().copied().unwrap_or_default()
    }
}

/// Whether a case is selected by the command line filter (`cargo bench --bench list -- table`
/// runs only the cases whose name contains "table", case-insensitively), as libtest does.
pub fn selected(name: &str) -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .map(|a| a.to_lowercase())
        .collect();
    filters.is_empty() || filters.iter().any(|f| name.to_lowercase().contains(f))
}

/// Runs `f` `warmup` times untimed (connections, allocator and caches settle), then `iters`
/// times timed.
pub async fn measure<F, Fut, T>(
    name: &str,
    goal: Option<Duration>,
    warmup: usize,
    iters: usize,
    mut f: F,
) -> Result<Samples>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    for _ in 0..warmup {
        f().await?;
    }
    let mut s = Samples::new(name, goal);
    for _ in 0..iters {
        let t = Instant::now();
        let out = f().await?;
        s.times.push(t.elapsed());
        // Dropping the result (e.g. 10,000 decoded pods) is not part of the request.
        drop(out);
    }
    Ok(s)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Prints samples as a table: name, n, min, median, p99, max, goal and whether p99 meets it.
pub fn print_table(title: &str, rows: &[Samples]) {
    println!("\n{title}");
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
    println!(
        "| {:width$} | {:>5} | {:>10} | {:>10} | {:>10} | {:>10} | {:>10} | {:4} |",
        "case", "n", "min", "median", "p99", "max", "goal", "ok"
    );
    println!(
        "|{}|{}|{}|{}|{}|{}|{}|{}|",
        "-".repeat(width + 2),
        "-".repeat(7),
        "-".repeat(12),
        "-".repeat(12),
        "-".repeat(12),
        "-".repeat(12),
        "-".repeat(12),
        "-".repeat(6)
    );
    for r in rows {
        let (goal, ok) = match r.goal {
            Some(g) => (format!("< {}", ms(g)), if r.p99() < g { "yes" } else { "NO" }),
            None => ("-".to_string(), "-"),
        };
        println!(
            "| {:width$} | {:>5} | {:>10} | {:>10} | {:>10} | {:>10} | {:>10} | {:4} |",
            r.name,
            r.times.len(),
            ms(r.min()),
            ms(r.median()),
            ms(r.p99()),
            ms(r.max()),
            goal,
            ok
        );
    }
}

/// A kube client for `cluster` as its admin, trusting the cluster CA (as the integration tests
/// build it).
pub fn client(cluster: &SimCluster) -> Result<Client> {
    let mut cfg = kube::Config::new(cluster.url().parse()?);
    if let Some(ca) = cluster.ca_pem() {
        let der: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(ca.as_bytes())
            .map(|c| c.map(|c| c.to_vec()))
            .collect::<Result<_, _>>()?;
        cfg.root_cert = Some(der);
    }
    cfg.auth_info.token = Some(cluster.admin_token().to_string().into());
    cfg.default_namespace = "default".into();
    // Populating with many requests in flight must not trip kube's default read timeout.
    cfg.read_timeout = Some(Duration::from_secs(120));
    Ok(Client::try_from(cfg)?)
}

/// A pod as a kubelet reports it once running: labels, annotations, one container with
/// resources, a probe and the service-account volume, and a Running status with conditions and
/// containerStatuses. About 3 KB of JSON as served (with the fields the server adds), which is what pods of ordinary workloads weigh.
pub fn pod(cluster: &str, ns: &str, i: usize) -> Value {
    let app = format!("app-{}", i % 50);
    let hash = format!("{:010x}", (i / 10) * 2_654_435_761 % 0xff_ffff_ffff);
    let name = format!("{app}-{hash}-{:05}", i);
    let node = format!("{cluster}-node-1");
    let ip = format!("10.244.{}.{}", (i / 250) % 256, i % 250 + 2);
    let t = "2026-01-15T09:30:00Z";
    let cond =
        |ty: &str| json!({"type": ty, "status": "True", "lastProbeTime": null, "lastTransitionTime": t});
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": name, "namespace": ns,
            "labels": {"app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "shop",
                "app.kubernetes.io/version": "1.24.3", "pod-template-hash": hash, "tier": "backend"},
            "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"}
        },
        "spec": {
            "containers": [{
                "name": "server", "image": format!("registry.example.com/shop/{app}:1.24.3"),
                "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                "env": [{"name": "LOG_LEVEL", "value": "info"}],
                "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}},
                "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"},
                    "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
                "volumeMounts": [{"name": "kube-api-access", "readOnly": true,
                    "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}],
                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                "imagePullPolicy": "IfNotPresent"
            }],
            "volumes": [{"name": "kube-api-access", "projected": {"defaultMode": 420, "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}}]}}],
            "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "default", "nodeName": node, "schedulerName": "default-scheduler",
            "tolerations": [
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}],
            "priority": 0, "enableServiceLinks": true, "preemptionPolicy": "PreemptLowerPriority"
        },
        "status": pod_status(&app, &ip, t, &cond),
    })
}

fn pod_status(app: &str, ip: &str, t: &str, cond: &dyn Fn(&str) -> Value) -> Value {
    json!({
        "phase": "Running",
        "conditions": [cond("PodReadyToStartContainers"), cond("Initialized"), cond("Ready"),
            cond("ContainersReady"), cond("PodScheduled")],
        "hostIP": "10.0.0.11", "hostIPs": [{"ip": "10.0.0.11"}], "podIP": ip, "podIPs": [{"ip": ip}],
        "startTime": t, "qosClass": "Burstable",
        "containerStatuses": [{
            "name": "server", "ready": true, "started": true, "restartCount": 0,
            "state": {"running": {"startedAt": t}},
            "image": format!("registry.example.com/shop/{app}:1.24.3"),
            "imageID": "registry.example.com/shop/app@sha256:4f1c9e6b2a7d8e3f5a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f",
            "containerID": "containerd://9b2f4c6d8e0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c"
        }]
    })
}

/// Creates `n` pods in `ns` through the API, `concurrency` requests in flight, then reports
/// their status through the status subresource as a kubelet would (create may reset status,
/// as kube-apiserver does for pods).
pub async fn populate_pods(
    client: &Client,
    cluster: &str,
    ns: &str,
    n: usize,
    concurrency: usize,
) -> Result<()> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    stream::iter(0..n)
        .map(|i| {
            let pods = pods.clone();
            let v = pod(cluster, ns, i);
            async move {
                let name = v["metadata"]["name"].as_str().unwrap_or_default().to_string();
                let p: Pod = serde_json::from_value(v.clone())?;
                pods.create(&PostParams::default(), &p)
                    .await
                    .with_context(|| format!("create pod {name}"))?;
                let status = Patch::Merge(json!({"status": v["status"]}));
                pods.patch_status(&name, &PatchParams::default(), &status)
                    .await
                    .with_context(|| format!("status of pod {name}"))?;
                anyhow::Ok(())
            }
        })
        .buffer_unordered(concurrency)
        .try_collect::<()>()
        .await
}

/// Resident set size of this process in bytes (VmRSS from /proc/self/status).
pub fn rss_bytes() -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .context("no VmRSS in /proc/self/status")?;
    Ok(kb * 1024)
}

/// A multi-threaded runtime using every core, as a server process would.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}
