//! Rendering registry answers as kubectl-style tables, JSON or YAML.

use super::Output;
use anyhow::Result;
use jiff::Timestamp;
use kubegenie_kube::health::HealthReport;
use kubegenie_kube::kubeconfig;
use kubegenie_kube::provider::Found;
use kubegenie_kube::registry::{RegisteredCluster, Registry};
use kubegenie_kube::source::ClusterSource;
use kubegenie_store::Store;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// Prints rows under headers, columns separated by three spaces as kubectl does.
fn table(headers: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for r in rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let n = cells.len();
        let mut out = String::new();
        for (i, (c, w)) in cells.into_iter().zip(&widths).enumerate() {
            out.push_str(c);
            if i + 1 < n {
                out.push_str(&" ".repeat(w - c.chars().count() + 3));
            }
        }
        println!("{out}");
    };
    line(headers.to_vec());
    for r in rows {
        line(r.iter().map(String::as_str).collect());
    }
}

/// Prints a document as JSON or YAML.
fn document<T: Serialize>(doc: &T, output: Output) -> Result<()> {
    match output {
        Output::Yaml => print!("{}", serde_saphyr::to_string(doc)?),
        _ => println!("{}", serde_json::to_string_pretty(doc)?),
    }
    Ok(())
}

/// `a=b,c=d`, or `<none>`.
pub fn labels(l: &BTreeMap<String, String>) -> String {
    if l.is_empty() {
        return "<none>".into();
    }
    l.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// kubectl-style age: `45s`, `12m`, `3h`, `5d`.
fn age(t: Option<Timestamp>) -> String {
    let Some(t) = t else { return "<never>".into() };
    let secs = Timestamp::now().duration_since(t).as_secs().max(0);
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 2 * 3600 => format!("{}m", s / 60),
        s if s < 2 * 86400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86400),
    }
}

/// The server URL of a source; kubeconfig files are read once each.
struct Servers(HashMap<PathBuf, Vec<kubeconfig::ContextInfo>>);

impl Servers {
    fn of(&mut self, source: &ClusterSource) -> String {
        match source {
            ClusterSource::BareMetal { server, .. } | ClusterSource::ClusterProfile { server, .. } => {
                server.clone()
            }
            ClusterSource::Kubeconfig { path, context } => {
                let infos = self
                    .0
                    .entry(path.clone())
                    .or_insert_with(|| kubeconfig::contexts(path).unwrap_or_default());
                infos
                    .iter()
                    .find(|c| &c.context == context)
                    .map_or_else(|| "<unknown>".into(), |c| c.server.clone())
            }
        }
    }
}

fn cluster_json(c: &RegisteredCluster, current: bool, servers: &mut Servers) -> Value {
    json!({
        "name": c.name,
        "provider": c.source.provider(),
        "server": servers.of(&c.source),
        "labels": c.labels,
        "current": current,
        "addedAt": c.added_at,
        "seenAt": c.seen_at,
        "source": c.source,
        "lastHealth": c.last_health,
    })
}

/// `cluster list`.
pub async fn list(reg: &Registry<Store>, output: Output) -> Result<()> {
    let all = reg.list().await?;
    let current = reg.current().await?;
    let mut servers = Servers(HashMap::new());
    if output != Output::Table {
        let items: Vec<Value> = all
            .iter()
            .map(|c| cluster_json(c, current.as_deref() == Some(&c.name), &mut servers))
            .collect();
        return document(
            &json!({"kind": "ClusterList", "current": current, "items": items}),
            output,
        );
    }
    if all.is_empty() {
        eprintln!("No clusters registered; add some with `kubegenie cluster add`.");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                c.source.provider().to_string(),
                servers.of(&c.source),
                labels(&c.labels),
                if current.as_deref() == Some(&c.name) {
                    "*".into()
                } else {
                    String::new()
                },
                age(c.seen_at),
            ]
        })
        .collect();
    table(
        &["NAME", "PROVIDER", "SERVER", "LABELS", "CURRENT", "LAST SEEN"],
        &rows,
    );
    Ok(())
}

/// `cluster show`.
pub async fn show(reg: &Registry<Store>, name: &str, output: Output) -> Result<()> {
    let c = reg.get(name).await?;
    let current = reg.current().await?.as_deref() == Some(name);
    let doc = cluster_json(&c, current, &mut Servers(HashMap::new()));
    if output == Output::Table {
        let mut rows = Vec::new();
        if let Value::Object(m) = &doc {
            for (k, v) in m {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Null => "<none>".into(),
                    other => other.to_string(),
                };
                rows.push(vec![format!("{k}:"), text]);
            }
        }
        table(&["FIELD", "VALUE"], &rows);
        return Ok(());
    }
    document(&doc, output)
}

/// `cluster discover`.
pub fn discovered(found: &Found, output: Output, dry_run: bool) -> Result<()> {
    if output != Output::Table {
        return document(
            &json!({"kind": "ClusterDiscovery", "dryRun": dry_run, "clusters": found.clusters, "skipped": found.skipped}),
            output,
        );
    }
    if found.clusters.is_empty() {
        println!("no ClusterProfiles found");
        return Ok(());
    }
    let mut servers = Servers(HashMap::new());
    let rows: Vec<Vec<String>> = found
        .clusters
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                c.source.provider().to_string(),
                servers.of(&c.source),
                labels(&c.labels),
            ]
        })
        .collect();
    table(&["NAME", "PROVIDER", "SERVER", "LABELS"], &rows);
    if dry_run {
        eprintln!("(dry run: nothing registered)");
    }
    Ok(())
}

/// `cluster health`.
pub fn health(reports: &[HealthReport], output: Output) -> Result<()> {
    if output != Output::Table {
        return document(&json!({"kind": "ClusterHealthList", "items": reports}), output);
    }
    let rows: Vec<Vec<String>> = reports
        .iter()
        .map(|r| {
            let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
            vec![
                r.cluster.clone(),
                if r.healthy {
                    "ok"
                } else if r.reachable {
                    "degraded"
                } else {
                    "down"
                }
                .into(),
                opt(r.latency_ms.map(|l| format!("{l}ms"))),
                opt(r.server_version.clone()),
                opt(r
                    .nodes_total
                    .map(|t| format!("{}/{t}", r.nodes_ready.unwrap_or(0)))),
                r.error.as_ref().map_or_else(String::new, |e| {
                    format!("{:?}: {} ({})", e.class, e.message, e.hint)
                }),
            ]
        })
        .collect();
    table(
        &["CLUSTER", "STATUS", "LATENCY", "VERSION", "NODES", "ERROR"],
        &rows,
    );
    Ok(())
}
