//! Replays the inputs the fuzzers found (`fuzz/regressions/<target>/*`) through the same entry
//! points as the fuzz targets, and runs a small deterministic mutation sweep over fixtures of
//! every format, so panics and blow-ups stay fixed without nightly or libFuzzer in CI.

use std::path::PathBuf;

use commonhold_assess::inspect::{
    WeightFormat, claims_open_source, inspect_weights, parse_card, parse_lfs_pointer,
};
use commonhold_assess::{AssessOptions, MemoryRelease, assess};

/// The `data_grade` target: the data information grade (D1-D8) of an arbitrary card.
fn grade(data: &[u8]) {
    let release = MemoryRelease::card_and_data_card(data);
    let a = assess(&release, &AssessOptions::default());
    assert!(a.data_information.is_some());
}

/// Runs `bytes` through the entry point of the fuzz target named `target`, exactly as the
/// target does (first byte: whole file or prefix).
fn replay(target: &str, data: &[u8]) {
    let (whole, bytes) = match data.split_first() {
        Some((flag, rest)) => (flag & 1 == 0, rest),
        None => (true, data),
    };
    let size = if whole {
        bytes.len() as u64
    } else {
        bytes.len() as u64 + (1 << 30)
    };
    let format = match target {
        "safetensors" => WeightFormat::Safetensors,
        "gguf" => WeightFormat::Gguf,
        "pickle_scan" => WeightFormat::PickleBin,
        "torch_zip" => WeightFormat::TorchZip,
        "onnx" => WeightFormat::Onnx,
        "lfs_pointer" => {
            let _ = parse_lfs_pointer(data);
            return;
        }
        "front_matter" => {
            let text = String::from_utf8_lossy(data);
            let card = if text.starts_with("---") {
                text.into_owned()
            } else {
                format!("---\n{text}")
            };
            let _ = parse_card(&card);
            let _ = claims_open_source(&card);
            return;
        }
        "data_grade" => {
            grade(data);
            return;
        }
        "lineage" => {
            let _ = commonhold_assess::inspect::adapter_base(data);
            let text = String::from_utf8_lossy(data);
            let _ = commonhold_assess::inspect::merge_models(&text);
            if let Ok(k) = commonhold_assess::Knowledge::parse(&text, "fuzz") {
                let _ = k.lookup(&text);
            }
            return;
        }
        // The server's targets: crates/server replays those.
        "commit_ndjson" | "range" => return,
        other => panic!("unknown fuzz target {other}"),
    };
    let _ = inspect_weights(format, bytes, size);
}

#[test]
fn replays_fuzzer_findings() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    let Ok(targets) = std::fs::read_dir(&root) else {
        return;
    };
    let mut replayed = 0;
    for target in targets.flatten() {
        let name = target.file_name().to_string_lossy().into_owned();
        for input in std::fs::read_dir(target.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let data = std::fs::read(input.path()).expect("readable regression input");
            replay(&name, &data);
            replayed += 1;
        }
    }
    eprintln!("replayed {replayed} fuzzer findings");
}

/// xorshift64: a fixed, dependency-free source of mutations.
struct Mutator(u64);

impl Mutator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Flips bytes, truncates, or overwrites with extreme little-endian values.
    fn mutate(&mut self, seed: &[u8]) -> Vec<u8> {
        let mut bytes = seed.to_vec();
        for _ in 0..(self.next() % 4 + 1) {
            if bytes.is_empty() {
                break;
            }
            let at = (self.next() % bytes.len() as u64) as usize;
            match self.next() % 4 {
                0 => bytes[at] ^= 1 << (self.next() % 8),
                1 => bytes.truncate(at),
                2 => {
                    let end = (at + 8).min(bytes.len());
                    bytes[at..end].fill(0xff);
                }
                _ => bytes[at] = (self.next() % 256) as u8,
            }
        }
        bytes
    }
}

fn safetensors_fixture() -> Vec<u8> {
    let header = r#"{"a":{"dtype":"F16","shape":[2,3],"data_offsets":[0,12]},"__metadata__":{"format":"pt"}}"#;
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend_from_slice(&[0; 12]);
    bytes
}

fn gguf_fixture() -> Vec<u8> {
    let mut bytes = b"GGUF".to_vec();
    bytes.extend_from_slice(&3u32.to_le_bytes());
    bytes.extend_from_slice(&1u64.to_le_bytes());
    bytes.extend_from_slice(&1u64.to_le_bytes());
    bytes.extend_from_slice(&(b"general.architecture".len() as u64).to_le_bytes());
    bytes.extend_from_slice(b"general.architecture");
    bytes.extend_from_slice(&8u32.to_le_bytes());
    bytes.extend_from_slice(&5u64.to_le_bytes());
    bytes.extend_from_slice(b"llama");
    bytes.extend_from_slice(&2u64.to_le_bytes());
    bytes.extend_from_slice(b"t0");
    bytes.extend_from_slice(&1u32.to_le_bytes());
    bytes.extend_from_slice(&4u64.to_le_bytes());
    bytes.extend_from_slice(&0u32.to_le_bytes());
    bytes.extend_from_slice(&0u64.to_le_bytes());
    bytes.resize(bytes.len() + 48, 0);
    bytes
}

/// `pickle.dumps` protocol 4 of a payload that calls `os.system` through `STACK_GLOBAL`.
const STACK_GLOBAL_PICKLE: &[u8] = b"\x80\x04\x95\x1e\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94\x8c\x06system\x94\x93\x94\x8c\x02id\x94\x85\x94R\x94.";

#[test]
fn mutated_fixtures_never_panic() {
    let fixtures: Vec<(&str, Vec<u8>)> = vec![
        ("safetensors", safetensors_fixture()),
        ("gguf", gguf_fixture()),
        ("pickle_scan", STACK_GLOBAL_PICKLE.to_vec()),
        ("onnx", vec![0x08, 8, 0x3a, 6, 0x2a, 4, 0x08, 3, 0x10, 1]),
        (
            "lfs_pointer",
            b"version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n".to_vec(),
        ),
        (
            "front_matter",
            b"---\nlicense: mit\ntags: [a, b]\nx: &a [1, 2]\ny: *a\n---\n# Uses\ntext\n".to_vec(),
        ),
        (
            "lineage",
            b"version = \"1\"\ndefinition = \"2026.2\"\n[[family]]\nid = \"a\"\nname = \"A\"\npatterns = [\"org/*-7b*\", \"*/a-*\"]\nlicence = \"apache-2.0\"\nflows_down = false\ndata = \"open\"\nsource = \"https://example.org\"\nchecked = \"2026-01-01\"\n# model: org/a-7b\n{\"base_model_name_or_path\": \"org/a-7b\"}\n".to_vec(),
        ),
    ];
    let mut mutator = Mutator(0x9e37_79b9_7f4a_7c15);
    // The data grade assesses a whole release per input: fewer rounds.
    let sheet = b"---\nlicense: mit\ndatasets:\n- a/b\n---\n## Training data\n\nTrained on [The Pile](https://huggingface.co/datasets/a/b), 825GiB\nof text from publicly available sources, excluding C4.\n\n| Source | Tokens (B) |\n|---|---|\n| Dolma | 2.5 |\n\0Collected and deduplicated; will release soon.\n";
    for _ in 0..300 {
        grade(&mutator.mutate(sheet));
    }
    for (target, fixture) in &fixtures {
        for _ in 0..2_000 {
            for flag in [0u8, 1] {
                let mut data = vec![flag];
                data.extend(mutator.mutate(fixture));
                replay(target, &data);
            }
        }
    }
}

#[test]
fn stack_global_imports_are_resolved_through_the_memo() {
    let facts = inspect_weights(
        WeightFormat::PickleBin,
        STACK_GLOBAL_PICKLE,
        STACK_GLOBAL_PICKLE.len() as u64,
    );
    assert_eq!(facts.error, None);
    assert_eq!(facts.dangerous_imports, vec!["os.system"]);
    assert_eq!(facts.unsafe_imports, vec!["os.system"]);
}

#[test]
fn safe_legacy_checkpoints_are_not_flagged_and_unknown_operands_are() {
    // GLOBAL of the tensor rebuild function, then a second pickle (legacy torch.save layout).
    let mut legacy = b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\nq\x00)R.".to_vec();
    legacy.extend_from_slice(b"\x80\x02ctorch\nFloatStorage\nq\x01.");
    legacy.extend_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
    let facts = inspect_weights(WeightFormat::PickleBin, &legacy, legacy.len() as u64);
    assert_eq!(facts.error, None);
    assert!(
        facts.unsafe_imports.is_empty(),
        "{:?}",
        facts.unsafe_imports
    );
    // STACK_GLOBAL whose operands are not strings.
    let opaque = b"\x80\x04K\x01K\x02\x93.";
    let facts = inspect_weights(WeightFormat::PickleBin, opaque, opaque.len() as u64);
    assert_eq!(facts.dangerous_imports, vec!["<unresolved STACK_GLOBAL>"]);
    // Protocol 0 INST and a non-allowlisted but not known-dangerous callable.
    let inst = b"(ibuiltins\nexec\n(cmy_module\nHelper\n.";
    let facts = inspect_weights(WeightFormat::PickleBin, inst, inst.len() as u64);
    assert_eq!(
        facts.unsafe_imports,
        vec!["builtins.exec", "my_module.Helper"]
    );
    assert_eq!(facts.dangerous_imports, vec!["builtins.exec"]);
}

#[test]
fn card_front_matter_sections_links_and_claims() {
    let card = "---\nlicense: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\ndatasets:\n- allenai/dolma\ntags:\n- arxiv:2407.21783\nmodel-index:\n- name: x\nfunding:\n  funder: EU\n---\n# Model\nA fully open model.\n## Training Data\nDolma, see https://huggingface.co/datasets/allenai/dolma.\n## Citation\n";
    let parsed = parse_card(card);
    assert_eq!(parsed.front_matter_error, None);
    assert_eq!(parsed.body_start_line, 13);
    assert_eq!(parsed.meta.license.as_deref(), Some("llama3.1"));
    assert_eq!(parsed.meta.base_model, vec!["meta-llama/Llama-3.1-8B"]);
    assert_eq!(parsed.meta.datasets, vec!["allenai/dolma"]);
    assert!(parsed.meta.has_model_index);
    assert_eq!(parsed.meta.model_index_line, Some(8));
    assert_eq!(parsed.meta.lines.get("license"), Some(&2));
    assert_eq!(parsed.meta.funding.len(), 1);
    let sections: Vec<(&str, usize, usize)> = parsed
        .sections
        .iter()
        .map(|s| (s.heading.as_str(), s.line, s.words))
        .collect();
    assert_eq!(
        sections,
        vec![
            ("Model", 13, 7),
            ("Training Data", 15, 3),
            ("Citation", 17, 0)
        ]
    );
    let urls: Vec<(&str, usize)> = parsed
        .links
        .iter()
        .map(|l| (l.url.as_str(), l.line))
        .collect();
    assert_eq!(
        urls,
        vec![
            ("https://huggingface.co/datasets/allenai/dolma", 16),
            ("https://arxiv.org/abs/2407.21783", 6)
        ]
    );
    assert_eq!(
        claims_open_source(card),
        vec![(14, "A fully open model.".to_string())]
    );
    let broken = parse_card("---\nlicense: [unclosed\n---\n# Body\n");
    assert!(broken.front_matter_error.is_some());
    assert_eq!(broken.body_start_line, 4);
    assert_eq!(broken.meta.raw, serde_json::json!({}));
}
