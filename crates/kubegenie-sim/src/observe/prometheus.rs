//! The Prometheus text exposition of a cluster at `/metrics`: cAdvisor-style container series
//! and kube-state-metrics-style object series, so a real Prometheus can scrape a simulated
//! cluster with the same queries it runs against a real one.
//!
//! Scrape it with the cluster's bearer token over HTTPS (any user allowed `get` on the
//! non-resource URL `/metrics`, as kube-apiserver's `system:monitoring` role grants), or
//! anonymously over plain HTTP (`insecure_admin`):
//!
//! ```yaml
//! scrape_configs:
//!   - job_name: kubegenie-sim
//!     scheme: https
//!     metrics_path: /metrics
//!     authorization: {credentials: <admin token from the kubeconfig>}
//!     tls_config: {insecure_skip_verify: true}
//!     static_configs: [{targets: ["127.0.0.1:PORT"]}]
//! ```
//!
//! The families are described once ([`families`]) and evaluated either now (this endpoint) or
//! over a time range (the history exporter), so both carry exactly the same series.

use super::usage::{self, Replicas};
use crate::catalog::StorageKey;
use crate::object;
use crate::state::ClusterState;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The objects the series are computed from.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Cluster name (a `cluster` label in the history export).
    pub cluster: String,
    /// Seed of the behaviour noise.
    pub seed: u64,
    /// Pods.
    pub pods: Vec<Value>,
    /// Nodes.
    pub nodes: Vec<Value>,
    /// Deployments.
    pub deployments: Vec<Value>,
}

impl Snapshot {
    /// The current objects of a running cluster.
    pub fn of(st: &ClusterState) -> Self {
        let list = |g: &str, r: &str| -> Vec<Value> {
            st.store
                .list(&StorageKey::new(g, r), None)
                .0
                .iter()
                .map(|s| s.value.clone())
                .collect()
        };
        Self {
            cluster: st.config.name.clone(),
            seed: st.config.seed,
            pods: list("", "pods"),
            nodes: list("", "nodes"),
            deployments: list("apps", "deployments"),
        }
    }

    /// A snapshot from loose objects (e.g. a scenario's), sorted by kind.
    pub fn from_objects(cluster: &str, seed: u64, objects: impl IntoIterator<Item = Value>) -> Self {
        let mut s = Self {
            cluster: cluster.to_string(),
            seed,
            ..Default::default()
        };
        for o in objects {
            match o["kind"].as_str() {
                Some("Pod") => s.pods.push(o),
                Some("Node") => s.nodes.push(o),
                Some("Deployment") => s.deployments.push(o),
                _ => {}
            }
        }
        s
    }
}

/// Metric type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Monotonic counter.
    Counter,
    /// Gauge.
    Gauge,
}

/// What a series measures.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A constant (object state).
    Const(f64),
    /// CPU seconds used by container `container` of pod `pod` (an index into the snapshot).
    Cpu {
        /// Pod index.
        pod: usize,
        /// Container name.
        container: String,
    },
    /// Working-set memory of a container.
    Memory {
        /// Pod index.
        pod: usize,
        /// Container name.
        container: String,
    },
    /// Restarts of a container.
    Restarts {
        /// Pod index.
        pod: usize,
        /// Container name.
        container: String,
    },
}

/// One series: its label set (already rendered as `{a="b",...}`) and its source.
#[derive(Debug, Clone)]
pub struct Series {
    /// Rendered labels.
    pub labels: String,
    /// Value source.
    pub source: Source,
}

/// A metric family.
#[derive(Debug, Clone)]
pub struct Family {
    /// Metric name (for counters, with `_total`).
    pub name: &'static str,
    /// Help text.
    pub help: &'static str,
    /// Type.
    pub kind: Kind,
    /// Series.
    pub series: Vec<Series>,
}

/// Escapes a label value as the text format requires.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Renders `pairs` as a label set, skipping nothing (empty values are valid labels).
pub fn labels(pairs: &[(&str, &str)]) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{k}=\"{}\"", escape(v));
    }
    out.push('}');
    out
}

fn str_at<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or_default()
}

/// kube-state-metrics' resource label and unit of a Kubernetes resource name.
fn resource_unit(resource: &str) -> (String, &'static str) {
    let unit = match resource {
        "cpu" => "core",
        "memory" | "ephemeral-storage" | "storage" => "byte",
        r if r.starts_with("hugepages-") => "byte",
        _ => "integer",
    };
    (resource.replace(['-', '.', '/'], "_"), unit)
}

/// Series of every quantity in the map at `ptr` (requests, limits, capacity, allocatable).
fn quantity_series(obj: &Value, ptr: &str, base: &[(&str, &str)], out: &mut Vec<Series>) {
    let Some(m) = obj.pointer(ptr).and_then(Value::as_object) else {
        return;
    };
    for (res, q) in m {
        let Some(v) = crate::validation::quantity_value(q) else {
            continue;
        };
        let (name, unit) = resource_unit(res);
        let mut pairs = base.to_vec();
        pairs.push(("resource", &name));
        pairs.push(("unit", unit));
        out.push(Series {
            labels: labels(&pairs),
            source: Source::Const(v),
        });
    }
}

const PHASES: &[&str] = &["Pending", "Running", "Succeeded", "Failed", "Unknown"];

/// The families of a snapshot, in exposition order. `cluster_label` adds `cluster="…"` to every
/// series (for files that hold several clusters).
pub fn families(snap: &Snapshot, cluster_label: bool) -> Vec<Family> {
    let cl = snap.cluster.as_str();
    let with_cluster = |mut pairs: Vec<(&'static str, String)>| -> String {
        if cluster_label {
            pairs.insert(0, ("cluster", cl.to_string()));
        }
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        labels(&refs)
    };
    let fam = |name, help, kind| Family {
        name,
        help,
        kind,
        series: Vec::new(),
    };
    let mut cpu = fam(
        "container_cpu_usage_seconds_total",
        "Cumulative cpu time consumed in seconds.",
        Kind::Counter,
    );
    let mut mem = fam(
        "container_memory_working_set_bytes",
        "Current working set in bytes.",
        Kind::Gauge,
    );
    let mut info = fam("kube_pod_info", "Information about pod.", Kind::Gauge);
    let mut phase = fam("kube_pod_status_phase", "The pods current phase.", Kind::Gauge);
    let mut restarts = fam(
        "kube_pod_container_status_restarts_total",
        "The number of container restarts per container.",
        Kind::Counter,
    );
    let mut waiting = fam(
        "kube_pod_container_status_waiting_reason",
        "Describes the reason the container is currently in waiting state.",
        Kind::Gauge,
    );
    let mut terminated = fam(
        "kube_pod_container_status_last_terminated_reason",
        "Describes the last reason the container was in terminated state.",
        Kind::Gauge,
    );
    let mut requests = fam(
        "kube_pod_container_resource_requests",
        "The number of requested request resource by a container.",
        Kind::Gauge,
    );
    let mut limits = fam(
        "kube_pod_container_resource_limits",
        "The number of requested limit resource by a container.",
        Kind::Gauge,
    );
    for (i, p) in snap.pods.iter().enumerate() {
        let ns = object::namespace(p).to_string();
        let pod = object::name(p).to_string();
        let uid = object::uid(p).to_string();
        let node = str_at(p, "/spec/nodeName").to_string();
        let owner = p
            .pointer("/metadata/ownerReferences/0")
            .map(|o| (str_at(o, "/kind").to_string(), str_at(o, "/name").to_string()))
            .unwrap_or_default();
        info.series.push(Series {
            labels: with_cluster(vec![
                ("namespace", ns.clone()),
                ("pod", pod.clone()),
                ("uid", uid.clone()),
                ("node", node.clone()),
                ("host_ip", str_at(p, "/status/hostIP").to_string()),
                ("pod_ip", str_at(p, "/status/podIP").to_string()),
                ("created_by_kind", owner.0),
                ("created_by_name", owner.1),
            ]),
            source: Source::Const(1.0),
        });
        let current = str_at(p, "/status/phase");
        for ph in PHASES {
            let v = if *ph == current || (current.is_empty() && *ph == "Pending") {
                1.0
            } else {
                0.0
            };
            phase.series.push(Series {
                labels: with_cluster(vec![
                    ("namespace", ns.clone()),
                    ("pod", pod.clone()),
                    ("uid", uid.clone()),
                    ("phase", ph.to_string()),
                ]),
                source: Source::Const(v),
            });
        }
        for c in usage::container_names(p) {
            let spec = usage::container_spec(p, c).cloned().unwrap_or_default();
            let image = str_at(&spec, "/image").to_string();
            let base = vec![
                ("namespace", ns.clone()),
                ("pod", pod.clone()),
                ("uid", uid.clone()),
                ("container", c.to_string()),
            ];
            let cadvisor = with_cluster(vec![
                ("container", c.to_string()),
                ("id", format!("/kubepods/pod{uid}/{c}")),
                ("image", image),
                ("name", c.to_string()),
                ("namespace", ns.clone()),
                ("node", node.clone()),
                ("pod", pod.clone()),
            ]);
            cpu.series.push(Series {
                labels: cadvisor.clone(),
                source: Source::Cpu {
                    pod: i,
                    container: c.to_string(),
                },
            });
            mem.series.push(Series {
                labels: cadvisor,
                source: Source::Memory {
                    pod: i,
                    container: c.to_string(),
                },
            });
            restarts.series.push(Series {
                labels: with_cluster(base.clone()),
                source: Source::Restarts {
                    pod: i,
                    container: c.to_string(),
                },
            });
            let status = usage::container_status(p, c).cloned().unwrap_or_default();
            for (fam, ptr) in [
                (&mut waiting, "/state/waiting/reason"),
                (&mut terminated, "/lastState/terminated/reason"),
            ] {
                let reason = str_at(&status, ptr);
                if !reason.is_empty() {
                    let mut pairs = base.clone();
                    pairs.push(("reason", reason.to_string()));
                    fam.series.push(Series {
                        labels: with_cluster(pairs),
                        source: Source::Const(1.0),
                    });
                }
            }
            let mut node_pairs = base.clone();
            node_pairs.push(("node", node.clone()));
            let mut pairs: Vec<(&str, String)> = node_pairs;
            if cluster_label {
                pairs.insert(0, ("cluster", cl.to_string()));
            }
            let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            quantity_series(&spec, "/resources/requests", &refs, &mut requests.series);
            quantity_series(&spec, "/resources/limits", &refs, &mut limits.series);
        }
    }
    let mut capacity = fam(
        "kube_node_status_capacity",
        "The capacity for different resources of a node.",
        Kind::Gauge,
    );
    let mut allocatable = fam(
        "kube_node_status_allocatable",
        "The allocatable for different resources of a node that are available for scheduling.",
        Kind::Gauge,
    );
    for n in &snap.nodes {
        let mut pairs = vec![("node", object::name(n))];
        if cluster_label {
            pairs.insert(0, ("cluster", cl));
        }
        quantity_series(n, "/status/capacity", &pairs, &mut capacity.series);
        quantity_series(n, "/status/allocatable", &pairs, &mut allocatable.series);
    }
    let mut deploy = Vec::new();
    for (name, help, ptr) in [
        (
            "kube_deployment_spec_replicas",
            "Number of desired pods for a deployment.",
            "/spec/replicas",
        ),
        (
            "kube_deployment_status_replicas",
            "The number of replicas per deployment.",
            "/status/replicas",
        ),
        (
            "kube_deployment_status_replicas_available",
            "The number of available replicas per deployment.",
            "/status/availableReplicas",
        ),
    ] {
        let mut f = fam(name, help, Kind::Gauge);
        for d in &snap.deployments {
            let v = d.pointer(ptr).and_then(Value::as_f64).unwrap_or(0.0);
            f.series.push(Series {
                labels: with_cluster(vec![
                    ("namespace", object::namespace(d).to_string()),
                    ("deployment", object::name(d).to_string()),
                ]),
                source: Source::Const(v),
            });
        }
        deploy.push(f);
    }
    let mut all = vec![
        cpu,
        mem,
        info,
        phase,
        restarts,
        waiting,
        terminated,
        requests,
        limits,
        capacity,
        allocatable,
    ];
    all.extend(deploy);
    all
}

/// CPU time integrated over a piecewise-constant usage (one sample per minute, as the usage
/// model draws them), so the counter and the gauge-like usage agree exactly.
#[derive(Debug, Clone, Copy)]
pub struct CpuIntegral {
    /// Start of the container instance (the counter's zero).
    pub start: jiff::Timestamp,
    /// Time integrated up to.
    pub at: jiff::Timestamp,
    /// Core-seconds so far.
    pub seconds: f64,
}

impl CpuIntegral {
    /// An integral starting at `start` at zero.
    pub fn new(start: jiff::Timestamp) -> Self {
        Self {
            start,
            at: start,
            seconds: 0.0,
        }
    }

    /// Integrates up to `to`; `millicores(minute_start)` is the usage of the minute.
    pub fn advance(&mut self, to: jiff::Timestamp, mut millicores: impl FnMut(jiff::Timestamp) -> f64) {
        while self.at < to {
            let minute = self.at.as_second().div_euclid(60) * 60;
            let minute_start = jiff::Timestamp::from_second(minute).unwrap_or(self.at);
            let next = jiff::Timestamp::from_second(minute + 60).unwrap_or(to);
            let end = next.min(to);
            let dt = end.duration_since(self.at).as_secs_f64();
            self.seconds += millicores(minute_start) / 1000.0 * dt;
            self.at = end;
        }
    }
}

/// Live CPU integrals per container instance: each scrape only integrates the minutes since
/// the previous one. The integral is a pure function of its inputs; this is memoization.
type LiveKey = (usize, String);
static LIVE: OnceLock<Mutex<HashMap<LiveKey, (CpuIntegral, Instant)>>> = OnceLock::new();
/// Entries not read for this long (real time) belong to gone containers or clusters.
const LIVE_TTL: Duration = Duration::from_secs(600);

/// CPU seconds container `c` of `pod` has used since its current instance started.
pub fn live_cpu_seconds(st: &ClusterState, pod: &Value, c: &str, replicas: u32, now: jiff::Timestamp) -> f64 {
    let Some(since) = usage::running_since(pod, c) else {
        return 0.0;
    };
    // The state's address tells concurrent clusters apart (test clusters share names).
    let key = (
        st as *const ClusterState as usize,
        format!("{}/{c}/{since}", object::uid(pod)),
    );
    let cache = LIVE.get_or_init(Default::default);
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    let entry = map
        .entry(key)
        .or_insert_with(|| (CpuIntegral::new(since), Instant::now()));
    let b = usage::behaviour_of(pod, c);
    let seed = st.config.seed;
    entry.0.advance(now, |m| {
        let running = Duration::try_from(m.duration_since(since)).unwrap_or(Duration::ZERO);
        usage::container_cpu(seed, pod, c, &b, m, running, replicas)
    });
    entry.1 = Instant::now();
    let v = entry.0.seconds;
    if map.len() > 4096 {
        map.retain(|_, (_, used)| used.elapsed() < LIVE_TTL);
    }
    v
}

fn type_name(k: Kind) -> &'static str {
    match k {
        Kind::Counter => "counter",
        Kind::Gauge => "gauge",
    }
}

/// The exposition of a cluster now.
pub fn render(st: &ClusterState) -> String {
    let snap = Snapshot::of(st);
    let now = st.clock.now();
    let replicas = Replicas::count(snap.pods.iter());
    let mut out = String::with_capacity(64 * 1024);
    for f in families(&snap, false) {
        let _ = writeln!(out, "# HELP {} {}", f.name, f.help);
        let _ = writeln!(out, "# TYPE {} {}", f.name, type_name(f.kind));
        for s in &f.series {
            let v = match &s.source {
                Source::Const(v) => *v,
                Source::Cpu { pod, container } => {
                    let p = &snap.pods[*pod];
                    if usage::running_since(p, container).is_none() {
                        continue;
                    }
                    live_cpu_seconds(st, p, container, replicas.of(p), now)
                }
                Source::Memory { pod, container } => {
                    let p = &snap.pods[*pod];
                    if usage::running_since(p, container).is_none() {
                        continue;
                    }
                    usage::container_usage(snap.seed, p, container, now, replicas.of(p))
                        .memory_bytes
                        .round()
                }
                Source::Restarts { pod, container } => {
                    f64::from(usage::restart_count(&snap.pods[*pod], container))
                }
            };
            let _ = writeln!(out, "{}{} {}", f.name, s.labels, v);
        }
    }
    out
}

/// The HTTP response of `/metrics`.
pub fn response(st: &ClusterState) -> Response {
    let mut resp = (StatusCode::OK, render(st)).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_integral_is_piecewise_by_minute() {
        let t0: jiff::Timestamp = "2026-01-01T00:00:30Z".parse().unwrap();
        let mut i = CpuIntegral::new(t0);
        // 1000m in the first minute, 2000m in the next.
        let rate = |m: jiff::Timestamp| if m.as_second() % 120 == 0 { 1000.0 } else { 2000.0 };
        i.advance("2026-01-01T00:01:30Z".parse().unwrap(), rate);
        assert_eq!(i.seconds, 30.0 + 60.0);
        assert_eq!(labels(&[("a", "x\"y")]), "{a=\"x\\\"y\"}");
    }
}
