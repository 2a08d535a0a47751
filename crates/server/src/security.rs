//! Headers that tell browsers how to treat every answer: what a page may load and run, that
//! content types are not to be sniffed, that no other site may frame us, and that no referrer
//! leaves for other sites (a private repo's URL names it).
//!
//! Our own pages (`text/html`, rendered by `commonhold_catalogue`) run no script at all and load
//! only the stylesheet, from this origin; the catalogue and `routes/web.rs` must keep it so.
//! Everything else (API answers, files served by `resolve`) is data: with `default-src 'none'`
//! and `sandbox`, a browser that is somehow made to render one runs nothing and loads nothing.
//! A handler that sets one of these headers itself keeps its own value.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The catalogue pages: our stylesheet and forms, no script, no plugins, no framing.
pub const PAGE_CSP: &str = "default-src 'self'; script-src 'none'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/// Everything that is not one of our pages.
pub const DATA_CSP: &str = "default-src 'none'; sandbox; frame-ancestors 'none'";

/// Adds the security headers to every response.
pub async fn headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    let page = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.trim_start().to_ascii_lowercase().starts_with("text/html"));
    let csp = if page { PAGE_CSP } else { DATA_CSP };
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, csp),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
    ] {
        set_default(h, name, value);
    }
    resp
}

fn set_default(h: &mut HeaderMap, name: HeaderName, value: &'static str) {
    h.entry(name)
        .or_insert_with(|| HeaderValue::from_static(value));
}

/// File names a browser would render as active content (markup that can run script or
/// navigate) if it ever rendered them: served as downloads, never inline.
const ACTIVE_EXTENSIONS: &[&str] = &[
    "htm", "html", "shtml", "xht", "xhtml", "mht", "mhtml", "svg", "svgz", "xml", "xsl", "xslt",
];

/// Whether a file at `path` is active content by its name.
pub fn is_active(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').is_some_and(|(_, ext)| {
        ACTIVE_EXTENSIONS
            .iter()
            .any(|a| a.eq_ignore_ascii_case(ext))
    })
}

/// `Content-Disposition: attachment` naming the file (RFC 6266: a plain ASCII `filename` with
/// anything unsafe replaced, and the exact name in `filename*`).
pub fn attachment(path: &str) -> HeaderValue {
    let name = path.rsplit('/').next().unwrap_or(path);
    let plain: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' && c != '%' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let exact =
        percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC).to_string();
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{plain}\"; filename*=UTF-8''{exact}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_files_by_extension() {
        for p in [
            "index.html",
            "a/b/x.HTM",
            "logo.svg",
            "feed.xml",
            "p.xhtml",
            "x.SvgZ",
        ] {
            assert!(is_active(p), "{p}");
        }
        for p in [
            "config.json",
            "README.md",
            "html",
            "a.html/b.bin",
            "x.svg.bin",
            "model.safetensors",
        ] {
            assert!(!is_active(p), "{p}");
        }
    }

    #[test]
    fn attachment_names_are_safe() {
        assert_eq!(
            attachment("docs/index.html"),
            "attachment; filename=\"index.html\"; filename*=UTF-8''index%2Ehtml"
        );
        assert_eq!(
            attachment("a\"b é.svg"),
            "attachment; filename=\"a_b__.svg\"; filename*=UTF-8''a%22b%20%C3%A9%2Esvg"
        );
    }
}
