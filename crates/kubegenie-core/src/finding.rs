//! What analysis produces: findings (something is wrong, here, and this is how to fix it), their
//! severities, stable check ids, recommendations, and the fleet-wide health report built from
//! them. Every agent (health, security, cost, ...) speaks this one shape, so front ends render
//! and filter findings without knowing which agent made them.

use crate::outcome::ClusterError;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing is broken.
    #[default]
    Info,
    /// A risk or a degraded detail that does not affect users yet.
    Low,
    /// Part of a workload is degraded (fewer replicas, one pod failing).
    Medium,
    /// A workload or node is failing.
    High,
    /// Users are affected now, or the cluster's capacity is at risk.
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 5] = [Self::Info, Self::Low, Self::Medium, Self::High, Self::Critical];

    /// The lowercase name used in output and flags.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    /// Points a finding of this severity takes off a cluster's health score.
    pub fn penalty(self) -> u32 {
        match self {
            Self::Info => 0,
            Self::Low => 1,
            Self::Medium => 3,
            Self::High => 8,
            Self::Critical => 15,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown severity {s:?} (use info, low, medium, high or critical)"))
    }
}

/// Whether `id` has the shape of a check id: upper-case words and a three-digit number joined
/// by dashes, e.g. `POD-CRASHLOOP-001`.
pub fn is_check_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    let Some((num, words)) = parts.split_last() else {
        return false;
    };
    !words.is_empty()
        && num.len() == 3
        && num.bytes().all(|b| b.is_ascii_digit())
        && words
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
}

/// What to do about a finding: a sentence, and the exact commands or patch that do it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Recommendation {
    /// What to do, in one sentence.
    pub summary: String,
    /// Commands to run, in order (`kubectl ...` or `kubegenie ...`), ready to paste.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<String>,
    /// A strategic-merge patch to apply, when the fix is a change to the object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch: Option<serde_json::Value>,
}

impl Recommendation {
    /// A recommendation with a summary and commands.
    pub fn new(summary: impl Into<String>, commands: impl IntoIterator<Item = String>) -> Self {
        Self {
            summary: summary.into(),
            commands: commands.into_iter().collect(),
            patch: None,
        }
    }
}

/// One problem found on one object of one cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// Stable check id (`POD-CRASHLOOP-001`): the same problem always has the same id.
    pub id: String,
    /// How bad it is.
    pub severity: Severity,
    /// Cluster name.
    pub cluster: String,
    /// Namespace; `None` for cluster-scoped objects.
    pub namespace: Option<String>,
    /// Kind of the object (`Pod`, `Deployment`, `Node`).
    pub kind: String,
    /// Object name.
    pub name: String,
    /// The check's title (`Container is crash-looping`).
    pub title: String,
    /// What is wrong with this object and why it matters.
    pub message: String,
    /// How to fix it.
    pub remediation: Recommendation,
    /// Facts the finding rests on (status fields, events, counts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

impl Finding {
    /// `kind/name` as kubectl prints it (`pod/web-1`).
    pub fn object_ref(&self) -> String {
        format!("{}/{}", self.kind.to_ascii_lowercase(), self.name)
    }

    /// A key that identifies the problem independently of wording: cluster, namespace, object
    /// and check id.
    pub fn key(&self) -> (String, String, String, String, String) {
        (
            self.cluster.clone(),
            self.namespace.clone().unwrap_or_default(),
            self.kind.clone(),
            self.name.clone(),
            self.id.clone(),
        )
    }
}

/// One cluster's health at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ClusterHealth {
    /// Cluster name.
    pub cluster: String,
    /// 0 (everything failing) to 100 (no findings above info).
    pub score: u32,
    /// Findings by severity name.
    pub findings: BTreeMap<Severity, usize>,
    /// Kinds that could not be read (RBAC, not served), with the reason, so a clean result is
    /// not mistaken for a complete one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
}

/// The fleet at a glance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FleetSummary {
    /// Clusters analysed.
    pub clusters: usize,
    /// Clusters that could not be analysed.
    pub failed_clusters: usize,
    /// Clusters with a score of 100.
    pub healthy_clusters: usize,
    /// Lowest score among analysed clusters (100 when none).
    pub worst_score: u32,
    /// Findings by severity over the fleet.
    pub findings: BTreeMap<Severity, usize>,
}

/// What a health scan returns: `{"findings": [...], "errors": [...], "clusters": [...],
/// "summary": {...}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HealthReport {
    /// Findings, most severe first, then by cluster, namespace and name.
    pub findings: Vec<Finding>,
    /// Clusters that could not be analysed.
    pub errors: Vec<ClusterError>,
    /// Per-cluster scores.
    pub clusters: Vec<ClusterHealth>,
    /// The fleet summary.
    pub summary: FleetSummary,
}

/// A cluster's score: 100 minus the penalties of its findings, at least 0.
pub fn score(findings: &[Finding]) -> u32 {
    let penalty: u32 = findings.iter().map(|f| f.severity.penalty()).sum();
    100u32.saturating_sub(penalty)
}

/// Counts findings per severity.
pub fn count_by_severity<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> BTreeMap<Severity, usize> {
    let mut out = BTreeMap::new();
    for f in findings {
        *out.entry(f.severity).or_insert(0) += 1;
    }
    out
}

impl HealthReport {
    /// Builds a report from the findings of each analysed cluster (`(cluster, unreadable kinds,
    /// findings)`) and the clusters that failed. Findings are sorted most severe first.
    pub fn build(analysed: Vec<(String, Vec<String>, Vec<Finding>)>, errors: Vec<ClusterError>) -> Self {
        let mut report = HealthReport {
            errors,
            ..Default::default()
        };
        for (cluster, unreadable, findings) in analysed {
            report.clusters.push(ClusterHealth {
                cluster,
                score: score(&findings),
                findings: count_by_severity(&findings),
                unreadable,
            });
            report.findings.extend(findings);
        }
        report.findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.cluster.cmp(&b.cluster))
                .then_with(|| a.namespace.cmp(&b.namespace))
                .then_with(|| a.kind.cmp(&b.kind))
                .then_with(|| a.name.cmp(&b.name))
                .then_with(|| a.id.cmp(&b.id))
        });
        report.summary = FleetSummary {
            clusters: report.clusters.len(),
            failed_clusters: report.errors.len(),
            healthy_clusters: report.clusters.iter().filter(|c| c.score == 100).count(),
            worst_score: report.clusters.iter().map(|c| c.score).min().unwrap_or(100),
            findings: count_by_severity(&report.findings),
        };
        report
    }

    /// Keeps findings at or above `min`, recounting the summary's severities.
    pub fn retain_at_least(&mut self, min: Severity) {
        self.findings.retain(|f| f.severity >= min);
        self.summary.findings = count_by_severity(&self.findings);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::ErrorClass;
    use serde_json::json;

    fn finding(cluster: &str, id: &str, severity: Severity) -> Finding {
        Finding {
            id: id.into(),
            severity,
            cluster: cluster.into(),
            namespace: Some("shop".into()),
            kind: "Pod".into(),
            name: "web-1".into(),
            title: "t".into(),
            message: "m".into(),
            remediation: Recommendation::new("fix", ["kubectl logs -n shop web-1 --previous".to_string()]),
            evidence: vec![],
        }
    }

    #[test]
    fn severities_are_ordered_and_parse() {
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
        assert_eq!("HIGH".parse::<Severity>().unwrap(), Severity::High);
        assert!("urgent".parse::<Severity>().unwrap_err().contains("critical"));
    }

    #[test]
    fn check_ids_have_a_fixed_shape() {
        assert!(is_check_id("POD-CRASHLOOP-001"));
        assert!(is_check_id("SEC-PRIV-001"));
        assert!(!is_check_id("pod-crashloop-001"));
        assert!(!is_check_id("POD-1"));
        assert!(!is_check_id("001"));
    }

    #[test]
    fn finding_serialises_to_the_documented_shape() {
        let v = serde_json::to_value(finding("prod", "POD-CRASHLOOP-001", Severity::High)).unwrap();
        assert_eq!(v["id"], "POD-CRASHLOOP-001");
        assert_eq!(v["severity"], "high");
        assert_eq!(v["namespace"], "shop");
        assert_eq!(v["kind"], "Pod");
        assert_eq!(
            v["remediation"]["commands"][0],
            "kubectl logs -n shop web-1 --previous"
        );
        assert!(v.get("evidence").is_none());
    }

    #[test]
    fn report_sorts_scores_and_summarises() {
        let report = HealthReport::build(
            vec![
                (
                    "a".into(),
                    vec![],
                    vec![finding("a", "POD-NOTREADY-001", Severity::Medium)],
                ),
                ("b".into(), vec![], vec![]),
                (
                    "c".into(),
                    vec!["secrets: Forbidden".into()],
                    vec![
                        finding("c", "NODE-NOTREADY-001", Severity::Critical),
                        finding("c", "POD-CRASHLOOP-001", Severity::High),
                    ],
                ),
            ],
            vec![ClusterError {
                cluster: "d".into(),
                reason: ErrorClass::Timeout,
                message: "slow".into(),
            }],
        );
        let ids: Vec<&str> = report.findings.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(
            ids,
            ["NODE-NOTREADY-001", "POD-CRASHLOOP-001", "POD-NOTREADY-001"]
        );
        assert_eq!(report.clusters[0].score, 97);
        assert_eq!(report.clusters[1].score, 100);
        assert_eq!(report.clusters[2].score, 77);
        assert_eq!(report.summary.worst_score, 77);
        assert_eq!(report.summary.healthy_clusters, 1);
        assert_eq!(report.summary.failed_clusters, 1);
        assert_eq!(report.summary.findings[&Severity::High], 1);
        let v = serde_json::to_value(&report).unwrap();
        assert_eq!(
            v["errors"][0],
            json!({"cluster": "d", "reason": "Timeout", "message": "slow"})
        );
        assert_eq!(v["summary"]["findings"]["critical"], 1);
    }

    #[test]
    fn score_never_goes_below_zero() {
        let many: Vec<Finding> = (0..20)
            .map(|_| finding("a", "X-Y-001", Severity::Critical))
            .collect();
        assert_eq!(score(&many), 0);
    }
}
