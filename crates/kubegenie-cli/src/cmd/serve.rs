//! `kubegenie serve`: the REST API, OpenAPI document, docs page and web page over the cluster
//! registry under the KubeGenie home.

use super::fleet::parse_duration;
use anyhow::{Context, Result};
use clap::Args;
use kubegenie_server::auth::jwt::JwtConfig;
use kubegenie_server::auth::token;
use kubegenie_server::{Server, ServerConfig, shutdown_signal};
use kubegenie_store::Store;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Options of `kubegenie serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// TLS certificate chain (PEM); serves HTTPS with --tls-key.
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Allow this browser origin through CORS (repeatable; CORS is off without it).
    #[arg(long)]
    pub cors_origin: Vec<String>,
    /// Sustained requests per second per token (0: unlimited).
    #[arg(long, default_value_t = 50)]
    pub rate_limit: u32,
    /// Requests a token may send at once.
    #[arg(long, default_value_t = 100)]
    pub rate_burst: u32,
    /// Largest request body, in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    pub body_limit: usize,
    /// Environment variable holding an HS256 secret: accept JWTs signed with it.
    #[arg(long, value_name = "VAR")]
    pub jwt_secret_env: Option<String>,
    /// JWKS document (JSON file) with the RS256 keys of an OIDC provider.
    #[arg(long)]
    pub jwks_file: Option<PathBuf>,
    /// Required `iss` of JWTs.
    #[arg(long)]
    pub jwt_issuer: Option<String>,
    /// Required `aud` of JWTs.
    #[arg(long)]
    pub jwt_audience: Option<String>,
    /// Time allowed per cluster.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,
}

impl ServeArgs {
    /// Defaults with `addr` (for `kubegenie demo`).
    pub fn at(addr: SocketAddr) -> Self {
        Self {
            addr,
            tls_cert: None,
            tls_key: None,
            cors_origin: Vec::new(),
            rate_limit: 50,
            rate_burst: 100,
            body_limit: 1 << 20,
            jwt_secret_env: None,
            jwks_file: None,
            jwt_issuer: None,
            jwt_audience: None,
            timeout: Duration::from_secs(10),
        }
    }

    fn jwt(&self) -> Result<Option<JwtConfig>> {
        let secret = match &self.jwt_secret_env {
            Some(var) => {
                let v = std::env::var(var).with_context(|| format!("--jwt-secret-env: {var} is not set"))?;
                anyhow::ensure!(
                    v.len() >= 32,
                    "the HS256 secret in {var} must be at least 32 bytes"
                );
                Some(v.into_bytes())
            }
            None => None,
        };
        let jwks = match &self.jwks_file {
            Some(p) => {
                let text =
                    std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?;
                Some(
                    serde_json::from_str(&text)
                        .with_context(|| format!("{} is not a JWKS document", p.display()))?,
                )
            }
            None => None,
        };
        if secret.is_none() && jwks.is_none() {
            anyhow::ensure!(
                self.jwt_issuer.is_none() && self.jwt_audience.is_none(),
                "--jwt-issuer/--jwt-audience need --jwt-secret-env or --jwks-file"
            );
            return Ok(None);
        }
        Ok(Some(JwtConfig {
            hs256_secret: secret,
            jwks,
            issuer: self.jwt_issuer.clone(),
            audience: self.jwt_audience.clone(),
        }))
    }

    fn config(&self) -> Result<ServerConfig> {
        Ok(ServerConfig {
            addr: self.addr,
            tls: self.tls_cert.clone().zip(self.tls_key.clone()),
            body_limit: self.body_limit,
            cors_origins: self.cors_origin.clone(),
            rate_limit: self.rate_limit,
            rate_burst: self.rate_burst,
            jwt: self.jwt()?,
            cluster_timeout: self.timeout,
            concurrency: 16,
        })
    }
}

/// The admin token from `KUBEGENIE_ADMIN_TOKEN`, if set.
pub fn env_admin_token() -> Option<String> {
    std::env::var("KUBEGENIE_ADMIN_TOKEN")
        .ok()
        .filter(|t| !t.is_empty())
}

/// Binds the server over the home store (the caller prints how to reach it), then serves
/// until SIGINT/SIGTERM.
pub async fn bind(args: &ServeArgs) -> Result<(Server, Store)> {
    let store = Store::open(&crate::home::dir().join("kubegenie.db")).await?;
    let server = Server::bind(args.config()?, store.clone()).await?;
    Ok((server, store))
}

/// Runs `kubegenie serve`.
pub async fn run(args: ServeArgs) -> Result<()> {
    let (server, store) = bind(&args).await?;
    let fixed = env_admin_token();
    if let Some(t) = token::bootstrap_admin(&store, fixed.as_deref()).await? {
        println!("admin token (shown once, store it now): {t}");
    }
    println!("serving on {}://{}", server.scheme(), server.local_addr());
    println!("API docs: {}://{}/docs/", server.scheme(), server.local_addr());
    server.run(shutdown_signal()).await;
    store.close().await;
    Ok(())
}
