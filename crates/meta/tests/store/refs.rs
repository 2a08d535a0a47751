//! Compare-and-swap on refs, the commit log and its cursors, under concurrency too.

use commonhold_meta::{MetaError, MetaStore, RefConflict};
use commonhold_types::{RepoName, RepoType};

use crate::harness::{Fixture, both_backends, oid};

both_backends!(
    cas_conflicts_change_nothing,
    concurrent_updates_from_two_pools_lose_nothing,
    log_is_ordered_and_cursors_persist,
);

async fn new_repo(s: &MetaStore, repo: &str) -> i64 {
    let owner = match s.account_by_name("owner").await.unwrap() {
        Some(a) => a,
        None => s.create_user("owner", false).await.unwrap(),
    };
    let name: RepoName = format!("owner/{repo}").parse().unwrap();
    s.create_repo(RepoType::Model, &name, owner.id, false)
        .await
        .unwrap()
        .id
}

async fn cas_conflicts_change_nothing(fx: Fixture) {
    let s = &fx.store;
    let repo = new_repo(s, "r").await;
    let main = "refs/heads/main";
    let seq = s
        .update_ref(repo, main, None, Some(oid(1)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(seq, 1);

    // Create when it exists, move from the wrong value, delete from the wrong value, delete
    // what does not exist: each reports the current value and leaves everything as it was.
    let attempts = [
        (main, None, Some(oid(2)), Some(oid(1))),
        (main, Some(oid(9)), Some(oid(2)), Some(oid(1))),
        (main, Some(oid(9)), None, Some(oid(1))),
        ("refs/tags/missing", Some(oid(1)), None, None),
        ("refs/tags/missing", Some(oid(1)), Some(oid(2)), None),
    ];
    for (name, old, new, current) in attempts {
        let result = s.update_ref(repo, name, old, new).await.unwrap();
        assert_eq!(
            result,
            Err(RefConflict { current }),
            "{name} {old:?} -> {new:?}"
        );
    }
    assert!(matches!(
        s.update_ref(repo, main, None, None).await,
        Err(MetaError::Invalid(_))
    ));
    assert_eq!(
        s.list_refs(repo).await.unwrap(),
        [(main.to_string(), oid(1))]
    );
    assert_eq!(s.log_since(0, 100).await.unwrap().len(), 1);

    // The successful forms, for contrast: move, then delete.
    assert_eq!(
        s.update_ref(repo, main, Some(oid(1)), Some(oid(2)))
            .await
            .unwrap(),
        Ok(2)
    );
    assert_eq!(
        s.update_ref(repo, main, Some(oid(2)), None).await.unwrap(),
        Ok(3)
    );
    assert_eq!(s.get_ref(repo, main).await.unwrap(), None);
    // A ref of a repo that does not exist cannot be created.
    assert!(matches!(
        s.update_ref(repo + 100, main, None, Some(oid(1))).await,
        Err(MetaError::NotFound(_))
    ));
    assert_eq!(s.log_since(0, 100).await.unwrap().len(), 3);
}

/// The sequence numbers of `log_since(after, limit)`.
async fn seqs(s: &MetaStore, after: i64, limit: u64) -> Vec<i64> {
    s.log_since(after, limit)
        .await
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect()
}

/// One writer: read the ref, swap in its own value, retry on conflict until it lands.
async fn push_until_landed(store: MetaStore, repo: i64, writer: u32) -> u32 {
    let mut tries = 0;
    loop {
        tries += 1;
        let current = store.get_ref(repo, "refs/heads/main").await.unwrap();
        match store
            .update_ref(repo, "refs/heads/main", current, Some(oid(writer)))
            .await
            .unwrap()
        {
            Ok(_) => return tries,
            Err(RefConflict { .. }) => tokio::task::yield_now().await,
        }
    }
}

async fn concurrent_updates_from_two_pools_lose_nothing(fx: Fixture) {
    let first = fx.store.clone();
    let second = fx.reopen().await;
    let repo = new_repo(&first, "busy").await;
    let other_repo = new_repo(&first, "quiet").await;
    second
        .update_ref(other_repo, "refs/heads/main", None, Some(oid(999)))
        .await
        .unwrap()
        .unwrap();

    let writers: Vec<_> = (1..=20u32)
        .map(|w| {
            let store = if w % 2 == 0 {
                first.clone()
            } else {
                second.clone()
            };
            tokio::spawn(push_until_landed(store, repo, w))
        })
        .collect();
    let mut tries = 0;
    for writer in writers {
        tries += writer.await.expect("writer task");
    }
    eprintln!("20 writers needed {tries} compare-and-swap attempts");

    let log: Vec<_> = first
        .log_since(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.repo_id == repo)
        .collect();
    assert_eq!(log.len(), 20, "every writer's update is logged once");
    assert_eq!(log[0].old, None);
    for pair in log.windows(2) {
        assert_eq!(pair[1].old, pair[0].new, "the log forms a chain");
        assert!(pair[1].seq > pair[0].seq);
    }
    let mut landed: Vec<_> = log.iter().map(|e| e.new.unwrap()).collect();
    landed.sort();
    let mut expected: Vec<_> = (1..=20).map(oid).collect();
    expected.sort();
    assert_eq!(landed, expected, "each writer landed exactly once");
    assert_eq!(
        second.get_ref(repo, "refs/heads/main").await.unwrap(),
        log[19].new
    );

    // Sequence numbers are gap-free across both pools and all repos.
    let all_seqs: Vec<i64> = seqs(&first, 0, 1000).await;
    assert_eq!(all_seqs, (1..=21).collect::<Vec<i64>>());
}

async fn log_is_ordered_and_cursors_persist(fx: Fixture) {
    let s = &fx.store;
    let a = new_repo(s, "a").await;
    let b = new_repo(s, "b").await;
    s.update_ref(a, "refs/heads/main", None, Some(oid(1)))
        .await
        .unwrap()
        .unwrap();
    s.update_ref(b, "refs/heads/main", None, Some(oid(2)))
        .await
        .unwrap()
        .unwrap();
    s.update_ref(a, "refs/pr/1", None, Some(oid(3)))
        .await
        .unwrap()
        .unwrap();
    s.update_ref(a, "refs/heads/main", Some(oid(1)), Some(oid(4)))
        .await
        .unwrap()
        .unwrap();

    let all = s.log_since(0, 10).await.unwrap();
    let seen: Vec<_> = all
        .iter()
        .map(|e| (e.seq, e.repo_id, e.ref_name.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            (1, a, "refs/heads/main"),
            (2, b, "refs/heads/main"),
            (3, a, "refs/pr/1"),
            (4, a, "refs/heads/main")
        ]
    );
    assert_eq!((all[3].old, all[3].new), (Some(oid(1)), Some(oid(4))));
    assert!(all.windows(2).all(|w| w[0].at <= w[1].at));

    let page: Vec<i64> = seqs(s, 1, 2).await;
    assert_eq!(page, [2, 3]);
    assert!(s.log_since(4, 10).await.unwrap().is_empty());

    assert_eq!(s.cursor("indexer").await.unwrap(), 0);
    s.set_cursor("indexer", 3).await.unwrap();
    s.set_cursor("assessor", 1).await.unwrap();
    s.set_cursor("indexer", 4).await.unwrap();
    // A restarted consumer (a fresh pool) resumes where it left off.
    let restarted = fx.reopen().await;
    assert_eq!(restarted.cursor("indexer").await.unwrap(), 4);
    assert_eq!(restarted.cursor("assessor").await.unwrap(), 1);
    let resumed: Vec<i64> = seqs(&restarted, 1, 10).await;
    assert_eq!(resumed, [2, 3, 4]);
}
