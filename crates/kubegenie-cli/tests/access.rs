//! Issue 4's acceptance suite for cluster access, end to end through the binary: clusters
//! reached with an HTTPS token, a client certificate, an exec credential plugin and through a
//! ClusterProfile hub, selected by name, glob and label, queried with `get`; next to an
//! unreachable, a hung, a 401, a 403 and a missing-plugin cluster that each give an error row
//! with a hint while the others answer.

mod common;

use common::*;
use serde_json::{Value, json};

struct Fleet {
    _dir: tempfile::TempDir,
    home: std::path::PathBuf,
    _clusters: Vec<kubegenie_sim::SimCluster>,
    _hold: tokio::task::JoinHandle<()>,
}

/// Registers the four reachable clusters and the five broken ones.
async fn fleet() -> Fleet {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let home = d.join("home");
    let web = sim_with("web", vec![pod("shop", "web-1", json!({"app": "web"}))]).await;
    let db = sim_with("db", vec![pod("data", "db-1", json!({"app": "db"}))]).await;
    let edge = sim_with("edge", vec![pod("default", "edge-1", json!({"app": "edge"}))]).await;
    let hub = sim_with("hub", vec![]).await;
    let spoke = sim_with("spoke", vec![pod("default", "spoke-1", json!({"app": "spoke"}))]).await;

    // HTTPS + token, and a 403 token on the same cluster, from one kubeconfig.
    let kc = d.join("kubeconfig");
    let kcs = kc.to_str().unwrap();
    web.write_kubeconfig(&kc, "web-prod", true).unwrap();
    kubegenie_sim::kubeconfig::merge_into(&kc, &[web.context("no-rbac", Some("nobody-token"))], None)
        .unwrap();
    hub.write_kubeconfig(&kc, "hub", false).unwrap();
    spoke.write_kubeconfig(&kc, "spoke-ctx", false).unwrap();
    let r = kg(
        &home,
        &[
            "cluster",
            "add",
            "--kubeconfig",
            kcs,
            "--context",
            "web-prod",
            "-l",
            "env=prod",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = kg(
        &home,
        &[
            "cluster",
            "add",
            "--kubeconfig",
            kcs,
            "--context",
            "no-rbac",
            "-l",
            "env=test",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);

    // Client certificate, and a 401 token, as bare-metal endpoints.
    let ca = d.join("db-ca.pem");
    std::fs::write(&ca, db.ca_pem().unwrap()).unwrap();
    let (cert, key) = db.issue_client_cert("dba", &["system:masters".into()]).unwrap();
    let (cf, kf) = (d.join("dba.crt"), d.join("dba.key"));
    std::fs::write(&cf, cert).unwrap();
    std::fs::write(&kf, key).unwrap();
    let bare = |name: &'static str, server: String, extra: Vec<String>, labels: &'static str| {
        let home = home.clone();
        let ca = ca.to_str().unwrap().to_string();
        async move {
            let mut args = vec![
                "cluster".to_string(),
                "add".into(),
                name.into(),
                "--server".into(),
                server,
            ];
            args.extend(["--ca-file".into(), ca, "-l".into(), labels.into()]);
            args.extend(extra);
            let argv: Vec<&str> = args.iter().map(String::as_str).collect();
            let r = kg(&home, &argv).await;
            assert_eq!(r.code, 0, "{}", r.stderr);
        }
    };
    let certs = vec![
        "--client-cert".to_string(),
        cf.to_str().unwrap().into(),
        "--client-key".into(),
        kf.to_str().unwrap().into(),
    ];
    bare("db-prod", db.url().into(), certs, "env=prod").await;
    let bad = d.join("bad-token");
    std::fs::write(&bad, "not-a-token\n").unwrap();
    let bad_args = vec!["--token-file".to_string(), bad.to_str().unwrap().into()];
    bare("bad-token", db.url().into(), bad_args.clone(), "env=test").await;
    bare("gone", closed_url(), bad_args.clone(), "env=test").await;
    let (slow, hold) = silent_url().await;
    bare("slow", slow, bad_args, "env=test").await;

    // An exec credential plugin, as EKS/GKE/AKS contexts use, and one that is not installed.
    let plugin = eks_like_plugin(d, "edge", edge.admin_token());
    let ekc = d.join("edge-kubeconfig");
    let (eurl, eca) = (edge.url(), edge.ca_pem().unwrap());
    exec_kubeconfig(
        &ekc,
        "edge-dev",
        eurl,
        eca,
        plugin.to_str().unwrap(),
        "edge",
        "unused",
    );
    let mkc = d.join("missing-kubeconfig");
    let hint = "Install the AWS CLI v2: https://aws.amazon.com/cli/";
    exec_kubeconfig(
        &mkc,
        "no-plugin",
        eurl,
        eca,
        "kubegenie-test-absent-plugin",
        "edge",
        hint,
    );
    for (file, label) in [(&ekc, "env=dev"), (&mkc, "env=test")] {
        let r = kg(
            &home,
            &[
                "cluster",
                "add",
                "--kubeconfig",
                file.to_str().unwrap(),
                "--all-contexts",
                "-l",
                label,
            ],
        )
        .await;
        assert_eq!(r.code, 0, "{}", r.stderr);
    }

    // A ClusterProfile hub whose profile maps to a context of the kubeconfig.
    publish_profiles(&hub, &["spoke"]).await;
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

    Fleet {
        _dir: dir,
        home,
        _clusters: vec![web, db, edge, hub, spoke],
        _hold: hold,
    }
}

fn by_cluster(list: &Value) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut out: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for i in list["items"].as_array().unwrap() {
        out.entry(i["cluster"].as_str().unwrap().into())
            .or_default()
            .push(i["object"]["metadata"]["name"].as_str().unwrap().into());
    }
    out
}

fn error_of<'a>(list: &'a Value, cluster: &str) -> &'a Value {
    list["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["cluster"] == cluster)
        .unwrap_or_else(|| panic!("no error row for {cluster}: {list}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fleet_access_selection_get_and_error_rows() {
    let f = fleet().await;
    let home = &f.home;
    let list = kg(home, &["cluster", "list", "-o", "json"]).await.json();
    assert_eq!(
        column(&list, "name"),
        [
            "bad-token",
            "db-prod",
            "edge-dev",
            "gone",
            "no-plugin",
            "no-rbac",
            "slow",
            "spoke",
            "web-prod"
        ]
    );
    let provider = |n: &str| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == n)
            .unwrap()["provider"]
            .clone()
    };
    assert_eq!(provider("db-prod"), "bare-metal");
    assert_eq!(provider("edge-dev"), "kubeconfig");
    assert_eq!(provider("spoke"), "kubeconfig");

    // Everything at once: the four good clusters answer, the five bad ones are error rows.
    let r = kg(
        home,
        &[
            "get",
            "pods",
            "-A",
            "--all-clusters",
            "-o",
            "json",
            "--timeout",
            "2s",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "partial failure is not a failed command: {}", r.stderr);
    let doc = r.json();
    assert_eq!(doc["kind"], "MultiClusterList");
    let got = by_cluster(&doc);
    assert_eq!(got["web-prod"], ["web-1"]);
    assert_eq!(got["db-prod"], ["db-1"]);
    assert_eq!(got["edge-dev"], ["edge-1"]);
    assert_eq!(got["spoke"], ["spoke-1"]);
    assert_eq!(got.len(), 4, "{got:?}");
    assert!(
        doc["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["object"]["kind"] == "Pod")
    );
    assert_eq!(doc["errors"].as_array().unwrap().len(), 5, "{}", doc["errors"]);
    assert_eq!(error_of(&doc, "gone")["reason"], "Unreachable");
    assert_eq!(error_of(&doc, "slow")["reason"], "Timeout");
    assert_eq!(error_of(&doc, "bad-token")["reason"], "Unauthorized");
    assert_eq!(error_of(&doc, "no-rbac")["reason"], "Forbidden");
    let missing = error_of(&doc, "no-plugin");
    assert_eq!(missing["reason"], "Credentials");
    let m = missing["message"].as_str().unwrap();
    assert!(m.contains("\"kubegenie-test-absent-plugin\" not found"), "{m}");
    assert!(m.contains("install hint: Install the AWS CLI v2"), "{m}");

    assert!(
        !r.stderr.contains("/9 clusters"),
        "no progress bar off a terminal: {}",
        r.stderr
    );

    // Tables: one error line per failed cluster, each with its fix hint.
    let r = kg(home, &["get", "pods", "-A", "--all-clusters", "--timeout", "2s"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let header: Vec<&str> = r.stdout.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        [
            "CLUSTER",
            "NAMESPACE",
            "NAME",
            "READY",
            "STATUS",
            "RESTARTS",
            "AGE"
        ]
    );
    assert_eq!(r.stdout.lines().count(), 5, "{}", r.stdout);
    for (cluster, hint) in [
        ("gone", "check the cluster is running"),
        ("slow", "raise --timeout"),
        ("bad-token", "refresh the credentials"),
        ("no-rbac", "RBAC"),
        ("no-plugin", "install hint"),
    ] {
        let line = r
            .stderr
            .lines()
            .find(|l| l.contains(&format!("cluster {cluster}:")))
            .unwrap_or_else(|| panic!("no error line for {cluster}: {}", r.stderr));
        assert!(line.to_lowercase().contains(&hint.to_lowercase()), "{line}");
    }

    // --strict fails on any error; only failures fail without it.
    let r = kg(
        home,
        &[
            "get",
            "pods",
            "-A",
            "--all-clusters",
            "--strict",
            "--timeout",
            "2s",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("5 of 9 clusters failed"), "{}", r.stderr);
    let r = kg(home, &["get", "pods", "-A", "--clusters", "gone,bad-token"]).await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("2 of 2 clusters failed"), "{}", r.stderr);

    // Selection: globs, exclusion, labels.
    let sel = |args: &'static [&'static str]| async move {
        let mut a = vec!["get", "pods", "-A", "-o", "json", "--timeout", "2s"];
        a.extend_from_slice(args);
        let r = kg(home, &a).await;
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        by_cluster(&r.json()).into_keys().collect::<Vec<_>>()
    };
    assert_eq!(sel(&["--clusters", "*-prod"]).await, ["db-prod", "web-prod"]);
    assert_eq!(
        sel(&["--clusters", "*-prod,spoke", "--exclude", "web*"]).await,
        ["db-prod", "spoke"]
    );
    assert_eq!(
        sel(&["--cluster-selector", "env=prod"]).await,
        ["db-prod", "web-prod"]
    );
    assert_eq!(
        sel(&["--cluster-selector", "env in (prod,dev)"]).await,
        ["db-prod", "edge-dev", "web-prod"]
    );
    assert_eq!(
        sel(&["--cluster-selector", "x-k8s.io/cluster-manager=fleet"]).await,
        ["spoke"]
    );

    // Ctrl-C stops a fan-out that is waiting on a hung cluster, with exit code 130.
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_kubegenie"))
        .args(["get", "pods", "--clusters", "slow,web-prod", "--timeout", "120s"])
        .env("KUBEGENIE_HOME", home)
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    // Give it time to reach the hung cluster; the assertion below does not depend on it.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let pid = child.id().unwrap().to_string();
    assert!(
        tokio::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .await
            .unwrap()
            .success()
    );
    let out = tokio::time::timeout(std::time::Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("stops on Ctrl-C")
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted"));

    // use / remove: the current cluster is the default target.
    assert_eq!(kg(home, &["cluster", "use", "edge-dev"]).await.code, 0);
    assert_eq!(sel(&[]).await, ["edge-dev"]);
    let r = kg(home, &["cluster", "remove", "gone", "slow"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let list = kg(home, &["cluster", "list", "-o", "json"]).await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 7);
    assert_eq!(list["current"], "edge-dev");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_plugins_get_their_args_and_env_and_failures_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let home = d.join("home");
    let c = sim_with("eks", vec![pod("default", "p", json!({}))]).await;
    let (url, ca) = (c.url(), c.ca_pem().unwrap());
    // Right plugin, wrong cluster argument: the plugin refuses, its stderr is quoted.
    let plugin = eks_like_plugin(d, "prod", c.admin_token());
    let kc = d.join("kc-wrong");
    exec_kubeconfig(
        &kc,
        "wrong-args",
        url,
        ca,
        plugin.to_str().unwrap(),
        "staging",
        "",
    );
    let ok = d.join("kc-ok");
    exec_kubeconfig(&ok, "eks-prod", url, ca, plugin.to_str().unwrap(), "prod", "");
    // A plugin printing something that is not an ExecCredential.
    let junk = script(&d.join("junk"), "echo '[not, a, credential'\n");
    let jkc = d.join("kc-junk");
    exec_kubeconfig(&jkc, "junk", url, ca, junk.to_str().unwrap(), "prod", "");
    for f in [&kc, &ok, &jkc] {
        let r = kg(
            &home,
            &[
                "cluster",
                "add",
                "--kubeconfig",
                f.to_str().unwrap(),
                "--all-contexts",
            ],
        )
        .await;
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let r = kg(&home, &["get", "pods", "--all-clusters", "-o", "json"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = r.json();
    assert_eq!(by_cluster(&doc)["eks-prod"], ["p"]);
    let wrong = error_of(&doc, "wrong-args");
    assert_eq!(wrong["reason"], "Credentials");
    let m = wrong["message"].as_str().unwrap();
    assert!(m.contains("eks get-token --cluster-name staging` failed"), "{m}");
    assert!(
        m.contains("unexpected arguments"),
        "the plugin's stderr is quoted: {m}"
    );
    let m = error_of(&doc, "junk")["message"].as_str().unwrap().to_string();
    assert!(m.contains("did not print an ExecCredential"), "{m}");
    assert!(!m.contains(c.admin_token()));

    // Health says the same.
    let h = kg(&home, &["cluster", "health", "--all-clusters", "-o", "json"]).await;
    assert_eq!(h.code, 0, "{}", h.stderr);
    let h = h.json();
    let item = |n: &str| {
        h["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["cluster"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(item("eks-prod")["healthy"], true);
    assert_eq!(item("wrong-args")["error"]["class"], "Credentials");
    assert!(
        item("wrong-args")["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unexpected arguments")
    );
}
