//! `/api/v1/clusters`: the registry over HTTP — list, get, add, remove, health, discover.

use super::selection::{SelectionQuery, registry_error, select};
use super::{ApiJson, ApiQuery};
use crate::error::{ApiError, ApiResult, Problem};
use crate::rbac::{Permission, Principal, Verb};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use kubegenie_core::outcome::ClusterError;
use kubegenie_kube::health::{self, HealthReport};
use kubegenie_kube::provider::baremetal::BareMetalProvider;
use kubegenie_kube::provider::clusterprofile::ClusterProfileProvider;
use kubegenie_kube::provider::kubeconfig::{Contexts, KubeconfigProvider};
use kubegenie_kube::provider::{ClusterProvider, Discovered, ProviderError};
use kubegenie_kube::registry::{RegisteredCluster, validate_label};
use kubegenie_kube::source::ClusterSource;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use utoipa::ToSchema;

/// A registered cluster.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterView {
    /// Unique name.
    pub name: String,
    /// `kubeconfig`, `bare_metal` or `cluster_profile`.
    pub provider: String,
    /// How to reach it (file references only, never secrets).
    #[schema(value_type = Object)]
    pub source: ClusterSource,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// When it was registered (RFC 3339).
    pub added_at: String,
    /// When it last answered a health check.
    pub seen_at: Option<String>,
    /// The last health check.
    #[schema(value_type = Option<Object>)]
    pub last_health: Option<HealthReport>,
}

impl From<RegisteredCluster> for ClusterView {
    fn from(c: RegisteredCluster) -> Self {
        Self {
            provider: c.source.provider().to_string(),
            name: c.name,
            source: c.source,
            labels: c.labels,
            added_at: c.added_at.to_string(),
            seen_at: c.seen_at.map(|t| t.to_string()),
            last_health: c.last_health,
        }
    }
}

/// Health of the selected clusters.
#[derive(Debug, Serialize, ToSchema)]
pub struct FleetHealth {
    /// One report per cluster.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<HealthReport>,
    /// Selected clusters the caller may not read.
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<ClusterError>,
}

/// Clusters to register: a bare-metal endpoint (`name` + `server`), or kubeconfig contexts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddClusters {
    /// Name of a bare-metal cluster, or the new name of a single context.
    pub name: Option<String>,
    /// API server URL of a bare-metal cluster.
    pub server: Option<String>,
    /// CA bundle file (PEM) on the server's host.
    #[schema(value_type = Option<String>)]
    pub ca_file: Option<PathBuf>,
    /// Bearer token file on the server's host.
    #[schema(value_type = Option<String>)]
    pub token_file: Option<PathBuf>,
    /// Environment variable of the server holding a bearer token.
    pub token_env: Option<String>,
    /// Client certificate file (PEM).
    #[schema(value_type = Option<String>)]
    pub client_cert_file: Option<PathBuf>,
    /// Client key file (PEM).
    #[schema(value_type = Option<String>)]
    pub client_key_file: Option<PathBuf>,
    /// Skip TLS verification (dangerous).
    #[serde(default)]
    pub insecure: bool,
    /// Kubeconfig file on the server's host.
    #[schema(value_type = Option<String>)]
    pub kubeconfig: Option<PathBuf>,
    /// Contexts of the kubeconfig to register.
    #[serde(default)]
    pub contexts: Vec<String>,
    /// Register every context of the kubeconfig.
    #[serde(default)]
    pub all_contexts: bool,
    /// Labels of the new clusters.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// What a discovery found or registered.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DiscoverRequest {
    /// The hub: a registered cluster.
    pub hub: String,
    /// Only profiles of this namespace.
    pub namespace: Option<String>,
    /// Reach profile NAME through kubeconfig context VALUE.
    #[serde(default)]
    pub context_for: BTreeMap<String, String>,
    /// Show what would be registered, register nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// Registered (or, on a dry run, found) clusters and skipped entries.
#[derive(Debug, Serialize, ToSchema)]
pub struct Registered {
    /// Names of the clusters.
    pub clusters: Vec<String>,
    /// Entries that could not be mapped to credentials, with the reason.
    #[schema(value_type = Vec<Object>)]
    pub skipped: Vec<kubegenie_kube::provider::Skipped>,
}

fn provider_error(e: ProviderError) -> ApiError {
    ApiError::invalid(e.to_string())
}

fn check_admin(who: &Principal, clusters: &[Discovered]) -> ApiResult<()> {
    for c in clusters {
        who.check(Permission {
            verb: Verb::Admin,
            resource: "clusters",
            cluster: Some(&c.name),
            namespace: None,
        })?;
    }
    Ok(())
}

/// List the registered clusters the caller may read.
#[utoipa::path(get, path = "/api/v1/clusters", tag = "clusters", security(("bearer" = [])),
    responses(
        (status = 200, description = "Clusters", body = Vec<ClusterView>),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<Arc<AppState>>,
    Extension(who): Extension<Principal>,
) -> ApiResult<Json<Vec<ClusterView>>> {
    let all = state.registry.list().await.map_err(registry_error)?;
    let read = |c: &RegisteredCluster| {
        who.check(Permission {
            verb: Verb::Read,
            resource: "clusters",
            cluster: Some(&c.name),
            namespace: None,
        })
        .is_ok()
            || (who.covers_cluster(&c.name) && who.role.grants(Verb::Read))
    };
    Ok(Json(
        all.into_iter().filter(read).map(ClusterView::from).collect(),
    ))
}

/// One cluster.
#[utoipa::path(get, path = "/api/v1/clusters/{name}", tag = "clusters", security(("bearer" = [])),
    params(("name" = String, Path, description = "Cluster name")),
    responses(
        (status = 200, description = "The cluster", body = ClusterView),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not registered", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(state): State<Arc<AppState>>,
    Extension(who): Extension<Principal>,
    Path(name): Path<String>,
) -> ApiResult<Json<ClusterView>> {
    who.check(Permission {
        verb: Verb::Read,
        resource: "clusters",
        cluster: Some(&name),
        namespace: None,
    })
    .or_else(|e| {
        if who.covers_cluster(&name) && who.role.grants(Verb::Read) {
            Ok(())
        } else {
            Err(e)
        }
    })?;
    Ok(Json(
        state.registry.get(&name).await.map_err(registry_error)?.into(),
    ))
}

/// Register clusters (admin).
#[utoipa::path(post, path = "/api/v1/clusters", tag = "clusters", security(("bearer" = [])),
    request_body = AddClusters,
    responses(
        (status = 201, description = "Registered", body = Registered),
        (status = 400, description = "Invalid input", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Name taken", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add(
    State(state): State<Arc<AppState>>,
    Extension(who): Extension<Principal>,
    ApiJson(req): ApiJson<AddClusters>,
) -> ApiResult<(StatusCode, Json<Registered>)> {
    who.check(Permission {
        verb: Verb::Admin,
        resource: "clusters",
        cluster: None,
        namespace: None,
    })
    .or_else(|e| {
        if who.role.grants(Verb::Admin) {
            Ok(())
        } else {
            Err(e)
        }
    })?;
    for (k, v) in &req.labels {
        validate_label(k, v).map_err(ApiError::invalid)?;
    }
    let found = if let Some(server) = req.server {
        let name = req
            .name
            .ok_or_else(|| ApiError::invalid("a bare-metal cluster needs a name"))?;
        let source = ClusterSource::BareMetal {
            server,
            ca_file: req.ca_file,
            token_file: req.token_file,
            token_env: req.token_env,
            client_cert_file: req.client_cert_file,
            client_key_file: req.client_key_file,
            insecure: req.insecure,
        };
        BareMetalProvider {
            name,
            source,
            labels: req.labels,
        }
        .discover()
        .await
        .map_err(provider_error)?
    } else {
        let path = req
            .kubeconfig
            .ok_or_else(|| ApiError::invalid("give either server (bare metal) or kubeconfig (contexts)"))?;
        let contexts = match (req.all_contexts, req.contexts.is_empty()) {
            (true, true) => Contexts::All,
            (false, false) => Contexts::Only(req.contexts),
            _ => return Err(ApiError::invalid("give exactly one of contexts or allContexts")),
        };
        let mut found = KubeconfigProvider {
            path,
            contexts,
            labels: req.labels,
        }
        .discover()
        .await
        .map_err(provider_error)?;
        if let (Some(name), [one]) = (req.name, found.clusters.as_mut_slice()) {
            one.name = name;
        }
        found
    };
    check_admin(&who, &found.clusters)?;
    state
        .registry
        .add(&found.clusters)
        .await
        .map_err(registry_error)?;
    Ok((
        StatusCode::CREATED,
        Json(Registered {
            clusters: found.clusters.into_iter().map(|c| c.name).collect(),
            skipped: found.skipped,
        }),
    ))
}

/// Unregister a cluster (admin).
#[utoipa::path(delete, path = "/api/v1/clusters/{name}", tag = "clusters", security(("bearer" = [])),
    params(("name" = String, Path, description = "Cluster name")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not registered", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn remove(
    State(state): State<Arc<AppState>>,
    Extension(who): Extension<Principal>,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    who.check(Permission {
        verb: Verb::Admin,
        resource: "clusters",
        cluster: Some(&name),
        namespace: None,
    })
    .or_else(|e| {
        if who.role.grants(Verb::Admin) && who.covers_cluster(&name) {
            Ok(())
        } else {
            Err(e)
        }
    })?;
    let names = vec![name];
    state.registry.remove(&names).await.map_err(registry_error)?;
    state.forget(&names);
    Ok(StatusCode::NO_CONTENT)
}

/// Check reachability, API latency, version and nodes of the selected clusters now.
#[utoipa::path(get, path = "/api/v1/health", tag = "clusters", security(("bearer" = [])),
    params(SelectionQuery),
    responses(
        (status = 200, description = "One report per cluster", body = FleetHealth),
        (status = 400, description = "Invalid selection", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No selected cluster may be read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "A name or glob matches no cluster", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn health(
    State(state): State<Arc<AppState>>,
    Extension(who): Extension<Principal>,
    ApiQuery(q): ApiQuery<SelectionQuery>,
) -> ApiResult<Json<FleetHealth>> {
    let (clusters, errors) = select(&state, &who, &q, Verb::Read, "clusters", None)
        .await
        .or_else(|e| {
            // Cluster health is not namespaced: a namespace-bound role may still see it.
            if e.missing.as_ref().is_some_and(|m| m.cluster.is_some()) {
                Err(e)
            } else {
                Ok((Vec::new(), Vec::new()))
            }
        })?;
    let targets = clusters.into_iter().map(|c| (c.name, c.source)).collect();
    let items = health::check(&state.pool, state.fanout, targets).await;
    for r in &items {
        state.registry.record_health(r).await.map_err(registry_error)?;
    }
    Ok(Json(FleetHealth { items, errors }))
}

/// Register the clusters of a hub's ClusterProfiles (admin).
#[utoipa::path(post, path = "/api/v1/clusters/discover", tag = "clusters", security(("bearer" = [])),
    request_body = DiscoverRequest,
    responses(
        (status = 200, description = "Registered or, on a dry run, found", body = Registered),
        (status = 400, description = "Invalid input or unreachable hub", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Hub not registered", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn discover(
    State(state): State<Arc<AppState>>,
    Extension(who): Extension<Principal>,
    ApiJson(req): ApiJson<DiscoverRequest>,
) -> ApiResult<Json<Registered>> {
    if !who.role.grants(Verb::Admin) {
        who.check(Permission {
            verb: Verb::Admin,
            resource: "clusters",
            cluster: Some(&req.hub),
            namespace: None,
        })?;
    }
    let hub = state.registry.get(&req.hub).await.map_err(registry_error)?;
    let kubeconfigs = match &hub.source {
        ClusterSource::Kubeconfig { path, .. } => vec![path.clone()],
        _ => Vec::new(),
    };
    let provider = ClusterProfileProvider {
        hub_name: req.hub.clone(),
        hub: hub.source,
        kubeconfigs,
        context_for: req.context_for,
        provider_file: None,
        namespace: req.namespace,
    };
    let found = provider.discover().await.map_err(provider_error)?;
    check_admin(&who, &found.clusters)?;
    if !req.dry_run {
        state
            .registry
            .upsert(&found.clusters)
            .await
            .map_err(registry_error)?;
    }
    Ok(Json(Registered {
        clusters: found.clusters.into_iter().map(|c| c.name).collect(),
        skipped: found.skipped,
    }))
}
