//! Kubeconfig files: the contexts they hold (every file of `KUBECONFIG`, or one given), and a
//! client configuration for one context. Errors name the file, and the line when the YAML is
//! broken.

use crate::source::SourceError;
use kube::config::{KubeConfigOptions, Kubeconfig};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

/// A context found in a kubeconfig file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextInfo {
    /// The file.
    pub path: PathBuf,
    /// Context name.
    pub context: String,
    /// Server URL of the context's cluster.
    pub server: String,
    /// Default namespace of the context, if any.
    pub namespace: Option<String>,
}

/// The kubeconfig files to read: `--kubeconfig` when given, else every existing file of
/// `KUBECONFIG`, else `~/.kube/config`.
pub fn files(explicit: Option<&Path>) -> Vec<PathBuf> {
    if let Some(p) = explicit {
        return vec![p.to_path_buf()];
    }
    if let Some(list) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        return std::env::split_paths(&list)
            .filter(|p| !p.as_os_str().is_empty() && p.exists())
            .collect();
    }
    std::env::var_os("HOME")
        .map(|h| vec![PathBuf::from(h).join(".kube/config")])
        .unwrap_or_default()
}

/// Parsed files, keyed by path and checked against size and modification time: one file
/// often holds every context of a fleet, and parsing it once per cluster made connecting
/// quadratic in the number of clusters.
type Cache = HashMap<PathBuf, (Option<SystemTime>, u64, Kubeconfig)>;
static PARSED: Mutex<Option<Cache>> = Mutex::new(None);

/// Reads one kubeconfig file (parsed once while it does not change).
pub fn read(path: &Path) -> Result<Kubeconfig, SourceError> {
    let stamp = std::fs::metadata(path).ok().map(|m| (m.modified().ok(), m.len()));
    let mut cache = PARSED.lock().unwrap_or_else(|p| p.into_inner());
    let cache = cache.get_or_insert_with(HashMap::new);
    if let (Some((modified, len)), Some((m, l, kc))) = (stamp, cache.get(path))
        && modified == *m
        && len == *l
    {
        return Ok(kc.clone());
    }
    let kc = Kubeconfig::read_from(path).map_err(|e| SourceError::Kubeconfig {
        path: path.to_path_buf(),
        message: describe(&e),
    })?;
    if let Some((modified, len)) = stamp {
        cache.insert(path.to_path_buf(), (modified, len, kc.clone()));
    }
    Ok(kc)
}

/// kube's error text, which for YAML errors carries the line and column.
fn describe(e: &kube::config::KubeconfigError) -> String {
    use std::error::Error;
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !msg.contains(&t) {
            msg = format!("{msg}: {t}");
        }
        src = s.source();
    }
    msg
}

/// The contexts of a kubeconfig file.
pub fn contexts(path: &Path) -> Result<Vec<ContextInfo>, SourceError> {
    let kc = read(path)?;
    Ok(kc
        .contexts
        .iter()
        .map(|nc| {
            let ctx = nc.context.as_ref();
            let cluster = ctx.map(|c| c.cluster.as_str()).unwrap_or_default();
            let server = kc
                .clusters
                .iter()
                .find(|c| c.name == cluster)
                .and_then(|c| c.cluster.as_ref())
                .and_then(|c| c.server.clone())
                .unwrap_or_default();
            ContextInfo {
                path: path.to_path_buf(),
                context: nc.name.clone(),
                server,
                namespace: ctx.and_then(|c| c.namespace.clone()),
            }
        })
        .collect())
}

/// A client configuration for `context` of the kubeconfig at `path`.
pub async fn config_for(path: &Path, context: &str) -> Result<kube::Config, SourceError> {
    let kc = read(path)?;
    if !kc.contexts.iter().any(|c| c.name == context) {
        let names: Vec<&str> = kc.contexts.iter().map(|c| c.name.as_str()).collect();
        return Err(SourceError::MissingContext {
            path: path.to_path_buf(),
            context: context.to_string(),
            available: if names.is_empty() {
                "none".into()
            } else {
                names.join(", ")
            },
        });
    }
    let opts = KubeConfigOptions {
        context: Some(context.to_string()),
        ..Default::default()
    };
    kube::Config::from_custom_kubeconfig(kc, &opts)
        .await
        .map_err(|e| SourceError::Kubeconfig {
            path: path.to_path_buf(),
            message: describe(&e),
        })
}
