//! `kubegenie describe`: kubectl's describe over the selected clusters; each description
//! starts with a `Cluster:` line, descriptions are separated by a blank line.

use super::common::{FleetArgs, exit_status, print_errors};
use anyhow::Result;
use clap::Args;
use kubegenie_core::operation::{DescribeRequest, ObjectSelector, Scope};
use kubegenie_kube::ops::describe::describe;

/// Options of `kubegenie describe`.
#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// Kind (`pods`, `deploy`, `nodes`, any CRD), or `KIND/NAME`.
    pub resource: String,
    /// Object names (default: every object, or those matching -l).
    pub names: Vec<String>,
    /// Label selector.
    #[arg(short = 'l', long)]
    pub selector: Option<String>,
    /// Namespace (default: each cluster's context namespace).
    #[arg(short, long)]
    pub namespace: Option<String>,
    /// Every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// Runs `kubegenie describe`.
pub async fn run(args: DescribeArgs) -> Result<()> {
    let mut objects = ObjectSelector::parse(&args.resource, &args.names);
    objects.label_selector = args.selector.clone();
    let req = DescribeRequest {
        objects,
        scope: Scope {
            namespace: args.namespace.clone(),
            all_namespaces: args.all_namespaces,
        },
    };
    let fleet = args.fleet.connect().await?;
    let mut out = describe(&fleet.clusters, &req, fleet.fan).await;
    out.errors.splice(0..0, fleet.errors.iter().cloned());
    let texts: Vec<&str> = out.items.iter().map(|d| d.text.as_str()).collect();
    print!("{}", texts.join("\n"));
    if texts.is_empty() && out.errors.is_empty() {
        eprintln!("No resources found");
    }
    print_errors(&out.errors);
    let total = fleet.clusters.len() + fleet.errors.len();
    exit_status(out.errors.len(), total, args.fleet.strict)
}
