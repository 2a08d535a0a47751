//! Repo names, moves, visibility, summaries and deletion.

use commonhold_meta::{MetaError, RepoSummary};
use commonhold_types::{RepoName, RepoType, Sha256};
use serde_json::json;

use crate::harness::{Fixture, both_backends, oid};

both_backends!(
    repo_names_are_unique_per_type_ignoring_case,
    move_keeps_id_and_refs,
    summary_and_visibility_round_trip,
    delete_drops_refs_and_grants_but_keeps_the_log,
    pr_numbers_count_up_per_repo,
    head_summaries_only_move_forward,
    access_changes_are_numbered_for_every_process,
);

fn name(s: &str) -> RepoName {
    s.parse().unwrap()
}

async fn repo_names_are_unique_per_type_ignoring_case(fx: Fixture) {
    let s = &fx.store;
    let acme = s.create_org("acme").await.unwrap();
    let model = s
        .create_repo(RepoType::Model, &name("Acme/Tiny"), acme.id, false)
        .await
        .unwrap();
    assert_eq!(model.name.to_string(), "Acme/Tiny");
    assert_eq!((model.downloads, model.summary.sha), (0, None));
    match s
        .create_repo(RepoType::Model, &name("acme/TINY"), acme.id, true)
        .await
    {
        Err(MetaError::Conflict(msg)) => assert!(msg.contains("acme/TINY"), "{msg}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    let dataset = s
        .create_repo(RepoType::Dataset, &name("acme/tiny"), acme.id, false)
        .await
        .unwrap();
    assert_ne!(model.id, dataset.id);

    assert_eq!(
        s.repo_by_name(RepoType::Model, &name("ACME/tiny"))
            .await
            .unwrap(),
        Some(model.clone())
    );
    assert_eq!(
        s.repo_by_id(dataset.id).await.unwrap().map(|r| r.repo_type),
        Some(RepoType::Dataset)
    );
    assert_eq!(
        s.repo_by_name(RepoType::Model, &name("acme/other"))
            .await
            .unwrap(),
        None
    );
    assert!(matches!(
        s.create_repo(RepoType::Model, &name("ghost/x"), 987_654, false)
            .await,
        Err(MetaError::NotFound(_))
    ));
}

async fn move_keeps_id_and_refs(fx: Fixture) {
    let s = &fx.store;
    let alice = s.create_user("alice", false).await.unwrap();
    let acme = s.create_org("acme").await.unwrap();
    let repo = s
        .create_repo(RepoType::Model, &name("alice/m"), alice.id, false)
        .await
        .unwrap();
    let taken = s
        .create_repo(RepoType::Model, &name("acme/taken"), acme.id, false)
        .await
        .unwrap();
    s.update_ref(repo.id, "refs/heads/main", None, Some(oid(1)))
        .await
        .unwrap()
        .unwrap();

    s.move_repo(repo.id, &name("acme/M2"), acme.id)
        .await
        .unwrap();
    let moved = s
        .repo_by_name(RepoType::Model, &name("acme/m2"))
        .await
        .unwrap()
        .expect("moved repo");
    assert_eq!(
        (moved.id, moved.owner_id, moved.name.to_string()),
        (repo.id, acme.id, "acme/M2".to_string())
    );
    assert_eq!(
        s.repo_by_name(RepoType::Model, &name("alice/m"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        s.get_ref(repo.id, "refs/heads/main").await.unwrap(),
        Some(oid(1))
    );

    assert!(matches!(
        s.move_repo(repo.id, &name("ACME/Taken"), acme.id).await,
        Err(MetaError::Conflict(_))
    ));
    assert!(matches!(
        s.move_repo(repo.id + taken.id + 50, &name("acme/z"), acme.id)
            .await,
        Err(MetaError::NotFound(_))
    ));
    // A failed move changes nothing.
    assert_eq!(
        s.repo_by_id(repo.id)
            .await
            .unwrap()
            .map(|r| r.name.to_string()),
        Some("acme/M2".to_string())
    );
}

async fn summary_and_visibility_round_trip(fx: Fixture) {
    let s = &fx.store;
    let u = s.create_user("u", false).await.unwrap();
    let repo = s
        .create_repo(RepoType::Model, &name("u/r"), u.id, false)
        .await
        .unwrap();
    let summary = RepoSummary {
        sha: Some(oid(7)),
        last_modified: 1_700_000_000_123,
        card_data: json!({"license": "apache-2.0", "language": ["de", "fr"]}),
        tags: vec!["text-generation".into(), "license:apache-2.0".into()],
        pipeline_tag: Some("text-generation".into()),
        library_name: Some("transformers".into()),
        openness: Some(json!({"tier": "open-science"})),
    };
    s.update_repo_summary(repo.id, &summary).await.unwrap();
    s.set_private(repo.id, true).await.unwrap();
    let got = s.repo_by_id(repo.id).await.unwrap().unwrap();
    assert_eq!(got.summary, summary);
    assert!(got.private);
    assert_eq!(got.created_at, repo.created_at);

    // Replacing the summary replaces the tags, including the index behind tag filters.
    let cleared = RepoSummary {
        tags: vec![],
        ..summary
    };
    s.update_repo_summary(repo.id, &cleared).await.unwrap();
    assert_eq!(
        s.repo_by_id(repo.id).await.unwrap().unwrap().summary.tags,
        Vec::<String>::new()
    );
    assert!(matches!(
        s.update_repo_summary(repo.id + 1, &cleared).await,
        Err(MetaError::NotFound(_))
    ));
    assert!(matches!(
        s.set_private(repo.id + 1, false).await,
        Err(MetaError::NotFound(_))
    ));
}

async fn delete_drops_refs_and_grants_but_keeps_the_log(fx: Fixture) {
    let s = &fx.store;
    let u = s.create_user("u", false).await.unwrap();
    let repo = s
        .create_repo(RepoType::Dataset, &name("u/d"), u.id, false)
        .await
        .unwrap();
    let sha = Sha256([9; 32]);
    s.update_ref(repo.id, "refs/heads/main", None, Some(oid(1)))
        .await
        .unwrap()
        .unwrap();
    s.update_ref(repo.id, "refs/tags/v1", None, Some(oid(1)))
        .await
        .unwrap()
        .unwrap();
    s.grant_lfs(repo.id, &sha).await.unwrap();
    s.record_download(repo.id, "1.2.3.4", 20_000).await.unwrap();
    s.put_assessment(repo.id, &oid(1), "{}").await.unwrap();

    s.delete_repo(repo.id).await.unwrap();
    assert_eq!(s.repo_by_id(repo.id).await.unwrap(), None);
    assert!(s.list_refs(repo.id).await.unwrap().is_empty());
    assert!(!s.repo_has_lfs(repo.id, &sha).await.unwrap());
    assert_eq!(s.get_assessment(repo.id, &oid(1)).await.unwrap(), None);
    assert!(matches!(
        s.delete_repo(repo.id).await,
        Err(MetaError::NotFound(_))
    ));

    // The creations stay in the log, followed by one deletion per dropped ref.
    let log: Vec<_> = s
        .log_since(0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.ref_name, e.old, e.new))
        .collect();
    assert_eq!(
        log,
        [
            ("refs/heads/main".to_string(), None, Some(oid(1))),
            ("refs/tags/v1".to_string(), None, Some(oid(1))),
            ("refs/heads/main".to_string(), Some(oid(1)), None),
            ("refs/tags/v1".to_string(), Some(oid(1)), None),
        ]
    );
    // The name is free again, under a new id.
    let again = s
        .create_repo(RepoType::Dataset, &name("u/d"), u.id, false)
        .await
        .unwrap();
    assert!(again.id > repo.id);
}

async fn pr_numbers_count_up_per_repo(fx: Fixture) {
    let s = &fx.store;
    let u = s.create_user("u", false).await.unwrap();
    let a = s
        .create_repo(RepoType::Model, &name("u/a"), u.id, false)
        .await
        .unwrap();
    let b = s
        .create_repo(RepoType::Model, &name("u/b"), u.id, false)
        .await
        .unwrap();
    assert_eq!(s.next_pr_number(a.id).await.unwrap(), 1);
    assert_eq!(s.next_pr_number(a.id).await.unwrap(), 2);
    assert_eq!(s.next_pr_number(b.id).await.unwrap(), 1);
    // Two processes drawing at once still get distinct numbers.
    let other = fx.reopen().await;
    let (x, y) = tokio::join!(s.next_pr_number(a.id), other.next_pr_number(a.id));
    let mut drawn = [x.unwrap(), y.unwrap()];
    drawn.sort();
    assert_eq!(drawn, [3, 4]);
    assert!(matches!(
        s.next_pr_number(b.id + 10).await,
        Err(MetaError::NotFound(_))
    ));
}

/// A summary of an earlier commit-log position never replaces a later one, and openness is
/// stored only for the summary's current head.
async fn head_summaries_only_move_forward(fx: Fixture) {
    let s = &fx.store;
    let owner = s.create_user("o", false).await.unwrap();
    let repo = s
        .create_repo(RepoType::Model, &name("o/r"), owner.id, false)
        .await
        .unwrap();
    let at = |n: u32| RepoSummary {
        sha: Some(oid(n)),
        tags: vec![format!("t{n}")],
        ..RepoSummary::default()
    };
    assert!(
        s.update_repo_head_summary(repo.id, 5, &at(5))
            .await
            .unwrap()
    );
    assert!(
        !s.update_repo_head_summary(repo.id, 4, &at(4))
            .await
            .unwrap()
    );
    let got = s.repo_by_id(repo.id).await.unwrap().unwrap().summary;
    assert_eq!((got.sha, got.tags), (Some(oid(5)), vec!["t5".to_string()]));
    assert!(
        !s.set_repo_openness(repo.id, &oid(4), &json!({"tier": "x"}))
            .await
            .unwrap()
    );
    assert!(
        s.set_repo_openness(repo.id, &oid(5), &json!({"tier": "y"}))
            .await
            .unwrap()
    );
    assert!(
        s.update_repo_head_summary(repo.id, 6, &at(6))
            .await
            .unwrap()
    );
    let got = s.repo_by_id(repo.id).await.unwrap().unwrap().summary;
    assert_eq!(got.sha, Some(oid(6)));
    assert_eq!(
        got.openness,
        Some(json!({"tier": "y"})),
        "kept until assessed"
    );
    assert!(matches!(
        s.update_repo_head_summary(repo.id + 1, 9, &at(9)).await,
        Err(MetaError::NotFound(_))
    ));
}

/// Visibility, owner and existence changes get increasing revs that another store (another
/// server process) reads, each repo once with its state now.
async fn access_changes_are_numbered_for_every_process(fx: Fixture) {
    let s = &fx.store;
    let other = fx.reopen().await;
    let alice = s.create_user("alice", false).await.unwrap();
    let bob = s.create_user("bob", false).await.unwrap();
    let a = s
        .create_repo(RepoType::Model, &name("alice/a"), alice.id, false)
        .await
        .unwrap();
    let b = s
        .create_repo(RepoType::Model, &name("alice/b"), alice.id, false)
        .await
        .unwrap();
    assert!(other.access_changes_since(0, 100).await.unwrap().is_empty());
    s.set_private(a.id, true).await.unwrap();
    let first = other.access_changes_since(0, 100).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(
        (first[0].repo_id, first[0].now),
        (a.id, Some((alice.id, true)))
    );
    let seen = first[0].rev;
    s.move_repo(b.id, &name("bob/b"), bob.id).await.unwrap();
    s.set_private(a.id, false).await.unwrap();
    s.delete_repo(b.id).await.unwrap();
    let later = other.access_changes_since(seen, 100).await.unwrap();
    let got: Vec<_> = later.iter().map(|c| (c.repo_id, c.now)).collect();
    assert_eq!(got, [(a.id, Some((alice.id, false))), (b.id, None)]);
    assert!(later.windows(2).all(|w| w[0].rev < w[1].rev) && later[0].rev > seen);
    assert_eq!(other.access_changes_since(seen, 1).await.unwrap().len(), 1);
}
