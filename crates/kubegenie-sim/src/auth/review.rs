//! `SelfSubjectAccessReview` (`kubectl auth can-i`) and `SelfSubjectRulesReview`
//! (`kubectl auth can-i --list`), answered by the same RBAC evaluation that guards requests.

use super::rbac::{aggregate, decide, visit_rules};
use super::{Attributes, RbacSource, User};
use crate::error::{ApiError, Result, StatusCause};
use serde_json::{Map, Value, json};
use std::ops::ControlFlow;

fn str_field<'v>(obj: &'v Value, field: &str) -> &'v str {
    obj[field].as_str().unwrap_or_default()
}

/// Checks a SelfSubjectAccessReview as kube-apiserver validates it: exactly one of
/// `spec.resourceAttributes` and `spec.nonResourceAttributes` (422 otherwise).
pub fn validate_self_subject_access_review(review: &Value) -> Result<()> {
    let spec = &review["spec"];
    let has_resource = spec.get("resourceAttributes").is_some_and(|v| !v.is_null());
    let has_non_resource = spec.get("nonResourceAttributes").is_some_and(|v| !v.is_null());
    if has_resource == has_non_resource {
        // Same fields and texts as kube's ValidateSelfSubjectAccessReviewSpec.
        let (field, message) = if has_resource {
            (
                "spec.nonResourceAttributes",
                "Invalid value: \"object\": cannot be specified in combination with resourceAttributes",
            )
        } else {
            (
                "spec.resourceAttributes",
                "Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified",
            )
        };
        return Err(ApiError::invalid(
            "authorization.k8s.io",
            "SelfSubjectAccessReview",
            "",
            vec![StatusCause::new("FieldValueInvalid", field, message)],
        ));
    }
    Ok(())
}

/// The attributes a SelfSubjectAccessReview asks about.
fn review_attributes(spec: &Value) -> Attributes {
    if let Some(nra) = spec.get("nonResourceAttributes").filter(|v| v.is_object()) {
        return Attributes::non_resource(str_field(nra, "verb"), str_field(nra, "path"));
    }
    let ra = &spec["resourceAttributes"];
    let opt = |f: &str| Some(str_field(ra, f)).filter(|s| !s.is_empty());
    Attributes::resource(
        str_field(ra, "verb"),
        str_field(ra, "group"),
        str_field(ra, "resource"),
        opt("namespace"),
        opt("name"),
    )
    .with_subresource(str_field(ra, "subresource"))
}

/// Answers a `SelfSubjectAccessReview` for `user`: the review comes back with
/// `status: {allowed, reason}` filled in (reason omitted when empty), as kube-apiserver returns it.
pub fn self_subject_access_review(user: &User, review: &Value, rbac: &dyn RbacSource) -> Value {
    let decision = decide(user, &review_attributes(&review["spec"]), rbac);
    let mut out = review.clone();
    if !out.is_object() {
        out = json!({});
    }
    out["apiVersion"] = json!("authorization.k8s.io/v1");
    out["kind"] = json!("SelfSubjectAccessReview");
    if !out["metadata"].is_object() {
        out["metadata"] = json!({});
    }
    let mut status = Map::new();
    status.insert("allowed".into(), json!(decision.allowed));
    if !decision.reason.is_empty() {
        status.insert("reason".into(), json!(decision.reason));
    }
    out["status"] = Value::Object(status);
    out
}

/// Answers a `SelfSubjectRulesReview` (`kubectl auth can-i --list`): every rule `user` holds in
/// `namespace` (cluster-wide bindings first, then the namespace's RoleBindings), split into
/// `resourceRules` and `nonResourceRules`. Bindings to missing roles make the answer
/// `incomplete` with an `evaluationError`, as in kube-apiserver.
pub fn self_subject_rules_review(user: &User, namespace: &str, rbac: &dyn RbacSource) -> Value {
    let mut resource_rules = Vec::new();
    let mut non_resource_rules = Vec::new();
    let errors = visit_rules(user, Some(namespace), rbac, &mut |_, rule| {
        let list = |f: &str| rule[f].as_array().filter(|a| !a.is_empty()).cloned();
        let verbs = rule["verbs"].as_array().cloned().unwrap_or_default();
        if let Some(resources) = list("resources") {
            let mut r = Map::new();
            r.insert("verbs".into(), Value::Array(verbs.clone()));
            if let Some(groups) = list("apiGroups") {
                r.insert("apiGroups".into(), Value::Array(groups));
            }
            r.insert("resources".into(), Value::Array(resources));
            if let Some(names) = list("resourceNames") {
                r.insert("resourceNames".into(), Value::Array(names));
            }
            resource_rules.push(Value::Object(r));
        }
        if let Some(urls) = list("nonResourceURLs") {
            non_resource_rules.push(json!({"verbs": verbs, "nonResourceURLs": urls}));
        }
        ControlFlow::Continue(())
    });
    let mut status = json!({
        "resourceRules": resource_rules,
        "nonResourceRules": non_resource_rules,
        "incomplete": !errors.is_empty(),
    });
    if !errors.is_empty() {
        status["evaluationError"] = json!(aggregate(&errors));
    }
    json!({
        "kind": "SelfSubjectRulesReview",
        "apiVersion": "authorization.k8s.io/v1",
        "metadata": {},
        "spec": {"namespace": namespace},
        "status": status,
    })
}

/// Answers a `SelfSubjectReview` (`kubectl auth whoami`): the user's name and groups.
pub fn self_subject_review(user: &User) -> Value {
    json!({
        "kind": "SelfSubjectReview",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {},
        "status": {"userInfo": {"username": user.name, "groups": user.groups}},
    })
}
