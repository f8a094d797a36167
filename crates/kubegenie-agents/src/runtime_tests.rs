//! Behaviour of the runtime (orchestrator, registry, supervisor, periodic jobs) with scripted
//! test agents. Time is paused where waiting matters, so nothing depends on the machine's speed.

use crate::agent::{Agent, AgentContext, AgentDescriptor, AgentHealth, Task, TaskOutput};
use crate::error::AgentError;
use crate::orchestrator::{Backoff, Orchestrator, OrchestratorConfig, TaskRequest};
use crate::registry::{AgentRegistry, AgentState};
use crate::schedule::{Schedule, spawn_periodic};
use crate::supervisor::{Supervisor, Verdict};
use async_trait::async_trait;
use futures::FutureExt;
use kubegenie_core::task::TaskState;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

/// Counters shared by every instance a factory makes, so tests see across restarts.
#[derive(Default)]
struct Script {
    instances: AtomicU32,
    initialized: AtomicU32,
    healed: AtomicU32,
    shut_down: AtomicU32,
    calls: AtomicU32,
    /// Health checks fail while set.
    failing: AtomicBool,
    /// Health checks hang while set.
    hang_health: AtomicBool,
    /// Whether `self_heal` clears `failing`.
    heal_works: AtomicBool,
}

struct TestAgent {
    script: Arc<Script>,
}

#[async_trait]
impl Agent for TestAgent {
    fn descriptor(&self) -> AgentDescriptor {
        AgentDescriptor {
            name: "test".into(),
            domain: "testing".into(),
            operations: vec!["test.run".into()],
        }
    }

    async fn initialize(&self, _: &AgentContext) -> Result<(), AgentError> {
        self.script.initialized.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    async fn health_check(&self) -> AgentHealth {
        if self.script.hang_health.load(Ordering::SeqCst) {
            std::future::pending::<()>().await;
        }
        if self.script.failing.load(Ordering::SeqCst) {
            AgentHealth::Failing("scripted failure".into())
        } else {
            AgentHealth::Healthy
        }
    }

    /// `params.do`: `ok`, `sleep` (forever), `panic`, `fail`, or `flaky` (transient errors
    /// for the first `params.failures` calls).
    async fn handle(&self, task: Task, _: &AgentContext) -> Result<TaskOutput, AgentError> {
        let call = self.script.calls.fetch_add(1, Ordering::SeqCst) + 1;
        match task.params["do"].as_str().unwrap_or("ok") {
            "sleep" => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                Ok(TaskOutput::Json(json!("woke")))
            }
            "panic" => panic!("scripted panic"),
            "fail" => Err(AgentError::Failed("bad input".into())),
            "flaky" if call <= task.params["failures"].as_u64().unwrap_or(0) as u32 => {
                Err(AgentError::Transient(format!("flake {call}")))
            }
            _ => Ok(TaskOutput::Json(json!({"attempt": task.attempt}))),
        }
    }

    async fn self_heal(&self) -> Result<(), AgentError> {
        self.script.healed.fetch_add(1, Ordering::SeqCst);
        if self.script.heal_works.load(Ordering::SeqCst) {
            self.script.failing.store(false, Ordering::SeqCst);
        }
        Ok(())
    }

    async fn shutdown(&self) -> Result<(), AgentError> {
        self.script.shut_down.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

fn registry(script: &Arc<Script>) -> Arc<AgentRegistry> {
    let reg = Arc::new(AgentRegistry::new());
    let s = script.clone();
    reg.register(Arc::new(move || {
        s.instances.fetch_add(1, Ordering::SeqCst);
        Arc::new(TestAgent { script: s.clone() }) as Arc<dyn Agent>
    }))
    .unwrap();
    reg
}

fn config(workers: usize, capacity: usize) -> OrchestratorConfig {
    OrchestratorConfig {
        workers,
        queue_capacity: capacity,
        task_timeout: Duration::from_secs(10),
        max_attempts: 3,
        backoff: Backoff {
            base: Duration::from_secs(1),
            max: Duration::from_secs(8),
        },
        keep_finished: 100,
    }
}

fn req(what: Value) -> TaskRequest {
    TaskRequest::new("test.run", what)
}

/// An orchestrator without a store: sqlx's pool uses its own timers, which a paused clock
/// would fire (the store is covered by the tests that run on the real clock).
async fn orchestrator(workers: usize, capacity: usize) -> (Arc<Script>, Orchestrator) {
    let script = Arc::new(Script::default());
    let reg = registry(&script);
    reg.initialize_all(&AgentContext::default(), Duration::from_secs(1))
        .await;
    let orch = Orchestrator::start(reg, AgentContext::default(), config(workers, capacity), None);
    (script, orch)
}

#[tokio::test]
async fn a_task_succeeds_and_is_recorded_in_the_store() {
    let script = Arc::new(Script::default());
    let store = kubegenie_store::Store::open_memory().await.unwrap();
    let reg = registry(&script);
    reg.initialize_all(&AgentContext::default(), Duration::from_secs(1))
        .await;
    let orch = Orchestrator::start(reg, AgentContext::default(), config(2, 4), Some(store.clone()));
    let h = orch.submit(req(json!({"do": "ok"}))).await.unwrap();
    let id = h.id.clone();
    assert_eq!(h.wait().await.unwrap(), TaskOutput::Json(json!({"attempt": 1})));
    let rec = orch.task(&id).unwrap();
    assert_eq!(
        (rec.state, rec.attempts, rec.agent.as_str()),
        (TaskState::Succeeded, 1, "test")
    );
    let row = store.get_task(&id.0).await.unwrap().unwrap();
    assert_eq!(row.state, "succeeded");
    assert!(row.finished_at.is_some() && row.summary.is_some());
    let st = orch.registry().status("test").unwrap();
    assert_eq!((st.processed, st.failed, st.active_tasks), (1, 0, 0));
}

#[tokio::test]
async fn unknown_agents_and_operations_are_refused() {
    let (_, orch) = orchestrator(1, 1).await;
    let err = orch
        .submit(TaskRequest::new("cost.report", Value::Null))
        .await
        .unwrap_err();
    assert!(matches!(err, AgentError::UnknownAgent(_)), "{err}");
    let mut r = req(Value::Null);
    r.agent = Some("nobody".into());
    assert!(orch.submit(r).await.unwrap_err().to_string().contains("nobody"));
}

#[tokio::test(start_paused = true)]
async fn a_task_past_its_timeout_is_timed_out_and_the_queue_continues() {
    let (_, orch) = orchestrator(1, 4).await;
    let mut slow = req(json!({"do": "sleep"}));
    slow.timeout = Some(Duration::from_secs(5));
    let slow = orch.submit(slow).await.unwrap();
    let next = orch.submit(req(json!({"do": "ok"}))).await.unwrap();
    let slow_id = slow.id.clone();
    assert!(matches!(slow.wait().await, Err(AgentError::Timeout(_))));
    assert!(next.wait().await.is_ok());
    assert_eq!(orch.task(&slow_id).unwrap().state, TaskState::TimedOut);
    assert_eq!(orch.registry().status("test").unwrap().failed, 1);
}

#[tokio::test(start_paused = true)]
async fn queued_and_running_tasks_can_be_cancelled() {
    let (script, orch) = orchestrator(1, 4).await;
    let running = orch.submit(req(json!({"do": "sleep"}))).await.unwrap();
    let queued = orch.submit(req(json!({"do": "ok"}))).await.unwrap();
    // Let the worker pick the first task up.
    while orch.task(&running.id).unwrap().state != TaskState::Running {
        tokio::task::yield_now().await;
    }
    assert!(orch.cancel(&queued.id).await);
    assert!(orch.cancel(&running.id).await);
    let (rid, qid) = (running.id.clone(), queued.id.clone());
    assert!(matches!(running.wait().await, Err(AgentError::Cancelled)));
    assert!(matches!(queued.wait().await, Err(AgentError::Cancelled)));
    assert_eq!(orch.task(&rid).unwrap().state, TaskState::Cancelled);
    assert_eq!(orch.task(&qid).unwrap().state, TaskState::Cancelled);
    // The cancelled queued task never ran.
    assert_eq!(script.calls.load(Ordering::SeqCst), 1);
    assert!(
        !orch.cancel(&rid).await,
        "a finished task cannot be cancelled again"
    );
}

#[tokio::test(start_paused = true)]
async fn transient_errors_are_retried_with_backoff_and_permanent_ones_are_not() {
    let (_, orch) = orchestrator(1, 4).await;
    let start = tokio::time::Instant::now();
    let h = orch
        .submit(req(json!({"do": "flaky", "failures": 2})))
        .await
        .unwrap();
    let id = h.id.clone();
    assert_eq!(h.wait().await.unwrap(), TaskOutput::Json(json!({"attempt": 3})));
    // Back-off of 1 s then 2 s on the paused clock.
    assert_eq!(start.elapsed(), Duration::from_secs(3));
    let rec = orch.task(&id).unwrap();
    assert_eq!((rec.state, rec.attempts), (TaskState::Succeeded, 3));

    let h = orch.submit(req(json!({"do": "fail"}))).await.unwrap();
    let id = h.id.clone();
    assert!(matches!(h.wait().await, Err(AgentError::Failed(_))));
    assert_eq!(orch.task(&id).unwrap().attempts, 1);
}

#[tokio::test(start_paused = true)]
async fn retries_stop_at_the_attempt_limit() {
    let (_, orch) = orchestrator(1, 4).await;
    let h = orch
        .submit(req(json!({"do": "flaky", "failures": 10})))
        .await
        .unwrap();
    let id = h.id.clone();
    let err = h.wait().await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    let rec = orch.task(&id).unwrap();
    assert_eq!((rec.state, rec.attempts), (TaskState::Failed, 3));
    assert!(rec.error.unwrap().contains("flake 3"));
}

#[tokio::test]
async fn a_panicking_agent_fails_its_task_only_and_is_restarted_by_the_supervisor() {
    let (script, orch) = orchestrator(1, 4).await;
    let h = orch.submit(req(json!({"do": "panic"}))).await.unwrap();
    let err = h.wait().await.unwrap_err();
    assert!(err.to_string().contains("scripted panic"), "{err}");
    let st = orch.registry().status("test").unwrap();
    assert_eq!(st.state, AgentState::Failed);
    assert!(st.last_error.unwrap().contains("panicked"));
    // The process and the queue are fine.
    assert!(
        orch.submit(req(json!({"do": "ok"})))
            .await
            .unwrap()
            .wait()
            .await
            .is_ok()
    );

    let sup = Supervisor::new(
        orch.registry().clone(),
        AgentContext::default(),
        Default::default(),
    );
    assert_eq!(sup.round().await, [("test".to_string(), Verdict::Restarted)]);
    let st = orch.registry().status("test").unwrap();
    assert_eq!((st.state, st.restarts), (AgentState::Ready, 1));
    assert_eq!(script.instances.load(Ordering::SeqCst), 2);
    assert_eq!(script.shut_down.load(Ordering::SeqCst), 1);
    assert_eq!(script.initialized.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn the_queue_pushes_back_when_full() {
    let (_, orch) = orchestrator(1, 1).await;
    let busy = orch.submit(req(json!({"do": "sleep"}))).await.unwrap();
    while orch.task(&busy.id).unwrap().state != TaskState::Running {
        tokio::task::yield_now().await;
    }
    let waiting = orch.submit(req(json!({"do": "ok"}))).await.unwrap();
    let err = orch.try_submit(req(json!({"do": "ok"}))).await.unwrap_err();
    assert!(matches!(err, AgentError::QueueFull(1)), "{err}");
    // `submit` waits for room instead of failing.
    assert!(orch.submit(req(json!({"do": "ok"}))).now_or_never().is_none());
    orch.cancel(&busy.id).await;
    assert!(waiting.wait().await.is_ok());
}

#[tokio::test]
async fn the_supervisor_heals_then_restarts_failing_agents() {
    let script = Arc::new(Script::default());
    let reg = registry(&script);
    reg.initialize_all(&AgentContext::default(), Duration::from_secs(1))
        .await;
    let sup = Supervisor::new(reg.clone(), AgentContext::default(), Default::default());
    assert_eq!(sup.check("test").await, Verdict::Fine);
    assert!(reg.status("test").unwrap().last_heartbeat.is_some());

    script.failing.store(true, Ordering::SeqCst);
    script.heal_works.store(true, Ordering::SeqCst);
    assert_eq!(sup.check("test").await, Verdict::Healed);
    assert_eq!(script.instances.load(Ordering::SeqCst), 1);

    script.failing.store(true, Ordering::SeqCst);
    script.heal_works.store(false, Ordering::SeqCst);
    assert_eq!(sup.check("test").await, Verdict::Restarted);
    assert_eq!(script.healed.load(Ordering::SeqCst), 2);
    assert_eq!(script.instances.load(Ordering::SeqCst), 2);
    assert_eq!(reg.status("test").unwrap().restarts, 1);
}

#[tokio::test(start_paused = true)]
async fn a_hung_health_check_counts_as_failing() {
    let script = Arc::new(Script::default());
    let reg = registry(&script);
    reg.initialize_all(&AgentContext::default(), Duration::from_secs(1))
        .await;
    script.hang_health.store(true, Ordering::SeqCst);
    let sup = Supervisor::new(reg.clone(), AgentContext::default(), Default::default());
    // self_heal does not unhang it, so it is restarted.
    assert_eq!(sup.check("test").await, Verdict::Restarted);
    assert!(
        reg.status("test")
            .unwrap()
            .last_error
            .unwrap()
            .contains("did not answer")
    );
}

#[tokio::test]
async fn registering_a_name_twice_is_refused() {
    let script = Arc::new(Script::default());
    let reg = registry(&script);
    let s = script.clone();
    let err = reg
        .register(Arc::new(move || {
            Arc::new(TestAgent { script: s.clone() }) as Arc<dyn Agent>
        }))
        .unwrap_err();
    assert!(matches!(err, AgentError::Duplicate(ref n) if n == "test"));
    assert_eq!(reg.statuses().len(), 1);
    assert_eq!(reg.statuses()[0].state, AgentState::Registered);
}

#[tokio::test(start_paused = true)]
async fn periodic_jobs_are_tasks() {
    let (_, orch) = orchestrator(2, 8).await;
    let orch = Arc::new(orch);
    let job = spawn_periodic(
        orch.clone(),
        Schedule {
            every: Duration::from_secs(30),
            request: req(json!({"do": "ok"})),
        },
    );
    tokio::time::sleep(Duration::from_secs(95)).await;
    job.abort();
    // Ticks at 0, 30, 60 and 90 s.
    let tasks = orch.tasks();
    assert_eq!(tasks.len(), 4);
    assert!(tasks.iter().all(|t| t.operation == "test.run"));
}

#[tokio::test(start_paused = true)]
async fn shutdown_cancels_open_tasks_and_stops_agents() {
    let (script, orch) = orchestrator(1, 4).await;
    let busy = orch.submit(req(json!({"do": "sleep"}))).await.unwrap();
    orch.shutdown(Duration::from_secs(1)).await;
    assert!(matches!(busy.wait().await, Err(AgentError::Cancelled)));
    assert!(matches!(
        orch.submit(req(Value::Null)).await,
        Err(AgentError::ShuttingDown)
    ));
    assert_eq!(script.shut_down.load(Ordering::SeqCst), 1);
    assert_eq!(orch.registry().status("test").unwrap().state, AgentState::Stopped);
}
