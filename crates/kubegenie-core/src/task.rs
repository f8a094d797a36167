//! Tasks: a unit of work handed to an agent by the orchestrator, its id, its states and the
//! record kept of it (in the store, shown by `kubegenie tasks`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A task id: `t-` and 16 hex digits, unique per process and ordered by submission.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct TaskId(pub String);

impl TaskId {
    /// The id made from a sequence number and a per-process prefix (so ids from two processes
    /// writing to one store do not collide).
    pub fn new(prefix: u32, seq: u64) -> Self {
        Self(format!("t-{prefix:08x}{seq:08x}"))
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a task is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TaskState {
    /// Waiting in the queue.
    Queued,
    /// An agent works on it (possibly on a retry).
    Running,
    /// Finished with a result.
    Succeeded,
    /// Finished with an error (after any retries).
    Failed,
    /// Exceeded its time limit and was stopped.
    TimedOut,
    /// Cancelled before it finished.
    Cancelled,
}

impl TaskState {
    /// Every state.
    pub const ALL: [TaskState; 6] = [
        Self::Queued,
        Self::Running,
        Self::Succeeded,
        Self::Failed,
        Self::TimedOut,
        Self::Cancelled,
    ];

    /// The name used in output and in the store (`timed-out`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::TimedOut => "timed-out",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether the task is over.
    pub fn is_final(self) -> bool {
        !matches!(self, Self::Queued | Self::Running)
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for TaskState {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| format!("unknown task state {s:?}"))
    }
}

/// What is kept of a task: enough to list, watch and audit it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TaskRecord {
    /// Task id.
    pub id: TaskId,
    /// Agent that handles it.
    pub agent: String,
    /// What it does (`health.scan`).
    pub operation: String,
    /// Current state.
    pub state: TaskState,
    /// Attempts started so far (retries included).
    pub attempts: u32,
    /// When it was submitted (RFC 3339).
    pub submitted_at: String,
    /// When its first attempt started.
    pub started_at: Option<String>,
    /// When it reached a final state.
    pub finished_at: Option<String>,
    /// Last error, for failed, timed-out and cancelled tasks (and retried attempts).
    pub error: Option<String>,
    /// One line about the result (`12 findings on 3 clusters`).
    pub summary: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_and_know_when_they_are_final() {
        for s in TaskState::ALL {
            assert_eq!(s.as_str().parse::<TaskState>().unwrap(), s);
        }
        assert_eq!(serde_json::to_value(TaskState::TimedOut).unwrap(), "timed-out");
        assert!(TaskState::Cancelled.is_final());
        assert!(!TaskState::Running.is_final());
    }

    #[test]
    fn ids_sort_by_sequence() {
        assert!(TaskId::new(7, 9) < TaskId::new(7, 10));
        assert_eq!(TaskId::new(1, 2).to_string(), "t-0000000100000002");
    }
}
