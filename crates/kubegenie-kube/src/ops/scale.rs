//! `scale`: plans a replica change per workload through the scale subresource, as
//! `kubectl scale` does (deployments, statefulsets, replicasets, and any CRD with `/scale`).

use crate::fanout::FanOut;
use crate::ops::get::Connected;
use crate::ops::target::{Failure, fan, get_json, namespace_of, resolve, select_objects};
use kubegenie_core::operation::ScaleRequest;
use kubegenie_core::outcome::ErrorClass;
use kubegenie_core::plan::{Action, Change, Plan, Request};
use serde_json::json;

/// Plans `req` on every cluster: reads each workload's current replicas.
pub async fn plan_scale(clusters: &[Connected], req: &ScaleRequest, fanout: FanOut) -> Plan {
    let mut plan = Plan::new("scale", req.dry_run);
    let (ok, errors) = fan(clusters, fanout, |c| async move { plan_one(&c, req).await }).await;
    plan.actions = ok.into_iter().flat_map(|(_, a)| a).collect();
    plan.errors = errors;
    plan
}

async fn plan_one(c: &Connected, req: &ScaleRequest) -> Result<Vec<Action>, Failure> {
    if req.objects.names.is_empty() && req.objects.label_selector.is_none() {
        return Err(Failure::Refused(
            ErrorClass::Invalid,
            "name the workloads to scale (deploy/NAME) or select them with -l".into(),
        ));
    }
    let r = resolve(&c.client, &req.objects.kind).await?;
    let ns = namespace_of(&c.client, req.namespace.as_deref());
    let mut actions = Vec::new();
    for (target, _) in select_objects(&c.client, &r, Some(&ns), &req.objects).await? {
        let scale = get_json(&c.client, &format!("{}/scale", target.path()))
            .await
            .map_err(|e| match e {
                kube::Error::Api(s) if s.code == 404 => Failure::Refused(
                    ErrorClass::Invalid,
                    format!(
                        "{} has no scale subresource; it cannot be scaled",
                        target.display()
                    ),
                ),
                other => Failure::Kube(other),
            })?;
        let from = scale
            .pointer("/spec/replicas")
            .and_then(|v| v.as_i64())
            .unwrap_or(0);
        if let Some(expected) = req.current_replicas
            && i64::from(expected) != from
        {
            return Err(Failure::Refused(
                ErrorClass::Conflict,
                format!(
                    "expected replicas of {} to be {expected}, was {from} (--current-replicas)",
                    target.display()
                ),
            ));
        }
        let to = i64::from(req.replicas);
        actions.push(Action {
            cluster: c.name.clone(),
            target,
            change: Change::Scale { from, to },
            request: Request::MergePatch,
            subresource: Some("scale".into()),
            body: Some(json!({"spec": {"replicas": to}})),
        });
    }
    Ok(actions)
}
