//! `commonhold assess PATH`: assess a release directory offline, for publishers and CI.
//!
//! Thin: the work is `commonhold_assess::assess` and its renderers. Exit codes: 0 when the
//! assessment ran (and met `--require-tier`, if given), 1 when the required tier is not met,
//! 2 on an error (unreadable directory or manifest, unknown tier).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use commonhold_assess::{
    AssessOptions, DirRelease, Format, MofManifest, Tier, assess, mof::MANIFEST_MAX, render,
};
use commonhold_types::RepoType;

/// Output formats accepted by `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Markdown,
}

/// `--repo-type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RepoKind {
    Model,
    Dataset,
}

#[derive(Debug, clap::Args)]
pub struct AssessArgs {
    /// Directory of the release (a model or dataset repository checkout); with `--hub`, the
    /// repository as `namespace/name[@revision]` (default revision: main).
    #[arg(value_name = "PATH|REPO")]
    pub path: PathBuf,
    /// Read the release through the Hub API of this server (commonhold or any Hub-compatible
    /// hub), e.g. http://127.0.0.1:8080: file listing and ranged reads of headers only.
    #[arg(long, value_name = "URL")]
    pub hub: Option<String>,
    /// Token for `--hub` (a read token is enough).
    #[arg(long, value_name = "TOKEN", env = "HF_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// A MOF manifest (MOT YAML) whose declarations are checked against the release.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
    /// Exit 1 unless the release reaches this tier (closed, restricted-weights, open-weights,
    /// open-model, open-tooling, open-science).
    #[arg(long, value_name = "TIER")]
    pub require_tier: Option<String>,
    /// Model or dataset; guessed from the card and files when omitted.
    #[arg(long, value_enum)]
    pub repo_type: Option<RepoKind>,
    /// A knowledge file of base-model families replacing the built-in one
    /// (docs/openness/base-families.toml).
    #[arg(long, value_name = "FILE", env = "COMMONHOLD_KNOWLEDGE_FILE")]
    pub knowledge: Option<PathBuf>,
}

/// Runs the command; errors are reported by the caller, which should exit 2 on `Err`.
pub fn run(args: AssessArgs) -> anyhow::Result<ExitCode> {
    let required = match &args.require_tier {
        Some(t) => Some(Tier::parse(t).with_context(|| {
            format!("unknown tier {t:?}; use one of closed, restricted-weights, open-weights, open-model, open-tooling, open-science")
        })?),
        None => None,
    };
    let manifest = match &args.manifest {
        Some(path) => {
            let meta = std::fs::metadata(path)
                .with_context(|| format!("cannot read manifest {}", path.display()))?;
            anyhow::ensure!(
                meta.len() <= MANIFEST_MAX as u64,
                "manifest {} is larger than {MANIFEST_MAX} bytes",
                path.display()
            );
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read manifest {}", path.display()))?;
            Some(
                MofManifest::from_yaml(&text)
                    .with_context(|| format!("invalid manifest {}", path.display()))?,
            )
        }
        None => None,
    };
    let knowledge = match &args.knowledge {
        Some(path) => crate::knowledge::load(path)?,
        None => commonhold_assess::Knowledge::builtin().clone(),
    };
    let repo_type = args.repo_type.map(|k| match k {
        RepoKind::Model => RepoType::Model,
        RepoKind::Dataset => RepoType::Dataset,
    });
    let opts = AssessOptions {
        knowledge: &knowledge,
        manifest,
        repo_type,
        ..AssessOptions::default()
    };
    let assessment = match &args.hub {
        Some(endpoint) => {
            let spec = args.path.to_string_lossy();
            let (repo, rev) = crate::hub_release::parse_spec(&spec)?;
            let release = crate::hub_release::HubRelease::open(
                endpoint,
                &repo,
                &rev,
                repo_type.unwrap_or(RepoType::Model),
                args.token.clone(),
            )?;
            // As on the hub: a model is a model, and a base it holds wins over the knowledge.
            let bases = |name: &str| release.base_assessment(name);
            let opts = AssessOptions {
                repo_type: Some(repo_type.unwrap_or(RepoType::Model)),
                base_models: &bases,
                base_models_url: endpoint.as_str(),
                ..opts
            };
            assess(&release, &opts)
        }
        None => assess(&DirRelease::open(&args.path)?, &opts),
    };
    let format = match args.format {
        OutputFormat::Text => Format::Text,
        OutputFormat::Json => Format::Json,
        OutputFormat::Markdown => Format::Markdown,
    };
    let colour = format == Format::Text && commonhold_assess::render::colour_wanted();
    let out = render(&assessment, format, colour);
    print!("{out}");
    if !out.ends_with('\n') {
        println!();
    }
    match required {
        Some(tier) if !assessment.tier.meets(tier) => {
            eprintln!(
                "required tier {} not met: this release is {}",
                tier.as_str(),
                assessment.tier.as_str()
            );
            Ok(ExitCode::from(1))
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}
