//! The typed values an utterance carries, serialized in the stable JSON shape of
//! `kubegenie parse -o json`: unset slots are left out, kinds are lowercase plural resource
//! names, quantities and windows are Kubernetes-style strings.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Which clusters: named ones (names or globs) or every registered cluster.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
pub enum ClusterTarget {
    /// Names or globs (`prod-*`), in the order given.
    Named(Vec<String>),
    /// Every registered cluster (`"all"` in JSON).
    All,
}

impl Serialize for ClusterTarget {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ClusterTarget::Named(names) => names.serialize(s),
            ClusterTarget::All => s.serialize_str("all"),
        }
    }
}

impl<'de> Deserialize<'de> for ClusterTarget {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Word(String),
            Names(Vec<String>),
        }
        match Raw::deserialize(d)? {
            Raw::Word(w) if w == "all" => Ok(ClusterTarget::All),
            Raw::Word(w) => Err(serde::de::Error::custom(format!(
                "expected a list of clusters or \"all\", got {w:?}"
            ))),
            Raw::Names(n) => Ok(ClusterTarget::Named(n)),
        }
    }
}

/// A CPU amount in millicores; JSON `"500m"` or `"2"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, JsonSchema)]
#[schemars(with = "String")]
pub struct Cpu(pub u64);

/// A memory amount in bytes; JSON `"512Mi"`, `"2Gi"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, JsonSchema)]
#[schemars(with = "String")]
pub struct Memory(pub u64);

/// A time window reaching back from now, in seconds; JSON `"30m"`, `"2h"`, `"7d"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, JsonSchema)]
#[schemars(with = "String")]
pub struct Window(pub u64);

const MI: u64 = 1 << 20;
const GI: u64 = 1 << 30;

impl fmt::Display for Cpu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_multiple_of(1000) {
            write!(f, "{}", self.0 / 1000)
        } else {
            write!(f, "{}m", self.0)
        }
    }
}

impl fmt::Display for Memory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        if b.is_multiple_of(GI) {
            write!(f, "{}Gi", b / GI)
        } else if b.is_multiple_of(MI) {
            write!(f, "{}Mi", b / MI)
        } else if b.is_multiple_of(1024) {
            write!(f, "{}Ki", b / 1024)
        } else {
            write!(f, "{b}")
        }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        match s {
            _ if s > 0 && s.is_multiple_of(86_400) => write!(f, "{}d", s / 86_400),
            _ if s > 0 && s.is_multiple_of(3_600) => write!(f, "{}h", s / 3_600),
            _ if s > 0 && s.is_multiple_of(60) => write!(f, "{}m", s / 60),
            _ => write!(f, "{s}s"),
        }
    }
}

/// Parses a Kubernetes CPU quantity (`500m`, `0.5`, `2`).
pub fn parse_cpu(s: &str) -> Option<Cpu> {
    let (num, milli) = match s.strip_suffix('m') {
        Some(n) => (n, true),
        None => (s, false),
    };
    let v: f64 = num.parse().ok().filter(|v: &f64| v.is_finite() && *v > 0.0)?;
    let m = if milli { v } else { v * 1000.0 };
    (1.0..1e9).contains(&m).then(|| Cpu(m.round() as u64))
}

/// Parses a Kubernetes memory quantity (`512Mi`, `2Gi`, `1G`, `300M`, `1024Ki`).
pub fn parse_memory(s: &str) -> Option<Memory> {
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let v: f64 = num.parse().ok().filter(|v: &f64| v.is_finite() && *v > 0.0)?;
    let mult = match unit {
        "Ki" => 1024.0,
        "Mi" => MI as f64,
        "Gi" => GI as f64,
        "Ti" => (GI * 1024) as f64,
        "K" | "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "" => 1.0,
        _ => return None,
    };
    let b = v * mult;
    (1.0..1e16).contains(&b).then(|| Memory(b.round() as u64))
}

/// Parses `30m`, `2h`, `7d`, `1w`, `90s`.
pub fn parse_window(s: &str) -> Option<Window> {
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().ok()?;
    let unit_secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return None,
    };
    n.checked_mul(unit_secs).filter(|s| *s > 0).map(Window)
}

macro_rules! string_serde {
    ($t:ty, $parse:ident, $what:literal) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $parse(&s).ok_or_else(|| serde::de::Error::custom(format!("invalid {} {s:?}", $what)))
            }
        }
    };
}
string_serde!(Cpu, parse_cpu, "CPU quantity");
string_serde!(Memory, parse_memory, "memory quantity");
string_serde!(Window, parse_window, "time window");

/// CPU and memory amounts (requests or limits).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Amounts {
    /// CPU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Cpu>,
    /// Memory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Memory>,
}

impl Amounts {
    /// Neither CPU nor memory.
    pub fn is_empty(&self) -> bool {
        self.cpu.is_none() && self.memory.is_none()
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Everything an utterance said about what to act on. Unset slots are `None`/empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Slots {
    /// Target clusters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clusters: Option<ClusterTarget>,
    /// Namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Every namespace.
    #[serde(default, skip_serializing_if = "is_false")]
    pub all_namespaces: bool,
    /// Kind as the lowercase plural resource name (`pods`, `deployments`, `widgets`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Object name (node name for node intents, new name for provisioning).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Label selector over object labels (`app=web,tier!=db`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<String>,
    /// Desired replicas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    /// Autoscaler minimum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_replicas: Option<u32>,
    /// Autoscaler maximum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_replicas: Option<u32>,
    /// Autoscaler target CPU utilisation in percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_percent: Option<u32>,
    /// Requests to set.
    #[serde(default, skip_serializing_if = "Amounts::is_empty")]
    pub requests: Amounts,
    /// Limits to set.
    #[serde(default, skip_serializing_if = "Amounts::is_empty")]
    pub limits: Amounts,
    /// Time window reaching back from now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// Container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// Number of log lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tail: Option<u32>,
    /// Logs of the previous (crashed) container instance.
    #[serde(default, skip_serializing_if = "is_false")]
    pub previous: bool,
    /// Revision to roll back to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<u32>,
    /// Verb of an RBAC question (`delete`, `get`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verb: Option<String>,
    /// Grouping of a report (`team`, `namespace`, `cluster`, a label key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_by: Option<String>,
    /// Sort key of a usage listing (`cpu` or `memory`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<String>,
    /// Kind of resource to provision (`database`, `bucket`, `cache`, `queue`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// Engine of a provisioned resource (`postgres`, `mysql`, `redis`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    /// Cloud provider (`aws`, `gcp`, `azure`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Cloud region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Node count of a new cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_count: Option<u32>,
    /// API server URL of a cluster to add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Slots {
    /// The named target clusters, if any.
    pub fn cluster_names(&self) -> &[String] {
        match &self.clusters {
            Some(ClusterTarget::Named(n)) => n,
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_print_kubernetes_style() {
        assert_eq!(parse_cpu("500m").unwrap().to_string(), "500m");
        assert_eq!(parse_cpu("0.5").unwrap().to_string(), "500m");
        assert_eq!(parse_cpu("2").unwrap().to_string(), "2");
        assert_eq!(parse_memory("512Mi").unwrap().to_string(), "512Mi");
        assert_eq!(parse_memory("1.5Gi").unwrap().to_string(), "1536Mi");
        assert_eq!(parse_window("1w").unwrap().to_string(), "7d");
        assert_eq!(parse_window("90m").unwrap().to_string(), "90m");
        assert_eq!(parse_window("120m").unwrap().to_string(), "2h");
        assert!(parse_cpu("-1").is_none() && parse_memory("5Xi").is_none() && parse_window("0h").is_none());
    }

    #[test]
    fn json_shape_is_stable() {
        let s = Slots {
            clusters: Some(ClusterTarget::All),
            kind: Some("pods".into()),
            limits: Amounts {
                cpu: None,
                memory: Some(Memory(GI)),
            },
            ..Default::default()
        };
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"clusters": "all", "kind": "pods", "limits": {"memory": "1Gi"}})
        );
        let back: Slots = serde_json::from_value(v).unwrap();
        assert_eq!(back, s);
        let named: Slots = serde_json::from_str(r#"{"clusters": ["prod-*"]}"#).unwrap();
        assert_eq!(named.cluster_names(), ["prod-*"]);
        assert!(serde_json::from_str::<Slots>(r#"{"clusters": "some"}"#).is_err());
    }
}
