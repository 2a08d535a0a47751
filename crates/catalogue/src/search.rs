//! The embedded search index: full text over names, card text and tags, with facets.
//!
//! Built in memory from [`RepoEntry`] values (100,000 repos build in about a second) and queried
//! without IO. Terms match whole words or, for the last term typed, word prefixes; all terms
//! must match. Facet values are interned so that counting them is a pass over integers.
//! Who may see what is not the index's to decide: [`SearchIndex::search_as`] takes the caller's
//! rule (the hub's, with visibility changes applied since the index was built), and
//! [`SearchIndex::search`] shows public entries only.

use std::collections::{BTreeMap, HashMap};

use crate::entry::RepoEntry;

/// What a result set can be narrowed by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Facet {
    Kind,
    Tier,
    DataCard,
    MofClass,
    Osaid,
    Licence,
    Task,
    Language,
    Funder,
    Provider,
}

impl Facet {
    /// Every facet, in the order the search page shows them.
    pub const ALL: [Facet; 10] = [
        Facet::Kind,
        Facet::Tier,
        Facet::DataCard,
        Facet::MofClass,
        Facet::Osaid,
        Facet::Licence,
        Facet::Task,
        Facet::Language,
        Facet::Funder,
        Facet::Provider,
    ];

    /// The query-string key.
    pub fn key(self) -> &'static str {
        match self {
            Facet::Kind => "kind",
            Facet::Tier => "tier",
            Facet::DataCard => "datacard",
            Facet::MofClass => "mof",
            Facet::Osaid => "osaid",
            Facet::Licence => "license",
            Facet::Task => "task",
            Facet::Language => "language",
            Facet::Funder => "funder",
            Facet::Provider => "provider",
        }
    }

    /// The heading shown to readers.
    pub fn label(self) -> &'static str {
        match self {
            Facet::Kind => "Type",
            Facet::Tier => "Tier (models)",
            Facet::DataCard => "Data card (datasets)",
            Facet::MofClass => "MOF class",
            Facet::Osaid => "OSAID verdict",
            Facet::Licence => "Licence",
            Facet::Task => "Task",
            Facet::Language => "Language",
            Facet::Funder => "Funder",
            Facet::Provider => "Provider",
        }
    }

    pub fn from_key(key: &str) -> Option<Facet> {
        Facet::ALL.into_iter().find(|f| f.key() == key)
    }
}

/// Result order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Best text match first; most downloaded first without a text query.
    #[default]
    Relevance,
    Recent,
    Downloads,
}

impl Sort {
    pub fn parse(s: &str) -> Sort {
        match s {
            "recent" => Sort::Recent,
            "downloads" => Sort::Downloads,
            _ => Sort::Relevance,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Recent => "recent",
            Sort::Downloads => "downloads",
        }
    }
}

/// A search request.
#[derive(Clone, Debug, Default)]
pub struct SearchQuery {
    pub text: String,
    /// Values of one facet are alternatives; different facets must all hold.
    pub filters: Vec<(Facet, String)>,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
}

/// One facet value with the number of matching repos.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FacetCount {
    pub value: String,
    pub count: usize,
    pub selected: bool,
}

/// The answer to a [`SearchQuery`].
#[derive(Clone, Debug)]
pub struct SearchResults<'a> {
    pub total: usize,
    pub hits: Vec<&'a RepoEntry>,
    /// For each facet, its values by descending count (at most 20 shown per facet).
    pub facets: Vec<(Facet, Vec<FacetCount>)>,
}

/// Longest query text considered.
const MAX_QUERY_CHARS: usize = 200;
/// Values listed per facet.
const FACET_VALUES_SHOWN: usize = 20;

/// Field weights: a word in the name matters more than one deep in the card.
const W_NAME: f32 = 5.0;
const W_NAMESPACE: f32 = 3.0;
const W_TAG: f32 = 2.0;
const W_CARD: f32 = 1.0;

/// The index. Cheap to query from many threads; rebuilt (not mutated) when repos change.
#[derive(Debug, Default)]
pub struct SearchIndex {
    docs: Vec<RepoEntry>,
    /// term -> (doc, weight), docs ascending.
    postings: BTreeMap<String, Vec<(u32, f32)>>,
    /// Interned (facet, value) pairs.
    values: Vec<(Facet, String)>,
    value_ids: HashMap<(Facet, String), u32>,
    /// Facet value ids of each doc.
    doc_values: Vec<Vec<u32>>,
}

/// The words of a text: lower-case alphanumeric runs.
pub fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.len() <= 64)
        .map(str::to_lowercase)
}

/// The facet values of one entry.
pub fn facet_values(e: &RepoEntry) -> Vec<(Facet, String)> {
    let mut out = vec![
        (Facet::Kind, e.kind.as_str().to_string()),
        (Facet::Provider, e.namespace.clone()),
    ];
    if let Some(o) = &e.openness {
        if o.tier != "n/a" {
            out.push((Facet::Tier, o.tier.clone()));
            let class = if o.mof_class == 0 {
                "unclassified".to_string()
            } else {
                format!("class-{}", o.mof_class)
            };
            out.push((Facet::MofClass, class));
        }
        let verdict = if o.osaid_pass { "pass" } else { "fail" };
        out.push((Facet::Osaid, verdict.to_string()));
    } else {
        out.push((Facet::Tier, "pending".to_string()));
    }
    if let Some(card) = e.data_card() {
        out.push((Facet::DataCard, card.level().as_str().to_string()));
    }
    out.extend(e.licences().into_iter().map(|l| (Facet::Licence, l)));
    out.extend(e.pipeline_tag.iter().map(|t| (Facet::Task, t.clone())));
    out.extend(e.languages().into_iter().map(|l| (Facet::Language, l)));
    out.extend(e.funding().into_iter().map(|f| (Facet::Funder, f.funder)));
    out.sort();
    out.dedup();
    out
}

impl SearchIndex {
    /// Builds the index over `entries`.
    pub fn build(entries: Vec<RepoEntry>) -> SearchIndex {
        let mut index = SearchIndex::default();
        for entry in entries {
            index.add(entry);
        }
        index
    }

    fn add(&mut self, entry: RepoEntry) {
        let Ok(doc) = u32::try_from(self.docs.len()) else {
            return;
        };
        let mut weights: HashMap<String, f32> = HashMap::new();
        let mut put = |text: &str, w: f32| {
            for t in tokens(text) {
                *weights.entry(t).or_default() += w;
            }
        };
        put(&entry.name, W_NAME);
        put(&entry.namespace, W_NAMESPACE);
        for tag in &entry.tags {
            put(tag, W_TAG);
        }
        put(&entry.card_text, W_CARD);
        for (term, w) in weights {
            self.postings.entry(term).or_default().push((doc, w));
        }
        let ids = facet_values(&entry)
            .into_iter()
            .map(|fv| match self.value_ids.get(&fv) {
                Some(id) => *id,
                None => {
                    let id = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
                    self.values.push(fv.clone());
                    self.value_ids.insert(fv, id);
                    id
                }
            })
            .collect();
        self.doc_values.push(ids);
        self.docs.push(entry);
    }

    /// Number of repos indexed.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Every entry, in build order.
    pub fn entries(&self) -> &[RepoEntry] {
        &self.docs
    }

    /// Scores of docs matching every term (`None`: no text query, everything matches).
    /// Dense arrays rather than maps: a common word can match most of the catalogue.
    fn text_scores(&self, text: &str) -> Option<Vec<(u32, f32)>> {
        let text: String = text.chars().take(MAX_QUERY_CHARS).collect();
        let terms: Vec<String> = tokens(&text).take(16).collect();
        let last = terms.len().checked_sub(1)?;
        let mut score = vec![0f32; self.docs.len()];
        let mut seen = vec![0u8; self.docs.len()];
        for (i, term) in terms.iter().enumerate() {
            let round = u8::try_from(i).unwrap_or(u8::MAX);
            let mut lists: Vec<(&Vec<(u32, f32)>, f32)> = Vec::new();
            if let Some(list) = self.postings.get(term) {
                lists.push((list, 1.0));
            }
            // The last word may still be being typed: also match words it begins.
            if i == last && term.chars().count() >= 2 {
                lists.extend(
                    self.postings
                        .range(term.clone()..)
                        .take_while(|(k, _)| k.starts_with(term.as_str()))
                        .filter(|(k, _)| *k != term)
                        .map(|(_, list)| (list, 0.5)),
                );
            }
            for (list, factor) in lists {
                for (d, w) in list {
                    let d = *d as usize;
                    // Only docs that matched every earlier term stay in the running.
                    if let (Some(seen), Some(score)) = (seen.get_mut(d), score.get_mut(d))
                        && (*seen == round || *seen == round + 1)
                    {
                        *seen = round + 1;
                        *score += w * factor;
                    }
                }
            }
        }
        let need = u8::try_from(terms.len()).unwrap_or(u8::MAX);
        Some(
            seen.iter()
                .zip(&score)
                .enumerate()
                .filter(|(_, (seen, _))| **seen == need)
                .filter_map(|(d, (_, s))| u32::try_from(d).ok().map(|d| (d, *s)))
                .collect(),
        )
    }

    /// Answers a query over the entries the index says are public.
    pub fn search(&self, q: &SearchQuery) -> SearchResults<'_> {
        self.search_as(q, &|e: &RepoEntry| !e.private)
    }

    /// Answers a query: matching repos that `visible` accepts, in order, one page, and facet
    /// counts and the total over all of those (so nothing hidden is counted either).
    pub fn search_as(
        &self,
        q: &SearchQuery,
        visible: &dyn Fn(&RepoEntry) -> bool,
    ) -> SearchResults<'_> {
        let scores = self.text_scores(&q.text);
        let mut wanted: HashMap<Facet, Vec<u32>> = HashMap::new();
        for (facet, value) in &q.filters {
            if let Some(id) = self.value_ids.get(&(*facet, value.clone())) {
                wanted.entry(*facet).or_default().push(*id);
            } else {
                // A value no repo has: nothing can match that facet.
                wanted.entry(*facet).or_default();
            }
        }
        let mut counts = vec![0usize; self.values.len()];
        let mut matched: Vec<(u32, f32)> = Vec::new();
        let mut consider = |doc: u32, score: f32| {
            let i = doc as usize;
            let (Some(entry), Some(vals)) = (self.docs.get(i), self.doc_values.get(i)) else {
                return;
            };
            if !visible(entry) {
                return;
            }
            let passes = wanted.iter().all(|(facet, ids)| {
                vals.iter().any(|v| {
                    ids.contains(v) && self.values.get(*v as usize).is_some_and(|x| x.0 == *facet)
                })
            });
            if !passes {
                return;
            }
            for v in vals {
                if let Some(c) = counts.get_mut(*v as usize) {
                    *c += 1;
                }
            }
            matched.push((doc, score));
        };
        match &scores {
            Some(s) => s.iter().for_each(|(d, w)| consider(*d, *w)),
            None => (0..self.docs.len())
                .filter_map(|d| u32::try_from(d).ok())
                .for_each(|d| consider(d, 0.0)),
        }
        let total = matched.len();
        let limit = q.limit.clamp(1, 100);
        self.order(&mut matched, q.sort, q.offset.saturating_add(limit));
        let hits = matched
            .iter()
            .skip(q.offset)
            .take(limit)
            .filter_map(|(d, _)| self.docs.get(*d as usize))
            .collect();
        SearchResults {
            total,
            hits,
            facets: self.facet_counts(&counts, q),
        }
    }

    /// Puts the first `top` results in order (the rest stay unordered behind them).
    fn order(&self, matched: &mut [(u32, f32)], sort: Sort, top: usize) {
        let doc = |d: u32| self.docs.get(d as usize);
        let key = |d: u32, f: fn(&RepoEntry) -> i64| doc(d).map_or(0, f);
        let cmp = |a: &(u32, f32), b: &(u32, f32)| match sort {
            Sort::Relevance => {
                b.1.total_cmp(&a.1)
                    .then_with(|| key(b.0, |e| e.downloads).cmp(&key(a.0, |e| e.downloads)))
                    .then(a.0.cmp(&b.0))
            }
            Sort::Recent => key(b.0, |e| e.last_modified)
                .cmp(&key(a.0, |e| e.last_modified))
                .then(a.0.cmp(&b.0)),
            Sort::Downloads => key(b.0, |e| e.downloads)
                .cmp(&key(a.0, |e| e.downloads))
                .then(a.0.cmp(&b.0)),
        };
        if top < matched.len() {
            matched.select_nth_unstable_by(top, cmp);
            if let Some(head) = matched.get_mut(..top) {
                head.sort_unstable_by(cmp);
            }
        } else {
            matched.sort_unstable_by(cmp);
        }
    }

    fn facet_counts(&self, counts: &[usize], q: &SearchQuery) -> Vec<(Facet, Vec<FacetCount>)> {
        let mut per: BTreeMap<Facet, Vec<FacetCount>> = BTreeMap::new();
        for (id, count) in counts.iter().enumerate() {
            let Some((facet, value)) = self.values.get(id) else {
                continue;
            };
            let selected = q.filters.iter().any(|(f, v)| f == facet && v == value);
            if *count > 0 || selected {
                per.entry(*facet).or_default().push(FacetCount {
                    value: value.clone(),
                    count: *count,
                    selected,
                });
            }
        }
        Facet::ALL
            .into_iter()
            .map(|f| {
                let mut list = per.remove(&f).unwrap_or_default();
                list.sort_by(|a, b| {
                    b.selected
                        .cmp(&a.selected)
                        .then(b.count.cmp(&a.count))
                        .then_with(|| a.value.cmp(&b.value))
                });
                list.truncate(FACET_VALUES_SHOWN);
                (f, list)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::OpennessBrief;
    use commonhold_types::RepoType;
    use serde_json::json;

    fn entry(
        id: i64,
        name: &str,
        text: &str,
        tier: &str,
        licence: &str,
        downloads: i64,
    ) -> RepoEntry {
        RepoEntry {
            repo_id: id,
            kind: RepoType::Model,
            namespace: "acme".into(),
            name: name.into(),
            owner_id: 7,
            private: false,
            gated: None,
            created_at: id,
            last_modified: id * 10,
            downloads,
            sha: None,
            card_data: json!({"license": licence, "funding": [{"funder": "EU"}]}),
            tags: vec![],
            pipeline_tag: Some("translation".into()),
            openness: Some(OpennessBrief {
                tier: tier.into(),
                mof_class: 3,
                osaid_pass: false,
                findings: 0,
            }),
            card_text: text.into(),
        }
    }

    fn index() -> SearchIndex {
        let mut secret = entry(4, "secret-zebra", "zebra", "closed", "mit", 0);
        secret.private = true;
        SearchIndex::build(vec![
            entry(
                1,
                "zebra-translator",
                "translates zebra talk",
                "open-model",
                "apache-2.0",
                5,
            ),
            entry(
                2,
                "horse-model",
                "a model of horses, not zebra",
                "open-weights",
                "mit",
                50,
            ),
            entry(
                3,
                "llama-ft",
                "restricted",
                "restricted-weights",
                "llama3",
                500,
            ),
            secret,
        ])
    }

    fn ids(r: &SearchResults<'_>) -> Vec<i64> {
        r.hits.iter().map(|e| e.repo_id).collect()
    }

    #[test]
    fn all_terms_must_match_and_names_weigh_more() {
        let idx = index();
        let r = idx.search(&SearchQuery {
            text: "zebra".into(),
            limit: 10,
            ..Default::default()
        });
        assert_eq!(ids(&r), vec![1, 2], "name match first, private hidden");
        let r = idx.search(&SearchQuery {
            text: "zebra horses".into(),
            limit: 10,
            ..Default::default()
        });
        assert_eq!(ids(&r), vec![2]);
        let r = idx.search(&SearchQuery {
            text: "transl".into(),
            limit: 10,
            ..Default::default()
        });
        assert_eq!(ids(&r), vec![1], "prefix of the last word");
        let r = idx.search_as(
            &SearchQuery {
                text: "zebra".into(),
                limit: 10,
                ..Default::default()
            },
            &|e| !e.private || e.owner_id == 7,
        );
        assert_eq!(r.total, 3, "the owner sees the private repo");
        let r = idx.search_as(
            &SearchQuery {
                text: "zebra".into(),
                limit: 10,
                ..Default::default()
            },
            &|e| e.repo_id != 1,
        );
        let mut seen = ids(&r);
        seen.sort_unstable();
        assert_eq!(
            seen,
            vec![2, 4],
            "the caller's rule decides, counts included"
        );
        assert_eq!(r.total, 2);
    }

    #[test]
    fn facets_filter_count_and_sort() {
        let idx = index();
        let q = SearchQuery {
            filters: vec![
                (Facet::Licence, "mit".into()),
                (Facet::Licence, "llama3".into()),
            ],
            sort: Sort::Downloads,
            limit: 10,
            ..Default::default()
        };
        let r = idx.search(&q);
        assert_eq!(ids(&r), vec![3, 2], "values of one facet are alternatives");
        let tiers = &r.facets.iter().find(|(f, _)| *f == Facet::Tier).unwrap().1;
        assert_eq!(tiers.len(), 2);
        assert!(tiers.iter().all(|c| c.count == 1));
        let q = SearchQuery {
            filters: vec![(Facet::Tier, "nonexistent".into())],
            limit: 10,
            ..Default::default()
        };
        assert_eq!(idx.search(&q).total, 0);
        let q = SearchQuery {
            sort: Sort::Recent,
            limit: 1,
            offset: 1,
            ..Default::default()
        };
        let r = idx.search(&q);
        assert_eq!((ids(&r), r.total), (vec![2], 3), "paged, most recent first");
    }

    #[test]
    fn datasets_are_faceted_by_data_card_completeness_not_tier() {
        let mut thin = entry(10, "thin-data", "rows", "n/a", "mit", 0);
        thin.kind = RepoType::Dataset;
        let mut documented = thin.clone();
        documented.repo_id = 11;
        documented.name = "documented-data".into();
        documented.card_data =
            json!({"license": "mit", "language": "en", "size_categories": "n<1K"});
        documented.card_text = [
            "Reviews written by volunteers in the spring of 2024.",
            "## Data Fields",
            "## Source Data",
            "## Intended Uses",
            "## Citation",
        ]
        .join(
            "\n\nThis section describes the dataset in more than ten words, as cards should.\n\n",
        );
        let idx = SearchIndex::build(vec![
            thin,
            documented,
            entry(1, "m", "x", "open-model", "mit", 0),
        ]);
        let r = idx.search(&SearchQuery {
            limit: 10,
            ..Default::default()
        });
        let counts = |f: Facet| {
            r.facets
                .iter()
                .find(|(k, _)| *k == f)
                .map(|(_, v)| {
                    v.iter()
                        .map(|c| (c.value.clone(), c.count))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        assert_eq!(
            counts(Facet::DataCard),
            [("minimal".to_string(), 1), ("partial".to_string(), 1)]
        );
        assert_eq!(
            counts(Facet::Tier),
            [("open-model".to_string(), 1)],
            "no tier for datasets"
        );
        let q = SearchQuery {
            filters: vec![(Facet::DataCard, "partial".into())],
            limit: 10,
            ..Default::default()
        };
        assert_eq!(ids(&idx.search(&q)), vec![11]);
    }
}
