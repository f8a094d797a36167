//! What a cluster serves, and resolving what a user typed (`po`, `pods`, `Pod`, `deploy`,
//! `deployments.apps`, `widgets.example.com`) to one resource, as kubectl does — with the
//! closest known name suggested when nothing matches.
//!
//! Aggregated discovery (two requests) is used when the server offers it, else the legacy
//! per-group documents. kube-rs's own discovery drops short names and singular names, which
//! users type all the time, hence this module.

use futures::future::try_join_all;
use http::header::ACCEPT;
use serde_json::Value;

const AGGREGATED_ACCEPT: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,\
application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

/// One served resource (preferred version of its group).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ResourceInfo {
    /// API group (`""` for core).
    pub group: String,
    /// Version.
    pub version: String,
    /// Kind.
    pub kind: String,
    /// Plural name.
    pub plural: String,
    /// Singular name.
    pub singular: String,
    /// Short names.
    pub short_names: Vec<String>,
    /// Categories (e.g. `all`).
    pub categories: Vec<String>,
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
    /// Verbs.
    pub verbs: Vec<String>,
    /// Subresources.
    pub subresources: Vec<String>,
}

impl ResourceInfo {
    /// `plural` or `plural.group`, as kubectl names it.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// `apps/v1` or `v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The kube-rs resource for dynamic API calls.
    pub fn api_resource(&self) -> kube::api::ApiResource {
        kube::api::ApiResource {
            group: self.group.clone(),
            version: self.version.clone(),
            api_version: self.api_version(),
            kind: self.kind.clone(),
            plural: self.plural.clone(),
        }
    }

    /// Whether a verb is served.
    pub fn supports(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }
}

/// Why a name did not resolve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// Nothing matches.
    #[error("the server doesn't have a resource type {input:?}{}", suggestion.as_ref().map(|s| format!(" (did you mean {s:?}?)")).unwrap_or_default())]
    Unknown {
        /// What the user typed.
        input: String,
        /// The closest known name, if any is close.
        suggestion: Option<String>,
    },
}

/// The resources of one cluster, in discovery order (core first).
#[derive(Debug, Clone, Default)]
pub struct KindIndex {
    resources: Vec<ResourceInfo>,
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

fn aggregated_resources(doc: &Value, out: &mut Vec<ResourceInfo>) {
    for group in doc["items"].as_array().into_iter().flatten() {
        let name = group
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        // The first listed version is the preferred one.
        let Some(ver) = group["versions"].as_array().and_then(|v| v.first()) else {
            continue;
        };
        let version = ver["version"].as_str().unwrap_or_default();
        for r in ver["resources"].as_array().into_iter().flatten() {
            let plural = r["resource"].as_str().unwrap_or_default().to_string();
            out.push(ResourceInfo {
                group: name.to_string(),
                version: version.to_string(),
                kind: r
                    .pointer("/responseKind/kind")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                singular: r["singularResource"].as_str().unwrap_or_default().to_string(),
                short_names: strings(&r["shortNames"]),
                categories: strings(&r["categories"]),
                namespaced: r["scope"].as_str() == Some("Namespaced"),
                verbs: strings(&r["verbs"]),
                subresources: r["subresources"]
                    .as_array()
                    .map(|s| {
                        s.iter()
                            .filter_map(|x| x["subresource"].as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
                plural,
            });
        }
    }
}

fn legacy_resources(group: &str, version: &str, doc: &Value, out: &mut Vec<ResourceInfo>) {
    let all = doc["resources"].as_array().cloned().unwrap_or_default();
    for r in &all {
        let name = r["name"].as_str().unwrap_or_default();
        if name.contains('/') {
            continue;
        }
        let prefix = format!("{name}/");
        out.push(ResourceInfo {
            group: group.to_string(),
            version: version.to_string(),
            kind: r["kind"].as_str().unwrap_or_default().to_string(),
            plural: name.to_string(),
            singular: r["singularName"].as_str().unwrap_or_default().to_string(),
            short_names: strings(&r["shortNames"]),
            categories: strings(&r["categories"]),
            namespaced: r["namespaced"].as_bool().unwrap_or(false),
            verbs: strings(&r["verbs"]),
            subresources: all
                .iter()
                .filter_map(|s| s["name"].as_str()?.strip_prefix(&prefix).map(str::to_string))
                .collect(),
        });
    }
}

async fn get_json(client: &kube::Client, path: &str, accept: &str) -> Result<Value, kube::Error> {
    let req = http::Request::get(path)
        .header(ACCEPT, accept)
        .body(Vec::new())
        .map_err(kube::Error::HttpError)?;
    let text = client.request_text(req).await?;
    serde_json::from_str(&text).map_err(kube::Error::SerdeError)
}

impl KindIndex {
    /// An index over the given resources.
    pub fn new(resources: Vec<ResourceInfo>) -> Self {
        Self { resources }
    }

    /// Discovers what the cluster serves.
    pub async fn discover(client: &kube::Client) -> Result<Self, kube::Error> {
        let core = get_json(client, "/api", AGGREGATED_ACCEPT).await?;
        let mut out = Vec::new();
        if core["kind"] == "APIGroupDiscoveryList" {
            aggregated_resources(&core, &mut out);
            let groups = get_json(client, "/apis", AGGREGATED_ACCEPT).await?;
            aggregated_resources(&groups, &mut out);
            return Ok(Self::new(out));
        }
        let mut gvs: Vec<(String, String)> = strings(&core["versions"])
            .into_iter()
            .take(1)
            .map(|v| (String::new(), v))
            .collect();
        let groups = get_json(client, "/apis", "application/json").await?;
        for g in groups["groups"].as_array().into_iter().flatten() {
            if let (Some(name), Some(v)) = (
                g["name"].as_str(),
                g.pointer("/preferredVersion/version").and_then(Value::as_str),
            ) {
                gvs.push((name.to_string(), v.to_string()));
            }
        }
        let docs = try_join_all(gvs.iter().map(|(g, v)| {
            let path = if g.is_empty() {
                format!("/api/{v}")
            } else {
                format!("/apis/{g}/{v}")
            };
            async move { get_json(client, &path, "application/json").await }
        }))
        .await?;
        for ((g, v), doc) in gvs.iter().zip(docs) {
            legacy_resources(g, v, &doc, &mut out);
        }
        Ok(Self::new(out))
    }

    /// All resources.
    pub fn resources(&self) -> &[ResourceInfo] {
        &self.resources
    }

    /// Resources in a category (`all`).
    pub fn category(&self, category: &str) -> Vec<&ResourceInfo> {
        self.resources
            .iter()
            .filter(|r| r.categories.iter().any(|c| c == category))
            .collect()
    }

    /// Resolves `pods`, `pod`, `po`, `Pod`, `deployments.apps`, `deployment.v1.apps`.
    pub fn resolve(&self, input: &str) -> Result<&ResourceInfo, ResolveError> {
        let lower = input.trim().to_ascii_lowercase();
        let names = |r: &&ResourceInfo, name: &str| {
            r.plural == name
                || r.singular == name
                || r.kind.eq_ignore_ascii_case(name)
                || r.short_names.iter().any(|s| s == name)
        };
        if let Some(found) = self.resources.iter().find(|r| names(r, &lower)) {
            return Ok(found);
        }
        // `resource.group` or `resource.version.group`.
        if let Some((name, rest)) = lower.split_once('.') {
            let hit = self.resources.iter().find(|r| {
                names(r, name)
                    && (r.group == rest
                        || rest
                            .split_once('.')
                            .is_some_and(|(v, g)| r.version == v && r.group == g))
            });
            if let Some(found) = hit {
                return Ok(found);
            }
        }
        Err(ResolveError::Unknown {
            input: input.to_string(),
            suggestion: self.closest(&lower),
        })
    }

    fn closest(&self, input: &str) -> Option<String> {
        let candidates = self.resources.iter().flat_map(|r| {
            [r.plural.clone(), r.singular.clone(), r.kind.to_ascii_lowercase()]
                .into_iter()
                .chain(r.short_names.iter().cloned())
                .map(move |n| (n, r.plural.clone()))
        });
        let max = (input.len() / 3).clamp(1, 3);
        candidates
            .map(|(name, plural)| (levenshtein(input, &name), plural))
            .filter(|(d, _)| *d <= max)
            .min_by_key(|(d, _)| *d)
            .map(|(_, plural)| plural)
    }
}

/// Edit distance between two short strings.
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(group: &str, kind: &str, plural: &str, short: &[&str]) -> ResourceInfo {
        ResourceInfo {
            group: group.into(),
            version: "v1".into(),
            kind: kind.into(),
            plural: plural.into(),
            singular: kind.to_ascii_lowercase(),
            short_names: short.iter().map(|s| s.to_string()).collect(),
            categories: vec![],
            namespaced: true,
            verbs: vec!["get".into(), "list".into()],
            subresources: vec![],
        }
    }

    #[test]
    fn resolves_names_like_kubectl() {
        let idx = KindIndex::new(vec![
            info("", "Pod", "pods", &["po"]),
            info("apps", "Deployment", "deployments", &["deploy"]),
            info("example.com", "Widget", "widgets", &["wd"]),
        ]);
        for input in ["po", "pods", "pod", "Pod", "PODS"] {
            assert_eq!(idx.resolve(input).unwrap().plural, "pods", "{input}");
        }
        assert_eq!(idx.resolve("deploy").unwrap().group, "apps");
        assert_eq!(idx.resolve("deployments.apps").unwrap().kind, "Deployment");
        assert_eq!(idx.resolve("deployment.v1.apps").unwrap().kind, "Deployment");
        assert_eq!(idx.resolve("widgets.example.com").unwrap().kind, "Widget");
    }

    #[test]
    fn unknown_kinds_suggest_the_closest() {
        let idx = KindIndex::new(vec![
            info("", "Pod", "pods", &["po"]),
            info("apps", "Deployment", "deployments", &[]),
        ]);
        let err = idx.resolve("deploymnets").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the server doesn't have a resource type \"deploymnets\" (did you mean \"deployments\"?)"
        );
        let err = idx.resolve("zzzzzzzz").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the server doesn't have a resource type \"zzzzzzzz\""
        );
    }
}
