//! `kubegenie sim`: run N simulated clusters in the foreground and write their contexts into a
//! kubeconfig, so kubectl and any other client can use them. Each cluster gets an admin
//! context `sim-N` and a read-only context `sim-N-viewer` (a user bound to the `view` role).

use anyhow::{Context, Result};
use clap::Args;
use kubegenie_sim::{SimCluster, SimConfig, SimUser};
use std::path::PathBuf;

/// Options of `kubegenie sim`.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Number of clusters to run (contexts sim-1 … sim-N).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub clusters: u16,
    /// Kubeconfig file to write the contexts into (merged; other contexts are kept).
    #[arg(long, env = "KUBECONFIG_OUT")]
    pub kubeconfig: Option<PathBuf>,
    /// Serve plain HTTP instead of HTTPS.
    #[arg(long)]
    pub http: bool,
    /// Nodes per cluster.
    #[arg(long, default_value_t = 3)]
    pub nodes: usize,
    /// Kubernetes version the clusters report.
    #[arg(long, default_value = "v1.33.1")]
    pub kubernetes_version: String,
}

/// Starts the clusters, writes the kubeconfig, and serves until SIGINT/SIGTERM.
pub async fn run(args: SimArgs) -> Result<()> {
    let path = args
        .kubeconfig
        .clone()
        .unwrap_or_else(|| crate::home::dir().join("sim-kubeconfig"));
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let mut clusters = Vec::new();
    for i in 1..=args.clusters {
        let name = format!("sim-{i}");
        let mut cfg = SimConfig::named(&name);
        cfg.nodes = args.nodes;
        cfg.kubernetes_version = args.kubernetes_version.clone();
        if args.http {
            cfg = cfg.http();
        }
        // A read-only user on every cluster, so RBAC denials can be tried at once.
        let viewer = SimUser::with_role("viewer", "view");
        cfg.users.push(viewer.clone());
        let c = SimCluster::start(cfg)
            .await
            .with_context(|| format!("cannot start cluster {name}"))?;
        c.write_kubeconfig(&path, &name, i == 1)
            .with_context(|| format!("cannot write kubeconfig {}", path.display()))?;
        let viewer_ctx = c.context(&format!("{name}-viewer"), Some(&viewer.token));
        kubegenie_sim::kubeconfig::merge_into(&path, &[viewer_ctx], None)
            .with_context(|| format!("cannot write kubeconfig {}", path.display()))?;
        println!("{name}\t{}", c.url());
        clusters.push(c);
    }
    println!("kubeconfig: {}", path.display());
    println!(
        "try: KUBECONFIG={} kubectl --context sim-1 get nodes",
        path.display()
    );
    wait_for_signal().await;
    for c in clusters {
        c.shutdown().await;
    }
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
pub async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
