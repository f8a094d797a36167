//! Writing and merging kubeconfig contexts for simulated clusters (interim).

use std::path::Path;

/// Interim error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct KubeconfigError(String);

/// One context to write.
#[derive(Debug, Clone)]
pub struct ContextEntry {
    /// Context/cluster/user name.
    pub name: String,
    /// Server URL.
    pub server: String,
    /// CA PEM.
    pub ca_pem: Option<String>,
    /// Skip TLS verification.
    pub insecure: bool,
    /// Bearer token.
    pub token: Option<String>,
    /// Client cert PEM.
    pub client_cert_pem: Option<String>,
    /// Client key PEM.
    pub client_key_pem: Option<String>,
    /// Default namespace.
    pub namespace: Option<String>,
}

/// Writes contexts (interim: overwrites, JSON).
pub fn merge_into(
    path: &Path,
    entries: &[ContextEntry],
    current: Option<&str>,
) -> Result<(), KubeconfigError> {
    let clusters: Vec<_> = entries
        .iter()
        .map(|e| serde_json::json!({"name": e.name, "cluster": {"server": e.server}}))
        .collect();
    let users: Vec<_> = entries
        .iter()
        .map(|e| serde_json::json!({"name": e.name, "user": {"token": e.token}}))
        .collect();
    let ctxs: Vec<_> = entries
        .iter()
        .map(|e| serde_json::json!({"name": e.name, "context": {"cluster": e.name, "user": e.name}}))
        .collect();
    let doc = serde_json::json!({"apiVersion": "v1", "kind": "Config", "clusters": clusters, "users": users, "contexts": ctxs, "current-context": current.unwrap_or_default()});
    std::fs::write(path, doc.to_string()).map_err(|e| KubeconfigError(e.to_string()))
}
