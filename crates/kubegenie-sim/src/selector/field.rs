//! Field selectors (`fields.ParseSelector`) with the field labels each kind supports in
//! kube-apiserver 1.33 and the values its registries expose for matching.

use crate::catalog::ResourceType;
use crate::error::{ApiError, Result};
use crate::validation::field::go_quote;
use serde_json::Value;

/// Which field set a kind exposes (its `GetAttrs`/`ToSelectableFields`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum FieldKind {
    #[default]
    Generic,
    Pod,
    Node,
    Namespace,
    Secret,
    Event,
    EventV1,
    ReplicaCount,
    Job,
    Csr,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    field: String,
    value: String,
    negate: bool,
}

/// A parsed field selector (`metadata.name=x,status.phase!=Running`).
#[derive(Debug, Clone, Default)]
pub struct FieldSelector {
    terms: Vec<Term>,
    kind: FieldKind,
}

const POD_FIELDS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "spec.hostNetwork",
    "status.phase",
    "status.podIP",
    "status.podIPs",
    "status.nominatedNodeName",
];
const EVENT_FIELDS: &[&str] = &[
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
    "metadata.namespace",
    "metadata.name",
];

fn not_supported(label: &str) -> String {
    format!("field label not supported: {label}")
}

fn allow(label: &str, fields: &[&str]) -> std::result::Result<String, String> {
    if fields.contains(&label) {
        Ok(label.to_string())
    } else {
        Err(not_supported(label))
    }
}

/// The field label conversion of a kind (`scheme.ConvertFieldLabel`): the label to match on,
/// or kube's error.
fn convert_label(kind: FieldKind, rt: &ResourceType, label: &str) -> std::result::Result<String, String> {
    if rt.crd.is_some() {
        // The CR converter serves metadata.namespace only for namespaced resources.
        return match label {
            "metadata.name" => Ok(label.to_string()),
            "metadata.namespace" if rt.namespaced => Ok(label.to_string()),
            _ => Err(not_supported(label)),
        };
    }
    match kind {
        // Old v1 clients send spec.host; kube maps it.
        FieldKind::Pod if label == "spec.host" => Ok("spec.nodeName".to_string()),
        FieldKind::Pod => allow(label, POD_FIELDS),
        FieldKind::Node => allow(label, &["metadata.name", "spec.unschedulable"]),
        FieldKind::Namespace => allow(label, &["status.phase", "metadata.name"]),
        FieldKind::Secret => allow(label, &["type", "metadata.namespace", "metadata.name"]),
        FieldKind::Event => allow(label, EVENT_FIELDS),
        FieldKind::EventV1 => {
            // events.k8s.io names map onto the core/v1 field set.
            let mapped = match label {
                "regarding.kind" => "involvedObject.kind",
                "regarding.namespace" => "involvedObject.namespace",
                "regarding.name" => "involvedObject.name",
                "regarding.uid" => "involvedObject.uid",
                "regarding.apiVersion" => "involvedObject.apiVersion",
                "regarding.resourceVersion" => "involvedObject.resourceVersion",
                "regarding.fieldPath" => "involvedObject.fieldPath",
                "reportingController" => "reportingComponent",
                "reason" | "type" | "metadata.namespace" | "metadata.name" => label,
                _ => return Err(not_supported(label)),
            };
            Ok(mapped.to_string())
        }
        FieldKind::ReplicaCount => allow(label, &["metadata.name", "metadata.namespace", "status.replicas"]),
        FieldKind::Job => allow(
            label,
            &["metadata.name", "metadata.namespace", "status.successful"],
        ),
        FieldKind::Csr => allow(label, &["metadata.name", "spec.signerName"]),
        FieldKind::Generic => match label {
            "metadata.name" | "metadata.namespace" => Ok(label.to_string()),
            _ => Err(format!(
                "{} is not a known field selector: only \"metadata.name\", \"metadata.namespace\"",
                go_quote(label)
            )),
        },
    }
}

fn kind_of(rt: &ResourceType) -> FieldKind {
    if rt.crd.is_some() {
        return FieldKind::Generic;
    }
    match (rt.group.as_str(), rt.kind.as_str()) {
        ("", "Pod") => FieldKind::Pod,
        ("", "Node") => FieldKind::Node,
        ("", "Namespace") => FieldKind::Namespace,
        ("", "Secret") => FieldKind::Secret,
        ("", "Event") => FieldKind::Event,
        ("events.k8s.io", "Event") => FieldKind::EventV1,
        ("", "ReplicationController") | ("apps", "ReplicaSet") => FieldKind::ReplicaCount,
        ("batch", "Job") => FieldKind::Job,
        ("certificates.k8s.io", "CertificateSigningRequest") => FieldKind::Csr,
        _ => FieldKind::Generic,
    }
}

/// `fields.splitTerms`: splits on commas not escaped by a backslash.
fn split_terms(s: &str) -> Vec<&str> {
    if s.is_empty() {
        return Vec::new();
    }
    let mut terms = Vec::new();
    let mut start = 0;
    let mut in_slash = false;
    for (i, c) in s.char_indices() {
        if in_slash {
            in_slash = false;
        } else if c == '\\' {
            in_slash = true;
        } else if c == ',' {
            terms.push(s.get(start..i).unwrap_or_default());
            start = i + 1;
        }
    }
    terms.push(s.get(start..).unwrap_or_default());
    terms
}

/// `fields.splitTerm`: the first `!=`, `==` or `=` splits field from value.
fn split_term(term: &str) -> Option<(&str, &str, &str)> {
    for (i, _) in term.char_indices() {
        let rest = term.get(i..).unwrap_or_default();
        for op in ["!=", "==", "="] {
            if let Some(value) = rest.strip_prefix(op) {
                return Some((term.get(..i).unwrap_or_default(), op, value));
            }
        }
    }
    None
}

/// `fields.UnescapeValue`.
fn unescape(s: &str) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut in_slash = false;
    for c in s.chars() {
        if in_slash {
            match c {
                '\\' | ',' | '=' => out.push(c),
                _ => return Err(format!("invalid field selector: invalid escape sequence: \\{c}")),
            }
            in_slash = false;
            continue;
        }
        match c {
            '\\' => in_slash = true,
            ',' | '=' => {
                return Err(format!(
                    "invalid field selector: unescaped character in value: {c}"
                ));
            }
            _ => out.push(c),
        }
    }
    if in_slash {
        return Err("invalid field selector: invalid escape sequence: \\".to_string());
    }
    Ok(out)
}

/// A value as a string the way kube's field sets stringify it (`strconv.FormatBool`, `Itoa`).
fn scalar(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn at(obj: &Value, dotted: &str) -> Option<String> {
    let ptr: String = dotted.split('.').map(|p| format!("/{p}")).collect();
    scalar(obj.pointer(&ptr))
}

impl FieldSelector {
    /// Parses the string form for a resource type; unsupported fields and malformed terms are
    /// a 400 BadRequest with kube's message. Note: no whitespace is trimmed, as in kube.
    pub fn parse(s: &str, rt: &ResourceType) -> Result<Self> {
        let kind = kind_of(rt);
        let mut parts = split_terms(s);
        parts.sort_unstable();
        let mut raw = Vec::new();
        for part in parts.into_iter().filter(|p| !p.is_empty()) {
            let Some((lhs, op, rhs)) = split_term(part) else {
                return Err(ApiError::bad_request(format!(
                    "invalid selector: '{s}'; can't understand '{part}'"
                )));
            };
            let value = unescape(rhs).map_err(ApiError::bad_request)?;
            raw.push(Term {
                field: lhs.to_string(),
                value,
                negate: op == "!=",
            });
        }
        // Field labels are converted only after the whole selector parsed, as kube does.
        for t in &mut raw {
            t.field = convert_label(kind, rt, &t.field).map_err(ApiError::bad_request)?;
        }
        Ok(Self { terms: raw, kind })
    }

    /// Whether the selector selects everything.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The value of a selectable field of `obj`, defaulted as kube's field sets default it.
    fn value(&self, obj: &Value, field: &str) -> String {
        let get = |p: &str| at(obj, p);
        let found = match (self.kind, field) {
            (FieldKind::Pod, "spec.hostNetwork") | (FieldKind::Node, "spec.unschedulable") => {
                Some(get(field).unwrap_or_else(|| "false".to_string()))
            }
            (FieldKind::Pod, "status.podIP") => get("status.podIPs.0.ip").or_else(|| get("status.podIP")),
            (FieldKind::ReplicaCount, "status.replicas") => {
                Some(get(field).unwrap_or_else(|| "0".to_string()))
            }
            (FieldKind::Job, "status.successful") => {
                Some(get("status.succeeded").unwrap_or_else(|| "0".to_string()))
            }
            (FieldKind::Event | FieldKind::EventV1, f) => event_value(obj, f),
            _ => get(field),
        };
        found.unwrap_or_default()
    }

    /// Whether the object matches every term.
    pub fn matches(&self, obj: &Value) -> bool {
        self.terms.iter().all(|t| {
            let hit = if self.kind == FieldKind::Pod && t.field == "status.podIPs" {
                {
                    let ips = pod_ips(obj);
                    ips.contains(&t.value) || ips.join(",") == t.value
                }
            } else {
                self.value(obj, &t.field) == t.value
            };
            hit != t.negate
        })
    }

    /// The name required by `metadata.name=X`, if any (`RequiresExactMatch`).
    pub fn name_equals(&self) -> Option<&str> {
        self.terms
            .iter()
            .find(|t| t.field == "metadata.name" && !t.negate)
            .map(|t| t.value.as_str())
    }
}

fn pod_ips(obj: &Value) -> Vec<String> {
    let ips = obj.pointer("/status/podIPs").and_then(Value::as_array);
    ips.into_iter()
        .flatten()
        .filter_map(|p| p.get("ip").and_then(Value::as_str))
        .map(str::to_string)
        .collect()
}

/// Event fields, read from the core/v1 shape or, failing that, the events.k8s.io/v1 shape
/// (the same stored object may be handed over in either form).
fn event_value(obj: &Value, field: &str) -> Option<String> {
    if let Some(rest) = field.strip_prefix("involvedObject.") {
        return at(obj, field).or_else(|| at(obj, &format!("regarding.{rest}")));
    }
    match field {
        "reportingComponent" => at(obj, field).or_else(|| at(obj, "reportingController")),
        "source" => at(obj, "source.component")
            .filter(|s| !s.is_empty())
            .or_else(|| at(obj, "deprecatedSource.component").filter(|s| !s.is_empty()))
            .or_else(|| at(obj, "reportingComponent"))
            .or_else(|| at(obj, "reportingController")),
        _ => at(obj, field),
    }
}

#[cfg(test)]
#[path = "field_tests.rs"]
mod tests;
