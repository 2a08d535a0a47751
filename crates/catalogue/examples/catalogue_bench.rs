//! The catalogue benchmark (`bench/catalogue.sh`): builds the search index over N generated
//! repos (default 100,000), then times search and facet queries and page rendering, and prints
//! p50/p95 per kind of operation as a Markdown table.
//!
//! Usage: `cargo run --release -p commonhold-catalogue --example catalogue_bench [N]`

use std::time::Instant;

use commonhold_catalogue::pages::{self, RepoView, Site};
use commonhold_catalogue::{Facet, OpennessBrief, RepoEntry, SearchIndex, SearchQuery, Sort};
use commonhold_types::RepoType;
use serde_json::json;

const WORDS: [&str; 40] = [
    "sentiment",
    "translation",
    "speech",
    "vision",
    "medical",
    "legal",
    "civic",
    "climate",
    "agriculture",
    "finance",
    "education",
    "retrieval",
    "summarisation",
    "classifier",
    "encoder",
    "decoder",
    "multilingual",
    "tiny",
    "large",
    "distilled",
    "quantised",
    "instruction",
    "chat",
    "dataset",
    "benchmark",
    "open",
    "public",
    "archive",
    "news",
    "parliament",
    "court",
    "health",
    "energy",
    "transport",
    "maps",
    "satellite",
    "audio",
    "ocr",
    "tables",
    "code",
];
const LICENCES: [&str; 6] = [
    "apache-2.0",
    "mit",
    "cc-by-4.0",
    "llama3",
    "openrail",
    "gpl-3.0",
];
const TIERS: [&str; 6] = [
    "open-science",
    "open-tooling",
    "open-model",
    "open-weights",
    "restricted-weights",
    "closed",
];
const TASKS: [&str; 5] = [
    "text-classification",
    "translation",
    "text-generation",
    "image-classification",
    "automatic-speech-recognition",
];
const LANGS: [&str; 6] = ["en", "fr", "de", "es", "it", "nl"];
const FUNDERS: [&str; 4] = [
    "European Commission",
    "National Research Council",
    "City of Example",
    "Open Science Fund",
];

/// A deterministic pseudo-random sequence (xorshift), so runs are comparable.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as usize
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.next() % from.len()]
    }
}

fn entry(i: usize, rng: &mut Rng) -> RepoEntry {
    let dataset = i.is_multiple_of(5);
    let name = format!("{}-{}-{i}", rng.pick(&WORDS), rng.pick(&WORDS));
    let text: Vec<&str> = (0..60).map(|_| rng.pick(&WORDS)).collect();
    let mut card = json!({"license": rng.pick(&LICENCES), "language": rng.pick(&LANGS)});
    if i.is_multiple_of(7) {
        card["funding"] = json!([{"funder": rng.pick(&FUNDERS), "grant_id": format!("G-{i}")}]);
    }
    RepoEntry {
        repo_id: i as i64,
        kind: if dataset {
            RepoType::Dataset
        } else {
            RepoType::Model
        },
        namespace: format!("org{}", i % 2000),
        name,
        owner_id: (i % 2000) as i64,
        private: i.is_multiple_of(50),
        gated: None,
        created_at: 1_700_000_000_000 + i as i64 * 1000,
        last_modified: 1_700_000_000_000 + (rng.next() % 10_000_000) as i64,
        downloads: (rng.next() % 100_000) as i64,
        sha: Some(format!("{:040x}", i)),
        card_data: card,
        tags: vec![rng.pick(&WORDS).to_string(), rng.pick(&WORDS).to_string()],
        pipeline_tag: Some(rng.pick(&TASKS).to_string()),
        openness: Some(OpennessBrief {
            tier: if dataset {
                "n/a".into()
            } else {
                rng.pick(&TIERS).into()
            },
            mof_class: (rng.next() % 4) as u8,
            osaid_pass: rng.next().is_multiple_of(4),
            findings: (rng.next() % 5) as u64,
        }),
        card_text: text.join(" "),
    }
}

fn percentile(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples.get(i).copied().unwrap_or(0.0)
}

fn time<F: FnMut(usize)>(runs: usize, mut f: F) -> (f64, f64) {
    let mut ms: Vec<f64> = (0..runs)
        .map(|i| {
            let t = Instant::now();
            f(i);
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    (percentile(&mut ms, 0.5), percentile(&mut ms, 0.95))
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let entries: Vec<RepoEntry> = (0..n).map(|i| entry(i, &mut rng)).collect();
    let t = Instant::now();
    let index = SearchIndex::build(entries);
    let build = t.elapsed().as_secs_f64();
    let site = Site {
        name: "commonhold".into(),
    };
    let queries = [
        "sentiment",
        "civic climate",
        "parliament translation",
        "medic",
        "open public archive",
        "zzz-none",
    ];
    let query = |i: usize, filters: Vec<(Facet, String)>, sort: Sort| SearchQuery {
        text: queries[i % queries.len()].to_string(),
        filters,
        sort,
        limit: 20,
        ..SearchQuery::default()
    };
    let runs = 200;
    let text = time(runs, |i| {
        std::hint::black_box(index.search(&query(i, Vec::new(), Sort::Relevance)).total);
    });
    let facet = time(runs, |i| {
        let filters = vec![
            (Facet::Tier, TIERS[i % TIERS.len()].to_string()),
            (Facet::Licence, "apache-2.0".into()),
        ];
        std::hint::black_box(index.search(&query(i, filters, Sort::Downloads)).total);
    });
    let browse = time(runs, |i| {
        let q = SearchQuery {
            filters: vec![(Facet::Kind, "model".into())],
            sort: Sort::Recent,
            limit: 20,
            offset: i * 20,
            ..SearchQuery::default()
        };
        std::hint::black_box(index.search(&q).total);
    });
    let search_page = time(runs, |i| {
        let q = query(i, vec![(Facet::Language, "fr".into())], Sort::Relevance);
        let r = index.search(&q);
        std::hint::black_box(pages::search_page(&site, &q, &r).len());
    });
    let home = time(50, |_| {
        std::hint::black_box(pages::home_page(&site, &index, &|e| !e.private).len());
    });
    let readme = format!(
        "---\nlicense: mit\n---\n# Model\n\n{}\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        "Some **card** text with [a link](https://example.org). ".repeat(200)
    );
    let repo = time(runs, |i| {
        let view = RepoView {
            entry: index.entries()[i % index.len()].clone(),
            readme: Some(readme.clone()),
            commit: Some(format!("{:040x}", i)),
            files: Vec::new(),
            commits: Vec::new(),
            branches: Vec::new(),
            tags: Vec::new(),
            assessment: None,
            disputes: Vec::new(),
        };
        std::hint::black_box(pages::repo_page(&site, &view).len());
    });
    println!("Catalogue bench: {n} generated repos, release build, one thread.\n");
    println!("| operation | p50 ms | p95 ms |\n|---|---|---|");
    for (name, (p50, p95)) in [
        ("full-text search (1-3 words, relevance)", text),
        ("search + 2 facet filters, by downloads", facet),
        ("browse models by recency (facet only, paged)", browse),
        ("search page render (query + facets + HTML)", search_page),
        ("home page render (facets over all repos)", home),
        ("repository page render (12 kB card)", repo),
    ] {
        println!("| {name} | {p50:.2} | {p95:.2} |");
    }
    println!(
        "\nIndex build: {:.2} s for {n} repos ({:.0} repos/s).",
        build,
        n as f64 / build
    );
}
