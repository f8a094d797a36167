//! `kubegenie tasks [--watch]`: the task history (queued, running and finished tasks of every
//! agent), newest first; `--watch` keeps printing tasks as they appear or change state.

use super::cluster::Output;
use super::fleet::{parse_duration, registry};
use anyhow::Result;
use clap::Args;
use kubegenie_core::render::TextTable;
use kubegenie_store::TaskRow;
use std::collections::HashMap;
use std::time::Duration;

/// Options of `kubegenie tasks`.
#[derive(Debug, Args)]
pub struct TasksArgs {
    /// Tasks shown.
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Keep watching: print each task again when its state changes (Ctrl-C to stop).
    #[arg(short, long)]
    pub watch: bool,
    /// Polling interval of `--watch`.
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    pub interval: Duration,
    /// Output format (with `--watch`, JSON prints one object per line).
    #[arg(short, long, value_enum, default_value_t = Output::Table)]
    pub output: Output,
}

fn duration(t: &TaskRow) -> String {
    let parse = |s: &Option<String>| s.as_deref().and_then(|s| s.parse::<jiff::Timestamp>().ok());
    match (parse(&t.started_at), parse(&t.finished_at)) {
        (Some(a), Some(b)) => {
            let ms = b.as_millisecond() - a.as_millisecond();
            if ms < 10_000 {
                format!("{ms}ms")
            } else {
                format!("{}s", ms / 1000)
            }
        }
        _ => "-".into(),
    }
}

fn row(t: &TaskRow) -> Vec<String> {
    vec![
        t.id.clone(),
        t.agent.clone(),
        t.operation.clone(),
        t.state.clone(),
        t.attempts.to_string(),
        t.submitted_at.clone(),
        duration(t),
        t.error.clone().or_else(|| t.summary.clone()).unwrap_or_default(),
    ]
}

fn headers() -> Vec<String> {
    [
        "ID",
        "AGENT",
        "OPERATION",
        "STATE",
        "ATTEMPTS",
        "SUBMITTED",
        "DURATION",
        "RESULT",
    ]
    .map(String::from)
    .to_vec()
}

fn json(t: &TaskRow) -> serde_json::Value {
    serde_json::json!({"id": t.id, "agent": t.agent, "operation": t.operation, "state": t.state,
        "attempts": t.attempts, "submittedAt": t.submitted_at, "startedAt": t.started_at,
        "finishedAt": t.finished_at, "error": t.error, "summary": t.summary})
}

/// Runs `kubegenie tasks`.
pub async fn run(args: TasksArgs) -> Result<()> {
    let store = registry().await?.store().clone();
    let tasks = store.recent_tasks(args.limit).await?;
    if !args.watch {
        let items: Vec<_> = tasks.iter().map(json).collect();
        match args.output {
            Output::Json => println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({"items": items}))?
            ),
            Output::Yaml => print!(
                "{}",
                serde_saphyr::to_string(&serde_json::json!({"items": items}))?
            ),
            Output::Table if tasks.is_empty() => eprintln!("No tasks found"),
            Output::Table => {
                let mut t = TextTable::new(headers());
                t.rows = tasks.iter().map(row).collect();
                print!("{}", t.render(true));
            }
        }
        return Ok(());
    }
    // Like `kubectl get -w`: the current list once, then a line per new task or state change.
    let mut seen: HashMap<String, (String, u32)> = HashMap::new();
    let mut first = true;
    loop {
        let mut tasks = store.recent_tasks(args.limit).await?;
        tasks.reverse();
        let changed: Vec<&TaskRow> = tasks
            .iter()
            .filter(|t| seen.get(&t.id) != Some(&(t.state.clone(), t.attempts)))
            .collect();
        match args.output {
            Output::Table => {
                let mut t = TextTable::new(headers());
                t.rows = changed.iter().map(|r| row(r)).collect();
                let text = t.render(first);
                let text = if first {
                    text
                } else {
                    text.lines().map(|l| format!("{l}\n")).collect()
                };
                print!("{text}");
            }
            _ => {
                for t in &changed {
                    println!("{}", json(t));
                }
            }
        }
        for t in &tasks {
            seen.insert(t.id.clone(), (t.state.clone(), t.attempts));
        }
        first = false;
        tokio::select! {
            _ = tokio::time::sleep(args.interval) => {}
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}
