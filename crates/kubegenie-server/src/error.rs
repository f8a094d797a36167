//! Errors as RFC 9457 `application/problem+json`, with a stable `type` URI per error class so
//! clients can branch on it, and the per-cluster errors inside when clusters failed.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kubegenie_core::outcome::ClusterError;
use serde::Serialize;
use utoipa::ToSchema;

/// Prefix of every problem `type`.
pub const PROBLEM_BASE: &str = "https://kubegenie.dev/problems/";

/// The classes of API errors; each has its own `type` URI and HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemClass {
    /// No or bad credentials (401).
    Unauthorized,
    /// Authenticated but not allowed (403).
    Forbidden,
    /// No such route or object (404).
    NotFound,
    /// Method not allowed on the route (405).
    MethodNotAllowed,
    /// Malformed or invalid input (400).
    InvalidRequest,
    /// The object already exists (409).
    Conflict,
    /// The body is larger than the limit (413).
    PayloadTooLarge,
    /// The body is not JSON (415).
    UnsupportedMediaType,
    /// Too many requests for this token (429).
    RateLimited,
    /// Every selected cluster failed (502).
    ClusterErrors,
    /// A bug or a broken store (500).
    Internal,
}

impl ProblemClass {
    /// The slug of the `type` URI.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not-found",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::InvalidRequest => "invalid-request",
            Self::Conflict => "conflict",
            Self::PayloadTooLarge => "payload-too-large",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::RateLimited => "rate-limited",
            Self::ClusterErrors => "cluster-errors",
            Self::Internal => "internal",
        }
    }

    /// The HTTP status.
    pub fn status(self) -> StatusCode {
        match self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::InvalidRequest => StatusCode::BAD_REQUEST,
            Self::Conflict => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::ClusterErrors => StatusCode::BAD_GATEWAY,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Self::Unauthorized => "Authentication required",
            Self::Forbidden => "Permission denied",
            Self::NotFound => "Not found",
            Self::MethodNotAllowed => "Method not allowed",
            Self::InvalidRequest => "Invalid request",
            Self::Conflict => "Conflict",
            Self::PayloadTooLarge => "Request body too large",
            Self::UnsupportedMediaType => "Unsupported media type",
            Self::RateLimited => "Too many requests",
            Self::ClusterErrors => "Every selected cluster failed",
            Self::Internal => "Internal server error",
        }
    }
}

/// The permission a 403 is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MissingPermission {
    /// Operation class: `read`, `operate` or `admin`.
    pub verb: String,
    /// Resource (`clusters`, `pods`, `tokens`).
    pub resource: String,
    /// Cluster, when the permission is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// Namespace, when the permission is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A problem document (RFC 9457).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// URI naming the error class.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the class.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What went wrong in this request, and how to fix it.
    pub detail: String,
    /// Per-cluster errors, when clusters failed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<ClusterError>,
    /// The missing permission of a 403.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<MissingPermission>,
}

/// An API error: a class, a detail, and optional context.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// Class.
    pub class: ProblemClass,
    /// Detail for the user.
    pub detail: String,
    /// Per-cluster errors.
    pub errors: Vec<ClusterError>,
    /// The missing permission of a 403 (boxed: errors travel in `Result`s on every path).
    pub missing: Option<Box<MissingPermission>>,
    /// Seconds to wait (429).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error of `class` with `detail`.
    pub fn new(class: ProblemClass, detail: impl Into<String>) -> Self {
        Self {
            class,
            detail: detail.into(),
            errors: Vec::new(),
            missing: None,
            retry_after: None,
        }
    }

    /// 400.
    pub fn invalid(detail: impl Into<String>) -> Self {
        Self::new(ProblemClass::InvalidRequest, detail)
    }

    /// 401.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(ProblemClass::Unauthorized, detail)
    }

    /// 404.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(ProblemClass::NotFound, detail)
    }

    /// 500; the cause is logged, not shown.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(ProblemClass::Internal, "the server failed; see its log")
    }

    /// The problem document.
    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("{PROBLEM_BASE}{}", self.class.slug()),
            title: self.class.title().into(),
            status: self.class.status().as_u16(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
            missing: self.missing.as_deref().cloned(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut resp = (self.class.status(), body).into_response();
        let headers = resp.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.class == ProblemClass::Unauthorized {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"kubegenie\""),
            );
        }
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let class = match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ProblemClass::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ProblemClass::UnsupportedMediaType,
            _ => ProblemClass::InvalidRequest,
        };
        Self::new(class, r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        Self::invalid(r.body_text())
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
