//! The documented JSON Schema (`docs/openness/assessment.schema.json`) covers a real
//! Assessment: every field it serialises, at the top level and in each component, is declared.

use crate::common;

use std::path::PathBuf;

fn schema() -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/openness/assessment.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn assert_keys_documented(value: &serde_json::Value, props: &serde_json::Value, at: &str) {
    for key in value.as_object().unwrap().keys() {
        assert!(props.get(key).is_some(), "{at}.{key} is not in the schema");
    }
}

#[test]
fn real_assessment_fields_are_documented() {
    let schema = schema();
    let a = common::open_science().assess();
    let json = serde_json::to_value(&a).unwrap();
    let props = &schema["properties"];
    assert_keys_documented(&json, props, "assessment");
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    for key in json.as_object().unwrap().keys() {
        assert!(required.contains(&key.as_str()), "{key} not required");
    }
    assert_eq!(props["schema_version"]["const"], json["schema_version"]);
    assert_keys_documented(
        &json["components"][0],
        &props["components"]["items"]["properties"],
        "components[]",
    );
    if let Some(f) = json["findings"].as_array().and_then(|l| l.first()) {
        assert_keys_documented(f, &props["findings"]["items"]["properties"], "findings[]");
    }
    assert_keys_documented(
        &json["licences"][0],
        &props["licences"]["items"]["properties"],
        "licences[]",
    );
    assert_keys_documented(
        &json["weights"][0],
        &props["weights"]["items"]["properties"],
        "weights[]",
    );
    assert_keys_documented(&json["mof"], &schema["$defs"]["mof"]["properties"], "mof");
    let data = &json["data_information"];
    let data_props = &props["data_information"]["oneOf"][1]["properties"];
    assert_keys_documented(data, data_props, "data_information");
    let grades = &schema["$defs"]["data_grade"]["enum"];
    assert!(grades.as_array().unwrap().contains(&data["grade"]));
    let statement = &data["sources"][0];
    assert_keys_documented(
        statement,
        &schema["$defs"]["data_statement"]["properties"],
        "data_information.sources[]",
    );
    let rules = &schema["$defs"]["data_statement"]["properties"]["rule"]["enum"];
    assert!(rules.as_array().unwrap().contains(&statement["rule"]));
    let tiers = props["tier"]["enum"].as_array().unwrap();
    assert!(tiers.contains(&json["tier"]));
    let states = &props["components"]["items"]["properties"]["state"]["enum"];
    for c in json["components"].as_array().unwrap() {
        assert!(states.as_array().unwrap().contains(&c["state"]));
    }
}

#[test]
fn every_finding_id_is_in_the_definition() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openness/definition.md");
    let doc = std::fs::read_to_string(path).unwrap();
    assert!(doc.contains(commonhold_assess::model::DEFINITION_VERSION));
    for id in commonhold_assess::FindingId::ALL {
        let (id, slug, rule) = (id.as_str(), id.slug(), id.rule());
        assert!(
            doc.contains(&format!("| {id} | {slug} |")),
            "{id} {slug} undocumented"
        );
        // The row names the rule the finding is raised under, where its rule column names one
        // (OW011 and OW015 say `—` there; the assessor cites T1 and A1 for them).
        let row = doc.lines().find(|l| l.starts_with(&format!("| {id} |")));
        let column = row.and_then(|r| r.trim_end_matches('|').rsplit('|').next());
        assert!(
            column.is_some_and(|c| c.trim() == "—" || c.contains(rule)),
            "{id}: rule {rule} is not on its row"
        );
        assert!(
            doc.contains(&format!("| {id} | {slug} |")),
            "{id} {slug} undocumented"
        );
    }
}

#[test]
fn an_inherited_licence_is_documented() {
    let a = common::Fixture::new()
        .file(
            "README.md",
            common::card(
                "license: mit\nbase_model: meta-llama/Meta-Llama-3-8B",
                "A fine-tune.",
            ),
        )
        .file("model.safetensors", common::safetensors(16, 0))
        .assess();
    let json = serde_json::to_value(&a).unwrap();
    let inherited = json["licences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l.get("inherited_from").is_some())
        .expect("the base's licence is listed");
    let schema = schema();
    let item = &schema["properties"]["licences"]["items"];
    assert_keys_documented(inherited, &item["properties"], "licences[]");
    let scopes = item["properties"]["scope"]["enum"].as_array().unwrap();
    assert!(scopes.contains(&inherited["scope"]));
}
