//! Which clusters an operation targets: names and globs (`prod-*`), exclusions, and a label
//! selector over cluster labels (`env=prod,region!=eu`), or every registered cluster.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use wildmatch::WildMatch;

/// Why a selection could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    /// A name or glob matched no registered cluster.
    #[error("no cluster matches {pattern:?}; registered clusters: {known}")]
    NoMatch {
        /// The name or glob.
        pattern: String,
        /// Registered cluster names, comma-separated (or "none").
        known: String,
    },
    /// The label selector could not be parsed.
    #[error(
        "invalid cluster selector {input:?}: {reason} (expected e.g. env=prod,region!=eu,tier in (a,b),!legacy)"
    )]
    BadSelector {
        /// The selector text.
        input: String,
        /// What is wrong.
        reason: String,
    },
    /// Nothing was selected and there is no current cluster.
    #[error(
        "no cluster selected: pass --clusters NAME, --all-clusters, or set one with `kubegenie cluster use NAME`"
    )]
    NothingSelected,
}

/// One requirement on a cluster label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum LabelRequirement {
    /// `key=value` or `key==value`.
    Equals {
        /// Label key.
        key: String,
        /// Required value.
        value: String,
    },
    /// `key!=value` (also true when the label is absent).
    NotEquals {
        /// Label key.
        key: String,
        /// Excluded value.
        value: String,
    },
    /// `key in (a,b)`.
    In {
        /// Label key.
        key: String,
        /// Allowed values.
        values: Vec<String>,
    },
    /// `key notin (a,b)`.
    NotIn {
        /// Label key.
        key: String,
        /// Excluded values.
        values: Vec<String>,
    },
    /// `key`.
    Exists {
        /// Label key.
        key: String,
    },
    /// `!key`.
    DoesNotExist {
        /// Label key.
        key: String,
    },
}

impl LabelRequirement {
    /// Whether `labels` satisfy this requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        match self {
            Self::Equals { key, value } => labels.get(key) == Some(value),
            Self::NotEquals { key, value } => labels.get(key) != Some(value),
            Self::In { key, values } => labels.get(key).is_some_and(|v| values.contains(v)),
            Self::NotIn { key, values } => labels.get(key).is_none_or(|v| !values.contains(v)),
            Self::Exists { key } => labels.contains_key(key),
            Self::DoesNotExist { key } => !labels.contains_key(key),
        }
    }
}

/// Parses `env=prod,region!=eu,tier in (a,b),!legacy` into requirements.
pub fn parse_label_selector(input: &str) -> Result<Vec<LabelRequirement>, SelectionError> {
    let bad = |reason: String| SelectionError::BadSelector {
        input: input.to_string(),
        reason,
    };
    let mut out = Vec::new();
    for part in split_top_level(input) {
        let part = part.trim();
        if part.is_empty() {
            return Err(bad("empty requirement (a stray comma?)".into()));
        }
        let req = if let Some(key) = part.strip_prefix('!') {
            LabelRequirement::DoesNotExist {
                key: valid_key(key.trim()).map_err(&bad)?,
            }
        } else if let Some((k, v)) = part.split_once("!=") {
            LabelRequirement::NotEquals {
                key: valid_key(k.trim()).map_err(&bad)?,
                value: v.trim().to_string(),
            }
        } else if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
            LabelRequirement::Equals {
                key: valid_key(k.trim()).map_err(&bad)?,
                value: v.trim().to_string(),
            }
        } else if let Some((k, rest)) = split_set_op(part, " notin ") {
            LabelRequirement::NotIn {
                key: valid_key(k).map_err(&bad)?,
                values: set_values(rest).map_err(&bad)?,
            }
        } else if let Some((k, rest)) = split_set_op(part, " in ") {
            LabelRequirement::In {
                key: valid_key(k).map_err(&bad)?,
                values: set_values(rest).map_err(&bad)?,
            }
        } else {
            LabelRequirement::Exists {
                key: valid_key(part).map_err(&bad)?,
            }
        };
        out.push(req);
    }
    Ok(out)
}

/// Splits on commas outside parentheses.
fn split_top_level(s: &str) -> Vec<&str> {
    let (mut depth, mut start, mut parts) = (0i32, 0usize, Vec::new());
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if !s.trim().is_empty() {
        parts.push(&s[start..]);
    }
    parts
}

fn split_set_op<'a>(part: &'a str, op: &str) -> Option<(&'a str, &'a str)> {
    part.find(op)
        .map(|i| (part[..i].trim(), part[i + op.len()..].trim()))
}

fn set_values(rest: &str) -> Result<Vec<String>, String> {
    let inner = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| format!("expected a parenthesised value list, found {rest:?}"))?;
    let values: Vec<String> = inner
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    if values.is_empty() {
        return Err("a set needs at least one value".into());
    }
    Ok(values)
}

fn valid_key(key: &str) -> Result<String, String> {
    let ok = !key.is_empty()
        && key.len() <= 253
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    if ok {
        Ok(key.to_string())
    } else {
        Err(format!("invalid label key {key:?}"))
    }
}

/// The clusters an operation targets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ClusterSelection {
    /// Names or globs (`prod-*`); empty means "see `all`".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<String>,
    /// Names or globs to leave out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    /// Requirements on cluster labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub label_selector: Vec<LabelRequirement>,
    /// Every registered cluster (filtered by `exclude` and `label_selector`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
}

/// A registered cluster as selection sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate<'a> {
    /// Cluster name.
    pub name: &'a str,
    /// Cluster labels.
    pub labels: &'a BTreeMap<String, String>,
}

impl ClusterSelection {
    /// Resolves the selection against registered clusters, in registry order. `current` is the
    /// cluster chosen with `cluster use`, the default when nothing else is said.
    pub fn resolve(
        &self,
        registered: &[Candidate<'_>],
        current: Option<&str>,
    ) -> Result<Vec<String>, SelectionError> {
        let known = || {
            let names: Vec<&str> = registered.iter().map(|c| c.name).collect();
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        };
        let mut chosen: Vec<&Candidate<'_>> = if self.all
            || (self.clusters.is_empty() && !self.label_selector.is_empty())
        {
            registered.iter().collect()
        } else if self.clusters.is_empty() {
            let cur = current.ok_or(SelectionError::NothingSelected)?;
            let c = registered.iter().find(|c| c.name == cur);
            vec![c.ok_or_else(|| SelectionError::NoMatch {
                pattern: cur.to_string(),
                known: known(),
            })?]
        } else {
            let mut out = Vec::new();
            for pattern in &self.clusters {
                let glob = WildMatch::new(pattern);
                let hits: Vec<&Candidate<'_>> = registered.iter().filter(|c| glob.matches(c.name)).collect();
                if hits.is_empty() {
                    return Err(SelectionError::NoMatch {
                        pattern: pattern.clone(),
                        known: known(),
                    });
                }
                for h in hits {
                    if !out.iter().any(|o: &&Candidate<'_>| o.name == h.name) {
                        out.push(h);
                    }
                }
            }
            out
        };
        let excludes: Vec<WildMatch> = self.exclude.iter().map(|e| WildMatch::new(e)).collect();
        chosen.retain(|c| !excludes.iter().any(|e| e.matches(c.name)));
        chosen.retain(|c| self.label_selector.iter().all(|r| r.matches(c.labels)));
        Ok(chosen.into_iter().map(|c| c.name.to_string()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn globs_excludes_and_labels_combine() {
        let (a, b, c) = (
            labels(&[("env", "prod"), ("region", "us")]),
            labels(&[("env", "prod"), ("region", "eu")]),
            labels(&[("env", "staging")]),
        );
        let reg = [
            Candidate {
                name: "prod-us",
                labels: &a,
            },
            Candidate {
                name: "prod-eu",
                labels: &b,
            },
            Candidate {
                name: "staging",
                labels: &c,
            },
        ];
        let sel = ClusterSelection {
            clusters: vec!["prod-*".into()],
            ..Default::default()
        };
        assert_eq!(sel.resolve(&reg, None).unwrap(), ["prod-us", "prod-eu"]);
        let sel = ClusterSelection {
            all: true,
            exclude: vec!["*-eu".into()],
            ..Default::default()
        };
        assert_eq!(sel.resolve(&reg, None).unwrap(), ["prod-us", "staging"]);
        let sel = ClusterSelection {
            label_selector: parse_label_selector("env=prod,region!=eu").unwrap(),
            ..Default::default()
        };
        assert_eq!(sel.resolve(&reg, None).unwrap(), ["prod-us"]);
        assert_eq!(
            ClusterSelection::default()
                .resolve(&reg, Some("staging"))
                .unwrap(),
            ["staging"]
        );
    }

    #[test]
    fn a_glob_that_matches_nothing_names_the_registered_clusters() {
        let l = labels(&[]);
        let reg = [Candidate {
            name: "dev",
            labels: &l,
        }];
        let sel = ClusterSelection {
            clusters: vec!["prod-*".into()],
            ..Default::default()
        };
        let err = sel.resolve(&reg, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no cluster matches \"prod-*\"; registered clusters: dev"
        );
        assert_eq!(
            ClusterSelection::default().resolve(&reg, None).unwrap_err(),
            SelectionError::NothingSelected
        );
    }

    #[test]
    fn selector_syntax() {
        let r = parse_label_selector("tier in (a, b),!legacy,team,env==prod").unwrap();
        assert_eq!(r.len(), 4);
        assert!(r[0].matches(&labels(&[("tier", "b")])));
        assert!(r[1].matches(&labels(&[])));
        for bad in ["env=prod,,x", "tier in a,b", "bad key=1", "x in ()"] {
            let e = parse_label_selector(bad).unwrap_err();
            assert!(matches!(e, SelectionError::BadSelector { .. }), "{bad}: {e}");
        }
    }
}
