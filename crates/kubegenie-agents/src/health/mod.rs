//! Health monitoring: analyzers over cluster snapshots, the per-cluster score and the fleet
//! report, and the agent that runs them.

pub mod agent;
pub mod analyzer;
pub mod analyzers;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod objects;
#[cfg(test)]
mod scale_tests;

use analyzer::Analyzer;
use kubegenie_core::finding::{Finding, HealthReport};
use kubegenie_core::outcome::ClusterError;
use kubegenie_kube::snapshot::ClusterSnapshot;

/// Runs `analyzers` over one snapshot.
pub fn analyze(analyzers: &[Box<dyn Analyzer>], snap: &ClusterSnapshot) -> Vec<Finding> {
    let mut out = Vec::new();
    for a in analyzers {
        a.analyze(snap, &mut out);
    }
    out
}

/// The fleet report of `snapshots` (plus the clusters that could not be read).
pub fn report(
    analyzers: &[Box<dyn Analyzer>],
    snapshots: &[ClusterSnapshot],
    errors: Vec<ClusterError>,
) -> HealthReport {
    let analysed = snapshots
        .iter()
        .map(|s| {
            let unreadable = s.unreadable.iter().map(ToString::to_string).collect();
            (s.cluster.clone(), unreadable, analyze(analyzers, s))
        })
        .collect();
    HealthReport::build(analysed, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubegenie_core::finding::is_check_id;
    use std::collections::BTreeSet;

    #[test]
    fn check_ids_are_well_formed_and_unique() {
        let mut seen = BTreeSet::new();
        for a in analyzers::all() {
            for c in a.checks() {
                assert!(is_check_id(c.id), "{}", c.id);
                assert!(seen.insert(c.id), "duplicate check id {}", c.id);
            }
        }
        assert!(seen.len() >= 30, "{}", seen.len());
    }

    #[test]
    fn an_empty_cluster_is_healthy() {
        let report = report(&analyzers::all(), &[fixtures::snapshot()], vec![]);
        assert!(report.findings.is_empty());
        assert_eq!(report.clusters[0].score, 100);
    }
}
