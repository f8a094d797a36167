//! TLS for simulated clusters (interim: plain HTTP serving only; certificates pending).

use std::sync::Arc;

/// Interim error type.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TlsError(String);

/// CA and server certificate of a cluster.
pub struct TlsMaterial {
    ca: String,
}

impl TlsMaterial {
    /// Generates a CA and server certificate.
    pub fn generate() -> Result<Self, TlsError> {
        Err(TlsError("TLS not available yet".into()))
    }
    /// CA PEM.
    pub fn ca_pem(&self) -> &str {
        &self.ca
    }
    /// Client certificate.
    pub fn issue_client_cert(&self, _cn: &str, _orgs: &[String]) -> Result<(String, String), TlsError> {
        Err(TlsError("TLS not available yet".into()))
    }
    /// rustls server config.
    pub fn server_config(&self, _client_auth: bool) -> Arc<rustls::ServerConfig> {
        unreachable!("interim")
    }
}

/// Serves `app` on `listener` until `shutdown`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    _tls: Option<Arc<rustls::ServerConfig>>,
    app: axum::Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let _ = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
}
