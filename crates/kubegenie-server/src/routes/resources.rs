//! `GET /api/v1/resources/{kind}`: `kubegenie get -o json` over HTTP, with the same cluster
//! selection, answering the same `MultiClusterList` document.

use super::ApiQuery;
use super::selection::{SelectionQuery, select};
use crate::error::{ApiError, ApiResult, Problem, ProblemClass};
use crate::rbac::{Principal, Verb};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use kubegenie_core::outcome::{ErrorClass, MultiClusterList};
use kubegenie_kube::ops::get::{GetQuery, get};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

/// What to read besides the clusters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ResourceQuery {
    /// Namespace (default: `default`).
    pub namespace: Option<String>,
    /// Every namespace.
    pub all_namespaces: Option<bool>,
    /// Label selector (`app=web,tier!=db`).
    pub label_selector: Option<String>,
    /// Field selector (`status.phase=Running`).
    pub field_selector: Option<String>,
    /// Object names, comma-separated.
    pub names: Option<String>,
}

/// Objects from many clusters (`kubegenie get -o json`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MultiClusterList)]
pub struct MultiClusterListDoc {
    /// Always `MultiClusterList`.
    pub kind: String,
    /// Objects, each `{cluster, object}`.
    pub items: Vec<ClusterObjectDoc>,
    /// Clusters that failed: `{cluster, reason, message}`.
    pub errors: Vec<ClusterErrorDoc>,
}

/// An object from one cluster.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterObjectDoc {
    /// Cluster name.
    pub cluster: String,
    /// The Kubernetes object.
    #[schema(value_type = Object)]
    pub object: serde_json::Value,
}

/// One cluster's failure.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterErrorDoc {
    /// Cluster name.
    pub cluster: String,
    /// Error class (`Timeout`, `Forbidden`, `NotFound`…).
    pub reason: String,
    /// The message from the cluster or the transport.
    pub message: String,
}

fn valid_kind(kind: &str) -> bool {
    !kind.is_empty()
        && kind.len() <= 253
        && kind
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

/// Objects of one kind across the selected clusters.
#[utoipa::path(get, path = "/api/v1/resources/{kind}", tag = "resources", security(("bearer" = [])),
    params(
        ("kind" = String, Path, description = "Kind as kubectl takes it: pods, po, deploy, deployments.apps"),
        SelectionQuery, ResourceQuery,
    ),
    responses(
        (status = 200, description = "Objects with their cluster; failed clusters in errors", body = MultiClusterListDoc),
        (status = 400, description = "Invalid input", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "A name or glob matches no cluster", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "Every selected cluster failed", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<Arc<AppState>>,
    Extension(who): Extension<Principal>,
    Path(kind): Path<String>,
    ApiQuery(sel): ApiQuery<SelectionQuery>,
    ApiQuery(q): ApiQuery<ResourceQuery>,
) -> ApiResult<Json<MultiClusterList>> {
    if !valid_kind(&kind) {
        return Err(ApiError::invalid(format!(
            "invalid kind {kind:?}: use a resource name such as pods, deploy or deployments.apps"
        )));
    }
    let all_namespaces = q.all_namespaces.unwrap_or(false);
    let namespace = match (all_namespaces, q.namespace.as_deref().filter(|n| !n.is_empty())) {
        (true, Some(_)) => return Err(ApiError::invalid("give namespace or allNamespaces, not both")),
        (true, None) => None,
        (false, ns) => Some(ns.unwrap_or("default").to_string()),
    };
    let resource = kind.to_ascii_lowercase();
    let (clusters, mut errors) =
        select(&state, &who, &sel, Verb::Read, &resource, namespace.as_deref()).await?;
    let (connected, mut failed) = state.connect(clusters).await;
    errors.append(&mut failed);
    let query = GetQuery {
        kind,
        names: q
            .names
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        namespace,
        all_namespaces,
        label_selector: q.label_selector.filter(|s| !s.is_empty()),
        field_selector: q.field_selector.filter(|s| !s.is_empty()),
        ..GetQuery::default()
    };
    let outcome = get(&connected, &query, false, state.fanout).await;
    if outcome.resource.as_ref().is_some_and(|r| !r.namespaced) && !who.all_namespaces() {
        // A namespace-bound role does not read cluster-scoped kinds, as in Kubernetes RBAC.
        who.check(crate::rbac::Permission {
            verb: Verb::Read,
            resource: &resource,
            cluster: None,
            namespace: None,
        })?;
    }
    let answered = !outcome.answers.is_empty();
    let mut list = outcome.to_list();
    list.errors.append(&mut errors);
    if !answered && !list.errors.is_empty() {
        let same = |r| list.errors.iter().all(|e| e.reason == r);
        let class = if same(ErrorClass::NotFound) {
            ProblemClass::NotFound
        } else if same(ErrorClass::Invalid) {
            ProblemClass::InvalidRequest
        } else if same(ErrorClass::Forbidden) {
            ProblemClass::Forbidden
        } else {
            ProblemClass::ClusterErrors
        };
        let mut e = ApiError::new(
            class,
            format!(
                "no selected cluster answered ({} failed); see errors",
                list.errors.len()
            ),
        );
        e.errors = list.errors;
        return Err(e);
    }
    Ok(Json(list))
}
