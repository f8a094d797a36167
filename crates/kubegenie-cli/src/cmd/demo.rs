//! `kubegenie demo`: start the built-in demo fleet (a hub with ClusterProfiles for `prod-us`,
//! `prod-eu` and `staging`, with a bad rollout, an OOM-killed worker, risky RBAC and more) and
//! print how to reach it; register its clusters and serve the API and web page over them.

use anyhow::{Context, Result};
use clap::Args;
use jiff::{SignedDuration, Timestamp};
use kubegenie_kube::provider::ClusterProvider;
use kubegenie_kube::provider::kubeconfig::{Contexts, KubeconfigProvider};
use kubegenie_kube::registry::Registry;
use kubegenie_server::auth::token::{self, TokenSpec};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Options of `kubegenie demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address of the API and web page.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Sustained API requests per second per token (0: unlimited).
    #[arg(long, default_value_t = 50)]
    pub rate_limit: u32,
    /// Do not open a browser.
    #[arg(long)]
    pub no_open: bool,
    /// Kubeconfig to write the demo contexts into (default: demo-kubeconfig under the
    /// KubeGenie home).
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// Seed of names, uids and usage noise.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Speed of the simulated clocks relative to real time.
    #[arg(long, default_value_t = 1.0)]
    pub clock_speed: f64,
    /// Serve plain HTTP instead of HTTPS.
    #[arg(long)]
    pub http: bool,
}

/// Starts the fleet, writes its kubeconfig under the KubeGenie home, registers its clusters,
/// and serves the API and web page until Ctrl-C.
pub async fn run(args: DemoArgs) -> Result<()> {
    let run = super::sim::RunArgs {
        scenario: Some("demo".into()),
        clusters: 1,
        kubeconfig: args.kubeconfig.clone(),
        http: args.http,
        nodes: 0,
        kubernetes_version: String::new(),
        seed: args.seed,
        clock_speed: args.clock_speed,
    };
    let path = super::sim::kubeconfig_path(args.kubeconfig.as_deref(), "demo-kubeconfig")?;
    let fleet = super::sim::start_fleet("demo", &run).await?;
    fleet
        .write_kubeconfig(&path)
        .with_context(|| format!("cannot write kubeconfig {}", path.display()))?;
    for c in &fleet.clusters {
        let env = c.labels.get("env").map_or("", String::as_str);
        println!(
            "cluster {:<8} {:<6} {:<12} {:<8} {}",
            c.name,
            c.provider.as_str(),
            c.region,
            env,
            c.cluster.url()
        );
    }
    let k = path.display();
    println!("\nkubeconfig: {k}");
    println!("try:");
    println!("  export KUBECONFIG={k}");
    println!("  kubectl --context hub get clusterprofiles -n fleet-system");
    println!(
        "  kubectl --context prod-us get nodes -L node.kubernetes.io/instance-type,topology.kubernetes.io/zone"
    );
    println!("  kubectl --context prod-us get pods -A");
    println!(
        "  kubectl --context prod-us -n checkout rollout history deployment/checkout   # bad image at +1m"
    );
    println!("  kubectl --context prod-us top pods -n payments");
    let mut serve = super::serve::ServeArgs::at(args.addr);
    serve.rate_limit = args.rate_limit;
    let (server, store) = super::serve::bind(&serve).await?;
    let found = KubeconfigProvider {
        path: path.clone(),
        contexts: Contexts::All,
        labels: Default::default(),
    }
    .discover()
    .await?;
    Registry::new(store.clone()).upsert(&found.clusters).await?;
    let access = match super::serve::env_admin_token() {
        Some(fixed) => {
            token::bootstrap_admin(&store, Some(&fixed)).await?;
            fixed
        }
        None => {
            // The admin token is stored hashed and cannot be shown again: hand out a fresh
            // admin session token for this demo, valid for a day.
            let mut spec = TokenSpec::admin();
            spec.name = "demo".into();
            spec.expires_at = Some(Timestamp::now() + SignedDuration::from_hours(24));
            token::issue_replacing(&store, &spec).await?
        }
    };
    let url = format!("{}://{}/", server.scheme(), server.local_addr());
    println!("\nweb page and API: {url}");
    println!("API docs:         {url}docs/");
    println!("access token:     {access}");
    println!("  curl -H 'Authorization: Bearer {access}' {url}api/v1/clusters");
    if !args.no_open {
        open_browser(&format!("{url}#token={access}"));
    }
    println!("press Ctrl-C to stop");
    server.run(kubegenie_server::shutdown_signal()).await;
    store.close().await;
    fleet.shutdown().await;
    Ok(())
}

/// Opens `url` in the desktop's browser; without one, the printed URL is enough.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let spawned = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if spawned.is_err() {
        eprintln!("(no browser opener found; open the URL above yourself)");
    }
}
