//! Path items of the OpenAPI v3 group-version documents: the operations kube-apiserver
//! publishes for each resource, with the extensions clients read (`x-kubernetes-action`,
//! `x-kubernetes-group-version-kind`) and the write parameters (`fieldValidation`,
//! `fieldManager`, `dryRun`, `force`). kubectl decides from the PATCH operation whether the
//! server validates fields itself.

use super::schemas::{DELETE_OPTIONS, EVICTION, PATCH, SCALE, STATUS, kind_schema_name, reference};
use crate::builtin::subresource_info;
use crate::catalog::ResourceType;
use serde_json::{Map, Value, json};

/// `apps` → `Apps`, `rbac.authorization.k8s.io` → `RbacAuthorization`, core → `Core`.
fn group_camel(group: &str) -> String {
    if group.is_empty() {
        return "Core".to_string();
    }
    let trimmed = group.strip_suffix(".k8s.io").unwrap_or(group);
    trimmed
        .split(['.', '-'])
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

fn query(name: &str, desc: &str) -> Value {
    json!({"name": name, "in": "query", "description": desc, "schema": {"type": "string", "uniqueItems": true}})
}

fn path_param(name: &str, desc: &str) -> Value {
    json!({"name": name, "in": "path", "description": desc, "required": true,
        "schema": {"type": "string", "uniqueItems": true}})
}

fn dry_run() -> Value {
    query(
        "dryRun",
        "When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed",
    )
}

fn field_manager() -> Value {
    query(
        "fieldManager",
        "fieldManager is a name associated with the actor or entity that is making these changes.",
    )
}

fn field_validation() -> Value {
    query(
        "fieldValidation",
        "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict",
    )
}

fn force() -> Value {
    json!({"name": "force", "in": "query", "description": "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people.",
        "schema": {"type": "boolean", "uniqueItems": true}})
}

fn json_content(schema: Value) -> Value {
    json!({"application/json": {"schema": schema.clone()}, "application/yaml": {"schema": schema.clone()},
        "application/vnd.kubernetes.protobuf": {"schema": schema}})
}

fn responses(codes: &[&str], schema: &Value) -> Value {
    let mut r = Map::new();
    for code in codes {
        let desc = match *code {
            "201" => "Created",
            "202" => "Accepted",
            _ => "OK",
        };
        r.insert(
            code.to_string(),
            json!({"description": desc, "content": json_content(schema.clone())}),
        );
    }
    r.insert("401".into(), json!({"description": "Unauthorized"}));
    Value::Object(r)
}

/// The group/version/kind an operation is about.
struct Gvk<'a> {
    group: &'a str,
    version: &'a str,
    kind: &'a str,
}

impl Gvk<'_> {
    fn json(&self) -> Value {
        json!({"group": self.group, "version": self.version, "kind": self.kind})
    }
}

#[allow(clippy::too_many_arguments)]
fn op(
    id: String,
    tag: &str,
    desc: String,
    action: &str,
    gvk: &Gvk<'_>,
    params: Vec<Value>,
    body: Option<Value>,
    resp: Value,
) -> Value {
    let mut o = json!({"tags": [tag], "description": desc, "operationId": id, "parameters": params,
        "responses": resp, "x-kubernetes-action": action, "x-kubernetes-group-version-kind": gvk.json()});
    if let Some(b) = body {
        o["requestBody"] = b;
    }
    o
}

/// PATCH bodies accepted for `rt`. Strategic merge patch is accepted by the server but not
/// advertised: kubectl computes strategic patches from the OpenAPI schema when one is
/// advertised, and the compact schemas here do not carry merge keys, so kubectl keeps using
/// its compiled-in types, which do.
fn patch_body() -> Value {
    let schema = reference(PATCH);
    json!({"content": {
        "application/apply-patch+yaml": {"schema": schema.clone()},
        "application/json-patch+json": {"schema": schema.clone()},
        "application/merge-patch+json": {"schema": schema}}, "required": true})
}

/// Adds the path items of `rt` to `paths`.
pub fn add_resource(paths: &mut Map<String, Value>, rt: &ResourceType) {
    let prefix = if rt.group.is_empty() {
        format!("/api/{}", rt.version)
    } else {
        format!("/apis/{}/{}", rt.group, rt.version)
    };
    let tag = if rt.group.is_empty() {
        format!("core_{}", rt.version)
    } else {
        format!(
            "{}_{}",
            rt.group
                .strip_suffix(".k8s.io")
                .unwrap_or(&rt.group)
                .replace('.', "_"),
            rt.version
        )
    };
    let gv = format!("{}{}", group_camel(&rt.group), upper_first(&rt.version));
    let scope = if rt.namespaced { "Namespaced" } else { "" };
    let kind = &rt.kind;
    let gvk = Gvk {
        group: &rt.group,
        version: &rt.version,
        kind,
    };
    let obj = reference(&kind_schema_name(rt));
    let list = reference(&format!("{}List", kind_schema_name(rt)));
    let coll = if rt.namespaced {
        format!("{prefix}/namespaces/{{namespace}}/{}", rt.plural)
    } else {
        format!("{prefix}/{}", rt.plural)
    };
    let item = format!("{coll}/{{name}}");
    let mut common = vec![query("pretty", "If 'true', then the output is pretty printed.")];
    if rt.namespaced {
        common.push(path_param(
            "namespace",
            "object name and auth scope, such as for teams and projects",
        ));
    }
    let name_param = path_param("name", &format!("name of the {kind}"));
    let write_params = || vec![dry_run(), field_manager(), field_validation()];
    let body = |schema: &Value| json!({"content": {"*/*": {"schema": schema}}, "required": true});

    let mut coll_item = Map::new();
    if rt.has_verb("list") {
        coll_item.insert(
            "get".into(),
            op(
                format!("list{gv}{scope}{kind}"),
                &tag,
                format!("list or watch objects of kind {kind}"),
                "list",
                &gvk,
                vec![],
                None,
                responses(&["200"], &list),
            ),
        );
    }
    if rt.has_verb("create") {
        coll_item.insert(
            "post".into(),
            op(
                format!("create{gv}{scope}{kind}"),
                &tag,
                format!("create a {kind}"),
                "post",
                &gvk,
                write_params(),
                Some(body(&obj)),
                responses(&["200", "201", "202"], &obj),
            ),
        );
    }
    if rt.has_verb("deletecollection") {
        coll_item.insert(
            "delete".into(),
            op(
                format!("deletecollection{gv}{scope}{kind}"),
                &tag,
                format!("delete collection of {kind}"),
                "deletecollection",
                &gvk,
                vec![dry_run()],
                Some(body(&reference(DELETE_OPTIONS))),
                responses(&["200"], &reference(STATUS)),
            ),
        );
    }
    if !coll_item.is_empty() {
        coll_item.insert("parameters".into(), json!(common));
        paths.insert(coll, Value::Object(coll_item));
    }

    let mut item_ops = Map::new();
    if rt.has_verb("get") {
        item_ops.insert(
            "get".into(),
            op(
                format!("read{gv}{scope}{kind}"),
                &tag,
                format!("read the specified {kind}"),
                "get",
                &gvk,
                vec![],
                None,
                responses(&["200"], &obj),
            ),
        );
    }
    if rt.has_verb("update") {
        item_ops.insert(
            "put".into(),
            op(
                format!("replace{gv}{scope}{kind}"),
                &tag,
                format!("replace the specified {kind}"),
                "put",
                &gvk,
                write_params(),
                Some(body(&obj)),
                responses(&["200", "201"], &obj),
            ),
        );
    }
    if rt.has_verb("patch") {
        let mut params = write_params();
        params.push(force());
        item_ops.insert(
            "patch".into(),
            op(
                format!("patch{gv}{scope}{kind}"),
                &tag,
                format!("partially update the specified {kind}"),
                "patch",
                &gvk,
                params,
                Some(patch_body()),
                responses(&["200", "201"], &obj),
            ),
        );
    }
    if rt.has_verb("delete") {
        item_ops.insert(
            "delete".into(),
            op(
                format!("delete{gv}{scope}{kind}"),
                &tag,
                format!("delete a {kind}"),
                "delete",
                &gvk,
                vec![dry_run()],
                Some(body(&reference(DELETE_OPTIONS))),
                responses(&["200", "202"], &reference(STATUS)),
            ),
        );
    }
    if !item_ops.is_empty() {
        let mut p = common.clone();
        p.insert(0, name_param.clone());
        item_ops.insert("parameters".into(), json!(p));
        paths.insert(item.clone(), Value::Object(item_ops));
    }

    if rt.namespaced && rt.has_verb("list") {
        let all = format!("{prefix}/{}", rt.plural);
        let mut get = Map::new();
        get.insert(
            "get".into(),
            op(
                format!("list{gv}{kind}ForAllNamespaces"),
                &tag,
                format!("list or watch objects of kind {kind}"),
                "list",
                &gvk,
                vec![],
                None,
                responses(&["200"], &list),
            ),
        );
        paths.insert(all, Value::Object(get));
    }

    for sub in &rt.subresources {
        add_subresource(paths, rt, sub, &item, &tag, &gv, scope, &common, &name_param);
    }
}

#[allow(clippy::too_many_arguments)]
fn add_subresource(
    paths: &mut Map<String, Value>,
    rt: &ResourceType,
    sub: &str,
    item: &str,
    tag: &str,
    gv: &str,
    scope: &str,
    common: &[Value],
    name_param: &Value,
) {
    let info = subresource_info(rt, sub);
    // Only subresources that read and write objects are described; streaming ones
    // (log, exec...) take no schema worth publishing.
    let (schema, sub_gvk) = match sub {
        "scale" => (
            reference(SCALE),
            Gvk {
                group: "autoscaling",
                version: "v1",
                kind: "Scale",
            },
        ),
        "eviction" => (
            reference(EVICTION),
            Gvk {
                group: "policy",
                version: "v1",
                kind: "Eviction",
            },
        ),
        "status" | "ephemeralcontainers" | "resize" | "approval" | "finalize" => (
            reference(&kind_schema_name(rt)),
            Gvk {
                group: &rt.group,
                version: &rt.version,
                kind: &rt.kind,
            },
        ),
        _ => return,
    };
    let kind = &rt.kind;
    let suffix = upper_first(sub);
    let body = json!({"content": {"*/*": {"schema": schema}}, "required": true});
    let write = || vec![dry_run(), field_manager(), field_validation()];
    let mut ops = Map::new();
    for verb in info.verbs {
        let (method, id, action, params, req, codes): (
            &str,
            String,
            &str,
            Vec<Value>,
            Option<Value>,
            &[&str],
        ) = match *verb {
            "get" => (
                "get",
                format!("read{gv}{scope}{kind}{suffix}"),
                "get",
                vec![],
                None,
                &["200"],
            ),
            "update" => (
                "put",
                format!("replace{gv}{scope}{kind}{suffix}"),
                "put",
                write(),
                Some(body.clone()),
                &["200", "201"],
            ),
            "patch" => {
                let mut p = write();
                p.push(force());
                (
                    "patch",
                    format!("patch{gv}{scope}{kind}{suffix}"),
                    "patch",
                    p,
                    Some(patch_body()),
                    &["200", "201"],
                )
            }
            "create" => (
                "post",
                format!("create{gv}{scope}{kind}{suffix}"),
                "post",
                write(),
                Some(body.clone()),
                &["200", "201", "202"],
            ),
            _ => continue,
        };
        ops.insert(
            method.into(),
            op(
                id,
                tag,
                format!("{action} {sub} of the specified {kind}"),
                action,
                &sub_gvk,
                params,
                req,
                responses(codes, &schema),
            ),
        );
    }
    if ops.is_empty() {
        return;
    }
    let mut p = common.to_vec();
    p.insert(0, name_param.clone());
    ops.insert("parameters".into(), json!(p));
    paths.insert(format!("{item}/{sub}"), Value::Object(ops));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_naming() {
        assert_eq!(group_camel(""), "Core");
        assert_eq!(group_camel("apps"), "Apps");
        assert_eq!(group_camel("rbac.authorization.k8s.io"), "RbacAuthorization");
        assert_eq!(
            group_camel("flowcontrol.apiserver.k8s.io"),
            "FlowcontrolApiserver"
        );
        assert_eq!(group_camel("stable.example.com"), "StableExampleCom");
        assert_eq!(upper_first("v1beta1"), "V1beta1");
    }
}
