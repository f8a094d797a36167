//! Printers of networking, RBAC bindings and leases. Kinds without a printer in kube-apiserver
//! (roles, cluster roles, limit ranges, CRDs) use the default Name/Created At convertor in
//! `table.rs`.

use super::age::age;
use super::format::{items, label_selector, list_with_more, s, scalar};
use super::{AGE, Col, NAME, Printer, Row, col};
use jiff::Timestamp;
use serde_json::{Value, json};

/// The printer of a networking, RBAC or coordination resource.
pub(crate) fn printer(group: &str, plural: &str) -> Option<Printer> {
    Some(match (group, plural) {
        ("discovery.k8s.io", "endpointslices") => (ENDPOINTSLICE, print_endpointslice),
        ("networking.k8s.io", "ingresses") => (INGRESS, print_ingress),
        ("networking.k8s.io", "ingressclasses") => (INGRESSCLASS, print_ingressclass),
        ("networking.k8s.io", "networkpolicies") => (NETWORKPOLICY, print_networkpolicy),
        ("networking.k8s.io", "servicecidrs") => (SERVICECIDR, print_servicecidr),
        ("networking.k8s.io", "ipaddresses") => (IPADDRESS, print_ipaddress),
        ("rbac.authorization.k8s.io", "rolebindings") => (ROLEBINDING, print_binding),
        ("rbac.authorization.k8s.io", "clusterrolebindings") => (CLUSTERROLEBINDING, print_binding),
        ("coordination.k8s.io", "leases") => (LEASE, print_lease),
        _ => return None,
    })
}

fn name(obj: &Value) -> Value {
    obj["metadata"]["name"].clone()
}

const ENDPOINTSLICE: &[Col] = &[
    NAME,
    col(
        "AddressType",
        "string",
        "addressType specifies the type of address carried by this EndpointSlice.",
    ),
    col(
        "Ports",
        "string",
        "ports specifies the list of network ports exposed by each endpoint in this slice.",
    ),
    col(
        "Endpoints",
        "string",
        "endpoints is a list of unique endpoints in this slice.",
    ),
    AGE,
];

fn print_endpointslice(es: &Value, now: Timestamp) -> Row {
    let ports: Vec<String> = items(&es["ports"])
        .iter()
        .map(|p| match (p["port"].as_i64(), p["name"].as_str()) {
            (Some(n), _) => n.to_string(),
            (None, Some(name)) => name.to_string(),
            (None, None) => "*".to_string(),
        })
        .collect();
    let addrs: Vec<String> = items(&es["endpoints"])
        .iter()
        .flat_map(|e| items(&e["addresses"]).iter().map(scalar))
        .collect();
    Row::new(vec![
        name(es),
        json!(s(&es["addressType"])),
        json!(list_with_more(&ports, ports.len(), 3, "<unset>")),
        json!(list_with_more(&addrs, addrs.len(), 3, "<unset>")),
        json!(age(es, now)),
    ])
}

const INGRESS: &[Col] = &[
    NAME,
    col(
        "Class",
        "string",
        "The name of the IngressClass resource that should be used for additional configuration",
    ),
    col(
        "Hosts",
        "string",
        "Hosts that incoming requests are matched against before the ingress rule",
    ),
    col(
        "Address",
        "string",
        "Address is a list containing ingress points for the load-balancer",
    ),
    col("Ports", "string", "Ports of TLS configurations that open"),
    AGE,
];

/// `printIngress`: hosts (`*` when none, three at most), load-balancer addresses, `80` or
/// `80, 443` with TLS.
fn print_ingress(ing: &Value, now: Timestamp) -> Row {
    let spec = &ing["spec"];
    let class = if spec["ingressClassName"].is_string() {
        s(&spec["ingressClassName"])
    } else {
        "<none>"
    };
    let rules = items(&spec["rules"]);
    let mut hosts = Vec::new();
    let mut more = false;
    for r in rules {
        if hosts.len() == 3 {
            more = true;
        }
        if !more && !s(&r["host"]).is_empty() {
            hosts.push(s(&r["host"]).to_string());
        }
    }
    let hosts = if hosts.is_empty() {
        "*".to_string()
    } else if more {
        format!("{} + {} more...", hosts.join(","), rules.len().saturating_sub(3))
    } else {
        hosts.join(",")
    };
    let mut addrs: Vec<String> = items(&ing["status"]["loadBalancer"]["ingress"])
        .iter()
        .filter_map(|i| {
            [s(&i["ip"]), s(&i["hostname"])]
                .into_iter()
                .find(|x| !x.is_empty())
                .map(str::to_string)
        })
        .collect();
    addrs.sort();
    addrs.dedup();
    let ports = if items(&spec["tls"]).is_empty() {
        "80"
    } else {
        "80, 443"
    };
    Row::new(vec![
        name(ing),
        json!(class),
        json!(hosts),
        json!(addrs.join(",")),
        json!(ports),
        json!(age(ing, now)),
    ])
}

const INGRESSCLASS: &[Col] = &[
    NAME,
    col(
        "Controller",
        "string",
        "Controller that is responsible for handling this class",
    ),
    col(
        "Parameters",
        "string",
        "A reference to a resource with additional parameters",
    ),
    AGE,
];

fn print_ingressclass(ic: &Value, now: Timestamp) -> Row {
    let p = &ic["spec"]["parameters"];
    let params = if p.is_object() {
        let mut kind = s(&p["kind"]).to_string();
        if p["apiGroup"].is_string() {
            kind = format!("{kind}.{}", s(&p["apiGroup"]));
        }
        format!("{kind}/{}", s(&p["name"]))
    } else {
        "<none>".to_string()
    };
    Row::new(vec![
        name(ic),
        json!(s(&ic["spec"]["controller"])),
        json!(params),
        json!(age(ic, now)),
    ])
}

const NETWORKPOLICY: &[Col] = &[
    NAME,
    col(
        "Pod-Selector",
        "string",
        "podSelector selects the pods to which this NetworkPolicy object applies.",
    ),
    AGE,
];

fn print_networkpolicy(np: &Value, now: Timestamp) -> Row {
    Row::new(vec![
        name(np),
        json!(label_selector(&np["spec"]["podSelector"])),
        json!(age(np, now)),
    ])
}

const SERVICECIDR: &[Col] = &[
    NAME,
    col("CIDRs", "string", "CIDRs defines the IP blocks in CIDR notation."),
    AGE,
];

fn print_servicecidr(sc: &Value, now: Timestamp) -> Row {
    let cidrs: Vec<String> = items(&sc["spec"]["cidrs"]).iter().map(scalar).collect();
    Row::new(vec![name(sc), json!(cidrs.join(",")), json!(age(sc, now))])
}

const IPADDRESS: &[Col] = &[
    NAME,
    col(
        "ParentRef",
        "string",
        "ParentRef references the resource that an IPAddress is attached to.",
    ),
];

fn print_ipaddress(ip: &Value, _now: Timestamp) -> Row {
    let p = &ip["spec"]["parentRef"];
    let parent = if p.is_object() {
        let gr = if s(&p["group"]).is_empty() {
            s(&p["resource"]).to_string()
        } else {
            format!("{}.{}", s(&p["resource"]), s(&p["group"]))
        };
        let mut out = gr.to_lowercase();
        if !s(&p["namespace"]).is_empty() {
            out = format!("{out}/{}", s(&p["namespace"]));
        }
        format!("{out}/{}", s(&p["name"]))
    } else {
        "<none>".to_string()
    };
    Row::new(vec![name(ip), json!(parent)])
}

const ROLEBINDING: &[Col] = &[
    NAME,
    col(
        "Role",
        "string",
        "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.",
    ),
    AGE,
    col("Users", "string", "Users in the roleBinding").wide(),
    col("Groups", "string", "Groups in the roleBinding").wide(),
    col("ServiceAccounts", "string", "ServiceAccounts in the roleBinding").wide(),
];

const CLUSTERROLEBINDING: &[Col] = &[
    NAME,
    col(
        "Role",
        "string",
        "RoleRef can only reference a ClusterRole in the global namespace.",
    ),
    AGE,
    col("Users", "string", "Users in the clusterRoleBinding").wide(),
    col("Groups", "string", "Groups in the clusterRoleBinding").wide(),
    col(
        "ServiceAccounts",
        "string",
        "ServiceAccounts in the clusterRoleBinding",
    )
    .wide(),
];

/// `printRoleBinding`/`printClusterRoleBinding`: ROLE `Kind/name`, subjects by kind.
fn print_binding(b: &Value, now: Timestamp) -> Row {
    let (mut users, mut groups, mut sas) = (Vec::new(), Vec::new(), Vec::new());
    for subj in items(&b["subjects"]) {
        match s(&subj["kind"]) {
            "User" => users.push(s(&subj["name"]).to_string()),
            "Group" => groups.push(s(&subj["name"]).to_string()),
            "ServiceAccount" => sas.push(format!("{}/{}", s(&subj["namespace"]), s(&subj["name"]))),
            _ => {}
        }
    }
    let role = format!("{}/{}", s(&b["roleRef"]["kind"]), s(&b["roleRef"]["name"]));
    Row::new(vec![
        name(b),
        json!(role),
        json!(age(b, now)),
        json!(users.join(", ")),
        json!(groups.join(", ")),
        json!(sas.join(", ")),
    ])
}

const LEASE: &[Col] = &[
    NAME,
    col(
        "Holder",
        "string",
        "holderIdentity contains the identity of the holder of a current lease.",
    ),
    AGE,
];

fn print_lease(l: &Value, now: Timestamp) -> Row {
    Row::new(vec![
        name(l),
        json!(s(&l["spec"]["holderIdentity"])),
        json!(age(l, now)),
    ])
}
