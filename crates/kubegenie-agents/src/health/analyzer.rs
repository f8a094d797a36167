//! The analyzer contract: a pure function from a cluster snapshot to findings, and the checks
//! (stable id, severity, title) it can report.

use kubegenie_core::finding::{Finding, Recommendation, Severity};
use kubegenie_kube::snapshot::ClusterSnapshot;

/// One check: what an analyzer can report, with a stable id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check {
    /// Stable id (`POD-CRASHLOOP-001`).
    pub id: &'static str,
    /// Severity of every finding of this check.
    pub severity: Severity,
    /// Short title.
    pub title: &'static str,
}

/// A health analyzer: k8sgpt-style, one per file, looking at one area of the snapshot.
pub trait Analyzer: Send + Sync {
    /// Name (`pods`, `nodes`), used to enable or disable it.
    fn name(&self) -> &'static str;

    /// The checks it can report.
    fn checks(&self) -> &'static [Check];

    /// Appends the problems found in `snap` to `out`. Must not do I/O or read the clock: ages
    /// are measured against [`ClusterSnapshot::taken_at`].
    fn analyze(&self, snap: &ClusterSnapshot, out: &mut Vec<Finding>);
}

/// The object a finding is about.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// Kind (`Pod`).
    pub kind: &'a str,
    /// Namespace, `None` for cluster-scoped objects.
    pub namespace: Option<&'a str>,
    /// Name.
    pub name: &'a str,
}

impl<'a> Target<'a> {
    /// A namespaced object.
    pub fn namespaced(kind: &'a str, namespace: &'a str, name: &'a str) -> Self {
        Self {
            kind,
            namespace: Some(namespace),
            name,
        }
    }

    /// A cluster-scoped object.
    pub fn cluster(kind: &'a str, name: &'a str) -> Self {
        Self {
            kind,
            namespace: None,
            name,
        }
    }

    /// `-n NS ` for commands (empty for cluster-scoped objects).
    pub fn ns_flag(&self) -> String {
        self.namespace.map(|n| format!("-n {n} ")).unwrap_or_default()
    }

    /// `kind/name` as kubectl spells it.
    pub fn kref(&self) -> String {
        format!("{}/{}", self.kind.to_ascii_lowercase(), self.name)
    }

    /// `kubectl describe KIND NAME [-n NS]`.
    pub fn describe(&self) -> String {
        format!("kubectl describe {}{}", self.ns_flag(), self.kref())
    }
}

/// Builds a finding of `check` about `target`.
pub fn finding(
    check: &Check,
    snap: &ClusterSnapshot,
    target: Target<'_>,
    message: String,
    remediation: Recommendation,
    evidence: Vec<String>,
) -> Finding {
    Finding {
        id: check.id.to_string(),
        severity: check.severity,
        cluster: snap.cluster.clone(),
        namespace: target.namespace.map(str::to_string),
        kind: target.kind.to_string(),
        name: target.name.to_string(),
        title: check.title.to_string(),
        message,
        remediation,
        evidence,
    }
}
