//! Pieces every page shares: the site description, result rows and the error page.

use crate::datacard::Completeness;
use crate::entry::RepoEntry;
use crate::html::{esc, layout, tier_badge};

/// What pages need to know about the installation.
#[derive(Clone, Debug)]
pub struct Site {
    /// Shown in the header and titles.
    pub name: String,
}

impl Site {
    pub fn page(&self, title: &str, main: &str) -> String {
        layout(title, &self.name, main)
    }
}

/// The badge of a dataset's data-card completeness.
pub fn data_card_badge(level: Completeness) -> String {
    format!(
        "<span class=\"badge tier-other\">Data card: {}</span>",
        level.as_str()
    )
}

/// One search result or listing row: name, description, tier badge (licence and data-card
/// completeness for datasets), task, downloads.
pub fn result_item(e: &RepoEntry, heading: &str) -> String {
    let kind = match e.kind {
        commonhold_types::RepoType::Dataset => "Dataset",
        _ => "Model",
    };
    let badge = match e.kind {
        commonhold_types::RepoType::Dataset => {
            let licence = e.licences().join(", ");
            let licence = if licence.is_empty() {
                "no licence declared".to_string()
            } else {
                licence
            };
            let card = e
                .data_card()
                .map(|c| data_card_badge(c.level()))
                .unwrap_or_default();
            format!(
                "<span class=\"badge tier-other\">Licence: {}</span> {card}",
                esc(&licence)
            )
        }
        _ => tier_badge(e.tier()),
    };
    let task = e
        .pipeline_tag
        .as_deref()
        .map(|t| format!(" · {}", esc(t)))
        .unwrap_or_default();
    format!(
        "<li><{heading}><a href=\"{href}\">{id}</a></{heading}> {badge}\
<p class=\"meta\">{kind}{task} · {downloads} downloads · updated {updated}</p><p>{desc}</p></li>",
        href = esc(&e.web_path()),
        id = esc(&e.id()),
        downloads = e.downloads,
        updated = crate::html::date(e.last_modified),
        desc = esc(&e.description()),
    )
}

/// A list of result rows, or a sentence when there are none.
pub fn result_list(entries: &[&RepoEntry], heading: &str, empty: &str) -> String {
    if entries.is_empty() {
        return format!("<p>{}</p>", esc(empty));
    }
    let rows: String = entries.iter().map(|e| result_item(e, heading)).collect();
    format!("<ul class=\"results\">{rows}</ul>")
}

/// A page for an error the reader can act on.
pub fn error_page(site: &Site, title: &str, message: &str) -> String {
    site.page(
        title,
        &format!(
            "<h1>{}</h1><p>{}</p><p><a href=\"/\">Back to the catalogue</a></p>",
            esc(title),
            esc(message)
        ),
    )
}
