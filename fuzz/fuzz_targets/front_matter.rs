//! Fuzzes `parse_card` (YAML front matter, sections, links) and `claims_open_source`.
#![no_main]

use commonhold_assess::inspect::{claims_open_source, parse_card};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Most inputs should reach the YAML parser, so prefix a fence unless the input has one.
    let card = if text.starts_with("---") { text.into_owned() } else { format!("---\n{text}") };
    let _ = parse_card(&card);
    let _ = claims_open_source(&card);
});
