//! String similarity for typo tolerance: edit distance with transpositions for single words,
//! character trigrams for whole phrases.

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), or `None`
/// once it exceeds `max` (so long candidates cost little).
pub fn edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    if a.is_ascii() && b.is_ascii() {
        return osa(a.as_bytes(), b.as_bytes(), max);
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    osa(&a, &b, max)
}

fn osa<T: PartialEq>(a: &[T], b: &[T], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let w = b.len() + 1;
    let mut prev2 = vec![0usize; w];
    let mut prev: Vec<usize> = (0..w).collect();
    let mut cur = vec![0usize; w];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[b.len()]).filter(|d| *d <= max)
}

/// Letters in one word and not the other, counted; each edit changes it by at most two, so
/// it bounds the edit distance from below without the quadratic work.
fn letter_gap(a: &str, b: &str) -> usize {
    let mut counts = [0i32; 128];
    for c in a.bytes() {
        counts[usize::from(c & 0x7f)] += 1;
    }
    for c in b.bytes() {
        counts[usize::from(c & 0x7f)] -= 1;
    }
    counts.iter().map(|c| c.unsigned_abs() as usize).sum()
}

/// How many typos a word of this length may carry and still be recognised: none for short
/// words (too many collisions: "pod"/"pid"), one up to nine letters ("analytics" is a name,
/// not two typos of "analysis"), two beyond.
pub fn typo_budget(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=9 => 1,
        _ => 2,
    }
}

/// The closest candidate within the typo budget of `word`; `None` when there is none or when
/// two candidates tie (a guess between two names is no correction) — except that a swap of
/// letters beats a different letter ("noed" is "node", not "need").
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let budget = typo_budget(word.chars().count());
    if budget == 0 {
        return None;
    }
    let letters = |s: &str| {
        let mut v: Vec<char> = s.chars().collect();
        v.sort_unstable();
        v
    };
    let mine = letters(word);
    // Rank: distance, then whether it is a permutation of the word.
    let mut best: Option<(&str, (usize, bool))> = None;
    let mut tie = false;
    for c in candidates {
        if c.chars().count() < 4
            || c.len().abs_diff(word.len()) > budget
            || (word.is_ascii() && c.is_ascii() && letter_gap(word, c) > 2 * budget)
        {
            continue;
        }
        let Some(d) = edit_distance(word, c, budget) else {
            continue;
        };
        let rank = (d, letters(c) != mine);
        match best {
            Some((b, br)) if rank == br && b != c => tie = true,
            Some((_, br)) if rank >= br => {}
            _ => {
                best = Some((c, rank));
                tie = false;
            }
        }
    }
    if tie { None } else { best.map(|(c, _)| c) }
}

/// Sorted, deduplicated character trigrams of a phrase padded with spaces.
pub fn trigrams(text: &str) -> Vec<u32> {
    let chars: Vec<char> = std::iter::once(' ')
        .chain(text.chars())
        .chain(std::iter::once(' '))
        .collect();
    let mut out: Vec<u32> = chars
        .windows(3)
        .map(|w| {
            let mut h: u32 = 2_166_136_261;
            for c in w {
                h = (h ^ *c as u32).wrapping_mul(16_777_619);
            }
            h
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Dice coefficient of two sorted trigram sets, 0.0 to 1.0.
pub fn dice(a: &[u32], b: &[u32]) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * common as f32 / (a.len() + b.len()) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("deploymnet", "deployment", 2), Some(1));
        assert_eq!(edit_distance("chekout", "checkout", 1), Some(1));
        assert_eq!(edit_distance("kitten", "sitting", 2), None);
        assert_eq!(edit_distance("", "abc", 3), Some(3));
    }

    #[test]
    fn closest_refuses_ties_and_short_words() {
        assert_eq!(closest("restrat", ["restart", "rollback"]), Some("restart"));
        assert_eq!(closest("pdo", ["pod"]), None);
        assert_eq!(closest("apix", ["api1", "api2"]), None);
        assert_eq!(closest("noed", ["need", "node"]), Some("node"));
        assert_eq!(letter_gap("node", "noed"), 0);
        assert_eq!(letter_gap("pods", "nodes"), 3);
    }

    #[test]
    fn trigram_similarity() {
        let a = trigrams("show me the pods");
        assert!((dice(&a, &a) - 1.0).abs() < 1e-6);
        assert!(dice(&a, &trigrams("show me teh pods")) > 0.6);
        assert!(dice(&a, &trigrams("drain node seven")) < 0.2);
    }
}
