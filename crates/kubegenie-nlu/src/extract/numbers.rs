//! Numbers with a meaning: CPU and memory amounts, replicas, autoscaler bounds and target,
//! revisions, node counts.

use super::Fill;
use crate::intent::Intent;
use crate::slots::{Amounts, Cpu, Memory, parse_cpu, parse_memory};

const CPU_WORDS: &[&str] = &["cpu", "cpus", "core", "cores", "vcpu", "vcpus"];
const MEMORY_WORDS: &[&str] = &["memory", "mem", "ram"];

/// A memory amount written as one token (`512Mi`, `4gb`) or a number and a unit (`4 GB`).
fn memory_at(f: &Fill<'_>, i: usize) -> Option<(Memory, usize)> {
    let w = &f.free(i)?.word;
    let split = w
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(w.len());
    let (num, unit) = w.split_at(split);
    if num.is_empty() {
        return None;
    }
    let (unit, span) = if unit.is_empty() {
        (f.u.word(i + 1), 2)
    } else {
        (unit, 1)
    };
    let canonical = match unit {
        "ki" | "kib" | "kb" => "Ki",
        "mi" | "mib" | "mb" => "Mi",
        "gi" | "gib" | "gb" | "gig" | "gigs" => "Gi",
        "ti" | "tib" | "tb" => "Ti",
        _ => return None,
    };
    Some((parse_memory(&format!("{num}{canonical}"))?, span))
}

/// A CPU amount: `500m`, `2 cores`, `0.5 cpu`, `cpu 300m`, `cpu ... to 1`.
fn cpu_at(f: &Fill<'_>, i: usize) -> Option<(Cpu, usize)> {
    let w = &f.free(i)?.word;
    if w.ends_with('m') && w.len() > 1 && w[..w.len() - 1].chars().all(|c| c.is_ascii_digit()) {
        return parse_cpu(w).map(|c| (c, 1));
    }
    let numeric = w.chars().all(|c| c.is_ascii_digit() || c == '.') && w.parse::<f64>().is_ok();
    if !numeric {
        return None;
    }
    let next = f.u.word(i + 1);
    let prev = if i > 0 { f.u.word(i - 1) } else { "" };
    let near_cpu = CPU_WORDS.contains(&prev) || (prev == "to" && near(f, i, CPU_WORDS));
    if CPU_WORDS.contains(&next) {
        return parse_cpu(w).map(|c| (c, 2));
    }
    near_cpu.then(|| parse_cpu(w).map(|c| (c, 1))).flatten()
}

/// Whether one of `words` is among the five tokens before `i` ("set cpu limit of x to 1").
fn near(f: &Fill<'_>, i: usize, words: &[&str]) -> bool {
    (i.saturating_sub(5)..i).any(|j| words.contains(&f.u.word(j)) && !MEMORY_WORDS.contains(&f.u.word(j)))
}

/// CPU and memory to set (set_resources only; elsewhere "500m" and "4Gi" mean nothing).
pub(super) fn quantities(f: &mut Fill<'_>) {
    if f.intent != Intent::SetResources || !(f.s.requests.is_empty() && f.s.limits.is_empty()) {
        return;
    }
    let mut amounts = Amounts::default();
    for i in 0..f.u.toks.len() {
        if let Some((m, span)) = memory_at(f, i) {
            amounts.memory.get_or_insert(m);
            (i..i + span).for_each(|j| f.take(j));
        } else if let Some((c, span)) = cpu_at(f, i) {
            amounts.cpu.get_or_insert(c);
            (i..i + span).for_each(|j| f.take(j));
        }
    }
    let limit = f.u.has(&["limit", "limits"]);
    let request = f.u.has(&["request", "requests"]);
    // Neither said: set both, which keeps request <= limit valid whatever was there before.
    if limit || !request {
        f.s.limits = amounts.clone();
    }
    if request || !limit {
        f.s.requests = amounts;
    }
}

/// Replicas, autoscaler bounds and target, revision, node count.
pub(super) fn counts(f: &mut Fill<'_>) {
    match f.intent {
        Intent::CreateHpa => hpa(f),
        Intent::Scale if f.s.replicas.is_none() => {
            if let Some(i) = (0..f.u.toks.len()).find(|&i| f.free(i).is_some_and(|t| t.number.is_some())) {
                f.s.replicas = f.u.toks[i].number;
                f.take(i);
                take_unit(f, i);
            }
        }
        Intent::Rollback => after(f, &["revision", "rev"], |s, n| s.revision = Some(n)),
        Intent::ProvisionCluster => {
            for i in 0..f.u.toks.len() {
                if let Some(n) = f.free(i).and_then(|t| t.number)
                    && matches!(f.u.word(i + 1), "nodes" | "node" | "workers")
                {
                    f.s.node_count = Some(n);
                    f.take(i);
                    f.take(i + 1);
                }
            }
        }
        _ => {}
    }
}

/// The kind word after a count ("5 pods") is a unit, not a kind to act on.
fn take_unit(f: &mut Fill<'_>, i: usize) {
    if f.u
        .toks
        .get(i + 1)
        .is_some_and(|t| t.kind.is_some() || t.word.starts_with("replica"))
    {
        f.take(i + 1);
    }
}

/// A number right after one of `words`.
fn after(f: &mut Fill<'_>, words: &[&str], set: impl Fn(&mut crate::slots::Slots, u32)) {
    for i in 1..f.u.toks.len() {
        if words.contains(&f.u.word(i - 1))
            && let Some(n) = f.free(i).and_then(|t| t.number)
        {
            set(&mut f.s, n);
            f.take(i);
            return;
        }
    }
}

fn hpa(f: &mut Fill<'_>) {
    let n = f.u.toks.len();
    for i in 0..n {
        let w = f.u.word(i).to_string();
        // "70%", "70 percent", "cpu 60%"
        if let Some(p) = w.strip_suffix('%').and_then(|p| p.parse::<u32>().ok()) {
            f.s.cpu_percent.get_or_insert(p);
            f.take(i);
            continue;
        }
        if let (Some(p), "percent") = (f.free(i).and_then(|t| t.number), f.u.word(i + 1)) {
            f.s.cpu_percent.get_or_insert(p);
            f.take(i);
            continue;
        }
        // "2-10"
        if let Some((a, b)) = w.split_once('-')
            && let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>())
        {
            (f.s.min_replicas, f.s.max_replicas) = (Some(a), Some(b));
            f.take(i);
            take_unit(f, i);
            continue;
        }
        let Some(num) = f.free(i).and_then(|t| t.number) else {
            continue;
        };
        let prev = if i > 0 {
            f.u.word(i - 1).to_string()
        } else {
            String::new()
        };
        let prev2 = if i > 1 {
            f.u.word(i - 2).to_string()
        } else {
            String::new()
        };
        let is_max = matches!(prev.as_str(), "max" | "maximum" | "--max")
            || (prev == "to" && matches!(prev2.as_str(), "up" | "max"))
            || (prev == "and" && f.s.min_replicas.is_some())
            || (prev == "to" && f.s.min_replicas.is_some());
        let is_min = matches!(prev.as_str(), "min" | "minimum" | "between" | "from" | "least");
        if is_max {
            f.s.max_replicas.get_or_insert(num);
        } else if is_min {
            f.s.min_replicas.get_or_insert(num);
        } else if prev == "to" {
            f.s.max_replicas.get_or_insert(num);
        } else {
            continue;
        }
        f.take(i);
        take_unit(f, i);
    }
}
