//! End-to-end judgments on fixture releases built by the tests: every tier and finding.

use crate::common;
use commonhold_assess::FindingId;

use common::{Fixture, LONG, MIT, card, open_science, safetensors};
use commonhold_assess::mof::Component;
use commonhold_assess::{AssessOptions, Assessment, ComponentState, MofManifest, Tier, render};
use commonhold_types::RepoType;

fn ids(a: &Assessment) -> Vec<&str> {
    a.findings.iter().map(|f| f.id.as_str()).collect()
}

#[test]
fn open_science_release() {
    let a = open_science().assess();
    let missing: Vec<_> = a
        .mof
        .components
        .iter()
        .filter(|m| {
            m.component.required() && m.status != commonhold_assess::mof::MofStatus::Included
        })
        .map(|m| (m.component, m.status))
        .collect();
    assert_eq!(
        a.mof.class,
        1,
        "not included: {missing:?}\n{}",
        render::render_text(&a, false)
    );
    assert_eq!(a.tier, Tier::OpenScience);
    assert!(a.next_tier.is_none());
    assert_eq!(a.repo_type, RepoType::Model);
    let weights = a.component(Component::ModelParametersFinal).unwrap();
    assert_eq!(weights.state, ComponentState::Present);
    assert_eq!(weights.licence.as_deref(), Some("MIT"));
    assert!(!a.has_finding(FindingId::NoLicenceFile));
    assert!(!a.has_finding(FindingId::UndisclosedTrainingData));
}

#[test]
fn weights_only_is_open_weights() {
    let a = Fixture::new()
        .file("README.md", card("license: apache-2.0", "Weights."))
        .file("LICENSE", MIT)
        .file("model.safetensors", safetensors(8, 0))
        .assess();
    assert_eq!(
        a.tier,
        Tier::OpenWeights,
        "{}",
        render::render_text(&a, false)
    );
    let next = a.next_tier.as_ref().unwrap();
    assert_eq!(next.tier, Tier::OpenModel);
    assert!(
        next.steps.iter().any(|s| s.contains("data card")),
        "{:?}",
        next.steps
    );
    // Card says apache-2.0, the file is MIT.
    assert!(a.has_finding(FindingId::CardLicenceMismatch));
    assert!(a.has_finding(FindingId::UndisclosedTrainingData));
    assert!(!a.osaid.pass);
}

#[test]
fn class_three_is_open_model() {
    // A data card is a training-data section that names its sources (A4, D6), not any text
    // under the heading.
    let body = format!(
        "## Training data\n\nTrained on [C4](https://huggingface.co/datasets/allenai/c4), 156B tokens, filtered for quality.\n\n## Evaluation\n\n{LONG}\n\nhttps://arxiv.org/abs/2401.00002\n"
    );
    let a = Fixture::new()
        .file("README.md", card("license: mit", &body))
        .file("LICENSE", MIT)
        .file("model.safetensors", safetensors(8, 0))
        .file("config.json", r#"{"architectures":["X"]}"#)
        .assess();
    assert_eq!(a.mof.class, 3, "{}", render::render_text(&a, false));
    assert_eq!(a.tier, Tier::OpenModel);
    let paper = a.component(Component::ResearchPaper).unwrap();
    assert_eq!(paper.state, ComponentState::Linked);
}

#[test]
fn class_two_is_open_tooling() {
    let f = open_science();
    std::fs::remove_dir_all(f.path().join("checkpoint-1000")).unwrap();
    let a = f.assess();
    assert_eq!(a.mof.class, 2, "{}", render::render_text(&a, false));
    assert_eq!(a.tier, Tier::OpenTooling);
    assert_eq!(a.next_tier.as_ref().unwrap().tier, Tier::OpenScience);
}

#[test]
fn restricted_weights_and_open_washing() {
    let a = Fixture::new()
        .file(
            "README.md",
            card(
                "license: llama3.1\nlibrary_name: transformers",
                "This is a fully open source model.",
            ),
        )
        .file("LICENSE-CODE", MIT)
        .file("model.safetensors", safetensors(8, 0))
        .file(
            "USE_POLICY.md",
            "You agree not to use the model to harm people.\n",
        )
        .assess();
    assert_eq!(
        a.tier,
        Tier::RestrictedWeights,
        "{}",
        render::render_text(&a, false)
    );
    assert!(
        a.has_finding(FindingId::OpenSourceClaimNonOsi),
        "{:?}",
        ids(&a)
    );
    assert!(
        a.has_finding(FindingId::SplitLicenceRestrictedWeights),
        "{:?}",
        ids(&a)
    );
    let ow001 = a.findings.iter().find(|f| f.id == "OW001").unwrap();
    assert!(
        ow001
            .evidence
            .iter()
            .any(|e| matches!(e, commonhold_assess::Evidence::File { line: Some(_), .. }))
    );
    // Undisclosed data, while claiming open source: high.
    let ow005 = a.findings.iter().find(|f| f.id == "OW005").unwrap();
    assert_eq!(ow005.severity, commonhold_assess::Severity::High);
}

#[test]
fn no_weights_is_closed_and_flags_missing_weights() {
    let a = Fixture::new()
        .file(
            "README.md",
            card("license: mit\nlibrary_name: transformers", "A model."),
        )
        .file("LICENSE", MIT)
        .file("config.json", r#"{"architectures":["X"]}"#)
        .assess();
    assert_eq!(a.tier, Tier::Closed);
    assert!(a.has_finding(FindingId::WeightsMissing), "{:?}", ids(&a));
}

#[test]
fn no_licence_file() {
    let a = Fixture::new()
        .file(
            "README.md",
            card("pipeline_tag: text-generation", "No licence."),
        )
        .file("model.safetensors", safetensors(8, 0))
        .assess();
    assert!(a.has_finding(FindingId::NoLicenceFile));
    assert_eq!(a.tier, Tier::RestrictedWeights);
    let f = a.findings.iter().find(|f| f.id == "OW003").unwrap();
    assert_eq!(f.severity, commonhold_assess::Severity::High);
}

#[test]
fn truncated_weights() {
    let a = Fixture::new()
        .file("README.md", card("license: mit", "x"))
        .file("LICENSE", MIT)
        .file("model.safetensors", safetensors(64, 100))
        .assess();
    assert!(a.has_finding(FindingId::WeightsTruncated), "{:?}", ids(&a));
    assert_eq!(a.tier, Tier::Closed);
    assert!(a.weights.iter().any(|w| w.truncated));
}

#[test]
fn unsafe_pickle() {
    // Protocol 2 pickle: GLOBAL 'posix system', then a string, TUPLE1, REDUCE, STOP.
    let pickle = b"\x80\x02cposix\nsystem\nq\x00X\x02\x00\x00\x00lsq\x01\x85q\x02Rq\x03.";
    let a = Fixture::new()
        .file("README.md", card("license: mit", "x"))
        .file("LICENSE", MIT)
        .file("pytorch_model.bin", pickle)
        .assess();
    assert!(
        a.has_finding(FindingId::UnsafeSerialization),
        "{:?} {:?}",
        ids(&a),
        a.weights
    );
    let f = a.findings.iter().find(|f| f.id == "OW011").unwrap();
    assert_eq!(f.severity, commonhold_assess::Severity::Critical);
}

#[test]
fn base_model_inheritance() {
    let base = Fixture::new()
        .file("README.md", card("license: llama3", "x"))
        .file("model.safetensors", safetensors(8, 0))
        .assess();
    assert_eq!(base.tier, Tier::RestrictedWeights);
    let lookup = move |name: &str| (name == "meta/base").then(|| base.clone());
    let opts = AssessOptions {
        base_models: &lookup,
        ..AssessOptions::default()
    };
    let derived = Fixture::new()
        .file(
            "README.md",
            card("license: mit\nbase_model: meta/base", "x"),
        )
        .file("LICENSE", MIT)
        .file("model.safetensors", safetensors(8, 0))
        .assess_with(&opts);
    assert!(
        derived.has_finding(FindingId::BaseModelRestricted),
        "{:?}",
        ids(&derived)
    );
    assert!(derived.has_finding(FindingId::BaseModelUndisclosedData));
    let unknown = Fixture::new()
        .file("README.md", card("license: mit\nbase_model: other/x", "x"))
        .assess();
    assert!(unknown.has_finding(FindingId::BaseModelUnassessed));
}

#[test]
fn manifest_claims_are_verified() {
    let manifest = MofManifest::from_yaml(
        "release:\n  name: demo\n  license:\n    distribution:\n      name: MIT\n  components:\n  - name: Training code\n  - name: Model parameters (Final)\n",
    )
    .unwrap();
    let opts = AssessOptions {
        manifest: Some(manifest),
        ..AssessOptions::default()
    };
    let a = Fixture::new()
        .file("README.md", card("license: mit", "x"))
        .file("LICENSE", MIT)
        .assess_with(&opts);
    let training = a.component(Component::TrainingCode).unwrap();
    assert_eq!(training.state, ComponentState::DeclaredUnverified);
    assert!(a.has_finding(FindingId::ManifestClaimUnverified));
    assert!(a.has_finding(FindingId::WeightsMissing));
    assert!(a.mof_declared.is_some());
}

#[test]
fn invalid_front_matter() {
    let a = Fixture::new()
        .file("README.md", "---\nlicense: [unclosed\n---\n# x\n")
        .file("LICENSE", MIT)
        .file("model.safetensors", safetensors(8, 0))
        .assess();
    assert!(
        a.has_finding(FindingId::CardMetadataInvalid),
        "{:?}",
        ids(&a)
    );
}

#[test]
fn dataset_repository() {
    let body = "## Dataset Structure\n\nShort.\n";
    let a = Fixture::new()
        .file(
            "README.md",
            card(
                "license: cc-by-nc-4.0\ntask_categories:\n- text-generation",
                body,
            ),
        )
        .file("data/train-00000.parquet", b"PAR1")
        .file(
            "croissant.json",
            r#"{"@type":"sc:Dataset","name":"d","recordSet":[{}],"rai:dataCollection":"web"}"#,
        )
        .assess();
    assert_eq!(a.repo_type, RepoType::Dataset);
    assert_eq!(a.tier, Tier::NotApplicable);
    let d = a.dataset.as_ref().unwrap();
    assert!(!d.open_data);
    assert_eq!(d.data_files, 1);
    assert!(d.croissant.is_some());
    assert!(a.has_finding(FindingId::DatasetLicenceNotOpenData));
    assert!(a.has_finding(FindingId::DataCardIncomplete));
    assert!(!a.tier.meets(Tier::Closed));
}

#[test]
fn assessment_round_trips_and_renders() {
    let a = open_science().assess();
    let json = render::render_json(&a);
    let back: Assessment = serde_json::from_str(&json).unwrap();
    assert_eq!(back, a);
    let md = render::render_markdown(&a);
    assert!(md.contains("| Tier | **open-science** (rule T6) |"), "{md}");
    let text = render::render_text(&a, false);
    assert!(!text.contains('\x1b'));
    assert!(render::render_text(&a, true).contains('\x1b'));
}

#[test]
fn require_tier_ladder() {
    assert!(Tier::OpenModel.meets(Tier::OpenWeights));
    assert!(!Tier::RestrictedWeights.meets(Tier::OpenWeights));
    assert_eq!(Tier::parse("open-model"), Some(Tier::OpenModel));
    assert_eq!(Tier::parse("bogus"), None);
}

/// A checkout made without `git lfs pull`: the weights are pointers (definition P1-P3).
fn lfs_pointer(size: u64) -> String {
    format!(
        "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize {size}\n",
        "ab".repeat(32)
    )
}

#[test]
fn lfs_pointers_are_present_unscanned_weights() {
    let a = Fixture::new()
        .file("README.md", card("license: mit", "Weights."))
        .file("LICENSE", MIT)
        .file(
            "model-00001-of-00002.safetensors",
            lfs_pointer(4_978_434_160),
        )
        .file("model-00002-of-00002.safetensors", lfs_pointer(u64::MAX))
        .file("checkpoint-100/model.safetensors", lfs_pointer(10))
        .assess();
    assert_eq!(a.tier, Tier::OpenWeights, "{:?}", ids(&a));
    assert!(
        !a.has_finding(FindingId::WeightsTruncated) && !a.has_finding(FindingId::WeightsUnreadable),
        "{:?}",
        ids(&a)
    );
    assert!(a.has_finding(FindingId::WeightsNotScanned), "{:?}", ids(&a));
    let first = &a.weights[1];
    assert!(!first.scanned);
    assert_eq!(
        first.lfs_pointer.as_ref().map(|p| p.size),
        Some(4_978_434_160)
    );
    assert_eq!(
        a.component(Component::ModelParametersIntermediate)
            .map(|c| c.state),
        Some(ComponentState::Present)
    );
}

#[test]
fn a_malformed_lfs_pointer_is_unreadable_weights() {
    let a = Fixture::new()
        .file("README.md", card("license: mit", "Weights."))
        .file("LICENSE", MIT)
        .file(
            "model.safetensors",
            "version https://git-lfs.github.com/spec/v1\noid sha256:xyz\nsize 99999999999999999999999\n",
        )
        .assess();
    assert_eq!(a.tier, Tier::Closed);
    assert!(a.has_finding(FindingId::WeightsUnreadable), "{:?}", ids(&a));
    assert!(!a.has_finding(FindingId::WeightsNotScanned));
}

#[test]
fn an_open_source_claim_on_an_osi_licensed_release_that_fails_osaid() {
    // Apache-2.0 weights and nothing else, called "fully open source" (C5).
    let a = Fixture::new()
        .file(
            "README.md",
            card(
                "license: apache-2.0\ntags:\n- open-source",
                "This is a fully open source model.",
            ),
        )
        .file("LICENSE", spdx::license_id("Apache-2.0").unwrap().text())
        .file("model.safetensors", safetensors(8, 0))
        .assess();
    assert!(
        a.has_finding(FindingId::OpenSourceClaimFailsOsaid),
        "{:?}",
        ids(&a)
    );
    assert!(!a.has_finding(FindingId::OpenSourceClaimNonOsi));
    let f = a.findings.iter().find(|f| f.id == "OW018").unwrap();
    assert!(f.message.contains("code: training code"), "{}", f.message);
    assert_eq!(f.evidence.len(), 2, "the tag and the body line");
    // The claim on a release that passes OSAID raises nothing; the bare word is no claim.
    let honest = open_science()
        .file(
            "README.md",
            card(
                "license: mit\ndatasets:\n- example/corpus",
                &format!("A fully open model. OpenHermes-style open weights.\n\n## Training data\n\n{LONG}\n"),
            ),
        )
        .assess();
    assert!(
        !honest.has_finding(FindingId::OpenSourceClaimFailsOsaid)
            && !honest.has_finding(FindingId::OpenSourceClaimNonOsi),
        "{:?}",
        ids(&honest)
    );
}

#[test]
fn comparisons_with_open_source_models_are_not_claims() {
    let a = Fixture::new()
        .file(
            "README.md",
            card(
                "license: llama2",
                "Llama-2-Chat models outperform open-source chat models on most benchmarks.\n\n```\nopen source in a code block\n```\n",
            ),
        )
        .file("model.safetensors", safetensors(8, 0))
        .assess();
    assert!(
        !a.has_finding(FindingId::OpenSourceClaimNonOsi),
        "{:?}",
        ids(&a)
    );
}

#[test]
fn components_published_as_revisions_or_by_link() {
    // R1, R2, R4, R5, A6, A8: none of these is a file of the release's main branch.
    let body = "## Model Sources\n\n- Core repo (training, inference): https://github.com/example/core\n- Data preprocessing code: https://github.com/example/prep\n- Harness: https://github.com/EleutherAI/lm-evaluation-harness\n- Paper: https://openreview.net/forum?id=abc\n\n## Evaluation\n\n| Task | Score |\n|---|---|\n| arc_challenge | 44.5 |\n| HellaSwag | 76.2 |\n\n```python\nmodel = AutoModelForCausalLM.from_pretrained(\"x\")\n```\n";
    let refs = vec!["main".to_owned(), "step1000-tokens4B".to_owned()];
    let opts = AssessOptions {
        refs: &refs,
        ..AssessOptions::default()
    };
    let a = Fixture::new()
        .file("README.md", card("license: mit", body))
        .file("LICENSE", MIT)
        .file("model.safetensors", safetensors(8, 0))
        .assess_with(&opts);
    let state = |c: Component| a.component(c).map(|c| c.state);
    for (c, want) in [
        (Component::TrainingCode, ComponentState::Linked),
        (Component::DataPreprocessingCode, ComponentState::Linked),
        (Component::EvaluationCode, ComponentState::Linked),
        (Component::EvaluationData, ComponentState::Linked),
        (Component::ResearchPaper, ComponentState::Linked),
        (Component::InferenceCode, ComponentState::Present),
        (
            Component::ModelParametersIntermediate,
            ComponentState::Present,
        ),
    ] {
        assert_eq!(state(c), Some(want), "{c:?}");
    }
    // Without the refs, a card naming a checkpoint revision only links them.
    let linked = Fixture::new()
        .file(
            "README.md",
            card("license: mit", "```\nload(revision=\"step3000\")\n```\n"),
        )
        .assess();
    assert_eq!(
        linked
            .component(Component::ModelParametersIntermediate)
            .map(|c| c.state),
        Some(ComponentState::Linked)
    );
}
