//! `kubegenie sim`: run simulated clusters in the foreground and write their contexts into a
//! kubeconfig, so kubectl and any other client can use them.
//!
//! - `--scenario demo|FILE|scale:CLUSTERS:PODS` starts a scenario's fleet; contexts are named
//!   after its clusters.
//! - Without a scenario, `--clusters N` starts N plain clusters with admin contexts `sim-N` and
//!   read-only contexts `sim-N-viewer` (a user bound to the `view` role).
//! - `sim export-history` writes days of a scenario's metrics as OpenMetrics.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use kubegenie_sim::scenario::{self, Fleet, StartOptions};
use kubegenie_sim::{SimCluster, SimConfig, SimUser};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Options of `kubegenie sim`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SimArgs {
    /// What else `sim` can do.
    #[command(subcommand)]
    pub command: Option<SimCommand>,
    /// Options of running clusters.
    #[command(flatten)]
    pub run: RunArgs,
}

/// `kubegenie sim` subcommands.
#[derive(Debug, Subcommand)]
pub enum SimCommand {
    /// Write days of a scenario's metrics history as OpenMetrics (for promtool tsdb
    /// create-blocks-from openmetrics).
    ExportHistory(super::history::ExportArgs),
}

/// Options of running simulated clusters.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario to run: `demo`, a scenario file, or `scale:CLUSTERS:PODS`.
    #[arg(long, conflicts_with_all = ["clusters", "nodes", "kubernetes_version"])]
    pub scenario: Option<String>,
    /// Number of plain clusters to run without a scenario (contexts sim-1 … sim-N).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub clusters: u16,
    /// Kubeconfig file to write the contexts into (merged; other contexts are kept).
    /// Default: sim-kubeconfig under the KubeGenie home.
    #[arg(long, env = "KUBECONFIG_OUT")]
    pub kubeconfig: Option<PathBuf>,
    /// Serve plain HTTP instead of HTTPS.
    #[arg(long)]
    pub http: bool,
    /// Nodes per plain cluster.
    #[arg(long, default_value_t = 3)]
    pub nodes: usize,
    /// Kubernetes version plain clusters report.
    #[arg(long, default_value = "v1.33.1")]
    pub kubernetes_version: String,
    /// Seed of names, uids and usage noise (the scenario's own seed by default).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Speed of the simulated clocks relative to real time.
    #[arg(long, default_value_t = 1.0)]
    pub clock_speed: f64,
}

/// Runs `kubegenie sim`.
pub async fn run(args: SimArgs) -> Result<()> {
    match args.command {
        Some(SimCommand::ExportHistory(e)) => super::history::run(e).await,
        None => match &args.run.scenario {
            Some(s) => run_scenario(s, &args.run).await,
            None => run_plain(&args.run).await,
        },
    }
}

/// The kubeconfig path to write: the one given, else `name` under the KubeGenie home.
pub fn kubeconfig_path(given: Option<&Path>, name: &str) -> Result<PathBuf> {
    let path = given
        .map(Path::to_path_buf)
        .unwrap_or_else(|| crate::home::dir().join(name));
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    Ok(path)
}

/// Options to start the scenario named `spec` with.
pub fn start_options(spec: &str, run: &RunArgs) -> StartOptions {
    StartOptions {
        seed: run.seed,
        clock_speed: run.clock_speed,
        http: run.http,
        // Generated fleets hold hundreds of clusters; a shorter watch history per cluster
        // keeps their memory bounded (clients re-list after a 410 as with any apiserver).
        watch_history: spec.starts_with("scale:").then_some(1_000),
    }
}

/// Loads and starts a scenario, printing progress.
pub async fn start_fleet(spec: &str, run: &RunArgs) -> Result<Fleet> {
    let scenario = scenario::resolve(spec).map_err(|e| anyhow::anyhow!("{e}"))?;
    let t0 = Instant::now();
    let fleet = Fleet::start(&scenario, &start_options(spec, run))
        .await
        .with_context(|| format!("cannot start scenario {spec}"))?;
    let nodes: usize = fleet.clusters.iter().map(|c| c.nodes).sum();
    tracing::info!(
        clusters = fleet.clusters.len(),
        nodes,
        seconds = t0.elapsed().as_secs_f64(),
        "scenario {} started",
        fleet.name
    );
    Ok(fleet)
}

async fn run_scenario(spec: &str, run: &RunArgs) -> Result<()> {
    let path = kubeconfig_path(run.kubeconfig.as_deref(), "sim-kubeconfig")?;
    let fleet = start_fleet(spec, run).await?;
    fleet
        .write_kubeconfig(&path)
        .with_context(|| format!("cannot write kubeconfig {}", path.display()))?;
    // Large fleets would flood the terminal; the kubeconfig lists them all.
    for c in fleet.clusters.iter().take(20) {
        println!(
            "{}\t{}\t{}\t{} nodes\t{}",
            c.name,
            c.provider.as_str(),
            c.region,
            c.nodes,
            c.cluster.url()
        );
    }
    if fleet.clusters.len() > 20 {
        println!("… and {} more clusters", fleet.clusters.len() - 20);
    }
    println!("kubeconfig: {}", path.display());
    if let Some(first) = fleet.clusters.iter().find(|c| !c.hub).or(fleet.clusters.first()) {
        println!(
            "try: KUBECONFIG={} kubectl --context {} get nodes",
            path.display(),
            first.name
        );
    }
    wait_for_signal().await;
    fleet.shutdown().await;
    Ok(())
}

async fn run_plain(args: &RunArgs) -> Result<()> {
    let path = kubeconfig_path(args.kubeconfig.as_deref(), "sim-kubeconfig")?;
    let mut clusters = Vec::new();
    for i in 1..=args.clusters {
        let name = format!("sim-{i}");
        let mut cfg = SimConfig::named(&name);
        cfg.nodes = args.nodes;
        cfg.kubernetes_version = args.kubernetes_version.clone();
        cfg.clock_speed = args.clock_speed;
        if let Some(seed) = args.seed {
            cfg.seed = seed;
        }
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
