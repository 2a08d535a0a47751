//! The catalogue's persisted card texts: revs grow across processes, rows follow their repo.

use commonhold_meta::{CardWrite, MetaStore};
use commonhold_types::{GitOid, RepoName, RepoType};

use crate::harness::{Fixture, both_backends, oid};

both_backends!(
    cards_are_replaced_and_read_back_by_rev,
    a_second_process_sees_every_later_write,
    cards_of_missing_repos_are_skipped,
);

async fn repo(s: &MetaStore, full: &str) -> i64 {
    let name: RepoName = full.parse().unwrap();
    let owner = match s.account_by_name(name.namespace()).await.unwrap() {
        Some(a) => a,
        None => s.create_user(name.namespace(), false).await.unwrap(),
    };
    s.create_repo(RepoType::Model, &name, owner.id, false)
        .await
        .unwrap()
        .id
}

async fn put(s: &MetaStore, repo_id: i64, sha: Option<GitOid>, text: &str) -> usize {
    s.put_catalogue_cards(&[CardWrite { repo_id, sha, text }])
        .await
        .unwrap()
}

async fn cards_are_replaced_and_read_back_by_rev(fx: Fixture) {
    let s = &fx.store;
    assert_eq!(s.catalogue_rev().await.unwrap(), 0);
    let a = repo(s, "alice/a").await;
    let b = repo(s, "alice/b").await;
    assert_eq!(put(s, a, Some(oid(1)), "first").await, 1);
    let after_first = s.catalogue_rev().await.unwrap();
    let batch = [
        CardWrite {
            repo_id: b,
            sha: None,
            text: "",
        },
        CardWrite {
            repo_id: a,
            sha: Some(oid(2)),
            text: "second \u{e9}",
        },
    ];
    assert_eq!(s.put_catalogue_cards(&batch).await.unwrap(), 2);
    assert_eq!(s.catalogue_rev().await.unwrap(), after_first + 2);

    let all = s.catalogue_cards_since(0, 100).await.unwrap();
    assert_eq!(all.len(), 2, "one row per repo: {all:?}");
    assert_eq!(
        (all[0].repo_id, all[0].sha, all[0].text.as_str()),
        (b, None, "")
    );
    assert_eq!(
        (all[1].repo_id, all[1].sha, all[1].text.as_str()),
        (a, Some(oid(2)), "second \u{e9}")
    );
    assert!(all[0].rev < all[1].rev, "each row has a rev of its own");
    // Paging by rev sees each row once.
    let first_page = s.catalogue_cards_since(0, 1).await.unwrap();
    assert_eq!(first_page.len(), 1);
    let rest = s
        .catalogue_cards_since(first_page[0].rev, 100)
        .await
        .unwrap();
    assert_eq!(rest.iter().map(|c| c.repo_id).collect::<Vec<_>>(), [a]);
}

async fn a_second_process_sees_every_later_write(fx: Fixture) {
    let s = &fx.store;
    let other = fx.reopen().await;
    let a = repo(s, "alice/a").await;
    let seen = other.catalogue_rev().await.unwrap();
    put(s, a, Some(oid(7)), "written by one process").await;
    assert!(other.catalogue_rev().await.unwrap() > seen);
    let got = other.catalogue_cards_since(seen, 10).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].text, "written by one process");
}

async fn cards_of_missing_repos_are_skipped(fx: Fixture) {
    let s = &fx.store;
    let a = repo(s, "alice/a").await;
    let batch = [
        CardWrite {
            repo_id: 9999,
            sha: None,
            text: "orphan",
        },
        CardWrite {
            repo_id: a,
            sha: None,
            text: "kept",
        },
    ];
    assert_eq!(s.put_catalogue_cards(&batch).await.unwrap(), 1);
    let all = s.catalogue_cards_since(0, 10).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!((all[0].repo_id, all[0].text.as_str()), (a, "kept"));
}
