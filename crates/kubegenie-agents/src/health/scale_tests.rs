//! Cost of every analyzer over one large snapshot (issue 5: 10,000 pods and 500 nodes in
//! under 100 ms). A benchmark, not a test: run with
//! `cargo test -p kubegenie-agents --release -- --ignored --nocapture analyzers_at_scale`.

use super::fixtures::{HOUR_AGO, deployment, node, object, pod, running, snapshot, waiting};
use super::{analyzers, report};
use serde_json::json;
use std::time::Instant;

fn big_snapshot(nodes: usize, pods: usize) -> kubegenie_kube::snapshot::ClusterSnapshot {
    let mut s = snapshot();
    s.nodes = (0..nodes).map(|i| node(&format!("n{i}"), json!({}))).collect();
    let apps = pods / 10;
    s.deployments = (0..apps)
        .map(|a| deployment(&format!("ns{}", a % 50), &format!("app{a}"), 10, json!({})))
        .collect();
    s.services = (0..apps)
        .map(|a| {
            object(
                json!({"metadata": {"name": format!("app{a}"), "namespace": format!("ns{}", a % 50),
                "creationTimestamp": HOUR_AGO},
                "spec": {"selector": {"app": format!("app{a}")}, "ports": [{"port": 80}]}}),
            )
        })
        .collect();
    s.pods = (0..pods)
        .map(|i| {
            let a = i / 10;
            // One pod in fifty crash-loops.
            let status = if i % 50 == 0 {
                waiting("app", "CrashLoopBackOff", 7, Some(("Error", 1)))
            } else {
                running("app", 0)
            };
            pod(
                &format!("ns{}", a % 50),
                &format!("app{a}-{i}"),
                json!({"metadata": {"labels": {"app": format!("app{a}")}},
                    "status": {"containerStatuses": [status]}}),
            )
        })
        .collect();
    s.events = (0..pods / 5)
        .map(|i| {
            object(json!({"metadata": {"name": format!("e{i}"), "namespace": "ns0"},
                "involvedObject": {"kind": "Pod", "namespace": "ns0", "name": format!("app0-{i}")},
                "reason": "FailedMount", "type": "Warning", "count": 1, "message": "m",
                "lastTimestamp": HOUR_AGO}))
        })
        .collect();
    s
}

#[test]
#[ignore = "benchmark"]
fn analyzers_at_scale() {
    let snap = big_snapshot(500, 10_000);
    let all = analyzers::all();
    let mut best = f64::MAX;
    let mut findings = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let r = report(&all, std::slice::from_ref(&snap), vec![]);
        best = best.min(t.elapsed().as_secs_f64() * 1000.0);
        findings = r.findings.len();
    }
    for a in &all {
        let t = Instant::now();
        let mut out = Vec::new();
        a.analyze(&snap, &mut out);
        println!(
            "  {:<16} {:>8.2} ms",
            a.name(),
            t.elapsed().as_secs_f64() * 1000.0
        );
    }
    println!(
        "500 nodes, 10000 pods, 1000 deployments/services, 2000 events: {findings} findings, best of 5: {best:.1} ms"
    );
}
