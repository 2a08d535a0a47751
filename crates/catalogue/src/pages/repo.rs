//! The repository page: card, files, history, refs and the openness panel.

use commonhold_assess::Assessment;

use super::common::Site;
use super::openness::{DisputeRow, openness_panel};
use crate::entry::RepoEntry;
use crate::html::{bytes, date, esc, path_value, tier_badge};
use crate::markdown::render_card;

/// A file or directory at the top of the tree shown.
#[derive(Clone, Debug)]
pub struct FileRow {
    pub path: String,
    pub size: u64,
    pub lfs: bool,
    pub is_dir: bool,
}

/// A commit in the history list.
#[derive(Clone, Debug)]
pub struct CommitRow {
    pub id: String,
    pub title: String,
    pub author: String,
    /// Unix milliseconds.
    pub at_ms: i64,
}

/// A branch or tag with the commit it points at.
#[derive(Clone, Debug)]
pub struct RefRow {
    pub name: String,
    pub target: String,
}

/// Everything the repository page shows.
#[derive(Clone, Debug)]
pub struct RepoView {
    pub entry: RepoEntry,
    /// The README as committed (front matter included), if any.
    pub readme: Option<String>,
    /// The commit shown (head of `main`).
    pub commit: Option<String>,
    pub files: Vec<FileRow>,
    pub commits: Vec<CommitRow>,
    pub branches: Vec<RefRow>,
    pub tags: Vec<RefRow>,
    pub assessment: Option<Assessment>,
    /// Publishers' disputes of the openness judgments, newest first.
    pub disputes: Vec<DisputeRow>,
}

/// Renders the repository page.
pub fn repo_page(site: &Site, v: &RepoView) -> String {
    let e = &v.entry;
    let base = e.web_path();
    let data_card = e.data_card();
    let badge = match &data_card {
        Some(card) => super::common::data_card_badge(card.level()),
        None => tier_badge(e.tier()),
    };
    let mut facts = vec![format!("{} downloads", e.downloads)];
    if let Some(t) = &e.pipeline_tag {
        facts.push(esc(t));
    }
    let licences = e.licences();
    if !licences.is_empty() {
        facts.push(format!("licence declared: {}", esc(&licences.join(", "))));
    }
    if e.gated.is_some() {
        facts.push("gated access".into());
    }
    if let Some(card) = &data_card {
        let missing = card.missing_labels();
        facts.push(if missing.is_empty() {
            "the data card documents every item".to_string()
        } else {
            format!(
                "data card {}: missing {}",
                card.level().as_str(),
                esc(&missing)
            )
        });
    }
    let funding: String = e
        .funding()
        .iter()
        .map(|f| {
            format!(
                "<li><a href=\"/funders/{}\">{}</a>{}{}</li>",
                esc(&crate::funding::funder_slug(&f.funder)),
                esc(&f.funder),
                f.programme
                    .as_deref()
                    .map(|p| format!(", {}", esc(p)))
                    .unwrap_or_default(),
                f.grant_id
                    .as_deref()
                    .map(|g| format!(", grant {}", esc(g)))
                    .unwrap_or_default(),
            )
        })
        .collect();
    let funding = if funding.is_empty() {
        String::new()
    } else {
        format!("<h2>Funding</h2><ul>{funding}</ul>")
    };
    let card = match &v.readme {
        Some(text) => format!("<div class=\"card\">{}</div>", render_card(text)),
        None => "<p>This repository has no card (README.md).</p>".into(),
    };
    let files = files_table(&base, v.commit.as_deref(), &v.files);
    let commits: String = v
        .commits
        .iter()
        .map(|c| {
            format!(
                "<li><code>{}</code> {} — {} ({})</li>",
                esc(c.id.get(..12).unwrap_or(&c.id)),
                esc(&c.title),
                esc(&c.author),
                date(c.at_ms)
            )
        })
        .collect();
    let refs = |rows: &[RefRow]| -> String {
        if rows.is_empty() {
            return "<p>None.</p>".into();
        }
        let items: String = rows
            .iter()
            .map(|r| {
                format!(
                    "<li>{} → <code>{}</code></li>",
                    esc(&r.name),
                    esc(r.target.get(..12).unwrap_or(&r.target))
                )
            })
            .collect();
        format!("<ul>{items}</ul>")
    };
    let provider = format!(
        "<a href=\"/organizations/{0}\">{1}</a>",
        path_value(&e.namespace),
        esc(&e.namespace)
    );
    let main = format!(
        "<h1>{id} {badge}</h1><p class=\"meta\">By {provider} · {facts}</p>\
<p><a href=\"/api/{plural}/{id_url}\">API</a>{exports} · <a href=\"{discussions}\">Discussions and pull requests</a></p>\
{panel}{funding}<h2>Card</h2>{card}<h2>Files</h2>{files}\
<h2>History</h2><ol class=\"commits\">{commits}</ol><h2>Branches</h2>{branches}<h2>Tags</h2>{tags}",
        id = esc(&e.id()),
        id_url = path_value(&e.id()),
        plural = e.kind.plural(),
        facts = facts.join(" · "),
        exports = exports(e),
        panel = openness_panel(&base, v.assessment.as_ref(), &v.disputes),
        branches = refs(&v.branches),
        tags = refs(&v.tags),
        discussions = esc(&format!("{base}/discussions")),
    );
    site.page(&e.id(), &main)
}

fn exports(e: &RepoEntry) -> String {
    let id = path_value(&e.id());
    match e.kind {
        commonhold_types::RepoType::Dataset => {
            format!(" · <a href=\"/api/datasets/{id}/croissant\">Croissant</a>")
        }
        commonhold_types::RepoType::Model => {
            format!(" · <a href=\"/api/models/{id}/mlbom\">CycloneDX ML-BOM</a>")
        }
    }
}

fn files_table(base: &str, commit: Option<&str>, files: &[FileRow]) -> String {
    let Some(commit) = commit else {
        return "<p>This repository is empty.</p>".into();
    };
    let rows: String = files
        .iter()
        .map(|f| {
            let name = if f.is_dir {
                format!("{}/", esc(&f.path))
            } else {
                format!(
                    "<a href=\"{}\">{}</a>",
                    esc(&super::openness::evidence_href(base, commit, &f.path, None)),
                    esc(&f.path)
                )
            };
            let size = if f.is_dir {
                String::new()
            } else {
                bytes(f.size)
            };
            let lfs = if f.lfs { "LFS" } else { "" };
            format!("<tr><td>{name}</td><td>{size}</td><td>{lfs}</td></tr>")
        })
        .collect();
    format!(
        "<table><caption class=\"visually-hidden\">Files at {c}</caption><thead><tr><th scope=\"col\">Path</th>\
<th scope=\"col\">Size</th><th scope=\"col\">Storage</th></tr></thead><tbody>{rows}</tbody></table>",
        c = esc(commit)
    )
}
