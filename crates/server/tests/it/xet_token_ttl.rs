//! The configured Xet token lifetime (`xet_token_ttl_secs` in the config file or
//! `COMMONHOLD_XET_TOKEN_TTL_SECS`) wins over the database setting, and every issued token is
//! counted, so the client suite can see refreshes from `GET /metrics`.

use crate::common;

use axum::http::StatusCode;
use common::{PUBLIC, TestHub};
use commonhold_hub::HubConfig;
use commonhold_types::Role;

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn tokens_issued(metrics: &[u8]) -> u64 {
    let text = String::from_utf8(metrics.to_vec()).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("commonhold_xet_tokens_issued_total "))
        .expect("the token counter is exported")
        .parse()
        .unwrap()
}

#[tokio::test]
async fn configured_ttl_overrides_the_setting_and_tokens_are_counted() {
    let t = TestHub::with_config(HubConfig {
        public_url: PUBLIC.into(),
        xet_token_ttl_secs: Some(2),
        ..HubConfig::default()
    })
    .await;
    let alice = t.user("alice", Role::Write).await;
    t.meta
        .set_setting_if_absent("xet_token_ttl_secs", "3600")
        .await
        .unwrap();
    assert_eq!(
        t.create_repo(&alice, "alice/m", "model", false)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(tokens_issued(&t.get("/metrics", None).await.body), 0);
    for route in ["xet-write-token", "xet-read-token"] {
        let before = now_secs();
        let r = t
            .get(&format!("/api/models/alice/m/{route}/main"), Some(&alice))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let exp = r.json()["exp"].as_i64().unwrap();
        assert!(
            (before + 2..=now_secs() + 2).contains(&exp),
            "{route}: exp {exp} is not 2 s from now ({before})"
        );
    }
    // A refused request issues nothing.
    assert_eq!(
        t.get("/api/models/alice/m/xet-write-token/main", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(tokens_issued(&t.get("/metrics", None).await.body), 2);
}

#[tokio::test]
async fn without_configuration_the_setting_decides() {
    let t = TestHub::new().await;
    let alice = t.user("alice", Role::Write).await;
    t.meta
        .set_setting_if_absent("xet_token_ttl_secs", "120")
        .await
        .unwrap();
    t.create_repo(&alice, "alice/m", "model", false).await;
    let before = now_secs();
    let r = t
        .get("/api/models/alice/m/xet-write-token/main", Some(&alice))
        .await;
    let exp = r.json()["exp"].as_i64().unwrap();
    assert!(
        (before + 120..=now_secs() + 120).contains(&exp),
        "exp {exp}"
    );
}
