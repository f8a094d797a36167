//! What the multi-cluster commands other than `get` share: fan-out flags, connecting to the
//! selected clusters, printing error rows, usage errors (exit code 2) and who is acting.

use super::fleet::{SelectionArgs, connect, parse_duration, registry};
use anyhow::Result;
use clap::Args;
use kubegenie_core::outcome::ClusterError;
use kubegenie_kube::fanout::FanOut;
use kubegenie_kube::ops::get::Connected;
use kubegenie_kube::pool::ClientPool;
use std::time::Duration;

/// A mistake in how the command was called: exits with code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Returns a [`UsageError`].
pub fn usage<T>(message: impl Into<String>) -> Result<T> {
    Err(UsageError(message.into()).into())
}

/// Cluster selection and fan-out settings.
#[derive(Debug, Args)]
pub struct FleetArgs {
    /// Which clusters.
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Time allowed per cluster.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub request_timeout: Duration,
    /// Clusters worked on at the same time.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Exit non-zero when any cluster fails (default: only when all do).
    #[arg(long)]
    pub strict: bool,
}

/// The connected clusters and those that could not be connected.
pub struct Fleet {
    /// Ready to use.
    pub clusters: Vec<Connected>,
    /// Error rows for clusters whose credentials could not be read.
    pub errors: Vec<ClusterError>,
    /// Fan-out settings.
    pub fan: FanOut,
}

impl FleetArgs {
    /// Selects and connects.
    pub async fn connect(&self) -> Result<Fleet> {
        let reg = registry().await?;
        let selected = reg.select(&self.selection.selection()?).await?;
        let (clusters, errors) = connect(&ClientPool::new(), selected, self.concurrency).await;
        Ok(Fleet {
            clusters,
            errors,
            fan: FanOut {
                concurrency: self.concurrency,
                timeout: self.request_timeout,
            },
        })
    }
}

/// One line per failed cluster on stderr, with the class and a hint.
pub fn print_errors(errors: &[ClusterError]) {
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

/// Fails the command when every cluster failed, or any with `--strict`.
pub fn exit_status(failed: usize, total: usize, strict: bool) -> Result<()> {
    if failed > 0 && (failed >= total || strict) {
        anyhow::bail!("{failed} of {total} clusters failed");
    }
    Ok(())
}

/// Who is acting, for the audit log: the OS user (environment, else `id -un`).
pub fn actor() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .or_else(|| {
            let out = std::process::Command::new("id").arg("-un").output().ok()?;
            let name = String::from_utf8(out.stdout).ok()?.trim().to_string();
            (out.status.success() && !name.is_empty()).then_some(name)
        })
        .unwrap_or_else(|| "unknown".into())
}
