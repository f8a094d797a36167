//! What every multi-cluster command shares: cluster selection flags, the registry, and
//! connecting to the selected clusters.

use anyhow::Result;
use clap::Args;
use kubegenie_core::outcome::ClusterError;
use kubegenie_core::selection::{ClusterSelection, parse_label_selector};
use kubegenie_kube::ops::get::Connected;
use kubegenie_kube::pool::ClientPool;
use kubegenie_kube::registry::{RegisteredCluster, Registry};
use kubegenie_store::Store;
use std::time::Duration;

/// Which clusters a multi-cluster command targets.
#[derive(Debug, Args)]
pub struct SelectionArgs {
    /// Cluster names or globs, comma-separated (prod-*,staging).
    #[arg(long, value_delimiter = ',')]
    pub clusters: Vec<String>,
    /// Names or globs to leave out.
    #[arg(long, value_delimiter = ',')]
    pub exclude: Vec<String>,
    /// Every registered cluster.
    #[arg(long, short = 'C')]
    pub all_clusters: bool,
    /// Label selector over cluster labels (env=prod,region!=eu).
    #[arg(long)]
    pub cluster_selector: Option<String>,
}

impl SelectionArgs {
    pub fn selection(&self) -> Result<ClusterSelection> {
        Ok(ClusterSelection {
            clusters: self.clusters.clone(),
            exclude: self.exclude.clone(),
            label_selector: match &self.cluster_selector {
                Some(s) => parse_label_selector(s)?,
                None => Vec::new(),
            },
            all: self.all_clusters,
        })
    }
}

/// Parses `10s`, `500ms`, `2m` or a number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map_or((s, "s"), |i| s.split_at(i));
    let n: f64 = num.parse().map_err(|_| format!("invalid duration {s:?}"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return Err(format!("invalid duration {s:?} (use ms, s or m)")),
    };
    Duration::try_from_secs_f64(secs).map_err(|e| format!("invalid duration {s:?}: {e}"))
}

/// Opens the registry under the KubeGenie home.
pub async fn registry() -> Result<Registry<Store>> {
    let path = crate::home::dir().join("kubegenie.db");
    Ok(Registry::new(Store::open(&path).await?))
}

/// Connects to each cluster, several at once (exec credential plugins run in parallel); a
/// cluster whose credentials cannot be obtained becomes an error row.
pub async fn connect(
    pool: &ClientPool,
    clusters: Vec<RegisteredCluster>,
    concurrency: usize,
) -> (Vec<Connected>, Vec<ClusterError>) {
    pool.connect(
        clusters.into_iter().map(|c| (c.name, c.source)).collect(),
        concurrency,
    )
    .await
}
