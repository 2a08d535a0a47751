#!/usr/bin/env bash
# Catalogue benchmark: search index build rate, search and facet query latency, page render
# time over N generated repos (default 100,000). Prints a Markdown table for bench/RESULTS.md.
# Usage: bash bench/catalogue.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --release -p commonhold-catalogue --example catalogue_bench -- "${1:-100000}"
