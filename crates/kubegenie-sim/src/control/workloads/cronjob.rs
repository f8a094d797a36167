//! The CronJob controller (`pkg/controller/cronjob`, v2): creates a Job named
//! `<cronjob>-<scheduled time in minutes>` at each schedule time, honouring
//! `startingDeadlineSeconds`, `concurrencyPolicy`, `suspend` and the history limits, and keeps
//! `active`, `lastScheduleTime` and `lastSuccessfulTime` current.

use super::cron::Schedule;
use super::{Gate, OwnerIndex, int_at};
use crate::catalog::ResourceType;
use crate::control::Controller;
use crate::control::events::{self, EventType, Source};
use crate::object;
use crate::state::ClusterState;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

const MANAGER: &str = "cronjob-controller";
const SCHEDULED_AT: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";

/// The CronJob controller.
#[derive(Default)]
pub struct CronJobs {
    gate: Gate,
}

impl Controller for CronJobs {
    fn name(&self) -> &'static str {
        MANAGER
    }

    fn reconcile(&self, st: &Arc<ClusterState>) -> Option<Duration> {
        self.gate.run(st, reconcile_all)
    }
}

fn reconcile_all(st: &Arc<ClusterState>) -> Option<Duration> {
    let (Some(cj_rt), Some(job_rt)) = (
        super::resource(st, "batch", "cronjobs"),
        super::resource(st, "batch", "jobs"),
    ) else {
        return None;
    };
    let cjs = st.store.list(&cj_rt.storage, None).0;
    if cjs.is_empty() {
        return None;
    }
    let jobs = OwnerIndex::build(st, &job_rt);
    let mut requeue = None;
    for cj in &cjs {
        requeue = super::sooner(requeue, sync(st, &cj_rt, &job_rt, &cj.value, &jobs));
    }
    requeue
}

fn job_ref(job: &Value) -> Value {
    json!({"apiVersion": "batch/v1", "kind": "Job", "name": object::name(job),
        "namespace": object::namespace(job), "uid": object::uid(job),
        "resourceVersion": object::resource_version(job)})
}

fn sync(
    st: &Arc<ClusterState>,
    cj_rt: &Arc<ResourceType>,
    job_rt: &Arc<ResourceType>,
    cj: &Value,
    index: &OwnerIndex,
) -> Option<Duration> {
    let src = Source {
        component: MANAGER,
        host: None,
    };
    let jobs: Vec<&Value> = index.owned(object::uid(cj)).iter().map(|s| &s.value).collect();
    let mut status = cj.get("status").cloned().unwrap_or_else(|| json!({}));
    // Active list: running jobs we own; finished ones are noted and dropped.
    let mut active = Vec::new();
    for j in &jobs {
        match super::job::finished(j) {
            None => active.push(job_ref(j)),
            Some(state) => {
                let was_active = cj
                    .pointer("/status/active")
                    .and_then(Value::as_array)
                    .is_some_and(|a| a.iter().any(|r| r["uid"] == object::uid(j)));
                if was_active {
                    let msg = format!("Saw completed job: {}, status: {state}", object::name(j));
                    events::record(st, cj, None, EventType::Normal, "SawCompletedJob", &msg, src);
                }
                if state == "Complete"
                    && let Some(t) = super::job::completion_time(j)
                    && status["lastSuccessfulTime"].as_str().is_none_or(|cur| cur < t)
                {
                    status["lastSuccessfulTime"] = json!(t);
                }
            }
        }
    }
    set_active(&mut status, active.clone());
    let mut requeue = None;
    let schedule = Schedule::parse(super::str_at(cj, "/spec/schedule"));
    let suspended = cj.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true);
    if !object::is_deleting(cj) && !suspended {
        match &schedule {
            Err(e) => {
                let msg = format!(
                    "unparseable schedule: {:?} : {e}",
                    super::str_at(cj, "/spec/schedule")
                );
                events::record(st, cj, None, EventType::Warning, "UnparseableSchedule", &msg, src);
            }
            Ok(sched) => {
                // A job created now is not finished, so history cleanup need not see it.
                schedule_due(st, job_rt, cj, sched, &mut status, &mut active, &jobs);
                requeue = next_wake(st, sched);
            }
        }
    }
    cleanup_history(st, job_rt, cj, &jobs);
    if cj.get("status") != Some(&status) {
        let mut new = cj.clone();
        new["status"] = status;
        super::update_status(st, cj_rt, new, MANAGER);
    }
    requeue
}

fn set_active(status: &mut Value, active: Vec<Value>) {
    if let Some(m) = status.as_object_mut() {
        if active.is_empty() {
            m.remove("active");
        } else {
            m.insert("active".into(), Value::Array(active));
        }
    }
}

/// Time until the next schedule time.
fn next_wake(st: &ClusterState, sched: &Schedule) -> Option<Duration> {
    let now = st.clock.now();
    let next = sched.next_after(now)?;
    Some(Duration::from_secs(
        (next.as_second() - now.as_second()).max(1) as u64
    ))
}

/// Creates the Job of the most recent missed schedule time, if any (`syncCronJob`).
fn schedule_due(
    st: &Arc<ClusterState>,
    job_rt: &Arc<ResourceType>,
    cj: &Value,
    sched: &Schedule,
    status: &mut Value,
    active: &mut Vec<Value>,
    jobs: &[&Value],
) -> Option<()> {
    let src = Source {
        component: MANAGER,
        host: None,
    };
    let now = st.clock.now();
    let deadline = cj
        .pointer("/spec/startingDeadlineSeconds")
        .and_then(Value::as_i64);
    let mut earliest = status["lastScheduleTime"]
        .as_str()
        .or_else(|| Some(super::created(cj)))
        .and_then(super::parse_time)?;
    if let Some(d) = deadline
        && let Ok(lower) = now.checked_sub(jiff::SignedDuration::from_secs(d))
        && lower > earliest
    {
        earliest = lower;
    }
    // The most recent schedule time in (earliest, now].
    let mut t = sched.next_after(earliest)?;
    if t > now {
        return None;
    }
    let mut missed = 0;
    while let Some(n) = sched.next_after(t).filter(|n| *n <= now) {
        t = n;
        missed += 1;
        if missed > 100 {
            // Upstream warns and starts the most recent one anyway; jump close to now.
            let msg = "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew";
            events::record(st, cj, None, EventType::Warning, "TooManyMissedTimes", msg, src);
            let back = now.checked_sub(jiff::SignedDuration::from_hours(24 * 8)).ok()?;
            t = sched.next_after(back.max(t))?;
            missed = 0;
        }
    }
    if deadline.is_some_and(|d| t.as_second() + d < now.as_second()) {
        let msg = format!("Missed scheduled time to start a job: {}", object::format_time(t));
        events::record(st, cj, None, EventType::Warning, "MissSchedule", &msg, src);
        return None;
    }
    let name = format!("{}-{}", object::name(cj), t.as_second() / 60);
    if jobs.iter().any(|j| object::name(j) == name) {
        return None;
    }
    match super::str_at(cj, "/spec/concurrencyPolicy") {
        "Forbid" if !active.is_empty() => {
            let msg = "Not starting job because prior execution is running and concurrency policy is Forbid";
            events::record(st, cj, None, EventType::Normal, "JobAlreadyActive", msg, src);
            return None;
        }
        "Replace" => {
            for r in active.drain(..) {
                if let Some(j) = jobs.iter().find(|j| object::uid(j) == r["uid"]) {
                    super::remove(st, job_rt, j);
                    let msg = format!("Deleted job {}", object::name(j));
                    events::record(st, cj, None, EventType::Normal, "SuccessfulDelete", &msg, src);
                }
            }
        }
        _ => {}
    }
    let tpl = cj.pointer("/spec/jobTemplate").cloned().unwrap_or_default();
    let mut annotations = tpl
        .pointer("/metadata/annotations")
        .cloned()
        .unwrap_or_else(|| json!({}));
    annotations[SCHEDULED_AT] = json!(object::format_time(t));
    let mut meta = json!({"name": name, "namespace": object::namespace(cj), "annotations": annotations,
        "ownerReferences": [super::owner_ref(cj)]});
    if let Some(l) = tpl.pointer("/metadata/labels") {
        meta["labels"] = l.clone();
    }
    let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": meta,
        "spec": tpl.get("spec").cloned().unwrap_or_default()});
    let created = match super::create(st, job_rt, object::namespace(cj), job, MANAGER) {
        Ok(j) => j,
        Err(e) => {
            let msg = format!("Error creating job: {}", e.message);
            events::record(st, cj, None, EventType::Warning, "FailedCreate", &msg, src);
            return None;
        }
    };
    let msg = format!("Created job {name}");
    events::record(st, cj, None, EventType::Normal, "SuccessfulCreate", &msg, src);
    active.push(job_ref(&created));
    set_active(status, active.clone());
    status["lastScheduleTime"] = json!(object::format_time(t));
    Some(())
}

/// Deletes the oldest finished jobs beyond the history limits.
fn cleanup_history(st: &Arc<ClusterState>, job_rt: &Arc<ResourceType>, cj: &Value, jobs: &[&Value]) {
    let src = Source {
        component: MANAGER,
        host: None,
    };
    for (state, limit) in [
        ("Complete", int_at(cj, "/spec/successfulJobsHistoryLimit", 3)),
        ("Failed", int_at(cj, "/spec/failedJobsHistoryLimit", 1)),
    ] {
        let mut done: Vec<&&Value> = jobs
            .iter()
            .filter(|j| super::job::finished(j) == Some(state) && !object::is_deleting(j))
            .collect();
        if done.len() as i64 <= limit {
            continue;
        }
        done.sort_by(|a, b| {
            let start = |j: &Value| super::str_at(j, "/status/startTime").to_string();
            start(a).cmp(&start(b)).then_with(|| super::by_creation(a, b))
        });
        let excess = done.len() - limit.max(0) as usize;
        for j in done.into_iter().take(excess) {
            if super::remove(st, job_rt, j) {
                let msg = format!("Deleted job {}", object::name(j));
                events::record(st, cj, None, EventType::Normal, "SuccessfulDelete", &msg, src);
            }
        }
    }
}
