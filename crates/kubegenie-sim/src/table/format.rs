//! Formatting helpers shared by the printers, following apimachinery's string forms of labels
//! and label selectors and the printers' container and access-mode layouts.

use serde_json::Value;

/// A string field, `""` when absent or not a string.
pub fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// An integer field, 0 when absent; floats are truncated as Go's int conversion does.
pub fn int(v: &Value) -> i64 {
    v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)).unwrap_or(0)
}

/// The elements of an array field, none when absent.
pub fn items(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or(&[])
}

/// The number of entries of a map or array field.
pub fn len(v: &Value) -> i64 {
    match v {
        Value::Object(m) => m.len() as i64,
        Value::Array(a) => a.len() as i64,
        _ => 0,
    }
}

/// A value printed as Go's `%v`/`String()` would: strings bare, numbers in decimal.
pub fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `labels.FormatLabels`: `k=v` pairs sorted by key, `<none>` when empty.
pub fn labels(map: &Value) -> String {
    let Some(m) = map.as_object() else {
        return "<none>".to_string();
    };
    if m.is_empty() {
        return "<none>".to_string();
    }
    let mut pairs: Vec<(&String, String)> = m.iter().map(|(k, v)| (k, scalar(v))).collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// `metav1.LabelSelectorAsSelector(sel).String()`: requirements sorted by key; `Err` for an
/// unknown operator. A missing or empty selector is the empty string.
pub fn selector_string(sel: &Value) -> Result<String, ()> {
    let mut reqs: Vec<(String, String)> = Vec::new();
    if let Some(m) = sel["matchLabels"].as_object() {
        for (k, v) in m {
            reqs.push((k.clone(), format!("{k}={}", scalar(v))));
        }
    }
    for e in items(&sel["matchExpressions"]) {
        let key = s(&e["key"]).to_string();
        let mut values: Vec<String> = items(&e["values"]).iter().map(scalar).collect();
        values.sort();
        let text = match s(&e["operator"]) {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.clone(),
            "DoesNotExist" => format!("!{key}"),
            _ => return Err(()),
        };
        reqs.push((key, text));
    }
    reqs.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(reqs.into_iter().map(|(_, t)| t).collect::<Vec<_>>().join(","))
}

/// `metav1.FormatLabelSelector`: like [`selector_string`], `<none>` when empty and `<error>`
/// when invalid.
pub fn label_selector(sel: &Value) -> String {
    match selector_string(sel) {
        Ok(s) if s.is_empty() => "<none>".to_string(),
        Ok(s) => s,
        Err(()) => "<error>".to_string(),
    }
}

/// `layoutContainerCells`: container names and images, comma separated.
pub fn containers(list: &Value) -> (String, String) {
    let cs = items(list);
    let names: Vec<&str> = cs.iter().map(|c| s(&c["name"])).collect();
    let images: Vec<&str> = cs.iter().map(|c| s(&c["image"])).collect();
    (names.join(","), images.join(","))
}

/// `GetAccessModesAsString`: abbreviations in a fixed order, each once.
pub fn access_modes(modes: &Value) -> String {
    let has = |m: &str| items(modes).iter().any(|x| x.as_str() == Some(m));
    let mut out = Vec::new();
    for (mode, abbr) in [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ] {
        if has(mode) {
            out.push(abbr);
        }
    }
    out.join(",")
}

/// `printBoolPtr`: `True`, `False` or `<unset>`.
pub fn bool_ptr(v: &Value) -> String {
    match v.as_bool() {
        Some(true) => "True".to_string(),
        Some(false) => "False".to_string(),
        None => "<unset>".to_string(),
    }
}

/// Joins up to `max` entries and appends ` + N more...` for the rest, as the printers'
/// endpoint and port lists do; `empty` when there is nothing.
pub fn list_with_more(list: &[String], total: usize, max: usize, empty: &str) -> String {
    let shown: Vec<&str> = list.iter().take(max).map(String::as_str).collect();
    let ret = shown.join(",");
    if total > max {
        return format!("{ret} + {} more...", total - max);
    }
    if ret.is_empty() { empty.to_string() } else { ret }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn label_and_selector_strings() {
        assert_eq!(labels(&json!({"b": "2", "a": "1"})), "a=1,b=2");
        assert_eq!(labels(&json!({})), "<none>");
        assert_eq!(labels(&Value::Null), "<none>");
        let sel = json!({"matchLabels": {"app": "web"}, "matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["front", "back"]},
            {"key": "canary", "operator": "DoesNotExist"},
            {"key": "env", "operator": "NotIn", "values": ["dev"]},
            {"key": "zone", "operator": "Exists"}]});
        assert_eq!(
            label_selector(&sel),
            "app=web,!canary,env notin (dev),tier in (back,front),zone"
        );
        assert_eq!(label_selector(&json!({})), "<none>");
        assert_eq!(label_selector(&Value::Null), "<none>");
        assert_eq!(
            label_selector(&json!({"matchExpressions": [{"key": "a", "operator": "Bogus"}]})),
            "<error>"
        );
        assert_eq!(
            selector_string(&json!({"matchLabels": {"app": "web"}})),
            Ok("app=web".to_string())
        );
    }

    #[test]
    fn misc() {
        assert_eq!(
            access_modes(&json!(["ReadWriteMany", "ReadWriteOnce"])),
            "RWO,RWX"
        );
        assert_eq!(access_modes(&Value::Null), "");
        let (n, i) =
            containers(&json!([{"name": "app", "image": "nginx:1.27"}, {"name": "side", "image": "envoy"}]));
        assert_eq!((n.as_str(), i.as_str()), ("app,side", "nginx:1.27,envoy"));
        let l: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        assert_eq!(list_with_more(&l, 5, 3, "<unset>"), "a,b,c + 2 more...");
        assert_eq!(list_with_more(&[], 0, 3, "<unset>"), "<unset>");
        assert_eq!(bool_ptr(&json!(true)), "True");
        assert_eq!(bool_ptr(&Value::Null), "<unset>");
        assert_eq!(int(&json!(2.9)), 2);
    }
}
