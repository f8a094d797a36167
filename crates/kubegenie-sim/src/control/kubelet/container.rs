//! One container as the kubelet tracks it: its current and last state, restart count, the
//! CRI's back-off bookkeeping, and when its next change is due (pull result, readiness, exit).

use super::images;
use crate::behaviour::{Behaviour, Fault};
use crate::clock::SimRng;
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use std::time::Duration;

/// The kubelet's back-off: 10 s doubling to 5 min, forgotten after 10 min without an update.
pub const BACKOFF_INITIAL: Duration = Duration::from_secs(10);
/// Longest back-off.
pub const BACKOFF_MAX: Duration = Duration::from_secs(300);

/// `t` plus `secs` seconds of simulated time.
pub fn after(t: Timestamp, secs: f64) -> Timestamp {
    t.checked_add(SignedDuration::from_secs_f64(secs.max(0.0)))
        .unwrap_or(t)
}

/// Seconds from `a` to `b` (negative when `b` is earlier).
pub fn secs(a: Timestamp, b: Timestamp) -> f64 {
    b.duration_since(a).as_secs_f64()
}

/// client-go's `flowcontrol.Backoff` for one key, as the kubelet uses it for container
/// restarts and image pulls.
#[derive(Debug, Clone, Default)]
pub struct Backoff {
    /// Current back-off.
    pub current: Duration,
    last_update: Option<Timestamp>,
}

impl Backoff {
    fn expired(&self, at: Timestamp) -> bool {
        self.last_update
            .is_none_or(|lu| secs(lu, at) > 2.0 * BACKOFF_MAX.as_secs_f64())
    }

    /// `IsInBackOffSince`: whether a restart after an exit at `event` must still wait at `now`.
    pub fn in_backoff_since(&self, event: Timestamp, now: Timestamp) -> bool {
        !self.expired(event) && secs(event, now) < self.current.as_secs_f64()
    }

    /// `Next`: a new attempt at `now` doubles the back-off (or starts it afresh).
    pub fn next(&mut self, now: Timestamp) {
        self.current = if self.expired(now) {
            BACKOFF_INITIAL
        } else {
            (self.current * 2).min(BACKOFF_MAX)
        };
        self.last_update = Some(now);
    }

    /// When the current back-off ends.
    pub fn until(&self) -> Option<Timestamp> {
        self.last_update.map(|lu| after(lu, self.current.as_secs_f64()))
    }
}

/// A finished run.
#[derive(Debug, Clone, PartialEq)]
pub struct Terminated {
    /// Exit code.
    pub exit_code: i32,
    /// `Completed`, `Error` or `OOMKilled`.
    pub reason: &'static str,
    /// Start of the run.
    pub started_at: Timestamp,
    /// End of the run.
    pub finished_at: Timestamp,
    /// Id of the run's container.
    pub container_id: String,
}

/// A container's state.
#[derive(Debug, Clone, PartialEq)]
pub enum State {
    /// Not running: `ContainerCreating`, `PodInitializing`, `ErrImagePull`, ...
    Waiting {
        /// Reason.
        reason: &'static str,
        /// Message, if the kubelet gives one.
        message: Option<String>,
    },
    /// Running since.
    Running(Timestamp),
    /// Exited.
    Terminated(Terminated),
}

/// What a pending container step does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// Pull (or find) the image, then start.
    Pull,
    /// The pull succeeds after this many milliseconds.
    PullDone(u64),
    /// The pull fails.
    PullFailed,
    /// The next sync reports ImagePullBackOff.
    PullBackOff,
    /// The sync after an exit: restart or CrashLoopBackOff.
    Sync,
    /// The crash back-off expired: start again.
    Restart,
}

/// What happens next to a container.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Due {
    /// A step.
    Step(Step),
    /// Passes its readiness (and startup) probe.
    Ready,
    /// A readiness probe fails.
    Probe,
    /// The process exits.
    Exit(i32, &'static str),
}

/// A readiness probe.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    initial_delay: f64,
    period: f64,
    failure: String,
}

/// One container of a pod.
#[derive(Debug, Clone)]
pub struct Ctr {
    /// Name.
    pub name: String,
    /// A plain (run-to-completion) init container.
    pub init: bool,
    /// Image as in the spec.
    pub image: String,
    /// `imagePullPolicy: Always`.
    pub pull_always: bool,
    /// Behaviour model.
    pub behaviour: Behaviour,
    /// Memory limit in bytes.
    pub mem_limit: Option<f64>,
    readiness: Option<Probe>,
    has_startup_probe: bool,
    /// The container's spec (resources and volume mounts are echoed in its status).
    pub spec: Value,
    /// Current state.
    pub state: State,
    /// The previous run.
    pub last: Option<Terminated>,
    /// Restarts so far.
    pub restart_count: u32,
    /// Runs started so far.
    pub runs: u32,
    /// Id of the current (or last) run.
    pub container_id: Option<String>,
    /// Ready.
    pub ready: bool,
    /// Started (startup probe passed).
    pub started: bool,
    /// Pending step.
    pub step: Option<(Timestamp, Step)>,
    /// When it becomes ready.
    pub ready_at: Option<Timestamp>,
    /// When it exits, with code and reason.
    pub exit_at: Option<(Timestamp, i32, &'static str)>,
    /// Next failing readiness probe.
    pub probe_at: Option<Timestamp>,
    /// Restart back-off.
    pub crash_backoff: Backoff,
    /// Image pull back-off.
    pub pull_backoff: Backoff,
}

fn probe(spec: &Value) -> Option<Probe> {
    let p = spec.get("readinessProbe").filter(|p| p.is_object())?;
    let num = |k: &str, d: f64| p.get(k).and_then(Value::as_f64).unwrap_or(d);
    let failure = if p.get("httpGet").is_some() {
        "HTTP probe failed with statuscode: 503".to_string()
    } else if let Some(t) = p.get("tcpSocket") {
        format!("dial tcp: connect to port {}: connection refused", t["port"])
    } else if let Some(e) = p.get("exec") {
        let cmd: Vec<&str> = e["command"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        format!("command \"{}\" exited with 1", cmd.join(" "))
    } else {
        "timeout: failed to connect service".to_string()
    };
    Some(Probe {
        initial_delay: num("initialDelaySeconds", 0.0),
        period: num("periodSeconds", 10.0).max(1.0),
        failure,
    })
}

impl Ctr {
    /// A container that has not started yet.
    pub fn new(spec: &Value, init: bool, behaviour: Behaviour, waiting: &'static str) -> Self {
        Self {
            name: spec["name"].as_str().unwrap_or_default().to_string(),
            init,
            image: spec["image"].as_str().unwrap_or_default().to_string(),
            pull_always: spec["imagePullPolicy"] == "Always",
            behaviour,
            mem_limit: super::resources::memory_limit(spec),
            readiness: probe(spec),
            has_startup_probe: spec.get("startupProbe").is_some_and(Value::is_object),
            spec: spec.clone(),
            state: State::Waiting {
                reason: waiting,
                message: None,
            },
            last: None,
            restart_count: 0,
            runs: 0,
            container_id: None,
            ready: false,
            started: false,
            step: None,
            ready_at: None,
            exit_at: None,
            probe_at: None,
            crash_backoff: Backoff::default(),
            pull_backoff: Backoff::default(),
        }
    }

    /// The next thing due, if any.
    pub fn next(&self) -> Option<(Timestamp, Due)> {
        let mut best: Option<(Timestamp, Due)> = None;
        let mut consider = |t: Option<Timestamp>, d: Due| {
            if let Some(t) = t
                && best.is_none_or(|(b, _)| t < b)
            {
                best = Some((t, d));
            }
        };
        consider(
            self.step.map(|s| s.0),
            Due::Step(self.step.map_or(Step::Pull, |s| s.1)),
        );
        consider(self.ready_at, Due::Ready);
        consider(self.probe_at, Due::Probe);
        if let Some((t, code, reason)) = self.exit_at {
            consider(Some(t), Due::Exit(code, reason));
        }
        best
    }

    /// Seconds between readiness probes.
    pub fn probe_period(&self) -> f64 {
        self.readiness.as_ref().map_or(10.0, |p| p.period)
    }

    /// What a failing readiness probe reports.
    pub fn probe_failure(&self) -> String {
        self.readiness.as_ref().map_or_else(
            || "HTTP probe failed with statuscode: 503".to_string(),
            |p| p.failure.clone(),
        )
    }

    /// Whether a plain init container finished successfully.
    pub fn succeeded(&self) -> bool {
        matches!(&self.state, State::Terminated(t) if t.exit_code == 0)
    }

    /// Whether the image pull is in flight.
    pub fn pulling(&self) -> bool {
        matches!(self.step, Some((_, Step::PullDone(_) | Step::PullFailed)))
    }

    /// Forgets every pending change (the pod is being stopped).
    pub fn freeze(&mut self) {
        self.step = None;
        self.ready_at = None;
        self.exit_at = None;
        self.probe_at = None;
        self.ready = false;
    }

    /// Starts a run at `t` and plans its readiness and exit. `key` identifies the container
    /// (`namespace/pod/container`) for random draws; `job` makes a healthy container finish;
    /// `oom_after` is when its memory passes the limit (see [`super::oom`]).
    pub fn start(
        &mut self,
        t: Timestamp,
        id: String,
        seed: u64,
        key: &str,
        job: bool,
        oom_after: Option<f64>,
    ) {
        if let State::Terminated(prev) = std::mem::replace(&mut self.state, State::Running(t)) {
            self.last = Some(prev);
        }
        self.runs += 1;
        if self.runs > 1 {
            self.restart_count += 1;
        }
        self.container_id = Some(id);
        self.step = None;
        self.started = !self.has_startup_probe || self.init;
        self.ready = false;
        let mut rng = SimRng::derived(seed, &format!("{key}/{}/run", self.runs));
        let failing = matches!(self.behaviour.fault, Some(Fault::FailingReadiness));
        let delay = self
            .behaviour
            .startup_seconds
            .or(self.readiness.as_ref().map(|p| p.initial_delay))
            .unwrap_or(0.0);
        self.ready_at = None;
        self.probe_at = None;
        if failing {
            let p = self.readiness.clone().unwrap_or(Probe {
                initial_delay: delay,
                period: 10.0,
                failure: "HTTP probe failed with statuscode: 503".into(),
            });
            self.probe_at = Some(after(t, p.initial_delay + p.period));
            self.started = true;
        } else if self.init {
            // Plain init containers are never "ready" while running.
        } else if delay > 0.0 {
            self.ready_at = Some(after(t, delay));
        } else {
            self.ready = true;
            self.started = true;
        }
        self.exit_at = self.plan_exit(t, job, oom_after, &mut rng);
    }

    fn plan_exit(
        &self,
        t: Timestamp,
        job: bool,
        oom_after: Option<f64>,
        rng: &mut SimRng,
    ) -> Option<(Timestamp, i32, &'static str)> {
        let reason = |code: i32| if code == 0 { "Completed" } else { "Error" };
        let fault_exit = match &self.behaviour.fault {
            Some(Fault::CrashOnStart {
                exit_code,
                after_seconds,
                ..
            }) => Some((after(t, *after_seconds), *exit_code, reason(*exit_code))),
            Some(Fault::CrashAfter { minutes, exit_code }) => {
                Some((after(t, minutes * 60.0), *exit_code, reason(*exit_code)))
            }
            _ if self.init => Some((after(t, 1.0 + 2.0 * rng.next_f64()), 0, "Completed")),
            _ if job => Some((after(t, 2.0 + 6.0 * rng.next_f64()), 0, "Completed")),
            _ => None,
        };
        let oom = oom_after.map(|s| (after(t, s), 137, "OOMKilled"));
        match (fault_exit, oom) {
            (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
            (a, b) => a.or(b),
        }
    }
}

/// A container's id for its `run`-th start.
pub fn new_id(seed: u64, pod_uid: &str, name: &str, run: u32) -> String {
    images::container_id(seed, pod_uid, name, run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_caps_and_resets() {
        let t0: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let mut b = Backoff::default();
        assert!(!b.in_backoff_since(t0, t0), "the first exit restarts at once");
        b.next(t0);
        assert_eq!(b.current, BACKOFF_INITIAL);
        let f2 = after(t0, 3.0);
        assert!(b.in_backoff_since(f2, after(f2, 1.0)));
        let mut waits = vec![];
        let mut t = f2;
        for _ in 0..7 {
            b.next(after(t, b.current.as_secs_f64()));
            waits.push(b.current.as_secs());
            t = after(t, b.current.as_secs_f64() + 3.0);
        }
        assert_eq!(waits, [20, 40, 80, 160, 300, 300, 300]);
        let late = after(t, 601.0);
        assert!(
            !b.in_backoff_since(late, after(late, 1.0)),
            "10 min of running forgets"
        );
        b.next(late);
        assert_eq!(b.current, BACKOFF_INITIAL);
    }
}
