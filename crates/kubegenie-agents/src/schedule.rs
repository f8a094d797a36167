//! Periodic jobs: a task submitted every interval (a health scan every 30 s). A tick that finds
//! the queue full is skipped rather than queued behind itself.

use crate::error::AgentError;
use crate::orchestrator::{Orchestrator, TaskRequest};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// A periodic job.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// Interval between submissions (the first is at once).
    pub every: Duration,
    /// What to submit.
    pub request: TaskRequest,
}

/// Submits `schedule`'s task every interval until the handle is aborted or the orchestrator
/// shuts down.
pub fn spawn_periodic(orch: Arc<Orchestrator>, schedule: Schedule) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(schedule.every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tick.tick().await;
            match orch.try_submit(schedule.request.clone()).await {
                Ok(h) => {
                    tracing::debug!(task = %h.id, operation = %schedule.request.operation, "periodic task submitted")
                }
                Err(AgentError::ShuttingDown) => return,
                Err(e) => {
                    tracing::warn!(operation = %schedule.request.operation, error = %e, "periodic task skipped")
                }
            }
        }
    })
}
