//! The home page: what the catalogue holds and where to start.

use super::common::{Site, result_list};
use crate::RepoEntry;
use crate::html::esc;
use crate::search::{Facet, SearchIndex, SearchQuery, Sort};

/// Renders `/`: a search box, counts by type and tier, and the latest updates.
/// Shows the entries `visible` accepts.
pub fn home_page(site: &Site, index: &SearchIndex, visible: &dyn Fn(&RepoEntry) -> bool) -> String {
    let recent = index.search_as(
        &SearchQuery {
            sort: Sort::Recent,
            limit: 10,
            ..SearchQuery::default()
        },
        visible,
    );
    let facet_links = |facet: Facet| -> String {
        recent
            .facets
            .iter()
            .find(|(f, _)| *f == facet)
            .map(|(_, values)| {
                values
                    .iter()
                    .map(|v| {
                        format!(
                            "<li><a href=\"/search?{}={}\">{}</a> ({})</li>",
                            facet.key(),
                            crate::html::query_value(&v.value),
                            esc(&v.value),
                            v.count
                        )
                    })
                    .collect::<String>()
            })
            .unwrap_or_default()
    };
    let main = format!(
        "<h1>{name}</h1><p>A public catalogue of open AI models and datasets, each assessed for \
how open it really is.</p>\
<form role=\"search\" action=\"/search\" method=\"get\"><label for=\"home-q\">Search models and datasets</label> \
<input id=\"home-q\" name=\"q\" type=\"search\"> <button type=\"submit\">Search</button></form>\
<div class=\"layout\"><section aria-labelledby=\"browse\"><h2 id=\"browse\">Browse</h2>\
<h3>By type</h3><ul>{kinds}</ul><h3>By tier</h3><ul>{tiers}</ul></section>\
<section aria-labelledby=\"recent\"><h2 id=\"recent\">Recently updated</h2>{list}\
<p><a href=\"/search?sort=recent\">All {total} repositories</a></p></section></div>",
        name = esc(&site.name),
        kinds = facet_links(Facet::Kind),
        tiers = facet_links(Facet::Tier),
        list = result_list(&recent.hits, "h3", "Nothing has been published yet."),
        total = recent.total,
    );
    site.page("Home", &main)
}
