//! Discussions and pull requests of a repository: the list, and one thread with its comments,
//! status changes and commits, plus (for an open pull request) the files it changes and those
//! that conflict with its target. Read-only: changes go through the API.

use commonhold_types::DiscussionStatus;

use super::common::Site;
use crate::html::{date, esc};
use crate::markdown::render_card;

/// One row of the list.
#[derive(Clone, Debug)]
pub struct DiscussionRow {
    pub num: u64,
    pub title: String,
    pub status: DiscussionStatus,
    pub is_pr: bool,
    pub author: String,
    pub created_ms: i64,
}

/// One event of a thread, already reduced to what is shown.
#[derive(Clone, Debug)]
pub enum EventView {
    /// Markdown text, rendered sanitised.
    Comment {
        author: String,
        at_ms: i64,
        text: String,
    },
    Status {
        author: String,
        at_ms: i64,
        status: String,
    },
    Title {
        author: String,
        at_ms: i64,
        from: String,
        to: String,
    },
    Commit {
        author: String,
        at_ms: i64,
        oid: String,
        subject: String,
    },
}

/// One thread.
#[derive(Clone, Debug)]
pub struct DiscussionView {
    /// `ns/name`.
    pub repo_id: String,
    /// The repository's web path (`/ns/name` or `/datasets/ns/name`).
    pub repo_path: String,
    pub row: DiscussionRow,
    /// The branch a pull request merges into.
    pub target: Option<String>,
    pub events: Vec<EventView>,
    /// For an open pull request: (path, "added" | "modified" | "deleted").
    pub changes: Vec<(String, &'static str)>,
    pub conflicts: Vec<String>,
}

fn kind(is_pr: bool) -> &'static str {
    if is_pr { "Pull request" } else { "Discussion" }
}

fn status_badge(status: DiscussionStatus) -> String {
    format!("<span class=\"badge tier-other\">{status}</span>")
}

/// The list of a repository's discussions and pull requests, newest first.
pub fn discussions_page(
    site: &Site,
    repo_id: &str,
    repo_path: &str,
    rows: &[DiscussionRow],
) -> String {
    let list = if rows.is_empty() {
        "<p>No discussions or pull requests yet. Open one with <code>huggingface_hub</code>: \
<code>create_discussion</code> or <code>create_pull_request</code>.</p>"
            .to_string()
    } else {
        let items: String = rows
            .iter()
            .map(|r| {
                format!(
                    "<li><h2><a href=\"{href}\">#{num} {title}</a></h2> {badge}\
<p class=\"meta\">{kind} · opened by {author} on {at}</p></li>",
                    href = esc(&format!("{repo_path}/discussions/{}", r.num)),
                    num = r.num,
                    title = esc(&r.title),
                    badge = status_badge(r.status),
                    kind = kind(r.is_pr),
                    author = esc(&r.author),
                    at = date(r.created_ms),
                )
            })
            .collect();
        format!("<ul class=\"results\">{items}</ul>")
    };
    let main = format!(
        "<nav aria-label=\"Breadcrumb\"><a href=\"{href}\">{repo}</a> / discussions</nav>\
<h1>Discussions and pull requests</h1>{list}",
        href = esc(repo_path),
        repo = esc(repo_id),
    );
    site.page(&format!("Discussions · {repo_id}"), &main)
}

/// One discussion or pull request.
pub fn discussion_page(site: &Site, v: &DiscussionView) -> String {
    let r = &v.row;
    let events: String = v
        .events
        .iter()
        .map(|e| match e {
            EventView::Comment { author, at_ms, text } => format!(
                "<li class=\"comment\"><p class=\"meta\">{} commented on {}</p>{}</li>",
                esc(author),
                date(*at_ms),
                render_card(text)
            ),
            EventView::Status { author, at_ms, status } => format!(
                "<li><p class=\"meta\">{} changed the status to {} on {}</p></li>",
                esc(author),
                esc(status),
                date(*at_ms)
            ),
            EventView::Title { author, at_ms, from, to } => format!(
                "<li><p class=\"meta\">{} renamed it from “{}” to “{}” on {}</p></li>",
                esc(author),
                esc(from),
                esc(to),
                date(*at_ms)
            ),
            EventView::Commit {
                author,
                at_ms,
                oid,
                subject,
            } => format!(
                "<li><p class=\"meta\">{} added commit <code title=\"{}\">{}</code> {} on {}</p></li>",
                esc(author),
                esc(oid),
                esc(oid.get(..7).unwrap_or(oid)),
                esc(subject),
                date(*at_ms),
            ),
        })
        .collect();
    let mut pr = String::new();
    if let Some(target) = &v.target {
        pr.push_str(&format!(
            "<p>Merges <code>refs/pr/{}</code> into <code>{}</code>.</p>",
            r.num,
            esc(target)
        ));
    }
    if !v.changes.is_empty() {
        let rows: String = v
            .changes
            .iter()
            .map(|(path, what)| format!("<li><code>{}</code> {what}</li>", esc(path)))
            .collect();
        pr.push_str(&format!("<h2>Files changed</h2><ul>{rows}</ul>"));
    }
    if !v.conflicts.is_empty() {
        let rows: String = v
            .conflicts
            .iter()
            .map(|p| format!("<li><code>{}</code></li>", esc(p)))
            .collect();
        pr.push_str(&format!(
            "<h2>Conflicts</h2><p>These files changed on the target too; the pull request cannot \
merge until they agree.</p><ul>{rows}</ul>"
        ));
    }
    let main = format!(
        "<nav aria-label=\"Breadcrumb\"><a href=\"{repo_href}\">{repo}</a> / \
<a href=\"{list_href}\">discussions</a> / #{num}</nav>\
<h1>#{num} {title}</h1><p>{badge} <span class=\"meta\">{kind} · opened by {author} on {at}</span></p>\
{pr}<h2>Activity</h2><ol class=\"events\">{events}</ol>",
        repo_href = esc(&v.repo_path),
        repo = esc(&v.repo_id),
        list_href = esc(&format!("{}/discussions", v.repo_path)),
        num = r.num,
        title = esc(&r.title),
        badge = status_badge(r.status),
        kind = kind(r.is_pr),
        author = esc(&r.author),
        at = date(r.created_ms),
    );
    site.page(&format!("#{} {} · {}", r.num, r.title, v.repo_id), &main)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Site {
        Site { name: "t".into() }
    }

    #[test]
    fn comments_render_inert_and_pull_requests_show_their_files() {
        let v = DiscussionView {
            repo_id: "a/m".into(),
            repo_path: "/a/m".into(),
            row: DiscussionRow {
                num: 3,
                title: "<b>Fix</b>".into(),
                status: DiscussionStatus::Open,
                is_pr: true,
                author: "bob".into(),
                created_ms: 0,
            },
            target: Some("refs/heads/main".into()),
            events: vec![EventView::Comment {
                author: "bob".into(),
                at_ms: 0,
                text: "see <script>alert(1)</script> [x](javascript:alert(1)) **bold**".into(),
            }],
            changes: vec![("w.bin".into(), "added")],
            conflicts: vec!["a.txt".into()],
        };
        let html = discussion_page(&site(), &v);
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("<strong>bold</strong>"));
        assert!(html.contains("&lt;b&gt;Fix&lt;/b&gt;"));
        assert!(html.contains("<code>w.bin</code> added"));
        assert!(html.contains("<h2>Conflicts</h2>"));
        assert!(html.contains("refs/pr/3"));
        let list = discussions_page(&site(), "a/m", "/a/m", std::slice::from_ref(&v.row));
        assert!(list.contains("href=\"/a/m/discussions/3\""));
        assert!(discussions_page(&site(), "a/m", "/a/m", &[]).contains("No discussions"));
    }
}
