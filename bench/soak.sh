#!/usr/bin/env bash
# The kill soak: three real-client workers (regular files, git-LFS, Xet; huggingface_hub + hf_xet) commit
# while the server is SIGKILLed at random and restarted; then every acknowledged commit is downloaded by
# commit id and compared, and `commonhold fsck` must be clean. Bounded: --kills restarts (default 30) at
# random gaps of 0.5-3 s. Exit 1 on any lost or corrupted acknowledged commit or an unclean fsck.
# --smoke (what CI runs) kills 3 times. A full run's figures go in bench/RESULTS.md.
#
#   bench/soak.sh [--smoke] [--kills N] [--seed S]      (HOLD_BENCH_BIN=path skips the release build)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib/net.sh
. "$ROOT/bench/lib/net.sh"
ARGS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) ARGS+=(--kills 3) ;;
        --kills|--seed) ARGS+=("$1" "${2:?$1 needs a number}"); shift ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "usage: $0 [--smoke] [--kills N] [--seed S]" >&2; exit 2 ;;
    esac
    shift
done

log() { printf '[soak] %s\n' "$*" >&2; }

BIN="${HOLD_BENCH_BIN:-}"
if [ -z "$BIN" ]; then
    log "building the release binary"
    (cd "$ROOT" && cargo build --release -p commonhold --quiet)
    BIN="$ROOT/target/release/commonhold"
fi
# The client environment of the real-client suite that has hf_xet (built on first use, then cached).
ENV_DIR="$("$ROOT/scripts/client-envs.sh" path hfxet16)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/commonhold-soak.XXXXXX")"
log "work dir $WORK"

status=0
"$ENV_DIR/bin/python" "$ROOT/bench/soak/soak.py" soak --binary "$BIN" --work "$WORK" --port "$(free_port)" \
    "${ARGS[@]}" || status=$?
if [ "$status" -eq 0 ]; then
    rm -rf "$WORK"
fi
exit "$status"
