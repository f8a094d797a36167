//! Shared by the end-to-end tests: running the built binary with its own `KUBEGENIE_HOME`,
//! simulated clusters with pods, exec credential plugins and listeners that never answer.

#![allow(dead_code)]

use kubegenie_sim::{SimCluster, SimConfig, SimUser};
use serde_json::{Value, json};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", self.stdout, self.stderr))
    }
}

/// Runs `kubegenie ARGS` with `home` as its home and no KUBECONFIG.
pub async fn kg(home: &Path, args: &[&str]) -> Run {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_kubegenie"))
        .args(args)
        .env("KUBEGENIE_HOME", home)
        .env_remove("KUBECONFIG")
        .env("RUST_LOG", "error")
        .output()
        .await
        .expect("runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A pod as a user would create it.
pub fn pod(ns: &str, name: &str, labels: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}})
}

/// A cluster with pods, a `viewer` token (role `view`) and a `nobody` token (no role).
pub async fn sim_with(name: &str, objects: Vec<Value>) -> SimCluster {
    let mut cfg = SimConfig::named(name);
    cfg.users.push(SimUser {
        name: "viewer".into(),
        groups: vec![],
        token: "viewer-token".into(),
        cluster_role: Some("view".into()),
    });
    cfg.users.push(SimUser {
        name: "nobody".into(),
        groups: vec![],
        token: "nobody-token".into(),
        cluster_role: None,
    });
    let mut namespaces: Vec<&str> = objects
        .iter()
        .filter_map(|o| o.pointer("/metadata/namespace").and_then(Value::as_str))
        .filter(|n| !matches!(*n, "default" | "kube-system" | "kube-public" | "kube-node-lease"))
        .collect();
    namespaces.sort_unstable();
    namespaces.dedup();
    let mut initial: Vec<Value> = namespaces
        .iter()
        .map(|n| json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}}))
        .collect();
    initial.extend(objects.iter().cloned());
    cfg.initial_objects = initial;
    SimCluster::start(cfg).await.expect("cluster starts")
}

/// Writes an executable shell script.
pub fn script(path: &Path, body: &str) -> PathBuf {
    std::fs::write(path, format!("#!/bin/sh\n{body}")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_path_buf()
}

/// An exec credential plugin that prints `token` only when called with the arguments and
/// environment its kubeconfig entry gives (`eks get-token --cluster-name NAME`,
/// `AWS_PROFILE=fleet`), as `aws eks get-token` would.
pub fn eks_like_plugin(dir: &Path, cluster: &str, token: &str) -> PathBuf {
    script(
        &dir.join(format!("get-token-{cluster}")),
        &format!(
            r#"if [ "$1 $2 $3 $4" != "eks get-token --cluster-name {cluster}" ]; then echo "unexpected arguments: $*" >&2; exit 2; fi
if [ "$AWS_PROFILE" != "fleet" ]; then echo "AWS_PROFILE is not set" >&2; exit 3; fi
case "$KUBERNETES_EXEC_INFO" in *ExecCredential*) ;; *) echo "no KUBERNETES_EXEC_INFO" >&2; exit 4;; esac
echo '{{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{{"token":"{token}","expirationTimestamp":"2099-01-01T00:00:00Z"}}}}'
"#
        ),
    )
}

/// A kubeconfig whose one context `name` reaches `server` through the exec plugin `command`.
pub fn exec_kubeconfig(
    path: &Path,
    name: &str,
    server: &str,
    ca_pem: &str,
    command: &str,
    cluster_arg: &str,
    install_hint: &str,
) {
    use base64::Engine;
    let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem);
    std::fs::write(
        path,
        format!(
            r#"apiVersion: v1
kind: Config
clusters:
- name: {name}
  cluster:
    server: {server}
    certificate-authority-data: {ca}
users:
- name: {name}
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: {command}
      args: [eks, get-token, --cluster-name, {cluster_arg}]
      env:
      - name: AWS_PROFILE
        value: fleet
      installHint: "{install_hint}"
      interactiveMode: Never
contexts:
- name: {name}
  context: {{cluster: {name}, user: {name}}}
current-context: {name}
"#
        ),
    )
    .unwrap();
}

/// A URL where nothing listens.
pub fn closed_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}", l.local_addr().unwrap());
    drop(l);
    url
}

/// A URL whose listener accepts connections and never answers (a hung API server).
pub async fn silent_url() -> (String, tokio::task::JoinHandle<()>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}", l.local_addr().unwrap());
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = l.accept().await {
            held.push(s);
        }
    });
    (url, hold)
}

/// Installs the ClusterProfile CRD on `hub` and publishes profiles with the given names.
pub async fn publish_profiles(hub: &SimCluster, names: &[&str]) {
    let client = admin(hub);
    let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "clusterprofiles.multicluster.x-k8s.io"},
        "spec": {"group": "multicluster.x-k8s.io", "scope": "Namespaced",
            "names": {"kind": "ClusterProfile", "plural": "clusterprofiles", "singular": "clusterprofile"},
            "versions": [{"name": "v1alpha1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}});
    post(
        &client,
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        &crd,
    )
    .await;
    for _ in 0..50 {
        let probe = http::Request::get("/apis/multicluster.x-k8s.io/v1alpha1/clusterprofiles")
            .body(Vec::new())
            .unwrap();
        if client.request_text(probe).await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    for n in names {
        let profile = json!({"apiVersion": "multicluster.x-k8s.io/v1alpha1", "kind": "ClusterProfile",
            "metadata": {"name": n, "labels": {"x-k8s.io/cluster-manager": "fleet"}},
            "spec": {"clusterManager": {"name": "fleet"}},
            "status": {"properties": [{"name": "topology.kubernetes.io/region", "value": "us-east-1"}]}});
        post(
            &client,
            "/apis/multicluster.x-k8s.io/v1alpha1/namespaces/default/clusterprofiles",
            &profile,
        )
        .await;
    }
}

/// POSTs a JSON object to `path`.
pub async fn post(client: &kube::Client, path: &str, body: &Value) {
    let req = http::Request::post(path)
        .header("content-type", "application/json")
        .body(serde_json::to_vec(body).unwrap())
        .unwrap();
    client.request_text(req).await.expect("created");
}

/// An admin client of a simulated cluster.
pub fn admin(c: &SimCluster) -> kube::Client {
    let mut cfg = kube::Config::new(c.url().parse().unwrap());
    if let Some(ca) = c.ca_pem() {
        use rustls_pki_types::{CertificateDer, pem::PemObject};
        cfg.root_cert = Some(
            CertificateDer::pem_slice_iter(ca.as_bytes())
                .map(|c| c.unwrap().to_vec())
                .collect(),
        );
    }
    cfg.auth_info.token = Some(c.admin_token().to_string().into());
    kube::Client::try_from(cfg).unwrap()
}

/// The values of `field` of a JSON list's items.
pub fn column(list: &Value, field: &str) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i[field].as_str().unwrap_or_default().to_string())
        .collect()
}

/// DELETEs the object at `path`.
pub async fn delete(client: &kube::Client, path: &str) {
    let req = http::Request::delete(path).body(Vec::new()).unwrap();
    client.request_text(req).await.expect("deleted");
}
