//! Unknown-field detection for `fieldValidation=Strict|Warn` on built-in kinds: the object is
//! decoded into the k8s-openapi type (serde drops what the type does not declare), encoded
//! again and compared with the input; every input field missing from the round trip is one
//! kube would report as `unknown field "<path>"`.

use k8s_openapi::api::{
    admissionregistration, apps, autoscaling, batch, certificates, coordination, core, discovery, events,
    networking, policy, rbac, scheduling, storage,
};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Decodes and re-encodes `obj` as `T`, forcing `apiVersion`/`kind` to the type's own so a
/// served alias version still decodes. `None` when the object does not decode (wrong types
/// are a decode error reported elsewhere, not unknown fields).
fn roundtrip<T: k8s_openapi::Resource + DeserializeOwned + Serialize>(obj: &Value) -> Option<Value> {
    let mut v = obj.clone();
    let map = v.as_object_mut()?;
    map.insert("apiVersion".into(), Value::String(T::API_VERSION.into()));
    map.insert("kind".into(), Value::String(T::KIND.into()));
    let typed: T = serde_json::from_value(v).ok()?;
    serde_json::to_value(&typed).ok()
}

/// Round-trips `obj` through the typed struct of `(group, version, kind)`, if the simulator
/// knows one.
fn typed_roundtrip(group: &str, version: &str, kind: &str, obj: &Value) -> Option<Option<Value>> {
    use apiextensions::v1 as apiext;
    use core::v1 as c;
    let rt = match (group, version, kind) {
        ("", _, "Pod") => roundtrip::<c::Pod>(obj),
        ("", _, "Service") => roundtrip::<c::Service>(obj),
        ("", _, "ConfigMap") => roundtrip::<c::ConfigMap>(obj),
        ("", _, "Secret") => roundtrip::<c::Secret>(obj),
        ("", _, "Namespace") => roundtrip::<c::Namespace>(obj),
        ("", _, "Node") => roundtrip::<c::Node>(obj),
        ("", _, "ServiceAccount") => roundtrip::<c::ServiceAccount>(obj),
        ("", _, "Endpoints") => roundtrip::<c::Endpoints>(obj),
        ("", _, "Event") => roundtrip::<c::Event>(obj),
        ("", _, "PersistentVolume") => roundtrip::<c::PersistentVolume>(obj),
        ("", _, "PersistentVolumeClaim") => roundtrip::<c::PersistentVolumeClaim>(obj),
        ("", _, "ReplicationController") => roundtrip::<c::ReplicationController>(obj),
        ("", _, "LimitRange") => roundtrip::<c::LimitRange>(obj),
        ("", _, "ResourceQuota") => roundtrip::<c::ResourceQuota>(obj),
        ("", _, "PodTemplate") => roundtrip::<c::PodTemplate>(obj),
        ("apps", _, "Deployment") => roundtrip::<apps::v1::Deployment>(obj),
        ("apps", _, "ReplicaSet") => roundtrip::<apps::v1::ReplicaSet>(obj),
        ("apps", _, "StatefulSet") => roundtrip::<apps::v1::StatefulSet>(obj),
        ("apps", _, "DaemonSet") => roundtrip::<apps::v1::DaemonSet>(obj),
        ("apps", _, "ControllerRevision") => roundtrip::<apps::v1::ControllerRevision>(obj),
        ("batch", _, "Job") => roundtrip::<batch::v1::Job>(obj),
        ("batch", _, "CronJob") => roundtrip::<batch::v1::CronJob>(obj),
        ("autoscaling", "v1", "HorizontalPodAutoscaler") => {
            roundtrip::<autoscaling::v1::HorizontalPodAutoscaler>(obj)
        }
        ("autoscaling", _, "HorizontalPodAutoscaler") => {
            roundtrip::<autoscaling::v2::HorizontalPodAutoscaler>(obj)
        }
        ("networking.k8s.io", _, "Ingress") => roundtrip::<networking::v1::Ingress>(obj),
        ("networking.k8s.io", _, "IngressClass") => roundtrip::<networking::v1::IngressClass>(obj),
        ("networking.k8s.io", _, "NetworkPolicy") => roundtrip::<networking::v1::NetworkPolicy>(obj),
        ("rbac.authorization.k8s.io", _, "Role") => roundtrip::<rbac::v1::Role>(obj),
        ("rbac.authorization.k8s.io", _, "ClusterRole") => roundtrip::<rbac::v1::ClusterRole>(obj),
        ("rbac.authorization.k8s.io", _, "RoleBinding") => roundtrip::<rbac::v1::RoleBinding>(obj),
        ("rbac.authorization.k8s.io", _, "ClusterRoleBinding") => {
            roundtrip::<rbac::v1::ClusterRoleBinding>(obj)
        }
        ("policy", _, "PodDisruptionBudget") => roundtrip::<policy::v1::PodDisruptionBudget>(obj),
        ("storage.k8s.io", _, "StorageClass") => roundtrip::<storage::v1::StorageClass>(obj),
        ("coordination.k8s.io", _, "Lease") => roundtrip::<coordination::v1::Lease>(obj),
        ("events.k8s.io", _, "Event") => roundtrip::<events::v1::Event>(obj),
        ("discovery.k8s.io", _, "EndpointSlice") => roundtrip::<discovery::v1::EndpointSlice>(obj),
        ("scheduling.k8s.io", _, "PriorityClass") => roundtrip::<scheduling::v1::PriorityClass>(obj),
        ("certificates.k8s.io", _, "CertificateSigningRequest") => {
            roundtrip::<certificates::v1::CertificateSigningRequest>(obj)
        }
        ("admissionregistration.k8s.io", _, "ValidatingWebhookConfiguration") => {
            roundtrip::<admissionregistration::v1::ValidatingWebhookConfiguration>(obj)
        }
        ("admissionregistration.k8s.io", _, "MutatingWebhookConfiguration") => {
            roundtrip::<admissionregistration::v1::MutatingWebhookConfiguration>(obj)
        }
        ("apiextensions.k8s.io", _, "CustomResourceDefinition") => {
            roundtrip::<apiext::CustomResourceDefinition>(obj)
        }
        _ => return None,
    };
    Some(rt)
}

/// Joins a JSON path the way kube prints it: `spec.template`, `containers[0]`.
pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Input paths absent from the round trip (`null` inputs decode to "unset" and are fine).
pub(super) fn diff(input: &Value, kept: &Value, path: &str, out: &mut Vec<String>) {
    match (input, kept) {
        (Value::Object(i), Value::Object(k)) => {
            for (key, v) in i {
                match k.get(key) {
                    Some(kv) => diff(v, kv, &join(path, key), out),
                    None if !v.is_null() => out.push(join(path, key)),
                    None => {}
                }
            }
        }
        (Value::Array(i), Value::Array(k)) => {
            for (idx, (v, kv)) in i.iter().zip(k).enumerate() {
                diff(v, kv, &format!("{path}[{idx}]"), out);
            }
        }
        _ => {}
    }
}

/// Unknown fields of `metadata` (an `ObjectMeta`) at `path`.
pub(super) fn unknown_in_meta(meta: &Value, path: &str, out: &mut Vec<String>) {
    if !meta.is_object() {
        return;
    }
    let kept = serde_json::from_value::<ObjectMeta>(meta.clone())
        .ok()
        .and_then(|m| serde_json::to_value(m).ok());
    if let Some(kept) = kept {
        diff(meta, &kept, path, out);
    }
}

/// Unknown fields of a built-in object; `None` when the kind has no typed struct here.
pub(super) fn unknown_builtin(group: &str, version: &str, kind: &str, obj: &Value) -> Option<Vec<String>> {
    let kept = typed_roundtrip(group, version, kind, obj)?;
    let mut out = Vec::new();
    if let Some(kept) = kept {
        diff(obj, &kept, "", &mut out);
    }
    Some(out)
}
