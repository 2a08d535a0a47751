//! Fixture releases built by the tests: temp directories with tiny safetensors, cards and
//! licence files.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use commonhold_assess::{AssessOptions, Assessment, DirRelease, assess};

pub const MIT: &str = "MIT License\n\nCopyright (c) 2024 Example Org\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\nof this software and associated documentation files (the \"Software\"), to deal\nin the Software without restriction, including without limitation the rights\nto use, copy, modify, merge, publish, distribute, sublicense, and/or sell\ncopies of the Software, and to permit persons to whom the Software is\nfurnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all\ncopies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR\nIMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,\nFITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE\nAUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER\nLIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,\nOUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE\nSOFTWARE.\n";

/// The shared reference directory (`../shared` beside the repository).
pub fn shared_dir() -> PathBuf {
    std::env::var_os("COMMONHOLD_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

/// A safetensors file with one F32 tensor of `n` elements; `cut` bytes removed from its end.
pub fn safetensors(n: usize, cut: usize) -> Vec<u8> {
    let header = format!(
        "{{\"w\":{{\"dtype\":\"F32\",\"shape\":[{n}],\"data_offsets\":[0,{}]}}}}",
        n * 4
    );
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.extend(std::iter::repeat_n(0u8, (n * 4).saturating_sub(cut)));
    out
}

/// A release directory built file by file.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn file(self, path: &str, bytes: impl AsRef<[u8]>) -> Fixture {
        let full = self.dir.path().join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(full, bytes).expect("write fixture");
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn assess(&self) -> Assessment {
        self.assess_with(&AssessOptions::default())
    }

    pub fn assess_with(&self, opts: &AssessOptions<'_>) -> Assessment {
        let release = DirRelease::open(self.path()).expect("open fixture");
        assess(&release, opts)
    }
}

/// A model card with front matter and a body.
pub fn card(front: &str, body: &str) -> String {
    format!("---\n{front}\n---\n\n# Model\n\n{body}\n")
}

pub const LONG: &str = "This section describes the material in enough detail to be useful to a reader who wants to understand it and reproduce the work, with sources and sizes.";

/// A release that reaches MOF Class I from its own files, under Apache-2.0 and CC-BY-4.0.
pub fn open_science() -> Fixture {
    let body = format!(
        "## Training data\n\n{LONG}\n\n## Training procedure\n\n{LONG} Code: https://github.com/example/train\n\n## Evaluation\n\n{LONG}\n\n## Citation\n\nhttps://arxiv.org/abs/2401.00001\n"
    );
    Fixture::new()
        .file(
            "README.md",
            card(
                "license: mit\ndatasets:\n- example/corpus\nlibrary_name: transformers\npipeline_tag: text-generation",
                &body,
            ),
        )
        .file("LICENSE", MIT)
        .file("model.safetensors", safetensors(16, 0))
        .file(
            "config.json",
            r#"{"architectures":["LlamaForCausalLM"],"model_type":"llama"}"#,
        )
        .file("modeling_example.py", "import torch\nclass Model(torch.nn.Module):\n    pass\n")
        .file("train.py", "from transformers import Trainer\ntrainer = Trainer()\ntrainer.train()\n")
        .file("inference.py", "model.generate(input_ids)\n")
        .file("evaluate.py", "import lm_eval\nlm_eval.simple_evaluate()\n")
        .file("preprocess_data.py", "from datasets import load_dataset\nds = load_dataset('x')\n")
        .file("eval/test.jsonl", "{\"q\": 1}\n")
        .file("data/train.jsonl", "{\"text\": \"a\"}\n")
        .file("checkpoint-1000/model.safetensors", safetensors(16, 0))
        .file("paper.pdf", "%PDF-1.4\n")
        .file("eval_results.json", "{\"accuracy\": 0.5}\n")
}
