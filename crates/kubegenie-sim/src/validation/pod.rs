//! Pod spec and pod template validation (`ValidatePodSpec`, `ValidatePodTemplateSpec`).

use super::field::{Bad, FieldErrors};
use super::meta::{validate_annotations, validate_labels};
use super::names::{is_dns1123_label, is_valid_port_name, is_valid_port_num};
use super::quantity::{QUANTITY_FORMAT_ERROR, quantity_text, quantity_value};
use super::{arr_at, int_at, obj_at, str_at};
use serde_json::Value;
use std::collections::HashSet;

const RESTART_POLICIES: &[&str] = &["Always", "OnFailure", "Never"];
const PULL_POLICIES: &[&str] = &["Always", "IfNotPresent", "Never"];
const PROTOCOLS: &[&str] = &["SCTP", "TCP", "UDP"];

/// The restart policy after defaulting (`Always` when unset).
pub(super) fn restart_policy(spec: Option<&Value>) -> &str {
    spec.and_then(|s| str_at(s, "/restartPolicy"))
        .filter(|p| !p.is_empty())
        .unwrap_or("Always")
}

/// `ValidatePodTemplateSpec` at `path` (e.g. `spec.template`).
pub(super) fn validate_template(template: Option<&Value>, path: &str, errs: &mut FieldErrors) {
    let Some(t) = template else {
        errs.required(path, "");
        return;
    };
    validate_labels(
        obj_at(t, "/metadata/labels"),
        &format!("{path}.metadata.labels"),
        errs,
    );
    validate_annotations(
        obj_at(t, "/metadata/annotations"),
        &format!("{path}.metadata.annotations"),
        errs,
    );
    validate_pod_spec(t.get("spec"), &format!("{path}.spec"), errs);
}

/// `ValidatePodSpec` at `path` (e.g. `spec`, `spec.template.spec`).
pub(super) fn validate_pod_spec(spec: Option<&Value>, path: &str, errs: &mut FieldErrors) {
    let empty = Value::Null;
    let spec = spec.unwrap_or(&empty);
    let volumes = validate_volumes(spec, path, errs);
    let mut names = HashSet::new();
    let containers = arr_at(spec, "/containers");
    if containers.is_empty() {
        errs.required(&format!("{path}.containers"), "");
    }
    for (field, list) in [
        ("initContainers", arr_at(spec, "/initContainers")),
        ("containers", containers),
    ] {
        for (i, c) in list.iter().enumerate() {
            validate_container(c, &format!("{path}.{field}[{i}]"), &volumes, &mut names, errs);
        }
    }
    if let Some(p) = str_at(spec, "/restartPolicy").filter(|p| !p.is_empty())
        && !RESTART_POLICIES.contains(&p)
    {
        errs.not_supported(&format!("{path}.restartPolicy"), p, RESTART_POLICIES);
    }
    if let Some(d) = int_at(spec, "/activeDeadlineSeconds")
        && d < 1
    {
        errs.invalid(
            &format!("{path}.activeDeadlineSeconds"),
            Bad::Int(d),
            "must be between 1 and 2147483647, inclusive",
        );
    }
}

/// Volume names: required, DNS labels, unique. Returns the declared names.
fn validate_volumes(spec: &Value, path: &str, errs: &mut FieldErrors) -> HashSet<String> {
    let mut names = HashSet::new();
    for (i, v) in arr_at(spec, "/volumes").iter().enumerate() {
        let p = format!("{path}.volumes[{i}].name");
        let name = str_at(v, "/name").unwrap_or_default();
        if name.is_empty() {
            errs.required(&p, "");
        } else {
            for msg in is_dns1123_label(name) {
                errs.invalid(&p, Bad::Str(name), &msg);
            }
        }
        if !names.insert(name.to_string()) {
            errs.duplicate(&p, Bad::Str(name));
        }
    }
    names
}

fn validate_container(
    c: &Value,
    path: &str,
    volumes: &HashSet<String>,
    names: &mut HashSet<String>,
    errs: &mut FieldErrors,
) {
    let name = str_at(c, "/name").unwrap_or_default();
    if name.is_empty() {
        errs.required(&format!("{path}.name"), "");
    } else {
        for msg in is_dns1123_label(name) {
            errs.invalid(&format!("{path}.name"), Bad::Str(name), &msg);
        }
    }
    if !names.insert(name.to_string()) {
        errs.duplicate(&format!("{path}.name"), Bad::Str(name));
    }
    let image = str_at(c, "/image").unwrap_or_default();
    if image.is_empty() {
        errs.required(&format!("{path}.image"), "");
    } else if image.trim() != image {
        errs.invalid(
            &format!("{path}.image"),
            Bad::Str(image),
            "must not have leading or trailing whitespace",
        );
    }
    if let Some(p) = str_at(c, "/imagePullPolicy").filter(|p| !p.is_empty())
        && !PULL_POLICIES.contains(&p)
    {
        errs.not_supported(&format!("{path}.imagePullPolicy"), p, PULL_POLICIES);
    }
    validate_ports(c, path, errs);
    for (i, m) in arr_at(c, "/volumeMounts").iter().enumerate() {
        let mname = str_at(m, "/name").unwrap_or_default();
        if mname.is_empty() {
            errs.required(&format!("{path}.volumeMounts[{i}].name"), "");
        } else if !volumes.contains(mname) {
            errs.not_found(&format!("{path}.volumeMounts[{i}].name"), Bad::Str(mname));
        }
        if str_at(m, "/mountPath").unwrap_or_default().is_empty() {
            errs.required(&format!("{path}.volumeMounts[{i}].mountPath"), "");
        }
    }
    if let Some(r) = c.get("resources") {
        validate_resources(r, &format!("{path}.resources"), errs);
    }
}

fn validate_ports(c: &Value, path: &str, errs: &mut FieldErrors) {
    let mut names = HashSet::new();
    for (i, p) in arr_at(c, "/ports").iter().enumerate() {
        let pp = format!("{path}.ports[{i}]");
        if let Some(name) = str_at(p, "/name").filter(|n| !n.is_empty()) {
            let msgs = is_valid_port_name(name);
            if !msgs.is_empty() {
                for m in msgs {
                    errs.invalid(&format!("{pp}.name"), Bad::Str(name), &m);
                }
            } else if !names.insert(name.to_string()) {
                errs.duplicate(&format!("{pp}.name"), Bad::Str(name));
            }
        }
        let port = int_at(p, "/containerPort").unwrap_or(0);
        if port == 0 {
            errs.required(&format!("{pp}.containerPort"), "");
        } else {
            for m in is_valid_port_num(port) {
                errs.invalid(&format!("{pp}.containerPort"), Bad::Int(port), &m);
            }
        }
        if let Some(host) = int_at(p, "/hostPort").filter(|h| *h != 0) {
            for m in is_valid_port_num(host) {
                errs.invalid(&format!("{pp}.hostPort"), Bad::Int(host), &m);
            }
        }
        // Protocol defaults to TCP, so only a given value can be wrong.
        if let Some(proto) = str_at(p, "/protocol").filter(|p| !p.is_empty())
            && !PROTOCOLS.contains(&proto)
        {
            errs.not_supported(&format!("{pp}.protocol"), proto, PROTOCOLS);
        }
    }
}

/// `ValidateResourceRequirements`: quantities decode, are non-negative, requests <= limits.
pub(super) fn validate_resources(r: &Value, path: &str, errs: &mut FieldErrors) {
    let limits = obj_at(r, "/limits");
    for (section, map) in [("limits", limits), ("requests", obj_at(r, "/requests"))] {
        for (name, q) in map.into_iter().flatten() {
            let field = format!("{path}.{section}[{name}]");
            let Some(value) = quantity_value(q) else {
                errs.decode_error(QUANTITY_FORMAT_ERROR.to_string());
                continue;
            };
            let text = quantity_text(q);
            if value < 0.0 {
                errs.invalid(&field, Bad::Str(&text), "must be greater than or equal to 0");
            }
            if section == "requests"
                && let Some(lq) = limits.and_then(|l| l.get(name))
                && let Some(limit) = quantity_value(lq)
                && value > limit
            {
                let detail = format!(
                    "must be less than or equal to {name} limit of {}",
                    quantity_text(lq)
                );
                errs.invalid(&field, Bad::Str(&text), &detail);
            }
        }
    }
}
