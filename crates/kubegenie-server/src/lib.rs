//! The HTTP front end: the REST API with its OpenAPI document, authentication (API tokens,
//! JWT), RBAC, rate limits, Prometheus metrics and the embedded web page. Audit, chat, findings,
//! agents, tasks and the MCP server come with the layers they front.
//!
//! It contains no analysis logic; every route is a thin adapter over `kubegenie-kube` and the
//! store.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use kubegenie_server::{Server, ServerConfig};
//! let store = kubegenie_store::Store::open_memory().await?;
//! let server = Server::bind(ServerConfig::default(), store).await?;
//! println!("listening on {}", server.local_addr());
//! server.run(async { let _ = tokio::signal::ctrl_c().await; }).await;
//! # Ok(()) }
//! ```

pub mod auth;
pub mod error;
pub mod listen;
pub mod metrics;
pub mod openapi;
pub mod ratelimit;
pub mod rbac;
pub mod routes;
pub mod state;
pub mod web;

use crate::auth::jwt::JwtConfig;
use crate::ratelimit::RateLimiter;
use crate::routes::RouterOptions;
use crate::state::AppState;
use kubegenie_kube::fanout::FanOut;
use kubegenie_store::Store;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Everything `kubegenie serve` can set.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Listen address.
    pub addr: SocketAddr,
    /// PEM certificate and key files; `None` serves plain HTTP.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Largest accepted request body, in bytes.
    pub body_limit: usize,
    /// Origins allowed by CORS; empty (the default) turns CORS off.
    pub cors_origins: Vec<String>,
    /// Sustained requests per second per token (0: unlimited).
    pub rate_limit: u32,
    /// Requests a token may send at once before the sustained rate applies.
    pub rate_burst: u32,
    /// JWT settings; `None` accepts API tokens only.
    pub jwt: Option<JwtConfig>,
    /// Time allowed per cluster.
    pub cluster_timeout: Duration,
    /// Clusters queried at the same time.
    pub concurrency: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            tls: None,
            body_limit: 1 << 20,
            cors_origins: Vec::new(),
            rate_limit: 50,
            rate_burst: 100,
            jwt: None,
            cluster_timeout: Duration::from_secs(10),
            concurrency: 16,
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// Address asked for.
        addr: SocketAddr,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// TLS files are unusable.
    #[error(transparent)]
    Tls(#[from] listen::TlsError),
}

/// A bound server, ready to run.
pub struct Server {
    listener: TcpListener,
    addr: SocketAddr,
    tls: Option<Arc<rustls::ServerConfig>>,
    app: axum::Router,
}

impl Server {
    /// Binds the address and builds the application over `store`.
    pub async fn bind(config: ServerConfig, store: Store) -> Result<Self, ServeError> {
        let tls = config
            .tls
            .as_ref()
            .map(|(cert, key)| listen::tls_config(cert, key))
            .transpose()?;
        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|source| ServeError::Bind {
                addr: config.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| ServeError::Bind {
            addr: config.addr,
            source,
        })?;
        let fanout = FanOut {
            concurrency: config.concurrency.max(1),
            timeout: config.cluster_timeout,
        };
        let state = Arc::new(AppState::new(
            store,
            config.jwt.clone(),
            RateLimiter::new(config.rate_limit, config.rate_burst),
            fanout,
        ));
        let opts = RouterOptions {
            body_limit: config.body_limit,
            cors_origins: config.cors_origins.clone(),
        };
        Ok(Self {
            listener,
            addr,
            tls,
            app: routes::router(state, &opts),
        })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() { "https" } else { "http" }
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        listen::serve(self.listener, self.tls, self.app, shutdown).await;
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
