//! Data-card completeness: what a dataset's card documents, as a small level that the search
//! facets and the pages show where models show their tier (the rule is in `docs/catalogue.md`).
//!
//! Ten items, each met by a card-metadata field or by a section of the card body. Sections are
//! found by the assessor's own card parser, so a heading counts here exactly when it counts for
//! the assessment, and only with at least [`SECTION_MIN_WORDS`] words under it: an unfilled
//! template heading documents nothing.

use commonhold_assess::inspect::{SectionKind, parse_card};
use serde_json::Value;

use crate::entry::strings;
use crate::markdown::strip_front_matter;

/// Sections with fewer words count as absent (as in the assessor's dataset check).
pub const SECTION_MIN_WORDS: usize = 10;
/// Items needed for [`Completeness::Partial`]; all of them make it complete.
pub const PARTIAL_AT: usize = 5;

/// How completely a data card documents its dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Completeness {
    /// Fewer than [`PARTIAL_AT`] items.
    Minimal,
    /// At least [`PARTIAL_AT`] items, not all.
    Partial,
    /// Every item.
    Complete,
}

impl Completeness {
    /// The facet value and badge text.
    pub fn as_str(self) -> &'static str {
        match self {
            Completeness::Minimal => "minimal",
            Completeness::Partial => "partial",
            Completeness::Complete => "complete",
        }
    }
}

/// One thing a data card should document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    Description,
    Licence,
    Languages,
    Size,
    Composition,
    CollectionAndSources,
    PersonalData,
    IntendedUses,
    Limitations,
    Citation,
}

impl Item {
    pub const ALL: [Item; 10] = [
        Item::Description,
        Item::Licence,
        Item::Languages,
        Item::Size,
        Item::Composition,
        Item::CollectionAndSources,
        Item::PersonalData,
        Item::IntendedUses,
        Item::Limitations,
        Item::Citation,
    ];

    /// How readers see it.
    pub fn label(self) -> &'static str {
        match self {
            Item::Description => "description",
            Item::Licence => "licence",
            Item::Languages => "languages",
            Item::Size => "size",
            Item::Composition => "structure and fields",
            Item::CollectionAndSources => "collection and sources",
            Item::PersonalData => "personal and sensitive data",
            Item::IntendedUses => "intended uses",
            Item::Limitations => "limitations and biases",
            Item::Citation => "citation",
        }
    }
}

/// What a card documents and what it does not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataCard {
    pub present: Vec<Item>,
    pub missing: Vec<Item>,
}

impl DataCard {
    /// Checks a card: its front matter as JSON (`card_data`) and its text (front matter
    /// included or not).
    pub fn check(card_data: &Value, card_text: &str) -> DataCard {
        let body = strip_front_matter(card_text);
        let card = parse_card(body);
        let section = |kinds: &[SectionKind]| {
            card.sections
                .iter()
                .any(|s| s.words >= SECTION_MIN_WORDS && kinds.contains(&s.kind))
        };
        let heading_says = |words: &[&str]| {
            card.sections.iter().any(|s| {
                let h = s.heading.to_lowercase();
                s.words >= SECTION_MIN_WORDS && words.iter().any(|w| h.contains(w))
            })
        };
        let field = |key: &str| !strings(card_data.get(key)).is_empty();
        let has = |item: Item| match item {
            Item::Description => field("description") || has_prose(body),
            Item::Licence => field("license"),
            Item::Languages => field("language"),
            Item::Size => field("size_categories") || card_data.get("dataset_info").is_some(),
            Item::Composition => section(&[SectionKind::DatasetComposition]),
            Item::CollectionAndSources => {
                field("source_datasets")
                    || section(&[SectionKind::DataCollection, SectionKind::Provenance])
            }
            Item::PersonalData => heading_says(&["personal", "sensitive", "privacy", "pii"]),
            Item::IntendedUses => section(&[SectionKind::IntendedUse]),
            Item::Limitations => section(&[SectionKind::Limitations, SectionKind::KnownBiases]),
            Item::Citation => section(&[SectionKind::Citation]),
        };
        let (present, missing) = Item::ALL.into_iter().partition(|i| has(*i));
        DataCard { present, missing }
    }

    pub fn level(&self) -> Completeness {
        if self.missing.is_empty() {
            Completeness::Complete
        } else if self.present.len() >= PARTIAL_AT {
            Completeness::Partial
        } else {
            Completeness::Minimal
        }
    }

    /// The missing items as a readable list ("" when none).
    pub fn missing_labels(&self) -> String {
        self.missing
            .iter()
            .map(|i| i.label())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A paragraph of prose (not a heading, list, table or code) in the body.
fn has_prose(body: &str) -> bool {
    body.lines().map(str::trim).any(|l| {
        l.split_whitespace().count() >= 5
            && !l.starts_with(['#', '-', '*', '|', '`', '>', '<', '!', '['])
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn filler(topic: &str) -> String {
        format!("This section explains the {topic} of the dataset in enough words to count.\n")
    }

    fn full_card() -> String {
        let mut text = "---\nlicense: cc-by-4.0\n---\n# Reviews\n\nShort product reviews written by volunteers in 2024.\n".to_string();
        for h in [
            "Dataset Structure",
            "Data Collection",
            "Personal and Sensitive Information",
            "Intended Uses",
            "Limitations",
            "Citation",
        ] {
            text.push_str(&format!("\n## {h}\n\n{}", filler(h)));
        }
        text
    }

    fn full_meta() -> Value {
        json!({"license": "cc-by-4.0", "language": ["en", "de"], "size_categories": ["1K<n<10K"]})
    }

    #[test]
    fn a_card_with_every_item_is_complete() {
        let c = DataCard::check(&full_meta(), &full_card());
        assert_eq!(c.missing, Vec::<Item>::new());
        assert_eq!(c.level(), Completeness::Complete);
        assert_eq!(c.missing_labels(), "");
    }

    #[test]
    fn missing_items_are_named_and_lower_the_level() {
        let meta = json!({"license": "mit", "language": "en"});
        let c = DataCard::check(&meta, &full_card());
        assert_eq!(c.missing, [Item::Size]);
        assert_eq!(c.level(), Completeness::Partial);
        assert_eq!(c.missing_labels(), "size");

        let c = DataCard::check(&json!({"license": "mit"}), "# Data\n\nA few rows.\n");
        assert_eq!(c.present, [Item::Licence]);
        assert_eq!(c.level(), Completeness::Minimal);
        assert_eq!(
            DataCard::check(&json!({}), "").level(),
            Completeness::Minimal
        );
    }

    #[test]
    fn metadata_fields_stand_in_for_sections() {
        let meta = json!({"description": "Reviews.", "source_datasets": ["original"], "dataset_info": {"splits": []}});
        let c = DataCard::check(&meta, "");
        assert_eq!(
            c.present,
            [Item::Description, Item::Size, Item::CollectionAndSources]
        );
    }

    #[test]
    fn empty_template_headings_do_not_count() {
        let text = "# Reviews\n\n## Intended Uses\n\n[More Information Needed]\n\n## Citation\n\n## Personal Information\n\nNone.\n";
        let c = DataCard::check(&json!({}), text);
        assert!(c.present.is_empty(), "{:?}", c.present);
    }

    #[test]
    fn the_rule_meets_its_threshold_exactly() {
        let meta = json!({"license": "mit", "language": "en", "size_categories": "n<1K", "description": "x"});
        assert_eq!(
            DataCard::check(&meta, "").present.len(),
            PARTIAL_AT - 1,
            "four items are minimal"
        );
        assert_eq!(DataCard::check(&meta, "").level(), Completeness::Minimal);
        let text = format!("## Citation\n\n{}", filler("citation"));
        assert_eq!(DataCard::check(&meta, &text).level(), Completeness::Partial);
    }
}
