//! Fuzzes the `Range` parser (RFC 9110) and the selection against a representation's size
//! (the input's first 8 bytes): a selected span is never empty and never past the end.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    commonhold_server::fuzzing::range(data);
});
