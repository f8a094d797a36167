//! `kubegenie agents`: the agents built into this binary, each checked now (initialise and
//! health check, as the supervisor does), with task counts from the task history.

use super::cluster::Output;
use anyhow::Result;
use clap::Args;
use kubegenie_agents::health::agent::HealthAgent;
use kubegenie_agents::supervisor::Supervisor;
use kubegenie_agents::{Agent, AgentContext, AgentRegistry, AgentStatus, Orchestrator, OrchestratorConfig};
use kubegenie_core::render::TextTable;
use kubegenie_store::Store;
use std::sync::Arc;
use std::time::Duration;

/// Options of `kubegenie agents`.
#[derive(Debug, Args)]
pub struct AgentsArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Output::Table)]
    pub output: Output,
}

/// A registry of the built-in agents.
pub fn builtin() -> Arc<AgentRegistry> {
    let reg = Arc::new(AgentRegistry::new());
    let agents: [kubegenie_agents::registry::AgentFactory; 1] =
        [Arc::new(|| Arc::new(HealthAgent::default()) as Arc<dyn Agent>)];
    for f in agents {
        // Built-in names are distinct; a clash is a bug worth failing loudly in tests.
        reg.register(f).expect("built-in agent names are unique");
    }
    reg
}

/// The built-in agents, initialised, behind an orchestrator recording tasks in `store`.
pub async fn runtime(ctx: AgentContext, store: Option<Store>) -> Orchestrator {
    let reg = builtin();
    reg.initialize_all(&ctx, Duration::from_secs(30)).await;
    Orchestrator::start(reg, ctx, OrchestratorConfig::default(), store)
}

/// Runs `kubegenie agents`.
pub async fn run(args: AgentsArgs) -> Result<()> {
    let store = super::fleet::registry().await?.store().clone();
    let reg = builtin();
    let ctx = AgentContext::default();
    reg.initialize_all(&ctx, Duration::from_secs(30)).await;
    Supervisor::new(reg.clone(), ctx, Default::default())
        .round()
        .await;
    let history = store.recent_tasks(100_000).await?;
    let mut statuses = reg.statuses();
    for s in &mut statuses {
        let mine = history.iter().filter(|t| t.agent == s.descriptor.name);
        s.processed = mine.clone().filter(|t| t.state == "succeeded").count() as u64;
        s.failed = mine
            .clone()
            .filter(|t| matches!(t.state.as_str(), "failed" | "timed-out"))
            .count() as u64;
        s.active_tasks = mine.filter(|t| t.state == "running").count();
    }
    reg.shutdown_all(Duration::from_secs(5)).await;
    match args.output {
        Output::Json => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"items": statuses}))?
        ),
        Output::Yaml => print!(
            "{}",
            serde_saphyr::to_string(&serde_json::json!({"items": statuses}))?
        ),
        Output::Table => print!("{}", table(&statuses).render(true)),
    }
    Ok(())
}

fn table(statuses: &[AgentStatus]) -> TextTable {
    let headers = [
        "NAME",
        "DOMAIN",
        "OPERATIONS",
        "STATE",
        "ACTIVE",
        "PROCESSED",
        "FAILED",
        "RESTARTS",
        "HEARTBEAT",
        "LAST ERROR",
    ];
    let mut t = TextTable::new(headers.map(String::from).to_vec());
    for s in statuses {
        let state = serde_json::to_value(s.state)
            .ok()
            .and_then(|v| v.as_str().map(String::from));
        t.rows.push(vec![
            s.descriptor.name.clone(),
            s.descriptor.domain.clone(),
            s.descriptor.operations.join(","),
            state.unwrap_or_default(),
            s.active_tasks.to_string(),
            s.processed.to_string(),
            s.failed.to_string(),
            s.restarts.to_string(),
            s.last_heartbeat
                .map(|t| t.to_string())
                .unwrap_or_else(|| "<none>".into()),
            s.last_error.clone().unwrap_or_else(|| "<none>".into()),
        ]);
    }
    t
}
