//! Networking, RBAC, storage, scheduling and other printers.

use super::{ago, assert_shape, cells, headers, table};
use serde_json::json;

#[test]
fn endpoint_slices_and_ingresses() {
    let t = table(
        "discovery.k8s.io",
        "v1",
        "endpointslices",
        &[
            json!({"metadata": {"name": "web-abc12", "creationTimestamp": ago(30)}, "addressType": "IPv4",
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}, {"name": "metrics"}],
            "endpoints": [{"addresses": ["10.0.0.1"]}, {"addresses": ["10.0.0.2"]}, {"addresses": ["10.0.0.3"]}, {"addresses": ["10.0.0.4"]}]}),
            json!({"metadata": {"name": "empty", "creationTimestamp": ago(30)}, "addressType": "IPv4"}),
        ],
    );
    assert_eq!(headers(&t), ["Name", "AddressType", "Ports", "Endpoints", "Age"]);
    assert_eq!(
        cells(&t, 0),
        [
            "web-abc12",
            "IPv4",
            "8080,metrics",
            "10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...",
            "30s"
        ]
    );
    assert_eq!(cells(&t, 1), ["empty", "IPv4", "<unset>", "<unset>", "30s"]);

    let t = table(
        "networking.k8s.io",
        "v1",
        "ingresses",
        &[
            json!({"metadata": {"name": "web", "creationTimestamp": ago(30)},
            "spec": {"ingressClassName": "nginx", "rules": [{"host": "a.example.com"}, {"host": "b.example.com"}], "tls": [{"hosts": ["a.example.com"]}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "34.1.2.3"}]}}}),
            json!({"metadata": {"name": "catchall", "creationTimestamp": ago(30)}, "spec": {"defaultBackend": {}}}),
            json!({"metadata": {"name": "many", "creationTimestamp": ago(30)}, "spec": {"rules": [
            {"host": "a"}, {"host": "b"}, {"host": "c"}, {"host": "d"}, {"host": "e"}]}}),
        ],
    );
    assert_eq!(headers(&t), ["Name", "Class", "Hosts", "Address", "Ports", "Age"]);
    assert_eq!(
        cells(&t, 0),
        [
            "web",
            "nginx",
            "a.example.com,b.example.com",
            "34.1.2.3",
            "80, 443",
            "30s"
        ]
    );
    assert_eq!(cells(&t, 1), ["catchall", "<none>", "*", "", "80", "30s"]);
    assert_eq!(cells(&t, 2)[2], "a,b,c + 2 more...");

    let t = table(
        "networking.k8s.io",
        "v1",
        "ingressclasses",
        &[
            json!({"metadata": {"name": "nginx", "creationTimestamp": ago(30)},
        "spec": {"controller": "k8s.io/ingress-nginx", "parameters": {"apiGroup": "k8s.example.com", "kind": "IngressParameters", "name": "external-lb"}}}),
        ],
    );
    assert_eq!(
        cells(&t, 0),
        [
            "nginx",
            "k8s.io/ingress-nginx",
            "IngressParameters.k8s.example.com/external-lb",
            "30s"
        ]
    );

    let t = table(
        "networking.k8s.io",
        "v1",
        "networkpolicies",
        &[
            json!({"metadata": {"name": "deny", "creationTimestamp": ago(30)}, "spec": {"podSelector": {}}}),
            json!({"metadata": {"name": "web", "creationTimestamp": ago(30)}, "spec": {"podSelector": {"matchLabels": {"app": "web"}}}}),
        ],
    );
    assert_eq!(headers(&t), ["Name", "Pod-Selector", "Age"]);
    assert_eq!(cells(&t, 0), ["deny", "<none>", "30s"]);
    assert_eq!(cells(&t, 1), ["web", "app=web", "30s"]);
}

#[test]
fn rbac() {
    let binding = json!({"metadata": {"name": "ops", "creationTimestamp": ago(7200)},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
        "subjects": [{"kind": "User", "name": "alice"}, {"kind": "User", "name": "bob"}, {"kind": "Group", "name": "sre"},
            {"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"}]});
    for plural in ["rolebindings", "clusterrolebindings"] {
        let t = table(
            "rbac.authorization.k8s.io",
            "v1",
            plural,
            std::slice::from_ref(&binding),
        );
        assert_eq!(
            headers(&t),
            ["Name", "Role", "Age", "Users*", "Groups*", "ServiceAccounts*"]
        );
        assert_eq!(
            cells(&t, 0),
            [
                "ops",
                "ClusterRole/admin",
                "120m",
                "alice, bob",
                "sre",
                "ci/deployer"
            ]
        );
    }
}

#[test]
fn storage_scheduling_coordination() {
    let t = table(
        "storage.k8s.io",
        "v1",
        "storageclasses",
        &[
            json!({"metadata": {"name": "standard", "creationTimestamp": ago(86400 * 3),
            "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete", "volumeBindingMode": "WaitForFirstConsumer"}),
            json!({"metadata": {"name": "fast", "creationTimestamp": ago(86400 * 3)}, "provisioner": "pd.csi.storage.gke.io", "allowVolumeExpansion": true}),
        ],
    );
    assert_eq!(
        headers(&t),
        [
            "Name",
            "Provisioner",
            "ReclaimPolicy",
            "VolumeBindingMode",
            "AllowVolumeExpansion",
            "Age"
        ]
    );
    assert_eq!(
        cells(&t, 0),
        [
            json!("standard (default)"),
            json!("rancher.io/local-path"),
            json!("Delete"),
            json!("WaitForFirstConsumer"),
            json!(false),
            json!("3d")
        ]
    );
    assert_eq!(
        cells(&t, 1)[2..5],
        [json!("Delete"), json!("Immediate"), json!(true)]
    );

    let t = table(
        "scheduling.k8s.io",
        "v1",
        "priorityclasses",
        &[
            json!({"metadata": {"name": "system-cluster-critical", "creationTimestamp": ago(60)},
        "value": 2000000000, "globalDefault": false, "preemptionPolicy": "PreemptLowerPriority"}),
        ],
    );
    assert_eq!(
        headers(&t),
        ["Name", "Value", "Global-Default", "Age", "PreemptionPolicy"]
    );
    assert_eq!(
        cells(&t, 0),
        [
            json!("system-cluster-critical"),
            json!(2000000000),
            json!(false),
            json!("60s"),
            json!("PreemptLowerPriority")
        ]
    );

    let t = table(
        "coordination.k8s.io",
        "v1",
        "leases",
        &[
            json!({"metadata": {"name": "kube-scheduler", "creationTimestamp": ago(60)},
        "spec": {"holderIdentity": "cp_1f2e"}}),
        ],
    );
    assert_eq!(cells(&t, 0), ["kube-scheduler", "cp_1f2e", "60s"]);
}

#[test]
fn cluster_plumbing_kinds() {
    let t = table(
        "apiregistration.k8s.io",
        "v1",
        "apiservices",
        &[
            json!({"metadata": {"name": "v1.apps", "creationTimestamp": ago(60)}, "spec": {"group": "apps"},
            "status": {"conditions": [{"type": "Available", "status": "True"}]}}),
            json!({"metadata": {"name": "v1beta1.metrics.k8s.io", "creationTimestamp": ago(60)},
            "spec": {"service": {"namespace": "kube-system", "name": "metrics-server"}},
            "status": {"conditions": [{"type": "Available", "status": "False", "reason": "MissingEndpoints"}]}}),
        ],
    );
    assert_eq!(cells(&t, 0), ["v1.apps", "Local", "True", "60s"]);
    assert_eq!(
        cells(&t, 1),
        [
            "v1beta1.metrics.k8s.io",
            "kube-system/metrics-server",
            "False (MissingEndpoints)",
            "60s"
        ]
    );

    let t = table(
        "certificates.k8s.io",
        "v1",
        "certificatesigningrequests",
        &[
            json!({"metadata": {"name": "csr-1", "creationTimestamp": ago(60)},
        "spec": {"signerName": "kubernetes.io/kube-apiserver-client", "username": "alice", "expirationSeconds": 86400},
        "status": {"conditions": [{"type": "Approved", "status": "True"}], "certificate": "LS0t"}}),
        ],
    );
    assert_eq!(
        headers(&t),
        [
            "Name",
            "Age",
            "SignerName",
            "Requestor",
            "RequestedDuration",
            "Condition"
        ]
    );
    assert_eq!(
        cells(&t, 0),
        [
            "csr-1",
            "60s",
            "kubernetes.io/kube-apiserver-client",
            "alice",
            "24h",
            "Approved,Issued"
        ]
    );

    let t = table(
        "admissionregistration.k8s.io",
        "v1",
        "validatingwebhookconfigurations",
        &[
            json!({"metadata": {"name": "kyverno", "creationTimestamp": ago(60)},
        "webhooks": [{"name": "a"}, {"name": "b"}]}),
        ],
    );
    assert_eq!(cells(&t, 0), [json!("kyverno"), json!(2), json!("60s")]);

    let t = table(
        "flowcontrol.apiserver.k8s.io",
        "v1",
        "prioritylevelconfigurations",
        &[
            json!({"metadata": {"name": "exempt", "creationTimestamp": ago(60)}, "spec": {"type": "Exempt"}}),
            json!({"metadata": {"name": "workload-low", "creationTimestamp": ago(60)}, "spec": {"type": "Limited",
            "limited": {"nominalConcurrencyShares": 100, "limitResponse": {"type": "Queue", "queuing": {"queues": 128, "handSize": 6, "queueLengthLimit": 50}}}}}),
        ],
    );
    assert_eq!(
        cells(&t, 0),
        [
            json!("exempt"),
            json!("Exempt"),
            json!("<none>"),
            json!("<none>"),
            json!("<none>"),
            json!("<none>"),
            json!("60s")
        ]
    );
    assert_eq!(
        cells(&t, 1),
        [
            json!("workload-low"),
            json!("Limited"),
            json!(100),
            json!(128),
            json!(6),
            json!(50),
            json!("60s")
        ]
    );

    let t = table(
        "networking.k8s.io",
        "v1",
        "ipaddresses",
        &[json!({"metadata": {"name": "10.96.0.1"},
        "spec": {"parentRef": {"group": "", "resource": "services", "namespace": "default", "name": "kubernetes"}}})],
    );
    assert_eq!(cells(&t, 0), ["10.96.0.1", "services/default/kubernetes"]);
    assert_shape(&t);
}
