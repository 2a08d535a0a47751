//! Licence identification on real texts: the AI licences in `shared/licences` (read from
//! there, never copied into the project) and SPDX texts from the `spdx` crate, as published,
//! re-wrapped, and with a changed copyright line.

use std::path::PathBuf;

use commonhold_assess::inspect::{
    IdSource, RestrictionKind, identify_licence_text, is_licence_file, licence_info,
};

/// The shared licence texts, next to the repository.
fn shared_licence(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/licences")
        .join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()))
}

/// Joins all lines and re-wraps the words at `width` columns, as an editor would.
fn rewrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut column = 0;
    for word in text.split_whitespace() {
        if column + word.len() > width && column > 0 {
            out.push('\n');
            column = 0;
        } else if column > 0 {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += word.len();
    }
    out
}

/// Replaces (or prepends) a copyright line.
fn change_copyright(text: &str) -> String {
    let mut replaced = false;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            if !replaced && line.to_lowercase().contains("copyright") {
                replaced = true;
                "Copyright (c) 2031 Someone Else Entirely, Ltd.".to_string()
            } else {
                line.to_string()
            }
        })
        .collect();
    let joined = lines.join("\n");
    if replaced {
        joined
    } else {
        format!("Copyright (c) 2031 Someone Else Entirely, Ltd.\n\n{joined}")
    }
}

const AI_LICENCES: &[(&str, &str)] = &[
    ("llama2.LICENSE.txt", "llama2"),
    ("llama2.USE_POLICY.md", "llama2"),
    ("llama3.LICENSE.txt", "llama3"),
    ("llama3.USE_POLICY.md", "llama3"),
    ("llama3_1.LICENSE.txt", "llama3.1"),
    ("llama3_1.USE_POLICY.md", "llama3.1"),
    ("llama3_2.LICENSE.txt", "llama3.2"),
    ("llama3_2.USE_POLICY.md", "llama3.2"),
    ("llama3_3.LICENSE.txt", "llama3.3"),
    ("llama3_3.USE_POLICY.md", "llama3.3"),
    ("llama4.LICENSE.txt", "llama4"),
    ("llama4.USE_POLICY.md", "llama4"),
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
fn identifies_the_real_ai_licences_as_published_rewrapped_and_recopyrighted() {
    for (file, id) in AI_LICENCES {
        let text = shared_licence(file);
        for (variant, candidate) in [
            ("as published", text.clone()),
            ("re-wrapped", rewrap(&text, 60)),
            ("new copyright", change_copyright(&text)),
        ] {
            let facts = identify_licence_text(&candidate);
            let licence = facts
                .licence
                .unwrap_or_else(|| panic!("{file} {variant}: not identified"));
            assert_eq!(licence.id, *id, "{file} {variant}");
            assert_eq!(licence.source, IdSource::AiLicenceText, "{file} {variant}");
            let info = licence_info(&licence.id);
            assert!(
                info.known && info.restrictive && !info.osi_approved,
                "{file}: {info:?}"
            );
        }
    }
}

#[test]
fn finds_the_restrictive_clauses_with_their_lines() {
    let kinds_of = |file: &str| -> Vec<RestrictionKind> {
        identify_licence_text(&shared_licence(file))
            .restrictions
            .iter()
            .map(|r| r.kind)
            .collect()
    };
    let llama2 = identify_licence_text(&shared_licence("llama2.LICENSE.txt"));
    let cap = llama2
        .restrictions
        .iter()
        .find(|r| r.kind == RestrictionKind::UserCap)
        .expect("user cap");
    assert_eq!(
        cap.line, 66,
        "the clause starts where `monthly active users` first appears"
    );
    assert!(cap.quote.contains("monthly active users"));
    for kind in [
        RestrictionKind::AcceptableUsePolicy,
        RestrictionKind::NoImprovingOtherModels,
        RestrictionKind::Revocation,
    ] {
        assert!(
            llama2.restrictions.iter().any(|r| r.kind == kind),
            "llama2 lacks {kind:?}"
        );
    }
    for file in ["llama3_1.LICENSE.txt", "llama4.LICENSE.txt"] {
        let kinds = kinds_of(file);
        for kind in [
            RestrictionKind::UserCap,
            RestrictionKind::NamingObligation,
            RestrictionKind::AcceptableUsePolicy,
        ] {
            assert!(kinds.contains(&kind), "{file} lacks {kind:?}: {kinds:?}");
        }
    }
    for file in [
        "openrail++-m.LICENSE.txt",
        "creativeml-openrail-m.LICENSE.txt",
        "deepseek-model-v1.LICENSE.txt",
    ] {
        let kinds = kinds_of(file);
        assert!(
            kinds.contains(&RestrictionKind::AcceptableUsePolicy),
            "{file}: {kinds:?}"
        );
        assert!(
            kinds.contains(&RestrictionKind::FieldOfUse),
            "{file}: {kinds:?}"
        );
    }
    let research = kinds_of("tongyi-qianwen-research.LICENSE.txt");
    assert!(
        research.contains(&RestrictionKind::NonCommercial)
            && research.contains(&RestrictionKind::ResearchOnly),
        "{research:?}"
    );
    assert!(kinds_of("tongyi-qianwen.LICENSE.txt").contains(&RestrictionKind::UserCap));
}

#[test]
fn identifies_spdx_texts_with_the_spdx_data() {
    for id in [
        "MIT",
        "Apache-2.0",
        "BSD-3-Clause",
        "GPL-3.0-only",
        "MPL-2.0",
        "CC-BY-4.0",
    ] {
        let licence = spdx::license_id(id).expect("known SPDX id");
        let text = licence.text();
        for (variant, candidate) in [
            ("as published", text.to_string()),
            ("re-wrapped", rewrap(text, 72)),
            ("new copyright", change_copyright(text)),
        ] {
            let facts = identify_licence_text(&candidate);
            let found = facts
                .licence
                .unwrap_or_else(|| panic!("{id} {variant}: not identified"));
            assert_eq!(found.source, IdSource::SpdxText, "{id} {variant}");
            // askalono may name an SPDX alias with the same text (GPL-3.0 for GPL-3.0-only).
            assert!(
                found.id.starts_with(id.trim_end_matches("-only")),
                "{id} {variant}: {}",
                found.id
            );
            assert!(
                found.confidence >= 0.8,
                "{id} {variant}: {}",
                found.confidence
            );
        }
    }
    let mit = identify_licence_text(spdx::license_id("MIT").expect("MIT").text());
    assert!(mit.restrictions.is_empty(), "{:?}", mit.restrictions);
}

#[test]
fn unknown_texts_and_identifier_lines() {
    assert_eq!(
        identify_licence_text("All rights reserved. Do not copy.").licence,
        None
    );
    assert_eq!(identify_licence_text("").licence, None);
    let tagged = identify_licence_text("// SPDX-License-Identifier: MIT OR Apache-2.0\n");
    let licence = tagged.licence.expect("identifier line");
    assert_eq!(licence.source, IdSource::SpdxExpression);
    assert_eq!(licence.id, "MIT OR Apache-2.0");
}

#[test]
fn licence_info_flags() {
    let apache = licence_info("apache-2.0");
    assert!(apache.known && apache.osi_approved && apache.fsf_libre && !apache.restrictive);
    let cc_by = licence_info("cc-by-4.0");
    assert!(cc_by.known && cc_by.open_data && !cc_by.osi_approved && !cc_by.restrictive);
    let nc = licence_info("cc-by-nc-4.0");
    assert!(nc.known && nc.restrictive && !nc.open_data);
    assert!(licence_info("odbl").open_data);
    assert!(licence_info("CC0-1.0").open_data);
    assert!(licence_info("llama3.1").restrictive);
    assert!(licence_info("OpenRAIL").restrictive);
    assert!(!licence_info("other").known);
    assert!(!licence_info("no-such-licence").known);
    let either = licence_info("MIT OR CC-BY-NC-4.0");
    assert!(either.osi_approved && either.restrictive);
    let both = licence_info("MIT AND CC-BY-NC-4.0");
    assert!(!both.osi_approved);
}

#[test]
fn licence_file_names() {
    for path in [
        "LICENSE",
        "LICENSE.txt",
        "LICENCE.md",
        "COPYING",
        "NOTICE",
        "USE_POLICY.md",
        "LICENSE-MODEL",
        "LICENSE-CODE",
        "code/LICENSE",
        "Tongyi Qianwen LICENSE AGREEMENT",
        "LICENSE.Apache-2.0",
    ] {
        assert!(is_licence_file(path), "{path}");
    }
    for path in [
        "license_check.py",
        "a/b/LICENSE",
        "README.md",
        "licenses.json",
    ] {
        assert!(!is_licence_file(path), "{path}");
    }
}
