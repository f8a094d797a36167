//! Load test of `kubegenie serve` on loopback, for BENCHMARKS.md: requests/s and latency
//! percentiles of read endpoints, and the server's RSS with 100 registered clusters.
//!
//! Runs the real binary (`KUBEGENIE_BIN`, default `target/release/kubegenie`): `kubegenie sim`
//! serves 100 simulated clusters, `kubegenie cluster add` registers them, `kubegenie serve`
//! runs in its own process (so its RSS is its own), and this program is the load generator:
//! `KUBEGENIE_BENCH_CONNECTIONS` keep-alive connections (default 32) for
//! `KUBEGENIE_BENCH_SECONDS` per endpoint (default 10).
//!
//!     cargo build --release -p kubegenie && cargo bench -p kubegenie-server --bench http_load

use bytes::Bytes;
use http::{Request, header};
use http_body_util::{BodyExt, Empty};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

const TOKEN: &str = "bench-admin-token-0123456789";
const CLUSTERS: usize = 100;

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        // SIGTERM lets the server drain; the bench does not wait long for it.
        let _ = Command::new("kill").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
    }
}

fn bin() -> PathBuf {
    let p = std::env::var("KUBEGENIE_BIN").unwrap_or_else(|_| "target/release/kubegenie".into());
    let p = PathBuf::from(p);
    if p.is_absolute() {
        p
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(p)
    }
}

fn kubegenie(home: &Path) -> Command {
    let mut c = Command::new(bin());
    c.env("KUBEGENIE_HOME", home)
        .env("RUST_LOG", "error")
        .env("KUBEGENIE_ADMIN_TOKEN", TOKEN);
    c
}

fn rss_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

async fn request(addr: &str, path: &str) -> (u16, Bytes) {
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let req = Request::get(path)
        .header(header::HOST, addr)
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(Empty::<Bytes>::new())
        .unwrap();
    let resp = send.send_request(req).await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.into_body().collect().await.unwrap().to_bytes())
}

/// One keep-alive connection sending requests back to back until `until`.
async fn worker(addr: String, path: String, until: Instant) -> (Vec<Duration>, usize) {
    let stream = TcpStream::connect(&addr).await.expect("connect");
    stream.set_nodelay(true).ok();
    let (mut send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let (mut lat, mut errors) = (Vec::new(), 0);
    while Instant::now() < until {
        let req = Request::get(&path)
            .header(header::HOST, &addr)
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .body(Empty::<Bytes>::new())
            .unwrap();
        let start = Instant::now();
        match send.send_request(req).await {
            Ok(resp) => {
                let ok = resp.status().is_success();
                let _ = resp.into_body().collect().await;
                lat.push(start.elapsed());
                errors += usize::from(!ok);
            }
            Err(_) => {
                errors += 1;
                break;
            }
        }
    }
    (lat, errors)
}

async fn load(addr: &str, path: &str, connections: usize, secs: u64) -> String {
    let until = Instant::now() + Duration::from_secs(secs);
    let start = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|_| tokio::spawn(worker(addr.to_string(), path.to_string(), until)))
        .collect();
    let (mut all, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (l, e) = t.await.unwrap();
        all.extend(l);
        errors += e;
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)].as_secs_f64() * 1000.0;
    format!(
        "| `GET {path}` | {connections} | {:.0} | {:.2} | {:.2} | {:.2} | {errors} |",
        all.len() as f64 / elapsed,
        pct(0.50),
        pct(0.99),
        pct(0.999)
    )
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes --bench; there is nothing to filter.
    let connections: usize = std::env::var("KUBEGENIE_BENCH_CONNECTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32);
    let secs: u64 = std::env::var("KUBEGENIE_BENCH_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    assert!(
        bin().is_file(),
        "{} missing: cargo build --release -p kubegenie, or set KUBEGENIE_BIN",
        bin().display()
    );
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let kc = home.join("kubeconfig");
    let mut sim = kubegenie(home)
        .args([
            "sim",
            "--http",
            "--nodes",
            "3",
            "--clusters",
            &CLUSTERS.to_string(),
            "--kubeconfig",
        ])
        .arg(&kc)
        .stdout(Stdio::piped())
        .spawn()
        .expect("kubegenie sim starts");
    let out = sim.stdout.take().unwrap();
    let _sim = Kill(sim);
    for line in BufReader::new(out).lines() {
        if line.expect("sim output").starts_with("kubeconfig:") {
            break;
        }
    }
    let mut add = kubegenie(home);
    add.args(["cluster", "add", "--kubeconfig"]).arg(&kc);
    for i in 1..=CLUSTERS {
        add.args(["--context", &format!("sim-{i}")]);
    }
    assert!(
        add.stdout(Stdio::null()).status().unwrap().success(),
        "cluster add failed"
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let server = kubegenie(home)
        .args(["serve", "--rate-limit", "0", "--addr", &addr])
        .stdout(Stdio::null())
        .spawn()
        .expect("kubegenie serve starts");
    let pid = server.id();
    let _server = Kill(server);
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(&addr).await.is_err() {
        assert!(Instant::now() < deadline, "server did not listen");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (idle, _) = rss_kib(pid);
    // Touch every cluster: a health check and a fleet-wide read fill the client cache.
    let (s, _) = request(&addr, "/api/v1/health?allClusters=true").await;
    assert_eq!(s, 200);
    let (s, body) = request(&addr, "/api/v1/resources/nodes?allClusters=true").await;
    assert_eq!(s, 200);
    let nodes: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        nodes["items"].as_array().unwrap().len(),
        CLUSTERS * 3,
        "every cluster answered"
    );
    let (warm, _) = rss_kib(pid);
    println!("| endpoint | connections | requests/s | p50 ms | p99 ms | p99.9 ms | errors |");
    println!("|---|---|---|---|---|---|---|");
    for path in ["/healthz", "/api/v1/whoami", "/api/v1/clusters"] {
        println!("{}", load(&addr, path, connections, secs).await);
    }
    let (after, peak) = rss_kib(pid);
    println!();
    println!(
        "server RSS with {CLUSTERS} registered clusters: {} MiB at start, {} MiB after a fleet-wide health check and read, {} MiB after the load (peak {} MiB)",
        idle / 1024,
        warm / 1024,
        after / 1024,
        peak / 1024
    );
}
