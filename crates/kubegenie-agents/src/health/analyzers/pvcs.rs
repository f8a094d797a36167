//! PersistentVolumeClaims: pending (with the provisioner's reason from events) and lost.

use crate::health::analyzer::{Analyzer, Check, Target, finding};
use crate::health::objects::{age, human};
use kubegenie_core::finding::{Finding, Recommendation, Severity};
use kubegenie_kube::snapshot::ClusterSnapshot;
use std::time::Duration;

/// The claim is not bound.
pub const PENDING: Check = Check {
    id: "PVC-PENDING-001",
    severity: Severity::Medium,
    title: "PersistentVolumeClaim is pending",
};
/// The bound volume is gone.
pub const LOST: Check = Check {
    id: "PVC-LOST-001",
    severity: Severity::Critical,
    title: "PersistentVolumeClaim lost its volume",
};

/// Provisioning may take this long before a pending claim is reported (unless it failed).
const PROVISION_GRACE: Duration = Duration::from_secs(300);

/// The PVC analyzer.
pub struct Pvcs;

impl Analyzer for Pvcs {
    fn name(&self) -> &'static str {
        "pvcs"
    }

    fn checks(&self) -> &'static [Check] {
        &[PENDING, LOST]
    }

    fn analyze(&self, snap: &ClusterSnapshot, out: &mut Vec<Finding>) {
        for pvc in &snap.pvcs {
            let ns = pvc.metadata.namespace.as_deref().unwrap_or_default();
            let name = pvc.metadata.name.as_deref().unwrap_or_default();
            let t = Target::namespaced("PersistentVolumeClaim", ns, name);
            let phase = pvc
                .status
                .as_ref()
                .and_then(|s| s.phase.as_deref())
                .unwrap_or("Pending");
            let class = pvc
                .spec
                .as_ref()
                .and_then(|s| s.storage_class_name.clone())
                .unwrap_or_else(|| "<default>".into());
            match phase {
                "Lost" => out.push(finding(
                    &LOST,
                    snap,
                    t,
                    format!("pvc {name} is Lost: its PersistentVolume no longer exists; data may be gone"),
                    Recommendation::new(
                        "Restore the volume from backup, or re-create the claim and its data.",
                        [t.describe(), "kubectl get pv".into()],
                    ),
                    vec!["status.phase=Lost".into()],
                )),
                "Pending" => {
                    let failure = snap
                        .events_for("PersistentVolumeClaim", Some(ns), name)
                        .filter(|e| e.type_.as_deref() == Some("Warning"))
                        .filter_map(|e| e.message.clone())
                        .last();
                    let pending_for = age(snap, pvc.metadata.creation_timestamp.as_ref());
                    if failure.is_none() && pending_for.is_none_or(|a| a < PROVISION_GRACE) {
                        continue;
                    }
                    let why = failure.clone().unwrap_or_else(|| {
                        format!("no volume was provisioned or bound (storage class {class})")
                    });
                    out.push(finding(
                        &PENDING,
                        snap,
                        t,
                        format!(
                            "pvc {name} has been Pending for {}: {why}",
                            pending_for.map(human).unwrap_or_else(|| "a while".into())
                        ),
                        Recommendation::new(
                            "Check the storage class exists and its provisioner runs, or bind a matching PersistentVolume.",
                            [t.describe(), "kubectl get storageclass".into()],
                        ),
                        vec![format!("status.phase=Pending storageClass={class}")],
                    ));
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::fixtures::{HOUR_AGO, NOW, ids, object, snapshot};
    use serde_json::json;

    fn pvc(name: &str, created: &str, phase: &str) -> k8s_openapi::api::core::v1::PersistentVolumeClaim {
        object(
            json!({"metadata": {"name": name, "namespace": "data", "creationTimestamp": created},
            "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "fast"},
            "status": {"phase": phase}}),
        )
    }

    #[test]
    fn pending_lost_and_fresh_claims() {
        let mut snap = snapshot();
        snap.pvcs = vec![
            pvc("bound", HOUR_AGO, "Bound"),
            pvc("stuck", HOUR_AGO, "Pending"),
            pvc("fresh", NOW, "Pending"),
            pvc("gone", HOUR_AGO, "Lost"),
        ];
        assert_eq!(ids(&Pvcs, &snap), ["PVC-PENDING-001 stuck", "PVC-LOST-001 gone"]);
    }
}
