//! `kubegenie demo`: start a simulated fleet and print how to reach it.

use anyhow::{Context, Result};
use clap::Args;
use kubegenie_sim::{SimCluster, SimConfig};

/// Options of `kubegenie demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Do not open a browser.
    #[arg(long)]
    pub no_open: bool,
}

/// The demo fleet's cluster names.
const FLEET: &[&str] = &["hub", "prod-us", "prod-eu", "staging"];

/// Starts the fleet, writes its kubeconfig under the KubeGenie home, and serves until Ctrl-C.
pub async fn run(_args: DemoArgs) -> Result<()> {
    let home = crate::home::dir();
    std::fs::create_dir_all(&home).with_context(|| format!("cannot create {}", home.display()))?;
    let path = home.join("demo-kubeconfig");
    let mut clusters = Vec::new();
    for (i, name) in FLEET.iter().enumerate() {
        let c = SimCluster::start(SimConfig::named(name))
            .await
            .with_context(|| format!("cannot start {name}"))?;
        c.write_kubeconfig(&path, name, i == 0)?;
        println!("cluster {name:<8} {}", c.url());
        clusters.push(c);
    }
    println!("\nkubeconfig: {}", path.display());
    println!(
        "try:        KUBECONFIG={} kubectl --context prod-us get nodes",
        path.display()
    );
    println!("press Ctrl-C to stop");
    super::sim::wait_for_signal().await;
    for c in clusters {
        c.shutdown().await;
    }
    Ok(())
}
