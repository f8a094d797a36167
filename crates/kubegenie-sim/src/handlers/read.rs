//! Reads: get and list, as JSON, Table or metadata-only, with selectors and pagination.

use super::bytes_response;
use crate::catalog::{Conversion, ResourceType};
use crate::convert;
use crate::error::{ApiError, Result};
use crate::object;
use crate::request::{Output, Query, ResourcePath};
use crate::selector::{FieldSelector, LabelSelector};
use crate::state::ClusterState;
use crate::store::Stored;
use crate::table::{self, IncludeObject};
use axum::response::Response;
use base64::Engine;
use bytes::Bytes;
use http::StatusCode;
use serde_json::{Value, json};
use std::borrow::Cow;
use std::sync::Arc;

/// Whether a stored object can be sent as stored (no conversion, same apiVersion).
fn served_as_stored(rt: &ResourceType, s: &Stored) -> bool {
    rt.conversion == Conversion::None
        && s.value
            .get("apiVersion")
            .and_then(Value::as_str)
            .is_some_and(|v| v == rt.api_version())
}

/// The served form of a stored object.
pub(crate) fn served<'a>(rt: &ResourceType, s: &'a Stored) -> Cow<'a, Value> {
    if served_as_stored(rt, s) {
        Cow::Borrowed(&s.value)
    } else {
        Cow::Owned(convert::to_served(rt, s.value.clone()))
    }
}

/// The served JSON bytes of a stored object.
pub(crate) fn served_json(rt: &ResourceType, s: &Stored) -> Bytes {
    if served_as_stored(rt, s) {
        s.json.clone()
    } else {
        Bytes::from(serde_json::to_vec(&convert::to_served(rt, s.value.clone())).unwrap_or_default())
    }
}

/// `PartialObjectMetadata` of an object.
pub(crate) fn partial_metadata(v: &Value, version: &str) -> Value {
    json!({"kind": "PartialObjectMetadata", "apiVersion": format!("meta.k8s.io/{version}"), "metadata": v["metadata"]})
}

/// GET of one object.
pub fn get(st: &ClusterState, rt: &ResourceType, p: &ResourcePath, output: &Output) -> Result<Response> {
    let name = p.name.as_deref().unwrap_or_default();
    let ns = p.namespace.as_deref().unwrap_or_default();
    let s = st
        .store
        .get(&rt.storage, ns, name)
        .ok_or_else(|| ApiError::not_found(&rt.group, &rt.plural, name))?;
    Ok(match output {
        Output::Json => bytes_response(StatusCode::OK, served_json(rt, &s)),
        Output::Table(v) => {
            let obj = served(rt, &s);
            let t = table::to_table(
                rt,
                &[obj.as_ref()],
                IncludeObject::Metadata,
                json!({"resourceVersion": s.rv.to_string()}),
                &format!("meta.k8s.io/{v}"),
                st.clock.now(),
            );
            super::json_response(StatusCode::OK, &t)
        }
        Output::Metadata(v) => super::json_response(StatusCode::OK, &partial_metadata(&served(rt, &s), v)),
    })
}

/// Selectors of a list or watch request.
pub(crate) struct Filter {
    pub labels: LabelSelector,
    pub fields: FieldSelector,
}

impl Filter {
    pub(crate) fn from_query(rt: &ResourceType, q: &Query) -> Result<Self> {
        Ok(Self {
            labels: LabelSelector::parse(q.label_selector.as_deref().unwrap_or_default())?,
            fields: FieldSelector::parse(q.field_selector.as_deref().unwrap_or_default(), rt)?,
        })
    }

    pub(crate) fn matches(&self, obj: &Value) -> bool {
        self.labels.matches(object::labels(obj)) && self.fields.matches(obj)
    }
}

/// The position a continue token resumes after.
fn decode_continue(token: &str, compacted: u64) -> Result<(String, String)> {
    let invalid =
        || ApiError::bad_request("continue key is not valid: illegal base64 data or unknown format");
    let raw = base64::engine::general_purpose::URL_SAFE
        .decode(token)
        .map_err(|_| invalid())?;
    let v: Value = serde_json::from_slice(&raw).map_err(|_| invalid())?;
    let rv = v.get("rv").and_then(Value::as_u64).ok_or_else(invalid)?;
    if rv < compacted {
        return Err(ApiError::gone(
            "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.",
        ));
    }
    let start = v.get("start").and_then(Value::as_str).ok_or_else(invalid)?;
    let (ns, name) = start.split_once('/').ok_or_else(invalid)?;
    Ok((ns.to_string(), name.trim_end_matches('\0').to_string()))
}

fn encode_continue(rv: u64, last: &Value) -> String {
    let start = format!("{}/{}\0", object::namespace(last), object::name(last));
    let token = json!({"v": "meta.k8s.io/v1", "rv": rv, "start": start});
    base64::engine::general_purpose::URL_SAFE.encode(token.to_string())
}

/// LIST of a collection.
pub fn list(
    st: &ClusterState,
    rt: &ResourceType,
    p: &ResourcePath,
    q: &Query,
    output: &Output,
) -> Result<Response> {
    let filter = Filter::from_query(rt, q)?;
    let (all, rv) = st.store.list(&rt.storage, p.namespace.as_deref());
    let resume = match &q.continue_token {
        Some(t) => Some(decode_continue(t, st.store.compacted_rv())?),
        None => None,
    };
    let mut matched: Vec<&Arc<Stored>> = all
        .iter()
        .filter(|s| match &resume {
            // Lists are sorted by (namespace, name), so a page resumes strictly after its key.
            Some((ns, name)) => {
                (object::namespace(&s.value), object::name(&s.value)) > (ns.as_str(), name.as_str())
            }
            None => true,
        })
        .filter(|s| filter.matches(&s.value))
        .collect();
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if let Some(limit) = q.limit
        && matched.len() > limit
    {
        let remaining = matched.len() - limit;
        matched.truncate(limit);
        if let Some(last) = matched.last() {
            meta["continue"] = json!(encode_continue(rv, &last.value));
            meta["remainingItemCount"] = json!(remaining);
        }
    }
    Ok(match output {
        Output::Json => bytes_response(StatusCode::OK, list_json(rt, &matched, &meta)),
        Output::Table(v) => {
            let objs: Vec<Cow<'_, Value>> = matched.iter().map(|s| served(rt, s)).collect();
            let refs: Vec<&Value> = objs.iter().map(|c| c.as_ref()).collect();
            let include = IncludeObject::parse(q.include_object.as_deref());
            let t = table::to_table(
                rt,
                &refs,
                include,
                meta,
                &format!("meta.k8s.io/{v}"),
                st.clock.now(),
            );
            super::json_response(StatusCode::OK, &t)
        }
        Output::Metadata(v) => {
            let items: Vec<Value> = matched
                .iter()
                .map(|s| partial_metadata(&served(rt, s), v))
                .collect();
            let list = json!({"kind": "PartialObjectMetadataList", "apiVersion": format!("meta.k8s.io/{v}"),
                "metadata": meta, "items": items});
            super::json_response(StatusCode::OK, &list)
        }
    })
}

/// A JSON list assembled from the objects' ready bytes.
pub(crate) fn list_json(rt: &ResourceType, items: &[&Arc<Stored>], meta: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(items.iter().map(|s| s.json.len() + 1).sum::<usize>() + 256);
    out.extend_from_slice(b"{\"kind\":");
    out.extend_from_slice(json!(format!("{}List", rt.kind)).to_string().as_bytes());
    out.extend_from_slice(b",\"apiVersion\":");
    out.extend_from_slice(json!(rt.api_version()).to_string().as_bytes());
    out.extend_from_slice(b",\"metadata\":");
    out.extend_from_slice(meta.to_string().as_bytes());
    out.extend_from_slice(b",\"items\":[");
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&served_json(rt, s));
    }
    out.extend_from_slice(b"]}");
    out
}
