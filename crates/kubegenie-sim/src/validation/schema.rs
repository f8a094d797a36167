//! Custom resources against their CRD's structural `openAPIV3Schema`: pruning (unknown fields)
//! and the value checks kube-openapi performs, with the messages apiextensions-apiserver shows.

use super::field::{Bad, FieldErrors};
use super::unknown::{join, unknown_in_meta};
use serde_json::{Map, Value};

fn flag(schema: &Value, key: &str) -> bool {
    schema.get(key).and_then(Value::as_bool) == Some(true)
}

/// Unknown fields of a custom resource: whatever structural pruning would drop.
pub(super) fn unknown_in_cr(schema: &Value, obj: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(schema, obj, "", true, &mut out);
    out
}

fn walk(schema: &Value, v: &Value, path: &str, resource: bool, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            let props = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties");
            let preserve = flag(schema, "x-kubernetes-preserve-unknown-fields");
            for (k, child) in m {
                let p = join(path, k);
                // A resource (the root or an embedded one) always carries type and object meta.
                if resource && (k == "apiVersion" || k == "kind") {
                    continue;
                }
                if resource && k == "metadata" {
                    unknown_in_meta(child, &p, out);
                    continue;
                }
                if let Some(ps) = props.and_then(|p| p.get(k)) {
                    walk(ps, child, &p, flag(ps, "x-kubernetes-embedded-resource"), out);
                } else if let Some(a @ Value::Object(_)) = additional {
                    walk(a, child, &p, flag(a, "x-kubernetes-embedded-resource"), out);
                } else if !(preserve || additional == Some(&Value::Bool(true))) {
                    out.push(p);
                }
            }
        }
        Value::Array(items) => {
            if let Some(s) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    walk(
                        s,
                        item,
                        &format!("{path}[{i}]"),
                        flag(s, "x-kubernetes-embedded-resource"),
                        out,
                    );
                }
            }
        }
        _ => {}
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_ok(want: &str, v: &Value) -> bool {
    let got = type_name(v);
    got == want || (want == "number" && got == "integer")
}

/// `%v` of a JSON scalar as Go prints the decoded value.
fn go_value(v: &Value) -> Bad<'_> {
    match v {
        Value::String(s) => Bad::Str(s),
        Value::Number(n) => n.as_i64().map_or_else(|| Bad::Raw(n.to_string()), Bad::Int),
        other => Bad::Raw(other.to_string()),
    }
}

/// Validates a custom resource's fields (not metadata) against the schema.
pub(super) fn validate_cr(schema: &Value, obj: &Value, errs: &mut FieldErrors) {
    let Some(m) = obj.as_object() else { return };
    let props = schema.get("properties").and_then(Value::as_object);
    for key in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !m.contains_key(key) && !matches!(key, "apiVersion" | "kind" | "metadata") {
            errs.required(key, "");
        }
    }
    for (k, v) in m {
        if matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
            continue;
        }
        if let Some(ps) = props.and_then(|p| p.get(k)) {
            check(ps, v, k, errs, 0);
        }
    }
}

fn check(schema: &Value, v: &Value, path: &str, errs: &mut FieldErrors, depth: usize) {
    // Bound recursion on hostile input; real schemas are far shallower.
    if depth > 64 || v.is_null() {
        return;
    }
    if flag(schema, "x-kubernetes-int-or-string") {
        if !matches!(type_name(v), "integer" | "string") {
            let detail = format!(
                "{path} in body must be of type int-or-string: \"{}\"",
                type_name(v)
            );
            errs.invalid(path, Bad::Str(type_name(v)), &detail);
        }
        return;
    }
    if let Some(want) = schema.get("type").and_then(Value::as_str)
        && !type_ok(want, v)
    {
        let detail = format!("{path} in body must be of type {want}: \"{}\"", type_name(v));
        errs.invalid(path, Bad::Str(type_name(v)), &detail);
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(v)
    {
        let names: Vec<String> = allowed
            .iter()
            .map(|a| a.as_str().map_or_else(|| a.to_string(), str::to_string))
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let shown = v.as_str().map_or_else(|| v.to_string(), str::to_string);
        errs.not_supported(path, &shown, &refs);
    }
    match v {
        Value::Number(n) => check_number(schema, n.as_f64().unwrap_or_default(), v, path, errs),
        Value::String(s) => {
            let len = s.chars().count() as u64;
            if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
                && len > max
            {
                errs.too_long(path, usize::try_from(max).unwrap_or(usize::MAX));
            }
            if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
                && len < min
            {
                errs.invalid(
                    path,
                    Bad::Str(s),
                    &format!("{path} in body should be at least {min} chars long"),
                );
            }
        }
        Value::Array(items) => {
            if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
                && items.len() as u64 > max
            {
                let detail = format!("must have at most {max} items");
                errs.invalid_typed(
                    "FieldValueTooMany",
                    path,
                    "Too many",
                    Bad::Int(items.len() as i64),
                    &detail,
                );
            }
            if let Some(s) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check(s, item, &format!("{path}[{i}]"), errs, depth + 1);
                }
            }
        }
        Value::Object(m) => check_object(schema, m, path, errs, depth),
        _ => {}
    }
}

fn check_number(schema: &Value, n: f64, v: &Value, path: &str, errs: &mut FieldErrors) {
    let bound = |k: &str| schema.get(k).and_then(Value::as_f64);
    if let Some(min) = bound("minimum") {
        let exclusive = flag(schema, "exclusiveMinimum");
        if n < min || (exclusive && n <= min) {
            let rel = if exclusive {
                "greater than"
            } else {
                "greater than or equal to"
            };
            errs.invalid(
                path,
                go_value(v),
                &format!("{path} in body should be {rel} {}", trim_float(min)),
            );
        }
    }
    if let Some(max) = bound("maximum") {
        let exclusive = flag(schema, "exclusiveMaximum");
        if n > max || (exclusive && n >= max) {
            let rel = if exclusive {
                "less than"
            } else {
                "less than or equal to"
            };
            errs.invalid(
                path,
                go_value(v),
                &format!("{path} in body should be {rel} {}", trim_float(max)),
            );
        }
    }
}

/// Go's `%v` of a float64 bound: integral values without a fraction.
fn trim_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

fn check_object(schema: &Value, m: &Map<String, Value>, path: &str, errs: &mut FieldErrors, depth: usize) {
    if flag(schema, "x-kubernetes-embedded-resource") {
        return;
    }
    for key in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !m.contains_key(key) {
            errs.required(&join(path, key), "");
        }
    }
    let props = schema.get("properties").and_then(Value::as_object);
    let additional = schema.get("additionalProperties").filter(|a| a.is_object());
    for (k, child) in m {
        if let Some(ps) = props.and_then(|p| p.get(k)).or(additional) {
            check(ps, child, &join(path, k), errs, depth + 1);
        }
    }
}
