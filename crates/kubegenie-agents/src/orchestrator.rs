//! The orchestrator: a bounded task queue (submitters wait, or get `QueueFull`, when it is
//! full), a pool of workers, a time limit per attempt, cancellation, retries with exponential
//! back-off for transient errors, and task records kept in memory and in the store.
//!
//! Every attempt runs on its own tokio task, so an agent that panics fails that task only
//! (the agent is marked failed for the supervisor to restart) and a hung agent is aborted at
//! its time limit while the queue moves on.

use crate::agent::{AgentContext, Task, TaskOutput};
use crate::error::{AgentError, from_join};
use crate::registry::{AgentRegistry, AgentState};
use jiff::Timestamp;
use kubegenie_core::task::{TaskId, TaskRecord, TaskState};
use kubegenie_store::{Store, TaskRow};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

/// Exponential back-off between attempts.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    /// Delay after the first failed attempt.
    pub base: Duration,
    /// Largest delay.
    pub max: Duration,
}

impl Backoff {
    /// Delay after failed attempt number `attempt` (1-based): base, 2×base, 4×base, ... ≤ max.
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(16));
        self.base.saturating_mul(factor).min(self.max)
    }
}

/// Orchestrator settings.
#[derive(Debug, Clone, Copy)]
pub struct OrchestratorConfig {
    /// Tasks run at the same time.
    pub workers: usize,
    /// Tasks that may wait in the queue.
    pub queue_capacity: usize,
    /// Time limit of one attempt, unless the request sets one.
    pub task_timeout: Duration,
    /// Attempts for transient errors, unless the request sets them.
    pub max_attempts: u32,
    /// Delay between attempts.
    pub backoff: Backoff,
    /// Finished tasks kept in memory (the store keeps them all).
    pub keep_finished: usize,
}

impl Default for OrchestratorConfig {
    fn default() -> Self {
        Self {
            workers: 4,
            queue_capacity: 64,
            task_timeout: Duration::from_secs(120),
            max_attempts: 3,
            backoff: Backoff {
                base: Duration::from_secs(1),
                max: Duration::from_secs(30),
            },
            keep_finished: 1000,
        }
    }
}

/// A task to submit.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRequest {
    /// Agent to run it; `None` picks the agent that handles the operation.
    pub agent: Option<String>,
    /// Operation.
    pub operation: String,
    /// Parameters.
    pub params: Value,
    /// Time limit of one attempt.
    pub timeout: Option<Duration>,
    /// Attempts for transient errors.
    pub max_attempts: Option<u32>,
}

impl TaskRequest {
    /// A request for `operation` with `params` and default limits.
    pub fn new(operation: &str, params: Value) -> Self {
        Self {
            agent: None,
            operation: operation.to_string(),
            params,
            timeout: None,
            max_attempts: None,
        }
    }
}

/// How a task ended.
pub type TaskResult = Result<TaskOutput, AgentError>;

/// A submitted task: its id, and its result once it ends.
#[derive(Debug)]
pub struct TaskHandle {
    /// Task id.
    pub id: TaskId,
    rx: oneshot::Receiver<TaskResult>,
}

impl TaskHandle {
    /// Waits for the task to end.
    pub async fn wait(self) -> TaskResult {
        self.rx.await.unwrap_or(Err(AgentError::Cancelled))
    }
}

struct Entry {
    record: TaskRecord,
    cancel: watch::Sender<bool>,
    done: Option<oneshot::Sender<TaskResult>>,
}

struct Job {
    id: TaskId,
    agent: String,
    task: Task,
    timeout: Duration,
    max_attempts: u32,
    cancel: watch::Receiver<bool>,
}

struct Inner {
    registry: Arc<AgentRegistry>,
    ctx: AgentContext,
    config: OrchestratorConfig,
    store: Option<Store>,
    entries: Mutex<BTreeMap<TaskId, Entry>>,
    seq: AtomicU64,
    prefix: u32,
    tx: Mutex<Option<mpsc::Sender<Job>>>,
}

/// The orchestrator. Dropping it stops the workers; [`Orchestrator::shutdown`] does it
/// gracefully.
pub struct Orchestrator {
    inner: Arc<Inner>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

fn now() -> String {
    Timestamp::now().to_string()
}

fn row(r: &TaskRecord) -> TaskRow {
    TaskRow {
        id: r.id.0.clone(),
        agent: r.agent.clone(),
        operation: r.operation.clone(),
        state: r.state.as_str().to_string(),
        attempts: r.attempts,
        submitted_at: r.submitted_at.clone(),
        started_at: r.started_at.clone(),
        finished_at: r.finished_at.clone(),
        error: r.error.clone(),
        summary: r.summary.clone(),
    }
}

/// Resolves when `rx` says cancelled; never if its sender is gone.
async fn cancelled(rx: &mut watch::Receiver<bool>) {
    while !*rx.borrow_and_update() {
        if rx.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

impl Orchestrator {
    /// Starts the workers. Task records go to `store` when given.
    pub fn start(
        registry: Arc<AgentRegistry>,
        ctx: AgentContext,
        config: OrchestratorConfig,
        store: Option<Store>,
    ) -> Self {
        let (tx, rx) = mpsc::channel(config.queue_capacity.max(1));
        let inner = Arc::new(Inner {
            registry,
            ctx,
            config,
            store,
            entries: Mutex::new(BTreeMap::new()),
            seq: AtomicU64::new(0),
            // Distinguishes ids of processes sharing one store.
            prefix: std::process::id() ^ (Timestamp::now().as_second() as u32).rotate_left(16),
            tx: Mutex::new(Some(tx)),
        });
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        let workers = (0..config.workers.max(1))
            .map(|_| tokio::spawn(worker(inner.clone(), rx.clone())))
            .collect();
        Self {
            inner,
            workers: Mutex::new(workers),
        }
    }

    /// The registry the orchestrator dispatches to.
    pub fn registry(&self) -> &Arc<AgentRegistry> {
        &self.inner.registry
    }

    /// Submits a task, waiting for room in the queue when it is full (back-pressure).
    pub async fn submit(&self, req: TaskRequest) -> Result<TaskHandle, AgentError> {
        let agent = self.resolve(&req)?;
        let tx = self.sender()?;
        let permit = tx.reserve().await.map_err(|_| AgentError::ShuttingDown)?;
        let (job, handle) = self.inner.enqueue(agent, req).await;
        permit.send(job);
        Ok(handle)
    }

    /// Submits a task, or fails with [`AgentError::QueueFull`] at once when the queue is full.
    pub async fn try_submit(&self, req: TaskRequest) -> Result<TaskHandle, AgentError> {
        let agent = self.resolve(&req)?;
        let tx = self.sender()?;
        let permit = tx.try_reserve().map_err(|e| match e {
            mpsc::error::TrySendError::Full(()) => AgentError::QueueFull(self.inner.config.queue_capacity),
            mpsc::error::TrySendError::Closed(()) => AgentError::ShuttingDown,
        })?;
        let (job, handle) = self.inner.enqueue(agent, req).await;
        permit.send(job);
        Ok(handle)
    }

    fn resolve(&self, req: &TaskRequest) -> Result<String, AgentError> {
        let reg = &self.inner.registry;
        match &req.agent {
            Some(a) if reg.get(a).is_some() => Ok(a.clone()),
            Some(a) => Err(AgentError::UnknownAgent(a.clone())),
            None => reg
                .for_operation(&req.operation)
                .ok_or_else(|| AgentError::UnknownAgent(format!("for operation {}", req.operation))),
        }
    }

    fn sender(&self) -> Result<mpsc::Sender<Job>, AgentError> {
        let tx = self.inner.tx.lock().unwrap_or_else(|e| e.into_inner());
        tx.clone().ok_or(AgentError::ShuttingDown)
    }

    /// Cancels a task: a queued one never runs, a running one is aborted. Returns whether the
    /// task existed and was not over.
    pub async fn cancel(&self, id: &TaskId) -> bool {
        let queued = {
            let entries = self.inner.entries.lock().unwrap_or_else(|e| e.into_inner());
            match entries.get(id) {
                Some(e) if !e.record.state.is_final() => {
                    let _ = e.cancel.send(true);
                    e.record.state == TaskState::Queued
                }
                _ => return false,
            }
        };
        if queued {
            self.inner.finish(id, Err(AgentError::Cancelled)).await;
        }
        true
    }

    /// Records of the tasks in memory, oldest first.
    pub fn tasks(&self) -> Vec<TaskRecord> {
        let entries = self.inner.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.values().map(|e| e.record.clone()).collect()
    }

    /// One task's record.
    pub fn task(&self, id: &TaskId) -> Option<TaskRecord> {
        let entries = self.inner.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(id).map(|e| e.record.clone())
    }

    /// Stops accepting tasks, cancels the ones not finished, waits for the workers and shuts
    /// the agents down.
    pub async fn shutdown(&self, agent_timeout: Duration) {
        self.inner.tx.lock().unwrap_or_else(|e| e.into_inner()).take();
        let open: Vec<TaskId> = self
            .tasks()
            .into_iter()
            .filter(|r| !r.state.is_final())
            .map(|r| r.id)
            .collect();
        for id in open {
            self.cancel(&id).await;
        }
        let workers: Vec<_> = std::mem::take(&mut *self.workers.lock().unwrap_or_else(|e| e.into_inner()));
        for w in workers {
            let _ = w.await;
        }
        self.inner.registry.shutdown_all(agent_timeout).await;
    }
}

impl Drop for Orchestrator {
    fn drop(&mut self) {
        for w in self.workers.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            w.abort();
        }
    }
}

async fn worker(inner: Arc<Inner>, rx: Arc<tokio::sync::Mutex<mpsc::Receiver<Job>>>) {
    loop {
        let job = rx.lock().await.recv().await;
        let Some(job) = job else { return };
        inner.run(job).await;
    }
}

impl Inner {
    async fn enqueue(&self, agent: String, req: TaskRequest) -> (Job, TaskHandle) {
        let id = TaskId::new(self.prefix, self.seq.fetch_add(1, Ordering::Relaxed) + 1);
        let (cancel, cancel_rx) = watch::channel(false);
        let (done, rx) = oneshot::channel();
        let record = TaskRecord {
            id: id.clone(),
            agent: agent.clone(),
            operation: req.operation.clone(),
            state: TaskState::Queued,
            attempts: 0,
            submitted_at: now(),
            started_at: None,
            finished_at: None,
            error: None,
            summary: None,
        };
        self.persist(&record).await;
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).insert(
            id.clone(),
            Entry {
                record,
                cancel,
                done: Some(done),
            },
        );
        let job = Job {
            id: id.clone(),
            agent,
            task: Task {
                id: id.clone(),
                operation: req.operation,
                params: req.params,
                attempt: 0,
            },
            timeout: req.timeout.unwrap_or(self.config.task_timeout),
            max_attempts: req.max_attempts.unwrap_or(self.config.max_attempts).max(1),
            cancel: cancel_rx,
        };
        (job, TaskHandle { id, rx })
    }

    async fn persist(&self, r: &TaskRecord) {
        if let Some(store) = &self.store
            && let Err(e) = store.upsert_task(&row(r)).await
        {
            tracing::warn!(task = %r.id, error = %e, "cannot record the task in the store");
        }
    }

    /// Applies `f` to a task's record and persists it; `None` when the task is gone or over.
    async fn update(&self, id: &TaskId, f: impl FnOnce(&mut TaskRecord)) -> Option<()> {
        let record = {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            let e = entries.get_mut(id).filter(|e| !e.record.state.is_final())?;
            f(&mut e.record);
            e.record.clone()
        };
        self.persist(&record).await;
        Some(())
    }

    async fn run(&self, mut job: Job) {
        if *job.cancel.borrow() {
            self.finish(&job.id, Err(AgentError::Cancelled)).await;
            return;
        }
        let started = self
            .update(&job.id, |r| {
                r.state = TaskState::Running;
                r.started_at = Some(now());
            })
            .await;
        if started.is_none() {
            return;
        }
        let mut attempt = 0;
        let result = loop {
            attempt += 1;
            self.update(&job.id, |r| r.attempts = attempt).await;
            self.registry.update(&job.agent, |s| s.active_tasks += 1);
            let res = self.attempt(&job, attempt).await;
            self.registry
                .update(&job.agent, |s| s.active_tasks = s.active_tasks.saturating_sub(1));
            match res {
                Err(e) if e.is_transient() && attempt < job.max_attempts => {
                    let msg = e.to_string();
                    self.update(&job.id, |r| r.error = Some(format!("attempt {attempt}: {msg}")))
                        .await;
                    let delay = self.config.backoff.delay(attempt);
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = cancelled(&mut job.cancel) => break Err(AgentError::Cancelled),
                    }
                }
                other => break other,
            }
        };
        self.finish(&job.id, result).await;
    }

    async fn attempt(&self, job: &Job, attempt: u32) -> TaskResult {
        let Some(agent) = self.registry.get(&job.agent) else {
            return Err(AgentError::UnknownAgent(job.agent.clone()));
        };
        let task = Task {
            attempt,
            ..job.task.clone()
        };
        let ctx = self.ctx.clone();
        let mut handle = tokio::spawn(async move { agent.handle(task, &ctx).await });
        let mut cancel = job.cancel.clone();
        tokio::select! {
            r = tokio::time::timeout(job.timeout, &mut handle) => match r {
                Ok(Ok(res)) => res,
                Ok(Err(join)) => Err(from_join(&job.agent, join)),
                Err(_) => {
                    handle.abort();
                    Err(AgentError::Timeout(job.timeout))
                }
            },
            _ = cancelled(&mut cancel) => {
                handle.abort();
                Err(AgentError::Cancelled)
            }
        }
    }

    /// Ends a task once: records its final state, counts it for its agent, and hands the
    /// result to whoever waits.
    async fn finish(&self, id: &TaskId, result: TaskResult) {
        let state = match &result {
            Ok(_) => TaskState::Succeeded,
            Err(AgentError::Timeout(_)) => TaskState::TimedOut,
            Err(AgentError::Cancelled) => TaskState::Cancelled,
            Err(_) => TaskState::Failed,
        };
        let (record, done) = {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            let Some(e) = entries.get_mut(id).filter(|e| !e.record.state.is_final()) else {
                return;
            };
            e.record.state = state;
            e.record.finished_at = Some(now());
            match &result {
                Ok(out) => e.record.summary = Some(out.summary()),
                Err(err) => e.record.error = Some(err.to_string()),
            }
            (e.record.clone(), e.done.take())
        };
        self.persist(&record).await;
        self.registry.update(&record.agent, |s| match &result {
            Ok(_) => s.processed += 1,
            Err(AgentError::Cancelled) => {}
            Err(e) => {
                s.failed += 1;
                s.last_error = Some(format!("task {}: {e}", record.id));
                if matches!(e, AgentError::Panicked { .. }) {
                    s.state = AgentState::Failed;
                }
            }
        });
        self.prune();
        if let Some(done) = done {
            let _ = done.send(result);
        }
    }

    fn prune(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let finished: Vec<TaskId> = entries
            .iter()
            .filter(|(_, e)| e.record.state.is_final())
            .map(|(id, _)| id.clone())
            .collect();
        let excess = finished.len().saturating_sub(self.config.keep_finished);
        for id in finished.into_iter().take(excess) {
            entries.remove(&id);
        }
    }
}
