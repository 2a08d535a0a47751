//! Gating settings and access requests: one request per (repo, user) moving between pending,
//! accepted and rejected, each change recorded in the audit trail in its own transaction.

use commonhold_meta::{
    AccessDecision, AuditAction, MetaError, MetaStore, NewAccessRequest, NewAuditEvent, Repo,
    RepoQuery,
};
use commonhold_types::{AccessStatus, Gating, RepoType};
use serde_json::json;

use crate::harness::{Fixture, both_backends};

both_backends!(
    gating_is_a_setting_and_a_listing_filter,
    requests_move_between_lists_and_are_audited,
    rejected_users_cannot_ask_again_and_grants_expire,
);

fn audit(action: AuditAction) -> NewAuditEvent {
    NewAuditEvent {
        actor: Some("owner".into()),
        action,
        repo: Some("model/owner/m".into()),
        detail: json!({}),
    }
}

async fn setup(s: &MetaStore) -> (Repo, i64, i64) {
    let owner = s.create_user("owner", false).await.unwrap();
    let bob = s.create_user("bob", false).await.unwrap();
    let repo = s
        .create_repo(
            RepoType::Model,
            &"owner/m".parse().unwrap(),
            owner.id,
            false,
        )
        .await
        .unwrap();
    (repo, owner.id, bob.id)
}

async fn gating_is_a_setting_and_a_listing_filter(fx: Fixture) {
    let s = &fx.store;
    let (repo, owner, _) = setup(s).await;
    s.create_repo(
        RepoType::Model,
        &"owner/open".parse().unwrap(),
        owner,
        false,
    )
    .await
    .unwrap();
    assert_eq!(repo.gating, Gating::Open);
    s.set_gating(
        repo.id,
        Gating::Manual,
        Some(30),
        &audit(AuditAction::GatingChanged),
    )
    .await
    .unwrap();
    let got = s.repo_by_id(repo.id).await.unwrap().unwrap();
    assert_eq!(
        (got.gating, got.default_access_days),
        (Gating::Manual, Some(30))
    );

    let names = |gated| async move {
        let q = RepoQuery {
            gated,
            ..RepoQuery::new(RepoType::Model)
        };
        let mut names: Vec<String> = s
            .list_repos(&q)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.name.to_string())
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(Some(true)).await, ["owner/m"]);
    assert_eq!(names(Some(false)).await, ["owner/open"]);
    assert_eq!(names(None).await, ["owner/m", "owner/open"]);

    s.set_gating(
        repo.id,
        Gating::Open,
        None,
        &audit(AuditAction::GatingChanged),
    )
    .await
    .unwrap();
    let got = s.repo_by_id(repo.id).await.unwrap().unwrap();
    assert_eq!((got.gating, got.default_access_days), (Gating::Open, None));
    let events = s.audit_events(0, None, None, 100).await.unwrap();
    assert_eq!(
        events.iter().filter(|e| e.action == "repo.gating").count(),
        2
    );
}

async fn requests_move_between_lists_and_are_audited(fx: Fixture) {
    let s = &fx.store;
    let (repo, owner, bob) = setup(s).await;
    let asked = s
        .request_access(
            repo.id,
            bob,
            &NewAccessRequest {
                fields: json!({"Affiliation": "Uni"}),
                terms_sha256: Some("ab".repeat(32)),
                accept_now: false,
                expires_at: None,
            },
            &audit(AuditAction::AccessRequested),
        )
        .await
        .unwrap();
    assert_eq!(asked.status, AccessStatus::Pending);
    assert_eq!(asked.user_name, "bob");
    assert_eq!(asked.fields, json!({"Affiliation": "Uni"}));
    assert!(!asked.grants_at(asked.created_at));
    let pending = s
        .access_requests(repo.id, AccessStatus::Pending, 0, 10)
        .await
        .unwrap();
    assert_eq!(pending, vec![asked.clone()]);

    let accept = AccessDecision {
        status: AccessStatus::Accepted,
        reason: None,
        decided_by: owner,
        expires_at: None,
    };
    let accepted = s
        .decide_access(repo.id, bob, &accept, &audit(AuditAction::AccessAccepted))
        .await
        .unwrap();
    assert_eq!(accepted.decided_by, Some(owner));
    assert!(accepted.grants_at(accepted.created_at));
    // Already in the accepted list: the Hub answers 404, which NotFound becomes.
    assert!(matches!(
        s.decide_access(repo.id, bob, &accept, &audit(AuditAction::AccessAccepted))
            .await,
        Err(MetaError::NotFound(_))
    ));
    let reject = AccessDecision {
        status: AccessStatus::Rejected,
        reason: Some("not a researcher".into()),
        ..accept.clone()
    };
    let rejected = s
        .decide_access(repo.id, bob, &reject, &audit(AuditAction::AccessRejected))
        .await
        .unwrap();
    assert_eq!(rejected.reason.as_deref(), Some("not a researcher"));
    assert!(
        s.access_requests(repo.id, AccessStatus::Accepted, 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // No request at all from the owner.
    assert!(matches!(
        s.decide_access(repo.id, owner, &accept, &audit(AuditAction::AccessAccepted))
            .await,
        Err(MetaError::NotFound(_))
    ));
    let actions: Vec<String> = s
        .audit_events(0, None, None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        ["access.requested", "access.accepted", "access.rejected"]
    );
}

async fn rejected_users_cannot_ask_again_and_grants_expire(fx: Fixture) {
    let s = &fx.store;
    let (repo, owner, bob) = setup(s).await;
    let ask = NewAccessRequest {
        fields: json!({}),
        terms_sha256: None,
        accept_now: true,
        expires_at: Some(i64::MAX),
    };
    let auto = s
        .request_access(repo.id, bob, &ask, &audit(AuditAction::AccessRequested))
        .await
        .unwrap();
    assert_eq!(auto.status, AccessStatus::Accepted);
    assert_eq!(auto.decided_by, None);
    let grant = AccessDecision {
        status: AccessStatus::Accepted,
        reason: None,
        decided_by: owner,
        expires_at: None,
    };
    assert!(matches!(
        s.grant_access(repo.id, bob, &grant, &audit(AuditAction::AccessGranted))
            .await,
        Err(MetaError::Conflict(_))
    ));
    // Once expired, the grant no longer counts, and may be granted again.
    s.set_access_expiry(
        repo.id,
        bob,
        Some(1),
        &audit(AuditAction::AccessExpiryChanged),
    )
    .await
    .unwrap();
    let expired = s.access_request(repo.id, bob).await.unwrap().unwrap();
    assert!(!expired.grants_at(expired.created_at));
    let again = s
        .grant_access(repo.id, bob, &grant, &audit(AuditAction::AccessGranted))
        .await
        .unwrap();
    assert_eq!(
        (again.status, again.expires_at),
        (AccessStatus::Accepted, None)
    );
    // A direct grant to someone who never asked creates the row.
    let carol = s.create_user("carol", false).await.unwrap();
    let granted = s
        .grant_access(
            repo.id,
            carol.id,
            &grant,
            &audit(AuditAction::AccessGranted),
        )
        .await
        .unwrap();
    assert_eq!(granted.status, AccessStatus::Accepted);

    let reject = AccessDecision {
        status: AccessStatus::Rejected,
        ..grant
    };
    s.decide_access(repo.id, bob, &reject, &audit(AuditAction::AccessRejected))
        .await
        .unwrap();
    assert!(matches!(
        s.request_access(repo.id, bob, &ask, &audit(AuditAction::AccessRequested))
            .await,
        Err(MetaError::Conflict(_))
    ));
    // Deleting the repo takes its requests with it.
    s.delete_repo(repo.id).await.unwrap();
    assert_eq!(s.access_request(repo.id, carol.id).await.unwrap(), None);
}
