//! The catalogue's persisted search index and provider register through the real binary: the
//! index survives a restart, a wiped index stays empty until `commonhold reindex` (run while the
//! server is up) restores it, and `commonhold org provider` shows and sets the due-diligence
//! fields that the API then serves.

use crate::support;

use std::path::Path;

use support::hub::{Client, file_op};
use support::server::{Server, cli, cli_ok};
use support::{Store, http};

/// The anonymous search page for `q`.
fn search(server: &Server, q: &str) -> String {
    let reply = http::request(server.addr, "GET", &format!("/search?q={q}"), &[], b"").unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.text()
}

/// Deletes every stored card row, as a botched restore might.
fn wipe_index(db: &Path) -> u64 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let url = format!("sqlite://{}", db.display());
        let mut conn = sqlx::sqlite::SqliteConnection::connect(&url).await.unwrap();
        let done = sqlx::query("DELETE FROM catalogue_cards")
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        done.rows_affected()
    })
}

#[test]
fn the_search_index_survives_restarts_and_reindex_restores_a_wiped_one() {
    let store = Store::new();
    let (server, client) = store.serve_new_repo("cards");
    client.commit_ok(
        "card",
        &[file_op(
            "README.md",
            b"---\nlicense: mit\n---\n# Cards\n\nA wombat-themed classifier.\n",
        )],
    );
    assert!(search(&server, "wombat").contains("alice/cards"));
    server.stop();

    // A restarted server finds it without anyone reindexing.
    let server = Server::start(&store.data);
    assert!(search(&server, "wombat").contains("alice/cards"));
    server.stop();

    assert_eq!(wipe_index(&store.data.join("meta.db")), 1);
    let server = Server::start(&store.data);
    let page = search(&server, "wombat");
    assert!(
        !page.contains("alice/cards"),
        "the card text is gone: {page}"
    );
    assert!(
        search(&server, "cards").contains("alice/cards"),
        "the name is still indexed from the repo row"
    );

    let out = cli(&store.data, &["reindex"]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.contains("reindex: 1/1 repos"), "progress: {stderr}");
    assert!(
        stdout.starts_with("reindexed 1 repos in ") && stdout.contains(" s ("),
        "summary: {stdout}"
    );
    // The running server picks the rebuilt index up.
    assert!(search(&server, "wombat").contains("alice/cards"));
    // A commit made now is indexed too, by the same server.
    let other = Client::new(server.addr, &store.token, "alice/cards");
    other.commit_ok(
        "card v2",
        &[file_op("README.md", b"# Cards\n\nNow about a numbat.\n")],
    );
    assert!(search(&server, "numbat").contains("alice/cards"));
    assert!(!search(&server, "wombat").contains("alice/cards"));
    server.stop();

    let help = cli_ok(&store.data, &["reindex", "--help"]);
    assert!(help.contains("search index"), "{help}");
}

#[test]
fn org_provider_shows_and_sets_the_due_diligence_fields() {
    let store = Store::new();
    cli_ok(&store.data, &["org", "add", "acme"]);
    let shown = cli_ok(&store.data, &["org", "provider", "acme"]);
    assert!(shown.contains("security contact: (not set)"), "{shown}");
    assert!(shown.contains("verified:         no"), "{shown}");

    let set = cli_ok(
        &store.data,
        &[
            "org",
            "provider",
            "acme",
            "--security-contact",
            "  security@acme.example ",
            "--data-handling",
            "No personal data is collected.",
            "--verified",
            "true",
        ],
    );
    assert!(
        set.contains("security contact: security@acme.example\n"),
        "{set}"
    );
    assert!(set.contains("verified:         yes"), "{set}");
    // Only the fields given change; an empty text clears one.
    let cleared = cli_ok(
        &store.data,
        &["org", "provider", "acme", "--data-handling", ""],
    );
    assert!(cleared.contains("data handling:    (not set)"), "{cleared}");
    assert!(cleared.contains("security@acme.example"), "{cleared}");

    // Bad input: a clear error, nothing changed.
    let bad = cli(
        &store.data,
        &["org", "provider", "acme", "--verified", "maybe"],
    );
    assert!(!bad.status.success());
    let long = "x".repeat(2001);
    let bad = cli(
        &store.data,
        &["org", "provider", "acme", "--security-contact", &long],
    );
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("limited to 2000 characters"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    let missing = cli(&store.data, &["org", "provider", "nobody"]);
    assert!(!missing.status.success());
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("no organisation or user named nobody")
    );

    // The server serves what the CLI set.
    let server = Server::start(&store.data);
    let reply = http::request(
        server.addr,
        "GET",
        "/api/organizations/acme/provider",
        &[],
        b"",
    )
    .unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text());
    let v = reply.json();
    assert_eq!(v["security_contact"], "security@acme.example");
    assert_eq!(v["data_handling"], serde_json::Value::Null);
    assert_eq!(v["verified"], true);
    server.stop();
}
