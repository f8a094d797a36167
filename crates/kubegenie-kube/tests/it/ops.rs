//! The operations other than `get` against three simulated clusters over HTTPS, plus one that
//! is down: plans, execution, partial failure, refusals, logs, top and audit entries.

use crate::common::*;
use kubegenie_core::operation::*;
use kubegenie_core::outcome::ErrorClass;
use kubegenie_core::plan::{ActionStatus, Change, ClusterStatus, DryRun};
use kubegenie_kube::fanout::FanOut;
use kubegenie_kube::ops::apply::plan_apply;
use kubegenie_kube::ops::audit::audit_entry;
use kubegenie_kube::ops::delete::plan_delete;
use kubegenie_kube::ops::execute::execute;
use kubegenie_kube::ops::get::Connected;
use kubegenie_kube::ops::logs::{logs, stream_logs};
use kubegenie_kube::ops::manifest::parse_manifests;
use kubegenie_kube::ops::rollout::{plan_rollout, status};
use kubegenie_kube::ops::scale::plan_scale;
use kubegenie_kube::ops::top::top;
use kubegenie_sim::{SimCluster, SimConfig};
use serde_json::Value;
use std::time::Duration;

const APP: &str = "\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  replicas: 2
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

struct Fleet {
    sims: Vec<SimCluster>,
    clusters: Vec<Connected>,
}

async fn fleet() -> Fleet {
    let mut sims = Vec::new();
    let mut clusters = Vec::new();
    for name in ["a", "b", "c"] {
        let mut cfg = SimConfig::named(name);
        cfg.clock_speed = 20.0;
        let sim = SimCluster::start(cfg).await.expect("cluster starts");
        clusters.push(Connected {
            name: name.into(),
            client: admin(&sim),
        });
        sims.push(sim);
    }
    Fleet { sims, clusters }
}

/// A cluster that was started and shut down: its address refuses connections.
async fn dead() -> Connected {
    let sim = cluster("v1.33.1").await;
    let (url, ca) = (sim.url().to_string(), sim.ca_pem().map(str::to_string));
    sim.shutdown().await;
    Connected {
        name: "down".into(),
        client: client(&url, ca.as_deref(), "t"),
    }
}

fn fan() -> FanOut {
    FanOut {
        concurrency: 4,
        timeout: Duration::from_secs(20),
    }
}

async fn get(c: &Connected, path: &str) -> Option<Value> {
    let req = http::Request::get(path).body(Vec::new()).unwrap();
    c.client.request::<Value>(req).await.ok()
}

fn apply_request(text: &str) -> ApplyRequest {
    let (manifests, invalid) = parse_manifests("app.yaml", text);
    assert!(invalid.is_empty(), "{invalid:?}");
    ApplyRequest {
        manifests,
        ..Default::default()
    }
}

async fn deploy_app(clusters: &[Connected]) {
    let plan = plan_apply(clusters, &apply_request(APP), fan()).await;
    assert!(plan.rejected.is_empty() && plan.errors.is_empty(), "{plan:?}");
    let out = execute(clusters, &plan, fan()).await;
    assert!(!out.any_failed(), "{out:?}");
}

/// Waits (polling) until every cluster reports the rollout of shop/web done.
async fn rolled_out(clusters: &[Connected]) {
    let req = rollout(RolloutAction::Status, DryRun::None);
    let out = status(clusters, &req, fan(), Duration::from_millis(200), &|_, _| {}).await;
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert!(out.clusters.iter().all(|(_, r)| r.done));
}

fn rollout(action: RolloutAction, dry_run: DryRun) -> RolloutRequest {
    RolloutRequest {
        action,
        objects: ObjectSelector::parse("deploy/web", &[]),
        namespace: Some("shop".into()),
        to_revision: None,
        wait: true,
        timeout_seconds: None,
        dry_run,
    }
}

fn image(d: &Value) -> &str {
    d.pointer("/spec/template/spec/containers/0/image")
        .and_then(Value::as_str)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_plans_creates_then_reports_unchanged_and_keeps_secrets_out_of_the_audit() {
    let f = fleet().await;
    let mut with_dead = f.clusters.clone();
    with_dead.push(dead().await);

    // A server dry run persists nothing.
    let mut req = apply_request(APP);
    req.dry_run = DryRun::Server;
    let plan = plan_apply(&with_dead, &req, fan()).await;
    assert_eq!(plan.actions.len(), 9);
    assert!(plan.actions.iter().all(|a| a.change == Change::Create));
    assert_eq!(plan.errors.len(), 1);
    assert_eq!(
        (plan.errors[0].cluster.as_str(), plan.errors[0].reason),
        ("down", ErrorClass::Unreachable)
    );
    let out = execute(&with_dead, &plan, fan()).await;
    assert!(!out.all_failed());
    assert!(get(&f.clusters[0], "/api/v1/namespaces/shop").await.is_none());

    deploy_app(&f.clusters).await;
    let d = get(&f.clusters[2], "/apis/apps/v1/namespaces/shop/deployments/web")
        .await
        .unwrap();
    assert_eq!(d["spec"]["replicas"], 2);
    let again = plan_apply(&f.clusters, &apply_request(APP), fan()).await;
    assert!(
        again.actions.iter().all(|a| a.change == Change::Unchanged),
        "{:?}",
        again.to_table()
    );
    let changed = APP.replace("replicas: 2", "replicas: 3");
    let plan = plan_apply(&f.clusters, &apply_request(&changed), fan()).await;
    let changes: Vec<&Change> = plan
        .actions
        .iter()
        .filter(|a| a.target.kind == "Deployment")
        .map(|a| &a.change)
        .collect();
    assert_eq!(changes, [&Change::Configure; 3]);
    let out = execute(&f.clusters, &plan, fan()).await;

    let entry = audit_entry("alice", jiff::Timestamp::now(), &out);
    let text = format!("{:?} {} {}", entry, entry.objects, entry.outcome);
    assert!(
        !text.contains("hunter2") && !text.contains("aHVudGVyMg"),
        "{text}"
    );
    assert_eq!(entry.clusters, ["a", "b", "c"]);
    assert_eq!(entry.outcome["b"]["status"], "succeeded");
    assert!(entry.objects.to_string().contains("secret/creds"));
    drop(f.sims);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_document_rejects_the_plan_and_batches_stop_at_a_failure() {
    let f = fleet().await;
    let bad = format!(
        "{APP}---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: broken, namespace: default}}\nspec: {{replicas: -1, selector: {{matchLabels: {{app: x}}}}, template: {{metadata: {{labels: {{app: x}}}}, spec: {{containers: [{{name: x, image: x}}]}}}}}}\n"
    );
    let plan = plan_apply(&f.clusters, &apply_request(&bad), fan()).await;
    assert_eq!(plan.rejected.len(), 3, "{:?}", plan.rejected);
    assert!(
        plan.rejected[0].message.starts_with("app.yaml#4: "),
        "{}",
        plan.rejected[0].message
    );
    assert!(
        plan.rejected[0].message.contains("spec.replicas"),
        "{}",
        plan.rejected[0].message
    );
    assert!(plan.actions.is_empty(), "nothing may be applied anywhere");

    // --continue-on-error applies the valid documents.
    let mut req = apply_request(&bad);
    req.continue_on_error = true;
    let plan = plan_apply(&f.clusters, &req, fan()).await;
    assert_eq!(plan.actions.len(), 9);

    // Batches of one: the second cluster goes down between plan and execution, so the third
    // is skipped rather than written.
    let mut req = apply_request(APP);
    req.rollout_batch = Some(1);
    let plan = plan_apply(&f.clusters, &req, fan()).await;
    let mut sims = f.sims;
    sims.remove(1).shutdown().await;
    let out = execute(&f.clusters, &plan, fan()).await;
    assert_eq!(
        out.per_cluster(),
        [
            ("a".to_string(), ClusterStatus::Succeeded),
            ("b".to_string(), ClusterStatus::Failed),
            ("c".to_string(), ClusterStatus::Skipped)
        ]
    );
    assert!(get(&f.clusters[2], "/api/v1/namespaces/shop").await.is_none());
    assert!(get(&f.clusters[0], "/api/v1/namespaces/shop").await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_restart_undo_and_status_across_clusters() {
    let f = fleet().await;
    deploy_app(&f.clusters).await;
    rolled_out(&f.clusters).await;
    let mut with_dead = f.clusters.clone();
    with_dead.push(dead().await);

    let req = ScaleRequest {
        objects: ObjectSelector::parse("deploy/web", &[]),
        namespace: Some("shop".into()),
        replicas: 4,
        ..Default::default()
    };
    let plan = plan_scale(&with_dead, &req, fan()).await;
    assert_eq!(plan.actions[0].change, Change::Scale { from: 2, to: 4 });
    assert_eq!(plan.errors[0].cluster, "down");
    let out = execute(&with_dead, &plan, fan()).await;
    assert_eq!(
        out.results
            .iter()
            .filter(|r| r.result == ActionStatus::Done)
            .count(),
        3
    );
    for c in &f.clusters {
        let d = get(c, "/apis/apps/v1/namespaces/shop/deployments/web")
            .await
            .unwrap();
        assert_eq!(d["spec"]["replicas"], 4);
    }
    let wrong = ScaleRequest {
        current_replicas: Some(2),
        ..req.clone()
    };
    let plan = plan_scale(&f.clusters[..1], &wrong, fan()).await;
    assert_eq!(plan.errors[0].reason, ErrorClass::Conflict);
    let cm = ScaleRequest {
        objects: ObjectSelector::parse("secret/creds", &[]),
        ..req
    };
    let plan = plan_scale(&f.clusters[..1], &cm, fan()).await;
    assert!(
        plan.errors[0].message.contains("no scale subresource"),
        "{:?}",
        plan.errors
    );

    // Restart annotates the template like kubectl; a new revision rolls out.
    let plan = plan_rollout(&f.clusters, &rollout(RolloutAction::Restart, DryRun::None), fan()).await;
    execute(&f.clusters, &plan, fan()).await;
    let d = get(&f.clusters[1], "/apis/apps/v1/namespaces/shop/deployments/web")
        .await
        .unwrap();
    assert!(
        d.pointer("/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt")
            .is_some()
    );
    rolled_out(&f.clusters).await;

    // Undo goes back to revision 1's template (no restartedAt annotation).
    let plan = plan_rollout(
        &f.clusters[..1],
        &rollout(RolloutAction::Undo, DryRun::None),
        fan(),
    )
    .await;
    assert!(
        matches!(plan.actions[0].change, Change::Undo { to_revision: 1, .. }),
        "{:?}",
        plan.actions
    );
    execute(&f.clusters[..1], &plan, fan()).await;
    let d = get(&f.clusters[0], "/apis/apps/v1/namespaces/shop/deployments/web")
        .await
        .unwrap();
    assert!(
        d.pointer("/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt")
            .is_none()
    );
    assert_eq!(image(&d), "nginx:1.27");
    let mut bad = rollout(RolloutAction::Undo, DryRun::None);
    bad.to_revision = Some(42);
    let plan = plan_rollout(&f.clusters[..1], &bad, fan()).await;
    assert!(
        plan.errors[0].message.contains("revision 42"),
        "{:?}",
        plan.errors
    );

    // Status reports kubectl's message per cluster and an error row for the dead one.
    let seen = std::sync::Mutex::new(Vec::new());
    let record = |c: &str, m: &str| seen.lock().unwrap().push(format!("{c}: {m}"));
    let out = status(
        &with_dead,
        &rollout(RolloutAction::Status, DryRun::None),
        fan(),
        Duration::from_millis(200),
        &record,
    )
    .await;
    assert_eq!(out.errors.len(), 1);
    assert!(
        seen.into_inner()
            .unwrap()
            .contains(&"b: deployment \"web\" successfully rolled out".to_string())
    );
    drop(f.sims);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_refuses_then_deletes_by_selector() {
    let f = fleet().await;
    deploy_app(&f.clusters).await;
    let all = DeleteRequest {
        objects: ObjectSelector::parse("secrets", &[]),
        scope: Scope {
            namespace: Some("shop".into()),
            all_namespaces: false,
        },
        all: true,
        ..Default::default()
    };
    assert!(matches!(
        plan_delete(&f.clusters, &all, fan()).await,
        Err(DeleteRefusal::AllAcrossClusters { clusters: 3, .. })
    ));
    let protected = DeleteRequest {
        objects: ObjectSelector::parse("cm/kube-root-ca.crt", &[]),
        scope: Scope {
            namespace: Some("kube-system".into()),
            all_namespaces: false,
        },
        ..Default::default()
    };
    assert!(matches!(
        plan_delete(&f.clusters, &protected, fan()).await,
        Err(DeleteRefusal::ProtectedNamespace { .. })
    ));
    // The context namespace `default` is protected too.
    let implicit = DeleteRequest {
        objects: ObjectSelector::parse("cm/x", &[]),
        ..Default::default()
    };
    assert!(plan_delete(&f.clusters, &implicit, fan()).await.is_err());

    let mut by_label = DeleteRequest {
        objects: ObjectSelector {
            kind: "deploy".into(),
            names: vec![],
            label_selector: Some("app=web".into()),
        },
        scope: Scope {
            namespace: Some("shop".into()),
            all_namespaces: false,
        },
        dry_run: DryRun::Server,
        ..Default::default()
    };
    let plan = plan_delete(&f.clusters, &by_label, fan()).await.unwrap();
    assert_eq!(plan.actions.len(), 3);
    execute(&f.clusters, &plan, fan()).await;
    assert!(
        get(&f.clusters[0], "/apis/apps/v1/namespaces/shop/deployments/web")
            .await
            .is_some()
    );
    by_label.dry_run = DryRun::None;
    let plan = plan_delete(&f.clusters, &by_label, fan()).await.unwrap();
    let out = execute(&f.clusters, &plan, fan()).await;
    assert!(!out.any_failed());
    let gone = get(&f.clusters[0], "/apis/apps/v1/namespaces/shop/deployments/web").await;
    assert!(gone.is_none() || gone.unwrap().pointer("/metadata/deletionTimestamp").is_some());
    drop(f.sims);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_and_top_tag_every_line_and_row_with_its_cluster() {
    let f = fleet().await;
    deploy_app(&f.clusters).await;
    rolled_out(&f.clusters).await;
    let mut with_dead = f.clusters.clone();
    with_dead.push(dead().await);
    let req = LogsRequest {
        source: LogSource::parse("deploy/web"),
        namespace: Some("shop".into()),
        container: None,
        all_containers: false,
        follow: false,
        since_seconds: None,
        tail: Some(2),
        previous: false,
        timestamps: false,
    };
    // Pods emit lines as the simulated clock runs; poll until every pod has two.
    let mut lines = Vec::new();
    for _ in 0..100 {
        let (l, errors) = logs(&with_dead, &req, fan()).await;
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].cluster, "down");
        if l.len() == 12 {
            lines = l;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(lines.len(), 12, "2 lines from each of 2 pods on 3 clusters");
    assert_eq!(lines[0].cluster, "a");
    assert_eq!(lines[11].cluster, "c");
    assert!(
        lines[0]
            .to_string()
            .starts_with(&format!("[a/{}/web] ", lines[0].pod))
    );
    let bad = LogsRequest {
        container: Some("nope".into()),
        ..req.clone()
    };
    let (_, errors) = logs(&f.clusters[..1], &bad, fan()).await;
    assert!(errors[0].message.contains("choose one of: [web]"), "{:?}", errors);

    // Following merges the clusters' streams as lines arrive.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let follow = LogsRequest {
        follow: true,
        tail: Some(0),
        ..req
    };
    let clusters = f.clusters.clone();
    let task = tokio::spawn(async move { stream_logs(&clusters, &follow, fan(), tx).await });
    let mut from = std::collections::BTreeSet::new();
    while from.len() < 3 {
        let line = rx.recv().await.expect("stream open").expect("no error");
        from.insert(line.cluster);
    }
    task.abort();

    let top_req = TopRequest {
        target: TopTarget::Pods,
        names: vec![],
        scope: Scope {
            namespace: Some("shop".into()),
            all_namespaces: false,
        },
        label_selector: Some("app=web".into()),
    };
    let out = top(&with_dead, &top_req, fan()).await;
    assert_eq!(out.items.len(), 6);
    assert_eq!(out.errors[0].cluster, "down");
    let text = out.render(TopTarget::Pods, false, true);
    assert!(text.starts_with("CLUSTER   NAME"), "{text}");
    assert!(text.contains("CPU(cores)"));
    let nodes = top(
        &f.clusters,
        &TopRequest {
            target: TopTarget::Nodes,
            names: vec![],
            scope: Scope::default(),
            label_selector: None,
        },
        fan(),
    )
    .await;
    assert_eq!(nodes.items.len(), 3);
    assert!(
        nodes
            .items
            .iter()
            .all(|r| r.cpu_percent.is_some() && r.memory_bytes > 0)
    );
    drop(f.sims);
}

const WIDGET_CRD: &str = "\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wg]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn describe_uses_kubectl_layouts_and_a_generic_one_for_crds() {
    let f = fleet().await;
    let two = &f.clusters[..2];
    deploy_app(two).await;
    let crd = execute(
        two,
        &plan_apply(two, &apply_request(WIDGET_CRD), fan()).await,
        fan(),
    )
    .await;
    assert!(!crd.any_failed(), "{crd:?}");
    let widget = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: shop}\nspec: {sizeLimit: 3, colour: blue}\n";
    // The CRD's kind is served once it is established; plan until it is.
    let mut applied = false;
    for _ in 0..50 {
        let plan = plan_apply(two, &apply_request(widget), fan()).await;
        if plan.rejected.is_empty() && plan.errors.is_empty() {
            applied = !execute(two, &plan, fan()).await.any_failed();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(applied);
    rolled_out(two).await;

    let req = |kind: &str, names: &[&str]| DescribeRequest {
        objects: ObjectSelector::parse(kind, &names.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
        scope: Scope {
            namespace: Some("shop".into()),
            all_namespaces: false,
        },
    };
    let mut with_dead = two.to_vec();
    with_dead.push(dead().await);
    let out = kubegenie_kube::ops::describe::describe(&with_dead, &req("wg", &["w1"]), fan()).await;
    assert_eq!(out.items.len(), 2);
    assert_eq!(out.errors[0].cluster, "down");
    let text = &out.items[1].text;
    assert!(
        text.starts_with("Cluster:      b\nName:         w1\nNamespace:    shop\n"),
        "{text}"
    );
    for line in [
        "API Version:  example.com/v1",
        "Kind:         Widget",
        "Spec:",
        "  Size Limit:  3",
        "Events:        <none>",
        "  UID:  ",
    ] {
        assert!(text.contains(line), "{line:?} missing from\n{text}");
    }

    let out = kubegenie_kube::ops::describe::describe(two, &req("deploy", &["web"]), fan()).await;
    let text = &out.items[0].text;
    assert!(
        text.contains(
            "Replicas:               2 desired | 2 updated | 2 total | 2 available | 0 unavailable"
        ),
        "{text}"
    );
    assert!(text.contains("NewReplicaSet:"), "{text}");
    let events = text.split("Events:").nth(1).expect("events last");
    assert!(events.contains("ScalingReplicaSet"), "{text}");

    let mut pods = req("pods", &[]);
    pods.objects.label_selector = Some("app=web".into());
    let out = kubegenie_kube::ops::describe::describe(&two[..1], &pods, fan()).await;
    assert_eq!(out.items.len(), 2);
    let text = &out.items[0].text;
    for line in [
        "Status:           Running",
        "Controlled By:",
        "    Image:          nginx:1.27",
        "Conditions:",
        "Scheduled",
    ] {
        assert!(text.contains(line), "{line:?} missing from\n{text}");
    }
    let nodes = kubegenie_kube::ops::describe::describe(&two[..1], &req("nodes", &[]), fan()).await;
    assert!(
        nodes.items[0].text.contains("Non-terminated Pods:"),
        "{}",
        nodes.items[0].text
    );
    drop(f.sims);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statefulset_undo_restores_the_previous_controller_revision() {
    let f = fleet().await;
    let one = &f.clusters[..1];
    let sts = |image: &str| {
        format!(
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: db, namespace: default}}\n\
             spec:\n  serviceName: db\n  replicas: 1\n  selector: {{matchLabels: {{app: db}}}}\n  \
             template:\n    metadata: {{labels: {{app: db}}}}\n    spec:\n      containers:\n      \
             - {{name: db, image: '{image}'}}\n"
        )
    };
    for image in ["postgres:16", "postgres:17"] {
        let plan = plan_apply(one, &apply_request(&sts(image)), fan()).await;
        assert!(!execute(one, &plan, fan()).await.any_failed());
        let mut req = rollout(RolloutAction::Status, DryRun::None);
        req.objects = ObjectSelector::parse("sts/db", &[]);
        req.namespace = Some("default".into());
        let out = status(one, &req, fan(), Duration::from_millis(200), &|_, _| {}).await;
        assert!(out.errors.is_empty(), "{:?}", out.errors);
    }
    let mut undo = rollout(RolloutAction::Undo, DryRun::None);
    undo.objects = ObjectSelector::parse("statefulsets", &["db".into()]);
    undo.namespace = Some("default".into());
    let plan = plan_rollout(one, &undo, fan()).await;
    assert_eq!(plan.errors, []);
    assert_eq!(
        plan.actions[0].change,
        Change::Undo {
            from_revision: 2,
            to_revision: 1
        }
    );
    assert!(!execute(one, &plan, fan()).await.any_failed());
    let s = get(&one[0], "/apis/apps/v1/namespaces/default/statefulsets/db")
        .await
        .unwrap();
    assert_eq!(image(&s), "postgres:16");
    drop(f.sims);
}
