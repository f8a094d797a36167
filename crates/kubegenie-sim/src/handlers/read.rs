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
use axum::body::Body;
use axum::response::Response;
use base64::Engine;
use bytes::Bytes;
use http::StatusCode;
use hyper::body as http_body;
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
        // Most lists and watches have no selector; skipping the lookups keeps a LIST of 10,000
        // objects from paying for them 10,000 times.
        (self.labels.is_empty() || self.labels.matches(object::labels(obj)))
            && (self.fields.is_empty() || self.fields.matches(obj))
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
    // Lists are sorted by (namespace, name), so a page resumes strictly after its key; a binary
    // search keeps paging through a large collection (kubectl asks for 500 at a time) linear.
    let first = match &resume {
        Some((ns, name)) => all.partition_point(|s| {
            (object::namespace(&s.value), object::name(&s.value)) <= (ns.as_str(), name.as_str())
        }),
        None => 0,
    };
    let mut matched: Vec<&Arc<Stored>> = all[first..].iter().filter(|s| filter.matches(&s.value)).collect();
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
        Output::Json => bytes_response(StatusCode::OK, Body::new(list_json(rt, &matched, &meta))),
        Output::Table(v) => {
            let include = IncludeObject::parse(q.include_object.as_deref());
            let version = format!("meta.k8s.io/{v}");
            let t = table_json(rt, &matched, include, meta, &version, st.clock.now());
            bytes_response(StatusCode::OK, Body::new(t))
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
pub(crate) fn list_json(rt: &ResourceType, items: &[&Arc<Stored>], meta: &Value) -> Chunks {
    let mut out = Chunks::default();
    out.push(b"{\"kind\":");
    out.push(json!(format!("{}List", rt.kind)).to_string().as_bytes());
    out.push(b",\"apiVersion\":");
    out.push(json!(rt.api_version()).to_string().as_bytes());
    out.push(b",\"metadata\":");
    out.push(meta.to_string().as_bytes());
    out.push(b",\"items\":[");
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push(b",");
        }
        out.push(&served_json(rt, s));
    }
    out.push(b"]}");
    out.finish()
}

/// A Table of `items` as JSON, byte for byte what serializing [`table::to_table`] gives.
///
/// The Table is written straight out rather than built as a value: each row's object
/// (`PartialObjectMetadata` or the whole object) comes from the stored bytes, since building it
/// into the Table first deep-copied every object's metadata (managedFields included). Kinds
/// with a two-step printer (pods) print each stored version once and keep the row with it
/// ([`Stored::derived`]), so only the ages are computed per request.
pub(crate) fn table_json(
    rt: &ResourceType,
    items: &[&Arc<Stored>],
    include: IncludeObject,
    meta: Value,
    table_api_version: &str,
    now: jiff::Timestamp,
) -> Chunks {
    let objs: Vec<Cow<'_, Value>> = items.iter().map(|s| served(rt, s)).collect();
    let (columns, rows) = match table::summarizer(rt) {
        Some(summarize) => {
            let rows = items
                .iter()
                .zip(&objs)
                .map(|(s, obj)| match obj {
                    Cow::Borrowed(_) => s.derived(summarize).render(now),
                    Cow::Owned(converted) => summarize(converted).render(now),
                })
                .collect();
            (table::builtin_columns(rt), rows)
        }
        None => {
            let refs: Vec<&Value> = objs.iter().map(|c| c.as_ref()).collect();
            table::columns_and_rows(rt, &refs, now)
        }
    };
    let mut out = Chunks::default();
    out.push(b"{\"kind\":\"Table\",\"apiVersion\":");
    out.write_value(&json!(table_api_version));
    out.push(b",\"metadata\":");
    out.write_value(&meta);
    out.push(b",\"columnDefinitions\":");
    out.write_value(&Value::Array(columns));
    out.push(b",\"rows\":[");
    let envelope = table::partial_metadata(&Value::Null);
    for (i, ((row, s), obj)) in rows.iter().zip(items).zip(&objs).enumerate() {
        if i > 0 {
            out.push(b",");
        }
        out.push(b"{\"cells\":");
        let _ = serde_json::to_writer(&mut out, &row.cells);
        if let Some(c) = &row.conditions {
            out.push(b",\"conditions\":");
            out.write_value(c);
        }
        out.push(b",\"object\":");
        row_object(&mut out, rt, include, &envelope, s, obj);
        out.push(b"}");
    }
    out.push(b"]}");
    out.finish()
}

/// The `object` of one Table row.
fn row_object(
    out: &mut Chunks,
    rt: &ResourceType,
    include: IncludeObject,
    envelope: &Value,
    s: &Stored,
    obj: &Value,
) {
    match (include, envelope.as_object()) {
        (IncludeObject::None, _) => out.push(b"null"),
        (IncludeObject::Object, _) => out.push(&served_json(rt, s)),
        (IncludeObject::Metadata, Some(env)) => {
            out.push(b"{");
            for (i, (k, v)) in env.iter().enumerate() {
                if i > 0 {
                    out.push(b",");
                }
                out.write_value(&json!(k));
                out.push(b":");
                match (k == "metadata", s.metadata_json()) {
                    // The stored bytes are the served metadata when the object is served as stored.
                    (true, Some(m)) if served_as_stored(rt, s) => out.push(&m),
                    (true, _) => out.write_value(&obj["metadata"]),
                    (false, _) => out.write_value(v),
                }
            }
            out.push(b"}");
        }
        _ => out.write_value(&table::partial_metadata(obj)),
    }
}

/// Size of the pieces a large response body is sent in.
const CHUNK: usize = 64 * 1024;

/// A response body of ready pieces with an exact length. A LIST of 10,000 pods is tens of MB:
/// as one contiguous buffer it is fresh memory (page faults) on every request and held whole
/// until sent; as pieces of [`CHUNK`] bytes it reuses allocator memory and the first piece can
/// go out while the rest is written.
#[derive(Default)]
pub(crate) struct Chunks {
    done: std::collections::VecDeque<Bytes>,
    buf: Vec<u8>,
    len: u64,
}

impl Chunks {
    fn push(&mut self, bytes: &[u8]) {
        if self.buf.capacity() == 0 {
            self.buf.reserve(CHUNK + CHUNK / 4);
        }
        self.buf.extend_from_slice(bytes);
        self.len += bytes.len() as u64;
        if self.buf.len() >= CHUNK {
            let full = std::mem::take(&mut self.buf);
            self.done.push_back(Bytes::from(full));
        }
    }

    fn write_value(&mut self, v: &Value) {
        // Serializing a Value into memory cannot fail (its keys are strings).
        let _ = serde_json::to_writer(&mut *self, v);
    }

    fn finish(mut self) -> Self {
        if !self.buf.is_empty() {
            let last = std::mem::take(&mut self.buf);
            self.done.push_back(Bytes::from(last));
        }
        self
    }

    #[cfg(test)]
    fn concat(&self) -> Vec<u8> {
        self.done.iter().flat_map(|b| b.iter().copied()).collect()
    }
}

impl std::io::Write for Chunks {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.push(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<std::result::Result<http_body::Frame<Bytes>, Self::Error>>> {
        let next = self.done.pop_front().map(|b| {
            self.len -= b.len() as u64;
            Ok(http_body::Frame::data(b))
        });
        std::task::Poll::Ready(next)
    }

    fn is_end_stream(&self) -> bool {
        self.done.is_empty()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, StorageKey};
    use crate::store::{Mutation, Store};

    /// 300 pods with enough metadata that the bodies span several chunks.
    fn pods() -> (Arc<ResourceType>, Vec<Arc<Stored>>) {
        let rt = Catalog::builtin().get("", "v1", "pods").unwrap();
        let store = Store::new(16);
        let key = StorageKey::new("", "pods");
        for i in 0..300 {
            let name = format!("web-{i:03}");
            let pod = json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "namespace": "default", "creationTimestamp": "2026-01-15T09:30:00Z",
                    "labels": {"app": "web", "i": i.to_string()}, "annotations": {"note": "x".repeat(300)}},
                "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "nginx"}]},
                "status": {"phase": "Running", "podIP": "10.0.0.1",
                    "containerStatuses": [{"name": "c", "ready": true, "restartCount": i % 3}]}});
            store
                .mutate::<()>(&key, "default", &name, |_| Ok(Mutation::Put(pod)))
                .unwrap();
        }
        (rt, store.list(&key, None).0)
    }

    #[test]
    fn table_rows_are_written_as_the_printer_would_serialize_them() {
        let (rt, items) = pods();
        let refs: Vec<&Arc<Stored>> = items.iter().collect();
        let values: Vec<&Value> = items.iter().map(|s| &s.value).collect();
        let now: jiff::Timestamp = "2026-01-15T10:00:00Z".parse().unwrap();
        let meta = json!({"resourceVersion": "42"});
        for include in [
            IncludeObject::Metadata,
            IncludeObject::Object,
            IncludeObject::None,
        ] {
            let fast = table_json(&rt, &refs, include, meta.clone(), "meta.k8s.io/v1", now);
            assert!(
                include == IncludeObject::None || fast.done.len() > 1,
                "expected several chunks"
            );
            let want = table::to_table(&rt, &values, include, meta.clone(), "meta.k8s.io/v1", now);
            assert_eq!(
                String::from_utf8(fast.concat()).unwrap(),
                serde_json::to_string(&want).unwrap(),
                "{include:?}"
            );
            assert_eq!(
                http_body::Body::size_hint(&fast).exact(),
                Some(fast.concat().len() as u64)
            );
        }
    }

    #[test]
    fn cached_pod_rows_keep_ages_current() {
        let (rt, items) = pods();
        let refs: Vec<&Arc<Stored>> = items.iter().collect();
        let values: Vec<&Value> = items.iter().map(|s| &s.value).collect();
        let meta = json!({"resourceVersion": "42"});
        // The first Table prints and keeps each pod's row; later ones reuse it with their own time.
        for now in [
            "2026-01-15T10:00:00Z",
            "2026-01-15T13:00:00Z",
            "2026-01-18T09:30:00Z",
        ] {
            let now: jiff::Timestamp = now.parse().unwrap();
            let got = table_json(
                &rt,
                &refs,
                IncludeObject::None,
                meta.clone(),
                "meta.k8s.io/v1",
                now,
            );
            let want = table::to_table(
                &rt,
                &values,
                IncludeObject::None,
                meta.clone(),
                "meta.k8s.io/v1",
                now,
            );
            let got: Value = serde_json::from_slice(&got.concat()).unwrap();
            assert_eq!(got, want, "at {now}");
        }
        let row = |t: &str| {
            let now: jiff::Timestamp = t.parse().unwrap();
            let body = table_json(
                &rt,
                &refs,
                IncludeObject::None,
                meta.clone(),
                "meta.k8s.io/v1",
                now,
            );
            serde_json::from_slice::<Value>(&body.concat()).unwrap()["rows"][0]["cells"][4].clone()
        };
        assert_eq!(row("2026-01-15T09:35:00Z"), "5m");
        assert_eq!(row("2026-01-17T09:30:00Z"), "2d");
    }

    #[test]
    fn lists_are_the_stored_bytes_in_chunks() {
        let (rt, items) = pods();
        let refs: Vec<&Arc<Stored>> = items.iter().collect();
        let body = list_json(&rt, &refs, &json!({"resourceVersion": "42"}));
        let v: Value = serde_json::from_slice(&body.concat()).unwrap();
        assert_eq!(v["kind"], "PodList");
        assert_eq!(v["items"].as_array().unwrap().len(), 300);
        assert_eq!(v["items"][299], items[299].value);
    }
}
