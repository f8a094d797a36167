//! `get --sort-by` (one order across clusters) and `get --watch` (initial rows then changes
//! from every cluster, failing clusters retried, Ctrl-C stops), through the binary.

mod common;

use common::*;
use serde_json::{Value, json};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;

fn pod_with_grace(name: &str, grace: i64) -> Value {
    let mut p = pod("default", name, json!({"app": "sorted"}));
    p["spec"]["terminationGracePeriodSeconds"] = json!(grace);
    p
}

async fn two_clusters(
    home: &std::path::Path,
    dir: &std::path::Path,
) -> (kubegenie_sim::SimCluster, kubegenie_sim::SimCluster) {
    let a = sim_with(
        "a",
        vec![pod_with_grace("zeta", 120), pod_with_grace("alpha", 30)],
    )
    .await;
    let b = sim_with("b", vec![pod_with_grace("mid", 5)]).await;
    let kc = dir.join("kubeconfig");
    a.write_kubeconfig(&kc, "a", true).unwrap();
    b.write_kubeconfig(&kc, "b", false).unwrap();
    let r = kg(
        home,
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
    (a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sort_by_orders_rows_of_all_clusters_together() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let _clusters = two_clusters(&home, dir.path()).await;
    let names = |r: &Run| -> Vec<(String, String)> {
        r.stdout
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                (f[0].to_string(), f[1].to_string())
            })
            .collect()
    };
    let r = kg(
        &home,
        &[
            "get",
            "pods",
            "--all-clusters",
            "--no-headers",
            "--sort-by",
            ".metadata.name",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        names(&r),
        [
            ("a".into(), "alpha".into()),
            ("b".into(), "mid".into()),
            ("a".into(), "zeta".into())
        ]
    );
    // Numbers sort by value (5 < 30 < 120), not as text.
    let by_grace = [
        "get",
        "pods",
        "--all-clusters",
        "--no-headers",
        "--sort-by",
        "{.spec.terminationGracePeriodSeconds}",
    ];
    let r = kg(&home, &by_grace).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        names(&r),
        [
            ("b".into(), "mid".into()),
            ("a".into(), "alpha".into()),
            ("a".into(), "zeta".into())
        ]
    );
    let r = kg(
        &home,
        &[
            "get",
            "pods",
            "--all-clusters",
            "-o",
            "json",
            "--sort-by",
            ".spec.terminationGracePeriodSeconds",
        ],
    )
    .await;
    let items: Vec<String> = r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["object"]["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(items, ["mid", "alpha", "zeta"]);
    let r = kg(
        &home,
        &["get", "pods", "--all-clusters", "--sort-by", "metadata.name"],
    )
    .await;
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("it must start with '.'"), "{}", r.stderr);
}

/// Lines of a child's stream, as they come.
fn lines<R: tokio::io::AsyncRead + Unpin + Send + 'static>(r: R) -> mpsc::UnboundedReceiver<String> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut l = BufReader::new(r).lines();
        while let Ok(Some(line)) = l.next_line().await {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The next line matching `pred`, skipping others; panics after a generous deadline so a
/// broken watch fails the test instead of hanging it.
async fn expect_line(
    rx: &mut mpsc::UnboundedReceiver<String>,
    what: &str,
    pred: impl Fn(&str) -> bool,
) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(l)) if pred(&l) => return l,
            Ok(Some(_)) => continue,
            Ok(None) => panic!("stream ended before {what}"),
            Err(_) => panic!("no line for {what}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_merges_clusters_and_retries_a_failing_one() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let (a, _b) = two_clusters(&home, dir.path()).await;
    // A cluster that is down when the watch starts and comes up later on the same address.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let token = dir.path().join("late-token");
    std::fs::write(&token, "late-admin-token").unwrap();
    let server = format!("http://127.0.0.1:{port}");
    let r = kg(
        &home,
        &[
            "cluster",
            "add",
            "late",
            "--server",
            &server,
            "--token-file",
            token.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);

    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_kubegenie"))
        .args(["get", "pods", "--all-clusters", "-w", "--output-watch-events"])
        .env("KUBEGENIE_HOME", &home)
        .env_remove("KUBECONFIG")
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut out = lines(child.stdout.take().unwrap());
    let mut err = lines(child.stderr.take().unwrap());

    let header = expect_line(&mut out, "header", |l| l.starts_with("CLUSTER")).await;
    let cols: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(
        cols,
        ["CLUSTER", "EVENT", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    );
    // The initial rows of both clusters, in whichever order the clusters answer.
    let mut initial = std::collections::BTreeSet::new();
    while initial.len() < 3 {
        let l = expect_line(&mut out, "initial rows", |l| l.contains("ADDED")).await;
        let f: Vec<&str> = l.split_whitespace().collect();
        initial.insert(format!("{}/{}", f[0], f[2]));
    }
    assert_eq!(
        initial.into_iter().collect::<Vec<_>>(),
        ["a/alpha", "a/zeta", "b/mid"]
    );
    let e = expect_line(&mut err, "late's error", |l| l.contains("cluster late:")).await;
    assert!(e.contains("Unreachable") && e.contains("retrying in"), "{e}");

    // A change on one cluster shows up under its name.
    let client = admin(&a);
    post(
        &client,
        "/api/v1/namespaces/default/pods",
        &pod("default", "fresh", json!({})),
    )
    .await;
    expect_line(&mut out, "fresh ADDED", |l| {
        l.starts_with("a ") && l.contains("ADDED") && l.contains("fresh")
    })
    .await;
    delete(&client, "/api/v1/namespaces/default/pods/fresh").await;
    expect_line(&mut out, "fresh DELETED", |l| {
        l.starts_with("a ") && l.contains("DELETED") && l.contains("fresh")
    })
    .await;

    // The failing cluster comes up: the retry lists it.
    let mut cfg = kubegenie_sim::SimConfig::named("late").http();
    cfg.addr = ([127, 0, 0, 1], port).into();
    cfg.admin_token = Some("late-admin-token".into());
    cfg.initial_objects = vec![pod("default", "late-pod", json!({}))];
    let _late = kubegenie_sim::SimCluster::start(cfg).await.unwrap();
    expect_line(&mut out, "late-pod", |l| {
        l.starts_with("late ") && l.contains("late-pod")
    })
    .await;

    // Ctrl-C stops it, with the shell's exit code for SIGINT.
    let pid = child.id().unwrap().to_string();
    let killed = tokio::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .await
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.code(), Some(130));
}
