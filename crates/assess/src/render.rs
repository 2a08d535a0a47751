//! Rendering an [`Assessment`] for people (text, Markdown) and machines (JSON).
//!
//! Text uses ANSI colour only when asked to; [`colour_wanted`] says whether stdout is a
//! terminal and `NO_COLOR` is unset, which is the CLI's rule.

use std::fmt::Write as _;
use std::io::IsTerminal as _;

use crate::model::{Assessment, ComponentState, Evidence, Severity, Tier};

/// An output format of `commonhold assess`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "text" => Some(Format::Text),
            "json" => Some(Format::Json),
            "markdown" | "md" => Some(Format::Markdown),
            _ => None,
        }
    }
}

/// True when stdout is a terminal and `NO_COLOR` is not set.
pub fn colour_wanted() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

/// Renders in `format`; `colour` applies to text only.
pub fn render(a: &Assessment, format: Format, colour: bool) -> String {
    match format {
        Format::Text => render_text(a, colour),
        Format::Json => render_json(a),
        Format::Markdown => render_markdown(a),
    }
}

/// Pretty JSON, one document, newline-terminated.
pub fn render_json(a: &Assessment) -> String {
    let mut s = serde_json::to_string_pretty(a).unwrap_or_else(|e| {
        // Serialising plain data cannot fail; say so rather than panic if it ever does.
        format!("{{\"error\": \"cannot serialise assessment: {e}\"}}")
    });
    s.push('\n');
    s
}

/// Evidence as a short reference: `path:line` or the URL.
pub fn evidence_ref(e: &Evidence) -> String {
    match e {
        Evidence::File {
            path,
            line: Some(l),
            ..
        } => format!("{path}:{l}"),
        Evidence::File { path, .. } => path.clone(),
        Evidence::Url { url, .. } => url.clone(),
        Evidence::Revision { name } => format!("revision {name}"),
        Evidence::Manifest {
            component_path: Some(p),
        } => format!("manifest ({p})"),
        Evidence::Manifest { .. } => "manifest".to_owned(),
        Evidence::Knowledge {
            family,
            version,
            source,
            checked,
            ..
        } => format!("knowledge file {version}, family {family} ({source}, checked {checked})"),
    }
}

/// What a licence is (OSI, FSF, open data, restrictive), comma-separated.
fn licence_flags(l: &crate::model::LicenceFinding) -> String {
    [
        (l.osi_approved, "OSI"),
        (l.fsf_libre, "FSF"),
        (l.open_data, "open-data"),
        (l.restrictive, "restrictive"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, n)| *n)
    .collect::<Vec<_>>()
    .join(", ")
}

/// ` (inherited from base B, rule G3)` for a base's licence that governs the weights.
fn inherited_note(l: &crate::model::LicenceFinding) -> String {
    l.inherited_from
        .as_ref()
        .map(|b| format!(" (inherited from base `{b}`, rule G3)"))
        .unwrap_or_default()
}

/// ` (rule X)` after a judgment, or nothing when it names no rule.
fn rule_note(rule: Option<&str>) -> String {
    rule.map(|r| format!(" (rule {r})")).unwrap_or_default()
}

/// `, knowledge V (sha256 prefix)` when the assessment records its knowledge file.
fn knowledge_note(a: &Assessment) -> String {
    a.knowledge
        .as_ref()
        .map(|k| {
            format!(
                ", knowledge {} ({})",
                k.version,
                k.sha256.get(..12).unwrap_or(&k.sha256)
            )
        })
        .unwrap_or_default()
}

fn state_label(s: ComponentState) -> &'static str {
    match s {
        ComponentState::Present => "present",
        ComponentState::Linked => "linked (not verified)",
        ComponentState::DeclaredUnverified => "declared, unverified",
        ComponentState::Absent => "absent",
    }
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn tier(&self, t: Tier) -> String {
        let code = match t {
            Tier::OpenScience | Tier::OpenTooling | Tier::OpenModel => "32",
            Tier::OpenWeights => "36",
            Tier::RestrictedWeights => "33",
            Tier::Closed => "31",
            Tier::NotApplicable => "0",
        };
        self.wrap(code, t.as_str())
    }
    fn severity(&self, s: Severity) -> String {
        let code = match s {
            Severity::Critical | Severity::High => "31",
            Severity::Medium => "33",
            Severity::Low | Severity::Info => "2",
        };
        self.wrap(code, s.as_str())
    }
}

/// Every statement the data grade rests on, in rule order (D2 sources, D3 sizes, D4 collection,
/// D5 generic statements).
fn pct(v: f64) -> String {
    format!("{v:.1}%")
}

/// Human-readable text.
pub fn render_text(a: &Assessment, colour: bool) -> String {
    let p = Paint { on: colour };
    let mut s = String::new();
    let _ = writeln!(s, "{} {}", p.bold("Openness assessment of"), a.root);
    let _ = writeln!(
        s,
        "  {} files, {} bytes, {:?} repository, definition {}{}",
        a.files,
        a.total_bytes,
        a.repo_type,
        a.definition_version,
        knowledge_note(a)
    );
    let _ = writeln!(
        s,
        "  Tier:  {}{}",
        p.tier(a.tier),
        rule_note(a.tier_rule.as_deref())
    );
    let _ = writeln!(
        s,
        "  MOF:   {} (Class III {}, II {}, I {})",
        a.mof.label,
        pct(a.mof.progress.class_3),
        pct(a.mof.progress.class_2),
        pct(a.mof.progress.class_1)
    );
    if let Some(d) = &a.mof_declared {
        let _ = writeln!(s, "         as declared in the manifest: {}", d.label);
    }
    let _ = writeln!(s, "  OSAID: {}", if a.osaid.pass { "pass" } else { "fail" });
    for m in &a.osaid.missing {
        let _ = writeln!(s, "         missing {m}");
    }
    if let Some(d) = &a.data_information {
        let _ = writeln!(
            s,
            "  Data information: {} (own files: {}, rule {})",
            d.grade.as_str(),
            d.own_grade.as_str(),
            d.rule
        );
        for st in d.statements() {
            let _ = writeln!(
                s,
                "         {} {:<17} \"{}\" at {}",
                st.rule,
                st.kind(),
                st.quote,
                evidence_ref(&st.evidence)
            );
        }
    }
    if !a.licences.is_empty() {
        let _ = writeln!(s, "\n{}", p.bold("Licences"));
        for l in &a.licences {
            let _ = writeln!(
                s,
                "  {:<24} {:<12} [{}] {}{}",
                l.id,
                l.scope,
                licence_flags(l),
                evidence_ref(&l.evidence),
                inherited_note(l)
            );
        }
    }
    let _ = writeln!(s, "\n{}", p.bold("Components"));
    for c in &a.components {
        let ev = c.evidence.first().map(evidence_ref).unwrap_or_default();
        let line = format!(
            "  {:<32} {:<22} {:<14} {:<4} {}",
            c.name,
            state_label(c.state),
            c.licence.as_deref().unwrap_or("-"),
            c.rule.as_deref().unwrap_or("-"),
            ev
        );
        let _ = writeln!(s, "{}", line.trim_end());
    }
    if let Some(d) = &a.dataset {
        let _ = writeln!(s, "\n{}", p.bold("Dataset"));
        let _ = writeln!(
            s,
            "  licence {} (open data: {}), {} data files",
            d.licence.as_deref().unwrap_or("none"),
            if d.open_data { "yes" } else { "no" },
            d.data_files
        );
        let _ = writeln!(
            s,
            "  card: composition {}, collection {}, provenance {}, known biases {}",
            d.card.composition, d.card.collection, d.card.provenance, d.card.known_biases
        );
        if let Some(c) = &d.croissant {
            let _ = writeln!(
                s,
                "  croissant {}: {} record sets, RAI fields: {}",
                c.path,
                c.record_sets,
                c.rai_fields.join(", ")
            );
        }
    }
    if !a.findings.is_empty() {
        let _ = writeln!(s, "\n{}", p.bold("Findings"));
        for f in &a.findings {
            let _ = writeln!(
                s,
                "  {} {:<8} {} {}{}",
                f.id,
                p.severity(f.severity),
                f.slug,
                f.message,
                rule_note(f.rule.as_deref())
            );
            for e in f.evidence.iter().take(4) {
                let _ = writeln!(s, "        at {}", evidence_ref(e));
            }
        }
    }
    if let Some(n) = &a.next_tier {
        let _ = writeln!(s, "\n{} {}", p.bold("To reach"), p.tier(n.tier));
        for step in &n.steps {
            let _ = writeln!(s, "  - {step}");
        }
    }
    s
}

/// Markdown for a pull request or an issue.
pub fn render_markdown(a: &Assessment) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "## Openness assessment: `{}`\n", a.tier.as_str());
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(
        s,
        "| Tier | **{}**{} |",
        a.tier.as_str(),
        rule_note(a.tier_rule.as_deref())
    );
    let _ = writeln!(
        s,
        "| MOF | {} (III {}, II {}, I {}) |",
        a.mof.label,
        pct(a.mof.progress.class_3),
        pct(a.mof.progress.class_2),
        pct(a.mof.progress.class_1)
    );
    let _ = writeln!(
        s,
        "| OSAID 1.0 | {} |",
        if a.osaid.pass { "pass" } else { "fail" }
    );
    if let Some(d) = &a.data_information {
        let _ = writeln!(
            s,
            "| Data information | {} (own files: {}, {}) |",
            d.grade.as_str(),
            d.own_grade.as_str(),
            d.rule
        );
    }
    let _ = writeln!(
        s,
        "| Definition | commonhold {}{} |",
        a.definition_version,
        knowledge_note(a)
    );
    let _ = writeln!(s, "\n### Components\n");
    let _ = writeln!(
        s,
        "| Component | State | Licence | Rule | Evidence |\n|---|---|---|---|---|"
    );
    for c in &a.components {
        let ev = c
            .evidence
            .first()
            .map(|e| format!("`{}`", evidence_ref(e)))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            c.name,
            state_label(c.state),
            c.licence.as_deref().unwrap_or("-"),
            c.rule.as_deref().unwrap_or("-"),
            ev
        );
    }
    if let Some(d) = &a.data_information
        && d.statements().next().is_some()
    {
        let _ = writeln!(s, "\n### Data information: {}\n", d.grade.as_str());
        let _ = writeln!(s, "| Rule | Statement | Evidence |\n|---|---|---|");
        for st in d.statements() {
            let _ = writeln!(
                s,
                "| {} {} | {} | `{}` |",
                st.rule,
                st.kind(),
                st.quote.replace('|', "\\|"),
                evidence_ref(&st.evidence)
            );
        }
    }
    if !a.licences.is_empty() {
        let _ = writeln!(s, "\n### Licences\n");
        let _ = writeln!(
            s,
            "| Licence | Governs | Kind | Evidence |\n|---|---|---|---|"
        );
        for l in &a.licences {
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | `{}`{} |",
                l.id.replace(['|', '`'], ""),
                l.scope,
                licence_flags(l),
                evidence_ref(&l.evidence),
                inherited_note(l)
            );
        }
    }
    if !a.osaid.missing.is_empty() {
        let _ = writeln!(s, "\n### OSAID 1.0: missing\n");
        for m in &a.osaid.missing {
            let _ = writeln!(s, "- {m}");
        }
    }
    if !a.findings.is_empty() {
        let _ = writeln!(s, "\n### Findings\n");
        let _ = writeln!(
            s,
            "| Id | Severity | Rule | Finding | Evidence |\n|---|---|---|---|---|"
        );
        for f in &a.findings {
            let ev: Vec<String> = f
                .evidence
                .iter()
                .take(3)
                .map(|e| format!("`{}`", evidence_ref(e)))
                .collect();
            let _ = writeln!(
                s,
                "| {} `{}` | {} | {} | {} | {} |",
                f.id,
                f.slug,
                f.severity.as_str(),
                f.rule.as_deref().unwrap_or("-"),
                f.message.replace('|', "\\|"),
                ev.join(" ")
            );
        }
    }
    if let Some(n) = &a.next_tier {
        let _ = writeln!(s, "\n### To reach `{}`\n", n.tier.as_str());
        for step in &n.steps {
            let _ = writeln!(s, "- [ ] {step}");
        }
    }
    s
}
