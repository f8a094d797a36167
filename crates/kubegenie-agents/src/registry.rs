//! The agent registry: which agents exist, the live instance of each (replaced on restart),
//! and their status as `kubegenie agents` shows it.

use crate::agent::{Agent, AgentContext, AgentDescriptor};
use crate::error::{AgentError, from_join};
use jiff::Timestamp;
use serde::Serialize;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// Makes a fresh instance of an agent (at registration and at every restart).
pub type AgentFactory = Arc<dyn Fn() -> Arc<dyn Agent> + Send + Sync>;

/// Where an agent is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AgentState {
    /// Registered, not initialised yet.
    Registered,
    /// Initialised and healthy.
    Ready,
    /// Working, with a problem.
    Degraded,
    /// Failing; the supervisor will heal or restart it.
    Failed,
    /// Being restarted.
    Restarting,
    /// Shut down.
    Stopped,
}

/// An agent's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentStatus {
    /// Name, domain, operations.
    #[serde(flatten)]
    pub descriptor: AgentDescriptor,
    /// State.
    pub state: AgentState,
    /// Tasks running now.
    pub active_tasks: usize,
    /// Tasks finished successfully.
    pub processed: u64,
    /// Tasks failed (errors, timeouts, panics).
    pub failed: u64,
    /// Restarts by the supervisor.
    pub restarts: u32,
    /// Last error, task or lifecycle.
    pub last_error: Option<String>,
    /// Last successful health check.
    pub last_heartbeat: Option<Timestamp>,
}

struct Slot {
    agent: Arc<dyn Agent>,
    factory: AgentFactory,
    status: AgentStatus,
}

/// The registry. Cheap to share (`Arc`); every method takes `&self`.
#[derive(Default)]
pub struct AgentRegistry {
    slots: RwLock<BTreeMap<String, Slot>>,
}

/// Runs a lifecycle call of `agent` on its own task, so a panic or a hang is contained: a
/// panic becomes [`AgentError::Panicked`], a hang [`AgentError::Timeout`].
pub async fn isolated<T, F>(agent: &str, limit: Duration, fut: F) -> Result<T, AgentError>
where
    F: Future<Output = Result<T, AgentError>> + Send + 'static,
    T: Send + 'static,
{
    let mut handle = tokio::spawn(fut);
    match tokio::time::timeout(limit, &mut handle).await {
        Ok(Ok(res)) => res,
        Ok(Err(join)) => Err(from_join(agent, join)),
        Err(_) => {
            handle.abort();
            Err(AgentError::Timeout(limit))
        }
    }
}

impl AgentRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Slot>> {
        self.slots.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, Slot>> {
        self.slots.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers an agent made by `factory`; its name must be new.
    pub fn register(&self, factory: AgentFactory) -> Result<String, AgentError> {
        let agent = factory();
        let descriptor = agent.descriptor();
        let name = descriptor.name.clone();
        let mut slots = self.write();
        if slots.contains_key(&name) {
            return Err(AgentError::Duplicate(name));
        }
        let status = AgentStatus {
            descriptor,
            state: AgentState::Registered,
            active_tasks: 0,
            processed: 0,
            failed: 0,
            restarts: 0,
            last_error: None,
            last_heartbeat: None,
        };
        slots.insert(
            name.clone(),
            Slot {
                agent,
                factory,
                status,
            },
        );
        Ok(name)
    }

    /// Removes an agent (after shutting it down, which is the caller's job).
    pub fn unregister(&self, name: &str) -> Option<Arc<dyn Agent>> {
        self.write().remove(name).map(|s| s.agent)
    }

    /// The live instance of `name`.
    pub fn get(&self, name: &str) -> Option<Arc<dyn Agent>> {
        self.read().get(name).map(|s| s.agent.clone())
    }

    /// The agent that handles `operation`.
    pub fn for_operation(&self, operation: &str) -> Option<String> {
        self.read()
            .iter()
            .find(|(_, s)| s.status.descriptor.operations.iter().any(|o| o == operation))
            .map(|(n, _)| n.clone())
    }

    /// Names, sorted.
    pub fn names(&self) -> Vec<String> {
        self.read().keys().cloned().collect()
    }

    /// Every agent's status, by name.
    pub fn statuses(&self) -> Vec<AgentStatus> {
        self.read().values().map(|s| s.status.clone()).collect()
    }

    /// One agent's status.
    pub fn status(&self, name: &str) -> Option<AgentStatus> {
        self.read().get(name).map(|s| s.status.clone())
    }

    /// Changes an agent's status.
    pub fn update(&self, name: &str, f: impl FnOnce(&mut AgentStatus)) {
        if let Some(s) = self.write().get_mut(name) {
            f(&mut s.status);
        }
    }

    /// Replaces `name`'s instance with a fresh one from its factory; returns the old and new.
    pub(crate) fn renew(&self, name: &str) -> Option<(Arc<dyn Agent>, Arc<dyn Agent>)> {
        let mut slots = self.write();
        let slot = slots.get_mut(name)?;
        let fresh = (slot.factory)();
        let old = std::mem::replace(&mut slot.agent, fresh.clone());
        Some((old, fresh))
    }

    /// Initialises one agent, recording the outcome in its state.
    pub async fn initialize(
        &self,
        name: &str,
        ctx: &AgentContext,
        limit: Duration,
    ) -> Result<(), AgentError> {
        let agent = self
            .get(name)
            .ok_or_else(|| AgentError::UnknownAgent(name.into()))?;
        let ctx = ctx.clone();
        let res = isolated(name, limit, async move { agent.initialize(&ctx).await }).await;
        self.update(name, |s| match &res {
            Ok(()) => {
                s.state = AgentState::Ready;
                s.last_heartbeat = Some(Timestamp::now());
            }
            Err(e) => {
                s.state = AgentState::Failed;
                s.last_error = Some(format!("initialize: {e}"));
            }
        });
        res
    }

    /// Initialises every agent; failures are recorded (the supervisor retries them), not fatal.
    pub async fn initialize_all(&self, ctx: &AgentContext, limit: Duration) {
        for name in self.names() {
            if let Err(e) = self.initialize(&name, ctx, limit).await {
                tracing::warn!(agent = %name, error = %e, "agent failed to initialise");
            }
        }
    }

    /// Shuts every agent down.
    pub async fn shutdown_all(&self, limit: Duration) {
        for name in self.names() {
            let Some(agent) = self.get(&name) else { continue };
            let res = isolated(&name, limit, async move { agent.shutdown().await }).await;
            self.update(&name, |s| {
                s.state = AgentState::Stopped;
                if let Err(e) = res {
                    s.last_error = Some(format!("shutdown: {e}"));
                }
            });
        }
    }
}
