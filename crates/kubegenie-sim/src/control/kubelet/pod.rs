//! One pod as its kubelet runs it: sandbox, init containers in order, app containers with
//! sequential image pulls, restarts under the restart policy and back-off, and graceful stop.
//! `advance` replays every change due up to "now" at its exact simulated time, so a pass that
//! runs late still reports the timestamps a real kubelet would have.

use super::container::{Ctr, Due, State, Step, Terminated, after, new_id};
use super::images;
use crate::clock::SimRng;
use jiff::Timestamp;
use std::collections::HashSet;

/// `spec.restartPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Always restart.
    Always,
    /// Restart after a non-zero exit.
    OnFailure,
    /// Never restart.
    Never,
}

/// Something the kubelet reports as an Event.
#[derive(Debug, Clone, PartialEq)]
pub struct Emit {
    /// `spec.containers{app}`-style field path.
    pub field_path: Option<String>,
    /// Warning (else Normal).
    pub warning: bool,
    /// Reason.
    pub reason: &'static str,
    /// Message.
    pub message: String,
    /// About the node rather than the pod (kernel OOM kills).
    pub on_node: bool,
}

/// A kubelet condition's current value and when it last changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Cond {
    /// Condition type.
    pub kind: &'static str,
    /// True or False.
    pub status: bool,
    /// Reason when False (or PodCompleted).
    pub reason: Option<&'static str>,
    /// Message when False.
    pub message: Option<String>,
    /// Last change.
    pub since: Timestamp,
}

/// The graceful stop of a deleted pod.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kill {
    /// When the containers have stopped.
    pub done_at: Timestamp,
    /// Whether the grace period ran out first (SIGKILL).
    pub forced: bool,
    /// The stop completed.
    pub done: bool,
}

/// What a pod's changes depend on beyond its runtime.
pub struct Env<'a> {
    /// Cluster seed.
    pub seed: u64,
    /// Normalised images on the pod's node.
    pub images: &'a mut HashSet<String>,
    /// The pod as stored (its resources and owners shape its memory curve).
    pub pod: &'a serde_json::Value,
    /// Ready replicas sharing the pod's load.
    pub replicas: u32,
}

/// A pod on its node.
#[derive(Debug, Clone)]
pub struct PodRuntime {
    /// Namespace.
    pub ns: String,
    /// Name.
    pub name: String,
    /// Uid.
    pub uid: String,
    /// Node.
    pub node: String,
    /// resourceVersion last seen or written, so unchanged pods are skipped.
    pub seen_rv: u64,
    /// Hash of the status last seen or written, to notice a status someone else wrote.
    pub status_hash: u64,
    /// Restart policy.
    pub policy: Policy,
    /// Owned by a Job: healthy containers run to completion.
    pub job: bool,
    /// `status.startTime`.
    pub start_time: Timestamp,
    /// When the sandbox is ready, while it is being created.
    pub sandbox_at: Option<Timestamp>,
    /// Sandbox ready.
    pub sandbox_ready: bool,
    /// Pod IP (reported once the sandbox is ready).
    pub ip: String,
    /// Node IP.
    pub host_ip: String,
    /// Plain and restartable init containers, in order.
    pub init: Vec<Ctr>,
    /// App containers.
    pub main: Vec<Ctr>,
    /// PodReadyToStartContainers, Initialized, Ready, ContainersReady.
    pub conds: Vec<Cond>,
    /// Graceful stop in progress.
    pub kill: Option<Kill>,
    /// Phase once the pod has finished.
    pub terminal: Option<&'static str>,
}

/// Which container a change concerns.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    Sandbox,
    Kill,
    Init(usize, Due),
    Main(usize, Due),
}

impl PodRuntime {
    /// Field path of a container for events.
    fn field_path(c: &Ctr) -> String {
        let list = if c.init { "initContainers" } else { "containers" };
        format!("spec.{list}{{{}}}", c.name)
    }

    fn emit(out: &mut Vec<Emit>, c: &Ctr, warning: bool, reason: &'static str, message: String) {
        out.push(Emit {
            field_path: Some(Self::field_path(c)),
            warning,
            reason,
            message,
            on_node: false,
        });
    }

    /// The earliest pending change.
    pub fn due(&self) -> Option<Timestamp> {
        self.earliest().map(|(t, _)| t)
    }

    fn earliest(&self) -> Option<(Timestamp, Who)> {
        if self.terminal.is_some() || self.kill.is_some_and(|k| k.done) {
            return None;
        }
        let mut best: Option<(Timestamp, Who)> = None;
        let mut consider = |t: Timestamp, w: Who| {
            if best.is_none_or(|(b, _)| t < b) {
                best = Some((t, w));
            }
        };
        if let Some(t) = self.sandbox_at {
            consider(t, Who::Sandbox);
        }
        if let Some(k) = self.kill {
            consider(k.done_at, Who::Kill);
            return best;
        }
        for (i, c) in self.init.iter().enumerate() {
            if let Some((t, d)) = c.next() {
                consider(t, Who::Init(i, d));
            }
        }
        for (i, c) in self.main.iter().enumerate() {
            if let Some((t, d)) = c.next() {
                consider(t, Who::Main(i, d));
            }
        }
        best
    }

    /// Applies every change due at or before `now`; returns the events to record.
    pub fn advance(&mut self, now: Timestamp, env: &mut Env<'_>) -> Vec<Emit> {
        let mut out = Vec::new();
        // Bounded: a pathological behaviour (e.g. a zero-second crash loop) cannot hang a pass.
        for _ in 0..1000 {
            let Some((t, who)) = self.earliest() else { break };
            if t > now {
                break;
            }
            self.apply(t, who, env, &mut out);
            self.refresh(t);
        }
        out
    }

    fn ctr(&mut self, who: Who) -> Option<&mut Ctr> {
        match who {
            Who::Init(i, _) => self.init.get_mut(i),
            Who::Main(i, _) => self.main.get_mut(i),
            _ => None,
        }
    }

    fn apply(&mut self, t: Timestamp, who: Who, env: &mut Env<'_>, out: &mut Vec<Emit>) {
        let due = match who {
            Who::Sandbox => {
                self.sandbox_at = None;
                self.sandbox_ready = true;
                self.begin_next(t);
                return;
            }
            Who::Kill => {
                self.finish_kill();
                return;
            }
            Who::Init(_, d) | Who::Main(_, d) => d,
        };
        let key = format!("{}/{}", self.ns, self.name);
        let (uid, job, policy) = (self.uid.clone(), self.job, self.policy);
        let pod_ref = format!("{}_{}({})", self.name, self.ns, self.uid);
        let Some(c) = self.ctr(who) else { return };
        let ckey = format!("{key}/{}", c.name);
        match due {
            Due::Step(Step::Pull | Step::Restart) => {
                if matches!(due, Due::Step(Step::Restart)) {
                    c.crash_backoff.next(t);
                }
                let full = images::normalise(&c.image);
                let mut rng = SimRng::derived(env.seed, &format!("{ckey}/{}/pull", c.runs));
                let fails = matches!(c.behaviour.fault, Some(crate::behaviour::Fault::ImagePull));
                if !fails && !c.pull_always && env.images.contains(&full) {
                    let msg = format!("Container image \"{}\" already present on machine", c.image);
                    Self::emit(out, c, false, "Pulled", msg);
                    Self::start(c, t, env, &uid, &ckey, job, out);
                } else {
                    Self::emit(out, c, false, "Pulling", format!("Pulling image \"{}\"", c.image));
                    c.step = Some(if fails {
                        (after(t, 0.5 + 1.5 * rng.next_f64()), Step::PullFailed)
                    } else {
                        let ms = 300 + rng.next_u64() % 3700;
                        (after(t, ms as f64 / 1000.0), Step::PullDone(ms))
                    });
                }
            }
            Due::Step(Step::PullDone(ms)) => {
                let full = images::normalise(&c.image);
                let took = images::go_millis(ms);
                let msg = format!(
                    "Successfully pulled image \"{}\" in {took} ({took} including waiting). Image size: {} bytes.",
                    c.image,
                    images::image_size(&full)
                );
                env.images.insert(full);
                Self::emit(out, c, false, "Pulled", msg);
                Self::start(c, t, env, &uid, &ckey, job, out);
            }
            Due::Step(Step::PullFailed) => {
                let err = images::pull_error(&c.image);
                Self::emit(
                    out,
                    c,
                    true,
                    "Failed",
                    format!("Failed to pull image \"{}\": {err}", c.image),
                );
                Self::emit(out, c, true, "Failed", "Error: ErrImagePull".into());
                c.state = State::Waiting {
                    reason: "ErrImagePull",
                    message: Some(err),
                };
                c.pull_backoff.next(t);
                // The pod worker syncs again about a second later and finds the back-off.
                c.step = Some((after(t, 1.0), Step::PullBackOff));
            }
            Due::Step(Step::PullBackOff) => {
                let err = images::pull_error(&c.image);
                Self::emit(
                    out,
                    c,
                    false,
                    "BackOff",
                    format!("Back-off pulling image \"{}\"", c.image),
                );
                Self::emit(out, c, true, "Failed", "Error: ImagePullBackOff".into());
                c.state = State::Waiting {
                    reason: "ImagePullBackOff",
                    message: Some(format!(
                        "Back-off pulling image \"{}\": ErrImagePull: {err}",
                        c.image
                    )),
                };
                c.step = c.pull_backoff.until().map(|u| (u.max(t), Step::Pull));
            }
            Due::Step(Step::Sync) => {
                c.step = None;
                let State::Terminated(term) = c.state.clone() else {
                    return;
                };
                if c.crash_backoff.in_backoff_since(term.finished_at, t) {
                    let wait = c.crash_backoff.current.as_secs();
                    c.last = Some(term.clone());
                    c.state = State::Waiting {
                        reason: "CrashLoopBackOff",
                        message: Some(format!(
                            "back-off {} restarting failed container={} pod={pod_ref}",
                            images::go_duration(wait),
                            c.name
                        )),
                    };
                    let msg = format!("Back-off restarting failed container {} in pod {pod_ref}", c.name);
                    Self::emit(out, c, true, "BackOff", msg);
                    c.step = Some((after(term.finished_at, wait as f64), Step::Restart));
                } else {
                    c.crash_backoff.next(t);
                    c.step = Some((t, Step::Pull));
                }
            }
            Due::Ready => {
                c.ready_at = None;
                c.ready = true;
                c.started = true;
            }
            Due::Probe => {
                c.probe_at = Some(after(t, c.probe_period()));
                let msg = format!("Readiness probe failed: {}", c.probe_failure());
                Self::emit(out, c, true, "Unhealthy", msg);
            }
            Due::Exit(code, reason) => {
                let State::Running(started_at) = c.state else {
                    return;
                };
                c.freeze();
                c.started = false;
                c.state = State::Terminated(Terminated {
                    exit_code: code,
                    reason,
                    started_at,
                    finished_at: t,
                    container_id: c.container_id.clone().unwrap_or_default(),
                });
                if reason == "OOMKilled" {
                    out.push(Emit {
                        field_path: None,
                        warning: true,
                        reason: "OOMKilling",
                        message: format!(
                            "Memory cgroup out of memory: Killed process {} ({}) total-vm:{}kB, anon-rss:{}kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:{}kB oom_score_adj:{}",
                            1000 + (t.as_second() % 30000),
                            c.name,
                            c.mem_limit.unwrap_or(268_435_456.0) as u64 / 1024 + 4096,
                            c.mem_limit.unwrap_or(268_435_456.0) as u64 / 1024,
                            512,
                            if c.mem_limit.is_some() { 999 } else { 1000 }
                        ),
                        on_node: true,
                    });
                }
                let restart = match policy {
                    _ if c.init && code == 0 => false,
                    Policy::Always => true,
                    Policy::OnFailure => code != 0,
                    Policy::Never => false,
                };
                if c.init && code == 0 {
                    c.ready = true;
                }
                if restart {
                    c.step = Some((after(t, 1.0), Step::Sync));
                }
                if matches!(who, Who::Init(..)) && code == 0 {
                    self.begin_next(t);
                }
            }
        }
        if matches!(who, Who::Main(..)) && !self.main.iter().any(Ctr::pulling) {
            self.begin_next(t);
        }
    }

    fn start(c: &mut Ctr, t: Timestamp, env: &Env<'_>, uid: &str, key: &str, job: bool, out: &mut Vec<Emit>) {
        let id = new_id(env.seed, uid, &c.name, c.runs + 1);
        Self::emit(out, c, false, "Created", format!("Created container: {}", c.name));
        Self::emit(out, c, false, "Started", format!("Started container {}", c.name));
        let oom = super::oom::oom_after(env.seed, env.pod, c, env.replicas, t);
        c.start(t, id, env.seed, key, job, oom);
    }

    /// Schedules the next container to start: the first unfinished init container, else the
    /// app containers one pull at a time (the kubelet serialises image pulls).
    fn begin_next(&mut self, t: Timestamp) {
        if !self.sandbox_ready || self.kill.is_some() {
            return;
        }
        if let Some(c) = self.init.iter_mut().find(|c| !c.succeeded()) {
            if c.runs == 0 && c.step.is_none() && matches!(c.state, State::Waiting { .. }) {
                c.step = Some((t, Step::Pull));
            }
            return;
        }
        if self.main.iter().any(Ctr::pulling) {
            return;
        }
        let fresh = |c: &Ctr| c.runs == 0 && c.step.is_none() && c.last.is_none();
        let waiting = |c: &Ctr| matches!(&c.state, State::Waiting { reason, .. } if *reason == "ContainerCreating" || *reason == "PodInitializing");
        if let Some(c) = self.main.iter_mut().find(|c| fresh(c) && !c.pulling())
            && waiting(c)
        {
            c.step = Some((t, Step::Pull));
        }
    }

    /// Starts the graceful stop of a deleted pod at `t`; containers are gone by `deadline`.
    pub fn begin_kill(&mut self, t: Timestamp, deadline: Timestamp, seed: u64) -> Vec<Emit> {
        let mut out = Vec::new();
        if self.kill.is_some() {
            return out;
        }
        let mut rng = SimRng::derived(seed, &format!("{}/stop", self.uid));
        let mut stop = 0.5 + rng.next_f64();
        for c in self.init.iter_mut().chain(self.main.iter_mut()) {
            if matches!(c.state, State::Running(_)) {
                stop = stop.max(pre_stop_seconds(&c.spec) + 0.5);
                Self::emit(
                    &mut out,
                    c,
                    false,
                    "Killing",
                    format!("Stopping container {}", c.name),
                );
            }
            c.freeze();
        }
        self.sandbox_at = None;
        let planned = after(t, stop);
        self.kill = Some(Kill {
            done_at: planned.min(deadline.max(t)),
            forced: planned > deadline,
            done: self.terminal.is_some(),
        });
        self.refresh(t);
        out
    }

    fn finish_kill(&mut self) {
        let Some(k) = self.kill.as_mut() else { return };
        k.done = true;
        let (t, forced) = (k.done_at, k.forced);
        for c in self.init.iter_mut().chain(self.main.iter_mut()) {
            if let State::Running(started_at) = c.state {
                c.started = false;
                c.state = State::Terminated(Terminated {
                    exit_code: if forced { 137 } else { 0 },
                    reason: if forced { "Error" } else { "Completed" },
                    started_at,
                    finished_at: t,
                    container_id: c.container_id.clone().unwrap_or_default(),
                });
            }
        }
        self.sandbox_ready = false;
        self.refresh(t);
    }

    /// The pod phase (`getPhase`).
    pub fn phase(&self) -> &'static str {
        if let Some(p) = self.terminal {
            return p;
        }
        if self.kill.is_some_and(|k| k.done) {
            let all_ok = self
                .main
                .iter()
                .all(|c| !matches!(&c.state, State::Terminated(t) if t.exit_code != 0));
            return if all_ok { "Succeeded" } else { "Failed" };
        }
        let init_failed = self
            .init
            .iter()
            .any(|c| matches!(&c.state, State::Terminated(t) if t.exit_code != 0) && c.step.is_none());
        if init_failed && self.policy == Policy::Never {
            return "Failed";
        }
        if !self.init.iter().all(Ctr::succeeded) {
            return "Pending";
        }
        let (mut running, mut waiting, mut stopped, mut succeeded) = (0, 0, 0, 0);
        for c in &self.main {
            match &c.state {
                State::Running(_) => running += 1,
                State::Terminated(t) => {
                    stopped += 1;
                    if t.exit_code == 0 {
                        succeeded += 1;
                    }
                }
                State::Waiting { .. } if c.last.is_some() => stopped += 1,
                State::Waiting { .. } => waiting += 1,
            }
        }
        match () {
            _ if waiting > 0 => "Pending",
            _ if running > 0 => "Running",
            _ if stopped > 0 => match self.policy {
                Policy::Always => "Running",
                Policy::OnFailure if stopped == succeeded => "Succeeded",
                Policy::OnFailure => "Running",
                Policy::Never if stopped == succeeded => "Succeeded",
                Policy::Never => "Failed",
            },
            _ => "Pending",
        }
    }

    /// Recomputes the kubelet conditions at `t`, keeping transition times of unchanged ones.
    pub fn refresh(&mut self, t: Timestamp) {
        let phase = self.phase();
        let done = matches!(phase, "Succeeded" | "Failed");
        if done && self.kill.is_none() {
            self.terminal = Some(phase);
            self.sandbox_ready = false;
            for c in self.init.iter_mut().chain(self.main.iter_mut()) {
                c.freeze();
            }
        }
        let names = |cs: &[Ctr], f: &dyn Fn(&Ctr) -> bool| -> Vec<String> {
            cs.iter().filter(|c| !f(c)).map(|c| c.name.clone()).collect()
        };
        let uninit = names(&self.init, &|c| c.succeeded());
        let unready = names(&self.main, &|c| c.ready);
        let list = |n: &[String]| format!("[{}]", n.join(" "));
        let ready = if done {
            (false, Some("PodCompleted"), None)
        } else if unready.is_empty() {
            (true, None, None)
        } else {
            let m = format!("containers with unready status: {}", list(&unready));
            (false, Some("ContainersNotReady"), Some(m))
        };
        let initialized = if done {
            (true, Some("PodCompleted"), None)
        } else if uninit.is_empty() {
            (true, None, None)
        } else {
            let m = format!("containers with incomplete status: {}", list(&uninit));
            (false, Some("ContainersNotInitialized"), Some(m))
        };
        // Same order as `initial_conditions`; ContainersReady mirrors Ready (no readiness gates).
        let want = [
            (self.sandbox_ready, None, None),
            initialized,
            ready.clone(),
            ready,
        ];
        for (cond, (status, reason, message)) in self.conds.iter_mut().zip(want) {
            if cond.status != status {
                cond.since = t;
            }
            cond.status = status;
            cond.reason = reason;
            cond.message = message;
        }
    }
}

/// Conditions of a pod the kubelet has just seen at `t`.
pub fn initial_conditions(t: Timestamp) -> Vec<Cond> {
    [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
    ]
    .into_iter()
    .map(|kind| Cond {
        kind,
        status: false,
        reason: None,
        message: None,
        since: t,
    })
    .collect()
}

/// Seconds a `preStop` hook holds a container (`sleep` action or an exec `sleep N`).
fn pre_stop_seconds(spec: &serde_json::Value) -> f64 {
    let hook = &spec["lifecycle"]["preStop"];
    if let Some(s) = hook.pointer("/sleep/seconds").and_then(serde_json::Value::as_f64) {
        return s;
    }
    let cmd: Vec<&str> = hook
        .pointer("/exec/command")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_str)
        .collect();
    cmd.join(" ")
        .split_whitespace()
        .skip_while(|w| !w.ends_with("sleep"))
        .nth(1)
        .and_then(|n| n.trim_end_matches(';').parse().ok())
        .unwrap_or(0.0)
}

impl PodRuntime {
    /// The key used for behaviour usage series of container `c`.
    pub fn usage_key(&self, c: &str) -> String {
        format!("{}/{}/{c}", self.ns, self.name)
    }

    /// Whether `c`'s state is Running.
    pub fn is_running(c: &Ctr) -> bool {
        matches!(c.state, State::Running(_))
    }
}
