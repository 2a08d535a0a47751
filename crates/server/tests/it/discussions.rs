//! Discussions and pull requests through the router: opening, listing with filters, comments,
//! renames and status changes with their permissions, and merging a pull request (fast-forward,
//! three-way with a merge commit, and refused with the conflicting files).

use crate::common;

use axum::http::StatusCode;
use common::*;
use commonhold_types::Role;
use serde_json::{Value, json};

const REPO: &str = "alice/m";
const API: &str = "/api/models/alice/m";

async fn setup() -> (TestHub, String, String) {
    let t = TestHub::new().await;
    let alice = t.user("alice", Role::Write).await;
    let bob = t.user("bob", Role::Write).await;
    assert_eq!(
        t.create_repo(&alice, "m", "model", false).await.status,
        StatusCode::OK
    );
    let r = t
        .commit(
            &alice,
            REPO,
            &[
                header_line("base"),
                file_line("a.txt", b"a0"),
                file_line("b.txt", b"b0"),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    (t, alice, bob)
}

async fn ok(r: Reply) -> Value {
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    r.json()
}

async fn open(t: &TestHub, token: &str, title: &str, pr: bool) -> u64 {
    let v = ok(t
        .post_json(
            &format!("{API}/discussions"),
            Some(token),
            json!({ "title": title, "description": "why", "pullRequest": pr }),
        )
        .await)
    .await;
    v["num"].as_u64().unwrap()
}

async fn file_at(t: &TestHub, rev: &str, path: &str) -> Vec<u8> {
    let r = t
        .get(
            &format!("/{REPO}/resolve/{}/{path}", rev.replace('/', "%2F")),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{rev}:{path}");
    r.body
}

async fn main_head(t: &TestHub) -> String {
    ok(t.get(&format!("{API}/revision/main"), None).await).await["sha"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn open_list_comment_rename_close_with_permissions() {
    let (t, alice, bob) = setup().await;
    let d = open(&t, &bob, "A question", false).await;
    let pr = open(&t, &bob, "Add c", true).await;
    assert_eq!((d, pr), (1, 2));
    // The PR's ref exists and starts at main.
    let refs = ok(t.get(&format!("{API}/refs?include_prs=1"), None).await).await;
    assert!(refs.to_string().contains("refs/pr/2"), "{refs}");

    let all = ok(t.get(&format!("{API}/discussions"), None).await).await;
    assert_eq!(
        (all["count"].as_u64(), all["start"].as_u64()),
        (Some(2), Some(0))
    );
    assert_eq!(all["discussions"][0]["num"], 2, "newest first");
    assert_eq!(all["discussions"][0]["isPullRequest"], true);
    assert_eq!(all["discussions"][0]["author"]["name"], "bob");
    let prs = ok(t
        .get(
            &format!("{API}/discussions?type=pull_request&status=open"),
            None,
        )
        .await)
    .await;
    assert_eq!(prs["count"], 1);

    // Anyone signed in comments; a comment is stored raw and shown escaped.
    let c = ok(t
        .post_json(
            &format!("{API}/discussions/{d}/comment"),
            Some(&alice),
            json!({ "comment": "<b>hi</b>" }),
        )
        .await)
    .await;
    assert_eq!(c["newMessage"]["type"], "comment");
    assert_eq!(c["newMessage"]["data"]["latest"]["raw"], "<b>hi</b>");
    assert!(
        !c["newMessage"]["data"]["latest"]["html"]
            .as_str()
            .unwrap()
            .contains("<b>")
    );
    let anon = t
        .post_json(
            &format!("{API}/discussions/{d}/comment"),
            None,
            json!({ "comment": "x" }),
        )
        .await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);

    // A third user who neither wrote it nor can write the repo may not rename or close it.
    let carol = t.user("carol", Role::Write).await;
    let r = t
        .post_json(
            &format!("{API}/discussions/{d}/status"),
            Some(&carol),
            json!({ "status": "closed" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Its author may; so may a writer.
    let r = ok(t
        .post_json(
            &format!("{API}/discussions/{d}/title"),
            Some(&bob),
            json!({ "title": "A better question" }),
        )
        .await)
    .await;
    assert_eq!(r["newTitle"]["data"]["to"], "A better question");
    let r = ok(t
        .post_json(
            &format!("{API}/discussions/{d}/status"),
            Some(&alice),
            json!({ "status": "closed", "comment": "answered" }),
        )
        .await)
    .await;
    assert_eq!(r["newStatus"]["data"]["status"], "closed");
    let r = t
        .post_json(
            &format!("{API}/discussions/{d}/title"),
            Some(&bob),
            json!({ "title": "no" }),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "titles have 3 to 200 characters"
    );

    let details = ok(t.get(&format!("{API}/discussions/{d}"), None).await).await;
    assert_eq!(details["status"], "closed");
    assert_eq!(details["title"], "A better question");
    let kinds: Vec<&str> = details["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "comment",
            "comment",
            "title-change",
            "comment",
            "status-change"
        ]
    );
    assert_eq!(
        t.get(&format!("{API}/discussions/99"), None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn merging_fast_forwards_merges_three_ways_and_refuses_conflicts() {
    let (t, alice, bob) = setup().await;

    // 1. Nothing moved on main: a fast-forward to the PR's head.
    let one = open(&t, &alice, "Edit a", true).await;
    let r = t
        .commit_to(
            &alice,
            &format!("{API}/commit/refs%2Fpr%2F{one}"),
            &[header_line("a1"), file_line("a.txt", b"a1")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let pr_head = r.json()["commitOid"].as_str().unwrap().to_string();
    assert_eq!(
        file_at(&t, "main", "a.txt").await,
        b"a0",
        "main unchanged before the merge"
    );
    let details = ok(t
        .get(&format!("{API}/discussions/{one}?diff=1"), None)
        .await)
    .await;
    assert_eq!(details["filesWithConflicts"], json!([]));
    assert!(details["diff"].as_str().unwrap().contains("a/a.txt"));
    assert!(
        details["events"].to_string().contains(&pr_head),
        "commit event recorded"
    );
    // Only a writer merges.
    let r = t
        .post_json(
            &format!("{API}/discussions/{one}/merge"),
            Some(&bob),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let m = ok(t
        .post_json(
            &format!("{API}/discussions/{one}/merge"),
            Some(&alice),
            json!({}),
        )
        .await)
    .await;
    assert_eq!(m["mergeCommitId"], pr_head.as_str());
    assert_eq!(main_head(&t).await, pr_head);
    assert_eq!(file_at(&t, "main", "a.txt").await, b"a1");
    let d = ok(t.get(&format!("{API}/discussions/{one}"), None).await).await;
    assert_eq!(
        (d["status"].as_str(), d["changes"]["mergeCommitId"].as_str()),
        (Some("merged"), Some(pr_head.as_str()))
    );
    let again = t
        .post_json(
            &format!("{API}/discussions/{one}/merge"),
            Some(&alice),
            json!({}),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "a merged PR does not merge twice"
    );

    // 2. Main moved on another file: a merge commit with both heads, carrying both changes.
    let two = open(&t, &alice, "Add c", true).await;
    let r = t
        .commit_to(
            &alice,
            &format!("{API}/commit/refs%2Fpr%2F{two}"),
            &[header_line("c"), file_line("c.txt", b"c")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = t
        .commit(
            &alice,
            REPO,
            &[header_line("b1"), file_line("b.txt", b"b1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let m = ok(t
        .post_json(
            &format!("{API}/discussions/{two}/merge"),
            Some(&alice),
            json!({ "comment": "thanks" }),
        )
        .await)
    .await;
    let merge = m["mergeCommitId"].as_str().unwrap().to_string();
    assert_eq!(main_head(&t).await, merge);
    assert_eq!(file_at(&t, "main", "b.txt").await, b"b1");
    assert_eq!(file_at(&t, "main", "c.txt").await, b"c");
    let log = ok(t.get(&format!("{API}/commits/main"), None).await).await;
    assert!(
        log[0]["title"]
            .as_str()
            .unwrap()
            .starts_with(&format!("Merge pull request #{two}")),
        "{}",
        log[0]
    );

    // 3. Both sides changed a.txt differently: refused, named, nothing moved.
    let three = open(&t, &alice, "Edit a again", true).await;
    let r = t
        .commit_to(
            &alice,
            &format!("{API}/commit/refs%2Fpr%2F{three}"),
            &[header_line("a2"), file_line("a.txt", b"a2")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = t
        .commit(
            &alice,
            REPO,
            &[header_line("a3"), file_line("a.txt", b"a3")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let before = main_head(&t).await;
    let d = ok(t.get(&format!("{API}/discussions/{three}"), None).await).await;
    assert_eq!(d["filesWithConflicts"], json!(["a.txt"]));
    let r = t
        .post_json(
            &format!("{API}/discussions/{three}/merge"),
            Some(&alice),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(String::from_utf8_lossy(&r.body).contains("a.txt"));
    assert_eq!(main_head(&t).await, before);
    assert_eq!(
        ok(t.get(&format!("{API}/discussions/{three}"), None).await).await["status"],
        "draft"
    );
}

#[tokio::test]
async fn a_commit_with_create_pr_opens_a_pull_request_listed_like_the_others() {
    let (t, alice, _) = setup().await;
    let r = t
        .commit_to(
            &alice,
            &format!("{API}/commit/main?create_pr=1"),
            &[header_line("Propose d"), file_line("d.txt", b"d")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let url = r.json()["pullRequestUrl"].as_str().unwrap().to_string();
    let num: u64 = url.rsplit('/').next().unwrap().parse().unwrap();
    let d = ok(t.get(&format!("{API}/discussions/{num}"), None).await).await;
    assert_eq!(
        (d["title"].as_str(), d["isPullRequest"].as_bool()),
        (Some("Propose d"), Some(true))
    );
    assert_eq!(d["changes"]["base"], "refs/heads/main");
    assert!(d["diff"].as_str().unwrap().contains("d.txt"));
    ok(t.post_json(
        &format!("{API}/discussions/{num}/merge"),
        Some(&alice),
        json!({}),
    )
    .await)
    .await;
    assert_eq!(file_at(&t, "main", "d.txt").await, b"d");
}

#[tokio::test]
async fn readers_contribute_through_their_own_pull_requests_only() {
    let (t, alice, bob) = setup().await;
    // bob cannot write alice/m, but may propose a change...
    let r = t
        .commit(
            &bob,
            REPO,
            &[header_line("direct"), file_line("x.txt", b"x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        String::from_utf8_lossy(&r.body).contains("pull request"),
        "the error says what to do"
    );
    let r = t
        .commit_to(
            &bob,
            &format!("{API}/commit/main?create_pr=1"),
            &[header_line("Add x"), file_line("x.txt", b"x")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let num: u64 = r.json()["pullRequestUrl"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let pr = ok(t.get(&format!("{API}/discussions/{num}"), None).await).await;
    assert_eq!(pr["author"]["name"], "bob");
    // ...and keep pushing to it, but not to someone else's pull request.
    let r = t
        .commit_to(
            &bob,
            &format!("{API}/commit/refs%2Fpr%2F{num}"),
            &[header_line("more"), file_line("y.txt", b"y")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let theirs = open(&t, &alice, "Alice's own", true).await;
    let r = t
        .commit_to(
            &bob,
            &format!("{API}/commit/refs%2Fpr%2F{theirs}"),
            &[header_line("sneak"), file_line("z.txt", b"z")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Preupload is open to contributors; a read-only token is not.
    let files = json!({ "files": [{ "path": "w.bin", "size": 10, "sample": "AAAA" }] });
    let r = t
        .post_json(&format!("{API}/preupload/main"), Some(&bob), files.clone())
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let reader = t.user("rita", Role::Read).await;
    let r = t
        .post_json(&format!("{API}/preupload/main"), Some(&reader), files)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // So is a Xet write token (what the token may commit is checked at the commit).
    let r = t
        .get(
            &format!("{API}/xet-write-token/None?create_pr=1"),
            Some(&bob),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let r = t
        .get(&format!("{API}/xet-write-token/main"), Some(&reader))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The owner merges it.
    ok(t.post_json(
        &format!("{API}/discussions/{num}/merge"),
        Some(&alice),
        json!({}),
    )
    .await)
    .await;
    assert_eq!(file_at(&t, "main", "y.txt").await, b"y");
    // Once merged, the pull request takes no more commits from its author.
    let r = t
        .commit_to(
            &bob,
            &format!("{API}/commit/refs%2Fpr%2F{num}"),
            &[header_line("late"), file_line("w.txt", b"w")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn discussion_pages_show_threads_inert_and_the_pr_url_leads_to_one() {
    let (t, alice, bob) = setup().await;
    let r = t
        .commit_to(
            &bob,
            &format!("{API}/commit/main?create_pr=1"),
            &[header_line("Add x"), file_line("x.txt", b"x")],
        )
        .await;
    let url = r.json()["pullRequestUrl"].as_str().unwrap().to_string();
    let num: u64 = url.rsplit('/').next().unwrap().parse().unwrap();
    ok(t.post_json(
        &format!("{API}/discussions/{num}/comment"),
        Some(&alice),
        json!({ "comment": "nice <script>alert(1)</script> [x](javascript:alert(1))" }),
    )
    .await)
    .await;
    // The URL the commit answered with is a page.
    let page = t.get(&local(&url), None).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = String::from_utf8(page.body).unwrap();
    assert!(html.contains(&format!("#{num} Add x")), "{html}");
    assert!(html.contains("<code>x.txt</code> added"), "{html}");
    assert!(
        !html.contains("<script>alert") && !html.contains("javascript:"),
        "{html}"
    );
    let list = String::from_utf8(t.get(&format!("/{REPO}/discussions"), None).await.body).unwrap();
    assert!(
        list.contains(&format!("href=\"/{REPO}/discussions/{num}\"")),
        "{list}"
    );
    let repo_page = String::from_utf8(t.get(&format!("/{REPO}"), None).await.body).unwrap();
    assert!(repo_page.contains(&format!("href=\"/{REPO}/discussions\"")));
    assert_eq!(
        t.get(&format!("/{REPO}/discussions/999"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// Every change to a repo, its discussions included, needs a write token: a read token is
/// refused with 403 whoever holds it (the repo's owner, a discussion's author) and changes
/// nothing.
#[tokio::test]
async fn read_tokens_change_nothing() {
    let (t, alice, bob) = setup().await;
    let d = open(&t, &bob, "A question", false).await;
    let pr = open(&t, &bob, "Add c", true).await;
    let r = t
        .commit_to(
            &bob,
            &format!("{API}/commit/refs%2Fpr%2F{pr}"),
            &[header_line("c"), file_line("c.txt", b"c")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let before = ok(t.get(&format!("{API}/discussions"), None).await).await;
    let refs_before = ok(t.get(&format!("{API}/refs?include_prs=1"), None).await).await;
    let head = main_head(&t).await;

    let owner_read = t.user("alice", Role::Read).await;
    let author_read = t.user("bob", Role::Read).await;
    let discussion = |tail: &str| format!("{API}/discussions{tail}");
    let attempts = [
        (
            discussion(""),
            json!({ "title": "Read token", "description": "x" }),
        ),
        (
            discussion(""),
            json!({ "title": "Read token PR", "pullRequest": true }),
        ),
        (
            discussion(&format!("/{d}/comment")),
            json!({ "comment": "hi" }),
        ),
        (
            discussion(&format!("/{pr}/comment")),
            json!({ "comment": "hi" }),
        ),
        (
            discussion(&format!("/{d}/title")),
            json!({ "title": "Renamed" }),
        ),
        (
            discussion(&format!("/{pr}/title")),
            json!({ "title": "Renamed" }),
        ),
        (
            discussion(&format!("/{d}/status")),
            json!({ "status": "closed" }),
        ),
        (
            discussion(&format!("/{pr}/status")),
            json!({ "status": "closed" }),
        ),
        (discussion(&format!("/{pr}/merge")), json!({})),
    ];
    for token in [&owner_read, &author_read] {
        for (uri, body) in &attempts {
            let r = t.post_json(uri, Some(token), body.clone()).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{uri} {body}: {}",
                String::from_utf8_lossy(&r.body)
            );
            assert!(
                String::from_utf8_lossy(&r.body).contains("write token"),
                "the error says what to do: {}",
                String::from_utf8_lossy(&r.body)
            );
        }
    }
    let after = ok(t.get(&format!("{API}/discussions"), None).await).await;
    assert_eq!(before, after, "no discussion opened, renamed or closed");
    for n in [d, pr] {
        let events = ok(t.get(&format!("{API}/discussions/{n}"), None).await).await;
        assert!(
            !events.to_string().contains("\"hi\""),
            "no comment: {events}"
        );
    }
    let refs_after = ok(t.get(&format!("{API}/refs?include_prs=1"), None).await).await;
    assert_eq!(refs_before, refs_after, "no refs/pr/N created");
    assert_eq!(main_head(&t).await, head, "nothing merged");
    // The same people with write tokens may.
    ok(t.post_json(
        &discussion(&format!("/{d}/title")),
        Some(&bob),
        json!({ "title": "Renamed" }),
    )
    .await)
    .await;
    ok(t.post_json(
        &discussion(&format!("/{pr}/merge")),
        Some(&alice),
        json!({}),
    )
    .await)
    .await;
}

/// Every route that changes a repo refuses a read token, even the owner's.
#[tokio::test]
async fn read_tokens_cannot_use_any_mutating_route() {
    let (t, _alice, _bob) = setup().await;
    let reader = t.user("alice", Role::Read).await;
    let head = main_head(&t).await;
    let calls: Vec<(&str, String, String)> = vec![
        (
            "POST",
            "/api/repos/create".into(),
            json!({ "name": "n" }).to_string(),
        ),
        (
            "DELETE",
            "/api/repos/delete".into(),
            json!({ "name": "m" }).to_string(),
        ),
        (
            "POST",
            "/api/repos/move".into(),
            json!({ "fromRepo": REPO, "toRepo": "alice/n" }).to_string(),
        ),
        (
            "PUT",
            format!("{API}/settings"),
            json!({ "private": true }).to_string(),
        ),
        ("POST", format!("{API}/branch/dev"), String::new()),
        ("DELETE", format!("{API}/branch/main"), String::new()),
        (
            "POST",
            format!("{API}/tag/main"),
            json!({ "tag": "v1" }).to_string(),
        ),
        ("DELETE", format!("{API}/tag/v1"), String::new()),
        (
            "POST",
            format!("{API}/preupload/main"),
            json!({ "files": [{ "path": "a.bin", "size": 1, "sample": "AA==" }] }).to_string(),
        ),
        (
            "POST",
            format!("{API}/commit/main"),
            format!("{}\n{}\n", header_line("x"), file_line("x.txt", b"x")),
        ),
        (
            "POST",
            format!("{API}/commit/main?create_pr=1"),
            format!("{}\n{}\n", header_line("x"), file_line("x.txt", b"x")),
        ),
        (
            "POST",
            format!("/{REPO}.git/info/lfs/objects/batch"),
            json!({ "operation": "upload", "objects": [{ "oid": "a".repeat(64), "size": 1 }] })
                .to_string(),
        ),
        ("GET", format!("{API}/xet-write-token/main"), String::new()),
    ];
    for (method, uri, body) in calls {
        let r = t.call(method, &uri, Some(&reader), body).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{method} {uri}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    assert_eq!(main_head(&t).await, head);
    let repo = ok(t.get(API, None).await).await;
    assert_eq!(repo["private"], false);
    let refs = ok(t.get(&format!("{API}/refs?include_prs=1"), None).await).await;
    assert_eq!(refs["branches"].as_array().unwrap().len(), 1, "{refs}");
    assert_eq!(refs["pullRequests"], json!([]));
}
