//! The compliance summary: every control passed or failed, per cluster and per namespace, a
//! score weighted by severity, and the Pod Security Standards level each namespace would pass
//! if it were enforced today (next to the level it enforces, from its labels).

use super::pss::{CONTROLS, level_of};
use super::pss_controls::Level;
use super::workload::workloads;
use super::{SecurityInput, checks};
use kubegenie_core::finding::{Finding, Severity};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One control's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlStatus {
    /// Check id.
    pub id: &'static str,
    /// Title.
    pub title: &'static str,
    /// Severity.
    pub severity: Severity,
    /// `pass` or `fail`.
    pub status: &'static str,
    /// Objects failing it.
    pub failures: usize,
}

/// One namespace's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamespaceCompliance {
    /// Namespace.
    pub namespace: String,
    /// The strictest Pod Security Standards level every workload passes:
    /// `restricted`, `baseline` or `privileged`.
    pub pss_level: &'static str,
    /// The level enforced by its `pod-security.kubernetes.io/enforce` label, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pss_enforced: Option<String>,
    /// Score, 0 to 100.
    pub score: u32,
    /// Workloads analysed.
    pub workloads: usize,
    /// Ids of the controls that fail.
    pub failed: Vec<&'static str>,
}

/// One cluster's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClusterCompliance {
    /// Cluster.
    pub cluster: String,
    /// Score, 0 to 100.
    pub score: u32,
    /// Controls passed.
    pub passed: usize,
    /// Controls failed.
    pub failed: usize,
    /// Every control.
    pub controls: Vec<ControlStatus>,
    /// Every namespace with workloads or findings.
    pub namespaces: Vec<NamespaceCompliance>,
}

fn weight(s: Severity) -> u32 {
    s.penalty() + 1
}

/// Score of a set of failing check ids: the severity-weighted share of controls that pass.
pub fn score(failed: &BTreeSet<&str>) -> u32 {
    let all = checks();
    let total: u32 = all.iter().map(|c| weight(c.severity)).sum();
    let lost: u32 = all
        .iter()
        .filter(|c| failed.contains(c.id))
        .map(|c| weight(c.severity))
        .sum();
    (100 * (total - lost)).div_ceil(total.max(1)).min(100)
}

/// The PSS level passed when `failed` controls fail.
pub fn pss_level(failed: &BTreeSet<&str>) -> &'static str {
    let worst = failed.iter().filter_map(|id| level_of(id)).min();
    match worst {
        None => "restricted",
        Some(Level::Restricted) => "baseline",
        Some(Level::Baseline) => "privileged",
    }
}

fn namespace_of(f: &Finding) -> Option<&str> {
    f.namespace
        .as_deref()
        .or((f.kind == "Namespace").then_some(f.name.as_str()))
}

/// The compliance summary of one cluster, from its findings.
pub fn summarize(input: &SecurityInput, findings: &[Finding]) -> ClusterCompliance {
    let mut failures: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_ns: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    let mut wl: BTreeMap<String, usize> = BTreeMap::new();
    for w in workloads(input) {
        *wl.entry(w.namespace.to_string()).or_default() += 1;
        by_ns.entry(w.namespace.to_string()).or_default();
    }
    let ids: BTreeMap<&str, &'static str> = checks().iter().map(|c| (c.id, c.id)).collect();
    for f in findings {
        let Some(id) = ids.get(f.id.as_str()).copied() else {
            continue;
        };
        *failures.entry(id).or_default() += 1;
        if let Some(ns) = namespace_of(f) {
            by_ns.entry(ns.to_string()).or_default().insert(id);
        }
    }
    let controls: Vec<ControlStatus> = checks()
        .into_iter()
        .map(|c| {
            let n = failures.get(c.id).copied().unwrap_or(0);
            ControlStatus {
                id: c.id,
                title: c.title,
                severity: c.severity,
                status: if n == 0 { "pass" } else { "fail" },
                failures: n,
            }
        })
        .collect();
    let failed_ids: BTreeSet<&str> = failures.keys().copied().collect();
    let enforced = |ns: &str| {
        input
            .snap
            .namespaces
            .iter()
            .find(|n| n.metadata.name.as_deref() == Some(ns))
            .and_then(|n| {
                n.metadata
                    .labels
                    .as_ref()?
                    .get("pod-security.kubernetes.io/enforce")
                    .cloned()
            })
    };
    let namespaces = by_ns
        .into_iter()
        .map(|(ns, failed)| NamespaceCompliance {
            pss_level: pss_level(&failed),
            pss_enforced: enforced(&ns),
            score: score(&failed),
            workloads: wl.get(&ns).copied().unwrap_or(0),
            failed: failed.into_iter().collect(),
            namespace: ns,
        })
        .collect();
    debug_assert_eq!(CONTROLS.len(), 17);
    ClusterCompliance {
        cluster: input.snap.cluster.clone(),
        score: score(&failed_ids),
        passed: controls.iter().filter(|c| c.status == "pass").count(),
        failed: failed_ids.len(),
        controls,
        namespaces,
    }
}
