//! Fuzzes the parsers of lineage (definition G1, K4): a PEFT `adapter_config.json`, a mergekit
//! configuration and a knowledge file of base families, all untrusted text.
#![no_main]

use commonhold_assess::Knowledge;
use commonhold_assess::inspect::{adapter_base, merge_models};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = adapter_base(data);
    let text = String::from_utf8_lossy(data);
    let _ = merge_models(&text);
    if let Ok(k) = Knowledge::parse(&text, "fuzz") {
        let _ = k.lookup(&text);
    }
});
