//! `kubegenie`: a Kubernetes operations assistant for many clusters at once.

mod cmd;
mod home;

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
    /// Serve the REST API, its OpenAPI document and the web page.
    Serve(cmd::serve::ServeArgs),
    /// Manage API tokens of the server: create, list, revoke.
    Token(cmd::token::TokenArgs),
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,kubegenie=info,kubegenie_sim=info"));
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
            Command::Serve(args) => cmd::serve::run(args).await,
            Command::Token(args) => cmd::token::run(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
