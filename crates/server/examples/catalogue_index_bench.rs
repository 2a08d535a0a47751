//! The persisted search index benchmark (`bench/catalogue.sh`): seeds N repos (default 100,000),
//! each with a README card, through the hub on SQLite, then times the three ways the index is
//! built: the commit-log follower catching up, `commonhold reindex` (every README read again),
//! and a server's cold start loading the stored rows into the in-memory index.
//!
//! Usage: `cargo run --release -p commonhold-server --example catalogue_index_bench [N]`

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::Request;
use commonhold_hub::{CommitOp, CommitRequest, Hub, HubConfig, Principal};
use commonhold_types::{RepoName, RepoPath, RepoType, Role};
use tower::ServiceExt;

const WORDS: [&str; 24] = [
    "sentiment",
    "translation",
    "speech",
    "vision",
    "medical",
    "legal",
    "civic",
    "climate",
    "agriculture",
    "finance",
    "education",
    "retrieval",
    "multilingual",
    "tiny",
    "distilled",
    "instruction",
    "news",
    "parliament",
    "court",
    "health",
    "energy",
    "transport",
    "satellite",
    "audio",
];
const LICENCES: [&str; 4] = ["apache-2.0", "mit", "cc-by-4.0", "llama3"];

/// A card of about 1 kB: front matter and a few paragraphs from the vocabulary.
fn card(i: usize) -> String {
    let word = |k: usize| WORDS[(i.wrapping_mul(7919).wrapping_add(k * 31)) % WORDS.len()];
    let mut body = format!(
        "---\nlicense: {}\nlanguage: en\ntags:\n- {}\n---\n# Repo {i}\n\n",
        LICENCES[i % LICENCES.len()],
        word(0)
    );
    for k in 0..150 {
        body.push_str(word(k));
        body.push(if k % 15 == 14 { '\n' } else { ' ' });
    }
    body
}

fn rate(n: usize, secs: f64) -> String {
    format!("{secs:.1} s, {:.0} repos/s", n as f64 / secs.max(1e-9))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let meta =
        commonhold_meta::MetaStore::open(&format!("sqlite://{}/meta.db", dir.path().display()))
            .await?;
    let blobs = commonhold_blob::LocalBlobStore::open(dir.path().join("blobs")).await?;
    let hub = Hub::new(
        meta.clone(),
        Arc::new(blobs),
        HubConfig::default(),
        Some(b"bench-signing-key-0123456789".to_vec()),
    )
    .await?;
    let user = meta.create_user("bench", false).await?;
    let who = Principal {
        account: user.clone(),
        token: None,
        token_name: "bench".into(),
        role: Role::Write,
        orgs: Vec::new(),
    };

    let started = Instant::now();
    for i in 0..n {
        let kind = if i % 5 == 4 {
            RepoType::Dataset
        } else {
            RepoType::Model
        };
        let name = RepoName::new("bench", &format!("repo-{i}"))?;
        let repo = hub.create_repo(&who, kind, &name, i % 50 == 0).await?;
        let ops = vec![CommitOp::AddRegular {
            path: RepoPath::new("README.md")?,
            content: card(i).into_bytes(),
        }];
        hub.create_commit(
            &repo,
            &user,
            CommitRequest {
                revision: "main".into(),
                summary: "card".into(),
                description: String::new(),
                parent_commit: None,
                create_pr: false,
                ops,
            },
        )
        .await?;
        if (i + 1) % 10_000 == 0 {
            eprintln!("seeded {} repos", i + 1);
        }
    }
    let seed_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    hub.index_catalogue_caught_up().await?;
    let follow_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let reindexed = hub.reindex_catalogue(|_, _| {}).await?;
    let reindex_secs = started.elapsed().as_secs_f64();

    // A server's first search loads every stored row into the in-memory index.
    let app = commonhold_server::router(hub.clone());
    let search = |app: axum::Router, uri: &'static str| async move {
        let req = Request::get(uri).body(Body::empty())?;
        let started = Instant::now();
        let resp = app.oneshot(req).await?;
        let ok = resp.status().is_success();
        let secs = started.elapsed().as_secs_f64();
        Ok::<_, Box<dyn std::error::Error>>((ok, secs))
    };
    let (ok, load_secs) = search(app.clone(), "/search?q=parliament").await?;
    assert!(ok, "the search page answers");
    let mut warm = Vec::new();
    for uri in [
        "/search?q=parliament+court",
        "/search?kind=dataset&datacard=partial&sort=downloads",
    ] {
        let mut times = Vec::new();
        for _ in 0..20 {
            times.push(search(app.clone(), uri).await?.1 * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        warm.push((uri, times[times.len() / 2], times[times.len() * 95 / 100]));
    }

    println!("| step ({n} repos, ~1 kB cards, SQLite) | time, rate |");
    println!("|---|---|");
    println!(
        "| seed: create repo + commit README (hub API) | {} |",
        rate(n, seed_secs)
    );
    println!(
        "| follower catch-up: read each README, store its row | {} |",
        rate(n, follow_secs)
    );
    println!(
        "| `commonhold reindex` path: every README again | {} |",
        rate(reindexed, reindex_secs)
    );
    println!(
        "| cold start: stored rows -> in-memory index (first search) | {} |",
        rate(n, load_secs)
    );
    for (uri, p50, p95) in warm {
        println!("| then `{uri}` (whole page, 20 runs) | p50 {p50:.1} ms, p95 {p95:.1} ms |");
    }
    Ok(())
}
