//! What every handler shares: the store and registry, auth settings, limits, metrics, and a
//! cache of cluster clients (building a client per request would redo TLS setup every time).

use crate::auth::jwt::JwtConfig;
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;
use kubegenie_core::outcome::ClusterError;
use kubegenie_kube::fanout::FanOut;
use kubegenie_kube::ops::get::Connected;
use kubegenie_kube::pool::ClientPool;
use kubegenie_kube::registry::{RegisteredCluster, Registry};
use kubegenie_store::Store;

/// Shared state of the server.
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The cluster registry over it.
    pub registry: Registry<Store>,
    /// JWT settings, when JWTs are accepted.
    pub jwt: Option<JwtConfig>,
    /// Per-token rate limits.
    pub limiter: RateLimiter,
    /// Request metrics.
    pub metrics: Metrics,
    /// Concurrency and per-cluster timeout of fan-outs.
    pub fanout: FanOut,
    /// Cluster clients, reused across requests while a cluster's source is unchanged.
    pub pool: ClientPool,
}

impl AppState {
    /// State over `store`.
    pub fn new(store: Store, jwt: Option<JwtConfig>, limiter: RateLimiter, fanout: FanOut) -> Self {
        Self {
            registry: Registry::new(store.clone()),
            store,
            jwt,
            limiter,
            metrics: Metrics::default(),
            fanout,
            pool: ClientPool::new(),
        }
    }

    /// Clients of `clusters` from the pool; a cluster whose credentials cannot be read
    /// becomes an error row.
    pub async fn connect(&self, clusters: Vec<RegisteredCluster>) -> (Vec<Connected>, Vec<ClusterError>) {
        let targets = clusters.into_iter().map(|c| (c.name, c.source)).collect();
        self.pool.connect(targets, self.fanout.concurrency).await
    }

    /// Drops cached clients of removed clusters.
    pub fn forget(&self, names: &[String]) {
        for n in names {
            self.pool.evict(n);
        }
    }
}
