//! Roles and permissions. A principal holds one role bound to cluster globs and namespaces,
//! optionally narrowed by scopes; every route asks [`Principal::check`] for the permission it
//! needs, and a denial names the missing permission.

use crate::error::{ApiError, MissingPermission, ProblemClass};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use utoipa::ToSchema;
use wildmatch::WildMatch;

/// Operation classes, from least to most powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verb {
    /// Read clusters, resources, health, findings.
    Read,
    /// Scale, restart, roll back, heal, approve plans.
    Operate,
    /// Manage clusters, tokens, policies, provisioning.
    Admin,
}

impl Verb {
    /// Every verb.
    pub const ALL: [Verb; 3] = [Verb::Read, Verb::Operate, Verb::Admin];

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Operate => "operate",
            Self::Admin => "admin",
        }
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Verb {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Verb::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| format!("unknown scope {s:?} (use read, operate or admin)"))
    }
}

/// Roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads.
    Viewer,
    /// Reads, and scale/restart/rollback/heal/approve in its namespaces.
    Operator,
    /// Everything.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Operator, Role::Admin];

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Operator => "operator",
            Self::Admin => "admin",
        }
    }

    /// Whether the role grants `verb` at all.
    pub fn grants(self, verb: Verb) -> bool {
        match self {
            Self::Viewer => verb == Verb::Read,
            Self::Operator => verb <= Verb::Operate,
            Self::Admin => true,
        }
    }

    /// The least role granting `verb`.
    fn least_for(verb: Verb) -> Role {
        match verb {
            Verb::Read => Role::Viewer,
            Verb::Operate => Role::Operator,
            Verb::Admin => Role::Admin,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role {s:?} (use viewer, operator or admin)"))
    }
}

/// Who is calling, and what they may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Principal {
    /// Token name or JWT subject.
    pub subject: String,
    /// How they signed in: `token` or `jwt`.
    pub method: String,
    /// Role.
    pub role: Role,
    /// Cluster globs the role is bound to.
    pub clusters: Vec<String>,
    /// Namespaces the role is bound to (`*`: all).
    pub namespaces: Vec<String>,
    /// Scopes narrowing the role (empty: none).
    pub scopes: Vec<Verb>,
}

/// A permission a request needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permission<'a> {
    /// Operation class.
    pub verb: Verb,
    /// Resource.
    pub resource: &'a str,
    /// Cluster, when about one.
    pub cluster: Option<&'a str>,
    /// Namespace, when about one; `None` on a cluster-scoped or all-namespace request.
    pub namespace: Option<&'a str>,
}

impl Principal {
    /// Whether the role is bound to `cluster`.
    pub fn covers_cluster(&self, cluster: &str) -> bool {
        self.clusters.iter().any(|g| WildMatch::new(g).matches(cluster))
    }

    /// Whether the binding covers every namespace.
    pub fn all_namespaces(&self) -> bool {
        self.namespaces.iter().any(|n| n == "*")
    }

    /// Allows or denies `p`; a denial says what is missing and why.
    pub fn check(&self, p: Permission<'_>) -> Result<(), ApiError> {
        let reason = if !self.role.grants(p.verb) {
            Some(format!(
                "role {} does not grant it (needs {})",
                self.role,
                Role::least_for(p.verb)
            ))
        } else if !self.scopes.is_empty() && !self.scopes.contains(&p.verb) {
            let scopes: Vec<&str> = self.scopes.iter().map(|s| s.as_str()).collect();
            Some(format!("the token's scopes ({}) leave it out", scopes.join(", ")))
        } else if p.cluster.is_some_and(|c| !self.covers_cluster(c)) {
            Some(format!(
                "the role is bound to clusters {}",
                self.clusters.join(", ")
            ))
        } else if !self.all_namespaces()
            && p.namespace
                .is_none_or(|n| !self.namespaces.iter().any(|m| m == n))
        {
            Some(format!(
                "the role is bound to namespaces {}",
                self.namespaces.join(", ")
            ))
        } else {
            None
        };
        match reason {
            None => Ok(()),
            Some(why) => Err(denied(self, p, &why)),
        }
    }
}

fn denied(who: &Principal, p: Permission<'_>, why: &str) -> ApiError {
    let mut what = format!("{} {}", p.verb, p.resource);
    if let Some(c) = p.cluster {
        what.push_str(&format!(" in cluster {c}"));
    }
    match p.namespace {
        Some(n) => what.push_str(&format!(" namespace {n}")),
        None if !who.all_namespaces() => what.push_str(" across namespaces (or cluster-scoped)"),
        None => {}
    }
    let mut err = ApiError::new(
        ProblemClass::Forbidden,
        format!("{} {:?} may not {what}: {why}", who.method, who.subject),
    );
    err.missing = Some(Box::new(MissingPermission {
        verb: p.verb.to_string(),
        resource: p.resource.to_string(),
        cluster: p.cluster.map(str::to_string),
        namespace: p.namespace.map(str::to_string),
    }));
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role, clusters: &[&str], namespaces: &[&str]) -> Principal {
        Principal {
            subject: "t".into(),
            method: "token".into(),
            role,
            clusters: clusters.iter().map(|s| s.to_string()).collect(),
            namespaces: namespaces.iter().map(|s| s.to_string()).collect(),
            scopes: Vec::new(),
        }
    }

    fn perm(verb: Verb, cluster: &'static str, ns: Option<&'static str>) -> Permission<'static> {
        Permission {
            verb,
            resource: "deployments",
            cluster: Some(cluster),
            namespace: ns,
        }
    }

    /// The matrix of the issue: each role × each operation class.
    #[test]
    fn role_matrix() {
        let expected = [
            (Role::Viewer, [true, false, false]),
            (Role::Operator, [true, true, false]),
            (Role::Admin, [true, true, true]),
        ];
        for (role, allowed) in expected {
            let p = principal(role, &["*"], &["*"]);
            for (verb, ok) in Verb::ALL.into_iter().zip(allowed) {
                let res = p.check(perm(verb, "prod-us", Some("default")));
                assert_eq!(res.is_ok(), ok, "{role} {verb}");
                if let Err(e) = res {
                    assert_eq!(e.class, ProblemClass::Forbidden);
                    assert_eq!(e.missing.as_ref().unwrap().verb, verb.as_str());
                    assert!(
                        e.detail.contains(&format!("role {role} does not grant it")),
                        "{}",
                        e.detail
                    );
                }
            }
        }
    }

    #[test]
    fn cluster_globs_and_namespaces_bind_the_role() {
        let p = principal(Role::Operator, &["staging", "dev-*"], &["payments"]);
        assert!(p.check(perm(Verb::Operate, "dev-1", Some("payments"))).is_ok());
        let e = p
            .check(perm(Verb::Read, "prod-us", Some("payments")))
            .unwrap_err();
        assert_eq!(e.missing.unwrap().cluster.as_deref(), Some("prod-us"));
        assert!(
            e.detail.contains("bound to clusters staging, dev-*"),
            "{}",
            e.detail
        );
        let e = p
            .check(perm(Verb::Read, "staging", Some("kube-system")))
            .unwrap_err();
        assert!(e.detail.contains("namespace kube-system"), "{}", e.detail);
        assert!(p.check(perm(Verb::Read, "staging", None)).is_err());
    }

    #[test]
    fn scopes_narrow_the_role() {
        let mut p = principal(Role::Admin, &["*"], &["*"]);
        p.scopes = vec![Verb::Read];
        assert!(p.check(perm(Verb::Read, "a", None)).is_ok());
        let e = p.check(perm(Verb::Admin, "a", None)).unwrap_err();
        assert!(e.detail.contains("scopes (read)"), "{}", e.detail);
    }

    #[test]
    fn names_parse() {
        assert_eq!("operator".parse::<Role>(), Ok(Role::Operator));
        assert!(
            "root"
                .parse::<Role>()
                .unwrap_err()
                .contains("viewer, operator or admin")
        );
        assert!("write".parse::<Verb>().is_err());
    }
}
