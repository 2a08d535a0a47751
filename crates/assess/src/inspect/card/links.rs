//! Links in a card: papers, code repositories and datasets that the release points to.

use serde::Serialize;

use super::CardMeta;

/// What a link points to, judged from its host and path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum LinkKind {
    /// An arXiv paper (arxiv.org, or the Hub's paper pages that mirror arXiv).
    Arxiv,
    /// A DOI.
    Doi,
    /// A source-code forge: GitHub, GitLab, Codeberg, Bitbucket, sourcehut, Gitee.
    CodeRepo,
    /// A dataset on a Hub.
    HfDataset,
    /// A model on a Hub.
    HfModel,
    /// A PDF document.
    Pdf,
    /// A paper on another scholarly host: OpenReview, ACL Anthology, PMLR, JMLR, NeurIPS
    /// proceedings (definition A6).
    Paper,
    /// Anything else.
    Other,
}

/// A URL found in a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// The URL as written (trailing punctuation removed).
    pub url: String,
    /// The 1-based line in README.md (for tags: the `tags` key's line).
    pub line: usize,
    /// What it points to.
    pub kind: LinkKind,
    /// The words around the URL on its line (the link's text included, the URL itself left
    /// out), lower-cased: what the card says the link holds (definition R4).
    pub context: String,
}

/// The most links kept from one card.
const LINKS_MAX: usize = 2_000;

/// The longest URL kept.
const URL_MAX: usize = 2_048;

/// Bytes of the line kept before and after a URL as its context.
const CONTEXT_BEFORE: usize = 120;
const CONTEXT_AFTER: usize = 80;

/// Hosts of scholarly papers other than arXiv and DOI (definition A6).
const PAPER_HOSTS: [&str; 7] = [
    "openreview.net",
    "aclanthology.org",
    "aclweb.org",
    "proceedings.mlr.press",
    "jmlr.org",
    "proceedings.neurips.cc",
    "papers.nips.cc",
];

/// Hosts of source-code forges.
const FORGES: [&str; 7] = [
    "github.com",
    "gitlab.com",
    "codeberg.org",
    "bitbucket.org",
    "git.sr.ht",
    "gitee.com",
    "sourceforge.net",
];

/// Every `http(s)://` URL in the text, with its line.
pub(super) fn find<'a>(lines: impl Iterator<Item = (usize, &'a str)>) -> Vec<Link> {
    let mut links = Vec::new();
    for (index, line) in lines {
        let mut rest = line;
        while let Some(start) = next_url_start(rest) {
            let at = line.len() - rest.len() + start;
            let candidate = rest.get(start..).unwrap_or_default();
            let end = candidate
                .find(|c: char| c.is_whitespace() || "()[]<>\"'`{}|".contains(c))
                .unwrap_or(candidate.len());
            let url = candidate
                .get(..end)
                .unwrap_or_default()
                .trim_end_matches(['.', ',', ';', ':', '!', '?', '*']);
            if url.len() > "https://".len() && url.len() <= URL_MAX {
                if links.len() >= LINKS_MAX {
                    return links;
                }
                links.push(Link {
                    url: url.to_string(),
                    line: index + 1,
                    kind: classify(url),
                    context: context(line, at, at + end),
                });
            }
            rest = candidate.get(end.max(1)..).unwrap_or_default();
        }
    }
    links
}

/// Up to [`CONTEXT_BEFORE`] bytes before the URL at `start..end` and [`CONTEXT_AFTER`] after
/// it, lower-cased, on character boundaries.
fn context(line: &str, start: usize, end: usize) -> String {
    let mut from = start.saturating_sub(CONTEXT_BEFORE);
    while !line.is_char_boundary(from) {
        from += 1;
    }
    let mut to = end.saturating_add(CONTEXT_AFTER).min(line.len());
    while !line.is_char_boundary(to) {
        to -= 1;
    }
    let before = line.get(from..start).unwrap_or_default();
    let after = line.get(end.min(to)..to).unwrap_or_default();
    format!("{before} {after}").to_lowercase()
}

/// Where the next `http://` or `https://` URL starts.
fn next_url_start(text: &str) -> Option<usize> {
    [text.find("http://"), text.find("https://")]
        .into_iter()
        .flatten()
        .min()
}

/// The Hub's `arxiv:NNNN.NNNNN` and `doi:...` tags, as links.
pub(super) fn from_tags(meta: &CardMeta) -> Vec<Link> {
    let line = meta.lines.get("tags").copied().unwrap_or(1);
    meta.tags
        .iter()
        .filter_map(|tag| {
            let (scheme, id) = tag.split_once(':')?;
            let id = id.trim();
            if id.is_empty() || id.len() > URL_MAX {
                return None;
            }
            match scheme.trim().to_ascii_lowercase().as_str() {
                "arxiv" => Some((format!("https://arxiv.org/abs/{id}"), LinkKind::Arxiv)),
                "doi" => Some((format!("https://doi.org/{id}"), LinkKind::Doi)),
                _ => None,
            }
        })
        .map(|(url, kind)| Link {
            url,
            line,
            kind,
            context: String::new(),
        })
        .collect()
}

/// What a URL points to.
pub(crate) fn classify(url: &str) -> LinkKind {
    let lower = url.to_ascii_lowercase();
    let without_scheme = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let (host, path) = without_scheme
        .split_once('/')
        .unwrap_or((without_scheme, ""));
    let host = host.strip_prefix("www.").unwrap_or(host);
    let path = path.split(['?', '#']).next().unwrap_or_default();
    if path.ends_with(".pdf") {
        return LinkKind::Pdf;
    }
    if host == "arxiv.org" || host.ends_with(".arxiv.org") {
        return LinkKind::Arxiv;
    }
    if host == "doi.org" || host == "dx.doi.org" {
        return LinkKind::Doi;
    }
    if PAPER_HOSTS
        .iter()
        .any(|h| host == *h || host.ends_with(&format!(".{h}")))
    {
        return LinkKind::Paper;
    }
    if FORGES.contains(&host) && path.split('/').filter(|p| !p.is_empty()).count() >= 2 {
        return LinkKind::CodeRepo;
    }
    if host == "huggingface.co" || host == "hf.co" {
        let mut parts = path.split('/').filter(|p| !p.is_empty());
        return match (parts.next(), parts.next(), parts.next()) {
            (Some("papers"), Some(_), _) => LinkKind::Arxiv,
            (Some("datasets"), Some(_), Some(_)) => LinkKind::HfDataset,
            (
                Some("spaces" | "docs" | "blog" | "datasets" | "models" | "papers" | "learn"),
                _,
                _,
            ) => LinkKind::Other,
            (Some(_), Some(_), _) => LinkKind::HfModel,
            _ => LinkKind::Other,
        };
    }
    LinkKind::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_host_and_path() {
        let cases = [
            ("https://arxiv.org/abs/2302.13971", LinkKind::Arxiv),
            ("https://huggingface.co/papers/2302.13971", LinkKind::Arxiv),
            ("https://doi.org/10.1234/x", LinkKind::Doi),
            ("https://github.com/EleutherAI/gpt-neox", LinkKind::CodeRepo),
            ("https://github.com/EleutherAI", LinkKind::Other),
            (
                "https://huggingface.co/datasets/allenai/dolma",
                LinkKind::HfDataset,
            ),
            ("https://huggingface.co/allenai/OLMo-7B", LinkKind::HfModel),
            ("https://huggingface.co/spaces/a/b", LinkKind::Other),
            ("https://example.org/report.pdf?x=1", LinkKind::Pdf),
            ("https://example.org/", LinkKind::Other),
            ("https://openreview.net/forum?id=abc", LinkKind::Paper),
            ("https://aclanthology.org/2020.acl-main.1/", LinkKind::Paper),
        ];
        for (url, kind) in cases {
            assert_eq!(classify(url), kind, "{url}");
        }
    }

    #[test]
    fn finds_urls_in_markdown_with_lines() {
        let text = "intro\nSee [paper](https://arxiv.org/abs/1.2). And https://github.com/a/b.\n";
        let links = find(text.lines().enumerate());
        let found: Vec<(&str, usize)> = links.iter().map(|l| (l.url.as_str(), l.line)).collect();
        assert_eq!(
            found,
            vec![
                ("https://arxiv.org/abs/1.2", 2),
                ("https://github.com/a/b", 2)
            ]
        );
        let code = find(
            "- Core repo (training, inference): https://github.com/a/b and more"
                .lines()
                .enumerate(),
        );
        assert_eq!(
            code[0].context,
            "- core repo (training, inference):   and more"
        );
    }
}
