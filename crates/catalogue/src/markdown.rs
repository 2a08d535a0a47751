//! Model and data cards rendered from Markdown, made inert.
//!
//! A card is untrusted text. Instead of rendering and then cleaning HTML, the Markdown event
//! stream is cleaned before any HTML exists: raw HTML blocks and inline HTML become escaped
//! text, and link and image destinations are kept only when their scheme is `http`, `https` or
//! `mailto` (or when they are relative), so `<script>`, event handlers and `javascript:` links
//! cannot survive. Images are rendered as links (no remote requests from a reader's browser),
//! and headings are demoted to sit under the page's own.

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd, html};

/// Cards longer than this are cut before rendering: the page stays fast whatever is uploaded.
pub const MAX_CARD_BYTES: usize = 512 * 1024;

/// The card's body without its YAML front matter.
pub fn strip_front_matter(text: &str) -> &str {
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return text;
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        offset += line.len();
        if line.trim_end() == "---" {
            return rest.get(offset..).unwrap_or_default();
        }
    }
    text
}

/// Whether a link destination is safe to put in an `href`.
pub fn safe_url(url: &str) -> bool {
    let trimmed: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    let lower = trimmed.to_ascii_lowercase();
    match lower.find(':') {
        // A colon before any `/`, `?` or `#` starts a scheme.
        Some(colon)
            if !lower
                .get(..colon)
                .is_some_and(|head| head.contains(['/', '?', '#'])) =>
        {
            ["http", "https", "mailto"].contains(&lower.get(..colon).unwrap_or_default())
        }
        _ => true,
    }
}

/// Renders a card's Markdown (front matter removed) to sanitised HTML.
pub fn render_card(text: &str) -> String {
    let mut cut = text.len().min(MAX_CARD_BYTES);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let body = strip_front_matter(text.get(..cut).unwrap_or_default());
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES;
    let events = Parser::new_ext(body, options).map(clean);
    let mut out = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

/// One event made safe: see the module doc.
fn clean(event: Event<'_>) -> Event<'_> {
    match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_dest(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            dest_url, title, ..
        }) => Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url: safe_dest(dest_url),
            title,
            id: CowStr::Borrowed(""),
        }),
        Event::End(TagEnd::Image) => Event::End(TagEnd::Link),
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Event::Start(Tag::Heading {
            level: demote(level),
            id,
            classes,
            attrs,
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demote(level))),
        other => other,
    }
}

/// Card headings sit under the page's "Card" heading (an `h2`), so a card's `#` becomes `h3`:
/// the page keeps one `h1` and a heading order screen readers can follow.
fn demote(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H3,
        HeadingLevel::H2 => HeadingLevel::H4,
        HeadingLevel::H3 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

fn safe_dest(url: CowStr<'_>) -> CowStr<'_> {
    if safe_url(&url) {
        url
    } else {
        CowStr::Borrowed("#")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_links_are_inert() {
        let card = "---\nlicense: mit\n---\n# Title\n\n<script>alert(1)</script>\n\n\
                    Hi <img src=x onerror=alert(2)> [click](javascript:alert(3)) \
                    [up](JaVaScRiPt&#58;alert(4)) [ok](https://example.org/a) [rel](docs/x.md)\n\n\
                    ![pic](data:text/html;base64,xx)\n";
        let html = render_card(card);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.to_lowercase().contains("href=\"javascript"), "{html}");
        assert!(!html.contains("href=\"data:"), "{html}");
        assert!(html.contains("href=\"https://example.org/a\""), "{html}");
        assert!(html.contains("href=\"docs/x.md\""), "{html}");
        assert!(html.contains("<h3>Title</h3>"), "headings demoted: {html}");
        assert!(!html.contains("license: mit"), "front matter shown: {html}");
    }

    #[test]
    fn url_schemes() {
        for ok in [
            "https://a",
            "http://a",
            "mailto:a@b",
            "/x",
            "x/y:z",
            "#top",
            "?q=a:b",
        ] {
            assert!(safe_url(ok), "{ok}");
        }
        for bad in [
            "javascript:x",
            " JAVASCRIPT:x",
            "java\tscript:x",
            "vbscript:x",
            "data:x",
        ] {
            assert!(!safe_url(bad), "{bad}");
        }
    }

    #[test]
    fn huge_cards_are_cut_on_a_char_boundary() {
        let card = "é".repeat(MAX_CARD_BYTES);
        assert!(render_card(&card).len() > 1000);
    }
}
