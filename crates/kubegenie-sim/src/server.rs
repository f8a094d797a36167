//! [`SimCluster`]: one simulated cluster served on 127.0.0.1.

use crate::auth::User;
use crate::config::{SimConfig, SimUser, random_token};
use crate::error::ApiError;
use crate::kubeconfig::{self, ContextEntry};
use crate::state::ClusterState;
use crate::tls::TlsMaterial;
use crate::{control, handlers, seed};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Why a simulated cluster could not start or write its kubeconfig.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// Address asked for.
        addr: SocketAddr,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// Certificates could not be generated.
    #[error("cannot set up TLS: {0}")]
    Tls(String),
    /// The initial objects could not be created.
    #[error("cannot seed the cluster")]
    Seed(#[from] ApiError),
    /// The kubeconfig could not be written.
    #[error(transparent)]
    Kubeconfig(#[from] kubeconfig::KubeconfigError),
}

/// A running simulated cluster. Dropping it without [`SimCluster::shutdown`] stops it too.
pub struct SimCluster {
    state: Arc<ClusterState>,
    url: String,
    admin_token: String,
    tls: Option<TlsMaterial>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

async fn stopped(mut rx: watch::Receiver<bool>) {
    while !*rx.borrow() {
        if rx.changed().await.is_err() {
            return;
        }
    }
}

impl SimCluster {
    /// Starts a cluster: binds its port, seeds its objects and serves until shut down.
    pub async fn start(mut config: SimConfig) -> Result<Self, SimError> {
        // Kept out of the state's copy of the config: they are only needed once.
        let initial = std::mem::take(&mut config.initial_objects);
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|source| SimError::Bind {
                addr: config.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SimError::Bind {
            addr: config.addr,
            source,
        })?;
        let tls = if config.tls {
            Some(TlsMaterial::generate().map_err(|e| SimError::Tls(e.to_string()))?)
        } else {
            None
        };
        let admin_token = config.admin_token.clone().unwrap_or_else(random_token);
        let state = ClusterState::new(config.clone());
        if let Some(t) = &tls {
            let _ = state.ca_pem.set(t.ca_pem().to_string());
        }
        {
            let mut authn = state.authn.write().unwrap_or_else(|e| e.into_inner());
            authn.add_token(&admin_token, admin_user());
            for u in &config.users {
                authn.add_token(&u.token, user_of(u));
            }
        }
        seed::seed(&state, initial)?;
        let (stop, rx) = watch::channel(false);
        let server_tls = tls.as_ref().map(|t| t.server_config(config.client_cert_auth));
        let app = handlers::router(state.clone());
        let serve = crate::tls::serve(listener, server_tls, app, stopped(rx.clone()));
        let tasks = vec![
            tokio::spawn(serve),
            tokio::spawn(control::run(state.clone(), control::standard(), stopped(rx))),
        ];
        let scheme = if config.tls { "https" } else { "http" };
        let url = format!("{scheme}://{addr}");
        tracing::info!(cluster = %config.name, %url, "simulated cluster started");
        Ok(Self {
            state,
            url,
            admin_token,
            tls,
            stop,
            tasks,
        })
    }

    /// Cluster name.
    pub fn name(&self) -> &str {
        &self.state.config.name
    }

    /// Base URL, e.g. `https://127.0.0.1:41234`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Token of the `kubernetes-admin` user (group `system:masters`).
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// PEM of the cluster CA (HTTPS clusters only).
    pub fn ca_pem(&self) -> Option<&str> {
        self.tls.as_ref().map(|t| t.ca_pem())
    }

    /// A client certificate and key (PEM) for user `cn` in `groups`, signed by the cluster CA.
    pub fn issue_client_cert(&self, cn: &str, groups: &[String]) -> Option<(String, String)> {
        self.tls
            .as_ref()
            .and_then(|t| t.issue_client_cert(cn, groups).ok())
    }

    /// Adds a user at runtime (token and optional ClusterRole binding).
    pub fn add_user(&self, user: &SimUser) -> Result<(), SimError> {
        self.state
            .authn
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .add_token(&user.token, user_of(user));
        if let Some(role) = &user.cluster_role {
            seed::create(
                &self.state,
                crate::auth::bind_user_to_cluster_role(&user.name, role),
            )?;
        }
        Ok(())
    }

    /// A kubeconfig context for this cluster, authenticating as `token` (admin by default).
    pub fn context(&self, context_name: &str, token: Option<&str>) -> ContextEntry {
        ContextEntry {
            name: context_name.to_string(),
            server: self.url.clone(),
            ca_pem: self.ca_pem().map(str::to_string),
            insecure: false,
            token: Some(token.unwrap_or(&self.admin_token).to_string()),
            client_cert_pem: None,
            client_key_pem: None,
            namespace: None,
        }
    }

    /// Writes (merges) an admin context named `context_name` into the kubeconfig at `path`.
    pub fn write_kubeconfig(
        &self,
        path: &Path,
        context_name: &str,
        set_current: bool,
    ) -> Result<(), SimError> {
        let entry = self.context(context_name, None);
        kubeconfig::merge_into(path, &[entry], set_current.then_some(context_name))?;
        Ok(())
    }

    /// The cluster's HTTP application, for in-process use without a socket.
    pub fn router(&self) -> axum::Router {
        handlers::router(self.state.clone())
    }

    /// The cluster's shared state, for in-crate drivers such as scenario timelines.
    pub(crate) fn state(&self) -> &Arc<ClusterState> {
        &self.state
    }

    /// Runs `task` alongside the cluster until it is shut down.
    pub(crate) fn spawn_until_stopped(
        &mut self,
        task: impl std::future::Future<Output = ()> + Send + 'static,
    ) {
        let stop = stopped(self.stop.subscribe());
        self.tasks.push(tokio::spawn(async move {
            tokio::select! {
                _ = stop => {}
                _ = task => {}
            }
        }));
    }

    /// Stops serving and waits for the server and controllers to finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for t in self.tasks.drain(..) {
            let _ = t.await;
        }
    }
}

impl Drop for SimCluster {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// The cluster administrator every simulated cluster has.
pub(crate) fn admin_user() -> User {
    User {
        name: "kubernetes-admin".into(),
        groups: vec!["system:masters".into(), "system:authenticated".into()],
    }
}

fn user_of(u: &SimUser) -> User {
    let mut groups = u.groups.clone();
    groups.push("system:authenticated".into());
    User {
        name: u.name.clone(),
        groups,
    }
}
