//! Warning events of the last hour, grouped per object and reason, for what no specific check
//! covers (mount failures, network setup, webhooks, ...). Reasons that a specific check already
//! explains with its cause are left out, so one problem is reported once.

use crate::health::analyzer::{Analyzer, Check, Target, finding};
use crate::health::objects::age;
use k8s_openapi::api::core::v1::Event;
use kubegenie_core::finding::{Finding, Recommendation, Severity};
use kubegenie_kube::snapshot::ClusterSnapshot;
use std::collections::BTreeMap;
use std::time::Duration;

/// Repeated warning events on one object.
pub const WARNINGS: Check = Check {
    id: "EVT-WARNING-001",
    severity: Severity::Low,
    title: "Object has recent warning events",
};

/// Events older than this are history.
const WINDOW: Duration = Duration::from_secs(3600);

/// Reasons explained by a specific check (pods, nodes, replica sets, claims).
const COVERED: &[&str] = &[
    "BackOff",
    "Failed",
    "FailedScheduling",
    "Unhealthy",
    "FailedCreate",
    "ProvisioningFailed",
    "OOMKilling",
    "NodeNotReady",
    "Evicted",
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "FailedGetResourceMetric",
    "FailedComputeMetricsReplicas",
];

/// The event analyzer.
pub struct Events;

fn last_seen(e: &Event) -> Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time> {
    e.last_timestamp.as_ref().or(e.first_timestamp.as_ref())
}

impl Analyzer for Events {
    fn name(&self) -> &'static str {
        "events"
    }

    fn checks(&self) -> &'static [Check] {
        &[WARNINGS]
    }

    fn analyze(&self, snap: &ClusterSnapshot, out: &mut Vec<Finding>) {
        // (kind, namespace, name, reason) → (count, latest event)
        let mut groups: BTreeMap<(String, String, String, String), (i32, &Event)> = BTreeMap::new();
        for e in &snap.events {
            let reason = e.reason.as_deref().unwrap_or_default();
            if e.type_.as_deref() != Some("Warning") || COVERED.contains(&reason) {
                continue;
            }
            if age(snap, last_seen(e)).is_none_or(|a| a > WINDOW) {
                continue;
            }
            let o = &e.involved_object;
            let key = (
                o.kind.clone().unwrap_or_default(),
                o.namespace.clone().unwrap_or_default(),
                o.name.clone().unwrap_or_default(),
                reason.to_string(),
            );
            let entry = groups.entry(key).or_insert((0, e));
            entry.0 += e.count.unwrap_or(1);
            if last_seen(e).map(|t| t.0) >= last_seen(entry.1).map(|t| t.0) {
                entry.1 = e;
            }
        }
        for ((kind, ns, name, reason), (count, latest)) in groups {
            let t = if ns.is_empty() {
                Target::cluster(&kind, &name)
            } else {
                Target::namespaced(&kind, &ns, &name)
            };
            let msg = latest.message.as_deref().unwrap_or("no message");
            out.push(finding(
                &WARNINGS,
                snap,
                t,
                format!("{count} warning event(s) {reason} on {} in the last hour: {msg}", t.kref()),
                Recommendation::new(
                    "Read the events and the object's description; the message names what failed.",
                    [
                        format!(
                            "kubectl get events {}--field-selector involvedObject.name={name},reason={reason}",
                            t.ns_flag()
                        ),
                        t.describe(),
                    ],
                ),
                vec![format!("reason={reason} count={count}")],
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::fixtures::{NOW, ids, object, snapshot};
    use serde_json::json;

    fn event(name: &str, reason: &str, ty: &str, count: i32, at: &str) -> Event {
        object(
            json!({"metadata": {"name": format!("{name}.{reason}.{count}"), "namespace": "shop"},
            "involvedObject": {"kind": "Pod", "namespace": "shop", "name": name},
            "reason": reason, "type": ty, "count": count, "message": format!("{reason} happened"),
            "lastTimestamp": at}),
        )
    }

    #[test]
    fn warnings_are_grouped_and_covered_reasons_skipped() {
        let mut snap = snapshot();
        snap.events = vec![
            event("web", "FailedMount", "Warning", 3, NOW),
            event("web", "FailedMount", "Warning", 2, NOW),
            event("web", "BackOff", "Warning", 9, NOW),
            event("web", "Pulled", "Normal", 1, NOW),
            event("old", "FailedMount", "Warning", 1, "2026-01-01T08:00:00Z"),
        ];
        assert_eq!(ids(&Events, &snap), ["EVT-WARNING-001 web"]);
        let mut out = Vec::new();
        Events.analyze(&snap, &mut out);
        assert!(
            out[0]
                .message
                .starts_with("5 warning event(s) FailedMount on pod/web")
        );
    }
}
