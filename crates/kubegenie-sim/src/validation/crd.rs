//! CustomResourceDefinition (`apiextensions.k8s.io/v1`) validation.

use super::field::{Bad, FieldErrors, go_quote};
use super::names::{is_dns1035_label, is_dns1123_subdomain};
use super::{arr_at, str_at};
use serde_json::Value;

/// kube prints `[]apiextensions.CustomResourceDefinitionVersion{...}` with `%#v`; the full
/// struct dump is unreadable, so the simulator abbreviates it to the version names.
fn go_versions(versions: &[Value]) -> String {
    let names: Vec<String> = versions
        .iter()
        .map(|v| {
            format!(
                "apiextensions.CustomResourceDefinitionVersion{{Name:{}, ...}}",
                go_quote(str_at(v, "/name").unwrap_or_default())
            )
        })
        .collect();
    format!(
        "[]apiextensions.CustomResourceDefinitionVersion{{{}}}",
        names.join(", ")
    )
}

/// DNS-1035 check of a CRD name field; `mixed` (kind, listKind) lower-cases first.
fn dns1035(value: &str, path: &str, mixed: bool, errs: &mut FieldErrors) {
    let (checked, prefix) = if mixed {
        (
            value.to_lowercase(),
            "may have mixed case, but should otherwise match: ",
        )
    } else {
        (value.to_string(), "")
    };
    let msgs = is_dns1035_label(&checked);
    if !value.is_empty() && !msgs.is_empty() {
        errs.invalid(path, Bad::Str(value), &format!("{prefix}{}", msgs.join(",")));
    }
}

/// `ValidateCustomResourceDefinition` (the parts a hand-written CRD gets wrong).
pub(super) fn validate_crd(obj: &Value, errs: &mut FieldErrors) {
    let empty = Value::Null;
    let spec = obj.get("spec").unwrap_or(&empty);
    let group = str_at(spec, "/group").unwrap_or_default();
    let plural = str_at(spec, "/names/plural").unwrap_or_default();
    let name = str_at(obj, "/metadata/name").unwrap_or_default();
    if !name.is_empty() && name != format!("{plural}.{group}") {
        errs.invalid(
            "metadata.name",
            Bad::Str(name),
            "must be spec.names.plural+\".\"+spec.group",
        );
    }
    if group.is_empty() {
        errs.required("spec.group", "");
    } else {
        let msgs = is_dns1123_subdomain(group);
        if !msgs.is_empty() {
            errs.invalid("spec.group", Bad::Str(group), &msgs.join(","));
        } else if !group.contains('.') {
            errs.invalid(
                "spec.group",
                Bad::Str(group),
                "should be a domain with at least one dot",
            );
        }
    }
    match str_at(spec, "/scope").unwrap_or_default() {
        "" => errs.required("spec.scope", ""),
        "Cluster" | "Namespaced" => {}
        other => errs.not_supported("spec.scope", other, &["Cluster", "Namespaced"]),
    }
    validate_names(spec, errs);
    validate_versions(spec, errs);
}

fn validate_names(spec: &Value, errs: &mut FieldErrors) {
    let names = spec.get("names").unwrap_or(&Value::Null);
    let plural = str_at(names, "/plural").unwrap_or_default();
    let kind = str_at(names, "/kind").unwrap_or_default();
    let list_kind = str_at(names, "/listKind").unwrap_or_default();
    if plural.is_empty() {
        errs.required("spec.names.plural", "");
    }
    dns1035(plural, "spec.names.plural", false, errs);
    dns1035(
        str_at(names, "/singular").unwrap_or_default(),
        "spec.names.singular",
        false,
        errs,
    );
    if kind.is_empty() {
        errs.required("spec.names.kind", "");
    }
    dns1035(kind, "spec.names.kind", true, errs);
    dns1035(list_kind, "spec.names.listKind", true, errs);
    if !kind.is_empty() && kind == list_kind {
        errs.invalid(
            "spec.names.listKind",
            Bad::Str(list_kind),
            "kind and listKind may not be the same",
        );
    }
    for (i, s) in arr_at(names, "/shortNames").iter().enumerate() {
        let s = s.as_str().unwrap_or_default();
        let msgs = is_dns1035_label(s);
        if !msgs.is_empty() {
            errs.invalid(
                &format!("spec.names.shortNames[{i}]"),
                Bad::Str(s),
                &msgs.join(","),
            );
        }
    }
}

fn validate_versions(spec: &Value, errs: &mut FieldErrors) {
    let versions = arr_at(spec, "/versions");
    if versions.is_empty() {
        errs.invalid(
            "spec.versions",
            Bad::Raw(go_versions(versions)),
            "must have exactly one version marked as storage version",
        );
        return;
    }
    let mut seen = std::collections::HashSet::new();
    let mut unique = true;
    let mut storage = 0;
    for (i, v) in versions.iter().enumerate() {
        let name = str_at(v, "/name").unwrap_or_default();
        if !seen.insert(name) {
            unique = false;
        }
        let msgs = is_dns1035_label(name);
        if !msgs.is_empty() {
            errs.invalid(
                &format!("spec.versions[{i}].name"),
                Bad::Str(name),
                &msgs.join(","),
            );
        }
        if v.get("storage").and_then(Value::as_bool) == Some(true) {
            storage += 1;
        }
        if v.pointer("/schema/openAPIV3Schema").is_none_or(Value::is_null) {
            errs.required(
                &format!("spec.versions[{i}].schema.openAPIV3Schema"),
                "schemas are required",
            );
        }
    }
    if !unique {
        errs.invalid(
            "spec.versions",
            Bad::Raw(go_versions(versions)),
            "must contain unique version names",
        );
    }
    if storage != 1 {
        errs.invalid(
            "spec.versions",
            Bad::Raw(go_versions(versions)),
            "must have exactly one version marked as storage version",
        );
    }
}
