//! `top pods|nodes` from `metrics.k8s.io`, with kubectl's columns and units after a CLUSTER
//! column: `CPU(cores)` in millicores, `MEMORY(bytes)` in MiB, and for nodes the share of
//! allocatable.

use crate::fanout::FanOut;
use crate::ops::get::Connected;
use crate::ops::target::{Failure, encode, fan, get_json, namespace_of};
use kubegenie_core::operation::{TopRequest, TopTarget};
use kubegenie_core::outcome::{ClusterError, ErrorClass};
use kubegenie_core::render::TextTable;
use serde::Serialize;
use serde_json::Value;

/// One pod's or node's usage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopRow {
    /// Cluster name.
    pub cluster: String,
    /// Namespace (pods).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
    /// CPU in millicores.
    pub cpu_millicores: u64,
    /// Memory in bytes.
    pub memory_bytes: u64,
    /// CPU as a percentage of allocatable (nodes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_percent: Option<u64>,
    /// Memory as a percentage of allocatable (nodes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_percent: Option<u64>,
}

/// The result of `top`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TopOutcome {
    /// Rows in selection order, then by the server's order.
    pub items: Vec<TopRow>,
    /// Clusters that failed.
    pub errors: Vec<ClusterError>,
}

/// A Kubernetes quantity (`250m`, `1.5`, `128974848n`, `512Mi`, `1G`, `1e3`) in base units.
pub fn parse_quantity(q: &str) -> Option<f64> {
    let q = q.trim();
    let split = q
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        .unwrap_or(q.len());
    let (num, suffix) = q.split_at(split);
    let n: f64 = num.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        _ => return None,
    };
    Some(n * factor)
}

fn usage(usage: &Value) -> (f64, f64) {
    let q = |k: &str| usage[k].as_str().and_then(parse_quantity).unwrap_or(0.0);
    (q("cpu"), q("memory"))
}

/// Reads usage on every cluster.
pub async fn top(clusters: &[Connected], req: &TopRequest, fanout: FanOut) -> TopOutcome {
    let (ok, errors) = fan(clusters, fanout, |c| async move { top_one(&c, req).await }).await;
    TopOutcome {
        items: ok.into_iter().flat_map(|(_, rows)| rows).collect(),
        errors,
    }
}

async fn top_one(c: &Connected, req: &TopRequest) -> Result<Vec<TopRow>, Failure> {
    let base = "/apis/metrics.k8s.io/v1beta1";
    let path = match req.target {
        TopTarget::Nodes => format!("{base}/nodes"),
        TopTarget::Pods if req.scope.all_namespaces => format!("{base}/pods"),
        TopTarget::Pods => format!(
            "{base}/namespaces/{}/pods",
            namespace_of(&c.client, req.scope.namespace.as_deref())
        ),
    };
    let path = match &req.label_selector {
        Some(l) => format!("{path}?labelSelector={}", encode(l)),
        None => path,
    };
    let list = get_json(&c.client, &path).await.map_err(|e| match e {
        kube::Error::Api(s) if s.code == 404 => Failure::Refused(
            ErrorClass::NotFound,
            "Metrics API not available (is metrics-server installed?)".into(),
        ),
        other => Failure::Kube(other),
    })?;
    let allocatable = match req.target {
        TopTarget::Nodes => Some(get_json(&c.client, "/api/v1/nodes").await?),
        TopTarget::Pods => None,
    };
    let mut rows = Vec::new();
    for item in list["items"].as_array().into_iter().flatten() {
        let name = item
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !req.names.is_empty() && !req.names.iter().any(|n| n == name) {
            continue;
        }
        let (cpu, mem) = match req.target {
            TopTarget::Nodes => usage(&item["usage"]),
            TopTarget::Pods => item["containers"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| usage(&c["usage"]))
                .fold((0.0, 0.0), |(a, b), (c, m)| (a + c, b + m)),
        };
        let (mut cpu_percent, mut memory_percent) = (None, None);
        if let Some(nodes) = &allocatable {
            let node = nodes["items"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|n| n.pointer("/metadata/name").and_then(Value::as_str) == Some(name));
            if let Some(n) = node {
                let (acpu, amem) = usage(&n["status"]["allocatable"]);
                cpu_percent = (acpu > 0.0).then(|| (cpu / acpu * 100.0) as u64);
                memory_percent = (amem > 0.0).then(|| (mem / amem * 100.0) as u64);
            }
        }
        rows.push(TopRow {
            cluster: c.name.clone(),
            namespace: match req.target {
                TopTarget::Pods => item
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                TopTarget::Nodes => None,
            },
            name: name.to_string(),
            cpu_millicores: (cpu * 1000.0).round() as u64,
            memory_bytes: mem.round() as u64,
            cpu_percent,
            memory_percent,
        });
    }
    if let Some(missing) = req.names.iter().find(|n| !rows.iter().any(|r| &r.name == *n)) {
        return Err(Failure::Refused(
            ErrorClass::NotFound,
            format!("metrics not available yet for {missing:?}"),
        ));
    }
    Ok(rows)
}

impl TopOutcome {
    /// The table as kubectl prints it; its headers keep kubectl's case (`CPU(cores)`).
    pub fn render(&self, target: TopTarget, all_namespaces: bool, with_headers: bool) -> String {
        let mut t = self.to_text_table(target, all_namespaces);
        if with_headers {
            t.rows.insert(0, std::mem::take(&mut t.headers));
        }
        t.render(false)
    }

    /// kubectl's columns after CLUSTER (and NAMESPACE for pods with `all_namespaces`).
    pub fn to_text_table(&self, target: TopTarget, all_namespaces: bool) -> TextTable {
        let mut headers = vec!["CLUSTER".to_string()];
        if target == TopTarget::Pods && all_namespaces {
            headers.push("NAMESPACE".into());
        }
        headers.extend(
            match target {
                TopTarget::Pods => vec!["NAME", "CPU(cores)", "MEMORY(bytes)"],
                TopTarget::Nodes => vec!["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"],
            }
            .into_iter()
            .map(String::from),
        );
        let mut t = TextTable::new(headers);
        for r in &self.items {
            let mut row = vec![r.cluster.clone()];
            if target == TopTarget::Pods && all_namespaces {
                row.push(r.namespace.clone().unwrap_or_default());
            }
            row.push(r.name.clone());
            row.push(format!("{}m", r.cpu_millicores));
            let percent = |p: Option<u64>| p.map_or("<unknown>".to_string(), |p| format!("{p}%"));
            if target == TopTarget::Nodes {
                row.push(percent(r.cpu_percent));
            }
            row.push(format!("{}Mi", r.memory_bytes / (1024 * 1024)));
            if target == TopTarget::Nodes {
                row.push(percent(r.memory_percent));
            }
            t.rows.push(row);
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(parse_quantity("250m"), Some(0.25));
        assert_eq!(parse_quantity("2"), Some(2.0));
        assert_eq!(parse_quantity("1500000n"), Some(0.0015));
        assert_eq!(parse_quantity("512Mi"), Some(536870912.0));
        assert_eq!(parse_quantity("1e3"), Some(1000.0));
        assert_eq!(parse_quantity("1G"), Some(1e9));
        assert_eq!(parse_quantity("12Qi"), None);
    }

    #[test]
    fn node_table_has_kubectl_columns() {
        let out = TopOutcome {
            items: vec![TopRow {
                cluster: "a".into(),
                namespace: None,
                name: "node-1".into(),
                cpu_millicores: 250,
                memory_bytes: 512 * 1024 * 1024,
                cpu_percent: Some(12),
                memory_percent: None,
            }],
            errors: Vec::new(),
        };
        assert_eq!(
            out.render(TopTarget::Nodes, false, true),
            "CLUSTER   NAME     CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)\n\
             a         node-1   250m         12%      512Mi           <unknown>\n"
        );
    }
}
