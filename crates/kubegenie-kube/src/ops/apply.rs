//! `apply`: plans a server-side apply of manifests on every cluster. Each object is resolved
//! against the cluster's discovery, read, and (unless a client dry run) applied with
//! `dryRun=All` first, so the server validates it and the plan says truthfully whether it
//! will be created, configured or left unchanged. A document the server rejects is named
//! (file, index, reason) and, unless `continue_on_error`, makes the whole plan invalid.

use crate::discovery::{KindIndex, ResourceInfo};
use crate::fanout::FanOut;
use crate::ops::get::Connected;
use crate::ops::target::{Failure, encode, fan, get_json, send};
use kubegenie_core::operation::{ApplyRequest, Manifest};
use kubegenie_core::outcome::{ClusterError, ErrorClass};
use kubegenie_core::plan::{Action, Change, DryRun, FIELD_MANAGER, ObjectRef, Plan, Request};
use serde_json::Value;

/// Plans `req` on every cluster.
pub async fn plan_apply(clusters: &[Connected], req: &ApplyRequest, fanout: FanOut) -> Plan {
    let mut plan = Plan::new("apply", req.dry_run);
    plan.batch = req.rollout_batch;
    plan.force_conflicts = req.force_conflicts;
    let (ok, errors) = fan(clusters, fanout, |c| async move { plan_one(&c, req).await }).await;
    for (_, (actions, rejected)) in ok {
        plan.actions.extend(actions);
        plan.rejected.extend(rejected);
    }
    plan.errors = errors;
    plan
}

/// One cluster: its actions, and rejections naming the documents that failed. Without
/// `continue_on_error` a cluster with any failing document gets no actions.
async fn plan_one(c: &Connected, req: &ApplyRequest) -> Result<(Vec<Action>, Vec<ClusterError>), Failure> {
    let index = KindIndex::discover(&c.client).await?;
    let (mut actions, mut errors) = (Vec::new(), Vec::new());
    // Namespaces this plan creates: their objects cannot exist yet, and a server dry run of
    // them would fail because the namespace does not exist until the plan runs.
    let mut creating: Vec<String> = Vec::new();
    for m in &req.manifests {
        match plan_object(c, &index, req, m, &creating).await {
            Ok(a) => {
                if a.target.kind == "Namespace" && a.change == Change::Create {
                    creating.push(a.target.name.clone());
                }
                actions.push(a)
            }
            Err(f) => {
                let mut e = f.into_error(&c.name);
                e.message = format!("{}: {}", m.origin, e.message);
                errors.push(e);
            }
        }
    }
    if !errors.is_empty() && !req.continue_on_error {
        actions.clear();
    }
    Ok((actions, errors))
}

fn find_kind<'a>(index: &'a KindIndex, api_version: &str, kind: &str) -> Option<&'a ResourceInfo> {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    index
        .resources()
        .iter()
        .find(|r| r.group == group && r.kind == kind)
}

async fn plan_object(
    c: &Connected,
    index: &KindIndex,
    req: &ApplyRequest,
    m: &Manifest,
    creating: &[String],
) -> Result<Action, Failure> {
    let o = &m.object;
    let api_version = o["apiVersion"].as_str().unwrap_or_default();
    let kind = o["kind"].as_str().unwrap_or_default();
    let name = o
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let r = find_kind(index, api_version, kind).ok_or_else(|| {
        Failure::Refused(
            ErrorClass::NotFound,
            format!("the server has no kind {kind:?} in {api_version:?} (is its CRD installed?)"),
        )
    })?;
    let mut body = o.clone();
    let namespace = if r.namespaced {
        Some(namespace_for(c, req, o)?)
    } else {
        None
    };
    if let Some(ns) = &namespace {
        body["metadata"]["namespace"] = Value::String(ns.clone());
    }
    let target = ObjectRef {
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        resource: r.plural.clone(),
        namespace,
        name: name.to_string(),
    };
    let in_new_namespace = target.namespace.as_ref().is_some_and(|ns| creating.contains(ns));
    let existing = match get_json(&c.client, &target.path()).await {
        Ok(v) => Some(v),
        Err(kube::Error::Api(s)) if s.code == 404 => None,
        Err(e) => return Err(e.into()),
    };
    let change = match (&existing, req.dry_run) {
        (None, _) if in_new_namespace => Change::Create,
        (None, DryRun::Client) => Change::Create,
        (Some(e), DryRun::Client) => unchanged_if(subset(&body, e)),
        (existing, _) => {
            let applied = server_dry_run(&c.client, &target, &body, req.force_conflicts).await?;
            match existing {
                None => Change::Create,
                // Either test suffices: the first survives a controller writing between the read
                // and the dry run, the second sees through server-side normalisation
                // (`stringData`, quantities).
                Some(e) => unchanged_if(subset(&body, e) || normalized(&applied) == normalized(e)),
            }
        }
    };
    Ok(Action {
        cluster: c.name.clone(),
        target,
        change,
        request: Request::Apply,
        subresource: None,
        body: Some(body),
    })
}

fn unchanged_if(same: bool) -> Change {
    if same {
        Change::Unchanged
    } else {
        Change::Configure
    }
}

fn namespace_for(c: &Connected, req: &ApplyRequest, o: &Value) -> Result<String, Failure> {
    let own = o.pointer("/metadata/namespace").and_then(Value::as_str);
    match (own, req.namespace.as_deref()) {
        (Some(own), Some(flag)) if own != flag => Err(Failure::Refused(
            ErrorClass::Invalid,
            format!(
                "the namespace from the provided object {own:?} does not match the namespace {flag:?}; \
                 pass --namespace={own} or remove it from the manifest"
            ),
        )),
        (Some(ns), _) | (None, Some(ns)) => Ok(ns.to_string()),
        (None, None) => Ok(c.client.default_namespace().to_string()),
    }
}

async fn server_dry_run(
    client: &kube::Client,
    target: &ObjectRef,
    body: &Value,
    force: bool,
) -> Result<Value, Failure> {
    let mut path = format!(
        "{}?fieldManager={}&dryRun=All",
        target.path(),
        encode(FIELD_MANAGER)
    );
    if force {
        path.push_str("&force=true");
    }
    Ok(send(
        client,
        http::Method::PATCH,
        &path,
        Some("application/apply-patch+yaml"),
        Some(body),
    )
    .await?)
}

/// The object without what every write changes (versions, managed fields) and without the
/// status controllers own, for comparing a dry-run result with the stored object.
fn normalized(o: &Value) -> Value {
    let mut o = o.clone();
    if let Some(m) = o.as_object_mut() {
        m.remove("status");
    }
    if let Some(meta) = o.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in ["resourceVersion", "managedFields", "generation"] {
            meta.remove(k);
        }
    }
    o
}

/// Whether every field of `want` has the same value in `have` (client-side comparison).
fn subset(want: &Value, have: &Value) -> bool {
    match (want, have) {
        (Value::Object(w), Value::Object(h)) => {
            w.iter().all(|(k, v)| h.get(k).is_some_and(|hv| subset(v, hv)))
        }
        (Value::Array(w), Value::Array(h)) => {
            w.len() == h.len() && w.iter().zip(h).all(|(a, b)| subset(a, b))
        }
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (a, b) => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subset_ignores_defaulted_fields() {
        let want = json!({"spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "a"}]}}}});
        let have = json!({"spec": {"replicas": 2, "strategy": {},
            "template": {"spec": {"containers": [{"name": "a", "imagePullPolicy": "Always"}]}}}});
        assert!(subset(&want, &have));
        assert!(!subset(&json!({"spec": {"replicas": 3}}), &have));
        assert!(!subset(&json!({"spec": {"x": 1}}), &have));
    }
}
