//! `kubegenie top pods|nodes`: resource usage from `metrics.k8s.io` with kubectl's columns
//! after CLUSTER.

use super::common::{FleetArgs, exit_status, print_errors, usage};
use anyhow::Result;
use clap::{Args, ValueEnum};
use kubegenie_core::operation::{Scope, TopRequest, TopTarget};
use kubegenie_kube::ops::top::top;

/// Output formats of `top`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TopOutput {
    /// kubectl's columns plus CLUSTER.
    Table,
    /// `{"items": [...], "errors": [...]}`.
    Json,
}

/// Options of `kubegenie top`.
#[derive(Debug, Args)]
pub struct TopArgs {
    /// `pods` (`pod`, `po`) or `nodes` (`node`, `no`).
    pub what: String,
    /// Names (default: all).
    pub names: Vec<String>,
    /// Namespace (pods; default: each cluster's context namespace).
    #[arg(short, long)]
    pub namespace: Option<String>,
    /// Every namespace (pods).
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Label selector.
    #[arg(short = 'l', long)]
    pub selector: Option<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = TopOutput::Table)]
    pub output: TopOutput,
    /// Omit the header line.
    #[arg(long)]
    pub no_headers: bool,
    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// Runs `kubegenie top`.
pub async fn run(args: TopArgs) -> Result<()> {
    let target = match args.what.as_str() {
        "pods" | "pod" | "po" => TopTarget::Pods,
        "nodes" | "node" | "no" => TopTarget::Nodes,
        other => return usage(format!("unknown top target {other:?}: use pods or nodes")),
    };
    let req = TopRequest {
        target,
        names: args.names.clone(),
        scope: Scope {
            namespace: args.namespace.clone(),
            all_namespaces: args.all_namespaces,
        },
        label_selector: args.selector.clone(),
    };
    let fleet = args.fleet.connect().await?;
    let mut out = top(&fleet.clusters, &req, fleet.fan).await;
    out.errors.splice(0..0, fleet.errors.iter().cloned());
    match args.output {
        TopOutput::Table => {
            if out.items.is_empty() && out.errors.len() < fleet.clusters.len() + fleet.errors.len() {
                eprintln!("No resources found");
            } else if !out.items.is_empty() {
                print!("{}", out.render(target, args.all_namespaces, !args.no_headers));
            }
            print_errors(&out.errors);
        }
        TopOutput::Json => println!("{}", serde_json::to_string_pretty(&out)?),
    }
    let total = fleet.clusters.len() + fleet.errors.len();
    exit_status(out.errors.len(), total, args.fleet.strict)
}
