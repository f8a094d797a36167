//! Best-practice, exposure and manifest-parsing checks on fixtures.

use super::exposure::Exposure;
use super::fixtures::{CLEAN_SPEC, deployment, ids, run};
use super::manifests::{Source, parse, split_documents};
use super::practice::{Practices, split_image};

#[test]
fn a_clean_deployment_with_a_pdb_has_no_best_practice_finding() {
    let yaml = format!(
        "{}---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: web, namespace: shop}}\n\
         spec: {{maxUnavailable: 1, selector: {{matchLabels: {{app: web}}}}}}\n",
        deployment("web", CLEAN_SPEC)
    );
    assert!(run(&Practices, &yaml).is_empty(), "{:#?}", run(&Practices, &yaml));
}

#[test]
fn a_bare_container_misses_every_practice() {
    let spec = "      containers:
      - name: app
        image: nginx
        env:
        - {name: DB_PASSWORD, value: hunter2}
        - name: API
          valueFrom: {secretKeyRef: {name: api, key: token}}
";
    let f = run(&Practices, &deployment("web", spec));
    assert_eq!(
        ids(&f),
        [
            "SEC-BP-CPULIM-001",
            "SEC-BP-CPUREQ-001",
            "SEC-BP-DIGEST-001",
            "SEC-BP-IMAGETAG-001",
            "SEC-BP-LIVENESS-001",
            "SEC-BP-MEMLIM-001",
            "SEC-BP-MEMREQ-001",
            "SEC-BP-PDB-001",
            "SEC-BP-PULLPOLICY-001",
            "SEC-BP-READINESS-001",
            "SEC-BP-ROFS-001",
            "SEC-BP-SATOKEN-001",
            "SEC-BP-SECRETENV-001",
            "SEC-BP-SECRETENV-002",
        ]
    );
    let literal = f.iter().find(|f| f.id == "SEC-BP-SECRETENV-002").unwrap();
    let text = serde_json::to_string(literal).unwrap();
    assert!(
        !text.contains("hunter2"),
        "a credential must never be repeated: {text}"
    );
    let tag = f.iter().find(|f| f.id == "SEC-BP-IMAGETAG-001").unwrap();
    assert_eq!(
        tag.remediation.patch.as_ref().unwrap()["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:<version>"
    );
}

#[test]
fn jobs_need_no_probes_and_single_replicas_need_a_pdb() {
    let job = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j, namespace: shop}\nspec:\n  template:\n    spec:\n      \
               restartPolicy: Never\n      containers: [{name: app, image: 'busybox:1.36'}]\n";
    let got = ids(&run(&Practices, job)).join(",");
    assert!(!got.contains("LIVENESS") && !got.contains("READINESS"), "{got}");
    let one = deployment("web", CLEAN_SPEC).replace("replicas: 2", "replicas: 1");
    assert_eq!(ids(&run(&Practices, &one)), ["SEC-BP-REPLICAS-001"]);
}

#[test]
fn images_split_into_repository_tag_and_digest() {
    assert_eq!(split_image("nginx"), ("nginx", None, None));
    assert_eq!(
        split_image("localhost:5000/app:1.2"),
        ("localhost:5000/app", Some("1.2"), None)
    );
    assert_eq!(
        split_image("localhost:5000/app"),
        ("localhost:5000/app", None, None)
    );
    assert_eq!(split_image("a/b@sha256:ff"), ("a/b", None, Some("sha256:ff")));
}

#[test]
fn exposure_finds_open_services_plain_ingresses_and_unprotected_namespaces() {
    let yaml = format!(
        "{}---
apiVersion: v1
kind: Service
metadata: {{name: lb, namespace: shop}}
spec: {{type: LoadBalancer, ports: [{{port: 443}}]}}
---
apiVersion: v1
kind: Service
metadata: {{name: np, namespace: shop}}
spec: {{type: NodePort, ports: [{{port: 80, nodePort: 30080}}]}}
---
apiVersion: v1
kind: Service
metadata: {{name: fenced, namespace: shop}}
spec: {{type: LoadBalancer, loadBalancerSourceRanges: [10.1.0.0/16], ports: [{{port: 443}}]}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: web, namespace: shop}}
spec: {{rules: [{{host: shop.example.com}}]}}
",
        deployment("web", CLEAN_SPEC)
    );
    let f = run(&Exposure, &yaml);
    let got: Vec<String> = f.iter().map(|f| format!("{} {}", f.id, f.name)).collect();
    assert_eq!(
        got,
        [
            "SEC-NET-NETPOL-001 shop",
            "SEC-NET-LOADBALANCER-001 lb",
            "SEC-NET-NODEPORT-001 np",
            "SEC-NET-INGRESSTLS-001 web"
        ]
    );
    let with_policy = format!(
        "{yaml}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: d, namespace: shop}}\nspec: {{podSelector: {{}}}}\n"
    );
    assert!(
        !run(&Exposure, &with_policy)
            .iter()
            .any(|f| f.id == "SEC-NET-NETPOL-001")
    );
}

#[test]
fn invalid_documents_are_named_and_the_others_still_read() {
    let text = "# Source: chart/templates/a.yaml\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\n\
                spec: {containers: [{name: c, image: x}]}\n---\nkind: [unclosed\n---\n\
                apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: b}, spec: {containers: []}}\n\
                - {apiVersion: v1, kind: ConfigMap, metadata: {name: c}}\n---\napiVersion: apps/v1\nkind: Deployment\n\
                metadata: {name: d}\nspec: {replicas: many}\n";
    let p = parse(&[Source {
        name: "all.yaml".into(),
        text: text.into(),
    }]);
    assert_eq!(p.input.snap.pods.len(), 2);
    assert_eq!(p.skipped, 1);
    assert_eq!(p.invalid.len(), 2, "{:?}", p.invalid);
    assert_eq!((p.invalid[0].at.document, p.invalid[0].at.line), (1, 8));
    assert!(p.invalid[0].message.starts_with("invalid YAML"));
    assert_eq!(p.invalid[1].at.document, 3);
    assert!(
        p.invalid[1].message.contains("Deployment"),
        "{}",
        p.invalid[1].message
    );
    assert_eq!(p.origin("Pod", Some("default"), "b").unwrap().document, 2);
    assert_eq!(split_documents("--- {a: 1}\n").len(), 1);
}
