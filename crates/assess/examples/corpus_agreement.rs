//! Prints the release corpus's agreement table (docs/openness/validation.md) and rates.
//!
//!     cargo run -p commonhold-assess --example corpus_agreement [-- --ratchet]
//!
//! `--ratchet` prints the disagreements in the form of `tests/corpus/known-disagreements.txt`;
//! `--show NAME` prints the whole assessment of one fixture, as text.

#[path = "../tests/it/corpus_support/mod.rs"]
mod corpus_support;

use corpus_support::{RATES_HEADER, disagreement_lines, rates, rates_table, run, table};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(name) = args
        .iter()
        .position(|a| a == "--show")
        .and_then(|i| args.get(i + 1))
    {
        for f in corpus_support::load_all()
            .into_iter()
            .filter(|f| &f.name == name)
        {
            print!(
                "{}",
                commonhold_assess::render::render_text(&f.assess(), false)
            );
        }
        return;
    }
    let outcomes = run();
    if std::env::args().any(|a| a == "--ratchet") {
        for line in disagreement_lines(&outcomes) {
            println!("{line}");
        }
        return;
    }
    for set in corpus_support::SETS {
        let of_set: Vec<_> = outcomes.iter().filter(|o| o.set == set).collect();
        if of_set.is_empty() {
            continue;
        }
        println!("## Set: {set}\n");
        println!("{}", table(&of_set));
    }
    print!("{RATES_HEADER}");
    for set in corpus_support::SETS {
        let of_set: Vec<_> = outcomes.iter().filter(|o| o.set == set).collect();
        if !of_set.is_empty() {
            print!("{}", rates_table(set, &rates(&of_set)));
        }
    }
    let all: Vec<_> = outcomes.iter().collect();
    print!("{}", rates_table("all", &rates(&all)));
}
