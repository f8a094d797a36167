//! Deployment status and conditions (`pkg/controller/deployment/sync.go` `calculateStatus`,
//! `syncRolloutStatus`, and `deployment/util` progress checks). `kubectl rollout status` reads
//! exactly these fields, so the reasons and messages are upstream's.

use super::deployment::{Ctx, rs_replicas};
use super::{condition, int_at, put_nonzero, set_condition};
use serde_json::{Map, Value, json};
use std::time::Duration;

pub(super) const AVAILABLE: &str = "Available";
pub(super) const PROGRESSING: &str = "Progressing";
pub(super) const NEW_RS_AVAILABLE: &str = "NewReplicaSetAvailable";
pub(super) const TIMED_OUT: &str = "ProgressDeadlineExceeded";

/// A new deployment condition stamped now (`NewDeploymentCondition`).
pub(super) fn new_condition(ctx: &Ctx<'_>, ty: &str, status: &str, reason: &str, msg: &str) -> Value {
    let now = ctx.st.now_string();
    json!({"type": ty, "status": status, "lastUpdateTime": now, "lastTransitionTime": now,
        "reason": reason, "message": msg})
}

fn sum(rss: &[&Value], f: impl Fn(&Value) -> i64) -> i64 {
    rss.iter().map(|r| f(r)).sum()
}

/// `calculateStatus`: counts from the ReplicaSets, the Available condition from maxUnavailable.
pub(super) fn calculate_status(ctx: &Ctx<'_>, all: &[&Value], new_rs: Option<&Value>) -> Value {
    let d = &ctx.d;
    let available = sum(all, |r| int_at(r, "/status/availableReplicas", 0));
    let total = sum(all, rs_replicas);
    let unavailable = (total - available).max(0);
    let mut s = Map::new();
    put_nonzero(&mut s, "observedGeneration", int_at(d, "/metadata/generation", 0));
    put_nonzero(&mut s, "replicas", sum(all, |r| int_at(r, "/status/replicas", 0)));
    put_nonzero(
        &mut s,
        "updatedReplicas",
        new_rs.map_or(0, |r| int_at(r, "/status/replicas", 0)),
    );
    put_nonzero(
        &mut s,
        "readyReplicas",
        sum(all, |r| int_at(r, "/status/readyReplicas", 0)),
    );
    put_nonzero(&mut s, "availableReplicas", available);
    put_nonzero(&mut s, "unavailableReplicas", unavailable);
    if let Some(c) = d.pointer("/status/collisionCount").filter(|c| !c.is_null()) {
        s.insert("collisionCount".into(), c.clone());
    }
    let mut conds = super::conditions_of(d);
    let replicas = int_at(d, "/spec/replicas", 1);
    if available >= replicas - ctx.max_unavailable() {
        let c = new_condition(
            ctx,
            AVAILABLE,
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
        );
        set_condition(&mut conds, c);
    } else {
        let c = new_condition(
            ctx,
            AVAILABLE,
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
        );
        set_condition(&mut conds, c);
    }
    if !conds.is_empty() {
        s.insert("conditions".into(), Value::Array(conds));
    }
    Value::Object(s)
}

fn status_int(s: &Value, key: &str) -> i64 {
    s.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// `DeploymentComplete`: every replica updated and available, and the latest spec observed.
pub(super) fn deployment_complete(d: &Value, s: &Value) -> bool {
    let want = int_at(d, "/spec/replicas", 1);
    status_int(s, "updatedReplicas") == want
        && status_int(s, "replicas") == want
        && status_int(s, "availableReplicas") == want
        && status_int(s, "observedGeneration") >= int_at(d, "/metadata/generation", 0)
}

/// `DeploymentProgressing`: more updated, fewer old, more ready or more available replicas.
fn deployment_progressing(d: &Value, s: &Value) -> bool {
    let old = d.get("status").cloned().unwrap_or_default();
    let old_old = status_int(&old, "replicas") - status_int(&old, "updatedReplicas");
    let new_old = status_int(s, "replicas") - status_int(s, "updatedReplicas");
    status_int(s, "updatedReplicas") > status_int(&old, "updatedReplicas")
        || new_old < old_old
        || status_int(s, "readyReplicas") > status_int(&old, "readyReplicas")
        || status_int(s, "availableReplicas") > status_int(&old, "availableReplicas")
}

/// Seconds until the Progressing condition's deadline passes (negative when it has).
fn deadline_left(ctx: &Ctx<'_>, s: &Value) -> Option<i64> {
    let deadline = ctx.progress_deadline()?;
    let conds = s.get("conditions").and_then(Value::as_array)?;
    let c = condition(conds, PROGRESSING)?;
    let from = super::parse_time(c["lastUpdateTime"].as_str()?)?;
    Some(from.as_second() + deadline - ctx.st.clock.now().as_second())
}

/// `DeploymentTimedOut`.
fn timed_out(ctx: &Ctx<'_>, s: &Value) -> bool {
    let Some(conds) = s.get("conditions").and_then(Value::as_array) else {
        return false;
    };
    match condition(conds, PROGRESSING).and_then(|c| c["reason"].as_str()) {
        None | Some(NEW_RS_AVAILABLE) => false,
        Some(TIMED_OUT) => true,
        // `from.Add(delta).Before(now)`: strictly after the deadline.
        Some(_) => deadline_left(ctx, s).is_some_and(|left| left < 0),
    }
}

fn conds_mut(s: &mut Value) -> Vec<Value> {
    s.get("conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn put_conds(s: &mut Value, conds: Vec<Value>) {
    if let Some(m) = s.as_object_mut() {
        if conds.is_empty() {
            m.remove("conditions");
        } else {
            m.insert("conditions".into(), Value::Array(conds));
        }
    }
}

/// `syncRolloutStatus`: status plus the Progressing condition, written only when changed.
pub(super) fn sync_rollout_status(ctx: &mut Ctx<'_>, all: &[&Value], new_rs: Option<&Value>) {
    let mut s = calculate_status(ctx, all, new_rs);
    let has_deadline = ctx.progress_deadline().is_some();
    let mut conds = conds_mut(&mut s);
    if !has_deadline {
        conds.retain(|c| c["type"] != PROGRESSING);
    }
    let d_conds = super::conditions_of(&ctx.d);
    let cur = condition(&d_conds, PROGRESSING);
    let complete_already = status_int(&s, "replicas") == status_int(&s, "updatedReplicas")
        && cur.is_some_and(|c| c["reason"] == NEW_RS_AVAILABLE);
    put_conds(&mut s, conds);
    if has_deadline && !complete_already {
        let name = |n: Option<&Value>| n.map(|r| super::object::name(r).to_string());
        let d_name = super::object::name(&ctx.d).to_string();
        if deployment_complete(&ctx.d, &s) {
            let msg = match name(new_rs) {
                Some(n) => format!("ReplicaSet \"{n}\" has successfully progressed."),
                None => String::new(),
            };
            let c = new_condition(ctx, PROGRESSING, "True", NEW_RS_AVAILABLE, &msg);
            let mut conds = conds_mut(&mut s);
            set_condition(&mut conds, c);
            put_conds(&mut s, conds);
        } else if deployment_progressing(&ctx.d, &s) {
            let msg = match name(new_rs) {
                Some(n) => format!("ReplicaSet \"{n}\" is progressing."),
                None => format!("Deployment \"{d_name}\" is progressing."),
            };
            let mut c = new_condition(ctx, PROGRESSING, "True", "ReplicaSetUpdated", &msg);
            let mut conds = conds_mut(&mut s);
            // Progress refreshes lastUpdateTime even with an unchanged reason, which is what
            // pushes the progress deadline back.
            if let Some(cur) = cur {
                if cur["status"] == "True" {
                    c["lastTransitionTime"] = cur["lastTransitionTime"].clone();
                }
                conds.retain(|x| x["type"] != PROGRESSING);
            }
            set_condition(&mut conds, c);
            put_conds(&mut s, conds);
        } else if timed_out(ctx, &s) {
            let msg = match name(new_rs) {
                Some(n) => format!("ReplicaSet \"{n}\" has timed out progressing."),
                None => format!("Deployment \"{d_name}\" has timed out progressing."),
            };
            let c = new_condition(ctx, PROGRESSING, "False", TIMED_OUT, &msg);
            let mut conds = conds_mut(&mut s);
            set_condition(&mut conds, c);
            put_conds(&mut s, conds);
        }
    }
    let mut conds = conds_mut(&mut s);
    conds.retain(|c| c["type"] != "ReplicaFailure");
    put_conds(&mut s, conds);
    if ctx.d.get("status") == Some(&s) {
        requeue_stuck(ctx, &s);
        return;
    }
    ctx.write_status(s);
}

/// `requeueStuckDeployment`: come back when an unfinished rollout's deadline passes.
fn requeue_stuck(ctx: &mut Ctx<'_>, s: &Value) {
    let Some(conds) = s.get("conditions").and_then(Value::as_array) else {
        return;
    };
    let Some(c) = condition(conds, PROGRESSING) else {
        return;
    };
    if deployment_complete(&ctx.d, s) || c["reason"] == TIMED_OUT || c["reason"] == NEW_RS_AVAILABLE {
        return;
    }
    if let Some(left) = deadline_left(ctx, s) {
        let wait = Duration::from_secs(left.max(0) as u64 + 1);
        ctx.requeue = super::sooner(ctx.requeue, Some(wait));
    }
}

/// `syncDeploymentStatus`: status without progress estimation (scaling, paused, deleting).
pub(super) fn sync_deployment_status(ctx: &mut Ctx<'_>, all: &[&Value], new_rs: Option<&Value>) {
    let s = calculate_status(ctx, all, new_rs);
    if ctx.d.get("status") != Some(&s) {
        ctx.write_status(s);
    }
}
