//! Cluster snapshots: every object analyzers look at, read with one paginated LIST per kind per
//! cluster, the kinds concurrently, the clusters through the fan-out executor. A kind that
//! cannot be read (RBAC, not served) is recorded in [`ClusterSnapshot::unreadable`] and the
//! snapshot is still returned; only a cluster where nothing can be read becomes an error row.

use crate::classify;
use crate::fanout::FanOut;
use crate::ops::get::Connected;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    Endpoints, Event, Namespace, Node, PersistentVolumeClaim, Pod, ReplicationController, Service,
};
use k8s_openapi::api::networking::v1::{Ingress, IngressClass};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kube::api::{Api, ListParams};
use kube::core::NamespaceResourceScope;
use kubegenie_core::outcome::{ClusterError, ErrorClass};
use serde::de::DeserializeOwned;
use std::fmt::Debug;

/// Objects per LIST page (kubectl's default chunk size).
const PAGE: u32 = 500;

/// A kind that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// Plural resource name (`pods`, `horizontalpodautoscalers`).
    pub resource: &'static str,
    /// Why.
    pub reason: ErrorClass,
    /// The server's message.
    pub message: String,
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {:?}: {}", self.resource, self.reason, self.message)
    }
}

/// Everything analyzers read from one cluster, at one moment.
#[derive(Debug, Clone, Default)]
pub struct ClusterSnapshot {
    /// Cluster name.
    pub cluster: String,
    /// When the snapshot was taken, on the cluster's clock when that is ahead of ours;
    /// analyzers measure ages against it, never the wall clock.
    pub taken_at: jiff::Timestamp,
    /// The API server's `gitVersion` (`v1.33.1`), when `/version` answered.
    pub server_version: Option<String>,
    /// Namespaces.
    pub namespaces: Vec<Namespace>,
    /// Nodes.
    pub nodes: Vec<Node>,
    /// Pods.
    pub pods: Vec<Pod>,
    /// Deployments.
    pub deployments: Vec<Deployment>,
    /// ReplicaSets.
    pub replica_sets: Vec<ReplicaSet>,
    /// ReplicationControllers.
    pub replication_controllers: Vec<ReplicationController>,
    /// StatefulSets.
    pub stateful_sets: Vec<StatefulSet>,
    /// DaemonSets.
    pub daemon_sets: Vec<DaemonSet>,
    /// Jobs.
    pub jobs: Vec<Job>,
    /// CronJobs.
    pub cron_jobs: Vec<CronJob>,
    /// Services.
    pub services: Vec<Service>,
    /// Endpoints (one per Service that has an endpoints controller behind it).
    pub endpoints: Vec<Endpoints>,
    /// PersistentVolumeClaims.
    pub pvcs: Vec<PersistentVolumeClaim>,
    /// HorizontalPodAutoscalers (autoscaling/v2).
    pub hpas: Vec<HorizontalPodAutoscaler>,
    /// PodDisruptionBudgets.
    pub pdbs: Vec<PodDisruptionBudget>,
    /// Ingresses.
    pub ingresses: Vec<Ingress>,
    /// IngressClasses.
    pub ingress_classes: Vec<IngressClass>,
    /// Events (core/v1).
    pub events: Vec<Event>,
    /// Kinds that could not be read, so a clean result is never mistaken for a complete one.
    pub unreadable: Vec<Unreadable>,
}

impl ClusterSnapshot {
    /// Whether `resource` (plural) was read.
    pub fn has(&self, resource: &str) -> bool {
        !self.unreadable.iter().any(|u| u.resource == resource)
    }

    /// Events about one object (`kind`, `namespace`, `name`), newest last.
    pub fn events_for<'a>(
        &'a self,
        kind: &'a str,
        namespace: Option<&'a str>,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Event> + 'a {
        self.events.iter().filter(move |e| {
            let o = &e.involved_object;
            o.kind.as_deref() == Some(kind)
                && o.name.as_deref() == Some(name)
                && (namespace.is_none() || o.namespace.as_deref() == namespace)
        })
    }
}

/// Where to read from: every namespace, or one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// `None` reads every namespace.
    pub namespace: Option<String>,
}

/// Lists every object of `K` in `scope`, page by page.
async fn list_all<K>(client: &kube::Client, scope: &Scope) -> Result<Vec<K>, kube::Error>
where
    K: kube::Resource<Scope = NamespaceResourceScope> + Clone + DeserializeOwned + Debug,
    K::DynamicType: Default,
{
    let api: Api<K> = match &scope.namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    };
    pages(&api).await
}

async fn list_cluster<K>(client: &kube::Client) -> Result<Vec<K>, kube::Error>
where
    K: kube::Resource + Clone + DeserializeOwned + Debug,
    K::DynamicType: Default,
{
    pages(&Api::<K>::all(client.clone())).await
}

async fn pages<K>(api: &Api<K>) -> Result<Vec<K>, kube::Error>
where
    K: kube::Resource + Clone + DeserializeOwned + Debug,
{
    let mut out = Vec::new();
    let mut params = ListParams::default().limit(PAGE);
    loop {
        let list = api.list(&params).await?;
        out.extend(list.items);
        match list.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => return Ok(out),
        }
    }
}

/// Stores a list's result, or records the kind as unreadable.
fn keep<T>(
    slot: &mut Vec<T>,
    failures: &mut Vec<(Unreadable, kube::Error)>,
    resource: &'static str,
    res: Result<Vec<T>, kube::Error>,
) {
    match res {
        Ok(items) => *slot = items,
        Err(e) => failures.push((
            Unreadable {
                resource,
                reason: classify::classify(&e),
                message: api_message(&e),
            },
            e,
        )),
    }
}

fn api_message(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) => s.message.clone(),
        other => other.to_string(),
    }
}

/// Takes a snapshot of one cluster. Fails only when nothing at all could be read; the error
/// is then the first kind's, which names the real cause (unreachable, 401, ...).
pub async fn collect(c: &Connected, scope: &Scope) -> Result<ClusterSnapshot, ClusterError> {
    let cl = &c.client;
    let (version, namespaces, nodes, pods, deployments, replica_sets, rcs, stateful_sets, daemon_sets) = tokio::join!(
        cl.apiserver_version(),
        list_cluster::<Namespace>(cl),
        list_cluster::<Node>(cl),
        list_all::<Pod>(cl, scope),
        list_all::<Deployment>(cl, scope),
        list_all::<ReplicaSet>(cl, scope),
        list_all::<ReplicationController>(cl, scope),
        list_all::<StatefulSet>(cl, scope),
        list_all::<DaemonSet>(cl, scope),
    );
    let (jobs, cron_jobs, services, endpoints, pvcs, hpas, pdbs, ingresses, ingress_classes, events) = tokio::join!(
        list_all::<Job>(cl, scope),
        list_all::<CronJob>(cl, scope),
        list_all::<Service>(cl, scope),
        list_all::<Endpoints>(cl, scope),
        list_all::<PersistentVolumeClaim>(cl, scope),
        list_all::<HorizontalPodAutoscaler>(cl, scope),
        list_all::<PodDisruptionBudget>(cl, scope),
        list_all::<Ingress>(cl, scope),
        list_cluster::<IngressClass>(cl),
        list_all::<Event>(cl, scope),
    );
    let mut s = ClusterSnapshot {
        cluster: c.name.clone(),
        taken_at: jiff::Timestamp::now(),
        server_version: version.ok().map(|v| v.git_version),
        ..Default::default()
    };
    let mut failed = Vec::new();
    let f = &mut failed;
    keep(&mut s.namespaces, f, "namespaces", namespaces);
    keep(&mut s.nodes, f, "nodes", nodes);
    keep(&mut s.pods, f, "pods", pods);
    keep(&mut s.deployments, f, "deployments", deployments);
    keep(&mut s.replica_sets, f, "replicasets", replica_sets);
    keep(&mut s.replication_controllers, f, "replicationcontrollers", rcs);
    keep(&mut s.stateful_sets, f, "statefulsets", stateful_sets);
    keep(&mut s.daemon_sets, f, "daemonsets", daemon_sets);
    keep(&mut s.jobs, f, "jobs", jobs);
    keep(&mut s.cron_jobs, f, "cronjobs", cron_jobs);
    keep(&mut s.services, f, "services", services);
    keep(&mut s.endpoints, f, "endpoints", endpoints);
    keep(&mut s.pvcs, f, "persistentvolumeclaims", pvcs);
    keep(&mut s.hpas, f, "horizontalpodautoscalers", hpas);
    keep(&mut s.pdbs, f, "poddisruptionbudgets", pdbs);
    keep(&mut s.ingresses, f, "ingresses", ingresses);
    keep(&mut s.ingress_classes, f, "ingressclasses", ingress_classes);
    keep(&mut s.events, f, "events", events);
    if failed.len() == KINDS {
        let (_, e) = failed.swap_remove(0);
        return Err(classify::cluster_error(&c.name, &e));
    }
    s.unreadable = failed.into_iter().map(|(u, _)| u).collect();
    if let Some(latest) = latest_stamp(&s) {
        s.taken_at = s.taken_at.max(latest);
    }
    Ok(s)
}

/// The latest time the cluster wrote into the snapshot (heartbeats, events, pod conditions).
/// When it is later than our clock, the cluster's clock is ahead (skew, or a simulated clock
/// running fast) and ages must be measured on the cluster's clock, or fresh problems would look
/// like they are in the future.
fn latest_stamp(s: &ClusterSnapshot) -> Option<jiff::Timestamp> {
    let nodes = s
        .nodes
        .iter()
        .filter_map(|n| n.status.as_ref()?.conditions.as_ref())
        .flatten()
        .filter_map(|c| c.last_heartbeat_time.as_ref().map(|t| t.0));
    let events = s.events.iter().filter_map(|e| {
        e.last_timestamp
            .as_ref()
            .map(|t| t.0)
            .or_else(|| e.event_time.as_ref().map(|t| t.0))
    });
    let pods = s
        .pods
        .iter()
        .filter_map(|p| p.status.as_ref()?.conditions.as_ref())
        .flatten()
        .filter_map(|c| c.last_transition_time.as_ref().map(|t| t.0));
    nodes.chain(events).chain(pods).max()
}

/// Kinds listed per snapshot.
pub const KINDS: usize = 18;

/// Snapshots of many clusters through the fan-out executor: snapshots in the order the
/// clusters were given, and an error row per cluster that could not be read at all.
pub async fn collect_fleet(
    clusters: &[Connected],
    scope: &Scope,
    fan: FanOut,
) -> (Vec<ClusterSnapshot>, Vec<ClusterError>) {
    let results = fan
        .collect_with(clusters.to_vec(), |c: Connected| {
            let scope = scope.clone();
            async move { collect(&c, &scope).await }
        })
        .await;
    let (mut snaps, mut errors) = (Vec::new(), Vec::new());
    for (_, res) in results {
        match res {
            Ok(Ok(s)) => snaps.push(s),
            Ok(Err(e)) | Err(e) => errors.push(e),
        }
    }
    (snaps, errors)
}
