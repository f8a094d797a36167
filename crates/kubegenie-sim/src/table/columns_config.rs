//! Printers of core/v1 configuration, storage and legacy workload kinds: config maps,
//! secrets, service accounts, volumes and claims, replication controllers, pod templates,
//! resource quotas and component statuses.

use super::age::age;
use super::format::{access_modes, containers, int, items, labels, len, s, scalar};
use super::{AGE, Col, NAME, Printer, Row, col};
use jiff::Timestamp;
use serde_json::{Value, json};

const CONTAINERS: Col = col("Containers", "string", "Names of each container in the template.");
const IMAGES: Col = col(
    "Images",
    "string",
    "Images referenced by each container in the template.",
);

/// The printer of a core/v1 configuration or storage resource.
pub(crate) fn printer(group: &str, plural: &str) -> Option<Printer> {
    if !group.is_empty() {
        return None;
    }
    Some(match plural {
        "configmaps" => (CONFIGMAP, print_configmap),
        "secrets" => (SECRET, print_secret),
        "serviceaccounts" => (SERVICEACCOUNT, print_serviceaccount),
        "persistentvolumeclaims" => (PVC, print_pvc),
        "persistentvolumes" => (PV, print_pv),
        "replicationcontrollers" => (RC, print_rc),
        "podtemplates" => (PODTEMPLATE, print_podtemplate),
        "resourcequotas" => (QUOTA, print_quota),
        "componentstatuses" => (COMPONENTSTATUS, print_componentstatus),
        _ => return None,
    })
}

const CONFIGMAP: &[Col] = &[
    NAME,
    col("Data", "string", "Data contains the configuration data."),
    AGE,
];

fn print_configmap(cm: &Value, now: Timestamp) -> Row {
    let n = len(&cm["data"]) + len(&cm["binaryData"]);
    Row::new(vec![
        cm["metadata"]["name"].clone(),
        json!(n),
        json!(age(cm, now)),
    ])
}

const SECRET: &[Col] = &[
    NAME,
    col(
        "Type",
        "string",
        "Used to facilitate programmatic handling of secret data.",
    ),
    col("Data", "string", "Data contains the secret data."),
    AGE,
];

fn print_secret(secret: &Value, now: Timestamp) -> Row {
    // Secrets created through stringData are stored with data; count both.
    let n = len(&secret["data"]).max(len(&secret["stringData"]));
    let type_ = if s(&secret["type"]).is_empty() {
        "Opaque"
    } else {
        s(&secret["type"])
    };
    Row::new(vec![
        secret["metadata"]["name"].clone(),
        json!(type_),
        json!(n),
        json!(age(secret, now)),
    ])
}

const SERVICEACCOUNT: &[Col] = &[
    NAME,
    col(
        "Secrets",
        "string",
        "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.",
    ),
    AGE,
];

fn print_serviceaccount(sa: &Value, now: Timestamp) -> Row {
    Row::new(vec![
        sa["metadata"]["name"].clone(),
        json!(len(&sa["secrets"])),
        json!(age(sa, now)),
    ])
}

const PVC: &[Col] = &[
    NAME,
    col(
        "Status",
        "string",
        "phase represents the current phase of PersistentVolumeClaim.",
    ),
    col(
        "Volume",
        "string",
        "volumeName is the binding reference to the PersistentVolume backing this claim.",
    ),
    col(
        "Capacity",
        "string",
        "capacity represents the actual resources of the underlying volume.",
    ),
    col(
        "Access Modes",
        "string",
        "accessModes contains the actual access modes the volume backing the PVC has.",
    ),
    col("StorageClass", "string", "StorageClass of the pvc"),
    col(
        "VolumeAttributesClass",
        "string",
        "VolumeAttributesClass of the pvc",
    ),
    AGE,
    col(
        "VolumeMode",
        "string",
        "volumeMode defines what type of volume is required by the claim.",
    )
    .wide(),
];

fn storage_class(obj: &Value) -> String {
    let beta = s(&obj["metadata"]["annotations"]["volume.beta.kubernetes.io/storage-class"]);
    if beta.is_empty() {
        s(&obj["spec"]["storageClassName"]).to_string()
    } else {
        beta.to_string()
    }
}

fn terminating_phase(obj: &Value) -> String {
    if obj["metadata"]["deletionTimestamp"].is_null() {
        s(&obj["status"]["phase"]).to_string()
    } else {
        "Terminating".to_string()
    }
}

fn unset(v: &Value) -> String {
    if v.is_null() {
        "<unset>".to_string()
    } else {
        scalar(v)
    }
}

fn print_pvc(pvc: &Value, now: Timestamp) -> Row {
    let spec = &pvc["spec"];
    let bound = !s(&spec["volumeName"]).is_empty();
    let (capacity, modes) = if bound {
        (
            scalar(&pvc["status"]["capacity"]["storage"]),
            access_modes(&pvc["status"]["accessModes"]),
        )
    } else {
        (String::new(), String::new())
    };
    let capacity = if bound && capacity.is_empty() {
        "0".to_string()
    } else {
        capacity
    };
    Row::new(vec![
        pvc["metadata"]["name"].clone(),
        json!(terminating_phase(pvc)),
        json!(s(&spec["volumeName"])),
        json!(capacity),
        json!(modes),
        json!(storage_class(pvc)),
        json!(unset(&spec["volumeAttributesClassName"])),
        json!(age(pvc, now)),
        json!(unset(&spec["volumeMode"])),
    ])
}

const PV: &[Col] = &[
    NAME,
    col("Capacity", "string", "capacity is the description of the persistent volume's resources and capacity."),
    col("Access Modes", "string", "accessModes contains all ways the volume can be mounted."),
    col("Reclaim Policy", "string", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim."),
    col("Status", "string", "phase indicates if a volume is available, bound to a claim, or released by a claim."),
    col("Claim", "string", "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim."),
    col("StorageClass", "string", "StorageClass of the pv"),
    col("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"),
    col("Reason", "string", "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI."),
    AGE,
    col("VolumeMode", "string", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.").wide(),
];

fn print_pv(pv: &Value, now: Timestamp) -> Row {
    let spec = &pv["spec"];
    let claim = if spec["claimRef"].is_object() {
        format!(
            "{}/{}",
            s(&spec["claimRef"]["namespace"]),
            s(&spec["claimRef"]["name"])
        )
    } else {
        String::new()
    };
    let capacity = scalar(&spec["capacity"]["storage"]);
    Row::new(vec![
        pv["metadata"]["name"].clone(),
        json!(if capacity.is_empty() {
            "0".to_string()
        } else {
            capacity
        }),
        json!(access_modes(&spec["accessModes"])),
        json!(s(&spec["persistentVolumeReclaimPolicy"])),
        json!(terminating_phase(pv)),
        json!(claim),
        json!(storage_class(pv)),
        json!(unset(&spec["volumeAttributesClassName"])),
        json!(s(&pv["status"]["reason"])),
        json!(age(pv, now)),
        json!(unset(&spec["volumeMode"])),
    ])
}

const RC: &[Col] = &[
    NAME,
    col(
        "Desired",
        "integer",
        "Replicas is the number of desired replicas.",
    ),
    col(
        "Current",
        "integer",
        "Replicas is the most recently observed number of replicas.",
    ),
    col(
        "Ready",
        "integer",
        "The number of ready replicas for this replication controller.",
    ),
    AGE,
    CONTAINERS.wide(),
    IMAGES.wide(),
    col(
        "Selector",
        "string",
        "Selector is a label query over pods that should match the Replicas count.",
    )
    .wide(),
];

fn print_rc(rc: &Value, now: Timestamp) -> Row {
    let (names, images) = containers(&rc["spec"]["template"]["spec"]["containers"]);
    // The API server defaults spec.replicas to 1.
    let desired = rc["spec"]["replicas"].as_i64().unwrap_or(1);
    Row::new(vec![
        rc["metadata"]["name"].clone(),
        json!(desired),
        json!(int(&rc["status"]["replicas"])),
        json!(int(&rc["status"]["readyReplicas"])),
        json!(age(rc, now)),
        json!(names),
        json!(images),
        json!(labels(&rc["spec"]["selector"])),
    ])
}

const PODTEMPLATE: &[Col] = &[
    NAME,
    CONTAINERS,
    IMAGES,
    col("Pod Labels", "string", "The labels for the pod template."),
];

fn print_podtemplate(pt: &Value, _now: Timestamp) -> Row {
    let (names, images) = containers(&pt["template"]["spec"]["containers"]);
    Row::new(vec![
        pt["metadata"]["name"].clone(),
        json!(names),
        json!(images),
        json!(labels(&pt["template"]["metadata"]["labels"])),
    ])
}

const QUOTA: &[Col] = &[
    NAME,
    col(
        "Request",
        "string",
        "Request represents a minimum amount of cpu/memory that a container may consume.",
    ),
    col(
        "Limit",
        "string",
        "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.",
    ),
    AGE,
];

/// `printResourceQuota`: `resource: used/hard` pairs sorted by name, `limits.*` apart.
fn print_quota(q: &Value, now: Timestamp) -> Row {
    let mut request = Vec::new();
    let mut limit = Vec::new();
    if let Some(hard) = q["status"]["hard"].as_object() {
        let mut names: Vec<&String> = hard.keys().collect();
        names.sort();
        for name in names {
            let used = scalar(&q["status"]["used"][name.as_str()]);
            let used = if used.is_empty() { "0".to_string() } else { used };
            let entry = format!("{name}: {used}/{}", scalar(&hard[name.as_str()]));
            let is_limit = name.split('.').count() > 1 && name.split('.').next() == Some("limits");
            if is_limit {
                limit.push(entry)
            } else {
                request.push(entry)
            }
        }
    }
    Row::new(vec![
        q["metadata"]["name"].clone(),
        json!(request.join(", ")),
        json!(limit.join(", ")),
        json!(age(q, now)),
    ])
}

const COMPONENTSTATUS: &[Col] = &[
    NAME,
    col("Status", "string", "Status of the component conditions"),
    col("Message", "string", "Message of the component conditions"),
    col("Error", "string", "Error of the component conditions"),
];

fn print_componentstatus(cs: &Value, _now: Timestamp) -> Row {
    let healthy = items(&cs["conditions"]).iter().find(|c| c["type"] == "Healthy");
    let (status, message, error) = match healthy {
        Some(c) => (
            if c["status"] == "True" {
                "Healthy"
            } else {
                "Unhealthy"
            },
            s(&c["message"]).to_string(),
            s(&c["error"]).to_string(),
        ),
        None => ("Unknown", String::new(), String::new()),
    };
    Row::new(vec![
        cs["metadata"]["name"].clone(),
        json!(status),
        json!(message),
        json!(error),
    ])
}
