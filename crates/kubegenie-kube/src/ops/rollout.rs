//! `rollout restart|undo|status`, as kubectl does them: restart sets the
//! `kubectl.kubernetes.io/restartedAt` template annotation; undo restores the pod template of
//! the previous (or `--to-revision`) ReplicaSet or ControllerRevision; status waits for the rollout to finish and
//! prints kubectl's progress messages, per cluster.

use crate::fanout::FanOut;
use crate::ops::get::Connected;
use crate::ops::target::{Failure, fan, get_json, namespace_of, resolve, select_objects};
use kubegenie_core::operation::{RolloutAction, RolloutRequest};
use kubegenie_core::outcome::{ClusterError, ErrorClass};
use kubegenie_core::plan::{Action, Change, ObjectRef, Plan, Request};
use serde_json::{Value, json};
use std::time::Duration;

const REVISION: &str = "deployment.kubernetes.io/revision";
const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

/// Plans `rollout restart` or `rollout undo` on every cluster.
pub async fn plan_rollout(clusters: &[Connected], req: &RolloutRequest, fanout: FanOut) -> Plan {
    let mut plan = Plan::new(req.action.name(), req.dry_run);
    let (ok, errors) = fan(clusters, fanout, |c| async move { plan_one(&c, req).await }).await;
    plan.actions = ok.into_iter().flat_map(|(_, a)| a).collect();
    plan.errors = errors;
    plan
}

async fn workloads(c: &Connected, req: &RolloutRequest) -> Result<Vec<(ObjectRef, Value)>, Failure> {
    if req.objects.names.is_empty() && req.objects.label_selector.is_none() {
        return Err(Failure::Refused(
            ErrorClass::Invalid,
            "name the workloads (deploy/NAME) or select them with -l".into(),
        ));
    }
    let r = resolve(&c.client, &req.objects.kind).await?;
    if !matches!(r.kind.as_str(), "Deployment" | "StatefulSet" | "DaemonSet") {
        return Err(Failure::Refused(
            ErrorClass::Invalid,
            format!(
                "{} is not a rollout target: use deployments, statefulsets or daemonsets",
                r.qualified()
            ),
        ));
    }
    let ns = namespace_of(&c.client, req.namespace.as_deref());
    select_objects(&c.client, &r, Some(&ns), &req.objects).await
}

async fn plan_one(c: &Connected, req: &RolloutRequest) -> Result<Vec<Action>, Failure> {
    let mut actions = Vec::new();
    for (target, obj) in workloads(c, req).await? {
        let action = match req.action {
            RolloutAction::Restart => restart(&c.name, target, &obj)?,
            RolloutAction::Undo => undo(c, target, &obj, req.to_revision).await?,
            RolloutAction::Status => continue,
        };
        actions.extend(action);
    }
    Ok(actions)
}

fn restart(cluster: &str, target: ObjectRef, obj: &Value) -> Result<Option<Action>, Failure> {
    if obj.pointer("/spec/paused") == Some(&Value::Bool(true)) {
        return Err(Failure::Refused(
            ErrorClass::Conflict,
            format!(
                "can't restart paused {} (run rollout resume first)",
                target.display()
            ),
        ));
    }
    let now = jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .unwrap_or(jiff::Timestamp::now());
    let body = json!({"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: now.to_string()}}}}});
    Ok(Some(Action {
        cluster: cluster.to_string(),
        target,
        change: Change::Restart,
        request: Request::StrategicPatch,
        subresource: None,
        body: Some(body),
    }))
}

fn revision(obj: &Value) -> Option<i64> {
    obj.pointer("/metadata/annotations")?
        .get(REVISION)?
        .as_str()?
        .parse()
        .ok()
}

/// The workload's history, newest first: a Deployment's ReplicaSets (revision annotation), or
/// a StatefulSet's or DaemonSet's ControllerRevisions (`revision` field).
async fn history(c: &Connected, target: &ObjectRef, owner: &Value) -> Result<Vec<(i64, Value)>, Failure> {
    let uid = owner
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let ns = target.namespace.as_deref().unwrap_or("default");
    let resource = if target.kind == "Deployment" {
        "replicasets"
    } else {
        "controllerrevisions"
    };
    let list = get_json(&c.client, &format!("/apis/apps/v1/namespaces/{ns}/{resource}")).await?;
    let mut out: Vec<(i64, Value)> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| {
            o.pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .is_some_and(|refs| refs.iter().any(|r| r["uid"] == uid))
        })
        .filter_map(|o| {
            let n = if target.kind == "Deployment" {
                revision(o)
            } else {
                o["revision"].as_i64()
            };
            n.map(|n| (n, o.clone()))
        })
        .collect();
    out.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
    Ok(out)
}

/// The request that restores a revision: the ReplicaSet's template (without its
/// pod-template-hash) as kubectl does for Deployments, or the ControllerRevision's stored patch.
fn restore(kind: &str, rev: &Value) -> (Request, Value) {
    if kind != "Deployment" {
        return (Request::StrategicPatch, rev["data"].clone());
    }
    let mut template = rev["spec"]["template"].clone();
    if let Some(labels) = template
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.remove("pod-template-hash");
    }
    (
        Request::JsonPatch,
        json!([{"op": "replace", "path": "/spec/template", "value": template}]),
    )
}

async fn undo(
    c: &Connected,
    target: ObjectRef,
    obj: &Value,
    to_revision: Option<i64>,
) -> Result<Option<Action>, Failure> {
    let history = history(c, &target, obj).await?;
    // A StatefulSet's or DaemonSet's current template always has the newest revision.
    let current = match target.kind.as_str() {
        "Deployment" => revision(obj).unwrap_or(0),
        _ => history.first().map_or(0, |(n, _)| *n),
    };
    let wanted = match to_revision.filter(|r| *r != 0) {
        Some(n) => history.iter().find(|(r, _)| *r == n),
        None => history.iter().find(|(r, _)| *r < current),
    };
    let Some((to, rs)) = wanted else {
        return Err(Failure::Refused(
            ErrorClass::NotFound,
            match to_revision.filter(|r| *r != 0) {
                Some(n) => format!(
                    "unable to find the specified revision {n} in the history of {}",
                    target.display()
                ),
                None => format!("no rollout history found for {}", target.display()),
            },
        ));
    };
    if *to == current {
        // kubectl: "skipped rollback (current template already matches revision N)".
        return Ok(None);
    }
    let (request, body) = restore(&target.kind, rs);
    Ok(Some(Action {
        cluster: c.name.clone(),
        target,
        change: Change::Undo {
            from_revision: current,
            to_revision: *to,
        },
        request,
        subresource: None,
        body: Some(body),
    }))
}

/// One workload's rollout state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RolloutState {
    /// Still going, with kubectl's message.
    Waiting(String),
    /// Finished, with kubectl's message.
    Done(String),
    /// Failed (progress deadline exceeded).
    Failed(String),
}

/// kubectl's status viewer for deployments, statefulsets and daemonsets.
pub fn rollout_state(obj: &Value) -> RolloutState {
    let kind = obj["kind"].as_str().unwrap_or("Deployment");
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let int = |p: &str| obj.pointer(p).and_then(Value::as_i64).unwrap_or(0);
    let generation = int("/metadata/generation");
    if generation > int("/status/observedGeneration") {
        return RolloutState::Waiting(format!(
            "Waiting for {} spec update to be observed...",
            kind.to_lowercase()
        ));
    }
    match kind {
        "DaemonSet" => {
            let (desired, updated, available) = (
                int("/status/desiredNumberScheduled"),
                int("/status/updatedNumberScheduled"),
                int("/status/numberAvailable"),
            );
            if updated < desired {
                RolloutState::Waiting(format!(
                    "Waiting for daemon set {name:?} rollout to finish: {updated} out of {desired} new pods have been updated..."
                ))
            } else if available < desired {
                RolloutState::Waiting(format!(
                    "Waiting for daemon set {name:?} rollout to finish: {available} of {desired} updated pods are available..."
                ))
            } else {
                RolloutState::Done(format!("daemon set {name:?} successfully rolled out"))
            }
        }
        "StatefulSet" => {
            let replicas = obj.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
            let (ready, updated) = (int("/status/readyReplicas"), int("/status/updatedReplicas"));
            if ready < replicas {
                RolloutState::Waiting(format!("Waiting for {} pods to be ready...", replicas - ready))
            } else if updated < replicas
                || obj.pointer("/status/updateRevision") != obj.pointer("/status/currentRevision")
            {
                RolloutState::Waiting(format!(
                    "waiting for statefulset rolling update to complete {updated} pods at revision {}...",
                    obj.pointer("/status/updateRevision")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                ))
            } else {
                RolloutState::Done(format!(
                    "statefulset rolling update complete {replicas} pods at revision {}...",
                    obj.pointer("/status/updateRevision")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                ))
            }
        }
        _ => deployment_state(obj, name, &int),
    }
}

fn deployment_state(obj: &Value, name: &str, int: &dyn Fn(&str) -> i64) -> RolloutState {
    let deadline = obj["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Progressing" && c["reason"] == "ProgressDeadlineExceeded");
    if deadline {
        return RolloutState::Failed(format!("deployment {name:?} exceeded its progress deadline"));
    }
    let replicas = obj.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
    let (updated, total, available) = (
        int("/status/updatedReplicas"),
        int("/status/replicas"),
        int("/status/availableReplicas"),
    );
    if updated < replicas {
        RolloutState::Waiting(format!(
            "Waiting for deployment {name:?} rollout to finish: {updated} out of {replicas} new replicas have been updated..."
        ))
    } else if total > updated {
        RolloutState::Waiting(format!(
            "Waiting for deployment {name:?} rollout to finish: {} old replicas are pending termination...",
            total - updated
        ))
    } else if available < updated {
        RolloutState::Waiting(format!(
            "Waiting for deployment {name:?} rollout to finish: {available} of {updated} updated replicas are available..."
        ))
    } else {
        RolloutState::Done(format!("deployment {name:?} successfully rolled out"))
    }
}

/// One cluster's `rollout status`: the messages seen (changes only) and whether every
/// workload finished.
#[derive(Debug, Clone, Default)]
pub struct StatusReport {
    /// Messages in order.
    pub messages: Vec<String>,
    /// Whether every workload rolled out.
    pub done: bool,
}

/// The result of `rollout status`.
#[derive(Debug, Clone, Default)]
pub struct StatusOutcome {
    /// Per cluster, in selection order.
    pub clusters: Vec<(String, StatusReport)>,
    /// Clusters that failed, timed out or whose rollout failed.
    pub errors: Vec<ClusterError>,
}

/// `rollout status`: polls each workload until it has rolled out (or once without `wait`).
/// `on_message` sees each new message as `(cluster, message)` while it happens.
pub async fn status(
    clusters: &[Connected],
    req: &RolloutRequest,
    fanout: FanOut,
    poll: Duration,
    on_message: &(dyn Fn(&str, &str) + Sync),
) -> StatusOutcome {
    let (ok, errors) = fan(clusters, fanout, |c| async move {
        let mut report = StatusReport::default();
        for (target, _) in workloads(&c, req).await? {
            loop {
                let obj = get_json(&c.client, &target.path()).await?;
                let state = rollout_state(&obj);
                let msg = match &state {
                    RolloutState::Waiting(m) | RolloutState::Done(m) | RolloutState::Failed(m) => m.clone(),
                };
                if report.messages.last() != Some(&msg) {
                    on_message(&c.name, &msg);
                    report.messages.push(msg.clone());
                }
                match state {
                    RolloutState::Done(_) => break,
                    RolloutState::Failed(m) => return Err(Failure::Refused(ErrorClass::Server, m)),
                    RolloutState::Waiting(_) if !req.wait => return Ok(report),
                    RolloutState::Waiting(_) => tokio::time::sleep(poll).await,
                }
            }
        }
        report.done = true;
        Ok(report)
    })
    .await;
    StatusOutcome { clusters: ok, errors }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_messages_match_kubectl() {
        let d = |updated: i64, total: i64, available: i64| {
            json!({"kind": "Deployment", "metadata": {"name": "web", "generation": 2},
                "spec": {"replicas": 3},
                "status": {"observedGeneration": 2, "updatedReplicas": updated, "replicas": total,
                    "availableReplicas": available}})
        };
        assert_eq!(
            rollout_state(&d(1, 3, 1)),
            RolloutState::Waiting(
                "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated..."
                    .into()
            )
        );
        assert!(
            matches!(rollout_state(&d(3, 4, 3)), RolloutState::Waiting(m) if m.contains("1 old replicas"))
        );
        assert!(
            matches!(rollout_state(&d(3, 3, 2)), RolloutState::Waiting(m) if m.contains("2 of 3 updated"))
        );
        assert_eq!(
            rollout_state(&d(3, 3, 3)),
            RolloutState::Done("deployment \"web\" successfully rolled out".into())
        );
        let mut stale = d(3, 3, 3);
        stale["metadata"]["generation"] = json!(3);
        assert!(matches!(rollout_state(&stale), RolloutState::Waiting(m) if m.contains("spec update")));
    }
}
