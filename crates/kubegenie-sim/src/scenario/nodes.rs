//! Nodes as cloud providers register them: instance types with their real vCPU, memory and pod
//! limits, allocatable reduced by the provider's kube-reserved formula, and the labels, provider
//! ids and OS images each provider sets. Cost and capacity agents read exactly these fields on
//! real clusters, so the simulator gives them the same inputs.

use crate::clock::SimRng;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// Where a cluster runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Amazon EKS.
    Aws,
    /// Google GKE.
    Gcp,
    /// Azure AKS.
    Azure,
    /// Self-managed (kubeadm) on bare metal or VMs.
    #[default]
    Onprem,
}

impl Provider {
    /// Lower-case name, as written in scenarios and cluster labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Aws => "aws",
            Self::Gcp => "gcp",
            Self::Azure => "azure",
            Self::Onprem => "onprem",
        }
    }

    /// Region used when a scenario names none.
    pub fn default_region(self) -> &'static str {
        match self {
            Self::Aws => "us-east-1",
            Self::Gcp => "us-central1",
            Self::Azure => "eastus",
            Self::Onprem => "dc1",
        }
    }

    /// Instance type used when a node pool names none.
    pub fn default_instance_type(self) -> &'static str {
        match self {
            Self::Aws => "m5.xlarge",
            Self::Gcp => "e2-standard-4",
            Self::Azure => "Standard_D4s_v5",
            Self::Onprem => "medium",
        }
    }

    /// Zones of a region when a node pool names none (`a`-`c` style per provider).
    pub fn default_zones(self, region: &str) -> Vec<String> {
        match self {
            Self::Aws | Self::Gcp => ["a", "b", "c"].iter().map(|z| format!("{region}{z}")).collect(),
            Self::Azure => (1..=3).map(|z| format!("{region}-{z}")).collect(),
            Self::Onprem => vec![format!("{region}-a")],
        }
    }
}

/// One machine type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InstanceType {
    /// Name as the provider spells it (the `node.kubernetes.io/instance-type` label).
    pub name: &'static str,
    /// Provider offering it.
    pub provider: Provider,
    /// vCPUs.
    pub vcpu: u32,
    /// Memory in MiB as sold.
    pub memory_mib: u64,
    /// Pods the node accepts (EKS: from the ENI limits; GKE/AKS/kubeadm: 110).
    pub max_pods: u32,
    /// `amd64` or `arm64`.
    pub arch: &'static str,
    /// On-demand price per hour in USD (approximate list price in the provider's main US
    /// region), so cost agents have an input; spot nodes cost about 30 % of it.
    pub hourly_usd: f64,
}

const fn it(
    name: &'static str,
    provider: Provider,
    vcpu: u32,
    memory_gib: u64,
    max_pods: u32,
    hourly_usd: f64,
) -> InstanceType {
    InstanceType {
        name,
        provider,
        vcpu,
        memory_mib: memory_gib * 1024,
        max_pods,
        arch: "amd64",
        hourly_usd,
    }
}

const fn arm(t: InstanceType) -> InstanceType {
    InstanceType { arch: "arm64", ..t }
}

use Provider::{Aws, Azure, Gcp, Onprem};

/// The instance types scenarios may name.
pub const INSTANCE_TYPES: &[InstanceType] = &[
    it("t3.small", Aws, 2, 2, 11, 0.0208),
    it("t3.medium", Aws, 2, 4, 17, 0.0416),
    it("t3.large", Aws, 2, 8, 35, 0.0832),
    it("t3.xlarge", Aws, 4, 16, 58, 0.1664),
    it("m5.large", Aws, 2, 8, 29, 0.096),
    it("m5.xlarge", Aws, 4, 16, 58, 0.192),
    it("m5.2xlarge", Aws, 8, 32, 58, 0.384),
    it("m5.4xlarge", Aws, 16, 64, 234, 0.768),
    it("m6i.large", Aws, 2, 8, 29, 0.096),
    it("m6i.xlarge", Aws, 4, 16, 58, 0.192),
    it("m6i.2xlarge", Aws, 8, 32, 58, 0.384),
    it("m6i.4xlarge", Aws, 16, 64, 234, 0.768),
    arm(it("m6g.xlarge", Aws, 4, 16, 58, 0.154)),
    it("c5.large", Aws, 2, 4, 29, 0.085),
    it("c5.xlarge", Aws, 4, 8, 58, 0.17),
    it("c5.2xlarge", Aws, 8, 16, 58, 0.34),
    it("c5.4xlarge", Aws, 16, 32, 234, 0.68),
    it("r5.large", Aws, 2, 16, 29, 0.126),
    it("r5.xlarge", Aws, 4, 32, 58, 0.252),
    it("r5.2xlarge", Aws, 8, 64, 58, 0.504),
    it("r5.4xlarge", Aws, 16, 128, 234, 1.008),
    it("e2-medium", Gcp, 2, 4, 110, 0.0335),
    it("e2-standard-2", Gcp, 2, 8, 110, 0.067),
    it("e2-standard-4", Gcp, 4, 16, 110, 0.134),
    it("e2-standard-8", Gcp, 8, 32, 110, 0.268),
    it("e2-highmem-4", Gcp, 4, 32, 110, 0.181),
    it("n2-standard-2", Gcp, 2, 8, 110, 0.097),
    it("n2-standard-4", Gcp, 4, 16, 110, 0.194),
    it("n2-standard-8", Gcp, 8, 32, 110, 0.388),
    it("n2-standard-16", Gcp, 16, 64, 110, 0.777),
    it("n2-highmem-4", Gcp, 4, 32, 110, 0.262),
    it("n2-highcpu-8", Gcp, 8, 8, 110, 0.287),
    it("Standard_D2s_v3", Azure, 2, 8, 110, 0.096),
    it("Standard_D4s_v3", Azure, 4, 16, 110, 0.192),
    it("Standard_D2s_v5", Azure, 2, 8, 110, 0.096),
    it("Standard_D4s_v5", Azure, 4, 16, 110, 0.192),
    it("Standard_D8s_v5", Azure, 8, 32, 110, 0.384),
    it("Standard_D16s_v5", Azure, 16, 64, 110, 0.768),
    it("Standard_E4s_v5", Azure, 4, 32, 110, 0.252),
    it("Standard_E8s_v5", Azure, 8, 64, 110, 0.504),
    it("Standard_F8s_v2", Azure, 8, 16, 110, 0.338),
    it("small", Onprem, 2, 8, 110, 0.0),
    it("medium", Onprem, 4, 16, 110, 0.0),
    it("large", Onprem, 8, 32, 110, 0.0),
    it("xlarge", Onprem, 16, 64, 110, 0.0),
    it("2xlarge", Onprem, 32, 128, 110, 0.0),
];

/// The instance type called `name`.
pub fn instance_type(name: &str) -> Option<&'static InstanceType> {
    INSTANCE_TYPES.iter().find(|t| t.name == name)
}

/// Names of the instance types a provider offers, for error messages.
pub fn instance_type_names(provider: Provider) -> Vec<&'static str> {
    INSTANCE_TYPES
        .iter()
        .filter(|t| t.provider == provider)
        .map(|t| t.name)
        .collect()
}

/// Resources reserved for the system on a node: (cpu millicores, memory MiB incl. eviction).
pub fn reserved(t: &InstanceType) -> (u64, u64) {
    // CPU: the curve EKS and GKE both use (6 % of the first core, 1 % of the second, 0.5 % of
    // the next two, 0.25 % above four); AKS publishes a close table of its own.
    let cores = u64::from(t.vcpu);
    let cpu_curve = |cores: u64| -> u64 {
        let mut m = 60;
        if cores >= 2 {
            m += 10;
        }
        m += 5 * cores.saturating_sub(2).min(2);
        m += (cores.saturating_sub(4) * 25).div_ceil(10);
        m
    };
    let cpu = match t.provider {
        Provider::Aws | Provider::Gcp => cpu_curve(cores),
        Provider::Azure => match cores {
            0..=1 => 60,
            2..=3 => 100,
            4..=7 => 140,
            8..=15 => 180,
            16..=31 => 260,
            32..=63 => 420,
            _ => 740,
        },
        // kubeadm reserves nothing unless the operator configures it.
        Provider::Onprem => 0,
    };
    let mem_mib = t.memory_mib;
    let memory = match t.provider {
        // EKS AMI bootstrap: 11 MiB per pod plus 255 MiB.
        Provider::Aws => 11 * u64::from(t.max_pods) + 255,
        // GKE: a regressive share of memory.
        Provider::Gcp => {
            let gib = |g: u64| g * 1024;
            let tiers = [
                (gib(4), 25),
                (gib(4), 20),
                (gib(8), 10),
                (gib(112), 6),
                (u64::MAX, 2),
            ];
            let mut left = mem_mib;
            let mut r = 0;
            for (size, pct) in tiers {
                let part = left.min(size);
                r += part * pct / 100;
                left -= part;
            }
            r
        }
        // AKS (1.29+): 20 MB per pod plus 50 MB.
        Provider::Azure => 20 * u64::from(t.max_pods) + 50,
        Provider::Onprem => 0,
    };
    // Every kubelet keeps the default hard eviction threshold of 100Mi free.
    (cpu, memory + 100)
}

/// Capacity and allocatable of a node of type `t`, as the kubelet reports them.
pub fn resources(t: &InstanceType) -> (Value, Value) {
    // The kernel and firmware keep some memory, so a "16 GiB" VM reports ~15.2 GiB.
    let mem_ki = t.memory_mib * 1024 * 97 / 100;
    let disk_ki: u64 = match t.provider {
        Provider::Aws => 20 * 1024 * 1024,
        Provider::Gcp | Provider::Azure => 100 * 1024 * 1024,
        Provider::Onprem => 200 * 1024 * 1024,
    } * 96
        / 100;
    let (cpu_res, mem_res) = reserved(t);
    let capacity = json!({
        "cpu": t.vcpu.to_string(), "memory": format!("{mem_ki}Ki"), "pods": t.max_pods.to_string(),
        "ephemeral-storage": format!("{disk_ki}Ki"), "hugepages-1Gi": "0", "hugepages-2Mi": "0",
    });
    let alloc_cpu = u64::from(t.vcpu) * 1000 - cpu_res;
    let alloc_cpu = if alloc_cpu % 1000 == 0 {
        (alloc_cpu / 1000).to_string()
    } else {
        format!("{alloc_cpu}m")
    };
    // Ephemeral storage keeps the 10 % nodefs eviction threshold.
    let allocatable = json!({
        "cpu": alloc_cpu, "memory": format!("{}Ki", mem_ki.saturating_sub(mem_res * 1024)),
        "pods": t.max_pods.to_string(), "ephemeral-storage": (disk_ki * 1024 * 9 / 10).to_string(),
        "hugepages-1Gi": "0", "hugepages-2Mi": "0",
    });
    (capacity, allocatable)
}

/// Everything that makes one node distinct.
#[derive(Debug, Clone)]
pub struct NodeParams<'a> {
    /// Cluster name.
    pub cluster: &'a str,
    /// Provider.
    pub provider: Provider,
    /// Region.
    pub region: &'a str,
    /// Zone.
    pub zone: &'a str,
    /// Machine type.
    pub instance: &'a InstanceType,
    /// Node pool name.
    pub pool: &'a str,
    /// Index of the node in the cluster (0-based), for its IP and name.
    pub index: usize,
    /// Spot / preemptible capacity.
    pub spot: bool,
    /// Runs the control plane (self-managed clusters only).
    pub control_plane: bool,
    /// Kubelet version, e.g. `v1.33.1`.
    pub kubelet_version: &'a str,
    /// Seed for ids.
    pub seed: u64,
    /// Explicit node name (otherwise the provider's naming scheme).
    pub name: Option<String>,
}

fn hex(rng: &mut SimRng, len: usize) -> String {
    (0..len)
        .map(|_| char::from_digit((rng.next_u64() % 16) as u32, 16).unwrap_or('0'))
        .collect()
}

/// The node's private IP: 10.<cluster-wide counter> (readable and unique within a cluster).
fn ip(index: usize) -> String {
    format!("10.0.{}.{}", 1 + index / 200, 10 + index % 200)
}

/// The name the provider gives the node.
pub fn node_name(p: &NodeParams<'_>) -> String {
    if let Some(n) = &p.name {
        return n.clone();
    }
    let mut rng = SimRng::derived(p.seed, &format!("{}/{}/name", p.cluster, p.pool));
    match p.provider {
        Provider::Aws => {
            let dashed = ip(p.index).replace('.', "-");
            if p.region == "us-east-1" {
                format!("ip-{dashed}.ec2.internal")
            } else {
                format!("ip-{dashed}.{}.compute.internal", p.region)
            }
        }
        Provider::Gcp => {
            let group = hex(&mut rng, 8);
            let mut own = SimRng::derived(p.seed, &format!("{}/{}/{}", p.cluster, p.pool, p.index));
            format!("gke-{}-{}-{group}-{}", p.cluster, p.pool, own.suffix(4))
        }
        Provider::Azure => {
            let digits = rng.next_u64() % 100_000_000;
            format!("aks-{}-{digits:08}-vmss{:06x}", p.pool, p.index)
        }
        Provider::Onprem => format!("{}-{}-{}", p.cluster, p.pool, p.index + 1),
    }
}

fn provider_id(p: &NodeParams<'_>, name: &str) -> Option<String> {
    let mut rng = SimRng::derived(p.seed, &format!("{}/{}/id", p.cluster, name));
    match p.provider {
        Provider::Aws => Some(format!("aws:///{}/i-0{}", p.zone, hex(&mut rng, 16))),
        Provider::Gcp => Some(format!("gce://kubegenie-{}/{}/{name}", p.cluster, p.zone)),
        Provider::Azure => {
            let sub = SimRng::derived(p.seed, p.cluster).uuid();
            let vmss = name.rsplit_once("-vmss").map_or(name, |(prefix, _)| prefix);
            Some(format!(
                "azure:///subscriptions/{sub}/resourceGroups/mc_{c}-rg_{c}_{r}/providers/\
                 Microsoft.Compute/virtualMachineScaleSets/{vmss}-vmss/virtualMachines/{i}",
                c = p.cluster,
                r = p.region,
                i = p.index
            ))
        }
        Provider::Onprem => None,
    }
}

/// (osImage, kernelVersion, containerRuntimeVersion) of the provider's default node image.
fn os_image(p: &NodeParams<'_>) -> (&'static str, String, &'static str) {
    let arm = p.instance.arch == "arm64";
    match p.provider {
        Provider::Aws => (
            "Amazon Linux 2023.6.20250115",
            format!(
                "6.1.119-129.201.amzn2023.{}",
                if arm { "aarch64" } else { "x86_64" }
            ),
            "containerd://1.7.25",
        ),
        Provider::Gcp => (
            "Container-Optimized OS from Google",
            "6.6.56+".into(),
            "containerd://1.7.24",
        ),
        Provider::Azure => (
            "Ubuntu 22.04.5 LTS",
            "5.15.0-1079-azure".into(),
            "containerd://1.7.25-1",
        ),
        Provider::Onprem => (
            "Debian GNU/Linux 12 (bookworm)",
            format!("6.1.0-28-{}", if arm { "arm64" } else { "amd64" }),
            "containerd://1.7.24",
        ),
    }
}

fn provider_labels(p: &NodeParams<'_>, labels: &mut Map<String, Value>) {
    let mut set = |k: &str, v: &str| {
        labels.insert(k.to_string(), Value::String(v.to_string()));
    };
    match p.provider {
        Provider::Aws => {
            set("eks.amazonaws.com/nodegroup", p.pool);
            set(
                "eks.amazonaws.com/capacityType",
                if p.spot { "SPOT" } else { "ON_DEMAND" },
            );
            set("k8s.io/cloud-provider-aws", "a1b2c3d4e5f60718293a4b5c6d7e8f90");
        }
        Provider::Gcp => {
            set("cloud.google.com/gke-nodepool", p.pool);
            set("cloud.google.com/gke-os-distribution", "cos");
            set("cloud.google.com/gke-boot-disk", "pd-balanced");
            let family = p.instance.name.split('-').next().unwrap_or_default();
            set("cloud.google.com/machine-family", family);
            if p.spot {
                set("cloud.google.com/gke-spot", "true");
                set("cloud.google.com/gke-provisioning", "spot");
            } else {
                set("cloud.google.com/gke-provisioning", "standard");
            }
        }
        Provider::Azure => {
            set("agentpool", p.pool);
            set("kubernetes.azure.com/agentpool", p.pool);
            set(
                "kubernetes.azure.com/cluster",
                &format!("MC_{c}-rg_{c}_{}", p.region, c = p.cluster),
            );
            set(
                "kubernetes.azure.com/mode",
                if p.pool.starts_with("sys") {
                    "system"
                } else {
                    "user"
                },
            );
            set("kubernetes.azure.com/os-sku", "Ubuntu");
            if p.spot {
                set("kubernetes.azure.com/scalesetpriority", "spot");
            }
        }
        Provider::Onprem => {}
    }
}

/// Taints the provider adds by itself (AKS taints spot pools; kubeadm its control plane).
pub fn provider_taints(p: &NodeParams<'_>) -> Vec<Value> {
    let mut t = Vec::new();
    if p.provider == Provider::Azure && p.spot {
        t.push(
            json!({"key": "kubernetes.azure.com/scalesetpriority", "value": "spot", "effect": "NoSchedule"}),
        );
    }
    if p.control_plane {
        t.push(json!({"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}));
    }
    t
}

/// A Ready node as its kubelet registers it on the provider, with `extra_labels` and `taints`
/// (the provider's own taints are added).
pub fn node_object(
    p: &NodeParams<'_>,
    now: &str,
    extra_labels: &Map<String, Value>,
    taints: &[Value],
) -> Value {
    let name = node_name(p);
    let t = p.instance;
    let mut labels = Map::new();
    for (k, v) in [
        ("kubernetes.io/hostname", name.as_str()),
        ("kubernetes.io/os", "linux"),
        ("kubernetes.io/arch", t.arch),
        ("beta.kubernetes.io/os", "linux"),
        ("beta.kubernetes.io/arch", t.arch),
        ("node.kubernetes.io/instance-type", t.name),
        ("beta.kubernetes.io/instance-type", t.name),
        ("topology.kubernetes.io/region", p.region),
        ("topology.kubernetes.io/zone", p.zone),
    ] {
        labels.insert(k.into(), Value::String(v.into()));
    }
    if p.control_plane {
        labels.insert("node-role.kubernetes.io/control-plane".into(), json!(""));
    }
    provider_labels(p, &mut labels);
    for (k, v) in extra_labels {
        labels.insert(k.clone(), v.clone());
    }
    let mut all_taints = provider_taints(p);
    all_taints.extend(taints.iter().cloned());
    let (capacity, allocatable) = resources(t);
    let (os, kernel, runtime) = os_image(p);
    let mut ids = SimRng::derived(p.seed, &format!("{}/{name}/machine", p.cluster));
    let node_ip = ip(p.index);
    let cond = |ty: &str, s: &str, reason: &str, msg: &str| json!({"type": ty, "status": s, "lastHeartbeatTime": now, "lastTransitionTime": now, "reason": reason, "message": msg});
    let mut addresses = vec![json!({"type": "InternalIP", "address": node_ip})];
    if p.provider == Provider::Aws {
        addresses.push(json!({"type": "InternalDNS", "address": name}));
    }
    addresses.push(json!({"type": "Hostname", "address": name}));
    let cidr = format!("10.244.{}.0/24", p.index);
    let mut spec = json!({"podCIDR": cidr, "podCIDRs": [cidr]});
    if let Some(id) = provider_id(p, &name) {
        spec["providerID"] = json!(id);
    }
    if !all_taints.is_empty() {
        spec["taints"] = Value::Array(all_taints);
    }
    json!({"apiVersion": "v1", "kind": "Node",
    "metadata": {"name": name, "labels": labels,
        "annotations": {"node.alpha.kubernetes.io/ttl": "0",
            "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
    "spec": spec,
    "status": {
        "capacity": capacity, "allocatable": allocatable,
        "conditions": [
            cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
        ],
        "addresses": addresses,
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        "nodeInfo": {"machineID": hex(&mut ids, 32), "systemUUID": ids.uuid(), "bootID": ids.uuid(),
            "kernelVersion": kernel, "osImage": os, "containerRuntimeVersion": runtime,
            "kubeletVersion": p.kubelet_version, "kubeProxyVersion": p.kubelet_version,
            "operatingSystem": "linux", "architecture": t.arch}
    }})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(t: &'static str, provider: Provider) -> NodeParams<'static> {
        NodeParams {
            cluster: "prod",
            provider,
            region: provider.default_region(),
            zone: "z1",
            instance: instance_type(t).expect("known type"),
            pool: "general",
            index: 3,
            spot: true,
            control_plane: false,
            kubelet_version: "v1.31.4",
            seed: 1,
            name: None,
        }
    }

    #[test]
    fn capacities_match_the_providers() {
        let m5 = instance_type("m5.xlarge").unwrap();
        assert_eq!((m5.vcpu, m5.memory_mib, m5.max_pods), (4, 16384, 58));
        // EKS reserves 80m CPU and 11*58+255 MiB (+100Mi eviction) on a 4-vCPU, 58-pod node.
        assert_eq!(reserved(m5), (80, 11 * 58 + 255 + 100));
        let (cap, alloc) = resources(m5);
        assert_eq!(cap["cpu"], "4");
        assert_eq!(alloc["cpu"], "3920m");
        assert_eq!(cap["pods"], "58");
        let mem = |v: &Value| v.as_str().unwrap().trim_end_matches("Ki").parse::<u64>().unwrap();
        assert_eq!(
            mem(&cap["memory"]) - mem(&alloc["memory"]),
            (11 * 58 + 255 + 100) * 1024
        );
        // GKE e2-standard-4 (16 GiB): 25 % of 4 + 20 % of 4 + 10 % of 8 GiB = 2.6 GiB.
        let e2 = instance_type("e2-standard-4").unwrap();
        assert_eq!(reserved(e2), (80, 1024 + 819 + 819 + 100));
        let d4 = instance_type("Standard_D4s_v5").unwrap();
        assert_eq!(reserved(d4), (140, 20 * 110 + 50 + 100));
        let big = instance_type("m5.4xlarge").unwrap();
        assert_eq!(reserved(big).0, 110, "16 cores: 60+10+10+30");
        assert_eq!(instance_type("m6g.xlarge").unwrap().arch, "arm64");
        assert!(instance_type("m9.mega").is_none());
    }

    #[test]
    fn nodes_carry_provider_labels_and_ids() {
        let aws = node_object(&params("m5.xlarge", Provider::Aws), "t", &Map::new(), &[]);
        let l = &aws["metadata"]["labels"];
        assert_eq!(l["node.kubernetes.io/instance-type"], "m5.xlarge");
        assert_eq!(l["topology.kubernetes.io/region"], "us-east-1");
        assert_eq!(l["eks.amazonaws.com/capacityType"], "SPOT");
        assert_eq!(aws["metadata"]["name"], "ip-10-0-1-13.ec2.internal");
        let id = aws["spec"]["providerID"].as_str().unwrap();
        assert!(
            id.starts_with("aws:///z1/i-0") && id.len() == "aws:///z1/i-0".len() + 16,
            "{id}"
        );
        assert_eq!(aws["status"]["nodeInfo"]["kubeletVersion"], "v1.31.4");
        let gcp = node_object(&params("e2-standard-4", Provider::Gcp), "t", &Map::new(), &[]);
        assert_eq!(gcp["metadata"]["labels"]["cloud.google.com/gke-spot"], "true");
        let name = gcp["metadata"]["name"].as_str().unwrap();
        assert!(name.starts_with("gke-prod-general-"), "{name}");
        assert_eq!(
            gcp["spec"]["providerID"],
            format!("gce://kubegenie-prod/z1/{name}")
        );
        let az = node_object(&params("Standard_D4s_v5", Provider::Azure), "t", &Map::new(), &[]);
        assert_eq!(
            az["metadata"]["labels"]["kubernetes.azure.com/scalesetpriority"],
            "spot"
        );
        assert_eq!(
            az["spec"]["taints"][0]["key"],
            "kubernetes.azure.com/scalesetpriority"
        );
        assert!(
            az["spec"]["providerID"]
                .as_str()
                .unwrap()
                .starts_with("azure:///subscriptions/")
        );
        let again = node_object(&params("Standard_D4s_v5", Provider::Azure), "t", &Map::new(), &[]);
        assert_eq!(az, again, "deterministic");
    }
}
