//! The supervisor: polls every agent's health; a failing agent (a failing or hung health
//! check, a panic in a task, a failed initialisation) is asked to heal itself, and restarted
//! from its factory when that does not help. Every call is isolated, so a misbehaving agent
//! never takes the supervisor or the process down.

use crate::agent::{AgentContext, AgentHealth, LifecycleTimeouts};
use crate::error::AgentError;
use crate::registry::{AgentRegistry, AgentState, isolated};
use jiff::Timestamp;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// What the supervisor did about one agent in one round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Healthy (or degraded): nothing to do.
    Fine,
    /// It was failing and `self_heal` fixed it.
    Healed,
    /// It was failing and was restarted.
    Restarted,
    /// Restarting failed too; tried again next round.
    RestartFailed(String),
}

/// The supervisor.
pub struct Supervisor {
    registry: Arc<AgentRegistry>,
    ctx: AgentContext,
    timeouts: LifecycleTimeouts,
}

impl Supervisor {
    /// A supervisor of `registry`'s agents.
    pub fn new(registry: Arc<AgentRegistry>, ctx: AgentContext, timeouts: LifecycleTimeouts) -> Self {
        Self {
            registry,
            ctx,
            timeouts,
        }
    }

    async fn health(&self, name: &str) -> AgentHealth {
        let Some(agent) = self.registry.get(name) else {
            return AgentHealth::Failing("not registered".into());
        };
        let res = isolated(name, self.timeouts.health_check, async move {
            Ok(agent.health_check().await)
        })
        .await;
        match res {
            Ok(h) => h,
            Err(AgentError::Timeout(d)) => {
                AgentHealth::Failing(format!("health check did not answer within {d:?}"))
            }
            Err(e) => AgentHealth::Failing(format!("health check: {e}")),
        }
    }

    /// Checks one agent and acts on the result.
    pub async fn check(&self, name: &str) -> Verdict {
        let known_failed = self
            .registry
            .status(name)
            .is_some_and(|s| s.state == AgentState::Failed);
        let reason = match self.health(name).await {
            AgentHealth::Healthy if !known_failed => {
                self.mark(name, AgentState::Ready, None);
                return Verdict::Fine;
            }
            AgentHealth::Degraded(why) if !known_failed => {
                self.mark(name, AgentState::Degraded, Some(why));
                return Verdict::Fine;
            }
            AgentHealth::Failing(why) => why,
            // Healthy by its own account, but a task panicked or initialisation failed.
            _ => self
                .registry
                .status(name)
                .and_then(|s| s.last_error)
                .unwrap_or_else(|| "failed".into()),
        };
        tracing::warn!(agent = %name, %reason, "agent is failing; trying self-heal");
        self.registry.update(name, |s| {
            s.state = AgentState::Failed;
            s.last_error = Some(reason.clone());
        });
        if !known_failed && self.heal(name).await {
            return Verdict::Healed;
        }
        self.restart(name).await
    }

    async fn heal(&self, name: &str) -> bool {
        let Some(agent) = self.registry.get(name) else {
            return false;
        };
        let healed = isolated(
            name,
            self.timeouts.self_heal,
            async move { agent.self_heal().await },
        )
        .await;
        if let Err(e) = healed {
            self.registry
                .update(name, |s| s.last_error = Some(format!("self_heal: {e}")));
            return false;
        }
        if self.health(name).await == AgentHealth::Healthy {
            self.mark(name, AgentState::Ready, None);
            tracing::info!(agent = %name, "agent healed itself");
            return true;
        }
        false
    }

    async fn restart(&self, name: &str) -> Verdict {
        self.registry.update(name, |s| s.state = AgentState::Restarting);
        let Some((old, _)) = self.registry.renew(name) else {
            return Verdict::RestartFailed("not registered".into());
        };
        if let Err(e) = isolated(name, self.timeouts.shutdown, async move { old.shutdown().await }).await {
            tracing::warn!(agent = %name, error = %e, "old instance did not shut down cleanly");
        }
        self.registry.update(name, |s| s.restarts += 1);
        match self
            .registry
            .initialize(name, &self.ctx, self.timeouts.initialize)
            .await
        {
            Ok(()) => {
                tracing::info!(agent = %name, "agent restarted");
                Verdict::Restarted
            }
            Err(e) => Verdict::RestartFailed(e.to_string()),
        }
    }

    fn mark(&self, name: &str, state: AgentState, why: Option<String>) {
        self.registry.update(name, |s| {
            s.state = state;
            s.last_heartbeat = Some(Timestamp::now());
            if why.is_some() {
                s.last_error = why;
            }
        });
    }

    /// One round over every agent.
    pub async fn round(&self) -> Vec<(String, Verdict)> {
        let mut out = Vec::new();
        for name in self.registry.names() {
            let v = self.check(&name).await;
            out.push((name, v));
        }
        out
    }

    /// Runs rounds every `every` until the handle is aborted.
    pub fn spawn(self, every: Duration) -> JoinHandle<()> {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                self.round().await;
            }
        })
    }
}
