//! The HorizontalPodAutoscaler controller (autoscaling/v2), as kube-controller-manager runs it:
//! every 15 s of cluster time it reads the usage of the target's pods (the same usage
//! `metrics.k8s.io` serves), computes the replicas each Resource metric asks for, stabilises
//! and rate-limits the result per `spec.behavior`, scales the Deployment, StatefulSet or
//! ReplicaSet through `spec.replicas`, and reports status, conditions and events.

mod calc;

use super::Controller;
use super::events::{self, EventType, Source};
use crate::catalog::StorageKey;
use crate::handlers::write::{self, Opts};
use crate::object;
use crate::observe::usage::{self, Replicas};
use crate::selector::LabelSelector;
use crate::state::ClusterState;
use calc::{PodSample, Proposal, Rules, Target};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const MANAGER: &str = "horizontal-pod-autoscaler";
/// kube-controller-manager's `--horizontal-pod-autoscaler-sync-period`.
const SYNC: Duration = Duration::from_secs(15);

/// What the controller remembers per HPA between syncs, as the real one does in memory.
#[derive(Debug, Default)]
struct Memory {
    last_sync: i64,
    /// (time, desired replicas) of past syncs, for the stabilization windows.
    recommendations: Vec<(i64, i32)>,
    /// (time, replicas added) and (time, replicas removed), for the rate policies.
    ups: Vec<(i64, i32)>,
    downs: Vec<(i64, i32)>,
}

/// The HPA controller.
#[derive(Default)]
pub struct HorizontalPodAutoscalers {
    memory: Mutex<HashMap<String, Memory>>,
}

impl Controller for HorizontalPodAutoscalers {
    fn name(&self) -> &'static str {
        MANAGER
    }

    fn reconcile(&self, st: &Arc<ClusterState>) -> Option<Duration> {
        let rt = st.resource("autoscaling", "v2", "horizontalpodautoscalers")?;
        let hpas = st.store.list(&rt.storage, None).0;
        let mut memory = self.memory.lock().unwrap_or_else(|e| e.into_inner());
        memory.retain(|uid, _| hpas.iter().any(|h| object::uid(&h.value) == uid));
        if hpas.is_empty() {
            return None;
        }
        let now = st.clock.now().as_second();
        let mut pods: Option<(Vec<Value>, Replicas)> = None;
        for h in &hpas {
            if object::is_deleting(&h.value) {
                continue;
            }
            let mem = memory.entry(object::uid(&h.value).to_string()).or_default();
            if mem.last_sync != 0 && now - mem.last_sync < SYNC.as_secs() as i64 {
                continue;
            }
            mem.last_sync = now;
            let (pods, replicas) = pods.get_or_insert_with(|| {
                let all: Vec<Value> = st
                    .store
                    .list(&StorageKey::new("", "pods"), None)
                    .0
                    .iter()
                    .map(|s| s.value.clone())
                    .collect();
                let r = Replicas::count(all.iter());
                (all, r)
            });
            let new_status = sync(st, &h.value, mem, pods, replicas, now);
            if new_status != h.value["status"] {
                let mut obj = h.value.clone();
                obj["status"] = new_status;
                let name = object::name(&obj).to_string();
                let ns = object::namespace(&obj).to_string();
                if let Err(e) = write::update(
                    st,
                    &rt,
                    Some(&ns),
                    &name,
                    obj,
                    Some("status"),
                    &Opts::internal(MANAGER),
                ) {
                    tracing::debug!(hpa = %name, "status update failed: {}", e.message);
                }
            }
        }
        None
    }
}

/// One metric of the spec: resource name and target.
fn metrics_of(spec: &Value) -> Vec<(String, Target)> {
    let Some(ms) = spec["metrics"].as_array().filter(|m| !m.is_empty()) else {
        // autoscaling/v2 defaults to 80 % CPU utilization.
        return vec![("cpu".into(), Target::Utilization(80))];
    };
    ms.iter()
        .filter(|m| m["type"] == "Resource")
        .filter_map(|m| {
            let r = &m["resource"];
            let name = r["name"].as_str()?.to_string();
            let t = &r["target"];
            let target = match t["type"].as_str()? {
                "Utilization" => Target::Utilization(t["averageUtilization"].as_i64()?),
                "AverageValue" => {
                    let v = crate::validation::quantity_value(&t["averageValue"])?;
                    Target::AverageValue(if name == "cpu" { v * 1000.0 } else { v })
                }
                _ => return None,
            };
            Some((name, target))
        })
        .collect()
}

/// The usage and request of every pod of the target for `resource`.
fn samples(st: &ClusterState, pods: &[&Value], resource: &str, replicas: &Replicas) -> Vec<PodSample> {
    let now = st.clock.now();
    pods.iter()
        .map(|p| {
            let running = usage::pod_usage(st.config.seed, p, now, replicas);
            let usage = (!running.is_empty()).then(|| {
                running
                    .iter()
                    .map(|(_, u)| {
                        if resource == "cpu" {
                            u.cpu_millicores
                        } else {
                            u.memory_bytes
                        }
                    })
                    .sum()
            });
            let mut request = Ok(0.0);
            for c in usage::container_names(p) {
                let r = usage::resources(p, c);
                let req = if resource == "cpu" {
                    r.cpu_request
                } else {
                    r.memory_request
                };
                request = match (request, req) {
                    (Ok(sum), Some(v)) => Ok(sum + v),
                    (Ok(_), None) => Err(c.to_string()),
                    (e, _) => e,
                };
            }
            PodSample {
                name: object::name(p).to_string(),
                usage,
                request,
                pending: p
                    .pointer("/status/phase")
                    .and_then(Value::as_str)
                    .unwrap_or("Pending")
                    == "Pending",
                ready: usage::is_ready(p),
            }
        })
        .collect()
}

fn quantity(resource: &str, v: f64) -> String {
    if resource == "cpu" {
        format!("{}m", v.round() as i64)
    } else {
        format!("{}", v.round() as i64)
    }
}

/// The metric's name in reasons and messages, as kube-controller-manager writes it.
fn metric_name(resource: &str, target: Target) -> String {
    match target {
        Target::Utilization(_) => format!("{resource} resource utilization (percentage of request)"),
        Target::AverageValue(_) => format!("{resource} resource"),
    }
}

/// Conditions, carrying over transition times of unchanged statuses.
struct Conditions<'a> {
    old: &'a Value,
    now: String,
    list: Vec<Value>,
}

impl Conditions<'_> {
    fn set(&mut self, ty: &str, status: bool, reason: &str, message: &str) {
        let status = if status { "True" } else { "False" };
        let since = self
            .old
            .as_array()
            .and_then(|a| a.iter().find(|c| c["type"] == ty && c["status"] == status))
            .and_then(|c| c["lastTransitionTime"].as_str())
            .map_or_else(|| self.now.clone(), str::to_string);
        self.list.retain(|c| c["type"] != ty);
        self.list
            .push(json!({"type": ty, "status": status, "lastTransitionTime": since,
            "reason": reason, "message": message}));
    }
}

/// One sync of one HPA; returns its new status.
fn sync(
    st: &Arc<ClusterState>,
    hpa: &Value,
    mem: &mut Memory,
    pods: &[Value],
    replicas: &Replicas,
    now: i64,
) -> Value {
    let spec = &hpa["spec"];
    let old = &hpa["status"];
    let mut conds = Conditions {
        old: &old["conditions"],
        now: st.now_string(),
        list: Vec::new(),
    };
    let warn = |reason: &str, msg: &str| {
        events::record(
            st,
            hpa,
            None,
            EventType::Warning,
            reason,
            msg,
            Source {
                component: MANAGER,
                host: None,
            },
        )
    };
    let target_ref = &spec["scaleTargetRef"];
    let kind = target_ref["kind"].as_str().unwrap_or_default();
    let api_version = target_ref["apiVersion"].as_str().unwrap_or("apps/v1");
    let tname = target_ref["name"].as_str().unwrap_or_default();
    let ns = object::namespace(hpa);
    let target = st.resource_by_kind(api_version, kind).and_then(|rt| {
        st.store
            .get(&rt.storage, ns, tname)
            .map(|s| (rt, s.value.clone()))
    });
    let mut status = json!({"observedGeneration": hpa.pointer("/metadata/generation").cloned().unwrap_or(json!(1)),
        "currentReplicas": old["currentReplicas"].as_i64().unwrap_or(0), "desiredReplicas": old["desiredReplicas"].as_i64().unwrap_or(0)});
    if let Some(t) = old.get("lastScaleTime") {
        status["lastScaleTime"] = t.clone();
    }
    let Some((trt, target)) = target else {
        let msg = format!(
            "the HPA controller was unable to get the target's current scale: {} \"{tname}\" not found",
            kind.to_ascii_lowercase()
        );
        warn("FailedGetScale", &msg);
        conds.set("AbleToScale", false, "FailedGetScale", &msg);
        status["conditions"] = json!(conds.list);
        return status;
    };
    let current = target
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1) as i32;
    status["currentReplicas"] = json!(current);
    let min = spec["minReplicas"].as_i64().unwrap_or(1) as i32;
    let max = spec["maxReplicas"].as_i64().unwrap_or(i64::from(min)) as i32;
    if current == 0 && min > 0 {
        conds.set(
            "AbleToScale",
            true,
            "SucceededGetScale",
            "the HPA controller was able to get the target's current scale",
        );
        conds.set(
            "ScalingActive",
            false,
            "ScalingDisabled",
            "scaling is disabled since the replica count of the target is zero",
        );
        status["desiredReplicas"] = json!(0);
        status["conditions"] = json!(conds.list);
        return status;
    }
    let selector = target
        .pointer("/spec/selector")
        .and_then(|s| LabelSelector::from_object(s).ok());
    let mine: Vec<&Value> = pods
        .iter()
        .filter(|p| object::namespace(p) == ns && !object::is_deleting(p))
        .filter(|p| selector.as_ref().is_some_and(|s| s.matches(object::labels(p))))
        .filter(|p| {
            !matches!(
                p.pointer("/status/phase").and_then(Value::as_str),
                Some("Failed" | "Succeeded")
            )
        })
        .collect();
    let mut best: Option<(i32, String)> = None;
    let mut current_metrics = Vec::new();
    let mut errors = Vec::new();
    let metrics = metrics_of(spec);
    for (resource, t) in &metrics {
        match calc::replicas_for(resource, current, &samples(st, &mine, resource, replicas), *t) {
            Ok(Proposal {
                replicas,
                utilization,
                average,
            }) => {
                let mut cur = json!({"averageValue": quantity(resource, average)});
                if let Some(u) = utilization {
                    cur["averageUtilization"] = json!(u);
                }
                current_metrics
                    .push(json!({"type": "Resource", "resource": {"name": resource, "current": cur}}));
                if best.as_ref().is_none_or(|(r, _)| replicas > *r) {
                    best = Some((replicas, metric_name(resource, *t)));
                }
            }
            Err(e) => {
                let what = match t {
                    Target::Utilization(_) => "utilization",
                    Target::AverageValue(_) => "usage",
                };
                errors.push(format!("failed to get {resource} {what}: {e}"));
            }
        }
    }
    status["currentMetrics"] = json!(current_metrics);
    let (metric_desired, metric_reason) = match (best, errors.first()) {
        (Some(b), _) => b,
        (None, err) => {
            let e = err.cloned().unwrap_or_else(|| "no metrics".into());
            warn("FailedGetResourceMetric", &e);
            warn(
                "FailedComputeMetricsReplicas",
                &format!(
                    "invalid metrics ({} invalid out of {}), first error is: failed to get {e}",
                    errors.len(),
                    metrics.len()
                ),
            );
            conds.set(
                "AbleToScale",
                true,
                "SucceededGetScale",
                "the HPA controller was able to get the target's current scale",
            );
            conds.set(
                "ScalingActive",
                false,
                "FailedGetResourceMetric",
                &format!("the HPA was unable to compute the replica count: {e}"),
            );
            status["desiredReplicas"] = json!(current);
            status["conditions"] = json!(conds.list);
            return status;
        }
    };
    conds.set(
        "AbleToScale",
        true,
        "SucceededGetScale",
        "the HPA controller was able to get the target's current scale",
    );
    conds.set(
        "ScalingActive",
        true,
        "ValidMetricFound",
        &format!("the HPA was able to successfully calculate a replica count from {metric_reason}"),
    );
    let up = Rules::from_spec(spec.pointer("/behavior/scaleUp"), true);
    let down = Rules::from_spec(spec.pointer("/behavior/scaleDown"), false);
    let (desired, reason) = if current > max {
        (
            max,
            "Current number of replicas above Spec.MaxReplicas".to_string(),
        )
    } else if current < min {
        (
            min,
            "Current number of replicas below Spec.MinReplicas".to_string(),
        )
    } else {
        let d = normalize(
            mem,
            &mut conds,
            metric_desired,
            current,
            min,
            max,
            &up,
            &down,
            now,
        );
        let reason = if d > current {
            format!("{metric_reason} above target")
        } else {
            "All metrics below target".to_string()
        };
        (d, reason)
    };
    status["desiredReplicas"] = json!(desired);
    if desired != current {
        let mut obj = target.clone();
        obj["spec"]["replicas"] = json!(desired);
        match write::update(st, &trt, Some(ns), tname, obj, None, &Opts::internal(MANAGER)) {
            Ok(_) => {
                let msg = format!("New size: {desired}; reason: {reason}");
                events::record(
                    st,
                    hpa,
                    None,
                    EventType::Normal,
                    "SuccessfulRescale",
                    &msg,
                    Source {
                        component: MANAGER,
                        host: None,
                    },
                );
                let change = (now, (desired - current).abs());
                if desired > current {
                    mem.ups.push(change)
                } else {
                    mem.downs.push(change)
                }
                status["lastScaleTime"] = json!(st.now_string());
                conds.set(
                    "AbleToScale",
                    true,
                    "SucceededRescale",
                    &format!("the HPA controller was able to update the target scale to {desired}"),
                );
            }
            Err(e) => {
                let msg = format!("failed to rescale {kind}/{tname}: {}", e.message);
                warn("FailedRescale", &msg);
                conds.set(
                    "AbleToScale",
                    false,
                    "FailedUpdateScale",
                    &format!(
                        "the HPA controller was unable to update the target scale: {}",
                        e.message
                    ),
                );
            }
        }
    }
    let keep = now - 3600;
    mem.ups.retain(|(t, _)| *t > keep);
    mem.downs.retain(|(t, _)| *t > keep);
    let order = ["AbleToScale", "ScalingActive", "ScalingLimited"];
    conds
        .list
        .sort_by_key(|c| order.iter().position(|o| c["type"] == *o));
    status["conditions"] = json!(conds.list);
    status
}

/// Stabilization windows, then rate policies and min/max (`normalizeDesiredReplicasWithBehaviors`).
#[allow(clippy::too_many_arguments)]
fn normalize(
    mem: &mut Memory,
    conds: &mut Conditions<'_>,
    desired: i32,
    current: i32,
    min: i32,
    max: i32,
    up: &Rules,
    down: &Rules,
    now: i64,
) -> i32 {
    if mem.recommendations.is_empty() && down.window > 0 {
        // A new HPA does not scale down before it has watched a full window.
        mem.recommendations.push((now, current));
    }
    let (mut up_rec, mut down_rec) = (desired, desired);
    for (t, r) in &mem.recommendations {
        if *t > now - up.window {
            up_rec = up_rec.min(*r);
        }
        if *t > now - down.window {
            down_rec = down_rec.max(*r);
        }
    }
    let mut stabilized = current;
    let (mut reason, mut message) = ("ReadyForNewScale", "recommended size matches current size");
    if stabilized < up_rec {
        stabilized = up_rec;
        (reason, message) = (
            "ScaleUpStabilized",
            "recent recommendations were lower than current one, applying the lowest recent recommendation",
        );
    }
    if stabilized > down_rec {
        stabilized = down_rec;
        (reason, message) = (
            "ScaleDownStabilized",
            "recent recommendations were higher than current one, applying the highest recent recommendation",
        );
    }
    let horizon = now - up.window.max(down.window);
    mem.recommendations.retain(|(t, _)| *t > horizon);
    mem.recommendations.push((now, desired));
    if stabilized == desired {
        (reason, message) = ("ReadyForNewScale", "recommended size matches current size");
    }
    conds.set("AbleToScale", true, reason, message);
    let mut out = stabilized;
    let (mut lreason, mut lmessage) = (
        "DesiredWithinRange",
        "the desired count is within the acceptable range",
    );
    if stabilized > current {
        let limit = calc::scale_up_limit(current, &mem.ups, &mem.downs, up, now).max(current);
        let (allowed, r, m) = if max > limit {
            (
                limit,
                "ScaleUpLimit",
                "the desired replica count is increasing faster than the maximum scale rate",
            )
        } else {
            (
                max,
                "TooManyReplicas",
                "the desired replica count is more than the maximum replica count",
            )
        };
        if stabilized > allowed {
            (out, lreason, lmessage) = (allowed, r, m);
        }
    } else if stabilized < current {
        let limit = calc::scale_down_limit(current, &mem.ups, &mem.downs, down, now).min(current);
        let (allowed, r, m) = if min < limit {
            (
                limit,
                "ScaleDownLimit",
                "the desired replica count is decreasing faster than the maximum scale rate",
            )
        } else {
            (
                min,
                "TooFewReplicas",
                "the desired replica count is less than the minimum replica count",
            )
        };
        if stabilized < allowed {
            (out, lreason, lmessage) = (allowed, r, m);
        }
    }
    conds.set("ScalingLimited", out != stabilized, lreason, lmessage);
    out
}
