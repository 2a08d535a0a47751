//! Git objects, LFS objects and grants, settings and assessments.

use commonhold_meta::MetaError;
use commonhold_types::{RepoType, Sha256};

use crate::harness::{Fixture, both_backends, oid};

both_backends!(
    git_objects_are_insert_if_absent_and_paged,
    object_heads_give_size_and_first_bytes_only,
    lfs_access_is_per_repo,
    settings_and_assessments
);

async fn git_objects_are_insert_if_absent_and_paged(fx: Fixture) {
    let s = &fx.store;
    s.put_objects(&[]).await.unwrap();
    let objs: Vec<_> = (1..=5u32)
        .map(|n| (oid(n), 3u8, format!("blob {n}").into_bytes()))
        .collect();
    s.put_objects(&objs).await.unwrap();
    // Storing again, alongside a new one, keeps the first body and adds the new one.
    s.put_objects(&[(oid(1), 3, b"other".to_vec()), (oid(6), 2, vec![0, 255, 0])])
        .await
        .unwrap();
    assert_eq!(
        s.get_object(&oid(1)).await.unwrap(),
        Some((3, b"blob 1".to_vec()))
    );
    assert_eq!(
        s.get_object(&oid(6)).await.unwrap(),
        Some((2, vec![0, 255, 0]))
    );
    assert_eq!(s.get_object(&oid(7)).await.unwrap(), None);

    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = s.list_object_ids(after, 4).await.unwrap();
        assert!(page.len() <= 4);
        let Some(last) = page.last().copied() else {
            break;
        };
        all.extend(page);
        after = Some(last);
    }
    assert_eq!(all, (1..=6).map(oid).collect::<Vec<_>>());
}

async fn lfs_access_is_per_repo(fx: Fixture) {
    let s = &fx.store;
    let u = s.create_user("u", false).await.unwrap();
    let a = s
        .create_repo(RepoType::Model, &"u/a".parse().unwrap(), u.id, true)
        .await
        .unwrap()
        .id;
    let b = s
        .create_repo(RepoType::Model, &"u/b".parse().unwrap(), u.id, false)
        .await
        .unwrap()
        .id;
    let sha = Sha256([7; 32]);
    assert_eq!(s.lfs_object_size(&sha).await.unwrap(), None);
    s.record_lfs_object(&sha, 5_000_000_000).await.unwrap();
    s.record_lfs_object(&sha, 5_000_000_000).await.unwrap();
    assert_eq!(s.lfs_object_size(&sha).await.unwrap(), Some(5_000_000_000));
    assert!(matches!(
        s.record_lfs_object(&Sha256([8; 32]), u64::MAX).await,
        Err(MetaError::Invalid(_))
    ));

    s.grant_lfs(a, &sha).await.unwrap();
    s.grant_lfs(a, &sha).await.unwrap();
    assert!(s.repo_has_lfs(a, &sha).await.unwrap());
    assert!(
        !s.repo_has_lfs(b, &sha).await.unwrap(),
        "knowing the digest does not grant access"
    );
    assert!(matches!(
        s.grant_lfs(b + 100, &sha).await,
        Err(MetaError::NotFound(_))
    ));
}

async fn settings_and_assessments(fx: Fixture) {
    let s = &fx.store;
    assert_eq!(s.setting("signing-key").await.unwrap(), None);
    let other = fx.reopen().await;
    let (x, y) = tokio::join!(
        s.set_setting_if_absent("signing-key", "first"),
        other.set_setting_if_absent("signing-key", "second")
    );
    let (x, y) = (x.unwrap(), y.unwrap());
    assert_eq!(x, y, "both processes end up with the same key");
    assert_eq!(
        s.set_setting_if_absent("signing-key", "third")
            .await
            .unwrap(),
        x
    );
    assert_eq!(s.setting("signing-key").await.unwrap(), Some(x));

    let u = s.create_user("u", false).await.unwrap();
    let repo = s
        .create_repo(RepoType::Model, &"u/m".parse().unwrap(), u.id, false)
        .await
        .unwrap()
        .id;
    assert_eq!(s.get_assessment(repo, &oid(1)).await.unwrap(), None);
    s.put_assessment(repo, &oid(1), r#"{"tier":1}"#)
        .await
        .unwrap();
    s.put_assessment(repo, &oid(1), r#"{"tier":2}"#)
        .await
        .unwrap();
    s.put_assessment(repo, &oid(2), r#"{"tier":3}"#)
        .await
        .unwrap();
    assert_eq!(
        s.get_assessment(repo, &oid(1)).await.unwrap().as_deref(),
        Some(r#"{"tier":2}"#)
    );
    assert_eq!(
        s.get_assessment(repo, &oid(2)).await.unwrap().as_deref(),
        Some(r#"{"tier":3}"#)
    );
    assert!(matches!(
        s.put_assessment(repo + 9, &oid(1), "{}").await,
        Err(MetaError::NotFound(_))
    ));
}

/// A listing learns a blob's size and first bytes (enough for an LFS pointer) without its body.
async fn object_heads_give_size_and_first_bytes_only(fx: Fixture) {
    let s = &fx.store;
    let big: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
    s.put_objects(&[
        (oid(1), 3, big.clone()),
        (oid(2), 3, Vec::new()),
        (oid(3), 2, b"t".to_vec()),
    ])
    .await
    .unwrap();
    let (kind, size, head) = s.object_head(&oid(1)).await.unwrap().unwrap();
    assert_eq!((kind, size), (3, 5000));
    assert_eq!(head, big[..1024]);
    assert_eq!(
        s.object_head(&oid(2)).await.unwrap(),
        Some((3, 0, Vec::new()))
    );
    assert_eq!(
        s.object_head(&oid(3)).await.unwrap(),
        Some((2, 1, b"t".to_vec()))
    );
    assert_eq!(s.object_head(&oid(4)).await.unwrap(), None);
}
