//! The scenario file format (documented in `docs/scenarios.md`). Fields whose values are checked
//! after parsing (names that must exist, durations, instance types) are `Spanned`, so those
//! errors can point at the line too.

use super::nodes::Provider;
use crate::behaviour::Behaviour;
use serde::Deserialize;
use serde_json::{Map, Value};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;

/// String labels.
pub type Labels = BTreeMap<String, String>;

/// A whole scenario: a fleet of clusters and what happens in them.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    /// Name, for logs.
    #[serde(default)]
    pub name: Option<String>,
    /// Default seed (the command line's `--seed` wins).
    #[serde(default)]
    pub seed: Option<u64>,
    /// The clusters.
    pub clusters: Vec<ClusterSpec>,
}

/// One cluster.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterSpec {
    /// Cluster name (also the kubeconfig context name).
    pub name: Spanned<String>,
    /// Kubernetes version the cluster reports, e.g. `v1.31.4` (a missing `v` is added).
    #[serde(default)]
    pub kubernetes_version: Option<String>,
    /// Where it runs.
    #[serde(default)]
    pub provider: Provider,
    /// Region (the provider's main region by default).
    #[serde(default)]
    pub region: Option<String>,
    /// Labels of the cluster itself (env, team...): on its ClusterProfile and for registration.
    #[serde(default)]
    pub labels: Labels,
    /// When set, this cluster is a hub holding ClusterProfiles of other clusters.
    #[serde(default)]
    pub inventory: Option<Inventory>,
    /// Node pools (a cluster without any gets one pool of three default nodes).
    #[serde(default)]
    pub node_pools: Vec<NodePool>,
    /// Namespaces to create (workload namespaces are created anyway).
    #[serde(default)]
    pub namespaces: Vec<NamespaceSpec>,
    /// Workloads.
    #[serde(default)]
    pub workloads: Vec<Workload>,
    /// Any further objects, as Kubernetes manifests.
    #[serde(default)]
    pub manifests: Vec<Spanned<Map<String, Value>>>,
    /// Changes at points in simulated time.
    #[serde(default)]
    pub timeline: Vec<TimelineEntry>,
}

/// ClusterProfiles a hub holds.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Inventory {
    /// Namespace of the ClusterProfiles.
    #[serde(default = "default_inventory_namespace")]
    pub namespace: String,
    /// `spec.clusterManager.name` and the `x-k8s.io/cluster-manager` label.
    #[serde(default = "default_cluster_manager")]
    pub cluster_manager: String,
    /// Clusters to publish (every other cluster of the scenario by default).
    #[serde(default)]
    pub clusters: Option<Vec<Spanned<String>>>,
}

fn default_inventory_namespace() -> String {
    "fleet-system".into()
}

fn default_cluster_manager() -> String {
    "kubegenie".into()
}

/// A group of identical nodes.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodePool {
    /// Pool name (node group / node pool / agent pool).
    pub name: String,
    /// Number of nodes.
    #[serde(default = "default_count")]
    pub count: usize,
    /// Machine type (the provider's default type when missing).
    #[serde(default)]
    pub instance_type: Option<Spanned<String>>,
    /// Zones the nodes are spread over, round robin (the region's a/b/c by default).
    #[serde(default)]
    pub zones: Vec<String>,
    /// Spot / preemptible capacity.
    #[serde(default)]
    pub spot: bool,
    /// Control-plane nodes (self-managed clusters).
    #[serde(default)]
    pub control_plane: bool,
    /// Extra node labels.
    #[serde(default)]
    pub labels: Labels,
    /// Extra taints (`key`, `value`, `effect`).
    #[serde(default)]
    pub taints: Vec<Taint>,
}

fn default_count() -> usize {
    1
}

/// A node taint.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Taint {
    /// Key.
    pub key: String,
    /// Value.
    #[serde(default)]
    pub value: Option<String>,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    pub effect: Spanned<String>,
}

/// A namespace.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NamespaceSpec {
    /// Name.
    pub name: String,
    /// Labels (e.g. `team`).
    #[serde(default)]
    pub labels: Labels,
}

/// Kinds of generated workloads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum WorkloadKind {
    /// apps/v1 Deployment.
    #[default]
    Deployment,
    /// apps/v1 StatefulSet.
    StatefulSet,
    /// apps/v1 DaemonSet.
    DaemonSet,
    /// batch/v1 Job.
    Job,
    /// batch/v1 CronJob.
    CronJob,
    /// A bare v1 Pod.
    Pod,
}

/// A workload, expanded into its Kubernetes object.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Workload {
    /// Kind (Deployment by default).
    #[serde(default)]
    pub kind: WorkloadKind,
    /// Name (also the container name and the `app` label).
    pub name: Spanned<String>,
    /// Namespace (`default` by default).
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// Container image.
    pub image: String,
    /// Replicas (Deployment, StatefulSet); parallelism for Jobs.
    #[serde(default = "default_replicas")]
    pub replicas: u32,
    /// Container resources, as in a pod spec (`requests`, `limits`).
    #[serde(default)]
    pub resources: Option<Value>,
    /// How the containers behave (becomes the `sim.kubegenie.io/behaviour` annotation).
    #[serde(default)]
    pub behaviour: Option<Behaviour>,
    /// Probes, as in a container spec (`readiness`, `liveness`, `startup`).
    #[serde(default)]
    pub probes: Option<Probes>,
    /// Container ports.
    #[serde(default)]
    pub ports: Vec<u16>,
    /// Extra labels on the workload and its pods.
    #[serde(default)]
    pub labels: Labels,
    /// Extra pod annotations.
    #[serde(default)]
    pub annotations: Labels,
    /// Run the container privileged.
    #[serde(default)]
    pub privileged: bool,
    /// Pod `nodeSelector`.
    #[serde(default)]
    pub node_selector: Labels,
    /// Pod `tolerations`, as in a pod spec.
    #[serde(default)]
    pub tolerations: Vec<Value>,
    /// Service account of the pods.
    #[serde(default)]
    pub service_account: Option<String>,
    /// Also create a ClusterIP Service for the first port.
    #[serde(default)]
    pub service: bool,
    /// CronJob schedule.
    #[serde(default)]
    pub schedule: Option<String>,
    /// Container command.
    #[serde(default)]
    pub command: Vec<String>,
}

fn default_namespace() -> String {
    "default".into()
}

fn default_replicas() -> u32 {
    1
}

/// Container probes (Kubernetes probe objects).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Probes {
    /// readinessProbe.
    #[serde(default)]
    pub readiness: Option<Value>,
    /// livenessProbe.
    #[serde(default)]
    pub liveness: Option<Value>,
    /// startupProbe.
    #[serde(default)]
    pub startup: Option<Value>,
}

/// One change at a point in simulated time. Exactly one action field is set.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TimelineEntry {
    /// When, after the cluster starts: `+90s`, `+10m`, `+2h`, `+1d`, `+1h30m`.
    pub at: Spanned<String>,
    /// Set the image of a workload's container (a new rollout).
    #[serde(default)]
    pub set_image: Option<SetImage>,
    /// Scale a workload.
    #[serde(default)]
    pub scale: Option<Scale>,
    /// Make a node fail (NotReady, unreachable).
    #[serde(default)]
    pub fail_node: Option<NodeRef>,
    /// Delete pods.
    #[serde(default)]
    pub delete_pod: Option<PodRef>,
    /// Create (or replace) an object.
    #[serde(default)]
    pub apply: Option<Map<String, Value>>,
}

/// Set the image of a workload.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetImage {
    /// Workload kind (Deployment by default).
    #[serde(default)]
    pub kind: WorkloadKind,
    /// Workload name.
    pub workload: String,
    /// Namespace.
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// Container (the first container by default).
    #[serde(default)]
    pub container: Option<String>,
    /// New image.
    pub image: String,
}

/// Scale a workload.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scale {
    /// Workload kind (Deployment by default).
    #[serde(default)]
    pub kind: WorkloadKind,
    /// Workload name.
    pub workload: String,
    /// Namespace.
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// New replica count.
    pub replicas: u32,
}

/// A node, by name or by pool and index.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodeRef {
    /// Node name.
    #[serde(default)]
    pub node: Option<String>,
    /// Node pool.
    #[serde(default)]
    pub pool: Option<String>,
    /// Index in the pool (0 by default).
    #[serde(default)]
    pub index: usize,
}

/// Pods, by name or label selector.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodRef {
    /// Namespace.
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// Pod name.
    #[serde(default)]
    pub name: Option<String>,
    /// Label selector (`app=checkout`): deletes matching pods.
    #[serde(default)]
    pub selector: Option<String>,
    /// At most this many pods (all matching by default).
    #[serde(default)]
    pub count: Option<usize>,
}
