//! The Job controller (`pkg/controller/job`): runs pods until `completions` succeed, retries
//! failures with exponential back-off up to `backoffLimit`, honours `activeDeadlineSeconds`
//! and `suspend`, and reports the status and conditions `kubectl get/describe job` show.

use super::{Gate, OwnerIndex, int_at, str_at};
use crate::catalog::ResourceType;
use crate::control::Controller;
use crate::control::events::{self, EventType, Source};
use crate::object;
use crate::state::ClusterState;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

const MANAGER: &str = "job-controller";
/// Pod failure back-off: 10 s doubling, capped at 6 minutes (`DefaultJobPodFailureBackOff`).
const BACKOFF_BASE: i64 = 10;
const BACKOFF_MAX: i64 = 360;

/// The Job controller.
#[derive(Default)]
pub struct Jobs {
    gate: Gate,
}

impl Controller for Jobs {
    fn name(&self) -> &'static str {
        MANAGER
    }

    fn reconcile(&self, st: &Arc<ClusterState>) -> Option<Duration> {
        self.gate.run(st, reconcile_all)
    }
}

fn reconcile_all(st: &Arc<ClusterState>) -> Option<Duration> {
    let (Some(job_rt), Some(pod_rt)) = (
        super::resource(st, "batch", "jobs"),
        super::resource(st, "", "pods"),
    ) else {
        return None;
    };
    let jobs = st.store.list(&job_rt.storage, None).0;
    if jobs.is_empty() {
        return None;
    }
    let pods = OwnerIndex::build(st, &pod_rt);
    let mut requeue = None;
    for j in &jobs {
        requeue = super::sooner(requeue, sync(st, &job_rt, &pod_rt, &j.value, &pods));
    }
    requeue
}

/// Whether a job has a True Complete or Failed condition.
pub fn finished(job: &Value) -> Option<&'static str> {
    let conds = super::conditions_of(job);
    ["Complete", "Failed"]
        .into_iter()
        .find(|t| super::condition(&conds, t).is_some_and(|c| c["status"] == "True"))
}

fn condition(st: &ClusterState, ty: &str, reason: &str, msg: &str) -> Value {
    let now = st.now_string();
    json!({"type": ty, "status": "True", "lastProbeTime": now, "lastTransitionTime": now,
        "reason": reason, "message": msg})
}

/// When a finished pod finished (its container's termination, else its creation).
fn finished_at(pod: &Value) -> i64 {
    pod.pointer("/status/containerStatuses/0/state/terminated/finishedAt")
        .and_then(Value::as_str)
        .or_else(|| Some(super::created(pod)))
        .and_then(super::parse_time)
        .map_or(0, |t| t.as_second())
}

fn sync(
    st: &Arc<ClusterState>,
    job_rt: &Arc<ResourceType>,
    pod_rt: &Arc<ResourceType>,
    job: &Value,
    index: &OwnerIndex,
) -> Option<Duration> {
    let src = Source {
        component: MANAGER,
        host: None,
    };
    let pods: Vec<&Value> = index.owned(object::uid(job)).iter().map(|s| &s.value).collect();
    let active: Vec<&Value> = pods.iter().copied().filter(|p| super::pod_active(p)).collect();
    let done = finished(job).is_some();
    if done || object::is_deleting(job) {
        // A finished job keeps no running pods.
        for p in &active {
            super::remove(st, pod_rt, p);
        }
        return None;
    }
    let now = st.clock.now();
    let spec = job.get("spec").cloned().unwrap_or_default();
    let count = |phase: &str| pods.iter().filter(|p| super::phase(p) == phase).count() as i64;
    // Counts never go down, even when finished pods are deleted by someone else.
    let succeeded = count("Succeeded").max(int_at(job, "/status/succeeded", 0));
    let failed = count("Failed").max(int_at(job, "/status/failed", 0));
    let completions = spec.get("completions").and_then(Value::as_i64);
    let parallelism = int_at(&spec, "/parallelism", 1);
    let backoff_limit = int_at(&spec, "/backoffLimit", 6);
    let suspended = spec.get("suspend").and_then(Value::as_bool) == Some(true);
    let mut status = job.get("status").cloned().unwrap_or_else(|| json!({}));
    let mut conds = super::conditions_of(job);
    let mut requeue = None;
    let start = str_at(job, "/status/startTime").to_string();
    let mut terminal: Option<(&str, &str, &str)> = None;
    if failed > backoff_limit {
        terminal = Some((
            "Failed",
            "BackoffLimitExceeded",
            "Job has reached the specified backoff limit",
        ));
    } else if let (Some(deadline), Some(t0)) = (
        spec.get("activeDeadlineSeconds").and_then(Value::as_i64),
        super::parse_time(&start),
    ) {
        let left = t0.as_second() + deadline - now.as_second();
        if left <= 0 {
            terminal = Some((
                "Failed",
                "DeadlineExceeded",
                "Job was active longer than specified deadline",
            ));
        } else {
            requeue = Some(Duration::from_secs(left as u64));
        }
    }
    let succeeded_enough = match completions {
        Some(c) => succeeded >= c,
        // Without completions, the first success completes the job once nothing runs.
        None => succeeded > 0 && active.is_empty(),
    };
    if terminal.is_none() && succeeded_enough {
        terminal = Some((
            "Complete",
            "CompletionsReached",
            "Reached expected number of succeeded pods",
        ));
    }
    let mut active_now = active.len() as i64;
    match terminal {
        Some((ty, reason, msg)) => {
            for p in &active {
                super::remove(st, pod_rt, p);
            }
            active_now = 0;
            // The interim condition (FailureTarget / SuccessCriteriaMet) comes first, as
            // upstream records it before the final one.
            let interim = if ty == "Failed" {
                "FailureTarget"
            } else {
                "SuccessCriteriaMet"
            };
            super::set_condition(&mut conds, condition(st, interim, reason, msg));
            super::set_condition(&mut conds, condition(st, ty, reason, msg));
            if ty == "Complete" {
                status["completionTime"] = json!(st.now_string());
                events::record(
                    st,
                    job,
                    None,
                    EventType::Normal,
                    "Completed",
                    "Job completed",
                    src,
                );
            } else {
                events::record(st, job, None, EventType::Warning, reason, msg, src);
            }
        }
        None if suspended => {
            for p in &active {
                super::remove(st, pod_rt, p);
            }
            active_now = 0;
            let c = json!({"type": "Suspended", "status": "True", "lastProbeTime": st.now_string(),
                "lastTransitionTime": st.now_string(), "reason": "JobSuspended", "message": "Job suspended"});
            if super::condition(&conds, "Suspended").is_none_or(|c| c["status"] != "True") {
                events::record(
                    st,
                    job,
                    None,
                    EventType::Normal,
                    "Suspended",
                    "Job suspended",
                    src,
                );
            }
            super::set_condition(&mut conds, c);
        }
        None => {
            if let Some(c) = super::condition(&conds, "Suspended").filter(|c| c["status"] == "True") {
                let mut c = c.clone();
                c["status"] = json!("False");
                c["reason"] = json!("JobResumed");
                c["message"] = json!("Job resumed");
                c["lastTransitionTime"] = json!(st.now_string());
                super::set_condition(&mut conds, c);
                events::record(st, job, None, EventType::Normal, "Resumed", "Job resumed", src);
                status["startTime"] = json!(st.now_string());
            }
            let want = match completions {
                Some(c) => parallelism.min(c - succeeded),
                None if succeeded > 0 => 0,
                None => parallelism,
            }
            .max(0);
            // Exponential back-off after failures before creating replacement pods.
            let last_failure = pods
                .iter()
                .filter(|p| super::phase(p) == "Failed")
                .map(|p| finished_at(p))
                .max();
            let delay = if failed > 0 {
                (BACKOFF_BASE << (failed - 1).min(10)).min(BACKOFF_MAX)
            } else {
                0
            };
            let ready_at = last_failure.map_or(0, |t| t + delay);
            if active_now < want && ready_at > now.as_second() {
                requeue = super::sooner(
                    requeue,
                    Some(Duration::from_secs((ready_at - now.as_second()) as u64)),
                );
            } else if active_now < want {
                let template = spec.get("template").cloned().unwrap_or_default();
                let generate = format!("{}-", object::name(job));
                for _ in 0..(want - active_now) {
                    let pod = super::pod_from_template(&template, job, Some(&generate));
                    match super::create(st, pod_rt, object::namespace(job), pod, MANAGER) {
                        Ok(p) => {
                            let msg = format!("Created pod: {}", object::name(&p));
                            events::record(st, job, None, EventType::Normal, "SuccessfulCreate", &msg, src);
                            active_now += 1;
                        }
                        Err(e) => {
                            let msg = format!("Error creating: {}", e.message);
                            events::record(st, job, None, EventType::Warning, "FailedCreate", &msg, src);
                            break;
                        }
                    }
                }
            }
            if start.is_empty() {
                status["startTime"] = json!(st.now_string());
            }
        }
    }
    let ready = active.iter().filter(|p| super::pod_ready(p)).count() as i64;
    let m = status.as_object_mut()?;
    for (k, v) in [
        ("active", active_now),
        ("succeeded", succeeded),
        ("failed", failed),
    ] {
        m.remove(k);
        super::put_nonzero(m, k, v);
    }
    m.insert("ready".into(), json!(if terminal.is_some() { 0 } else { ready }));
    m.insert("terminating".into(), json!(0));
    m.insert("uncountedTerminatedPods".into(), json!({}));
    if !conds.is_empty() {
        m.insert("conditions".into(), Value::Array(conds));
    }
    if job.get("status") != Some(&status) {
        let mut new = job.clone();
        new["status"] = status;
        super::update_status(st, job_rt, new, MANAGER);
    }
    requeue
}

/// Used by the CronJob controller: the job's completion time, when it completed.
pub fn completion_time(job: &Value) -> Option<&str> {
    job.pointer("/status/completionTime").and_then(Value::as_str)
}
