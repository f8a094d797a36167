//! Kubernetes resource quantities (`250m`, `1.5`, `128Mi`, `2G`, `1e3`) as numbers: CPU in
//! cores, memory and storage in bytes. Parsing follows `resource.Quantity`: decimal SI suffixes
//! (`n u m k M G T P E`), binary suffixes (`Ki Mi Gi Ti Pi Ei`) and decimal exponents.

use std::fmt;

/// Why a quantity did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a Kubernetes quantity (examples: 250m, 1.5, 128Mi, 2G)")]
pub struct QuantityError {
    /// The text given.
    pub input: String,
}

/// The value of a quantity: cores for CPU, bytes for memory.
pub fn parse(input: &str) -> Result<f64, QuantityError> {
    let err = || QuantityError {
        input: input.to_string(),
    };
    let s = input.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(s.len());
    let (number, suffix) = s.split_at(split);
    let value: f64 = number.parse().map_err(|_| err())?;
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        e if e.starts_with(['e', 'E']) => 10f64.powi(e[1..].parse::<i32>().map_err(|_| err())?),
        _ => return Err(err()),
    };
    let v = value * factor;
    if v.is_finite() { Ok(v) } else { Err(err()) }
}

/// Bytes per GiB.
pub const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// A CPU amount for people: `250m`, `1.5`.
pub struct Cores(pub f64);

impl fmt::Display for Cores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 < 1.0 {
            write!(f, "{}m", (self.0 * 1000.0).round())
        } else {
            write!(f, "{}", (self.0 * 100.0).round() / 100.0)
        }
    }
}

/// A memory amount for people: `128Mi`, `1.5Gi`.
pub struct Bytes(pub f64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mi = self.0 / (1024.0 * 1024.0);
        if mi < 1024.0 {
            write!(f, "{}Mi", mi.round())
        } else {
            write!(f, "{}Gi", (mi / 1024.0 * 100.0).round() / 100.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_suffixes() {
        assert_eq!(parse("250m").unwrap(), 0.25);
        assert_eq!(parse("2").unwrap(), 2.0);
        assert_eq!(parse("1.5").unwrap(), 1.5);
        assert_eq!(parse("128Mi").unwrap(), 128.0 * 1024.0 * 1024.0);
        assert_eq!(parse("2G").unwrap(), 2e9);
        assert_eq!(parse("1e3").unwrap(), 1000.0);
        assert!((parse("100n").unwrap() - 100e-9).abs() < 1e-18);
    }

    #[test]
    fn nonsense_is_an_error_naming_the_input() {
        for bad in ["", "abc", "12Q", "1.2.3", "Mi"] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e.input, bad);
        }
    }

    #[test]
    fn people_read_cores_and_bytes() {
        assert_eq!(Cores(0.25).to_string(), "250m");
        assert_eq!(Cores(1.5).to_string(), "1.5");
        assert_eq!(Bytes(128.0 * 1024.0 * 1024.0).to_string(), "128Mi");
        assert_eq!(Bytes(1.5 * GIB).to_string(), "1.5Gi");
    }
}
