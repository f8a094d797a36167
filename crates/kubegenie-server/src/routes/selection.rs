//! The cluster selection of multi-cluster routes, as query parameters, and its RBAC filter.

use crate::error::{ApiError, ApiResult, ProblemClass};
use crate::rbac::{Permission, Principal, Verb};
use crate::state::AppState;
use kubegenie_core::outcome::{ClusterError, ErrorClass};
use kubegenie_core::selection::{ClusterSelection, parse_label_selector};
use kubegenie_kube::registry::{RegisteredCluster, RegistryError};
use serde::Deserialize;
use utoipa::IntoParams;

/// Which clusters: the CLI's `--clusters`, `--exclude`, `--cluster-selector` and `-C`. With
/// none of them, every cluster the caller may read.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SelectionQuery {
    /// Cluster names or globs, comma-separated (`prod-*,staging`).
    pub clusters: Option<String>,
    /// Names or globs to leave out, comma-separated.
    pub exclude: Option<String>,
    /// Label selector over cluster labels (`env=prod,region!=eu`).
    pub cluster_selector: Option<String>,
    /// Every registered cluster.
    pub all_clusters: Option<bool>,
}

fn list(v: &Option<String>) -> Vec<String> {
    v.as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl SelectionQuery {
    fn selection(&self) -> ApiResult<ClusterSelection> {
        let clusters = list(&self.clusters);
        let label_selector = match self.cluster_selector.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => {
                parse_label_selector(s).map_err(|e| ApiError::invalid(format!("clusterSelector: {e}")))?
            }
            None => Vec::new(),
        };
        Ok(ClusterSelection {
            all: self.all_clusters.unwrap_or(false) || (clusters.is_empty() && label_selector.is_empty()),
            clusters,
            exclude: list(&self.exclude),
            label_selector,
        })
    }
}

/// Maps registry errors to problems.
pub fn registry_error(e: RegistryError) -> ApiError {
    match e {
        RegistryError::NotRegistered { .. } => ApiError::not_found(e.to_string()),
        RegistryError::AlreadyRegistered(_) => ApiError::new(ProblemClass::Conflict, e.to_string()),
        RegistryError::InvalidName { .. } | RegistryError::InvalidLabel { .. } => {
            ApiError::invalid(e.to_string())
        }
        RegistryError::Selection(_) => ApiError::not_found(e.to_string()),
        RegistryError::Corrupt { .. } | RegistryError::Store(_) => ApiError::internal(e),
    }
}

/// The selected clusters the caller may use for `verb` on `resource` in `namespace`, and an
/// error row per selected cluster it may not. When none is allowed, the 403 of the first.
pub async fn select(
    state: &AppState,
    who: &Principal,
    q: &SelectionQuery,
    verb: Verb,
    resource: &str,
    namespace: Option<&str>,
) -> ApiResult<(Vec<RegisteredCluster>, Vec<ClusterError>)> {
    let selected = state
        .registry
        .select(&q.selection()?)
        .await
        .map_err(registry_error)?;
    let (mut allowed, mut denied, mut first) = (Vec::new(), Vec::new(), None);
    for c in selected {
        let p = Permission {
            verb,
            resource,
            cluster: Some(&c.name),
            namespace,
        };
        match who.check(p) {
            Ok(()) => allowed.push(c),
            Err(e) => {
                denied.push(ClusterError {
                    cluster: c.name.clone(),
                    reason: ErrorClass::Forbidden,
                    message: e.detail.clone(),
                });
                first.get_or_insert(e);
            }
        }
    }
    match first {
        Some(e) if allowed.is_empty() => Err(e),
        _ => Ok((allowed, denied)),
    }
}
