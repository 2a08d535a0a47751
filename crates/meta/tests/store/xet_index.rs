//! The Xet dedup index and file listing: dedup answers never come from another repo's private
//! files, and fsck pages through every file.

use commonhold_meta::XetFileRow;
use commonhold_types::{RepoName, RepoType, Sha256};

use crate::harness::{Fixture, both_backends};

both_backends!(dedup_finds_files_of_the_same_repo_or_public_repos_only);

async fn dedup_finds_files_of_the_same_repo_or_public_repos_only(fx: Fixture) {
    let store = fx.store;
    let alice = store.create_user("alice", false).await.unwrap();
    let repo = |name: &str, private: bool| {
        let store = store.clone();
        let name: RepoName = name.parse().unwrap();
        async move {
            store
                .create_repo(RepoType::Model, &name, alice.id, private)
                .await
                .unwrap()
        }
    };
    let hidden = repo("alice/hidden", true).await;
    let open = repo("alice/open", false).await;
    let other = repo("alice/other", true).await;

    for xorb in [[1; 32], [2; 32]] {
        store.record_xorb(&xorb, 10, b"").await.unwrap();
    }
    let file = |hash: [u8; 32], sha: u8| XetFileRow {
        file_hash: hash,
        size: 10,
        terms: vec![],
        sha256: Some(Sha256([sha; 32])),
    };
    store
        .record_xet_file(hidden.id, &file([11; 32], 5))
        .await
        .unwrap();
    store
        .record_xet_file(open.id, &file([12; 32], 6))
        .await
        .unwrap();
    store
        .record_xet_dedup(
            &[([9; 32], [1; 32]), ([8; 32], [2; 32]), ([9; 32], [1; 32])],
            &[([1; 32], [11; 32]), ([2; 32], [12; 32])],
        )
        .await
        .unwrap();

    // The private repo's chunk is found from that repo only; the public one from anywhere.
    assert_eq!(
        store
            .xet_dedup_lookup(&[9; 32], hidden.id, true)
            .await
            .unwrap(),
        vec![([1; 32], [11; 32])]
    );
    assert_eq!(
        store
            .xet_dedup_lookup(&[9; 32], other.id, true)
            .await
            .unwrap(),
        vec![]
    );
    assert_eq!(
        store
            .xet_dedup_lookup(&[8; 32], other.id, true)
            .await
            .unwrap(),
        vec![([2; 32], [12; 32])]
    );
    assert_eq!(
        store
            .xet_dedup_lookup(&[7; 32], hidden.id, true)
            .await
            .unwrap(),
        vec![]
    );
    // Once a public file uses the xorb too, others find it; the asking repo's own comes first.
    store
        .record_xet_file(open.id, &file([13; 32], 4))
        .await
        .unwrap();
    store
        .record_xet_dedup(&[], &[([1; 32], [13; 32])])
        .await
        .unwrap();
    assert_eq!(
        store
            .xet_dedup_lookup(&[9; 32], other.id, true)
            .await
            .unwrap(),
        vec![([1; 32], [13; 32])]
    );
    let mine_first = store
        .xet_dedup_lookup(&[9; 32], hidden.id, true)
        .await
        .unwrap();
    assert_eq!(mine_first.first(), Some(&([1; 32], [11; 32])));
    assert_eq!(mine_first.len(), 2);

    // A gated repo's files are found neither from other repos nor from its own without a
    // grant (a contributor's upload); with one, as before.
    store
        .set_gating(
            open.id,
            commonhold_types::Gating::Manual,
            None,
            &commonhold_meta::NewAuditEvent {
                actor: None,
                action: commonhold_meta::AuditAction::GatingChanged,
                repo: None,
                detail: serde_json::json!({}),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .xet_dedup_lookup(&[8; 32], other.id, true)
            .await
            .unwrap(),
        vec![]
    );
    assert_eq!(
        store
            .xet_dedup_lookup(&[8; 32], open.id, false)
            .await
            .unwrap(),
        vec![]
    );
    assert_eq!(
        store
            .xet_dedup_lookup(&[8; 32], open.id, true)
            .await
            .unwrap(),
        vec![([2; 32], [12; 32])]
    );

    let files = store.list_xet_files(None, 1).await.unwrap();
    assert_eq!(files, vec![file([11; 32], 5)]);
    let files = store.list_xet_files(Some([11; 32]), 10).await.unwrap();
    assert_eq!(files, vec![file([12; 32], 6), file([13; 32], 4)]);

    // Create-only: another file with the same bytes (sha256) leaves the mapping as it was.
    store
        .record_xet_file(open.id, &file([14; 32], 6))
        .await
        .unwrap();
    let grant = |g: &(i64, Sha256, [u8; 32])| g.0 == open.id && g.1 == Sha256([6; 32]);
    let grants = store.list_xet_grants().await.unwrap();
    let kept: Vec<_> = grants.iter().filter(|g| grant(g)).collect();
    assert_eq!(kept, vec![&(open.id, Sha256([6; 32]), [12; 32])]);
}
