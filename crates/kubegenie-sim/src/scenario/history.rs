//! History of a scenario: the fleet is started in-process (plain HTTP, no kubeconfig), left to
//! settle until its controllers have created and placed the pods, and its objects are handed to
//! the OpenMetrics exporter, which replays the behaviour models over the asked range.

use super::fleet::{Fleet, StartOptions};
use super::format::Scenario;
use crate::catalog::StorageKey;
use serde_json::Value;
use std::time::Duration;

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Seed (the scenario's own by default).
    pub seed: Option<u64>,
    /// Days of history, ending now.
    pub days: u32,
    /// Sample interval.
    pub step: Duration,
    /// Longest wait for the fleet to settle.
    pub settle: Duration,
}

/// Counts of what was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Clusters exported.
    pub clusters: usize,
    /// Pods whose containers have series.
    pub pods: usize,
    /// Series written.
    pub series: u64,
    /// Samples written.
    pub samples: u64,
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The fleet did not start.
    #[error(transparent)]
    Start(#[from] super::FleetError),
    /// Writing failed.
    #[error("writing the history: {0}")]
    Io(#[from] std::io::Error),
}

/// The objects of one cluster that the exporter reads.
#[derive(Debug, Clone)]
pub struct ClusterObjects {
    /// Cluster name.
    pub cluster: String,
    /// Seed of its usage noise.
    pub seed: u64,
    /// Its pods, nodes and deployments.
    pub objects: Vec<Value>,
}

/// Starts `scenario`, waits until its pod count stops changing (or `settle` passes), and
/// returns every cluster's objects; the fleet is stopped afterwards.
pub async fn settled_objects(
    scenario: &Scenario,
    o: &ExportOptions,
) -> Result<Vec<ClusterObjects>, ExportError> {
    let start = StartOptions {
        seed: o.seed,
        http: true,
        watch_history: Some(100),
        ..StartOptions::default()
    };
    let fleet = Fleet::start(scenario, &start).await?;
    // Pods, how many the scheduler has bound, and how many are still being created: settled
    // once the counts stop changing with no container still starting, so the current state
    // replayed over the range is the steady one (Running, or a lasting fault).
    let pods = |f: &Fleet| -> (usize, usize, usize) {
        f.clusters.iter().fold((0, 0, 0), |(all, bound, starting), c| {
            let (list, _) = c.cluster.state().store.list(&StorageKey::new("", "pods"), None);
            let b = list
                .iter()
                .filter(|s| s.value.pointer("/spec/nodeName").is_some())
                .count();
            let st = list.iter().filter(|s| is_starting(&s.value)).count();
            (all + list.len(), bound + b, starting + st)
        })
    };
    let deadline = tokio::time::Instant::now() + o.settle;
    let mut last = (usize::MAX, 0, 0);
    let mut stable = 0;
    // Controllers run on a one-second tick; three unchanged looks mean the fleet is settled.
    while tokio::time::Instant::now() < deadline && stable < 3 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = pods(&fleet);
        if now == last && now.0 > 0 && now.2 == 0 {
            stable += 1;
        } else {
            stable = 0;
        }
        last = now;
    }
    let seed = o.seed.or(scenario.seed).unwrap_or(1);
    let mut out = Vec::new();
    for c in &fleet.clusters {
        let st = c.cluster.state();
        let mut objects = Vec::new();
        for (g, r) in [("", "nodes"), ("", "pods"), ("apps", "deployments")] {
            objects.extend(
                st.store
                    .list(&StorageKey::new(g, r), None)
                    .0
                    .iter()
                    .map(|s| s.value.clone()),
            );
        }
        out.push(ClusterObjects {
            cluster: c.name.clone(),
            seed,
            objects,
        });
    }
    fleet.shutdown().await;
    Ok(out)
}

/// Whether a bound pod is still being created (no container has started or settled yet).
fn is_starting(pod: &serde_json::Value) -> bool {
    let bound = pod.pointer("/spec/nodeName").is_some();
    let phase = pod.pointer("/status/phase").and_then(serde_json::Value::as_str);
    let waiting_to_start = |cs: &serde_json::Value| {
        cs.as_array().is_none_or(Vec::is_empty)
            || cs.as_array().into_iter().flatten().any(|c| {
                matches!(
                    c.pointer("/state/waiting/reason")
                        .and_then(serde_json::Value::as_str),
                    Some("ContainerCreating" | "PodInitializing")
                )
            })
    };
    bound && phase == Some("Pending") && waiting_to_start(&pod["status"]["containerStatuses"])
}

/// Writes the history of `clusters` over the last `o.days` as OpenMetrics to `out`.
pub fn export(
    clusters: &[ClusterObjects],
    o: &ExportOptions,
    out: impl std::io::Write,
) -> Result<ExportSummary, ExportError> {
    use crate::observe::{history, prometheus::Snapshot};
    let snaps: Vec<Snapshot> = clusters
        .iter()
        .map(|c| Snapshot::from_objects(&c.cluster, c.seed, c.objects.iter().cloned()))
        .collect();
    let range = history::Range::last_days(jiff::Timestamp::now(), o.days, o.step);
    let stats = history::export(&snaps, &range, out)?;
    Ok(ExportSummary {
        clusters: snaps.len(),
        pods: snaps.iter().map(|s| s.pods.len()).sum(),
        series: stats.series,
        samples: stats.samples,
    })
}
