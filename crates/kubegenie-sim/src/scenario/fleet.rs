//! Starting a scenario: one simulated cluster per scenario cluster, started concurrently with
//! its objects created before its controllers run (so uids follow the seed), hubs last (their
//! ClusterProfiles carry the members' addresses), timelines attached, contexts written.

use super::apply::{self, ClusterPlan};
use super::format::{ClusterSpec, Labels, Scenario};
use super::inventory::{self, Endpoint};
use super::nodes::Provider;
use super::timeline;
use crate::config::SimConfig;
use crate::kubeconfig::{self, ContextEntry};
use crate::server::{SimCluster, SimError};
use std::collections::BTreeMap;
use std::path::Path;

/// How to start a scenario.
#[derive(Debug, Clone)]
pub struct StartOptions {
    /// Seed (the scenario's own, else 1, when `None`).
    pub seed: Option<u64>,
    /// Clock speed of every cluster.
    pub clock_speed: f64,
    /// Serve plain HTTP instead of HTTPS.
    pub http: bool,
    /// Watch events kept per cluster (the cluster default when `None`); large fleets lower it
    /// to bound memory.
    pub watch_history: Option<usize>,
}

impl Default for StartOptions {
    fn default() -> Self {
        Self {
            seed: None,
            clock_speed: 1.0,
            http: false,
            watch_history: None,
        }
    }
}

/// Why a fleet did not start.
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// A cluster failed to start.
    #[error("cannot start cluster {cluster}: {source}")]
    Start {
        /// Cluster name.
        cluster: String,
        /// Cause.
        #[source]
        source: SimError,
    },
    /// A start task panicked or was cancelled.
    #[error("cannot start cluster {0}: the start task failed")]
    Task(String),
    /// The kubeconfig could not be written.
    #[error(transparent)]
    Kubeconfig(#[from] kubeconfig::KubeconfigError),
}

/// One running cluster of a fleet.
pub struct FleetCluster {
    /// Cluster name (and kubeconfig context).
    pub name: String,
    /// Provider.
    pub provider: Provider,
    /// Region.
    pub region: String,
    /// Kubernetes version.
    pub version: String,
    /// The cluster's labels (env, team, provider, region...), for registration.
    pub labels: Labels,
    /// Whether it holds ClusterProfiles of other clusters.
    pub hub: bool,
    /// Number of nodes it started with.
    pub nodes: usize,
    /// The server.
    pub cluster: SimCluster,
}

/// The running clusters of a scenario.
pub struct Fleet {
    /// Scenario name.
    pub name: String,
    /// Clusters, in scenario order.
    pub clusters: Vec<FleetCluster>,
}

fn config(plan: &ClusterPlan, seed: u64, o: &StartOptions, objects: Vec<serde_json::Value>) -> SimConfig {
    let mut cfg = SimConfig::named(&plan.name);
    cfg.kubernetes_version = plan.version.clone();
    cfg.nodes = 0;
    cfg.seed = seed;
    cfg.clock_speed = o.clock_speed;
    cfg.initial_objects = objects;
    if let Some(h) = o.watch_history {
        cfg.watch_history = h;
    }
    if o.http { cfg.http() } else { cfg }
}

impl Fleet {
    /// Starts every cluster of `scenario`.
    pub async fn start(scenario: &Scenario, o: &StartOptions) -> Result<Self, FleetError> {
        let seed = o.seed.or(scenario.seed).unwrap_or(1);
        let now = crate::object::format_time(jiff::Timestamp::now());
        let plans: Vec<(ClusterPlan, &ClusterSpec)> = scenario
            .clusters
            .iter()
            .map(|c| (apply::plan(c, seed, &now), c))
            .collect();
        let mut started: BTreeMap<String, SimCluster> = BTreeMap::new();
        // Members first, concurrently: seeding is CPU work, so each start gets its own task.
        let mut tasks = Vec::new();
        for (plan, spec) in plans.iter().filter(|(_, s)| s.inventory.is_none()) {
            let cfg = config(plan, seed, o, plan.objects.clone());
            tasks.push((spec.name.value.clone(), tokio::spawn(SimCluster::start(cfg))));
        }
        for (name, task) in tasks {
            let c = task
                .await
                .map_err(|_| FleetError::Task(name.clone()))?
                .map_err(|source| FleetError::Start {
                    cluster: name.clone(),
                    source,
                })?;
            started.insert(name, c);
        }
        for (plan, spec) in plans.iter().filter(|(_, s)| s.inventory.is_some()) {
            let mut objects = plan.objects.clone();
            if let Some(inv) = &spec.inventory {
                let members: Vec<&str> = match &inv.clusters {
                    Some(list) => list.iter().map(|c| c.value.as_str()).collect(),
                    None => plans
                        .iter()
                        .filter(|(_, s)| s.inventory.is_none())
                        .map(|(p, _)| p.name.as_str())
                        .collect(),
                };
                for m in members {
                    let (Some(c), Some((mp, _))) = (started.get(m), plans.iter().find(|(p, _)| p.name == m))
                    else {
                        tracing::warn!(hub = %plan.name, member = m, "member not running yet; no ClusterProfile");
                        continue;
                    };
                    let ep = Endpoint {
                        server: c.url().to_string(),
                        ca_pem: c.ca_pem().map(str::to_string),
                    };
                    objects.push(inventory::cluster_profile(
                        mp,
                        &ep,
                        &inv.namespace,
                        &inv.cluster_manager,
                        &now,
                    ));
                }
            }
            let name = plan.name.clone();
            let c = SimCluster::start(config(plan, seed, o, objects))
                .await
                .map_err(|source| FleetError::Start {
                    cluster: name.clone(),
                    source,
                })?;
            started.insert(name, c);
        }
        let mut clusters = Vec::new();
        for (plan, spec) in plans {
            let Some(mut c) = started.remove(&plan.name) else {
                continue;
            };
            if !spec.timeline.is_empty() {
                let st = c.state().clone();
                c.spawn_until_stopped(timeline::run(st, spec.timeline.clone(), plan.pools.clone()));
            }
            clusters.push(FleetCluster {
                nodes: plan.pools.values().map(Vec::len).sum(),
                name: plan.name,
                provider: plan.provider,
                region: plan.region,
                version: plan.version,
                labels: plan.labels,
                hub: spec.inventory.is_some(),
                cluster: c,
            });
        }
        Ok(Self {
            name: scenario.name.clone().unwrap_or_else(|| "scenario".into()),
            clusters,
        })
    }

    /// The cluster called `name`.
    pub fn get(&self, name: &str) -> Option<&FleetCluster> {
        self.clusters.iter().find(|c| c.name == name)
    }

    /// Admin contexts named after the clusters.
    pub fn contexts(&self) -> Vec<ContextEntry> {
        self.clusters
            .iter()
            .map(|c| c.cluster.context(&c.name, None))
            .collect()
    }

    /// Merges every cluster's context into the kubeconfig at `path` in one write; the current
    /// context becomes the first cluster that is not a hub.
    pub fn write_kubeconfig(&self, path: &Path) -> Result<(), FleetError> {
        let current = self
            .clusters
            .iter()
            .find(|c| !c.hub)
            .or(self.clusters.first())
            .map(|c| c.name.as_str());
        kubeconfig::merge_into(path, &self.contexts(), current)?;
        Ok(())
    }

    /// Stops every cluster.
    pub async fn shutdown(self) {
        let stops = self.clusters.into_iter().map(|c| c.cluster.shutdown());
        futures::future::join_all(stops).await;
    }
}
