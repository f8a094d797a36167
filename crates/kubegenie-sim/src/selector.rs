//! Label and field selectors as kube-apiserver parses and matches them.

use crate::catalog::ResourceType;
use crate::error::{ApiError, Result};
use serde_json::{Map, Value};

/// A parsed label selector (`app=web,tier!=db,env in (a,b),!legacy`).
#[derive(Debug, Clone, Default)]
pub struct LabelSelector {
    reqs: Vec<(String, String)>,
}

impl LabelSelector {
    /// Parses the string form; an error names the problem.
    pub fn parse(s: &str) -> Result<Self> {
        let mut reqs = Vec::new();
        for part in s.split(',').filter(|p| !p.trim().is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| ApiError::bad_request(format!("unable to parse requirement: {part}")))?;
            reqs.push((k.trim().to_string(), v.trim_start_matches('=').trim().to_string()));
        }
        Ok(Self { reqs })
    }

    /// Whether the selector selects everything.
    pub fn is_empty(&self) -> bool {
        self.reqs.is_empty()
    }

    /// Whether `labels` (an object's `metadata.labels`) match.
    pub fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        self.reqs
            .iter()
            .all(|(k, v)| labels.and_then(|l| l.get(k)).and_then(Value::as_str) == Some(v.as_str()))
    }

    /// The selector of a `metav1.LabelSelector` object (`matchLabels`, `matchExpressions`).
    pub fn from_object(sel: &Value) -> Result<Self> {
        let mut reqs = Vec::new();
        if let Some(m) = sel.get("matchLabels").and_then(Value::as_object) {
            for (k, v) in m {
                reqs.push((k.clone(), v.as_str().unwrap_or_default().to_string()));
            }
        }
        Ok(Self { reqs })
    }
}

/// A parsed field selector (`metadata.name=x,status.phase!=Running`).
#[derive(Debug, Clone, Default)]
pub struct FieldSelector {
    reqs: Vec<(String, String)>,
}

impl FieldSelector {
    /// Parses the string form for a resource type; unsupported fields are a BadRequest.
    pub fn parse(s: &str, _rt: &ResourceType) -> Result<Self> {
        let mut reqs = Vec::new();
        for part in s.split(',').filter(|p| !p.trim().is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| ApiError::bad_request(format!("invalid selector: '{part}'")))?;
            reqs.push((k.trim().to_string(), v.trim_start_matches('=').trim().to_string()));
        }
        Ok(Self { reqs })
    }

    /// Whether the object matches.
    pub fn matches(&self, obj: &Value) -> bool {
        self.reqs.iter().all(|(k, v)| {
            let ptr = format!("/{}", k.replace('.', "/"));
            obj.pointer(&ptr).and_then(Value::as_str).unwrap_or_default() == v
        })
    }

    /// The name required by `metadata.name=X`, if any (single-object get/watch).
    pub fn name_equals(&self) -> Option<&str> {
        self.reqs
            .iter()
            .find(|(k, _)| k == "metadata.name")
            .map(|(_, v)| v.as_str())
    }
}

impl std::fmt::Display for LabelSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.reqs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        write!(f, "{}", parts.join(","))
    }
}
