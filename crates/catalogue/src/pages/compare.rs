//! Compare: two to four models side by side (tier, licences, components, findings).

use commonhold_assess::{Assessment, ComponentState};

use super::common::Site;
use crate::entry::RepoEntry;
use crate::html::{esc, tier_badge};

/// One model in the comparison.
#[derive(Clone, Debug)]
pub struct CompareItem {
    pub entry: RepoEntry,
    pub assessment: Option<Assessment>,
}

/// Renders `/compare`; with fewer than two items it shows the form only.
pub fn compare_page(
    site: &Site,
    items: &[CompareItem],
    asked: &[String],
    problems: &[String],
) -> String {
    let inputs: String = (0..4)
        .map(|i| {
            format!(
                "<p><label for=\"m{i}\">Model {n}</label> <input id=\"m{i}\" name=\"models\" value=\"{v}\" placeholder=\"namespace/name\"></p>",
                n = i + 1,
                v = esc(asked.get(i).map(String::as_str).unwrap_or_default()),
            )
        })
        .collect();
    let problems: String = problems
        .iter()
        .map(|p| format!("<li>{}</li>", esc(p)))
        .collect();
    let problems = if problems.is_empty() {
        String::new()
    } else {
        format!("<div class=\"panel\" role=\"alert\"><ul>{problems}</ul></div>")
    };
    let table = if items.len() >= 2 {
        table(items)
    } else {
        String::new()
    };
    let main = format!(
        "<h1>Compare models</h1><form action=\"/compare\" method=\"get\">{inputs}<button type=\"submit\">Compare</button></form>{problems}{table}"
    );
    site.page("Compare models", &main)
}

fn table(items: &[CompareItem]) -> String {
    let head: String = items
        .iter()
        .map(|i| {
            format!(
                "<th scope=\"col\"><a href=\"{}\">{}</a></th>",
                esc(&i.entry.web_path()),
                esc(&i.entry.id())
            )
        })
        .collect();
    let row = |label: &str, f: &dyn Fn(&CompareItem) -> String| -> String {
        let cells: String = items.iter().map(|i| format!("<td>{}</td>", f(i))).collect();
        format!("<tr><th scope=\"row\">{}</th>{cells}</tr>", esc(label))
    };
    let with_a = |f: fn(&Assessment) -> String| {
        move |i: &CompareItem| {
            i.assessment
                .as_ref()
                .map(f)
                .unwrap_or_else(|| "pending".into())
        }
    };
    let mut rows = vec![
        row("Tier", &|i| tier_badge(i.entry.tier())),
        row("Declared licence", &|i| esc(&i.entry.licences().join(", "))),
        row(
            "Licences found",
            &with_a(|a| {
                esc(&a
                    .licences
                    .iter()
                    .map(|l| format!("{} ({})", l.id, l.scope))
                    .collect::<Vec<_>>()
                    .join(", "))
            }),
        ),
        row("MOF class", &with_a(|a| esc(&a.mof.label))),
        row(
            "OSAID 1.0",
            &with_a(|a| {
                if a.osaid.pass {
                    "pass".into()
                } else {
                    "does not pass".into()
                }
            }),
        ),
        row(
            "Findings",
            &with_a(|a| {
                if a.findings.is_empty() {
                    "none".into()
                } else {
                    esc(&a
                        .findings
                        .iter()
                        .map(|f| format!("{} {}", f.id, f.slug))
                        .collect::<Vec<_>>()
                        .join(", "))
                }
            }),
        ),
        row("Downloads", &|i| i.entry.downloads.to_string()),
    ];
    // One row per MOF component, from the first assessment's component list.
    if let Some(first) = items.iter().find_map(|i| i.assessment.as_ref()) {
        for c in &first.components {
            let component = c.component;
            rows.push(row(&c.name, &move |i: &CompareItem| {
                i.assessment
                    .as_ref()
                    .and_then(|a| a.component(component))
                    .map(|c| state(c.state).to_string())
                    .unwrap_or_else(|| "pending".into())
            }));
        }
    }
    format!(
        "<table><caption>Side by side</caption><thead><tr><td></td>{head}</tr></thead><tbody>{}</tbody></table>",
        rows.concat()
    )
}

fn state(s: ComponentState) -> &'static str {
    match s {
        ComponentState::Present => "present",
        ComponentState::Linked => "linked",
        ComponentState::DeclaredUnverified => "declared, not found",
        ComponentState::Absent => "absent",
    }
}
