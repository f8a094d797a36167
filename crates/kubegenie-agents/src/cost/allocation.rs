//! Cost allocation as OpenCost does it: over a window, each container is charged
//! `max(request, usage)` of CPU and memory (and its GPU requests) at the unit prices of the node
//! it runs on; what the node's capacity holds beyond that is the node's idle cost. Roll-ups by
//! cluster, namespace, workload or any label always sum to the nodes' cost, idle included.

use super::prices::{Capacity, NodePrice, PriceBook};
use k8s_openapi::api::core::v1::{Container, Namespace, Node, Pod};
use kubegenie_core::quantity::{self, GIB};
use std::collections::{BTreeMap, HashMap};

/// The key of idle cost in roll-ups.
pub const IDLE: &str = "__idle__";
/// The key of allocations without the label grouped by.
pub const UNALLOCATED: &str = "__unallocated__";

/// Average use of one container over the window.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Usage {
    /// CPU cores.
    pub cpu_cores: f64,
    /// Working-set bytes.
    pub memory_bytes: f64,
}

/// `(namespace, pod, container)`.
pub type ContainerKey = (String, String, String);

/// What allocation is based on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Basis {
    /// max(request, usage) per container, usage from the metrics history.
    RequestsAndUsage,
    /// Requests only: no usage history was available.
    RequestsOnly,
}

/// One cluster's objects, and the usage over the window if known.
pub struct ClusterInput<'a> {
    /// Cluster name.
    pub cluster: &'a str,
    /// Nodes.
    pub nodes: &'a [Node],
    /// Pods.
    pub pods: &'a [Pod],
    /// Namespaces (their labels are the fallback of label roll-ups, e.g. `team`).
    pub namespaces: &'a [Namespace],
    /// Average usage per container over the window; `None` when there is no history.
    pub usage: Option<&'a HashMap<ContainerKey, Usage>>,
}

/// The cost of one pod over the window.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Allocation {
    /// Cluster.
    pub cluster: String,
    /// Namespace.
    pub namespace: String,
    /// The controlling workload, `Deployment/checkout`, or `Pod/name` for a bare pod.
    pub workload: String,
    /// Pod.
    pub pod: String,
    /// Node.
    pub node: String,
    /// Pod labels, with the namespace's labels under keys the pod does not set.
    #[serde(skip)]
    pub labels: BTreeMap<String, String>,
    /// CPU cores charged.
    pub cpu_cores: f64,
    /// Memory GiB charged.
    pub memory_gib: f64,
    /// CPU cost over the window (USD).
    pub cpu_cost: f64,
    /// Memory cost over the window (USD).
    pub memory_cost: f64,
    /// GPU cost over the window (USD).
    pub gpu_cost: f64,
}

impl Allocation {
    /// Total cost over the window.
    pub fn total(&self) -> f64 {
        self.cpu_cost + self.memory_cost + self.gpu_cost
    }
}

/// One node's cost over the window and the part no pod holds.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeCost {
    /// Cluster.
    pub cluster: String,
    /// Node.
    pub node: String,
    /// Instance type, when labelled.
    pub instance_type: Option<String>,
    /// Spot or preemptible.
    pub spot: bool,
    /// USD per hour.
    pub hourly: f64,
    /// Cost over the window.
    pub cost: f64,
    /// Idle cost over the window (capacity no pod was charged for).
    pub idle: f64,
}

/// Allocations and node costs of a fleet over a window.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CostReport {
    /// Window length in hours.
    pub window_hours: f64,
    /// Requests and usage, or requests only.
    pub basis: Basis,
    /// Per pod.
    pub allocations: Vec<Allocation>,
    /// Per node.
    pub nodes: Vec<NodeCost>,
}

/// What to group a roll-up by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupBy {
    /// Cluster.
    Cluster,
    /// `cluster/namespace`.
    Namespace,
    /// `cluster/namespace/Kind/name`.
    Workload,
    /// A pod (or namespace) label's value.
    Label(String),
}

/// One row of a roll-up.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CostRow {
    /// The group (or [`IDLE`], [`UNALLOCATED`]).
    pub key: String,
    /// CPU cost over the window.
    pub cpu_cost: f64,
    /// Memory cost over the window.
    pub memory_cost: f64,
    /// GPU cost over the window.
    pub gpu_cost: f64,
    /// Total over the window.
    pub total: f64,
    /// Total projected to a month.
    pub monthly: f64,
}

fn requests(c: &Container) -> (f64, f64, f64) {
    let req = c.resources.as_ref().and_then(|r| r.requests.as_ref());
    let get = |k: &str| {
        req.and_then(|m| m.get(k))
            .and_then(|q| quantity::parse(&q.0).ok())
            .unwrap_or(0.0)
    };
    (get("cpu"), get("memory"), get("nvidia.com/gpu"))
}

fn capacity(node: &Node) -> Capacity {
    let cap = node.status.as_ref().and_then(|s| s.capacity.as_ref());
    let get = |k: &str| {
        cap.and_then(|m| m.get(k))
            .and_then(|q| quantity::parse(&q.0).ok())
            .unwrap_or(0.0)
    };
    Capacity {
        cpu_cores: get("cpu"),
        memory_gib: get("memory") / GIB,
        gpus: get("nvidia.com/gpu"),
    }
}

/// The workload that controls a pod: a ReplicaSet made by a Deployment reports the Deployment.
pub fn workload_of(pod: &Pod) -> String {
    let meta = &pod.metadata;
    let owner = meta
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true));
    let Some(o) = owner else {
        return format!("Pod/{}", meta.name.as_deref().unwrap_or_default());
    };
    let hash = meta.labels.as_ref().and_then(|l| l.get("pod-template-hash"));
    match (o.kind.as_str(), hash) {
        ("ReplicaSet", Some(h)) => match o.name.strip_suffix(&format!("-{h}")) {
            Some(d) => format!("Deployment/{d}"),
            None => format!("ReplicaSet/{}", o.name),
        },
        (kind, _) => format!("{kind}/{}", o.name),
    }
}

fn is_active(pod: &Pod) -> bool {
    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
    !matches!(phase, Some("Succeeded" | "Failed"))
}

/// One pod's charge before capping at node capacity.
struct Charge {
    alloc: Allocation,
    cpu: f64,
    mem_gib: f64,
    gpus: f64,
}

fn charge(input: &ClusterInput<'_>, pod: &Pod, node: &str, ns_labels: &BTreeMap<String, String>) -> Charge {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    let (mut cpu, mut mem, mut gpus) = (0.0, 0.0, 0.0);
    for c in pod.spec.iter().flat_map(|s| &s.containers) {
        let (rc, rm, rg) = requests(c);
        let used = input
            .usage
            .and_then(|u| u.get(&(ns.clone(), name.clone(), c.name.clone())))
            .copied()
            .unwrap_or_default();
        cpu += rc.max(used.cpu_cores);
        mem += rm.max(used.memory_bytes);
        gpus += rg;
    }
    let mut labels = pod.metadata.labels.clone().unwrap_or_default();
    for (k, v) in ns_labels {
        labels.entry(k.clone()).or_insert_with(|| v.clone());
    }
    Charge {
        alloc: Allocation {
            cluster: input.cluster.to_string(),
            namespace: ns,
            workload: workload_of(pod),
            pod: name,
            node: node.to_string(),
            labels,
            cpu_cores: 0.0,
            memory_gib: 0.0,
            cpu_cost: 0.0,
            memory_cost: 0.0,
            gpu_cost: 0.0,
        },
        cpu,
        mem_gib: mem / GIB,
        gpus,
    }
}

/// Charges the pods of one node, scaled down when they hold more than its capacity, and
/// returns the node's cost with its idle part.
fn settle_node(
    cluster: &str,
    node: &Node,
    price: &NodePrice,
    cap: Capacity,
    hours: f64,
    charges: &mut [Charge],
) -> NodeCost {
    let sum = |f: fn(&Charge) -> f64| charges.iter().map(f).sum::<f64>();
    let fit = |want: f64, have: f64| {
        if want > have && want > 0.0 {
            have / want
        } else {
            1.0
        }
    };
    let (kc, km, kg) = (
        fit(sum(|c| c.cpu), cap.cpu_cores),
        fit(sum(|c| c.mem_gib), cap.memory_gib),
        fit(sum(|c| c.gpus), cap.gpus),
    );
    for c in charges.iter_mut() {
        let a = &mut c.alloc;
        a.cpu_cores = c.cpu * kc;
        a.memory_gib = c.mem_gib * km;
        a.cpu_cost = a.cpu_cores * price.cpu_core_hour * hours;
        a.memory_cost = a.memory_gib * price.memory_gib_hour * hours;
        a.gpu_cost = c.gpus * kg * price.gpu_hour * hours;
    }
    let cost = (cap.cpu_cores * price.cpu_core_hour
        + cap.memory_gib * price.memory_gib_hour
        + cap.gpus * price.gpu_hour)
        * hours;
    let allocated: f64 = charges.iter().map(|c| c.alloc.total()).sum();
    let labels = node.metadata.labels.clone().unwrap_or_default();
    NodeCost {
        cluster: cluster.to_string(),
        node: node.metadata.name.clone().unwrap_or_default(),
        instance_type: super::prices::instance_type(&labels).map(str::to_string),
        spot: price.spot,
        hourly: price.hourly,
        cost,
        idle: (cost - allocated).max(0.0),
    }
}

/// Allocates the cost of every node of `clusters` over `window_hours`.
pub fn allocate(clusters: &[ClusterInput<'_>], prices: &PriceBook, window_hours: f64) -> CostReport {
    let mut report = CostReport {
        window_hours,
        basis: if clusters.iter().all(|c| c.usage.is_some()) {
            Basis::RequestsAndUsage
        } else {
            Basis::RequestsOnly
        },
        allocations: Vec::new(),
        nodes: Vec::new(),
    };
    for input in clusters {
        let ns_labels: HashMap<&str, BTreeMap<String, String>> = input
            .namespaces
            .iter()
            .map(|n| {
                let name = n.metadata.name.as_deref().unwrap_or_default();
                (name, n.metadata.labels.clone().unwrap_or_default())
            })
            .collect();
        let mut by_node: HashMap<&str, Vec<Charge>> = HashMap::new();
        for pod in input.pods.iter().filter(|p| is_active(p)) {
            let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) else {
                continue;
            };
            let empty = BTreeMap::new();
            let nsl = ns_labels
                .get(pod.metadata.namespace.as_deref().unwrap_or_default())
                .unwrap_or(&empty);
            by_node
                .entry(node)
                .or_default()
                .push(charge(input, pod, node, nsl));
        }
        for node in input.nodes {
            let name = node.metadata.name.as_deref().unwrap_or_default();
            let cap = capacity(node);
            let labels = node.metadata.labels.clone().unwrap_or_default();
            let price = prices.node_price(&labels, cap);
            let mut charges = by_node.remove(name).unwrap_or_default();
            report.nodes.push(settle_node(
                input.cluster,
                node,
                &price,
                cap,
                window_hours,
                &mut charges,
            ));
            report.allocations.extend(charges.into_iter().map(|c| c.alloc));
        }
    }
    report
}

impl CostReport {
    /// Total cost of the nodes over the window.
    pub fn total(&self) -> f64 {
        self.nodes.iter().map(|n| n.cost).sum()
    }

    /// Costs grouped by `by`, largest first, with one [`IDLE`] row: the rows sum to
    /// [`CostReport::total`], since pods are never charged beyond their node's capacity.
    pub fn rollup(&self, by: &GroupBy) -> Vec<CostRow> {
        let mut rows: BTreeMap<String, CostRow> = BTreeMap::new();
        let month = super::prices::HOURS_PER_MONTH / self.window_hours.max(f64::MIN_POSITIVE);
        let mut add = |key: String, cpu: f64, mem: f64, gpu: f64| {
            let r = rows.entry(key.clone()).or_insert(CostRow {
                key,
                cpu_cost: 0.0,
                memory_cost: 0.0,
                gpu_cost: 0.0,
                total: 0.0,
                monthly: 0.0,
            });
            r.cpu_cost += cpu;
            r.memory_cost += mem;
            r.gpu_cost += gpu;
            r.total += cpu + mem + gpu;
            r.monthly = r.total * month;
        };
        for a in &self.allocations {
            let key = match by {
                GroupBy::Cluster => a.cluster.clone(),
                GroupBy::Namespace => format!("{}/{}", a.cluster, a.namespace),
                GroupBy::Workload => format!("{}/{}/{}", a.cluster, a.namespace, a.workload),
                GroupBy::Label(k) => a.labels.get(k).cloned().unwrap_or_else(|| UNALLOCATED.into()),
            };
            add(key, a.cpu_cost, a.memory_cost, a.gpu_cost);
        }
        let idle: f64 = self.nodes.iter().map(|n| n.idle).sum();
        if idle > 0.0 {
            add(IDLE.to_string(), 0.0, 0.0, 0.0);
            if let Some(r) = rows.get_mut(IDLE) {
                r.total = idle;
                r.monthly = idle * month;
            }
        }
        let mut out: Vec<CostRow> = rows.into_values().collect();
        out.sort_by(|a, b| b.total.total_cmp(&a.total).then_with(|| a.key.cmp(&b.key)));
        out
    }
}
