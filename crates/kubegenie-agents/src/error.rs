//! Errors of agents and of the runtime around them.

use std::time::Duration;

/// Why an agent, a task or the orchestrator failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AgentError {
    /// A failure worth retrying (a cluster briefly unreachable, a conflict, a busy store).
    #[error("{0} (transient)")]
    Transient(String),
    /// A failure retrying will not fix (bad parameters, forbidden, a bug).
    #[error("{0}")]
    Failed(String),
    /// The task's parameters are invalid.
    #[error("invalid task parameters: {0}")]
    InvalidParams(String),
    /// No registered agent has that name or handles that operation.
    #[error("no agent {0:?} is registered (see `kubegenie agents`)")]
    UnknownAgent(String),
    /// An agent with that name is already registered.
    #[error("an agent named {0:?} is already registered")]
    Duplicate(String),
    /// The queue is full; retry later (back-pressure).
    #[error("the task queue is full ({0} tasks waiting); retry later or raise the queue capacity")]
    QueueFull(usize),
    /// The orchestrator is shutting down and accepts no new task.
    #[error("the orchestrator is shutting down")]
    ShuttingDown,
    /// The task exceeded its time limit.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// The task was cancelled.
    #[error("cancelled")]
    Cancelled,
    /// The agent panicked; the panic was contained and the agent will be restarted.
    #[error("agent {agent} panicked: {message}")]
    Panicked {
        /// Agent name.
        agent: String,
        /// The panic's message.
        message: String,
    },
}

impl AgentError {
    /// Whether retrying may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient(_))
    }
}

/// A panic payload as text.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-text panic payload".into())
}

/// What a [`tokio::task::JoinError`] means for an agent.
pub(crate) fn from_join(agent: &str, e: tokio::task::JoinError) -> AgentError {
    if e.is_panic() {
        AgentError::Panicked {
            agent: agent.to_string(),
            message: panic_message(&*e.into_panic()),
        }
    } else {
        AgentError::Cancelled
    }
}
