//! Core kinds without pods: Service, ConfigMap, Secret.

use super::field::{Bad, FieldErrors, go_quote};
use super::meta::validate_labels;
use super::names::{
    is_config_map_key, is_dns1123_label, is_dns1123_subdomain, is_valid_port_name, is_valid_port_num,
};
use super::{arr_at, int_at, obj_at, str_at};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// kube's `MaxSecretSize`, also the ConfigMap cap.
const MAX_DATA_SIZE: usize = 1024 * 1024;
const SERVICE_TYPES: &[&str] = &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const PROTOCOLS: &[&str] = &["SCTP", "TCP", "UDP"];

/// `%#v` of the `core.ServicePort` key kube uses for duplicate detection.
fn go_service_port(protocol: &str, port: i64) -> String {
    format!(
        "core.ServicePort{{Name:\"\", Protocol:{}, AppProtocol:(*string)(nil), Port:{port}, TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:\"\"}}, NodePort:0}}",
        go_quote(protocol)
    )
}

/// `ValidateService`.
pub(super) fn validate_service(obj: &Value, errs: &mut FieldErrors) {
    let empty = Value::Null;
    let spec = obj.get("spec").unwrap_or(&empty);
    let type_ = str_at(spec, "/type")
        .filter(|t| !t.is_empty())
        .unwrap_or("ClusterIP");
    if !SERVICE_TYPES.contains(&type_) {
        errs.not_supported("spec.type", type_, SERVICE_TYPES);
    }
    let headless = str_at(spec, "/clusterIP") == Some("None");
    let ports = arr_at(spec, "/ports");
    if ports.is_empty() && !headless && type_ != "ExternalName" {
        errs.required("spec.ports", "");
    }
    if type_ == "ExternalName" {
        let ext = str_at(spec, "/externalName").unwrap_or_default();
        if ext.is_empty() {
            errs.required("spec.externalName", "");
        } else {
            let trimmed = ext.strip_suffix('.').unwrap_or(ext);
            for msg in is_dns1123_subdomain(trimmed) {
                errs.invalid("spec.externalName", Bad::Str(ext), &msg);
            }
        }
    }
    let mut names = HashSet::new();
    let mut keys = HashSet::new();
    for (i, p) in ports.iter().enumerate() {
        let pp = format!("spec.ports[{i}]");
        let name = str_at(p, "/name").unwrap_or_default();
        if ports.len() > 1 && name.is_empty() {
            errs.required(&format!("{pp}.name"), "");
        } else if !name.is_empty() {
            for msg in is_dns1123_label(name) {
                errs.invalid(&format!("{pp}.name"), Bad::Str(name), &msg);
            }
            if !names.insert(name) {
                errs.duplicate(&format!("{pp}.name"), Bad::Str(name));
            }
        }
        let port = int_at(p, "/port").unwrap_or(0);
        for msg in is_valid_port_num(port) {
            errs.invalid(&format!("{pp}.port"), Bad::Int(port), &msg);
        }
        let proto = str_at(p, "/protocol").filter(|p| !p.is_empty()).unwrap_or("TCP");
        if !PROTOCOLS.contains(&proto) {
            errs.not_supported(&format!("{pp}.protocol"), proto, PROTOCOLS);
        }
        match p.get("targetPort") {
            Some(Value::Number(n)) => {
                let t = n.as_i64().unwrap_or(0);
                for msg in is_valid_port_num(t) {
                    errs.invalid(&format!("{pp}.targetPort"), Bad::Int(t), &msg);
                }
            }
            Some(Value::String(s)) => {
                for msg in is_valid_port_name(s) {
                    errs.invalid(&format!("{pp}.targetPort"), Bad::Str(s), &msg);
                }
            }
            _ => {}
        }
        if let Some(np) = int_at(p, "/nodePort").filter(|n| *n != 0) {
            if type_ == "ClusterIP" {
                errs.forbidden(
                    &format!("{pp}.nodePort"),
                    "may not be used when `type` is 'ClusterIP'",
                );
            } else if !(30000..=32767).contains(&np) {
                errs.invalid(
                    &format!("{pp}.nodePort"),
                    Bad::Int(np),
                    "provided port is not in the valid range. The range of valid ports is 30000-32767",
                );
            }
        }
        if !keys.insert((proto, port)) {
            errs.duplicate(&pp, Bad::Raw(go_service_port(proto, port)));
        }
    }
    validate_labels(obj_at(spec, "/selector"), "spec.selector", errs);
    if let Some(a) = str_at(spec, "/sessionAffinity").filter(|a| !a.is_empty())
        && a != "ClientIP"
        && a != "None"
    {
        errs.not_supported("spec.sessionAffinity", a, &["ClientIP", "None"]);
    }
}

/// Keys of a data map must be config keys and not repeat in the other map.
fn validate_data_keys(
    map: Option<&Map<String, Value>>,
    other: Option<&Map<String, Value>>,
    path: &str,
    other_name: &str,
    errs: &mut FieldErrors,
) -> usize {
    let mut size = 0;
    for (k, v) in map.into_iter().flatten() {
        let p = format!("{path}[{k}]");
        for msg in is_config_map_key(k) {
            errs.invalid(&p, Bad::Str(k), &msg);
        }
        if other.is_some_and(|o| o.contains_key(k)) {
            errs.invalid(
                &p,
                Bad::Str(k),
                &format!("duplicate of key present in {other_name}"),
            );
        }
        size += v.as_str().map_or(0, str::len);
    }
    size
}

/// `ValidateConfigMap`.
pub(super) fn validate_configmap(obj: &Value, errs: &mut FieldErrors) {
    let data = obj_at(obj, "/data");
    let binary = obj_at(obj, "/binaryData");
    let mut size = validate_data_keys(data, binary, "data", "binaryData", errs);
    size += validate_data_keys(binary, data, "binaryData", "data", errs);
    if size > MAX_DATA_SIZE {
        errs.too_long("", MAX_DATA_SIZE);
    }
}

/// `ValidateSecret`, with `stringData` merged into `data` as the decoder does.
pub(super) fn validate_secret(obj: &Value, errs: &mut FieldErrors) {
    let mut data = obj_at(obj, "/data").cloned().unwrap_or_default();
    for (k, v) in obj_at(obj, "/stringData").into_iter().flatten() {
        data.insert(k.clone(), v.clone());
    }
    let size = validate_data_keys(Some(&data), None, "data", "", errs);
    if size > MAX_DATA_SIZE {
        errs.too_long("data", MAX_DATA_SIZE);
    }
    let has = |k: &str| data.get(k).and_then(Value::as_str).is_some_and(|v| !v.is_empty());
    match str_at(obj, "/type").unwrap_or("Opaque") {
        "kubernetes.io/service-account-token" => {
            let ann = str_at(obj, "/metadata/annotations/kubernetes.io~1service-account.name");
            if ann.unwrap_or_default().is_empty() {
                errs.required("metadata.annotations[kubernetes.io/service-account.name]", "");
            }
        }
        "kubernetes.io/dockercfg" if !has(".dockercfg") => errs.required("data[.dockercfg]", ""),
        "kubernetes.io/dockerconfigjson" if !has(".dockerconfigjson") => {
            errs.required("data[.dockerconfigjson]", "")
        }
        "kubernetes.io/basic-auth" if !has("username") && !has("password") => {
            errs.required("data[username]", "");
            errs.required("data[password]", "");
        }
        "kubernetes.io/ssh-auth" if !has("ssh-privatekey") => errs.required("data[ssh-privatekey]", ""),
        "kubernetes.io/tls" => {
            for k in ["tls.crt", "tls.key"] {
                if !data.contains_key(k) {
                    errs.required(&format!("data[{k}]"), "");
                }
            }
        }
        _ => {}
    }
}
