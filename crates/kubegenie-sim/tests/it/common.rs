//! Shared helpers: a running simulated cluster and clients for it.

use anyhow::Result;
use http_body_util::BodyExt;
use kube::Client;
use kubegenie_sim::{SimCluster, SimConfig, SimUser};
use serde_json::Value;
use std::time::Duration;

/// A simulated cluster and an admin client for it.
pub struct Sim {
    pub cluster: SimCluster,
    pub client: Client,
}

/// The configuration tests start clusters with.
pub fn config(name: &str) -> SimConfig {
    let mut cfg = SimConfig::named(name);
    cfg.watch_history = 64;
    cfg.bookmark_interval = Duration::from_millis(200);
    cfg.users.push(SimUser {
        name: "viewer".into(),
        groups: vec![],
        token: "viewer-token".into(),
        cluster_role: Some("view".into()),
    });
    cfg
}

/// A kube client for `cluster` authenticating with `token`.
pub fn client_for(cluster: &SimCluster, token: &str) -> Result<Client> {
    let mut cfg = kube::Config::new(cluster.url().parse()?);
    if let Some(ca) = cluster.ca_pem() {
        let der: Vec<Vec<u8>> = rustls_pki_types::CertificateDer::pem_slice_iter(ca.as_bytes())
            .map(|c| c.map(|c| c.to_vec()))
            .collect::<Result<_, _>>()?;
        cfg.root_cert = Some(der);
    }
    cfg.auth_info.token = Some(token.to_string().into());
    cfg.default_namespace = "default".into();
    Ok(Client::try_from(cfg)?)
}

use rustls_pki_types::pem::PemObject;

/// Starts a cluster with [`config`].
pub async fn sim() -> Result<Sim> {
    sim_with(config("it")).await
}

/// Starts a cluster with the given configuration.
pub async fn sim_with(cfg: SimConfig) -> Result<Sim> {
    let cluster = SimCluster::start(cfg).await?;
    let client = client_for(&cluster, cluster.admin_token())?;
    Ok(Sim { cluster, client })
}

/// A raw HTTP exchange: status code and parsed JSON body (or the text as a JSON string).
pub async fn raw(
    client: &Client,
    method: &str,
    path: &str,
    content_type: &str,
    body: impl Into<Vec<u8>>,
) -> Result<(u16, Value)> {
    let req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", content_type)
        .body(kube::client::Body::from(body.into()))?;
    let resp = client.send(req).await?;
    let code = resp.status().as_u16();
    let bytes = resp.into_body().collect().await?.to_bytes();
    let v = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    Ok((code, v))
}

/// Polls `f` until it returns true or `timeout` passes.
pub async fn eventually<F, Fut>(timeout: Duration, mut f: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if f().await {
            return true;
        }
        if tokio::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The Kubernetes API error inside a kube error.
pub fn api_err(e: kube::Error) -> kube::core::Status {
    match e {
        kube::Error::Api(s) => *s,
        other => panic!("expected an API error, got {other:?}"),
    }
}
