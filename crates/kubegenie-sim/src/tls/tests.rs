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
    let (cert, key) = tls.issue_client_cert("jane", &["system:masters", "dev"])?;
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
    let (cert, key) = rogue_ca.issue_client_cert("mallory", &["system:masters"])?;
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
        tls.issue_client_cert("x", &["a", "b", "c"]),
        Err(TlsError::TooManyOrganizations(3))
    ));
    Ok(())
}
