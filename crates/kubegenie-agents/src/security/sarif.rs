//! SARIF 2.1.0 output of findings for code-scanning tools (GitHub code scanning, GitLab, Azure
//! DevOps): one rule per check, one result per finding, located at the manifest document.

use super::manifests::Parsed;
use crate::health::analyzer::Check;
use kubegenie_core::finding::{Finding, Severity};
use serde_json::{Value, json};

/// The SARIF schema this output follows.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// SARIF `level` of a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (0.0 to 10.0) of a severity.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

fn rule(c: &Check) -> Value {
    json!({
        "id": c.id,
        "name": c.title.replace(' ', ""),
        "shortDescription": {"text": c.title},
        "defaultConfiguration": {"level": level(c.severity)},
        "properties": {"security-severity": security_severity(c.severity), "tags": ["security", "kubernetes"]},
    })
}

/// The SARIF log of `findings` on `parsed` manifests, with the invalid documents as
/// tool notifications.
pub fn log(findings: &[Finding], parsed: &Parsed, version: &str) -> Value {
    let checks = super::checks();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut r = json!({
                "ruleId": f.id,
                "ruleIndex": checks.iter().position(|c| c.id == f.id),
                "level": level(f.severity),
                "message": {"text": format!("{} Fix: {}", f.message, f.remediation.summary)},
                "locations": [],
            });
            let logical = json!({"kind": "resource", "fullyQualifiedName": match &f.namespace {
                Some(ns) => format!("{ns}/{}", f.object_ref()),
                None => f.object_ref(),
            }});
            let mut loc = json!({"logicalLocations": [logical]});
            if let Some(o) = parsed.origin(&f.kind, f.namespace.as_deref(), &f.name) {
                loc["physicalLocation"] = json!({
                    "artifactLocation": {"uri": uri(&o.file)},
                    "region": {"startLine": o.line},
                });
            }
            r["locations"] = json!([loc]);
            if let Some(p) = &f.remediation.patch {
                r["properties"] = json!({"patch": p});
            }
            r
        })
        .collect();
    let notes: Vec<Value> = parsed
        .invalid
        .iter()
        .map(|i| {
            json!({"level": "error", "message": {"text": format!("document {}: {}", i.at.document, i.message)},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(&i.at.file)},
                    "region": {"startLine": i.at.line}}}]})
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "kubegenie",
                "version": version,
                "informationUri": "https://github.com/kubegenie/kubegenie",
                "rules": checks.iter().map(|c| rule(c)).collect::<Vec<_>>(),
            }},
            "invocations": [{"executionSuccessful": parsed.invalid.is_empty(), "toolExecutionNotifications": notes}],
            "results": results,
        }],
    })
}

/// A relative URI for a path (`./x` and Windows separators normalised).
fn uri(path: &str) -> String {
    path.trim_start_matches("./").replace('\\', "/")
}
