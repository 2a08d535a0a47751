//! `/settings/reassessments` (administrators): the re-assessment runs (queued when the definition or the knowledge
//! file changes, or by `commonhold reassess`) and, per repo, the tier before and after.

use super::common::Site;
use crate::html::{date, esc, tier_badge};

/// One repo of a run.
#[derive(Clone, Debug)]
pub struct ChangeRow {
    /// `ns/name`, and its web path.
    pub repo: String,
    pub web_path: String,
    pub tier_before: Option<String>,
    pub tier_after: String,
    pub definition_before: Option<String>,
    pub findings_added: Vec<String>,
    pub findings_removed: Vec<String>,
    pub changed: bool,
}

/// One run.
#[derive(Clone, Debug)]
pub struct RunRow {
    pub id: i64,
    pub reason: String,
    pub definition: String,
    pub knowledge_version: String,
    pub knowledge_sha256: String,
    pub status: commonhold_types::ReassessStatus,
    pub repos_done: i64,
    pub repos_changed: i64,
    pub created_at_ms: i64,
    pub finished_at_ms: Option<i64>,
    pub changes: Vec<ChangeRow>,
}

fn findings(list: &[String]) -> String {
    if list.is_empty() {
        "—".into()
    } else {
        esc(&list.join(", "))
    }
}

fn run_section(r: &RunRow) -> String {
    let rows: String = r
        .changes
        .iter()
        .map(|c| {
            format!(
                "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&c.web_path),
                esc(&c.repo),
                c.tier_before
                    .as_deref()
                    .map_or_else(|| "not assessed".to_owned(), tier_badge),
                tier_badge(&c.tier_after),
                if c.changed { "changed" } else { "unchanged" },
                findings(&c.findings_added),
                findings(&c.findings_removed),
            )
        })
        .collect();
    let table = if rows.is_empty() {
        "<p>No repository recorded yet.</p>".to_owned()
    } else {
        format!(
            "<table><caption class=\"visually-hidden\">Repositories of run {id}</caption><thead><tr>\
<th scope=\"col\">Repository</th><th scope=\"col\">Tier before</th><th scope=\"col\">Tier after</th>\
<th scope=\"col\">Judgment</th><th scope=\"col\">Findings added</th><th scope=\"col\">Findings removed</th>\
</tr></thead><tbody>{rows}</tbody></table>",
            id = r.id
        )
    };
    format!(
        "<section class=\"panel\" aria-labelledby=\"run-{id}\"><h2 id=\"run-{id}\">Run {id}: {status}</h2>\
<p>{reason}. Definition {def}, knowledge file {kv} (sha256 <code>{ks}</code>). Queued {created}{finished}; \
{done} repositories assessed, {changed} changed.</p>{table}</section>",
        id = r.id,
        status = r.status,
        reason = esc(&r.reason),
        def = esc(&r.definition),
        kv = esc(&r.knowledge_version),
        ks = esc(r.knowledge_sha256.get(..16).unwrap_or(&r.knowledge_sha256)),
        created = date(r.created_at_ms),
        finished = r
            .finished_at_ms
            .map(|t| format!(", finished {}", date(t)))
            .unwrap_or_default(),
        done = r.repos_done,
        changed = r.repos_changed,
    )
}

/// Renders the page.
pub fn reassessments_page(site: &Site, runs: &[RunRow]) -> String {
    let body: String = if runs.is_empty() {
        "<p>No re-assessment has run yet. One is queued when a server starts with a new \
definition or knowledge file, or by <code>commonhold reassess</code>.</p>"
            .to_owned()
    } else {
        runs.iter().map(run_section).collect()
    };
    site.page("Re-assessments", &format!("<h1>Re-assessments</h1>{body}"))
}
