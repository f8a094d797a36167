use super::*;
use axum::body::Body;
use axum::extract::Request;
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use futures::StreamExt;
use serde_json::json;
use std::convert::Infallible;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Echoes who the server thinks the caller is: the certificate user and groups, or the
/// `Authorization` header.
async fn whoami(req: Request) -> String {
    let cert = req
        .extensions()
        .get::<ClientCertIdentity>()
        .map(|ClientCertIdentity(u)| format!("cert:{}:{}", u.name, u.groups.join(",")));
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    let auth = req
        .headers()
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("none");
    format!(
        "{} {} {}",
        cert.unwrap_or_else(|| "nocert".into()),
        auth,
        peer.unwrap_or_default()
    )
}

/// A watch-like response that sends one event and then never ends.
async fn endless() -> Body {
    let first =
        futures::stream::once(async { Ok::<_, Infallible>(bytes::Bytes::from("{\"type\":\"ADDED\"}\n")) });
    Body::from_stream(first.chain(futures::stream::pending()))
}

fn app() -> Router {
    Router::new()
        .route("/whoami", get(whoami))
        .route("/watch", get(endless))
}

struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

async fn start(tls: Option<Arc<ServerConfig>>) -> anyhow::Result<Server> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, tls, app(), async move {
        let _ = stopped.await;
    }));
    Ok(Server {
        addr,
        stop: Some(stop),
        task,
    })
}

fn client(addr: SocketAddr, ca: &TlsMaterial, auth: serde_json::Value) -> anyhow::Result<kube::Client> {
    let mut config = kube::Config::new(format!("https://{addr}").parse()?);
    config.root_cert = Some(vec![ca.ca_der().to_vec()]);
    config.auth_info = serde_json::from_value(auth)?;
    Ok(kube::Client::try_from(config)?)
}

async fn get_text(client: &kube::Client, path: &str) -> anyhow::Result<String> {
    Ok(client
        .request_text(http::Request::get(path).body(Vec::new())?)
        .await?)
}

#[tokio::test]
async fn kube_client_trusts_the_ca_and_sends_its_token() -> anyhow::Result<()> {
    let tls = TlsMaterial::generate()?;
    let server = start(Some(tls.server_config(false))).await?;
    let kube = client(server.addr, &tls, json!({"token": "t0ken"}))?;
    assert_eq!(get_text(&kube, "/whoami").await?, "nocert Bearer t0ken 127.0.0.1");
    // A client that does not trust this CA must fail, not be served.
    let other = TlsMaterial::generate()?;
    let stranger = client(server.addr, &other, json!({"token": "t0ken"}))?;
    assert!(get_text(&stranger, "/whoami").await.is_err());
    assert_eq!(
        get_text(&kube, "/whoami").await?,
        "nocert Bearer t0ken 127.0.0.1",
        "server survived"
    );
    Ok(())
}

#[tokio::test]
async fn client_certificate_identity_reaches_every_request() -> anyhow::Result<()> {
    let tls = TlsMaterial::generate()?;
    let server = start(Some(tls.server_config(true))).await?;
    let (cert, key) = tls.issue_client_cert("jane", &["system:masters".into(), "dev".into()])?;
    let auth = json!({"client-certificate-data": B64.encode(cert), "client-key-data": B64.encode(key)});
    let kube = client(server.addr, &tls, auth)?;
    for _ in 0..2 {
        let who = get_text(&kube, "/whoami").await?;
        assert_eq!(
            who,
            "cert:jane:system:masters,dev,system:authenticated none 127.0.0.1"
        );
    }
    // Client auth is optional: token users still get in.
    let token_user = client(server.addr, &tls, json!({"token": "abc"}))?;
    assert_eq!(
        get_text(&token_user, "/whoami").await?,
        "nocert Bearer abc 127.0.0.1"
    );
    // A certificate from another CA is rejected at the handshake.
    let rogue_ca = TlsMaterial::generate()?;
    let (cert, key) = rogue_ca.issue_client_cert("mallory", &["system:masters".into()])?;
    let auth = json!({"client-certificate-data": B64.encode(cert), "client-key-data": B64.encode(key)});
    let rogue = client(server.addr, &tls, auth)?;
    assert!(get_text(&rogue, "/whoami").await.is_err());
    Ok(())
}

#[tokio::test]
async fn garbage_and_plain_http_on_the_tls_port_do_not_hurt() -> anyhow::Result<()> {
    let tls = TlsMaterial::generate()?;
    let server = start(Some(tls.server_config(true))).await?;
    let mut raw = TcpStream::connect(server.addr).await?;
    raw.write_all(b"GET /whoami HTTP/1.1\r\nHost: x\r\n\r\n").await?;
    let mut buf = Vec::new();
    // The server closes the connection (the failed handshake is only logged).
    let _ = tokio::time::timeout(Duration::from_secs(5), raw.read_to_end(&mut buf)).await?;
    let kube = client(server.addr, &tls, json!({"token": "x"}))?;
    assert!(get_text(&kube, "/whoami").await?.starts_with("nocert Bearer x"));
    Ok(())
}

#[tokio::test]
async fn shutdown_cuts_endless_watches_after_the_grace_period() -> anyhow::Result<()> {
    let mut server = start(None).await?;
    let mut watch = TcpStream::connect(server.addr).await?;
    watch.write_all(b"GET /watch HTTP/1.1\r\nHost: x\r\n\r\n").await?;
    let mut buf = vec![0u8; 4096];
    let n = watch.read(&mut buf).await?;
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200 OK"));

    let started = std::time::Instant::now();
    if let Some(stop) = server.stop.take() {
        let _ = stop.send(());
    }
    tokio::time::timeout(Duration::from_secs(5), &mut server.task).await??;
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(3),
        "took {took:?}"
    );
    // The watch connection is closed, and nobody is listening any more.
    let _ = tokio::time::timeout(Duration::from_secs(2), watch.read_to_end(&mut Vec::new())).await?;
    assert!(TcpStream::connect(server.addr).await.is_err());
    Ok(())
}

#[tokio::test]
async fn idle_server_shuts_down_at_once() -> anyhow::Result<()> {
    let mut server = start(None).await?;
    let mut conn = TcpStream::connect(server.addr).await?;
    conn.write_all(b"GET /whoami HTTP/1.1\r\nHost: x\r\n\r\n").await?;
    let mut buf = vec![0u8; 1024];
    let n = conn.read(&mut buf).await?;
    assert!(String::from_utf8_lossy(&buf[..n]).contains("nocert none 127.0.0.1"));
    let started = std::time::Instant::now();
    if let Some(stop) = server.stop.take() {
        let _ = stop.send(());
    }
    tokio::time::timeout(Duration::from_secs(5), &mut server.task).await??;
    // An idle keep-alive connection does not hold shutdown for the whole grace period.
    assert!(
        started.elapsed() < Duration::from_millis(800),
        "took {:?}",
        started.elapsed()
    );
    Ok(())
}

#[test]
fn server_config_offers_h2_and_http11() -> anyhow::Result<()> {
    let tls = TlsMaterial::generate()?;
    for client_auth in [false, true] {
        assert_eq!(
            tls.server_config(client_auth).alpn_protocols,
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        );
    }
    assert!(tls.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(tls.server_key_pem().starts_with("-----BEGIN PRIVATE KEY-----"));
    assert!(identity_of_cert(tls.server_cert_der()).is_some_and(|id| id.0.name == "kube-apiserver"));
    assert!(matches!(
        tls.issue_client_cert("x", &["a".into(), "b".into(), "c".into()]),
        Err(TlsError::TooManyOrganizations(3))
    ));
    Ok(())
}

/// The installed kubectl (Go's TLS stack, HTTP/2, kubeconfig loader) against the serving loop,
/// a kubeconfig written by this crate, and the access-review answers. Skipped without kubectl.
#[tokio::test]
async fn kubectl_talks_to_the_tls_server_with_cert_and_token() -> anyhow::Result<()> {
    use crate::auth::{self, Authenticator, RbacSource};
    use crate::kubeconfig::{ContextEntry, merge_into};
    use axum::routing::post;

    if std::process::Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        eprintln!("kubectl not installed; skipping");
        return Ok(());
    }
    struct Policy(Vec<Value>);
    impl RbacSource for Policy {
        fn cluster_roles(&self) -> Vec<Arc<Value>> {
            self.0
                .iter()
                .filter(|o| o["kind"] == "ClusterRole")
                .cloned()
                .map(Arc::new)
                .collect()
        }
        fn cluster_role_bindings(&self) -> Vec<Arc<Value>> {
            self.0
                .iter()
                .filter(|o| o["kind"] == "ClusterRoleBinding")
                .cloned()
                .map(Arc::new)
                .collect()
        }
        fn roles(&self, _: &str) -> Vec<Arc<Value>> {
            Vec::new()
        }
        fn role_bindings(&self, _: &str) -> Vec<Arc<Value>> {
            Vec::new()
        }
    }
    use serde_json::Value;
    let mut policy = auth::bootstrap_policy();
    policy.push(auth::bind_user_to_cluster_role("reader", "view"));
    let policy = Arc::new(Policy(policy));
    let mut authn = Authenticator::new(false);
    authn.add_token("read-only", crate::auth::User::new("reader", &[]));
    let authn = Arc::new(authn);

    let ssar = move |req: Request| {
        let (policy, authn) = (policy.clone(), authn.clone());
        async move {
            let cert = req.extensions().get::<ClientCertIdentity>().map(|c| c.0.clone());
            let header = req
                .headers()
                .get("authorization")
                .and_then(|h| h.to_str().ok())
                .map(str::to_string);
            let http2 = req.version() == http::Version::HTTP_2;
            let user = match authn.authenticate_request(header.as_deref(), cert.as_ref()) {
                Ok(user) => user,
                Err(e) => return axum::response::IntoResponse::into_response(e),
            };
            let body = axum::body::to_bytes(req.into_body(), 1 << 20)
                .await
                .unwrap_or_default();
            // kubectl posts protobuf; kube-apiserver takes both.
            let review = auth::decode_review(&body)
                .or_else(|| serde_json::from_slice(&body).ok())
                .unwrap_or_default();
            let mut out = auth::self_subject_access_review(&user, &review, policy.as_ref());
            out["metadata"]["annotations"] = json!({"http2": http2.to_string()});
            (http::StatusCode::CREATED, axum::Json(out)).into_response()
        }
    };
    let version = || async {
        axum::Json(json!({"major": "1", "minor": "33", "gitVersion": "v1.33.0", "platform": "linux/amd64"}))
    };
    let app = Router::new().route("/version", get(version)).route(
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        post(ssar),
    );
    use axum::response::IntoResponse;

    let tls = TlsMaterial::generate()?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, Some(tls.server_config(true)), app, async move {
        let _ = stopped.await;
    }));

    let dir = tempfile::tempdir()?;
    let kubeconfig = dir.path().join("config");
    let (cert, key) = tls.issue_client_cert("kubernetes-admin", &["system:masters".into()])?;
    let base = ContextEntry {
        server: format!("https://{addr}"),
        ca_pem: Some(tls.ca_pem().to_string()),
        ..ContextEntry::default()
    };
    let admin = ContextEntry {
        name: "admin".into(),
        client_cert_pem: Some(cert),
        client_key_pem: Some(key),
        ..base.clone()
    };
    let reader = ContextEntry {
        name: "reader".into(),
        token: Some("read-only".into()),
        ..base
    };
    merge_into(&kubeconfig, &[admin, reader], Some("admin"))?;

    let kubectl = |args: &[&str]| {
        let mut cmd = std::process::Command::new("kubectl");
        cmd.arg("--kubeconfig").arg(&kubeconfig).args(args);
        cmd.env("HOME", dir.path());
        cmd
    };
    let run = |mut cmd: std::process::Command| {
        tokio::task::spawn_blocking(move || {
            cmd.output().map(|o| {
                (
                    String::from_utf8_lossy(&o.stdout).trim().to_string(),
                    String::from_utf8_lossy(&o.stderr).to_string(),
                )
            })
        })
    };
    let (out, err) = run(kubectl(&["version", "-o", "json"])).await??;
    assert!(out.contains("v1.33.0"), "kubectl version: {out} {err}");
    let (out, err) = run(kubectl(&["auth", "can-i", "delete", "/metrics"])).await??;
    assert_eq!(out, "yes", "admin via client cert: {err}");
    let (out, err) = run(kubectl(&[
        "--context",
        "reader",
        "auth",
        "can-i",
        "get",
        "/version",
    ]))
    .await??;
    assert_eq!(out, "yes", "reader via token: {err}");
    let (out, _) = run(kubectl(&[
        "--context",
        "reader",
        "auth",
        "can-i",
        "get",
        "/metrics",
    ]))
    .await??;
    assert_eq!(out, "no");
    // Go negotiates HTTP/2 through ALPN; the handler marked which protocol it saw.
    let (_, err) = run(kubectl(&[
        "--context",
        "reader",
        "auth",
        "can-i",
        "get",
        "/version",
        "-v=9",
    ]))
    .await??;
    assert!(err.contains(r#"\"http2\":\"true\""#), "{err}");
    // Resource checks: kubectl warns that discovery is missing here, but still asks the server.
    let (out, err) = run(kubectl(&[
        "--context",
        "reader",
        "auth",
        "can-i",
        "list",
        "pods",
        "-n",
        "prod",
    ]))
    .await??;
    assert_eq!(out, "yes", "{err}");
    let (out, _) = run(kubectl(&[
        "--context",
        "reader",
        "auth",
        "can-i",
        "delete",
        "pods",
        "-n",
        "prod",
    ]))
    .await??;
    assert_eq!(out, "no");

    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(5), server).await??;
    Ok(())
}
