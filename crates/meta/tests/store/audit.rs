//! The audit trail's hash chain: appends from two processes stay one gap-free chain, and
//! verification names the first broken link of an edited, deleted, reordered or (with a signed
//! checkpoint) truncated-and-recomputed chain.

use commonhold_meta::{AuditAction, AuditEvent, Checkpoint, MetaStore, NewAuditEvent};
use serde_json::json;

use crate::harness::{Fixture, both_backends};

both_backends!(
    appends_from_two_processes_make_one_chain,
    an_edited_event_is_named,
    a_deleted_event_is_named,
    reordered_events_are_named,
    a_recomputed_chain_is_caught_only_by_a_checkpoint,
    a_truncated_chain_is_caught_by_a_checkpoint,
    retention_keeps_the_chain_verifiable,
    events_are_listed_by_repo_and_time,
);

const KEY: &[u8] = b"an audit key from the configuration";

fn event(n: usize, repo: Option<&str>) -> NewAuditEvent {
    NewAuditEvent {
        actor: Some("alice".into()),
        action: AuditAction::VisibilityChanged,
        repo: repo.map(str::to_string),
        detail: json!({ "n": n, "private": n.is_multiple_of(2) }),
    }
}

async fn append(s: &MetaStore, count: usize) -> Vec<AuditEvent> {
    let mut out = Vec::new();
    for n in 0..count {
        out.push(
            s.append_audit(&event(n, Some("model/alice/m")))
                .await
                .unwrap(),
        );
    }
    out
}

/// Runs SQL on the database behind the store's back, as someone with database access would.
async fn tamper(fx: &Fixture, sql: &str) {
    let pool = sqlx::AnyPool::connect(&fx.url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

/// Rewrites event `seq` as `e` (hash recomputed from its fields), as a forger would.
async fn rewrite(fx: &Fixture, e: &AuditEvent) {
    tamper(
        fx,
        &format!(
            "UPDATE audit_events SET detail = '{}', prev_hash = '{}', hash = '{}' WHERE seq = {}",
            e.detail, e.prev_hash, e.hash, e.seq
        ),
    )
    .await;
}

async fn broken_at(s: &MetaStore, checkpoint: Option<&Checkpoint>) -> Option<(i64, String)> {
    s.verify_audit(checkpoint)
        .await
        .unwrap()
        .broken
        .map(|b| (b.seq, b.reason))
}

async fn appends_from_two_processes_make_one_chain(fx: Fixture) {
    let other = fx.reopen().await;
    let (a, b) = tokio::join!(append(&fx.store, 40), append(&other, 40));
    assert_eq!(a.len() + b.len(), 80);
    let report = fx.store.verify_audit(None).await.unwrap();
    assert_eq!(report.broken, None);
    assert_eq!(report.checked, 80);
    assert_eq!(report.head.seq, 80);
    let all = fx.store.audit_events(0, None, None, 1000).await.unwrap();
    let seqs: Vec<i64> = all.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=80).collect::<Vec<_>>());
    for pair in all.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
    }
    // Nothing secret is stored: the detail is what the caller gave.
    assert!(all.iter().all(|e| e.detail.starts_with("{\"n\":")));
}

async fn an_edited_event_is_named(fx: Fixture) {
    append(&fx.store, 5).await;
    tamper(
        &fx,
        "UPDATE audit_events SET detail = '{\"n\":2,\"private\":false}' WHERE seq = 3",
    )
    .await;
    let (seq, reason) = broken_at(&fx.store, None).await.expect("the edit is found");
    assert_eq!(seq, 3);
    assert!(reason.contains("edited"), "{reason}");
    tamper(
        &fx,
        "UPDATE audit_events SET actor = 'mallory' WHERE seq = 1",
    )
    .await;
    assert_eq!(broken_at(&fx.store, None).await.unwrap().0, 1);
}

async fn a_deleted_event_is_named(fx: Fixture) {
    append(&fx.store, 5).await;
    tamper(&fx, "DELETE FROM audit_events WHERE seq = 4").await;
    let (seq, reason) = broken_at(&fx.store, None).await.expect("the gap is found");
    assert_eq!(seq, 4);
    assert!(reason.contains("missing"), "{reason}");
}

async fn reordered_events_are_named(fx: Fixture) {
    append(&fx.store, 5).await;
    // Swap events 2 and 3 (their numbers, so each keeps its own hash).
    tamper(&fx, "UPDATE audit_events SET seq = 100 WHERE seq = 2").await;
    tamper(&fx, "UPDATE audit_events SET seq = 2 WHERE seq = 3").await;
    tamper(&fx, "UPDATE audit_events SET seq = 3 WHERE seq = 100").await;
    let (seq, _) = broken_at(&fx.store, None).await.expect("the swap is found");
    assert_eq!(seq, 2);
}

async fn a_recomputed_chain_is_caught_only_by_a_checkpoint(fx: Fixture) {
    let events = append(&fx.store, 5).await;
    let checkpoint = Checkpoint::sign(&fx.store.audit_head().await.unwrap(), KEY);
    assert!(checkpoint.is_signed_by(KEY));
    assert!(!checkpoint.is_signed_by(b"another key"));
    assert_eq!(broken_at(&fx.store, Some(&checkpoint)).await, None);

    // Edit event 2 and recompute every hash after it, and the head: a consistent forgery.
    let mut prev = events[0].hash.clone();
    for e in &events[1..] {
        let mut forged = e.clone();
        if forged.seq == 2 {
            forged.detail = "{\"n\":1,\"private\":true}".into();
        }
        forged.prev_hash = prev;
        forged.hash = forged.expected_hash();
        rewrite(&fx, &forged).await;
        prev = forged.hash;
    }
    tamper(&fx, &format!("UPDATE audit_head SET hash = '{prev}'")).await;

    assert_eq!(
        broken_at(&fx.store, None).await,
        None,
        "a recomputed chain is consistent on its own"
    );
    let (seq, reason) = broken_at(&fx.store, Some(&checkpoint))
        .await
        .expect("the checkpoint pins the original");
    assert_eq!(seq, 5);
    assert!(reason.contains("checkpoint"), "{reason}");

    // A forged checkpoint does not carry the key's signature.
    let mut forged = checkpoint.clone();
    forged.hash = prev;
    assert!(!forged.is_signed_by(KEY));
}

async fn a_truncated_chain_is_caught_by_a_checkpoint(fx: Fixture) {
    let events = append(&fx.store, 5).await;
    let checkpoint = Checkpoint::sign(&fx.store.audit_head().await.unwrap(), KEY);
    tamper(&fx, "DELETE FROM audit_events WHERE seq > 3").await;
    // Without fixing the head, the cut shows by itself.
    assert_eq!(broken_at(&fx.store, None).await.unwrap().0, 4);
    tamper(
        &fx,
        &format!("UPDATE audit_head SET seq = 3, hash = '{}'", events[2].hash),
    )
    .await;
    assert_eq!(broken_at(&fx.store, None).await, None);
    let (_, reason) = broken_at(&fx.store, Some(&checkpoint))
        .await
        .expect("the checkpoint covers events the chain no longer has");
    assert!(reason.contains("truncated"), "{reason}");
}

async fn retention_keeps_the_chain_verifiable(fx: Fixture) {
    append(&fx.store, 5).await;
    let checkpoint = Checkpoint::sign(&fx.store.audit_head().await.unwrap(), KEY);
    let cut = fx.store.audit_events(0, None, None, 10).await.unwrap()[4].at + 1;
    assert_eq!(fx.store.prune_audit(cut, Some("admin")).await.unwrap(), 5);
    let head = fx.store.audit_head().await.unwrap();
    assert_eq!((head.pruned_seq, head.seq), (5, 6));
    let left = fx.store.audit_events(0, None, None, 10).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].action, "audit.pruned");
    assert!(left[0].detail.contains("\"deleted_events\":5"));
    assert_eq!(broken_at(&fx.store, None).await, None);
    // A checkpoint at the boundary is still compared, with the boundary.
    assert_eq!(broken_at(&fx.store, Some(&checkpoint)).await, None);
    tamper(&fx, "UPDATE audit_head SET pruned_hash = 'forged'").await;
    assert!(broken_at(&fx.store, Some(&checkpoint)).await.is_some());
}

async fn events_are_listed_by_repo_and_time(fx: Fixture) {
    let s = &fx.store;
    s.append_audit(&event(0, Some("model/alice/a")))
        .await
        .unwrap();
    s.append_audit(&event(1, Some("dataset/alice/b")))
        .await
        .unwrap();
    s.append_audit(&event(2, None)).await.unwrap();
    let of_a = s
        .audit_events(0, None, Some("model/alice/a"), 10)
        .await
        .unwrap();
    assert_eq!(of_a.len(), 1);
    assert_eq!(of_a[0].seq, 1);
    assert_eq!(s.audit_events(1, None, None, 10).await.unwrap().len(), 2);
    let future = of_a[0].at + 60_000;
    assert!(
        s.audit_events(0, Some(future), None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}
