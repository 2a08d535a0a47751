//! End-to-end judgments on the real AI licence texts in `../shared/licences` (read from there,
//! never copied) and on SPDX texts, also re-wrapped and with a changed copyright line.

use crate::common;
use commonhold_assess::FindingId;

use common::{Fixture, MIT, card, safetensors, shared_dir};
use commonhold_assess::{Assessment, Tier};

/// Re-wraps a text at `width` columns, keeping paragraph breaks.
fn rewrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    for para in text.split("\n\n") {
        let mut line = String::new();
        for word in para.split_whitespace() {
            if !line.is_empty() && line.len() + word.len() + 1 > width {
                out.push_str(&line);
                out.push('\n');
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        out.push_str(&line);
        out.push_str("\n\n");
    }
    out
}

fn with_licence(text: &str) -> Assessment {
    Fixture::new()
        .file("README.md", card("library_name: transformers", "A model."))
        .file("LICENSE", text)
        .file("model.safetensors", safetensors(8, 0))
        .assess()
}

const AI_LICENCES: &[(&str, &str)] = &[
    ("llama2.LICENSE.txt", "llama2"),
    ("llama3.LICENSE.txt", "llama3"),
    ("llama3_1.LICENSE.txt", "llama3.1"),
    ("llama3_2.LICENSE.txt", "llama3.2"),
    ("llama3_3.LICENSE.txt", "llama3.3"),
    ("llama4.LICENSE.txt", "llama4"),
    ("deepseek-model-v1.LICENSE.txt", "deepseek"),
    ("openrail++-m.LICENSE.txt", "openrail++"),
    ("creativeml-openrail-m.LICENSE.txt", "creativeml-openrail-m"),
    ("tongyi-qianwen.LICENSE.txt", "tongyi-qianwen"),
    (
        "tongyi-qianwen-research.LICENSE.txt",
        "tongyi-qianwen-research",
    ),
];

#[test]
fn ai_licences_make_weights_restricted() {
    let dir = shared_dir().join("licences");
    let mut failures = Vec::new();
    for (file, want) in AI_LICENCES {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        for (variant, body) in [("original", text.clone()), ("rewrapped", rewrap(&text, 61))] {
            let a = with_licence(&body);
            let got = a.licences.iter().find(|l| l.scope == "distribution");
            let ok = got.is_some_and(|l| l.id.eq_ignore_ascii_case(want) && l.restrictive)
                && a.tier == Tier::RestrictedWeights
                && !a.osaid.pass;
            if !ok {
                failures.push(format!(
                    "{file} ({variant}): got {:?}, tier {}",
                    got.map(|l| (&l.id, l.restrictive)),
                    a.tier.as_str()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn llama_user_cap_is_quoted_with_its_line() {
    let text = std::fs::read_to_string(shared_dir().join("licences/llama3_1.LICENSE.txt")).unwrap();
    let a = with_licence(&text);
    let f = a.findings.iter().find(|f| f.id == "OW012").expect("OW012");
    assert!(f.message.contains("user-cap"), "{}", f.message);
    let cap = a
        .licences
        .iter()
        .flat_map(|l| &l.restrictions)
        .find(|r| r.kind == "user-cap")
        .expect("user cap");
    let commonhold_assess::Evidence::File {
        line: Some(line), ..
    } = &cap.evidence
    else {
        panic!("no line: {:?}", cap.evidence);
    };
    let quoted = text.lines().nth(line - 1).unwrap_or_default();
    assert!(
        quoted.contains("700")
            || text
                .lines()
                .skip(line - 1)
                .take(3)
                .any(|l| l.contains("700"))
    );
}

#[test]
fn use_policy_restricts_otherwise_open_weights() {
    let policy =
        std::fs::read_to_string(shared_dir().join("licences/llama3.USE_POLICY.md")).unwrap();
    let a = Fixture::new()
        .file("README.md", card("license: mit", "x"))
        .file("LICENSE", MIT)
        .file("USE_POLICY.md", policy)
        .file("model.safetensors", safetensors(8, 0))
        .assess();
    assert_eq!(a.tier, Tier::RestrictedWeights);
}

#[test]
fn deepseek_split_licence() {
    let model =
        std::fs::read_to_string(shared_dir().join("licences/deepseek-model-v1.LICENSE.txt"))
            .unwrap();
    let a = Fixture::new()
        .file(
            "README.md",
            card("license: mit\nlibrary_name: transformers", "x"),
        )
        .file("LICENSE-CODE", MIT)
        .file("LICENSE-MODEL", model)
        .file("model.safetensors", safetensors(8, 0))
        .assess();
    assert!(
        a.has_finding(FindingId::SplitLicenceRestrictedWeights),
        "{:?}",
        a.findings
    );
    assert_eq!(a.tier, Tier::RestrictedWeights);
}

#[test]
fn spdx_texts_rewrapped_and_with_new_copyright() {
    for id in ["Apache-2.0", "MIT", "BSD-3-Clause"] {
        let text = spdx::license_id(id).unwrap().text();
        let changed = text
            .replace("<year>", "2031")
            .replace("<copyright holders>", "Fictional Lab GmbH");
        for body in [
            text.to_owned(),
            rewrap(&changed, 55),
            format!("Copyright 2031 Someone Else\n\n{changed}"),
        ] {
            let a = with_licence(&body);
            let l = a.licences.iter().find(|l| l.scope == "distribution");
            assert_eq!(l.map(|l| l.id.as_str()), Some(id), "{id}");
            assert_eq!(a.tier, Tier::OpenWeights, "{id}");
        }
    }
}
