//! The search page: the query, facets with counts, sort, results and paging.

use super::common::{Site, result_list};
use crate::html::{esc, query_value};
use crate::search::{Facet, SearchQuery, SearchResults, Sort};

/// The query string of `q` with one change, for facet and sort links.
fn link(q: &SearchQuery, toggle: Option<(Facet, &str)>, sort: Sort, offset: usize) -> String {
    let mut parts = Vec::new();
    if !q.text.is_empty() {
        parts.push(format!("q={}", query_value(&q.text)));
    }
    let mut filters: Vec<(Facet, String)> = q.filters.clone();
    if let Some((f, v)) = toggle {
        if let Some(pos) = filters.iter().position(|(ff, vv)| *ff == f && vv == v) {
            filters.remove(pos);
        } else {
            filters.push((f, v.to_string()));
        }
    }
    for (f, v) in &filters {
        parts.push(format!("{}={}", f.key(), query_value(v)));
    }
    if sort != Sort::Relevance {
        parts.push(format!("sort={}", sort.key()));
    }
    if offset > 0 {
        parts.push(format!("offset={offset}"));
    }
    format!("/search?{}", parts.join("&amp;"))
}

/// Renders `/search`.
pub fn search_page(site: &Site, q: &SearchQuery, r: &SearchResults<'_>) -> String {
    let facets: String = r
        .facets
        .iter()
        .filter(|(_, values)| !values.is_empty())
        .map(|(facet, values)| {
            let items: String = values
                .iter()
                .map(|v| {
                    let href = link(q, Some((*facet, &v.value)), q.sort, 0);
                    let state = if v.selected {
                        " aria-current=\"true\""
                    } else {
                        ""
                    };
                    let mark = if v.selected { "✓ " } else { "" };
                    let action = if v.selected {
                        "<span class=\"visually-hidden\">Remove filter: </span>"
                    } else {
                        ""
                    };
                    format!(
                        "<li><a href=\"{href}\"{state}>{action}{mark}{}</a> ({})</li>",
                        esc(&v.value),
                        v.count
                    )
                })
                .collect();
            format!(
                "<fieldset><legend>{}</legend><ul>{items}</ul></fieldset>",
                esc(facet.label())
            )
        })
        .collect();
    let sorts: String = [Sort::Relevance, Sort::Recent, Sort::Downloads]
        .into_iter()
        .map(|s| {
            let selected = if s == q.sort { " selected" } else { "" };
            format!("<option value=\"{0}\"{selected}>{0}</option>", s.key())
        })
        .collect();
    let hidden: String = q
        .filters
        .iter()
        .map(|(f, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                f.key(),
                esc(v)
            )
        })
        .collect();
    let limit = q.limit.clamp(1, 100);
    let mut pager = String::new();
    if q.offset > 0 {
        let prev = link(q, None, q.sort, q.offset.saturating_sub(limit));
        pager.push_str(&format!(
            "<a href=\"{prev}\" rel=\"prev\">Previous page</a>"
        ));
    }
    if q.offset + limit < r.total {
        let next = link(q, None, q.sort, q.offset + limit);
        pager.push_str(&format!("<a href=\"{next}\" rel=\"next\">Next page</a>"));
    }
    let heading = if q.text.is_empty() {
        "Search the catalogue".to_string()
    } else {
        format!("Results for “{}”", q.text)
    };
    let main = format!(
        "<h1>{h}</h1><form action=\"/search\" method=\"get\" class=\"query\">\
<label for=\"q\">Search words</label> <input id=\"q\" name=\"q\" type=\"search\" value=\"{text}\"> \
<label for=\"sort\">Sort by</label> <select id=\"sort\" name=\"sort\">{sorts}</select>{hidden} \
<button type=\"submit\">Search</button></form>\
<div class=\"layout\"><aside class=\"facets\" aria-labelledby=\"facets-h\"><h2 id=\"facets-h\">Filter</h2>{facets}</aside>\
<section aria-labelledby=\"results-h\"><h2 id=\"results-h\" aria-live=\"polite\">{total} result{s}</h2>{list}\
<nav class=\"pager\" aria-label=\"Pages\">{pager}</nav></section></div>",
        h = esc(&heading),
        text = esc(&q.text),
        total = r.total,
        s = if r.total == 1 { "" } else { "s" },
        list = result_list(
            &r.hits,
            "h3",
            "No repository matches. Try fewer words or remove a filter."
        ),
    );
    site.page(&heading, &main)
}
