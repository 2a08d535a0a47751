//! Repo-id patterns: `*` matches any run of characters (none, or many, `/` included); every
//! other character matches itself. Both sides are lower-cased by the caller.
//!
//! The classic two-pointer matcher with one backtrack point: O(pattern × text) at worst, and
//! both are bounded by `PATTERN_LEN_MAX`, so a hostile pattern or id costs microseconds.

/// Whether `text` matches `pattern` as a whole.
pub(super) fn matches(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    // After the last `*`: where the pattern resumes, and where the text resumes on a retry.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi + 1, ti));
                pi += 1;
            }
            Some(c) if Some(c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((resume, from)) => {
                    pi = resume;
                    ti = from + 1;
                    star = Some((resume, from + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|c| *c == b'*'))
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn stars_and_literals() {
        assert!(matches("meta-llama/llama-3.1-*", "meta-llama/llama-3.1-8b"));
        assert!(matches("meta-llama/llama-3.1-*", "meta-llama/llama-3.1-"));
        assert!(!matches(
            "meta-llama/llama-3.1-*",
            "meta-llama/llama-3.2-1b"
        ));
        assert!(matches("*/llama-3.1-*", "unsloth/llama-3.1-8b"));
        assert!(matches("*/llama-3.1-*", "a/b/llama-3.1-x"));
        assert!(!matches("qwen/qwen2.5-3b*", "qwen/qwen2.5-32b"));
        assert!(matches("gpt2", "gpt2"));
        assert!(!matches("gpt2", "gpt2-xl"));
        assert!(matches("a*b*c", "aXXbYYc"));
        assert!(!matches("a*b*c", "aXXbYY"));
        assert!(matches("*", ""));
    }

    #[test]
    fn pathological_input_is_fast() {
        let pattern = "*a".repeat(100);
        let text = "a".repeat(199) + "b";
        assert!(!matches(&pattern, &text));
    }
}
