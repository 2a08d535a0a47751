//! The file view: one file at one commit, with a link target for every line (`#L{n}`) so
//! that evidence in the openness panel lands on the line it quotes.

use super::common::Site;
use crate::html::{bytes, esc, path_value};

/// Files larger than this are not shown inline; the page offers the download instead.
pub const MAX_INLINE_BYTES: usize = 1024 * 1024;

/// One file at one commit.
#[derive(Clone, Debug)]
pub struct BlobView {
    /// `ns/name`.
    pub repo_id: String,
    /// The repository's web path (`/ns/name` or `/datasets/ns/name`).
    pub repo_path: String,
    pub commit: String,
    pub path: String,
    pub size: u64,
    pub lfs: bool,
    /// The text, when the file is small, not in LFS and valid UTF-8.
    pub text: Option<String>,
}

/// Renders the file view.
pub fn blob_page(site: &Site, v: &BlobView) -> String {
    let download = format!(
        "{}/resolve/{}/{}",
        v.repo_path,
        path_value(&v.commit),
        path_value(&v.path)
    );
    let body = match &v.text {
        Some(text) if text.len() <= MAX_INLINE_BYTES => {
            let lines: String = text
                .lines()
                .enumerate()
                .map(|(i, line)| {
                    let n = i + 1;
                    format!(
                        "<span class=\"line\" id=\"L{n}\"><a class=\"ln\" href=\"#L{n}\" aria-label=\"Line {n}\">{n}</a>{}</span>",
                        esc(line)
                    )
                })
                .collect();
            format!(
                "<pre class=\"code\" tabindex=\"0\" aria-label=\"Content of {}\"><code>{lines}</code></pre>",
                esc(&v.path)
            )
        }
        _ if v.lfs => "<p>This file is stored in LFS and is not shown inline.</p>".into(),
        _ => "<p>This file is binary or too large to show inline.</p>".into(),
    };
    let main = format!(
        "<nav aria-label=\"Breadcrumb\"><a href=\"{repo_href}\">{repo}</a> / {path}</nav>\
<h1>{path}</h1><p class=\"meta\">At commit <code>{commit}</code> · {size}{lfs} · \
<a href=\"{download}\">Download</a></p>{body}",
        repo_href = esc(&v.repo_path),
        repo = esc(&v.repo_id),
        path = esc(&v.path),
        commit = esc(&v.commit),
        size = bytes(v.size),
        lfs = if v.lfs { " · LFS" } else { "" },
        download = esc(&download),
    );
    site.page(&format!("{} · {}", v.path, v.repo_id), &main)
}
