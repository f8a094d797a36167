//! `kubegenie apply -f FILE|DIR|-`: server-side apply of multi-document YAML/JSON over the
//! selected clusters. Every document is checked first (locally, then by a server dry run on
//! every cluster); an invalid one is named and nothing is applied anywhere unless
//! `--continue-on-error`.

use super::common::{FleetArgs, print_errors, usage};
use super::write::{WriteArgs, plan, run_plan};
use anyhow::{Context, Result, bail};
use clap::Args;
use kubegenie_core::operation::{ApplyRequest, Manifest, Operation};
use kubegenie_kube::ops::manifest::{InvalidDocument, parse_manifests};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Options of `kubegenie apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Manifest files, directories (their .yaml, .yml and .json files) or `-` for stdin.
    #[arg(short = 'f', long = "filename", required = true)]
    pub files: Vec<PathBuf>,
    /// Recurse into directories.
    #[arg(short = 'R', long)]
    pub recursive: bool,
    /// Namespace for objects that name none.
    #[arg(short, long)]
    pub namespace: Option<String>,
    /// Apply to N clusters at a time; stop at the first batch with a failure.
    #[arg(long, value_name = "N")]
    pub rollout_batch: Option<usize>,
    /// Skip invalid documents and apply the others.
    #[arg(long)]
    pub continue_on_error: bool,
    /// Take over fields other managers own.
    #[arg(long)]
    pub force_conflicts: bool,
    /// Accepted for kubectl compatibility: apply is always server-side.
    #[arg(long, hide = true)]
    pub server_side: bool,
    #[command(flatten)]
    pub write: WriteArgs,
    #[command(flatten)]
    pub fleet: FleetArgs,
}

fn collect_files(path: &Path, recursive: bool, out: &mut Vec<PathBuf>) -> Result<()> {
    let meta = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if !meta.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .with_context(|| format!("cannot list {}", path.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if recursive {
                collect_files(&p, recursive, out)?;
            }
        } else if p
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(p);
        }
    }
    Ok(())
}

/// Reads every source; returns the manifests, the invalid documents, and whether stdin was read.
fn read_manifests(args: &ApplyArgs) -> Result<(Vec<Manifest>, Vec<InvalidDocument>, bool)> {
    let (mut ok, mut bad, mut stdin) = (Vec::new(), Vec::new(), false);
    for f in &args.files {
        if f.as_os_str() == "-" {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read stdin")?;
            stdin = true;
            let (m, b) = parse_manifests("-", &text);
            ok.extend(m);
            bad.extend(b);
            continue;
        }
        let mut files = Vec::new();
        collect_files(f, args.recursive, &mut files)?;
        for file in files {
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let (m, b) = parse_manifests(&file.display().to_string(), &text);
            ok.extend(m);
            bad.extend(b);
        }
    }
    Ok((ok, bad, stdin))
}

/// Runs `kubegenie apply`.
pub async fn run(args: ApplyArgs) -> Result<()> {
    if args.rollout_batch == Some(0) {
        return usage("--rollout-batch must be at least 1");
    }
    let (manifests, invalid, stdin) = read_manifests(&args)?;
    for d in &invalid {
        eprintln!("error: invalid document {}: {}", d.origin, d.reason);
    }
    if !invalid.is_empty() && !args.continue_on_error {
        bail!(
            "{} invalid document(s); nothing was applied (fix them, or pass --continue-on-error to apply the others)",
            invalid.len()
        );
    }
    if manifests.is_empty() {
        return usage("no objects to apply in the given files");
    }
    let req = ApplyRequest {
        manifests,
        namespace: args.namespace.clone(),
        force_conflicts: args.force_conflicts,
        rollout_batch: args.rollout_batch,
        continue_on_error: args.continue_on_error,
        dry_run: args.write.dry_run.into(),
    };
    let fleet = args.fleet.connect().await?;
    let plan = plan(&fleet, Operation::Apply(req)).await?;
    if !plan.rejected.is_empty() && !args.continue_on_error {
        print_errors(&plan.rejected);
        print_errors(&plan.errors);
        bail!(
            "{} document(s) were rejected; nothing was applied anywhere (fix them, or pass --continue-on-error)",
            plan.rejected.len()
        );
    }
    run_plan(&fleet, plan, &args.write, args.fleet.strict, stdin).await
}
