//! Licence text reduced to lower-case words, so phrases match across re-wrapping, Markdown
//! emphasis and punctuation changes, while every match can still be traced to its line.

/// A text as one string of lower-case words separated by single spaces, with line positions.
pub(super) struct Words {
    /// `" word word ... "`: starts and ends with a space, so a phrase `" a b "` matches whole words.
    text: String,
    /// `(byte offset in text, 1-based line)` at the start of each source line that has words.
    line_starts: Vec<(usize, usize)>,
}

impl Words {
    /// Normalises `source`: letters and digits (and `+`, which tells RAIL++ from RAIL) form
    /// words; everything else separates them.
    pub(super) fn new(source: &str) -> Self {
        let mut text = String::with_capacity(source.len() + 1);
        text.push(' ');
        let mut line_starts = Vec::new();
        for (index, line) in source.lines().enumerate() {
            let start = text.len();
            let mut in_word = false;
            for c in line.chars() {
                if c.is_alphanumeric() || c == '+' {
                    text.extend(c.to_lowercase());
                    in_word = true;
                } else if in_word {
                    text.push(' ');
                    in_word = false;
                }
            }
            if in_word {
                text.push(' ');
            }
            if text.len() > start {
                line_starts.push((start, index + 1));
            }
        }
        Self { text, line_starts }
    }

    /// The 1-based line of the first occurrence of `phrase` (normalised the same way).
    pub(super) fn find(&self, phrase: &str) -> Option<usize> {
        self.find_all(phrase).next()
    }

    /// Whether `phrase` occurs.
    pub(super) fn contains(&self, phrase: &str) -> bool {
        self.find(phrase).is_some()
    }

    /// Lines of every occurrence of `phrase`.
    pub(super) fn find_all<'a>(&'a self, phrase: &str) -> impl Iterator<Item = usize> + 'a {
        let needle = format!(" {} ", Self::new(phrase).text.trim());
        let mut from = 0;
        std::iter::from_fn(move || {
            if needle.trim().is_empty() {
                return None;
            }
            let found = self.text.get(from..)?.find(&needle)? + from;
            from = found + 1;
            // The match starts at the space before its first word.
            Some(self.line_of(found + 1))
        })
    }

    /// The line containing byte `offset` of the normalised text.
    fn line_of(&self, offset: usize) -> usize {
        let index = self
            .line_starts
            .partition_point(|(start, _)| *start <= offset);
        index
            .checked_sub(1)
            .and_then(|i| self.line_starts.get(i))
            .map_or(1, |(_, line)| *line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_across_wrapping_and_markup() {
        let words = Words::new("Title\n\nis greater than 700\nmillion **monthly active** users.");
        assert_eq!(words.find("700 million monthly active users"), Some(3));
        assert_eq!(words.find("monthly active users"), Some(4));
        assert_eq!(words.find("active user"), None);
        assert!(words.contains("title"));
    }

    #[test]
    fn keeps_plus_signs() {
        let words = Words::new("CreativeML Open RAIL++-M License");
        assert!(words.contains("open rail++ m"));
        assert!(!words.contains("open rail m"));
    }
}
