//! `get` across clusters. For tables each cluster prints its own rows server-side (so columns
//! are exactly kubectl's, CRD printer columns included) and the rows are merged under a CLUSTER
//! column; for `-o json|yaml` the objects are gathered into one `MultiClusterList`. A cluster
//! that fails becomes an error row; the others still answer.

use super::sort_by::SortKey;
use crate::discovery::{KindIndex, ResolveError, ResourceInfo};
use crate::discovery_cache::DiscoveryCache;
use crate::fanout::FanOut;
use http::header::ACCEPT;
use kubegenie_core::outcome::{ClusterError, ClusterObject, ErrorClass, MultiClusterList};
use kubegenie_core::render::TextTable;
use serde_json::Value;

pub(crate) const TABLE_ACCEPT: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

/// A connected cluster.
#[derive(Clone)]
pub struct Connected {
    /// Cluster name.
    pub name: String,
    /// Client (its default namespace is the context's).
    pub client: kube::Client,
}

/// What to get.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetQuery {
    /// Kind as typed (`po`, `deployments.apps`, `widgets`).
    pub kind: String,
    /// Object names; empty lists the collection.
    pub names: Vec<String>,
    /// Namespace; `None` uses each cluster's default namespace.
    pub namespace: Option<String>,
    /// Every namespace (`-A`).
    pub all_namespaces: bool,
    /// `-l`.
    pub label_selector: Option<String>,
    /// `--field-selector`.
    pub field_selector: Option<String>,
    /// Table rows carry the whole object (`includeObject=Object`), as `--sort-by` needs.
    pub full_objects: bool,
    /// Where discovery is remembered between commands (`None`: ask every cluster).
    pub discovery_cache: Option<DiscoveryCache>,
}

/// What one cluster answered.
#[derive(Debug, Clone)]
pub enum Answer {
    /// A `meta.k8s.io/v1` Table.
    Table(Value),
    /// Full objects.
    Objects(Vec<Value>),
}

/// The merged result.
#[derive(Debug, Clone, Default)]
pub struct GetOutcome {
    /// The resource as resolved on the first cluster that knew it.
    pub resource: Option<ResourceInfo>,
    /// Answers per cluster, in selection order.
    pub answers: Vec<(String, Answer)>,
    /// Clusters that failed.
    pub errors: Vec<ClusterError>,
}

/// Why `get` failed on one cluster, before the API call.
#[derive(Debug)]
enum Failure {
    Kube(kube::Error),
    Unknown(ResolveError),
}

impl From<kube::Error> for Failure {
    fn from(e: kube::Error) -> Self {
        Self::Kube(e)
    }
}

pub(crate) fn collection_path(r: &ResourceInfo, ns: Option<&str>) -> String {
    let base = if r.group.is_empty() {
        format!("/api/{}", r.version)
    } else {
        format!("/apis/{}/{}", r.group, r.version)
    };
    match ns.filter(|_| r.namespaced) {
        Some(ns) => format!("{base}/namespaces/{ns}/{}", r.plural),
        None => format!("{base}/{}", r.plural),
    }
}

fn query_string(q: &GetQuery, tables: bool) -> String {
    let mut parts = Vec::new();
    if tables && q.full_objects {
        parts.push("includeObject=Object".to_string());
    }
    if let Some(l) = &q.label_selector {
        parts.push(format!("labelSelector={}", encode(l)));
    }
    if let Some(f) = &q.field_selector {
        parts.push(format!("fieldSelector={}", encode(f)));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// Percent-encodes a query value.
pub(crate) fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn fetch(client: &kube::Client, path: &str, accept: &str) -> Result<Value, kube::Error> {
    let req = http::Request::get(path)
        .header(ACCEPT, accept)
        .body(Vec::new())
        .map_err(kube::Error::HttpError)?;
    let text = client.request_text(req).await?;
    serde_json::from_str(&text).map_err(kube::Error::SerdeError)
}

async fn get_one(c: &Connected, q: &GetQuery, tables: bool) -> Result<(ResourceInfo, Answer), Failure> {
    let index = match &q.discovery_cache {
        Some(cache) => cache.index(&c.name, &c.client, &q.kind).await?,
        None => KindIndex::discover(&c.client).await?,
    };
    let r = index.resolve(&q.kind).map_err(Failure::Unknown)?.clone();
    let ns = if q.all_namespaces {
        None
    } else {
        Some(
            q.namespace
                .clone()
                .unwrap_or_else(|| c.client.default_namespace().to_string()),
        )
    };
    let base = collection_path(&r, ns.as_deref());
    let accept = if tables { TABLE_ACCEPT } else { "application/json" };
    let docs = if q.names.is_empty() {
        vec![fetch(&c.client, &format!("{base}{}", query_string(q, tables)), accept).await?]
    } else {
        let one = GetQuery {
            label_selector: None,
            field_selector: None,
            ..q.clone()
        };
        let params = query_string(&one, tables);
        let mut docs = Vec::new();
        for n in &q.names {
            docs.push(fetch(&c.client, &format!("{base}/{n}{params}"), accept).await?);
        }
        docs
    };
    let answer = if tables {
        let mut merged = docs[0].clone();
        let rows: Vec<Value> = docs
            .iter()
            .flat_map(|d| d["rows"].as_array().cloned().unwrap_or_default())
            .collect();
        merged["rows"] = Value::Array(rows);
        Answer::Table(merged)
    } else {
        let objects = docs
            .into_iter()
            .flat_map(|d| match d.get("items").and_then(Value::as_array) {
                Some(items) => items.clone(),
                None => vec![d],
            })
            .map(|mut o| {
                // Lists from typed servers may omit kind/apiVersion on items; users expect them.
                if o.get("kind").is_none() {
                    o["kind"] = Value::String(r.kind.clone());
                    o["apiVersion"] = Value::String(r.api_version());
                }
                o
            })
            .collect();
        Answer::Objects(objects)
    };
    Ok((r, answer))
}

/// Gets `q` from every cluster. `tables` asks for server-side Tables (table/wide output).
pub async fn get(clusters: &[Connected], q: &GetQuery, tables: bool, fan: FanOut) -> GetOutcome {
    get_observed(clusters, q, tables, fan, |_| {}).await
}

/// [`get`], calling `done` with each cluster's name as it answers or fails.
pub async fn get_observed(
    clusters: &[Connected],
    q: &GetQuery,
    tables: bool,
    fan: FanOut,
    done: impl Fn(&str),
) -> GetOutcome {
    let mut out = GetOutcome::default();
    let results = fan
        .collect_observed(
            clusters.to_vec(),
            |c: Connected| {
                let q = q.clone();
                async move { get_one(&c, &q, tables).await }
            },
            done,
        )
        .await;
    for (name, res) in results {
        match res {
            Ok(Ok((r, answer))) => {
                out.resource.get_or_insert(r);
                out.answers.push((name, answer));
            }
            Ok(Err(Failure::Kube(e))) => out.errors.push(crate::classify::cluster_error(&name, &e)),
            Ok(Err(Failure::Unknown(e))) => out.errors.push(ClusterError {
                cluster: name,
                reason: ErrorClass::NotFound,
                message: e.to_string(),
            }),
            Err(timeout) => out.errors.push(timeout),
        }
    }
    out
}

impl GetOutcome {
    /// The `-o json|yaml` document, its items sorted across clusters by `sort` (stable, so
    /// ties keep the cluster order).
    pub fn to_sorted_list(&self, sort: Option<&SortKey>) -> MultiClusterList {
        let mut list = self.to_list();
        if let Some(k) = sort {
            list.items.sort_by(|a, b| k.compare(&a.object, &b.object));
        }
        list
    }

    /// The `-o json|yaml` document.
    pub fn to_list(&self) -> MultiClusterList {
        let mut list = MultiClusterList {
            errors: self.errors.clone(),
            ..Default::default()
        };
        for (cluster, answer) in &self.answers {
            if let Answer::Objects(objs) = answer {
                list.items.extend(objs.iter().map(|o| ClusterObject {
                    cluster: cluster.clone(),
                    object: o.clone(),
                }));
            }
        }
        list
    }

    /// Whether no cluster returned anything (all failed or none selected).
    pub fn all_failed(&self) -> bool {
        self.answers.is_empty() && !self.errors.is_empty()
    }

    /// Rows under CLUSTER (and NAMESPACE with `all_namespaces`), then the server's columns
    /// (priority 0, or all with `wide`).
    pub fn to_text_table(&self, wide: bool, all_namespaces: bool) -> TextTable {
        self.to_sorted_text_table(wide, all_namespaces, None)
    }

    /// [`GetOutcome::to_text_table`] with rows of all clusters sorted by `sort`, applied to
    /// each row's object (so the query needs [`GetQuery::full_objects`]).
    pub fn to_sorted_text_table(
        &self,
        wide: bool,
        all_namespaces: bool,
        sort: Option<&SortKey>,
    ) -> TextTable {
        let columns: Vec<(usize, String)> = self
            .answers
            .iter()
            .find_map(|(_, a)| match a {
                Answer::Table(t) => t["columnDefinitions"].as_array().cloned(),
                Answer::Objects(_) => None,
            })
            .unwrap_or_default()
            .iter()
            .enumerate()
            .filter(|(_, c)| wide || c["priority"].as_i64().unwrap_or(0) == 0)
            .map(|(i, c)| (i, c["name"].as_str().unwrap_or_default().to_string()))
            .collect();
        let mut headers = vec!["CLUSTER".to_string()];
        if all_namespaces {
            headers.push("NAMESPACE".into());
        }
        headers.extend(columns.iter().map(|(_, n)| n.clone()));
        let mut table = TextTable::new(headers);
        let mut rows: Vec<(&String, &Value)> = self
            .answers
            .iter()
            .filter_map(|(cluster, a)| match a {
                Answer::Table(t) => Some((cluster, t)),
                Answer::Objects(_) => None,
            })
            .flat_map(|(cluster, t)| {
                t["rows"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(move |r| (cluster, r))
            })
            .collect();
        if let Some(k) = sort {
            rows.sort_by(|(_, a), (_, b)| k.compare(&a["object"], &b["object"]));
        }
        for (cluster, row) in rows {
            let mut cells = vec![cluster.clone()];
            if all_namespaces {
                let ns = row
                    .pointer("/object/metadata/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                cells.push(ns.to_string());
            }
            let values = row["cells"].as_array();
            cells.extend(columns.iter().map(|(i, _)| cell(values.and_then(|v| v.get(*i)))));
            table.rows.push(cells);
        }
        table
    }
}

/// A cell as kubectl prints it.
pub(crate) fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "<none>".into(),
        Some(Value::String(s)) if s.is_empty() => "".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a.iter().map(|x| cell(Some(x))).collect::<Vec<_>>().join(","),
        Some(other) => other.to_string(),
    }
}

impl AsRef<str> for Connected {
    fn as_ref(&self) -> &str {
        &self.name
    }
}
