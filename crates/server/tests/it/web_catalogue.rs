//! The web catalogue and its exports, through the router with `oneshot`: pages for each route,
//! privacy, an inert hostile card, evidence links that land on a line, and exports checked by
//! the offline validators of `shared/reference/catalogue-standards` when they are installed.

use crate::common;

use std::path::PathBuf;

use common::{TestHub, file_line, header_line};
use commonhold_types::Role;

const GOOD_README: &str = "---\nlicense: apache-2.0\npipeline_tag: text-classification\nlanguage: en\n\
tags:\n- sentiment\ndatasets:\n- alice/reviews\nfunding:\n- funder: European Commission\n  grant_id: \"101070000\"\n  programme: Horizon Europe\n---\n\
# Good model\n\nA zebra-striped sentiment classifier.\n\n<script>alert('card')</script>\n\n\
[click me](javascript:alert(1)) <a href=\"javascript:alert(2)\" onclick=\"x()\">raw</a>\n";

const APACHE: &str = "                                 Apache License\n                           Version 2.0, January 2004\n                        http://www.apache.org/licenses/\n";

/// A hub holding a public model with a hostile card, a llama3-licensed model, a private
/// model, a gated model and a dataset, all assessed.
async fn seeded() -> (TestHub, String) {
    let h = TestHub::new().await;
    let token = h.user("alice", Role::Write).await;
    for (name, kind, private) in [
        ("alice/good", "model", false),
        ("alice/llama-ft", "model", false),
        ("alice/secret", "model", true),
        ("alice/gated", "model", false),
        ("alice/reviews", "dataset", false),
    ] {
        let r = h.create_repo(&token, name, kind, private).await;
        assert!(
            r.status.is_success(),
            "{name}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    let commit = |repo: &'static str, files: Vec<(&'static str, String)>| {
        let mut lines = vec![header_line("add files")];
        lines.extend(files.iter().map(|(p, c)| file_line(p, c.as_bytes())));
        (repo, lines)
    };
    let commits = [
        commit(
            "alice/good",
            vec![
                ("README.md", GOOD_README.into()),
                ("LICENSE", APACHE.into()),
                ("config.json", "{\"model_type\": \"bert\"}".into()),
            ],
        ),
        commit(
            "alice/llama-ft",
            vec![(
                "README.md",
                "---\nlicense: llama3\n---\n# Llama fine-tune\n".into(),
            )],
        ),
        commit(
            "alice/secret",
            vec![(
                "README.md",
                "---\nlicense: mit\n---\n# zebra secret\n".into(),
            )],
        ),
        commit(
            "alice/gated",
            vec![("README.md", "---\nlicense: mit\n---\n# Gated\n".into())],
        ),
    ];
    for (repo, lines) in commits {
        let r = h.commit(&token, repo, &lines).await;
        assert!(
            r.status.is_success(),
            "{repo}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    let ds = vec![
        header_line("data"),
        file_line(
            "README.md",
            b"---\nlicense: cc-by-4.0\nlanguage: en\n---\n# Reviews\n\nShort product reviews.\n",
        ),
        file_line("train.csv", b"text,label\ngood,1\nbad,0\n"),
    ];
    let r = h
        .commit_to(&token, "/api/datasets/alice/reviews/commit/main", &ds)
        .await;
    assert!(
        r.status.is_success(),
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    while h.hub.assess_pending().await.unwrap() > 0 {}
    // Gate one repo (as the settings would).
    let gated = h
        .meta
        .repo_by_name(
            commonhold_types::RepoType::Model,
            &"alice/gated".parse().unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    h.meta
        .set_gating(
            gated.id,
            commonhold_types::Gating::Auto,
            None,
            &commonhold_meta::NewAuditEvent {
                actor: None,
                action: commonhold_meta::AuditAction::GatingChanged,
                repo: None,
                detail: serde_json::json!({}),
            },
        )
        .await
        .unwrap();
    (h, token)
}

fn text(r: &common::Reply) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

#[tokio::test]
async fn home_search_and_facets_hide_private_repos() {
    let (h, token) = seeded().await;
    let home = h.get("/", None).await;
    assert_eq!(home.status, 200);
    assert!(
        home.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let body = text(&home);
    assert!(
        body.contains("alice/good") && !body.contains("alice/secret"),
        "{body}"
    );
    assert!(body.contains("<html lang=\"en\">") && body.contains("Skip to content"));

    let r = h.get("/search?q=zebra", None).await;
    let body = text(&r);
    assert!(body.contains("alice/good"), "{body}");
    assert!(
        !body.contains("alice/secret"),
        "private repo leaked: {body}"
    );
    assert!(body.contains("1 result<"), "{body}");
    // The owner finds it.
    let r = h.get("/search?q=zebra", Some(&token)).await;
    assert!(text(&r).contains("alice/secret"));

    let r = h.get("/search?kind=dataset", None).await;
    let body = text(&r);
    assert!(
        body.contains("alice/reviews") && !body.contains("alice/good\""),
        "{body}"
    );
    assert!(
        body.contains("Licence: cc-by-4.0"),
        "datasets show their licence: {body}"
    );

    let r = h
        .get("/search?license=apache-2.0&sort=downloads", None)
        .await;
    let body = text(&r);
    assert!(
        body.contains("alice/good") && !body.contains("alice/llama-ft"),
        "{body}"
    );
    assert!(
        body.contains("Remove filter"),
        "selected facet is shown: {body}"
    );
    // Every result carries a tier badge.
    assert!(
        body.contains("<span class=\"visually-hidden\">Tier: </span>"),
        "{body}"
    );
    // Prefix search on the last word.
    assert!(text(&h.get("/search?q=zeb", None).await).contains("alice/good"));
}

#[tokio::test]
async fn repo_page_renders_card_inert_with_openness_and_evidence_links() {
    let (h, _) = seeded().await;
    let r = h.get("/alice/good", None).await;
    assert_eq!(r.status, 200);
    let body = text(&r);
    assert!(body.contains("<h3>Good model</h3>"), "{body}");
    assert!(!body.contains("<script>alert"), "script survived: {body}");
    assert!(
        !body.to_lowercase().contains("<a href=\"javascript:"),
        "javascript link survived"
    );
    assert!(body.contains("<a href=\"#\">click me</a>"), "{body}");
    assert!(
        !body.contains("x()\">raw"),
        "raw anchor with handler survived"
    );
    assert!(body.contains("&lt;script&gt;"));
    assert!(
        body.contains("Openness") && body.contains("MOF progress"),
        "{body}"
    );
    assert!(body.contains("LICENSE") && body.contains("config.json"));
    assert!(body.contains("European Commission") && body.contains("grant 101070000"));
    // Evidence links go to the file view at the assessed commit, with a line anchor.
    let href = body
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .find(|h| h.starts_with("/alice/good/blob/") && h.contains("#L"))
        .unwrap_or_else(|| panic!("no evidence link to a line: {body}"))
        .to_string();
    let (path, anchor) = href.split_once('#').unwrap();
    let blob = h.get(path, None).await;
    assert_eq!(blob.status, 200, "{href}");
    assert!(
        text(&blob).contains(&format!("id=\"{anchor}\"")),
        "{}",
        text(&blob)
    );

    let ds = h.get("/datasets/alice/reviews", None).await;
    assert_eq!(ds.status, 200);
    assert!(
        text(&ds).contains("Data card completeness"),
        "{}",
        text(&ds)
    );
    let blob = h
        .get("/datasets/alice/reviews/blob/main/train.csv", None)
        .await;
    assert!(text(&blob).contains("id=\"L2\""));
}

#[tokio::test]
async fn private_repo_pages_are_hidden_from_others() {
    let (h, token) = seeded().await;
    assert_eq!(h.get("/alice/secret", None).await.status, 404);
    assert_eq!(
        h.get("/alice/secret/blob/main/README.md", None)
            .await
            .status,
        404
    );
    assert_eq!(h.get("/alice/secret", Some(&token)).await.status, 200);
    let org = text(&h.get("/organizations/alice", None).await);
    assert!(
        org.contains("alice/good") && !org.contains("alice/secret"),
        "{org}"
    );
    assert!(org.contains("Provider register"));
    assert_eq!(h.get("/organizations/nobody", None).await.status, 404);
}

#[tokio::test]
async fn compare_funders_and_static() {
    let (h, _) = seeded().await;
    let r = h
        .get("/compare?models=alice/good&models=alice/llama-ft", None)
        .await;
    let body = text(&r);
    assert!(
        body.contains("Side by side") && body.contains("llama3"),
        "{body}"
    );
    let r = h
        .get("/compare?models=alice/good&models=alice/secret", None)
        .await;
    assert!(text(&r).contains("No model “alice/secret” was found"));
    let f = text(&h.get("/funders", None).await);
    assert!(f.contains("/funders/european-commission"), "{f}");
    let f = text(&h.get("/funders/european-commission", None).await);
    assert!(
        f.contains("alice/good") && f.contains("Horizon Europe"),
        "{f}"
    );
    let css = h.get(commonhold_catalogue::html::CSS_PATH, None).await;
    assert_eq!(css.status, 200);
    assert!(css.header("cache-control").unwrap().contains("immutable"));
}

#[tokio::test]
async fn api_routes_still_answer_next_to_web_routes() {
    let (h, _) = seeded().await;
    let r = h.get("/api/models/alice/good", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["id"], "alice/good");
    let r = h.get("/api/datasets/alice/reviews/refs", None).await;
    assert_eq!(r.status, 200, "{}", text(&r));
    let r = h.get("/alice/good/resolve/main/config.json", None).await;
    assert_eq!(r.status, 200);
}

/// Writes a document for the validators and returns its path.
fn write(dir: &std::path::Path, name: &str, v: &serde_json::Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    p
}

/// The validators' python, from `crates/catalogue/scripts/standards-venv.sh`'s venv. In CI
/// (`CI` set) a missing venv is an error; elsewhere the validation is skipped with a note.
fn standards_python() -> Option<PathBuf> {
    let venv =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/standards-venv/bin/python");
    let py = std::env::var_os("COMMONHOLD_STANDARDS_PY")
        .map(PathBuf::from)
        .unwrap_or(venv);
    if py.exists() {
        return Some(py);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "run crates/catalogue/scripts/standards-venv.sh first"
    );
    eprintln!(
        "standards venv missing: run crates/catalogue/scripts/standards-venv.sh; validators skipped"
    );
    None
}

fn validate(py: &std::path::Path, script: &str, args: &[PathBuf]) {
    let check = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/catalogue-standards/check");
    let out = std::process::Command::new(py)
        .arg(check.join(script))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn exports_are_valid_and_public_only() {
    let (h, token) = seeded().await;
    let r = h.get("/api/catalog/dcat", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/ld+json"));
    let dcat = r.json();
    let s = dcat.to_string();
    assert!(s.contains("alice/good") && s.contains("alice/reviews"));
    assert!(!s.contains("alice/secret"), "private repo exported");
    assert!(
        s.contains("access-right/RESTRICTED"),
        "gated repo is restricted"
    );
    assert!(
        s.contains("http://hub.test/licenses/llama3"),
        "non-SPDX licence gets our IRI"
    );
    let page1 = h.get("/api/catalog/dcat?per_page=2", None).await.json();
    assert!(page1.to_string().contains("hydra:nextPage"));
    let last = h
        .get("/api/catalog/dcat?per_page=2&page=2", None)
        .await
        .json();
    assert!(last.to_string().contains("hydra:previousPage"));

    let r = h.get("/api/datasets/alice/reviews/croissant", None).await;
    assert_eq!(r.status, 200, "{}", text(&r));
    let croissant = r.json();
    assert_eq!(
        croissant["license"],
        "https://spdx.org/licenses/CC-BY-4.0.html"
    );
    assert!(croissant.to_string().contains("train.csv"));

    let r = h.get("/api/models/alice/llama-ft/mlbom", None).await;
    assert_eq!(r.status, 200, "{}", text(&r));
    let bom = r.json();
    assert_eq!(
        bom["metadata"]["component"]["licenses"][0]["license"]["name"],
        "llama3"
    );
    let bom_good = h
        .get("/api/models/alice/good/mlbom/main", None)
        .await
        .json();
    assert!(bom_good.to_string().contains("commonhold:openness:tier"));
    assert_eq!(
        h.get("/api/models/alice/secret/mlbom", None).await.status,
        401
    );
    assert_eq!(
        h.get("/api/models/alice/secret/mlbom", Some(&token))
            .await
            .status,
        200
    );

    let spdx = |uri: &'static str| {
        let h = &h;
        async move {
            let r = h.get(uri, None).await;
            assert_eq!(r.status, 200, "{uri}: {}", text(&r));
            assert_eq!(r.header("content-type"), Some("application/spdx+json"));
            r.json()
        }
    };
    let spdx_good = spdx("/api/models/alice/good/spdx").await;
    let spdx_llama = spdx("/api/models/alice/llama-ft/spdx/main").await;
    let spdx_reviews = spdx("/api/datasets/alice/reviews/spdx").await;
    let s = spdx_good.to_string();
    assert!(s.contains("hasDeclaredLicense"), "{s}");
    assert!(s.contains("openness tier: "), "the assessment travels: {s}");
    let s = spdx_llama.to_string();
    assert!(
        s.contains("LicenseRef-llama3") && s.contains("http://hub.test/licenses/llama3"),
        "{s}"
    );
    assert!(!s.contains("\"llama3\""), "no made-up SPDX id: {s}");
    let s = spdx_reviews.to_string();
    assert!(
        s.contains("dataset_DatasetPackage")
            && s.contains("hasConcludedLicense")
            && s.contains("data card: minimal"),
        "{s}"
    );
    assert_eq!(
        h.get("/api/models/alice/secret/spdx", None).await.status,
        401
    );

    let Some(py) = standards_python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let spdx_shapes = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/catalogue-standards/shapes/spdx-3.0.1");
    validate(
        &py,
        "spdx3_offline.py",
        &[
            spdx_shapes,
            write(dir.path(), "good.spdx3.json", &spdx_good),
            write(dir.path(), "llama.spdx3.json", &spdx_llama),
            write(dir.path(), "reviews.spdx3.json", &spdx_reviews),
        ],
    );
    let shapes = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/catalogue-standards/shapes/dcat-ap-3.0.1");
    for (i, doc) in [&dcat, &page1].into_iter().enumerate() {
        let p = write(dir.path(), &format!("dcat{i}.jsonld"), doc);
        validate(
            &py,
            "shacl_check.py",
            &[
                p.clone(),
                shapes.join("shapes.ttl"),
                shapes.join("range.ttl"),
                shapes.join("deprecateduris.ttl"),
            ],
        );
        validate(
            &py,
            "shacl_check.py",
            &[p, shapes.join("dcat-ap-SHACL.ttl")],
        );
    }
    validate(
        &py,
        "croissant_strict.py",
        &[write(dir.path(), "reviews.json", &croissant)],
    );
    validate(
        &py,
        "cdx_validate.py",
        &[
            write(dir.path(), "llama.cdx.json", &bom),
            write(dir.path(), "good.cdx.json", &bom_good),
        ],
    );
}

#[tokio::test]
async fn provider_register_is_set_by_org_admins_and_shown() {
    let (h, alice) = seeded().await;
    let bob = h.user("bob", Role::Write).await;
    let meta = &h.meta;
    let org = meta.create_org("acme").await.unwrap();
    let alice_id = meta.account_by_name("alice").await.unwrap().unwrap().id;
    let bob_id = meta.account_by_name("bob").await.unwrap().unwrap().id;
    meta.add_member(org.id, alice_id, commonhold_meta::OrgRole::Admin)
        .await
        .unwrap();
    meta.add_member(org.id, bob_id, commonhold_meta::OrgRole::Write)
        .await
        .unwrap();
    let put = |token: String, body: serde_json::Value| {
        let h = &h;
        async move {
            let req = axum::http::Request::builder()
                .method("PUT")
                .uri("/api/organizations/acme/provider")
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {token}"))
                .body(axum::body::Body::from(body.to_string()))
                .unwrap();
            h.send(req).await
        }
    };
    let body = serde_json::json!({"security_contact": "security@acme.example", "data_handling": "No personal data."});
    assert_eq!(
        put(bob.clone(), body.clone()).await.status,
        403,
        "a mere member may not"
    );
    let r = put(alice.clone(), body).await;
    assert_eq!(r.status, 200, "{}", text(&r));
    let r = put(alice.clone(), serde_json::json!({"verified": true})).await;
    assert_eq!(r.status, 403, "only a site admin verifies");
    let got = h.get("/api/organizations/acme/provider", None).await.json();
    assert_eq!(got["security_contact"], "security@acme.example");
    assert_eq!(got["verified"], false);
    let page = text(&h.get("/organizations/acme", None).await);
    assert!(
        page.contains("security@acme.example") && page.contains("No personal data."),
        "{page}"
    );
    assert!(
        page.contains("<li>alice</li>") && page.contains("<li>bob</li>"),
        "{page}"
    );
}

#[tokio::test]
async fn the_index_follows_commits_and_assessments() {
    let (h, token) = seeded().await;
    assert!(text(&h.get("/search?q=quokka", None).await).contains("0 results"));
    let before = text(&h.get("/search?q=llama&tier=open-weights", None).await);
    assert!(!before.contains("alice/llama-ft"), "{before}");
    // A tiny safetensors file (one 2x2 F32 tensor) under MIT moves the tier to open-weights.
    let header = br#"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}       "#;
    let mut weights = (header.len() as u64).to_le_bytes().to_vec();
    weights.extend_from_slice(header);
    weights.extend_from_slice(&[0u8; 16]);
    let lines = [
        header_line("weights"),
        file_line("README.md", b"---\nlicense: mit\n---\n# A quokka llama\n"),
        file_line("model.safetensors", &weights),
    ];
    assert!(
        h.commit(&token, "alice/llama-ft", &lines)
            .await
            .status
            .is_success()
    );
    let body = text(&h.get("/search?q=quokka", None).await);
    assert!(body.contains("alice/llama-ft"), "new head indexed: {body}");
    while h.hub.assess_pending().await.unwrap() > 0 {}
    let body = text(&h.get("/search?q=quokka&tier=open-weights", None).await);
    assert!(
        body.contains("alice/llama-ft"),
        "assessment of the new head indexed: {body}"
    );
}

/// A page from a router built anew on the same hub: what a restarted server shows.
async fn get_after_restart(h: &common::TestHub, uri: &str) -> String {
    use tower::ServiceExt;
    let app = commonhold_server::router(h.hub.clone());
    let req = axum::http::Request::get(uri)
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = app.oneshot(req).await.unwrap();
    let body = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .unwrap()
        .to_bytes();
    String::from_utf8_lossy(&body).into_owned()
}

#[tokio::test]
async fn the_index_is_loaded_from_stored_rows_and_rebuilt_by_reindex() {
    let (h, _token) = seeded().await;
    assert!(text(&h.get("/search?q=zebra", None).await).contains("alice/good"));
    let good = h
        .meta
        .repo_by_name(
            commonhold_types::RepoType::Model,
            &"alice/good".parse().unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    // The follower stored the README of the head as the card row.
    let rows = h.meta.catalogue_cards_since(0, 100).await.unwrap();
    let row = rows.iter().find(|c| c.repo_id == good.id).unwrap();
    assert_eq!(row.sha, good.summary.sha);
    assert!(row.text.contains("zebra-striped"), "{}", row.text);

    // A restarted server reads the rows, not the READMEs: a row that says something else wins.
    h.meta
        .put_catalogue_cards(&[commonhold_meta::CardWrite {
            repo_id: good.id,
            sha: good.summary.sha,
            text: "okapi",
        }])
        .await
        .unwrap();
    let page = get_after_restart(&h, "/search?q=okapi").await;
    assert!(page.contains("alice/good"), "{page}");
    assert!(
        get_after_restart(&h, "/search?q=zebra")
            .await
            .contains("0 results")
    );
    // The running server picks the stored change up too.
    assert!(text(&h.get("/search?q=okapi", None).await).contains("alice/good"));

    // A write that stored nothing (its repo is gone) moves the counter once: the server reloads,
    // then trusts its index again instead of rebuilding on every page.
    let skipped = h
        .meta
        .put_catalogue_cards(&[commonhold_meta::CardWrite {
            repo_id: 999_999,
            sha: None,
            text: "gone",
        }])
        .await
        .unwrap();
    assert_eq!(skipped, 0);
    assert!(text(&h.get("/search?q=okapi", None).await).contains("alice/good"));
    let mut summary = good.summary.clone();
    summary.tags.push("walrus".into());
    h.meta.update_repo_summary(good.id, &summary).await.unwrap();
    assert!(
        text(&h.get("/search?q=walrus", None).await).contains("0 results"),
        "an unchanged index is served from memory"
    );

    // Reindex recomputes every row from the repos; the running server follows it.
    let mut seen = Vec::new();
    let n = h
        .hub
        .reindex_catalogue(|done, total| seen.push((done, total)))
        .await
        .unwrap();
    assert_eq!(n, 5);
    assert_eq!(seen.last(), Some(&(5, 5)));
    assert!(text(&h.get("/search?q=zebra", None).await).contains("alice/good"));
    assert!(text(&h.get("/search?q=okapi", None).await).contains("0 results"));
    assert!(
        get_after_restart(&h, "/search?q=zebra")
            .await
            .contains("alice/good")
    );
}

#[tokio::test]
async fn datasets_show_data_card_completeness_instead_of_a_tier() {
    let (h, _token) = seeded().await;
    let page = text(&h.get("/search?q=reviews", None).await);
    assert!(page.contains("Data card: minimal"), "{page}");
    assert!(page.contains("Licence: cc-by-4.0"), "{page}");
    let page = text(&h.get("/search?datacard=minimal", None).await);
    assert!(page.contains("alice/reviews"), "{page}");
    assert!(
        !page.contains("alice/good\""),
        "models have no data card: {page}"
    );
    assert!(
        page.contains("Data card (datasets)"),
        "the facet is listed: {page}"
    );
    let page = text(&h.get("/datasets/alice/reviews", None).await);
    assert!(page.contains("Data card: minimal"), "{page}");
    assert!(
        page.contains("data card minimal: missing description, size, structure and fields"),
        "{page}"
    );
    let model = text(&h.get("/alice/good", None).await);
    assert!(!model.contains("Data card:"), "{model}");
}

async fn set_private(server: &TestHub, token: &str, private: bool) {
    let r = server
        .call(
            "PUT",
            "/api/models/alice/good/settings",
            Some(token),
            serde_json::json!({ "private": private }).to_string(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", text(&r));
}

/// The number in the home page's "All N repositories" link.
fn home_total(body: &str) -> usize {
    let (_, tail) = body
        .split_once("All ")
        .expect("the home page counts repositories");
    tail.split(' ').next().unwrap().parse().unwrap()
}

/// A repo made private is gone from every page and every count on the next page load, whether
/// it was changed through this server or through another process on the same database (which
/// has its own caches and index), and comes back as soon as it is public again.
#[tokio::test]
async fn visibility_changes_reach_every_page_of_every_process_at_once() {
    let (h, token) = seeded().await;
    let other = h.second_process().await;
    let pages = [
        "/",
        "/search?q=zebra",
        "/search?kind=model",
        "/funders/european-commission",
        "/organizations/alice",
        "/api/catalog/dcat",
    ];
    // Both servers have built their index and show the repo.
    let before = home_total(&text(&h.get("/", None).await));
    for server in [&h, &other] {
        for page in pages {
            let body = text(&server.get(page, None).await);
            assert!(body.contains("alice/good"), "{page}: {body}");
        }
    }
    assert!(text(&h.get("/search?kind=model", None).await).contains("apache-2.0"));
    assert!(text(&h.get("/funders", None).await).contains("european-commission"));

    // Made private through the other process: this one's next pages hide it, counts included.
    set_private(&other, &token, true).await;
    for server in [&h, &other] {
        for page in pages {
            let body = text(&server.get(page, None).await);
            assert!(
                !body.contains("alice/good"),
                "{page} still shows it: {body}"
            );
        }
        let home = text(&server.get("/", None).await);
        assert_eq!(home_total(&home), before - 1, "the home page's total");
        let models = text(&server.get("/search?kind=model", None).await);
        assert!(
            !models.contains("apache-2.0"),
            "a facet still counts it: {models}"
        );
        let funders = text(&server.get("/funders", None).await);
        assert!(!funders.contains("european-commission"), "{funders}");
        let dcat = server.get("/api/catalog/dcat", None).await.json();
        assert!(!dcat.to_string().contains("alice/good"));
        // Its owner still sees it.
        let mine = text(&server.get("/search?q=zebra", Some(&token)).await);
        assert!(mine.contains("alice/good"), "{mine}");
    }

    // Public again, through this process: both show it on their next page.
    set_private(&h, &token, false).await;
    for server in [&h, &other] {
        for page in pages {
            let body = text(&server.get(page, None).await);
            assert!(body.contains("alice/good"), "{page}: {body}");
        }
        assert_eq!(home_total(&text(&server.get("/", None).await)), before);
    }

    // Deleted, or moved to another owner: gone at once too.
    let r = other
        .call(
            "DELETE",
            "/api/repos/delete",
            Some(&token),
            serde_json::json!({ "name": "alice/good" }).to_string(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", text(&r));
    for page in pages {
        let body = text(&h.get(page, Some(&token)).await);
        assert!(
            !body.contains("alice/good"),
            "{page} still shows it: {body}"
        );
    }
}

/// Site administrators see private repos everywhere they would see a public one: by name, in
/// API listings, in search. One rule, not one per code path.
#[tokio::test]
async fn site_admins_see_private_repos_everywhere_alike() {
    let (h, _token) = seeded().await;
    let admin = h.meta.create_user("root", true).await.unwrap();
    let key = commonhold_hub::generate_token();
    h.meta
        .create_token(admin.id, "t", Role::Read, &commonhold_hub::hash_token(&key))
        .await
        .unwrap();
    let stranger = h.user("mallory", Role::Read).await;
    let listed = |who: &str| {
        let who = who.to_string();
        let h = &h;
        async move {
            h.get("/api/models?search=secret", Some(&who))
                .await
                .json()
                .to_string()
        }
    };
    assert_eq!(
        h.get("/api/models/alice/secret", Some(&key)).await.status,
        200
    );
    assert!(listed(&key).await.contains("alice/secret"));
    assert!(text(&h.get("/search?q=zebra", Some(&key)).await).contains("alice/secret"));
    assert!(text(&h.get("/alice/secret", Some(&key)).await).contains("alice/secret"));

    assert_eq!(
        h.get("/api/models/alice/secret", Some(&stranger))
            .await
            .status,
        404
    );
    assert!(!listed(&stranger).await.contains("alice/secret"));
    assert!(!text(&h.get("/search?q=zebra", Some(&stranger)).await).contains("alice/secret"));
}
