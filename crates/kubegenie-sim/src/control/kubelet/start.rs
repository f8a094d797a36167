//! Creating a pod's runtime when its kubelet first sees it: fresh for a newly bound pod, or
//! adopted from the status already posted (a pod created with a status by a scenario, or one
//! whose node comes back), so nothing restarts that was running.

use super::NodeRuntime;
use super::container::{Ctr, State, Terminated, after};
use super::pod::{Cond, PodRuntime, Policy, initial_conditions};
use crate::behaviour;
use crate::clock::SimRng;
use jiff::Timestamp;
use serde_json::Value;

fn time(v: &Value) -> Option<Timestamp> {
    v.as_str().and_then(|s| s.parse().ok())
}

fn terminated(v: &Value) -> Option<Terminated> {
    let t = v.get("terminated").filter(|t| t.is_object())?;
    let code = t["exitCode"].as_i64().unwrap_or(0) as i32;
    let reason = match t["reason"].as_str() {
        Some("OOMKilled") => "OOMKilled",
        Some("Completed") => "Completed",
        _ if code == 0 => "Completed",
        _ => "Error",
    };
    let finished = time(&t["finishedAt"])?;
    Some(Terminated {
        exit_code: code,
        reason,
        started_at: time(&t["startedAt"]).unwrap_or(finished),
        finished_at: finished,
        container_id: t["containerID"].as_str().unwrap_or_default().to_string(),
    })
}

/// A new runtime for `pod` on `node`, and warnings about unusable behaviour annotations.
pub(super) fn runtime(
    pod: &Value,
    node: &str,
    host_ip: &str,
    prefix: &str,
    nrt: &mut NodeRuntime,
    now: Timestamp,
    seed: u64,
) -> (PodRuntime, Vec<String>) {
    let spec = &pod["spec"];
    let meta = &pod["metadata"];
    let mut warnings = Vec::new();
    let has_init = spec["initContainers"].as_array().is_some_and(|a| !a.is_empty());
    let waiting = if has_init {
        "PodInitializing"
    } else {
        "ContainerCreating"
    };
    let mut make = |list: &str, init: bool| -> Vec<Ctr> {
        spec[list]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                let name = c["name"].as_str().unwrap_or_default();
                let b = behaviour::for_container(pod, name).unwrap_or_else(|e| {
                    warnings.push(e.to_string());
                    behaviour::from_image(c["image"].as_str().unwrap_or_default())
                });
                Ctr::new(c, init, b, waiting)
            })
            .collect()
    };
    let init = make("initContainers", true);
    let main = make("containers", false);
    let policy = match spec["restartPolicy"].as_str() {
        Some("Never") => Policy::Never,
        Some("OnFailure") => Policy::OnFailure,
        _ => Policy::Always,
    };
    let job = meta["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|o| o["kind"] == "Job");
    let status = &pod["status"];
    let uid = meta["uid"].as_str().unwrap_or_default().to_string();
    let ip = match status["podIP"].as_str() {
        Some(ip) if !ip.is_empty() => ip.to_string(),
        _ => {
            nrt.next_ip = if (2..254).contains(&nrt.next_ip) {
                nrt.next_ip + 1
            } else {
                2
            };
            format!("{prefix}{}", nrt.next_ip)
        }
    };
    let mut rng = SimRng::derived(seed, &format!("{uid}/sandbox"));
    let mut rt = PodRuntime {
        ns: meta["namespace"].as_str().unwrap_or_default().to_string(),
        name: meta["name"].as_str().unwrap_or_default().to_string(),
        uid,
        node: node.to_string(),
        seen_rv: 0,
        status_hash: super::status::hash(status),
        policy,
        job,
        start_time: time(&status["startTime"]).unwrap_or(now),
        sandbox_at: Some(after(now, 0.5 + rng.next_f64())),
        sandbox_ready: false,
        ip,
        host_ip: host_ip.to_string(),
        init,
        main,
        conds: initial_conditions(now),
        kill: None,
        terminal: None,
    };
    adopt(&mut rt, pod, now, seed);
    rt.refresh(now);
    (rt, warnings)
}

/// Takes over containers a status shows as already created.
fn adopt(rt: &mut PodRuntime, pod: &Value, now: Timestamp, seed: u64) {
    let status = &pod["status"];
    let statuses = |k: &str| status[k].as_array().cloned().unwrap_or_default();
    let (init_st, main_st) = (statuses("initContainerStatuses"), statuses("containerStatuses"));
    let created = |s: &Value| s["state"].get("running").is_some() || s["state"].get("terminated").is_some();
    if !init_st
        .iter()
        .chain(&main_st)
        .any(|s| created(s) || s["lastState"].get("terminated").is_some())
    {
        return;
    }
    rt.sandbox_at = None;
    rt.sandbox_ready = true;
    for c in &status["conditions"].as_array().cloned().unwrap_or_default() {
        if let Some(cond) = rt.conds.iter_mut().find(|k| c["type"] == k.kind) {
            adopt_condition(cond, c, now);
        }
    }
    let (ns, name) = (rt.ns.clone(), rt.name.clone());
    let job = rt.job;
    for (list, sts) in [(&mut rt.init, &init_st), (&mut rt.main, &main_st)] {
        for c in list.iter_mut() {
            let Some(s) = sts.iter().find(|s| s["name"] == c.name.as_str()) else {
                continue;
            };
            let restarts = s["restartCount"].as_u64().unwrap_or(0) as u32;
            c.last = terminated(&s["lastState"]);
            let id = s["containerID"].as_str().map(str::to_string);
            if let Some(started) = s["state"]["running"].get("startedAt").and_then(time) {
                let key = format!("{ns}/{name}/{}", c.name);
                let last = c.last.take();
                let oom = super::oom::oom_after(seed, pod, c, 1, started);
                c.start(started, id.clone().unwrap_or_default(), seed, &key, job, oom);
                c.last = last;
                if s["ready"] == true {
                    c.ready = true;
                    c.ready_at = None;
                }
            } else if let Some(t) = terminated(&s["state"]) {
                c.state = State::Terminated(t);
                c.ready = c.init && c.succeeded();
            } else if c.last.is_some() {
                // Waiting after a run (a back-off): restart at once, the back-off is forgotten.
                c.step = Some((now, super::container::Step::Pull));
            }
            c.runs = restarts + u32::from(id.is_some());
            c.restart_count = restarts;
            c.container_id = id;
        }
    }
    if matches!(status["phase"].as_str(), Some("Succeeded" | "Failed")) {
        rt.terminal = if status["phase"] == "Succeeded" {
            Some("Succeeded")
        } else {
            Some("Failed")
        };
    } else if !rt.init.iter().all(Ctr::succeeded) || rt.main.iter().any(|c| c.runs == 0 && c.step.is_none()) {
        // Continue the start-up where the status left it.
        let pending_init = rt.init.iter_mut().find(|c| !c.succeeded());
        if let Some(c) = pending_init {
            if c.step.is_none() && !matches!(c.state, State::Running(_)) {
                c.step = Some((now, super::container::Step::Pull));
            }
        } else if let Some(c) = rt.main.iter_mut().find(|c| c.runs == 0 && c.step.is_none()) {
            c.step = Some((now, super::container::Step::Pull));
        }
    }
}

fn adopt_condition(cond: &mut Cond, c: &Value, now: Timestamp) {
    cond.status = c["status"] == "True";
    cond.since = time(&c["lastTransitionTime"]).unwrap_or(now);
}
