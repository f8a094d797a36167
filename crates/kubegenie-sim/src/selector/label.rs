//! Label selectors, a port of k8s.io/apimachinery/pkg/labels/selector.go: the same lexer,
//! parser, validation and error texts, because kubectl users see these messages verbatim.

use crate::error::{ApiError, Result};
use crate::validation::field::{Bad, go_quote, invalid_message};
use crate::validation::names::{is_qualified_name, is_valid_label_value};
use serde_json::{Map, Value};
use std::fmt;

/// A selector operator (`selection.Operator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// `=`
    Equals,
    /// `==`
    DoubleEquals,
    /// `!=`
    NotEquals,
    /// `in (..)`
    In,
    /// `notin (..)`
    NotIn,
    /// `key`
    Exists,
    /// `!key`
    DoesNotExist,
    /// `>`
    GreaterThan,
    /// `<`
    LessThan,
}

/// One requirement of a selector, e.g. `env in (a,b)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// Label key.
    pub key: String,
    /// Operator.
    pub op: Operator,
    /// Values (empty for Exists / DoesNotExist).
    pub values: Vec<String>,
}

impl Requirement {
    /// `labels.NewRequirement`: validates key, operator arity and values; the error is the
    /// aggregate message kube prints.
    pub fn new(key: &str, op: Operator, values: Vec<String>) -> std::result::Result<Self, String> {
        let mut errs: Vec<String> = Vec::new();
        if let Some(e) = validate_key(key, "key") {
            errs.push(e);
        }
        let vals = go_values(&values);
        match op {
            Operator::In | Operator::NotIn if values.is_empty() => errs.push(invalid_message(
                "values",
                &Bad::Raw(vals),
                "for 'in', 'notin' operators, values set can't be empty",
            )),
            Operator::Equals | Operator::DoubleEquals | Operator::NotEquals if values.len() != 1 => errs
                .push(invalid_message(
                    "values",
                    &Bad::Raw(vals),
                    "exact-match compatibility requires one single value",
                )),
            Operator::Exists | Operator::DoesNotExist if !values.is_empty() => errs.push(invalid_message(
                "values",
                &Bad::Raw(vals),
                "values set must be empty for exists and does not exist",
            )),
            Operator::GreaterThan | Operator::LessThan => {
                if values.len() != 1 {
                    errs.push(invalid_message(
                        "values",
                        &Bad::Raw(vals),
                        "for 'Gt', 'Lt' operators, exactly one value is required",
                    ));
                }
                for (i, v) in values.iter().enumerate() {
                    if v.parse::<i64>().is_err() {
                        errs.push(invalid_message(
                            &format!("values[{i}]"),
                            &Bad::Str(v),
                            "for 'Gt', 'Lt' operators, the value must be an integer",
                        ));
                    }
                }
            }
            _ => {}
        }
        for (i, v) in values.iter().enumerate() {
            let msgs = is_valid_label_value(v);
            if !msgs.is_empty() {
                errs.push(invalid_message(
                    &format!("values[{i}][{key}]"),
                    &Bad::Str(v),
                    &msgs.join("; "),
                ));
            }
        }
        match aggregate(errs) {
            Some(e) => Err(e),
            None => Ok(Self {
                key: key.to_string(),
                op,
                values,
            }),
        }
    }

    /// `Requirement.Matches`.
    pub fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        let got = labels
            .and_then(|l| l.get(&self.key))
            .map(|v| v.as_str().unwrap_or_default());
        let has = |v: &str| self.values.iter().any(|x| x == v);
        match self.op {
            Operator::In | Operator::Equals | Operator::DoubleEquals => got.is_some_and(has),
            Operator::NotIn | Operator::NotEquals => !got.is_some_and(has),
            Operator::Exists => got.is_some(),
            Operator::DoesNotExist => got.is_none(),
            Operator::GreaterThan | Operator::LessThan => {
                let (Some(Ok(have)), [want]) = (got.map(str::parse::<i64>), self.values.as_slice()) else {
                    return false;
                };
                let Ok(want) = want.parse::<i64>() else {
                    return false;
                };
                if self.op == Operator::GreaterThan {
                    have > want
                } else {
                    have < want
                }
            }
        }
    }
}

impl fmt::Display for Requirement {
    /// `Requirement.String`: the canonical form (set values sorted).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.op == Operator::DoesNotExist {
            f.write_str("!")?;
        }
        f.write_str(&self.key)?;
        let op = match self.op {
            Operator::Equals => "=",
            Operator::DoubleEquals => "==",
            Operator::NotEquals => "!=",
            Operator::In => " in ",
            Operator::NotIn => " notin ",
            Operator::GreaterThan => ">",
            Operator::LessThan => "<",
            Operator::Exists | Operator::DoesNotExist => return Ok(()),
        };
        f.write_str(op)?;
        let mut vals = self.values.clone();
        vals.sort();
        let set = matches!(self.op, Operator::In | Operator::NotIn);
        if set {
            f.write_str("(")?;
        }
        f.write_str(&vals.join(","))?;
        if set {
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// `%#v` of a Go `[]string` (kube prints the values slice this way in arity errors).
fn go_values(v: &[String]) -> String {
    let body: Vec<String> = v.iter().map(|s| go_quote(s)).collect();
    format!("[]string{{{}}}", body.join(", "))
}

/// `utilerrors.NewAggregate(..).Error()`: one message alone, several in brackets, deduplicated.
fn aggregate(errs: Vec<String>) -> Option<String> {
    let mut uniq: Vec<String> = Vec::new();
    for e in errs {
        if !uniq.contains(&e) {
            uniq.push(e);
        }
    }
    match uniq.len() {
        0 => None,
        1 => uniq.pop(),
        _ => Some(format!("[{}]", uniq.join(", "))),
    }
}

pub(super) fn validate_key(key: &str, path: &str) -> Option<String> {
    let msgs = is_qualified_name(key);
    (!msgs.is_empty()).then(|| invalid_message(path, &Bad::Str(key), &msgs.join("; ")))
}

/// A parsed label selector (`app=web,tier!=db,env in (a,b),!legacy`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector {
    reqs: Vec<Requirement>,
    /// `labels.Nothing()`: the selector of a nil `metav1.LabelSelector`, which matches nothing.
    nothing: bool,
}

impl LabelSelector {
    /// A selector that matches everything.
    pub fn everything() -> Self {
        Self::default()
    }

    /// A selector that matches nothing (`labels.Nothing()`).
    pub fn nothing() -> Self {
        Self {
            reqs: Vec::new(),
            nothing: true,
        }
    }

    /// Parses the string form (`labels.Parse`); the error is a 400 BadRequest with kube's message.
    pub fn parse(s: &str) -> Result<Self> {
        let mut reqs = super::parser::parse(s).map_err(ApiError::bad_request)?;
        // kube sorts by key for deterministic output; a stable sort keeps duplicates in order.
        reqs.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(Self { reqs, nothing: false })
    }

    /// Whether the selector selects everything.
    pub fn is_empty(&self) -> bool {
        !self.nothing && self.reqs.is_empty()
    }

    /// The requirements, sorted by key.
    pub fn requirements(&self) -> &[Requirement] {
        &self.reqs
    }

    /// Whether `labels` (an object's `metadata.labels`) match.
    pub fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        !self.nothing && self.reqs.iter().all(|r| r.matches(labels))
    }

    /// The selector of a `metav1.LabelSelector` object (`metav1.LabelSelectorAsSelector`):
    /// `null` matches nothing, `{}` matches everything.
    pub fn from_object(sel: &Value) -> Result<Self> {
        let obj = match sel {
            Value::Null => return Ok(Self::nothing()),
            Value::Object(o) => o,
            _ => return Err(ApiError::bad_request("invalid label selector: not an object")),
        };
        let mut reqs = Vec::new();
        if let Some(m) = obj.get("matchLabels").and_then(Value::as_object) {
            for (k, v) in m {
                let v = v.as_str().unwrap_or_default().to_string();
                reqs.push(Requirement::new(k, Operator::Equals, vec![v]).map_err(ApiError::bad_request)?);
            }
        }
        for expr in obj
            .get("matchExpressions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = expr.get("key").and_then(Value::as_str).unwrap_or_default();
            let op_name = expr.get("operator").and_then(Value::as_str).unwrap_or_default();
            let op = match op_name {
                "In" => Operator::In,
                "NotIn" => Operator::NotIn,
                "Exists" => Operator::Exists,
                "DoesNotExist" => Operator::DoesNotExist,
                other => {
                    return Err(ApiError::bad_request(format!(
                        "{} is not a valid label selector operator",
                        go_quote(other)
                    )));
                }
            };
            let values: Vec<String> = expr
                .get("values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|v| v.as_str().unwrap_or_default().to_string())
                .collect();
            reqs.push(Requirement::new(key, op, values).map_err(ApiError::bad_request)?);
        }
        reqs.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(Self { reqs, nothing: false })
    }
}

impl fmt::Display for LabelSelector {
    /// The canonical string form (`Selector.String()`), e.g. for Scale `status.selector`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.reqs.iter().map(Requirement::to_string).collect();
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
#[path = "label_tests.rs"]
mod tests;
