//! `kubegenie audit`: the log of writes made through KubeGenie (who, what, where, result), or,
//! with `-f`, the offline security audit of manifests ([`super::audit_manifests`]).

use super::common::usage;
use super::fleet::parse_duration;
use anyhow::Result;
use clap::{Args, ValueEnum};
use kubegenie_core::render::TextTable;
use kubegenie_store::{AuditFilter, Store};
use serde_json::{Value, json};

/// Output formats of `audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditOutput {
    /// One row per entry (or finding).
    Table,
    /// `{"items": [...]}` for the log; findings, invalid documents and a summary with `-f`.
    Json,
    /// SARIF 2.1.0 for code-scanning tools (with `-f` only).
    Sarif,
}

/// Options of `kubegenie audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only entries newer than this: a duration (30m, 24h) or an RFC 3339 time.
    #[arg(long)]
    pub since: Option<String>,
    /// At most this many (the newest).
    #[arg(long)]
    pub limit: Option<i64>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = AuditOutput::Table)]
    pub output: AuditOutput,
    /// Audit manifests offline instead: a file, a directory (read recursively: *.yaml, *.yml,
    /// *.json) or `-` for stdin; repeatable.
    #[arg(short = 'f', long = "filename")]
    pub files: Vec<std::path::PathBuf>,
    /// With `-f`: exit 1 when a finding is at or above this severity.
    #[arg(long, requires = "files")]
    pub fail_on: Option<kubegenie_core::finding::Severity>,
    /// With `-f`: only report findings at or above this severity.
    #[arg(long, requires = "files")]
    pub min_severity: Option<kubegenie_core::finding::Severity>,
}

fn since(s: &str) -> Result<jiff::Timestamp> {
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Ok(t);
    }
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let d = match (num.parse::<u64>(), unit) {
        (Ok(n), "h") => std::time::Duration::from_secs(n * 3600),
        (Ok(n), "d") => std::time::Duration::from_secs(n * 86400),
        _ => parse_duration(s).or_else(|_| {
            usage(format!(
                "invalid --since {s:?}: use a duration (30m, 24h, 7d) or an RFC 3339 time"
            ))
        })?,
    };
    let span = jiff::SignedDuration::try_from(d)?;
    Ok(jiff::Timestamp::now().checked_sub(span)?)
}

/// Runs `kubegenie audit`.
pub async fn run(args: AuditArgs) -> Result<()> {
    use super::audit_manifests::{self as manifests, ManifestAuditArgs};
    if !args.files.is_empty() {
        let output = match args.output {
            AuditOutput::Table => manifests::AuditOutput::Table,
            AuditOutput::Json => manifests::AuditOutput::Json,
            AuditOutput::Sarif => manifests::AuditOutput::Sarif,
        };
        let m = ManifestAuditArgs {
            files: args.files,
            output,
            fail_on: args.fail_on,
            min_severity: args.min_severity.unwrap_or_default(),
        };
        return manifests::run(m).await;
    }
    if args.output == AuditOutput::Sarif {
        return usage("-o sarif is for `audit -f` (manifests); the log prints table or json");
    }
    let filter = AuditFilter {
        since: args.since.as_deref().map(since).transpose()?,
        limit: args.limit,
    };
    let store = Store::open(&crate::home::dir().join("kubegenie.db")).await?;
    let entries = store.list_audit(&filter).await?;
    match args.output {
        AuditOutput::Json => {
            let items: Vec<Value> = entries
                .iter()
                .map(|e| {
                    json!({"id": e.id, "time": e.at.to_string(), "user": e.actor, "operation": e.operation,
                        "clusters": e.clusters, "objects": e.objects, "dryRun": e.dry_run, "outcome": e.outcome})
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&json!({"items": items}))?);
        }
        AuditOutput::Table | AuditOutput::Sarif => {
            if entries.is_empty() {
                eprintln!("No audit entries");
                return Ok(());
            }
            let headers = ["Time", "User", "Operation", "Dry-Run", "Objects", "Result"];
            let mut t = TextTable::new(headers.map(String::from).to_vec());
            for e in &entries {
                let objects = e.objects.as_array().map_or(0, Vec::len);
                let result = e
                    .outcome
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(c, v)| format!("{c}={}", v["status"].as_str().unwrap_or("?")))
                    .collect::<Vec<_>>()
                    .join(",");
                t.rows.push(vec![
                    e.at.round(jiff::Unit::Second).unwrap_or(e.at).to_string(),
                    e.actor.clone(),
                    e.operation.clone(),
                    e.dry_run.clone(),
                    objects.to_string(),
                    result,
                ]);
            }
            print!("{}", t.render(true));
        }
    }
    Ok(())
}
