//! Executing a [`Plan`]: clusters in batches (`--rollout-batch`), actions of one cluster in
//! plan order (a namespace before what lives in it), clusters of a batch concurrently. A batch
//! in which any cluster fails stops the rollout: later clusters are skipped, not half-written.

use crate::fanout::FanOut;
use crate::ops::get::Connected;
use crate::ops::target::{Failure, encode, send};
use kubegenie_core::outcome::ClusterError;
use kubegenie_core::plan::{Action, ActionResult, ActionStatus, Change, DryRun, Plan, PlanOutcome, Request};

/// Runs `plan` on `clusters` (matched by name). A client dry run sends nothing.
pub async fn execute(clusters: &[Connected], plan: &Plan, fan: FanOut) -> PlanOutcome {
    let mut out = PlanOutcome {
        operation: plan.operation.clone(),
        dry_run: plan.dry_run,
        results: Vec::new(),
        errors: plan.errors.iter().chain(&plan.rejected).cloned().collect(),
    };
    let order = plan.clusters();
    if plan.dry_run == DryRun::Client {
        out.results = plan
            .actions
            .iter()
            .map(|a| result(a, ActionStatus::Done))
            .collect();
        return out;
    }
    let batch = plan.batch.unwrap_or(order.len()).max(1);
    let mut stopped: Option<String> = None;
    for names in order.chunks(batch) {
        if let Some(why) = &stopped {
            let skipped = plan.actions.iter().filter(|a| names.contains(&a.cluster));
            out.results
                .extend(skipped.map(|a| result(a, ActionStatus::Skipped { reason: why.clone() })));
            continue;
        }
        let members: Vec<Connected> = clusters
            .iter()
            .filter(|c| names.contains(&c.name))
            .cloned()
            .collect();
        let ran = fan
            .collect_with(members, |c: Connected| async move { run_cluster(&c, plan).await })
            .await;
        let mut batch_failed = Vec::new();
        for (name, res) in ran {
            match res {
                Ok(results) => {
                    if results
                        .iter()
                        .any(|r| matches!(r.result, ActionStatus::Failed { .. }))
                    {
                        batch_failed.push(name);
                    }
                    out.results.extend(results);
                }
                Err(timeout) => {
                    batch_failed.push(name.clone());
                    out.results.extend(timed_out(plan, &name, &timeout));
                }
            }
        }
        if !batch_failed.is_empty() && plan.batch.is_some() {
            stopped = Some(format!("batch with {} failed", batch_failed.join(", ")));
        }
    }
    out
}

fn result(a: &Action, status: ActionStatus) -> ActionResult {
    ActionResult {
        cluster: a.cluster.clone(),
        target: a.target.clone(),
        change: a.change.clone(),
        result: status,
    }
}

fn timed_out(plan: &Plan, cluster: &str, err: &ClusterError) -> Vec<ActionResult> {
    plan.actions
        .iter()
        .filter(|a| a.cluster == cluster)
        .map(|a| result(a, ActionStatus::Failed { error: err.clone() }))
        .collect()
}

/// One cluster's actions in order; after a failure the rest of the cluster is skipped.
async fn run_cluster(c: &Connected, plan: &Plan) -> Vec<ActionResult> {
    let mut out = Vec::new();
    let mut failed = false;
    // On a server dry run a namespace created by the plan is not persisted, so what goes into
    // it cannot be sent (the server would answer "namespace not found").
    let mut dry_namespaces: Vec<&str> = Vec::new();
    for a in plan.actions.iter().filter(|a| a.cluster == c.name) {
        if failed {
            let reason = "an earlier action on this cluster failed".into();
            out.push(result(a, ActionStatus::Skipped { reason }));
            continue;
        }
        if plan.dry_run == DryRun::Server {
            if a.target.kind == "Namespace" && a.change == Change::Create {
                dry_namespaces.push(&a.target.name);
            } else if a
                .target
                .namespace
                .as_deref()
                .is_some_and(|ns| dry_namespaces.contains(&ns))
            {
                let reason = "its namespace is only created by this apply; not validated".into();
                out.push(result(a, ActionStatus::Skipped { reason }));
                continue;
            }
        }
        let status = match run_action(&c.client, plan, a).await {
            Ok(()) => ActionStatus::Done,
            Err(f) => {
                failed = true;
                ActionStatus::Failed {
                    error: f.into_error(&c.name),
                }
            }
        };
        out.push(result(a, status));
    }
    out
}

async fn run_action(client: &kube::Client, plan: &Plan, a: &Action) -> Result<(), Failure> {
    let mut path = a.target.path();
    if let Some(sub) = &a.subresource {
        path = format!("{path}/{sub}");
    }
    let mut query = vec![format!("fieldManager={}", encode(&plan.field_manager))];
    if plan.dry_run == DryRun::Server {
        query.push("dryRun=All".into());
    }
    let (method, content_type) = match a.request {
        Request::Apply => {
            if plan.force_conflicts {
                query.push("force=true".into());
            }
            (http::Method::PATCH, Some("application/apply-patch+yaml"))
        }
        Request::MergePatch => (http::Method::PATCH, Some("application/merge-patch+json")),
        Request::StrategicPatch => (
            http::Method::PATCH,
            Some("application/strategic-merge-patch+json"),
        ),
        Request::JsonPatch => (http::Method::PATCH, Some("application/json-patch+json")),
        Request::Delete => {
            query.retain(|q| !q.starts_with("fieldManager="));
            query.push("propagationPolicy=Background".into());
            (http::Method::DELETE, None)
        }
    };
    let path = format!("{path}?{}", query.join("&"));
    send(client, method, &path, content_type, a.body.as_ref()).await?;
    Ok(())
}
