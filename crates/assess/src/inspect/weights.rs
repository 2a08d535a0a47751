//! Weight files: what a checkpoint holds, and whether loading it could run code.
//!
//! The caller passes the first bytes of a file (at most [`WEIGHTS_HEADER_MAX`]) and the file's
//! full size. Headers are parsed under that bound; every count and length read from the file
//! is checked against the bytes actually present before anything is allocated for it. Pickle
//! data is scanned opcode by opcode, never unpickled.

mod bytes;
mod gguf;
mod onnx;
mod pickle;
mod safetensors;
mod torch_zip;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::inspect::paths;

/// The most bytes of a weight file the assessor reads (the prefix passed to [`inspect_weights`]).
pub const WEIGHTS_HEADER_MAX: usize = 16 << 20;

/// The serialisation format of a weight file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum WeightFormat {
    /// `.safetensors`: a JSON header and raw tensors; cannot run code.
    Safetensors,
    /// `.gguf`: llama.cpp's typed header and tensors; cannot run code.
    Gguf,
    /// A legacy PyTorch pickle (`.bin`, `.pt`, `.pth`, `.ckpt` that are not zip files).
    PickleBin,
    /// A PyTorch zip checkpoint holding `*/data.pkl`.
    TorchZip,
    /// `.onnx`: a protobuf graph with initialisers.
    Onnx,
    /// Other weight formats (`.h5`, `.msgpack`, `.tflite`, ...), recognised but not parsed.
    Other,
}

/// What a weight file holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WeightFacts {
    /// The format actually parsed (a `.bin` may turn out to be a zip, and the reverse).
    pub format: WeightFormat,
    /// Number of tensors, when the header says.
    pub tensors: Option<u64>,
    /// Number of parameters (sum of tensor element counts), when the header says.
    pub parameters: Option<u64>,
    /// Tensor element types, sorted and distinct.
    pub dtypes: Vec<String>,
    /// The header declares data past the end of the file: an incomplete upload.
    pub truncated: bool,
    /// Why the file could not be (fully) parsed.
    pub error: Option<String>,
    /// Header metadata, e.g. GGUF `general.architecture`, `general.license`, `gguf.version`.
    pub metadata: BTreeMap<String, String>,
    /// Callables imported by pickle data outside the safe allowlist, as `module.name`.
    pub unsafe_imports: Vec<String>,
    /// The subset of `unsafe_imports` known to run commands or code (`os.system`, `builtins.eval`).
    pub dangerous_imports: Vec<String>,
}

impl WeightFacts {
    /// Facts about a file of this format that was not parsed (e.g. a Git LFS pointer).
    pub fn empty(format: WeightFormat) -> Self {
        Self::new(format)
    }

    /// Facts with nothing found yet.
    fn new(format: WeightFormat) -> Self {
        Self {
            format,
            tensors: None,
            parameters: None,
            dtypes: Vec::new(),
            truncated: false,
            error: None,
            metadata: BTreeMap::new(),
            unsafe_imports: Vec::new(),
            dangerous_imports: Vec::new(),
        }
    }
}

/// The format a path's extension suggests, if it is a weight file at all.
pub fn weight_format(path: &str) -> Option<WeightFormat> {
    match paths::extension(path)?.as_str() {
        "safetensors" => Some(WeightFormat::Safetensors),
        "gguf" => Some(WeightFormat::Gguf),
        "bin" | "pt" | "pth" | "ckpt" | "pkl" | "pickle" => Some(WeightFormat::PickleBin),
        "onnx" => Some(WeightFormat::Onnx),
        "h5" | "hdf5" | "keras" | "msgpack" | "tflite" | "mlmodel" | "npz" | "ggml" | "nemo"
        | "joblib" => Some(WeightFormat::Other),
        _ => None,
    }
}

/// Inspects the first bytes of a weight file whose full size is `file_size`.
///
/// Pickle and zip checkpoints are told apart by their magic bytes rather than their extension,
/// since `torch.save` writes zip files under `.bin` and `.pt` alike.
pub fn inspect_weights(format: WeightFormat, prefix: &[u8], file_size: u64) -> WeightFacts {
    let prefix = prefix.get(..WEIGHTS_HEADER_MAX).unwrap_or(prefix);
    let is_zip = prefix.starts_with(b"PK\x03\x04") || prefix.starts_with(b"PK\x05\x06");
    match format {
        WeightFormat::Safetensors => safetensors::inspect(prefix, file_size),
        WeightFormat::Gguf => gguf::inspect(prefix, file_size),
        WeightFormat::PickleBin | WeightFormat::TorchZip if is_zip => {
            torch_zip::inspect(prefix, file_size)
        }
        WeightFormat::PickleBin | WeightFormat::TorchZip => pickle::inspect(prefix),
        WeightFormat::Onnx => onnx::inspect(prefix, file_size),
        WeightFormat::Other => WeightFacts::new(WeightFormat::Other),
    }
}

/// Whether a path lies in an intermediate-checkpoint directory (`checkpoint-1000/`,
/// `step_5000/`, `global_step200/`, `epoch-3/`, `stage1-step1000-tokens4B/`), or names an
/// intermediate revision such as `step143000`. MOF counts these as intermediate parameters.
pub fn is_checkpoint_dir(path: &str) -> bool {
    path.split('/').any(is_checkpoint_component)
}

/// One path component that names a training step or epoch.
fn is_checkpoint_component(component: &str) -> bool {
    let lower = component.to_ascii_lowercase();
    const MARKERS: [&str; 5] = ["checkpoint", "step", "ckpt", "epoch", "iter"];
    MARKERS.iter().any(|marker| {
        lower.match_indices(marker).any(|(at, _)| {
            let after = lower.get(at + marker.len()..).unwrap_or_default();
            let after = after.trim_start_matches(['-', '_', 's']);
            after.starts_with(|c: char| c.is_ascii_digit())
        })
    })
}

/// Names the inspectors use for element types, sorted and distinct.
fn sorted_distinct(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension() {
        assert_eq!(
            weight_format("model-00001-of-00002.safetensors"),
            Some(WeightFormat::Safetensors)
        );
        assert_eq!(
            weight_format("q4/model.Q4_K_M.gguf"),
            Some(WeightFormat::Gguf)
        );
        assert_eq!(
            weight_format("pytorch_model.bin"),
            Some(WeightFormat::PickleBin)
        );
        assert_eq!(weight_format("model.onnx"), Some(WeightFormat::Onnx));
        assert_eq!(weight_format("tf_model.h5"), Some(WeightFormat::Other));
        assert_eq!(weight_format("config.json"), None);
    }

    #[test]
    fn recognises_checkpoint_directories() {
        for path in [
            "checkpoint-1000/model.safetensors",
            "ckpts/step_5000/x.bin",
            "global_step200/a",
            "stage1-step1000-tokens4B/config.json",
            "epoch-3/w.pt",
            "step143000",
        ] {
            assert!(is_checkpoint_dir(path), "{path}");
        }
        for path in [
            "model.safetensors",
            "checkpoints/README.md",
            "stepwise/x",
            "iterative.py",
        ] {
            assert!(!is_checkpoint_dir(path), "{path}");
        }
    }
}
