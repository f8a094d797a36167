//! `describe` across clusters: kubectl's describe text for Pods, Deployments, Nodes and
//! Services, the generic describer for any other kind (CRDs included), and the object's events
//! at the end. Each description starts with a `Cluster:` line.

mod kinds;
mod pod;
pub mod text;

use crate::fanout::FanOut;
use crate::ops::get::Connected;
use crate::ops::target::{Failure, encode, fan, get_json, namespace_of, resolve, select_objects};
use kinds::Related;
use kubegenie_core::operation::DescribeRequest;
use kubegenie_core::outcome::ClusterError;
use serde_json::Value;
use text::{Writer, age, human_duration};

/// One object's description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description {
    /// Cluster name.
    pub cluster: String,
    /// The text, ending in a newline.
    pub text: String,
}

/// The result of `describe`.
#[derive(Debug, Clone, Default)]
pub struct DescribeOutcome {
    /// Descriptions in selection order.
    pub items: Vec<Description>,
    /// Clusters that failed.
    pub errors: Vec<ClusterError>,
}

/// Describes what `req` selects on every cluster.
pub async fn describe(clusters: &[Connected], req: &DescribeRequest, fanout: FanOut) -> DescribeOutcome {
    let (ok, errors) = fan(clusters, fanout, |c| async move { describe_one(&c, req).await }).await;
    DescribeOutcome {
        items: ok.into_iter().flat_map(|(_, d)| d).collect(),
        errors,
    }
}

async fn describe_one(c: &Connected, req: &DescribeRequest) -> Result<Vec<Description>, Failure> {
    let r = resolve(&c.client, &req.objects.kind).await?;
    let ns = (!req.scope.all_namespaces).then(|| namespace_of(&c.client, req.scope.namespace.as_deref()));
    let now = jiff::Timestamp::now();
    let mut out = Vec::new();
    for (_, obj) in select_objects(&c.client, &r, ns.as_deref(), &req.objects).await? {
        let related = related(c, &r.kind, &obj).await?;
        let mut w = Writer::default();
        w.field(0, "Cluster", &c.name);
        kinds::describe(&mut w, &r.kind, &obj, r.namespaced, &related, now);
        write_events(&mut w, &events(c, &obj, r.namespaced).await?, now);
        let text = w.finish();
        out.push(Description {
            cluster: c.name.clone(),
            text,
        });
    }
    Ok(out)
}

async fn related(c: &Connected, kind: &str, o: &Value) -> Result<Related, Failure> {
    let ns = o
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("default");
    let name = o
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let uid = o
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut rel = Related::default();
    match kind {
        "Deployment" => {
            let list = get_json(&c.client, &format!("/apis/apps/v1/namespaces/{ns}/replicasets")).await?;
            rel.replica_sets = list["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|rs| {
                    rs.pointer("/metadata/ownerReferences")
                        .and_then(Value::as_array)
                        .is_some_and(|refs| refs.iter().any(|r| r["uid"] == uid))
                })
                .cloned()
                .collect();
        }
        "Service" => {
            rel.endpoints = get_json(&c.client, &format!("/api/v1/namespaces/{ns}/endpoints/{name}"))
                .await
                .ok();
        }
        "Node" => {
            let sel = encode(&format!("spec.nodeName={name}"));
            let list = get_json(&c.client, &format!("/api/v1/pods?fieldSelector={sel}")).await?;
            rel.pods = list["items"].as_array().cloned().unwrap_or_default();
        }
        _ => {}
    }
    Ok(rel)
}

/// Events about `o`, oldest first. A cluster that forbids reading events still describes.
async fn events(c: &Connected, o: &Value, namespaced: bool) -> Result<Vec<Value>, Failure> {
    let name = o
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let kind = o["kind"].as_str().unwrap_or_default();
    let uid = o.pointer("/metadata/uid").and_then(Value::as_str);
    let mut sel = format!("involvedObject.name={name},involvedObject.kind={kind}");
    let path = match o
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .filter(|_| namespaced)
    {
        Some(ns) => {
            sel.push_str(&format!(",involvedObject.namespace={ns}"));
            format!("/api/v1/namespaces/{ns}/events")
        }
        None => "/api/v1/events".to_string(),
    };
    let list = match get_json(&c.client, &format!("{path}?fieldSelector={}", encode(&sel))).await {
        Ok(l) => l,
        Err(kube::Error::Api(s)) if s.code == 403 => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut items: Vec<Value> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| {
            uid.is_none()
                || e.pointer("/involvedObject/uid")
                    .and_then(Value::as_str)
                    .is_none_or(|u| Some(u) == uid)
        })
        .cloned()
        .collect();
    items.sort_by_key(|e| last_time(e).map(str::to_string));
    Ok(items)
}

fn last_time(e: &Value) -> Option<&str> {
    ["/lastTimestamp", "/eventTime", "/metadata/creationTimestamp"]
        .iter()
        .find_map(|p| e.pointer(p).and_then(Value::as_str))
}

/// The `Events:` section as kubectl prints it, in the same aligned block as the rest.
fn write_events(w: &mut Writer, events: &[Value], now: jiff::Timestamp) {
    if events.is_empty() {
        w.field(0, "Events", "<none>");
        return;
    }
    w.heading(0, "Events");
    w.row(1, &["Type", "Reason", "Age", "From", "Message"]);
    w.row(1, &["----", "------", "----", "----", "-------"]);
    for e in events {
        let last = age(now, last_time(e)).map_or("<unknown>".into(), human_duration);
        let count = e["count"].as_i64().unwrap_or(1);
        let age_text = match age(now, e.pointer("/firstTimestamp").and_then(Value::as_str)) {
            Some(first) if count > 1 => format!("{last} (x{count} over {})", human_duration(first)),
            _ => last,
        };
        let from = e
            .pointer("/source/component")
            .or_else(|| e.pointer("/reportingComponent"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let text = |p: &str| {
            e.pointer(p)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .trim()
                .to_string()
        };
        w.row(
            1,
            &[
                &text("/type"),
                &text("/reason"),
                &age_text,
                from,
                &text("/message"),
            ],
        );
    }
}
