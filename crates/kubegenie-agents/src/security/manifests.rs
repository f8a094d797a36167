//! Manifests as a [`SecurityInput`], for `kubegenie audit -f`: files or directories of YAML
//! (multi-document, Helm- and Kustomize-rendered output) or JSON, `List` kinds unwrapped. A
//! document that does not parse is reported by file and index and the others are still read;
//! kinds the checks do not look at are counted and skipped.

use super::SecurityInput;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A file that could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// Reading failed.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A directory held no manifest.
    #[error("no .yaml, .yml or .json file under {0}")]
    Empty(PathBuf),
}

/// One input text and the name to report it by.
#[derive(Debug, Clone)]
pub struct Source {
    /// File name as given (`-` for stdin).
    pub name: String,
    /// Its text.
    pub text: String,
}

/// Where an object came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// File.
    pub file: String,
    /// Document index in the file, from 0.
    pub document: usize,
    /// 1-based line where the document starts.
    pub line: usize,
}

/// A document that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invalid {
    /// Where.
    #[serde(flatten)]
    pub at: Origin,
    /// What is wrong.
    pub message: String,
}

/// Parsed manifests.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The objects, as the analyzers read them.
    pub input: SecurityInput,
    /// Where each `(kind, namespace, name)` came from.
    pub origins: HashMap<(String, String, String), Origin>,
    /// Documents that could not be used.
    pub invalid: Vec<Invalid>,
    /// Objects read.
    pub objects: usize,
    /// Objects of kinds no check looks at.
    pub skipped: usize,
}

impl Parsed {
    /// The origin of a finding's object.
    pub fn origin(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<&Origin> {
        let key = (
            kind.to_string(),
            namespace.unwrap_or("").to_string(),
            name.to_string(),
        );
        self.origins.get(&key)
    }
}

fn is_manifest(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Reads a file, or every manifest file under a directory (recursively, sorted by path).
pub fn read_path(path: &Path) -> Result<Vec<Source>, ManifestError> {
    let err = |source| ManifestError::Read {
        path: path.to_path_buf(),
        source,
    };
    if !path.metadata().map_err(err)?.is_dir() {
        let text = std::fs::read_to_string(path).map_err(err)?;
        return Ok(vec![Source {
            name: path.display().to_string(),
            text,
        }]);
    }
    let mut files = Vec::new();
    let mut dirs = vec![path.to_path_buf()];
    while let Some(d) = dirs.pop() {
        let rd = std::fs::read_dir(&d).map_err(|source| ManifestError::Read {
            path: d.clone(),
            source,
        })?;
        for entry in rd {
            let p = entry
                .map_err(|source| ManifestError::Read {
                    path: d.clone(),
                    source,
                })?
                .path();
            if p.is_dir() {
                dirs.push(p);
            } else if is_manifest(&p) {
                files.push(p);
            }
        }
    }
    if files.is_empty() {
        return Err(ManifestError::Empty(path.to_path_buf()));
    }
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).map_err(|source| ManifestError::Read {
                path: p.clone(),
                source,
            })?;
            Ok(Source {
                name: p.display().to_string(),
                text,
            })
        })
        .collect()
}

/// Splits YAML text into documents at `---` lines: `(start line, text)`. Splitting by hand
/// (rather than parsing the stream at once) lets one broken document be reported while the
/// others are still read; at column 0 `---` can only be a document marker.
pub fn split_documents(text: &str) -> Vec<(usize, String)> {
    let mut docs = Vec::new();
    let mut cur = String::new();
    let mut start = 1;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("---") && (line.len() == 3 || line[3..].starts_with([' ', '\t'])) {
            docs.push((start, std::mem::take(&mut cur)));
            start = i + 2;
            // Content after the marker (`--- {a: 1}`) belongs to the new document.
            cur.push_str(line[3..].trim_start());
            cur.push('\n');
        } else if line == "..." {
            continue;
        } else {
            cur.push_str(line);
            cur.push('\n');
        }
    }
    docs.push((start, cur));
    docs.into_iter()
        .filter(|(_, d)| {
            d.lines()
                .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        })
        .collect()
}

/// Parses every source.
pub fn parse(sources: &[Source]) -> Parsed {
    let mut p = Parsed::default();
    p.input.snap.cluster = "manifests".into();
    for s in sources {
        if s.name.ends_with(".json") {
            let at = Origin {
                file: s.name.clone(),
                document: 0,
                line: 1,
            };
            match serde_json::from_str::<Value>(&s.text) {
                Ok(v) => add(&mut p, v, &at),
                Err(e) => p.invalid.push(Invalid {
                    at,
                    message: format!("invalid JSON: {e}"),
                }),
            }
            continue;
        }
        for (document, (line, text)) in split_documents(&s.text).into_iter().enumerate() {
            let at = Origin {
                file: s.name.clone(),
                document,
                line,
            };
            match serde_saphyr::from_str::<Value>(&text) {
                Ok(Value::Null) => {}
                Ok(v) => add(&mut p, v, &at),
                Err(e) => p.invalid.push(Invalid {
                    at,
                    message: format!("invalid YAML: {}", e.to_string().lines().next().unwrap_or("")),
                }),
            }
        }
    }
    p
}

fn typed<T: DeserializeOwned>(v: Value, kind: &str, at: &Origin, p: &mut Parsed) -> Option<T> {
    match serde_json::from_value(v) {
        Ok(t) => Some(t),
        Err(e) => {
            p.invalid.push(Invalid {
                at: at.clone(),
                message: format!("not a valid {kind}: {e}"),
            });
            None
        }
    }
}

fn add(p: &mut Parsed, v: Value, at: &Origin) {
    let Some(kind) = v.get("kind").and_then(Value::as_str).map(str::to_string) else {
        p.invalid.push(Invalid {
            at: at.clone(),
            message: "not a Kubernetes object: no `kind`".into(),
        });
        return;
    };
    if kind.ends_with("List")
        && let Some(items) = v.get("items").and_then(Value::as_array)
    {
        for item in items.clone() {
            add(p, item, at);
        }
        return;
    }
    let meta = v.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let ns = meta.and_then(|m| m.get("namespace")).and_then(Value::as_str);
    let cluster_scoped = matches!(kind.as_str(), "Namespace" | "ClusterRole" | "ClusterRoleBinding");
    let ns = if cluster_scoped {
        String::new()
    } else {
        ns.unwrap_or("default").to_string()
    };
    let known = push(p, &kind, v, at);
    p.objects += 1;
    if known {
        p.origins.entry((kind, ns, name)).or_insert_with(|| at.clone());
    } else {
        p.skipped += 1;
    }
}

/// Stores one object; `false` for kinds no check reads.
fn push(p: &mut Parsed, kind: &str, v: Value, at: &Origin) -> bool {
    macro_rules! into {
        ($($f:ident).+) => {{
            if let Some(t) = typed(v, kind, at, p) {
                p.input.$($f).+.push(t);
            }
        }};
    }
    match kind {
        "Pod" => into!(snap.pods),
        "Deployment" => into!(snap.deployments),
        "StatefulSet" => into!(snap.stateful_sets),
        "DaemonSet" => into!(snap.daemon_sets),
        "ReplicaSet" => into!(snap.replica_sets),
        "Job" => into!(snap.jobs),
        "CronJob" => into!(snap.cron_jobs),
        "Service" => into!(snap.services),
        "PodDisruptionBudget" => into!(snap.pdbs),
        "Ingress" => into!(snap.ingresses),
        "Namespace" => into!(snap.namespaces),
        "Role" => into!(access.roles),
        "ClusterRole" => into!(access.cluster_roles),
        "RoleBinding" => into!(access.role_bindings),
        "ClusterRoleBinding" => into!(access.cluster_role_bindings),
        "ServiceAccount" => into!(access.service_accounts),
        "NetworkPolicy" => into!(access.network_policies),
        _ => return false,
    }
    true
}
