//! What to ask when an utterance is not enough to act on, and what to say when it is not
//! understood at all.

use crate::intent::Intent;
use crate::slots::Slots;

/// Below this confidence a write is confirmed as a question rather than planned.
pub const WRITE_CONFIDENCE: f32 = 0.5;

/// The question for a missing required slot, if one is missing.
pub fn missing(intent: Intent, s: &Slots) -> Option<String> {
    use Intent::*;
    let what = s.kind.as_deref().unwrap_or("object");
    let q = match intent {
        Scale if s.name.is_none() => "Which workload should I scale?".to_string(),
        Scale if s.replicas.is_none() => format!(
            "How many replicas should {} have?",
            s.name.as_deref().unwrap_or("it")
        ),
        Restart | Rollback | DescribeResource | GetLogs if s.name.is_none() && s.label_selector.is_none() => {
            format!("Which {what} do you mean? Give its name.")
        }
        DeleteResource if s.name.is_none() => {
            format!("Which {what} should I delete? Name it; I never delete by guesswork or in bulk.")
        }
        CreateHpa if s.name.is_none() => "Which workload should autoscale?".to_string(),
        CreateHpa if s.max_replicas.is_none() => "Up to how many replicas may it scale?".to_string(),
        SetResources if s.name.is_none() => "Which workload's resources should I set?".to_string(),
        SetResources if s.requests.is_empty() && s.limits.is_empty() => {
            "Which CPU or memory amount? For example `500m` CPU or `1Gi` memory.".to_string()
        }
        CordonNode | DrainNode if s.name.is_none() => "Which node?".to_string(),
        SwitchContext if s.clusters.is_none() && s.namespace.is_none() => {
            "Switch to which cluster or namespace?".to_string()
        }
        AddCluster if s.name.is_none() && s.url.is_none() => {
            "Which cluster? Give a kubeconfig context name or an API server URL.".to_string()
        }
        RemoveCluster if s.clusters.is_none() => {
            "Which cluster should I remove from the registry?".to_string()
        }
        Teardown if s.name.is_none() && s.clusters.is_none() => {
            "What should I tear down? Name it.".to_string()
        }
        ProvisionResource if s.resource_type.is_none() => {
            "What should I provision: a database, a bucket, a cache or a queue?".to_string()
        }
        RbacWhoCan if s.verb.is_none() || s.kind.is_none() => {
            "Who can do what? For example: who can delete pods in payments.".to_string()
        }
        _ => return None,
    };
    Some(q)
}

/// When a partial name matches several live objects.
pub fn ambiguous(name: &str, candidates: &[String]) -> String {
    let list = match candidates {
        [a, b] => format!("{a} or {b}"),
        _ => candidates.join(", "),
    };
    format!("\"{name}\" matches several objects: {list}. Which one?")
}

/// A write understood with little confidence.
pub fn confirm_low_confidence(intent: Intent) -> String {
    format!(
        "Did you mean to {}? Say it again with the object's name, or answer yes.",
        intent.about()
    )
}

/// The reply to text that was not understood: what can be asked, with examples.
pub fn unknown_reply(best_guess: Option<Intent>) -> String {
    let guess = best_guess
        .map(|i| format!(" Did you mean to {}?", i.about()))
        .unwrap_or_default();
    format!(
        "I did not understand that.{guess} I can answer about your clusters and act on them, for example: \
         \"show pods in payments\", \"why is checkout crash-looping\", \"which nodes are unhealthy in prod\", \
         \"what does staging cost per team\", \"scale api to 5 in staging\". Say \"help\" for everything."
    )
}

/// The reply to text that tries to give the assistant new instructions.
pub fn injection_reply() -> String {
    "I only carry out Kubernetes requests, each shown as a plan before it runs; instructions about my own \
     behaviour are ignored. What would you like to know about your clusters?"
        .to_string()
}
