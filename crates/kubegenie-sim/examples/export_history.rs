//! Measures the history exporter: `cargo run --release -p kubegenie-sim --example export_history
//! -- OUT [PODS] [DAYS]` writes DAYS (default 7) of history at 30 s for PODS (default 84, about
//! 1,000 series) to OUT and prints the series, samples and time taken.

use kubegenie_sim::observe::{history, prometheus::Snapshot};
use serde_json::json;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let out = args.get(1).ok_or("usage: export_history OUT [PODS] [DAYS]")?;
    let pods: usize = args.get(2).map_or(Ok(84), |s| s.parse())?;
    let days: u32 = args.get(3).map_or(Ok(7), |s| s.parse())?;
    let mut objs = vec![json!({"kind": "Node", "metadata": {"name": "node-1"},
        "status": {"capacity": {"cpu": "16", "memory": "64Gi", "pods": "110"}, "allocatable": {"cpu": "15800m", "memory": "62Gi", "pods": "110"}}})];
    for i in 0..pods {
        objs.push(json!({"kind": "Pod", "metadata": {"name": format!("api-{i}"), "namespace": "shop", "uid": format!("uid-{i}"),
            "annotations": {"sim.kubegenie.io/behaviour": "cpu: {base: 300m, dailyAmplitude: 0.8, peakHour: 14}\nmemory: {base: 200Mi}"}},
            "spec": {"nodeName": "node-1", "containers": [{"name": "app", "image": "shop/api:1.0",
                "resources": {"requests": {"cpu": "500m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}}}]}}));
    }
    let snap = Snapshot::from_objects("bench", 1, objs);
    let step = history::parse_duration("30s").ok_or("step")?;
    let range = history::Range::last_days(jiff::Timestamp::now(), days, step);
    let t0 = Instant::now();
    let file = std::fs::File::create(out)?;
    let stats = history::export(&[snap], &range, file)?;
    println!(
        "{} series, {} samples in {:.2?}",
        stats.series,
        stats.samples,
        t0.elapsed()
    );
    Ok(())
}
