//! Configuration of one simulated cluster.

use std::net::SocketAddr;
use std::time::Duration;

/// A user of a simulated cluster, authenticated by a bearer token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimUser {
    /// User name.
    pub name: String,
    /// Extra groups (every user is also in `system:authenticated`).
    pub groups: Vec<String>,
    /// Bearer token.
    pub token: String,
    /// ClusterRole bound to the user at startup (e.g. `view` for a read-only token).
    pub cluster_role: Option<String>,
}

impl SimUser {
    /// A user with a random token bound to `cluster_role`.
    pub fn with_role(name: &str, cluster_role: &str) -> Self {
        Self {
            name: name.to_string(),
            groups: Vec::new(),
            token: crate::config::random_token(),
            cluster_role: Some(cluster_role.to_string()),
        }
    }
}

/// How to start a simulated cluster.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Cluster name (used for kubeconfig contexts and log lines).
    pub name: String,
    /// Address to listen on; port 0 picks a free port.
    pub addr: SocketAddr,
    /// Serve HTTPS with a self-signed CA (true) or plain HTTP.
    pub tls: bool,
    /// Accept client certificates signed by the cluster CA (HTTPS only).
    pub client_cert_auth: bool,
    /// Kubernetes version reported by `/version`, e.g. `v1.33.1`.
    pub kubernetes_version: String,
    /// Number of nodes created at startup.
    pub nodes: usize,
    /// Admin token (member of `system:masters`); random when `None`.
    pub admin_token: Option<String>,
    /// Further users.
    pub users: Vec<SimUser>,
    /// Requests without credentials are `system:anonymous` instead of 401.
    pub anonymous: bool,
    /// Requests without credentials act as the admin, as on kube-apiserver's old insecure
    /// port. Set for plain HTTP, where client-go does not send bearer tokens.
    pub insecure_admin: bool,
    /// Events kept for watch resumption; older resourceVersions get 410 Gone.
    pub watch_history: usize,
    /// Interval between BOOKMARK events on watches that allow them.
    pub bookmark_interval: Duration,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Speed of the cluster clock relative to real time (1.0 = real time).
    pub clock_speed: f64,
    /// Seed of the cluster's random streams (uids, generated names, behaviour noise).
    pub seed: u64,
    /// Objects created at startup after the built-in ones and before the controllers run, so
    /// their uids come from the seeded stream in a fixed order (scenarios use this; set
    /// `nodes` to 0 when these include the nodes).
    pub initial_objects: Vec<serde_json::Value>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            name: "sim".to_string(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            tls: true,
            client_cert_auth: true,
            kubernetes_version: "v1.33.1".to_string(),
            nodes: 1,
            admin_token: None,
            users: Vec::new(),
            anonymous: false,
            insecure_admin: false,
            watch_history: 10_000,
            bookmark_interval: Duration::from_secs(10),
            max_body_bytes: 3 * 1024 * 1024,
            clock_speed: 1.0,
            seed: 1,
            initial_objects: Vec::new(),
        }
    }
}

impl SimConfig {
    /// Default configuration for a cluster named `name`.
    pub fn named(name: &str) -> Self {
        Self {
            name: name.to_string(),
            ..Self::default()
        }
    }

    /// Plain HTTP instead of HTTPS.
    pub fn http(mut self) -> Self {
        self.tls = false;
        self.client_cert_auth = false;
        self.insecure_admin = true;
        self
    }
}

/// A random bearer token (hex of 128 random bits).
pub fn random_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
