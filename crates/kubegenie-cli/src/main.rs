//! `kubegenie`: a Kubernetes operations assistant for many clusters at once.

mod cmd;
mod home;
mod progress;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// KubeGenie: ask about all your clusters at once.
#[derive(Debug, Parser)]
#[command(name = "kubegenie", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run simulated Kubernetes clusters that speak the real API (for tests, demos, benchmarks).
    Sim(cmd::sim::SimArgs),
    /// Start a simulated fleet and show how to use it.
    Demo(cmd::demo::DemoArgs),
    /// Manage the cluster registry: add, list, remove, use, label, discover, health.
    Cluster(cmd::cluster::ClusterArgs),
    /// Get resources from the selected clusters, kubectl-style, with a CLUSTER column.
    Get(cmd::get::GetArgs),
    /// Show how a plain-language or kubectl-style request is understood, without running it.
    Parse(cmd::parse::ParseArgs),
    /// Describe objects on the selected clusters, kubectl-style, with their events.
    Describe(cmd::describe::DescribeArgs),
    /// Print container logs from the selected clusters, prefixed [cluster/pod/container].
    Logs(cmd::logs::LogsArgs),
    /// Show CPU and memory use of pods or nodes (metrics.k8s.io) with a CLUSTER column.
    Top(cmd::top::TopArgs),
    /// Server-side apply manifests to the selected clusters, after a plan and confirmation.
    Apply(cmd::apply::ApplyArgs),
    /// Delete objects on the selected clusters, after a plan and confirmation.
    Delete(cmd::delete::DeleteArgs),
    /// Set the replicas of deployments, statefulsets or replicasets.
    Scale(cmd::scale::ScaleArgs),
    /// Restart, roll back, or wait for rollouts of workloads.
    Rollout(cmd::rollout::RolloutArgs),
    /// List the audit log of writes.
    Audit(cmd::audit::AuditArgs),
    /// Find what is wrong on the selected clusters: findings with fixes, scores, fleet summary.
    Health(cmd::health::HealthArgs),
    /// List the agents, their state and task counts.
    Agents(cmd::agents::AgentsArgs),
    /// List the task history (queued, running, finished), or watch it.
    Tasks(cmd::tasks::TasksArgs),
    /// Serve the REST API, its OpenAPI document and the web page.
    Serve(cmd::serve::ServeArgs),
    /// Manage API tokens of the server: create, list, revoke.
    Token(cmd::token::TokenArgs),
    /// Security findings (Pod Security Standards, best practices, RBAC, exposure) and compliance.
    Security(cmd::security::SecurityArgs),
    /// Which users, groups and service accounts may make a request (RBAC, aggregation included).
    WhoCan(cmd::security::WhoCanArgs),
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        // kube logs every failed request at ERROR; each failure is already one error row.
        .unwrap_or_else(|_| {
            tracing_subscriber::EnvFilter::new("warn,kube_client=off,kubegenie=info,kubegenie_sim=info")
        });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Sim(args) => cmd::sim::run(args).await,
            Command::Demo(args) => cmd::demo::run(args).await,
            Command::Cluster(args) => cmd::cluster::run(args).await,
            Command::Get(args) => cmd::get::run(args).await,
            Command::Parse(args) => cmd::parse::run(args).await,
            Command::Describe(args) => cmd::describe::run(args).await,
            Command::Logs(args) => cmd::logs::run(args).await,
            Command::Top(args) => cmd::top::run(args).await,
            Command::Apply(args) => cmd::apply::run(args).await,
            Command::Delete(args) => cmd::delete::run(args).await,
            Command::Scale(args) => cmd::scale::run(args).await,
            Command::Rollout(args) => cmd::rollout::run(args).await,
            Command::Audit(args) => cmd::audit::run(args).await,
            Command::Health(args) => cmd::health::run(args).await,
            Command::Agents(args) => cmd::agents::run(args).await,
            Command::Tasks(args) => cmd::tasks::run(args).await,
            Command::Serve(args) => cmd::serve::run(args).await,
            Command::Token(args) => cmd::token::run(args).await,
            Command::Security(args) => cmd::security::run(args).await,
            Command::WhoCan(args) => cmd::security::who_can_run(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is::<cmd::Interrupted>() => {
            eprintln!("interrupted");
            ExitCode::from(130)
        }
        Err(e) if e.is::<cmd::audit_manifests::Exit>() => {
            ExitCode::from(e.downcast_ref::<cmd::audit_manifests::Exit>().map_or(1, |x| x.0))
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            // Usage mistakes exit 2, as clap's own errors do.
            match e.downcast_ref::<cmd::common::UsageError>() {
                Some(_) => ExitCode::from(2),
                None => ExitCode::from(1),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
