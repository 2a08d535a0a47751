//! The assessment of a dataset repository: licence, data-card completeness and Croissant.

use crate::finding_id::FindingId;
use crate::findings::Findings;
use crate::inspect::SectionKind;
use crate::licensing::Licensing;
use crate::model::{CroissantSummary, DataCardCompleteness, DatasetAssessment, Evidence};
use crate::scan::Scan;

/// Sections with fewer words count as absent.
const SECTION_MIN_WORDS: usize = 10;

pub(crate) fn assess_dataset(
    scan: &Scan,
    licensing: &Licensing,
    findings: &mut Findings,
    root: &str,
) -> DatasetAssessment {
    let mut card = DataCardCompleteness::default();
    if let Some(sc) = &scan.card {
        for s in sc
            .card
            .sections
            .iter()
            .filter(|s| s.words >= SECTION_MIN_WORDS)
        {
            match s.kind {
                SectionKind::DatasetComposition | SectionKind::TrainingData => {
                    card.composition = true
                }
                SectionKind::DataCollection => card.collection = true,
                SectionKind::Provenance => card.provenance = true,
                SectionKind::KnownBiases | SectionKind::Limitations => card.known_biases = true,
                _ => {}
            }
        }
    }
    let croissant = scan.croissant.as_ref().map(|(path, c)| CroissantSummary {
        path: path.clone(),
        licence: c.license.clone(),
        record_sets: c.record_sets,
        has_rai: c.has_rai,
        rai_fields: c.rai_fields.clone(),
        error: c.error.clone(),
    });
    let licence = licensing.distribution.as_ref();
    let open_data = licence.is_some_and(|l| l.open);
    if let Some(l) = licence
        && !open_data
    {
        findings.raise(
            FindingId::DatasetLicenceNotOpenData,
            format!("`{}` is not an open-data licence.", l.id),
            vec![l.evidence.clone()],
        );
    }
    let missing: Vec<&str> = [
        ("composition", card.composition),
        ("collection", card.collection),
        ("provenance", card.provenance),
        ("known biases", card.known_biases),
    ]
    .iter()
    .filter(|(_, ok)| !ok)
    .map(|(name, _)| *name)
    .collect();
    if !missing.is_empty() {
        findings.raise(
            FindingId::DataCardIncomplete,
            format!("The data card does not describe: {}.", missing.join(", ")),
            scan.card
                .iter()
                .map(|c| Evidence::File {
                    root: root.to_owned(),
                    path: c.path.clone(),
                    line: None,
                })
                .collect(),
        );
    }
    DatasetAssessment {
        licence: licence.map(|l| l.id.clone()),
        open_data,
        card,
        croissant,
        data_files: scan.data_files.len(),
    }
}
