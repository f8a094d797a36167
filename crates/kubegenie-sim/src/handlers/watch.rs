//! Watch: a stream of newline-delimited `{"type", "object"}` events, as kube-apiserver sends
//! them — initial ADDED events or resumption from a resourceVersion (410 Gone when it is too
//! old), selector transitions (an object leaving a selector is DELETED for that watch),
//! bookmarks, `sendInitialEvents` with the initial-events-end bookmark, and `timeoutSeconds`.

use super::read::{Filter, served, served_json};
use crate::catalog::ResourceType;
use crate::error::{ApiError, Result};
use crate::object;
use crate::request::{Output, Query, ResourcePath};
use crate::state::ClusterState;
use crate::store::{Event, EventType, Stored};
use crate::table::{self, IncludeObject};
use axum::body::Body;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

/// Default watch duration when the client gives no `timeoutSeconds` (kube-apiserver picks
/// 30-60 minutes).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);

struct Watcher {
    rt: Arc<ResourceType>,
    ns: Option<String>,
    name: Option<String>,
    filter: Filter,
    output: Output,
    bookmarks: bool,
    first_table: bool,
    clock: crate::clock::SimClock,
}

impl Watcher {
    fn in_scope(&self, obj: &Value) -> bool {
        self.ns.as_deref().is_none_or(|ns| ns == object::namespace(obj))
            && self.name.as_deref().is_none_or(|n| n == object::name(obj))
            && self.filter.matches(obj)
    }

    /// The event this watcher reports for a store event, if any.
    fn translate(&self, ev: &Event) -> Option<EventType> {
        if ev.key != self.rt.storage {
            return None;
        }
        let now = self.in_scope(&ev.obj.value);
        let before = ev.prev.as_ref().is_some_and(|p| self.in_scope(&p.value));
        match ev.kind {
            EventType::Added | EventType::Deleted => now.then_some(ev.kind),
            EventType::Modified => match (before, now) {
                (true, true) => Some(EventType::Modified),
                (false, true) => Some(EventType::Added),
                (true, false) => Some(EventType::Deleted),
                (false, false) => None,
            },
        }
    }

    fn encode(&mut self, kind: EventType, obj: &Stored) -> Bytes {
        let mut out = Vec::with_capacity(obj.json.len() + 32);
        out.extend_from_slice(b"{\"type\":\"");
        out.extend_from_slice(kind.as_str().as_bytes());
        out.extend_from_slice(b"\",\"object\":");
        match &self.output {
            Output::Json => out.extend_from_slice(&served_json(&self.rt, obj)),
            Output::Table(v) => {
                let served = served(&self.rt, obj);
                let mut t = table::to_table(
                    &self.rt,
                    &[served.as_ref()],
                    IncludeObject::Metadata,
                    json!({"resourceVersion": obj.rv.to_string()}),
                    &format!("meta.k8s.io/{v}"),
                    self.clock.now(),
                );
                // Column definitions travel with the first event only, as kube-apiserver does.
                if !self.first_table {
                    t["columnDefinitions"] = Value::Array(Vec::new());
                }
                self.first_table = false;
                out.extend_from_slice(t.to_string().as_bytes());
            }
            Output::Metadata(v) => out.extend_from_slice(
                super::read::partial_metadata(&served(&self.rt, obj), v)
                    .to_string()
                    .as_bytes(),
            ),
        }
        out.extend_from_slice(b"}\n");
        Bytes::from(out)
    }

    fn bookmark(&self, rv: u64, initial_end: bool) -> Bytes {
        let mut meta = json!({"resourceVersion": rv.to_string()});
        if initial_end {
            meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        let obj = json!({"kind": self.rt.kind, "apiVersion": self.rt.api_version(), "metadata": meta});
        Bytes::from(format!("{{\"type\":\"BOOKMARK\",\"object\":{obj}}}\n"))
    }
}

fn error_event(err: &ApiError) -> Bytes {
    Bytes::from(format!("{{\"type\":\"ERROR\",\"object\":{}}}\n", err.to_status()))
}

/// Where a watch starts.
enum Start {
    /// Send the current objects as ADDED first.
    Initial {
        items: Vec<Arc<Stored>>,
        rx: broadcast::Receiver<Arc<Event>>,
        rv: u64,
        end_bookmark: bool,
    },
    /// Replay history after a resourceVersion.
    Resume {
        backlog: Vec<Arc<Event>>,
        rx: broadcast::Receiver<Arc<Event>>,
        rv: u64,
    },
    /// The resourceVersion is older than the history.
    Expired(ApiError),
}

/// GET with `watch=true` (or the legacy `/watch/` path).
pub fn watch(
    st: &Arc<ClusterState>,
    rt: &Arc<ResourceType>,
    p: &ResourcePath,
    q: &Query,
    output: &Output,
) -> Result<Response> {
    let filter = Filter::from_query(rt, q)?;
    let initial = q.send_initial_events == Some(true);
    if initial && !q.allow_bookmarks {
        return Err(ApiError::invalid(
            "meta.k8s.io",
            "ListOptions",
            "",
            vec![crate::error::StatusCause::new(
                "FieldValueForbidden",
                "allowWatchBookmarks",
                "Forbidden: allowWatchBookmarks has to be set to true when sendInitialEvents is set",
            )],
        ));
    }
    // Without a resourceVersion (or with "0", or with sendInitialEvents) a watch starts from
    // the current state; otherwise it resumes after the given version.
    let resume_from = q.resource_version.as_deref().filter(|v| !initial && *v != "0");
    let start = match resume_from {
        None => {
            let (items, rx, rv) = st
                .store
                .snapshot_and_subscribe(&rt.storage, p.namespace.as_deref());
            Start::Initial {
                items,
                rx,
                rv,
                end_bookmark: initial,
            }
        }
        Some(v) => {
            let from: u64 = v
                .parse()
                .map_err(|_| ApiError::bad_request(format!("invalid resource version: {v:?}")))?;
            match st.store.subscribe(from) {
                Some(sub) => Start::Resume {
                    backlog: sub.backlog,
                    rx: sub.rx,
                    rv: sub.rv.max(from),
                },
                None => Start::Expired(ApiError::gone(format!(
                    "too old resource version: {from} ({})",
                    st.store.compacted_rv()
                ))),
            }
        }
    };
    let watcher = Watcher {
        rt: rt.clone(),
        ns: p.namespace.clone(),
        name: p.name.clone(),
        filter,
        output: output.clone(),
        bookmarks: q.allow_bookmarks,
        first_table: true,
        clock: st.clock.clone(),
    };
    let timeout = q
        .timeout_seconds
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_TIMEOUT);
    let (tx, rx) = mpsc::channel::<Bytes>(256);
    tokio::spawn(run(watcher, start, tx, timeout, st.config.bookmark_interval));
    let body =
        Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx).map(Ok::<_, std::io::Error>));
    let mut resp = (StatusCode::OK, body).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    Ok(resp)
}

use tokio_stream::StreamExt as _;

async fn run(
    mut w: Watcher,
    start: Start,
    tx: mpsc::Sender<Bytes>,
    timeout: Duration,
    bookmark_every: Duration,
) {
    let (mut rx, mut last_rv) = match start {
        Start::Expired(err) => {
            let _ = tx.send(error_event(&err)).await;
            return;
        }
        Start::Initial {
            items,
            rx,
            rv,
            end_bookmark,
        } => {
            for s in &items {
                if !w.in_scope(&s.value) {
                    continue;
                }
                if tx.send(w.encode(EventType::Added, s)).await.is_err() {
                    return;
                }
            }
            if end_bookmark && tx.send(w.bookmark(rv, true)).await.is_err() {
                return;
            }
            (rx, rv)
        }
        Start::Resume { backlog, rx, rv } => {
            let mut last = rv;
            for ev in &backlog {
                if let Some(kind) = w.translate(ev)
                    && tx.send(w.encode(kind, &ev.obj)).await.is_err()
                {
                    return;
                }
                last = last.max(ev.obj.rv);
            }
            (rx, last)
        }
    };
    let deadline = tokio::time::sleep(timeout);
    tokio::pin!(deadline);
    let mut ticker = tokio::time::interval(bookmark_every);
    ticker.tick().await;
    loop {
        tokio::select! {
            _ = &mut deadline => return,
            _ = tx.closed() => return,
            _ = ticker.tick(), if w.bookmarks => {
                if tx.send(w.bookmark(last_rv, false)).await.is_err() {
                    return;
                }
            }
            ev = rx.recv() => match ev {
                Ok(ev) => {
                    // Events already replayed from history arrive again on the live channel.
                    if ev.obj.rv <= last_rv {
                        continue;
                    }
                    last_rv = ev.obj.rv;
                    if let Some(kind) = w.translate(&ev)
                        && tx.send(w.encode(kind, &ev.obj)).await.is_err()
                    {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let err = ApiError::gone(format!("too old resource version: {last_rv} (watch fell behind)"));
                    let _ = tx.send(error_event(&err)).await;
                    return;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }
}
