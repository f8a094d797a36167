//! `kubegenie delete`: kubectl's `delete` over the selected clusters, as a confirmed plan.
//! Refuses `--all` across several clusters and protected namespaces without `--force`.

use super::common::{FleetArgs, UsageError};
use super::write::{WriteArgs, plan, run_plan};
use anyhow::Result;
use clap::Args;
use kubegenie_core::operation::{DeleteRequest, ObjectSelector, Operation, Scope};

/// Options of `kubegenie delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Kind, or `KIND/NAME`.
    pub resource: String,
    /// Object names.
    pub names: Vec<String>,
    /// Label selector.
    #[arg(short = 'l', long)]
    pub selector: Option<String>,
    /// Every object of the kind in the namespace.
    #[arg(long)]
    pub all: bool,
    /// Namespace (default: each cluster's context namespace).
    #[arg(short, long)]
    pub namespace: Option<String>,
    /// Every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Allow `--all` on several clusters and protected namespaces (kube-system, kube-public,
    /// kube-node-lease, default).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub write: WriteArgs,
    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// Runs `kubegenie delete`.
pub async fn run(args: DeleteArgs) -> Result<()> {
    let mut objects = ObjectSelector::parse(&args.resource, &args.names);
    objects.label_selector = args.selector.clone();
    let req = DeleteRequest {
        objects,
        scope: Scope {
            namespace: args.namespace.clone(),
            all_namespaces: args.all_namespaces,
        },
        all: args.all,
        force: args.force,
        dry_run: args.write.dry_run.into(),
    };
    let fleet = args.fleet.connect().await?;
    let total = fleet.clusters.len() + fleet.errors.len();
    // Refusals count every selected cluster, reachable or not.
    req.check(total).map_err(|e| UsageError(e.to_string()))?;
    let plan = plan(&fleet, Operation::Delete(req)).await?;
    run_plan(&fleet, plan, &args.write, args.fleet.strict, false).await
}
