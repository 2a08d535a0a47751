//! Lineage (definition G1-G6, class 2 of issue 9): a fine-tune of a well-known base is judged
//! offline from the knowledge file of base families; a base on the same hub wins.

use crate::common;
use commonhold_assess::FindingId;

use common::{Fixture, MIT, card, safetensors};
use commonhold_assess::{AssessOptions, Assessment, DataGrade, Evidence, Knowledge, Tier, render};

fn finetune(front: &str) -> Fixture {
    Fixture::new()
        .file("README.md", card(front, "A chat fine-tune."))
        .file("LICENSE", MIT)
        .file("model.safetensors", safetensors(16, 0))
        .file(
            "config.json",
            r#"{"architectures":["LlamaForCausalLM"],"model_type":"llama"}"#,
        )
}

fn finding<'a>(a: &'a Assessment, id: &str) -> &'a commonhold_assess::Finding {
    a.findings
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("{id} not raised: {:?}", a.findings))
}

fn family_of(evidence: &[Evidence]) -> Option<(&str, &str, bool)> {
    evidence.iter().find_map(|e| match e {
        Evidence::Knowledge {
            family,
            licence,
            flows_down,
            ..
        } => Some((family.as_str(), licence.as_str(), *flows_down)),
        _ => None,
    })
}

#[test]
fn a_restrictive_base_relabelled_permissive_is_restricted_with_the_family_as_evidence() {
    let a = finetune("license: mit\nbase_model: meta-llama/Meta-Llama-3-8B-Instruct").assess();
    assert_eq!(a.tier, Tier::RestrictedWeights);
    assert_eq!(a.tier_rule.as_deref(), Some("G3"));
    assert!(!a.osaid.pass);
    let ow006 = finding(&a, "OW006");
    assert_eq!(ow006.rule.as_deref(), Some("G3"));
    assert_eq!(
        family_of(&ow006.evidence),
        Some(("llama-3", "llama3", true))
    );
    assert!(
        ow006.evidence.iter().any(|e| matches!(e,
            Evidence::File { path, line: Some(3), .. } if path == "README.md")),
        "cites the card's base_model line: {:?}",
        ow006.evidence
    );
    assert!(ow006.message.contains("`llama3`"), "{}", ow006.message);
    // The inherited licence governs the weights; the split-licence finding is about the
    // release's own files and is not raised by lineage.
    let weights = a
        .component(commonhold_assess::mof::Component::ModelParametersFinal)
        .unwrap();
    assert_eq!(weights.licence.as_deref(), Some("llama3"));
    assert!(!a.has_finding(FindingId::SplitLicenceRestrictedWeights));
    let ow007 = finding(&a, "OW007");
    assert_eq!(ow007.rule.as_deref(), Some("G5"));
    assert!(!a.has_finding(FindingId::BaseModelUnassessed));
    let next = a.next_tier.as_ref().unwrap();
    assert!(
        next.steps[0].contains("binds derivatives"),
        "{:?}",
        next.steps
    );
    let text = render::render_text(&a, false);
    assert!(text.contains("family llama-3"), "{text}");
}

#[test]
fn the_inherited_licence_is_listed_among_the_licences_with_where_it_came_from() {
    let a = finetune("license: mit\nbase_model: meta-llama/Meta-Llama-3-8B-Instruct").assess();
    let inherited: Vec<_> = a
        .licences
        .iter()
        .filter(|l| l.inherited_from.is_some())
        .collect();
    assert_eq!(inherited.len(), 1, "{:?}", a.licences);
    let l = inherited[0];
    assert_eq!(
        (l.id.as_str(), l.scope.as_str(), l.restrictive),
        ("llama3", "weights", true)
    );
    assert_eq!(
        l.inherited_from.as_deref(),
        Some("meta-llama/Meta-Llama-3-8B-Instruct")
    );
    assert_eq!(
        family_of(std::slice::from_ref(&l.evidence)),
        Some(("llama-3", "llama3", true))
    );
    // The release's own licences stay listed beside it.
    assert!(
        a.licences
            .iter()
            .any(|l| l.id.eq_ignore_ascii_case("mit") && l.inherited_from.is_none())
    );
    let json = render::render_json(&a);
    assert!(
        json.contains("\"inherited_from\": \"meta-llama/Meta-Llama-3-8B-Instruct\""),
        "{json}"
    );
    let note = "inherited from base `meta-llama/Meta-Llama-3-8B-Instruct`, rule G3";
    let text = render::render_text(&a, false);
    assert!(
        text.lines()
            .any(|l| l.contains("llama3") && l.contains(note)),
        "{text}"
    );
    let md = render::render_markdown(&a);
    assert!(md.contains("### Licences"), "{md}");
    assert!(
        md.lines()
            .any(|l| l.starts_with("| `llama3` | weights |") && l.contains(note)),
        "{md}"
    );
    // A permissive base's licence does not flow down, so nothing is inherited.
    let honest = finetune("license: mit\nbase_model: mistralai/Mistral-7B-v0.1").assess();
    assert!(honest.licences.iter().all(|l| l.inherited_from.is_none()));
}

#[test]
fn an_honest_finetune_of_a_permissive_base_is_not_flagged() {
    let a = finetune("license: mit\nbase_model: mistralai/Mistral-7B-v0.1").assess();
    assert_eq!(a.tier, Tier::OpenWeights);
    assert!(
        !a.has_finding(FindingId::BaseModelRestricted),
        "{:?}",
        a.findings
    );
    assert!(
        !a.has_finding(FindingId::BaseModelUnassessed),
        "{:?}",
        a.findings
    );
    // Mistral 7B's own data is undisclosed: that still flows down (G5), with the family cited.
    let ow007 = finding(&a, "OW007");
    assert_eq!(
        family_of(&ow007.evidence),
        Some(("mistral-apache", "apache-2.0", false))
    );
    let open_data = finetune("license: apache-2.0\nbase_model: allenai/OLMo-2-1124-7B").assess();
    assert!(
        !open_data.has_finding(FindingId::BaseModelRestricted)
            && !open_data.has_finding(FindingId::BaseModelUndisclosedData)
    );
}

#[test]
fn an_adapter_names_its_base_in_adapter_config_alone() {
    let a = Fixture::new()
        .file(
            "README.md",
            card("license: apache-2.0\nlibrary_name: peft", "LoRA."),
        )
        .file(
            "adapter_config.json",
            r#"{"base_model_name_or_path": "google/gemma-2-9b-it", "peft_type": "LORA"}"#,
        )
        .file("adapter_model.safetensors", safetensors(8, 0))
        .assess();
    assert_eq!(a.tier, Tier::RestrictedWeights);
    let ow006 = finding(&a, "OW006");
    assert_eq!(family_of(&ow006.evidence), Some(("gemma", "gemma", true)));
    assert!(ow006.message.contains("adapter"), "{}", ow006.message);
    assert!(
        ow006
            .evidence
            .iter()
            .any(|e| matches!(e, Evidence::File { path, .. } if path == "adapter_config.json"))
    );
}

#[test]
fn in_a_merge_any_restrictive_base_wins_and_unknown_ones_are_reported() {
    let a = Fixture::new()
        .file("README.md", card("license: apache-2.0", "A merge."))
        .file(
            "mergekit_config.yml",
            "models:\n  - model: mistralai/Mistral-7B-Instruct-v0.2\n  - model: someone/unheard-of-7b\n  - model: Qwen/Qwen1.5-7B-Chat\nmerge_method: ties\n",
        )
        .file("model.safetensors", safetensors(16, 0))
        .assess();
    assert_eq!(a.tier, Tier::RestrictedWeights);
    let ow006 = finding(&a, "OW006");
    assert_eq!(family_of(&ow006.evidence).map(|f| f.0), Some("qwen1.5"));
    assert!(ow006.message.contains("merge"), "{}", ow006.message);
    assert!(ow006.evidence.iter().any(|e| matches!(e,
        Evidence::File { path, line: Some(4), .. } if path == "mergekit_config.yml")));
    let ow014 = finding(&a, "OW014");
    assert!(ow014.message.contains("someone/unheard-of-7b"));
}

#[test]
fn a_base_held_on_the_hub_wins_over_the_knowledge_file() {
    // The hub holds an open assessment of a repo the knowledge file calls Llama 3.
    let open_base = common::open_science().assess();
    let lookup = |id: &str| (id == "meta-llama/Meta-Llama-3-8B").then(|| open_base.clone());
    let opts = AssessOptions {
        base_models: &lookup,
        ..Default::default()
    };
    let a = finetune("license: mit\nbase_model: meta-llama/Meta-Llama-3-8B").assess_with(&opts);
    assert!(
        !a.has_finding(FindingId::BaseModelRestricted),
        "{:?}",
        a.findings
    );
    assert_eq!(a.tier, Tier::OpenWeights);
    // Its data grade is the one the hub recorded for the base (here: not closed), not the
    // knowledge file's closed; a base the hub graded closed passes that on, though it names
    // datasets.
    assert!(
        !a.has_finding(FindingId::BaseModelUndisclosedData),
        "{:?}",
        a.findings
    );
    let mut closed_data = open_base.clone();
    closed_data.data_information.as_mut().unwrap().grade = DataGrade::Closed;
    let lookup = |id: &str| (id == "example/closed-data").then(|| closed_data.clone());
    let opts = AssessOptions {
        base_models: &lookup,
        ..Default::default()
    };
    let c = finetune("license: mit\nbase_model: example/closed-data").assess_with(&opts);
    assert!(
        c.has_finding(FindingId::BaseModelUndisclosedData),
        "{:?}",
        c.findings
    );

    let mut restricted = open_base.clone();
    restricted.tier = Tier::RestrictedWeights;
    let lookup = |id: &str| (id == "example/base").then(|| restricted.clone());
    let opts = AssessOptions {
        base_models: &lookup,
        ..Default::default()
    };
    let b = finetune("license: mit\nbase_model: example/base").assess_with(&opts);
    assert_eq!(b.tier, Tier::RestrictedWeights);
    assert!(
        b.has_finding(FindingId::BaseModelRestricted)
            && !b.has_finding(FindingId::BaseModelUnassessed)
    );
}

#[test]
fn the_evidence_for_a_hub_held_base_links_to_the_hub_that_holds_it() {
    let mut restricted = common::open_science().assess();
    restricted.tier = Tier::RestrictedWeights;
    let lookup = |id: &str| (id == "example/base").then(|| restricted.clone());
    let release = finetune("license: mit\nbase_model: example/base");
    let links = |a: &Assessment| -> Vec<String> {
        finding(a, "OW006")
            .evidence
            .iter()
            .filter_map(|e| match e {
                Evidence::Url { url, .. } => Some(url.clone()),
                _ => None,
            })
            .collect()
    };
    // The hub gives its public URL: the base's page there, never huggingface.co.
    let on_hub = release.assess_with(&AssessOptions {
        base_models: &lookup,
        base_models_url: "https://hub.example.org/",
        ..Default::default()
    });
    assert_eq!(links(&on_hub), ["https://hub.example.org/example/base"]);
    // Without one, the link is relative to the hub's root.
    let relative = release.assess_with(&AssessOptions {
        base_models: &lookup,
        ..Default::default()
    });
    assert_eq!(links(&relative), ["/example/base"]);
}

#[test]
fn a_site_knowledge_file_decides_for_bases_the_builtin_does_not_know() {
    let release = finetune("license: mit\nbase_model: ministry/national-llm-8b");
    let a = release.assess();
    assert!(
        a.has_finding(FindingId::BaseModelUnassessed)
            && !a.has_finding(FindingId::BaseModelRestricted)
    );
    let site = Knowledge::parse(
        r#"
version = "site-1"
definition = "2026.2"

[[family]]
id = "national-llm"
name = "National LLM"
patterns = ["ministry/national-llm-*"]
licence = "cc-by-nc-4.0"
flows_down = true
data = "partial"
source = "https://example.org/national-llm/licence"
checked = "2026-11-30"
"#,
        "/etc/commonhold/families.toml",
    )
    .unwrap();
    let opts = AssessOptions {
        knowledge: &site,
        ..Default::default()
    };
    let b = release.assess_with(&opts);
    assert_eq!(b.tier, Tier::RestrictedWeights);
    let ow006 = finding(&b, "OW006");
    assert!(ow006.evidence.iter().any(|e| matches!(e,
        Evidence::Knowledge { version, checked, .. } if version == "site-1" && checked == "2026-11-30")));
    assert!(
        !b.has_finding(FindingId::BaseModelUndisclosedData)
            && !b.has_finding(FindingId::BaseModelUnassessed)
    );
}

#[test]
fn a_base_with_closed_data_lowers_the_grade_after_lineage() {
    let front = |base: &str| {
        format!(
            "license: apache-2.0\nbase_model: {base}\ndatasets:\n- HuggingFaceH4/ultrachat_200k"
        )
    };
    let a = finetune(&front("meta-llama/Llama-3.1-8B")).assess();
    let d = a.data_information.as_ref().unwrap();
    assert_eq!(
        (d.own_grade, d.grade, d.rule.as_str()),
        (DataGrade::Partial, DataGrade::Closed, "G5")
    );
    // The release's own grade still decides OW005 (D7): not raised.
    assert!(
        !a.has_finding(FindingId::UndisclosedTrainingData)
            && a.has_finding(FindingId::BaseModelUndisclosedData)
    );
    let b = finetune(&front("allenai/OLMo-2-1124-7B")).assess();
    let d = b.data_information.as_ref().unwrap();
    assert_eq!((d.grade, d.rule.as_str()), (DataGrade::Partial, "D6"));
}
