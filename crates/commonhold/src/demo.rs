//! `commonhold serve --demo` (or a seed command): fills a fresh instance with a handful of
//! generated example assets across tiers, so a newcomer sees a living catalogue at once.
//!
//! Everything is generated here (tiny safetensors weights, configs, cards, a CSV dataset); no
//! download. The assessor then judges each release as it would any upload, so the tiers shown
//! are real judgments of these files. Seeding twice is harmless: existing repos are skipped.

use anyhow::Context;
use commonhold_hub::{CommitOp, CommitRequest, Hub, Principal};
use commonhold_meta::OrgRole;
use commonhold_types::{RepoName, RepoPath, RepoType, Role};

/// The organisation and user the demo assets belong to.
const DEMO_ORG: &str = "demo-lab";
const DEMO_USER: &str = "demo-publisher";

/// A tiny valid safetensors file: one 2x2 F32 tensor.
fn tiny_safetensors() -> Vec<u8> {
    let mut header = br#"{"weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}"#.to_vec();
    while !header.len().is_multiple_of(8) {
        header.push(b' ');
    }
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(&header);
    for v in [0.5f32, -0.25, 1.0, 0.0] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

fn card(front: &str, title: &str, body: &str) -> String {
    format!("---\n{front}---\n# {title}\n\n{body}\n")
}

const FUNDING: &str = "funding:\n- funder: European Commission\n  grant_id: \"101070000\"\n  programme: Horizon Europe\n";

/// One generated asset: kind, name and files.
struct Asset {
    kind: RepoType,
    name: &'static str,
    files: Vec<(&'static str, Vec<u8>)>,
}

fn assets() -> Vec<Asset> {
    let weights = tiny_safetensors();
    let config = br#"{"model_type": "bert", "hidden_size": 2}"#.to_vec();
    let train =
        b"import torch\n\n# Training loop for the demo classifier.\ndef train():\n    pass\n"
            .to_vec();
    vec![
        Asset {
            kind: RepoType::Dataset,
            name: "civic-reviews",
            files: vec![
                ("README.md", card(&format!("license: cc-by-4.0\nlanguage:\n- en\ntask_categories:\n- text-classification\n{FUNDING}"),
                    "Civic reviews",
                    "Short citizen feedback on public services, labelled by sentiment.\n\n## Dataset composition\n\nThree rows of text and label.\n\n## Collection process\n\nWritten by the maintainers.\n\n## Provenance\n\nGenerated for the demo.\n\n## Known biases\n\nToo small to be representative.").into_bytes()),
                ("train.csv", b"text,label\nThe office was helpful,1\nThe form was confusing,0\nQuick and clear,1\n".to_vec()),
            ],
        },
        Asset {
            kind: RepoType::Model,
            name: "civic-sentiment-open",
            files: vec![
                ("README.md", card(&format!("license: apache-2.0\nlanguage: en\npipeline_tag: text-classification\ndatasets:\n- {DEMO_ORG}/civic-reviews\n{FUNDING}"),
                    "Civic sentiment (open)",
                    "A sentiment classifier for citizen feedback, released with weights, training code and data.\n\nTraining code: `train.py`. Data: the civic-reviews dataset.").into_bytes()),
                ("LICENSE", b"Apache License\nVersion 2.0, January 2004\nhttp://www.apache.org/licenses/\n".to_vec()),
                ("config.json", config.clone()),
                ("model.safetensors", weights.clone()),
                ("train.py", train.clone()),
            ],
        },
        Asset {
            kind: RepoType::Model,
            name: "civic-sentiment-weights",
            files: vec![
                ("README.md", card("license: mit\nlanguage: en\npipeline_tag: text-classification\n",
                    "Civic sentiment (weights only)", "The weights of the classifier, without its training code or data.").into_bytes()),
                ("LICENSE", b"MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\n".to_vec()),
                ("config.json", config.clone()),
                ("model.safetensors", weights.clone()),
            ],
        },
        Asset {
            kind: RepoType::Model,
            name: "llama-civic-ft",
            files: vec![
                ("README.md", card("license: llama3\nlanguage: en\npipeline_tag: text-generation\nbase_model: meta-llama/Meta-Llama-3-8B\n",
                    "Llama civic fine-tune", "A fine-tune under the Llama 3 community licence, which restricts use.").into_bytes()),
                ("config.json", config.clone()),
                ("model.safetensors", weights.clone()),
            ],
        },
        Asset {
            kind: RepoType::Model,
            name: "civic-sentiment-closed",
            files: vec![
                ("README.md", card("language: en\npipeline_tag: text-classification\n",
                    "Civic sentiment (no licence)", "Described, but released without weights or a licence.").into_bytes()),
                ("config.json", config),
            ],
        },
    ]
}

/// Seeds the demo assets (skipping those already there) and assesses them.
pub async fn seed(hub: &Hub, meta: &commonhold_meta::MetaStore) -> anyhow::Result<()> {
    let user = match meta.account_by_name(DEMO_USER).await? {
        Some(u) => u,
        None => meta.create_user(DEMO_USER, false).await?,
    };
    let org = match meta.account_by_name(DEMO_ORG).await? {
        Some(o) => o,
        None => meta.create_org(DEMO_ORG).await?,
    };
    meta.add_member(org.id, user.id, OrgRole::Admin).await?;
    let who = Principal {
        account: user.clone(),
        token: None,
        token_name: "demo-seed".into(),
        role: Role::Write,
        orgs: meta.orgs_of(user.id).await?,
    };
    for asset in assets() {
        let name = RepoName::new(DEMO_ORG, asset.name)
            .with_context(|| format!("demo repo name {}", asset.name))?;
        if meta.repo_by_name(asset.kind, &name).await?.is_some() {
            continue;
        }
        let repo = hub.create_repo(&who, asset.kind, &name, false).await?;
        let ops = asset
            .files
            .into_iter()
            .map(|(path, content)| {
                Ok(CommitOp::AddRegular {
                    path: RepoPath::new(path).with_context(|| format!("demo path {path}"))?,
                    content,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        hub.create_commit(
            &repo,
            &user,
            CommitRequest {
                revision: "main".into(),
                summary: "Add the demo release".into(),
                description: "Generated by commonhold's demo seed.".into(),
                parent_commit: None,
                create_pr: false,
                ops,
            },
        )
        .await
        .with_context(|| format!("committing demo repo {name}"))?;
    }
    while hub.assess_pending().await? > 0 {}
    Ok(())
}
