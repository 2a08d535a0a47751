#!/usr/bin/env bash
# Assess benchmark: 20 GB of sparse safetensors weights (headers only are read) and a dataset
# repository of 10,000 files. Targets: < 100 ms and < 1 s warm. Results go in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
# --smoke (CI) checks that the bench still runs, in the debug build the tests already made;
# its timings are not the recorded ones.
profile=(--release)
[ "${1:-}" = "--smoke" ] && profile=()
cargo run "${profile[@]}" --quiet -p commonhold-assess --example assess_bench
