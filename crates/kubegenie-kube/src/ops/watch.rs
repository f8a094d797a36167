//! `get --watch` across clusters: each cluster lists (server-side Table), then watches from
//! the list's resourceVersion, and every row is passed on under its cluster as it arrives —
//! kubectl's `get -w`, merged. A cluster whose list or watch fails reports an error and is
//! retried with exponential backoff; a watch the server ends (timeout) resumes where it was,
//! and one whose resourceVersion expired (410) lists again. The others keep streaming.
//! Dropping the receiver stops every cluster's task.

use super::get::{Connected, GetQuery, TABLE_ACCEPT, collection_path, encode};
use crate::discovery::KindIndex;
use futures::{AsyncBufReadExt, TryStreamExt};
use http::header::ACCEPT;
use kubegenie_core::outcome::{ClusterError, ErrorClass};
use serde_json::Value;
use std::time::Duration;
use tokio::sync::mpsc;

/// First wait before retrying a failed cluster.
const BACKOFF_START: Duration = Duration::from_secs(1);
/// Longest wait between retries.
const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// How long the server keeps one watch open before we resume it.
const WATCH_SECONDS: u32 = 290;

/// Something to print.
#[derive(Debug, Clone, PartialEq)]
pub enum WatchEvent {
    /// The column names of a cluster's table (sent after each successful list).
    Columns(Vec<String>),
    /// One row: from the initial list, or a change.
    Row {
        /// Cluster.
        cluster: String,
        /// `ADDED`, `MODIFIED` or `DELETED` (`ADDED` for the initial list).
        event: String,
        /// Namespace of the object (empty for cluster-scoped kinds).
        namespace: String,
        /// Cells of the selected columns.
        cells: Vec<String>,
    },
    /// A cluster failed; it is retried after `retry_in`.
    Error {
        /// What failed.
        error: ClusterError,
        /// When the next attempt starts.
        retry_in: Duration,
    },
}

/// Watch settings.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Include the columns of `-o wide`.
    pub wide: bool,
    /// First retry delay (doubles up to [`BACKOFF_MAX`]).
    pub backoff: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self {
            wide: false,
            backoff: BACKOFF_START,
        }
    }
}

/// Starts watching `q` on every cluster; events arrive on the returned channel.
pub fn watch(clusters: Vec<Connected>, q: GetQuery, opts: WatchOptions) -> mpsc::Receiver<WatchEvent> {
    let (tx, rx) = mpsc::channel(1024);
    for c in clusters {
        tokio::spawn(run_cluster(c, q.clone(), opts.clone(), tx.clone()));
    }
    rx
}

/// Why one attempt ended.
enum End {
    /// The receiver is gone: stop.
    Closed,
    /// The cluster failed: retry later.
    Failed(ClusterError),
}

/// Per-cluster state kept across attempts.
struct Cursor {
    resource_version: Option<String>,
    /// Indexes of the table columns shown.
    columns: Vec<usize>,
}

async fn run_cluster(c: Connected, q: GetQuery, opts: WatchOptions, tx: mpsc::Sender<WatchEvent>) {
    let mut backoff = opts.backoff;
    let mut cur = Cursor {
        resource_version: None,
        columns: Vec::new(),
    };
    loop {
        let mut progressed = false;
        match attempt(&c, &q, &opts, &tx, &mut cur, &mut progressed).await {
            Ok(()) => backoff = opts.backoff,
            Err(End::Closed) => return,
            Err(End::Failed(error)) => {
                if progressed {
                    backoff = opts.backoff;
                }
                let ev = WatchEvent::Error {
                    error,
                    retry_in: backoff,
                };
                if tx.send(ev).await.is_err() {
                    return;
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(BACKOFF_MAX);
            }
        }
    }
}

fn failed(c: &Connected, e: &kube::Error) -> End {
    End::Failed(crate::classify::cluster_error(&c.name, e))
}

/// Lists (unless resuming), then watches until the server ends the watch or it fails.
async fn attempt(
    c: &Connected,
    q: &GetQuery,
    opts: &WatchOptions,
    tx: &mpsc::Sender<WatchEvent>,
    cur: &mut Cursor,
    progressed: &mut bool,
) -> Result<(), End> {
    let index = match &q.discovery_cache {
        Some(cache) => cache.index(&c.name, &c.client, &q.kind).await,
        None => KindIndex::discover(&c.client).await,
    }
    .map_err(|e| failed(c, &e))?;
    let r = index.resolve(&q.kind).map_err(|e| {
        End::Failed(ClusterError {
            cluster: c.name.clone(),
            reason: ErrorClass::NotFound,
            message: e.to_string(),
        })
    })?;
    let ns = (!q.all_namespaces).then(|| {
        q.namespace
            .clone()
            .unwrap_or_else(|| c.client.default_namespace().to_string())
    });
    let path = collection_path(r, ns.as_deref());
    let mut params = Vec::new();
    if let Some(l) = &q.label_selector {
        params.push(format!("labelSelector={}", encode(l)));
    }
    let mut fields: Vec<String> = q.field_selector.iter().cloned().collect();
    if let [name] = q.names.as_slice() {
        fields.push(format!("metadata.name={name}"));
    }
    if !fields.is_empty() {
        params.push(format!("fieldSelector={}", encode(&fields.join(","))));
    }
    if cur.resource_version.is_none() {
        let table = get_json(c, &format!("{path}?{}", params.join("&"))).await?;
        cur.columns = column_indexes(&table, opts.wide);
        let names = table["columnDefinitions"].as_array().cloned().unwrap_or_default();
        let headers = cur
            .columns
            .iter()
            .map(|i| names[*i]["name"].as_str().unwrap_or_default().to_uppercase())
            .collect();
        send(tx, WatchEvent::Columns(headers)).await?;
        for row in table["rows"].as_array().into_iter().flatten() {
            send(tx, row_event(c, "ADDED", row, &cur.columns)).await?;
        }
        cur.resource_version = table
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .map(str::to_string);
        *progressed = true;
    }
    params.push("watch=1".into());
    params.push("allowWatchBookmarks=true".into());
    params.push(format!("timeoutSeconds={WATCH_SECONDS}"));
    if let Some(rv) = &cur.resource_version {
        params.push(format!("resourceVersion={}", encode(rv)));
    }
    let req = http::Request::get(format!("{path}?{}", params.join("&")))
        .header(ACCEPT, TABLE_ACCEPT)
        .body(Vec::new())
        .map_err(|e| failed(c, &kube::Error::HttpError(e)))?;
    let body = c.client.request_stream(req).await.map_err(|e| failed(c, &e))?;
    let mut lines = Box::pin(body.lines());
    while let Some(line) = lines.try_next().await.map_err(|e| {
        End::Failed(ClusterError {
            cluster: c.name.clone(),
            reason: ErrorClass::Unreachable,
            message: format!("watch interrupted: {e}"),
        })
    })? {
        let Ok(ev) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        *progressed = true;
        let kind = ev["type"].as_str().unwrap_or_default();
        let obj = &ev["object"];
        if kind == "ERROR" {
            if obj["code"].as_u64() == Some(410) {
                // Too old: list again, as kubectl's reflector does.
                cur.resource_version = None;
                return Ok(());
            }
            let status: kube::core::Status = serde_json::from_value(obj.clone()).unwrap_or_default();
            return Err(failed(c, &kube::Error::Api(status.boxed())));
        }
        if let Some(rv) = obj.pointer("/metadata/resourceVersion").and_then(Value::as_str) {
            cur.resource_version = Some(rv.to_string());
        }
        if kind == "BOOKMARK" {
            continue;
        }
        for row in obj["rows"].as_array().into_iter().flatten() {
            send(tx, row_event(c, kind, row, &cur.columns)).await?;
        }
    }
    Ok(())
}

async fn send(tx: &mpsc::Sender<WatchEvent>, ev: WatchEvent) -> Result<(), End> {
    tx.send(ev).await.map_err(|_| End::Closed)
}

async fn get_json(c: &Connected, path: &str) -> Result<Value, End> {
    let req = http::Request::get(path)
        .header(ACCEPT, TABLE_ACCEPT)
        .body(Vec::new())
        .map_err(|e| failed(c, &kube::Error::HttpError(e)))?;
    let text = c.client.request_text(req).await.map_err(|e| failed(c, &e))?;
    serde_json::from_str(&text).map_err(|e| failed(c, &kube::Error::SerdeError(e)))
}

fn column_indexes(table: &Value, wide: bool) -> Vec<usize> {
    table["columnDefinitions"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .filter(|(_, d)| wide || d["priority"].as_i64().unwrap_or(0) == 0)
        .map(|(i, _)| i)
        .collect()
}

fn row_event(c: &Connected, event: &str, row: &Value, columns: &[usize]) -> WatchEvent {
    let cells = row["cells"].as_array();
    WatchEvent::Row {
        cluster: c.name.clone(),
        event: event.to_string(),
        namespace: row
            .pointer("/object/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        cells: columns
            .iter()
            .map(|i| super::get::cell(cells.and_then(|v| v.get(*i))))
            .collect(),
    }
}
