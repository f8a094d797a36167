//! Kubeconfig contexts as clusters: all contexts of a file, or chosen ones. Exec credential
//! plugins (`aws eks get-token`, `gke-gcloud-auth-plugin`, `kubelogin`) need nothing special:
//! the context is referenced and kube runs the plugin when a client is built.

use super::{ClusterProvider, Discovered, Found, ProviderError};
use crate::kubeconfig;
use crate::source::{ClusterSource, SourceError};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Which contexts of the file to take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contexts {
    /// Every context.
    All,
    /// These contexts (each must exist).
    Only(Vec<String>),
}

/// Contexts of one kubeconfig file.
#[derive(Debug, Clone)]
pub struct KubeconfigProvider {
    /// The file (made absolute, so the registry works from any directory).
    pub path: PathBuf,
    /// Which contexts.
    pub contexts: Contexts,
    /// Labels given to every cluster.
    pub labels: BTreeMap<String, String>,
}

impl ClusterProvider for KubeconfigProvider {
    fn kind(&self) -> &'static str {
        "kubeconfig"
    }

    async fn discover(&self) -> Result<Found, ProviderError> {
        let path = std::path::absolute(&self.path).unwrap_or_else(|_| self.path.clone());
        let all = kubeconfig::contexts(&path)?;
        let available = || super::names_or_none(all.iter().map(|c| c.context.as_str()));
        let chosen: Vec<String> = match &self.contexts {
            Contexts::All => {
                if all.is_empty() {
                    return Err(ProviderError::Invalid(format!(
                        "kubeconfig {} has no contexts",
                        path.display()
                    )));
                }
                all.iter().map(|c| c.context.clone()).collect()
            }
            Contexts::Only(names) => {
                for n in names {
                    if !all.iter().any(|c| &c.context == n) {
                        return Err(SourceError::MissingContext {
                            path: path.clone(),
                            context: n.clone(),
                            available: available(),
                        }
                        .into());
                    }
                }
                names.clone()
            }
        };
        Ok(Found {
            clusters: chosen
                .into_iter()
                .map(|context| Discovered {
                    name: context.clone(),
                    source: ClusterSource::Kubeconfig {
                        path: path.clone(),
                        context,
                    },
                    labels: self.labels.clone(),
                })
                .collect(),
            skipped: Vec::new(),
        })
    }
}
