//! Fuzzes the NDJSON commit payload parser (`POST /api/{kind}s/{repo}/commit/{rev}`): any body
//! is parsed or refused with a message, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    commonhold_server::fuzzing::commit_ndjson(data);
});
