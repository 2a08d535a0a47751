//! Fuzzes `inspect_weights` for the Gguf format: any bytes, any declared file size, no panic.
#![no_main]

use commonhold_assess::inspect::{WeightFormat, inspect_weights};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks whether the caller saw the whole file or only a prefix of a larger one.
    let (whole, bytes) = match data.split_first() {
        Some((flag, rest)) => (flag & 1 == 0, rest),
        None => (true, data),
    };
    let size = if whole { bytes.len() as u64 } else { bytes.len() as u64 + (1 << 30) };
    let _ = inspect_weights(WeightFormat::Gguf, bytes, size);
});
