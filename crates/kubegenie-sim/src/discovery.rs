//! Discovery documents: `/version`, `/api`, `/api/v1`, `/apis`, `/apis/{group}[/{version}]`.

use crate::catalog::Catalog;
use serde_json::{Value, json};

/// `/version`.
pub fn version(git_version: &str) -> Value {
    let minor = git_version
        .trim_start_matches('v')
        .split('.')
        .nth(1)
        .unwrap_or("33")
        .to_string();
    json!({"major": "1", "minor": minor, "gitVersion": git_version, "platform": "linux/amd64"})
}

/// `/api`.
pub fn core_versions() -> Value {
    json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]})
}

/// `/apis`.
pub fn group_list(catalog: &Catalog) -> Value {
    let groups: Vec<Value> = catalog
        .groups()
        .iter()
        .filter_map(|g| group(catalog, g))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/apis/{group}`.
pub fn group(catalog: &Catalog, group: &str) -> Option<Value> {
    let versions = catalog.versions_of(group);
    let first = versions.first()?;
    let vs: Vec<Value> = versions
        .iter()
        .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    Some(
        json!({"kind": "APIGroup", "apiVersion": "v1", "name": group, "versions": vs,
        "preferredVersion": {"groupVersion": format!("{group}/{first}"), "version": first}}),
    )
}

/// `/api/v1` or `/apis/{group}/{version}`.
pub fn resource_list(catalog: &Catalog, group: &str, version: &str) -> Option<Value> {
    let mut resources = Vec::new();
    for t in catalog
        .all()
        .iter()
        .filter(|t| t.group == group && t.version == version)
    {
        let mut r = json!({"name": t.plural, "singularName": t.singular, "namespaced": t.namespaced,
            "kind": t.kind, "verbs": t.verbs});
        if !t.short_names.is_empty() {
            r["shortNames"] = json!(t.short_names);
        }
        if !t.categories.is_empty() {
            r["categories"] = json!(t.categories);
        }
        resources.push(r);
        for s in &t.subresources {
            resources.push(
                json!({"name": format!("{}/{s}", t.plural), "singularName": "", "namespaced": t.namespaced,
                "kind": t.kind, "verbs": ["get", "patch", "update"]}),
            );
        }
    }
    if resources.is_empty() {
        return None;
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}))
}

/// Whether aggregated discovery is implemented (interim).
pub const AGGREGATED: bool = false;

/// Aggregated discovery (interim: not offered, legacy clients fall back).
pub fn aggregated(catalog: &Catalog, legacy_core: bool) -> Value {
    if legacy_core {
        core_versions()
    } else {
        group_list(catalog)
    }
}
