//! The openness panel of a repository page: tier, MOF progress, OSAID verdict, licences,
//! findings with evidence links to file lines, and the steps to the next tier.

use commonhold_assess::{Assessment, Evidence};

use crate::html::{esc, path_value, tier_badge};
use crate::markdown::safe_url;

/// The file view URL of a line of evidence: `/{repo}/blob/{commit}/{path}#L{n}`.
/// `repo_path` is the repository's web path (`/ns/name` or `/datasets/ns/name`).
pub fn evidence_href(repo_path: &str, commit: &str, path: &str, line: Option<usize>) -> String {
    let anchor = line.map(|n| format!("#L{n}")).unwrap_or_default();
    format!(
        "{repo_path}/blob/{}/{}{anchor}",
        path_value(commit),
        path_value(path)
    )
}

/// A URL found in a release or the knowledge file: a link when it is a safe http(s) URL, else
/// text.
fn external_link(url: &str) -> String {
    if safe_url(url) && (url.starts_with("http://") || url.starts_with("https://")) {
        format!(
            "<a href=\"{0}\" rel=\"nofollow noopener\">{0}</a>",
            esc(url)
        )
    } else {
        esc(url)
    }
}

/// One piece of evidence as a link (or text for a manifest declaration).
fn evidence(repo_path: &str, root: &str, e: &Evidence) -> String {
    match e {
        Evidence::File {
            root: r,
            path,
            line,
        } => {
            let commit = if r.is_empty() { root } else { r.as_str() };
            let label = match line {
                Some(n) => format!("{path}, line {n}"),
                None => path.clone(),
            };
            format!(
                "<a href=\"{}\">{}</a>",
                esc(&evidence_href(repo_path, commit, path, *line)),
                esc(&label)
            )
        }
        Evidence::Url { url, path, line } => {
            let link = external_link(url);
            match path {
                Some(p) => format!(
                    "{link} (in <a href=\"{}\">{}</a>)",
                    esc(&evidence_href(repo_path, root, p, *line)),
                    esc(&match line {
                        Some(n) => format!("{p}, line {n}"),
                        None => p.clone(),
                    })
                ),
                None => link,
            }
        }
        Evidence::Revision { name } => format!(
            "<a href=\"{}\">revision {}</a>",
            esc(&format!("{repo_path}/tree/{}", path_value(name))),
            esc(name)
        ),
        Evidence::Manifest { component_path } => format!(
            "declared in the MOF manifest{}",
            component_path
                .as_deref()
                .map(|p| format!(" ({})", esc(p)))
                .unwrap_or_default()
        ),
        Evidence::Knowledge {
            family,
            name,
            version,
            source,
            checked,
            ..
        } => {
            let source = external_link(source);
            format!(
                "knowledge file {}, family <code>{}</code> ({}): {source}, checked {}",
                esc(version),
                esc(family),
                esc(name),
                esc(checked)
            )
        }
    }
}

fn evidence_list(repo_path: &str, root: &str, list: &[Evidence]) -> String {
    if list.is_empty() {
        return "—".into();
    }
    list.iter()
        .map(|e| evidence(repo_path, root, e))
        .collect::<Vec<_>>()
        .join("; ")
}

fn progress(label: &str, id: &str, value: f64) -> String {
    let v = value.clamp(0.0, 100.0);
    format!(
        "<li><label for=\"{id}\">{label}</label> <progress id=\"{id}\" max=\"100\" value=\"{v:.0}\">{v:.0}%</progress> {v:.0}%</li>"
    )
}

/// The panel. `None` says the assessor has not reached this commit yet.
pub fn openness_panel(repo_path: &str, a: Option<&Assessment>) -> String {
    let Some(a) = a else {
        return "<section class=\"panel\" aria-labelledby=\"openness-h\"><h2 id=\"openness-h\">Openness</h2>\
<p>The assessment of this revision is pending; it appears here within a minute of a commit.</p></section>"
            .into();
    };
    let root = a.root.as_str();
    let mut out = String::from(
        "<section class=\"panel\" aria-labelledby=\"openness-h\"><h2 id=\"openness-h\">Openness</h2>",
    );
    if let Some(ds) = &a.dataset {
        out.push_str(&format!(
            "<p>Licence: <strong>{}</strong> ({}).</p><h3>Data card completeness</h3><ul>\
<li>Composition: {}</li><li>Collection process: {}</li><li>Provenance: {}</li><li>Known biases: {}</li></ul>",
            esc(ds.licence.as_deref().unwrap_or("none found")),
            if ds.open_data { "an open data licence" } else { "not an open data licence" },
            yes(ds.card.composition),
            yes(ds.card.collection),
            yes(ds.card.provenance),
            yes(ds.card.known_biases),
        ));
    } else {
        out.push_str(&format!(
            "<p>Tier: {} · MOF: <strong>{}</strong> · OSAID 1.0: <strong>{}</strong></p><h3>MOF progress</h3><ul>{}{}{}</ul>",
            tier_badge(a.tier.as_str()),
            esc(&a.mof.label),
            if a.osaid.pass { "pass" } else { "does not pass" },
            progress("Class III (Open Model)", "mof-3", a.mof.progress.class_3),
            progress("Class II (Open Tooling)", "mof-2", a.mof.progress.class_2),
            progress("Class I (Open Science)", "mof-1", a.mof.progress.class_1),
        ));
        if !a.osaid.missing.is_empty() {
            let items: String = a
                .osaid
                .missing
                .iter()
                .map(|m| format!("<li>{}</li>", esc(m)))
                .collect();
            out.push_str(&format!("<h3>What OSAID still needs</h3><ul>{items}</ul>"));
        }
    }
    if !a.licences.is_empty() {
        let rows: String = a
            .licences
            .iter()
            .map(|l| {
                format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&l.id),
                    esc(&l.scope),
                    yes(l.osi_approved),
                    yes(l.restrictive),
                    evidence(repo_path, root, &l.evidence)
                )
            })
            .collect();
        out.push_str(&format!(
            "<h3>Licences found</h3><table><caption class=\"visually-hidden\">Licences found</caption>\
<thead><tr><th scope=\"col\">Licence</th><th scope=\"col\">Governs</th><th scope=\"col\">OSI approved</th>\
<th scope=\"col\">Restrictive</th><th scope=\"col\">Evidence</th></tr></thead><tbody>{rows}</tbody></table>"
        ));
    }
    out.push_str("<h3>Findings</h3>");
    if a.findings.is_empty() {
        out.push_str("<p>No findings.</p>");
    } else {
        let items: String = a
            .findings
            .iter()
            .map(|f| {
                format!(
                    "<li id=\"finding-{id}\"><strong>{id}</strong> ({sev}): {msg}<br>Evidence: {ev}</li>",
                    id = esc(&f.id),
                    sev = f.severity.as_str(),
                    msg = esc(&f.message),
                    ev = evidence_list(repo_path, root, &f.evidence),
                )
            })
            .collect();
        out.push_str(&format!("<ul class=\"findings\">{items}</ul>"));
    }
    if let Some(next) = &a.next_tier {
        let steps: String = next
            .steps
            .iter()
            .map(|s| format!("<li>{}</li>", esc(s)))
            .collect();
        out.push_str(&format!(
            "<h3>Steps to {}</h3><ol>{steps}</ol>",
            esc(next.tier.as_str())
        ));
    }
    out.push_str("</section>");
    out
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}
