//! Unauthenticated probes and metrics, and `whoami`.

use crate::error::{ApiError, ApiResult, Problem};
use crate::rbac::Principal;
use crate::state::AppState;
use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// A probe's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProbeStatus {
    /// `ok`.
    pub status: String,
}

/// Liveness: the process serves HTTP.
#[utoipa::path(get, path = "/healthz", tag = "system",
    responses((status = 200, description = "Alive", body = ProbeStatus)))]
pub async fn healthz() -> Json<ProbeStatus> {
    Json(ProbeStatus { status: "ok".into() })
}

/// Readiness: the store answers.
#[utoipa::path(get, path = "/readyz", tag = "system",
    responses(
        (status = 200, description = "Ready", body = ProbeStatus),
        (status = 500, description = "The store does not answer", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn readyz(State(state): State<Arc<AppState>>) -> ApiResult<Json<ProbeStatus>> {
    state.store.list_tokens().await.map_err(ApiError::internal)?;
    Ok(Json(ProbeStatus { status: "ok".into() }))
}

/// Prometheus metrics (text exposition format).
#[utoipa::path(get, path = "/metrics", tag = "system",
    responses(
        (status = 200, description = "Metrics", body = String, content_type = "text/plain"),
        (status = 500, description = "The store does not answer", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn metrics(State(state): State<Arc<AppState>>) -> ApiResult<impl IntoResponse> {
    let clusters = state.registry.list().await.map_err(ApiError::internal)?;
    let reach: Vec<(String, Option<bool>)> = clusters
        .into_iter()
        .map(|c| (c.name, c.last_health.map(|h| h.reachable)))
        .collect();
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.metrics.render(&reach),
    ))
}

/// Who the credentials belong to and what they may do.
#[utoipa::path(get, path = "/api/v1/whoami", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = Principal),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn whoami(Extension(who): Extension<Principal>) -> Json<Principal> {
    Json(who)
}
