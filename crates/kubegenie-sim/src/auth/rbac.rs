//! RBAC evaluation, following kube-apiserver's `rbac` authorizer: walk the ClusterRoleBindings
//! and the RoleBindings of the request namespace whose subjects include the user, resolve their
//! roles (aggregated ClusterRoles included) and stop at the first rule that allows the request.

use super::{Attributes, MASTERS_GROUP, User};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::Arc;

use super::RbacSource;

/// The authorizer's answer; `reason` is what SubjectAccessReviews report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Decision {
    pub(crate) allowed: bool,
    pub(crate) reason: String,
}

/// Describes where a rule came from, e.g. `ClusterRoleBinding "x" of ClusterRole "view" to User "jane"`.
/// A closure so that the string is only built when a rule actually allows the request.
pub(crate) type Source<'a> = &'a dyn Fn() -> String;

/// Decides a request: `system:masters` always, otherwise the first RBAC rule that allows it.
pub(crate) fn decide(user: &User, attrs: &Attributes, rbac: &dyn RbacSource) -> Decision {
    // kube-apiserver puts a privileged-group authorizer before RBAC; it allows without a reason.
    if user.in_group(MASTERS_GROUP) {
        return Decision {
            allowed: true,
            reason: String::new(),
        };
    }
    let namespace = if attrs.path.is_some() {
        None
    } else {
        attrs.namespace.as_deref()
    };
    let mut allowed_by = None;
    let errors = visit_rules(user, namespace, rbac, &mut |source, rule| {
        if rule_allows(attrs, rule) {
            allowed_by = Some(source());
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    match allowed_by {
        Some(source) => Decision {
            allowed: true,
            reason: format!("RBAC: allowed by {source}"),
        },
        None if errors.is_empty() => Decision::default(),
        None => Decision {
            allowed: false,
            reason: format!("RBAC: {}", aggregate(&errors)),
        },
    }
}

/// Formats errors as Go's `utilerrors.NewAggregate(errs).Error()` does.
pub(crate) fn aggregate(errors: &[String]) -> String {
    let mut unique: Vec<&str> = Vec::new();
    for e in errors {
        if !unique.contains(&e.as_str()) {
            unique.push(e);
        }
    }
    match unique.as_slice() {
        [one] => (*one).to_string(),
        many => format!("[{}]", many.join(", ")),
    }
}

/// Calls `visit` with every rule granted to `user` in `namespace` (cluster-wide bindings first),
/// until it breaks. Returns the errors met on the way (bindings to roles that do not exist).
pub(crate) fn visit_rules(
    user: &User,
    namespace: Option<&str>,
    rbac: &dyn RbacSource,
    visit: &mut dyn FnMut(Source<'_>, &Value) -> ControlFlow<()>,
) -> Vec<String> {
    let cluster_roles = rbac.cluster_roles();
    let index = ClusterRoleIndex::new(&cluster_roles);
    let mut errors = Vec::new();

    for binding in rbac.cluster_role_bindings() {
        let Some(subject) = applicable_subject(user, &binding, "") else {
            continue;
        };
        let role_ref = RoleRef::of(&binding);
        let rules = match role_ref.kind {
            "ClusterRole" => index.rules(role_ref.name),
            other => Err(format!("unsupported role reference kind: \"{other}\"")),
        };
        let rules = match rules {
            Ok(rules) => rules,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let describe = || {
            format!(
                "ClusterRoleBinding \"{}\" of {} \"{}\" to {}",
                name_of(&binding),
                role_ref.kind,
                role_ref.name,
                describe_subject(subject, "")
            )
        };
        for rule in rules {
            if visit(&describe, rule).is_break() {
                return errors;
            }
        }
    }

    let Some(ns) = namespace.filter(|ns| !ns.is_empty()) else {
        return errors;
    };
    let roles = rbac.roles(ns);
    for binding in rbac.role_bindings(ns) {
        let Some(subject) = applicable_subject(user, &binding, ns) else {
            continue;
        };
        let role_ref = RoleRef::of(&binding);
        let rules = match role_ref.kind {
            "ClusterRole" => index.rules(role_ref.name),
            "Role" => roles
                .iter()
                .find(|r| name_of(r) == role_ref.name)
                .map(|r| rules_of(r).iter().collect())
                .ok_or_else(|| format!("role.rbac.authorization.k8s.io \"{}\" not found", role_ref.name)),
            other => Err(format!("unsupported role reference kind: \"{other}\"")),
        };
        let rules = match rules {
            Ok(rules) => rules,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let describe = || {
            format!(
                "RoleBinding \"{}/{ns}\" of {} \"{}\" to {}",
                name_of(&binding),
                role_ref.kind,
                role_ref.name,
                describe_subject(subject, ns)
            )
        };
        for rule in rules {
            if visit(&describe, rule).is_break() {
                return errors;
            }
        }
    }
    errors
}

struct RoleRef<'a> {
    kind: &'a str,
    name: &'a str,
}

impl<'a> RoleRef<'a> {
    fn of(binding: &'a Value) -> Self {
        let r = &binding["roleRef"];
        Self {
            kind: r["kind"].as_str().unwrap_or_default(),
            name: r["name"].as_str().unwrap_or_default(),
        }
    }
}

fn name_of(obj: &Value) -> &str {
    obj["metadata"]["name"].as_str().unwrap_or_default()
}

fn rules_of(role: &Value) -> &[Value] {
    role["rules"].as_array().map(Vec::as_slice).unwrap_or_default()
}

/// The first subject of `binding` that is `user`; `namespace` defaults service-account subjects.
fn applicable_subject<'b>(user: &User, binding: &'b Value, namespace: &str) -> Option<&'b Value> {
    binding["subjects"]
        .as_array()?
        .iter()
        .find(|s| subject_applies(user, s, namespace))
}

fn subject_applies(user: &User, subject: &Value, namespace: &str) -> bool {
    let name = subject["name"].as_str().unwrap_or_default();
    match subject["kind"].as_str().unwrap_or_default() {
        "User" => user.name == name,
        "Group" => user.in_group(name),
        "ServiceAccount" => {
            let sa_ns = subject["namespace"]
                .as_str()
                .filter(|n| !n.is_empty())
                .unwrap_or(namespace);
            !sa_ns.is_empty() && user.name == format!("system:serviceaccount:{sa_ns}:{name}")
        }
        _ => false,
    }
}

fn describe_subject(subject: &Value, binding_namespace: &str) -> String {
    let kind = subject["kind"].as_str().unwrap_or_default();
    let name = subject["name"].as_str().unwrap_or_default();
    if kind == "ServiceAccount" {
        let ns = subject["namespace"]
            .as_str()
            .filter(|n| !n.is_empty())
            .unwrap_or(binding_namespace);
        format!("{kind} \"{name}/{ns}\"")
    } else {
        format!("{kind} \"{name}\"")
    }
}

/// ClusterRoles by name, resolving aggregation as the clusterrole-aggregation controller does.
pub(crate) struct ClusterRoleIndex<'a> {
    all: &'a [Arc<Value>],
    by_name: HashMap<&'a str, &'a Value>,
}

impl<'a> ClusterRoleIndex<'a> {
    pub(crate) fn new(all: &'a [Arc<Value>]) -> Self {
        let by_name = all.iter().map(|r| (name_of(r), r.as_ref())).collect();
        Self { all, by_name }
    }

    /// The rules of a ClusterRole, or kube's "not found" error text.
    pub(crate) fn rules(&self, name: &str) -> Result<Vec<&'a Value>, String> {
        let role = self
            .by_name
            .get(name)
            .ok_or_else(|| format!("clusterrole.rbac.authorization.k8s.io \"{name}\" not found"))?;
        let mut out = Vec::new();
        let mut seen = vec![name_of(role)];
        self.collect(role, &mut out, &mut seen);
        Ok(out)
    }

    /// For an aggregated role the controller replaces `rules` with the union of the selected
    /// roles' rules, so use that union (followed transitively, as the controller converges to it)
    /// instead of whatever is stored; that way a cluster without the controller behaves the same.
    fn collect(&self, role: &'a Value, out: &mut Vec<&'a Value>, seen: &mut Vec<&'a str>) {
        let selectors = role["aggregationRule"]["clusterRoleSelectors"].as_array();
        let Some(selectors) = selectors else {
            for rule in rules_of(role) {
                if !out.contains(&rule) {
                    out.push(rule);
                }
            }
            return;
        };
        for other in self.all {
            let labels = other["metadata"]["labels"].as_object();
            if seen.contains(&name_of(other)) || !selectors.iter().any(|s| selector_matches(s, labels)) {
                continue;
            }
            seen.push(name_of(other));
            self.collect(other, out, seen);
        }
    }
}

/// Whether a `metav1.LabelSelector` selects `labels`; an empty selector selects everything.
pub(crate) fn selector_matches(selector: &Value, labels: Option<&Map<String, Value>>) -> bool {
    let label = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
    let match_labels = selector["matchLabels"].as_object().into_iter().flatten();
    let labels_ok = match_labels.into_iter().all(|(k, v)| label(k) == v.as_str());
    let exprs = selector["matchExpressions"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    labels_ok
        && exprs.iter().all(|e| {
            let value = label(e["key"].as_str().unwrap_or_default());
            let values: Vec<&str> = e["values"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            match e["operator"].as_str().unwrap_or_default() {
                "In" => value.is_some_and(|v| values.contains(&v)),
                "NotIn" => value.is_none_or(|v| !values.contains(&v)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                _ => false,
            }
        })
}

fn strings<'v>(rule: &'v Value, field: &str) -> impl Iterator<Item = &'v str> {
    rule[field]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// kube's `RuleAllows`: verbs, API groups, resources (`pods/log`, `*`, `*/scale`) and resource
/// names for resource requests; verbs and non-resource URLs (exact, `*`, `prefix*`) otherwise.
pub(crate) fn rule_allows(attrs: &Attributes, rule: &Value) -> bool {
    let verb_ok = strings(rule, "verbs").any(|v| v == "*" || v == attrs.verb);
    if !verb_ok {
        return false;
    }
    if let Some(path) = &attrs.path {
        return strings(rule, "nonResourceURLs").any(|u| {
            u == "*" || u == path || (u.ends_with('*') && path.starts_with(u.trim_end_matches('*')))
        });
    }
    let group_ok = strings(rule, "apiGroups").any(|g| g == "*" || g == attrs.group);
    let combined = if attrs.subresource.is_empty() {
        attrs.resource.clone()
    } else {
        format!("{}/{}", attrs.resource, attrs.subresource)
    };
    let resource_ok = strings(rule, "resources").any(|r| {
        r == "*"
            || r == combined
            || (!attrs.subresource.is_empty() && r.strip_prefix("*/") == Some(attrs.subresource.as_str()))
    });
    let mut names = strings(rule, "resourceNames").peekable();
    let name_ok = names.peek().is_none()
        || attrs
            .name
            .as_deref()
            .is_some_and(|n| !n.is_empty() && names.any(|rn| rn == n));
    group_ok && resource_ok && name_ok
}
