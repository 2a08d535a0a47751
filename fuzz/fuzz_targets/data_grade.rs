//! Fuzzes the data information grade (definition D1-D8): a card and a data card of arbitrary
//! text (the input splits at its first NUL), assessed as an in-memory release.
#![no_main]

use commonhold_assess::{AssessOptions, MemoryRelease, assess};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let release = MemoryRelease::card_and_data_card(data);
    let _ = assess(&release, &AssessOptions::default());
});
