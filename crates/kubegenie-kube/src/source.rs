//! Where a registered cluster's endpoint and credentials come from. Credentials are always
//! referenced — a kubeconfig path and context, file paths, environment variable names — and
//! read when a client is built, so the registry never holds a secret.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Why a client could not be built for a cluster.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The kubeconfig file could not be read or parsed.
    #[error("kubeconfig {path}: {message}")]
    Kubeconfig {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line when known.
        message: String,
    },
    /// The context is not in the kubeconfig.
    #[error("context {context:?} not found in {path}; available contexts: {available}")]
    MissingContext {
        /// The file.
        path: PathBuf,
        /// The context asked for.
        context: String,
        /// Contexts the file has.
        available: String,
    },
    /// A referenced credential file could not be read.
    #[error("cannot read {what} {path}: {source}")]
    File {
        /// Which credential.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// A referenced environment variable is not set.
    #[error("environment variable {0} (the cluster's token) is not set")]
    MissingEnv(String),
    /// The server URL is not a URL.
    #[error("invalid server URL {url:?}: {message}")]
    Url {
        /// The URL.
        url: String,
        /// Why.
        message: String,
    },
    /// A ClusterProfile's credentials could not be set up.
    #[error("{0}")]
    Access(String),
    /// A certificate file holds no PEM certificate.
    #[error("{path} holds no PEM certificate")]
    NoCertificate {
        /// The file.
        path: PathBuf,
    },
}

/// How to reach a cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "provider", rename_all = "snake_case")]
pub enum ClusterSource {
    /// A context of a kubeconfig file (this also covers exec credential plugins such as
    /// `aws eks get-token`, `gke-gcloud-auth-plugin` and `kubelogin`).
    Kubeconfig {
        /// The kubeconfig file.
        path: PathBuf,
        /// The context.
        context: String,
    },
    /// An API server URL with credentials from files or the environment.
    BareMetal {
        /// API server URL.
        server: String,
        /// CA bundle (PEM).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ca_file: Option<PathBuf>,
        /// File holding a bearer token.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_file: Option<PathBuf>,
        /// Environment variable holding a bearer token.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_env: Option<String>,
        /// Client certificate (PEM).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_cert_file: Option<PathBuf>,
        /// Client key (PEM).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_key_file: Option<PathBuf>,
        /// Skip TLS verification (dangerous; warned about on every use).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        insecure: bool,
    },
    /// A cluster found through a hub's ClusterProfile: endpoint and CA come from the profile's
    /// access provider, the token from an exec credential plugin named in a provider file
    /// (the KEP-5339 flow).
    ClusterProfile {
        /// `namespace/name` of the profile on the hub.
        profile: String,
        /// API server URL from the profile.
        server: String,
        /// Base64 PEM CA bundle from the profile (public data, not a secret).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ca_data: Option<String>,
        /// The provider file holding the exec plugin configurations.
        provider_file: PathBuf,
        /// Name of the access provider (a `providers[].name` of the provider file).
        access_provider: String,
        /// Plugin configuration the profile publishes for this provider, handed to the plugin.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exec_extension: Option<serde_json::Value>,
    },
}

impl ClusterSource {
    /// The provider name, as shown in `cluster list`.
    pub fn provider(&self) -> &'static str {
        match self {
            Self::Kubeconfig { .. } => "kubeconfig",
            Self::BareMetal { .. } => "bare-metal",
            Self::ClusterProfile { .. } => "clusterprofile",
        }
    }

    /// Builds a client configuration, reading the referenced credentials now.
    pub async fn config(&self) -> Result<kube::Config, SourceError> {
        match self {
            Self::Kubeconfig { path, context } => crate::kubeconfig::config_for(path, context).await,
            Self::ClusterProfile {
                server,
                ca_data,
                provider_file,
                access_provider,
                exec_extension,
                ..
            } => crate::provider::clusterprofile::exec_config(
                server,
                ca_data.as_deref(),
                provider_file,
                access_provider,
                exec_extension.as_ref(),
            ),
            Self::BareMetal {
                server,
                ca_file,
                token_file,
                token_env,
                client_cert_file,
                client_key_file,
                insecure,
            } => {
                let mut cfg = kube::Config::new(parse_url(server)?);
                if let Some(ca) = ca_file {
                    cfg.root_cert = Some(pem_certificates(ca)?);
                }
                if let Some(f) = token_file {
                    cfg.auth_info.token = Some(read(f, "token file")?.trim().to_string().into());
                } else if let Some(var) = token_env {
                    let t = std::env::var(var).map_err(|_| SourceError::MissingEnv(var.clone()))?;
                    cfg.auth_info.token = Some(t.trim().to_string().into());
                }
                if let (Some(c), Some(k)) = (client_cert_file, client_key_file) {
                    cfg.auth_info.client_certificate = Some(c.display().to_string());
                    cfg.auth_info.client_key = Some(k.display().to_string());
                }
                if *insecure {
                    tracing::warn!(%server, "TLS verification is OFF for this cluster: anyone on the path can impersonate it");
                    cfg.accept_invalid_certs = true;
                }
                Ok(cfg)
            }
        }
    }
}

/// Parses an API server URL, which must be http(s) with a host.
pub(crate) fn parse_url(server: &str) -> Result<http::Uri, SourceError> {
    let bad = |message: String| SourceError::Url {
        url: server.to_string(),
        message,
    };
    let uri: http::Uri = server
        .parse()
        .map_err(|e: http::uri::InvalidUri| bad(e.to_string()))?;
    match uri.scheme_str() {
        Some("https") | Some("http") if uri.host().is_some() => Ok(uri),
        _ => Err(bad("expected https://HOST[:PORT]".into())),
    }
}

/// Reads a file.
pub(crate) fn read(path: &Path, what: &'static str) -> Result<String, SourceError> {
    std::fs::read_to_string(path).map_err(|source| SourceError::File {
        what,
        path: path.to_path_buf(),
        source,
    })
}

/// The DER certificates of a PEM file.
fn pem_certificates(path: &Path) -> Result<Vec<Vec<u8>>, SourceError> {
    use rustls_pki_types::{CertificateDer, pem::PemObject};
    let pem = read(path, "CA file")?;
    let certs: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(pem.as_bytes())
        .filter_map(Result::ok)
        .map(|c| c.to_vec())
        .collect();
    if certs.is_empty() {
        return Err(SourceError::NoCertificate {
            path: path.to_path_buf(),
        });
    }
    Ok(certs)
}
