//! The walk over a release: which inspector sees which file, with what bound.
//!
//! Reads go only through [`Release::read`] and never exceed the inspector's `*_MAX` bound; a
//! safetensors file is read as far as its header only, so a release with tens of gigabytes of
//! weights costs a few small reads. A file that cannot be read is recorded, not fatal.

use crate::inspect::{
    self, CARD_MAX, Card, CodeRole, CroissantFacts, LFS_POINTER_MAX, LICENCE_FILE_MAX, LfsPointer,
    LicenceFacts, ModelConfig, WEIGHTS_HEADER_MAX, WeightFacts, WeightFormat,
};
use crate::release::{Release, ReleaseFile};

/// Bound on how much of a code file is read to classify it.
const CODE_READ_MAX: usize = inspect::code::CODE_PREFIX_MAX;
/// Bound on `config.json`.
const CONFIG_READ_MAX: usize = inspect::config::CONFIG_MAX;
/// Bound on a Croissant document.
const CROISSANT_READ_MAX: usize = inspect::data::CROISSANT_MAX;

/// Extensions of files worth reading to classify as code (names alone classify the rest).
const CODE_EXTENSIONS: [&str; 16] = [
    "py", "ipynb", "sh", "bash", "rs", "js", "ts", "go", "java", "c", "cc", "cpp", "cu", "jl", "r",
    "scala",
];

/// The model card, parsed.
pub(crate) struct ScannedCard {
    pub path: String,
    /// The card as read (at most `CARD_MAX` bytes), for rules that read its prose.
    pub text: String,
    pub card: Card,
    /// Lines claiming "open source" and their quotes.
    pub claims: Vec<(usize, String)>,
}

/// A licence file, identified.
pub(crate) struct ScannedLicence {
    pub path: String,
    pub facts: LicenceFacts,
}

/// A weight file, read up to its header.
pub(crate) struct ScannedWeights {
    pub file: ReleaseFile,
    pub facts: WeightFacts,
    /// Lies in an intermediate-checkpoint directory.
    pub intermediate: bool,
    /// The file is a Git LFS pointer (P1): present, but its header was not read (P3).
    pub lfs: Option<LfsPointer>,
}

/// Everything the inspectors found in a release.
#[derive(Default)]
pub(crate) struct Scan {
    pub file_count: usize,
    pub total_bytes: u64,
    pub card: Option<ScannedCard>,
    pub licences: Vec<ScannedLicence>,
    pub weights: Vec<ScannedWeights>,
    pub config: Option<(String, ModelConfig)>,
    pub code: Vec<(String, Vec<CodeRole>)>,
    pub data_files: Vec<String>,
    pub eval_results: Vec<String>,
    pub papers: Vec<String>,
    pub croissant: Option<(String, CroissantFacts)>,
    /// Separate data-card documents (`DATA_CARD.md`, `datasheet.md`).
    pub data_cards: Vec<String>,
    /// The text of the data cards that are text (`.md`, `.txt`), for the data grade (D1).
    pub data_card_texts: Vec<(String, String)>,
    /// Training metadata (`config.json`, `generation_config.json`, `trainer_state.json` ...).
    pub metadata_files: Vec<String>,
    pub sample_outputs: Vec<String>,
    /// Lists of the repository's revisions (`revisions.txt`, R1).
    pub revision_lists: Vec<String>,
    /// A PEFT `adapter_config.json` at the root and the base it names (G1).
    pub adapter_base: Option<(String, String)>,
    /// A mergekit configuration at the root and the models it merges, with their lines (G1).
    pub merge_models: Option<(String, Vec<(usize, String)>)>,
    /// Files that could not be read, with the reason.
    pub read_errors: Vec<(String, String)>,
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn extension(path: &str) -> Option<String> {
    let name = file_name(path);
    name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())
}

fn is_root(path: &str) -> bool {
    !path.contains('/')
}

impl Scan {
    fn read(&mut self, release: &dyn Release, file: &ReleaseFile, max: usize) -> Option<Vec<u8>> {
        let want = usize::try_from(file.size).unwrap_or(usize::MAX).min(max);
        match release.read(&file.path, 0, want) {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                self.read_errors.push((file.path.clone(), e.to_string()));
                None
            }
        }
    }

    /// A weight file that is a Git LFS pointer (P1), or one that starts like a pointer but is
    /// malformed (P4: unreadable); `None` for any other file. Only files under the spec's bound
    /// are read, whole.
    fn lfs_pointer(
        &mut self,
        release: &dyn Release,
        file: &ReleaseFile,
        format: WeightFormat,
    ) -> Option<ScannedWeights> {
        if file.size >= LFS_POINTER_MAX as u64 {
            return None;
        }
        let bytes = self.read(release, file, LFS_POINTER_MAX)?;
        let parsed = inspect::parse_lfs_pointer(&bytes)?;
        let mut facts = WeightFacts::empty(format);
        let lfs = match parsed {
            Ok(pointer) => Some(pointer),
            Err(e) => {
                facts.error = Some(format!("malformed Git LFS pointer: {e}"));
                None
            }
        };
        Some(ScannedWeights {
            file: file.clone(),
            facts,
            intermediate: inspect::is_checkpoint_dir(&file.path),
            lfs,
        })
    }

    /// Reads a safetensors header exactly: its 8-byte length, then the header it announces.
    fn read_safetensors_header(
        &mut self,
        release: &dyn Release,
        file: &ReleaseFile,
    ) -> Option<Vec<u8>> {
        let len = self.read(release, file, 8)?;
        let announced = len
            .get(..8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(u64::from_le_bytes)?;
        let want = announced.saturating_add(8);
        let max = u64::try_from(WEIGHTS_HEADER_MAX).unwrap_or(u64::MAX);
        let want = usize::try_from(want.min(max)).unwrap_or(WEIGHTS_HEADER_MAX);
        self.read(release, file, want)
    }
}

/// Walks the release once and runs every inspector that applies.
pub(crate) fn scan(release: &dyn Release) -> Scan {
    let mut scan = Scan::default();
    for file in release.files() {
        scan.file_count += 1;
        scan.total_bytes = scan.total_bytes.saturating_add(file.size);
        let path = file.path.as_str();
        let name = file_name(path).to_ascii_lowercase();
        let ext = extension(path);

        if is_root(path) && name == "readme.md" {
            if let Some(bytes) = scan.read(release, file, CARD_MAX) {
                let text = String::from_utf8_lossy(&bytes);
                let card = inspect::parse_card(&text);
                let mut claims = inspect::tag_claims(&card.meta);
                claims.extend(inspect::claims_open_source(&text));
                scan.card = Some(ScannedCard {
                    path: file.path.clone(),
                    text: text.into_owned(),
                    card,
                    claims,
                });
            }
            continue;
        }
        if inspect::is_licence_file(path) {
            if let Some(bytes) = scan.read(release, file, LICENCE_FILE_MAX) {
                let text = String::from_utf8_lossy(&bytes);
                scan.licences.push(ScannedLicence {
                    path: file.path.clone(),
                    facts: inspect::identify_licence_text(&text),
                });
            }
            continue;
        }
        if let Some(format) = inspect::weight_format(path) {
            if let Some(pointer) = scan.lfs_pointer(release, file, format) {
                scan.weights.push(pointer);
                continue;
            }
            let prefix = if format == WeightFormat::Safetensors {
                scan.read_safetensors_header(release, file)
            } else {
                scan.read(release, file, WEIGHTS_HEADER_MAX)
            };
            let facts = match prefix {
                Some(bytes) => inspect::inspect_weights(format, &bytes, file.size),
                None => inspect::inspect_weights(format, &[], file.size),
            };
            scan.weights.push(ScannedWeights {
                file: file.clone(),
                facts,
                intermediate: inspect::is_checkpoint_dir(path),
                lfs: None,
            });
            continue;
        }
        if is_root(path) && name == "config.json" {
            scan.metadata_files.push(file.path.clone());
            if let Some(bytes) = scan.read(release, file, CONFIG_READ_MAX)
                && let Some(config) = inspect::parse_config(&bytes)
            {
                scan.config = Some((file.path.clone(), config));
            }
            continue;
        }
        if name.contains("croissant") && matches!(ext.as_deref(), Some("json" | "jsonld")) {
            if let Some(bytes) = scan.read(release, file, CROISSANT_READ_MAX) {
                scan.croissant = Some((file.path.clone(), inspect::parse_croissant(&bytes)));
            }
            continue;
        }
        if is_root(path) && name == "adapter_config.json" {
            if let Some(bytes) = scan.read(release, file, inspect::LINEAGE_FILE_MAX)
                && let Some(base) = inspect::adapter_base(&bytes)
            {
                scan.adapter_base = Some((file.path.clone(), base));
            }
            continue;
        }
        if is_root(path)
            && matches!(
                name.as_str(),
                "mergekit_config.yml" | "mergekit_config.yaml"
            )
        {
            if let Some(bytes) = scan.read(release, file, inspect::LINEAGE_FILE_MAX) {
                let models = inspect::merge_models(&String::from_utf8_lossy(&bytes));
                scan.merge_models = Some((file.path.clone(), models));
            }
            continue;
        }
        if is_root(path) && name == "revisions.txt" {
            scan.revision_lists.push(file.path.clone());
            continue;
        }
        if matches!(
            name.as_str(),
            "generation_config.json" | "trainer_state.json" | "training_args.json" | "params.json"
        ) {
            scan.metadata_files.push(file.path.clone());
            continue;
        }
        if inspect::is_eval_results_file(path) {
            scan.eval_results.push(file.path.clone());
            continue;
        }
        if inspect::is_paper(path) {
            scan.papers.push(file.path.clone());
            continue;
        }
        if ext.as_deref() == Some("md")
            && (name.starts_with("data_card") || name.starts_with("datacard"))
            || name.starts_with("datasheet")
        {
            scan.data_cards.push(file.path.clone());
            if matches!(ext.as_deref(), Some("md" | "txt") | None)
                && let Some(bytes) = scan.read(release, file, CARD_MAX)
            {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                scan.data_card_texts.push((file.path.clone(), text));
            }
            continue;
        }
        if path.to_ascii_lowercase().contains("sample_output") {
            scan.sample_outputs.push(file.path.clone());
            continue;
        }
        if inspect::is_data_file(path) {
            scan.data_files.push(file.path.clone());
            continue;
        }
        let mut roles = inspect::classify_code(path, &[]);
        if ext.as_deref().is_some_and(|e| CODE_EXTENSIONS.contains(&e))
            && file.size > 0
            && let Some(prefix) = scan.read(release, file, CODE_READ_MAX)
        {
            roles = inspect::classify_code(path, &prefix);
        }
        if !roles.is_empty() {
            scan.code.push((file.path.clone(), roles));
        }
    }
    scan
}
