//! Errors of the simulated API server, rendered exactly as kube-apiserver renders them: a
//! `meta.k8s.io/v1` `Status` object with a code, a reason, a message and optional details.
//!
//! Clients (kubectl, kube-rs, client-go, the Python client) branch on `reason` and `code`, and
//! show `message` to users, so the texts follow kube-apiserver's wording.

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde_json::{Value, json};

/// Result alias used across the simulator.
pub type Result<T, E = ApiError> = std::result::Result<T, E>;

/// One field-level cause of an error (`status.details.causes[]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCause {
    /// Machine-readable reason, e.g. `FieldValueInvalid`, `FieldValueRequired`, `FieldValueNotSupported`.
    pub reason: String,
    /// Human-readable message for this cause.
    pub message: String,
    /// Dotted field path, e.g. `metadata.name` or `spec.template.spec.containers[0].image`.
    pub field: String,
}

impl StatusCause {
    /// A cause with the given reason, field path and message.
    pub fn new(reason: &str, field: &str, message: impl Into<String>) -> Self {
        Self {
            reason: reason.to_string(),
            message: message.into(),
            field: field.to_string(),
        }
    }
}

/// An API error: everything needed to render a `Status` object.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{reason} ({code}): {message}")]
pub struct ApiError {
    /// HTTP status code.
    pub code: u16,
    /// `Status.reason`, e.g. `NotFound`.
    pub reason: &'static str,
    /// `Status.message`.
    pub message: String,
    /// `Status.details.name`.
    pub name: Option<String>,
    /// `Status.details.group`.
    pub group: Option<String>,
    /// `Status.details.kind` (a kind for Invalid, a resource plural for most others).
    pub kind: Option<String>,
    /// `Status.details.causes`.
    pub causes: Vec<StatusCause>,
}

/// `group/resource` as kube-apiserver prints it in messages: `pods`, `deployments.apps`.
pub fn qualified_resource(group: &str, plural: &str) -> String {
    if group.is_empty() {
        plural.to_string()
    } else {
        format!("{plural}.{group}")
    }
}

impl ApiError {
    /// A bare error with a code, reason and message.
    pub fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            reason,
            message: message.into(),
            name: None,
            group: None,
            kind: None,
            causes: Vec::new(),
        }
    }

    fn with_details(mut self, group: &str, kind: &str, name: Option<&str>) -> Self {
        self.group = (!group.is_empty()).then(|| group.to_string());
        self.kind = Some(kind.to_string());
        self.name = name.map(str::to_string);
        self
    }

    /// 404: `pods "web" not found`.
    pub fn not_found(group: &str, plural: &str, name: &str) -> Self {
        let msg = format!("{} \"{name}\" not found", qualified_resource(group, plural));
        Self::new(404, "NotFound", msg).with_details(group, plural, Some(name))
    }

    /// 409: `pods "web" already exists`.
    pub fn already_exists(group: &str, plural: &str, name: &str) -> Self {
        let msg = format!("{} \"{name}\" already exists", qualified_resource(group, plural));
        Self::new(409, "AlreadyExists", msg).with_details(group, plural, Some(name))
    }

    /// 409 Conflict on a stale resourceVersion (optimistic concurrency).
    pub fn conflict(group: &str, plural: &str, name: &str) -> Self {
        Self::conflict_with(
            group,
            plural,
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
        )
    }

    /// 409 Conflict with a custom explanation.
    pub fn conflict_with(group: &str, plural: &str, name: &str, why: &str) -> Self {
        let msg = format!(
            "Operation cannot be fulfilled on {} \"{name}\": {why}",
            qualified_resource(group, plural)
        );
        Self::new(409, "Conflict", msg).with_details(group, plural, Some(name))
    }

    /// 422 Invalid: `Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be ...`.
    pub fn invalid(group: &str, kind: &str, name: &str, causes: Vec<StatusCause>) -> Self {
        let qualified = if group.is_empty() {
            kind.to_string()
        } else {
            format!("{kind}.{group}")
        };
        let list: Vec<String> = causes
            .iter()
            .map(|c| format!("{}: {}", c.field, c.message))
            .collect();
        let body = if list.len() == 1 {
            list[0].clone()
        } else {
            format!("[{}]", list.join(", "))
        };
        let msg = format!("{qualified} \"{name}\" is invalid: {body}");
        let mut err = Self::new(422, "Invalid", msg).with_details(group, kind, Some(name));
        err.causes = causes;
        err
    }

    /// 403 with kube-apiserver's RBAC wording.
    pub fn forbidden(
        user: &str,
        verb: &str,
        group: &str,
        plural: &str,
        ns: Option<&str>,
        name: Option<&str>,
    ) -> Self {
        let qr = qualified_resource(group, plural);
        let subject = match name {
            Some(n) => format!("{qr} \"{n}\""),
            None => qr,
        };
        let scope = match ns {
            Some(ns) => format!(" in the namespace \"{ns}\""),
            None => " at the cluster scope".to_string(),
        };
        let msg = format!(
            "{subject} is forbidden: User \"{user}\" cannot {verb} resource \"{plural}\" in API group \"{group}\"{scope}"
        );
        Self::new(403, "Forbidden", msg).with_details(group, plural, name)
    }

    /// 401 Unauthorized.
    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized")
    }

    /// 400 BadRequest.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    /// 410 Gone (reason `Expired`), as sent for a too-old resourceVersion.
    pub fn gone(message: impl Into<String>) -> Self {
        Self::new(410, "Expired", message)
    }

    /// 405 MethodNotAllowed.
    pub fn method_not_allowed() -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
        )
    }

    /// 404 for a path that is not an API resource at all.
    pub fn path_not_found() -> Self {
        Self::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        )
    }

    /// 406 NotAcceptable for an `Accept` header the server cannot satisfy.
    pub fn not_acceptable(accept: &str) -> Self {
        Self::new(
            406,
            "NotAcceptable",
            format!(
                "only the following media types are accepted: application/json, application/yaml (requested {accept})"
            ),
        )
    }

    /// 415 UnsupportedMediaType for an unknown body content type.
    pub fn unsupported_media_type(content_type: &str, accepted: &[&str]) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format ({content_type}) - accepted media types include: {}",
                accepted.join(", ")
            ),
        )
    }

    /// 413 for bodies above the request size limit.
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            413,
            "RequestEntityTooLarge",
            format!("Request entity too large: limit is {limit}"),
        )
    }

    /// 500 InternalError.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            500,
            "InternalError",
            format!("Internal error occurred: {}", message.into()),
        )
    }

    /// The `Status` object for this error.
    pub fn to_status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        let mut details = serde_json::Map::new();
        if let Some(n) = &self.name {
            details.insert("name".into(), json!(n));
        }
        if let Some(g) = &self.group {
            details.insert("group".into(), json!(g));
        }
        if let Some(k) = &self.kind {
            details.insert("kind".into(), json!(k));
        }
        if !self.causes.is_empty() {
            let causes: Vec<Value> = self
                .causes
                .iter()
                .map(|c| json!({"reason": c.reason, "message": c.message, "field": c.field}))
                .collect();
            details.insert("causes".into(), Value::Array(causes));
        }
        if !details.is_empty() {
            status["details"] = Value::Object(details);
        }
        status
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.to_status()).unwrap_or_default();
        let code = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = (code, body).into_response();
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_names_group_qualified_resource() {
        let e = ApiError::not_found("apps", "deployments", "web");
        assert_eq!(e.message, "deployments.apps \"web\" not found");
        let s = e.to_status();
        assert_eq!(s["code"], 404);
        assert_eq!(s["details"]["group"], "apps");
        assert_eq!(s["details"]["kind"], "deployments");
    }

    #[test]
    fn forbidden_matches_kube_apiserver_wording() {
        let e = ApiError::forbidden("jane", "list", "", "pods", Some("default"), None);
        assert_eq!(
            e.message,
            "pods is forbidden: User \"jane\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
        );
    }

    #[test]
    fn invalid_lists_field_causes() {
        let e = ApiError::invalid(
            "",
            "Pod",
            "Bad",
            vec![StatusCause::new(
                "FieldValueInvalid",
                "metadata.name",
                "Invalid value: \"Bad\": must be lowercase",
            )],
        );
        assert_eq!(e.code, 422);
        assert!(
            e.message
                .starts_with("Pod \"Bad\" is invalid: metadata.name: Invalid value")
        );
        assert_eq!(e.to_status()["details"]["causes"][0]["field"], "metadata.name");
    }
}
