//! The router: probes and metrics, the authenticated `/api/v1` routes, the OpenAPI document and
//! docs page, and the web page; with body limits, optional CORS, and per-route metrics.

pub mod clusters;
pub mod resources;
pub mod selection;
pub mod system;

use crate::error::{ApiError, ProblemClass};
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Router, extract::DefaultBodyLimit};
use http::{HeaderValue, Method};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Instant;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// A JSON body whose rejections are problem documents.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let axum::Json(v) = axum::Json::<T>::from_request(req, state).await?;
        Ok(Self(v))
    }
}

/// Query parameters whose rejections are problem documents.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Query(v) = axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Self(v))
    }
}

/// Router options.
#[derive(Debug, Clone, Default)]
pub struct RouterOptions {
    /// Largest accepted request body, in bytes.
    pub body_limit: usize,
    /// Origins allowed by CORS; empty turns CORS off.
    pub cors_origins: Vec<String>,
}

/// The whole application.
pub fn router(state: Arc<AppState>, opts: &RouterOptions) -> Router {
    let api = Router::new()
        .route("/api/v1/whoami", get(system::whoami))
        .route("/api/v1/clusters", get(clusters::list).post(clusters::add))
        .route(
            "/api/v1/clusters/discover",
            axum::routing::post(clusters::discover),
        )
        .route(
            "/api/v1/clusters/{name}",
            get(clusters::get).delete(clusters::remove),
        )
        .route("/api/v1/health", get(clusters::health))
        .route("/api/v1/resources/{kind}", get(resources::list))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            crate::auth::require,
        ));
    let mut app = Router::new()
        .route("/healthz", get(system::healthz))
        .route("/readyz", get(system::readyz))
        .route("/metrics", get(system::metrics))
        .merge(api)
        .merge(crate::openapi::docs())
        .merge(crate::web::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(opts.body_limit.max(1)));
    if !opts.cors_origins.is_empty() {
        let origins: Vec<HeaderValue> = opts.cors_origins.iter().filter_map(|o| o.parse().ok()).collect();
        app = app.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST, Method::DELETE])
                .allow_headers([http::header::AUTHORIZATION, http::header::CONTENT_TYPE]),
        );
    }
    app.layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

async fn not_found(req: Request) -> ApiError {
    ApiError::not_found(format!(
        "no route {} {}; see /openapi.json",
        req.method(),
        req.uri().path()
    ))
}

async fn method_not_allowed(req: Request) -> ApiError {
    ApiError::new(
        ProblemClass::MethodNotAllowed,
        format!(
            "{} is not allowed on {}; see /openapi.json",
            req.method(),
            req.uri().path()
        ),
    )
}

/// Counts and times every request by its route template (never the raw path, which would
/// make one series per object name).
async fn observe(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let method = req.method().clone();
    let start = Instant::now();
    let resp = next.run(req).await.into_response();
    state
        .metrics
        .observe(method.as_str(), &route, resp.status().as_u16(), start.elapsed());
    resp
}
