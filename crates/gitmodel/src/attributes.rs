//! `.gitattributes`: which paths git-lfs stores (`filter=lfs`).
//!
//! Matching follows git (gitattributes(5), gitignore(5) globs): a pattern without `/` matches
//! the file's base name at any depth; a pattern with `/` is anchored at the repository root (a
//! leading `/` only anchors); `*` does not cross `/`, `**/`, `/**/` and `/**` cross any number of
//! directories; later lines override earlier ones. `filter=lfs` sets, `-filter` unsets and
//! `!filter` returns the attribute to unspecified, each overriding earlier lines. Patterns git
//! ignores in attribute files are ignored here too: negated (`!pat`) and directory-only
//! (`dir/`) patterns, and `[attr]` macro definitions. Only the root `.gitattributes` is
//! modelled, which is the one the Hub and its clients write.

use commonhold_types::RepoPath;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// The `.gitattributes` the Hub writes into a new model repository.
pub const DEFAULT_GITATTRIBUTES: &str = "\
*.7z filter=lfs diff=lfs merge=lfs -text
*.arrow filter=lfs diff=lfs merge=lfs -text
*.bin filter=lfs diff=lfs merge=lfs -text
*.bz2 filter=lfs diff=lfs merge=lfs -text
*.ckpt filter=lfs diff=lfs merge=lfs -text
*.ftz filter=lfs diff=lfs merge=lfs -text
*.gz filter=lfs diff=lfs merge=lfs -text
*.h5 filter=lfs diff=lfs merge=lfs -text
*.joblib filter=lfs diff=lfs merge=lfs -text
*.lfs.* filter=lfs diff=lfs merge=lfs -text
*.mlmodel filter=lfs diff=lfs merge=lfs -text
*.model filter=lfs diff=lfs merge=lfs -text
*.msgpack filter=lfs diff=lfs merge=lfs -text
*.npy filter=lfs diff=lfs merge=lfs -text
*.npz filter=lfs diff=lfs merge=lfs -text
*.onnx filter=lfs diff=lfs merge=lfs -text
*.ot filter=lfs diff=lfs merge=lfs -text
*.parquet filter=lfs diff=lfs merge=lfs -text
*.pb filter=lfs diff=lfs merge=lfs -text
*.pickle filter=lfs diff=lfs merge=lfs -text
*.pkl filter=lfs diff=lfs merge=lfs -text
*.pt filter=lfs diff=lfs merge=lfs -text
*.pth filter=lfs diff=lfs merge=lfs -text
*.rar filter=lfs diff=lfs merge=lfs -text
*.safetensors filter=lfs diff=lfs merge=lfs -text
saved_model/**/* filter=lfs diff=lfs merge=lfs -text
*.tar.* filter=lfs diff=lfs merge=lfs -text
*.tar filter=lfs diff=lfs merge=lfs -text
*.tflite filter=lfs diff=lfs merge=lfs -text
*.tgz filter=lfs diff=lfs merge=lfs -text
*.wasm filter=lfs diff=lfs merge=lfs -text
*.xz filter=lfs diff=lfs merge=lfs -text
*.zip filter=lfs diff=lfs merge=lfs -text
*.zst filter=lfs diff=lfs merge=lfs -text
*tfevents* filter=lfs diff=lfs merge=lfs -text
";

/// A parsed `.gitattributes`, reduced to what commonhold needs: the `filter` attribute.
#[derive(Clone, Debug, Default)]
pub struct GitAttributes {
    /// Patterns matched against the base name, and the rule index of each.
    basename: GlobSet,
    basename_rules: Vec<usize>,
    /// Anchored patterns matched against the full path, and the rule index of each.
    anchored: GlobSet,
    anchored_rules: Vec<usize>,
    /// Per rule (a line that mentions `filter`, in file order): does it set `filter=lfs`?
    rule_is_lfs: Vec<bool>,
    /// Lines whose pattern could not be compiled, as (1-based line number, text).
    invalid: Vec<(usize, String)>,
}

impl GitAttributes {
    /// Parses the file. Never fails: a line git would ignore or that cannot be compiled is
    /// skipped (and listed by [`GitAttributes::invalid_lines`]), as git skips it.
    pub fn parse(text: &str) -> GitAttributes {
        let mut attrs = GitAttributes::default();
        let mut basename = GlobSetBuilder::new();
        let mut anchored = GlobSetBuilder::new();
        for (index, raw) in text.lines().enumerate() {
            let Some((pattern, filter_is_lfs)) = parse_line(raw) else {
                continue;
            };
            let (anchored_pattern, pattern) = match pattern.strip_prefix('/') {
                Some(rest) => (true, rest),
                None => (pattern.contains('/'), pattern.as_str()),
            };
            let glob = GlobBuilder::new(pattern)
                .literal_separator(true)
                .backslash_escape(true)
                .build();
            let Ok(glob) = glob else {
                attrs
                    .invalid
                    .push((index + 1, raw.chars().take(200).collect()));
                continue;
            };
            let rule = attrs.rule_is_lfs.len();
            attrs.rule_is_lfs.push(filter_is_lfs);
            if anchored_pattern {
                anchored.add(glob);
                attrs.anchored_rules.push(rule);
            } else {
                basename.add(glob);
                attrs.basename_rules.push(rule);
            }
        }
        // Each glob compiled on its own above, so building the sets cannot fail in practice;
        // an empty set is the safe fallback (no path is LFS).
        attrs.basename = basename.build().unwrap_or_else(|_| GlobSet::empty());
        attrs.anchored = anchored.build().unwrap_or_else(|_| GlobSet::empty());
        attrs
    }

    /// Whether the last line that matches `path` and mentions `filter` sets `filter=lfs`.
    pub fn is_lfs(&self, path: &RepoPath) -> bool {
        let by_name = self.basename.matches(path.file_name());
        let by_path = self.anchored.matches(path.as_str());
        let rules = by_name
            .into_iter()
            .filter_map(|i| self.basename_rules.get(i))
            .chain(
                by_path
                    .into_iter()
                    .filter_map(|i| self.anchored_rules.get(i)),
            );
        rules
            .max()
            .and_then(|&rule| self.rule_is_lfs.get(rule).copied())
            .unwrap_or(false)
    }

    /// Lines that were skipped because their pattern is not a valid glob.
    pub fn invalid_lines(&self) -> &[(usize, String)] {
        &self.invalid
    }
}

/// The pattern of a line that mentions `filter`, and whether that line leaves `filter=lfs`.
/// `None` for blank lines, comments, macros, patterns git ignores, and lines not about `filter`.
fn parse_line(raw: &str) -> Option<(String, bool)> {
    let line = raw.trim_start();
    if line.is_empty() || line.starts_with('#') || line.starts_with("[attr]") {
        return None;
    }
    let (pattern, attrs) = split_pattern(line)?;
    if pattern.is_empty() || pattern.starts_with('!') || pattern.ends_with('/') {
        return None;
    }
    let mut filter = None;
    for token in attrs.split_ascii_whitespace() {
        match token {
            "-filter" | "!filter" | "filter" => filter = Some(false),
            _ => {
                if let Some(value) = token.strip_prefix("filter=") {
                    filter = Some(value == "lfs");
                }
            }
        }
    }
    Some((pattern, filter?))
}

/// Splits off the pattern: the first whitespace-delimited word, or a C-style quoted string
/// (git quotes patterns containing spaces that way).
fn split_pattern(line: &str) -> Option<(String, &str)> {
    let Some(quoted) = line.strip_prefix('"') else {
        let end = line
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(line.len());
        return Some((line.get(..end)?.to_string(), line.get(end..)?));
    };
    let mut pattern = String::new();
    let mut chars = quoted.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((pattern, quoted.get(i + 1..)?)),
            '\\' => match chars.next()?.1 {
                'n' => pattern.push('\n'),
                't' => pattern.push('\t'),
                // Keep other escapes as glob escapes (`\*` stays a literal star).
                other @ ('"' | '\\') => pattern.push(other),
                other => {
                    pattern.push('\\');
                    pattern.push(other);
                }
            },
            other => pattern.push(other),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lfs(attrs: &GitAttributes, path: &str) -> bool {
        attrs.is_lfs(&RepoPath::new(path).unwrap())
    }

    #[test]
    fn default_file_covers_the_usual_weights() {
        let attrs = GitAttributes::parse(DEFAULT_GITATTRIBUTES);
        assert!(attrs.invalid_lines().is_empty());
        for yes in [
            "model.safetensors",
            "deep/dir/model-00001-of-00002.safetensors",
            "pytorch_model.bin",
            "data.tar.gz",
            "x.tar",
            "saved_model/variables/variables.data-00000-of-00001",
            "saved_model/saved_model.pb",
            "runs/events.out.tfevents.1700000000.host",
            ".hidden.npy",
        ] {
            assert!(lfs(&attrs, yes), "{yes}");
        }
        for no in [
            "README.md",
            "config.json",
            "tokenizer.json",
            "sub/saved_model/x.txt",
            "tar",
            "x.safetensors.txt",
        ] {
            assert!(!lfs(&attrs, no), "{no}");
        }
    }

    #[test]
    fn anchoring_and_basename_matching() {
        let attrs = GitAttributes::parse(
            "big.dat filter=lfs\n/root.dat filter=lfs\ndata/*.csv filter=lfs\n**/deep.x filter=lfs\n",
        );
        assert!(lfs(&attrs, "big.dat"));
        assert!(lfs(&attrs, "a/b/big.dat"));
        assert!(lfs(&attrs, "root.dat"));
        assert!(!lfs(&attrs, "a/root.dat"));
        assert!(lfs(&attrs, "data/x.csv"));
        assert!(!lfs(&attrs, "data/sub/x.csv"), "* does not cross /");
        assert!(
            !lfs(&attrs, "other/data/x.csv"),
            "a pattern with / is anchored"
        );
        assert!(lfs(&attrs, "deep.x"));
        assert!(lfs(&attrs, "a/b/deep.x"));
    }

    #[test]
    fn later_lines_override_and_unset() {
        let text = "*.bin filter=lfs\nsmall.bin -filter\n*.txt filter=lfs\nkeep.txt !filter\n\
                    *.json filter=lfs -filter\n*.bin diff=lfs\n*.pt filter=other\n";
        let attrs = GitAttributes::parse(text);
        assert!(
            lfs(&attrs, "big.bin"),
            "a later line without filter changes nothing"
        );
        assert!(!lfs(&attrs, "small.bin"));
        assert!(!lfs(&attrs, "d/small.bin"));
        assert!(lfs(&attrs, "a.txt"));
        assert!(!lfs(&attrs, "keep.txt"));
        assert!(!lfs(&attrs, "x.json"), "last token on a line wins");
        assert!(!lfs(&attrs, "m.pt"));
        let relisted = GitAttributes::parse("small.bin -filter\n*.bin filter=lfs\n");
        assert!(lfs(&relisted, "small.bin"));
    }

    #[test]
    fn ignores_what_git_ignores() {
        let text = "# *.md filter=lfs\n\n[attr]big filter=lfs\n!*.md filter=lfs\ndocs/ filter=lfs\n\
                    \"with space.bin\" filter=lfs\n  *.idx   filter=lfs  \nbad[ filter=lfs\n";
        let attrs = GitAttributes::parse(text);
        assert!(!lfs(&attrs, "a.md"));
        assert!(!lfs(&attrs, "docs"));
        assert!(!lfs(&attrs, "docs/x"));
        assert!(lfs(&attrs, "with space.bin"));
        assert!(lfs(&attrs, "pack.idx"));
        assert_eq!(attrs.invalid_lines().len(), 1);
        assert!(!lfs(&GitAttributes::parse(""), "x.bin"));
    }
}
