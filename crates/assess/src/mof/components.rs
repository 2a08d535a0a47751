//! The 17 components of the Model Openness Framework 1.0, as the Model Openness Tool lists them
//! (`rules/mof.settings.yml` of MOT): each with its content type, the class that first requires
//! it, and whether it is required or optional.

use serde::{Deserialize, Serialize};

/// What kind of artefact a component is; selects the global licence that applies to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContentType {
    Code,
    Data,
    Document,
}

impl ContentType {
    /// The key of the global licence for this type in a MOF manifest (`release.license.<key>`).
    pub fn as_str(self) -> &'static str {
        match self {
            ContentType::Code => "code",
            ContentType::Data => "data",
            ContentType::Document => "document",
        }
    }
}

/// One of MOF's 17 release components.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    ModelArchitecture,
    ModelParametersFinal,
    ModelCard,
    DataCard,
    TechnicalReport,
    EvaluationResults,
    SampleModelOutputs,
    TrainingCode,
    InferenceCode,
    EvaluationCode,
    EvaluationData,
    SupportingLibraries,
    Datasets,
    DataPreprocessingCode,
    ModelParametersIntermediate,
    ResearchPaper,
    ModelMetadata,
}

impl Component {
    /// All components, ordered by class (III, II, I) and then as MOF lists them.
    pub const ALL: [Component; 17] = [
        Component::ModelArchitecture,
        Component::ModelParametersFinal,
        Component::ModelCard,
        Component::DataCard,
        Component::TechnicalReport,
        Component::EvaluationResults,
        Component::SampleModelOutputs,
        Component::TrainingCode,
        Component::InferenceCode,
        Component::EvaluationCode,
        Component::EvaluationData,
        Component::SupportingLibraries,
        Component::Datasets,
        Component::DataPreprocessingCode,
        Component::ModelParametersIntermediate,
        Component::ResearchPaper,
        Component::ModelMetadata,
    ];

    /// The name MOT uses in manifests (`components[].name`).
    pub fn name(self) -> &'static str {
        match self {
            Component::ModelArchitecture => "Model architecture",
            Component::ModelParametersFinal => "Model parameters (Final)",
            Component::ModelCard => "Model card",
            Component::DataCard => "Data card",
            Component::TechnicalReport => "Technical report",
            Component::EvaluationResults => "Evaluation results",
            Component::SampleModelOutputs => "Sample model outputs",
            Component::TrainingCode => "Training code",
            Component::InferenceCode => "Inference code",
            Component::EvaluationCode => "Evaluation code",
            Component::EvaluationData => "Evaluation data",
            Component::SupportingLibraries => "Supporting libraries and tools",
            Component::Datasets => "Datasets",
            Component::DataPreprocessingCode => "Data preprocessing code",
            Component::ModelParametersIntermediate => "Model parameters (Intermediate)",
            Component::ResearchPaper => "Research paper",
            Component::ModelMetadata => "Model metadata",
        }
    }

    /// Looks a component up by its MOT name (exact, as MOT does).
    pub fn from_name(name: &str) -> Option<Component> {
        Component::ALL.into_iter().find(|c| c.name() == name)
    }

    pub fn content_type(self) -> ContentType {
        use Component::*;
        match self {
            ModelArchitecture
            | TrainingCode
            | InferenceCode
            | EvaluationCode
            | SupportingLibraries
            | DataPreprocessingCode => ContentType::Code,
            ModelParametersFinal
            | EvaluationData
            | Datasets
            | ModelParametersIntermediate
            | ModelMetadata => ContentType::Data,
            ModelCard | DataCard | TechnicalReport | EvaluationResults | SampleModelOutputs
            | ResearchPaper => ContentType::Document,
        }
    }

    /// The MOF class that first asks for this component: 3 (Open Model), 2 (Open Tooling) or
    /// 1 (Open Science).
    pub fn class(self) -> u8 {
        use Component::*;
        match self {
            ModelArchitecture | ModelParametersFinal | ModelCard | DataCard | TechnicalReport
            | EvaluationResults | SampleModelOutputs => 3,
            TrainingCode | InferenceCode | EvaluationCode | EvaluationData
            | SupportingLibraries => 2,
            Datasets
            | DataPreprocessingCode
            | ModelParametersIntermediate
            | ResearchPaper
            | ModelMetadata => 1,
        }
    }

    /// Optional components never count toward a class.
    pub fn required(self) -> bool {
        !matches!(
            self,
            Component::SampleModelOutputs
                | Component::SupportingLibraries
                | Component::ModelMetadata
        )
    }
}
