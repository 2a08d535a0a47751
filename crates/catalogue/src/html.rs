//! HTML building blocks: escaping, the page layout, badges, and the stylesheet.
//!
//! Pages are plain server-rendered HTML readable without JavaScript. Every piece of text that
//! comes from a repository goes through [`esc`]; attributes are always quoted.

use std::fmt::Write as _;

/// Path of the stylesheet; the server serves [`CSS`] there with immutable caching, so the name
/// carries a version to change whenever the stylesheet does.
pub const CSS_PATH: &str = "/static/catalogue-2.css";

/// The whole stylesheet: small, system fonts, AA contrast, visible focus.
pub const CSS: &str = include_str!("catalogue.css");

/// Escapes text for element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query-string value.
pub fn query_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Percent-encodes a path, keeping `/` (for file paths inside URLs).
pub fn path_value(s: &str) -> String {
    s.split('/').map(query_value).collect::<Vec<_>>().join("/")
}

/// A complete page: `title` goes in `<title>` and the `<h1>` is the body's job.
pub fn layout(title: &str, site_name: &str, main: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title} · {site}</title><link rel=\"stylesheet\" href=\"{CSS_PATH}\"></head>\
<body><a class=\"skip\" href=\"#main\">Skip to content</a>\
<header class=\"site\"><nav aria-label=\"Site\"><a class=\"brand\" href=\"/\">{site}</a>\
<ul><li><a href=\"/search?kind=model\">Models</a></li><li><a href=\"/search?kind=dataset\">Datasets</a></li>\
<li><a href=\"/compare\">Compare</a></li><li><a href=\"/funders\">Funders</a></li></ul></nav>\
<form role=\"search\" action=\"/search\" method=\"get\"><label for=\"site-q\">Search the catalogue</label>\
<input id=\"site-q\" name=\"q\" type=\"search\"><button type=\"submit\">Search</button></form></header>\
<main id=\"main\" tabindex=\"-1\">{main}</main>\
<footer class=\"site\"><p>Openness assessed under definition {def}. \
<a href=\"/api/catalog/dcat\">DCAT-AP catalogue</a></p></footer></body></html>",
        title = esc(title),
        site = esc(site_name),
        def = esc(commonhold_assess::model::DEFINITION_VERSION),
    )
}

/// The tier badge shown with every result: text, not colour alone, carries the meaning.
pub fn tier_badge(tier: &str) -> String {
    let class = match tier {
        "open-science" | "open-tooling" | "open-model" => "tier-open",
        "open-weights" => "tier-weights",
        "restricted-weights" | "closed" => "tier-restricted",
        _ => "tier-other",
    };
    format!(
        "<span class=\"badge {class}\"><span class=\"visually-hidden\">Tier: </span>{}</span>",
        esc(tier)
    )
}

/// Human-readable byte count.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    let name = UNITS.get(unit).copied().unwrap_or("B");
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {name}")
    }
}

/// `YYYY-MM-DD` of unix milliseconds (UTC).
pub fn date(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_that_matters() {
        assert_eq!(
            esc("<a href=\"x\">'&"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;"
        );
        assert_eq!(query_value("a b/é"), "a%20b%2F%C3%A9");
        assert_eq!(path_value("dir/a b.txt"), "dir/a%20b.txt");
    }

    #[test]
    fn sizes_and_dates() {
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(1_500_000), "1.5 MB");
        assert_eq!(date(1_700_000_000_123), "2023-11-14");
    }
}
