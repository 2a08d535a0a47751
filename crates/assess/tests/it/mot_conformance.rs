//! The Model Openness Tool's conformance suite, run against our MOF engine.
//!
//! `Test_Data/expected_results.json` is the oracle, joined on `release.name` inside each YAML
//! (file names are not reliable). The 273 real declarations in `models/` must all evaluate.

use std::collections::BTreeMap;
use std::path::PathBuf;

use commonhold_assess::{MofManifest, evaluate_manifest};

fn mot_dir() -> PathBuf {
    std::env::var_os("COMMONHOLD_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
        .join("conformance/mot")
}

/// Removes the trailing commas (`,}` / `,]`) that MOT's exported JSON contains.
fn strip_trailing_commas(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut in_string = false;
    let mut escaped = false;
    for (i, &c) in chars.iter().enumerate() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        if c == '"' {
            in_string = true;
        }
        if c == ',' {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some('}') | Some(']')) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

fn yaml_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn test_data_matches_expected_results() {
    let dir = mot_dir().join("Test_Data");
    let raw = std::fs::read_to_string(dir.join("expected_results.json")).unwrap();
    let oracle: serde_json::Value = serde_json::from_str(&strip_trailing_commas(&raw)).unwrap();
    let mut expected = BTreeMap::new();
    for m in oracle["models"].as_array().unwrap() {
        let name = m["release"]["name"].as_str().unwrap().to_owned();
        expected.insert(name, m["classification"].clone());
    }
    let files = yaml_files(&dir);
    assert_eq!(files.len(), 27, "the suite has 27 declarations");
    let mut failures = Vec::new();
    for file in &files {
        let manifest = MofManifest::from_yaml(&std::fs::read_to_string(file).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let want = expected
            .get(&manifest.name)
            .unwrap_or_else(|| panic!("{} not in expected_results.json", manifest.name));
        let got = evaluate_manifest(&manifest);
        let p = |k: &str| want["progress"][k].as_f64().unwrap();
        let ok = got.class as u64 == want["class"].as_u64().unwrap()
            && (got.progress.class_1 - p("1")).abs() <= 0.01
            && (got.progress.class_2 - p("2")).abs() <= 0.01
            && (got.progress.class_3 - p("3")).abs() <= 0.01;
        if !ok {
            failures.push(format!(
                "{}: got class {} {:?}, want class {} {}",
                manifest.name, got.class, got.progress, want["class"], want["progress"]
            ));
        }
    }
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));
}

#[test]
fn all_model_declarations_evaluate() {
    let files = yaml_files(&mot_dir().join("models"));
    assert_eq!(files.len(), 273, "the MOT snapshot has 273 declarations");
    let mut by_class: BTreeMap<u8, (usize, Vec<String>)> = BTreeMap::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let manifest =
            MofManifest::from_yaml(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let result = evaluate_manifest(&manifest);
        assert!(result.class <= 3);
        for pct in [
            result.progress.class_1,
            result.progress.class_2,
            result.progress.class_3,
        ] {
            assert!((0.0..=100.0).contains(&pct), "{}: {pct}", manifest.name);
        }
        let entry = by_class.entry(result.class).or_default();
        entry.0 += 1;
        if entry.1.len() < 4 {
            entry.1.push(manifest.name);
        }
    }
    println!("{:<32} {:>6}  examples", "MOF class", "models");
    for (class, (count, examples)) in &by_class {
        println!(
            "{:<32} {:>6}  {}",
            commonhold_assess::mof::class_label(*class),
            count,
            examples.join(", ")
        );
    }
    assert_eq!(by_class.values().map(|v| v.0).sum::<usize>(), 273);
}
