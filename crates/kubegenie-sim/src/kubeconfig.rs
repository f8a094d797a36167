//! Writing and merging kubeconfig contexts for simulated clusters.
//!
//! Users point KUBECONFIG at files that also hold their real clusters, so a merge must never lose
//! or reorder anything it does not own: same-named clusters/users/contexts are replaced in place,
//! everything else (other entries, `preferences`, `extensions`, exec users) is kept as it was,
//! a file that does not parse is reported and left untouched, and the new file replaces the old
//! one atomically with owner-only permissions (it holds credentials).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Map, Value, json};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// One context to write: a cluster, a user and a context, all three named `name`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContextEntry {
    /// Name of the context, and of the cluster and user entries it refers to.
    pub name: String,
    /// API server URL, e.g. `https://127.0.0.1:6443`.
    pub server: String,
    /// CA certificate (PEM) to trust; written as `certificate-authority-data`.
    pub ca_pem: Option<String>,
    /// Skip server certificate verification (then no CA is written: kubectl refuses both).
    pub insecure: bool,
    /// Bearer token.
    pub token: Option<String>,
    /// Client certificate (PEM), written as `client-certificate-data`.
    pub client_cert_pem: Option<String>,
    /// Client key (PEM), written as `client-key-data`.
    pub client_key_pem: Option<String>,
    /// Default namespace of the context.
    pub namespace: Option<String>,
}

/// Errors reading or writing a kubeconfig file.
#[derive(Debug, thiserror::Error)]
pub enum KubeconfigError {
    /// The file exists but could not be read.
    #[error("reading kubeconfig {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The file is not valid YAML; the message carries the line and column.
    #[error("kubeconfig {} is not valid YAML: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message (with position).
        message: String,
    },
    /// The file is YAML but not shaped like a kubeconfig, e.g. `clusters` is not a list.
    #[error("kubeconfig {} is malformed: {what}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
    /// The merged file could not be serialized.
    #[error("serializing kubeconfig: {0}")]
    Serialize(String),
    /// The merged file could not be written.
    #[error("writing kubeconfig {}: {source}", path.display())]
    Write {
        /// The file (or its directory).
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
}

/// Adds or replaces `entries` in the kubeconfig at `path` (created, with its directories, if
/// missing) and, when `current` is given, makes it the current context.
pub fn merge_into(
    path: &Path,
    entries: &[ContextEntry],
    current: Option<&str>,
) -> Result<(), KubeconfigError> {
    let path = resolve(path);
    let mut config = read(&path)?;
    for entry in entries {
        upsert(
            &path,
            &mut config,
            "clusters",
            &entry.name,
            json!({"cluster": cluster_of(entry)}),
        )?;
        upsert(
            &path,
            &mut config,
            "users",
            &entry.name,
            json!({"user": user_of(entry)}),
        )?;
        let mut context = Map::new();
        context.insert("cluster".into(), json!(entry.name));
        context.insert("user".into(), json!(entry.name));
        if let Some(ns) = &entry.namespace {
            context.insert("namespace".into(), json!(ns));
        }
        upsert(
            &path,
            &mut config,
            "contexts",
            &entry.name,
            json!({"context": context}),
        )?;
    }
    if let Some(current) = current {
        config.insert("current-context".into(), json!(current));
    }
    write(&path, &Value::Object(config))
}

/// Removes the named contexts, and their clusters and users when no remaining context uses
/// them. Clears `current-context` if it was one of them. A missing file is not an error.
pub fn remove_contexts(path: &Path, names: &[&str]) -> Result<(), KubeconfigError> {
    let path = resolve(path);
    if !path.exists() {
        return Ok(());
    }
    let mut config = read(&path)?;
    let (mut cluster_refs, mut user_refs) = (Vec::new(), Vec::new());
    if let Some(contexts) = list_mut(&path, &mut config, "contexts")? {
        contexts.retain(|c| !names.contains(&c["name"].as_str().unwrap_or_default()));
        for c in contexts.iter() {
            cluster_refs.extend(c["context"]["cluster"].as_str().map(str::to_string));
            user_refs.extend(c["context"]["user"].as_str().map(str::to_string));
        }
    }
    for (section, still_used) in [("clusters", &cluster_refs), ("users", &user_refs)] {
        if let Some(items) = list_mut(&path, &mut config, section)? {
            items.retain(|i| {
                let name = i["name"].as_str().unwrap_or_default();
                !names.contains(&name) || still_used.iter().any(|u| u == name)
            });
        }
    }
    let current = config
        .get("current-context")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if names.contains(&current) {
        config.remove("current-context");
    }
    write(&path, &Value::Object(config))
}

/// Writes through a symlinked kubeconfig (dotfile managers) instead of replacing the link.
fn resolve(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn cluster_of(entry: &ContextEntry) -> Value {
    let mut cluster = Map::new();
    cluster.insert("server".into(), json!(entry.server));
    if entry.insecure {
        cluster.insert("insecure-skip-tls-verify".into(), json!(true));
    } else if let Some(ca) = &entry.ca_pem {
        cluster.insert("certificate-authority-data".into(), json!(B64.encode(ca)));
    }
    Value::Object(cluster)
}

fn user_of(entry: &ContextEntry) -> Value {
    let mut user = Map::new();
    if let Some(cert) = &entry.client_cert_pem {
        user.insert("client-certificate-data".into(), json!(B64.encode(cert)));
    }
    if let Some(key) = &entry.client_key_pem {
        user.insert("client-key-data".into(), json!(B64.encode(key)));
    }
    if let Some(token) = &entry.token {
        user.insert("token".into(), json!(token));
    }
    Value::Object(user)
}

/// The existing file as a mapping, or a fresh `kind: Config` when there is no file (or it is
/// empty, as `touch ~/.kube/config` leaves it).
fn read(path: &Path) -> Result<Map<String, Value>, KubeconfigError> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(KubeconfigError::Read {
                path: path.into(),
                source,
            });
        }
    };
    let parsed: Value = if text.trim().is_empty() {
        Value::Null
    } else {
        serde_saphyr::from_str(&text).map_err(|e| KubeconfigError::Parse {
            path: path.into(),
            message: e.to_string(),
        })?
    };
    let mut config = match parsed {
        Value::Object(map) => map,
        Value::Null => Map::new(),
        _ => return Err(malformed(path, "the top level is not a mapping")),
    };
    config.entry("apiVersion").or_insert_with(|| json!("v1"));
    config.entry("kind").or_insert_with(|| json!("Config"));
    Ok(config)
}

fn malformed(path: &Path, what: impl Into<String>) -> KubeconfigError {
    KubeconfigError::Malformed {
        path: path.into(),
        what: what.into(),
    }
}

/// The list under `section` (`null` counts as absent, as kubectl writes `users: null`).
fn list_mut<'c>(
    path: &Path,
    config: &'c mut Map<String, Value>,
    section: &str,
) -> Result<Option<&'c mut Vec<Value>>, KubeconfigError> {
    match config.get_mut(section) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items)),
        Some(_) => Err(malformed(path, format!("`{section}` is not a list"))),
    }
}

/// Replaces the item named `name` in `section` where it stands, or appends it.
fn upsert(
    path: &Path,
    config: &mut Map<String, Value>,
    section: &str,
    name: &str,
    body: Value,
) -> Result<(), KubeconfigError> {
    if list_mut(path, config, section)?.is_none() {
        config.insert(section.into(), Value::Array(Vec::new()));
    }
    let mut item = Map::new();
    item.insert("name".into(), json!(name));
    if let Value::Object(fields) = body {
        item.extend(fields);
    }
    let item = Value::Object(item);
    let Some(items) = list_mut(path, config, section)? else {
        return Ok(());
    };
    match items.iter_mut().find(|i| i["name"] == name) {
        Some(existing) => *existing = item,
        None => items.push(item),
    }
    Ok(())
}

/// Orders the top-level keys as kubectl writes them, so diffs of the file stay readable.
fn ordered(config: &Value) -> Value {
    let Value::Object(map) = config else {
        return config.clone();
    };
    let mut out = Map::new();
    let preferred = [
        "apiVersion",
        "kind",
        "preferences",
        "clusters",
        "users",
        "contexts",
        "current-context",
    ];
    for key in preferred {
        if let Some(v) = map.get(key) {
            out.insert((*key).to_string(), v.clone());
        }
    }
    for (k, v) in map {
        if !out.contains_key(k) {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

/// Writes `config` to a temporary file in the same directory and renames it over `path`, so a
/// reader (or a crash) never sees half a file. The file is created with mode 0600.
fn write(path: &Path, config: &Value) -> Result<(), KubeconfigError> {
    // Plain scalars as kubectl writes them: a folded `>-` block for long base64 data is valid
    // YAML, but surprising to people (and scripts) reading the file.
    let options = serde_saphyr::ser_options! { prefer_block_scalars: false };
    let yaml = serde_saphyr::to_string_with_options(&ordered(config), options)
        .map_err(|e| KubeconfigError::Serialize(e.to_string()))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let write_err = |source| KubeconfigError::Write {
        path: path.into(),
        source,
    };
    fs::create_dir_all(&dir).map_err(write_err)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos());
    let tmp = dir.join(format!(
        ".{file_name}.{}.{}.tmp",
        std::process::id(),
        nonce.unwrap_or_default()
    ));
    let result = (|| {
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp)?;
        file.write_all(yaml.as_bytes())?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        // Best effort: do not leave credentials behind in a stray temp file.
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(write_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXISTING: &str = "\
apiVersion: v1
kind: Config
preferences: {}
clusters:
- name: prod
  cluster:
    server: https://prod.example.com
- name: sim-a
  cluster:
    server: https://127.0.0.1:1
contexts:
- name: prod
  context:
    cluster: prod
    user: prod-admin
    namespace: payments
- name: sim-a
  context:
    cluster: sim-a
    user: sim-a
users:
- name: prod-admin
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: aws
      args: [eks, get-token, --cluster-name, prod]
- name: sim-a
  user:
    token: old
current-context: prod
";

    fn entry(name: &str, server: &str) -> ContextEntry {
        ContextEntry {
            name: name.into(),
            server: server.into(),
            ..ContextEntry::default()
        }
    }

    fn names(config: &kube::config::Kubeconfig) -> Vec<String> {
        config.contexts.iter().map(|c| c.name.clone()).collect()
    }

    #[test]
    fn merge_replaces_own_entries_and_keeps_everything_else() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("config");
        fs::write(&path, EXISTING)?;
        let mut a = entry("sim-a", "https://127.0.0.1:6443");
        a.ca_pem = Some("-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n".into());
        a.token = Some("new-token".into());
        a.namespace = Some("default".into());
        let mut b = entry("sim-b", "https://127.0.0.1:6444");
        b.client_cert_pem = Some("CERT".into());
        b.client_key_pem = Some("KEY".into());
        merge_into(&path, &[a, b], None)?;

        let config = kube::config::Kubeconfig::read_from(&path)?;
        assert_eq!(
            names(&config),
            vec!["prod", "sim-a", "sim-b"],
            "order kept, new appended"
        );
        assert_eq!(
            config.current_context.as_deref(),
            Some("prod"),
            "current context untouched"
        );
        let prod = config.auth_infos.iter().find(|u| u.name == "prod-admin");
        let exec = prod
            .and_then(|u| u.auth_info.as_ref())
            .and_then(|a| a.exec.as_ref());
        assert_eq!(exec.map(|e| e.command.clone()), Some(Some("aws".to_string())));
        let sim_a = config
            .clusters
            .iter()
            .find(|c| c.name == "sim-a")
            .and_then(|c| c.cluster.clone());
        assert_eq!(
            sim_a.as_ref().and_then(|c| c.server.clone()).as_deref(),
            Some("https://127.0.0.1:6443")
        );
        let ca = sim_a
            .and_then(|c| c.certificate_authority_data)
            .unwrap_or_default();
        assert!(String::from_utf8(B64.decode(ca)?)?.starts_with("-----BEGIN CERTIFICATE-----"));
        let ctx = config
            .contexts
            .iter()
            .find(|c| c.name == "sim-a")
            .and_then(|c| c.context.clone());
        assert_eq!(ctx.and_then(|c| c.namespace).as_deref(), Some("default"));
        let b_user = config
            .auth_infos
            .iter()
            .find(|u| u.name == "sim-b")
            .and_then(|u| u.auth_info.clone());
        let cert = b_user.and_then(|u| u.client_certificate_data).unwrap_or_default();
        assert_eq!(B64.decode(cert)?, b"CERT");
        assert_eq!(
            config.auth_infos.len(),
            3,
            "old sim-a user replaced, not duplicated"
        );
        let raw = fs::read_to_string(&path)?;
        assert!(raw.contains("preferences") && !raw.contains("old"));
        Ok(())
    }

    #[test]
    fn merge_creates_a_private_file_and_sets_current_context_only_when_asked() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("nested/dir/config");
        let mut e = entry("sim", "https://127.0.0.1:7443");
        e.insecure = true;
        e.ca_pem = Some("ignored".into());
        merge_into(&path, std::slice::from_ref(&e), Some("sim"))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&path)?.permissions().mode() & 0o777, 0o600);
        }
        let config = kube::config::Kubeconfig::read_from(&path)?;
        assert_eq!(config.current_context.as_deref(), Some("sim"));
        let cluster = config.clusters.first().and_then(|c| c.cluster.clone());
        assert_eq!(
            cluster.as_ref().and_then(|c| c.insecure_skip_tls_verify),
            Some(true)
        );
        assert_eq!(
            cluster.and_then(|c| c.certificate_authority_data),
            None,
            "kubectl rejects CA + insecure"
        );
        merge_into(&path, &[entry("other", "https://127.0.0.1:1")], None)?;
        let config = kube::config::Kubeconfig::read_from(&path)?;
        assert_eq!(config.current_context.as_deref(), Some("sim"));
        // No temp files left next to it.
        assert_eq!(fs::read_dir(path.parent().unwrap_or(dir.path()))?.count(), 1);
        Ok(())
    }

    #[test]
    fn malformed_file_is_reported_with_its_line_and_left_alone() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("config");
        let broken = "apiVersion: v1\nclusters:\n- name: a\n  cluster: {server: [unclosed\n";
        fs::write(&path, broken)?;
        let err = merge_into(&path, &[entry("sim", "https://127.0.0.1:1")], Some("sim"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(err.contains("line"), "{err}");
        assert_eq!(fs::read_to_string(&path)?, broken);

        fs::write(&path, "clusters: {a: 1}\n")?;
        let err = merge_into(&path, &[entry("sim", "https://127.0.0.1:1")], None).err();
        assert!(matches!(err, Some(KubeconfigError::Malformed { .. })));
        Ok(())
    }

    #[test]
    fn empty_file_and_null_sections_are_fine() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("config");
        fs::write(&path, "")?;
        merge_into(&path, &[entry("a", "https://127.0.0.1:1")], None)?;
        fs::write(
            &path,
            "apiVersion: v1\nkind: Config\nclusters: null\nusers: null\ncontexts: null\n",
        )?;
        merge_into(&path, &[entry("b", "https://127.0.0.1:2")], None)?;
        assert_eq!(names(&kube::config::Kubeconfig::read_from(&path)?), vec!["b"]);
        Ok(())
    }

    #[test]
    fn remove_contexts_keeps_shared_and_foreign_entries() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("config");
        fs::write(&path, EXISTING)?;
        merge_into(&path, &[entry("sim-b", "https://127.0.0.1:2")], Some("sim-b"))?;
        remove_contexts(&path, &["sim-a", "sim-b", "prod-admin"])?;
        let config = kube::config::Kubeconfig::read_from(&path)?;
        assert_eq!(names(&config), vec!["prod"]);
        let users: Vec<_> = config.auth_infos.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(
            users,
            vec!["prod-admin"],
            "a user still used by a context is kept"
        );
        let clusters: Vec<_> = config.clusters.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(clusters, vec!["prod"]);
        assert_eq!(config.current_context, None, "removed current context is unset");
        remove_contexts(&dir.path().join("missing"), &["x"])?;
        Ok(())
    }

    #[test]
    fn kube_client_connects_with_the_written_context() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("config");
        let mut e = entry("sim", "https://127.0.0.1:6443");
        e.ca_pem = Some(crate::tls::TlsMaterial::generate()?.ca_pem().to_string());
        e.token = Some("tok".into());
        e.namespace = Some("team-a".into());
        merge_into(&path, &[e], Some("sim"))?;
        let kubeconfig = kube::config::Kubeconfig::read_from(&path)?;
        let options = kube::config::KubeConfigOptions::default();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let config = rt.block_on(kube::Config::from_custom_kubeconfig(kubeconfig, &options))?;
        assert_eq!(config.cluster_url.to_string(), "https://127.0.0.1:6443/");
        assert_eq!(config.default_namespace, "team-a");
        assert_eq!(config.root_cert.map(|r| r.len()), Some(1));
        Ok(())
    }
}
