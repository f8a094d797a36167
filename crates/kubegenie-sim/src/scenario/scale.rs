//! `scale:CLUSTERS:PODS`: a generated fleet of CLUSTERS clusters with PODS pods each, spread over
//! team namespaces and Deployments of ten replicas, on enough nodes to hold them. Providers,
//! regions and environments rotate so multi-cluster selection and grouping have variety. Used to
//! benchmark KubeGenie (and the simulator itself) at the scale of hundreds of clusters.

use super::format::{ClusterSpec, Labels, NamespaceSpec, NodePool, Scenario, Workload, WorkloadKind};
use super::load::ScenarioError;
use super::nodes::{self, Provider};
use crate::behaviour::{Amount, Behaviour, UsageModel};
use serde_json::json;
use serde_saphyr::{Location, Spanned};

/// Replicas of each generated Deployment.
const REPLICAS_PER_DEPLOYMENT: u32 = 10;
/// CPU request of a generated pod, in millicores (used to size the nodes).
const CPU_REQUEST_M: u64 = 50;
/// Team namespaces per cluster.
const TEAMS: &[&str] = &["payments", "checkout", "search", "data"];

fn spanned<T>(value: T) -> Spanned<T> {
    Spanned::new(value, Location::UNKNOWN, Location::UNKNOWN)
}

/// Parses `CLUSTERS:PODS` (the part after `scale:`).
pub fn parse_spec(spec: &str) -> Result<Scenario, ScenarioError> {
    let bad = || {
        ScenarioError::whole(
            "<scale>",
            format!("expected scale:CLUSTERS:PODS (e.g. scale:100:1000), got scale:{spec}"),
        )
    };
    let (c, p) = spec.split_once(':').ok_or_else(bad)?;
    let clusters: usize = c.trim().parse().map_err(|_| bad())?;
    let pods: usize = p.trim().parse().map_err(|_| bad())?;
    if clusters == 0 || clusters > 10_000 || pods > 100_000 {
        return Err(ScenarioError::whole(
            "<scale>",
            "CLUSTERS must be 1..=10000 and PODS at most 100000",
        ));
    }
    Ok(generate(clusters, pods))
}

/// A fleet of `clusters` clusters with `pods` pods each.
pub fn generate(clusters: usize, pods: usize) -> Scenario {
    let width = clusters.to_string().len().max(3);
    let specs = (0..clusters).map(|i| cluster(i, width, pods)).collect();
    Scenario {
        name: Some(format!("scale-{clusters}x{pods}")),
        seed: Some(1),
        clusters: specs,
    }
}

fn cluster(i: usize, width: usize, pods: usize) -> ClusterSpec {
    let (provider, region, instance) = match i % 3 {
        0 => (
            Provider::Aws,
            ["us-east-1", "eu-west-1", "ap-southeast-2"][i / 3 % 3],
            "m5.4xlarge",
        ),
        1 => (
            Provider::Gcp,
            ["us-central1", "europe-west4", "asia-east1"][i / 3 % 3],
            "n2-standard-16",
        ),
        _ => (
            Provider::Azure,
            ["eastus", "westeurope", "japaneast"][i / 3 % 3],
            "Standard_D16s_v5",
        ),
    };
    let env = ["prod", "prod", "staging", "dev"][i % 4];
    let name = format!("scale-{:0width$}", i + 1);
    let mut labels = Labels::new();
    labels.insert("env".into(), env.into());
    labels.insert("team".into(), TEAMS[i % TEAMS.len()].into());
    let node_count = nodes_for(instance, pods);
    let namespaces = TEAMS
        .iter()
        .map(|t| NamespaceSpec {
            name: (*t).into(),
            labels: [("team".to_string(), (*t).to_string())].into(),
        })
        .collect();
    ClusterSpec {
        name: spanned(name),
        kubernetes_version: Some(["v1.31.7", "v1.32.3", "v1.33.1"][i % 3].into()),
        provider,
        region: Some(region.into()),
        labels,
        inventory: None,
        node_pools: vec![NodePool {
            name: "general".into(),
            count: node_count,
            instance_type: Some(spanned(instance.into())),
            zones: Vec::new(),
            spot: false,
            control_plane: false,
            labels: Labels::new(),
            taints: Vec::new(),
        }],
        namespaces,
        workloads: workloads(pods),
        manifests: Vec::new(),
        timeline: Vec::new(),
    }
}

/// Nodes of type `instance` needed for `pods` pods, at 80 % of pod slots and CPU.
fn nodes_for(instance: &str, pods: usize) -> usize {
    let Some(t) = nodes::instance_type(instance) else {
        return 1;
    };
    let by_slots = (pods as f64 / (f64::from(t.max_pods) * 0.8)).ceil() as usize;
    let alloc_m = u64::from(t.vcpu) * 1000 - nodes::reserved(t).0;
    let by_cpu = (pods as f64 * CPU_REQUEST_M as f64 / (alloc_m as f64 * 0.8)).ceil() as usize;
    by_slots.max(by_cpu).max(1)
}

fn workloads(pods: usize) -> Vec<Workload> {
    let per = REPLICAS_PER_DEPLOYMENT as usize;
    let count = pods.div_ceil(per);
    (0..count)
        .map(|d| {
            let replicas = per.min(pods - d * per) as u32;
            let team = TEAMS[d % TEAMS.len()];
            let model = |base: Amount, amplitude: f64| UsageModel {
                base,
                daily_amplitude: amplitude,
                peak_hour: 8.0 + (d % 12) as f64,
                ..UsageModel::flat(0.0)
            };
            Workload {
                kind: WorkloadKind::Deployment,
                name: spanned(format!("{team}-svc-{d:03}")),
                namespace: team.into(),
                image: format!("registry.example.com/{team}/svc-{}:1.{}.0", d % 7, d % 5),
                replicas,
                resources: Some(
                    json!({"requests": {"cpu": format!("{CPU_REQUEST_M}m"), "memory": "64Mi"},
                    "limits": {"memory": "256Mi"}}),
                ),
                behaviour: Some(Behaviour {
                    cpu: Some(model(Amount::Number(10.0 + (d % 9) as f64 * 5.0), 0.6)),
                    memory: Some(model(Amount::Quantity(format!("{}Mi", 40 + d % 8 * 10)), 0.05)),
                    ..Behaviour::default()
                }),
                probes: None,
                ports: vec![8080],
                labels: Labels::new(),
                annotations: Labels::new(),
                privileged: false,
                node_selector: Labels::new(),
                tolerations: Vec::new(),
                service_account: None,
                service: false,
                schedule: None,
                command: Vec::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_the_asked_shape() {
        let s = parse_spec("5:1000").unwrap();
        assert_eq!(s.clusters.len(), 5);
        for c in &s.clusters {
            let pods: u32 = c.workloads.iter().map(|w| w.replicas).sum();
            assert_eq!(pods, 1000);
            let pool = &c.node_pools[0];
            let t = nodes::instance_type(&pool.instance_type.as_ref().unwrap().value).unwrap();
            assert!(
                pool.count * t.max_pods as usize >= 1000,
                "{} nodes hold the pods",
                pool.count
            );
            super::super::load::validate("<scale>", &s).unwrap();
        }
        assert_eq!(s.clusters[0].name.value, "scale-001");
        assert_eq!(
            parse_spec("3:25").unwrap().clusters[2]
                .workloads
                .last()
                .unwrap()
                .replicas,
            5
        );
        assert!(parse_spec("x:1").is_err());
        assert!(parse_spec("0:1").is_err());
    }
}
