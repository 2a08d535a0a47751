//! Discussions: numbering shared with pull requests, events in order, status changes atomic with
//! their event, filtered listings with counts.

use commonhold_meta::{
    DiscussionFilter, DiscussionUpdate, MergeRefused, MetaError, MetaStore, NewDiscussion, PrMerge,
};
use commonhold_types::{DiscussionEventKind, DiscussionStatus, RepoName, RepoType};

use crate::harness::{Fixture, both_backends, oid};

both_backends!(
    discussions_number_list_and_record_events,
    events_on_a_missing_discussion_are_refused,
    a_pull_request_merges_once_with_its_target_in_one_transaction,
);

async fn repo(s: &MetaStore) -> i64 {
    let owner = s.create_user("owner", false).await.unwrap();
    let name: RepoName = "owner/r".parse().unwrap();
    s.create_repo(RepoType::Model, &name, owner.id, false)
        .await
        .unwrap()
        .id
}

async fn open(s: &MetaStore, repo_id: i64, is_pr: bool, author: &str) -> u64 {
    let num = s.next_pr_number(repo_id).await.unwrap();
    let d = s
        .insert_discussion(
            &NewDiscussion {
                repo_id,
                num,
                is_pr,
                title: "Add weights",
                status: if is_pr {
                    DiscussionStatus::Draft
                } else {
                    DiscussionStatus::Open
                },
                author,
                target_ref: is_pr.then_some("refs/heads/main"),
                fork: is_pr.then(|| oid(7)),
            },
            Some("first words"),
        )
        .await
        .unwrap();
    assert_eq!(d.num, num);
    num
}

async fn discussions_number_list_and_record_events(fx: Fixture) {
    let s = &fx.store;
    let r = repo(s).await;
    let a = open(s, r, false, "alice").await;
    let b = open(s, r, true, "bob").await;
    let c = open(s, r, true, "alice").await;
    assert_eq!(
        (a, b, c),
        (1, 2, 3),
        "discussions and PRs share one sequence"
    );

    let pr = s.discussion(r, b).await.unwrap().unwrap();
    assert!(pr.is_pr);
    assert_eq!(pr.fork, Some(oid(7)));
    assert_eq!(pr.target_ref.as_deref(), Some("refs/heads/main"));

    s.add_discussion_event(
        r,
        b,
        DiscussionEventKind::Comment,
        "alice",
        r#"{"raw":"looks good"}"#,
        DiscussionUpdate::None,
    )
    .await
    .unwrap();
    let merged = DiscussionUpdate::Status {
        status: DiscussionStatus::Merged,
        merge: Some(oid(9)),
    };
    s.add_discussion_event(
        r,
        b,
        DiscussionEventKind::StatusChange,
        "alice",
        r#"{"status":"merged"}"#,
        merged,
    )
    .await
    .unwrap();
    s.add_discussion_event(
        r,
        a,
        DiscussionEventKind::TitleChange,
        "alice",
        "{}",
        DiscussionUpdate::Title("Renamed".into()),
    )
    .await
    .unwrap();

    let pr = s.discussion(r, b).await.unwrap().unwrap();
    assert_eq!((pr.status.as_str(), pr.merge), ("merged", Some(oid(9))));
    assert_eq!(s.discussion(r, a).await.unwrap().unwrap().title, "Renamed");
    let kinds: Vec<&str> = s
        .discussion_events(r, b)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind.as_str())
        .collect();
    assert_eq!(kinds, ["comment", "comment", "status-change"]);

    let all = DiscussionFilter::default();
    let (page, total, closed) = s.list_discussions(r, &all, 0, 2).await.unwrap();
    assert_eq!((total, closed), (3, 1));
    assert_eq!(
        page.iter().map(|d| d.num).collect::<Vec<_>>(),
        [3, 2],
        "newest first"
    );
    let (page, ..) = s.list_discussions(r, &all, 2, 2).await.unwrap();
    assert_eq!(page.iter().map(|d| d.num).collect::<Vec<_>>(), [1]);

    let open_prs = DiscussionFilter {
        pull_requests: Some(true),
        open: Some(true),
        author: None,
    };
    let (page, total, _) = s.list_discussions(r, &open_prs, 0, 50).await.unwrap();
    assert_eq!((page.len(), total), (1, 1));
    assert_eq!(page[0].num, 3);
    let by_alice = DiscussionFilter {
        author: Some("alice".into()),
        ..DiscussionFilter::default()
    };
    let (_, total, _) = s.list_discussions(r, &by_alice, 0, 50).await.unwrap();
    assert_eq!(total, 2);
}

async fn events_on_a_missing_discussion_are_refused(fx: Fixture) {
    let s = &fx.store;
    let r = repo(s).await;
    let err = s
        .add_discussion_event(
            r,
            5,
            DiscussionEventKind::StatusChange,
            "x",
            "{}",
            DiscussionUpdate::Title("t".into()),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, MetaError::NotFound(_)), "{err:?}");
    assert!(s.discussion(r, 5).await.unwrap().is_none());
    assert!(s.discussion_events(r, 5).await.unwrap().is_empty());
}

/// A merge moves the target and marks the pull request merged together, once: a second merge
/// (here through a second store, as another server process) and a merge against a moved target
/// change nothing, and a merged pull request's status cannot change.
async fn a_pull_request_merges_once_with_its_target_in_one_transaction(fx: Fixture) {
    let s = &fx.store;
    let r = repo(s).await;
    let pr = open(s, r, true, "bob").await;
    s.update_ref(r, "refs/heads/main", None, Some(oid(7)))
        .await
        .unwrap()
        .unwrap();
    let merge = PrMerge {
        repo_id: r,
        num: pr,
        target_ref: "refs/heads/main",
        old: oid(7),
        new: oid(8),
        author: "alice",
        comment: Some("thanks"),
    };
    // The target moved since the merge was computed: nothing changes.
    let stale = PrMerge {
        old: oid(6),
        ..merge.clone()
    };
    assert_eq!(
        s.merge_pull_request(&stale).await.unwrap(),
        Err(MergeRefused::TargetMoved(Some(oid(7))))
    );
    assert_eq!(
        s.discussion(r, pr).await.unwrap().unwrap().status.as_str(),
        "draft"
    );

    let seq = s.merge_pull_request(&merge).await.unwrap().unwrap();
    let log = s.log_since(seq - 1, 10).await.unwrap();
    assert_eq!((log[0].old, log[0].new), (Some(oid(7)), Some(oid(8))));
    let d = s.discussion(r, pr).await.unwrap().unwrap();
    assert_eq!((d.status.as_str(), d.merge), ("merged", Some(oid(8))));
    let kinds: Vec<&str> = s
        .discussion_events(r, pr)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind.as_str())
        .collect();
    assert_eq!(kinds, ["comment", "comment", "status-change"]);

    let other = fx.reopen().await;
    let again = PrMerge {
        old: oid(8),
        new: oid(9),
        ..merge
    };
    assert_eq!(
        other.merge_pull_request(&again).await.unwrap(),
        Err(MergeRefused::NotOpen(DiscussionStatus::Merged))
    );
    assert_eq!(s.get_ref(r, "refs/heads/main").await.unwrap(), Some(oid(8)));
    let closed = other
        .add_discussion_event(
            r,
            pr,
            DiscussionEventKind::StatusChange,
            "bob",
            "{}",
            DiscussionUpdate::Status {
                status: DiscussionStatus::Closed,
                merge: None,
            },
        )
        .await;
    assert!(matches!(closed, Err(MetaError::Conflict(_))), "{closed:?}");
    assert_eq!(
        s.discussion(r, pr).await.unwrap().unwrap().status.as_str(),
        "merged"
    );
}
