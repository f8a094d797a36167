//! Authentication: every `/api/v1` request carries `Authorization: Bearer <token>`, either an
//! API token (`kg_…`, looked up by digest) or a JWT. The middleware turns it into a
//! [`Principal`] for the handlers, then applies the per-token rate limit.

pub mod jwt;
pub mod token;

use crate::error::{ApiError, ProblemClass};
use crate::rbac::{Principal, Role, Verb};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use jiff::Timestamp;
use std::sync::Arc;

/// Turns a bearer credential into a principal.
pub async fn authenticate(state: &AppState, authorization: Option<&str>) -> Result<Principal, ApiError> {
    let value = authorization.ok_or_else(|| {
        ApiError::unauthorized("no credentials: send Authorization: Bearer <token> (an API token or a JWT)")
    })?;
    let bearer = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthorized("the Authorization header must be \"Bearer <token>\""))?;
    if bearer.matches('.').count() == 2 && !bearer.starts_with(token::TOKEN_PREFIX) {
        let jwt = state.jwt.as_ref().ok_or_else(|| {
            ApiError::unauthorized("JWTs are not accepted: this server has no JWT settings")
        })?;
        return jwt.verify(bearer).map_err(ApiError::unauthorized);
    }
    api_token(state, bearer).await
}

async fn api_token(state: &AppState, bearer: &str) -> Result<Principal, ApiError> {
    let digest = token::digest(bearer);
    let record = state
        .store
        .token_by_digest(&digest)
        .await
        .map_err(ApiError::internal)?
        .filter(|r| token::digests_equal(&r.digest, &digest))
        .ok_or_else(|| ApiError::unauthorized("invalid token: no such API token"))?;
    if let Some(at) = record.revoked_at {
        return Err(ApiError::unauthorized(format!(
            "token {:?} was revoked at {at}",
            record.name
        )));
    }
    if let Some(at) = record.expires_at.filter(|e| *e <= Timestamp::now()) {
        return Err(ApiError::unauthorized(format!(
            "token {:?} expired at {at}; create a new one with `kubegenie token create`",
            record.name
        )));
    }
    let role: Role = record.role.parse().map_err(ApiError::internal)?;
    let scopes = record
        .scopes
        .iter()
        .map(|s| s.parse::<Verb>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(ApiError::internal)?;
    Ok(Principal {
        subject: record.name,
        method: "token".into(),
        role,
        clusters: record.clusters,
        namespaces: record.namespaces,
        scopes,
    })
}

/// Middleware of the `/api/v1` routes: authenticate, rate-limit, then call the handler with
/// the principal in the request's extensions.
pub async fn require(
    State(state): State<Arc<AppState>>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| {
            v.to_str()
                .map_err(|_| ApiError::unauthorized("the Authorization header is not ASCII"))
        })
        .transpose()?;
    let principal = authenticate(&state, authorization).await?;
    let key = format!("{}:{}", principal.method, principal.subject);
    if let Err(wait) = state.limiter.take(&key) {
        let mut err = ApiError::new(
            ProblemClass::RateLimited,
            format!(
                "rate limit of {} requests/s for {} {:?} exceeded; retry in {wait} s",
                state.limiter.per_second(),
                principal.method,
                principal.subject
            ),
        );
        err.retry_after = Some(wait);
        return Err(err);
    }
    req.extensions_mut().insert(principal);
    Ok(next.run(req).await)
}
