//! The security agent's analysis: Pod Security Standards controls, best practices (at least
//! every check Polaris runs by default), the RBAC audit, the who-can evaluator and the
//! compliance summary. Every analyzer is a pure function of a [`SecurityInput`], which is built
//! either from a live cluster (snapshot plus access objects) or from manifests on disk
//! ([`manifests`]), so `kubegenie security` and `kubegenie audit -f` run the same checks.

pub mod compliance;
pub mod exposure;
pub mod manifests;
pub mod patch;
pub mod practice;
pub mod pss;
pub mod pss_controls;
pub mod rbac;
pub mod rbac_rules;
pub mod sarif;
pub mod whocan;
pub mod workload;

use crate::health::analyzer::Check;
use kubegenie_core::finding::{Finding, HealthReport};
use kubegenie_core::outcome::ClusterError;
use kubegenie_kube::access::AccessObjects;
use kubegenie_kube::snapshot::ClusterSnapshot;
use serde::Serialize;

/// What the security analyzers read: the cluster snapshot and the access-control objects.
#[derive(Debug, Clone, Default)]
pub struct SecurityInput {
    /// Workloads, services, PDBs, namespaces, ingresses.
    pub snap: ClusterSnapshot,
    /// Roles, bindings, service accounts, network policies.
    pub access: AccessObjects,
}

/// A security analyzer: one area, one file, the same contract as the health analyzers.
pub trait SecurityAnalyzer: Send + Sync {
    /// Name (`pss`, `rbac`).
    fn name(&self) -> &'static str;
    /// The checks it can report.
    fn checks(&self) -> &'static [Check];
    /// Appends what it finds in `input` to `out`; no I/O, no clock.
    fn analyze(&self, input: &SecurityInput, out: &mut Vec<Finding>);
}

/// Every security analyzer.
pub fn analyzers() -> Vec<Box<dyn SecurityAnalyzer>> {
    vec![
        Box::new(pss::PodSecurity),
        Box::new(practice::Practices),
        Box::new(exposure::Exposure),
        Box::new(rbac::Rbac),
    ]
}

/// Every check of every analyzer.
pub fn checks() -> Vec<&'static Check> {
    analyzers().iter().flat_map(|a| a.checks().iter()).collect()
}

/// Runs every analyzer over one input.
pub fn analyze(input: &SecurityInput) -> Vec<Finding> {
    let mut out = Vec::new();
    for a in analyzers() {
        a.analyze(input, &mut out);
    }
    out
}

/// `kubegenie security`'s answer: findings in the shared shape, plus compliance per cluster.
#[derive(Debug, Clone, Serialize)]
pub struct SecurityReport {
    /// Findings, errors, per-cluster scores and the fleet summary.
    #[serde(flatten)]
    pub report: HealthReport,
    /// Pass/fail per control and a score, per cluster and namespace.
    pub compliance: Vec<compliance::ClusterCompliance>,
}

/// The fleet security report of `inputs` (plus the clusters that could not be read).
pub fn report(inputs: &[SecurityInput], errors: Vec<ClusterError>) -> SecurityReport {
    let mut analysed = Vec::new();
    let mut comp = Vec::new();
    for input in inputs {
        let findings = analyze(input);
        comp.push(compliance::summarize(input, &findings));
        let unreadable = input
            .snap
            .unreadable
            .iter()
            .chain(&input.access.unreadable)
            .map(ToString::to_string)
            .collect();
        analysed.push((input.snap.cluster.clone(), unreadable, findings));
    }
    SecurityReport {
        report: HealthReport::build(analysed, errors),
        compliance: comp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubegenie_core::finding::is_check_id;
    use std::collections::BTreeSet;

    #[test]
    fn check_ids_are_well_formed_unique_and_prefixed() {
        let mut seen = BTreeSet::new();
        for c in checks() {
            assert!(is_check_id(c.id) && c.id.starts_with("SEC-"), "{}", c.id);
            assert!(seen.insert(c.id), "duplicate check id {}", c.id);
        }
        assert!(seen.len() >= 35, "{}", seen.len());
    }

    #[test]
    fn an_empty_cluster_has_no_findings_and_a_full_score() {
        let input = SecurityInput::default();
        let r = report(&[input], vec![]);
        assert!(r.report.findings.is_empty());
        assert_eq!(r.compliance[0].score, 100);
    }
}

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests_practice;
#[cfg(test)]
mod tests_pss;
#[cfg(test)]
mod tests_rbac;
