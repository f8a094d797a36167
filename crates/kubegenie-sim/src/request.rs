//! What a request asks for: the resource path (as kube-apiserver's RequestInfo resolves it),
//! the query parameters, and the response media type.

use crate::error::{ApiError, Result};
use http::{HeaderMap, Method, header};

/// A request for an API resource (as opposed to discovery and other non-resource paths).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourcePath {
    /// API group (`""` for core).
    pub group: String,
    /// API version.
    pub version: String,
    /// Namespace from the path, if any.
    pub namespace: Option<String>,
    /// Resource plural.
    pub plural: String,
    /// Object name, if any.
    pub name: Option<String>,
    /// Subresource, if any.
    pub subresource: Option<String>,
    /// Whether the deprecated `/watch/` path prefix was used.
    pub legacy_watch: bool,
}

/// Where a path leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A resource or collection.
    Resource(ResourcePath),
    /// `/api/v1` or `/apis/{g}/{v}`: a resource list.
    GroupVersion {
        /// Group.
        group: String,
        /// Version.
        version: String,
    },
    /// `/apis/{g}`: a group.
    Group(String),
    /// Anything else (`/version`, `/api`, `/apis`, `/openapi/...`, `/healthz`...).
    NonResource,
}

/// Resolves a request path.
pub fn route(path: &str) -> Route {
    let segs: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let (group, version, rest) = match segs.as_slice() {
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g] => return Route::Group(g.to_string()),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return Route::NonResource,
    };
    if rest.is_empty() {
        return Route::GroupVersion {
            group: group.to_string(),
            version: version.to_string(),
        };
    }
    let (legacy_watch, rest) = match rest {
        ["watch", r @ ..] if !r.is_empty() => (true, r),
        r => (false, r),
    };
    let mut p = ResourcePath {
        group: group.to_string(),
        version: version.to_string(),
        legacy_watch,
        ..Default::default()
    };
    // `/api/v1/namespaces/{ns}/status|finalize` are subresources of the Namespace itself.
    let namespace_sub = group.is_empty() && rest.len() == 3 && matches!(rest[2], "status" | "finalize");
    if rest[0] == "namespaces" && rest.len() >= 3 && !namespace_sub {
        p.namespace = Some(rest[1].to_string());
        p.plural = rest[2].to_string();
        p.name = rest.get(3).map(|s| s.to_string());
        p.subresource = rest.get(4).map(|s| s.to_string());
        if rest.len() > 5 {
            return Route::NonResource;
        }
    } else {
        p.plural = rest[0].to_string();
        p.name = rest.get(1).map(|s| s.to_string());
        p.subresource = rest.get(2).map(|s| s.to_string());
        if rest.len() > 3 {
            return Route::NonResource;
        }
    }
    Route::Resource(p)
}

/// The verb a request performs, as RBAC names it.
pub fn verb(method: &Method, p: &ResourcePath, query: &Query) -> Result<&'static str> {
    Ok(match *method {
        Method::GET | Method::HEAD => {
            if p.legacy_watch || query.watch {
                "watch"
            } else if p.name.is_some() {
                "get"
            } else {
                "list"
            }
        }
        Method::POST => "create",
        // Whole collections cannot be replaced or patched.
        Method::PUT | Method::PATCH if p.name.is_none() => return Err(ApiError::method_not_allowed()),
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE => {
            if p.name.is_some() {
                "delete"
            } else {
                "deletecollection"
            }
        }
        _ => return Err(ApiError::method_not_allowed()),
    })
}

/// The query parameters the simulator understands.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// `labelSelector`.
    pub label_selector: Option<String>,
    /// `fieldSelector`.
    pub field_selector: Option<String>,
    /// `limit`.
    pub limit: Option<usize>,
    /// `continue`.
    pub continue_token: Option<String>,
    /// `resourceVersion`.
    pub resource_version: Option<String>,
    /// `resourceVersionMatch`.
    pub resource_version_match: Option<String>,
    /// `watch`.
    pub watch: bool,
    /// `allowWatchBookmarks`.
    pub allow_bookmarks: bool,
    /// `sendInitialEvents`.
    pub send_initial_events: Option<bool>,
    /// `timeoutSeconds`.
    pub timeout_seconds: Option<u64>,
    /// `dryRun=All`.
    pub dry_run: bool,
    /// `fieldManager`.
    pub field_manager: Option<String>,
    /// `fieldValidation`: Strict, Warn or Ignore.
    pub field_validation: Option<String>,
    /// `force` (server-side apply).
    pub force: bool,
    /// `propagationPolicy`.
    pub propagation_policy: Option<String>,
    /// `gracePeriodSeconds`.
    pub grace_period_seconds: Option<i64>,
    /// `orphanDependents` (deprecated form of propagationPolicy=Orphan).
    pub orphan_dependents: Option<bool>,
    /// `includeObject` (Table output).
    pub include_object: Option<String>,
    /// Pod log options and everything else, raw.
    pub raw: Vec<(String, String)>,
}

fn parse_bool(key: &str, v: &str) -> Result<bool> {
    match v {
        "" | "true" | "1" | "True" => Ok(true),
        "false" | "0" | "False" => Ok(false),
        _ => Err(ApiError::bad_request(format!(
            "invalid value for {key}: {v:?}: expected true or false"
        ))),
    }
}

fn parse_num<T: std::str::FromStr>(key: &str, v: &str) -> Result<T> {
    v.parse()
        .map_err(|_| ApiError::bad_request(format!("invalid value for {key}: {v:?}: expected a number")))
}

impl Query {
    /// Parses a raw query string.
    pub fn parse(raw: Option<&str>) -> Result<Self> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or_default())
            .map_err(|e| ApiError::bad_request(format!("malformed query string: {e}")))?;
        let mut q = Query::default();
        for (k, v) in &pairs {
            match k.as_str() {
                "labelSelector" => q.label_selector = Some(v.clone()),
                "fieldSelector" => q.field_selector = Some(v.clone()),
                "limit" => q.limit = Some(parse_num::<usize>(k, v)?).filter(|l| *l > 0),
                "continue" => q.continue_token = Some(v.clone()).filter(|s| !s.is_empty()),
                "resourceVersion" => q.resource_version = Some(v.clone()).filter(|s| !s.is_empty()),
                "resourceVersionMatch" => {
                    q.resource_version_match = Some(v.clone()).filter(|s| !s.is_empty())
                }
                "watch" => q.watch = parse_bool(k, v)?,
                "allowWatchBookmarks" => q.allow_bookmarks = parse_bool(k, v)?,
                "sendInitialEvents" => q.send_initial_events = Some(parse_bool(k, v)?),
                "timeoutSeconds" => q.timeout_seconds = Some(parse_num(k, v)?),
                "dryRun" => {
                    if v != "All" {
                        return Err(ApiError::bad_request(format!(
                            "Invalid dryRun value: {v:?}: supported values: \"All\""
                        )));
                    }
                    q.dry_run = true;
                }
                "fieldManager" => q.field_manager = Some(v.clone()),
                "fieldValidation" => {
                    if !matches!(v.as_str(), "Strict" | "Warn" | "Ignore" | "") {
                        return Err(ApiError::bad_request(format!(
                            "fieldValidation: Unsupported value: {v:?}: supported values: \"Ignore\", \"Strict\", \"Warn\""
                        )));
                    }
                    q.field_validation = Some(v.clone()).filter(|s| !s.is_empty());
                }
                "force" => q.force = parse_bool(k, v)?,
                "propagationPolicy" => q.propagation_policy = Some(v.clone()),
                "gracePeriodSeconds" => q.grace_period_seconds = Some(parse_num(k, v)?),
                "orphanDependents" => q.orphan_dependents = Some(parse_bool(k, v)?),
                "includeObject" => q.include_object = Some(v.clone()),
                _ => {}
            }
        }
        q.raw = pairs;
        Ok(q)
    }

    /// A raw parameter by name.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.raw.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// The shape a response is asked to take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Plain JSON objects and lists.
    Json,
    /// `meta.k8s.io` Table of the given version (`v1` or `v1beta1`).
    Table(String),
    /// `PartialObjectMetadata` / `PartialObjectMetadataList` of the given version.
    Metadata(String),
}

/// Chooses the response shape from the `Accept` header, as kube-apiserver negotiates it.
pub fn negotiate(headers: &HeaderMap) -> Result<Output> {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim();
    if accept.is_empty() {
        return Ok(Output::Json);
    }
    for part in accept.split(',') {
        let mut params = part.split(';').map(str::trim);
        let mime = params.next().unwrap_or_default();
        let (mut as_, mut g, mut v) = ("", "", "");
        for p in params {
            match p.split_once('=') {
                Some(("as", x)) => as_ = x,
                Some(("g", x)) => g = x,
                Some(("v", x)) => v = x,
                _ => {}
            }
        }
        if !matches!(
            mime,
            "application/json" | "*/*" | "application/*" | "application/yaml"
        ) {
            continue;
        }
        match (as_, g) {
            ("", _) => return Ok(Output::Json),
            ("Table", "meta.k8s.io") if matches!(v, "v1" | "v1beta1") => {
                return Ok(Output::Table(v.to_string()));
            }
            ("PartialObjectMetadata" | "PartialObjectMetadataList", "meta.k8s.io")
                if matches!(v, "v1" | "v1beta1") =>
            {
                return Ok(Output::Metadata(v.to_string()));
            }
            _ => continue,
        }
    }
    Err(ApiError::not_acceptable(accept))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(path: &str) -> ResourcePath {
        match route(path) {
            Route::Resource(p) => p,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn routes_namespaced_cluster_and_subresources() {
        let p = res("/api/v1/namespaces/default/pods/web/log");
        assert_eq!(
            (p.namespace.as_deref(), p.plural.as_str()),
            (Some("default"), "pods")
        );
        assert_eq!(
            (p.name.as_deref(), p.subresource.as_deref()),
            (Some("web"), Some("log"))
        );
        let p = res("/apis/apps/v1/deployments");
        assert_eq!(
            (p.group.as_str(), p.namespace.clone(), p.plural.as_str()),
            ("apps", None, "deployments")
        );
        let p = res("/api/v1/namespaces/team-a/status");
        assert_eq!(
            (p.plural.as_str(), p.name.as_deref(), p.subresource.as_deref()),
            ("namespaces", Some("team-a"), Some("status"))
        );
        let p = res("/api/v1/namespaces/team-a");
        assert_eq!(
            (p.plural.as_str(), p.name.as_deref()),
            ("namespaces", Some("team-a"))
        );
        let p = res("/api/v1/watch/namespaces/default/pods");
        assert!(p.legacy_watch);
        assert_eq!(
            route("/apis/apps/v1"),
            Route::GroupVersion {
                group: "apps".into(),
                version: "v1".into()
            }
        );
        assert_eq!(route("/version"), Route::NonResource);
    }

    #[test]
    fn negotiates_table_metadata_and_json() {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT,
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
                .parse()
                .unwrap(),
        );
        assert_eq!(negotiate(&h).unwrap(), Output::Table("v1".into()));
        h.insert(
            header::ACCEPT,
            "application/vnd.kubernetes.protobuf, */*".parse().unwrap(),
        );
        assert_eq!(negotiate(&h).unwrap(), Output::Json);
        h.insert(
            header::ACCEPT,
            "application/vnd.kubernetes.protobuf".parse().unwrap(),
        );
        assert_eq!(negotiate(&h).unwrap_err().code, 406);
    }

    #[test]
    fn bad_query_values_are_bad_requests() {
        assert_eq!(Query::parse(Some("limit=abc")).unwrap_err().code, 400);
        assert_eq!(Query::parse(Some("dryRun=Some")).unwrap_err().code, 400);
        let q = Query::parse(Some("watch=1&labelSelector=app%3Dweb&limit=5")).unwrap();
        assert!(q.watch);
        assert_eq!(q.label_selector.as_deref(), Some("app=web"));
        assert_eq!(q.limit, Some(5));
    }
}
