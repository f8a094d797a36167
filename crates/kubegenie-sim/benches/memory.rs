//! 50 simulated clusters of 1,000 objects each in one process, populated through the API; the
//! figure is the process RSS (VmRSS) afterwards. Goal (issue "Simulated Kubernetes clusters,
//! part 1"): < 1 GiB.
//!
//! The objects are the realistic ~3 KB running pods of the LIST bench, the heaviest common
//! kind, so the figure is an upper bound for a mix of kinds.
//!
//! Run: `cargo bench -p kubegenie-sim --bench memory`

mod common;

use anyhow::Result;
use futures::{StreamExt, TryStreamExt, stream};
use kubegenie_sim::{SimCluster, SimConfig};
use std::time::Instant;

const CLUSTERS: usize = 50;
const OBJECTS: usize = 1_000;
const GOAL_BYTES: u64 = 1 << 30;

fn main() -> Result<()> {
    common::runtime()?.block_on(run())
}

fn mb(b: u64) -> f64 {
    b as f64 / (1024.0 * 1024.0)
}

async fn run() -> Result<()> {
    let base = common::rss_bytes()?;
    let t = Instant::now();
    let mut clusters = Vec::with_capacity(CLUSTERS);
    for i in 0..CLUSTERS {
        clusters.push(SimCluster::start(SimConfig::named(&format!("mem-{i:02}"))).await?);
    }
    let started = common::rss_bytes()?;
    // A few clusters are populated at a time, each with a few requests in flight.
    stream::iter(&clusters)
        .map(|c| async move {
            let client = common::client(c)?;
            common::populate_pods(&client, c.name(), "default", OBJECTS, 8).await
        })
        .buffer_unordered(4)
        .try_collect::<()>()
        .await?;
    let populated = common::rss_bytes()?;
    println!(
        "started and populated {CLUSTERS} clusters x {OBJECTS} pods in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    println!("\n{CLUSTERS} clusters x {OBJECTS} pods (~3 KB JSON each), RSS from /proc/self/status");
    println!("| stage | VmRSS | per cluster | goal | ok |");
    println!("|---|---|---|---|---|");
    println!("| process before clusters | {:.1} MiB | - | - | - |", mb(base));
    println!(
        "| {CLUSTERS} clusters started (seeded, empty) | {:.1} MiB | {:.2} MiB | - | - |",
        mb(started),
        mb(started.saturating_sub(base)) / CLUSTERS as f64
    );
    println!(
        "| {CLUSTERS} clusters x {OBJECTS} pods | {:.1} MiB | {:.2} MiB | < 1024 MiB | {} |",
        mb(populated),
        mb(populated.saturating_sub(base)) / CLUSTERS as f64,
        if populated < GOAL_BYTES { "yes" } else { "NO" }
    );
    for c in clusters {
        c.shutdown().await;
    }
    Ok(())
}
