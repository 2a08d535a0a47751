//! Users, organisations, memberships and tokens.

use commonhold_meta::{AccountKind, MetaError, OrgRole};
use commonhold_types::Role;

use crate::harness::{Fixture, both_backends};

both_backends!(
    users_and_orgs_share_one_case_insensitive_namespace,
    memberships_upsert_and_list,
    tokens_are_found_by_hash_until_revoked
);

async fn users_and_orgs_share_one_case_insensitive_namespace(fx: Fixture) {
    let s = &fx.store;
    let alice = s.create_user("Alice", true).await.unwrap();
    assert_eq!(
        (alice.name.as_str(), alice.kind, alice.is_admin),
        ("Alice", AccountKind::User, true)
    );
    assert!(alice.created_at > 0);

    for clash in [
        s.create_user("alice", false).await,
        s.create_org("ALICE").await,
    ] {
        match clash {
            Err(MetaError::Conflict(msg)) => assert!(msg.contains("taken"), "{msg}"),
            other => panic!("expected a conflict, got {other:?}"),
        }
    }
    let acme = s.create_org("acme").await.unwrap();
    assert!(matches!(
        s.create_user("Acme", false).await,
        Err(MetaError::Conflict(_))
    ));
    assert!(matches!(
        s.create_user("bad name", false).await,
        Err(MetaError::Invalid(_))
    ));

    assert_eq!(
        s.account_by_name("aLiCe").await.unwrap(),
        Some(alice.clone())
    );
    assert_eq!(
        s.account_by_id(acme.id).await.unwrap().map(|a| a.kind),
        Some(AccountKind::Org)
    );
    assert_eq!(s.account_by_name("nobody").await.unwrap(), None);
    assert_eq!(
        s.account_by_id(alice.id + acme.id + 100).await.unwrap(),
        None
    );
}

async fn memberships_upsert_and_list(fx: Fixture) {
    let s = &fx.store;
    let bob = s.create_user("bob", false).await.unwrap();
    let acme = s.create_org("acme").await.unwrap();
    let beta = s.create_org("Beta").await.unwrap();
    assert_eq!(s.member_role(acme.id, bob.id).await.unwrap(), None);

    s.add_member(acme.id, bob.id, OrgRole::Read).await.unwrap();
    s.add_member(acme.id, bob.id, OrgRole::Admin).await.unwrap();
    s.add_member(beta.id, bob.id, OrgRole::Write).await.unwrap();
    assert_eq!(
        s.member_role(acme.id, bob.id).await.unwrap(),
        Some(OrgRole::Admin)
    );

    let orgs = s.orgs_of(bob.id).await.unwrap();
    let names: Vec<_> = orgs.iter().map(|(a, r)| (a.name.as_str(), *r)).collect();
    assert_eq!(names, [("acme", OrgRole::Admin), ("Beta", OrgRole::Write)]);

    // Only a user can join, and only an organisation can be joined.
    assert!(matches!(
        s.add_member(bob.id, acme.id, OrgRole::Read).await,
        Err(MetaError::NotFound(_))
    ));
    assert!(matches!(
        s.add_member(acme.id, 999_999, OrgRole::Read).await,
        Err(MetaError::NotFound(_))
    ));
    assert!(s.orgs_of(acme.id).await.unwrap().is_empty());
}

async fn tokens_are_found_by_hash_until_revoked(fx: Fixture) {
    let s = &fx.store;
    let carol = s.create_user("carol", false).await.unwrap();
    let org = s.create_org("corp").await.unwrap();
    let (h1, h2, h3) = ([1u8; 32], [2u8; 32], [3u8; 32]);
    let t1 = s
        .create_token(carol.id, "laptop", Role::Write, &h1)
        .await
        .unwrap();
    let t2 = s
        .create_token(carol.id, "ci", Role::Read, &h2)
        .await
        .unwrap();
    assert_ne!(t1, t2);
    assert!(matches!(
        s.create_token(org.id, "x", Role::Read, &h3).await,
        Err(MetaError::NotFound(_))
    ));
    assert!(matches!(
        s.create_token(carol.id, "dup", Role::Read, &h1).await,
        Err(MetaError::Conflict(_))
    ));

    let (info, account) = s.token_by_hash(&h1).await.unwrap().expect("live token");
    assert_eq!(
        (info.id, info.user_id, info.role, info.revoked),
        (t1, carol.id, Role::Write, false)
    );
    assert_eq!(info.display_name, "laptop");
    assert_eq!(account, carol);
    assert_eq!(s.token_by_hash(&h3).await.unwrap(), None);

    assert_eq!(s.revoke_token(carol.id, "laptop").await.unwrap(), 1);
    assert_eq!(s.revoke_token(carol.id, "laptop").await.unwrap(), 0);
    assert_eq!(s.revoke_token(org.id, "ci").await.unwrap(), 0);
    assert_eq!(s.token_by_hash(&h1).await.unwrap(), None);
    assert_eq!(
        s.token_by_hash(&h2).await.unwrap().map(|(t, _)| t.id),
        Some(t2)
    );

    let listed: Vec<_> = s
        .list_tokens(carol.id)
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.id, t.revoked))
        .collect();
    assert_eq!(listed, [(t1, true), (t2, false)]);
}
