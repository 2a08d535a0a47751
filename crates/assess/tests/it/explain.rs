//! Every judgment names the rule that decided it, and every assessment the knowledge file it
//! used, in JSON, text and Markdown alike.

use crate::common;

use common::{Fixture, card, safetensors};
use commonhold_assess::{Knowledge, render};

#[test]
fn every_component_finding_and_tier_cites_a_rule_in_every_format() {
    let a = common::open_science().assess();
    assert_eq!(a.tier_rule.as_deref(), Some("T6"));
    for c in &a.components {
        let rule = c
            .rule
            .as_deref()
            .unwrap_or_else(|| panic!("{} has no rule", c.name));
        assert!(rule.len() == 2, "{}: {rule}", c.name);
    }
    let restricted = Fixture::new()
        .file(
            "README.md",
            card(
                "license: llama3.1\nlibrary_name: transformers",
                "Fully open source.",
            ),
        )
        .file("model.safetensors", safetensors(4, 0))
        .assess();
    assert_eq!(restricted.tier_rule.as_deref(), Some("T2"));
    assert!(!restricted.findings.is_empty());
    for f in &restricted.findings {
        assert!(f.rule.is_some(), "{} has no rule", f.id);
    }
    let ow001 = restricted
        .findings
        .iter()
        .find(|f| f.id == "OW001")
        .expect("OW001");
    assert_eq!(ow001.rule.as_deref(), Some("C4"));

    let json: serde_json::Value = serde_json::from_str(&render::render_json(&restricted)).unwrap();
    assert_eq!(json["tier_rule"], "T2");
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"].is_string())
    );
    assert!(
        json["components"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["rule"].is_string())
    );

    let text = render::render_text(&restricted, false);
    assert!(
        text.contains("Tier:  restricted-weights (rule T2)"),
        "{text}"
    );
    assert!(text.contains("(rule C4)"), "{text}");
    let md = render::render_markdown(&restricted);
    assert!(
        md.contains("| Component | State | Licence | Rule | Evidence |"),
        "{md}"
    );
    assert!(md.contains("| high | C4 |"), "{md}");
}

#[test]
fn the_knowledge_file_is_recorded() {
    let a = common::open_science().assess();
    let k = a.knowledge.as_ref().expect("knowledge stamp");
    assert_eq!(k, Knowledge::builtin().stamp());
    assert_eq!(k.origin, "builtin");
    let text = render::render_text(&a, false);
    assert!(text.contains(&format!("knowledge {}", k.version)), "{text}");

    let site = Knowledge::parse(
        &commonhold_assess::knowledge::BUILTIN_TEXT.replace("2026.2.0", "site-7"),
        "/etc/commonhold/families.toml",
    )
    .unwrap();
    let opts = commonhold_assess::AssessOptions {
        knowledge: &site,
        ..Default::default()
    };
    let b = common::open_science().assess_with(&opts);
    let k = b.knowledge.as_ref().unwrap();
    assert_eq!(
        (k.version.as_str(), k.origin.as_str()),
        ("site-7", "/etc/commonhold/families.toml")
    );
    assert_ne!(k.sha256, Knowledge::builtin().stamp().sha256);
}

#[test]
fn assessments_stored_before_rules_still_read() {
    let a = common::open_science().assess();
    let mut json = serde_json::to_value(&a).unwrap();
    let obj = json.as_object_mut().unwrap();
    obj.remove("tier_rule");
    obj.remove("knowledge");
    for c in obj["components"].as_array_mut().unwrap() {
        c.as_object_mut().unwrap().remove("rule");
    }
    let old: commonhold_assess::Assessment = serde_json::from_value(json).unwrap();
    assert!(old.tier_rule.is_none() && old.knowledge.is_none());
}
