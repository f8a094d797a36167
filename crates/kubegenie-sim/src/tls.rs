//! TLS for simulated clusters: a self-signed CA, a server certificate for 127.0.0.1/localhost,
//! client certificates signed by the CA (how kubeadm's `kubernetes-admin` authenticates), and
//! the accept loop that serves an axum app over plain TCP or TLS with per-connection client
//! certificate identities and a bounded graceful shutdown.

mod der;

use crate::auth::{User, user_from_cert};
use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyPair, KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;
use tracing::debug;

/// How long open connections (watches, exec streams) may keep running after shutdown begins.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);
/// A client that has not finished its TLS handshake by then is dropped, so it cannot hold a task.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Errors creating certificates or TLS configurations.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// rcgen could not generate a key or sign a certificate.
    #[error("generating certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    /// rustls rejected the certificate, key or protocol settings.
    #[error("building TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
    /// More groups than a client certificate can carry here (at most two).
    #[error("a client certificate can carry at most 2 organizations (groups), got {0}")]
    TooManyOrganizations(usize),
    /// The client certificate verifier could not be built from the CA.
    #[error("building client certificate verifier: {0}")]
    Verifier(#[from] rustls::server::VerifierBuilderError),
}

/// The identity of a verified client certificate (CN = user, O = groups), added as a request
/// extension to every request of the connection that presented it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCertIdentity(pub User);

/// A cluster CA, a server certificate it signed, and ready-made rustls server configurations.
#[derive(Debug)]
pub struct TlsMaterial {
    ca_cert: rcgen::Certificate,
    // Kept as text so callers can borrow it (`Option<&str>` accessors, kubeconfig entries).
    ca_pem: String,
    ca: Issuer<'static, KeyPair>,
    server_cert: rcgen::Certificate,
    server_key: KeyPair,
    // Built once here so that `server_config` cannot fail later, at serving time.
    plain_config: Arc<ServerConfig>,
    client_auth_config: Arc<ServerConfig>,
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    // Explicitly ring: the process default may be unset, or ambiguous if aws-lc-rs is ever linked.
    Arc::new(rustls::crypto::ring::default_provider())
}

impl TlsMaterial {
    /// A fresh CA (`CN=kubernetes`, like kubeadm's) and a server certificate for `localhost`,
    /// `127.0.0.1`, `::1` and the in-cluster `kubernetes.default.svc` names.
    pub fn generate() -> Result<Self, TlsError> {
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "kubernetes");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::CrlSign,
        ];
        let ca_key = KeyPair::generate()?;
        let ca_cert = ca_params.self_signed(&ca_key)?;
        let ca = Issuer::new(ca_params, ca_key);

        let sans = [
            "localhost",
            "127.0.0.1",
            "::1",
            "kubernetes",
            "kubernetes.default",
            "kubernetes.default.svc",
        ];
        let mut params = CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
        params
            .distinguished_name
            .push(DnType::CommonName, "kube-apiserver");
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let server_key = KeyPair::generate()?;
        let server_cert = params.signed_by(&server_key, &ca)?;

        let plain_config = build_server_config(&ca_cert, &server_cert, &server_key, false)?;
        let client_auth_config = build_server_config(&ca_cert, &server_cert, &server_key, true)?;
        Ok(Self {
            ca_pem: ca_cert.pem(),
            ca_cert,
            ca,
            server_cert,
            server_key,
            plain_config,
            client_auth_config,
        })
    }

    /// The CA certificate, PEM (for `certificate-authority-data`).
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The CA certificate, DER (for `kube::Config::root_cert`).
    pub fn ca_der(&self) -> &CertificateDer<'static> {
        self.ca_cert.der()
    }

    /// The server certificate, PEM.
    pub fn server_cert_pem(&self) -> String {
        self.server_cert.pem()
    }

    /// The server certificate, DER.
    pub fn server_cert_der(&self) -> &CertificateDer<'static> {
        self.server_cert.der()
    }

    /// The server's private key, PKCS#8 PEM.
    pub fn server_key_pem(&self) -> String {
        self.server_key.serialize_pem()
    }

    /// The server's private key, PKCS#8 DER.
    pub fn server_key_der(&self) -> PrivateKeyDer<'static> {
        PrivatePkcs8KeyDer::from(self.server_key.serialize_der()).into()
    }

    /// A client certificate signed by the CA, as `(cert_pem, key_pem)`: CN becomes the user name
    /// and each organisation a group (`system:masters` for an admin), as kube-apiserver maps them.
    /// At most two organisations are supported.
    pub fn issue_client_cert(&self, cn: &str, orgs: &[String]) -> Result<(String, String), TlsError> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.distinguished_name = client_subject(cn, orgs)?;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.use_authority_key_identifier_extension = true;
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.ca)?;
        Ok((cert.pem(), key.serialize_pem()))
    }

    /// The rustls server configuration (ALPN `h2`, `http/1.1`). With `client_auth`, client
    /// certificates are verified against the CA, but clients without one are still accepted so
    /// that bearer tokens keep working, as on kube-apiserver.
    pub fn server_config(&self, client_auth: bool) -> Arc<ServerConfig> {
        if client_auth {
            self.client_auth_config.clone()
        } else {
            self.plain_config.clone()
        }
    }
}

/// `CN=<cn>, O=<org>...`. rcgen keeps one value per attribute type, so the second organisation
/// is written under a custom type with O's own OID (2.5.4.10): the DER is the same as two `O`s.
fn client_subject(cn: &str, orgs: &[String]) -> Result<DistinguishedName, TlsError> {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    let types = [DnType::OrganizationName, DnType::CustomDnType(vec![2, 5, 4, 10])];
    if orgs.len() > types.len() {
        return Err(TlsError::TooManyOrganizations(orgs.len()));
    }
    for (ty, org) in types.into_iter().zip(orgs) {
        dn.push(ty, org.as_str());
    }
    Ok(dn)
}

fn build_server_config(
    ca: &rcgen::Certificate,
    cert: &rcgen::Certificate,
    key: &KeyPair,
    client_auth: bool,
) -> Result<Arc<ServerConfig>, TlsError> {
    let builder = ServerConfig::builder_with_provider(provider()).with_safe_default_protocol_versions()?;
    let builder = if client_auth {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca.der().clone())?;
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
            .allow_unauthenticated()
            .build()?;
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let key = PrivatePkcs8KeyDer::from(key.serialize_der()).into();
    let mut config = builder.with_single_cert(vec![cert.der().clone()], key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The user of a client certificate chain's leaf, or `None` without a usable CN (kube-apiserver
/// then ignores the certificate and tries the other authenticators).
pub fn identity_of_cert(leaf: &CertificateDer<'_>) -> Option<ClientCertIdentity> {
    let subject = der::subject(leaf)?;
    let cn = subject.common_name.filter(|cn| !cn.is_empty())?;
    Some(ClientCertIdentity(user_from_cert(&cn, &subject.organizations)))
}

/// Serves `app` on `listener` until `shutdown` completes.
///
/// Each connection runs in its own task: the TLS handshake (when `tls` is set; plain HTTP
/// otherwise), then HTTP/1.1 or HTTP/2 with upgrades (exec, port-forward). Every request carries
/// the peer address as `ConnectInfo<SocketAddr>` and, for a verified client certificate, its
/// [`ClientCertIdentity`]. On shutdown the listener closes at once, connections are asked to
/// finish, and any still open after [`SHUTDOWN_GRACE`] (watches) are dropped.
pub async fn serve(
    listener: TcpListener,
    tls: Option<Arc<ServerConfig>>,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let conn = connection(stream, peer, tls.clone(), app.clone(), stop_rx.clone());
                    connections.spawn(conn);
                }
                Err(error) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    debug!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            // Reap finished connections so the set does not grow with every request ever served.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    // Receivers wait for `true`; a send error only means no connection is left to tell.
    let _ = stop_tx.send(true);
    let drained = tokio::time::timeout(SHUTDOWN_GRACE + Duration::from_millis(200), async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        connections.shutdown().await;
    }
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    tls: Option<Arc<ServerConfig>>,
    app: Router,
    mut stop: watch::Receiver<bool>,
) {
    // Watches and exec streams send small frames; do not let Nagle delay them.
    let _ = stream.set_nodelay(true);
    let Some(config) = tls else {
        return serve_http(stream, peer, None, app, stop).await;
    };
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream));
    let tls_stream = tokio::select! {
        result = handshake => match result {
            Ok(Ok(s)) => s,
            Ok(Err(error)) => {
                // Port scanners, plain-HTTP clients and clients that distrust the CA end here.
                debug!(%peer, %error, "TLS handshake failed");
                return;
            }
            Err(_) => {
                debug!(%peer, "TLS handshake timed out");
                return;
            }
        },
        () = stopping(&mut stop) => return,
    };
    let identity = tls_stream
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|chain| chain.first())
        .and_then(identity_of_cert);
    serve_http(tls_stream, peer, identity, app, stop).await;
}

/// Resolves once shutdown has begun (or the server is gone).
async fn stopping(stop: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is not Send; drop it here rather than across an await.
    let _ = stop.wait_for(|stopping| *stopping).await;
}

async fn serve_http<I>(
    io: I,
    peer: SocketAddr,
    identity: Option<ClientCertIdentity>,
    app: Router,
    mut stop: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |mut req: http::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        if let Some(id) = &identity {
            req.extensions_mut().insert(id.clone());
        }
        app.clone().oneshot(req)
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new());
    builder.http2().timer(TokioTimer::new());
    let conn = builder.serve_connection_with_upgrades(TokioIo::new(io), service);
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(error) = result {
                debug!(%peer, %error, "connection ended with an error");
            }
        }
        () = stopping(&mut stop) => {
            conn.as_mut().graceful_shutdown();
            // In-flight requests may finish; endless ones (watches) are cut after the grace.
            let _ = tokio::time::timeout(SHUTDOWN_GRACE, conn.as_mut()).await;
        }
    }
}

#[cfg(test)]
mod tests;
