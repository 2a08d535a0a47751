//! The release corpus: fixtures modelled on real public releases, each with the judgment the
//! openness definition expects for it (`tests/corpus/<name>/`).
//!
//! A fixture is a directory with `fixture.toml` (where it comes from, the repository's name and
//! refs, and the files to generate), `expected.toml` (tier, MOF class, OSAID, data information
//! grade, required and allowed findings, and the rationale) and `release/` (the files written
//! by hand: card, code, notices). Licence texts are not copied into the repository: a file may
//! name an SPDX text (from the `spdx` crate) or a real licence text in `../shared/licences`.
//! Weights are generated: safetensors and GGUF headers with the real tensor names and shapes,
//! whose data is virtual (reads past the header return zeros), or Git LFS pointers.
//!
//! Shared by the `corpus_agreement` test (with its ratchet of known disagreements) and the
//! `corpus_agreement` example (which prints the agreement table).

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use commonhold_assess::{AssessOptions, Assessment, Release, ReleaseFile, assess};
use serde::Deserialize;

/// Where the corpus lives.
pub fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// The shared reference directory (`../shared` beside the repository).
pub fn shared_dir() -> PathBuf {
    std::env::var_os("COMMONHOLD_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

/// `fixture.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The real repository the fixture is modelled on (`owner/name`).
    pub repo: String,
    /// Branches and tags of the repository, as the hub would list them (R1).
    #[serde(default)]
    pub refs: Vec<String>,
    /// Where its facts were read.
    pub sources: Vec<String>,
    /// Generated files.
    #[serde(default)]
    pub file: Vec<FileSpec>,
}

/// A generated file of a release.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    pub path: String,
    /// The text of this SPDX licence (from the `spdx` crate).
    pub spdx: Option<String>,
    /// A real licence text from `../shared/licences`.
    pub shared: Option<String>,
    /// Safetensors tensors: `[name, dtype, shape]`; data is virtual.
    pub safetensors: Option<Vec<(String, String, Vec<u64>)>>,
    /// A GGUF file: metadata strings and tensors `[name, ggml type, shape]`.
    pub gguf: Option<GgufSpec>,
    /// A Git LFS pointer to a blob of this many bytes (oid derived from the path).
    pub lfs_pointer: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GgufSpec {
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    pub tensors: Vec<(String, String, Vec<u64>)>,
}

/// `expected.toml`: the judgment the definition gives, written before the assessor ran.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// One of [`SETS`]: `first` (written before any assessor change), `second` (written after the
    /// fixes, from releases not looked at before) or `held-out` (written after the code for the
    /// seven classes was done, from releases not looked at before; it measures generalisation, so
    /// its disagreements are recorded in the ratchet and never fixed by editing expectations).
    #[serde(default = "first")]
    pub set: String,
    pub tier: String,
    /// 1, 2 or 3; 0 when no class is complete.
    pub mof_class: u8,
    pub osaid: bool,
    /// `open`, `partial` or `closed`.
    pub data_grade: String,
    /// Findings that must be raised.
    #[serde(default)]
    pub required: Vec<String>,
    /// Findings that may be raised; any other is a false positive.
    #[serde(default)]
    pub allowed: Vec<String>,
    /// Why, citing the sources and the definition's rules.
    pub rationale: String,
}

/// The fixture sets, in the order the agreement table reports them.
pub const SETS: [&str; 3] = ["first", "second", "held-out"];

fn first() -> String {
    "first".to_owned()
}

/// One fixture, loaded.
pub struct Fixture {
    pub name: String,
    pub dir: PathBuf,
    pub manifest: Manifest,
    pub expected: Expected,
}

/// Every fixture of the corpus, by name.
pub fn load_all() -> Vec<Fixture> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.toml").is_file())
        .collect();
    names.sort();
    names.into_iter().map(|dir| load(&dir)).collect()
}

fn load(dir: &Path) -> Fixture {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned();
    let read = |f: &str| {
        std::fs::read_to_string(dir.join(f)).unwrap_or_else(|e| panic!("{name}/{f}: {e}"))
    };
    let manifest: Manifest = toml::from_str(&read("fixture.toml"))
        .unwrap_or_else(|e| panic!("{name}/fixture.toml: {e}"));
    let expected: Expected = toml::from_str(&read("expected.toml"))
        .unwrap_or_else(|e| panic!("{name}/expected.toml: {e}"));
    Fixture {
        name,
        dir: dir.to_path_buf(),
        manifest,
        expected,
    }
}

/// A file's content: bytes, or a header followed by virtual zero bytes up to `size`.
enum Content {
    Bytes(Vec<u8>),
    Virtual { header: Vec<u8>, size: u64 },
}

/// A release held in memory: the fixture's `release/` files plus the generated ones.
pub struct CorpusRelease {
    root: String,
    files: Vec<ReleaseFile>,
    contents: BTreeMap<String, Content>,
}

impl Release for CorpusRelease {
    fn files(&self) -> &[ReleaseFile] {
        &self.files
    }

    fn read(&self, path: &str, offset: u64, max_len: usize) -> std::io::Result<Vec<u8>> {
        let not_found = || std::io::Error::new(std::io::ErrorKind::NotFound, path.to_owned());
        let content = self.contents.get(path).ok_or_else(not_found)?;
        let (bytes, size): (&[u8], u64) = match content {
            Content::Bytes(b) => (b, b.len() as u64),
            Content::Virtual { header, size } => (header, *size),
        };
        let start = offset.min(size);
        let end = size.min(offset.saturating_add(max_len as u64));
        let len = usize::try_from(end - start).unwrap_or(0);
        let mut out = vec![0u8; len];
        // Bytes past the header of a virtual file are zeros.
        let stored = (bytes.len() as u64).clamp(start, end);
        let (from, to) = (start as usize, stored as usize);
        out[..to - from].copy_from_slice(&bytes[from..to]);
        Ok(out)
    }

    fn root(&self) -> &str {
        &self.root
    }
}

impl Fixture {
    /// The release the fixture describes.
    pub fn release(&self) -> CorpusRelease {
        let mut contents = BTreeMap::new();
        let release_dir = self.dir.join("release");
        let mut pending = vec![release_dir.clone()];
        while let Some(dir) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    pending.push(path);
                } else {
                    let rel = path
                        .strip_prefix(&release_dir)
                        .expect("under release/")
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/");
                    let bytes = std::fs::read(&path).expect("read fixture file");
                    contents.insert(rel, Content::Bytes(bytes));
                }
            }
        }
        for spec in &self.manifest.file {
            contents.insert(spec.path.clone(), generate(&self.name, spec));
        }
        let files = contents
            .iter()
            .map(|(path, c)| ReleaseFile {
                path: path.clone(),
                size: match c {
                    Content::Bytes(b) => b.len() as u64,
                    Content::Virtual { size, .. } => *size,
                },
            })
            .collect();
        CorpusRelease {
            root: format!("corpus/{}", self.name),
            files,
            contents,
        }
    }

    /// The assessment of the fixture's release.
    pub fn assess(&self) -> Assessment {
        let release = self.release();
        // Pattern fixtures name a pattern, not a repository.
        let repo_id =
            self.manifest.repo.split_once('/').is_some() && !self.manifest.repo.contains(' ');
        let opts = AssessOptions {
            refs: &self.manifest.refs,
            repo_id: repo_id.then_some(self.manifest.repo.as_str()),
            ..AssessOptions::default()
        };
        assess(&release, &opts)
    }
}

fn generate(fixture: &str, spec: &FileSpec) -> Content {
    if let Some(id) = &spec.spdx {
        let licence = spdx::license_id(id).unwrap_or_else(|| panic!("{fixture}: SPDX id {id}"));
        return Content::Bytes(licence.text().as_bytes().to_vec());
    }
    if let Some(file) = &spec.shared {
        let path = shared_dir().join("licences").join(file);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return Content::Bytes(bytes);
    }
    if let Some(tensors) = &spec.safetensors {
        return safetensors(tensors);
    }
    if let Some(g) = &spec.gguf {
        return gguf(g);
    }
    if let Some(size) = spec.lfs_pointer {
        return Content::Bytes(lfs_pointer(&spec.path, size).into_bytes());
    }
    panic!("{fixture}: {} says nothing to generate", spec.path)
}

fn dtype_bytes(dtype: &str) -> u64 {
    match dtype {
        "F64" | "I64" | "U64" => 8,
        "F32" | "I32" | "U32" => 4,
        "F16" | "BF16" | "I16" | "U16" => 2,
        _ => 1,
    }
}

/// A safetensors header with these tensors laid out in order; the data is virtual.
fn safetensors(tensors: &[(String, String, Vec<u64>)]) -> Content {
    let mut header = serde_json::Map::new();
    header.insert(
        "__metadata__".to_owned(),
        serde_json::json!({"format": "pt"}),
    );
    let mut offset = 0u64;
    for (name, dtype, shape) in tensors {
        let len = shape.iter().product::<u64>() * dtype_bytes(dtype);
        header.insert(
            name.clone(),
            serde_json::json!({"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len]}),
        );
        offset += len;
    }
    let json = serde_json::to_string(&header).expect("json");
    let mut bytes = (json.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(json.as_bytes());
    let size = bytes.len() as u64 + offset;
    Content::Virtual {
        header: bytes,
        size,
    }
}

/// `(ggml type id, elements per block, bytes per block)`.
fn ggml_type(name: &str) -> (u32, u64, u64) {
    match name {
        "F32" => (0, 1, 4),
        "F16" => (1, 1, 2),
        "Q4_0" => (2, 32, 18),
        "Q8_0" => (8, 32, 34),
        "Q4_K" => (12, 256, 144),
        "Q5_K" => (13, 256, 176),
        "Q6_K" => (14, 256, 210),
        "BF16" => (30, 1, 2),
        other => panic!("GGML type {other} not supported by the corpus generator"),
    }
}

/// A GGUF v3 header with string metadata and tensor infos; the data is virtual.
fn gguf(spec: &GgufSpec) -> Content {
    fn string(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(&(s.len() as u64).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    }
    let mut out = b"GGUF".to_vec();
    out.extend_from_slice(&3u32.to_le_bytes());
    out.extend_from_slice(&(spec.tensors.len() as u64).to_le_bytes());
    out.extend_from_slice(&(spec.metadata.len() as u64).to_le_bytes());
    for (key, value) in &spec.metadata {
        string(&mut out, key);
        out.extend_from_slice(&8u32.to_le_bytes());
        string(&mut out, value);
    }
    let mut offset = 0u64;
    for (name, ty, shape) in &spec.tensors {
        let (id, per_block, block_bytes) = ggml_type(ty);
        string(&mut out, name);
        out.extend_from_slice(&(shape.len() as u32).to_le_bytes());
        for d in shape {
            out.extend_from_slice(&d.to_le_bytes());
        }
        out.extend_from_slice(&id.to_le_bytes());
        out.extend_from_slice(&offset.to_le_bytes());
        let elements: u64 = shape.iter().product();
        offset += elements.div_ceil(per_block) * block_bytes;
        offset = offset.div_ceil(32) * 32;
    }
    let data_start = (out.len() as u64).div_ceil(32) * 32;
    Content::Virtual {
        header: out,
        size: data_start + offset,
    }
}

/// A Git LFS pointer (spec v1); the oid is a stable hash of the path, not of real content.
pub fn lfs_pointer(path: &str, size: u64) -> String {
    let mut oid = String::new();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    while oid.len() < 64 {
        for b in path.bytes().chain(oid.len().to_le_bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        oid.push_str(&format!("{h:016x}"));
    }
    format!("version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {size}\n")
}

/// What the assessor said, in the fields the corpus compares.
#[derive(Debug, Clone)]
pub struct Got {
    pub tier: String,
    pub mof_class: u8,
    pub osaid: bool,
    pub data_grade: String,
    pub findings: BTreeSet<String>,
}

impl Got {
    pub fn of(a: &Assessment) -> Got {
        let json = serde_json::to_value(a).expect("assessment json");
        let data_grade = json
            .pointer("/data_information/grade")
            .and_then(|g| g.as_str())
            .unwrap_or("none")
            .to_owned();
        Got {
            tier: a.tier.as_str().to_owned(),
            mof_class: a.mof.class,
            osaid: a.osaid.pass,
            data_grade,
            findings: a.findings.iter().map(|f| f.id.to_string()).collect(),
        }
    }
}

/// One fixture's comparison: each field that disagrees, as `tier`, `mof`, `osaid`, `data`,
/// `+OWnnn` (required, not raised) or `-OWnnn` (raised, neither required nor allowed).
pub struct Outcome {
    pub name: String,
    pub set: String,
    pub expected: Expected,
    pub got: Got,
    pub disagreements: Vec<String>,
}

pub fn compare(fixture: Fixture, a: &Assessment) -> Outcome {
    let got = Got::of(a);
    let e = &fixture.expected;
    let mut d = Vec::new();
    if got.tier != e.tier {
        d.push("tier".to_owned());
    }
    if got.mof_class != e.mof_class {
        d.push("mof".to_owned());
    }
    if got.osaid != e.osaid {
        d.push("osaid".to_owned());
    }
    if got.data_grade != e.data_grade {
        d.push("data".to_owned());
    }
    for id in &e.required {
        if !got.findings.contains(id) {
            d.push(format!("+{id}"));
        }
    }
    for id in &got.findings {
        if !e.required.contains(id) && !e.allowed.contains(id) {
            d.push(format!("-{id}"));
        }
    }
    Outcome {
        name: fixture.name,
        set: e.set.clone(),
        expected: fixture.expected,
        got,
        disagreements: d,
    }
}

/// Runs the whole corpus.
pub fn run() -> Vec<Outcome> {
    load_all()
        .into_iter()
        .map(|f| {
            let a = f.assess();
            compare(f, &a)
        })
        .collect()
}

/// Agreement rates of a set of outcomes, per field, in percent.
pub struct Rates {
    pub fixtures: usize,
    pub tier: f64,
    pub mof: f64,
    pub osaid: f64,
    pub data: f64,
    /// Fixtures whose every required finding was raised.
    pub required: f64,
    /// Fixtures without a finding that was neither required nor allowed.
    pub no_false_positive: f64,
    /// Fixtures that agree on every field.
    pub overall: f64,
    /// Fixtures that agree on every field but the data grade (which assessors before 2026.2 lack).
    pub overall_but_data: f64,
    pub false_positives: usize,
}

pub fn rates(outcomes: &[&Outcome]) -> Rates {
    let n = outcomes.len().max(1) as f64;
    let share =
        |f: &dyn Fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count() as f64 * 100.0 / n;
    let has = |o: &Outcome, field: &str| o.disagreements.iter().any(|d| d == field);
    Rates {
        fixtures: outcomes.len(),
        tier: share(&|o| !has(o, "tier")),
        mof: share(&|o| !has(o, "mof")),
        osaid: share(&|o| !has(o, "osaid")),
        data: share(&|o| !has(o, "data")),
        required: share(&|o| !o.disagreements.iter().any(|d| d.starts_with('+'))),
        no_false_positive: share(&|o| !o.disagreements.iter().any(|d| d.starts_with('-'))),
        overall: share(&|o| o.disagreements.is_empty()),
        overall_but_data: share(&|o| o.disagreements.iter().all(|d| d == "data")),
        false_positives: outcomes
            .iter()
            .map(|o| {
                o.disagreements
                    .iter()
                    .filter(|d| d.starts_with('-'))
                    .count()
            })
            .sum(),
    }
}

/// The per-fixture agreement table in Markdown.
pub fn table(outcomes: &[&Outcome]) -> String {
    let mut out = String::from(
        "| fixture | tier (expected / ours) | MOF | OSAID | data | findings expected | findings ours | agree |\n|---|---|---|---|---|---|---|---|\n",
    );
    let mark = |ok: bool| if ok { "" } else { " ✗" };
    for o in outcomes {
        let e = &o.expected;
        let g = &o.got;
        let has = |f: &str| o.disagreements.iter().any(|d| d == f);
        let mut want: Vec<String> = e.required.clone();
        want.extend(e.allowed.iter().map(|a| format!("({a})")));
        let ours: Vec<&str> = g.findings.iter().map(String::as_str).collect();
        out.push_str(&format!(
            "| {} | {} / {}{} | {} / {}{} | {} / {}{} | {} / {}{} | {} | {} | {} |\n",
            o.name,
            e.tier,
            g.tier,
            mark(!has("tier")),
            e.mof_class,
            g.mof_class,
            mark(!has("mof")),
            yes_no(e.osaid),
            yes_no(g.osaid),
            mark(!has("osaid")),
            e.data_grade,
            g.data_grade,
            mark(!has("data")),
            want.join(" "),
            ours.join(" "),
            if o.disagreements.is_empty() {
                "yes".to_owned()
            } else {
                o.disagreements.join(" ")
            }
        ));
    }
    out
}

fn yes_no(b: bool) -> &'static str {
    if b { "pass" } else { "fail" }
}

/// The rates as a Markdown table row set.
pub fn rates_table(label: &str, r: &Rates) -> String {
    format!(
        "| {label} | {} | {:.0}% | {:.0}% | {:.0}% | {:.0}% | {:.0}% | {:.0}% ({} false positives) | {:.0}% | {:.0}% |\n",
        r.fixtures,
        r.tier,
        r.mof,
        r.osaid,
        r.data,
        r.required,
        r.no_false_positive,
        r.false_positives,
        r.overall_but_data,
        r.overall
    )
}

pub const RATES_HEADER: &str = "| set | fixtures | tier | MOF class | OSAID | data grade | required findings | no false positive | all but data | all fields |\n|---|---|---|---|---|---|---|---|---|---|\n";

/// The committed list of known disagreements (`fixture field` per line, `#` comments).
pub fn ratchet_path() -> PathBuf {
    corpus_dir().join("known-disagreements.txt")
}

pub fn read_ratchet() -> BTreeSet<String> {
    std::fs::read_to_string(ratchet_path())
        .unwrap_or_default()
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Every disagreement as `fixture field`.
pub fn disagreement_lines(outcomes: &[Outcome]) -> BTreeSet<String> {
    outcomes
        .iter()
        .flat_map(|o| {
            o.disagreements
                .iter()
                .map(move |d| format!("{} {d}", o.name))
        })
        .collect()
}
