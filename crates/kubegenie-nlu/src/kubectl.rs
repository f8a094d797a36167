//! kubectl syntax inside an utterance: the verb that decides the intent
//! (`kubectl rollout undo ...`) and flags (`-n`, `-A`, `-l`, `--replicas=3`, `--tail 50`, ...),
//! which may also appear in mixed phrasing ("show pods -n kube-system").

use crate::analyze::Utterance;
use crate::intent::Intent;
use crate::slots::{Amounts, ClusterTarget, Slots, parse_cpu, parse_memory, parse_window};

/// The intent kubectl syntax names, marking the verb words used.
pub(crate) fn intent(u: &mut Utterance) -> Option<Intent> {
    if !u.kubectl {
        return None;
    }
    let start = usize::from(matches!(u.word(0), "kubectl" | "k" | "kc"));
    let (verb, sub) = (u.word(start).to_string(), u.word(start + 1).to_string());
    let (intent, words) = match (verb.as_str(), sub.as_str()) {
        ("get", "logs" | "log") => (Intent::GetLogs, 2),
        ("get", _) => (Intent::GetResources, 1),
        ("describe", _) => (Intent::DescribeResource, 1),
        ("logs" | "log", _) => (Intent::GetLogs, 1),
        ("top", _) => (Intent::TopUsage, 1),
        ("scale", _) => (Intent::Scale, 1),
        ("rollout", "restart") => (Intent::Restart, 2),
        ("rollout", "undo") => (Intent::Rollback, 2),
        ("delete", _) => (Intent::DeleteResource, 1),
        ("cordon", _) => (Intent::CordonNode, 1),
        ("drain", _) => (Intent::DrainNode, 1),
        ("autoscale", _) => (Intent::CreateHpa, 1),
        ("set", "resources") => (Intent::SetResources, 2),
        ("auth", "can-i") => (Intent::RbacWhoCan, 2),
        ("config", "use-context" | "set-context") => (Intent::SwitchContext, 2),
        ("config", "get-contexts" | "get-clusters" | "current-context" | "view") => (Intent::ListClusters, 2),
        _ => return None,
    };
    let end = (start + words).min(u.toks.len());
    for t in &mut u.toks[..end] {
        t.used = true;
    }
    Some(intent)
}

/// Flags that take a value.
const VALUED: &[&str] = &[
    "-n",
    "--namespace",
    "-l",
    "--selector",
    "--replicas",
    "--tail",
    "-c",
    "--container",
    "--since",
    "--context",
    "--cluster",
    "--min",
    "--max",
    "--cpu-percent",
    "--to-revision",
    "--limits",
    "--requests",
    "-o",
    "--output",
    "--field-selector",
    "--timeout",
    "--grace-period",
    "--sort-by",
];

/// Reads kubectl flags into `s`, marking them used. Unknown flags are consumed silently, as
/// they only refine how kubectl would print or act.
pub(crate) fn take_flags(u: &mut Utterance, s: &mut Slots) {
    let mut i = 0;
    while i < u.toks.len() {
        let raw = u.toks[i].raw.clone();
        if !raw.starts_with('-') || raw.len() < 2 || raw[1..].starts_with(|c: char| c.is_ascii_digit()) {
            i += 1;
            continue;
        }
        u.toks[i].used = true;
        let (name, inline) = match raw.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (raw.clone(), None),
        };
        let value = match inline {
            Some(v) => Some(v),
            None if VALUED.contains(&name.as_str()) && i + 1 < u.toks.len() => {
                u.toks[i + 1].used = true;
                i += 1;
                Some(u.toks[i].raw.clone())
            }
            None => None,
        };
        apply(&name, value.as_deref(), s);
        i += 1;
    }
}

fn apply(name: &str, value: Option<&str>, s: &mut Slots) {
    let num = || value.and_then(|v| v.trim_end_matches('%').parse::<u32>().ok());
    match name {
        "-n" | "--namespace" => s.namespace = value.map(str::to_lowercase),
        "-A" | "--all-namespaces" => s.all_namespaces = true,
        "-l" | "--selector" => s.label_selector = value.map(String::from),
        "--replicas" => s.replicas = num(),
        "--tail" => s.tail = num(),
        "-c" | "--container" => s.container = value.map(String::from),
        "--since" => s.window = value.and_then(parse_window),
        "-p" | "--previous" => s.previous = true,
        "--context" | "--cluster" => {
            if let Some(v) = value {
                s.clusters = Some(ClusterTarget::Named(
                    v.split(',').map(str::to_lowercase).collect(),
                ));
            }
        }
        "--min" => s.min_replicas = num(),
        "--max" => s.max_replicas = num(),
        "--cpu-percent" => s.cpu_percent = num(),
        "--to-revision" => s.revision = num(),
        "--limits" => s.limits = amounts(value.unwrap_or_default()),
        "--requests" => s.requests = amounts(value.unwrap_or_default()),
        _ => {}
    }
}

/// `cpu=200m,memory=256Mi`.
fn amounts(v: &str) -> Amounts {
    let mut a = Amounts::default();
    for part in v.split(',') {
        match part.split_once('=') {
            Some(("cpu", q)) => a.cpu = parse_cpu(q),
            Some(("memory", q)) => a.memory = parse_memory(q),
            _ => {}
        }
    }
    a
}
