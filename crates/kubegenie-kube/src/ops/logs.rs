//! `logs` across clusters: a pod, the pods of a workload (`deploy/x`: every pod its selector
//! matches, on every cluster), or the pods a label selector matches. Lines are tagged with
//! cluster, pod and container. Without `follow` each container's logs are read whole and
//! returned in selection order; with `follow` the streams of every container on every cluster
//! are merged as lines arrive.

use crate::fanout::FanOut;
use crate::ops::get::Connected;
use crate::ops::target::{Failure, encode, fan, get_json, namespace_of, resolve, selector_string};
use futures::{AsyncBufReadExt, StreamExt};
use kubegenie_core::operation::{LogSource, LogsRequest};
use kubegenie_core::outcome::{ClusterError, ErrorClass};
use serde_json::Value;
use tokio::sync::mpsc;

/// One log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// Cluster name.
    pub cluster: String,
    /// Pod name.
    pub pod: String,
    /// Container name.
    pub container: String,
    /// The line, without its newline.
    pub text: String,
}

impl std::fmt::Display for LogLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "[{}/{}/{}] {}",
            self.cluster, self.pod, self.container, self.text
        )
    }
}

/// A container to read.
#[derive(Clone)]
struct Stream {
    cluster: Connected,
    namespace: String,
    pod: String,
    container: String,
}

/// The pods `req` names on one cluster, with the containers to read.
async fn streams(c: &Connected, req: &LogsRequest) -> Result<Vec<Stream>, Failure> {
    let ns = namespace_of(&c.client, req.namespace.as_deref());
    let pods_path = format!("/api/v1/namespaces/{ns}/pods");
    let pods: Vec<Value> = match &req.source {
        LogSource::Pod(name) => vec![get_json(&c.client, &format!("{pods_path}/{name}")).await?],
        LogSource::Selector(sel) => list(c, &pods_path, sel).await?,
        LogSource::Workload { kind, name } => {
            let r = resolve(&c.client, kind).await?;
            let w = get_json(
                &c.client,
                &crate::ops::target::object_ref(&r, Some(&ns), name).path(),
            )
            .await?;
            let sel = selector_string(&w["spec"]["selector"]).ok_or_else(|| {
                Failure::Refused(
                    ErrorClass::Invalid,
                    format!("{}/{name} has no pod selector", r.qualified()),
                )
            })?;
            list(c, &pods_path, &sel).await?
        }
    };
    let mut out = Vec::new();
    for pod in &pods {
        let pod_name = pod
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        for container in containers(pod, req)? {
            out.push(Stream {
                cluster: c.clone(),
                namespace: ns.clone(),
                pod: pod_name.to_string(),
                container,
            });
        }
    }
    Ok(out)
}

async fn list(c: &Connected, path: &str, selector: &str) -> Result<Vec<Value>, Failure> {
    let list = get_json(&c.client, &format!("{path}?labelSelector={}", encode(selector))).await?;
    Ok(list["items"].as_array().cloned().unwrap_or_default())
}

/// `-c`, every container, or the default one (annotation, else the first) as kubectl picks.
fn containers(pod: &Value, req: &LogsRequest) -> Result<Vec<String>, Failure> {
    let names: Vec<String> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str().map(str::to_string))
        .collect();
    let pod_name = pod
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if let Some(want) = &req.container {
        return if names.contains(want) {
            Ok(vec![want.clone()])
        } else {
            Err(Failure::Refused(
                ErrorClass::NotFound,
                format!(
                    "container {want:?} is not valid for pod {pod_name:?}; choose one of: [{}]",
                    names.join(" ")
                ),
            ))
        };
    }
    if req.all_containers {
        return Ok(names);
    }
    let default = pod
        .pointer("/metadata/annotations/kubectl.kubernetes.io~1default-container")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(default.or_else(|| names.into_iter().next()).into_iter().collect())
}

fn log_path(s: &Stream, req: &LogsRequest, follow: bool) -> String {
    let mut q = vec![format!("container={}", encode(&s.container))];
    if follow {
        q.push("follow=true".into());
    }
    if let Some(n) = req.tail {
        q.push(format!("tailLines={n}"));
    }
    if let Some(n) = req.since_seconds {
        q.push(format!("sinceSeconds={n}"));
    }
    if req.previous {
        q.push("previous=true".into());
    }
    if req.timestamps {
        q.push("timestamps=true".into());
    }
    format!(
        "/api/v1/namespaces/{}/pods/{}/log?{}",
        s.namespace,
        s.pod,
        q.join("&")
    )
}

/// Reads one container, sending each line; an error becomes an error row.
async fn read(s: Stream, req: &LogsRequest, tx: &mpsc::UnboundedSender<Result<LogLine, ClusterError>>) {
    let name = s.cluster.name.clone();
    let line = |text: String| LogLine {
        cluster: name.clone(),
        pod: s.pod.clone(),
        container: s.container.clone(),
        text,
    };
    let path = log_path(&s, req, req.follow);
    let fail = |e: kube::Error| {
        let mut err = crate::classify::cluster_error(&name, &e);
        err.message = format!("pod {}/{}: {}", s.pod, s.container, err.message);
        err
    };
    let request = match http::Request::get(&path).body(Vec::new()) {
        Ok(r) => r,
        Err(e) => return drop(tx.send(Err(fail(kube::Error::HttpError(e))))),
    };
    if !req.follow {
        match s.cluster.client.request_text(request).await {
            Ok(text) => text.lines().for_each(|l| drop(tx.send(Ok(line(l.to_string()))))),
            Err(e) => drop(tx.send(Err(fail(e)))),
        }
        return;
    }
    match s.cluster.client.request_stream(request).await {
        Ok(body) => {
            let mut lines = body.lines();
            while let Some(next) = lines.next().await {
                let sent = match next {
                    Ok(l) => tx.send(Ok(line(l))),
                    Err(e) => tx.send(Err(fail(kube::Error::ReadEvents(e)))),
                };
                if sent.is_err() {
                    return;
                }
            }
        }
        Err(e) => drop(tx.send(Err(fail(e)))),
    }
}

/// Streams the logs `req` asks for into `tx` (lines as they come, errors as rows) and returns
/// when every stream has ended. Without `follow`, each container's lines are sent together.
pub async fn stream_logs(
    clusters: &[Connected],
    req: &LogsRequest,
    fanout: FanOut,
    tx: mpsc::UnboundedSender<Result<LogLine, ClusterError>>,
) {
    let (found, errors) = fan(clusters, fanout, |c| async move { streams(&c, req).await }).await;
    for e in errors {
        let _ = tx.send(Err(e));
    }
    let all: Vec<Stream> = found.into_iter().flat_map(|(_, s)| s).collect();
    // Following has no end, so only the non-follow reads are bounded by the fan-out timeout.
    let concurrency = if req.follow {
        all.len().max(1)
    } else {
        fanout.concurrency.max(1)
    };
    futures::stream::iter(all)
        .for_each_concurrent(concurrency, |s| {
            let tx = tx.clone();
            async move {
                if req.follow {
                    read(s, req, &tx).await;
                } else {
                    let name = s.cluster.name.clone();
                    if tokio::time::timeout(fanout.timeout, read(s, req, &tx))
                        .await
                        .is_err()
                    {
                        let _ = tx.send(Err(crate::classify::timeout_error(&name, fanout.timeout)));
                    }
                }
            }
        })
        .await;
}

/// The logs of `req` without following: lines grouped by cluster (selection order), then pod
/// and container; and the error rows.
pub async fn logs(
    clusters: &[Connected],
    req: &LogsRequest,
    fanout: FanOut,
) -> (Vec<LogLine>, Vec<ClusterError>) {
    let req = LogsRequest {
        follow: false,
        ..req.clone()
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    stream_logs(clusters, &req, fanout, tx).await;
    let (mut lines, mut errors) = (Vec::new(), Vec::new());
    while let Some(item) = rx.recv().await {
        match item {
            Ok(l) => lines.push(l),
            Err(e) => errors.push(e),
        }
    }
    let rank = |c: &str| clusters.iter().position(|x| x.name == c).unwrap_or(usize::MAX);
    lines.sort_by(|a, b| {
        (rank(&a.cluster), &a.pod, &a.container).cmp(&(rank(&b.cluster), &b.pod, &b.container))
    });
    errors.sort_by_key(|e| rank(&e.cluster));
    (lines, errors)
}
