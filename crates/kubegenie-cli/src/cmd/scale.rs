//! `kubegenie scale`: kubectl's `scale` over the selected clusters, as a confirmed plan.

use super::common::{FleetArgs, usage};
use super::write::{WriteArgs, plan, run_plan};
use anyhow::Result;
use clap::Args;
use kubegenie_core::operation::{ObjectSelector, Operation, ScaleRequest};

/// Options of `kubegenie scale`.
#[derive(Debug, Args)]
pub struct ScaleArgs {
    /// `deploy/NAME`, `sts/NAME`, `rs/NAME`, or a kind followed by names.
    pub resource: String,
    /// More names.
    pub names: Vec<String>,
    /// Desired replicas.
    #[arg(long)]
    pub replicas: u32,
    /// Only scale where the current replicas are this.
    #[arg(long)]
    pub current_replicas: Option<u32>,
    /// Label selector instead of names.
    #[arg(short = 'l', long)]
    pub selector: Option<String>,
    /// Namespace (default: each cluster's context namespace).
    #[arg(short, long)]
    pub namespace: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// Runs `kubegenie scale`.
pub async fn run(args: ScaleArgs) -> Result<()> {
    let mut objects = ObjectSelector::parse(&args.resource, &args.names);
    objects.label_selector = args.selector.clone();
    if objects.names.is_empty() && objects.label_selector.is_none() {
        return usage("name the workloads to scale (deploy/NAME) or select them with -l");
    }
    let req = ScaleRequest {
        objects,
        namespace: args.namespace.clone(),
        replicas: args.replicas,
        current_replicas: args.current_replicas,
        dry_run: args.write.dry_run.into(),
    };
    let fleet = args.fleet.connect().await?;
    let plan = plan(&fleet, Operation::Scale(req)).await?;
    run_plan(&fleet, plan, &args.write, args.fleet.strict, false).await
}
