//! Natural language to typed operations: intent classification, slot extraction, dialogue
//! context and clarification questions. It never talks to clusters and needs no network: the
//! classifier is a weighted feature model (`rules.txt`), kubectl syntax, and similarity to the
//! labelled training utterances in `data/train.jsonl`; a parse takes well under a millisecond.
//!
//! ```
//! use kubegenie_nlu::{Intent, ParseContext, Parser};
//!
//! let mut ctx = ParseContext::default();
//! ctx.add_cluster("staging", &[("env", "staging")]);
//! ctx.add_object(Some("staging"), Some("payments"), "deployments", "payments-api");
//! let parser = Parser::new(ctx);
//! let p = parser.parse("scale paymnts-api to 5 in staging").unwrap();
//! assert_eq!(p.intent, Intent::Scale);
//! assert_eq!(p.slots.name.as_deref(), Some("payments-api"));
//! assert_eq!(p.slots.replicas, Some(5));
//! assert_eq!(p.slots.cluster_names(), ["staging"]);
//! ```
//!
//! Mapping a [`Parsed`] to the core `Operation` is the caller's step; slots are typed for it.

mod analyze;
pub mod clarify;
mod classify;
pub mod context;
pub mod dialogue;
mod error;
pub mod eval;
mod extract;
pub mod fuzzy;
pub mod intent;
mod kubectl;
mod lexicon;
pub mod slots;
pub mod text;

pub use classify::Classification;
pub use context::{KindInfo, KnownCluster, KnownObject, ParseContext};
pub use dialogue::Session;
pub use error::NluError;
pub use intent::Intent;
pub use slots::{Amounts, ClusterTarget, Cpu, Memory, Slots, Window};

use analyze::{Vocabulary, analyze};
use classify::{Example, Rule};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The longest input accepted, in bytes.
pub const MAX_INPUT: usize = 10 * 1024;

const RULES: &str = include_str!("rules.txt");
const TRAIN: &str = include_str!("../data/train.jsonl");

/// The understanding of one utterance, as `kubegenie parse -o json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Parsed {
    /// What the user wants.
    pub intent: Intent,
    /// 0.0 to 1.0, two decimals.
    pub confidence: f32,
    /// What to act on.
    pub slots: Slots,
    /// A question to ask before anything can be done, or the reply to an unknown request.
    pub clarify: Option<String>,
}

/// The parser: build once per session (it indexes the context and the labelled examples),
/// then parse many utterances.
#[derive(Debug)]
pub struct Parser {
    ctx: ParseContext,
    rules: Vec<Rule>,
    rule_words: BTreeSet<String>,
    vocab: Vocabulary,
    examples: Vec<Example>,
}

impl Parser {
    /// A parser over what is known of the fleet.
    pub fn new(ctx: ParseContext) -> Self {
        // The rules and examples are compiled in and checked by tests; a failure here is a
        // defect in the build, not bad input.
        let rules = classify::parse_rules(RULES).expect("built-in rules.txt is valid");
        let examples = eval::load(TRAIN)
            .expect("built-in train.jsonl is valid")
            .into_iter()
            .filter(|c| c.after.is_none())
            .map(|c| Example::new(&c.text, c.intent))
            .collect();
        let words = classify::rule_words(RULES);
        let mut rule_words: BTreeSet<String> = words.iter().map(|w| text::stem(w)).collect();
        rule_words.extend(words.iter().cloned());
        let vocab = Vocabulary::new(&ctx, &words);
        Self {
            ctx,
            rules,
            rule_words,
            vocab,
            examples,
        }
    }

    /// The context it was built with.
    pub fn context(&self) -> &ParseContext {
        &self.ctx
    }

    /// Parses one utterance.
    pub fn parse(&self, text: &str) -> Result<Parsed, NluError> {
        self.parse_explained(text, None).map(|(p, _)| p)
    }

    /// Parses and also returns the classification evidence (`kubegenie parse --explain`).
    pub fn explain(&self, text: &str) -> Result<(Parsed, Classification), NluError> {
        self.parse_explained(text, None)
    }

    pub(crate) fn parse_explained(
        &self,
        text: &str,
        exclude: Option<&str>,
    ) -> Result<(Parsed, Classification), NluError> {
        check_input(text)?;
        let mut u = analyze(text, &self.ctx, &self.vocab);
        let mut slots = Slots::default();
        kubectl::take_flags(&mut u, &mut slots);
        let kubectl_intent = kubectl::intent(&mut u);
        let mut c = classify::classify(&u, kubectl_intent, &self.rules, &self.examples, exclude);
        if u.toks.is_empty() {
            // Nothing but punctuation or whitespace ("?", ""): say what can be asked.
            let p = Parsed {
                intent: Intent::Help,
                confidence: 1.0,
                slots,
                clarify: None,
            };
            return Ok((p, c));
        }
        if looks_like_injection(&u) {
            c.intent = Intent::Unknown;
            c.confidence = 0.0;
            let p = Parsed {
                intent: Intent::Unknown,
                confidence: 0.0,
                slots: Slots::default(),
                clarify: Some(clarify::injection_reply()),
            };
            return Ok((p, c));
        }
        let (slots, ambiguous) = extract::fill(&mut u, &self.ctx, &self.rule_words, c.intent, slots);
        let clarify = match c.intent {
            Intent::Unknown => Some(clarify::unknown_reply(c.scores.first().map(|s| s.0))),
            i => match (&slots.name, ambiguous.is_empty()) {
                (Some(n), false) => Some(clarify::ambiguous(n, &ambiguous)),
                _ => clarify::missing(i, &slots).or_else(|| {
                    (i.is_write() && c.confidence < clarify::WRITE_CONFIDENCE)
                        .then(|| clarify::confirm_low_confidence(i))
                }),
            },
        };
        let confidence = (c.confidence * 100.0).round() / 100.0;
        Ok((
            Parsed {
                intent: c.intent,
                confidence,
                slots,
                clarify,
            },
            c,
        ))
    }
}

/// Rejects what no person types: huge or binary input.
fn check_input(text: &str) -> Result<(), NluError> {
    if text.len() > MAX_INPUT {
        return Err(NluError::TooLong {
            len: text.len(),
            max: MAX_INPUT,
        });
    }
    if let Some((offset, _)) = text
        .char_indices()
        .find(|(_, c)| c.is_control() && !c.is_whitespace())
    {
        return Err(NluError::Binary { offset });
    }
    Ok(())
}

/// "ignore (all) previous instructions", "system prompt": text addressed to a language model,
/// not a request about clusters.
fn looks_like_injection(u: &analyze::Utterance) -> bool {
    let has = |w: &str| u.toks.iter().any(|t| t.word == w);
    let instructions = u.toks.iter().any(|t| t.word.starts_with("instruction"));
    ((has("ignore") || has("disregard") || has("forget")) && instructions)
        || (has("system") && has("prompt"))
        || has("jailbreak")
}
