//! The write and read commands other than `get`, end to end through the binary against
//! simulated clusters: confirmation, `--yes`, exit codes, JSON output, refusals, partial
//! failure and the audit log.

use kubegenie_sim::{SimCluster, SimConfig};
use serde_json::Value;
use std::path::Path;
use std::process::Stdio;
use tokio::io::AsyncWriteExt;

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

async fn kg_in(home: &Path, args: &[&str], stdin: &str) -> Run {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_kubegenie"))
        .args(args)
        .env("KUBEGENIE_HOME", home)
        .env("USER", "alice")
        .env_remove("KUBECONFIG")
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).await.unwrap();
    drop(input);
    let out = child.wait_with_output().await.expect("runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

async fn kg(home: &Path, args: &[&str]) -> Run {
    kg_in(home, args, "").await
}

const APP: &str = "\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: 'nginx:1.27'}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: shop}
stringData: {password: hunter2}
";

const BROKEN: &str = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: fine, namespace: shop}
---
kind: ConfigMap
metadata: {name: nameless-api-version}
";

struct Env {
    _dir: tempfile::TempDir,
    home: std::path::PathBuf,
    dir: std::path::PathBuf,
    sims: Vec<SimCluster>,
}

/// Three clusters `a`, `b`, `c` and `down` (registered, then shut down), in a fresh home.
async fn env() -> Env {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let home = dir.join("home");
    let kc = dir.join("kubeconfig");
    let mut sims = Vec::new();
    for name in ["a", "b", "c", "down"] {
        let mut cfg = SimConfig::named(name);
        cfg.clock_speed = 20.0;
        let sim = SimCluster::start(cfg).await.unwrap();
        sim.write_kubeconfig(&kc, name, false).unwrap();
        sims.push(sim);
    }
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
    sims.pop().unwrap().shutdown().await;
    std::fs::write(dir.join("app.yaml"), APP).unwrap();
    std::fs::write(dir.join("broken.yaml"), BROKEN).unwrap();
    Env {
        _dir: tmp,
        home,
        dir,
        sims,
    }
}

impl Env {
    fn file(&self, name: &str) -> String {
        self.dir.join(name).to_str().unwrap().to_string()
    }

    async fn exists(&self, cluster: usize, path: &str) -> bool {
        let sim = &self.sims[cluster];
        let req = http::Request::get(path).body(Vec::new()).unwrap();
        client(sim).request::<Value>(req).await.is_ok()
    }
}

fn client(sim: &SimCluster) -> kube::Client {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let mut cfg = kube::Config::new(sim.url().parse().unwrap());
    cfg.root_cert = sim.ca_pem().map(|ca| {
        CertificateDer::pem_slice_iter(ca.as_bytes())
            .map(|c| c.unwrap().to_vec())
            .collect()
    });
    cfg.auth_info.token = Some(sim.admin_token().to_string().into());
    kube::Client::try_from(cfg).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_confirms_applies_and_audits_without_secrets() {
    let e = env().await;
    let app = e.file("app.yaml");
    let abc = ["--clusters", "a,b,c"];

    // An invalid document is named and nothing is applied anywhere.
    let broken = e.file("broken.yaml");
    let r = kg(
        &e.home,
        &[&["apply", "-f", &app, "-f", &broken, "--yes"][..], &abc].concat(),
    )
    .await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("broken.yaml#2: apiVersion not set"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("nothing was applied"), "{}", r.stderr);
    assert!(!e.exists(0, "/api/v1/namespaces/shop").await);

    // Without --yes the prompt reads stdin; no answer aborts and nothing changes.
    let r = kg(&e.home, &[&["apply", "-f", &app][..], &abc].concat()).await;
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("a: 3 to create"), "{}", r.stdout);
    assert!(r.stderr.contains("aborted"), "{}", r.stderr);
    assert!(!e.exists(1, "/api/v1/namespaces/shop").await);
    // Manifests from stdin leave no way to confirm: a usage error.
    let r = kg_in(&e.home, &[&["apply", "-f", "-"][..], &abc].concat(), APP).await;
    assert_eq!(r.code, 2, "{}", r.stderr);

    // "y" on the prompt applies; the per-cluster result table follows the plan.
    let r = kg_in(&e.home, &[&["apply", "-f", &app][..], &abc].concat(), "y\n").await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("c         deployment.apps/web   shop        created"),
        "{}",
        r.stdout
    );
    assert!(e.exists(2, "/apis/apps/v1/namespaces/shop/deployments/web").await);

    // Again: unchanged everywhere, as JSON; the down cluster is an error row, exit 0.
    let r = kg(
        &e.home,
        &["apply", "-f", &app, "--all-clusters", "--yes", "-o", "json"],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = r.json();
    assert!(!r.stdout.contains("hunter2"));
    let results = doc["outcome"]["results"].as_array().unwrap();
    assert_eq!(results.len(), 9);
    assert!(
        results
            .iter()
            .all(|x| x["change"] == "unchanged" && x["result"]["status"] == "done")
    );
    assert_eq!(doc["outcome"]["errors"][0]["cluster"], "down");
    // --strict makes one failed cluster fail the command.
    let r = kg(
        &e.home,
        &["apply", "-f", &app, "--all-clusters", "--yes", "--strict"],
    )
    .await;
    assert_eq!(r.code, 1);

    let audit = kg(&e.home, &["audit", "-o", "json"]).await;
    assert_eq!(audit.code, 0, "{}", audit.stderr);
    let items = audit.json()["items"].as_array().unwrap().clone();
    assert_eq!(
        items.len(),
        3,
        "the aborted and refused runs are not audited: {items:?}"
    );
    assert_eq!(items[0]["user"], "alice");
    assert_eq!(items[0]["operation"], "apply");
    assert_eq!(items[0]["dryRun"], "none");
    assert_eq!(items[1]["outcome"]["down"]["status"], "failed");
    assert!(!audit.stdout.contains("hunter2") && !audit.stdout.contains("aHVudGVyMg"));
    let table = kg(&e.home, &["audit", "--since", "1h"]).await;
    assert!(table.stdout.starts_with("TIME"), "{}", table.stdout);
    assert_eq!(kg(&e.home, &["audit", "--since", "yesterday-ish"]).await.code, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_refuse_what_is_dangerous_and_report_partial_failure() {
    let e = env().await;
    let app = e.file("app.yaml");
    let r = kg(&e.home, &["apply", "-f", &app, "--clusters", "a,b", "--yes"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);

    let r = kg(
        &e.home,
        &[
            "delete",
            "secrets",
            "--all",
            "-n",
            "shop",
            "--clusters",
            "a,b",
            "--yes",
        ],
    )
    .await;
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("refusing to delete every secrets on 2 clusters"),
        "{}",
        r.stderr
    );
    let r = kg(
        &e.home,
        &[
            "delete",
            "cm",
            "kube-root-ca.crt",
            "-n",
            "kube-system",
            "--clusters",
            "a",
            "--yes",
        ],
    )
    .await;
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("protected namespace"), "{}", r.stderr);
    let r = kg(
        &e.home,
        &[
            "delete",
            "secret/creds",
            "-n",
            "shop",
            "--clusters",
            "a,b",
            "--yes",
            "--dry-run=server",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("deleted (server dry run)"), "{}", r.stdout);
    assert!(e.exists(0, "/api/v1/namespaces/shop/secrets/creds").await);
    let r = kg(
        &e.home,
        &[
            "delete",
            "secret/creds",
            "-n",
            "shop",
            "--clusters",
            "a,b",
            "--yes",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!e.exists(1, "/api/v1/namespaces/shop/secrets/creds").await);

    let r = kg(
        &e.home,
        &[
            "scale",
            "deploy/web",
            "-n",
            "shop",
            "--replicas",
            "2",
            "--clusters",
            "a,down",
            "--yes",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("scale 1 -> 2"), "{}", r.stdout);
    assert!(
        r.stderr.contains("error: cluster down: Unreachable"),
        "{}",
        r.stderr
    );
    let r = kg(
        &e.home,
        &[
            "scale",
            "deploy/web",
            "-n",
            "shop",
            "--replicas",
            "2",
            "--clusters",
            "down",
            "--yes",
        ],
    )
    .await;
    assert_eq!(r.code, 1, "every cluster failed");
    let r = kg(&e.home, &["scale", "deploy/web", "--clusters", "a", "--yes"]).await;
    assert_eq!(r.code, 2, "--replicas is required");

    let r = kg(
        &e.home,
        &[
            "rollout",
            "status",
            "deploy/web",
            "-n",
            "shop",
            "--clusters",
            "a,b",
            "--timeout",
            "60s",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("b: deployment \"web\" successfully rolled out"),
        "{}",
        r.stdout
    );
    let r = kg(
        &e.home,
        &[
            "rollout",
            "restart",
            "deploy/web",
            "-n",
            "shop",
            "--clusters",
            "a",
            "--yes",
        ],
    )
    .await;
    assert!(r.stdout.contains("restarted"), "{}", r.stdout);
    let r = kg(
        &e.home,
        &[
            "rollout",
            "undo",
            "deploy/web",
            "-n",
            "shop",
            "--clusters",
            "a",
            "--yes",
            "--to-revision",
            "9",
        ],
    )
    .await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("revision 9"), "{}", r.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_prefix_the_cluster() {
    let e = env().await;
    let r = kg(
        &e.home,
        &["apply", "-f", &e.file("app.yaml"), "--clusters", "a,b", "--yes"],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = kg(
        &e.home,
        &[
            "rollout",
            "status",
            "deploy/web",
            "-n",
            "shop",
            "--clusters",
            "a,b",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);

    let r = kg(
        &e.home,
        &["describe", "deploy/web", "-n", "shop", "--clusters", "a,b,down"],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("Cluster:  "), "{}", r.stdout);
    assert!(
        r.stdout.contains("Replicas:") && r.stdout.contains("Events:"),
        "{}",
        r.stdout
    );
    assert_eq!(r.stdout.matches("Cluster:").count(), 2);
    assert!(r.stderr.contains("cluster down"), "{}", r.stderr);
    let r = kg(&e.home, &["describe", "nodes", "--clusters", "a"]).await;
    assert!(r.stdout.contains("Non-terminated Pods:"), "{}", r.stdout);

    let mut lines = String::new();
    for _ in 0..100 {
        let r = kg(
            &e.home,
            &[
                "logs",
                "deploy/web",
                "-n",
                "shop",
                "--clusters",
                "a,b",
                "--tail",
                "1",
            ],
        )
        .await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        if r.stdout.lines().count() == 2 {
            lines = r.stdout;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let first: Vec<&str> = lines.lines().collect();
    assert!(
        first[0].starts_with("[a/web-") && first[1].starts_with("[b/web-"),
        "{lines}"
    );
    assert_eq!(kg(&e.home, &["logs", "--clusters", "a"]).await.code, 2);

    let r = kg(&e.home, &["top", "nodes", "--clusters", "a,b"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("CLUSTER   NAME"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)"),
        "{}",
        r.stdout
    );
    let r = kg(&e.home, &["top", "pods", "-A", "--clusters", "a", "-o", "json"]).await;
    assert!(
        r.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["cluster"] == "a")
    );
    assert_eq!(kg(&e.home, &["top", "services", "--clusters", "a"]).await.code, 2);
}
