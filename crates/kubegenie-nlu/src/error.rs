//! Why text could not be parsed.

/// A parse failure. Text that is merely not understood is not an error: it yields the
/// `unknown` intent and a helpful reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NluError {
    /// The input is longer than anything a person types.
    #[error("input is {len} bytes; the limit is {max} bytes (ask one question at a time)")]
    TooLong {
        /// Length of the input.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The input contains control characters, so it is binary rather than text.
    #[error("input contains control characters (byte offset {offset}); send plain text")]
    Binary {
        /// Where the first one is.
        offset: usize,
    },
    /// A rule of the built-in feature table is malformed (a defect, caught by tests).
    #[error("rules.txt line {line}: {reason}")]
    BadRule {
        /// Line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A line of a labelled corpus is malformed.
    #[error("corpus line {line}: {reason}")]
    Corpus {
        /// Line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}
