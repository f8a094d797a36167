//! `kubegenie demo`: start the built-in demo fleet (a hub with ClusterProfiles for `prod-us`,
//! `prod-eu` and `staging`, with a bad rollout, an OOM-killed worker, risky RBAC and more) and
//! print how to reach it.

use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;

/// Options of `kubegenie demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Do not open a browser.
    #[arg(long)]
    pub no_open: bool,
    /// Kubeconfig to write the demo contexts into (default: demo-kubeconfig under the
    /// KubeGenie home).
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// Seed of names, uids and usage noise.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Speed of the simulated clocks relative to real time.
    #[arg(long, default_value_t = 1.0)]
    pub clock_speed: f64,
    /// Serve plain HTTP instead of HTTPS.
    #[arg(long)]
    pub http: bool,
}

/// Starts the fleet, writes its kubeconfig under the KubeGenie home, and serves until Ctrl-C.
pub async fn run(args: DemoArgs) -> Result<()> {
    let run = super::sim::RunArgs {
        scenario: Some("demo".into()),
        clusters: 1,
        kubeconfig: args.kubeconfig.clone(),
        http: args.http,
        nodes: 0,
        kubernetes_version: String::new(),
        seed: args.seed,
        clock_speed: args.clock_speed,
    };
    let path = super::sim::kubeconfig_path(args.kubeconfig.as_deref(), "demo-kubeconfig")?;
    let fleet = super::sim::start_fleet("demo", &run).await?;
    fleet
        .write_kubeconfig(&path)
        .with_context(|| format!("cannot write kubeconfig {}", path.display()))?;
    for c in &fleet.clusters {
        let env = c.labels.get("env").map_or("", String::as_str);
        println!(
            "cluster {:<8} {:<6} {:<12} {:<8} {}",
            c.name,
            c.provider.as_str(),
            c.region,
            env,
            c.cluster.url()
        );
    }
    let k = path.display();
    println!("\nkubeconfig: {k}");
    println!("try:");
    println!("  export KUBECONFIG={k}");
    println!("  kubectl --context hub get clusterprofiles -n fleet-system");
    println!(
        "  kubectl --context prod-us get nodes -L node.kubernetes.io/instance-type,topology.kubernetes.io/zone"
    );
    println!("  kubectl --context prod-us get pods -A");
    println!(
        "  kubectl --context prod-us -n checkout rollout history deployment/checkout   # bad image at +1m"
    );
    println!("  kubectl --context prod-us top pods -n payments");
    println!("press Ctrl-C to stop");
    super::sim::wait_for_signal().await;
    fleet.shutdown().await;
    Ok(())
}
