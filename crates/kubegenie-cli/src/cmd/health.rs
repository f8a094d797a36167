//! `kubegenie health`: every health check on the selected clusters, findings with a CLUSTER
//! column, per-cluster scores and the fleet summary. The scan runs as a task of the health
//! agent, so it shows in `kubegenie tasks`.

use super::agents::runtime;
use super::fleet::{SelectionArgs, connect, parse_duration, registry};
use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use kubegenie_agents::health::agent::SCAN;
use kubegenie_agents::{AgentContext, TaskOutput, TaskRequest};
use kubegenie_core::finding::{HealthReport, Severity};
use kubegenie_core::render::TextTable;
use kubegenie_kube::fanout::FanOut;
use kubegenie_kube::pool::ClientPool;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// Output formats of `health`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HealthOutput {
    /// Findings, then scores and the fleet summary.
    Table,
    /// The table with the first remediation command of each finding.
    Wide,
    /// One JSON document: findings, errors, clusters, summary.
    Json,
    /// The same document as YAML.
    Yaml,
}

/// Options of `kubegenie health`.
#[derive(Debug, Args)]
pub struct HealthArgs {
    /// Only this namespace (node checks still run).
    #[arg(short, long)]
    pub namespace: Option<String>,
    /// Leave out findings below this severity (info, low, medium, high, critical).
    #[arg(long, default_value = "low")]
    pub min_severity: Severity,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = HealthOutput::Table)]
    pub output: HealthOutput,
    /// Which clusters.
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Time allowed per cluster.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Clusters scanned at the same time.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
}

/// Runs `kubegenie health`.
pub async fn run(args: HealthArgs) -> Result<()> {
    let reg = registry().await?;
    let selected = reg.select(&args.selection.selection()?).await?;
    let (connected, conn_errors) = connect(&ClientPool::new(), selected, args.concurrency).await;
    let ctx = AgentContext {
        clusters: Arc::new(connected),
        fan_out: FanOut {
            concurrency: args.concurrency,
            timeout: args.timeout,
        },
    };
    let orch = runtime(ctx, Some(reg.store().clone())).await;
    let params = json!({"namespace": args.namespace, "minSeverity": args.min_severity});
    let mut req = TaskRequest::new(SCAN, params);
    // The per-cluster timeout bounds each cluster; the task only needs room for them all.
    req.timeout = Some(args.timeout * 4 + Duration::from_secs(30));
    let handle = orch.submit(req).await?;
    let TaskOutput::Health(mut report) = handle.wait().await? else {
        bail!("the health agent returned no health report");
    };
    orch.shutdown(Duration::from_secs(5)).await;
    report.errors.extend(conn_errors);
    report.summary.failed_clusters = report.errors.len();
    match args.output {
        HealthOutput::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        HealthOutput::Yaml => print!("{}", serde_saphyr::to_string(&report)?),
        HealthOutput::Table | HealthOutput::Wide => print_report(&report, args.output == HealthOutput::Wide),
    }
    if report.clusters.is_empty() && !report.errors.is_empty() {
        bail!("no cluster could be scanned ({} failed)", report.errors.len());
    }
    Ok(())
}

fn print_report(r: &HealthReport, wide: bool) {
    let mut headers = vec!["CLUSTER", "SEVERITY", "CHECK", "NAMESPACE", "OBJECT", "MESSAGE"];
    if wide {
        headers.push("FIX");
    }
    let mut t = TextTable::new(headers.into_iter().map(String::from).collect());
    for f in &r.findings {
        let mut row = vec![
            f.cluster.clone(),
            f.severity.to_string(),
            f.id.clone(),
            f.namespace.clone().unwrap_or_default(),
            f.object_ref(),
            f.message.clone(),
        ];
        if wide {
            row.push(f.remediation.commands.first().cloned().unwrap_or_default());
        }
        t.rows.push(row);
    }
    if t.rows.is_empty() {
        println!("No problems found.");
    } else {
        print!("{}", t.render(true));
    }
    println!();
    let mut scores = TextTable::new(
        [
            "CLUSTER",
            "SCORE",
            "CRITICAL",
            "HIGH",
            "MEDIUM",
            "LOW",
            "UNREADABLE",
        ]
        .map(String::from)
        .to_vec(),
    );
    for c in &r.clusters {
        let n = |s: Severity| c.findings.get(&s).copied().unwrap_or(0).to_string();
        scores.rows.push(vec![
            c.cluster.clone(),
            c.score.to_string(),
            n(Severity::Critical),
            n(Severity::High),
            n(Severity::Medium),
            n(Severity::Low),
            if c.unreadable.is_empty() {
                "-".into()
            } else {
                c.unreadable.join("; ")
            },
        ]);
    }
    for e in &r.errors {
        scores.rows.push(vec![
            e.cluster.clone(),
            "-".into(),
            "-".into(),
            "-".into(),
            "-".into(),
            "-".into(),
            format!("{:?}: {}", e.reason, e.message),
        ]);
    }
    print!("{}", scores.render(true));
    let s = &r.summary;
    let counts: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .filter_map(|sev| s.findings.get(sev).map(|n| format!("{n} {sev}")))
        .collect();
    println!(
        "\nFleet: {} cluster(s) scanned, {} failed, {} healthy, worst score {}; findings: {}",
        s.clusters,
        s.failed_clusters,
        s.healthy_clusters,
        s.worst_score,
        if counts.is_empty() {
            "none".into()
        } else {
            counts.join(", ")
        }
    );
    for e in &r.errors {
        eprintln!(
            "error: cluster {}: {:?}: {} ({})",
            e.cluster,
            e.reason,
            e.message,
            e.reason.hint()
        );
    }
}
