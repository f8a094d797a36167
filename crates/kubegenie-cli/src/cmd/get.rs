//! `kubegenie get`: kubectl's `get` over the selected clusters, with a CLUSTER column.

use super::fleet::{SelectionArgs, connect, parse_duration, registry};
use crate::progress::Progress;
use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use kubegenie_core::outcome::ClusterError;
use kubegenie_kube::discovery_cache::DiscoveryCache;
use kubegenie_kube::fanout::FanOut;
use kubegenie_kube::ops::get::{GetQuery, get_observed};
use kubegenie_kube::ops::sort_by::SortKey;
use kubegenie_kube::pool::ClientPool;
use std::time::Duration;

/// Output formats of `get`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GetOutput {
    /// Columns as kubectl prints them, plus CLUSTER.
    Table,
    /// Table with the extra columns of `-o wide`.
    Wide,
    /// One `MultiClusterList` JSON document.
    Json,
    /// One `MultiClusterList` YAML document.
    Yaml,
    /// `CLUSTER<TAB>kind.group/name` per object.
    Name,
}

/// Options of `kubegenie get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// Kind (`pods`, `po`, `deploy`, `widgets.example.com`), or `KIND/NAME`.
    pub resource: String,
    /// Object names.
    pub names: Vec<String>,
    /// Namespace (default: each cluster's context namespace).
    #[arg(short, long)]
    pub namespace: Option<String>,
    /// Every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Label selector.
    #[arg(short = 'l', long)]
    pub selector: Option<String>,
    /// Field selector.
    #[arg(long)]
    pub field_selector: Option<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = GetOutput::Table)]
    pub output: GetOutput,
    /// Sort rows of all clusters by a JSONPath (.metadata.name,
    /// .status.containerStatuses[0].restartCount).
    #[arg(long, value_parser = parse_sort_key)]
    pub sort_by: Option<SortKey>,
    /// After listing, print each change as it happens (all clusters merged) until Ctrl-C.
    #[arg(short = 'w', long, conflicts_with = "sort_by")]
    pub watch: bool,
    /// With --watch, print the event type (ADDED, MODIFIED, DELETED) of each row.
    #[arg(long, requires = "watch")]
    pub output_watch_events: bool,
    /// Omit the header line of tables.
    #[arg(long)]
    pub no_headers: bool,
    /// Which clusters.
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Time allowed per cluster.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Clusters queried at the same time.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Exit non-zero when any cluster fails (default: only when all do).
    #[arg(long)]
    pub strict: bool,
}

fn parse_sort_key(s: &str) -> Result<SortKey, String> {
    SortKey::parse(s).map_err(|e| e.reason)
}

fn print_errors(errors: &[ClusterError]) {
    for e in errors {
        eprintln!(
            "error: cluster {}: {:?}: {} ({})",
            e.cluster,
            e.reason,
            e.message,
            e.reason.hint()
        );
    }
}

/// Runs `kubegenie get`.
pub async fn run(args: GetArgs) -> Result<()> {
    let (kind, mut names) = match args.resource.split_once('/') {
        Some((k, n)) => (k.to_string(), vec![n.to_string()]),
        None => (args.resource.clone(), Vec::new()),
    };
    names.extend(args.names.iter().cloned());
    let reg = registry().await?;
    let selected = reg.select(&args.selection.selection()?).await?;
    let pool = ClientPool::new();
    // Building clients runs exec credential plugins, which can be slow: Ctrl-C stops that too.
    let (connected, mut errors) = tokio::select! {
        c = connect(&pool, selected, args.concurrency) => c,
        _ = tokio::signal::ctrl_c() => return Err(super::Interrupted.into()),
    };
    let query = GetQuery {
        kind,
        names,
        namespace: args.namespace.clone(),
        all_namespaces: args.all_namespaces,
        label_selector: args.selector.clone(),
        field_selector: args.field_selector.clone(),
        full_objects: args.sort_by.is_some(),
        discovery_cache: Some(DiscoveryCache::new(crate::home::dir().join("cache/discovery"))),
    };
    let tables = matches!(args.output, GetOutput::Table | GetOutput::Wide);
    if args.watch {
        if !tables {
            bail!("--watch prints tables: use -o table or -o wide");
        }
        let wide = args.output == GetOutput::Wide;
        let (headers, events) = (!args.no_headers, args.output_watch_events);
        return super::watch::run(connected, errors, query, wide, headers, events).await;
    }
    let fan = FanOut {
        concurrency: args.concurrency,
        timeout: args.timeout,
    };
    let progress = Progress::new(connected.len(), "get");
    let mut outcome = tokio::select! {
        o = get_observed(&connected, &query, tables, fan, |c| progress.done(c)) => o,
        _ = tokio::signal::ctrl_c() => return Err(super::Interrupted.into()),
    };
    progress.finish();
    errors.append(&mut outcome.errors);
    outcome.errors = errors;
    match args.output {
        GetOutput::Table | GetOutput::Wide => {
            let table = outcome.to_sorted_text_table(
                args.output == GetOutput::Wide,
                args.all_namespaces,
                args.sort_by.as_ref(),
            );
            if table.rows.is_empty() && !outcome.answers.is_empty() {
                eprintln!("No resources found");
            } else if !table.rows.is_empty() {
                print!("{}", table.render(!args.no_headers));
            }
            print_errors(&outcome.errors);
        }
        GetOutput::Json => println!(
            "{}",
            serde_json::to_string_pretty(&outcome.to_sorted_list(args.sort_by.as_ref()))?
        ),
        GetOutput::Yaml => print!(
            "{}",
            serde_saphyr::to_string(&outcome.to_sorted_list(args.sort_by.as_ref()))?
        ),
        GetOutput::Name => {
            let list = outcome.to_sorted_list(args.sort_by.as_ref());
            for item in &list.items {
                let kind = item.object["kind"]
                    .as_str()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let group = item.object["apiVersion"]
                    .as_str()
                    .and_then(|v| v.split_once('/'))
                    .map(|(g, _)| g);
                let name = item
                    .object
                    .pointer("/metadata/name")
                    .and_then(|n| n.as_str())
                    .unwrap_or_default();
                match group {
                    Some(g) => println!("{}\t{kind}.{g}/{name}", item.cluster),
                    None => println!("{}\t{kind}/{name}", item.cluster),
                }
            }
            print_errors(&outcome.errors);
        }
    }
    if outcome.all_failed() || (args.strict && !outcome.errors.is_empty()) {
        bail!(
            "{} of {} clusters failed",
            outcome.errors.len(),
            outcome.errors.len() + outcome.answers.len()
        );
    }
    Ok(())
}
