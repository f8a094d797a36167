//! Printers of storage, scheduling, certificate, node, admission, flow-control and
//! aggregation kinds.

use super::age::age;
use super::format::{int, items, len, s, scalar};
use super::{AGE, Col, NAME, Printer, Row, col};
use jiff::Timestamp;
use serde_json::{Value, json};

/// The printer of a cluster-plumbing resource.
pub(crate) fn printer(group: &str, plural: &str) -> Option<Printer> {
    Some(match (group, plural) {
        ("scheduling.k8s.io", "priorityclasses") => (PRIORITYCLASS, print_priorityclass),
        ("storage.k8s.io", "storageclasses") => (STORAGECLASS, print_storageclass),
        ("storage.k8s.io", "volumeattachments") => (VOLUMEATTACHMENT, print_volumeattachment),
        ("storage.k8s.io", "csidrivers") => (CSIDRIVER, print_csidriver),
        ("storage.k8s.io", "csinodes") => (CSINODE, print_csinode),
        ("storage.k8s.io", "csistoragecapacities") => (CSISTORAGECAPACITY, print_csistoragecapacity),
        ("certificates.k8s.io", "certificatesigningrequests") => (CSR, print_csr),
        ("node.k8s.io", "runtimeclasses") => (RUNTIMECLASS, print_runtimeclass),
        ("admissionregistration.k8s.io", "mutatingwebhookconfigurations")
        | ("admissionregistration.k8s.io", "validatingwebhookconfigurations") => (WEBHOOKS, print_webhooks),
        ("admissionregistration.k8s.io", "validatingadmissionpolicies") => (VAP, print_vap),
        ("admissionregistration.k8s.io", "validatingadmissionpolicybindings") => (VAPB, print_vapb),
        ("flowcontrol.apiserver.k8s.io", "flowschemas") => (FLOWSCHEMA, print_flowschema),
        ("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations") => (PLC, print_plc),
        ("apiregistration.k8s.io", "apiservices") => (APISERVICE, print_apiservice),
        _ => return None,
    })
}

fn name(obj: &Value) -> Value {
    obj["metadata"]["name"].clone()
}

const PRIORITYCLASS: &[Col] = &[
    NAME,
    col(
        "Value",
        "integer",
        "value represents the integer value of this priority class.",
    ),
    col(
        "Global-Default",
        "boolean",
        "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.",
    ),
    AGE,
    col(
        "PreemptionPolicy",
        "string",
        "preemptionPolicy is the Policy for preempting pods with lower priority.",
    ),
];

fn print_priorityclass(pc: &Value, now: Timestamp) -> Row {
    Row::new(vec![
        name(pc),
        json!(int(&pc["value"])),
        json!(pc["globalDefault"].as_bool().unwrap_or(false)),
        json!(age(pc, now)),
        json!(s(&pc["preemptionPolicy"])),
    ])
}

const STORAGECLASS: &[Col] = &[
    NAME,
    col(
        "Provisioner",
        "string",
        "provisioner indicates the type of the provisioner.",
    ),
    col(
        "ReclaimPolicy",
        "string",
        "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.",
    ),
    col(
        "VolumeBindingMode",
        "string",
        "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.",
    ),
    col(
        "AllowVolumeExpansion",
        "string",
        "allowVolumeExpansion shows whether the storage class allow volume expand.",
    ),
    AGE,
];

/// `printStorageClass`: the default class is marked ` (default)`.
fn print_storageclass(sc: &Value, now: Timestamp) -> Row {
    let ann = &sc["metadata"]["annotations"];
    let is_default = ann["storageclass.kubernetes.io/is-default-class"] == "true"
        || ann["storageclass.beta.kubernetes.io/is-default-class"] == "true";
    let n = s(&sc["metadata"]["name"]);
    let display = if is_default {
        format!("{n} (default)")
    } else {
        n.to_string()
    };
    let or = |v: &Value, d: &str| {
        if v.is_string() {
            s(v).to_string()
        } else {
            d.to_string()
        }
    };
    Row::new(vec![
        json!(display),
        json!(s(&sc["provisioner"])),
        json!(or(&sc["reclaimPolicy"], "Delete")),
        json!(or(&sc["volumeBindingMode"], "Immediate")),
        json!(sc["allowVolumeExpansion"].as_bool().unwrap_or(false)),
        json!(age(sc, now)),
    ])
}

const VOLUMEATTACHMENT: &[Col] = &[
    NAME,
    col(
        "Attacher",
        "string",
        "attacher indicates the name of the volume driver that MUST handle this request.",
    )
    .name_format(),
    col(
        "PV",
        "string",
        "persistentVolumeName represents the name of the persistent volume to attach.",
    ),
    col(
        "Node",
        "string",
        "nodeName represents the node that the volume should be attached to.",
    ),
    col(
        "Attached",
        "boolean",
        "attached indicates the volume is successfully attached.",
    ),
    AGE,
];

fn print_volumeattachment(va: &Value, now: Timestamp) -> Row {
    let spec = &va["spec"];
    Row::new(vec![
        name(va),
        json!(s(&spec["attacher"])),
        json!(s(&spec["source"]["persistentVolumeName"])),
        json!(s(&spec["nodeName"])),
        json!(va["status"]["attached"].as_bool().unwrap_or(false)),
        json!(age(va, now)),
    ])
}

const CSIDRIVER: &[Col] = &[
    NAME,
    col(
        "AttachRequired",
        "boolean",
        "attachRequired indicates this CSI volume driver requires an attach operation.",
    ),
    col(
        "PodInfoOnMount",
        "boolean",
        "podInfoOnMount indicates this CSI volume driver requires additional pod information during mount operations.",
    ),
    col(
        "StorageCapacity",
        "boolean",
        "storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity.",
    ),
    col(
        "TokenRequests",
        "string",
        "tokenRequests indicates the CSI driver needs pods' service account tokens it is mounting volume for.",
    ),
    col(
        "RequiresRepublish",
        "boolean",
        "requiresRepublish indicates the CSI driver wants NodePublishVolume being periodically called.",
    ),
    col(
        "Modes",
        "string",
        "volumeLifecycleModes defines what kind of volumes this CSI volume driver supports.",
    ),
    AGE,
];

fn print_csidriver(d: &Value, now: Timestamp) -> Row {
    let spec = &d["spec"];
    let modes: Vec<String> = items(&spec["volumeLifecycleModes"]).iter().map(scalar).collect();
    let tokens = if spec["tokenRequests"].is_array() {
        items(&spec["tokenRequests"])
            .iter()
            .map(|t| s(&t["audience"]).to_string())
            .collect::<Vec<_>>()
            .join(",")
    } else {
        "<unset>".to_string()
    };
    Row::new(vec![
        name(d),
        json!(spec["attachRequired"].as_bool().unwrap_or(true)),
        json!(spec["podInfoOnMount"].as_bool().unwrap_or(false)),
        json!(spec["storageCapacity"].as_bool().unwrap_or(false)),
        json!(tokens),
        json!(spec["requiresRepublish"].as_bool().unwrap_or(false)),
        json!(if modes.is_empty() {
            "<none>".to_string()
        } else {
            modes.join(",")
        }),
        json!(age(d, now)),
    ])
}

const CSINODE: &[Col] = &[
    NAME,
    col(
        "Drivers",
        "integer",
        "Drivers indicates the number of CSI drivers registered on the node",
    ),
    AGE,
];

fn print_csinode(n: &Value, now: Timestamp) -> Row {
    Row::new(vec![
        name(n),
        json!(len(&n["spec"]["drivers"])),
        json!(age(n, now)),
    ])
}

const CSISTORAGECAPACITY: &[Col] = &[
    NAME,
    col(
        "StorageClassName",
        "string",
        "storageClassName represents the name of the StorageClass that the reported capacity applies to.",
    ),
    col(
        "Capacity",
        "string",
        "capacity is the value reported by the CSI driver in its GetCapacityResponse for a GetCapacityRequest.",
    ),
];

fn print_csistoragecapacity(c: &Value, _now: Timestamp) -> Row {
    let cap = if c["capacity"].is_null() {
        "<unset>".to_string()
    } else {
        scalar(&c["capacity"])
    };
    Row::new(vec![name(c), json!(s(&c["storageClassName"])), json!(cap)])
}

const CSR: &[Col] = &[
    NAME,
    AGE,
    col(
        "SignerName",
        "string",
        "signerName indicates the requested signer, and is a qualified name.",
    ),
    col(
        "Requestor",
        "string",
        "request contains an x509 certificate signing request encoded in a \"CERTIFICATE REQUEST\" PEM block.",
    ),
    col(
        "RequestedDuration",
        "string",
        "expirationSeconds is the requested duration of validity of the issued certificate.",
    ),
    col(
        "Condition",
        "string",
        "conditions applied to the request. Known conditions are \"Approved\", \"Denied\", and \"Failed\".",
    ),
];

fn print_csr(csr: &Value, now: Timestamp) -> Row {
    let conds = items(&csr["status"]["conditions"]);
    let has = |t: &str| conds.iter().any(|c| c["type"] == t);
    let mut status = if has("Denied") {
        "Denied"
    } else if has("Approved") {
        "Approved"
    } else {
        "Pending"
    }
    .to_string();
    if has("Failed") {
        status.push_str(",Failed");
    }
    if !s(&csr["status"]["certificate"]).is_empty() {
        status.push_str(",Issued");
    }
    let signer = if s(&csr["spec"]["signerName"]).is_empty() {
        "<none>"
    } else {
        s(&csr["spec"]["signerName"])
    };
    let duration = match csr["spec"]["expirationSeconds"].as_i64() {
        Some(secs) => super::human_duration(jiff::SignedDuration::from_secs(secs)),
        None => "<none>".to_string(),
    };
    Row::new(vec![
        name(csr),
        json!(age(csr, now)),
        json!(signer),
        json!(s(&csr["spec"]["username"])),
        json!(duration),
        json!(status),
    ])
}

const RUNTIMECLASS: &[Col] = &[
    NAME,
    col(
        "Handler",
        "string",
        "handler specifies the underlying runtime and configuration.",
    ),
    AGE,
];

fn print_runtimeclass(rc: &Value, now: Timestamp) -> Row {
    Row::new(vec![name(rc), json!(s(&rc["handler"])), json!(age(rc, now))])
}

const WEBHOOKS: &[Col] = &[
    NAME,
    col(
        "Webhooks",
        "integer",
        "Webhooks indicates the number of webhooks registered in this configuration",
    ),
    AGE,
];

fn print_webhooks(w: &Value, now: Timestamp) -> Row {
    Row::new(vec![name(w), json!(len(&w["webhooks"])), json!(age(w, now))])
}

const VAP: &[Col] = &[
    NAME,
    col(
        "Validations",
        "integer",
        "Validations indicates the number of validation rules defined in this configuration",
    ),
    col(
        "ParamKind",
        "string",
        "ParamKind specifies the kind of resources used to parameterize this policy",
    ),
    AGE,
];

fn print_vap(p: &Value, now: Timestamp) -> Row {
    let pk = &p["spec"]["paramKind"];
    let param_kind = if pk.is_object() {
        format!("{}/{}", s(&pk["apiVersion"]), s(&pk["kind"]))
    } else {
        "<unset>".to_string()
    };
    Row::new(vec![
        name(p),
        json!(len(&p["spec"]["validations"])),
        json!(param_kind),
        json!(age(p, now)),
    ])
}

const VAPB: &[Col] = &[
    NAME,
    col(
        "PolicyName",
        "string",
        "PolicyName indicates the policy definition which the policy binding binded to",
    ),
    col(
        "ParamRef",
        "string",
        "ParamRef indicates the param resource which sets the configration param",
    ),
    AGE,
];

fn print_vapb(b: &Value, now: Timestamp) -> Row {
    let pr = &b["spec"]["paramRef"];
    let param = if !pr.is_object() {
        "<unset>".to_string()
    } else if !s(&pr["name"]).is_empty() {
        let ns = if s(&pr["namespace"]).is_empty() {
            "*"
        } else {
            s(&pr["namespace"])
        };
        format!("{ns}/{}", s(&pr["name"]))
    } else if pr["selector"].is_object() {
        super::format::selector_string(&pr["selector"]).unwrap_or_default()
    } else {
        "<unset>".to_string()
    };
    Row::new(vec![
        name(b),
        json!(s(&b["spec"]["policyName"])),
        json!(param),
        json!(age(b, now)),
    ])
}

const FLOWSCHEMA: &[Col] = &[
    NAME,
    col(
        "PriorityLevel",
        "string",
        "`name` is the name of the priority level configuration being referenced Required.",
    ),
    col(
        "MatchingPrecedence",
        "string",
        "`matchingPrecedence` is used to choose among the FlowSchemas that match a given request.",
    ),
    col(
        "DistinguisherMethod",
        "string",
        "`distinguisherMethod` defines how to compute the flow distinguisher for requests that match this schema.",
    ),
    AGE,
    col(
        "MissingPL",
        "string",
        "references a broken or non-existent PriorityLevelConfiguration",
    ),
];

fn print_flowschema(fs: &Value, now: Timestamp) -> Row {
    let spec = &fs["spec"];
    let dm = if spec["distinguisherMethod"].is_object() {
        s(&spec["distinguisherMethod"]["type"]).to_string()
    } else {
        "<none>".to_string()
    };
    let missing = items(&fs["status"]["conditions"])
        .iter()
        .find(|c| c["type"] == "Dangling")
        .map(|c| s(&c["status"]).to_string())
        .unwrap_or_else(|| "?".to_string());
    Row::new(vec![
        name(fs),
        json!(s(&spec["priorityLevelConfiguration"]["name"])),
        json!(int(&spec["matchingPrecedence"])),
        json!(dm),
        json!(age(fs, now)),
        json!(missing),
    ])
}

const PLC: &[Col] = &[
    NAME,
    col(
        "Type",
        "string",
        "`type` indicates whether this priority level is subject to limitation on request execution.",
    ),
    col(
        "NominalConcurrencyShares",
        "string",
        "`nominalConcurrencyShares` (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level.",
    ),
    col(
        "Queues",
        "string",
        "`queues` is the number of queues for this priority level.",
    ),
    col(
        "HandSize",
        "string",
        "`handSize` is a small positive number that configures the shuffle sharding of requests into queues.",
    ),
    col(
        "QueueLengthLimit",
        "string",
        "`queueLengthLimit` is the maximum number of requests allowed to be waiting in a given queue of this priority level at a time.",
    ),
    AGE,
];

fn print_plc(p: &Value, now: Timestamp) -> Row {
    let limited = &p["spec"]["limited"];
    let none = || json!("<none>");
    let (ncs, queues, hand, qll) = if limited.is_object() {
        let q = &limited["limitResponse"]["queuing"];
        let ncs = json!(int(&limited["nominalConcurrencyShares"]));
        if q.is_object() {
            (
                ncs,
                json!(int(&q["queues"])),
                json!(int(&q["handSize"])),
                json!(int(&q["queueLengthLimit"])),
            )
        } else {
            (ncs, none(), none(), none())
        }
    } else {
        (none(), none(), none(), none())
    };
    Row::new(vec![
        name(p),
        json!(s(&p["spec"]["type"])),
        ncs,
        queues,
        hand,
        qll,
        json!(age(p, now)),
    ])
}

const APISERVICE: &[Col] = &[
    NAME,
    col(
        "Service",
        "string",
        "The reference to the service that hosts this API endpoint.",
    ),
    col("Available", "string", "Whether this service is available."),
    AGE,
];

/// The aggregator's APIService printer: `Local` services, `True` or `False (Reason)`.
fn print_apiservice(a: &Value, now: Timestamp) -> Row {
    let svc = &a["spec"]["service"];
    let service = if svc.is_object() {
        format!("{}/{}", s(&svc["namespace"]), s(&svc["name"]))
    } else {
        "Local".to_string()
    };
    let available = match items(&a["status"]["conditions"])
        .iter()
        .find(|c| c["type"] == "Available")
    {
        Some(c) if c["status"] == "True" => "True".to_string(),
        Some(c) if !s(&c["reason"]).is_empty() => format!("{} ({})", s(&c["status"]), s(&c["reason"])),
        Some(c) => s(&c["status"]).to_string(),
        None => "Unknown".to_string(),
    };
    Row::new(vec![
        name(a),
        json!(service),
        json!(available),
        json!(age(a, now)),
    ])
}
