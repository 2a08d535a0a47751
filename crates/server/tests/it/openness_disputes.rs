//! Publishers' disputes of openness judgments (shown beside them, never changing them), the
//! re-assessment runs an administrator sees, and the definition page the rules link to.

use crate::common;

use axum::http::StatusCode;
use common::*;
use commonhold_types::Role;
use serde_json::json;

/// A tiny safetensors file.
fn weights() -> Vec<u8> {
    let header = br#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#;
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header);
    out.extend_from_slice(&[0; 8]);
    out
}

/// A model repo holding `card` as its README and tiny weights.
async fn release(h: &TestHub, token: &str, name: &str, private: bool, card: &[u8]) {
    h.create_repo(token, name, "model", private).await;
    let r = h
        .commit(
            token,
            name,
            &[
                header_line("release"),
                file_line("README.md", card),
                file_line("model.safetensors", &weights()),
            ],
        )
        .await;
    assert!(
        r.status.is_success(),
        "{}",
        String::from_utf8_lossy(&r.body)
    );
}

async fn restricted_release(h: &TestHub, token: &str, name: &str, private: bool) {
    let card = b"---\nlicense: llama3.1\nlibrary_name: transformers\n---\n# Tune\n\nAn open source model.\n";
    release(h, token, name, private, card).await;
}

#[tokio::test]
async fn a_writer_disputes_a_judgment_which_stays_as_it_was() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    let bob = h.user("bob", Role::Write).await;
    restricted_release(&h, &alice, "alice/tune", false).await;
    let uri = "/api/models/alice/tune/disputes";
    let body = json!({ "target": "tier", "reason": "The weights were relicensed under Apache-2.0.",
                       "evidence_url": "https://example.org/relicence" });

    let early = h.post_json(uri, Some(&alice), body.clone()).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "not assessed yet");
    h.hub.assess_pending().await.unwrap();
    let before = h.get("/api/models/alice/tune/openness", None).await.json();

    assert_eq!(
        h.post_json(uri, None, body.clone()).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        h.post_json(uri, Some(&bob), body.clone()).await.status,
        StatusCode::FORBIDDEN,
        "only the repo's writers dispute its judgments"
    );
    let unknown = h
        .post_json(
            uri,
            Some(&alice),
            json!({ "target": "OW999", "reason": "x" }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&unknown.body).contains("target"));
    let empty = h
        .post_json(
            uri,
            Some(&alice),
            json!({ "target": "tier", "reason": "  " }),
        )
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    let bad_url = h
        .post_json(
            uri,
            Some(&alice),
            json!({ "target": "tier", "reason": "x", "evidence_url": "javascript:alert(1)" }),
        )
        .await;
    assert_eq!(bad_url.status, StatusCode::BAD_REQUEST);

    let made = h.post_json(uri, Some(&alice), body.clone()).await;
    assert_eq!(
        made.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&made.body)
    );
    let d = made.json();
    assert_eq!(d["target"], "tier");
    assert_eq!(
        d["rule"], before["tier_rule"],
        "the rule of the disputed judgment is recorded"
    );
    assert_eq!(d["commit"], before["root"]);
    let finding = before["findings"][0]["id"].as_str().unwrap().to_owned();
    let on_finding = h
        .post_json(
            uri,
            Some(&alice),
            json!({ "target": finding, "reason": "<b>not</b> so" }),
        )
        .await;
    assert_eq!(on_finding.status, StatusCode::CREATED);

    let list = h.get(uri, None).await.json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[1]["author"], "alice");
    let after = h.get("/api/models/alice/tune/openness", None).await.json();
    assert_eq!(before, after, "a dispute never changes the judgment");

    let page = String::from_utf8(h.get("/alice/tune", None).await.body).unwrap();
    assert_eq!(
        page.matches("<li class=\"comp ").count(),
        17,
        "the 17 components as a grid"
    );
    assert!(page.contains("Disputed by alice"), "disputes are shown");
    assert!(page.contains("The weights were relicensed under Apache-2.0."));
    assert!(
        page.contains("&lt;b&gt;not&lt;/b&gt; so"),
        "dispute text is escaped"
    );
    let tier_rule = before["tier_rule"].as_str().unwrap();
    assert!(page.contains(&format!("/docs/openness/definition#rule-{tier_rule}")));

    // A private repo's disputes are as invisible as the repo.
    restricted_release(&h, &alice, "alice/secret", true).await;
    assert_eq!(
        h.get("/api/models/alice/secret/disputes", Some(&bob))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_repo_page_shows_the_data_information_grade_with_its_quoted_evidence() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    let card = b"---\nlicense: apache-2.0\n---\n# Mix\n\n## Training data\n\nTrained on C4, 156B tokens, filtered for quality.\n\nThe rest is <proprietary> data.\n";
    release(&h, &alice, "alice/mix", false, card).await;
    h.hub.assess_pending().await.unwrap();
    let a = h.get("/api/models/alice/mix/openness", None).await.json();
    let data = &a["data_information"];
    assert_eq!(data["grade"], "partial", "{data}");
    let page = String::from_utf8(h.get("/alice/mix", None).await.body).unwrap();
    let section = page
        .split("<section id=\"data-information\"")
        .nth(1)
        .expect("a data information section on the page")
        .split("</section>")
        .next()
        .unwrap();
    assert!(
        page.find("id=\"components-h\"") < page.find("id=\"data-information\""),
        "beside (after) the components grid"
    );
    assert!(section.contains(">partial</strong>"), "{section}");
    assert!(
        section.contains("/docs/openness/definition#rule-D6"),
        "{section}"
    );
    // Every statement the grade rests on is quoted, escaped, with a link to its line.
    for kind in ["sources", "sizes", "collection", "generic"] {
        for st in data[kind].as_array().unwrap() {
            let quote = st["quote"]
                .as_str()
                .unwrap()
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            assert!(
                section.contains(&format!("<q>{quote}</q>")),
                "{kind}: {quote} in {section}"
            );
            let line = st["evidence"]["line"].as_u64().unwrap();
            assert!(section.contains(&format!(
                "/blob/{}/README.md#L{line}",
                a["root"].as_str().unwrap()
            )));
        }
    }
    assert!(
        section.contains("&lt;proprietary&gt;"),
        "the generic statement, escaped"
    );
    assert!(section.contains("rule-D5"), "{section}");
}

#[tokio::test]
async fn a_base_held_on_this_hub_is_cited_by_its_page_here() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    restricted_release(&h, &alice, "alice/base", false).await;
    h.hub.assess_pending().await.unwrap();
    let card = b"---\nlicense: mit\nbase_model: alice/base\n---\n# Tune\n\nA fine-tune.\n";
    release(&h, &alice, "alice/tune", false, card).await;
    h.hub.assess_pending().await.unwrap();
    let a = h.get("/api/models/alice/tune/openness", None).await.json();
    let ow006 = a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "OW006")
        .unwrap_or_else(|| panic!("{a}"));
    let urls: Vec<&str> = ow006["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["url"].as_str())
        .collect();
    let here = format!("{}/alice/base", PUBLIC.trim_end_matches('/'));
    assert_eq!(urls, [here.as_str()], "{ow006}");
    // The base's licence, inherited, is listed with the base it came from.
    let inherited = a["licences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["inherited_from"] == "alice/base")
        .unwrap_or_else(|| panic!("{a}"));
    assert_eq!(inherited["scope"], "weights");
    assert_eq!(inherited["evidence"]["url"], here.as_str());
    let page = String::from_utf8(h.get("/alice/tune", None).await.body).unwrap();
    assert!(
        page.contains(&format!("<a href=\"{here}\"")),
        "linked on the page"
    );
    assert!(page.contains("inherited from base <code>alice/base</code>"));
}

#[tokio::test]
async fn the_definition_page_anchors_every_rule() {
    let h = TestHub::new().await;
    let page = h.get("/docs/openness/definition", None).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = String::from_utf8(page.body).unwrap();
    for rule in ["T2", "G3", "D6", "K4", "R1"] {
        assert!(text.contains(&format!("id=\"rule-{rule}\"")), "{rule}");
    }
}

#[tokio::test]
async fn a_knowledge_change_reassesses_every_repo_and_records_what_changed() {
    let h = TestHub::new().await;
    let alice = h.user("alice", Role::Write).await;
    let admin_account = h.meta.create_user("root", true).await.unwrap();
    let admin = commonhold_hub::generate_token();
    h.meta
        .create_token(
            admin_account.id,
            "t",
            Role::Write,
            &commonhold_hub::hash_token(&admin),
        )
        .await
        .unwrap();
    assert!(
        h.hub.queue_reassess_if_changed().await.unwrap().is_none(),
        "nothing to re-assess"
    );
    restricted_release(&h, &alice, "alice/tune", false).await;
    h.hub.assess_pending().await.unwrap();
    // Pretend the stored judgment said something else, as an older definition might have.
    let repo = h
        .meta
        .repo_by_name(
            commonhold_types::RepoType::Model,
            &"alice/tune".parse().unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    let head = h.hub.resolve(&repo, "main").await.unwrap().commit;
    let mut old = h.hub.assessment(&repo, &head).await.unwrap().unwrap();
    old["tier"] = json!("open-weights");
    old["definition_version"] = json!("2026.1");
    h.meta
        .put_assessment(repo.id, &head, &old.to_string())
        .await
        .unwrap();

    let site = commonhold_assess::Knowledge::parse(
        &commonhold_assess::knowledge::BUILTIN_TEXT.replace("2026.2.0", "site-1"),
        "/srv/families.toml",
    )
    .unwrap();
    assert!(h.hub.set_knowledge(site));
    let run = h
        .hub
        .queue_reassess_if_changed()
        .await
        .unwrap()
        .expect("queued");
    assert!(
        h.hub.queue_reassess_if_changed().await.unwrap().is_none(),
        "queued once"
    );
    let summary = h.hub.run_next_reassess().await.unwrap().expect("worked");
    assert_eq!((summary.run_id, summary.repos), (run.id, 1));
    assert_eq!(summary.changed.len(), 1);
    let now = h.hub.assessment(&repo, &head).await.unwrap().unwrap();
    assert_eq!(
        now["knowledge"]["version"], "site-1",
        "re-assessed with the new knowledge"
    );
    assert_eq!(now["tier"], "restricted-weights");

    assert_eq!(
        h.get("/api/admin/reassessments", Some(&alice)).await.status,
        StatusCode::FORBIDDEN
    );
    let runs = h.get("/api/admin/reassessments", Some(&admin)).await.json();
    let r = &runs[0];
    assert_eq!(
        (r["status"].as_str(), r["reposChanged"].as_i64()),
        (Some("done"), Some(1))
    );
    assert_eq!(r["knowledgeVersion"], "site-1");
    assert_eq!(r["repos"][0]["repo"], "alice/tune");
    assert_eq!(r["repos"][0]["tierBefore"], "open-weights");
    assert_eq!(r["repos"][0]["tierAfter"], "restricted-weights");
    assert_eq!(r["repos"][0]["definitionBefore"], "2026.1");

    assert_eq!(
        h.get("/settings/reassessments", Some(&alice)).await.status,
        StatusCode::NOT_FOUND
    );
    let page = h.get("/settings/reassessments", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = String::from_utf8(page.body).unwrap();
    assert!(
        text.contains("alice/tune") && text.contains("changed"),
        "{text}"
    );

    // An administrator's read token sees the runs but starts none: a read token changes nothing.
    let admin_reader = h.user("root", Role::Read).await;
    assert_eq!(
        h.get("/api/admin/reassessments", Some(&admin_reader))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        h.call("POST", "/api/admin/reassess", Some(&admin_reader), "")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let queued = h
        .call("POST", "/api/admin/reassess", Some(&admin), "")
        .await;
    assert_eq!(queued.status, StatusCode::ACCEPTED);
    assert_eq!(
        h.call("POST", "/api/admin/reassess", Some(&alice), "")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
