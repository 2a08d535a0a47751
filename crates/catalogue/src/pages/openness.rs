//! The openness panel of a repository page: tier, MOF progress, OSAID verdict, the 17
//! components as a grid read at a glance, licences, findings with evidence links to file lines,
//! the rule of the definition behind each judgment, publishers' disputes beside the judgment
//! they dispute, and the steps to the next tier.

use commonhold_assess::{Assessment, ComponentAssessment, ComponentState, Evidence};

use crate::html::{date, esc, path_value, tier_badge};
use crate::markdown::safe_url;

/// A publisher's dispute of one judgment, as the panel shows it.
#[derive(Clone, Debug)]
pub struct DisputeRow {
    /// `tier`, `osaid`, `mof`, `data_information`, a finding id or a component key.
    pub target: String,
    pub rule: Option<String>,
    pub author: String,
    pub reason: String,
    pub evidence_url: Option<String>,
    /// The commit whose assessment was disputed.
    pub commit: String,
    /// Unix milliseconds.
    pub created_at_ms: i64,
}

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
    // A path on this hub (a base model it holds, G6) is a link too; `//host` is not a path.
    // Only plain path characters, so no `/\host` or `/\t/host` turns into another host.
    let on_this_hub = url.starts_with('/')
        && !url.starts_with("//")
        && url
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c));
    if safe_url(url) && (url.starts_with("http://") || url.starts_with("https://") || on_this_hub) {
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

/// ` · rule X`, linked to the definition, when a judgment names its rule.
fn rule_ref(rule: Option<&str>) -> String {
    match rule {
        Some(r) => format!(
            " <span class=\"rule\">rule <a href=\"{}\">{}</a></span>",
            esc(&super::definition::rule_href(r)),
            esc(r)
        ),
        None => String::new(),
    }
}

/// The disputes of `target`, shown beside its judgment; empty when there are none.
fn disputes_of(target: &str, root: &str, disputes: &[DisputeRow]) -> String {
    let items: String = disputes
        .iter()
        .filter(|d| d.target == target)
        .map(|d| {
            let evidence = d
                .evidence_url
                .as_deref()
                .filter(|u| safe_url(u) && (u.starts_with("https://") || u.starts_with("http://")))
                .map(|u| {
                    format!(
                        " <a href=\"{}\" rel=\"nofollow noopener\">their evidence</a>",
                        esc(u)
                    )
                })
                .unwrap_or_default();
            let other_commit = if d.commit == root {
                String::new()
            } else {
                format!(
                    " (about commit <code>{}</code>)",
                    esc(d.commit.get(..12).unwrap_or(&d.commit))
                )
            };
            format!(
                "<li><strong>Disputed by {}</strong> on {}{other_commit}: {}{evidence}</li>",
                esc(&d.author),
                date(d.created_at_ms),
                esc(&d.reason),
            )
        })
        .collect();
    if items.is_empty() {
        String::new()
    } else {
        format!(
            "<ul class=\"disputes\" aria-label=\"Disputes of this judgment (they do not change it)\">{items}</ul>"
        )
    }
}

fn state_word(s: ComponentState) -> &'static str {
    match s {
        ComponentState::Present => "present",
        ComponentState::Linked => "linked, not verified",
        ComponentState::DeclaredUnverified => "declared, not found",
        ComponentState::Absent => "absent",
    }
}

/// One cell of the components grid.
fn component_cell(
    repo_path: &str,
    root: &str,
    c: &ComponentAssessment,
    disputes: &[DisputeRow],
) -> String {
    let class = match c.state {
        ComponentState::Present => "comp-present",
        ComponentState::Linked => "comp-linked",
        ComponentState::DeclaredUnverified => "comp-declared",
        ComponentState::Absent => "comp-absent",
    };
    let key = serde_json::to_value(c.component)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let mof_class = match c.component.class() {
        3 => "Class III",
        2 => "Class II",
        _ => "Class I",
    };
    let optional = if c.component.required() {
        ""
    } else {
        ", optional"
    };
    let evidence = c
        .evidence
        .first()
        .map(|e| format!("<br>{}", evidence(repo_path, root, e)))
        .unwrap_or_default();
    format!(
        "<li class=\"comp {class}\" id=\"component-{key}\"><strong>{name}</strong> <span class=\"meta\">({mof_class}{optional})</span><br><span class=\"state\">{state}</span>\
{licence}{rule}{evidence}{disputes}</li>",
        name = esc(&c.name),
        state = state_word(c.state),
        licence = c
            .licence
            .as_deref()
            .map(|l| format!(" · {}", esc(l)))
            .unwrap_or_default(),
        rule = rule_ref(c.rule.as_deref()),
        disputes = disputes_of(&key, root, disputes),
    )
}

/// The 17 components as a grid, one cell each: state, licence, rule, first evidence.
fn components_grid(repo_path: &str, a: &Assessment, disputes: &[DisputeRow]) -> String {
    let cells: String = a
        .components
        .iter()
        .map(|c| component_cell(repo_path, &a.root, c, disputes))
        .collect();
    let counted = a.components.iter().filter(|c| c.state.counts()).count();
    format!(
        "<h3 id=\"components-h\">Components ({counted} of {} present or linked)</h3>\
<ul class=\"components\" aria-labelledby=\"components-h\">{cells}</ul>",
        a.components.len()
    )
}

/// The data information grade (definition D1-D8) beside the components grid: the grade after
/// lineage and the release's own, the rule that decided, and each statement it rests on,
/// quoted with a link to its line.
fn data_information(repo_path: &str, a: &Assessment, disputes: &[DisputeRow]) -> String {
    let Some(d) = &a.data_information else {
        return String::new();
    };
    let own = if d.own_grade == d.grade {
        String::new()
    } else {
        format!(
            " (its own files: <strong>{}</strong>; a base model's data lowers it)",
            d.own_grade.as_str()
        )
    };
    let rows: String = d
        .statements()
        .map(|st| {
            format!(
                "<tr><td>{}</td><td><q>{}</q></td><td>{}</td></tr>",
                format_args!("{}{}", esc(st.kind()), rule_ref(Some(&st.rule))),
                esc(&st.quote),
                evidence(repo_path, &a.root, &st.evidence)
            )
        })
        .collect();
    let table = if rows.is_empty() {
        "<p>No statement about the training data was found in the card or a data card.</p>"
            .to_owned()
    } else {
        format!(
            "<table><caption class=\"visually-hidden\">What the data information grade rests on</caption>\
<thead><tr><th scope=\"col\">Statement</th><th scope=\"col\">Quoted</th><th scope=\"col\">Evidence</th></tr></thead>\
<tbody>{rows}</tbody></table>"
        )
    };
    format!(
        "<section id=\"data-information\" aria-labelledby=\"data-information-h\"><h3 id=\"data-information-h\">Data information</h3>\
<p>Grade: <strong class=\"data-grade data-{grade}\">{grade}</strong>{own}{rule}</p>{disputes}{table}</section>",
        grade = d.grade.as_str(),
        rule = rule_ref(Some(&d.rule)),
        disputes = disputes_of("data_information", &a.root, disputes),
    )
}

/// The panel. `None` says the assessor has not reached this commit yet.
pub fn openness_panel(repo_path: &str, a: Option<&Assessment>, disputes: &[DisputeRow]) -> String {
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
            "<p>Tier: {}{} · MOF: <strong>{}</strong> · OSAID 1.0: <strong>{}</strong></p>{}{}{}\
<h3>MOF progress</h3><ul>{}{}{}</ul>",
            tier_badge(a.tier.as_str()),
            rule_ref(a.tier_rule.as_deref()),
            esc(&a.mof.label),
            if a.osaid.pass {
                "pass"
            } else {
                "does not pass"
            },
            disputes_of("tier", root, disputes),
            disputes_of("mof", root, disputes),
            disputes_of("osaid", root, disputes),
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
    out.push_str(&components_grid(repo_path, a, disputes));
    out.push_str(&data_information(repo_path, a, disputes));
    if !a.licences.is_empty() {
        let rows: String = a
            .licences
            .iter()
            .map(|l| {
                format!(
                    "<tr><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&l.id),
                    esc(&l.scope),
                    l.inherited_from
                        .as_deref()
                        .map(|b| format!(
                            " (inherited from base <code>{}</code>{})",
                            esc(b),
                            rule_ref(Some("G3"))
                        ))
                        .unwrap_or_default(),
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
                    "<li id=\"finding-{id}\"><strong>{id}</strong> ({sev}){rule}: {msg}<br>Evidence: {ev}{disputes}</li>",
                    id = f.id,
                    sev = f.severity.as_str(),
                    rule = rule_ref(f.rule.as_deref()),
                    msg = esc(&f.message),
                    ev = evidence_list(repo_path, root, &f.evidence),
                    disputes = disputes_of(f.id.as_str(), root, disputes),
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
    if let Some(k) = &a.knowledge {
        out.push_str(&format!(
            "<p class=\"meta\">Assessed under definition {} with the knowledge file of base models {} \
(sha256 <code>{}</code>, {}). A publisher who thinks a judgment wrong can dispute it \
(<code>POST /api/{{models|datasets}}/{{repo}}/disputes</code>); disputes are shown beside it and do not change it.</p>",
            esc(&a.definition_version),
            esc(&k.version),
            esc(k.sha256.get(..16).unwrap_or(&k.sha256)),
            esc(&k.origin),
        ));
    }
    out.push_str("</section>");
    out
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}
