//! `kubegenie security` (Pod Security Standards, best practices, RBAC and exposure findings
//! with a compliance summary, over the selected clusters) and `kubegenie who-can`.

use super::fleet::{SelectionArgs, connect, parse_duration, registry};
use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use kubegenie_agents::security::rbac_rules::Request;
use kubegenie_agents::security::whocan::who_can;
use kubegenie_agents::security::{SecurityInput, SecurityReport, report};
use kubegenie_core::finding::{Finding, Severity};
use kubegenie_core::render::TextTable;
use kubegenie_core::selection::ClusterSelection;
use kubegenie_kube::fanout::FanOut;
use kubegenie_kube::pool::ClientPool;
use kubegenie_kube::snapshot::{Scope, collect_fleet};
use std::time::Duration;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// Human-readable table.
    Table,
    /// JSON.
    Json,
}

/// `kubegenie security`.
#[derive(Debug, Args)]
pub struct SecurityArgs {
    /// Which clusters.
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Only this namespace (cluster-scoped RBAC objects are still read).
    #[arg(short, long)]
    pub namespace: Option<String>,
    /// Only findings at or above this severity (info, low, medium, high, critical).
    #[arg(long, default_value = "info")]
    pub min_severity: Severity,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Output::Table)]
    pub output: Output,
    /// Time allowed per cluster.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub timeout: Duration,
}

/// `kubegenie who-can`.
#[derive(Debug, Args)]
pub struct WhoCanArgs {
    /// Verb (get, list, create, delete, escalate, ...).
    pub verb: String,
    /// Resource, optionally with group and subresource (pods, deployments.apps, pods/exec).
    pub resource: String,
    /// Namespace of the request (default: grants in any namespace).
    #[arg(short, long)]
    pub namespace: Option<String>,
    /// The cluster to ask (default: the current one, see `kubegenie cluster use`).
    #[arg(long)]
    pub cluster: Option<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Output::Table)]
    pub output: Output,
}

/// Runs `kubegenie security`.
pub async fn run(args: SecurityArgs) -> Result<()> {
    let reg = registry().await?;
    let selected = reg.select(&args.selection.selection()?).await?;
    let (connected, mut errors) = connect(&ClientPool::new(), selected, 16).await;
    let scope = Scope {
        namespace: args.namespace.clone(),
    };
    let fan = FanOut {
        concurrency: 16,
        timeout: args.timeout,
    };
    let (snaps, mut failed) = collect_fleet(&connected, &scope, fan).await;
    errors.append(&mut failed);
    let mut inputs = Vec::new();
    for snap in snaps {
        let Some(c) = connected.iter().find(|c| c.name == snap.cluster) else {
            continue;
        };
        let access = kubegenie_kube::access::collect(c, &scope).await;
        inputs.push(SecurityInput { snap, access });
    }
    let mut rep = report(&inputs, errors);
    rep.report.retain_at_least(args.min_severity);
    match args.output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&rep)?),
        Output::Table => print_report(&rep),
    }
    if rep.report.clusters.is_empty() && !rep.report.errors.is_empty() {
        bail!("no cluster could be analysed");
    }
    Ok(())
}

/// Prints findings as a table (what `security` and `audit -f` show by default).
pub fn findings_table(findings: &[Finding], with_cluster: bool) -> String {
    let mut headers = vec!["SEVERITY", "ID", "NAMESPACE", "OBJECT", "PROBLEM"];
    if with_cluster {
        headers.insert(0, "CLUSTER");
    }
    let mut t = TextTable::new(headers.into_iter().map(String::from).collect());
    for f in findings {
        let mut row = vec![
            f.severity.to_string(),
            f.id.clone(),
            f.namespace.clone().unwrap_or_else(|| "-".into()),
            f.object_ref(),
            f.evidence
                .first()
                .map_or_else(|| f.title.clone(), |e| format!("{}: {e}", f.title)),
        ];
        if with_cluster {
            row.insert(0, f.cluster.clone());
        }
        t.rows.push(row);
    }
    t.render(true)
}

fn print_report(rep: &SecurityReport) {
    if rep.report.findings.is_empty() {
        println!("No security findings.");
    } else {
        print!("{}", findings_table(&rep.report.findings, true));
    }
    println!();
    let mut t = TextTable::new(
        [
            "CLUSTER",
            "NAMESPACE",
            "PSS LEVEL",
            "ENFORCED",
            "SCORE",
            "FAILED CONTROLS",
        ]
        .map(String::from)
        .to_vec(),
    );
    for c in &rep.compliance {
        t.rows.push(vec![
            c.cluster.clone(),
            "*".into(),
            "-".into(),
            "-".into(),
            c.score.to_string(),
            format!("{}/{}", c.failed, c.passed + c.failed),
        ]);
        for n in &c.namespaces {
            t.rows.push(vec![
                c.cluster.clone(),
                n.namespace.clone(),
                n.pss_level.into(),
                n.pss_enforced.clone().unwrap_or_else(|| "-".into()),
                n.score.to_string(),
                n.failed.len().to_string(),
            ]);
        }
    }
    print!("{}", t.render(true));
    for e in &rep.report.errors {
        eprintln!(
            "error: cluster {}: {:?}: {} ({})",
            e.cluster,
            e.reason,
            e.message,
            e.reason.hint()
        );
    }
}

/// Runs `kubegenie who-can`.
pub async fn who_can_run(args: WhoCanArgs) -> Result<()> {
    let reg = registry().await?;
    let name = match args.cluster.clone() {
        Some(n) => n,
        None => reg
            .current()
            .await?
            .context("no cluster given: pass --cluster NAME or set one with `kubegenie cluster use NAME`")?,
    };
    let sel = ClusterSelection {
        clusters: vec![name.clone()],
        ..Default::default()
    };
    let selected = reg.select(&sel).await?;
    let (connected, errors) = connect(&ClientPool::new(), selected, 1).await;
    let Some(c) = connected.first() else {
        match errors.first() {
            Some(e) => bail!("cluster {name}: {}", e.message),
            None => bail!("no cluster named {name:?} is registered (see `kubegenie cluster list`)"),
        }
    };
    let access = kubegenie_kube::access::collect(c, &Scope::default()).await;
    for u in &access.unreadable {
        eprintln!("warning: cluster {name}: cannot read {u}: the answer may be incomplete");
    }
    let req = Request::parse(&args.verb, &args.resource);
    let grants = who_can(&access, &req, args.namespace.as_deref());
    match args.output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&grants)?),
        Output::Table => {
            let mut t = TextTable::new(
                ["SUBJECT KIND", "SUBJECT", "SCOPE", "VIA", "ROLE", "ONLY NAMES"]
                    .map(String::from)
                    .to_vec(),
            );
            for g in &grants {
                let subject = match &g.subject_namespace {
                    Some(ns) => format!("{ns}/{}", g.subject),
                    None => g.subject.clone(),
                };
                let names = if g.resource_names.is_empty() {
                    "-".into()
                } else {
                    g.resource_names.join(",")
                };
                t.rows.push(vec![
                    g.subject_kind.clone(),
                    subject,
                    g.scope.clone(),
                    g.via.clone(),
                    g.role.clone(),
                    names,
                ]);
            }
            print!("{}", t.render(true));
        }
    }
    Ok(())
}
