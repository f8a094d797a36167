//! `kubegenie logs`: container logs from the selected clusters, each line prefixed
//! `[cluster/pod/container]`; with `-f` the streams of every cluster are merged as lines arrive.

use super::common::{FleetArgs, exit_status, print_errors, usage};
use super::fleet::parse_duration;
use anyhow::Result;
use clap::Args;
use kubegenie_core::operation::{LogSource, LogsRequest};
use kubegenie_kube::ops::logs::{logs, stream_logs};
use std::io::Write;
use std::time::Duration;

/// Options of `kubegenie logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// `POD`, `pod/POD`, or `deploy/NAME` (every pod of the workload); omit with -l.
    pub target: Option<String>,
    /// Pods matching a label selector.
    #[arg(short = 'l', long)]
    pub selector: Option<String>,
    /// Container (default: the pod's default container).
    #[arg(short, long)]
    pub container: Option<String>,
    /// Every container of each pod.
    #[arg(long)]
    pub all_containers: bool,
    /// Keep streaming new lines.
    #[arg(short, long)]
    pub follow: bool,
    /// Only lines newer than this (5s, 2m).
    #[arg(long, value_parser = parse_duration)]
    pub since: Option<Duration>,
    /// Only the last N lines of each container (-1: all).
    #[arg(long, default_value_t = -1, allow_negative_numbers = true)]
    pub tail: i64,
    /// The previous instance of the container (after a restart).
    #[arg(short, long)]
    pub previous: bool,
    /// Prefix lines with their timestamp.
    #[arg(long)]
    pub timestamps: bool,
    /// Namespace (default: each cluster's context namespace).
    #[arg(short, long)]
    pub namespace: Option<String>,
    #[command(flatten)]
    pub fleet: FleetArgs,
}

fn request(args: &LogsArgs) -> Result<LogsRequest> {
    let source = match (&args.target, &args.selector) {
        (Some(_), Some(_)) => return usage("give either a pod or workload, or -l, not both"),
        (None, None) => return usage("name a pod (POD, deploy/NAME) or select pods with -l"),
        (Some(t), None) => LogSource::parse(t),
        (None, Some(l)) => LogSource::Selector(l.clone()),
    };
    Ok(LogsRequest {
        source,
        namespace: args.namespace.clone(),
        container: args.container.clone(),
        all_containers: args.all_containers,
        follow: args.follow,
        since_seconds: args.since.map(|d| d.as_secs().max(1)),
        tail: u64::try_from(args.tail).ok(),
        previous: args.previous,
        timestamps: args.timestamps,
    })
}

/// A closed stdout ends the command successfully; any other write error is an error.
fn closed_pipe(e: std::io::Error) -> Result<()> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(e.into())
    }
}

/// Runs `kubegenie logs`.
pub async fn run(args: LogsArgs) -> Result<()> {
    let req = request(&args)?;
    let fleet = args.fleet.connect().await?;
    print_errors(&fleet.errors);
    let total = fleet.clusters.len() + fleet.errors.len();
    let mut failed: Vec<String> = fleet.errors.iter().map(|e| e.cluster.clone()).collect();
    if req.follow {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let clusters = fleet.clusters.clone();
        let (fan, req2) = (fleet.fan, req.clone());
        let task = tokio::spawn(async move { stream_logs(&clusters, &req2, fan, tx).await });
        let mut out = std::io::stdout().lock();
        while let Some(item) = rx.recv().await {
            match item {
                Ok(line) => {
                    if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush()) {
                        // The reader went away (`| head`): stop quietly, as kubectl does.
                        task.abort();
                        return closed_pipe(e);
                    }
                }
                Err(e) => {
                    print_errors(std::slice::from_ref(&e));
                    failed.push(e.cluster);
                }
            }
        }
        task.await?;
    } else {
        let (lines, errors) = logs(&fleet.clusters, &req, fleet.fan).await;
        let mut out = std::io::stdout().lock();
        for l in &lines {
            if let Err(e) = writeln!(out, "{l}") {
                return closed_pipe(e);
            }
        }
        print_errors(&errors);
        failed.extend(errors.into_iter().map(|e| e.cluster));
    }
    failed.sort();
    failed.dedup();
    exit_status(failed.len(), total, args.fleet.strict)
}
