//! One client per cluster, built once and reused. A kube `Client` owns a connection pool
//! (HTTP keep-alive, TLS sessions) and, for exec credential plugins, a cached token; building
//! one per request would redo the TLS handshake and re-run `aws eks get-token` each time. A
//! long-lived process (the server) keeps one [`ClientPool`] for its lifetime; a CLI command
//! uses one for its run.
//!
//! Building a client runs the cluster's exec credential plugin, a blocking process, so clients
//! are built on the blocking pool and many clusters are connected at once.

use crate::exec_plugin;
use crate::ops::get::Connected;
use crate::source::ClusterSource;
use futures::StreamExt;
use kubegenie_core::outcome::{ClusterError, ErrorClass};
use std::collections::HashMap;
use std::sync::Mutex;

/// Clients keyed by cluster name; an entry is rebuilt when the cluster's source changes.
#[derive(Default)]
pub struct ClientPool {
    clients: Mutex<HashMap<String, (ClusterSource, kube::Client)>>,
}

impl std::fmt::Debug for ClientPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientPool")
            .field("clients", &self.len())
            .finish()
    }
}

impl ClientPool {
    /// An empty pool.
    pub fn new() -> Self {
        Self::default()
    }

    /// Clients held.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no client is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops the client of `cluster` (after it was removed, or its credentials were revoked).
    pub fn evict(&self, cluster: &str) {
        self.lock().remove(cluster);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (ClusterSource, kube::Client)>> {
        // A panic while holding the lock leaves a map that is still consistent.
        self.clients.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The client of `cluster`, reused when its source is unchanged.
    pub async fn client(&self, cluster: &str, source: &ClusterSource) -> Result<kube::Client, ClusterError> {
        if let Some((s, c)) = self.lock().get(cluster)
            && s == source
        {
            return Ok(c.clone());
        }
        let client = build(cluster, source).await?;
        self.lock()
            .insert(cluster.to_string(), (source.clone(), client.clone()));
        Ok(client)
    }

    /// Connects to clusters, `concurrency` at a time; a cluster whose credentials cannot be
    /// obtained becomes an error row. Both lists keep the order given.
    pub async fn connect(
        &self,
        clusters: Vec<(String, ClusterSource)>,
        concurrency: usize,
    ) -> (Vec<Connected>, Vec<ClusterError>) {
        let results: Vec<_> = futures::stream::iter(clusters)
            .map(|(name, source)| async move {
                let res = self.client(&name, &source).await;
                (name, res)
            })
            .buffered(concurrency.max(1))
            .collect()
            .await;
        let (mut ok, mut errors) = (Vec::new(), Vec::new());
        for (name, res) in results {
            match res {
                Ok(client) => ok.push(Connected { name, client }),
                Err(e) => errors.push(e),
            }
        }
        (ok, errors)
    }
}

/// Builds a client, running the exec credential plugin (if any) on the blocking pool.
pub async fn build(cluster: &str, source: &ClusterSource) -> Result<kube::Client, ClusterError> {
    let failed = |message: String| ClusterError {
        cluster: cluster.to_string(),
        reason: ErrorClass::Credentials,
        message,
    };
    let cfg = source.config().await.map_err(|e| failed(e.to_string()))?;
    let exec = cfg.auth_info.exec.clone();
    let built = tokio::task::spawn_blocking(move || kube::Client::try_from(cfg))
        .await
        .map_err(|e| failed(format!("building the client failed: {e}")))?;
    built.map_err(|e| {
        let explained = match (&e, &exec) {
            (kube::Error::Auth(auth), Some(exec)) => exec_plugin::explain(exec, auth),
            _ => None,
        };
        match explained {
            Some(message) => failed(message),
            None => crate::classify::cluster_error(cluster, &e),
        }
    })
}
