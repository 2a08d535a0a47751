//! Funder pages: what each funder's money paid for, with grants and programmes.

use std::collections::BTreeMap;

use super::common::{Site, result_list};
use crate::entry::RepoEntry;
use crate::funding::funder_slug;
use crate::html::esc;

/// Renders `/funders`: every funder named in a visible card, with its number of assets.
pub fn funders_index(site: &Site, entries: &[&RepoEntry]) -> String {
    let mut funders: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for e in entries {
        for f in e.funding() {
            let slot = funders
                .entry(funder_slug(&f.funder))
                .or_insert((f.funder.clone(), 0));
            slot.1 += 1;
        }
    }
    let items: String = funders
        .iter()
        .filter(|(slug, _)| !slug.is_empty())
        .map(|(slug, (name, n))| {
            format!(
                "<li><a href=\"/funders/{}\">{}</a> ({n})</li>",
                esc(slug),
                esc(name)
            )
        })
        .collect();
    let body = if items.is_empty() {
        "<p>No card declares funding yet. See the <code>funding:</code> card field.</p>".to_string()
    } else {
        format!("<ul>{items}</ul>")
    };
    site.page("Funders", &format!("<h1>Funders</h1>{body}"))
}

/// Renders `/funders/{slug}`: the assets naming this funder, with their grants.
pub fn funder_page(site: &Site, slug: &str, entries: &[&RepoEntry]) -> String {
    let funded: Vec<&RepoEntry> = entries
        .iter()
        .copied()
        .filter(|e| e.funding().iter().any(|f| funder_slug(&f.funder) == slug))
        .collect();
    let name = funded
        .iter()
        .flat_map(|e| e.funding())
        .find(|f| funder_slug(&f.funder) == slug)
        .map(|f| f.funder)
        .unwrap_or_else(|| slug.to_string());
    let grants: String = funded
        .iter()
        .flat_map(|e| {
            e.funding()
                .into_iter()
                .filter(|f| funder_slug(&f.funder) == slug)
                .map(move |f| (e, f))
        })
        .map(|(e, f)| {
            format!(
                "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
                esc(&e.web_path()),
                esc(&e.id()),
                esc(f.programme.as_deref().unwrap_or("—")),
                esc(f.grant_id.as_deref().unwrap_or("—"))
            )
        })
        .collect();
    let main = format!(
        "<h1>Funded by {n}</h1><p>{count} asset{s}.</p>{list}<h2>Grants</h2><table><thead><tr>\
<th scope=\"col\">Asset</th><th scope=\"col\">Programme</th><th scope=\"col\">Grant</th></tr></thead><tbody>{grants}</tbody></table>",
        n = esc(&name),
        count = funded.len(),
        s = if funded.len() == 1 { "" } else { "s" },
        list = result_list(&funded, "h2", "No visible asset names this funder."),
    );
    site.page(&format!("Funded by {name}"), &main)
}
