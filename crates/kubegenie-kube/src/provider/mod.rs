//! Where clusters come from. Each kind of cluster is one [`ClusterProvider`] in its own file:
//! kubeconfig contexts (exec credential plugins such as EKS, GKE and AKS included), bare-metal
//! endpoints, and ClusterProfile discovery on a hub. A provider only finds clusters and says how
//! to reach them; the registry stores them.

pub mod baremetal;
pub mod clusterprofile;
pub mod kubeconfig;

use crate::source::{ClusterSource, SourceError};
use kubegenie_core::outcome::ClusterError;
use serde::Serialize;
use std::collections::BTreeMap;
use std::future::Future;

/// A cluster a provider found, ready to be registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Discovered {
    /// Name to register it under.
    pub name: String,
    /// How to reach it.
    pub source: ClusterSource,
    /// Labels it comes with.
    pub labels: BTreeMap<String, String>,
}

/// Something a provider saw but could not turn into a cluster, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// What was skipped (a context or profile name).
    pub name: String,
    /// Why, and what to do about it.
    pub reason: String,
}

/// What a provider found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Found {
    /// Clusters to register.
    pub clusters: Vec<Discovered>,
    /// Entries that could not be mapped to credentials.
    pub skipped: Vec<Skipped>,
}

/// Why a provider could not list its clusters.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// A source (kubeconfig, file, URL) is wrong.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The hub could not be asked.
    #[error("hub {hub}: {error}", error = .error.message)]
    Hub {
        /// Hub name.
        hub: String,
        /// The classified failure.
        error: ClusterError,
    },
    /// The input is inconsistent (e.g. `--context-for` naming an unknown context).
    #[error("{0}")]
    Invalid(String),
}

/// A kind of cluster source.
pub trait ClusterProvider {
    /// Provider name, as in `cluster list`'s PROVIDER column.
    fn kind(&self) -> &'static str;

    /// Lists the clusters this provider knows.
    fn discover(&self) -> impl Future<Output = Result<Found, ProviderError>> + Send;
}

/// The names of a list for an error message, or "none".
pub(crate) fn names_or_none<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let v: Vec<&str> = names.into_iter().collect();
    if v.is_empty() { "none".into() } else { v.join(", ") }
}
