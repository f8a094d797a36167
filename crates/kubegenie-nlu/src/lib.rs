//! Natural language to typed operations: intent classification, slot extraction, dialogue context and clarification questions, with an optional OpenAI-compatible LLM back end for open questions.
//!
//! It never talks to clusters.
