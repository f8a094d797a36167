//! core/v1 printers other than pods.

use super::{ago, assert_shape, cells, headers, table};
use serde_json::{Value, json};

#[test]
fn nodes() {
    let node = |name: &str, labels: Value, ready: &str, unschedulable: bool| {
        json!({"metadata": {"name": name, "labels": labels, "creationTimestamp": ago(10 * 86400)},
            "spec": {"unschedulable": unschedulable},
            "status": {"conditions": [{"type": "MemoryPressure", "status": "False"}, {"type": "Ready", "status": ready}],
                "addresses": [{"type": "InternalIP", "address": "172.18.0.2"}, {"type": "Hostname", "address": name}],
                "nodeInfo": {"kubeletVersion": "v1.33.1", "osImage": "Debian GNU/Linux 12 (bookworm)",
                    "kernelVersion": "6.8.0-1015-gcp", "containerRuntimeVersion": "containerd://2.1.1"}}})
    };
    let objs = [
        node(
            "cp",
            json!({"node-role.kubernetes.io/control-plane": "", "kubernetes.io/hostname": "cp"}),
            "True",
            false,
        ),
        node(
            "w1",
            json!({"node-role.kubernetes.io/worker": "", "kubernetes.io/role": "ingress"}),
            "Unknown",
            true,
        ),
        json!({"metadata": {"name": "bare"}}),
    ];
    let t = table("", "v1", "nodes", &objs);
    assert_eq!(
        headers(&t),
        [
            "Name",
            "Status",
            "Roles",
            "Age",
            "Version",
            "Internal-IP*",
            "External-IP*",
            "OS-Image*",
            "Kernel-Version*",
            "Container-Runtime*"
        ]
    );
    assert_eq!(
        cells(&t, 0),
        [
            "cp",
            "Ready",
            "control-plane",
            "10d",
            "v1.33.1",
            "172.18.0.2",
            "<none>",
            "Debian GNU/Linux 12 (bookworm)",
            "6.8.0-1015-gcp",
            "containerd://2.1.1"
        ]
    );
    assert_eq!(
        cells(&t, 1)[1..3],
        [json!("NotReady,SchedulingDisabled"), json!("ingress,worker")]
    );
    assert_eq!(
        cells(&t, 2),
        [
            "bare",
            "Unknown",
            "<none>",
            "<unknown>",
            "",
            "<none>",
            "<none>",
            "<unknown>",
            "<unknown>",
            "<unknown>"
        ]
    );
}

#[test]
fn services() {
    let svc = |name: &str, spec: Value, status: Value| json!({"metadata": {"name": name, "creationTimestamp": ago(90)}, "spec": spec, "status": status});
    let objs = [
        svc(
            "web",
            json!({"type": "ClusterIP", "clusterIP": "10.96.12.4", "clusterIPs": ["10.96.12.4"],
            "ports": [{"port": 80, "protocol": "TCP"}, {"port": 443, "protocol": "TCP"}], "selector": {"app": "web", "tier": "fe"}}),
            json!({}),
        ),
        svc(
            "np",
            json!({"type": "NodePort", "clusterIPs": ["10.96.0.9"], "ports": [{"port": 443, "nodePort": 30443, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}]}),
            json!({}),
        ),
        svc(
            "lb-pending",
            json!({"type": "LoadBalancer", "clusterIPs": ["10.96.0.10"], "ports": [{"port": 80, "nodePort": 31000}]}),
            json!({}),
        ),
        svc(
            "lb",
            json!({"type": "LoadBalancer", "clusterIPs": ["10.96.0.11"], "ports": [{"port": 80, "nodePort": 31001}]}),
            json!({"loadBalancer": {"ingress": [{"ip": "34.1.2.3"}, {"hostname": "a.elb.example.com"}]}}),
        ),
        svc(
            "ext",
            json!({"type": "ExternalName", "externalName": "db.example.com"}),
            json!({}),
        ),
        svc(
            "headless",
            json!({"clusterIP": "None", "clusterIPs": ["None"], "ports": [{"port": 5432}]}),
            json!({}),
        ),
    ];
    let t = table("", "v1", "services", &objs);
    assert_eq!(
        headers(&t),
        [
            "Name",
            "Type",
            "Cluster-IP",
            "External-IP",
            "Port(s)",
            "Age",
            "Selector*"
        ]
    );
    let want: [[&str; 7]; 6] = [
        [
            "web",
            "ClusterIP",
            "10.96.12.4",
            "<none>",
            "80/TCP,443/TCP",
            "90s",
            "app=web,tier=fe",
        ],
        [
            "np",
            "NodePort",
            "10.96.0.9",
            "<none>",
            "443:30443/TCP,53/UDP",
            "90s",
            "<none>",
        ],
        [
            "lb-pending",
            "LoadBalancer",
            "10.96.0.10",
            "<pending>",
            "80:31000/TCP",
            "90s",
            "<none>",
        ],
        [
            "lb",
            "LoadBalancer",
            "10.96.0.11",
            "34.1.2.3,a.elb.example.com",
            "80:31001/TCP",
            "90s",
            "<none>",
        ],
        [
            "ext",
            "ExternalName",
            "<none>",
            "db.example.com",
            "<none>",
            "90s",
            "<none>",
        ],
        [
            "headless",
            "ClusterIP",
            "None",
            "<none>",
            "5432/TCP",
            "90s",
            "<none>",
        ],
    ];
    for (i, w) in want.iter().enumerate() {
        assert_eq!(cells(&t, i), w.to_vec(), "row {i}");
    }
}

#[test]
fn events() {
    let ev = json!({"metadata": {"name": "web-1.17f", "namespace": "default"},
        "involvedObject": {"kind": "Pod", "name": "web-1", "fieldPath": "spec.containers{app}"},
        "reason": "BackOff", "message": "Back-off restarting failed container app\n", "type": "Warning",
        "source": {"component": "kubelet", "host": "node-1"},
        "firstTimestamp": ago(3600), "lastTimestamp": ago(45), "count": 12});
    let t = table("", "v1", "events", std::slice::from_ref(&ev));
    assert_eq!(
        headers(&t),
        [
            "Last Seen",
            "Type",
            "Reason",
            "Object",
            "Subobject*",
            "Source*",
            "Message",
            "First Seen*",
            "Count*",
            "Name*"
        ]
    );
    assert_eq!(
        cells(&t, 0),
        [
            json!("45s"),
            json!("Warning"),
            json!("BackOff"),
            json!("pod/web-1"),
            json!("spec.containers{app}"),
            json!("kubelet, node-1"),
            json!("Back-off restarting failed container app"),
            json!("60m"),
            json!(12),
            json!("web-1.17f")
        ]
    );
    // The same event through events.k8s.io/v1 prints identically.
    let rt = super::rt("events.k8s.io", "v1", "events");
    let v1 = crate::convert::to_served(&rt, ev);
    let t2 = table("events.k8s.io", "v1", "events", &[v1]);
    assert_eq!(cells(&t2, 0), cells(&t, 0));
    // A new-style event: eventTime only, series for repeats, reporting controller.
    let series = json!({"metadata": {"name": "x"}, "eventTime": ago(300), "reportingComponent": "deployment-controller",
        "involvedObject": {"kind": "Deployment", "name": "web"}, "reason": "ScalingReplicaSet", "type": "Normal",
        "message": "Scaled up", "series": {"count": 4, "lastObservedTime": ago(20)}});
    let t3 = table("", "v1", "events", &[series]);
    assert_eq!(cells(&t3, 0)[0], "20s");
    assert_eq!(
        cells(&t3, 0)[5..9],
        [
            json!("deployment-controller"),
            json!("Scaled up"),
            json!("5m"),
            json!(4)
        ]
    );
}

#[test]
fn small_core_kinds() {
    let meta = |name: &str| json!({"name": name, "namespace": "default", "creationTimestamp": ago(4 * 3600)});
    let t = table(
        "",
        "v1",
        "configmaps",
        &[json!({"metadata": meta("cfg"), "data": {"a": "1", "b": "2"}, "binaryData": {"c": "AA=="}})],
    );
    assert_eq!(cells(&t, 0), [json!("cfg"), json!(3), json!("4h")]);
    let t = table(
        "",
        "v1",
        "secrets",
        &[
            json!({"metadata": meta("tls"), "type": "kubernetes.io/tls", "data": {"tls.crt": "", "tls.key": ""}}),
        ],
    );
    assert_eq!(headers(&t), ["Name", "Type", "Data", "Age"]);
    assert_eq!(
        cells(&t, 0),
        [json!("tls"), json!("kubernetes.io/tls"), json!(2), json!("4h")]
    );
    let t = table(
        "",
        "v1",
        "serviceaccounts",
        &[json!({"metadata": meta("default")})],
    );
    assert_eq!(cells(&t, 0), [json!("default"), json!(0), json!("4h")]);
    let t = table(
        "",
        "v1",
        "namespaces",
        &[json!({"metadata": meta("prod"), "status": {"phase": "Active"}})],
    );
    assert_eq!(cells(&t, 0), ["prod", "Active", "4h"]);
    let t = table(
        "",
        "v1",
        "endpoints",
        &[
            json!({"metadata": meta("web"), "subsets": [{"addresses": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}], "ports": [{"port": 8080}, {"port": 9090}]}]}),
            json!({"metadata": meta("none")}),
        ],
    );
    assert_eq!(
        cells(&t, 0),
        [
            "web",
            "10.0.0.1:8080,10.0.0.2:8080,10.0.0.1:9090 + 1 more...",
            "4h"
        ]
    );
    assert_eq!(cells(&t, 1), ["none", "<none>", "4h"]);
    let t = table(
        "",
        "v1",
        "resourcequotas",
        &[json!({"metadata": meta("q"), "status": {
        "hard": {"requests.cpu": "4", "limits.memory": "8Gi", "pods": "20", "limits.cpu": "8"},
        "used": {"requests.cpu": "1500m", "pods": "7", "limits.cpu": "3"}}})],
    );
    assert_eq!(headers(&t), ["Name", "Request", "Limit", "Age"]);
    assert_eq!(
        cells(&t, 0),
        [
            "q",
            "pods: 7/20, requests.cpu: 1500m/4",
            "limits.cpu: 3/8, limits.memory: 0/8Gi",
            "4h"
        ]
    );
    let t = table(
        "",
        "v1",
        "replicationcontrollers",
        &[
            json!({"metadata": meta("rc"), "spec": {"replicas": 3, "selector": {"app": "x"},
        "template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}}, "status": {"replicas": 3, "readyReplicas": 2}}),
        ],
    );
    assert_eq!(
        cells(&t, 0),
        [
            json!("rc"),
            json!(3),
            json!(3),
            json!(2),
            json!("4h"),
            json!("c"),
            json!("i"),
            json!("app=x")
        ]
    );
    let t = table(
        "",
        "v1",
        "podtemplates",
        &[
            json!({"metadata": meta("pt"), "template": {"metadata": {"labels": {"a": "b"}},
        "spec": {"containers": [{"name": "c", "image": "i"}]}}}),
        ],
    );
    assert_eq!(cells(&t, 0), ["pt", "c", "i", "a=b"]);
}

#[test]
fn volumes() {
    let meta = |name: &str| json!({"name": name, "creationTimestamp": ago(86400)});
    let t = table(
        "",
        "v1",
        "persistentvolumeclaims",
        &[
            json!({"metadata": meta("data"), "spec": {"volumeName": "pvc-1", "storageClassName": "standard", "volumeMode": "Filesystem",
            "resources": {"requests": {"storage": "10Gi"}}},
            "status": {"phase": "Bound", "capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce"]}}),
            json!({"metadata": meta("pending"), "spec": {"storageClassName": "fast"}, "status": {"phase": "Pending"}}),
        ],
    );
    assert_eq!(
        headers(&t),
        [
            "Name",
            "Status",
            "Volume",
            "Capacity",
            "Access Modes",
            "StorageClass",
            "VolumeAttributesClass",
            "Age",
            "VolumeMode*"
        ]
    );
    assert_eq!(
        cells(&t, 0),
        [
            "data",
            "Bound",
            "pvc-1",
            "10Gi",
            "RWO",
            "standard",
            "<unset>",
            "24h",
            "Filesystem"
        ]
    );
    assert_eq!(
        cells(&t, 1),
        [
            "pending", "Pending", "", "", "", "fast", "<unset>", "24h", "<unset>"
        ]
    );
    let t = table(
        "",
        "v1",
        "persistentvolumes",
        &[json!({"metadata": meta("pvc-1"),
        "spec": {"capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce"], "persistentVolumeReclaimPolicy": "Delete",
            "claimRef": {"namespace": "default", "name": "data"}, "storageClassName": "standard", "volumeMode": "Filesystem"},
        "status": {"phase": "Bound"}})],
    );
    assert_eq!(
        cells(&t, 0),
        [
            "pvc-1",
            "10Gi",
            "RWO",
            "Delete",
            "Bound",
            "default/data",
            "standard",
            "<unset>",
            "",
            "24h",
            "Filesystem"
        ]
    );
    assert_shape(&t);
}
