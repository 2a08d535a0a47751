//! The data information grade (definition D1-D8) on training-data sections written the way real
//! cards write them: vague ones stay closed, real datasheets stay open (issue 9, class 1).

use crate::common;

use common::{Fixture, card};
use commonhold_assess::mof::Component;
use commonhold_assess::{Assessment, ComponentState, DataGrade, DataInformation};

fn assess_card(front: &str, body: &str) -> Assessment {
    Fixture::new()
        .file("README.md", card(front, body))
        .file("config.json", r#"{"model_type": "llama"}"#)
        .file("model.safetensors", common::safetensors(4, 0))
        .assess()
}

fn info(a: &Assessment) -> &DataInformation {
    a.data_information.as_ref().expect("data information")
}

fn data_card(a: &Assessment) -> ComponentState {
    a.components
        .iter()
        .find(|c| c.component == Component::DataCard)
        .map_or(ComponentState::Absent, |c| c.state)
}

fn raised(a: &Assessment, id: &str) -> bool {
    a.findings.iter().any(|f| f.id == id)
}

#[test]
fn a_heading_over_generic_statements_is_closed_and_quoted() {
    // Llama 3's pattern: a data heading, a token count, and "publicly available sources".
    let a = assess_card(
        "license: apache-2.0",
        "## Training Data\n\nThe model was pretrained on over 15 trillion tokens of data from publicly\navailable sources. The fine-tuning data includes publicly available instruction datasets, as well\nas over 10M human-annotated examples.\n",
    );
    let d = info(&a);
    assert_eq!(d.grade, DataGrade::Closed);
    assert!(d.sources.is_empty());
    assert!(!d.sizes.is_empty(), "the token count is kept as evidence");
    assert_eq!(d.generic[0].rule, "D5");
    assert!(d.generic[0].quote.contains("publicly"), "{:?}", d.generic);
    assert_ne!(
        data_card(&a),
        ComponentState::Present,
        "A4: not a data card"
    );
    assert!(raised(&a, "OW005"));
    let ow005 = a.findings.iter().find(|f| f.id == "OW005").unwrap();
    assert!(ow005.message.contains("publicly"), "{}", ow005.message);
}

#[test]
fn categories_without_names_are_closed() {
    // Gemma's pattern: a wide variety of sources, listed by kind only.
    let a = assess_card(
        "license: gemma",
        "### Training Dataset\n\nThese models were trained on a dataset of text data that includes a wide variety of sources,\ntotaling 6 trillion tokens. Here are the key components:\n\n- Web Documents: a diverse collection of web text, primarily English.\n- Code: exposure to code helps the model learn programming syntax.\n- Mathematics: training on mathematical text helps the model learn logical reasoning.\n\n### Data Preprocessing\n\nRigorous CSAM filtering was applied at multiple stages of data preparation.\n",
    );
    let d = info(&a);
    assert_eq!(d.grade, DataGrade::Closed);
    assert!(
        !d.collection.is_empty(),
        "filtering is described, but names nothing"
    );
    assert!(raised(&a, "OW005"));
}

#[test]
fn a_key_feature_line_is_data_text_but_names_nothing() {
    let a = assess_card(
        "license: apache-2.0",
        "## Key features\n- Trained with a **128k context window**\n- Trained on a large proportion of **multilingual and code data**\n",
    );
    assert_eq!(info(&a).grade, DataGrade::Closed);
    assert!(raised(&a, "OW005"));
}

#[test]
fn a_corpus_named_as_excluded_is_not_a_source() {
    let a = assess_card(
        "license: mit",
        "The model was trained using the same data sources as phi-1, augmented with synthetic texts.\nFor a safer release, we exclude generic web-crawl data sources such as common-crawl from the\ntraining.\n\n- Dataset size: 30B tokens\n",
    );
    let d = info(&a);
    assert!(d.sources.is_empty(), "{:?}", d.sources);
    assert_eq!(d.grade, DataGrade::Closed);
}

#[test]
fn a_real_datasheet_is_open() {
    // Pythia's/OLMo's pattern: a named, linked corpus, its size, and how it was processed.
    let a = assess_card(
        "license: apache-2.0\ndatasets:\n- EleutherAI/pile",
        "## Training data\n\n[The Pile](https://huggingface.co/datasets/EleutherAI/pile) is an 825GiB general-purpose\ndataset in English, built from 22 diverse sources (arXiv, PubMed Central, GitHub, Project\nGutenberg ...). The Pile was not deduplicated before being used to train the model.\n",
    );
    let d = info(&a);
    assert_eq!(d.grade, DataGrade::Open, "{d:?}");
    assert!(d.generic.is_empty());
    assert!(d.sources.iter().all(|s| s.rule == "D2"));
    assert_eq!(
        d.sources
            .iter()
            .filter(|s| s.quote.contains("EleutherAI/pile"))
            .count(),
        1,
        "the metadata id and its link are one source: {:?}",
        d.sources
    );
    assert_eq!(data_card(&a), ComponentState::Present);
    assert!(!raised(&a, "OW005"));
}

#[test]
fn a_size_whose_unit_wraps_to_the_next_line_counts() {
    let a = assess_card(
        "license: apache-2.0",
        "## Training data\n\nBERT was pretrained on [BookCorpus](https://huggingface.co/datasets/bookcorpus), a dataset of 11,038\nunpublished books, and English Wikipedia, excluding lists, tables and headers.\n",
    );
    let d = info(&a);
    assert_eq!(d.grade, DataGrade::Open, "{d:?}");
    assert_eq!(d.sizes[0].rule, "D3");
}

#[test]
fn named_sources_beside_unreleased_data_are_partial() {
    // SmolLM2's first card: named corpora, and new datasets "we will release soon".
    let a = assess_card(
        "license: apache-2.0",
        "It was trained on 11 trillion tokens using a diverse dataset combination: FineWeb-Edu, DCLM, The\nStack, along with new mathematics and coding datasets that we curated and will release soon.\n",
    );
    let d = info(&a);
    assert_eq!(d.grade, DataGrade::Partial, "{d:?}");
    assert!(d.generic[0].quote.contains("release soon"));
    assert_eq!(
        data_card(&a),
        ComponentState::Present,
        "A4: partial is a data card"
    );
    assert!(!raised(&a, "OW005"));
}

#[test]
fn a_card_image_at_the_root_is_not_training_data() {
    let a = Fixture::new()
        .file(
            "README.md",
            card("license: apache-2.0", "An image model.\n"),
        )
        .file("grid.jpg", b"\xff\xd8\xff")
        .file("model.safetensors", common::safetensors(4, 0))
        .assess();
    assert_eq!(info(&a).grade, DataGrade::Closed);
    assert!(raised(&a, "OW005"));
}

#[test]
fn the_grade_and_its_evidence_are_rendered() {
    let a = assess_card(
        "license: apache-2.0",
        "## Training Data\n\nPretrained on 2 trillion tokens of data from publicly available sources.\n",
    );
    let text = commonhold_assess::render::render_text(&a, false);
    assert!(text.contains("Data information: closed"), "{text}");
    assert!(text.contains("D5 generic statement"), "{text}");
    let md = commonhold_assess::render::render_markdown(&a);
    assert!(md.contains("| Data information | closed"), "{md}");
    let json = commonhold_assess::render::render_json(&a);
    assert!(json.contains("\"own_grade\": \"closed\""), "{json}");
}

#[test]
fn a_pathological_card_stays_bounded() {
    // Thousands of data headings and paragraphs, and one very long line: the statements kept
    // are capped and the card is read once (no panic, no quadratic scan of sections).
    let mut body = String::new();
    for i in 0..3_000 {
        body.push_str(&format!(
            "## Training data {i}\n\nTrained on {i} tokens of publicly available data.\n\n"
        ));
    }
    body.push_str(&"tokens of web data ".repeat(40_000));
    let a = assess_card("license: apache-2.0", &body);
    let d = info(&a);
    assert_eq!(d.grade, DataGrade::Closed);
    assert!(d.generic.len() <= 8 && d.sizes.len() <= 8, "{d:?}");
}
