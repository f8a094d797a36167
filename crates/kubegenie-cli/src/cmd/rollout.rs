//! `kubegenie rollout restart|undo|status`: restart and undo are confirmed plans; status
//! waits like kubectl and prints each cluster's progress as it changes.

use super::common::{FleetArgs, exit_status, print_errors, usage};
use super::fleet::parse_duration;
use super::write::{WriteArgs, plan, run_plan};
use anyhow::Result;
use clap::{Args, Subcommand};
use kubegenie_core::operation::{ObjectSelector, Operation, RolloutAction, RolloutRequest};
use kubegenie_core::plan::DryRun;
use kubegenie_kube::ops::rollout::status;
use std::time::Duration;

/// `kubegenie rollout`.
#[derive(Debug, Args)]
pub struct RolloutArgs {
    #[command(subcommand)]
    command: RolloutCommand,
}

#[derive(Debug, Subcommand)]
enum RolloutCommand {
    /// Restart the pods of workloads (new template annotation, as kubectl does).
    Restart(WriteTargetArgs),
    /// Roll a workload back to its previous revision, or --to-revision.
    Undo(UndoArgs),
    /// Wait until workloads have rolled out.
    Status(StatusArgs),
}

/// Which workloads.
#[derive(Debug, Args)]
struct TargetArgs {
    /// `deploy/NAME`, `sts/NAME`, `ds/NAME`, or a kind followed by names.
    resource: String,
    /// More names.
    names: Vec<String>,
    /// Label selector instead of names.
    #[arg(short = 'l', long)]
    selector: Option<String>,
    /// Namespace (default: each cluster's context namespace).
    #[arg(short, long)]
    namespace: Option<String>,
    #[command(flatten)]
    fleet: FleetArgs,
}

#[derive(Debug, Args)]
struct WriteTargetArgs {
    #[command(flatten)]
    target: TargetArgs,
    #[command(flatten)]
    write: WriteArgs,
}

#[derive(Debug, Args)]
struct UndoArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// The revision to go back to (default: the previous one).
    #[arg(long, default_value_t = 0)]
    to_revision: i64,
    #[command(flatten)]
    write: WriteArgs,
}

#[derive(Debug, Args)]
struct StatusArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// Wait for the rollout to finish (`--watch=false` reports once).
    #[arg(short, long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1,
          default_missing_value = "true", require_equals = true)]
    watch: bool,
    /// How long to wait.
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    timeout: Duration,
}

fn request(t: &TargetArgs, action: RolloutAction, dry_run: DryRun) -> Result<RolloutRequest> {
    let mut objects = ObjectSelector::parse(&t.resource, &t.names);
    objects.label_selector = t.selector.clone();
    if objects.names.is_empty() && objects.label_selector.is_none() {
        return usage("name the workloads (deploy/NAME) or select them with -l");
    }
    Ok(RolloutRequest {
        action,
        objects,
        namespace: t.namespace.clone(),
        to_revision: None,
        wait: true,
        timeout_seconds: None,
        dry_run,
    })
}

/// Runs `kubegenie rollout`.
pub async fn run(args: RolloutArgs) -> Result<()> {
    match args.command {
        RolloutCommand::Restart(a) => {
            let req = request(&a.target, RolloutAction::Restart, a.write.dry_run.into())?;
            let fleet = a.target.fleet.connect().await?;
            let plan = plan(&fleet, Operation::Rollout(req)).await?;
            run_plan(&fleet, plan, &a.write, a.target.fleet.strict, false).await
        }
        RolloutCommand::Undo(a) => {
            let mut req = request(&a.target, RolloutAction::Undo, a.write.dry_run.into())?;
            req.to_revision = Some(a.to_revision);
            let fleet = a.target.fleet.connect().await?;
            let plan = plan(&fleet, Operation::Rollout(req)).await?;
            if plan.actions.is_empty() && plan.errors.is_empty() {
                println!("skipped rollback (current template already matches the revision)");
                return Ok(());
            }
            run_plan(&fleet, plan, &a.write, a.target.fleet.strict, false).await
        }
        RolloutCommand::Status(a) => {
            let mut req = request(&a.target, RolloutAction::Status, DryRun::None)?;
            req.wait = a.watch;
            req.timeout_seconds = Some(a.timeout.as_secs());
            let mut fleet = a.target.fleet.connect().await?;
            fleet.fan.timeout = a.timeout;
            let print = |cluster: &str, msg: &str| println!("{cluster}: {msg}");
            let out = status(&fleet.clusters, &req, fleet.fan, Duration::from_secs(1), &print).await;
            let _ = a.target.fleet.strict;
            let mut errors = fleet.errors.clone();
            errors.extend(out.errors);
            print_errors(&errors);
            let not_done = out.clusters.iter().filter(|(_, r)| !r.done).count();
            if !a.watch && not_done > 0 {
                anyhow::bail!("{not_done} cluster(s) have not finished rolling out");
            }
            // A rollout that did not finish on one cluster is a failed rollout, as in kubectl.
            exit_status(errors.len(), errors.len() + out.clusters.len(), true)
        }
    }
}
