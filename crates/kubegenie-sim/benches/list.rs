//! LIST of 10,000 realistic pods end to end through the kube-rs client over HTTPS: typed
//! `Api<Pod>::list` (JSON, decoded into k8s-openapi types) and the same LIST as a server-side
//! Table. Goal (issue "Simulated Kubernetes clusters, part 1"): < 150 ms each.
//!
//! Run: `cargo bench -p kubegenie-sim --bench list`

mod common;

use anyhow::{Result, ensure};
use common::{Samples, measure, print_table};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use kubegenie_sim::{SimCluster, SimConfig};
use std::time::{Duration, Instant};

const PODS: usize = 10_000;
const WARMUP: usize = 3;
const ITERS: usize = 30;
const GOAL: Duration = Duration::from_millis(150);
const TABLE_ACCEPT: &str = "application/json;as=Table;v=v1;g=meta.k8s.io";
const PATH: &str = "/api/v1/namespaces/default/pods";

fn main() -> Result<()> {
    common::runtime()?.block_on(run())
}

async fn run() -> Result<()> {
    let cluster = SimCluster::start(SimConfig::named("bench-list")).await?;
    let client = common::client(&cluster)?;
    let t = Instant::now();
    common::populate_pods(&client, cluster.name(), "default", PODS, 32).await?;
    println!("populated {PODS} pods in {:.1} s", t.elapsed().as_secs_f64());

    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let raw = client
        .request_text(http::Request::get(PATH).body(Vec::new())?)
        .await?;
    println!(
        "list body: {:.1} MB, {} bytes per pod",
        raw.len() as f64 / 1e6,
        raw.len() / PODS
    );
    if std::env::var_os("BENCH_DUMP").is_some() {
        let v: serde_json::Value = serde_json::from_str(&raw)?;
        println!("{}", serde_json::to_string_pretty(&v["items"][0])?);
        return Ok(());
    }
    let table = table_request(&client).await?;
    let v: serde_json::Value = serde_json::from_str(&table)?;
    let rows = v["rows"].as_array().map_or(0, Vec::len);
    ensure!(rows == PODS, "table has {rows} rows, expected {PODS}");
    println!("table body: {:.1} MB", table.len() as f64 / 1e6);

    let mut results: Vec<Samples> = Vec::new();
    const TYPED: &str = "LIST 10k pods, typed Api<Pod>::list (JSON)";
    if common::selected(TYPED) {
        let s = measure(TYPED, Some(GOAL), WARMUP, ITERS, || async {
            let l = pods.list(&ListParams::default()).await?;
            ensure!(l.items.len() == PODS, "listed {} pods", l.items.len());
            Ok(l)
        });
        results.push(s.await?);
    }
    const TABLE: &str = "LIST 10k pods as Table (request_text)";
    if common::selected(TABLE) {
        results.push(measure(TABLE, Some(GOAL), WARMUP, ITERS, || table_request(&client)).await?);
    }
    // Not a goal of the issue: the same JSON LIST without client-side decoding, which splits the
    // typed figure into server + transport and kube-rs/serde decoding.
    const RAW: &str = "LIST 10k pods, raw JSON bytes (request_text)";
    if common::selected(RAW) {
        let s = measure(RAW, None, WARMUP, ITERS, || async {
            Ok(client
                .request_text(http::Request::get(PATH).body(Vec::new())?)
                .await?)
        });
        results.push(s.await?);
    }
    // Not a goal either: decoding the same body into k8s-openapi types with no I/O, i.e. the
    // client's own share of the typed figure (kube-rs decodes with serde_json the same way).
    const DECODE: &str = "client only: decode 10k pods JSON into ObjectList<Pod> (no I/O)";
    if common::selected(DECODE) {
        let s = measure(DECODE, None, WARMUP, ITERS, || async {
            let l: kube::core::ObjectList<Pod> = serde_json::from_str(&raw)?;
            Ok(l)
        });
        results.push(s.await?);
    }
    // Diagnostics: the same two requests answered by the cluster's router in process (no socket,
    // no TLS, no client), i.e. the server's own share of the figures above.
    let router = cluster.router();
    for (name, accept) in [
        ("server only: LIST JSON (router, in process)", "application/json"),
        ("server only: LIST Table (router, in process)", TABLE_ACCEPT),
    ] {
        if common::selected(name) {
            let token = cluster.admin_token().to_string();
            let s = measure(name, None, WARMUP, ITERS, || {
                in_process(router.clone(), token.clone(), accept)
            });
            results.push(s.await?);
        }
    }
    print_table(
        &format!("LIST of {PODS} pods over HTTPS, kube-rs client, {ITERS} iterations after {WARMUP} warm-up"),
        &results,
    );
    cluster.shutdown().await;
    Ok(())
}

/// One LIST through the router without a socket; returns the body length.
async fn in_process(router: axum::Router, token: String, accept: &'static str) -> Result<usize> {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let req = http::Request::get(PATH)
        .header(http::header::ACCEPT, accept)
        .header(http::header::AUTHORIZATION, format!("Bearer {token}"))
        .body(axum::body::Body::empty())?;
    let resp = router.oneshot(req).await?;
    ensure!(resp.status().is_success(), "status {}", resp.status());
    Ok(resp.into_body().collect().await?.to_bytes().len())
}

async fn table_request(client: &kube::Client) -> Result<String> {
    let req = http::Request::get(PATH)
        .header(http::header::ACCEPT, TABLE_ACCEPT)
        .body(Vec::new())?;
    Ok(client.request_text(req).await?)
}
