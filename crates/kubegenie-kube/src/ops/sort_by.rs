//! `--sort-by`: the JSONPath subset kubectl accepts there (`.metadata.name`,
//! `{.metadata.creationTimestamp}`, `.status.containerStatuses[0].restartCount`,
//! `.metadata.labels['app.kubernetes.io/name']`), and kubectl's ordering of the values it
//! finds: numbers by value, strings (timestamps included) lexically, objects without the
//! field first. Rows from all clusters are sorted together.

use serde_json::Value;
use std::cmp::Ordering;

/// Why a `--sort-by` expression was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid --sort-by {input:?}: {reason} (expected a JSONPath such as .metadata.name or .status.containerStatuses[0].restartCount)"
)]
pub struct SortKeyError {
    /// What was given.
    pub input: String,
    /// What is wrong.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Field(String),
    Index(usize),
}

/// A parsed `--sort-by` expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    expr: String,
    steps: Vec<Step>,
}

impl SortKey {
    /// Parses an expression, with or without the surrounding `{}`.
    pub fn parse(input: &str) -> Result<Self, SortKeyError> {
        let bad = |reason: &str| SortKeyError {
            input: input.to_string(),
            reason: reason.to_string(),
        };
        let mut s = input.trim();
        if let Some(inner) = s.strip_prefix('{') {
            s = inner.strip_suffix('}').ok_or_else(|| bad("unclosed '{'"))?;
        }
        if !s.starts_with('.') && !s.starts_with('[') {
            return Err(bad("it must start with '.'"));
        }
        let mut steps = Vec::new();
        let mut rest = s;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('.') {
                let end = r.find(['.', '[']).unwrap_or(r.len());
                let name = &r[..end];
                if name.is_empty() {
                    return Err(bad("empty field name"));
                }
                steps.push(Step::Field(name.to_string()));
                rest = &r[end..];
            } else if let Some(r) = rest.strip_prefix('[') {
                let end = r.find(']').ok_or_else(|| bad("unclosed '['"))?;
                let inside = r[..end].trim();
                let quoted = inside
                    .strip_prefix('\'')
                    .and_then(|q| q.strip_suffix('\''))
                    .or_else(|| inside.strip_prefix('"').and_then(|q| q.strip_suffix('"')));
                match quoted {
                    Some(name) => steps.push(Step::Field(name.to_string())),
                    None => {
                        let i = inside
                            .parse()
                            .map_err(|_| bad("only [N] indexes and ['name'] keys are supported"))?;
                        steps.push(Step::Index(i));
                    }
                }
                rest = &r[end + 1..];
            } else {
                return Err(bad("expected '.' or '['"));
            }
        }
        if steps.is_empty() {
            return Err(bad("no field"));
        }
        Ok(Self {
            expr: input.to_string(),
            steps,
        })
    }

    /// The expression as given.
    pub fn as_str(&self) -> &str {
        &self.expr
    }

    /// The value the expression selects in `obj`.
    pub fn value<'a>(&self, obj: &'a Value) -> Option<&'a Value> {
        self.steps.iter().try_fold(obj, |v, step| match step {
            Step::Field(f) => v.get(f),
            Step::Index(i) => v.get(*i),
        })
    }

    /// kubectl's order of two objects under this key.
    pub fn compare(&self, a: &Value, b: &Value) -> Ordering {
        compare_values(self.value(a), self.value(b))
    }
}

fn rank(v: Option<&Value>) -> u8 {
    match v {
        None | Some(Value::Null) => 0,
        Some(Value::Bool(_)) => 1,
        Some(Value::Number(_)) => 2,
        Some(Value::String(_)) => 3,
        Some(Value::Array(_)) | Some(Value::Object(_)) => 4,
    }
}

fn compare_values(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => {
            let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            x.partial_cmp(&y).unwrap_or(Ordering::Equal)
        }
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (Some(x @ (Value::Array(_) | Value::Object(_))), Some(y @ (Value::Array(_) | Value::Object(_)))) => {
            x.to_string().cmp(&y.to_string())
        }
        _ => rank(a).cmp(&rank(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_kubectl_expressions() {
        let k = SortKey::parse("{.status.containerStatuses[0].restartCount}").unwrap();
        let pod = json!({"status": {"containerStatuses": [{"restartCount": 7}]}});
        assert_eq!(k.value(&pod), Some(&json!(7)));
        let k = SortKey::parse(".metadata.labels['app.kubernetes.io/name']").unwrap();
        let o = json!({"metadata": {"labels": {"app.kubernetes.io/name": "web"}}});
        assert_eq!(k.value(&o), Some(&json!("web")));
        for bad in ["metadata.name", ".a[", ".a..b", "{.a", ".a[*]", ""] {
            let e = SortKey::parse(bad).unwrap_err();
            assert!(e.to_string().contains("invalid --sort-by"), "{bad}: {e}");
        }
    }

    #[test]
    fn orders_numbers_by_value_and_missing_first() {
        let k = SortKey::parse(".n").unwrap();
        let mut v = [json!({"n": 10}), json!({"n": 9}), json!({}), json!({"n": 1.5})];
        v.sort_by(|a, b| k.compare(a, b));
        assert_eq!(
            v,
            [json!({}), json!({"n": 1.5}), json!({"n": 9}), json!({"n": 10})]
        );
        let k = SortKey::parse(".t").unwrap();
        let (early, late) = (
            json!({"t": "2026-01-02T00:00:00Z"}),
            json!({"t": "2026-11-01T00:00:00Z"}),
        );
        assert_eq!(k.compare(&early, &late), Ordering::Less);
    }
}
