//! Turning raw text into tokens: lowercase forms for matching, the original spelling for values
//! (label values keep their case), a light stem so "restarting", "restarts" and "restart" meet,
//! and a `used` mark so each word fills at most one slot.

/// One word of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// As typed, without surrounding punctuation.
    pub raw: String,
    /// Lowercase, after typo correction.
    pub word: String,
    /// Lowercase as typed (names are taken from this, never from a correction towards a
    /// vocabulary word).
    pub typed: String,
    /// Light stem of `word`, for intent patterns.
    pub stem: String,
    /// Consumed by a slot extractor.
    pub used: bool,
    /// The kind it names (lowercase plural), if any.
    pub kind: Option<String>,
    /// The name after `kind/` in `deploy/checkout`.
    pub slash_name: Option<String>,
    /// The clusters it names: one for a name or glob, several for a label value ("prod").
    pub clusters: Option<Vec<String>>,
    /// A known namespace.
    pub namespace: bool,
    /// A known live object (after typo correction).
    pub object: bool,
    /// Its value as a number.
    pub number: Option<u32>,
}

impl Token {
    /// A token from a word as typed.
    pub fn new(raw: &str) -> Self {
        let word = raw.to_lowercase();
        let stem = stem(&word);
        let number = number(&word);
        Self {
            raw: raw.to_string(),
            typed: word.clone(),
            word,
            stem,
            used: false,
            kind: None,
            slash_name: None,
            clusters: None,
            namespace: false,
            object: false,
            number,
        }
    }

    /// Replaces the matching form (typo correction), keeping `raw`.
    pub fn correct(&mut self, word: &str) {
        self.word = word.to_string();
        self.stem = stem(word);
    }
}

const TRIM: &[char] = &[
    '?', '!', '.', ',', ';', ':', '"', '\'', '`', '(', ')', '[', ']', '{', '}', '<', '>',
];

/// Splits text into tokens. Characters that join Kubernetes names, selectors, quantities and
/// flags (`-`, `/`, `.`, `=`, `*`, `,` inside a word) stay inside the token.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for piece in text.split(|c: char| c.is_whitespace()) {
        let piece = piece.trim_matches(TRIM);
        if piece.is_empty() {
            continue;
        }
        // "what's", "pod's", "don't": the clitic adds nothing to matching.
        let piece = piece
            .split_once(['\'', '’'])
            .map_or(piece, |(head, tail)| if tail.len() <= 2 { head } else { piece });
        // A trailing comma between words ("pods, deployments") is punctuation; a comma inside
        // a selector (`app=a,tier=b`) is not.
        let piece = piece.trim_end_matches(',');
        if !piece.is_empty() {
            out.push(Token::new(piece));
        }
    }
    out
}

/// A deliberately small suffix stripper: enough for "restarting"/"restarted"/"restarts" to
/// meet "restart", applied the same way to patterns and input so it needs no dictionary.
pub fn stem(word: &str) -> String {
    let w = word;
    if !w.chars().all(|c| c.is_ascii_alphabetic()) {
        return w.to_string();
    }
    for suffix in ["ing", "ed", "es", "s", "e", "y"] {
        if let Some(base) = w.strip_suffix(suffix)
            && base.len() >= 3
            && !(suffix == "s" && base.ends_with('s'))
        {
            let base = base.strip_suffix('e').filter(|b| b.len() >= 3).unwrap_or(base);
            // "running" → "runn" → "run"; "scaling" → "scal".
            let b = base.as_bytes();
            if suffix == "ing" && b.len() >= 4 && b[b.len() - 1] == b[b.len() - 2] {
                return base[..base.len() - 1].to_string();
            }
            return base.to_string();
        }
    }
    w.to_string()
}

/// The value of a number word or numeral (`five`, `5`, `a dozen` is not supported).
pub fn number(word: &str) -> Option<u32> {
    if let Ok(n) = word.parse::<u32>() {
        return Some(n);
    }
    const WORDS: [&str; 21] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    WORDS
        .iter()
        .position(|w| *w == word)
        .map(|i| i as u32)
        .or(match word {
            "thirty" => Some(30),
            "fifty" => Some(50),
            "hundred" => Some(100),
            _ => None,
        })
}

/// Whether `s` could be a Kubernetes object name (DNS-1123 subdomain, loosely).
pub fn is_object_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_meet() {
        for (a, b) in [
            ("restarting", "restart"),
            ("restarts", "restarted"),
            ("scaling", "scale"),
            ("running", "run"),
            ("pods", "pod"),
            ("deployments", "deployment"),
            ("crashing", "crash"),
            ("costs", "cost"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} vs {b}");
        }
    }

    #[test]
    fn tokens_keep_names_and_drop_punctuation() {
        let t: Vec<String> = tokenize("What's up with deploy/checkout, app=web,tier=fe in prod-*?")
            .into_iter()
            .map(|t| t.raw)
            .collect();
        assert_eq!(
            t,
            [
                "What",
                "up",
                "with",
                "deploy/checkout",
                "app=web,tier=fe",
                "in",
                "prod-*"
            ]
        );
    }

    #[test]
    fn numbers_and_names() {
        assert_eq!(number("five"), Some(5));
        assert_eq!(number("12"), Some(12));
        assert_eq!(number("many"), None);
        assert!(is_object_name("payments-api") && !is_object_name("-x") && !is_object_name("A"));
    }
}
