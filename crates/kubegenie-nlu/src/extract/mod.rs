//! Slot extraction: after classification, each extractor reads its slot from the unused
//! tokens and marks what it took, in an order that lets the specific patterns (flags,
//! selectors, time windows, quantities) claim their words before the general ones (names).

mod numbers;
mod object;
mod scope;
mod time;

use crate::analyze::Utterance;
use crate::context::ParseContext;
use crate::intent::Intent;
use crate::slots::{ClusterTarget, Slots};
use crate::text::stem;
use std::collections::BTreeSet;

/// State shared by the extractors.
pub(crate) struct Fill<'a> {
    pub u: &'a mut Utterance,
    pub ctx: &'a ParseContext,
    /// Words (and stems) the rules use: never names.
    pub rule_words: &'a BTreeSet<String>,
    pub intent: Intent,
    pub s: Slots,
    /// Live objects a partial name could mean, when it could mean several.
    pub ambiguous: Vec<String>,
}

impl Fill<'_> {
    /// Whether `word` is a vocabulary word rather than a value.
    pub fn is_vocabulary(&self, word: &str) -> bool {
        crate::lexicon::FILLER.contains(&word)
            || self.rule_words.contains(word)
            || self.rule_words.contains(&stem(word))
            || self.ctx.kind(word).is_some()
    }

    /// Unused token `i`, if any.
    pub fn free(&self, i: usize) -> Option<&crate::text::Token> {
        self.u.toks.get(i).filter(|t| !t.used)
    }

    /// Marks token `i` used.
    pub fn take(&mut self, i: usize) {
        if let Some(t) = self.u.toks.get_mut(i) {
            t.used = true;
        }
    }

    /// Whether the intent acts on a named existing object.
    pub fn takes_object_name(&self) -> bool {
        use Intent::*;
        matches!(
            self.intent,
            GetResources
                | DescribeResource
                | GetLogs
                | TopUsage
                | Diagnose
                | SecurityAudit
                | Rightsizing
                | Anomalies
                | LogAnalysis
                | Scale
                | Restart
                | Rollback
                | DeleteResource
                | Heal
                | CreateHpa
                | SetResources
                | AuditLog
                | Teardown
                | CordonNode
                | DrainNode
                | NodeStatus
        )
    }
}

/// Fills the slots of `intent` from `u`; returns the slots and the ambiguous candidates.
pub(crate) fn fill(
    u: &mut Utterance,
    ctx: &ParseContext,
    rule_words: &BTreeSet<String>,
    intent: Intent,
    s: Slots,
) -> (Slots, Vec<String>) {
    let mut f = Fill {
        u,
        ctx,
        rule_words,
        intent,
        s,
        ambiguous: Vec::new(),
    };
    object::url(&mut f);
    scope::label_selector(&mut f);
    time::tail(&mut f);
    time::window(&mut f);
    numbers::quantities(&mut f);
    numbers::counts(&mut f);
    scope::clusters(&mut f);
    scope::all_namespaces(&mut f);
    object::named(&mut f);
    object::container(&mut f);
    scope::namespace(&mut f);
    scope::kind(&mut f);
    object::misc(&mut f);
    object::name(&mut f);
    scope::namespace_fallback(&mut f);
    let mut s = f.s;
    let ambiguous = f.ambiguous;
    keep_allowed(intent, &mut s);
    (s, ambiguous)
}

/// Drops what the intent has no use for, so the typed result carries only meaningful slots.
fn keep_allowed(intent: Intent, s: &mut Slots) {
    use Intent::*;
    let scope = !matches!(
        intent,
        AddCluster | ListAgents | ListTasks | Help | ProvisionCluster | ListClusters
    );
    let ns = !matches!(
        intent,
        RemoveCluster | ClusterHealth | NodeStatus | CordonNode | DrainNode
    ) && scope;
    let object = matches!(
        intent,
        GetResources
            | DescribeResource
            | GetLogs
            | TopUsage
            | Diagnose
            | SecurityAudit
            | RbacWhoCan
            | Rightsizing
            | Anomalies
            | LogAnalysis
            | Scale
            | Restart
            | Rollback
            | DeleteResource
            | Heal
            | CreateHpa
            | SetResources
            | AuditLog
    );
    if let (ListClusters, Some(ClusterTarget::Named(_))) = (intent, &s.clusters) {
    } else if !scope {
        s.clusters = None;
    }
    if intent == Unknown {
        // Kept for follow-ups ("and in staging?"), which carry only where and when.
        return keep_scope_only(s);
    }
    if !ns {
        s.namespace = None;
        s.all_namespaces = false;
    }
    if !object {
        s.kind = None;
        s.label_selector = None;
    }
    let named = object
        || matches!(
            intent,
            CordonNode
                | DrainNode
                | NodeStatus
                | AddCluster
                | ProvisionCluster
                | ProvisionResource
                | Teardown
        );
    if !named {
        s.name = None;
    }
    if intent != Scale {
        s.replicas = None;
    }
    if intent != CreateHpa {
        (s.min_replicas, s.max_replicas, s.cpu_percent) = (None, None, None);
    }
    if intent != SetResources {
        (s.requests, s.limits) = Default::default();
    }
    if !matches!(
        intent,
        GetLogs | LogAnalysis | Anomalies | AuditLog | CostReport | ListTasks | Diagnose | Rightsizing
    ) {
        s.window = None;
    }
    if !matches!(intent, GetLogs | LogAnalysis | SetResources) {
        s.container = None;
    }
    if intent != GetLogs {
        (s.tail, s.previous) = (None, false);
    }
    if intent != Rollback {
        s.revision = None;
    }
    if intent != RbacWhoCan {
        s.verb = None;
    }
    if intent != CostReport {
        s.group_by = None;
    }
    if intent != TopUsage {
        s.sort_by = None;
    }
    if !matches!(intent, ProvisionResource | Teardown) {
        (s.resource_type, s.engine) = (None, None);
    }
    if !matches!(intent, ProvisionResource | ProvisionCluster) {
        (s.provider, s.region) = (None, None);
    }
    if intent != ProvisionCluster {
        s.node_count = None;
    }
    if intent != AddCluster {
        s.url = None;
    }
}

fn keep_scope_only(s: &mut Slots) {
    *s = Slots {
        clusters: s.clusters.take(),
        namespace: s.namespace.take(),
        all_namespaces: s.all_namespaces,
        window: s.window,
        ..Default::default()
    };
}
