//! `kubegenie audit -f PATH`: the security checks on manifests, offline, for CI pipelines.
//! Exit status: 0 when nothing reaches `--fail-on`, 1 when a finding does, 2 when an input
//! could not be read or a document is invalid (the rest is still audited and reported).

use super::security::findings_table;
use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use kubegenie_agents::security::manifests::{Invalid, Origin, Parsed, Source, parse, read_path};
use kubegenie_agents::security::{analyze, sarif};
use kubegenie_core::finding::{Finding, Severity, count_by_severity};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;

/// The exit status a command asks for without an error message.
#[derive(Debug)]
pub struct Exit(pub u8);

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit status {}", self.0)
    }
}

impl std::error::Error for Exit {}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditOutput {
    /// Human-readable table.
    Table,
    /// JSON: findings with their file, invalid documents, summary.
    Json,
    /// SARIF 2.1.0 for code-scanning tools.
    Sarif,
}

/// `kubegenie audit -f`.
#[derive(Debug, Args)]
pub struct ManifestAuditArgs {
    /// Manifest file, directory (read recursively: *.yaml, *.yml, *.json) or `-` for stdin;
    /// repeatable.
    #[arg(short = 'f', long = "filename", required = true)]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = AuditOutput::Table)]
    pub output: AuditOutput,
    /// Exit 1 when a finding is at or above this severity (info, low, medium, high, critical).
    #[arg(long)]
    pub fail_on: Option<Severity>,
    /// Only report findings at or above this severity.
    #[arg(long, default_value = "info")]
    pub min_severity: Severity,
}

#[derive(Serialize)]
struct Located<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a Origin>,
}

#[derive(Serialize)]
struct AuditSummary {
    files: usize,
    objects: usize,
    skipped: usize,
    invalid: usize,
    findings: BTreeMap<Severity, usize>,
}

#[derive(Serialize)]
struct AuditJson<'a> {
    findings: Vec<Located<'a>>,
    invalid: &'a [Invalid],
    summary: AuditSummary,
}

fn sources(paths: &[PathBuf]) -> Result<Vec<Source>> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text)?;
            out.push(Source {
                name: "-".into(),
                text,
            });
        } else {
            out.extend(read_path(p)?);
        }
    }
    Ok(out)
}

/// Runs the manifest audit.
pub async fn run(args: ManifestAuditArgs) -> Result<()> {
    let sources = sources(&args.files)?;
    let parsed = parse(&sources);
    let mut findings = analyze(&parsed.input);
    findings.retain(|f| f.severity >= args.min_severity);
    findings.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.key().cmp(&b.key())));
    match args.output {
        AuditOutput::Table => print_table(&findings, &parsed),
        AuditOutput::Json => {
            let doc = AuditJson {
                findings: findings
                    .iter()
                    .map(|f| Located {
                        finding: f,
                        file: parsed.origin(&f.kind, f.namespace.as_deref(), &f.name),
                    })
                    .collect(),
                invalid: &parsed.invalid,
                summary: AuditSummary {
                    files: sources.len(),
                    objects: parsed.objects,
                    skipped: parsed.skipped,
                    invalid: parsed.invalid.len(),
                    findings: count_by_severity(&findings),
                },
            };
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
        AuditOutput::Sarif => {
            let log = sarif::log(&findings, &parsed, env!("CARGO_PKG_VERSION"));
            println!("{}", serde_json::to_string_pretty(&log)?);
        }
    }
    for i in &parsed.invalid {
        eprintln!(
            "error: {} (document {}, line {}): {}",
            i.at.file, i.at.document, i.at.line, i.message
        );
    }
    if !parsed.invalid.is_empty() {
        return Err(Exit(2).into());
    }
    if let Some(min) = args.fail_on
        && findings.iter().any(|f| f.severity >= min)
    {
        return Err(Exit(1).into());
    }
    if parsed.objects == 0 {
        bail!("no Kubernetes object found in the given files");
    }
    Ok(())
}

fn print_table(findings: &[Finding], parsed: &Parsed) {
    if findings.is_empty() {
        println!("No findings in {} objects.", parsed.objects);
        return;
    }
    print!("{}", findings_table(findings, false));
    let counts = count_by_severity(findings);
    let summary: Vec<String> = counts.iter().rev().map(|(s, n)| format!("{n} {s}")).collect();
    println!(
        "\n{} findings ({}) in {} objects.",
        findings.len(),
        summary.join(", "),
        parsed.objects
    );
}
