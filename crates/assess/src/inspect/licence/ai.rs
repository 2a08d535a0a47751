//! Recognisers for AI licences that the SPDX list lacks.
//!
//! Each licence is recognised by its title (a phrase no other licence uses) and, for texts
//! whose title was cut off, by clauses distinctive of its family. Only these short phrases are
//! shipped, never the texts: the tests read the real texts from `shared/licences`.

use super::normalize::Words;
use super::{IdSource, LicenceId};

/// A licence recognised by one of its titles.
struct Titled {
    /// Hub id (or, where the Hub has none, our own id in the same style).
    id: &'static str,
    /// The licence's name.
    name: &'static str,
    /// Phrases that only this licence's text contains, each enough on its own.
    titles: &'static [&'static str],
}

/// Titles, most specific first: a Llama 3 text mentions "Llama 3" but not "Llama 3.1", and
/// "open rail++ m" never matches "open rail m" because `+` is part of a word.
const TITLED: &[Titled] = &[
    Titled {
        id: "llama2",
        name: "Llama 2 Community License Agreement",
        titles: &["llama 2 community license agreement"],
    },
    Titled {
        id: "llama3.1",
        name: "Llama 3.1 Community License Agreement",
        titles: &["llama 3.1 community license agreement"],
    },
    Titled {
        id: "llama3.2",
        name: "Llama 3.2 Community License Agreement",
        titles: &["llama 3.2 community license agreement"],
    },
    Titled {
        id: "llama3.3",
        name: "Llama 3.3 Community License Agreement",
        titles: &["llama 3.3 community license agreement"],
    },
    Titled {
        id: "llama3",
        name: "Meta Llama 3 Community License Agreement",
        titles: &["llama 3 community license agreement"],
    },
    Titled {
        id: "llama4",
        name: "Llama 4 Community License Agreement",
        titles: &["llama 4 community license agreement"],
    },
    Titled {
        id: "llama2",
        name: "Llama 2 Acceptable Use Policy",
        titles: &["llama 2 acceptable use policy"],
    },
    Titled {
        id: "llama3.1",
        name: "Llama 3.1 Acceptable Use Policy",
        titles: &["llama 3.1 acceptable use policy"],
    },
    Titled {
        id: "llama3.2",
        name: "Llama 3.2 Acceptable Use Policy",
        titles: &["llama 3.2 acceptable use policy"],
    },
    Titled {
        id: "llama3.3",
        name: "Llama 3.3 Acceptable Use Policy",
        titles: &["llama 3.3 acceptable use policy"],
    },
    Titled {
        id: "llama3",
        name: "Meta Llama 3 Acceptable Use Policy",
        titles: &["llama 3 acceptable use policy"],
    },
    Titled {
        id: "llama4",
        name: "Llama 4 Acceptable Use Policy",
        titles: &["llama 4 acceptable use policy"],
    },
    Titled {
        id: "gemma",
        name: "Gemma Terms of Use",
        titles: &["gemma terms of use", "gemma prohibited use policy"],
    },
    Titled {
        id: "openrail++",
        name: "CreativeML Open RAIL++-M License",
        titles: &["open rail++ m license"],
    },
    Titled {
        id: "creativeml-openrail-m",
        name: "CreativeML Open RAIL-M",
        titles: &["creativeml open rail m"],
    },
    Titled {
        id: "bigscience-bloom-rail-1.0",
        name: "BigScience RAIL License v1.0",
        titles: &["bigscience rail license v1.0", "bigscience bloom rail"],
    },
    Titled {
        id: "bigscience-openrail-m",
        name: "BigScience Open RAIL-M",
        titles: &["bigscience open rail m"],
    },
    Titled {
        id: "bigcode-openrail-m",
        name: "BigCode Open RAIL-M",
        titles: &["bigcode open rail m", "bigcode openrail m"],
    },
    Titled {
        id: "deepseek",
        name: "DeepSeek License Agreement",
        titles: &["deepseek license agreement"],
    },
    Titled {
        id: "tongyi-qianwen-research",
        name: "Tongyi Qianwen Research License Agreement",
        titles: &["tongyi qianwen research license agreement"],
    },
    Titled {
        id: "qwen-research",
        name: "Qwen Research License Agreement",
        titles: &["qwen research license agreement"],
    },
    Titled {
        id: "tongyi-qianwen",
        name: "Tongyi Qianwen License Agreement",
        titles: &["tongyi qianwen license agreement"],
    },
    Titled {
        id: "qwen",
        name: "Qwen License Agreement",
        titles: &["qwen license agreement"],
    },
    Titled {
        id: "microsoft-research",
        name: "Microsoft Research License Terms",
        titles: &["microsoft research license terms"],
    },
    Titled {
        id: "stabilityai-ai-community",
        name: "Stability AI Community License Agreement",
        titles: &["stability ai community license agreement"],
    },
    Titled {
        id: "nvidia-open-model-license",
        name: "NVIDIA Open Model License Agreement",
        titles: &["nvidia open model license agreement"],
    },
    Titled {
        id: "falcon-llm-license",
        name: "TII Falcon LLM License",
        titles: &[
            "tii falcon llm license",
            "tii falcon license",
            "falcon 180b tii license",
        ],
    },
    Titled {
        id: "mistral-research",
        name: "Mistral AI Research License",
        titles: &["mistral ai research license"],
    },
    Titled {
        id: "mistral-non-production",
        name: "Mistral AI Non-Production License",
        titles: &["mistral ai non production license"],
    },
    Titled {
        id: "deepfloyd-if-license",
        name: "DeepFloyd IF License Agreement",
        titles: &["deepfloyd if license agreement"],
    },
    Titled {
        id: "apple-ascl",
        name: "Apple Sample Code License",
        titles: &["apple sample code license"],
    },
];

/// A licence family recognised by clauses when no title is present.
struct Family {
    id: &'static str,
    name: &'static str,
    /// Distinctive clauses; at least [`FAMILY_QUORUM`] must occur.
    clauses: &'static [&'static str],
}

/// How many distinctive clauses identify a family without its title.
const FAMILY_QUORUM: usize = 2;

/// Confidence of an identification by title.
const TITLE_CONFIDENCE: f32 = 0.95;

const FAMILIES: &[Family] = &[
    Family {
        id: "llama",
        name: "Llama Community License (version unknown)",
        clauses: &[
            "llama materials",
            "700 million monthly active users",
            "built with llama",
            "improve any other large language model",
        ],
    },
    Family {
        id: "openrail",
        name: "Open RAIL licence (variant unknown)",
        clauses: &[
            "use based restrictions",
            "the restrictions set forth in attachment a",
            "responsible ai license",
            "remotely or otherwise",
        ],
    },
];

/// The AI licence the text is, if any.
pub(super) fn recognise(words: &Words) -> Option<LicenceId> {
    let titled = TITLED.iter().find_map(|licence| {
        let line = licence
            .titles
            .iter()
            .filter_map(|title| words.find(title))
            .min()?;
        Some((line, licence))
    });
    if let Some((_, licence)) = titled {
        return Some(LicenceId {
            id: licence.id.to_string(),
            name: licence.name.to_string(),
            source: IdSource::AiLicenceText,
            confidence: TITLE_CONFIDENCE,
        });
    }
    FAMILIES.iter().find_map(|family| {
        let found = family
            .clauses
            .iter()
            .filter(|clause| words.contains(clause))
            .count();
        (found >= FAMILY_QUORUM).then(|| LicenceId {
            id: family.id.to_string(),
            name: family.name.to_string(),
            source: IdSource::AiLicenceText,
            confidence: found as f32 / family.clauses.len() as f32 * TITLE_CONFIDENCE,
        })
    })
}
