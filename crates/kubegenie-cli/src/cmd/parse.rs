//! `kubegenie parse "<text>"`: shows how KubeGenie understands a request, without running it.

use super::fleet::registry;
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use kubegenie_nlu::{ParseContext, Parsed, Parser};

/// Output formats of `parse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ParseOutput {
    /// Intent, confidence, slots and question, one per line.
    Text,
    /// `{"intent": ..., "confidence": ..., "slots": {...}, "clarify": ...}`.
    Json,
    /// The same document as YAML.
    Yaml,
}

/// Options of `kubegenie parse`.
#[derive(Debug, Args)]
pub struct ParseArgs {
    /// The request, in plain language or kubectl syntax (quote it).
    #[arg(required = true, num_args = 1.., trailing_var_arg = true, allow_hyphen_values = true)]
    pub text: Vec<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = ParseOutput::Text)]
    pub output: ParseOutput,
    /// Also print the features that decided the intent (text output only).
    #[arg(long)]
    pub explain: bool,
}

/// Cluster names and labels from the registry, when one exists; parsing never needs a cluster
/// and never creates the registry.
async fn context() -> ParseContext {
    let mut ctx = ParseContext::default();
    if !crate::home::dir().join("kubegenie.db").exists() {
        return ctx;
    }
    match registry().await {
        Ok(reg) => match reg.list().await {
            Ok(clusters) => {
                for c in clusters {
                    ctx.clusters.push(kubegenie_nlu::KnownCluster {
                        name: c.name,
                        labels: c.labels,
                    });
                }
            }
            Err(e) => tracing::warn!("cluster registry unreadable, parsing without cluster names: {e}"),
        },
        Err(e) => tracing::warn!("cluster registry unavailable, parsing without cluster names: {e:#}"),
    }
    ctx
}

fn print_text(p: &Parsed) -> Result<()> {
    println!("intent:     {}", p.intent);
    println!("confidence: {:.2}", p.confidence);
    let slots = serde_json::to_value(&p.slots)?;
    if let Some(map) = slots.as_object().filter(|m| !m.is_empty()) {
        println!("slots:");
        for (k, v) in map {
            let v = v.as_str().map_or_else(|| v.to_string(), String::from);
            println!("  {k}: {v}");
        }
    }
    if let Some(q) = &p.clarify {
        println!("clarify:    {q}");
    }
    Ok(())
}

/// Runs `kubegenie parse`.
pub async fn run(args: ParseArgs) -> Result<()> {
    let text = args.text.join(" ");
    let parser = Parser::new(context().await);
    let (parsed, classification) = parser.explain(&text).context("cannot parse the request")?;
    match args.output {
        ParseOutput::Json => println!("{}", serde_json::to_string_pretty(&parsed)?),
        ParseOutput::Yaml => print!("{}", serde_saphyr::to_string(&parsed)?),
        ParseOutput::Text => {
            print_text(&parsed)?;
            if args.explain {
                println!("evidence:");
                for e in &classification.evidence {
                    println!("  {e}");
                }
            }
        }
    }
    Ok(())
}
