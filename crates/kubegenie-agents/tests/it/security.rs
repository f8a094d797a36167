//! The security agent on the demo fleet, read over HTTPS like a real cluster: the privileged
//! `debug-shell` pod and the cluster-admin binding of search's default service account are
//! found in prod-eu, who-can sees that binding, and the compliance summary places `data` at the
//! privileged level.

use crate::common::admin;
use kubegenie_agents::security::rbac_rules::Request;
use kubegenie_agents::security::whocan::who_can;
use kubegenie_agents::security::{SecurityInput, report};
use kubegenie_kube::ops::get::Connected;
use kubegenie_kube::snapshot::{Scope, collect};
use kubegenie_sim::scenario::{self, Fleet, StartOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_fleet_privileged_pod_and_default_admin_binding_are_found() {
    let s = scenario::resolve("demo").expect("demo scenario");
    let fleet = Fleet::start(&s, &StartOptions::default())
        .await
        .expect("fleet starts");
    let eu = &fleet.get("prod-eu").expect("prod-eu").cluster;
    let c = Connected {
        name: "prod-eu".into(),
        client: admin(eu),
    };
    let snap = collect(&c, &Scope::default()).await.expect("snapshot");
    let access = kubegenie_kube::access::collect(&c, &Scope::default()).await;
    assert!(access.unreadable.is_empty(), "{:?}", access.unreadable);
    let input = SecurityInput { snap, access };
    let rep = report(std::slice::from_ref(&input), vec![]);
    let findings = &rep.report.findings;

    let privileged = findings
        .iter()
        .find(|f| f.id == "SEC-PSS-PRIV-001" && f.name == "debug-shell")
        .expect("the privileged debug-shell pod is found");
    assert_eq!(privileged.cluster, "prod-eu");
    assert_eq!(privileged.namespace.as_deref(), Some("data"));
    assert_eq!(privileged.kind, "Pod");

    let admin_binding = findings
        .iter()
        .find(|f| f.id == "SEC-RBAC-ADMIN-001" && f.name == "search-default-admin")
        .expect("the cluster-admin binding is found");
    assert!(admin_binding.message.contains("ServiceAccount search/default"));
    assert!(
        findings
            .iter()
            .any(|f| f.id == "SEC-RBAC-DEFAULTSA-001" && f.name == "search-default-admin")
    );
    assert!(
        findings
            .iter()
            .any(|f| f.id == "SEC-RBAC-SECRETS-001" && f.name == "secret-reader"),
        "the payments secret-reader role"
    );
    // Built-in bootstrap roles and bindings are not findings.
    assert!(
        !findings
            .iter()
            .any(|f| f.name == "cluster-admin" || f.name.starts_with("system:"))
    );

    let grants = who_can(&input.access, &Request::parse("delete", "pods"), Some("shop"));
    assert!(
        grants
            .iter()
            .any(|g| g.subject == "default" && g.subject_namespace.as_deref() == Some("search")),
        "{grants:?}"
    );

    let data = rep.compliance[0]
        .namespaces
        .iter()
        .find(|n| n.namespace == "data")
        .expect("data namespace");
    assert_eq!(data.pss_level, "privileged");
    assert!(data.failed.contains(&"SEC-PSS-PRIV-001"));
    assert!(rep.compliance[0].score < 100);
    fleet.shutdown().await;
}
