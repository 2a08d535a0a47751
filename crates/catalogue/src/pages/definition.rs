//! `/docs/openness/definition`: the openness definition the assessments cite, with an anchor on every
//! rule (`#rule-G3`) so that each judgment's rule links to its text.

use super::common::Site;
use crate::markdown::render_card;

/// The definition in force, as shipped in `docs/openness/`.
const DEFINITION: &str = include_str!("../../../../docs/openness/definition.md");

/// Where the definition page lives.
pub const DEFINITION_PATH: &str = "/docs/openness/definition";

/// The link to one rule of the definition.
pub fn rule_href(rule: &str) -> String {
    format!("{DEFINITION_PATH}#rule-{}", crate::html::path_value(rule))
}

/// Gives each rule's list item (`<li><strong>G3 Flow-down.</strong>`) the id `rule-G3`.
fn anchor_rules(html: &str) -> String {
    const ITEM: &str = "<li><strong>";
    let mut out = String::with_capacity(html.len() + 1024);
    let mut rest = html;
    while let Some(at) = rest.find(ITEM) {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let label = &after[ITEM.len()..];
        let id: String = label
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let is_rule = id.len() >= 2
            && id.len() <= 4
            && id.starts_with(|c: char| c.is_ascii_uppercase())
            && id[1..].chars().all(|c| c.is_ascii_digit());
        if is_rule {
            out.push_str(&format!("<li id=\"rule-{id}\"><strong>"));
        } else {
            out.push_str(ITEM);
        }
        rest = label;
    }
    out.push_str(rest);
    out
}

/// Renders the definition page.
pub fn definition_page(site: &Site) -> String {
    site.page(
        "Openness definition",
        &format!(
            "<div class=\"card\">{}</div>",
            anchor_rules(&render_card(DEFINITION))
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_get_anchors() {
        let html = anchor_rules(
            "<ul><li><strong>G3 Flow-down.</strong> x</li><li><strong>Note</strong></li></ul>",
        );
        assert!(html.contains("<li id=\"rule-G3\"><strong>G3"), "{html}");
        assert!(html.contains("<li><strong>Note"), "{html}");
        let page = definition_page(&Site { name: "t".into() });
        assert!(
            page.contains("id=\"rule-T2\""),
            "the shipped definition has anchored rules"
        );
    }
}
