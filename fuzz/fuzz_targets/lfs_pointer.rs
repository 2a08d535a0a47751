//! Fuzzes `parse_lfs_pointer` (Git LFS pointer files, definition P1).
#![no_main]

use commonhold_assess::inspect::parse_lfs_pointer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_lfs_pointer(data);
});
