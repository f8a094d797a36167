//! Where: clusters (names, globs, label values, "all clusters"), namespaces, every namespace,
//! the kind, and label selectors.

use super::Fill;
use crate::intent::Intent;
use crate::lexicon::FILLER;
use crate::slots::ClusterTarget;
use crate::text::is_object_name;

/// `app=web`, `tier!=db`, `app=a,tier=b` (tokens with `=` that are not flags or URLs).
pub(super) fn label_selector(f: &mut Fill<'_>) {
    if f.s.label_selector.is_some() {
        return;
    }
    let mut parts = Vec::new();
    for i in 0..f.u.toks.len() {
        let Some(t) = f.free(i) else { continue };
        let raw = t.raw.clone();
        let (k, _) = match raw.split_once('=') {
            Some(kv) => kv,
            None => continue,
        };
        let key = k.trim_end_matches('!');
        if raw.starts_with('-') || raw.contains("://") || key.is_empty() || !key.chars().all(valid_key_char) {
            continue;
        }
        parts.push(raw);
        f.take(i);
        if i > 0
            && matches!(
                f.u.word(i - 1),
                "label" | "labels" | "labelled" | "labeled" | "selector"
            )
        {
            f.take(i - 1);
        }
    }
    if !parts.is_empty() {
        f.s.label_selector = Some(parts.join(","));
    }
}

fn valid_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_./".contains(c)
}

/// Words that, before "cluster", describe rather than name it ("a new eks cluster").
const NOT_A_CLUSTER_NAME: &[&str] = &[
    "new", "fresh", "eks", "gke", "aks", "other", "another", "given", "active", "default", "whole", "entire",
];

fn cluster_word(f: &Fill<'_>, i: usize) -> Option<String> {
    let t = f.free(i)?;
    if t.clusters.is_some() {
        return Some(t.word.clone());
    }
    let w = &t.typed;
    let plain = is_object_name(w)
        && !NOT_A_CLUSTER_NAME.contains(&w.as_str())
        && !f.is_vocabulary(w)
        && !f.is_vocabulary(&t.word)
        && t.number.is_none()
        && !crate::lexicon::is_region(w);
    plain.then(|| w.clone())
}

/// Named clusters, "all clusters", and unknown names next to "cluster"/"context".
pub(super) fn clusters(f: &mut Fill<'_>) {
    if f.s.clusters.is_some() {
        return;
    }
    let n = f.u.toks.len();
    // "all clusters", "every cluster", "across the fleet", "everywhere"
    for i in 0..n {
        let w = f.u.word(i);
        let all = matches!(w, "everywhere" | "fleet-wide" | "fleet")
            || (matches!(w, "all" | "every" | "each")
                && (i + 1..(i + 4).min(n)).any(|j| matches!(f.u.word(j), "cluster" | "clusters"))
                && !(i + 1..(i + 4).min(n)).any(|j| f.u.word(j).starts_with("namespace")));
        if all && f.free(i).is_some() {
            f.s.clusters = Some(ClusterTarget::All);
            f.take(i);
            return;
        }
    }
    let mut names: Vec<String> = Vec::new();
    for i in 0..n {
        let Some(t) = f.free(i) else { continue };
        if let Some(cs) = t.clusters.clone() {
            for c in cs {
                if !names.contains(&c) {
                    names.push(c);
                }
            }
            f.take(i);
            continue;
        }
        // "cluster lab-3", "the analytics cluster", "context kind-dev", "kind-local context"
        let w = t.word.clone();
        let prev = if i > 0 {
            f.u.word(i - 1).to_string()
        } else {
            String::new()
        };
        let next = f.u.word(i + 1).to_string();
        let marked =
            matches!(prev.as_str(), "cluster" | "context") || matches!(next.as_str(), "cluster" | "context");
        if marked && let Some(name) = cluster_word(f, i) {
            let _ = w;
            names.push(name);
            f.take(i);
        }
    }
    if names.is_empty() {
        return;
    }
    if matches!(f.intent, Intent::AddCluster | Intent::ProvisionCluster) && f.s.name.is_none() {
        f.s.name = Some(names.remove(0));
    }
    if !names.is_empty() {
        f.s.clusters = Some(ClusterTarget::Named(names));
    }
}

/// "all namespaces", "every namespace", "across namespaces", "cluster-wide".
pub(super) fn all_namespaces(f: &mut Fill<'_>) {
    let n = f.u.toks.len();
    for i in 0..n {
        let w = f.u.word(i);
        let hit = w == "cluster-wide"
            || (matches!(w, "all" | "every" | "each" | "across")
                && (i + 1..(i + 3).min(n)).any(|j| f.u.word(j).starts_with("namespace")));
        if hit && f.free(i).is_some() {
            f.s.all_namespaces = true;
            f.s.namespace = None;
            f.take(i);
            for j in i + 1..(i + 3).min(n) {
                if f.u.word(j).starts_with("namespace") {
                    f.take(j);
                }
            }
            return;
        }
    }
}

fn namespace_word(f: &Fill<'_>, i: usize) -> Option<String> {
    let t = f.free(i)?;
    let ok = t.namespace || (is_object_name(&t.word) && !f.is_vocabulary(&t.word) && t.clusters.is_none());
    ok.then(|| t.word.clone())
}

/// `namespace X`, `namespace to X`, `X namespace`, `in X` for a known namespace.
pub(super) fn namespace(f: &mut Fill<'_>) {
    if f.s.namespace.is_some() || f.s.all_namespaces {
        return;
    }
    let n = f.u.toks.len();
    let markers: Vec<usize> = (0..n)
        .filter(|&i| f.u.word(i) == "namespace" && f.free(i).is_some())
        .collect();
    for &m in &markers {
        let mut j = m + 1;
        while matches!(f.u.word(j), "to" | "=" | "is" | "named" | "called") {
            j += 1;
        }
        if let Some(ns) = namespace_word(f, j) {
            f.s.namespace = Some(ns);
            (m..=j).for_each(|k| f.take(k));
            return;
        }
    }
    for &m in &markers {
        if m > 0
            && let Some(ns) = namespace_word(f, m - 1)
        {
            f.s.namespace = Some(ns);
            f.take(m - 1);
            f.take(m);
            return;
        }
    }
    for i in 1..n {
        let Some(t) = f.free(i) else { continue };
        if !t.namespace || t.clusters.is_some() {
            continue;
        }
        let prev = f.u.word(i - 1);
        let also_object = t.object && f.takes_object_name();
        let into = matches!(prev, "in" | "within" | "inside")
            || (!also_object && matches!(prev, "for" | "of" | "from"));
        if into {
            f.s.namespace = Some(t.word.clone());
            f.take(i);
            return;
        }
    }
}

/// The first kind named, unless it only counts something ("5 pods").
pub(super) fn kind(f: &mut Fill<'_>) {
    let n = f.u.toks.len();
    let start = if f.intent == Intent::RbacWhoCan {
        // The kind acted on follows the verb: "which service accounts can list secrets".
        (0..n)
            .find(|&i| crate::lexicon::rbac_verb(f.u.word(i)).is_some())
            .unwrap_or(0)
    } else {
        0
    };
    for i in start..n {
        let Some(t) = f.free(i) else { continue };
        let Some(k) = t.kind.clone() else { continue };
        let slash = t.slash_name.clone();
        f.take(i);
        let counted = i > 0 && f.u.toks[i - 1].number.is_some();
        // "pod security" (the standards) names no kind.
        let phrase = f.u.word(i + 1) == "security";
        // "create an hpa for x": the autoscaler is what is made, not the target's kind.
        let made = f.intent == Intent::CreateHpa && k == "horizontalpodautoscalers";
        if slash.is_none() && (counted || made || phrase) {
            continue;
        }
        f.s.kind = Some(k);
        if let Some(name) = slash {
            f.s.name = Some(name);
        }
        return;
    }
}

/// A known namespace nothing else claimed ("how expensive is payments").
pub(super) fn namespace_fallback(f: &mut Fill<'_>) {
    if f.s.namespace.is_some() || f.s.all_namespaces {
        return;
    }
    for i in 0..f.u.toks.len() {
        if let Some(t) = f.free(i)
            && t.namespace
            && t.clusters.is_none()
            && !FILLER.contains(&t.word.as_str())
        {
            f.s.namespace = Some(t.word.clone());
            f.take(i);
            return;
        }
    }
}
