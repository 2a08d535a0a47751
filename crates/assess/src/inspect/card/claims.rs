//! Open-source claims in a card (definition C1-C3): the lexicon, where it is searched, and what
//! is not a claim (the bare word "open", negations, comparisons with other models, phrases about
//! tools or data rather than the release).

/// C1: phrases that claim open source, as lower-case words (any separator between them).
const LEXICON: &[&[&str]] = &[
    &["open", "source"],
    &["open", "sourced"],
    &["opensource"],
    &["opensourced"],
    &["fully", "open"],
    &["100%", "open"],
    &["truly", "open"],
    &["completely", "open"],
    &["totally", "open"],
];

/// C3: a claim right after one of these words places the release among open-source models.
const SUPERLATIVES: &[&str] = &[
    "best",
    "strongest",
    "leading",
    "largest",
    "most",
    "first",
    "top",
    "finest",
    "greatest",
];

/// C3: words before a phrase that make it a comparison with other models.
const COMPARISONS: &[&str] = &[
    "other",
    "than",
    "outperform",
    "outperforms",
    "outperformed",
    "outperforming",
    "compared",
    "comparable",
    "versus",
    "vs",
    "among",
    "existing",
    "against",
    "surpasses",
    "beats",
];

/// How many words before a phrase a comparison word still governs it.
const COMPARISON_REACH: usize = 8;

/// C3: what a phrase describes when it is not the release.
const OBJECTS: &[&str] = &[
    "library",
    "libraries",
    "framework",
    "frameworks",
    "toolkit",
    "toolkits",
    "tool",
    "tools",
    "community",
    "communities",
    "ecosystem",
    "software",
    "package",
    "packages",
    "project",
    "projects",
    "data",
    "dataset",
    "datasets",
    "implementation",
    "implementations",
];

/// Nouns that name the release itself: an object word after them no longer matters.
const RELEASE_NOUNS: &[&str] = &[
    "model", "models", "llm", "llms", "weights", "release", "system", "ai",
];

/// How many words after a phrase are read for its object.
const OBJECT_REACH: usize = 3;

/// Splits a line into lower-case words: letters, digits and `%`; everything else separates.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in line.chars() {
        if c.is_alphanumeric() || c == '%' {
            current.extend(c.to_lowercase());
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Whether a line claims that the release is open source (C1, C3).
pub(crate) fn line_claims(line: &str) -> bool {
    let words = words(line);
    let text = |i: usize| words.get(i).map_or("", String::as_str);
    for start in 0..words.len() {
        let Some(phrase) = LEXICON.iter().find(|p| {
            p.iter()
                .enumerate()
                .all(|(k, part)| text(start + k) == *part)
        }) else {
            continue;
        };
        let after = start + phrase.len();
        let before = |k: usize| start.checked_sub(k).map_or("", text);
        if matches!(before(1), "not" | "non" | "isn" | "nor") || before(2) == "not" {
            continue;
        }
        let superlative = (1..=3).any(|k| SUPERLATIVES.contains(&before(k)));
        let compared = (1..=COMPARISON_REACH).any(|k| COMPARISONS.contains(&before(k)))
            || (text(after + 1) == "such" && text(after + 2) == "as")
            || text(after + 1) == "like";
        if compared && !superlative {
            continue;
        }
        let about_other = (after..after + OBJECT_REACH)
            .map(text)
            .take_while(|w| !RELEASE_NOUNS.contains(w))
            .any(|w| OBJECTS.contains(&w));
        if about_other {
            continue;
        }
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims() {
        for line in [
            "This is a fully open source model.",
            "We opensource Qwen-7B and Qwen-7B-Chat.",
            "we have open-sourced DeepSeek-R1-Zero, DeepSeek-R1",
            "# Building the Next Generation of Open-Source and Bilingual LLMs",
            "producing the currently strongest open-source base model",
            "Among the chat models, it stands as the best-performing open-source model",
            "LLM360 is an initiative for comprehensive and fully open-sourced LLMs",
            "A 100% open model",
            "OLMo is truly open",
            "an open-source model and data",
        ] {
            assert!(line_claims(line), "{line}");
        }
    }

    #[test]
    fn not_claims() {
        for line in [
            "OpenHermes 2.5 Mistral 7B is a state-of-the-art Mistral fine-tune",
            "Licensed under OpenRAIL++; open weights for research",
            "Gemma is a family of lightweight, state-of-the-art open models",
            "This model is not open source.",
            "It outperforms comparable open-source models such as MPT-7B",
            "outperform many of the available open source and closed chat models",
            "Llama-2-Chat models outperform open-source chat models on most benchmarks",
            "better than equivalently sized fully open models",
            "DeepSeek-V3 outperforms other open-source models",
            "we have partnered with open-source communities and hardware vendors",
            "TinyLlama can be plugged and played in many open-source projects built upon Llama",
            "trained on a mix of open source and proprietary data",
            "built with the open-source transformers library",
            "see OpenSourceLM for details",
        ] {
            assert!(!line_claims(line), "{line}");
        }
    }
}
