//! `cluster health`: is each cluster reachable, how fast does its API answer, which version
//! does it run, how many nodes are ready — and, when something fails, the class of the failure
//! (DNS, TLS, 401, 403, timeout…) with a fix hint. Runs through [`FanOut`], so a dead cluster
//! costs one timeout, never the whole answer.

use crate::fanout::FanOut;
use crate::pool::ClientPool;
use crate::source::ClusterSource;
use jiff::Timestamp;
use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, ListParams};
use kubegenie_core::outcome::{ClusterError, ErrorClass};
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// The health of one cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthReport {
    /// Cluster name.
    pub cluster: String,
    /// Whether the API server answered over HTTP (even with 401/403).
    pub reachable: bool,
    /// Reachable, and every check passed.
    pub healthy: bool,
    /// Round trip of `GET /version`, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// The server's `gitVersion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_version: Option<String>,
    /// Nodes in the cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes_total: Option<usize>,
    /// Nodes whose `Ready` condition is `True`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes_ready: Option<usize>,
    /// What failed, if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<HealthError>,
    /// When the check ran.
    pub checked_at: Timestamp,
}

/// A failed check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthError {
    /// Error class.
    pub class: ErrorClass,
    /// The message from the cluster or the transport.
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

impl HealthError {
    fn from_cluster_error(e: &ClusterError) -> Self {
        Self {
            class: e.reason,
            message: e.message.clone(),
            hint: e.reason.hint().to_string(),
        }
    }
}

/// Whether a failure of this class means the API server did answer.
fn answered(class: ErrorClass) -> bool {
    !matches!(
        class,
        ErrorClass::Dns
            | ErrorClass::Tls
            | ErrorClass::Unreachable
            | ErrorClass::Timeout
            | ErrorClass::Credentials
            | ErrorClass::Other
    )
}

impl HealthReport {
    fn failed(cluster: &str, error: &ClusterError) -> Self {
        Self {
            cluster: cluster.to_string(),
            reachable: answered(error.reason),
            healthy: false,
            latency_ms: None,
            server_version: None,
            nodes_total: None,
            nodes_ready: None,
            error: Some(HealthError::from_cluster_error(error)),
            checked_at: Timestamp::now(),
        }
    }
}

/// Checks one cluster. Failures to build credentials are reported, not returned, so only
/// transport and API errors reach the fan-out as errors.
async fn check_one(
    pool: &ClientPool,
    name: String,
    source: ClusterSource,
) -> Result<HealthReport, kube::Error> {
    let client = match pool.client(&name, &source).await {
        Ok(c) => c,
        Err(e) => return Ok(HealthReport::failed(&name, &e)),
    };
    let start = Instant::now();
    let version = client.apiserver_version().await?;
    let latency_ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    let mut report = HealthReport {
        cluster: name.clone(),
        reachable: true,
        healthy: true,
        latency_ms: Some(latency_ms),
        server_version: Some(version.git_version),
        nodes_total: None,
        nodes_ready: None,
        error: None,
        checked_at: Timestamp::now(),
    };
    // /version is open to every authenticated user; listing nodes is what proves the
    // credentials are good for real work (and is where a 403 shows).
    match Api::<Node>::all(client).list(&ListParams::default()).await {
        Ok(nodes) => {
            report.nodes_total = Some(nodes.items.len());
            report.nodes_ready = Some(nodes.items.iter().filter(|n| node_ready(n)).count());
        }
        Err(e) => {
            report.healthy = false;
            report.error = Some(HealthError::from_cluster_error(&crate::classify::cluster_error(
                &name, &e,
            )));
        }
    }
    Ok(report)
}

fn node_ready(n: &Node) -> bool {
    n.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// A cluster to check: its name (what [`FanOut`] keys on) and its source.
struct Target(String, ClusterSource);

impl AsRef<str> for Target {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Checks clusters concurrently, one report per cluster, in the order given; clients come
/// from (and stay in) `pool`.
pub async fn check(
    pool: &ClientPool,
    fanout: FanOut,
    clusters: Vec<(String, ClusterSource)>,
) -> Vec<HealthReport> {
    check_observed(pool, fanout, clusters, |_| {}).await
}

/// [`check`], calling `done` with each cluster's name as its check ends.
pub async fn check_observed(
    pool: &ClientPool,
    fanout: FanOut,
    clusters: Vec<(String, ClusterSource)>,
    done: impl Fn(&str),
) -> Vec<HealthReport> {
    let targets: Vec<Target> = clusters.into_iter().map(|(n, s)| Target(n, s)).collect();
    fanout
        .collect_observed(
            targets,
            |Target(name, source)| check_one(pool, name, source),
            done,
        )
        .await
        .into_iter()
        .map(|(name, res)| match res {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => HealthReport::failed(&name, &crate::classify::cluster_error(&name, &e)),
            Err(e) => HealthReport::failed(&name, &e),
        })
        .collect()
}
