//! The controllers every simulated cluster runs in-process, as kube-controller-manager, the
//! scheduler and the kubelets would: each is a level-triggered [`Controller`] that reconciles
//! the whole cluster in one pass. The manager runs them on every relevant write (a kick) and on
//! a regular tick of the cluster clock.

pub mod crds;
pub mod events;
pub mod gc;
pub mod hpa;
pub mod kubelet;
pub mod namespaces;
pub mod nodes;
pub mod scheduler;
pub mod workloads;

use crate::catalog::{ResourceType, StorageKey};
use crate::crd;
use crate::error::ApiError;
use crate::handlers::delete::DeleteOpts;
use crate::object;
use crate::state::ClusterState;
use crate::store::Mutation;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// One control loop.
pub trait Controller: Send + Sync {
    /// Stable name, for logs.
    fn name(&self) -> &'static str;

    /// One pass over the cluster. Returns how soon (in simulated time) another pass is needed,
    /// when sooner than the regular tick (e.g. a crash-loop back-off expiring).
    fn reconcile(&self, st: &Arc<ClusterState>) -> Option<Duration>;
}

/// The controllers of a fresh cluster, in the order they run.
pub fn standard() -> Vec<Box<dyn Controller>> {
    vec![
        Box::new(namespaces::Namespaces),
        Box::new(crds::CustomResourceDefinitions),
        Box::new(workloads::cronjob::CronJobs::default()),
        Box::new(workloads::job::Jobs::default()),
        Box::new(workloads::deployment::Deployments::default()),
        Box::new(workloads::replicaset::ReplicaSets::default()),
        Box::new(workloads::statefulset::StatefulSets::default()),
        Box::new(workloads::daemonset::DaemonSets::default()),
        Box::new(gc::GarbageCollector::default()),
        Box::new(scheduler::Scheduler::default()),
        Box::new(kubelet::Kubelets::default()),
        Box::new(nodes::NodeLifecycle),
        Box::new(hpa::HorizontalPodAutoscalers::default()),
    ]
}

/// Simulated time between regular passes.
const TICK: Duration = Duration::from_secs(1);
/// Shortest real time between passes, so an accelerated clock cannot spin a core.
const MIN_REAL_GAP: Duration = Duration::from_millis(20);

fn is(rt: &ResourceType, group: &str, plural: &str) -> bool {
    rt.group == group && rt.plural == plural
}

/// Synchronous follow-ups of a write, so clients see their effect at once (a CRD's resources
/// are served as soon as its create returns, as with a fast real control plane).
pub fn after_write(st: &Arc<ClusterState>, rt: &ResourceType, obj: &Value) {
    if is(rt, "apiextensions.k8s.io", "customresourcedefinitions") && !object::is_deleting(obj) {
        install_crd(st, obj);
    }
    if object::is_deleting(obj) || is(rt, "", "namespaces") {
        st.kick.notify_one();
    }
}

fn install_crd(st: &ClusterState, obj: &Value) {
    let name = object::name(obj).to_string();
    {
        let mut cat = st.catalog_mut();
        cat.remove_crd(&name);
        for t in crd::types_of(obj) {
            cat.insert(t);
        }
    }
    if crd::is_established(obj) {
        return;
    }
    let key = StorageKey::new("apiextensions.k8s.io", "customresourcedefinitions");
    let _ = st.store.mutate::<ApiError>(&key, "", &name, |cur| {
        let Some(cur) = cur else { return Ok(Mutation::Keep) };
        let mut v = cur.value.clone();
        v["status"] = crd::established_status(&v, &st.now_string());
        Ok(Mutation::Put(v))
    });
}

/// Runs `controllers` until `shutdown` resolves.
pub async fn run(
    st: Arc<ClusterState>,
    controllers: Vec<Box<dyn Controller>>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut wait = TICK;
    loop {
        let real = st.clock.real_duration(wait).clamp(MIN_REAL_GAP, TICK);
        tokio::select! {
            _ = &mut shutdown => return,
            _ = st.kick.notified() => {}
            _ = tokio::time::sleep(real) => {}
        }
        wait = reconcile(&st, &controllers);
    }
}

/// One pass of every controller; returns the simulated time until the next pass is due.
pub fn reconcile(st: &Arc<ClusterState>, controllers: &[Box<dyn Controller>]) -> Duration {
    let mut wait = TICK;
    for c in controllers {
        if let Some(w) = c.reconcile(st) {
            wait = wait.min(w);
        }
    }
    wait
}

pub(crate) fn background() -> DeleteOpts {
    DeleteOpts {
        policy: Some("Background".into()),
        ..Default::default()
    }
}

/// Removes one finalizer; the object goes away when it was the last one during deletion.
pub(crate) fn remove_finalizer(st: &ClusterState, key: &StorageKey, ns: &str, name: &str, fin: &str) {
    let _ = st.store.mutate::<ApiError>(key, ns, name, |cur| {
        let Some(cur) = cur else { return Ok(Mutation::Keep) };
        let mut fins = object::finalizers(&cur.value);
        if !fins.iter().any(|f| f == fin) {
            return Ok(Mutation::Keep);
        }
        fins.retain(|f| f != fin);
        if fins.is_empty() && object::is_deleting(&cur.value) {
            return Ok(Mutation::Delete);
        }
        let mut v = cur.value.clone();
        object::set_finalizers(&mut v, &fins);
        Ok(Mutation::Put(v))
    });
}
