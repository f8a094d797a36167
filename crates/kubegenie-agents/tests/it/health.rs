//! The health agent finds scripted problems in a simulated cluster, through the orchestrator,
//! with the right check ids, and says nothing about the healthy workload.

use crate::common::admin;
use kube::api::{Api, DynamicObject, PostParams};
use kube::discovery::ApiResource;
use kubegenie_agents::health::agent::{HealthAgent, SCAN};
use kubegenie_agents::{
    Agent, AgentContext, AgentRegistry, Orchestrator, OrchestratorConfig, TaskOutput, TaskRequest,
};
use kubegenie_core::finding::Finding;
use kubegenie_kube::ops::get::Connected;
use kubegenie_sim::{SimCluster, SimConfig};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Real time allowed for every problem to show up (a safety net against hangs, not a timing
/// assertion: at 30× the slowest, the OOM kill, takes a few seconds).
const PATIENCE: Duration = Duration::from_secs(120);

async fn create(client: &kube::Client, plural: &str, obj: Value) {
    let (group, version, kind) = match plural {
        "deployments" => ("apps", "v1", "Deployment"),
        "services" => ("", "v1", "Service"),
        _ => ("", "v1", "Namespace"),
    };
    let ar = ApiResource {
        group: group.into(),
        version: version.into(),
        api_version: if group.is_empty() {
            version.into()
        } else {
            format!("{group}/{version}")
        },
        kind: kind.into(),
        plural: plural.into(),
    };
    let api: Api<DynamicObject> = if plural == "namespaces" {
        Api::all_with(client.clone(), &ar)
    } else {
        Api::namespaced_with(client.clone(), "shop", &ar)
    };
    let obj: DynamicObject = serde_json::from_value(obj).expect("object");
    api.create(&PostParams::default(), &obj).await.expect("create");
}

fn deployment(name: &str, image: &str, resources: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "shop"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "app", "image": image, "resources": resources}]}}}})
}

fn service(name: &str, app: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "shop"},
        "spec": {"selector": {"app": app}, "ports": [{"port": 80, "targetPort": 8080}]}})
}

/// `ID kind/name`, with pod names cut to their Deployment's name.
fn key(f: &Finding) -> String {
    let name = if f.kind == "Pod" {
        f.name.split('-').next().unwrap_or(&f.name).to_string()
    } else {
        f.name.clone()
    };
    format!("{} {}/{name}", f.id, f.kind.to_ascii_lowercase())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_agent_finds_each_scripted_problem() {
    let mut cfg = SimConfig::named("agents-it");
    cfg.clock_speed = 30.0;
    let sim = SimCluster::start(cfg).await.expect("cluster starts");
    let client = admin(&sim);
    create(
        &client,
        "namespaces",
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}),
    )
    .await;
    let small = json!({"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}});
    create(
        &client,
        "deployments",
        deployment("web", "nginx:1.27", small.clone()),
    )
    .await;
    create(&client, "services", service("web", "web")).await;
    create(
        &client,
        "deployments",
        deployment("crasher", "shop/api:crash", small.clone()),
    )
    .await;
    create(&client, "services", service("api", "crasher")).await;
    create(
        &client,
        "deployments",
        deployment("puller", "shop/api:bad", small.clone()),
    )
    .await;
    create(
        &client,
        "deployments",
        deployment("leaky", "shop/worker:oom", small),
    )
    .await;
    create(
        &client,
        "deployments",
        deployment("huge", "shop/trainer:1.0", json!({"requests": {"cpu": "64"}})),
    )
    .await;
    create(&client, "services", service("orphan", "nothing")).await;

    let registry = Arc::new(AgentRegistry::new());
    registry
        .register(Arc::new(|| Arc::new(HealthAgent::default()) as Arc<dyn Agent>))
        .expect("register");
    let ctx = AgentContext {
        clusters: Arc::new(vec![Connected {
            name: "agents-it".into(),
            client,
        }]),
        ..Default::default()
    };
    registry.initialize_all(&ctx, Duration::from_secs(5)).await;
    let store = kubegenie_store::Store::open_memory().await.expect("store");
    let orch = Orchestrator::start(registry, ctx, OrchestratorConfig::default(), Some(store.clone()));

    let expected: BTreeSet<String> = [
        "POD-CRASHLOOP-001 pod/crasher",
        "POD-IMAGEPULL-001 pod/puller",
        "POD-OOMKILLED-001 pod/leaky",
        "POD-PENDING-001 pod/huge",
        "SVC-SELECTOR-001 service/orphan",
        "SVC-NOENDPOINTS-001 service/api",
    ]
    .map(String::from)
    .into();
    let mut seen = BTreeSet::new();
    let start = Instant::now();
    let mut scans = 0;
    while !expected.is_subset(&seen) {
        assert!(
            start.elapsed() < PATIENCE,
            "after {scans} scans, missing {:?}; seen {seen:?}",
            expected.difference(&seen).collect::<Vec<_>>()
        );
        let h = orch
            .submit(TaskRequest::new(SCAN, Value::Null))
            .await
            .expect("submit");
        let TaskOutput::Health(report) = h.wait().await.expect("scan") else {
            panic!("a scan returns a health report");
        };
        scans += 1;
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        for f in &report.findings {
            assert_eq!(f.cluster, "agents-it");
            let k = key(f);
            assert!(
                !k.ends_with("/web"),
                "false finding on the healthy workload: {k}: {}",
                f.message
            );
            assert!(
                !f.remediation.summary.is_empty() && !f.message.is_empty(),
                "{f:?}"
            );
            seen.insert(k);
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    eprintln!("{scans} scans; seen: {seen:#?}");
    let history = store.recent_tasks(1000).await.expect("history");
    assert_eq!(history.len(), scans);
    assert!(
        history
            .iter()
            .all(|t| t.state == "succeeded" && t.agent == "health")
    );
    sim.shutdown().await;
}
