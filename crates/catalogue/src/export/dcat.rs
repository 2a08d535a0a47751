//! A DCAT-AP 3.0.1 catalogue in JSON-LD, one page at a time, that data portals (CKAN's
//! ckanext-dcat, data.europa.eu) can harvest. Models are typed `dcat:Dataset` too, since
//! harvesters take only datasets; the page links to the next through `hydra:PagedCollection`.

use std::collections::BTreeSet;

use commonhold_types::RepoType;
use serde_json::{Value, json};

use super::licence::licence_iri;
use super::{rfc3339, tier_iri};
use crate::entry::RepoEntry;

const EU_LANG: &str = "http://publications.europa.eu/resource/authority/language";
const EU_THEME: &str = "http://publications.europa.eu/resource/authority/data-theme";
const EU_ACCESS: &str = "http://publications.europa.eu/resource/authority/access-right";

/// One page of the catalogue. Entries must already be filtered to what the public may see.
#[derive(Clone, Debug)]
pub struct DcatPage<'a> {
    /// Public URL of the hub, no trailing slash.
    pub base_url: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub publisher: &'a str,
    pub entries: Vec<&'a RepoEntry>,
    /// 1-based.
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

fn text(s: &str) -> Value {
    json!({"@value": s, "@language": "en"})
}

fn id(iri: &str) -> Value {
    json!({"@id": iri})
}

/// ISO 639-1 (as cards write it) to the EU language table's ISO 639-3 code, for the usual
/// languages; others are left out rather than guessed.
fn eu_language(code: &str) -> Option<&'static str> {
    let table = [
        ("en", "ENG"),
        ("fr", "FRA"),
        ("de", "DEU"),
        ("es", "SPA"),
        ("it", "ITA"),
        ("nl", "NLD"),
        ("pt", "POR"),
        ("pl", "POL"),
        ("sv", "SWE"),
        ("da", "DAN"),
        ("fi", "FIN"),
        ("el", "ELL"),
        ("cs", "CES"),
        ("sk", "SLK"),
        ("sl", "SLV"),
        ("hu", "HUN"),
        ("ro", "RON"),
        ("bg", "BUL"),
        ("hr", "HRV"),
        ("et", "EST"),
        ("lv", "LAV"),
        ("lt", "LIT"),
        ("ga", "GLE"),
        ("mt", "MLT"),
        ("no", "NOR"),
        ("zh", "ZHO"),
        ("ja", "JPN"),
        ("ar", "ARA"),
        ("ru", "RUS"),
        ("uk", "UKR"),
    ];
    let code = code.trim().to_ascii_lowercase();
    table.iter().find(|(k, _)| *k == code).map(|(_, v)| *v)
}

/// Builds one page of the catalogue.
pub fn dcat_catalog(p: &DcatPage<'_>) -> Value {
    let base = p.base_url.trim_end_matches('/');
    let catalog_iri = format!("{base}/api/catalog/dcat");
    let publisher_iri = format!("{base}/#publisher");
    let mut graph: Vec<Value> = Vec::new();
    let mut typed: BTreeSet<(String, &'static str)> = BTreeSet::new();
    let mut agents: BTreeSet<String> = BTreeSet::new();
    let mut datasets = Vec::new();
    for e in &p.entries {
        let (node, extra) = dataset(base, e);
        datasets.push(id(node
            .get("@id")
            .and_then(Value::as_str)
            .unwrap_or_default()));
        graph.push(node);
        typed.extend(extra);
        agents.insert(e.namespace.clone());
    }
    let mut catalog = json!({
        "@id": catalog_iri,
        "@type": "dcat:Catalog",
        "dct:title": text(p.title),
        "dct:description": text(p.description),
        "dct:publisher": id(&publisher_iri),
        "foaf:homepage": id(&format!("{base}/")),
        "dct:language": id(&format!("{EU_LANG}/ENG")),
        "dcat:themeTaxonomy": id(EU_THEME),
        "dcat:dataset": datasets,
    });
    let pages = p.total.div_ceil(p.per_page.max(1)).max(1);
    let page_iri = |n: u64| format!("{catalog_iri}?page={n}&per_page={}", p.per_page);
    let mut paging = json!({
        "@id": page_iri(p.page),
        "@type": "hydra:PagedCollection",
        "hydra:totalItems": p.total,
        "hydra:itemsPerPage": p.per_page,
        "hydra:firstPage": page_iri(1),
        "hydra:lastPage": page_iri(pages),
    });
    if p.page < pages {
        paging["hydra:nextPage"] = json!(page_iri(p.page + 1));
    }
    if p.page > 1 {
        paging["hydra:previousPage"] = json!(page_iri(p.page - 1));
    }
    if let Some(obj) = catalog.as_object_mut() {
        obj.insert(
            "dct:modified".into(),
            json!(rfc3339(
                p.entries.iter().map(|e| e.last_modified).max().unwrap_or(0),
            )),
        );
    }
    let mut all = vec![catalog, paging];
    all.push(json!({"@id": publisher_iri, "@type": "foaf:Agent", "foaf:name": p.publisher}));
    for a in agents {
        all.push(json!({"@id": format!("{base}/organizations/{a}"), "@type": "foaf:Agent", "foaf:name": a}));
    }
    typed.insert((format!("{base}/"), "foaf:Document"));
    typed.insert((format!("{EU_LANG}/ENG"), "dct:LinguisticSystem"));
    all.extend(graph);
    for (iri, ty) in typed {
        let mut node = json!({"@id": iri, "@type": ty});
        if let Some(scheme) = [EU_LANG, EU_THEME, EU_ACCESS]
            .iter()
            .find(|s| iri.starts_with(&format!("{s}/")))
        {
            node["skos:inScheme"] = id(scheme);
        }
        if ty == "skos:Concept" {
            node["skos:prefLabel"] = text("Science and technology");
        }
        all.push(node);
    }
    all.push(
        json!({"@id": EU_THEME, "@type": "skos:ConceptScheme", "dct:title": text("Data theme")}),
    );
    json!({"@context": context(), "@graph": all})
}

/// One repo as a `dcat:Dataset` node, and the IRIs it uses that need a type in our graph.
fn dataset(base: &str, e: &RepoEntry) -> (Value, Vec<(String, &'static str)>) {
    let page = format!("{base}{}", e.web_path());
    let mut typed = vec![(page.clone(), "foaf:Document")];
    let types = match e.kind {
        RepoType::Model => json!(["dcat:Dataset", "it6:MachineLearningModel"]),
        _ => json!("dcat:Dataset"),
    };
    let description = match e.description() {
        d if d.is_empty() => format!("{} {} published on this hub.", e.kind.as_str(), e.id()),
        d => d,
    };
    let licences: Vec<Value> = e
        .licences()
        .iter()
        .map(|l| {
            let iri = licence_iri(base, l);
            typed.push((iri.clone(), "dct:LicenseDocument"));
            id(&iri)
        })
        .collect();
    let mut keywords: Vec<Value> = e.pipeline_tag.iter().map(|t| text(t)).collect();
    keywords.extend(
        e.tags
            .iter()
            .filter(|t| !t.contains(':'))
            .take(20)
            .map(|t| text(t)),
    );
    let mut node = json!({
        "@id": page,
        "@type": types,
        "dct:identifier": e.id(),
        "dct:title": text(&e.name),
        "dct:description": text(&description),
        "dct:publisher": id(&format!("{base}/organizations/{}", e.namespace)),
        "dct:issued": rfc3339(e.created_at),
        "dct:modified": rfc3339(e.last_modified),
        "dcat:landingPage": id(&page),
        "dcat:theme": id(&format!("{EU_THEME}/TECH")),
    });
    typed.push((format!("{EU_THEME}/TECH"), "skos:Concept"));
    let access = if e.gated.is_some() {
        "RESTRICTED"
    } else {
        "PUBLIC"
    };
    let access_iri = format!("{EU_ACCESS}/{access}");
    node["dct:accessRights"] = id(&access_iri);
    typed.push((access_iri, "dct:RightsStatement"));
    if !keywords.is_empty() {
        node["dcat:keyword"] = json!(keywords);
    }
    if !licences.is_empty() {
        node["dct:license"] = json!(licences.first());
    }
    let langs: Vec<Value> = e
        .languages()
        .iter()
        .filter_map(|l| eu_language(l))
        .map(|code| {
            let iri = format!("{EU_LANG}/{code}");
            typed.push((iri.clone(), "dct:LinguisticSystem"));
            id(&iri)
        })
        .collect();
    if !langs.is_empty() {
        node["dct:language"] = json!(langs);
    }
    if let Some(o) = &e.openness
        && o.tier != "n/a"
    {
        let iri = tier_iri(base, &o.tier);
        typed.push((iri.clone(), "dct:Standard"));
        node["dct:conformsTo"] = id(&iri);
        if let Some(k) = node.get_mut("dcat:keyword").and_then(Value::as_array_mut) {
            k.push(text(&o.tier));
        } else {
            node["dcat:keyword"] = json!([text(&o.tier)]);
        }
    }
    if let Some(sha) = &e.sha {
        node["dcat:version"] = json!(sha);
        let tree = format!("{page}/tree/{sha}");
        let mut dist = json!({
            "@id": format!("{tree}#distribution"),
            "@type": "dcat:Distribution",
            "dct:title": text("Repository files at this revision"),
            "dcat:accessURL": id(&tree),
        });
        if let Some(l) = licences.first() {
            dist["dct:license"] = l.clone();
        }
        node["dcat:distribution"] = json!([dist]);
    }
    (node, typed)
}

fn context() -> Value {
    json!({
        "dcat": "http://www.w3.org/ns/dcat#",
        "dct": "http://purl.org/dc/terms/",
        "foaf": "http://xmlns.com/foaf/0.1/",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "it6": "http://data.europa.eu/it6/",
        "hydra": "http://www.w3.org/ns/hydra/core#",
        "dct:issued": {"@type": "xsd:dateTime"},
        "dct:modified": {"@type": "xsd:dateTime"},
        "hydra:firstPage": {"@type": "@id"},
        "hydra:lastPage": {"@type": "@id"},
        "hydra:nextPage": {"@type": "@id"},
        "hydra:previousPage": {"@type": "@id"}
    })
}
