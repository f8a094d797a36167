//! `delete`: plans deleting named or selected objects on every cluster. The request is first
//! checked against the refusal rules (`--all` across clusters, protected namespaces) so that
//! nothing is sent when it is refused; objects found in a protected namespace during planning
//! refuse the whole plan too.

use crate::fanout::FanOut;
use crate::ops::get::Connected;
use crate::ops::target::{fan, namespace_of, resolve, select_objects};
use kubegenie_core::operation::{DeleteRefusal, DeleteRequest};
use kubegenie_core::plan::{Action, Change, Plan, Request};
use std::sync::Mutex;

/// Plans `req` on every cluster, or refuses it.
pub async fn plan_delete(
    clusters: &[Connected],
    req: &DeleteRequest,
    fanout: FanOut,
) -> Result<Plan, DeleteRefusal> {
    req.check(clusters.len())?;
    let refusal: Mutex<Option<DeleteRefusal>> = Mutex::new(None);
    let refusal_ref = &refusal;
    let (ok, errors) = fan(clusters, fanout, |c| async move {
        let r = resolve(&c.client, &req.objects.kind).await?;
        let ns = (!req.scope.all_namespaces).then(|| namespace_of(&c.client, req.scope.namespace.as_deref()));
        if let (Some(ns), true) = (&ns, r.namespaced)
            && let Err(e) = req.check_namespace(ns)
        {
            *refusal_ref.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
            return Ok(Vec::new());
        }
        let mut actions = Vec::new();
        for (target, _) in select_objects(&c.client, &r, ns.as_deref(), &req.objects).await? {
            if let Some(obj_ns) = &target.namespace
                && let Err(e) = req.check_namespace(obj_ns)
            {
                *refusal_ref.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                return Ok(Vec::new());
            }
            if r.kind == "Namespace" && req.check_namespace(&target.name).is_err() {
                let name = target.name.clone();
                *refusal_ref.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(DeleteRefusal::ProtectedNamespaceObject { name });
                return Ok(Vec::new());
            }
            actions.push(Action {
                cluster: c.name.clone(),
                target,
                change: Change::Delete,
                request: Request::Delete,
                subresource: None,
                body: None,
            });
        }
        Ok(actions)
    })
    .await;
    if let Some(e) = refusal.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    let mut plan = Plan::new("delete", req.dry_run);
    plan.actions = ok.into_iter().flat_map(|(_, a)| a).collect();
    plan.errors = errors;
    Ok(plan)
}
