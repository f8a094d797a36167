//! What every handler shares: the store and registry, auth settings, limits, metrics, and a
//! cache of cluster clients (building a client per request would redo TLS setup every time).

use crate::auth::jwt::JwtConfig;
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;
use kubegenie_core::outcome::{ClusterError, ErrorClass};
use kubegenie_kube::fanout::FanOut;
use kubegenie_kube::ops::get::Connected;
use kubegenie_kube::registry::{RegisteredCluster, Registry};
use kubegenie_kube::source::ClusterSource;
use kubegenie_store::Store;
use std::collections::HashMap;
use std::sync::Mutex;

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
    clients: Mutex<HashMap<String, (ClusterSource, kube::Client)>>,
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
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// Clients of `clusters`, reused while a cluster's source is unchanged; a cluster whose
    /// credentials cannot be read becomes an error row.
    pub async fn connect(&self, clusters: Vec<RegisteredCluster>) -> (Vec<Connected>, Vec<ClusterError>) {
        let (mut ok, mut errors) = (Vec::new(), Vec::new());
        for c in clusters {
            let cached = {
                let map = self.clients.lock().unwrap_or_else(|e| e.into_inner());
                map.get(&c.name)
                    .filter(|(s, _)| *s == c.source)
                    .map(|(_, client)| client.clone())
            };
            let client = match cached {
                Some(client) => Ok(client),
                None => build(&c.source).await,
            };
            match client {
                Ok(client) => {
                    self.clients
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(c.name.clone(), (c.source.clone(), client.clone()));
                    ok.push(Connected { name: c.name, client });
                }
                Err(message) => errors.push(ClusterError {
                    cluster: c.name,
                    reason: ErrorClass::Credentials,
                    message,
                }),
            }
        }
        (ok, errors)
    }

    /// Drops cached clients of removed clusters.
    pub fn forget(&self, names: &[String]) {
        let mut map = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        for n in names {
            map.remove(n);
        }
    }
}

async fn build(source: &ClusterSource) -> Result<kube::Client, String> {
    let cfg = source.config().await.map_err(|e| e.to_string())?;
    kube::Client::try_from(cfg).map_err(|e| e.to_string())
}
