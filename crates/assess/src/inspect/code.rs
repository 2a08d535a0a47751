//! Code in a release, classified by the MOF code components it can supply: training,
//! inference, evaluation, data processing, model architecture, supporting libraries.
//!
//! Names say most (`train.py`, `modeling_llama.py`, `eval/`); the first bytes of content
//! confirm what names leave open (`Trainer(`, `.backward()`, `nn.Module`).

use serde::Serialize;

use crate::inspect::paths;

/// The most bytes of a code file that [`classify_code`] looks at.
pub const CODE_PREFIX_MAX: usize = 64 * 1024;

/// What a code file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum CodeRole {
    /// Trains or fine-tunes a model.
    Training,
    /// Runs a trained model.
    Inference,
    /// Evaluates or benchmarks a model.
    Evaluation,
    /// Prepares training data: download, cleaning, filtering, tokenisation.
    DataProcessing,
    /// Defines the model's architecture.
    ModelArchitecture,
    /// Anything else the code needs: utilities, packaging, environment.
    SupportingLibrary,
}

/// Extensions of source code and notebooks.
const CODE_EXTENSIONS: &[&str] = &[
    "py", "ipynb", "sh", "bash", "js", "ts", "rs", "go", "c", "cc", "cpp", "cu", "h", "hpp",
    "java", "jl", "r", "scala", "lua", "swift", "kt", "m", "pyx",
];

/// Files that are code infrastructure without being source code.
const SUPPORT_FILES: &[&str] = &[
    "setup.py",
    "setup.cfg",
    "pyproject.toml",
    "requirements.txt",
    "environment.yml",
    "environment.yaml",
    "dockerfile",
    "makefile",
    "cargo.toml",
    "package.json",
];

/// Name fragments per role (matched against the lower-cased path).
const NAME_HINTS: &[(CodeRole, &[&str])] = &[
    (
        CodeRole::Training,
        &[
            "train",
            "finetune",
            "fine_tune",
            "fine-tune",
            "pretrain",
            "sft",
            "dpo",
            "rlhf",
        ],
    ),
    (
        CodeRole::Inference,
        &[
            "infer",
            "generate",
            "predict",
            "demo",
            "serve",
            "server",
            "chat",
            "app.py",
            "pipeline",
            "run_model",
        ],
    ),
    (
        CodeRole::Evaluation,
        &["eval", "benchmark", "metric", "score"],
    ),
    (
        CodeRole::DataProcessing,
        &[
            "preprocess",
            "prepare_data",
            "data_prep",
            "process_data",
            "tokeniz",
            "dedup",
            "filter",
            "clean",
            "build_dataset",
            "make_dataset",
            "download_data",
            "data_processing",
            "datasets/",
        ],
    ),
    (
        CodeRole::ModelArchitecture,
        &[
            "modeling_",
            "model.py",
            "models/",
            "architecture",
            "configuration_",
            "layers.py",
            "attention",
        ],
    ),
];

/// Content fragments per role.
const CONTENT_HINTS: &[(CodeRole, &[&str])] = &[
    (
        CodeRole::Training,
        &[
            "Trainer(",
            "trainer.train(",
            ".backward(",
            "optimizer.step(",
            "deepspeed.initialize(",
            "accelerator.backward(",
        ],
    ),
    (
        CodeRole::Inference,
        &[
            ".generate(",
            "pipeline(",
            "AutoModelForCausalLM.from_pretrained(",
        ],
    ),
    (
        CodeRole::Evaluation,
        &["lm_eval", "evaluate.load(", "compute_metrics", "evaluator"],
    ),
    (
        CodeRole::DataProcessing,
        &["load_dataset(", "dedup", "minhash", "tokenizer.train("],
    ),
    (
        CodeRole::ModelArchitecture,
        &[
            "(nn.Module)",
            "(PreTrainedModel)",
            "(torch.nn.Module)",
            "class Attention",
        ],
    ),
];

/// The roles a file plays; empty for files that are not code.
pub fn classify_code(path: &str, prefix: &[u8]) -> Vec<CodeRole> {
    let lower = path.to_ascii_lowercase();
    let name = paths::file_name(&lower);
    if SUPPORT_FILES.contains(&name) {
        return vec![CodeRole::SupportingLibrary];
    }
    let is_code =
        paths::extension(&lower).is_some_and(|ext| CODE_EXTENSIONS.contains(&ext.as_str()));
    if !is_code {
        return Vec::new();
    }
    let content = String::from_utf8_lossy(prefix.get(..CODE_PREFIX_MAX).unwrap_or(prefix));
    let mut roles: Vec<CodeRole> = NAME_HINTS
        .iter()
        .filter(|(_, hints)| hints.iter().any(|hint| lower.contains(hint)))
        .chain(
            CONTENT_HINTS
                .iter()
                .filter(|(_, hints)| hints.iter().any(|hint| content.contains(hint))),
        )
        .map(|(role, _)| *role)
        .collect();
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        roles.push(CodeRole::SupportingLibrary);
    }
    roles
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_name_and_content() {
        assert_eq!(
            classify_code("scripts/train.py", b""),
            vec![CodeRole::Training]
        );
        assert_eq!(
            classify_code("modeling_llama.py", b"class LlamaModel(PreTrainedModel):"),
            vec![CodeRole::ModelArchitecture]
        );
        assert_eq!(
            classify_code("eval/run.sh", b""),
            vec![CodeRole::Evaluation]
        );
        assert_eq!(
            classify_code("tools/preprocess_data.py", b""),
            vec![CodeRole::DataProcessing]
        );
        assert_eq!(
            classify_code("main.py", b"trainer = Trainer(model)\ntrainer.train()"),
            vec![CodeRole::Training]
        );
        assert_eq!(
            classify_code("utils.py", b"def helper(): pass"),
            vec![CodeRole::SupportingLibrary]
        );
        assert_eq!(
            classify_code("requirements.txt", b""),
            vec![CodeRole::SupportingLibrary]
        );
        assert!(classify_code("README.md", b"Trainer(").is_empty());
    }
}
