//! The HTTP surface of a simulated cluster: one entry point that authenticates, resolves the
//! path as kube-apiserver does, authorizes, and dispatches by verb and subresource.

pub(crate) mod delete;
mod read;
mod subresource;
mod watch;
pub(crate) mod write;

use crate::auth::{self, Attributes, User};
use crate::catalog::ResourceType;
use crate::discovery;
use crate::error::{ApiError, Result};
use crate::request::{self, Query, ResourcePath, Route};
use crate::state::ClusterState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use http_body_util::BodyExt;
use serde_json::Value;
use std::sync::Arc;

/// The axum router of one cluster: every path goes through [`handle`].
pub fn router(state: Arc<ClusterState>) -> axum::Router {
    axum::Router::new().fallback(handle).with_state(state)
}

async fn handle(State(st): State<Arc<ClusterState>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    match dispatch(&st, &parts, body).await {
        Ok(resp) => resp,
        Err(e) => {
            tracing::debug!(cluster = %st.config.name, method = %parts.method, path = %parts.uri.path(), code = e.code, "{}", e.message);
            e.into_response()
        }
    }
}

fn authenticate(st: &ClusterState, parts: &Parts) -> Result<User> {
    let cert = parts
        .extensions
        .get::<crate::tls::ClientCertIdentity>()
        .map(|c| &c.0);
    let header = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if header.is_none() && cert.is_none() && st.config.insecure_admin {
        return Ok(crate::server::admin_user());
    }
    st.authn
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .authenticate_request(header, cert)
}

async fn dispatch(st: &Arc<ClusterState>, parts: &Parts, body: Body) -> Result<Response> {
    let user = authenticate(st, parts)?;
    let path = parts.uri.path();
    match request::route(path) {
        Route::Resource(p) => resource(st, &user, parts, body, p).await,
        route => {
            authorize_path(st, &user, path)?;
            non_resource(st, parts, route)
        }
    }
}

fn authorize_path(st: &ClusterState, user: &User, path: &str) -> Result<()> {
    let attrs = Attributes {
        verb: "get".into(),
        path: Some(path.to_string()),
        ..Default::default()
    };
    auth::authorize(user, &attrs, st)
}

fn accept(headers: &HeaderMap) -> &str {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The minor version the cluster reports, which decides the aggregated discovery versions
/// it speaks (v2beta1 before 1.30, v2 from 1.30, only v2 from 1.33).
fn server_minor(st: &ClusterState) -> u32 {
    st.config
        .kubernetes_version
        .trim_start_matches('v')
        .split('.')
        .nth(1)
        .and_then(|m| m.parse().ok())
        .unwrap_or(33)
}

fn non_resource(st: &ClusterState, parts: &Parts, route: Route) -> Result<Response> {
    let catalog = st.catalog();
    let path = parts.uri.path().trim_end_matches('/');
    if matches!(path, "/api" | "/apis")
        && let Some((api_version, content_type)) =
            discovery::negotiate_aggregated(accept(&parts.headers), server_minor(st))
    {
        let doc = discovery::aggregated_as(&catalog, path == "/api", api_version);
        let mut resp = json_response(StatusCode::OK, &doc);
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        return Ok(resp);
    }
    let doc = match (route, path) {
        (Route::GroupVersion { group, version }, _) => discovery::resource_list(&catalog, &group, &version),
        (Route::Group(group), _) => discovery::group(&catalog, &group),
        (_, "/version") => Some(discovery::version(&st.config.kubernetes_version)),
        (_, "/api") => Some(discovery::core_versions()),
        (_, "/apis") => Some(discovery::group_list(&catalog)),
        (_, "/healthz" | "/livez" | "/readyz") => return Ok((StatusCode::OK, "ok").into_response()),
        (_, "/metrics") => return Ok(crate::observe::prometheus::response(st)),
        (_, p) if p.starts_with("/openapi/") => {
            let accept = Some(accept(&parts.headers)).filter(|a| !a.is_empty());
            let doc =
                crate::openapi::serve_for(&catalog, parts.uri.path(), accept, &st.config.kubernetes_version)?;
            let mut resp = (StatusCode::OK, doc.body).into_response();
            resp.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(doc.content_type));
            return Ok(resp);
        }
        _ => None,
    };
    doc.map(|d| json_response(StatusCode::OK, &d))
        .ok_or_else(ApiError::path_not_found)
}

/// Resources that are verbs, not objects: they answer a create and store nothing.
const VIRTUAL: &[&str] = &[
    "selfsubjectaccessreviews",
    "selfsubjectrulesreviews",
    "subjectaccessreviews",
    "localsubjectaccessreviews",
    "tokenreviews",
    "selfsubjectreviews",
];

async fn resource(
    st: &Arc<ClusterState>,
    user: &User,
    parts: &Parts,
    body: Body,
    p: ResourcePath,
) -> Result<Response> {
    let q = Query::parse(parts.uri.query())?;
    let verb = request::verb(&parts.method, &p, &q)?;
    let rt = st
        .resource(&p.group, &p.version, &p.plural)
        .ok_or_else(ApiError::path_not_found)?;
    check_scope(&rt, &p, verb)?;
    let attrs = Attributes {
        verb: verb.to_string(),
        group: rt.group.clone(),
        resource: rt.plural.clone(),
        subresource: p.subresource.clone().unwrap_or_default(),
        namespace: p.namespace.clone(),
        name: p.name.clone().or_else(|| {
            // A watch or list of one object by name is authorized against that name.
            q.field_selector
                .as_deref()
                .and_then(|f| f.strip_prefix("metadata.name="))
                .map(str::to_string)
        }),
        path: None,
    };
    auth::authorize(user, &attrs, &**st)?;
    if VIRTUAL.contains(&rt.plural.as_str()) {
        let body = read_body(st, body).await?;
        return subresource::review(st, user, &rt, p.namespace.as_deref(), &parts.headers, &body);
    }
    if rt.group == crate::observe::metrics_api::GROUP && p.subresource.is_none() {
        return crate::observe::metrics_api::serve(st, &rt, &p, &q, verb);
    }
    if let Some(sub) = p.subresource.clone() {
        if !rt.has_subresource(&sub) {
            return Err(ApiError::path_not_found());
        }
        let body = read_body(st, body).await?;
        return subresource::handle(st, &rt, &p, &sub, &parts.method, &parts.headers, &q, body).await;
    }
    let output = request::negotiate(&parts.headers)?;
    match verb {
        "get" => read::get(st, &rt, &p, &output),
        "list" => read::list(st, &rt, &p, &q, &output),
        "watch" => watch::watch(st, &rt, &p, &q, &output),
        "create" => {
            let body = read_body(st, body).await?;
            let obj = decode_object(&parts.headers, &body)?;
            let res = write::create(
                st,
                &rt,
                p.namespace.as_deref(),
                obj,
                &write::Opts::from_query(&q, user, parts),
            )?;
            Ok(res.into_response(StatusCode::CREATED))
        }
        "update" => {
            let body = read_body(st, body).await?;
            let obj = decode_object(&parts.headers, &body)?;
            let name = p.name.as_deref().unwrap_or_default();
            let opts = write::Opts::from_query(&q, user, parts);
            let res = write::update(st, &rt, p.namespace.as_deref(), name, obj, None, &opts)?;
            Ok(res.into_response(StatusCode::OK))
        }
        "patch" => {
            let body = read_body(st, body).await?;
            let name = p.name.as_deref().unwrap_or_default();
            let opts = write::Opts::from_query(&q, user, parts);
            let res = write::patch(
                st,
                &rt,
                p.namespace.as_deref(),
                name,
                &parts.headers,
                &body,
                None,
                &opts,
            )?;
            let code = if res.created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok(res.into_response(code))
        }
        "delete" => {
            let body = read_body(st, body).await?;
            delete::delete(st, &rt, &p, &q, &body)
        }
        "deletecollection" => {
            let body = read_body(st, body).await?;
            delete::delete_collection(st, &rt, &p, &q, &body)
        }
        _ => Err(ApiError::method_not_allowed()),
    }
}

/// Cluster-scoped resources have no namespace in the path; single namespaced objects do.
fn check_scope(rt: &ResourceType, p: &ResourcePath, verb: &str) -> Result<()> {
    if !rt.namespaced && p.namespace.is_some() {
        return Err(ApiError::path_not_found());
    }
    let needs_ns = p.name.is_some() || verb == "create" || verb == "deletecollection";
    if rt.namespaced && p.namespace.is_none() && needs_ns && !VIRTUAL.contains(&rt.plural.as_str()) {
        return Err(ApiError::path_not_found());
    }
    if !rt.has_verb(verb) && p.subresource.is_none() {
        return Err(ApiError::method_not_allowed());
    }
    Ok(())
}

async fn read_body(st: &ClusterState, body: Body) -> Result<Bytes> {
    let limit = st.config.max_body_bytes;
    let limited = http_body_util::Limited::new(body, limit);
    match limited.collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
            Err(ApiError::too_large(limit))
        }
        Err(e) => Err(ApiError::bad_request(format!("error reading request body: {e}"))),
    }
}

/// Decodes a JSON (or YAML) request body into an object.
pub(crate) fn decode_object(headers: &HeaderMap, body: &[u8]) -> Result<Value> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json");
    let mime = ct.split(';').next().unwrap_or_default().trim();
    let value: Value = match mime {
        "application/json" | "" | "*/*" => serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(format!(
                "the body of the request could not be decoded as JSON: {e}"
            ))
        })?,
        // kubectl >= 1.32 sends typed-client bodies as Kubernetes protobuf.
        crate::protobuf::CONTENT_TYPE => crate::protobuf::decode(body)?,
        "application/yaml" => serde_saphyr::from_slice(body).map_err(|e| {
            ApiError::bad_request(format!(
                "the body of the request could not be decoded as YAML: {e}"
            ))
        })?,
        other => {
            return Err(ApiError::unsupported_media_type(
                other,
                &[
                    "application/json",
                    "application/yaml",
                    crate::protobuf::CONTENT_TYPE,
                ],
            ));
        }
    };
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "the body of the request must be a JSON object",
        ));
    }
    Ok(value)
}

/// A JSON response with the given status.
pub(crate) fn json_response(code: StatusCode, body: &Value) -> Response {
    bytes_response(code, serde_json::to_vec(body).unwrap_or_default())
}

/// A response of ready JSON bytes.
pub(crate) fn bytes_response(code: StatusCode, body: impl Into<Body>) -> Response {
    let mut resp = (code, body.into()).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}
