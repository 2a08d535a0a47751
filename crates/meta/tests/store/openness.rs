//! Disputes of judgments and re-assessment runs: stored beside assessments, claimed by one
//! process at a time, resumable from their cursor.

use commonhold_meta::{MetaStore, NewDispute, ReassessChange};
use commonhold_types::{RepoName, RepoType};

use crate::harness::{Fixture, both_backends, oid};

both_backends!(
    disputes_are_stored_and_listed_newest_first,
    a_run_is_claimed_once_recorded_and_finished,
    a_stale_claim_is_taken_over,
);

async fn repo(s: &MetaStore, name: &str) -> i64 {
    let owner = match s.account_by_name("owner").await.unwrap() {
        Some(a) => a,
        None => s.create_user("owner", false).await.unwrap(),
    };
    let name: RepoName = format!("owner/{name}").parse().unwrap();
    s.create_repo(RepoType::Model, &name, owner.id, false)
        .await
        .unwrap()
        .id
}

async fn disputes_are_stored_and_listed_newest_first(fx: Fixture) {
    let s = &fx.store;
    let r = repo(s, "m").await;
    let first = s
        .insert_dispute(&NewDispute {
            repo_id: r,
            commit: oid(1),
            target: "OW006",
            rule: Some("G3"),
            author: "owner",
            reason: "The base was relicensed under Apache-2.0 in March.",
            evidence_url: Some("https://example.org/relicence"),
        })
        .await
        .unwrap();
    assert_eq!(first.rule.as_deref(), Some("G3"));
    assert_eq!(first.commit, oid(1));
    s.insert_dispute(&NewDispute {
        repo_id: r,
        commit: oid(2),
        target: "tier",
        rule: None,
        author: "owner",
        reason: "second",
        evidence_url: None,
    })
    .await
    .unwrap();
    let list = s.disputes(r, 10).await.unwrap();
    assert_eq!(
        list.iter().map(|d| d.reason.as_str()).collect::<Vec<_>>(),
        ["second", first.reason.as_str()]
    );
    assert_eq!(s.disputes(r, 1).await.unwrap().len(), 1);
    assert_eq!(s.count_disputes_by(r, "owner").await.unwrap(), 2);
    assert_eq!(s.count_disputes_by(r, "someone").await.unwrap(), 0);
    let missing = s
        .insert_dispute(&NewDispute {
            repo_id: r + 1000,
            commit: oid(1),
            target: "tier",
            rule: None,
            author: "owner",
            reason: "x",
            evidence_url: None,
        })
        .await;
    assert!(missing.is_err(), "a dispute needs its repo");
}

fn change(run_id: i64, repo_id: i64, before: Option<&str>, after: &str) -> ReassessChange {
    ReassessChange {
        run_id,
        repo_id,
        repo_type: "model".into(),
        repo_name: format!("owner/r{repo_id}"),
        commit: oid(9),
        tier_before: before.map(str::to_owned),
        tier_after: after.into(),
        definition_before: Some("2026.1".into()),
        findings_added: vec!["OW006".into(), "OW007".into()],
        findings_removed: vec![],
        changed: before != Some(after),
        at: 0,
    }
}

async fn a_run_is_claimed_once_recorded_and_finished(fx: Fixture) {
    let s = &fx.store;
    let a = repo(s, "a").await;
    let b = repo(s, "b").await;
    let run = s
        .enqueue_reassess("test", "2026.2", "2026.2.0", "abc")
        .await
        .unwrap();
    assert_eq!(run.status, commonhold_types::ReassessStatus::Queued);
    let again = s
        .enqueue_reassess("again", "2026.2", "2026.2.0", "abc")
        .await
        .unwrap();
    assert_eq!(
        again.id, run.id,
        "an identical queued run is not queued twice"
    );

    let other = fx.reopen().await;
    let claimed = s.claim_reassess(60_000).await.unwrap().expect("claimed");
    assert_eq!((claimed.id, claimed.status.as_str()), (run.id, "running"));
    assert!(
        other.claim_reassess(60_000).await.unwrap().is_none(),
        "a fresh claim is not taken by another process"
    );

    let walk = s.repos_after(0, 10).await.unwrap();
    assert_eq!(walk.iter().map(|r| r.id).collect::<Vec<_>>(), [a, b]);
    assert_eq!(s.repos_after(a, 10).await.unwrap().len(), 1);
    s.record_reassess(
        run.id,
        a,
        Some(&change(
            run.id,
            a,
            Some("open-weights"),
            "restricted-weights",
        )),
    )
    .await
    .unwrap();
    s.record_reassess(
        run.id,
        b,
        Some(&change(run.id, b, Some("closed"), "closed")),
    )
    .await
    .unwrap();
    s.finish_reassess(run.id).await.unwrap();
    let done = s.reassess_run(run.id).await.unwrap().unwrap();
    assert_eq!(
        (
            done.status.as_str(),
            done.repos_done,
            done.repos_changed,
            done.cursor_repo_id
        ),
        ("done", 2, 1, b)
    );
    assert!(done.finished_at.is_some());
    let changes = s.reassess_changes(run.id, 10).await.unwrap();
    assert_eq!(changes.len(), 2);
    assert!(changes[0].changed, "changed repos come first");
    assert_eq!(changes[0].tier_before.as_deref(), Some("open-weights"));
    assert_eq!(changes[0].findings_added, ["OW006", "OW007"]);
    assert!(changes[0].findings_removed.is_empty());
    assert_eq!(s.reassess_runs(5).await.unwrap()[0].id, run.id);
    assert!(
        s.claim_reassess(60_000).await.unwrap().is_none(),
        "nothing left"
    );
}

async fn a_stale_claim_is_taken_over(fx: Fixture) {
    let s = &fx.store;
    let a = repo(s, "a").await;
    let run = s.enqueue_reassess("t", "2026.2", "v", "sha").await.unwrap();
    s.claim_reassess(60_000)
        .await
        .unwrap()
        .expect("first claim");
    s.record_reassess(run.id, a, None).await.unwrap();
    // A claim older than the staleness bound (here: any claim at all) is taken over, and the
    // run resumes from its cursor.
    let resumed = s.claim_reassess(-1).await.unwrap().expect("taken over");
    assert_eq!((resumed.id, resumed.cursor_repo_id), (run.id, a));
}
