//! OpenAPI documents (`/openapi/v2`, `/openapi/v3`, `/openapi/v3/{group-version}`), enough for
//! kubectl's validation and patch computation.
//!
//! What kubectl 1.27-1.33 read, and why the documents look the way they do:
//! - `apply`, `create`, `replace`, `edit` and `diff` validate with `--validate=strict` by
//!   default. kubectl first asks `/openapi/v3` whether the PATCH operation of the object's
//!   group/version/kind (found through `x-kubernetes-group-version-kind`) takes the
//!   `fieldValidation` query parameter; if so it leaves validation to the server (which rejects
//!   unknown fields with `fieldValidation=Strict`). Every served kind therefore has a PATCH
//!   operation with that parameter; custom resources too, from their CRD.
//! - A `kind: List` manifest has no operation; kubectl then validates its items against the
//!   `/openapi/v2` protobuf document and skips kinds it does not describe. The v2 document is
//!   an empty one (see `openapi/proto.rs`) so that this works and never rejects valid objects.
//! - `explain` renders `/openapi/v3/{gv}`: it finds the kind through the operations'
//!   `x-kubernetes-group-version-kind` and its schema through the component's. Built-in kinds
//!   get a compact schema (real top-level fields; nested objects open), custom resources their
//!   CRD `openAPIV3Schema`.
//! - `apply`/`diff` compute strategic merge patches from v3 only when the PATCH operation
//!   advertises `application/strategic-merge-patch+json`; it is not advertised (the compact
//!   schemas carry no merge keys), so kubectl uses its compiled-in types, as precise as
//!   against kube-apiserver.

mod paths;
mod proto;
mod schemas;

pub use schemas::{kind_schema_name, schema_name};

use crate::catalog::Catalog;
use crate::discovery::sha256_hex;
use crate::error::{ApiError, Result};
use serde_json::{Map, Value, json};

/// A served OpenAPI document: content type and body.
pub struct OpenApiDoc {
    /// `Content-Type` of the body.
    pub content_type: &'static str,
    /// Body bytes.
    pub body: Vec<u8>,
}

/// The media type client-go asks `/openapi/v2` for.
pub const V2_PROTOBUF: &str = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

/// The version reported in documents when the caller does not say.
const DEFAULT_VERSION: &str = "v1.33.1";

/// Serves `path` (starting with `/openapi/`), or a NotFound error. Without an `Accept` header
/// `/openapi/v2` is served as protobuf, the only form client-go can read; prefer
/// [`serve_for`], which negotiates.
#[allow(clippy::result_large_err)]
pub fn serve(catalog: &Catalog, path: &str) -> Result<OpenApiDoc> {
    serve_for(catalog, path, None, DEFAULT_VERSION)
}

/// Serves `path` (query allowed, e.g. `?hash=`) for a client sending `accept`, on a server
/// reporting `git_version`.
#[allow(clippy::result_large_err)]
pub fn serve_for(
    catalog: &Catalog,
    path: &str,
    accept: Option<&str>,
    git_version: &str,
) -> Result<OpenApiDoc> {
    let path = path.split('?').next().unwrap_or("").trim_end_matches('/');
    let json_doc = |v: Value| OpenApiDoc {
        content_type: "application/json",
        body: serde_json::to_vec(&v).unwrap_or_default(),
    };
    match path {
        "/openapi/v2" => {
            let wants_json = accept.is_some_and(|a| a.contains("json") && !a.contains("protobuf"));
            if wants_json {
                Ok(json_doc(
                    json!({"swagger": "2.0", "info": {"title": "Kubernetes", "version": git_version}, "paths": {}, "definitions": {}}),
                ))
            } else {
                // kube-apiserver answers the protobuf request as an octet stream; client-go
                // cannot parse the request's own media type (its `@`) as a Content-Type.
                Ok(OpenApiDoc {
                    content_type: "application/octet-stream",
                    body: proto::document("Kubernetes", git_version),
                })
            }
        }
        "/openapi/v3" => Ok(json_doc(v3_root(catalog, git_version))),
        p => {
            let gv = p
                .strip_prefix("/openapi/v3/")
                .ok_or_else(ApiError::path_not_found)?;
            let (group, version) = match gv.split('/').collect::<Vec<_>>().as_slice() {
                ["api", v] => ("", *v),
                ["apis", g, v] => (*g, *v),
                _ => return Err(ApiError::path_not_found()),
            };
            v3_group_version(catalog, group, version, git_version)
                .map(json_doc)
                .ok_or_else(ApiError::path_not_found)
        }
    }
}

/// The `/openapi/v3` discovery document: one entry per served group-version, with a
/// `?hash=` that changes whenever the document does (clients cache by it).
pub fn v3_root(catalog: &Catalog, git_version: &str) -> Value {
    let mut paths = Map::new();
    let mut gvs: Vec<(String, String)> = Vec::new();
    for t in catalog.all() {
        let gv = (t.group.clone(), t.version.clone());
        if !gvs.contains(&gv) {
            gvs.push(gv);
        }
    }
    for (g, v) in gvs {
        let key = if g.is_empty() {
            format!("api/{v}")
        } else {
            format!("apis/{g}/{v}")
        };
        let Some(doc) = v3_group_version(catalog, &g, &v, git_version) else {
            continue;
        };
        let hash = sha256_hex(doc.to_string().as_bytes()).to_uppercase();
        paths.insert(
            key.clone(),
            json!({"serverRelativeURL": format!("/openapi/v3/{key}?hash={hash}")}),
        );
    }
    let mut sorted: Vec<(String, Value)> = paths.into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    json!({"paths": Map::from_iter(sorted)})
}

/// The OpenAPI v3 document of one group-version, `None` when nothing is served there.
pub fn v3_group_version(catalog: &Catalog, group: &str, version: &str, git_version: &str) -> Option<Value> {
    let types: Vec<_> = catalog
        .all()
        .iter()
        .filter(|t| t.group == group && t.version == version)
        .collect();
    if types.is_empty() {
        return None;
    }
    let mut paths = Map::new();
    let mut comps = schemas::meta_schemas();
    for t in &types {
        paths::add_resource(&mut paths, t);
        let name = kind_schema_name(t);
        let schema = if t.crd.is_some() {
            schemas::custom_kind_schema(t)
        } else {
            schemas::builtin_kind_schema(t)
        };
        comps.insert(name.clone(), schema);
        if t.has_verb("list") {
            comps.insert(format!("{name}List"), schemas::list_schema(t));
        }
        if t.has_subresource("scale") {
            comps.insert(schemas::SCALE.into(), schemas::subresource_schema(schemas::SCALE));
        }
        if t.has_subresource("eviction") {
            comps.insert(
                schemas::EVICTION.into(),
                schemas::subresource_schema(schemas::EVICTION),
            );
        }
    }
    let mut sorted_paths: Vec<(String, Value)> = paths.into_iter().collect();
    sorted_paths.sort_by(|a, b| a.0.cmp(&b.0));
    let mut sorted_comps: Vec<(String, Value)> = comps.into_iter().collect();
    sorted_comps.sort_by(|a, b| a.0.cmp(&b.0));
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": git_version},
        "paths": Map::from_iter(sorted_paths),
        "components": {
            "schemas": Map::from_iter(sorted_comps),
            "securitySchemes": {"BearerToken": {"type": "apiKey", "description": "Bearer Token authentication",
                "name": "authorization", "in": "header"}}
        }
    }))
}

#[cfg(test)]
mod tests;
