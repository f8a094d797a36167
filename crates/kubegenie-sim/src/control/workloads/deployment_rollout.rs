//! Deployment strategies (`pkg/controller/deployment/{rolling,recreate,sync}.go`): rolling
//! updates bounded by maxSurge/maxUnavailable, Recreate, proportional scaling of a rollout in
//! flight, and revision-history cleanup.

use super::deployment::{Ctx, DESIRED_REPLICAS, MAX_REPLICAS, all_replica_sets, revision, rs_replicas};
use super::deployment_status::{deployment_complete, sync_deployment_status, sync_rollout_status};
use super::{OwnerIndex, annotation, by_creation, int_at};
use crate::object;
use serde_json::Value;

fn available(rs: &Value) -> i64 {
    int_at(rs, "/status/availableReplicas", 0)
}

/// `NewRSNewReplicas`: how far the new ReplicaSet may grow now.
pub(super) fn new_rs_new_replicas(ctx: &Ctx<'_>, all: &[&Value], new_rs: &Value) -> i64 {
    let want = ctx.replicas();
    if !ctx.is_rolling() {
        return want;
    }
    let surge = super::scaled_value(ctx.d.pointer("/spec/strategy/rollingUpdate/maxSurge"), want, true);
    let current: i64 = all.iter().map(|r| rs_replicas(r)).sum();
    let max_total = want + surge;
    if current >= max_total {
        return rs_replicas(new_rs);
    }
    let up = (max_total - current).min(want - rs_replicas(new_rs));
    rs_replicas(new_rs) + up
}

fn all_of<'a>(old: &'a [Value], new_rs: Option<&'a Value>) -> Vec<&'a Value> {
    old.iter().chain(new_rs).collect()
}

/// `sync`: scaling (or a paused deployment) without rolling anything out.
pub(super) fn sync_scale(ctx: &mut Ctx<'_>, rss: Vec<Value>, paused: bool) {
    let Some((mut new_rs, mut old)) = all_replica_sets(ctx, rss, false) else {
        return;
    };
    scale(ctx, &mut new_rs, &mut old);
    if paused {
        cleanup(ctx, &old);
    }
    sync_deployment_status(ctx, &all_of(&old, new_rs.as_ref()), new_rs.as_ref());
}

/// `IsSaturated`: the new ReplicaSet is sized for the deployment and fully available.
fn is_saturated(ctx: &Ctx<'_>, rs: Option<&Value>) -> bool {
    let want = ctx.replicas();
    rs.is_some_and(|rs| {
        annotation(rs, DESIRED_REPLICAS) == Some(&want.to_string())
            && rs_replicas(rs) == want
            && available(rs) == want
    })
}

/// `scale`: resizes the active ReplicaSets after `spec.replicas` changed, proportionally to
/// their sizes when a rolling update is in flight.
fn scale(ctx: &mut Ctx<'_>, new_rs: &mut Option<Value>, old: &mut [Value]) {
    let want = ctx.replicas();
    old.sort_by(|a, b| by_creation(b, a));
    let active = old.iter().filter(|r| rs_replicas(r) > 0).count()
        + usize::from(new_rs.as_ref().is_some_and(|r| rs_replicas(r) > 0));
    // FindActiveOrLatest: with at most one active ReplicaSet, it takes the whole count.
    if active <= 1 {
        let target = if active == 0 {
            match new_rs.as_mut() {
                Some(n) => Some(n),
                None => old.first_mut(),
            }
        } else {
            old.iter_mut()
                .chain(new_rs.iter_mut())
                .find(|r| rs_replicas(r) > 0)
        };
        if let Some(t) = target
            && rs_replicas(t) != want
        {
            ctx.scale_rs_if_needed(t, want);
        }
        return;
    }
    if is_saturated(ctx, new_rs.as_ref()) {
        for rs in old.iter_mut().filter(|r| rs_replicas(r) > 0) {
            ctx.scale_rs_if_needed(rs, 0);
        }
        return;
    }
    if !ctx.is_rolling() {
        return;
    }
    let mut all: Vec<&mut Value> = old
        .iter_mut()
        .chain(new_rs.iter_mut())
        .filter(|r| rs_replicas(r) > 0)
        .collect();
    let current: i64 = all.iter().map(|r| rs_replicas(r)).sum();
    let allowed = if want > 0 { want + ctx.max_surge() } else { 0 };
    let to_add = allowed - current;
    if to_add > 0 {
        // Biggest first; among equals the newest first (ReplicaSetsBySizeNewer).
        all.sort_by(|a, b| {
            rs_replicas(b)
                .cmp(&rs_replicas(a))
                .then_with(|| by_creation(b, a))
        });
    } else if to_add < 0 {
        all.sort_by(|a, b| {
            rs_replicas(b)
                .cmp(&rs_replicas(a))
                .then_with(|| by_creation(a, b))
        });
    }
    let mut added = 0;
    let mut sizes: Vec<i64> = Vec::with_capacity(all.len());
    for rs in &all {
        if to_add != 0 {
            let p = proportion(ctx, rs, to_add, added);
            sizes.push(rs_replicas(rs) + p);
            added += p;
        } else {
            sizes.push(rs_replicas(rs));
        }
    }
    for (i, rs) in all.into_iter().enumerate() {
        let mut size = sizes[i];
        // Leftovers go to the largest ReplicaSet.
        if i == 0 && to_add != 0 {
            size = (size + to_add - added).max(0);
        }
        ctx.scale_rs(rs, size);
    }
}

/// `GetProportion`: this ReplicaSet's share of the replicas to add or remove.
fn proportion(ctx: &Ctx<'_>, rs: &Value, to_add: i64, added: i64) -> i64 {
    if rs_replicas(rs) == 0 || to_add == 0 || to_add == added {
        return 0;
    }
    let fraction = if ctx.replicas() == 0 {
        -rs_replicas(rs)
    } else {
        let total = ctx.replicas() + ctx.max_surge();
        let annotated = annotation(rs, MAX_REPLICAS)
            .and_then(|m| m.parse::<i64>().ok())
            .unwrap_or_else(|| int_at(&ctx.d, "/status/replicas", 0));
        if annotated == 0 {
            0
        } else {
            let size = (rs_replicas(rs) * total) as f64 / annotated as f64;
            size.round() as i64 - rs_replicas(rs)
        }
    };
    let allowed = to_add - added;
    if to_add > 0 {
        fraction.min(allowed)
    } else {
        fraction.max(allowed)
    }
}

/// `rolloutRolling`.
pub(super) fn rollout_rolling(ctx: &mut Ctx<'_>, rss: Vec<Value>) {
    let Some((Some(mut new_rs), mut old)) = all_replica_sets(ctx, rss, true) else {
        return;
    };
    if reconcile_new(ctx, &old, &mut new_rs) || reconcile_old(ctx, &mut old, &new_rs) {
        sync_rollout_status(ctx, &all_of(&old, Some(&new_rs)), Some(&new_rs));
        return;
    }
    let d_status = ctx.d.get("status").cloned().unwrap_or_default();
    if deployment_complete(&ctx.d, &d_status) {
        cleanup(ctx, &old);
    }
    sync_rollout_status(ctx, &all_of(&old, Some(&new_rs)), Some(&new_rs));
}

/// `reconcileNewReplicaSet`: grows the new ReplicaSet within maxSurge.
fn reconcile_new(ctx: &mut Ctx<'_>, old: &[Value], new_rs: &mut Value) -> bool {
    let want = ctx.replicas();
    let cur = rs_replicas(new_rs);
    if cur == want {
        return false;
    }
    if cur > want {
        return ctx.scale_rs_if_needed(new_rs, want);
    }
    let count = new_rs_new_replicas(ctx, &all_of(old, Some(new_rs)), new_rs);
    ctx.scale_rs_if_needed(new_rs, count)
}

/// `reconcileOldReplicaSets`: shrinks old ReplicaSets as far as maxUnavailable allows,
/// unhealthy replicas first.
fn reconcile_old(ctx: &mut Ctx<'_>, old: &mut [Value], new_rs: &Value) -> bool {
    let old_count: i64 = old.iter().map(rs_replicas).sum();
    if old_count == 0 {
        return false;
    }
    let all_count = old_count + rs_replicas(new_rs);
    let min_available = ctx.replicas() - ctx.max_unavailable();
    let new_unavailable = rs_replicas(new_rs) - available(new_rs);
    let max_scaled_down = all_count - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return false;
    }
    old.sort_by(by_creation);
    // Unhealthy replicas first, or they would block the rollout until it times out.
    let mut cleaned = 0;
    for rs in old.iter_mut() {
        if cleaned >= max_scaled_down {
            break;
        }
        let (n, avail) = (rs_replicas(rs), available(rs));
        if n == 0 || n == avail {
            continue;
        }
        let down = (max_scaled_down - cleaned).min(n - avail);
        ctx.scale_rs_if_needed(rs, n - down);
        cleaned += down;
    }
    // Then healthy ones, keeping minAvailable.
    let available_now: i64 = old.iter().map(available).sum::<i64>() + available(new_rs);
    let mut scaled = 0;
    if available_now > min_available {
        let total = available_now - min_available;
        for rs in old.iter_mut() {
            if scaled >= total {
                break;
            }
            let n = rs_replicas(rs);
            if n == 0 {
                continue;
            }
            let down = n.min(total - scaled);
            ctx.scale_rs_if_needed(rs, n - down);
            scaled += down;
        }
    }
    cleaned + scaled > 0
}

/// `rolloutRecreate`: old pods all gone before the new ReplicaSet scales up.
pub(super) fn rollout_recreate(ctx: &mut Ctx<'_>, rss: Vec<Value>, pods: Option<&OwnerIndex>) {
    let Some((mut new_rs, mut old)) = all_replica_sets(ctx, rss, false) else {
        return;
    };
    let mut scaled_down = false;
    for rs in old.iter_mut().filter(|r| rs_replicas(r) > 0) {
        scaled_down |= ctx.scale_rs_if_needed(rs, 0);
    }
    if scaled_down || old_pods_running(new_rs.as_ref(), &old, pods) {
        sync_rollout_status(ctx, &all_of(&old, new_rs.as_ref()), new_rs.as_ref());
        return;
    }
    if new_rs.is_none() {
        let Some((n, o)) = all_replica_sets(ctx, old, true) else {
            return;
        };
        (new_rs, old) = (n, o);
    }
    if let Some(n) = new_rs.as_mut() {
        let want = ctx.replicas();
        ctx.scale_rs_if_needed(n, want);
    }
    let d_status = ctx.d.get("status").cloned().unwrap_or_default();
    if deployment_complete(&ctx.d, &d_status) {
        cleanup(ctx, &old);
    }
    sync_rollout_status(ctx, &all_of(&old, new_rs.as_ref()), new_rs.as_ref());
}

/// `oldPodsRunning`: any old ReplicaSet still reports pods, or owns a pod not yet finished.
fn old_pods_running(new_rs: Option<&Value>, old: &[Value], pods: Option<&OwnerIndex>) -> bool {
    if old.iter().map(|r| int_at(r, "/status/replicas", 0)).sum::<i64>() > 0 {
        return true;
    }
    let new_uid = new_rs.map(object::uid);
    let Some(pods) = pods else { return false };
    old.iter()
        .filter(|rs| Some(object::uid(rs)) != new_uid)
        .flat_map(|rs| pods.owned(object::uid(rs)))
        .any(|p| !matches!(super::phase(&p.value), "Failed" | "Succeeded"))
}

/// `cleanupDeployment`: deletes the oldest scaled-down ReplicaSets beyond
/// `revisionHistoryLimit`.
fn cleanup(ctx: &mut Ctx<'_>, old: &[Value]) {
    let Some(limit) = ctx
        .d
        .pointer("/spec/revisionHistoryLimit")
        .and_then(Value::as_i64)
        .filter(|l| *l != i64::from(i32::MAX))
    else {
        return;
    };
    let mut alive: Vec<&Value> = old.iter().filter(|r| !object::is_deleting(r)).collect();
    let diff = alive.len() as i64 - limit;
    if diff <= 0 {
        return;
    }
    alive.sort_by(|a, b| revision(a).cmp(&revision(b)).then_with(|| by_creation(a, b)));
    for rs in alive.into_iter().take(diff as usize) {
        let busy = int_at(rs, "/status/replicas", 0) != 0
            || rs_replicas(rs) != 0
            || int_at(rs, "/metadata/generation", 0) > int_at(rs, "/status/observedGeneration", 0);
        if !busy {
            super::remove(ctx.st, &ctx.rs_rt, rs);
        }
    }
}
