//! A bare-metal endpoint: an API server URL with a CA and a token or client certificate, all
//! referenced by file path or environment variable name.

use super::{ClusterProvider, Discovered, Found, ProviderError};
use crate::source::ClusterSource;
use std::collections::BTreeMap;

/// One endpoint given on the command line.
#[derive(Debug, Clone)]
pub struct BareMetalProvider {
    /// Name to register it under.
    pub name: String,
    /// The endpoint (must be [`ClusterSource::BareMetal`]).
    pub source: ClusterSource,
    /// Labels.
    pub labels: BTreeMap<String, String>,
}

impl ClusterProvider for BareMetalProvider {
    fn kind(&self) -> &'static str {
        "bare-metal"
    }

    /// Checks the referenced files and variables now, so a typo fails `cluster add` instead of
    /// every later command.
    async fn discover(&self) -> Result<Found, ProviderError> {
        if !matches!(self.source, ClusterSource::BareMetal { .. }) {
            return Err(ProviderError::Invalid("not a bare-metal source".into()));
        }
        if let ClusterSource::BareMetal {
            client_cert_file,
            client_key_file,
            ..
        } = &self.source
        {
            if client_cert_file.is_some() != client_key_file.is_some() {
                return Err(ProviderError::Invalid(
                    "--client-cert and --client-key go together".into(),
                ));
            }
            // kube reads these only when a client is built; read them now to fail early.
            if let Some(f) = client_cert_file {
                crate::source::read(f, "client certificate")?;
            }
            if let Some(f) = client_key_file {
                crate::source::read(f, "client key")?;
            }
        }
        self.source.config().await?;
        Ok(Found {
            clusters: vec![Discovered {
                name: self.name.clone(),
                source: self.source.clone(),
                labels: self.labels.clone(),
            }],
            skipped: Vec::new(),
        })
    }
}
