//! Which file governs what (definition L1-L9) and notices (N1-N3), on small releases.

use crate::common;
use commonhold_assess::FindingId;

use common::{Fixture, MIT, card, safetensors, shared_dir};
use commonhold_assess::{Assessment, Tier};

fn ids(a: &Assessment) -> Vec<&str> {
    a.findings.iter().map(|f| f.id.as_str()).collect()
}

fn shared(name: &str) -> String {
    std::fs::read_to_string(shared_dir().join("licences").join(name)).expect("shared licence")
}

#[test]
fn a_software_licence_file_does_not_govern_weights_the_card_licenses_under_a_model_licence() {
    // A training repository's MIT LICENSE beside weights the card puts under Llama 3.1 (L3).
    let a = Fixture::new()
        .file(
            "README.md",
            card("license: llama3.1", "Fine-tuned weights."),
        )
        .file("LICENSE", MIT)
        .file("model.safetensors", safetensors(8, 0))
        .assess();
    assert_eq!(a.tier, Tier::RestrictedWeights, "{:?}", ids(&a));
    assert!(
        !a.has_finding(FindingId::CardLicenceMismatch),
        "like with like (L7): {:?}",
        ids(&a)
    );
    assert!(
        a.has_finding(FindingId::SplitLicenceRestrictedWeights),
        "open code, restricted weights (L9)"
    );
    let cc = Fixture::new()
        .file(
            "README.md",
            card("license: cc-by-nc-4.0", "Research weights."),
        )
        .file("LICENSE", spdx::license_id("Apache-2.0").unwrap().text())
        .file("model.safetensors", safetensors(8, 0))
        .assess();
    assert_eq!(cc.tier, Tier::RestrictedWeights, "{:?}", ids(&cc));
}

#[test]
fn the_card_is_compared_with_the_model_licence_file_not_the_code_licence() {
    // DeepSeek's layout: MIT code, model licence for the weights, card naming the model licence.
    let a = Fixture::new()
        .file(
            "README.md",
            card("license: other\nlicense_name: deepseek", "Weights."),
        )
        .file("LICENSE-CODE", MIT)
        .file("LICENSE-MODEL", shared("deepseek-model-v1.LICENSE.txt"))
        .file("model.safetensors", safetensors(8, 0))
        .assess();
    assert!(
        !a.has_finding(FindingId::CardLicenceMismatch),
        "{:?}",
        a.findings
    );
    assert!(a.has_finding(FindingId::SplitLicenceRestrictedWeights));
    // Same licence under other names (L8).
    let mnpl = Fixture::new()
        .file(
            "README.md",
            card("license: other\nlicense_name: mnpl", "Weights."),
        )
        .file("LICENSE", shared("mistral-mnpl-0.1.LICENSE.md"))
        .file("model.safetensors", safetensors(8, 0))
        .assess();
    assert!(
        !mnpl.has_finding(FindingId::CardLicenceMismatch),
        "{:?}",
        mnpl.findings
    );
    assert_eq!(mnpl.tier, Tier::RestrictedWeights);
}

#[test]
fn a_notice_identifies_the_licence_but_is_not_a_licence_file() {
    let a = Fixture::new()
        .file("README.md", card("license: apache-2.0", "A Gemma fine-tune."))
        .file(
            "NOTICE",
            "Gemma is provided under and subject to the Gemma Terms of Use found at ai.google.dev/gemma/terms\n",
        )
        .file("model.safetensors", safetensors(8, 0))
        .assess();
    assert_eq!(a.tier, Tier::RestrictedWeights, "{:?}", ids(&a));
    assert!(a.has_finding(FindingId::NoLicenceFile), "N3: {:?}", ids(&a));
    assert!(
        a.has_finding(FindingId::CardLicenceMismatch),
        "card vs notice (L7): {:?}",
        ids(&a)
    );
    let notice = a.licences.iter().find(|l| l.notice).expect("notice listed");
    assert_eq!(notice.id, "gemma");
    // An attribution NOTICE beside a licence text changes nothing.
    let apache = Fixture::new()
        .file("README.md", card("license: apache-2.0", "Weights."))
        .file("LICENSE", spdx::license_id("Apache-2.0").unwrap().text())
        .file(
            "NOTICE",
            "This product includes software developed at Example Org.\n",
        )
        .file("model.safetensors", safetensors(8, 0))
        .assess();
    assert_eq!(apache.tier, Tier::OpenWeights, "{:?}", ids(&apache));
    assert!(
        !apache.has_finding(FindingId::NoLicenceFile)
            && !apache.has_finding(FindingId::CardLicenceMismatch)
    );
}

#[test]
fn a_pointer_licence_file_names_its_licence_by_url() {
    let a = Fixture::new()
        .file("README.md", card("license: mit", "Weights."))
        .file(
            "LICENSE",
            "See https://github.com/meta-llama/llama-models/blob/main/models/llama3_2/LICENSE\n",
        )
        .file("model.safetensors", safetensors(8, 0))
        .assess();
    assert_eq!(a.tier, Tier::RestrictedWeights, "{:?}", ids(&a));
    assert!(
        a.has_finding(FindingId::NoLicenceFile) && a.has_finding(FindingId::CardLicenceMismatch),
        "{:?}",
        ids(&a)
    );
}
