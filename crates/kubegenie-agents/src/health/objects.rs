//! Small readings of Kubernetes objects shared by analyzers: ages against the snapshot time,
//! label selectors, the controller that owns a pod, memory quantities.

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, OwnerReference, Time};
use kubegenie_kube::snapshot::ClusterSnapshot;
use std::collections::BTreeMap;
use std::time::Duration;

/// How long ago `t` was, at the snapshot's time (zero for times in the future).
pub fn age(snap: &ClusterSnapshot, t: Option<&Time>) -> Option<Duration> {
    let t = t?;
    let secs = snap.taken_at.as_second() - t.0.as_second();
    Some(Duration::from_secs(secs.max(0) as u64))
}

/// `3m`, `2h5m`, `4d` as kubectl prints ages.
pub fn human(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=119 => format!("{s}s"),
        120..=3599 => format!("{}m", s / 60),
        3600..=86_399 if s % 3600 >= 60 => format!("{}h{}m", s / 3600, (s % 3600) / 60),
        3600..=86_399 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// Whether `labels` has every key and value of `selector` (Service-style equality selector).
/// An empty selector matches nothing, as for Services.
pub fn map_selects(selector: &BTreeMap<String, String>, labels: Option<&BTreeMap<String, String>>) -> bool {
    if selector.is_empty() {
        return false;
    }
    let Some(labels) = labels else { return false };
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// Whether `labels` matches a `LabelSelector` (matchLabels and matchExpressions). An empty
/// selector matches everything, as for PodDisruptionBudgets and workloads.
pub fn label_selects(sel: &LabelSelector, labels: Option<&BTreeMap<String, String>>) -> bool {
    let empty = BTreeMap::new();
    let labels = labels.unwrap_or(&empty);
    let by_labels = sel
        .match_labels
        .iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    let by_exprs = sel.match_expressions.iter().flatten().all(|e| {
        let values = e.values.as_deref().unwrap_or_default();
        let got = labels.get(&e.key);
        match e.operator.as_str() {
            "In" => got.is_some_and(|v| values.contains(v)),
            "NotIn" => got.is_none_or(|v| !values.contains(v)),
            "Exists" => got.is_some(),
            "DoesNotExist" => got.is_none(),
            _ => false,
        }
    });
    by_labels && by_exprs
}

fn controller(refs: Option<&Vec<OwnerReference>>) -> Option<&OwnerReference> {
    refs?.iter().find(|r| r.controller == Some(true))
}

/// The workload that owns a pod, following ReplicaSets to their Deployment: `(kind, name)`.
pub fn workload_of(snap: &ClusterSnapshot, pod: &Pod) -> Option<(String, String)> {
    let owner = controller(pod.metadata.owner_references.as_ref())?;
    if owner.kind == "ReplicaSet" {
        let ns = pod.metadata.namespace.as_deref();
        let rs = snap.replica_sets.iter().find(|rs| {
            rs.metadata.name.as_deref() == Some(&owner.name) && rs.metadata.namespace.as_deref() == ns
        });
        if let Some(dep) = rs.and_then(|rs| controller(rs.metadata.owner_references.as_ref()))
            && dep.kind == "Deployment"
        {
            return Some((dep.kind.clone(), dep.name.clone()));
        }
    }
    Some((owner.kind.clone(), owner.name.clone()))
}

/// Bytes in a memory quantity (`512Mi`, `1G`, `1e9`, `129M`); `None` when unparsable.
pub fn bytes(q: &str) -> Option<f64> {
    let q = q.trim();
    let split = q
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        .unwrap_or(q.len());
    let (num, unit) = q.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult = match unit {
        "" => 1.0,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "m" => 1e-3,
        _ => return None,
    };
    Some(n * mult)
}

/// A memory size as a Kubernetes quantity, rounded up to a whole Mi.
pub fn mebibytes(b: f64) -> String {
    format!("{}Mi", (b / 1024f64.powi(2)).ceil() as u64)
}

/// Lowest and highest `v1.MINOR` of a version string (`v1.33.1` → 33).
pub fn minor(version: &str) -> Option<u32> {
    let v = version.trim_start_matches('v');
    let mut parts = v.split('.');
    (parts.next()? == "1").then_some(())?;
    parts.next()?.trim_end_matches('+').parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn selectors_match_like_the_api_server() {
        let l = labels(&[("app", "web"), ("tier", "fe")]);
        assert!(map_selects(&labels(&[("app", "web")]), Some(&l)));
        assert!(!map_selects(&labels(&[("app", "db")]), Some(&l)));
        assert!(!map_selects(&BTreeMap::new(), Some(&l)));
        let sel = LabelSelector {
            match_labels: Some(labels(&[("app", "web")])),
            match_expressions: Some(vec![LabelSelectorRequirement {
                key: "tier".into(),
                operator: "In".into(),
                values: Some(vec!["fe".into(), "be".into()]),
            }]),
        };
        assert!(label_selects(&sel, Some(&l)));
        assert!(!label_selects(&sel, Some(&labels(&[("app", "web")]))));
        assert!(label_selects(&LabelSelector::default(), None));
    }

    #[test]
    fn quantities_and_versions_parse() {
        assert_eq!(bytes("512Mi"), Some(512.0 * 1024.0 * 1024.0));
        assert_eq!(bytes("1G"), Some(1e9));
        assert_eq!(bytes("1e3"), Some(1000.0));
        assert_eq!(bytes("lots"), None);
        assert_eq!(mebibytes(768.0 * 1024.0 * 1024.0), "768Mi");
        assert_eq!(minor("v1.33.1"), Some(33));
        assert_eq!(minor("v1.29.4-eks-1"), Some(29));
        assert_eq!(minor("2.0"), None);
        assert_eq!(human(Duration::from_secs(7500)), "2h5m");
        assert_eq!(human(Duration::from_secs(90)), "90s");
    }
}
