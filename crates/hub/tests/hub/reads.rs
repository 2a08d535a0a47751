//! Reads that must stay bounded however large a repo, its files or its history grow.

use commonhold_hub::{EntryKind, MAX_README_BYTES};

use crate::support::fixture;

/// A README over the cap is not read for cards, pages or the search index.
#[tokio::test]
async fn readmes_over_the_cap_are_not_read() {
    let f = fixture().await;
    let repo = f.repo("m").await;
    let mut big = b"---\nlicense: mit\n---\n# Big\n".to_vec();
    big.resize(MAX_README_BYTES as usize + 1, b'x');
    let head = f.commit(&repo, "main", &[("README.md", &big)]).await;
    assert_eq!(f.hub.readme(&head).await.unwrap(), None);
    assert_eq!(f.hub.catalogue_card_text(&head).await.unwrap(), "");
    assert!(f.reload(&repo).await.summary.tags.is_empty());

    big.truncate(MAX_README_BYTES as usize);
    let head = f.commit(&repo, "main", &[("README.md", &big)]).await;
    assert_eq!(
        f.hub.readme(&head).await.unwrap().map(|r| r.len()),
        Some(big.len())
    );
    assert!(
        f.reload(&repo)
            .await
            .summary
            .tags
            .iter()
            .any(|t| t == "license:mit")
    );
}

/// A blob's size and LFS pointer come without its content, and are right for both kinds.
#[tokio::test]
async fn blob_info_knows_sizes_and_pointers() {
    let f = fixture().await;
    let repo = f.repo("m").await;
    let pointer = format!(
        "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize 12345\n",
        "ab".repeat(32)
    );
    let large = vec![b'y'; 3 << 20];
    let head = f
        .commit(
            &repo,
            "main",
            &[("p.txt", pointer.as_bytes()), ("large.txt", &large)],
        )
        .await;
    let root = f.hub.root_tree(&head).await.unwrap();
    let items = f.hub.list(&root, "", false).await.unwrap().unwrap();
    let get = |p: &str| items.iter().find(|i| i.path == p).unwrap().clone();
    let p = get("p.txt");
    assert_eq!((p.size, p.blob_size), (12345, pointer.len() as u64));
    assert_eq!(p.lfs.unwrap().oid.to_hex(), "ab".repeat(32));
    let l = get("large.txt");
    assert_eq!(
        (l.size, l.blob_size, l.lfs),
        (large.len() as u64, large.len() as u64, None)
    );
}

/// Pages of a listing, laid end to end, are the whole listing, and say when more follow.
#[tokio::test]
async fn listing_pages_add_up_to_the_listing() {
    let f = fixture().await;
    let repo = f.repo("m").await;
    let files: Vec<(String, Vec<u8>)> = (0..23)
        .map(|i| (format!("d{}/sub{}/f{i}.txt", i % 3, i % 2), vec![b'a'; i]))
        .collect();
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, c)| (p.as_str(), &c[..])).collect();
    let head = f.commit(&repo, "main", &refs).await;
    let root = f.hub.root_tree(&head).await.unwrap();
    for recursive in [false, true] {
        let all = f.hub.list(&root, "", recursive).await.unwrap().unwrap();
        let mut paged = Vec::new();
        let mut offset = 0;
        loop {
            let (page, more) = f
                .hub
                .list_page(&root, "", recursive, offset, 4)
                .await
                .unwrap()
                .unwrap();
            assert!(page.len() == 4 || !more);
            offset += page.len();
            paged.extend(page);
            if !more {
                break;
            }
        }
        assert_eq!(paged, all, "recursive: {recursive}");
    }
    let (page, more) = f
        .hub
        .list_page(&root, "d1", true, 0, 1000)
        .await
        .unwrap()
        .unwrap();
    assert!(!more);
    assert!(page.iter().all(|i| i.path.starts_with("d1/")));
    assert_eq!(
        page.iter().filter(|i| i.kind == EntryKind::File).count(),
        files.iter().filter(|(p, _)| p.starts_with("d1/")).count()
    );
    assert!(
        f.hub
            .list_page(&root, "nope", true, 0, 10)
            .await
            .unwrap()
            .is_none()
    );
}

/// Resolving an old commit id walks history once while the refs stay as they are (every file
/// of a `snapshot_download` at that commit), and stops resolving once no ref reaches it.
#[tokio::test]
async fn commit_ids_resolve_without_a_walk_per_file_and_only_while_reachable() {
    let f = fixture().await;
    let repo = f.repo("m").await;
    f.hub.create_branch(&repo, "dev", None).await.unwrap();
    let old = f.commit(&repo, "dev", &[("a.txt", b"1")]).await;
    for i in 0..5 {
        f.commit(&repo, "dev", &[("a.txt", format!("{i}").as_bytes())])
            .await;
    }
    let walks = f.hub.history_walks();
    for _ in 0..50 {
        assert_eq!(
            f.hub.resolve(&repo, &old.to_hex()).await.unwrap().commit,
            old
        );
    }
    assert_eq!(
        f.hub.history_walks() - walks,
        1,
        "one walk for fifty lookups"
    );

    // The branch moving on keeps the commit reachable.
    f.commit(&repo, "dev", &[("b.txt", b"b")]).await;
    assert!(f.hub.commit_in_repo(&repo, &old).await.unwrap());
    // Once no ref reaches it, it does not resolve, here or in another process.
    f.hub.delete_branch(&repo, "dev").await.unwrap();
    assert!(!f.hub.commit_in_repo(&repo, &old).await.unwrap());
    let other = crate::support::open(&f.dir).await;
    assert!(!other.commit_in_repo(&repo, &old).await.unwrap());
    assert!(f.hub.resolve(&repo, &old.to_hex()).await.is_err());
}
