//! The kubelets of a simulated cluster, one per node, run as one controller: they start bound
//! pods' containers as the behaviour model says (pulls, starts, readiness, crashes, OOM kills,
//! back-offs, completion), post pod status shaped as kubelet 1.33 does, record its events,
//! stop deleted pods gracefully, and keep their nodes' leases and status fresh.
//!
//! Pods are kept in memory by uid with the time of their next change, so a pass over a
//! steady cluster touches no pod and writes nothing.

pub mod container;
pub mod images;
mod node_status;
mod oom;
pub mod pod;
pub mod resources;
mod start;
mod status;

use super::Controller;
use super::events::{self, EventType, Source};
use crate::catalog::StorageKey;
use crate::handlers::delete::{self, DeleteOpts};
use crate::handlers::write::{self, Opts};
use crate::object;
use crate::observe::usage::Replicas;
use crate::state::ClusterState;
use crate::store::Stored;
use jiff::Timestamp;
use pod::{Emit, Env, PodRuntime};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The kubelets.
#[derive(Default)]
pub struct Kubelets {
    inner: Mutex<Inner>,
}

/// What one node's kubelet remembers.
#[derive(Debug, Default)]
pub(crate) struct NodeRuntime {
    /// Images present on the node (normalised).
    images: HashSet<String>,
    /// Next pod IP host part.
    next_ip: u32,
    /// When the lease is renewed next.
    lease_due: Option<Timestamp>,
}

#[derive(Default)]
struct Inner {
    pods: HashMap<String, PodRuntime>,
    nodes: HashMap<String, NodeRuntime>,
    /// Store resourceVersion at the last full pass.
    last_rv: u64,
    /// Earliest pending pod change.
    next_due: Option<Timestamp>,
}

/// What the kubelet needs to know of a node.
struct NodeView {
    running: bool,
    host_ip: String,
    prefix: String,
}

impl Controller for Kubelets {
    fn name(&self) -> &'static str {
        "kubelet"
    }

    fn reconcile(&self, st: &Arc<ClusterState>) -> Option<Duration> {
        let now = st.clock.now();
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let inner = &mut *inner;
        let heartbeat = node_status::heartbeat(st, &mut inner.nodes, &inner.pods, now);
        let rv = st.store.current_rv();
        if rv != inner.last_rv || inner.next_due.is_some_and(|d| d <= now) {
            inner.last_rv = rv;
            inner.next_due = sync_pods(st, inner, now);
        }
        [heartbeat, inner.next_due]
            .into_iter()
            .flatten()
            .min()
            .map(|t| Duration::try_from(t.duration_since(now)).unwrap_or(Duration::ZERO))
    }
}

fn node_views(st: &ClusterState) -> HashMap<String, NodeView> {
    let (nodes, _) = st.store.list(&StorageKey::new("", "nodes"), None);
    nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let v = &n.value;
            let host_ip = v["status"]["addresses"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|a| a["type"] == "InternalIP")
                .and_then(|a| a["address"].as_str())
                .unwrap_or("10.0.0.10")
                .to_string();
            // 10.244.N.0/24 gives pod IPs 10.244.N.x.
            let prefix = v["spec"]["podCIDR"]
                .as_str()
                .and_then(|c| c.split('/').next())
                .and_then(|ip| ip.rsplit_once('.').map(|(p, _)| format!("{p}.")))
                .unwrap_or_else(|| format!("10.244.{}.", i + 1));
            let view = NodeView {
                running: crate::control::nodes::kubelet_running(v),
                host_ip,
                prefix,
            };
            (object::name(v).to_string(), view)
        })
        .collect()
}

fn sync_pods(st: &Arc<ClusterState>, inner: &mut Inner, now: Timestamp) -> Option<Timestamp> {
    let nodes = node_views(st);
    let (pods, _) = st.store.list(&StorageKey::new("", "pods"), None);
    let mut live = HashSet::with_capacity(pods.len());
    // Ready replicas per workload, counted once per pass and only if a shared load needs it.
    let mut replicas: Option<Replicas> = None;
    let mut next: Option<Timestamp> = None;
    for s in &pods {
        let v = &s.value;
        let node = v["spec"]["nodeName"].as_str().unwrap_or_default();
        let Some(view) = nodes.get(node).filter(|n| n.running) else {
            continue;
        };
        let uid = object::uid(v);
        live.insert(uid.to_string());
        let skip = inner.pods.get(uid).is_some_and(|r| {
            r.seen_rv == s.rv
                && r.due().is_none_or(|d| d > now)
                && (r.kill.is_some() || !object::is_deleting(v))
        });
        if !skip {
            let mut count = || {
                replicas
                    .get_or_insert_with(|| Replicas::count(pods.iter().map(|s| &s.value)))
                    .of(v)
            };
            sync_pod(st, inner, s, node, view, now, &mut count);
        }
        if let Some(d) = inner.pods.get(uid).and_then(PodRuntime::due) {
            next = Some(next.map_or(d, |n| n.min(d)));
        }
    }
    // Pods gone (or on stopped nodes, which resume with a fresh view of their pods).
    inner.pods.retain(|uid, _| live.contains(uid));
    next
}

fn sync_pod(
    st: &Arc<ClusterState>,
    inner: &mut Inner,
    s: &Stored,
    node: &str,
    view: &NodeView,
    now: Timestamp,
    replicas: &mut dyn FnMut() -> u32,
) {
    let v = &s.value;
    let uid = object::uid(v).to_string();
    let seed = st.config.seed;
    let nrt = inner.nodes.entry(node.to_string()).or_default();
    let mut emits = Vec::new();
    // A status someone else wrote (a script or test playing kubelet) is taken as the truth:
    // the pod is adopted again from it rather than overwritten.
    let rewritten = inner.pods.get(&uid).is_some_and(|r| {
        r.seen_rv != s.rv && r.kill.is_none() && r.status_hash != status::hash(&v["status"])
    });
    if rewritten {
        inner.pods.remove(&uid);
    }
    if !inner.pods.contains_key(&uid) {
        let (rt, warnings) = start::runtime(v, node, &view.host_ip, &view.prefix, nrt, now, seed);

        for w in warnings {
            let src = source(node);
            events::record(st, v, None, EventType::Warning, "InvalidBehaviour", &w, src);
        }
        inner.pods.insert(uid.clone(), rt);
    }
    let Some(rt) = inner.pods.get_mut(&uid) else {
        return;
    };
    if object::is_deleting(v) && rt.kill.is_none() {
        let deadline = v["metadata"]["deletionTimestamp"]
            .as_str()
            .and_then(|t| t.parse::<Timestamp>().ok())
            .unwrap_or(now);
        emits.extend(rt.begin_kill(now, deadline, seed));
    }
    let shared = rt
        .main
        .iter()
        .any(|c| c.behaviour.memory.as_ref().is_some_and(|m| m.shared_by_replicas));
    let mut env = Env {
        seed,
        images: &mut nrt.images,
        pod: v,
        replicas: if shared { replicas() } else { 1 },
    };
    emits.extend(rt.advance(now, &mut env));
    record(st, v, node, &emits);
    let status = status::render(rt, &v["status"]);
    let finished = rt.kill.is_some_and(|k| k.done);
    rt.seen_rv = s.rv;
    if status != v["status"] {
        let h = status::hash(&status);
        match write_status(st, v, status) {
            Some(rv) => {
                rt.seen_rv = rv;
                rt.status_hash = h;
            }
            // A conflicting write: look again next pass.
            None => rt.seen_rv = 0,
        }
    }
    if finished {
        let o = DeleteOpts {
            uid: Some(uid.clone()),
            grace_period: Some(0),
            ..Default::default()
        };
        if let Some(prt) = st.resource("", "v1", "pods") {
            let _ = delete::delete_object(st, &prt, object::namespace(v), object::name(v), &o);
        }
    }
}

fn source(node: &str) -> Source<'_> {
    Source {
        component: "kubelet",
        host: Some(node),
    }
}

fn record(st: &Arc<ClusterState>, pod: &Value, node: &str, emits: &[Emit]) {
    let node_obj = || {
        st.store
            .get(&StorageKey::new("", "nodes"), "", node)
            .map(|n| n.value.clone())
    };
    for e in emits {
        let ty = if e.warning {
            EventType::Warning
        } else {
            EventType::Normal
        };
        if e.on_node {
            if let Some(n) = node_obj() {
                let src = Source {
                    component: "kernel-monitor",
                    host: Some(node),
                };
                events::record(st, &n, None, ty, e.reason, &e.message, src);
            }
        } else {
            events::record(
                st,
                pod,
                e.field_path.as_deref(),
                ty,
                e.reason,
                &e.message,
                source(node),
            );
        }
    }
}

/// Posts a pod's status; the new resourceVersion, or `None` when the write failed.
fn write_status(st: &Arc<ClusterState>, pod: &Value, status: Value) -> Option<u64> {
    let rt = st.resource("", "v1", "pods")?;
    let mut v = pod.clone();
    v["status"] = status;
    let (ns, name) = (object::namespace(pod).to_string(), object::name(pod).to_string());
    let res = write::update(
        st,
        &rt,
        Some(&ns),
        &name,
        v,
        Some("status"),
        &Opts::internal("kubelet"),
    )
    .ok()?;
    object::resource_version(&res.obj).parse().ok()
}
