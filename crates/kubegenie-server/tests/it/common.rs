//! A server on 127.0.0.1:0 over a fresh store with two simulated clusters, `alpha` and `beta`,
//! registered from a kubeconfig; and a small HTTP client.

use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use kubegenie_kube::provider::ClusterProvider;
use kubegenie_kube::provider::kubeconfig::{Contexts, KubeconfigProvider};
use kubegenie_kube::registry::Registry;
use kubegenie_server::auth::token;
use kubegenie_server::{Server, ServerConfig};
use kubegenie_sim::{SimCluster, SimConfig};
use kubegenie_store::Store;
use serde_json::Value;
use std::collections::BTreeMap;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const ADMIN: &str = "test-admin-token-0123456789";

pub struct Env {
    pub base: String,
    pub store: Store,
    pub kubeconfig: std::path::PathBuf,
    client: Client<HttpConnector, Full<Bytes>>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    _sims: Vec<SimCluster>,
    _dir: tempfile::TempDir,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// Asserts a problem document of `slug` with `status`.
    pub fn problem(&self, status: u16, slug: &str) -> Value {
        assert_eq!(self.status.as_u16(), status, "{}", self.text);
        assert_eq!(
            self.headers.get(header::CONTENT_TYPE).unwrap(),
            "application/problem+json",
            "{}",
            self.text
        );
        let p = self.json();
        assert_eq!(p["type"], format!("https://kubegenie.dev/problems/{slug}"), "{p}");
        assert_eq!(p["status"], status);
        assert!(!p["detail"].as_str().unwrap().is_empty());
        p
    }
}

pub async fn env() -> Env {
    env_with(|_| {}).await
}

pub async fn env_with(tweak: impl FnOnce(&mut ServerConfig)) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    let mut sims = Vec::new();
    for name in ["alpha", "beta"] {
        let sim = SimCluster::start(SimConfig::named(name))
            .await
            .expect("cluster starts");
        sim.write_kubeconfig(&kubeconfig, name, false).unwrap();
        sims.push(sim);
    }
    let store = Store::open(&dir.path().join("kubegenie.db")).await.unwrap();
    let found = KubeconfigProvider {
        path: kubeconfig.clone(),
        contexts: Contexts::All,
        labels: BTreeMap::new(),
    }
    .discover()
    .await
    .unwrap();
    Registry::new(store.clone()).add(&found.clusters).await.unwrap();
    token::bootstrap_admin(&store, Some(ADMIN)).await.unwrap();
    let mut cfg = ServerConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        rate_limit: 0,
        ..ServerConfig::default()
    };
    tweak(&mut cfg);
    let server = Server::bind(cfg, store.clone()).await.unwrap();
    let base = format!("http://{}", server.local_addr());
    let (stop, rx) = oneshot::channel();
    let task = tokio::spawn(server.run(async {
        let _ = rx.await;
    }));
    Env {
        base,
        store,
        kubeconfig,
        client: Client::builder(TokioExecutor::new()).build_http(),
        stop: Some(stop),
        task: Some(task),
        _sims: sims,
        _dir: dir,
    }
}

impl Env {
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<&str>) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        let req = req
            .body(Full::new(Bytes::from(body.unwrap_or_default().to_string())))
            .unwrap();
        let resp = self.client.request(req).await.expect("request");
        let (parts, body) = resp.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        Reply {
            status: parts.status,
            headers: parts.headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.call(Method::GET, path, token, None).await
    }

    /// Stops the server and waits for it to finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap();
    }
}
