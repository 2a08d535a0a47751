#!/usr/bin/env bash
# Catalogue benchmark over N generated repos (default 100,000), two parts, each printing a
# Markdown table for bench/RESULTS.md:
#  1. the in-memory search index (crates/catalogue/examples/catalogue_bench.rs): build rate,
#     search and facet query latency, page render time;
#  2. the persisted index (crates/server/examples/catalogue_index_bench.rs): N repos seeded through
#     the hub on SQLite, then the commit-log follower's and `commonhold reindex`'s rates (README
#     reads + row writes), a server's cold load of the stored rows, and warm search pages.
#     Part 2 seeds every repo with a real commit: about 10 minutes at 100,000.
# Usage: bash bench/catalogue.sh [N] [index|search|all]   (default: all)
#        bash bench/catalogue.sh --smoke   (CI: both parts on a few repos, debug build, seconds)
set -euo pipefail
cd "$(dirname "$0")/.."
profile=(--release)
if [ "${1:-}" = --smoke ]; then
  # Checks that both benches still run; the numbers mean nothing. The debug build reuses what the
  # tests compiled, where a release build would compile the whole workspace again.
  set -- 200 all
  profile=()
fi
n="${1:-100000}"
part="${2:-all}"
if [ "$part" = all ] || [ "$part" = search ]; then
  cargo run --quiet "${profile[@]}" -p commonhold-catalogue --example catalogue_bench -- "$n"
fi
if [ "$part" = all ] || [ "$part" = index ]; then
  cargo run --quiet "${profile[@]}" -p commonhold-server --example catalogue_index_bench -- "$n"
fi
