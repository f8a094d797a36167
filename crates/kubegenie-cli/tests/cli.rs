//! The `kubegenie` binary end to end: each test runs the built binary with its own
//! `KUBEGENIE_HOME` against simulated clusters started in-process.

use kubegenie_sim::{SimCluster, SimConfig, SimUser};
use serde_json::{Value, json};
use std::path::Path;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

async fn kg(home: &Path, args: &[&str]) -> Run {
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

async fn sim(name: &str) -> SimCluster {
    let mut cfg = SimConfig::named(name);
    cfg.users.push(SimUser {
        name: "viewer".into(),
        groups: vec![],
        token: "viewer-token".into(),
        cluster_role: Some("view".into()),
    });
    SimCluster::start(cfg).await.expect("cluster starts")
}

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_commands_end_to_end() {
    let (a, b) = (sim("a").await, sim("b").await);
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let kc = dir.path().join("kubeconfig");
    let kcs = kc.to_str().unwrap();
    a.write_kubeconfig(&kc, "prod-a", true).unwrap();
    b.write_kubeconfig(&kc, "prod-b", false).unwrap();
    kubegenie_sim::kubeconfig::merge_into(&kc, &[a.context("viewer-a", Some("viewer-token"))], None).unwrap();

    let r = kg(
        &home,
        &[
            "cluster",
            "add",
            "--kubeconfig",
            kcs,
            "--all-contexts",
            "--label",
            "env=prod",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let list = kg(&home, &["cluster", "list", "-o", "json"]).await.json();
    assert_eq!(names(&list), ["prod-a", "prod-b", "viewer-a"]);
    assert_eq!(list["items"][0]["provider"], "kubeconfig");
    assert_eq!(list["items"][0]["server"], a.url());
    assert_eq!(list["items"][0]["labels"], json!({"env": "prod"}));

    // Bare metal with CA and token files; credentials stay in their files.
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, b.ca_pem().unwrap()).unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, b.admin_token()).unwrap();
    let r = kg(
        &home,
        &[
            "cluster",
            "add",
            "metal",
            "--server",
            b.url(),
            "--ca-file",
            ca.to_str().unwrap(),
            "--token-file",
            token.to_str().unwrap(),
            "-l",
            "env=lab",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let db = std::fs::read(home.join("kubegenie.db")).unwrap();
    let needle = b.admin_token().as_bytes();
    assert!(
        !db.windows(needle.len()).any(|w| w == needle),
        "no token in the database"
    );
    let r = kg(
        &home,
        &[
            "cluster",
            "add",
            "loose",
            "--server",
            b.url(),
            "--insecure",
            "--token-file",
            token.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("WARNING") && r.stderr.contains("impersonate"),
        "{}",
        r.stderr
    );

    // All or nothing: a batch with one taken name adds none of it.
    let r = kg(
        &home,
        &[
            "cluster",
            "add",
            "--kubeconfig",
            kcs,
            "--context",
            "prod-a",
            "--context",
            "prod-b",
        ],
    )
    .await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("already registered"), "{}", r.stderr);
    assert_eq!(
        names(&kg(&home, &["cluster", "list", "-o", "json"]).await.json()).len(),
        5
    );

    // use / label / show / table.
    assert_eq!(kg(&home, &["cluster", "use", "prod-b"]).await.code, 0);
    let r = kg(&home, &["cluster", "label", "prod-a", "region=eu", "env-"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let show = kg(&home, &["cluster", "show", "prod-a", "-o", "json"])
        .await
        .json();
    assert_eq!(show["labels"], json!({"region": "eu"}));
    let table = kg(&home, &["cluster", "list"]).await;
    let header: Vec<&str> = table.stdout.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["NAME", "PROVIDER", "SERVER", "LABELS", "CURRENT", "LAST", "SEEN"]
    );
    assert!(
        table
            .stdout
            .lines()
            .any(|l| l.starts_with("prod-b") && l.contains(" * ")),
        "{}",
        table.stdout
    );
    assert!(table.stdout.contains("bare-metal"));

    // Health: the default target is the current cluster; selection by glob and labels.
    let h = kg(&home, &["cluster", "health", "-o", "json"]).await;
    assert_eq!(h.code, 0, "{}", h.stderr);
    let h = h.json();
    assert_eq!(h["items"].as_array().unwrap().len(), 1);
    assert_eq!(h["items"][0]["cluster"], "prod-b");
    let h = kg(
        &home,
        &[
            "cluster",
            "health",
            "--all-clusters",
            "--exclude",
            "loose",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(h.code, 0, "partial failure is not a failed command: {}", h.stderr);
    let items = h.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 4);
    let by = |n: &str| items.iter().find(|i| i["cluster"] == n).unwrap().clone();
    assert_eq!(by("prod-a")["healthy"], true);
    assert_eq!(by("prod-a")["serverVersion"], "v1.33.1");
    assert!(by("metal")["latencyMs"].is_u64());
    assert_eq!(by("metal")["nodesReady"], by("metal")["nodesTotal"]);
    assert_eq!(by("viewer-a")["error"]["class"], "Forbidden");
    assert!(by("viewer-a")["error"]["hint"].as_str().unwrap().contains("RBAC"));
    let h = kg(
        &home,
        &["cluster", "health", "--cluster-selector", "env=lab", "-o", "json"],
    )
    .await
    .json();
    assert_eq!(h["items"][0]["cluster"], "metal");
    let list = kg(&home, &["cluster", "list", "-o", "json"]).await.json();
    let prod_a = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "prod-a")
        .unwrap();
    assert!(prod_a["seenAt"].is_string(), "health records seen_at");
    assert_eq!(prod_a["lastHealth"]["healthy"], true);
    assert_eq!(list["current"], "prod-b");

    // Bad input: clear messages, exit 1 (2 for usage), nothing written.
    let r = kg(&home, &["cluster", "health", "--clusters", "staging-*"]).await;
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("no cluster matches \"staging-*\""),
        "{}",
        r.stderr
    );
    let r = kg(&home, &["cluster", "health", "--cluster-selector", "env in prod"]).await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("invalid cluster selector"), "{}", r.stderr);
    let r = kg(
        &home,
        &["cluster", "add", "--kubeconfig", kcs, "--context", "nope"],
    )
    .await;
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("available contexts: prod-a, prod-b, viewer-a"),
        "{}",
        r.stderr
    );
    let broken = dir.path().join("broken");
    std::fs::write(
        &broken,
        "apiVersion: v1\nclusters:\n- name: a\n  cluster: {server: [oops\n",
    )
    .unwrap();
    let r = kg(
        &home,
        &[
            "cluster",
            "add",
            "--kubeconfig",
            broken.to_str().unwrap(),
            "--all-contexts",
        ],
    )
    .await;
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(broken.to_str().unwrap()) && r.stderr.contains("line"),
        "{}",
        r.stderr
    );
    assert_eq!(kg(&home, &["cluster", "add", "--kubeconfig", kcs]).await.code, 2);
    let r = kg(&home, &["cluster", "label", "prod-a", "bad key=x"]).await;
    assert_eq!(r.code, 1);
    let r = kg(&home, &["cluster", "remove", "prod-a", "nope"]).await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("no cluster named \"nope\""), "{}", r.stderr);
    assert_eq!(
        names(&kg(&home, &["cluster", "list", "-o", "json"]).await.json()).len(),
        5
    );

    let r = kg(&home, &["cluster", "remove", "prod-b", "loose"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let list = kg(&home, &["cluster", "list", "-o", "yaml"]).await;
    assert!(list.stdout.contains("kind: ClusterList"), "{}", list.stdout);
    assert!(!list.stdout.contains("prod-b"));
    // Removing the current cluster leaves none current.
    let r = kg(&home, &["cluster", "health"]).await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("no cluster selected"), "{}", r.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discover_registers_clusterprofiles_of_a_hub() {
    let (hub, spoke) = (sim("hub").await, sim("spoke").await);
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let kc = dir.path().join("kubeconfig");
    hub.write_kubeconfig(&kc, "hub", true).unwrap();
    spoke.write_kubeconfig(&kc, "spoke-ctx", false).unwrap();
    let kcs = kc.to_str().unwrap();

    let r = kg(
        &home,
        &["cluster", "discover", "--hub", "hub", "--kubeconfig", kcs],
    )
    .await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("ClusterProfile CRD"), "{}", r.stderr);

    let client = {
        let cfg = kube::Config::from_custom_kubeconfig(
            kube::config::Kubeconfig::read_from(&kc).unwrap(),
            &kube::config::KubeConfigOptions {
                context: Some("hub".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        kube::Client::try_from(cfg).unwrap()
    };
    let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "clusterprofiles.multicluster.x-k8s.io"},
        "spec": {"group": "multicluster.x-k8s.io", "scope": "Namespaced",
            "names": {"kind": "ClusterProfile", "plural": "clusterprofiles", "singular": "clusterprofile"},
            "versions": [{"name": "v1alpha1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}});
    let post = |path: &str, body: &Value| {
        http::Request::post(path)
            .header("content-type", "application/json")
            .body(serde_json::to_vec(body).unwrap())
            .unwrap()
    };
    client
        .request_text(post(
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
            &crd,
        ))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let profile = json!({"apiVersion": "multicluster.x-k8s.io/v1alpha1", "kind": "ClusterProfile",
        "metadata": {"name": "spoke", "labels": {"x-k8s.io/cluster-manager": "fleet"}},
        "spec": {"clusterManager": {"name": "fleet"}},
        "status": {"properties": [{"name": "topology.kubernetes.io/region", "value": "us-east-1"}]}});
    client
        .request_text(post(
            "/apis/multicluster.x-k8s.io/v1alpha1/namespaces/default/clusterprofiles",
            &profile,
        ))
        .await
        .unwrap();

    let r = kg(
        &home,
        &["cluster", "discover", "--hub", "hub", "--kubeconfig", kcs],
    )
    .await;
    assert_eq!(r.code, 1, "an unmappable profile is reported");
    assert!(r.stderr.contains("--context-for spoke=CONTEXT"), "{}", r.stderr);
    let r = kg(
        &home,
        &[
            "cluster",
            "discover",
            "--hub",
            "hub",
            "--kubeconfig",
            kcs,
            "--context-for",
            "spoke=typo",
        ],
    )
    .await;
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("available contexts: hub, spoke-ctx"),
        "{}",
        r.stderr
    );
    let r = kg(
        &home,
        &[
            "cluster",
            "discover",
            "--hub",
            "hub",
            "--kubeconfig",
            kcs,
            "--context-for",
            "spoke=spoke-ctx",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("spoke"), "{}", r.stdout);
    let list = kg(&home, &["cluster", "list", "-o", "json"]).await.json();
    assert_eq!(names(&list), ["spoke"]);
    assert_eq!(list["items"][0]["labels"]["x-k8s.io/cluster-manager"], "fleet");
    assert_eq!(
        list["items"][0]["labels"]["topology.kubernetes.io/region"],
        "us-east-1"
    );
    let h = kg(&home, &["cluster", "health", "--all-clusters", "-o", "json"]).await;
    assert_eq!(h.code, 0, "{}", h.stderr);
    assert_eq!(h.json()["items"][0]["healthy"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_agents_and_tasks_commands() {
    let mut cfg = SimConfig::named("shop");
    cfg.clock_speed = 30.0;
    cfg.initial_objects = vec![
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "default"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "api"}},
                "template": {"metadata": {"labels": {"app": "api"}},
                    "spec": {"containers": [{"name": "api", "image": "shop/api:crash"}]}}}}),
    ];
    let shop = SimCluster::start(cfg).await.expect("cluster starts");
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let kc = dir.path().join("kubeconfig");
    shop.write_kubeconfig(&kc, "shop", true).unwrap();
    let r = kg(
        &home,
        &[
            "cluster",
            "add",
            "--kubeconfig",
            kc.to_str().unwrap(),
            "--all-contexts",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);

    // Patience for the first crash at 30× (a few seconds); not a timing assertion.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    let report = loop {
        let r = kg(&home, &["health", "--all-clusters", "-o", "json"]).await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        let report = r.json();
        let ids: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["id"].as_str())
            .collect();
        if ids.contains(&"POD-CRASHLOOP-001") {
            break report;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no crash loop found: {report}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    };
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "POD-CRASHLOOP-001")
        .unwrap();
    assert_eq!(f["cluster"], "shop");
    assert_eq!(f["namespace"], "default");
    assert_eq!(f["kind"], "Pod");
    assert!(f["name"].as_str().unwrap().starts_with("api-"));
    assert!(
        f["remediation"]["commands"][0]
            .as_str()
            .unwrap()
            .starts_with("kubectl logs -n default api-")
    );
    assert_eq!(report["errors"], json!([]));
    assert_eq!(report["clusters"][0]["cluster"], "shop");
    assert!(report["clusters"][0]["score"].as_u64().unwrap() < 100);

    // A crash-looping container runs briefly between back-offs, so a scan may catch it
    // running: ask again until the table lists the crash loop.
    let table = loop {
        let t = kg(&home, &["health", "-C"]).await;
        assert_eq!(t.code, 0, "{}", t.stderr);
        if t.stdout.contains("POD-CRASHLOOP-001") {
            break t;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no crash loop in the table: {}",
            t.stdout
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    };
    assert!(
        table.stdout.starts_with("CLUSTER   SEVERITY   CHECK"),
        "{}",
        table.stdout
    );
    assert!(
        table.stdout.contains("Fleet: 1 cluster(s) scanned, 0 failed"),
        "{}",
        table.stdout
    );

    let bad = kg(&home, &["health", "-C", "--min-severity", "urgent"]).await;
    assert_eq!(bad.code, 2, "usage error: {}", bad.stderr);
    assert!(bad.stderr.contains("critical"), "{}", bad.stderr);

    let tasks = kg(&home, &["tasks", "-o", "json"]).await.json();
    let items = tasks["items"].as_array().unwrap();
    assert!(items.len() >= 2);
    assert!(
        items
            .iter()
            .all(|t| t["agent"] == "health" && t["operation"] == "health.scan" && t["state"] == "succeeded")
    );

    let agents = kg(&home, &["agents", "-o", "json"]).await.json();
    assert_eq!(agents["items"][0]["name"], "health");
    assert_eq!(agents["items"][0]["state"], "ready");
    assert_eq!(
        agents["items"][0]["processed"].as_u64().unwrap(),
        items.len() as u64
    );

    // Every cluster unreachable: an error row and exit 1, not a hang.
    shop.shutdown().await;
    let down = kg(&home, &["health", "-C", "--timeout", "3s", "-o", "json"]).await;
    assert_eq!(down.code, 1, "{}", down.stderr);
    assert_eq!(down.json()["errors"][0]["cluster"], "shop");
}
