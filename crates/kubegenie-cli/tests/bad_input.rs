//! Issue 4's "Bad input": each mistake gets a clear message naming what is wrong and how to
//! fix it, exit code 1 (2 for command-line usage), and leaves the registry as it was.

mod common;

use common::*;
use serde_json::json;
use std::path::Path;

async fn registered(home: &Path) -> Vec<String> {
    column(&kg(home, &["cluster", "list", "-o", "json"]).await.json(), "name")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_clearly_and_writes_nothing() {
    let c = sim_with("bad", vec![pod("default", "p", json!({}))]).await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let home = d.join("home");
    let kc = d.join("kubeconfig");
    let kcs = kc.to_str().unwrap();
    c.write_kubeconfig(&kc, "good", true).unwrap();
    kubegenie_sim::kubeconfig::merge_into(&kc, &[c.context("other", None)], None).unwrap();
    let r = kg(
        &home,
        &[
            "cluster",
            "add",
            "--kubeconfig",
            kcs,
            "--context",
            "good",
            "-l",
            "env=prod",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let before = registered(&home).await;
    assert_eq!(before, ["good"]);

    // Malformed kubeconfig: the file and the line.
    let broken = d.join("broken.yaml");
    std::fs::write(
        &broken,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster:\n    server: [https://x\ncontexts: []\n",
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
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(broken.to_str().unwrap()), "{}", r.stderr);
    assert!(
        r.stderr.contains("line 6") || r.stderr.contains("line 7"),
        "{}",
        r.stderr
    );
    assert_eq!(registered(&home).await, before);

    // Missing context: the contexts that exist; a batch with one bad context adds nothing.
    let r = kg(
        &home,
        &[
            "cluster",
            "add",
            "--kubeconfig",
            kcs,
            "--context",
            "other",
            "--context",
            "typo",
        ],
    )
    .await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("context \"typo\" not found"), "{}", r.stderr);
    assert!(
        r.stderr.contains("available contexts: good, other"),
        "{}",
        r.stderr
    );
    assert_eq!(registered(&home).await, before);

    // A label that is not a Kubernetes label.
    let r = kg(
        &home,
        &[
            "cluster",
            "add",
            "--kubeconfig",
            kcs,
            "--context",
            "other",
            "-l",
            "env=has space",
        ],
    )
    .await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("invalid label"), "{}", r.stderr);
    assert_eq!(registered(&home).await, before);

    // Unknown kind: kubectl's message with the closest kind.
    let r = kg(&home, &["get", "podz", "--all-clusters"]).await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("the server doesn't have a resource type \"podz\" (did you mean \"pods\"?)"),
        "{}",
        r.stderr
    );
    let r = kg(&home, &["get", "deploymnets", "--all-clusters", "-o", "json"]).await;
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("did you mean \\\"deployments\\\""),
        "{}",
        r.stdout
    );

    // A glob that matches nothing, a name that is not registered: the registered names.
    let r = kg(&home, &["get", "pods", "--clusters", "prod-*"]).await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("no cluster matches \"prod-*\""), "{}", r.stderr);
    assert!(r.stderr.contains("good"), "{}", r.stderr);

    // Label selector syntax errors, on cluster labels and on objects.
    let r = kg(&home, &["get", "pods", "--cluster-selector", "env=prod,,=x"]).await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("invalid cluster selector"), "{}", r.stderr);
    let r = kg(&home, &["get", "pods", "--all-clusters", "-l", "app in (web"]).await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("Invalid"),
        "the server's 400 is an Invalid row: {}",
        r.stderr
    );

    // Usage errors exit 2.
    assert_eq!(kg(&home, &["get"]).await.code, 2);
    assert_eq!(kg(&home, &["get", "pods", "-o", "xml"]).await.code, 2);
    assert_eq!(kg(&home, &["get", "pods", "--timeout", "soon"]).await.code, 2);

    // A registered kubeconfig that later breaks: an error row naming the file and line.
    std::fs::write(&kc, "apiVersion: v1\nclusters: [\n").unwrap();
    let r = kg(&home, &["get", "pods", "--all-clusters", "-o", "json"]).await;
    assert_eq!(r.code, 1);
    let e = &r.json()["errors"][0];
    assert_eq!(e["reason"], "Credentials");
    let m = e["message"].as_str().unwrap();
    assert!(m.contains(kcs) && m.contains("line"), "{m}");
    assert_eq!(registered(&home).await, before);
}
