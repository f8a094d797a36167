use super::*;
use serde_json::json;

/// RBAC objects held in memory, as the server's store would hand them out.
#[derive(Default)]
struct Mem(Vec<Value>);

impl Mem {
    fn with_bootstrap() -> Self {
        Self(bootstrap_policy())
    }
    fn add(mut self, obj: Value) -> Self {
        self.0.push(obj);
        self
    }
    fn of_kind(&self, kind: &str, ns: Option<&str>) -> Vec<Arc<Value>> {
        self.0
            .iter()
            .filter(|o| o["kind"] == kind && o["metadata"]["namespace"].as_str() == ns)
            .cloned()
            .map(Arc::new)
            .collect()
    }
}

impl RbacSource for Mem {
    fn cluster_roles(&self) -> Vec<Arc<Value>> {
        self.of_kind("ClusterRole", None)
    }
    fn cluster_role_bindings(&self) -> Vec<Arc<Value>> {
        self.of_kind("ClusterRoleBinding", None)
    }
    fn roles(&self, namespace: &str) -> Vec<Arc<Value>> {
        self.of_kind("Role", Some(namespace))
    }
    fn role_bindings(&self, namespace: &str) -> Vec<Arc<Value>> {
        self.of_kind("RoleBinding", Some(namespace))
    }
}

fn jane() -> User {
    User::new("jane", &[])
}

fn res(verb: &str, group: &str, resource: &str, ns: Option<&str>, name: Option<&str>) -> Attributes {
    Attributes::resource(verb, group, resource, ns, name)
}

fn denial(user: &User, attrs: &Attributes, rbac: &dyn RbacSource) -> String {
    match authorize(user, attrs, rbac) {
        Ok(()) => panic!("expected 403 for {attrs:?}"),
        Err(e) => {
            assert_eq!((e.code, e.reason), (403, "Forbidden"));
            e.message
        }
    }
}

fn allowed(user: &User, attrs: &Attributes, rbac: &dyn RbacSource) -> bool {
    authorize(user, attrs, rbac).is_ok()
}

#[test]
fn denial_messages_match_kube_apiserver() {
    let rbac = Mem::with_bootstrap();
    assert_eq!(
        denial(&jane(), &res("list", "", "pods", Some("default"), None), &rbac),
        r#"pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default""#
    );
    assert_eq!(
        denial(
            &jane(),
            &res("get", "", "pods", Some("default"), Some("web")).with_subresource("log"),
            &rbac
        ),
        r#"pods "web" is forbidden: User "jane" cannot get resource "pods/log" in API group "" in the namespace "default""#
    );
    assert_eq!(
        denial(&jane(), &res("list", "", "nodes", None, None), &rbac),
        r#"nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope"#
    );
    assert_eq!(
        denial(&jane(), &Attributes::non_resource("get", "/foo"), &rbac),
        r#"forbidden: User "jane" cannot get path "/foo""#
    );
}

#[test]
fn binding_to_missing_role_explains_why() {
    let rbac = Mem::with_bootstrap().add(bind_user_to_cluster_role("jane", "ghost"));
    assert_eq!(
        denial(
            &jane(),
            &res("list", "apps", "deployments", Some("default"), None),
            &rbac
        ),
        "deployments.apps is forbidden: User \"jane\" cannot list resource \"deployments\" in API group \"apps\" \
         in the namespace \"default\": RBAC: clusterrole.rbac.authorization.k8s.io \"ghost\" not found"
    );
}

#[test]
fn system_masters_may_do_anything_even_without_bindings() {
    let admin = user_from_cert("kubernetes-admin", &["system:masters".to_string()]);
    let empty = Mem::default();
    assert!(allowed(
        &admin,
        &res("delete", "", "nodes", None, Some("n1")),
        &empty
    ));
    assert!(allowed(
        &admin,
        &Attributes::non_resource("get", "/metrics"),
        &empty
    ));
}

#[test]
fn read_only_token_is_a_user_bound_to_view() {
    let rbac = Mem::with_bootstrap().add(bind_user_to_cluster_role("reader", "view"));
    let reader = User::new("reader", &[]);
    assert!(allowed(
        &reader,
        &res("list", "", "pods", Some("prod"), None),
        &rbac
    ));
    assert!(allowed(
        &reader,
        &res("watch", "apps", "deployments", None, None),
        &rbac
    ));
    let logs = res("get", "", "pods", Some("prod"), Some("web")).with_subresource("log");
    assert!(allowed(&reader, &logs, &rbac));
    assert!(allowed(
        &reader,
        &res("list", "metrics.k8s.io", "pods", Some("prod"), None),
        &rbac
    ));
    // view deliberately excludes secrets and every write.
    assert!(!allowed(
        &reader,
        &res("get", "", "secrets", Some("prod"), Some("db")),
        &rbac
    ));
    assert!(!allowed(
        &reader,
        &res("delete", "", "pods", Some("prod"), Some("web")),
        &rbac
    ));
    let scale = res("update", "apps", "deployments", Some("prod"), Some("web")).with_subresource("scale");
    assert!(!allowed(&reader, &scale, &rbac));
}

#[test]
fn role_binding_grants_only_inside_its_namespace() {
    let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": {"name": "deployer", "namespace": "team-a"},
        "rules": [{"apiGroups": ["apps"], "resources": ["deployments", "deployments/scale"], "verbs": ["*"]}]});
    let rbac = Mem::with_bootstrap()
        .add(role)
        .add(bind_user_to_role("team-a", "jane", "Role", "deployer"))
        .add(bind_user_to_role("team-b", "jane", "ClusterRole", "edit"));
    let scale = |ns| res("patch", "apps", "deployments", Some(ns), Some("web")).with_subresource("scale");
    assert!(allowed(&jane(), &scale("team-a"), &rbac));
    assert!(allowed(&jane(), &scale("team-b"), &rbac));
    assert!(!allowed(&jane(), &scale("team-c"), &rbac));
    assert!(allowed(
        &jane(),
        &res("create", "", "secrets", Some("team-b"), None),
        &rbac
    ));
    assert!(!allowed(
        &jane(),
        &res("create", "", "secrets", Some("team-a"), None),
        &rbac
    ));
    // A namespaced grant never reaches cluster-scoped resources.
    assert!(!allowed(
        &jane(),
        &res("list", "apps", "deployments", None, None),
        &rbac
    ));
}

#[test]
fn service_account_subjects_and_groups() {
    let bot = User::service_account("ci", "deployer");
    assert_eq!(bot.name, "system:serviceaccount:ci:deployer");
    assert!(bot.in_group("system:serviceaccounts:ci") && bot.in_group("system:authenticated"));
    // A ServiceAccount subject without a namespace means the binding's namespace.
    let rb = json!({"kind": "RoleBinding", "metadata": {"name": "sa", "namespace": "ci"},
        "roleRef": {"kind": "ClusterRole", "name": "edit"},
        "subjects": [{"kind": "ServiceAccount", "name": "deployer"}]});
    let crb = json!({"kind": "ClusterRoleBinding", "metadata": {"name": "all-sa-view"},
        "roleRef": {"kind": "ClusterRole", "name": "view"},
        "subjects": [{"kind": "Group", "name": "system:serviceaccounts:ci"}]});
    let rbac = Mem::with_bootstrap().add(rb).add(crb);
    assert!(allowed(
        &bot,
        &res("create", "apps", "deployments", Some("ci"), None),
        &rbac
    ));
    assert!(!allowed(
        &bot,
        &res("create", "apps", "deployments", Some("prod"), None),
        &rbac
    ));
    assert!(allowed(
        &bot,
        &res("get", "", "pods", Some("prod"), Some("x")),
        &rbac
    ));
    let other = User::service_account("prod", "deployer");
    assert!(!allowed(
        &other,
        &res("get", "", "pods", Some("prod"), Some("x")),
        &rbac
    ));
}

#[test]
fn resource_names_and_wildcard_subresources() {
    let cr = json!({"kind": "ClusterRole", "metadata": {"name": "one-cm"},
        "rules": [{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["app-config"],
                   "verbs": ["get", "update"]},
                  {"apiGroups": ["*"], "resources": ["*/scale"], "verbs": ["update"]}]});
    let rbac = Mem::with_bootstrap()
        .add(cr)
        .add(bind_user_to_cluster_role("jane", "one-cm"));
    let cm = |name| res("get", "", "configmaps", Some("default"), name);
    assert!(allowed(&jane(), &cm(Some("app-config")), &rbac));
    assert!(!allowed(&jane(), &cm(Some("other")), &rbac));
    // resourceNames never match a request without a name, e.g. list.
    assert!(!allowed(
        &jane(),
        &res("list", "", "configmaps", Some("default"), None),
        &rbac
    ));
    let scale = res("update", "apps", "statefulsets", Some("db"), Some("pg")).with_subresource("scale");
    assert!(allowed(&jane(), &scale, &rbac));
    assert!(!allowed(
        &jane(),
        &res("update", "apps", "statefulsets", Some("db"), Some("pg")),
        &rbac
    ));
}

#[test]
fn non_resource_urls_for_authenticated_and_anonymous() {
    let rbac = Mem::with_bootstrap();
    let get = |p| Attributes::non_resource("get", p);
    assert!(allowed(&jane(), &get("/apis/apps/v1"), &rbac));
    assert!(allowed(&jane(), &get("/openapi/v3"), &rbac));
    assert!(!allowed(&jane(), &get("/metrics"), &rbac));
    assert!(!allowed(
        &jane(),
        &Attributes::non_resource("post", "/api"),
        &rbac
    ));
    let anon = User::anonymous();
    assert!(allowed(&anon, &get("/version"), &rbac));
    assert!(allowed(&anon, &get("/healthz"), &rbac));
    assert!(!allowed(&anon, &get("/api"), &rbac));
}

#[test]
fn aggregated_roles_pick_up_labelled_cluster_roles() {
    // How a CRD's operator extends `view`: a labelled ClusterRole, no edit of `view` itself.
    let cr = json!({"kind": "ClusterRole",
        "metadata": {"name": "widgets-view", "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}},
        "rules": [{"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["get", "list"]}]});
    let rbac = Mem::with_bootstrap()
        .add(cr)
        .add(bind_user_to_cluster_role("jane", "admin"));
    // admin ⊇ edit ⊇ view ⊇ widgets-view, transitively.
    assert!(allowed(
        &jane(),
        &res("list", "example.com", "widgets", Some("x"), None),
        &rbac
    ));
    assert!(allowed(
        &jane(),
        &res(
            "create",
            "rbac.authorization.k8s.io",
            "rolebindings",
            Some("x"),
            None
        ),
        &rbac
    ));
    assert!(!allowed(
        &jane(),
        &res("create", "example.com", "widgets", Some("x"), None),
        &rbac
    ));
}

#[test]
fn can_i_answers_with_kube_reasons() {
    let rbac = Mem::with_bootstrap().add(bind_user_to_cluster_role("reader", "view"));
    let reader = User::new("reader", &[]);
    let review = json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
        "metadata": {"creationTimestamp": null},
        "spec": {"resourceAttributes": {"namespace": "default", "verb": "list", "resource": "pods"}}});
    let out = self_subject_access_review(&reader, &review, &rbac);
    assert_eq!(out["status"]["allowed"], true);
    assert_eq!(
        out["status"]["reason"],
        "RBAC: allowed by ClusterRoleBinding \"kubegenie:view:reader\" of ClusterRole \"view\" to User \"reader\""
    );
    assert_eq!(out["spec"], review["spec"]);

    let delete = json!({"spec": {"resourceAttributes": {"namespace": "default", "verb": "delete",
        "group": "apps", "resource": "deployments", "name": "web"}}});
    let out = self_subject_access_review(&reader, &delete, &rbac);
    assert_eq!(out["status"], json!({"allowed": false}));
    assert_eq!(out["kind"], "SelfSubjectAccessReview");

    let path = json!({"spec": {"nonResourceAttributes": {"verb": "get", "path": "/healthz"}}});
    let out = self_subject_access_review(&reader, &path, &rbac);
    assert_eq!(out["status"]["allowed"], true);
    assert!(
        out["status"]["reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("RBAC: allowed by ClusterRoleBinding \"system:"))
    );

    let admin = User::new("root", &["system:masters"]);
    let out = self_subject_access_review(&admin, &delete, &rbac);
    assert_eq!(out["status"], json!({"allowed": true}));
    // kubectl auth whoami
    assert_eq!(
        self_subject_review(&admin)["status"]["userInfo"],
        json!({"username": "root", "groups": ["system:masters", "system:authenticated"]})
    );
}

#[test]
fn can_i_rejects_reviews_without_exactly_one_attribute_kind() {
    let err = validate_self_subject_access_review(&json!({"spec": {}})).err();
    assert_eq!(
        err.map(|e| (e.code, e.causes[0].field.clone())),
        Some((422, "spec.resourceAttributes".into()))
    );
    let ok = json!({"spec": {"nonResourceAttributes": {"verb": "get", "path": "/"}}});
    assert!(validate_self_subject_access_review(&ok).is_ok());
}

#[test]
fn can_i_list_shows_rules_from_cluster_and_namespace_bindings() {
    let rbac = Mem::with_bootstrap()
        .add(bind_user_to_cluster_role("jane", "view"))
        .add(bind_user_to_role("dev", "jane", "ClusterRole", "edit"));
    let out = self_subject_rules_review(&jane(), "dev", &rbac);
    let status = &out["status"];
    assert_eq!(status["incomplete"], false);
    let rules = status["resourceRules"].as_array().cloned().unwrap_or_default();
    let grants = |verb: &str, resource: &str| {
        rules.iter().any(|r| {
            r["verbs"].as_array().is_some_and(|v| v.contains(&json!(verb)))
                && r["resources"]
                    .as_array()
                    .is_some_and(|v| v.contains(&json!(resource)))
        })
    };
    assert!(grants("list", "pods") && grants("create", "selfsubjectaccessreviews"));
    assert!(grants("create", "secrets"), "edit in dev must be listed");
    let urls = status["nonResourceRules"].as_array().cloned().unwrap_or_default();
    assert!(urls.iter().any(|r| {
        r["nonResourceURLs"]
            .as_array()
            .is_some_and(|u| u.contains(&json!("/api/*")))
    }));
    // Elsewhere only the cluster-wide view applies.
    let prod = self_subject_rules_review(&jane(), "prod", &rbac);
    let prod_rules = prod["status"]["resourceRules"].to_string();
    assert!(!prod_rules.contains("\"secrets\""));
}

#[test]
fn bootstrap_policy_looks_like_a_fresh_cluster() {
    let policy = bootstrap_policy();
    let find = |kind: &str, name: &str| {
        policy
            .iter()
            .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
    };
    for name in [
        "cluster-admin",
        "admin",
        "edit",
        "view",
        "system:discovery",
        "system:basic-user",
    ] {
        assert!(find("ClusterRole", name).is_some(), "missing ClusterRole {name}");
    }
    let view = find("ClusterRole", "view")
        .map(|v| v.to_string())
        .unwrap_or_default();
    assert!(view.contains("pods/log") && !view.contains("secrets"));
    assert!(
        view.contains("aggregate-to-view"),
        "view keeps its aggregationRule"
    );
    let masters = find("ClusterRoleBinding", "cluster-admin").map(|b| b["subjects"][0]["name"].clone());
    assert_eq!(masters, Some(json!("system:masters")));
    let public = find("ClusterRoleBinding", "system:public-info-viewer").map(|b| b["subjects"].to_string());
    assert!(public.is_some_and(|s| s.contains("system:unauthenticated")));
}

#[test]
fn bearer_tokens_follow_kube_apiserver_rules() {
    let mut authn = Authenticator::new(true);
    authn.add_token(
        "s3cret",
        User {
            name: "jane".into(),
            groups: vec!["dev".into()],
        },
    );
    let jane = authn.authenticate(Some("bearer s3cret")).ok();
    assert_eq!(
        jane.map(|u| u.groups),
        Some(vec!["dev".to_string(), "system:authenticated".to_string()])
    );
    assert_eq!(
        authn.authenticate(Some("Bearer nope")).err().map(|e| e.code),
        Some(401)
    );
    // Not a bearer token at all: anonymous, as with `--anonymous-auth=true`.
    assert_eq!(
        authn.authenticate(Some("Basic Zm9vOmJhcg==")).ok(),
        Some(User::anonymous())
    );
    assert_eq!(authn.authenticate(None).ok(), Some(User::anonymous()));
    assert!(!format!("{authn:?}").contains("s3cret"));

    let strict = Authenticator::new(false);
    assert_eq!(strict.authenticate(None).err().map(|e| e.code), Some(401));
    // A verified client certificate wins over a (bad) token.
    let cert = user_from_cert("ops", &["system:masters".into()]);
    assert_eq!(
        strict.authenticate_request(Some("Bearer nope"), Some(&cert)).ok(),
        Some(cert)
    );
}
