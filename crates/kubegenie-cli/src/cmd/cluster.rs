//! `kubegenie cluster …`: the cluster registry — add (kubeconfig contexts or a bare-metal
//! endpoint), list, show, remove, use, label, discover (ClusterProfiles on a hub) and health.
//! Parsing and rendering only: the rules are in `kubegenie_kube::registry`.

mod render;

use super::fleet::{SelectionArgs, parse_duration, registry};
use anyhow::{Context, Result, bail};
use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use kubegenie_kube::fanout::FanOut;
use kubegenie_kube::pool::ClientPool;
use kubegenie_kube::provider::baremetal::BareMetalProvider;
use kubegenie_kube::provider::clusterprofile::ClusterProfileProvider;
use kubegenie_kube::provider::kubeconfig::{Contexts, KubeconfigProvider};
use kubegenie_kube::provider::{ClusterProvider, Found};
use kubegenie_kube::registry::{Registry, parse_label_changes, parse_labels};
use kubegenie_kube::source::ClusterSource;
use kubegenie_kube::{health, kubeconfig};
use kubegenie_store::Store;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// Aligned columns.
    Table,
    /// One JSON document.
    Json,
    /// One YAML document.
    Yaml,
}

/// `kubegenie cluster`.
#[derive(Debug, Args)]
pub struct ClusterArgs {
    #[command(subcommand)]
    command: ClusterCommand,
}

#[derive(Debug, Subcommand)]
enum ClusterCommand {
    /// Register clusters: kubeconfig contexts, or one bare-metal endpoint.
    Add(AddArgs),
    /// List registered clusters.
    #[command(alias = "ls")]
    List(ListArgs),
    /// Show one cluster.
    Show(ShowArgs),
    /// Unregister clusters (all or none).
    #[command(alias = "rm")]
    Remove(RemoveArgs),
    /// Make a cluster the default target of commands.
    Use(UseArgs),
    /// Set (key=value) or remove (key-) cluster labels.
    Label(LabelArgs),
    /// Register the clusters of a hub's ClusterProfiles (multicluster.x-k8s.io/v1alpha1).
    Discover(DiscoverArgs),
    /// Check reachability, API latency, version and nodes of clusters.
    Health(HealthArgs),
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("mode").required(true).args(["all_contexts", "context", "server"])))]
struct AddArgs {
    /// Name to register a bare-metal endpoint (or a single --context) under.
    name: Option<String>,
    /// Kubeconfig file (default: the files of KUBECONFIG, else ~/.kube/config).
    #[arg(long, conflicts_with = "server")]
    kubeconfig: Option<PathBuf>,
    /// Register every context of the kubeconfig.
    #[arg(long)]
    all_contexts: bool,
    /// Register these contexts (repeatable).
    #[arg(long, conflicts_with = "all_contexts")]
    context: Vec<String>,
    /// API server URL of a bare-metal cluster.
    #[arg(long, requires = "name")]
    server: Option<String>,
    /// CA bundle (PEM) of the API server.
    #[arg(long, requires = "server")]
    ca_file: Option<PathBuf>,
    /// File holding a bearer token.
    #[arg(long, requires = "server", conflicts_with = "token_env")]
    token_file: Option<PathBuf>,
    /// Environment variable holding a bearer token (read at each use).
    #[arg(long, requires = "server")]
    token_env: Option<String>,
    /// Client certificate (PEM).
    #[arg(long, requires_all = ["server", "client_key"])]
    client_cert: Option<PathBuf>,
    /// Client key (PEM).
    #[arg(long, requires_all = ["server", "client_cert"])]
    client_key: Option<PathBuf>,
    /// Do not verify the server's certificate (dangerous).
    #[arg(long, requires = "server")]
    insecure: bool,
    /// Labels for the new clusters, key=value (repeatable).
    #[arg(long = "label", short = 'l')]
    labels: Vec<String>,
}

#[derive(Debug, Args)]
struct ListArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Output::Table)]
    output: Output,
}

#[derive(Debug, Args)]
struct ShowArgs {
    /// Cluster name.
    name: String,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Output::Yaml)]
    output: Output,
}

#[derive(Debug, Args)]
struct RemoveArgs {
    /// Cluster names.
    #[arg(required = true)]
    names: Vec<String>,
}

#[derive(Debug, Args)]
struct UseArgs {
    /// Cluster name.
    name: String,
}

#[derive(Debug, Args)]
struct LabelArgs {
    /// Cluster name.
    name: String,
    /// key=value to set, key- to remove.
    #[arg(required = true)]
    changes: Vec<String>,
}

#[derive(Debug, Args)]
struct DiscoverArgs {
    /// The hub: a registered cluster, or a kubeconfig context.
    #[arg(long)]
    hub: String,
    /// Kubeconfig file for the hub and the profiles' contexts (default: KUBECONFIG files).
    #[arg(long)]
    kubeconfig: Option<PathBuf>,
    /// Reach profile PROFILE through kubeconfig context CONTEXT (repeatable).
    #[arg(long, value_name = "PROFILE=CONTEXT")]
    context_for: Vec<String>,
    /// Provider file naming exec credential plugins for the profiles' access providers
    /// (default: $KUBEGENIE_HOME/clusterprofile-providers.json when it exists).
    #[arg(long, alias = "clusterprofile-provider-file")]
    provider_file: Option<PathBuf>,
    /// Only profiles of this namespace.
    #[arg(short, long)]
    namespace: Option<String>,
    /// Show what would be registered, register nothing.
    #[arg(long)]
    dry_run: bool,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Output::Table)]
    output: Output,
}

#[derive(Debug, Args)]
struct HealthArgs {
    #[command(flatten)]
    selection: SelectionArgs,
    /// Time allowed per cluster (e.g. 10s, 500ms, 1m).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    timeout: Duration,
    /// Clusters checked at the same time.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Exit non-zero when any cluster is unhealthy (default: only when all are).
    #[arg(long)]
    strict: bool,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Output::Table)]
    output: Output,
}

/// Runs `kubegenie cluster …`.
pub async fn run(args: ClusterArgs) -> Result<()> {
    let reg = registry().await?;
    let res = match args.command {
        ClusterCommand::Add(a) => add(&reg, a).await,
        ClusterCommand::List(a) => render::list(&reg, a.output).await,
        ClusterCommand::Show(a) => render::show(&reg, &a.name, a.output).await,
        ClusterCommand::Remove(a) => {
            reg.remove(&a.names).await?;
            for n in &a.names {
                println!("cluster {n} removed");
            }
            Ok(())
        }
        ClusterCommand::Use(a) => {
            reg.use_cluster(&a.name).await?;
            println!("current cluster is now {}", a.name);
            Ok(())
        }
        ClusterCommand::Label(a) => {
            let changes = parse_label_changes(&a.changes)?;
            let labels = reg.label(&a.name, &changes).await?;
            println!("cluster {} labeled: {}", a.name, render::labels(&labels));
            Ok(())
        }
        ClusterCommand::Discover(a) => discover(&reg, a).await,
        ClusterCommand::Health(a) => health_cmd(&reg, a).await,
    };
    reg.store().close().await;
    res
}

async fn add(reg: &Registry<Store>, a: AddArgs) -> Result<()> {
    let labels = parse_labels(&a.labels)?;
    let found = if let Some(server) = a.server {
        if a.insecure {
            eprintln!(
                "WARNING: --insecure turns off TLS verification for {server}: anyone on the network path can impersonate this cluster and read its credentials."
            );
        }
        let source = ClusterSource::BareMetal {
            server,
            ca_file: a.ca_file.map(absolute),
            token_file: a.token_file.map(absolute),
            token_env: a.token_env,
            client_cert_file: a.client_cert.map(absolute),
            client_key_file: a.client_key.map(absolute),
            insecure: a.insecure,
        };
        let name = a.name.context("a bare-metal cluster needs a NAME")?;
        BareMetalProvider { name, source, labels }.discover().await?
    } else {
        let files = kubeconfig::files(a.kubeconfig.as_deref());
        if files.is_empty() {
            bail!("no kubeconfig: pass --kubeconfig PATH or set KUBECONFIG");
        }
        if a.name.is_some() && a.context.len() != 1 {
            bail!("NAME renames a single --context; with several contexts the context names are used");
        }
        let mut found = Found::default();
        if a.all_contexts {
            for path in files {
                let more = KubeconfigProvider {
                    path,
                    contexts: Contexts::All,
                    labels: labels.clone(),
                }
                .discover()
                .await?;
                // As kubectl merges KUBECONFIG, the first file defining a context wins.
                for c in more.clusters {
                    if !found.clusters.iter().any(|f| f.name == c.name) {
                        found.clusters.push(c);
                    }
                }
            }
        } else {
            let mut all = Vec::new();
            for f in &files {
                all.extend(kubeconfig::contexts(f)?);
            }
            for wanted in &a.context {
                let Some(info) = all.iter().find(|c| &c.context == wanted) else {
                    bail!(
                        "context {wanted:?} not found in {}; available contexts: {}",
                        files
                            .iter()
                            .map(|f| f.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                        if all.is_empty() {
                            "none".to_string()
                        } else {
                            all.iter()
                                .map(|c| c.context.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        }
                    );
                };
                let more = KubeconfigProvider {
                    path: info.path.clone(),
                    contexts: Contexts::Only(vec![wanted.clone()]),
                    labels: labels.clone(),
                }
                .discover()
                .await?;
                found.clusters.extend(more.clusters);
            }
        }
        if let (Some(name), [one]) = (a.name, found.clusters.as_mut_slice()) {
            one.name = name;
        }
        found
    };
    reg.add(&found.clusters).await?;
    for c in &found.clusters {
        println!("cluster {} added ({})", c.name, c.source.provider());
    }
    Ok(())
}

async fn discover(reg: &Registry<Store>, a: DiscoverArgs) -> Result<()> {
    let kubeconfigs = kubeconfig::files(a.kubeconfig.as_deref());
    let hub = match reg.get(&a.hub).await {
        Ok(c) => c.source,
        Err(_) => {
            let mut hub = None;
            for f in &kubeconfigs {
                if kubeconfig::contexts(f)?.iter().any(|c| c.context == a.hub) {
                    hub = Some(ClusterSource::Kubeconfig {
                        path: absolute(f.clone()),
                        context: a.hub.clone(),
                    });
                    break;
                }
            }
            match (hub, kubeconfigs.first()) {
                (Some(h), _) => h,
                (None, Some(first)) => {
                    kubeconfig::config_for(first, &a.hub).await?;
                    bail!(
                        "hub {:?} is neither a registered cluster nor a kubeconfig context",
                        a.hub
                    )
                }
                (None, None) => bail!(
                    "hub {:?} is not a registered cluster and there is no kubeconfig",
                    a.hub
                ),
            }
        }
    };
    let mut context_for = BTreeMap::new();
    for m in &a.context_for {
        let (p, c) = m
            .split_once('=')
            .filter(|(p, c)| !p.is_empty() && !c.is_empty())
            .with_context(|| format!("--context-for {m:?}: expected PROFILE=CONTEXT"))?;
        context_for.insert(p.to_string(), c.to_string());
    }
    let provider_file = a
        .provider_file
        .or_else(|| Some(crate::home::dir().join("clusterprofile-providers.json")).filter(|p| p.exists()));
    let provider = ClusterProfileProvider {
        hub_name: a.hub.clone(),
        hub,
        kubeconfigs,
        context_for,
        provider_file,
        namespace: a.namespace,
    };
    let found = provider.discover().await?;
    for s in &found.skipped {
        eprintln!("skipped profile {}: {}", s.name, s.reason);
    }
    if found.clusters.is_empty() && !found.skipped.is_empty() {
        bail!(
            "no ClusterProfile on hub {} could be mapped to credentials",
            a.hub
        );
    }
    if !a.dry_run {
        reg.upsert(&found.clusters).await?;
    }
    render::discovered(&found, a.output, a.dry_run)
}

async fn health_cmd(reg: &Registry<Store>, a: HealthArgs) -> Result<()> {
    let clusters = reg.select(&a.selection.selection()?).await?;
    let fanout = FanOut {
        concurrency: a.concurrency.max(1),
        timeout: a.timeout,
    };
    let clusters_len = clusters.len();
    let targets = clusters.into_iter().map(|c| (c.name, c.source)).collect();
    let progress = crate::progress::Progress::new(clusters_len, "health");
    let pool = ClientPool::new();
    let reports = tokio::select! {
        r = health::check_observed(&pool, fanout, targets, |c| progress.done(c)) => r,
        _ = tokio::signal::ctrl_c() => return Err(super::Interrupted.into()),
    };
    progress.finish();
    for r in &reports {
        reg.record_health(r).await?;
    }
    render::health(&reports, a.output)?;
    let unhealthy = reports.iter().filter(|r| !r.healthy).count();
    if unhealthy > 0 && (a.strict || unhealthy == reports.len()) {
        bail!("{unhealthy} of {} clusters unhealthy", reports.len());
    }
    Ok(())
}

fn absolute(p: PathBuf) -> PathBuf {
    std::path::absolute(&p).unwrap_or(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2").unwrap(), Duration::from_secs(2));
        assert_eq!(parse_duration("1m").unwrap(), Duration::from_secs(60));
        assert!(parse_duration("x").is_err());
        assert!(parse_duration("3h").is_err());
    }
}
