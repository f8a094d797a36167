//! The Deployment controller (`pkg/controller/deployment`): finds or creates the ReplicaSet of
//! the current template (named `<deployment>-<pod-template-hash>`), carries revisions in
//! annotations so `kubectl rollout history|undo` work, and hands the rollout to the strategy
//! ([`super::deployment_rollout`]).

use super::deployment_status::{self as status, PROGRESSING};
use super::{Gate, OwnerIndex, annotation, int_at, set_condition};
use crate::catalog::ResourceType;
use crate::control::Controller;
use crate::control::events::{self, EventType, Source};
use crate::object;
use crate::state::ClusterState;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

pub(super) const MANAGER: &str = "deployment-controller";
pub(super) const REVISION: &str = "deployment.kubernetes.io/revision";
const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
pub(super) const DESIRED_REPLICAS: &str = "deployment.kubernetes.io/desired-replicas";
pub(super) const MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";
const HASH_LABEL: &str = "pod-template-hash";
/// `--deployment-controller-max-rev-history-length-in-chars` default... upstream's constant.
const MAX_REV_HISTORY_CHARS: usize = 2000;

/// The Deployment controller.
#[derive(Default)]
pub struct Deployments {
    gate: Gate,
}

impl Controller for Deployments {
    fn name(&self) -> &'static str {
        MANAGER
    }

    fn reconcile(&self, st: &Arc<ClusterState>) -> Option<Duration> {
        self.gate.run(st, reconcile_all)
    }
}

fn reconcile_all(st: &Arc<ClusterState>) -> Option<Duration> {
    let (Some(d_rt), Some(rs_rt)) = (
        super::resource(st, "apps", "deployments"),
        super::resource(st, "apps", "replicasets"),
    ) else {
        return None;
    };
    let deployments = st.store.list(&d_rt.storage, None).0;
    if deployments.is_empty() {
        return None;
    }
    let rs_index = OwnerIndex::build(st, &rs_rt);
    // Only Recreate looks at pods directly; index them once, and only when needed.
    let recreate = deployments
        .iter()
        .any(|d| super::str_at(&d.value, "/spec/strategy/type") == "Recreate");
    let pods = recreate
        .then(|| super::resource(st, "", "pods"))
        .flatten()
        .map(|rt| OwnerIndex::build(st, &rt));
    let mut requeue = None;
    for d in &deployments {
        let mut ctx = Ctx {
            st,
            d_rt: d_rt.clone(),
            rs_rt: rs_rt.clone(),
            d: d.value.clone(),
            requeue: None,
        };
        let rss = claim_replica_sets(&ctx, &rs_index);
        sync(&mut ctx, rss, pods.as_ref());
        requeue = super::sooner(requeue, ctx.requeue);
    }
    requeue
}

/// One deployment's sync state: the deployment as last read or written, and the follow-up.
pub(super) struct Ctx<'a> {
    pub st: &'a Arc<ClusterState>,
    pub d_rt: Arc<ResourceType>,
    pub rs_rt: Arc<ResourceType>,
    pub d: Value,
    pub requeue: Option<Duration>,
}

impl Ctx<'_> {
    pub fn replicas(&self) -> i64 {
        int_at(&self.d, "/spec/replicas", 1)
    }

    pub fn is_rolling(&self) -> bool {
        super::str_at(&self.d, "/spec/strategy/type") != "Recreate"
    }

    /// `ResolveFenceposts`: (maxSurge, maxUnavailable), never both zero.
    fn fenceposts(&self) -> (i64, i64) {
        let ru = self.d.pointer("/spec/strategy/rollingUpdate");
        let desired = self.replicas();
        let surge = super::scaled_value(ru.and_then(|r| r.get("maxSurge")), desired, true);
        let unavailable = super::scaled_value(ru.and_then(|r| r.get("maxUnavailable")), desired, false);
        if surge == 0 && unavailable == 0 {
            return (0, 1);
        }
        (surge, unavailable)
    }

    /// `deploymentutil.MaxSurge`.
    pub fn max_surge(&self) -> i64 {
        if !self.is_rolling() {
            0
        } else {
            self.fenceposts().0
        }
    }

    /// `deploymentutil.MaxUnavailable`.
    pub fn max_unavailable(&self) -> i64 {
        if !self.is_rolling() || self.replicas() == 0 {
            return 0;
        }
        self.fenceposts().1.min(self.replicas())
    }

    /// `spec.progressDeadlineSeconds`, unless unset or MaxInt32 (no deadline).
    pub fn progress_deadline(&self) -> Option<i64> {
        self.d
            .pointer("/spec/progressDeadlineSeconds")
            .and_then(Value::as_i64)
            .filter(|s| *s != i64::from(i32::MAX))
    }

    pub fn event(&self, ty: EventType, reason: &str, msg: &str) {
        let src = Source {
            component: MANAGER,
            host: None,
        };
        events::record(self.st, &self.d, None, ty, reason, msg, src);
    }

    /// Writes the deployment's status; `false` when the write failed (retried next pass).
    pub fn write_status(&mut self, s: Value) -> bool {
        let mut new = self.d.clone();
        new["status"] = s;
        match super::update_status(self.st, &self.d_rt, new, MANAGER) {
            Some(d) => {
                self.d = d;
                true
            }
            None => false,
        }
    }

    /// `scaleReplicaSet`: sets replicas and the desired/max annotations, with an event when
    /// the size changed. Updates `rs` in place.
    pub fn scale_rs(&mut self, rs: &mut Value, to: i64) -> bool {
        let from = rs_replicas(rs);
        let max = self.replicas() + self.max_surge();
        let annotations_stale = annotation(rs, DESIRED_REPLICAS) != Some(&self.replicas().to_string())
            || annotation(rs, MAX_REPLICAS) != Some(&max.to_string());
        if from == to && !annotations_stale {
            return false;
        }
        let mut new = rs.clone();
        new["spec"]["replicas"] = json!(to);
        set_replicas_annotations(&mut new, self.replicas(), max);
        let Some(updated) = super::update(self.st, &self.rs_rt, new, MANAGER) else {
            return false;
        };
        *rs = updated;
        if from != to {
            let verb = if from < to { "up" } else { "down" };
            let msg = format!(
                "Scaled {verb} replica set {} from {from} to {to}",
                object::name(rs)
            );
            self.event(EventType::Normal, "ScalingReplicaSet", &msg);
            return true;
        }
        false
    }

    /// `scaleReplicaSetAndRecordEvent`: no-op when the size is already right.
    pub fn scale_rs_if_needed(&mut self, rs: &mut Value, to: i64) -> bool {
        if rs_replicas(rs) == to {
            return false;
        }
        self.scale_rs(rs, to)
    }
}

/// `spec.replicas` of a ReplicaSet.
pub(super) fn rs_replicas(rs: &Value) -> i64 {
    int_at(rs, "/spec/replicas", 1)
}

/// The revision annotation as a number (0 when missing or malformed).
pub(super) fn revision(rs: &Value) -> i64 {
    annotation(rs, REVISION).and_then(|r| r.parse().ok()).unwrap_or(0)
}

fn set_annotation(v: &mut Value, key: &str, val: &str) {
    let meta = object::metadata_mut(v);
    let a = meta.entry("annotations").or_insert_with(|| json!({}));
    if !a.is_object() {
        *a = json!({});
    }
    a[key] = json!(val);
}

/// `SetReplicasAnnotations`; returns whether anything changed.
fn set_replicas_annotations(rs: &mut Value, desired: i64, max: i64) -> bool {
    let (d, m) = (desired.to_string(), max.to_string());
    if annotation(rs, DESIRED_REPLICAS) == Some(&d) && annotation(rs, MAX_REPLICAS) == Some(&m) {
        return false;
    }
    set_annotation(rs, DESIRED_REPLICAS, &d);
    set_annotation(rs, MAX_REPLICAS, &m);
    true
}

/// Annotations the controller never copies from a deployment to its ReplicaSets.
fn skip_copy(key: &str) -> bool {
    matches!(
        key,
        "kubectl.kubernetes.io/last-applied-configuration"
            | REVISION
            | REVISION_HISTORY
            | DESIRED_REPLICAS
            | MAX_REPLICAS
            | "deprecated.deployment.rollback.to"
    )
}

/// `SetNewReplicaSetAnnotations`: copies the deployment's annotations, bumps the revision, and
/// keeps the old revisions of a ReplicaSet that comes back (a rollback) in revision-history.
fn set_new_rs_annotations(ctx: &Ctx<'_>, rs: &mut Value, new_rev: i64, exists: bool) -> bool {
    let mut changed = false;
    if let Some(a) = ctx.d.pointer("/metadata/annotations").and_then(Value::as_object) {
        for (k, v) in a {
            let v = v.as_str().unwrap_or_default();
            if skip_copy(k) || annotation(rs, k) == Some(v) {
                continue;
            }
            set_annotation(rs, k, v);
            changed = true;
        }
    }
    let old = annotation(rs, REVISION).map(str::to_string);
    let old_rev = old.as_deref().map_or(Some(0), |o| o.parse::<i64>().ok());
    let Some(old_rev) = old_rev else {
        return changed;
    };
    if old_rev < new_rev {
        set_annotation(rs, REVISION, &new_rev.to_string());
        changed = true;
        if let Some(old) = old {
            let history = annotation(rs, REVISION_HISTORY).unwrap_or_default().to_string();
            let mut revs: Vec<&str> = history.split(',').filter(|s| !s.is_empty()).collect();
            let mut total = history.len() + old.len() + 1;
            while total > MAX_REV_HISTORY_CHARS && !revs.is_empty() {
                total -= revs[0].len() + 1;
                revs.remove(0);
            }
            revs.push(&old);
            let joined = revs.join(",");
            set_annotation(rs, REVISION_HISTORY, &joined);
        }
    }
    if !exists && set_replicas_annotations(rs, ctx.replicas(), ctx.replicas() + ctx.max_surge()) {
        changed = true;
    }
    changed
}

/// A template without the pod-template-hash label, for `EqualIgnoreHash`.
fn without_hash(t: Option<&Value>) -> Value {
    let mut t = t.cloned().unwrap_or_default();
    super::strip_nulls(&mut t);
    if let Some(labels) = t.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
        labels.remove(HASH_LABEL);
        if labels.is_empty()
            && let Some(m) = t.get_mut("metadata").and_then(Value::as_object_mut)
        {
            m.remove("labels");
        }
    }
    t
}

/// ReplicaSets controlled by the deployment, adopting matching orphans.
fn claim_replica_sets(ctx: &Ctx<'_>, index: &OwnerIndex) -> Vec<Value> {
    let d = &ctx.d;
    let mut out: Vec<Value> = index
        .owned(object::uid(d))
        .iter()
        .map(|s| s.value.clone())
        .collect();
    if !object::is_deleting(d) {
        let sel = super::selector_of(d);
        for o in index.adoptable(object::namespace(d), &sel) {
            if let Some(rs) = super::adopt(ctx.st, &ctx.rs_rt, &o.value, d, MANAGER) {
                out.push(rs);
            }
        }
    }
    out
}

/// `getAllReplicaSetsAndSyncRevision`: (new ReplicaSet, old ones); creates the new one when
/// `create` is set. `None` when a write failed and the sync should stop for this pass.
pub(super) fn all_replica_sets(
    ctx: &mut Ctx<'_>,
    mut rss: Vec<Value>,
    create: bool,
) -> Option<(Option<Value>, Vec<Value>)> {
    rss.sort_by(super::by_creation);
    let tpl = without_hash(ctx.d.pointer("/spec/template"));
    let pos = rss
        .iter()
        .position(|rs| without_hash(rs.pointer("/spec/template")) == tpl);
    let existing = pos.map(|i| rss.remove(i));
    let new_rev = rss.iter().map(revision).max().unwrap_or(0) + 1;
    let new_rs = match existing {
        Some(rs) => Some(sync_existing(ctx, rs, new_rev)?),
        None if create => Some(create_new(ctx, &rss, new_rev)?),
        None => None,
    };
    Some((new_rs, rss))
}

fn min_ready(v: &Value) -> i64 {
    int_at(v, "/spec/minReadySeconds", 0)
}

fn sync_existing(ctx: &mut Ctx<'_>, mut rs: Value, new_rev: i64) -> Option<Value> {
    let mut copy = rs.clone();
    let changed = set_new_rs_annotations(ctx, &mut copy, new_rev, true);
    if changed || min_ready(&rs) != min_ready(&ctx.d) {
        copy["spec"]["minReadySeconds"] = json!(min_ready(&ctx.d));
        rs = super::update(ctx.st, &ctx.rs_rt, copy, MANAGER)?;
    }
    let rev = annotation(&rs, REVISION).unwrap_or_default().to_string();
    let mut conds = super::conditions_of(&ctx.d);
    let found = ctx.progress_deadline().is_some() && super::condition(&conds, PROGRESSING).is_none();
    if found {
        let msg = format!("Found new replica set \"{}\"", object::name(&rs));
        set_condition(
            &mut conds,
            status::new_condition(ctx, PROGRESSING, "True", "FoundNewReplicaSet", &msg),
        );
    }
    save_revision_and_conditions(ctx, &rev, found.then_some(conds))?;
    Some(rs)
}

/// `SetDeploymentRevision` (a metadata write) and the conditions (a status write).
fn save_revision_and_conditions(ctx: &mut Ctx<'_>, rev: &str, conds: Option<Vec<Value>>) -> Option<()> {
    if !rev.is_empty() && annotation(&ctx.d, REVISION) != Some(rev) {
        let mut new = ctx.d.clone();
        set_annotation(&mut new, REVISION, rev);
        ctx.d = super::update(ctx.st, &ctx.d_rt, new, MANAGER)?;
    }
    if let Some(conds) = conds {
        let mut s = ctx.d.get("status").cloned().unwrap_or_else(|| json!({}));
        s["conditions"] = Value::Array(conds);
        if !ctx.write_status(s) {
            return None;
        }
    }
    Some(())
}

/// Creates the ReplicaSet of the current template (`getNewReplicaSet` with create).
fn create_new(ctx: &mut Ctx<'_>, old: &[Value], new_rev: i64) -> Option<Value> {
    let d = ctx.d.clone();
    let collisions = d.pointer("/status/collisionCount").and_then(Value::as_i64);
    let mut template = d.pointer("/spec/template").cloned().unwrap_or_default();
    super::strip_nulls(&mut template);
    let hash = super::hash::compute_hash(&template, collisions);
    let mut tpl = template;
    object::metadata_mut(&mut tpl)
        .entry("labels")
        .or_insert_with(|| json!({}))[HASH_LABEL] = json!(hash);
    let mut selector = d.pointer("/spec/selector").cloned().unwrap_or_else(|| json!({}));
    selector
        .as_object_mut()?
        .entry("matchLabels")
        .or_insert_with(|| json!({}))[HASH_LABEL] = json!(hash);
    let name = format!("{}-{hash}", object::name(&d));
    let mut rs = json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": name, "namespace": object::namespace(&d),
            "labels": tpl.pointer("/metadata/labels").cloned().unwrap_or_default(),
            "ownerReferences": [super::owner_ref(&d)]},
        "spec": {"replicas": 0, "minReadySeconds": min_ready(&d), "selector": selector, "template": tpl}});
    let all: Vec<&Value> = old.iter().chain(std::iter::once(&rs)).collect();
    let replicas = super::deployment_rollout::new_rs_new_replicas(ctx, &all, &rs);
    rs["spec"]["replicas"] = json!(replicas);
    set_new_rs_annotations(ctx, &mut rs, new_rev, false);
    let ns = object::namespace(&d).to_string();
    let (created, already) = match super::create(ctx.st, &ctx.rs_rt, &ns, rs, MANAGER) {
        Ok(rs) => (rs, false),
        Err(e) if e.reason == "AlreadyExists" => {
            let cur = ctx.st.store.get(&ctx.rs_rt.storage, &ns, &name)?.value.clone();
            let ours = super::controller_uid(&cur) == Some(object::uid(&d))
                && without_hash(cur.pointer("/spec/template")) == without_hash(d.pointer("/spec/template"));
            if !ours {
                // A hash collision: bump collisionCount so the next pass picks another name.
                let mut s = d.get("status").cloned().unwrap_or_else(|| json!({}));
                s["collisionCount"] = json!(collisions.unwrap_or(0) + 1);
                ctx.write_status(s);
                return None;
            }
            (cur, true)
        }
        Err(_) => return None,
    };
    if replicas > 0 && !already {
        let msg = format!("Scaled up replica set {name} from 0 to {replicas}");
        ctx.event(EventType::Normal, "ScalingReplicaSet", &msg);
    }
    let mut conds = super::conditions_of(&ctx.d);
    let announce = !already && ctx.progress_deadline().is_some();
    if announce {
        let msg = format!("Created new replica set \"{name}\"");
        set_condition(
            &mut conds,
            status::new_condition(ctx, PROGRESSING, "True", "NewReplicaSetCreated", &msg),
        );
    }
    save_revision_and_conditions(ctx, &new_rev.to_string(), announce.then_some(conds))?;
    Some(created)
}

/// `syncDeployment`.
fn sync(ctx: &mut Ctx<'_>, rss: Vec<Value>, pods: Option<&OwnerIndex>) {
    if ctx.d.pointer("/spec/selector") == Some(&json!({})) {
        let msg = "This deployment is selecting all pods. A non-empty selector is required.";
        ctx.event(EventType::Warning, "SelectingAll", msg);
        let generation = int_at(&ctx.d, "/metadata/generation", 0);
        if int_at(&ctx.d, "/status/observedGeneration", 0) < generation {
            let mut s = ctx.d.get("status").cloned().unwrap_or_else(|| json!({}));
            s["observedGeneration"] = json!(generation);
            ctx.write_status(s);
        }
        return;
    }
    if object::is_deleting(&ctx.d) {
        if let Some((new_rs, old)) = all_replica_sets(ctx, rss, false) {
            let all: Vec<&Value> = old.iter().chain(new_rs.as_ref()).collect();
            status::sync_deployment_status(ctx, &all, new_rs.as_ref());
        }
        return;
    }
    if !check_paused_conditions(ctx) {
        return;
    }
    let paused = ctx.d.pointer("/spec/paused").and_then(Value::as_bool) == Some(true);
    if paused || is_scaling_event(ctx, &rss) {
        super::deployment_rollout::sync_scale(ctx, rss, paused);
        return;
    }
    if ctx.is_rolling() {
        super::deployment_rollout::rollout_rolling(ctx, rss);
    } else {
        super::deployment_rollout::rollout_recreate(ctx, rss, pods);
    }
}

/// `checkPausedConditions`: Progressing Unknown with DeploymentPaused / DeploymentResumed.
fn check_paused_conditions(ctx: &mut Ctx<'_>) -> bool {
    if ctx.progress_deadline().is_none() {
        return true;
    }
    let mut conds = super::conditions_of(&ctx.d);
    let cur = super::condition(&conds, PROGRESSING);
    if cur.is_some_and(|c| c["reason"] == status::TIMED_OUT) {
        return true;
    }
    let paused_cond = cur.is_some_and(|c| c["reason"] == "DeploymentPaused");
    let paused = ctx.d.pointer("/spec/paused").and_then(Value::as_bool) == Some(true);
    let c = if paused && !paused_cond {
        status::new_condition(
            ctx,
            PROGRESSING,
            "Unknown",
            "DeploymentPaused",
            "Deployment is paused",
        )
    } else if !paused && paused_cond {
        status::new_condition(
            ctx,
            PROGRESSING,
            "Unknown",
            "DeploymentResumed",
            "Deployment is resumed",
        )
    } else {
        return true;
    };
    set_condition(&mut conds, c);
    let mut s = ctx.d.get("status").cloned().unwrap_or_else(|| json!({}));
    s["conditions"] = Value::Array(conds);
    ctx.write_status(s)
}

/// `isScalingEvent`: an active ReplicaSet was sized for a different `spec.replicas`.
fn is_scaling_event(ctx: &Ctx<'_>, rss: &[Value]) -> bool {
    let want = ctx.replicas().to_string();
    rss.iter()
        .filter(|rs| rs_replicas(rs) > 0)
        .filter_map(|rs| annotation(rs, DESIRED_REPLICAS))
        .any(|d| d != want)
}
