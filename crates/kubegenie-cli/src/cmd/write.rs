//! How every write runs: show the plan, ask for confirmation (unless `--yes` or a dry run),
//! execute it, print the per-cluster results, and record the audit entry.

use super::common::{Fleet, UsageError, actor, exit_status, print_errors, usage};
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use kubegenie_core::operation::Operation;
use kubegenie_core::plan::{DryRun, Plan, PlanOutcome};
use kubegenie_kube::ops::audit::audit_entry;
use kubegenie_kube::ops::dispatch;
use kubegenie_kube::ops::execute::execute;
use std::io::{BufRead, Write};

/// `--dry-run` values, as kubectl names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DryRunArg {
    /// Make the change.
    None,
    /// Show the plan and send nothing.
    Client,
    /// Send with dryRun=All: the server validates, nothing is persisted.
    Server,
}

impl From<DryRunArg> for DryRun {
    fn from(d: DryRunArg) -> Self {
        match d {
            DryRunArg::None => Self::None,
            DryRunArg::Client => Self::Client,
            DryRunArg::Server => Self::Server,
        }
    }
}

/// Output of writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WriteOutput {
    /// Plan and result tables.
    Table,
    /// One JSON document: the plan (without request bodies) and the outcome.
    Json,
}

/// Flags every write takes.
#[derive(Debug, Args)]
pub struct WriteArgs {
    /// Do not ask for confirmation.
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// none, client (show the plan only) or server (validate on the server, persist nothing).
    #[arg(long, value_enum, default_value_t = DryRunArg::None, num_args = 0..=1,
          default_missing_value = "client", require_equals = true)]
    pub dry_run: DryRunArg,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = WriteOutput::Table)]
    pub output: WriteOutput,
}

/// Plans `op` on the fleet; a refusal is a usage error (exit code 2).
pub async fn plan(fleet: &Fleet, op: Operation) -> Result<Plan> {
    dispatch::plan(&fleet.clusters, &op, fleet.fan)
        .await
        .map_err(|e| UsageError(e.to_string()).into())
}

/// Asks on the terminal; `false` when the answer is not yes or stdin is closed.
fn confirm(question: &str) -> Result<bool> {
    eprint!("{question} [y/N] ");
    std::io::stderr().flush().ok();
    let mut line = String::new();
    let n = std::io::stdin().lock().read_line(&mut line)?;
    Ok(n > 0 && matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes"))
}

/// Shows `plan`, confirms, executes, prints, audits. `stdin_used` says the manifests came
/// from stdin, so a prompt cannot be answered there.
pub async fn run_plan(
    fleet: &Fleet,
    mut plan: Plan,
    args: &WriteArgs,
    strict: bool,
    stdin_used: bool,
) -> Result<()> {
    plan.errors.splice(0..0, fleet.errors.iter().cloned());
    let table = args.output == WriteOutput::Table;
    if table && !plan.actions.is_empty() {
        print!("{}", plan.to_table().render(true));
        for (cluster, summary) in plan.summary() {
            println!("{cluster}: {summary}");
        }
    }
    let needs_prompt = !args.yes && plan.dry_run == DryRun::None && plan.changes_anything();
    if needs_prompt {
        if stdin_used {
            return usage(
                "manifests were read from stdin, so there is no way to confirm: pass --yes or --dry-run",
            );
        }
        let n = plan.clusters().len();
        let question = format!(
            "{} {} object(s) on {n} cluster(s)?",
            capitalised(&plan.operation),
            plan.actions.len()
        );
        if !confirm(&question)? {
            anyhow::bail!("aborted: nothing was changed (pass --yes to skip the confirmation)");
        }
    }
    let outcome = execute(&fleet.clusters, &plan, fleet.fan).await;
    record(&outcome).await?;
    print_outcome(&plan, &outcome, args.output)?;
    let per = outcome.per_cluster();
    let failed = per
        .iter()
        .filter(|(_, s)| *s == kubegenie_core::plan::ClusterStatus::Failed)
        .count();
    exit_status(
        failed,
        per.len().max(fleet.clusters.len() + fleet.errors.len()),
        strict,
    )
}

fn capitalised(op: &str) -> String {
    let mut c = op.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn print_outcome(plan: &Plan, outcome: &PlanOutcome, output: WriteOutput) -> Result<()> {
    match output {
        WriteOutput::Table => {
            if !outcome.results.is_empty() {
                println!();
                print!("{}", outcome.to_table().render(true));
            } else if outcome.errors.is_empty() {
                eprintln!("No resources found");
            }
            print_errors(&outcome.errors);
        }
        WriteOutput::Json => {
            let doc = serde_json::json!({"plan": plan.redacted(), "outcome": outcome});
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
    }
    Ok(())
}

async fn record(outcome: &PlanOutcome) -> Result<()> {
    if outcome.results.is_empty() && outcome.errors.is_empty() {
        return Ok(());
    }
    let reg_store = kubegenie_store::Store::open(&crate::home::dir().join("kubegenie.db")).await?;
    let entry = audit_entry(&actor(), jiff::Timestamp::now(), outcome);
    reg_store
        .record_audit(&entry)
        .await
        .context("the write was made but could not be recorded in the audit log")?;
    Ok(())
}
