//! `ValidateObjectMeta`: name, namespace, labels and annotations.

use super::field::{Bad, FieldErrors};
use super::names::{
    is_dns1035_label, is_dns1123_label, is_dns1123_subdomain, is_qualified_name, is_valid_label_value,
    is_valid_path_segment_name,
};
use super::{obj_at, str_at};
use crate::catalog::ResourceType;
use serde_json::{Map, Value};

/// kube's `TotalAnnotationSizeLimitB`.
const ANNOTATIONS_LIMIT: usize = 256 * 1024;

/// Which name syntax a kind requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NameRule {
    Subdomain,
    Label,
    Dns1035,
    PathSegment,
}

impl NameRule {
    pub(super) fn for_type(rt: &ResourceType) -> Self {
        if rt.crd.is_some() {
            return Self::Subdomain;
        }
        match (rt.group.as_str(), rt.kind.as_str()) {
            ("", "Namespace") => Self::Label,
            ("", "Service") => Self::Dns1035,
            ("rbac.authorization.k8s.io", _) => Self::PathSegment,
            _ => Self::Subdomain,
        }
    }

    /// Messages for `name`; with `prefix` a trailing dash is allowed (generateName).
    fn check(self, name: &str, prefix: bool) -> Vec<String> {
        // maskTrailingDash: a generateName prefix may end in '-'.
        let masked;
        let name = if prefix && name.len() > 1 && name.ends_with('-') {
            masked = format!("{}a", name.get(..name.len() - 1).unwrap_or_default());
            masked.as_str()
        } else {
            name
        };
        match self {
            Self::Subdomain => is_dns1123_subdomain(name),
            Self::Label => is_dns1123_label(name),
            Self::Dns1035 => is_dns1035_label(name),
            Self::PathSegment => is_valid_path_segment_name(name),
        }
    }
}

/// `ValidateLabels` at `path` (kube reports the map path, not the key).
pub(super) fn validate_labels(labels: Option<&Map<String, Value>>, path: &str, errs: &mut FieldErrors) {
    for (k, v) in labels.into_iter().flatten() {
        for msg in is_qualified_name(k) {
            errs.invalid(path, Bad::Str(k), &msg);
        }
        let v = v.as_str().unwrap_or_default();
        for msg in is_valid_label_value(v) {
            errs.invalid(path, Bad::Str(v), &msg);
        }
    }
}

/// `ValidateAnnotations`: keys are case-insensitive qualified names; total size is capped.
pub(super) fn validate_annotations(ann: Option<&Map<String, Value>>, path: &str, errs: &mut FieldErrors) {
    let mut size = 0usize;
    for (k, v) in ann.into_iter().flatten() {
        for msg in is_qualified_name(&k.to_lowercase()) {
            errs.invalid(path, Bad::Str(k), &msg);
        }
        size += k.len() + v.as_str().map_or(0, str::len);
    }
    if size > ANNOTATIONS_LIMIT {
        errs.too_long(path, ANNOTATIONS_LIMIT);
    }
}

/// Validates `metadata` of a top-level object. Expects `metadata.namespace` already set from
/// the request path for namespaced kinds, as kube-apiserver does before validating.
pub(super) fn validate_meta(rt: &ResourceType, obj: &Value, errs: &mut FieldErrors) {
    let rule = NameRule::for_type(rt);
    let name = str_at(obj, "/metadata/name").unwrap_or_default();
    let generate = str_at(obj, "/metadata/generateName").unwrap_or_default();
    if !generate.is_empty() {
        for msg in rule.check(generate, true) {
            errs.invalid("metadata.generateName", Bad::Str(generate), &msg);
        }
    }
    if name.is_empty() {
        if generate.is_empty() {
            errs.required("metadata.name", "name or generateName is required");
        }
    } else {
        for msg in rule.check(name, false) {
            errs.invalid("metadata.name", Bad::Str(name), &msg);
        }
    }
    let ns = str_at(obj, "/metadata/namespace").unwrap_or_default();
    if rt.namespaced {
        if ns.is_empty() {
            errs.required("metadata.namespace", "");
        } else {
            for msg in is_dns1123_label(ns) {
                errs.invalid("metadata.namespace", Bad::Str(ns), &msg);
            }
        }
    } else if !ns.is_empty() {
        errs.forbidden("metadata.namespace", "not allowed on this type");
    }
    validate_labels(obj_at(obj, "/metadata/labels"), "metadata.labels", errs);
    validate_annotations(obj_at(obj, "/metadata/annotations"), "metadata.annotations", errs);
    for f in obj
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let f = f.as_str().unwrap_or_default();
        for msg in is_qualified_name(f) {
            errs.invalid("metadata.finalizers", Bad::Str(f), &msg);
        }
    }
}
