//! The entry point: one release in, one [`Assessment`] out. Synchronous and pure apart from
//! the reads it makes through [`Release`], so the hub can run it on a blocking worker.

use commonhold_types::RepoType;

use crate::component_map::{licence_for, map_components, set_data_card};
use crate::dataset::assess_dataset;
use crate::findings::{self, Findings};
use crate::knowledge::Knowledge;
use crate::licensing;
use crate::model::{Assessment, DEFINITION_VERSION, SCHEMA_VERSION, Tier};
use crate::mof::{self, Component, MofManifest};
use crate::release::Release;
use crate::scan::{Scan, scan};

fn no_base_models(_: &str) -> Option<Assessment> {
    None
}

/// How to assess a release.
pub struct AssessOptions<'a> {
    /// A declared MOF manifest to verify against the release, if any.
    pub manifest: Option<MofManifest>,
    /// Model or dataset; `None` guesses from the card and the files.
    pub repo_type: Option<RepoType>,
    /// The assessment of a base model named in the card, when the caller has one (the hub
    /// looks on the same hub); `None` when unknown.
    pub base_models: &'a dyn Fn(&str) -> Option<Assessment>,
    /// Where the bases `base_models` returns are held: the hub's URL, without a trailing slash
    /// (`https://hub.example`). A base's evidence links `{base_models_url}/{owner/name}`; empty
    /// makes the link relative to the hub's root (`/owner/name`).
    pub base_models_url: &'a str,
    /// The time to record as `assessed_at` (RFC 3339); the core reads no clock.
    pub now: Option<String>,
    /// The branches and tags of the repository, when the caller knows them: checkpoint
    /// revisions make the intermediate parameters present (definition R1).
    pub refs: &'a [String],
    /// The repository's id (`owner/name`), when the caller knows it: a claim in the name counts
    /// (definition C2).
    pub repo_id: Option<&'a str>,
    /// Well-known base-model families, for bases not held by the caller; the built-in file by
    /// default.
    pub knowledge: &'a Knowledge,
}

impl Default for AssessOptions<'_> {
    fn default() -> Self {
        AssessOptions {
            manifest: None,
            repo_type: None,
            base_models: &no_base_models,
            base_models_url: "",
            now: None,
            refs: &[],
            repo_id: None,
            knowledge: Knowledge::builtin(),
        }
    }
}

/// Dataset cards carry keys that model cards do not.
const DATASET_CARD_KEYS: [&str; 5] = [
    "task_categories",
    "size_categories",
    "dataset_info",
    "configs",
    "pretty_name",
];

fn guess_repo_type(scan: &Scan) -> RepoType {
    let dataset_keys = scan.card.as_ref().is_some_and(|c| {
        c.card
            .meta
            .raw
            .as_object()
            .is_some_and(|o| DATASET_CARD_KEYS.iter().any(|k| o.contains_key(*k)))
    });
    let model_files = !scan.weights.is_empty() || scan.config.is_some();
    if !model_files && (dataset_keys || scan.croissant.is_some() || !scan.data_files.is_empty()) {
        RepoType::Dataset
    } else {
        RepoType::Model
    }
}

/// Assesses a release from its own files.
pub fn assess(release: &dyn Release, opts: &AssessOptions<'_>) -> Assessment {
    let root = release.root().to_owned();
    let mut scan = scan(release);
    if let (Some(id), Some(card)) = (opts.repo_id, scan.card.as_mut())
        && crate::inspect::name_claims(id)
    {
        card.claims.insert(0, (0, format!("repository name: {id}")));
    }
    let mut licensing = licensing::resolve(&scan, &root);
    let repo_type = opts.repo_type.unwrap_or_else(|| guess_repo_type(&scan));
    let is_dataset = repo_type == RepoType::Dataset;
    let lineage =
        (!is_dataset).then(|| crate::lineage::resolve(&scan, &root, opts, opts.knowledge));
    if let Some(lineage) = &lineage {
        lineage.apply(&mut licensing, opts.knowledge);
    }
    let mut components =
        map_components(&scan, &licensing, opts.manifest.as_ref(), opts.refs, &root);
    let preprocessing_code = components
        .iter()
        .any(|c| c.component == Component::DataPreprocessingCode && c.state.counts());
    let mut data_information = crate::data_info::grade(&scan, preprocessing_code, &root);
    set_data_card(&mut components, &data_information, &scan, &licensing, &root);
    if let Some(lineage) = &lineage {
        lineage.lower_data(&mut data_information);
    }

    let counted: Vec<(Component, Option<String>)> = components
        .iter()
        .filter(|c| c.state.counts())
        .map(|c| {
            let licence = licence_for(c.component, &licensing).map(|r| r.mof_id.clone());
            (c.component, licence)
        })
        .collect();
    let mof = mof::evaluate(&counted);
    let mof_declared = opts.manifest.as_ref().map(mof::evaluate_manifest);

    let mut found = Findings::default();
    findings::licence_findings(&mut found, &scan, &licensing, &root, is_dataset);
    let (tier, dataset) = if is_dataset {
        let d = assess_dataset(&scan, &licensing, &mut found, &root);
        (Tier::NotApplicable, Some(d))
    } else {
        let manifest_declares_weights = opts.manifest.as_ref().is_some_and(|m| {
            m.components
                .iter()
                .any(|d| d.component == Component::ModelParametersFinal)
        });
        findings::model_findings(
            &mut found,
            &scan,
            &licensing,
            &components,
            &data_information,
            manifest_declares_weights,
            &root,
        );
        if let Some(lineage) = &lineage {
            crate::lineage::findings(&mut found, lineage, opts.knowledge);
        }
        (
            crate::tiers::model_tier(&components, &licensing, &mof),
            None,
        )
    };
    let osaid = crate::tiers::osaid(&components, &licensing, &data_information);
    if !is_dataset {
        findings::claim_fails_osaid(&mut found, &scan, &licensing, &osaid, &root);
    }
    let next_tier = if is_dataset {
        None
    } else {
        crate::tiers::next_tier(tier, &mof, &licensing, &found.list)
    };
    let weights = scan
        .weights
        .iter()
        .map(|w| crate::model::WeightFile {
            path: w.file.path.clone(),
            format: format!("{:?}", w.facts.format).to_ascii_lowercase(),
            size: w.file.size,
            tensors: w.facts.tensors,
            parameters: w.facts.parameters,
            dtypes: w.facts.dtypes.clone(),
            truncated: w.facts.truncated,
            intermediate: w.intermediate,
            error: w.facts.error.clone(),
            unsafe_imports: w.facts.unsafe_imports.clone(),
            lfs_pointer: w.lfs.clone(),
            scanned: w.lfs.is_none(),
        })
        .collect();
    let mut findings = found.list;
    findings.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id)));
    let mut assessment = Assessment {
        schema_version: SCHEMA_VERSION,
        definition_version: DEFINITION_VERSION.to_owned(),
        root,
        repo_type,
        assessed_at: opts.now.clone(),
        files: scan.file_count,
        total_bytes: scan.total_bytes,
        licences: licensing.found,
        components,
        weights,
        mof,
        mof_declared,
        osaid,
        tier,
        tier_rule: None,
        next_tier,
        findings,
        dataset,
        data_information: Some(data_information),
        knowledge: Some(opts.knowledge.stamp().clone()),
    };
    crate::explain::annotate(&mut assessment);
    assessment
}
