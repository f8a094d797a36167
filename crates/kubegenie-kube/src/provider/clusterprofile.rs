//! ClusterProfile discovery (`clusterprofiles.multicluster.x-k8s.io/v1alpha1`, KEP-4322) on a
//! hub cluster, in any namespace. Each profile is mapped to credentials:
//!
//! 1. a kubeconfig context given with `--context-for PROFILE=CONTEXT`, or else one with the
//!    profile's name — the user's own identity, as the kubectl-mc design wants;
//! 2. else an entry of the profile's `status.accessProviders` (or the older
//!    `status.credentialProviders`) whose name matches a provider of the provider file — the
//!    KEP-5339 flow: endpoint and CA from the profile, token from the exec plugin the file
//!    names, with the profile's plugin extension passed on as `cluster.config`.
//!
//! Profile labels (among them `x-k8s.io/cluster-manager`), the cluster manager's name and the
//! profile's `status.properties` that are valid label pairs become cluster labels.

use super::{ClusterProvider, Discovered, Found, ProviderError, Skipped};
use crate::source::{ClusterSource, SourceError};
use base64::Engine;
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use kube::config::{ExecAuthCluster, ExecConfig};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Label key naming the cluster manager that owns a profile.
pub const CLUSTER_MANAGER_LABEL: &str = "x-k8s.io/cluster-manager";
/// The cluster extension under which a profile publishes exec plugin configuration.
const EXEC_EXTENSION: &str = "client.authentication.k8s.io/exec";

/// The ClusterProfile resource.
pub fn api_resource() -> ApiResource {
    ApiResource {
        group: "multicluster.x-k8s.io".into(),
        version: "v1alpha1".into(),
        api_version: "multicluster.x-k8s.io/v1alpha1".into(),
        kind: "ClusterProfile".into(),
        plural: "clusterprofiles".into(),
    }
}

/// A provider file (`--provider-file`), as `kubectl`-side consumers of KEP-5339 read it:
/// `{"providers": [{"name": "…", "execConfig": {"command": "…", …}}]}`.
#[derive(Debug, Clone, Deserialize)]
pub struct ProviderFile {
    /// The access providers.
    pub providers: Vec<AccessProviderConfig>,
}

/// One access provider of a provider file.
#[derive(Debug, Clone, Deserialize)]
pub struct AccessProviderConfig {
    /// Name matched against the profile's access provider names.
    pub name: String,
    /// The exec credential plugin, as in a kubeconfig `user.exec`.
    #[serde(rename = "execConfig")]
    pub exec_config: ExecConfig,
}

impl ProviderFile {
    /// Reads a provider file.
    pub fn read(path: &Path) -> Result<Self, SourceError> {
        let text = crate::source::read(path, "provider file")?;
        serde_json::from_str(&text).map_err(|e| {
            SourceError::Access(format!(
                "provider file {}: {e} (expected {{\"providers\": [{{\"name\": …, \"execConfig\": {{…}}}}]}})",
                path.display()
            ))
        })
    }
}

/// Discovers clusters from the ClusterProfiles of a hub.
#[derive(Debug, Clone)]
pub struct ClusterProfileProvider {
    /// Name of the hub (for messages).
    pub hub_name: String,
    /// How to reach the hub.
    pub hub: ClusterSource,
    /// Kubeconfig files whose contexts may carry a profile's name.
    pub kubeconfigs: Vec<PathBuf>,
    /// Explicit profile → context mappings (`--context-for`).
    pub context_for: BTreeMap<String, String>,
    /// The provider file for exec-plugin access, if any.
    pub provider_file: Option<PathBuf>,
    /// Only profiles of this namespace (default: all namespaces).
    pub namespace: Option<String>,
}

/// The parts of a profile discovery reads.
#[derive(Debug, Default, Deserialize)]
struct Profile {
    #[serde(default)]
    spec: ProfileSpec,
    #[serde(default)]
    status: ProfileStatus,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProfileSpec {
    #[serde(default)]
    cluster_manager: Option<NamedRef>,
}

#[derive(Debug, Default, Deserialize)]
struct NamedRef {
    #[serde(default)]
    name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProfileStatus {
    #[serde(default)]
    access_providers: Vec<AccessProvider>,
    #[serde(default)]
    credential_providers: Vec<AccessProvider>,
    #[serde(default)]
    properties: Vec<Property>,
}

#[derive(Debug, Deserialize)]
struct AccessProvider {
    name: String,
    #[serde(default)]
    cluster: ProfileCluster,
}

/// A kubeconfig `Cluster` (clientcmd v1) as a profile publishes it.
#[derive(Debug, Default, Deserialize)]
struct ProfileCluster {
    #[serde(default)]
    server: String,
    #[serde(default, rename = "certificate-authority-data")]
    ca_data: Option<String>,
    #[serde(default)]
    extensions: Vec<NamedExtension>,
}

#[derive(Debug, Deserialize)]
struct NamedExtension {
    name: String,
    #[serde(default)]
    extension: Value,
}

#[derive(Debug, Deserialize)]
struct Property {
    name: String,
    #[serde(default)]
    value: String,
}

impl ClusterProvider for ClusterProfileProvider {
    fn kind(&self) -> &'static str {
        "clusterprofile"
    }

    async fn discover(&self) -> Result<Found, ProviderError> {
        let hub_err = |e: kube::Error| ProviderError::Hub {
            hub: self.hub_name.clone(),
            error: crate::classify::cluster_error(&self.hub_name, &e),
        };
        let providers = match &self.provider_file {
            Some(p) => Some((
                std::path::absolute(p).unwrap_or_else(|_| p.clone()),
                ProviderFile::read(p)?,
            )),
            None => None,
        };
        let mut contexts: BTreeMap<String, PathBuf> = BTreeMap::new();
        for file in &self.kubeconfigs {
            for c in crate::kubeconfig::contexts(file)? {
                let path = std::path::absolute(&c.path).unwrap_or(c.path);
                contexts.entry(c.context).or_insert(path);
            }
        }
        for (profile, ctx) in &self.context_for {
            if !contexts.contains_key(ctx) {
                return Err(ProviderError::Invalid(format!(
                    "--context-for {profile}={ctx}: no context {ctx:?} in {}; available contexts: {}",
                    self.kubeconfigs
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    super::names_or_none(contexts.keys().map(String::as_str))
                )));
            }
        }

        let client = kube::Client::try_from(self.hub.config().await?).map_err(hub_err)?;
        let api: Api<DynamicObject> = match &self.namespace {
            Some(ns) => Api::namespaced_with(client, ns, &api_resource()),
            None => Api::all_with(client, &api_resource()),
        };
        let list = api.list(&ListParams::default()).await.map_err(|e| match &e {
            kube::Error::Api(s) if s.code == 404 => ProviderError::Invalid(format!(
                "hub {} does not serve clusterprofiles.multicluster.x-k8s.io/v1alpha1 (is the ClusterProfile CRD installed?)",
                self.hub_name
            )),
            _ => hub_err(e),
        })?;

        // A name used in several namespaces is qualified with its namespace to stay unique.
        let mut name_count: BTreeMap<String, usize> = BTreeMap::new();
        for o in &list.items {
            *name_count
                .entry(o.metadata.name.clone().unwrap_or_default())
                .or_default() += 1;
        }
        let mut found = Found::default();
        for obj in &list.items {
            let name = obj.metadata.name.clone().unwrap_or_default();
            let namespace = obj.metadata.namespace.clone().unwrap_or_default();
            let cluster_name = if name_count.get(&name).copied().unwrap_or(0) > 1 {
                format!("{namespace}.{name}")
            } else {
                name.clone()
            };
            let profile: Profile = serde_json::from_value(obj.data.clone()).unwrap_or_default();
            let labels = labels_of(obj, &profile);
            let wanted = self.context_for.get(&name).unwrap_or(&name);
            let source = if let Some(path) = contexts.get(wanted) {
                ClusterSource::Kubeconfig {
                    path: path.clone(),
                    context: wanted.clone(),
                }
            } else {
                let offered: Vec<&AccessProvider> = profile
                    .status
                    .access_providers
                    .iter()
                    .chain(&profile.status.credential_providers)
                    .collect();
                let matched = providers.as_ref().and_then(|(file, pf)| {
                    offered.iter().find_map(|ap| {
                        pf.providers
                            .iter()
                            .any(|p| p.name == ap.name)
                            .then_some((file, *ap))
                    })
                });
                match matched {
                    Some((file, ap)) if !ap.cluster.server.is_empty() => ClusterSource::ClusterProfile {
                        profile: format!("{namespace}/{name}"),
                        server: ap.cluster.server.clone(),
                        ca_data: ap.cluster.ca_data.clone(),
                        provider_file: file.clone(),
                        access_provider: ap.name.clone(),
                        exec_extension: ap
                            .cluster
                            .extensions
                            .iter()
                            .find(|e| e.name == EXEC_EXTENSION)
                            .map(|e| e.extension.clone()),
                    },
                    _ => {
                        found.skipped.push(Skipped {
                            name: format!("{namespace}/{name}"),
                            reason: skip_reason(&name, &offered, providers.as_ref().map(|(_, p)| p)),
                        });
                        continue;
                    }
                }
            };
            found.clusters.push(Discovered {
                name: cluster_name,
                source,
                labels,
            });
        }
        Ok(found)
    }
}

fn skip_reason(name: &str, offered: &[&AccessProvider], providers: Option<&ProviderFile>) -> String {
    let offered_names = super::names_or_none(offered.iter().map(|a| a.name.as_str()));
    match providers {
        None => format!(
            "no kubeconfig context named {name:?}; pass --context-for {name}=CONTEXT, or --provider-file with one of the profile's access providers ({offered_names})"
        ),
        Some(pf) => format!(
            "no kubeconfig context named {name:?}, and none of the profile's access providers ({offered_names}) is in the provider file ({}); pass --context-for {name}=CONTEXT",
            super::names_or_none(pf.providers.iter().map(|p| p.name.as_str()))
        ),
    }
}

/// Cluster labels from a profile.
fn labels_of(obj: &DynamicObject, profile: &Profile) -> BTreeMap<String, String> {
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    for p in &profile.status.properties {
        if crate::registry::validate_label(&p.name, &p.value).is_ok() {
            labels.insert(p.name.clone(), p.value.clone());
        }
    }
    if let Some(m) = profile
        .spec
        .cluster_manager
        .as_ref()
        .filter(|m| !m.name.is_empty())
        && crate::registry::validate_label(CLUSTER_MANAGER_LABEL, &m.name).is_ok()
    {
        labels.insert(CLUSTER_MANAGER_LABEL.into(), m.name.clone());
    }
    // The profile's own labels win over derived ones.
    for (k, v) in obj.metadata.labels.iter().flatten() {
        labels.insert(k.clone(), v.clone());
    }
    labels
}

/// A client configuration for a profile reached through an exec plugin of a provider file.
pub(crate) fn exec_config(
    server: &str,
    ca_data: Option<&str>,
    provider_file: &Path,
    access_provider: &str,
    extension: Option<&Value>,
) -> Result<kube::Config, SourceError> {
    let pf = ProviderFile::read(provider_file)?;
    let provider = pf
        .providers
        .iter()
        .find(|p| p.name == access_provider)
        .ok_or_else(|| {
            SourceError::Access(format!(
                "provider file {} has no provider {access_provider:?} (has: {})",
                provider_file.display(),
                super::names_or_none(pf.providers.iter().map(|p| p.name.as_str()))
            ))
        })?;
    let mut cfg = kube::Config::new(crate::source::parse_url(server)?);
    let ca_pem = match ca_data {
        Some(b64) => Some(
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|e| SourceError::Access(format!("certificate-authority-data of {server}: {e}")))?,
        ),
        None => None,
    };
    if let Some(pem) = &ca_pem {
        use rustls_pki_types::{CertificateDer, pem::PemObject};
        let certs: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(pem)
            .filter_map(Result::ok)
            .map(|c| c.to_vec())
            .collect();
        if certs.is_empty() {
            return Err(SourceError::Access(format!(
                "certificate-authority-data of {server} holds no PEM certificate"
            )));
        }
        cfg.root_cert = Some(certs);
    }
    let mut exec = provider.exec_config.clone();
    // What KEP-5339 plugins read from KUBERNETES_EXEC_INFO when provideClusterInfo is set.
    exec.cluster = Some(ExecAuthCluster {
        server: Some(server.to_string()),
        certificate_authority_data: ca_pem,
        config: extension.cloned(),
        ..Default::default()
    });
    cfg.auth_info.exec = Some(exec);
    Ok(cfg)
}
