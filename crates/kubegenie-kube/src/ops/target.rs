//! What every operation needs on one cluster: resolving a kind, finding the objects a user
//! named or selected, raw API requests, and turning any failure into an error row.

use crate::discovery::{KindIndex, ResolveError, ResourceInfo};
use crate::fanout::FanOut;
use crate::ops::get::Connected;
use http::header::{ACCEPT, CONTENT_TYPE};
use kubegenie_core::operation::ObjectSelector;
use kubegenie_core::outcome::{ClusterError, ErrorClass};
use kubegenie_core::plan::ObjectRef;
use serde_json::Value;

/// Why an operation failed on one cluster.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The API or transport failed.
    Kube(kube::Error),
    /// The kind is not served there.
    Unknown(ResolveError),
    /// The request cannot be made as asked (class and message).
    Refused(ErrorClass, String),
}

impl From<kube::Error> for Failure {
    fn from(e: kube::Error) -> Self {
        Self::Kube(e)
    }
}

impl From<ResolveError> for Failure {
    fn from(e: ResolveError) -> Self {
        Self::Unknown(e)
    }
}

impl Failure {
    /// The error row for `cluster`.
    pub(crate) fn into_error(self, cluster: &str) -> ClusterError {
        match self {
            Self::Kube(e) => crate::classify::cluster_error(cluster, &e),
            Self::Unknown(e) => ClusterError {
                cluster: cluster.to_string(),
                reason: ErrorClass::NotFound,
                message: e.to_string(),
            },
            Self::Refused(reason, message) => ClusterError {
                cluster: cluster.to_string(),
                reason,
                message,
            },
        }
    }
}

/// Runs `work` on every cluster; returns answers and error rows, both in selection order.
pub(crate) async fn fan<T, F, Fut>(
    clusters: &[Connected],
    fan: FanOut,
    work: F,
) -> (Vec<(String, T)>, Vec<ClusterError>)
where
    F: Fn(Connected) -> Fut,
    Fut: Future<Output = Result<T, Failure>>,
{
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for (name, res) in fan.collect_with(clusters.to_vec(), work).await {
        match res {
            Ok(Ok(v)) => ok.push((name, v)),
            Ok(Err(f)) => errors.push(f.into_error(&name)),
            Err(timeout) => errors.push(timeout),
        }
    }
    (ok, errors)
}

/// Sends a request and parses the JSON answer.
pub(crate) async fn send(
    client: &kube::Client,
    method: http::Method,
    path: &str,
    content_type: Option<&str>,
    body: Option<&Value>,
) -> Result<Value, kube::Error> {
    let mut req = http::Request::builder()
        .method(method)
        .uri(path)
        .header(ACCEPT, "application/json");
    if let Some(ct) = content_type {
        req = req.header(CONTENT_TYPE, ct);
    }
    let bytes = body
        .map(|b| serde_json::to_vec(b).unwrap_or_default())
        .unwrap_or_default();
    let req = req.body(bytes).map_err(kube::Error::HttpError)?;
    let text = client.request_text(req).await?;
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&text).map_err(kube::Error::SerdeError)
}

/// `GET path`.
pub(crate) async fn get_json(client: &kube::Client, path: &str) -> Result<Value, kube::Error> {
    send(client, http::Method::GET, path, None, None).await
}

/// Percent-encodes a query value.
pub(crate) fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The collection path of `r` in `ns` (ignored for cluster-scoped kinds; `None`: every namespace).
pub(crate) fn collection_path(r: &ResourceInfo, ns: Option<&str>) -> String {
    let base = if r.group.is_empty() {
        format!("/api/{}", r.version)
    } else {
        format!("/apis/{}/{}", r.group, r.version)
    };
    match ns.filter(|_| r.namespaced) {
        Some(ns) => format!("{base}/namespaces/{ns}/{}", r.plural),
        None => format!("{base}/{}", r.plural),
    }
}

/// A reference to object `name` of `r` in `ns`.
pub(crate) fn object_ref(r: &ResourceInfo, ns: Option<&str>, name: &str) -> ObjectRef {
    ObjectRef {
        api_version: r.api_version(),
        kind: r.kind.clone(),
        resource: r.plural.clone(),
        namespace: ns.filter(|_| r.namespaced).map(str::to_string),
        name: name.to_string(),
    }
}

/// Resolves a kind as typed on one cluster.
pub(crate) async fn resolve(client: &kube::Client, kind: &str) -> Result<ResourceInfo, Failure> {
    let index = KindIndex::discover(client).await?;
    Ok(index.resolve(kind)?.clone())
}

/// The namespace a request means on a cluster: the one given, or the client's default.
pub(crate) fn namespace_of(client: &kube::Client, ns: Option<&str>) -> String {
    ns.map_or_else(|| client.default_namespace().to_string(), str::to_string)
}

/// The objects `sel` names (each must exist) or selects (a label selector over the collection),
/// with their current state. `ns` is `None` for every namespace.
pub(crate) async fn select_objects(
    client: &kube::Client,
    r: &ResourceInfo,
    ns: Option<&str>,
    sel: &ObjectSelector,
) -> Result<Vec<(ObjectRef, Value)>, Failure> {
    let mut out = Vec::new();
    if sel.names.is_empty() {
        let mut path = collection_path(r, ns);
        if let Some(l) = &sel.label_selector {
            path.push_str(&format!("?labelSelector={}", encode(l)));
        }
        let list = get_json(client, &path).await?;
        for item in list["items"].as_array().into_iter().flatten() {
            let name = item
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let item_ns = item.pointer("/metadata/namespace").and_then(Value::as_str);
            out.push((object_ref(r, item_ns, name), item.clone()));
        }
    } else {
        for name in &sel.names {
            let target = object_ref(r, ns, name);
            let obj = get_json(client, &target.path()).await?;
            out.push((target, obj));
        }
    }
    Ok(out)
}

/// A label selector string from a `LabelSelector` object (matchLabels and matchExpressions).
pub(crate) fn selector_string(sel: &Value) -> Option<String> {
    let mut parts = Vec::new();
    for (k, v) in sel["matchLabels"].as_object().into_iter().flatten() {
        parts.push(format!("{k}={}", v.as_str().unwrap_or_default()));
    }
    for e in sel["matchExpressions"].as_array().into_iter().flatten() {
        let key = e["key"].as_str().unwrap_or_default();
        let values: Vec<&str> = e["values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        parts.push(match e["operator"].as_str().unwrap_or_default() {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.to_string(),
            _ => format!("!{key}"),
        });
    }
    (!parts.is_empty()).then(|| parts.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selectors_print_as_kubectl_accepts_them() {
        let s = json!({"matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]},
                                 {"key": "legacy", "operator": "DoesNotExist"}]});
        assert_eq!(selector_string(&s).unwrap(), "app=web,tier in (a,b),!legacy");
        assert_eq!(selector_string(&json!({})), None);
        assert_eq!(encode("app in (a,b)"), "app%20in%20%28a%2Cb%29");
    }
}
