//! Reading scenario files: YAML parsing with serde-saphyr, wrapped so every error names the
//! file, the line and column, and the field path (`clusters[1].nodePools[0].instanceType`), then
//! checks YAML cannot express (names that must exist, durations, instance types per provider).

use super::format::{ClusterSpec, Scenario, TimelineEntry, Workload, WorkloadKind};
use super::nodes::{self, Provider};
use serde_saphyr::{Location, Spanned};
use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;
use std::time::Duration;

/// A scenario that cannot be used, with where the problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// File (or `<demo>`, `<scale>` for built-in scenarios).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u64>,
    /// 1-based column, when known.
    pub column: Option<u64>,
    /// Field path, e.g. `clusters[0].workloads[2].image`.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ScenarioError {}

impl ScenarioError {
    /// An error without a position (I/O, a whole-file problem).
    pub fn whole(file: &str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_string(),
            line: None,
            column: None,
            field: None,
            message: message.into(),
        }
    }

    fn at(file: &str, loc: Location, field: String, message: impl Into<String>) -> Self {
        let known = loc != Location::UNKNOWN;
        Self {
            file: file.to_string(),
            line: known.then(|| loc.line()),
            column: known.then(|| loc.column()),
            field: Some(field),
            message: message.into(),
        }
    }
}

/// Reads and checks the scenario file at `path`.
pub fn load_file(path: &Path) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::whole(&file, e.to_string()))?;
    parse(&file, &text)
}

/// Parses and checks scenario text; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    let mut path = None;
    let parsed = serde_saphyr::with_deserializer_from_str(text, |de| {
        serde_path_to_error::deserialize::<_, Scenario>(de).map_err(|e| {
            path = Some(e.path().to_string());
            e.into_inner()
        })
    });
    let scenario = parsed.map_err(|e| {
        let loc = e.location();
        let message = plain_message(&e.to_string());
        let field = path.filter(|p| !p.is_empty() && p != ".");
        ScenarioError {
            file: file.to_string(),
            line: loc.map(|l| l.line()),
            column: loc.map(|l| l.column()),
            field,
            message,
        }
    })?;
    validate(file, &scenario)?;
    Ok(scenario)
}

/// The parser's message without the position it repeats ("error: line 7 column 29: ...",
/// "... at line 7 column 29") or the source snippet that follows it.
fn plain_message(text: &str) -> String {
    let first = text.lines().next().unwrap_or_default();
    let mut m = first.strip_prefix("error: ").unwrap_or(first);
    if m.starts_with("line ")
        && let Some((_, rest)) = m.split_once(": ")
    {
        m = rest;
    }
    m.split(" at line ").next().unwrap_or(m).trim().to_string()
}

/// A timeline offset: `+90s`, `10m`, `+1h30m`, `+2d`.
pub fn parse_offset(text: &str) -> Option<Duration> {
    let s = text.trim().trim_start_matches('+');
    if s.is_empty() {
        return None;
    }
    let mut total = 0f64;
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let unit = match c {
            's' => 1.0,
            'm' => 60.0,
            'h' => 3600.0,
            'd' => 86400.0,
            _ => return None,
        };
        total += num.parse::<f64>().ok()? * unit;
        num.clear();
    }
    if !num.is_empty() {
        return None;
    }
    Some(Duration::from_secs_f64(total))
}

/// Kubernetes version with its `v`, or `None` when it is not `X.Y.Z`.
pub fn normalize_version(v: &str) -> Option<String> {
    let bare = v.strip_prefix('v').unwrap_or(v);
    let parts: Vec<&str> = bare.split('.').collect();
    let numeric = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
    (parts.len() == 3 && parts.iter().all(|p| numeric(p))).then(|| format!("v{bare}"))
}

fn dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

struct Check<'a> {
    file: &'a str,
}

impl Check<'_> {
    fn err<T>(&self, s: &Spanned<T>, field: String, message: impl Into<String>) -> ScenarioError {
        ScenarioError::at(self.file, s.referenced, field, message)
    }
}

/// Checks what the types cannot: references, names, durations, instance types.
pub fn validate(file: &str, scenario: &Scenario) -> Result<(), ScenarioError> {
    let ck = Check { file };
    if scenario.clusters.is_empty() {
        return Err(ScenarioError {
            field: Some("clusters".into()),
            ..ScenarioError::whole(file, "a scenario needs at least one cluster")
        });
    }
    let mut names = BTreeSet::new();
    for (i, c) in scenario.clusters.iter().enumerate() {
        let f = format!("clusters[{i}]");
        if !dns_label(&c.name.value) {
            return Err(ck.err(
                &c.name,
                format!("{f}.name"),
                "must be a DNS label (a-z, 0-9, '-')",
            ));
        }
        if !names.insert(c.name.value.as_str()) {
            return Err(ck.err(
                &c.name,
                format!("{f}.name"),
                format!("duplicate cluster {:?}", c.name.value),
            ));
        }
    }
    for (i, c) in scenario.clusters.iter().enumerate() {
        cluster(&ck, &format!("clusters[{i}]"), c, &names)?;
    }
    Ok(())
}

fn cluster(ck: &Check<'_>, f: &str, c: &ClusterSpec, names: &BTreeSet<&str>) -> Result<(), ScenarioError> {
    if let Some(v) = &c.kubernetes_version
        && normalize_version(v).is_none()
    {
        return Err(ck.err(
            &c.name,
            format!("{f}.kubernetesVersion"),
            format!("{v:?} is not a version like v1.31.4"),
        ));
    }
    if let Some(inv) = &c.inventory {
        for (j, member) in inv.clusters.iter().flatten().enumerate() {
            if !names.contains(member.value.as_str()) {
                let field = format!("{f}.inventory.clusters[{j}]");
                return Err(ck.err(member, field, format!("no cluster named {:?}", member.value)));
            }
        }
    }
    for (j, pool) in c.node_pools.iter().enumerate() {
        let pf = format!("{f}.nodePools[{j}]");
        if let Some(t) = &pool.instance_type {
            match nodes::instance_type(&t.value) {
                None => {
                    let known = nodes::instance_type_names(c.provider).join(", ");
                    let msg = format!(
                        "unknown instance type {:?}; {} offers {known}",
                        t.value,
                        c.provider.as_str()
                    );
                    return Err(ck.err(t, format!("{pf}.instanceType"), msg));
                }
                Some(it) if it.provider != c.provider && c.provider != Provider::Onprem => {
                    let msg = format!(
                        "{} is a {} instance type but the cluster runs on {}",
                        t.value,
                        it.provider.as_str(),
                        c.provider.as_str()
                    );
                    return Err(ck.err(t, format!("{pf}.instanceType"), msg));
                }
                Some(_) => {}
            }
        }
        for (k, taint) in pool.taints.iter().enumerate() {
            if !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(&taint.effect.value.as_str()) {
                let msg = "must be NoSchedule, PreferNoSchedule or NoExecute";
                return Err(ck.err(&taint.effect, format!("{pf}.taints[{k}].effect"), msg));
            }
        }
    }
    let mut seen = BTreeSet::new();
    for (j, w) in c.workloads.iter().enumerate() {
        workload(ck, &format!("{f}.workloads[{j}]"), w, &mut seen)?;
    }
    for (j, m) in c.manifests.iter().enumerate() {
        let missing = ["apiVersion", "kind"]
            .into_iter()
            .find(|k| m.value.get(*k).and_then(|v| v.as_str()).is_none_or(str::is_empty));
        let name = m
            .value
            .get("metadata")
            .and_then(|md| md.get("name").or(md.get("generateName")));
        if let Some(k) = missing {
            return Err(ck.err(
                m,
                format!("{f}.manifests[{j}].{k}"),
                "a manifest needs apiVersion and kind",
            ));
        }
        if name.and_then(|n| n.as_str()).is_none_or(str::is_empty) {
            return Err(ck.err(
                m,
                format!("{f}.manifests[{j}].metadata.name"),
                "a manifest needs a name",
            ));
        }
    }
    for (j, e) in c.timeline.iter().enumerate() {
        timeline(ck, &format!("{f}.timeline[{j}]"), e)?;
    }
    Ok(())
}

fn workload(
    ck: &Check<'_>,
    f: &str,
    w: &Workload,
    seen: &mut BTreeSet<(String, String, String)>,
) -> Result<(), ScenarioError> {
    if !dns_label(&w.name.value) {
        return Err(ck.err(
            &w.name,
            format!("{f}.name"),
            "must be a DNS label (a-z, 0-9, '-')",
        ));
    }
    if !dns_label(&w.namespace) {
        return Err(ck.err(
            &w.name,
            format!("{f}.namespace"),
            "must be a DNS label (a-z, 0-9, '-')",
        ));
    }
    if w.kind == WorkloadKind::CronJob && w.schedule.is_none() {
        return Err(ck.err(&w.name, format!("{f}.schedule"), "a CronJob needs a schedule"));
    }
    if w.image.trim().is_empty() {
        return Err(ck.err(&w.name, format!("{f}.image"), "must not be empty"));
    }
    let key = (format!("{:?}", w.kind), w.namespace.clone(), w.name.value.clone());
    if !seen.insert(key) {
        let msg = format!("duplicate {:?} {}/{}", w.kind, w.namespace, w.name.value);
        return Err(ck.err(&w.name, format!("{f}.name"), msg));
    }
    Ok(())
}

fn timeline(ck: &Check<'_>, f: &str, e: &TimelineEntry) -> Result<(), ScenarioError> {
    if parse_offset(&e.at.value).is_none() {
        let msg = format!("{:?} is not an offset like +90s, +10m, +1h30m or +2d", e.at.value);
        return Err(ck.err(&e.at, format!("{f}.at"), msg));
    }
    let set = [
        e.set_image.is_some(),
        e.scale.is_some(),
        e.fail_node.is_some(),
        e.delete_pod.is_some(),
        e.apply.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if set != 1 {
        let msg = "needs exactly one of setImage, scale, failNode, deletePod, apply";
        return Err(ck.err(&e.at, f.to_string(), msg));
    }
    if let Some(n) = &e.fail_node
        && n.node.is_none() == n.pool.is_none()
    {
        return Err(ck.err(&e.at, format!("{f}.failNode"), "needs either node or pool"));
    }
    if let Some(p) = &e.delete_pod
        && p.name.is_none() == p.selector.is_none()
    {
        return Err(ck.err(&e.at, format!("{f}.deletePod"), "needs either name or selector"));
    }
    if let Some(m) = &e.apply
        && ["apiVersion", "kind"]
            .iter()
            .any(|k| m.get(*k).and_then(|v| v.as_str()).is_none())
    {
        return Err(ck.err(
            &e.at,
            format!("{f}.apply"),
            "a manifest needs apiVersion and kind",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("+90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_offset("+1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_offset("2d"), Some(Duration::from_secs(172_800)));
        assert_eq!(parse_offset("+10"), None);
        assert_eq!(parse_offset("+1w"), None);
        assert_eq!(normalize_version("1.31.4").as_deref(), Some("v1.31.4"));
        assert_eq!(normalize_version("v1.31"), None);
    }

    #[test]
    fn unknown_fields_name_file_line_and_field() {
        let text = "clusters:\n  - name: a\n    nodePools:\n      - name: p\n        instanceTyp: m5.large\n";
        let e = parse("fleet.yaml", text).unwrap_err();
        assert_eq!(e.file, "fleet.yaml");
        assert_eq!(e.line, Some(5), "{e}");
        assert!(e.message.starts_with("unknown field `instanceTyp`"), "{e}");
        let field = e.field.clone().unwrap_or_default();
        assert!(field.starts_with("clusters[0].nodePools[0]"), "{e}");
        assert!(e.to_string().starts_with("fleet.yaml:5:"), "{e}");
    }

    #[test]
    fn type_errors_inside_behaviours_are_located() {
        let text = "clusters:\n- name: a\n  workloads:\n  - name: w\n    image: x\n    behaviour:\n      cpu: {base: 1, noise: lots}\n";
        let e = parse("f.yaml", text).unwrap_err();
        assert_eq!(e.line, Some(7), "{e}");
        assert_eq!(
            e.field.as_deref(),
            Some("clusters[0].workloads[0].behaviour.cpu.noise"),
            "{e}"
        );
    }

    #[test]
    fn semantic_errors_are_located() {
        let text =
            "clusters:\n- name: a\n  provider: gcp\n  nodePools:\n  - name: p\n    instanceType: m5.large\n";
        let e = parse("f.yaml", text).unwrap_err();
        assert_eq!(
            (e.line, e.field.as_deref()),
            (Some(6), Some("clusters[0].nodePools[0].instanceType"))
        );
        assert!(e.message.contains("aws instance type"), "{e}");
        let text = "clusters:\n- name: a\n  timeline:\n  - at: soon\n    scale: {workload: w, replicas: 2}\n";
        let e = parse("f.yaml", text).unwrap_err();
        assert_eq!(
            (e.line, e.field.as_deref()),
            (Some(4), Some("clusters[0].timeline[0].at")),
            "{e}"
        );
        let text = "clusters:\n- name: a\n- name: b\n  inventory: {clusters: [a, c]}\n";
        let e = parse("f.yaml", text).unwrap_err();
        assert_eq!(
            e.field.as_deref(),
            Some("clusters[1].inventory.clusters[1]"),
            "{e}"
        );
        assert_eq!(e.line, Some(4));
        let e = parse("f.yaml", "clusters:\n- name: A_b\n").unwrap_err();
        assert_eq!(
            (e.line, e.field.as_deref()),
            (Some(2), Some("clusters[0].name")),
            "{e}"
        );
    }

    #[test]
    fn syntax_errors_are_located() {
        let e = parse("f.yaml", "clusters:\n- name: a\n  labels: {env: prod\n").unwrap_err();
        assert!(e.line.is_some(), "{e}");
        let e = parse("f.yaml", "clusters: []\n").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("clusters"));
    }
}
