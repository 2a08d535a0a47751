//! Writers racing each other, in one process and in two (two `Hub`s on one database).

use commonhold_hub::{Hub, HubError, openness_summary};

use crate::support::{commit_with, fixture, open};

/// Summaries are written after the ref moves, so a slow writer finishes after a faster later
/// one: the later head must stay.
#[tokio::test]
async fn a_late_summary_never_moves_the_head_back() {
    let f = fixture().await;
    let repo = f.repo("m").await;
    let a = f
        .commit(
            &repo,
            "main",
            &[("README.md", b"---\nlicense: mit\n---\n# A")],
        )
        .await;
    let b = f.commit(&repo, "main", &[("README.md", b"# B")]).await;
    let log = f.meta.log_since(0, 100).await.unwrap();
    let seq_a = log.iter().find(|e| e.new == Some(a)).unwrap().seq;
    f.hub.refresh_summary(&repo, &a, seq_a).await.unwrap();
    let stored = f.reload(&repo).await.summary;
    assert_eq!(stored.sha, Some(b), "A's late summary is dropped");
    assert!(stored.tags.iter().all(|t| t != "license:mit"), "{stored:?}");
}

/// Many commits through two processes while the assessor runs: when all is done the summary
/// names the head of `main`, with the head's own openness.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_commits_and_the_assessor_leave_the_summary_at_the_head() {
    let f = fixture().await;
    let repo = f.repo("m").await;
    let other = open(&f.dir).await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let assessor = {
        let (hub, stop) = (other.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::Acquire) {
                hub.assess_pending().await.unwrap();
                tokio::task::yield_now().await;
            }
        })
    };
    let writers: Vec<_> = (0..6)
        .map(|w| {
            let hub: Hub = if w % 2 == 0 {
                f.hub.clone()
            } else {
                other.clone()
            };
            let (who, repo) = (f.who.clone(), repo.clone());
            tokio::spawn(async move {
                for i in 0..5 {
                    let text = format!("---\ntags: [w{w}-{i}]\n---\n# writer {w}, commit {i}");
                    commit_with(&hub, &who, &repo, "main", &[("README.md", text.as_bytes())]).await;
                }
            })
        })
        .collect();
    for w in writers {
        w.await.unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Release);
    assessor.await.unwrap();
    while f.hub.assess_pending().await.unwrap() > 0 {}

    let head = f
        .meta
        .get_ref(repo.id, "refs/heads/main")
        .await
        .unwrap()
        .unwrap();
    let stored = f.reload(&repo).await.summary;
    assert_eq!(stored.sha, Some(head));
    let readme = f.hub.readme(&head).await.unwrap().unwrap();
    let tag = readme.split(['[', ']']).nth(1).unwrap();
    assert!(stored.tags.iter().any(|t| t == tag), "{stored:?} {readme}");
    let assessment = f.hub.assessment(&repo, &head).await.unwrap().unwrap();
    assert_eq!(
        stored.openness,
        Some(openness_summary(
            &serde_json::from_value(assessment).unwrap()
        ))
    );
}

/// Merges of one pull request from two processes at once: one lands, the others are refused,
/// and no merge commit has the same parent twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_merges_of_one_pull_request_land_once() {
    let f = fixture().await;
    let repo = f.repo("m").await;
    f.commit(&repo, "main", &[("a.txt", b"a0")]).await;
    let pr = f
        .hub
        .open_discussion(&repo, &f.who.account, "Change b", "", true)
        .await
        .unwrap();
    f.commit(&repo, &format!("refs/pr/{}", pr.num), &[("b.txt", b"b1")])
        .await;
    // main moves on, so the merge is a three-way merge with a merge commit.
    let before = f.commit(&repo, "main", &[("c.txt", b"c1")]).await;
    let other = open(&f.dir).await;
    let merges: Vec<_> = (0..8)
        .map(|i| {
            let hub: Hub = if i % 2 == 0 {
                f.hub.clone()
            } else {
                other.clone()
            };
            let (who, repo) = (f.who.account.clone(), repo.clone());
            tokio::spawn(async move { hub.merge_pr(&repo, &who, pr.num, Some("merging")).await })
        })
        .collect();
    let mut landed = Vec::new();
    for m in merges {
        match m.await.unwrap() {
            Ok(head) => landed.push(head),
            Err(HubError::Conflict(msg)) => assert!(msg.contains("merged"), "{msg}"),
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(landed.len(), 1, "one merge lands");
    let head = f
        .meta
        .get_ref(repo.id, "refs/heads/main")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(head, landed[0]);
    let merge = f.hub.commit(&head).await.unwrap();
    assert_eq!(merge.parents.len(), 2);
    assert_eq!(
        merge.parents[0], before,
        "merged once, onto the head before it"
    );
    let d = f.hub.discussion(&repo, pr.num).await.unwrap();
    assert_eq!((d.status.as_str(), d.merge), ("merged", Some(head)));
    let events = f.meta.discussion_events(repo.id, pr.num).await.unwrap();
    let statuses = events
        .iter()
        .filter(|e| e.kind.as_str() == "status-change")
        .count();
    let comments = events
        .iter()
        .filter(|e| e.kind.as_str() == "comment")
        .count();
    assert_eq!((statuses, comments), (1, 1), "{events:?}");
}

/// Closing a pull request while it merges: either the merge lands and the pull request stays
/// merged, or it is closed and nothing merged.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn closing_and_merging_at_once_never_leave_a_closed_merged_pull_request() {
    let f = fixture().await;
    let repo = f.repo("m").await;
    let pr = f
        .hub
        .open_discussion(&repo, &f.who.account, "Change b", "", true)
        .await
        .unwrap();
    f.commit(&repo, &format!("refs/pr/{}", pr.num), &[("b.txt", b"b1")])
        .await;
    let start = f.meta.get_ref(repo.id, "refs/heads/main").await.unwrap();
    let other = open(&f.dir).await;
    let (who, repo2) = (f.who.account.clone(), repo.clone());
    let merge = tokio::spawn(async move { other.merge_pr(&repo2, &who, pr.num, None).await });
    let close = f
        .hub
        .set_discussion_status(&repo, &f.who.account, pr.num, "closed", None)
        .await;
    let merged = merge.await.unwrap();
    let d = f.hub.discussion(&repo, pr.num).await.unwrap();
    let main = f.meta.get_ref(repo.id, "refs/heads/main").await.unwrap();
    match (merged, close) {
        (Ok(head), Err(HubError::Conflict(_))) => {
            assert_eq!((d.status.as_str(), main), ("merged", Some(head)));
        }
        (Err(HubError::Conflict(_)), Ok(_)) => {
            assert_eq!((d.status.as_str(), main), ("closed", start));
        }
        (m, c) => panic!("merge {m:?}, close {c:?}, status {}", d.status),
    }
}
