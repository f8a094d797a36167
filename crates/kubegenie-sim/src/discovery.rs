//! Discovery documents: `/version`, `/api`, `/api/v1`, `/apis`, `/apis/{group}[/{version}]`,
//! and the aggregated discovery document (`apidiscovery.k8s.io/v2`) served at `/api` and
//! `/apis` when the client asks for it in `Accept`.
//!
//! Shapes follow kube-apiserver 1.33 byte for byte where clients could notice: field order,
//! the missing `apiVersion` on `/api/v1`, `singularName: ""` on subresources, the
//! `storageVersionHash` of stored resources (absent on virtual ones such as reviews), and
//! subresource kinds in other groups (`Scale`, `Eviction`, `TokenRequest`).

mod sha256;

pub use sha256::{digest as sha256_digest, hex as sha256_hex};

use crate::builtin::subresource_info;
use crate::catalog::{Catalog, Conversion, ResourceType};
use base64::Engine;
use serde_json::{Value, json};

/// `Content-Type` of the aggregated discovery document (v2), as the server sends it.
pub const AGGREGATED_V2_CONTENT_TYPE: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// `Content-Type` of the beta aggregated discovery document, served by 1.27-1.32 servers.
pub const AGGREGATED_V2BETA1_CONTENT_TYPE: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

/// The aggregated discovery version to answer an `Accept` header with, as a server of minor
/// version `server_minor` would: the first acceptable of `v2` (1.30+) and `v2beta1`
/// (1.27-1.32, gone in 1.33). `None` means the plain `APIVersions`/`APIGroupList` document,
/// which is also what clients that list `application/json` as a fallback get from servers
/// without aggregated discovery. Returns (`apiVersion`, `Content-Type`).
pub fn negotiate_aggregated(accept: &str, server_minor: u32) -> Option<(&'static str, &'static str)> {
    for media in accept.split(',') {
        let mut parts = media.split(';').map(str::trim);
        if !parts
            .next()
            .unwrap_or("")
            .eq_ignore_ascii_case("application/json")
        {
            continue;
        }
        let (mut g, mut v, mut as_) = (false, "", false);
        for p in parts {
            match p.split_once('=') {
                Some(("g", "apidiscovery.k8s.io")) => g = true,
                Some(("v", ver)) => v = ver,
                Some(("as", "APIGroupDiscoveryList")) => as_ = true,
                _ => {}
            }
        }
        if !(g && as_) {
            continue;
        }
        match v {
            "v2" if server_minor >= 30 => {
                return Some(("apidiscovery.k8s.io/v2", AGGREGATED_V2_CONTENT_TYPE));
            }
            "v2beta1" if (27..=32).contains(&server_minor) => {
                return Some(("apidiscovery.k8s.io/v2beta1", AGGREGATED_V2BETA1_CONTENT_TYPE));
            }
            _ => {}
        }
    }
    None
}

/// Whether an `Accept` header asks for the aggregated discovery document (v2).
///
/// client-go 1.30+ sends `application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,
/// application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json`;
/// kubectl 1.27-1.29 ask for v2beta1 first and fall back to plain JSON, which makes them use
/// the per-group documents (kube-apiserver 1.33 no longer serves v2beta1).
pub fn accepts_aggregated(accept: &str) -> bool {
    accept.split(',').any(|media| {
        let mut parts = media.split(';').map(str::trim);
        let base = parts.next().unwrap_or("");
        if !base.eq_ignore_ascii_case("application/json") {
            return false;
        }
        let (mut g, mut v, mut as_) = (false, false, false);
        for p in parts {
            match p.split_once('=') {
                Some(("g", "apidiscovery.k8s.io")) => g = true,
                Some(("v", "v2")) => v = true,
                Some(("as", "APIGroupDiscoveryList")) => as_ = true,
                _ => {}
            }
        }
        g && v && as_
    })
}

/// Facts of a kube-apiserver build for a minor version: Go version and build date.
fn build_facts(minor: u32) -> (&'static str, &'static str) {
    match minor {
        ..=27 => ("go1.20.14", "2024-02-14T10:32:36Z"),
        28 => ("go1.21.11", "2024-06-11T20:20:18Z"),
        29 => ("go1.21.13", "2024-08-14T19:43:58Z"),
        30 => ("go1.22.12", "2025-02-12T21:13:36Z"),
        31 => ("go1.23.8", "2025-04-22T16:04:07Z"),
        32 => ("go1.23.8", "2025-04-22T16:05:08Z"),
        33 => ("go1.24.2", "2025-05-15T08:19:06Z"),
        _ => ("go1.24.4", "2025-08-27T10:15:00Z"),
    }
}

/// `/version` for a server of `git_version` (e.g. `v1.33.1`).
pub fn version(git_version: &str) -> Value {
    let minor_str = git_version
        .trim_start_matches('v')
        .split('.')
        .nth(1)
        .unwrap_or("33");
    let minor_num: u32 = minor_str
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(33);
    let (go, build_date) = build_facts(minor_num);
    // A stable, plausible commit id: clients only display it.
    let commit: String = sha256_hex(git_version.as_bytes()).chars().take(40).collect();
    json!({
        "major": "1",
        "minor": minor_str,
        "gitVersion": git_version,
        "gitCommit": commit,
        "gitTreeState": "clean",
        "buildDate": build_date,
        "goVersion": go,
        "compiler": "gc",
        "platform": "linux/amd64"
    })
}

/// `/api`.
pub fn core_versions() -> Value {
    json!({"kind": "APIVersions", "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]})
}

fn group_body(catalog: &Catalog, group: &str) -> Option<(Value, Value)> {
    let versions = catalog.versions_of(group);
    let first = versions.first()?;
    let vs: Vec<Value> = versions
        .iter()
        .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    Some((
        json!(vs),
        json!({"groupVersion": format!("{group}/{first}"), "version": first}),
    ))
}

/// `/apis`: every group with its versions, preferred version first.
pub fn group_list(catalog: &Catalog) -> Value {
    let groups: Vec<Value> = catalog
        .groups()
        .iter()
        .filter_map(|g| {
            let (versions, preferred) = group_body(catalog, g)?;
            Some(json!({"name": g, "versions": versions, "preferredVersion": preferred}))
        })
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/apis/{group}`.
pub fn group(catalog: &Catalog, group: &str) -> Option<Value> {
    let (versions, preferred) = group_body(catalog, group)?;
    Some(
        json!({"kind": "APIGroup", "apiVersion": "v1", "name": group, "versions": versions,
        "preferredVersion": preferred}),
    )
}

/// kube-apiserver's `storageVersionHash`: base64 of the first 8 bytes of the SHA-256 of
/// `group/version/Kind` of the storage version. Lets clients (the storage-version migrator,
/// garbage collector) notice storage changes; `None` for resources that are not stored.
pub fn storage_version_hash(rt: &ResourceType) -> Option<String> {
    if !rt.has_verb("watch") {
        return None;
    }
    let gvk = match rt.conversion {
        Conversion::EventsV1 => "/v1/Event".to_string(),
        Conversion::HpaV1 => format!("{}/v2/{}", rt.group, rt.kind),
        Conversion::None => format!("{}/{}/{}", rt.group, rt.version, rt.kind),
    };
    let d = sha256_digest(gvk.as_bytes());
    Some(base64::engine::general_purpose::STANDARD.encode(&d[..8]))
}

fn types_of<'a>(catalog: &'a Catalog, group: &str, version: &str) -> Vec<&'a ResourceType> {
    let mut types: Vec<&ResourceType> = catalog
        .all()
        .iter()
        .map(|t| &**t)
        .filter(|t| t.group == group && t.version == version)
        .collect();
    types.sort_by(|a, b| a.plural.cmp(&b.plural));
    types
}

fn sorted_subresources(rt: &ResourceType) -> Vec<&str> {
    let mut subs: Vec<&str> = rt.subresources.iter().map(String::as_str).collect();
    subs.sort_unstable();
    subs.dedup();
    subs
}

/// `/api/v1` or `/apis/{group}/{version}`: resources sorted by name, each followed by its
/// subresources.
pub fn resource_list(catalog: &Catalog, group: &str, version: &str) -> Option<Value> {
    let types = types_of(catalog, group, version);
    if types.is_empty() {
        return None;
    }
    let mut resources = Vec::new();
    for t in types {
        let mut r = json!({"name": t.plural, "singularName": t.singular, "namespaced": t.namespaced,
            "kind": t.kind, "verbs": t.verbs});
        if !t.short_names.is_empty() {
            r["shortNames"] = json!(t.short_names);
        }
        if !t.categories.is_empty() {
            r["categories"] = json!(t.categories);
        }
        if let Some(h) = storage_version_hash(t) {
            r["storageVersionHash"] = json!(h);
        }
        resources.push(r);
        for s in sorted_subresources(t) {
            let info = subresource_info(t, s);
            let mut sub = json!({"name": format!("{}/{s}", t.plural), "singularName": "",
                "namespaced": t.namespaced});
            if let (Some(g), Some(v)) = (info.group, info.version) {
                sub["group"] = json!(g);
                sub["version"] = json!(v);
            }
            sub["kind"] = json!(info.kind);
            sub["verbs"] = json!(info.verbs);
            resources.push(sub);
        }
    }
    if group.is_empty() {
        // kube-apiserver omits apiVersion on the core resource list (and only there).
        Some(json!({"kind": "APIResourceList", "groupVersion": version, "resources": resources}))
    } else {
        Some(json!({"kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": format!("{group}/{version}"), "resources": resources}))
    }
}

fn response_kind(group: Option<&str>, version: Option<&str>, kind: &str) -> Value {
    json!({"group": group.unwrap_or(""), "version": version.unwrap_or(""), "kind": kind})
}

fn aggregated_version(catalog: &Catalog, group: &str, version: &str) -> Value {
    let resources: Vec<Value> = types_of(catalog, group, version)
        .into_iter()
        .map(|t| {
            let mut r = json!({
                "resource": t.plural,
                "responseKind": response_kind(None, None, &t.kind),
                "scope": if t.namespaced { "Namespaced" } else { "Cluster" },
                "singularResource": t.singular,
                "verbs": t.verbs,
            });
            if !t.short_names.is_empty() {
                r["shortNames"] = json!(t.short_names);
            }
            if !t.categories.is_empty() {
                r["categories"] = json!(t.categories);
            }
            let subs: Vec<Value> = sorted_subresources(t)
                .into_iter()
                .map(|s| {
                    let info = subresource_info(t, s);
                    json!({"subresource": s, "responseKind": response_kind(info.group, info.version, &info.kind),
                        "verbs": info.verbs})
                })
                .collect();
            if !subs.is_empty() {
                r["subresources"] = json!(subs);
            }
            r
        })
        .collect();
    json!({"version": version, "resources": resources, "freshness": "Current"})
}

fn aggregated_group(catalog: &Catalog, group: &str) -> Value {
    let versions: Vec<Value> = catalog
        .versions_of(group)
        .iter()
        .map(|v| aggregated_version(catalog, group, v))
        .collect();
    let metadata = if group.is_empty() {
        json!({"creationTimestamp": null})
    } else {
        json!({"name": group, "creationTimestamp": null})
    };
    json!({"metadata": metadata, "versions": versions})
}

/// The aggregated discovery document (`apidiscovery.k8s.io/v2` `APIGroupDiscoveryList`):
/// for `/api` (`legacy_core`) the core group alone, for `/apis` every named group, each with
/// its versions (preferred first), resources and nested subresources. Served with
/// [`AGGREGATED_V2_CONTENT_TYPE`].
pub fn aggregated(catalog: &Catalog, legacy_core: bool) -> Value {
    aggregated_as(catalog, legacy_core, "apidiscovery.k8s.io/v2")
}

/// [`aggregated`] under another `apiVersion` (`apidiscovery.k8s.io/v2beta1` has the same
/// shape), as chosen by [`negotiate_aggregated`].
pub fn aggregated_as(catalog: &Catalog, legacy_core: bool, api_version: &str) -> Value {
    let items: Vec<Value> = if legacy_core {
        vec![aggregated_group(catalog, "")]
    } else {
        catalog
            .groups()
            .iter()
            .map(|g| aggregated_group(catalog, g))
            .collect()
    };
    json!({"kind": "APIGroupDiscoveryList", "apiVersion": api_version, "metadata": {},
        "items": items})
}

#[cfg(test)]
mod tests;
