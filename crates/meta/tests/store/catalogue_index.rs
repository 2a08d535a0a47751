//! The catalogue's persisted card texts: revs grow across processes, rows follow their repo.

use commonhold_meta::{MetaError, MetaStore};
use commonhold_types::{RepoName, RepoType};

use crate::harness::{Fixture, both_backends, oid};

both_backends!(
    cards_are_replaced_and_read_back_by_rev,
    a_second_process_sees_every_later_write,
    a_card_needs_its_repo,
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

async fn cards_are_replaced_and_read_back_by_rev(fx: Fixture) {
    let s = &fx.store;
    assert_eq!(s.catalogue_rev().await.unwrap(), 0);
    let a = repo(s, "alice/a").await;
    let b = repo(s, "alice/b").await;
    let r1 = s
        .put_catalogue_card(a, Some(&oid(1)), "first")
        .await
        .unwrap();
    let r2 = s.put_catalogue_card(b, None, "").await.unwrap();
    let r3 = s
        .put_catalogue_card(a, Some(&oid(2)), "second \u{e9}")
        .await
        .unwrap();
    assert!(r1 < r2 && r2 < r3, "revs grow: {r1} {r2} {r3}");
    assert_eq!(s.catalogue_rev().await.unwrap(), r3);

    let all = s.catalogue_cards_since(0, 100).await.unwrap();
    assert_eq!(all.len(), 2, "one row per repo: {all:?}");
    assert_eq!(
        (all[0].repo_id, all[0].sha, all[0].text.as_str()),
        (b, None, "")
    );
    assert_eq!(
        (all[1].repo_id, all[1].sha, all[1].text.as_str(), all[1].rev),
        (a, Some(oid(2)), "second \u{e9}", r3)
    );
    let later = s.catalogue_cards_since(r2, 100).await.unwrap();
    assert_eq!(later.iter().map(|c| c.repo_id).collect::<Vec<_>>(), [a]);
    assert_eq!(s.catalogue_cards_since(0, 1).await.unwrap().len(), 1);
}

async fn a_second_process_sees_every_later_write(fx: Fixture) {
    let s = &fx.store;
    let other = fx.reopen().await;
    let a = repo(s, "alice/a").await;
    let seen = other.catalogue_rev().await.unwrap();
    s.put_catalogue_card(a, Some(&oid(7)), "written by one process")
        .await
        .unwrap();
    assert!(other.catalogue_rev().await.unwrap() > seen);
    let got = other.catalogue_cards_since(seen, 10).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].text, "written by one process");
}

async fn a_card_needs_its_repo(fx: Fixture) {
    let s = &fx.store;
    let err = s
        .put_catalogue_card(9999, None, "orphan")
        .await
        .unwrap_err();
    assert!(matches!(err, MetaError::NotFound(_)), "{err:?}");
    assert!(s.catalogue_cards_since(0, 10).await.unwrap().is_empty());
}
