//! What: object names (live objects first, fuzzy and partial matches, then explicit
//! "called X", then the first word that can only be a name), containers, URLs, and the small
//! slots of single intents (RBAC verb, cost grouping, usage sort key, what to provision).

use super::Fill;
use crate::intent::Intent;
use crate::lexicon::{self, FILLER};
use crate::text::is_object_name;

/// An API server URL.
pub(super) fn url(f: &mut Fill<'_>) {
    for i in 0..f.u.toks.len() {
        if let Some(t) = f.free(i)
            && (t.raw.starts_with("https://") || t.raw.starts_with("http://"))
        {
            f.s.url = Some(t.raw.clone());
            f.take(i);
            return;
        }
    }
}

/// `called X`, `named X`, `as X`: explicit names beat everything else.
pub(super) fn named(f: &mut Fill<'_>) {
    for i in 1..f.u.toks.len() {
        let prev = f.u.word(i - 1);
        let as_name = prev == "as" && f.intent == Intent::AddCluster;
        if !(matches!(prev, "called" | "named") || as_name) {
            continue;
        }
        let Some(t) = f.free(i) else { continue };
        if is_object_name(&t.typed) && !FILLER.contains(&t.typed.as_str()) {
            f.s.name = Some(t.typed.clone());
            f.take(i);
            f.take(i - 1);
            return;
        }
    }
}

/// `container X`, `the X container`.
pub(super) fn container(f: &mut Fill<'_>) {
    if f.s.container.is_some() {
        return;
    }
    let n = f.u.toks.len();
    for i in 0..n {
        if f.u.word(i) != "container" {
            continue;
        }
        for j in [i + 1, i.wrapping_sub(1)] {
            if let Some(t) = f.free(j)
                && is_object_name(&t.word)
                && !f.is_vocabulary(&t.word)
                && !t.object
            {
                f.s.container = Some(t.word.clone());
                f.take(j);
                f.take(i);
                return;
            }
        }
    }
}

/// Slots of single intents.
pub(super) fn misc(f: &mut Fill<'_>) {
    match f.intent {
        Intent::RbacWhoCan => {
            if let Some(i) = (0..f.u.toks.len())
                .find(|&i| f.free(i).is_some() && lexicon::rbac_verb(f.u.word(i)).is_some())
            {
                f.s.verb = lexicon::rbac_verb(f.u.word(i)).map(String::from);
                f.take(i);
            }
        }
        Intent::CostReport => group_by(f),
        Intent::TopUsage => {
            let cpu = f.u.has(&["cpu", "cpus"]);
            let mem = f.u.has(&["memory", "mem", "ram"]);
            f.s.sort_by = match (cpu, mem) {
                (true, false) => Some("cpu".into()),
                (false, true) => Some("memory".into()),
                _ => None,
            };
        }
        Intent::GetLogs if f.u.has(&["previous", "crashed", "--previous", "-p"]) => {
            f.s.previous = true;
        }
        _ => {}
    }
    provisioning(f);
}

fn group_by(f: &mut Fill<'_>) {
    const KEYS: &[&str] = &[
        "team",
        "namespace",
        "cluster",
        "app",
        "node",
        "label",
        "owner",
        "workload",
    ];
    for i in 0..f.u.toks.len() {
        let w = f.u.word(i).to_string();
        let key = w
            .strip_suffix('s')
            .filter(|k| KEYS.contains(k))
            .unwrap_or(&w)
            .to_string();
        if !KEYS.contains(&key.as_str()) || i == 0 {
            continue;
        }
        let prev = f.u.word(i - 1);
        if matches!(prev, "per" | "by" | "each" | "which" | "every") {
            f.s.group_by = Some(key);
            f.take(i);
            return;
        }
    }
}

fn provisioning(f: &mut Fill<'_>) {
    for i in 0..f.u.toks.len() {
        let Some(t) = f.free(i) else { continue };
        let w = t.word.clone();
        if let Some((engine, ty)) = lexicon::engine(&w) {
            f.s.engine.get_or_insert(engine.to_string());
            f.s.resource_type.get_or_insert(ty.to_string());
        } else if let Some(ty) = lexicon::resource_type(&w) {
            f.s.resource_type = Some(ty.to_string());
        } else if let Some(p) = lexicon::provider(&w) {
            f.s.provider.get_or_insert(p.to_string());
        } else if lexicon::is_region(&w) {
            f.s.region.get_or_insert(w);
        } else {
            continue;
        }
        f.take(i);
    }
}

/// The object name: a live object, a unique partial match, or the first word that can only
/// be a name.
pub(super) fn name(f: &mut Fill<'_>) {
    if f.s.name.is_some() || !f.takes_object_name() {
        return;
    }
    let n = f.u.toks.len();
    if let Some(i) = (0..n).find(|&i| f.free(i).is_some_and(|t| t.object)) {
        f.s.name = Some(f.u.toks[i].word.clone());
        f.take(i);
        return;
    }
    // A plain word is a name only where nothing else fits: right after the verb of an intent
    // that needs a name ("restart foo"), or next to a kind ("the foo deployment"); a word
    // shaped like a generated name (`worker-3`, `ip-10-0-1-12`) anywhere.
    let needs = needs_name(f.intent);
    let candidate = |f: &Fill<'_>, i: usize, plain_ok: bool| {
        let Some(t) = f.free(i) else { return false };
        let w = &t.typed;
        let shaped = w.contains('-') || w.chars().any(|c| c.is_ascii_digit());
        let near_kind = |j: usize| {
            f.u.toks
                .get(j)
                .is_some_and(|t| t.kind.as_deref().is_some_and(|k| k != "nodes"))
        };
        // "why is X failing", "what's wrong with X", "logs of X": the subject after these.
        let introduced = i > 0
            && f.intent != Intent::NodeStatus
            && matches!(f.u.word(i - 1), "is" | "with" | "of" | "does" | "did" | "about");
        let placed =
            shaped || (plain_ok && (near_kind(i + 1) || (i > 0 && near_kind(i - 1)) || needs || introduced));
        placed
            && is_object_name(w)
            && !f.is_vocabulary(w)
            && !f.is_vocabulary(&t.word)
            && t.number.is_none()
            && t.clusters.is_none()
            && (!t.namespace || t.object)
            && !lexicon::is_region(w)
            && w.len() > 1
    };
    // Generated-looking names first (`worker-3` in "mark worker-3 as unschedulable").
    let found = (0..n)
        .find(|&i| candidate(f, i, false))
        .or_else(|| (0..n).find(|&i| candidate(f, i, true)));
    if let Some(i) = found {
        let w = f.u.toks[i].typed.clone();
        f.take(i);
        let partial: Vec<String> = f
            .ctx
            .objects
            .iter()
            .filter(|o| o.name.split('-').any(|p| p == w))
            .map(|o| o.name.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        match partial.as_slice() {
            [one] => f.s.name = Some(one.clone()),
            [] => f.s.name = Some(w),
            many => {
                f.s.name = Some(w);
                f.ambiguous = many.to_vec();
            }
        }
    }
}

/// Intents that cannot act without an object name.
fn needs_name(i: Intent) -> bool {
    use Intent::*;
    matches!(
        i,
        Scale
            | Restart
            | Rollback
            | DescribeResource
            | GetLogs
            | DeleteResource
            | SetResources
            | CreateHpa
            | CordonNode
            | DrainNode
            | Teardown
            | Heal
    )
}
