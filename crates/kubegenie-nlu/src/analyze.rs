//! First pass over an utterance: tokens, typo correction against everything the parser knows,
//! and tags saying which tokens name kinds, clusters, namespaces, live objects or numbers.

use crate::context::ParseContext;
use crate::fuzzy;
use crate::lexicon;
use crate::text::{Token, tokenize};
use std::collections::{BTreeSet, HashSet};

/// Short names that are also English words ("no", "ing", "sa"): kinds only in kubectl syntax.
const AMBIGUOUS_SHORT_NAMES: &[&str] = &["no", "ev", "ep", "sa", "sc", "ing", "cj", "quota", "po", "cm"];

/// Leading words that make the rest kubectl syntax.
const KUBECTL_VERBS: &[&str] = &[
    "get",
    "describe",
    "logs",
    "log",
    "top",
    "scale",
    "rollout",
    "delete",
    "cordon",
    "drain",
    "autoscale",
    "set",
    "auth",
    "config",
    "edit",
];

/// Label keys whose values name environments, so "prod" alone means the prod clusters.
const ENV_KEYS: &[&str] = &["env", "environment", "stage", "tier-env"];

/// Everything the typo corrector may correct towards.
#[derive(Debug, Default)]
pub(crate) struct Vocabulary {
    words: Vec<String>,
    exact: HashSet<String>,
    stems: HashSet<String>,
}

impl Vocabulary {
    pub(crate) fn new(ctx: &ParseContext, rule_words: &BTreeSet<String>) -> Self {
        let mut all: BTreeSet<String> = rule_words.clone();
        all.extend(lexicon::FILLER.iter().map(|w| w.to_string()));
        for k in &ctx.kinds {
            all.extend(k.words().map(String::from));
        }
        for c in &ctx.clusters {
            all.insert(c.name.clone());
            all.extend(c.labels.values().cloned());
        }
        all.extend(ctx.namespaces.iter().cloned());
        all.extend(ctx.objects.iter().map(|o| o.name.clone()));
        let exact: HashSet<String> = all.iter().cloned().collect();
        let stems = exact.iter().map(|w| crate::text::stem(w)).collect();
        Self {
            words: all.into_iter().collect(),
            exact,
            stems,
        }
    }

    /// The vocabulary word `word` is a typo of, if it is not known itself.
    fn correction(&self, word: &str) -> Option<&str> {
        if self.exact.contains(word)
            || self.stems.contains(&crate::text::stem(word))
            || !word.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            // Generated names (`reporting-db-0`, `worker-12`) are exact by nature; a digit
            // is never a typo to correct towards a neighbour's name.
            || word.chars().any(|c| c.is_ascii_digit())
        {
            return None;
        }
        fuzzy::closest(word, self.words.iter().map(String::as_str))
    }
}

/// An utterance after the first pass.
#[derive(Debug, Clone)]
pub(crate) struct Utterance {
    pub toks: Vec<Token>,
    /// Written in kubectl syntax (`kubectl get po -n x`, `get deploy/api`).
    pub kubectl: bool,
}

impl Utterance {
    /// Whether any token has one of these words.
    pub fn has(&self, words: &[&str]) -> bool {
        self.toks.iter().any(|t| words.contains(&t.word.as_str()))
    }

    /// The word at `i`, or "".
    pub fn word(&self, i: usize) -> &str {
        self.toks.get(i).map_or("", |t| t.word.as_str())
    }
}

/// Tokenizes, corrects typos and tags.
pub(crate) fn analyze(text: &str, ctx: &ParseContext, vocab: &Vocabulary) -> Utterance {
    let mut toks = merge_kind_phrases(tokenize(text), ctx);
    for t in &mut toks {
        if let Some(c) = vocab.correction(&t.word) {
            let c = c.to_string();
            t.correct(&c);
        }
    }
    let kubectl = is_kubectl(&toks, ctx);
    for i in 0..toks.len() {
        let next = toks.get(i + 1).map(|t| t.word.clone()).unwrap_or_default();
        tag(&mut toks[i], &next, ctx, kubectl);
    }
    Utterance { toks, kubectl }
}

fn is_kubectl(toks: &[Token], ctx: &ParseContext) -> bool {
    let Some(first) = toks.first() else { return false };
    if matches!(first.word.as_str(), "kubectl" | "k" | "kc") {
        return true;
    }
    let second = toks.get(1).map_or("", |t| t.word.as_str());
    let kind_word = second.split_once('/').map_or(second, |(k, _)| k);
    KUBECTL_VERBS.contains(&first.word.as_str())
        && (toks.iter().any(|t| t.raw.starts_with('-') && t.raw.len() > 1)
            || ctx.kind(kind_word).is_some()
            || second.contains('/')
            || matches!(second, "restart" | "undo" | "status" | "can-i" | "resources"))
}

fn tag(t: &mut Token, next: &str, ctx: &ParseContext, kubectl: bool) {
    let w = t.word.clone();
    let (kind_word, slash) = match w.split_once('/') {
        Some((k, n)) if !k.is_empty() && !n.is_empty() && !w.contains("://") => (k, Some(n)),
        _ => (w.as_str(), None),
    };
    // "namespace" in prose marks a namespace name ("in the data namespace"); the kind is
    // meant by the plural or in kubectl syntax.
    if let Some(k) = ctx.kind(kind_word)
        && (kubectl || !(AMBIGUOUS_SHORT_NAMES.contains(&kind_word) || kind_word == "namespace"))
    {
        t.kind = Some(k.plural.clone());
        t.slash_name = slash.map(String::from);
        return;
    }
    t.clusters = cluster_names(&w, next, ctx);
    t.namespace = ctx.namespaces.contains(&w);
    t.object = ctx.objects.iter().any(|o| o.name == w);
}

/// The clusters a word names: a registered name, a glob, or a label value such as "prod"
/// (an environment value anywhere, any label value when followed by "cluster(s)").
fn cluster_names(w: &str, next: &str, ctx: &ParseContext) -> Option<Vec<String>> {
    if ctx.clusters.iter().any(|c| c.name == w) {
        return Some(vec![w.to_string()]);
    }
    if w.contains('*') && w.chars().all(|c| c.is_ascii_alphanumeric() || "-*?.".contains(c)) {
        return Some(vec![w.to_string()]);
    }
    let value = lexicon::label_value_synonym(w);
    let before_cluster = matches!(next, "cluster" | "clusters" | "environment" | "env");
    let names: BTreeSet<String> = ctx
        .clusters
        .iter()
        .filter(|c| {
            c.labels
                .iter()
                .any(|(k, v)| v == value && (before_cluster || ENV_KEYS.contains(&k.as_str())))
        })
        .map(|c| c.name.clone())
        .collect();
    (!names.is_empty()).then(|| names.into_iter().collect())
}

/// Joins kinds written as several words ("persistent volume claims", "config maps").
fn merge_kind_phrases(toks: Vec<Token>, ctx: &ParseContext) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let merged = [3, 2].into_iter().find_map(|len| {
            let parts = toks.get(i..i + len)?;
            let joined: String = parts.iter().map(|t| t.word.as_str()).collect();
            ctx.kinds
                .iter()
                .any(|k| k.plural == joined || k.singular == joined)
                .then_some((joined, len))
        });
        match merged {
            Some((joined, len)) => {
                out.push(Token::new(&joined));
                i += len;
            }
            None => {
                out.push(toks[i].clone());
                i += 1;
            }
        }
    }
    out
}
