//! The organisation page as a provider register entry: its assets, their tiers, downloads,
//! contributors, release history and due-diligence fields.

use std::collections::BTreeMap;

use super::common::{Site, result_list};
use crate::entry::RepoEntry;
use crate::html::{date, esc, tier_badge};

/// Due-diligence fields an organisation admin sets through the API or the CLI.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DueDiligence {
    pub security_contact: Option<String>,
    pub data_handling: Option<String>,
    pub verified: bool,
}

/// Everything the provider page shows.
#[derive(Clone, Debug)]
pub struct OrgView {
    pub name: String,
    /// `true` for an organisation, `false` for a user's namespace.
    pub is_org: bool,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Repos visible to the viewer.
    pub assets: Vec<RepoEntry>,
    /// Member names (contributors).
    pub members: Vec<String>,
    pub due_diligence: DueDiligence,
}

/// Renders `/organizations/{name}`.
pub fn org_page(site: &Site, v: &OrgView) -> String {
    let mut tiers: BTreeMap<&str, usize> = BTreeMap::new();
    for e in v
        .assets
        .iter()
        .filter(|e| e.kind == commonhold_types::RepoType::Model)
    {
        *tiers.entry(e.tier()).or_default() += 1;
    }
    let tier_list: String = tiers
        .iter()
        .map(|(t, n)| format!("<li>{} {n}</li>", tier_badge(t)))
        .collect();
    let downloads: i64 = v.assets.iter().map(|e| e.downloads).sum();
    let mut by_date: Vec<&RepoEntry> = v.assets.iter().collect();
    by_date.sort_by_key(|e| std::cmp::Reverse(e.created_at));
    let history: String = by_date
        .iter()
        .map(|e| {
            format!(
                "<li>{} — <a href=\"{}\">{}</a> first published</li>",
                date(e.created_at),
                esc(&e.web_path()),
                esc(&e.id())
            )
        })
        .collect();
    let members = if v.members.is_empty() {
        "<p>None listed.</p>".to_string()
    } else {
        let items: String = v
            .members
            .iter()
            .map(|m| format!("<li>{}</li>", esc(m)))
            .collect();
        format!("<ul>{items}</ul>")
    };
    let dd = &v.due_diligence;
    let field = |f: &Option<String>| {
        f.as_deref()
            .map(esc)
            .unwrap_or_else(|| "not provided".into())
    };
    let by_downloads = {
        let mut list: Vec<&RepoEntry> = v.assets.iter().collect();
        list.sort_by_key(|e| std::cmp::Reverse(e.downloads));
        result_list(&list, "h3", "No public assets yet.")
    };
    let main = format!(
        "<h1>{name}</h1><p class=\"meta\">{kind} since {since}</p>\
<section class=\"panel\" aria-labelledby=\"dd-h\"><h2 id=\"dd-h\">Provider register</h2><dl>\
<dt>Verified</dt><dd>{verified}</dd><dt>Security contact</dt><dd>{sec}</dd>\
<dt>Data-handling statement</dt><dd>{data}</dd><dt>Assets</dt><dd>{count}</dd>\
<dt>Downloads</dt><dd>{downloads}</dd></dl><h3>Models by tier</h3><ul>{tier_list}</ul></section>\
<h2>Assets</h2>{by_downloads}<h2>Contributors</h2>{members}<h2>Release history</h2><ol>{history}</ol>",
        name = esc(&v.name),
        kind = if v.is_org { "Organisation" } else { "User" },
        since = date(v.created_at),
        verified = if dd.verified { "yes" } else { "no" },
        sec = field(&dd.security_contact),
        data = field(&dd.data_handling),
        count = v.assets.len(),
    );
    site.page(&v.name, &main)
}
