//! Fuzzes the data information grade (definition D1-D8): a card and a data card of arbitrary
//! text (the input splits at its first NUL), assessed as an in-memory release.
#![no_main]

use commonhold_assess::{AssessOptions, MemoryRelease, assess};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (card, sheet) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &data[..0]),
    };
    let release = MemoryRelease::new(
        "fuzz",
        vec![
            ("README.md".to_owned(), card.to_vec()),
            ("DATA_CARD.md".to_owned(), sheet.to_vec()),
        ],
    );
    let _ = assess(&release, &AssessOptions::default());
});
