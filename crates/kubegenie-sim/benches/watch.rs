//! 1,000 concurrent watchers on one cluster, each a raw HTTPS watch stream
//! (`watch=1&resourceVersion=<rv>`). For each write the bench records when every watcher has
//! received the resulting event. Goal (issue "Simulated Kubernetes clusters, part 1"): every
//! watcher receives an update within 100 ms of the write.
//!
//! Two transports, one after the other on the same cluster:
//! - kube-rs `Client::request_stream`: HTTP/1.1, so one TLS connection per watch (1,000);
//! - HTTP/2 through hyper directly, 100 streams per TLS connection (10 connections), as
//!   client-go multiplexes watches (kube-apiserver's default stream limit per connection is
//!   higher; hyper's server allows 200).
//!
//! Run: `cargo bench -p kubegenie-sim --bench watch` (`-- h2` or `-- kube` for one transport)

mod common;

use anyhow::{Context, Result, bail, ensure};
use bytes::Bytes;
use common::{Samples, print_table};
use futures::{AsyncBufReadExt, StreamExt};
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http2::SendRequest;
use hyper_util::rt::{TokioExecutor, TokioIo};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kubegenie_sim::{SimCluster, SimConfig};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

const WATCHERS: usize = 1_000;
const STREAMS_PER_H2_CONNECTION: usize = 100;
const WARMUP: usize = 3;
const WRITES: usize = 30;
const GOAL: Duration = Duration::from_millis(100);

fn main() -> Result<()> {
    common::runtime()?.block_on(run())
}

/// One received event: which write (the `seq` the config map carries) and when.
type Receipt = (u64, Instant);

/// Channels a watcher reports on: once established, then once per received write.
#[derive(Clone)]
struct Report {
    ready: mpsc::UnboundedSender<()>,
    receipts: mpsc::UnboundedSender<Receipt>,
}

async fn run() -> Result<()> {
    let cluster = SimCluster::start(SimConfig::named("bench-watch")).await?;
    let client = common::client(&cluster)?;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let cm = serde_json::from_value(json!({"metadata": {"name": "target"}, "data": {"seq": "0"}}))?;
    cms.create(&PostParams::default(), &cm).await?;
    let mut seq = 0;
    let mut rows = Vec::new();

    for transport in ["kube-rs HTTP/1.1, 1000 connections", "HTTP/2, 10 connections"] {
        if !common::selected(transport)
            && !common::selected(if transport.starts_with("kube") {
                "kube"
            } else {
                "h2"
            })
        {
            continue;
        }
        let rv = cms
            .list(&ListParams::default())
            .await?
            .metadata
            .resource_version
            .context("list without resourceVersion")?;
        let (ready_tx, mut ready_rx) = mpsc::unbounded_channel();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let report = Report {
            ready: ready_tx,
            receipts: tx,
        };
        let t = Instant::now();
        let tasks = if transport.starts_with("kube") {
            start_kube_watchers(&client, &rv, &report)
        } else {
            start_h2_watchers(&cluster, &rv, &report).await?
        };
        drop(report);
        for _ in 0..WATCHERS {
            ready_rx.recv().await.context("a watcher failed to start")?;
        }
        println!(
            "{transport}: {WATCHERS} watches established in {:.2} s",
            t.elapsed().as_secs_f64()
        );

        let mut last = Samples::new(format!("{transport}: write → last of {WATCHERS}"), Some(GOAL));
        let mut first = Samples::new(format!("{transport}: write → first of {WATCHERS}"), None);
        let mut each = Samples::new(format!("{transport}: write → each watcher"), Some(GOAL));
        for i in 0..WARMUP + WRITES {
            seq += 1;
            let t0 = Instant::now();
            let patch = Patch::Merge(json!({"data": {"seq": seq.to_string()}}));
            cms.patch("target", &PatchParams::default(), &patch).await?;
            let mut got = Vec::with_capacity(WATCHERS);
            while got.len() < WATCHERS {
                let (s, at) = tokio::time::timeout(Duration::from_secs(10), rx.recv())
                    .await
                    .with_context(|| {
                        format!("write {seq}: only {} of {WATCHERS} watchers got it", got.len())
                    })?
                    .context("all watchers ended")?;
                ensure!(s == seq, "write {seq}: a watcher reported write {s}");
                got.push(at.duration_since(t0));
            }
            if i >= WARMUP {
                got.sort();
                first.times.push(got[0]);
                last.times.push(got[WATCHERS - 1]);
                each.times.extend(got);
            }
            // Writes are spaced out so each one is measured on its own, not queued behind the last.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        rows.extend([last, first, each]);
        // Ending the tasks drops their streams; the server's watches end with them.
        for t in tasks {
            t.abort();
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    print_table(
        &format!(
            "{WATCHERS} concurrent HTTPS watches on one cluster, {WRITES} writes after {WARMUP} warm-up (latency from sending the write)"
        ),
        &rows,
    );
    cluster.shutdown().await;
    Ok(())
}

fn watch_path(rv: &str) -> String {
    format!("/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={rv}&timeoutSeconds=3600")
}

/// The write an event line reports, `None` for bookmarks. Found by substring rather than
/// parsed: decoding 1,000 copies of each event would be the bench's own CPU, competing with the
/// server on 2 cores.
fn seq_of(line: &[u8]) -> Result<Option<u64>> {
    let line = std::str::from_utf8(line)?;
    if line.starts_with(r#"{"type":"BOOKMARK""#) {
        return Ok(None);
    }
    if !line.starts_with(r#"{"type":"MODIFIED""#) {
        bail!("unexpected watch event: {line}");
    }
    let seq = line
        .split_once(r#""seq":""#)
        .and_then(|(_, rest)| rest.split('"').next())
        .and_then(|n| n.parse().ok())
        .context("event without seq")?;
    Ok(Some(seq))
}

fn start_kube_watchers(client: &kube::Client, rv: &str, report: &Report) -> Vec<JoinHandle<Result<()>>> {
    (0..WATCHERS)
        .map(|_| tokio::spawn(kube_watcher(client.clone(), watch_path(rv), report.clone())))
        .collect()
}

/// One watch through kube-rs (HTTP/1.1: its own connection).
async fn kube_watcher(client: kube::Client, path: String, report: Report) -> Result<()> {
    let body = client
        .request_stream(http::Request::get(path).body(Vec::new())?)
        .await?;
    // The server subscribes before it answers, so from here on no event can be missed.
    report.ready.send(())?;
    let mut lines = body.lines();
    while let Some(line) = lines.next().await {
        let at = Instant::now();
        if let Some(seq) = seq_of(line?.as_bytes())? {
            report.receipts.send((seq, at))?;
        }
    }
    Ok(())
}

/// A TLS connection to the cluster speaking HTTP/2 (ALPN `h2`), trusting the cluster CA.
async fn h2_connect(cluster: &SimCluster) -> Result<(SendRequest<Empty<Bytes>>, JoinHandle<()>)> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(cluster.ca_pem().context("cluster without TLS")?.as_bytes()) {
        roots.add(cert?)?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    cfg.alpn_protocols = vec![b"h2".to_vec()];
    let addr = cluster.url().trim_start_matches("https://").to_string();
    let tcp = tokio::net::TcpStream::connect(&addr).await?;
    tcp.set_nodelay(true)?;
    let host = addr
        .rsplit_once(':')
        .map_or(addr.as_str(), |(h, _)| h)
        .to_string();
    let tls = tokio_rustls::TlsConnector::from(Arc::new(cfg))
        .connect(ServerName::try_from(host)?, tcp)
        .await?;
    let (send, conn) = hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tls)).await?;
    let task = tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok((send, task))
}

async fn start_h2_watchers(
    cluster: &SimCluster,
    rv: &str,
    report: &Report,
) -> Result<Vec<JoinHandle<Result<()>>>> {
    let mut tasks = Vec::with_capacity(WATCHERS + WATCHERS / STREAMS_PER_H2_CONNECTION);
    let uri = format!("{}{}", cluster.url(), watch_path(rv));
    let auth = format!("Bearer {}", cluster.admin_token());
    for _ in 0..WATCHERS.div_ceil(STREAMS_PER_H2_CONNECTION) {
        let (send, conn) = h2_connect(cluster).await?;
        tasks.push(tokio::spawn(async move {
            conn.await?;
            Ok(())
        }));
        for _ in 0..STREAMS_PER_H2_CONNECTION {
            let req = http::Request::get(&uri)
                .header(http::header::AUTHORIZATION, &auth)
                .body(Empty::<Bytes>::new())?;
            tasks.push(tokio::spawn(h2_watcher(send.clone(), req, report.clone())));
        }
    }
    Ok(tasks)
}

/// One watch as a stream of an HTTP/2 connection.
async fn h2_watcher(
    mut send: SendRequest<Empty<Bytes>>,
    req: http::Request<Empty<Bytes>>,
    report: Report,
) -> Result<()> {
    send.ready().await?;
    let resp = send.send_request(req).await?;
    ensure!(resp.status().is_success(), "watch answered {}", resp.status());
    report.ready.send(())?;
    let mut body = resp.into_body();
    let mut buf: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let at = Instant::now();
        let Ok(data) = frame?.into_data() else { continue };
        buf.extend_from_slice(&data);
        // Events may span DATA frames; each complete line is one event.
        while let Some(end) = buf.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = buf.drain(..=end).collect();
            if let Some(seq) = seq_of(&line[..end])? {
                report.receipts.send((seq, at))?;
            }
        }
    }
    Ok(())
}
