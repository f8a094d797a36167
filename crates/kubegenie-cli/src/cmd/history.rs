//! `kubegenie sim export-history`: days of a scenario's metrics as OpenMetrics, for
//! `promtool tsdb create-blocks-from openmetrics FILE DIR`.

use anyhow::{Context, Result};
use clap::Args;
use kubegenie_sim::scenario::{self, history};
use std::path::PathBuf;
use std::time::Duration;

/// Options of `kubegenie sim export-history`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Scenario: `demo`, a scenario file, or `scale:CLUSTERS:PODS`.
    #[arg(long, default_value = "demo")]
    pub scenario: String,
    /// Days of history, ending now.
    #[arg(long, default_value_t = 7)]
    pub days: u32,
    /// Sample interval (`30s`, `1m`...).
    #[arg(long, default_value = "30s", value_parser = parse_step)]
    pub step: Duration,
    /// Output file (OpenMetrics text).
    #[arg(long)]
    pub out: PathBuf,
    /// Seed (the scenario's own by default).
    #[arg(long)]
    pub seed: Option<u64>,
}

fn parse_step(s: &str) -> Result<Duration, String> {
    scenario::load::parse_offset(s)
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("{s:?} is not a duration like 30s, 1m or 1h"))
}

/// Runs the export.
pub async fn run(args: ExportArgs) -> Result<()> {
    let sc = scenario::resolve(&args.scenario).map_err(|e| anyhow::anyhow!("{e}"))?;
    let opts = history::ExportOptions {
        seed: args.seed,
        days: args.days,
        step: args.step,
        settle: Duration::from_secs(60),
    };
    let clusters = history::settled_objects(&sc, &opts)
        .await
        .context("cannot start the scenario")?;
    let file =
        std::fs::File::create(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let summary = history::export(&clusters, &opts, file)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    println!(
        "wrote {} series, {} samples ({} clusters, {} days every {}s) to {}",
        summary.series,
        summary.samples,
        summary.clusters,
        args.days,
        args.step.as_secs(),
        args.out.display()
    );
    Ok(())
}
