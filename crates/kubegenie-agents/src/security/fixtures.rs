//! Test fixtures: manifests as YAML text, and helpers that run one analyzer on them.

use super::manifests::{Source, parse};
use super::{SecurityAnalyzer, SecurityInput};
use kubegenie_core::finding::Finding;

/// The input read from `yaml`.
pub fn input(yaml: &str) -> SecurityInput {
    let p = parse(&[Source {
        name: "fixture.yaml".into(),
        text: yaml.into(),
    }]);
    assert!(p.invalid.is_empty(), "{:?}", p.invalid);
    p.input
}

/// Findings of `a` on `yaml`.
pub fn run(a: &dyn SecurityAnalyzer, yaml: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    a.analyze(&input(yaml), &mut out);
    out
}

/// Ids of the findings, sorted.
pub fn ids(f: &[Finding]) -> Vec<&str> {
    let mut v: Vec<&str> = f.iter().map(|f| f.id.as_str()).collect();
    v.sort();
    v
}

/// A Deployment with the given pod spec (YAML, indented for a pod spec at 6 spaces).
pub fn deployment(name: &str, pod_spec: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: shop}}\nspec:\n  replicas: 2\n  \
         selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n{pod_spec}"
    )
}

/// A pod spec passing every PSS and best-practice container check.
pub const CLEAN_SPEC: &str = "      automountServiceAccountToken: false
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: app
        image: registry.example.com/shop/web:1.4.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
        resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: '1', memory: 256Mi}}
        livenessProbe: {httpGet: {path: /healthz, port: 8080}}
        readinessProbe: {httpGet: {path: /ready, port: 8080}}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
";
