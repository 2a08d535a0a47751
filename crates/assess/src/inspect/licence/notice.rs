//! Notices (definition N1, N2): short licence-named files that refer to terms published
//! elsewhere ("Gemma is provided under and subject to the Gemma Terms of Use found at ...",
//! "licensed under the Llama 3.1 Community License, see https://..."). They identify a licence by
//! its name or its URL, but are not a licence text.

use super::normalize::Words;
use super::{IdSource, LicenceId};

/// A file with fewer words than this that is not an SPDX text is a notice, not a licence text.
pub const NOTICE_WORDS_MAX: usize = 300;

/// Confidence of an identification from a name or URL in a notice.
const NOTICE_CONFIDENCE: f32 = 0.9;

/// Licence names as notices write them (without "Agreement"), most specific first: the
/// normalised words keep "3 1" apart from "3 community".
const NAMES: &[(&str, &str, &str)] = &[
    (
        "llama 3 1 community license",
        "llama3.1",
        "Llama 3.1 Community License",
    ),
    (
        "llama 3 2 community license",
        "llama3.2",
        "Llama 3.2 Community License",
    ),
    (
        "llama 3 3 community license",
        "llama3.3",
        "Llama 3.3 Community License",
    ),
    (
        "llama 2 community license",
        "llama2",
        "Llama 2 Community License",
    ),
    (
        "llama 3 community license",
        "llama3",
        "Meta Llama 3 Community License",
    ),
    (
        "llama 4 community license",
        "llama4",
        "Llama 4 Community License",
    ),
    ("gemma terms of use", "gemma", "Gemma Terms of Use"),
    ("deepseek license", "deepseek", "DeepSeek License Agreement"),
    (
        "qwen research license",
        "qwen-research",
        "Qwen Research License Agreement",
    ),
    ("qwen license", "qwen", "Qwen License Agreement"),
    (
        "apache license version 2 0",
        "Apache-2.0",
        "Apache License 2.0",
    ),
    ("apache license 2 0", "Apache-2.0", "Apache License 2.0"),
    ("mit license", "MIT", "MIT License"),
];

/// Where licences are published: a notice that links there refers to that licence.
const URLS: &[(&str, &str, &str)] = &[
    ("ai.google.dev/gemma/terms", "gemma", "Gemma Terms of Use"),
    (
        "models/llama3_1/license",
        "llama3.1",
        "Llama 3.1 Community License",
    ),
    (
        "models/llama3_2/license",
        "llama3.2",
        "Llama 3.2 Community License",
    ),
    (
        "models/llama3_3/license",
        "llama3.3",
        "Llama 3.3 Community License",
    ),
    (
        "models/llama2/license",
        "llama2",
        "Llama 2 Community License",
    ),
    (
        "models/llama3/license",
        "llama3",
        "Meta Llama 3 Community License",
    ),
    (
        "llama.meta.com/llama3_1/license",
        "llama3.1",
        "Llama 3.1 Community License",
    ),
    (
        "llama.meta.com/llama3/license",
        "llama3",
        "Meta Llama 3 Community License",
    ),
    (
        "apache.org/licenses/license-2.0",
        "Apache-2.0",
        "Apache License 2.0",
    ),
    ("opensource.org/licenses/mit", "MIT", "MIT License"),
];

/// Whether a text is short enough to be a notice rather than a licence text.
pub(super) fn is_short(text: &str) -> bool {
    text.split_whitespace().take(NOTICE_WORDS_MAX).count() < NOTICE_WORDS_MAX
}

/// The licence a notice names or links to, if any.
pub(super) fn referenced(text: &str, words: &Words) -> Option<LicenceId> {
    let lower = text.to_ascii_lowercase();
    let by_url = URLS
        .iter()
        .find(|(url, ..)| lower.contains(url))
        .map(|(_, id, name)| (*id, *name));
    let by_name = NAMES
        .iter()
        .find(|(phrase, ..)| words.contains(phrase))
        .map(|(_, id, name)| (*id, *name));
    by_name.or(by_url).map(|(id, name)| LicenceId {
        id: id.to_owned(),
        name: name.to_owned(),
        source: IdSource::Notice,
        confidence: NOTICE_CONFIDENCE,
    })
}
