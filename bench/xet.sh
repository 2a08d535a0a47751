#!/usr/bin/env bash
# The Xet benchmark: deduplicated uploads of a model and its fine-tune through the real client.
#
#   bench/xet.sh [--smoke] [--size BYTES]      (HOLD_BENCH_BIN=path skips the build)
#
# With huggingface_hub 2.4.0 + hf_xet 1.8.0 (the client suite's `hf2` environment) against a
# server on loopback with a fresh data directory:
#   (a) upload a generated model file (default 1 GiB) through Xet;
#   (b) a "fine-tune" of it that differs in 5% of its bytes (50 scattered regions of SIZE/1024
#       bytes rewritten), uploaded as a new repo, once from the same HF_HOME (the client's shard
#       cache knows the base) and once from an empty one (another machine: only the server's
#       global dedup answers help). For each: xorb bytes the server received (its /metrics) and
#       the growth of the data directory, as a fraction of (a). Target: < 10%;
#   (c) upload and download throughput via Xet against the LFS path (HF_HUB_DISABLE_XET=1) on
#       the same file; downloads are medians of 3, each into an empty HF_HOME and checked against
#       the file's sha256 (uploads run once: a second upload of the same bytes is deduplicated).
# --smoke (what CI runs) uses a 16 MiB file and does not judge the target; a full run writes the
# Xet section of bench/RESULTS.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SMOKE=0
SIZE=$((1 << 30))
SIZE_SET=0
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) SMOKE=1 ;;
        --size) SIZE="${2:?--size needs a number of bytes}"; SIZE_SET=1; shift ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "usage: $0 [--smoke] [--size BYTES]" >&2; exit 2 ;;
    esac
    shift
done
RUNS=3
if [ $SMOKE -eq 1 ]; then
    [ $SIZE_SET -eq 1 ] || SIZE=$((16 << 20))
    RUNS=1
fi
case "$SIZE" in ''|*[!0-9]*) echo "--size must be a number of bytes" >&2; exit 2 ;; esac
[ "$SIZE" -ge $((1 << 20)) ] || { echo "--size must be at least 1 MiB" >&2; exit 2; }

log() { printf '[xet] %s\n' "$*" >&2; }
die() { printf '[xet] error: %s\n' "$*" >&2; exit 1; }

if [ -n "${HOLD_BENCH_BIN:-}" ]; then
    BIN="$HOLD_BENCH_BIN"
    BUILT_FROM="(given binary $HOLD_BENCH_BIN)"
else
    log "building commonhold (release)"
    (cd "$ROOT" && cargo build --release -p commonhold --quiet)
    BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/commonhold"
    BUILT_FROM="(release build of $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' with local changes'))"
fi
[ -x "$BIN" ] || die "no binary at $BIN"
ENV_DIR="$("$ROOT/scripts/client-envs.sh" path hf2)" || die "cannot prepare the hf2 client environment"
PY="$ENV_DIR/bin/python"
LOAD_AT_START="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- scratch space and cleanup -----------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/xet-bench.XXXXXX")"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=bench/lib/net.sh
source "$ROOT/bench/lib/net.sh"

# --- fixtures: the model and its fine-tune -----------------------------------------------------
REGIONS=50
REGION=$((SIZE / 1024))
log "writing a $SIZE-byte model and two fine-tunes with $REGIONS rewritten regions of $REGION bytes"
head -c "$SIZE" /dev/urandom >"$WORK/model.bin"
# Two fine-tunes at the same places with different bytes, one per scenario of (b), so that
# neither finds the other's new chunks already stored.
for tune in tuned-warm tuned-fresh; do
    cp "$WORK/model.bin" "$WORK/$tune.bin"
    for i in $(seq 0 $((REGIONS - 1))); do
        # Evenly spread, each a third of the way into its slot, so no two regions touch.
        at=$((i * (SIZE / REGIONS) + SIZE / REGIONS / 3))
        head -c "$REGION" /dev/urandom | dd of="$WORK/$tune.bin" bs="$REGION" seek="$((at / REGION))" \
            conv=notrunc status=none
    done
    cmp -s "$WORK/model.bin" "$WORK/$tune.bin" && die "the fine-tune equals the model"
done
CHANGED=$((REGIONS * REGION))
sync

# --- server ------------------------------------------------------------------------------------
DATA="$WORK/data"
"$BIN" user add bench --data "$DATA" 2>/dev/null
TOKEN="$("$BIN" token create --user bench --role write --data "$DATA")"
PORT="$(free_port)"
RUST_LOG=warn "$BIN" serve --listen "127.0.0.1:$PORT" --data "$DATA" >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
wait_port "$PORT" || { cat "$WORK/serve.err" >&2; die "commonhold did not start"; }
HUB="http://127.0.0.1:$PORT"

# One client call in a child Python: `upload FILE REPO` or `download REPO FILE_SHA256`. Prints
# the seconds the call itself took (imports and process start excluded).
cat >"$WORK/client.py" <<'PY'
import hashlib, os, sys, time
from huggingface_hub import HfApi, hf_hub_download

api = HfApi(token=os.environ["HF_TOKEN"])
mode, rest = sys.argv[1], sys.argv[2:]
if mode == "upload":
    src, repo = rest
    api.create_repo(repo, exist_ok=True)
    start = time.monotonic()
    api.upload_file(path_or_fileobj=src, path_in_repo="model.bin", repo_id=repo)
    print(f"{time.monotonic() - start:.3f}")
else:
    repo, want = rest
    start = time.monotonic()
    path = hf_hub_download(repo, "model.bin")
    took = time.monotonic() - start
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    if h.hexdigest() != want:
        sys.exit(f"{repo}: downloaded sha256 {h.hexdigest()}, expected {want}")
    print(f"{took:.3f}")
PY

# client HOME_NAME [XET|LFS] ARGS...: runs client.py with HF_HOME=$WORK/homes/HOME_NAME.
client() {
    local home="$WORK/homes/$1" path="$2"
    shift 2
    local disable=()
    [ "$path" = LFS ] && disable=(HF_HUB_DISABLE_XET=1)
    mkdir -p "$home"
    env -u HF_HUB_DISABLE_XET HF_ENDPOINT="$HUB" HF_TOKEN="$TOKEN" HF_HOME="$home" \
        HF_HUB_DISABLE_TELEMETRY=1 HF_HUB_DISABLE_PROGRESS_BARS=1 HF_HUB_DISABLE_UPDATE_CHECK=1 \
        "${disable[@]}" "$PY" "$WORK/client.py" "$@" 2>"$WORK/client.err" \
        || { tail -20 "$WORK/client.err" >&2; die "client $* failed"; }
}

# A counter of the server's /metrics (0 if absent).
metric() {
    curl -fsS "$HUB/metrics" | awk -v n="commonhold_xet_$1" '$1 == n { v = $2 } END { print v + 0 }'
}
data_bytes() { du -sb "$DATA" | cut -f1; }
mibps() { awk -v b="$1" -v s="$2" 'BEGIN { if (s <= 0) print "inf"; else printf "%.0f", b / s / 1048576 }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "inf"; else printf "%.2f", 100 * a / b }'; }

# Runs one Xet upload; sets UP_SECS, SENT (xorb bytes received) and STORED (data dir growth).
xet_upload() {
    local home="$1" src="$2" repo="$3" sent0 stored0
    sent0="$(metric xorb_bytes_received_total)"
    stored0="$(data_bytes)"
    UP_SECS="$(client "$home" XET upload "$src" "$repo")"
    SENT=$(($(metric xorb_bytes_received_total) - sent0))
    STORED=$(($(data_bytes) - stored0))
}

SHA_MODEL="$(sha256sum "$WORK/model.bin" | cut -d' ' -f1)"
SHA_TUNED="$(sha256sum "$WORK/tuned-fresh.bin" | cut -d' ' -f1)"

log "(a) uploading the model through Xet"
xet_upload base "$WORK/model.bin" bench/model
XET_UP="$UP_SECS" FULL_SENT="$SENT" FULL_STORED="$STORED"
[ "$FULL_SENT" -gt 0 ] || die "the model upload sent no xorb: is the client uploading through Xet?"

log "(b) uploading the fine-tune from the same HF_HOME"
xet_upload base "$WORK/tuned-warm.bin" bench/tuned-warm
WARM_SECS="$UP_SECS" WARM_SENT="$SENT" WARM_STORED="$STORED"
log "(b) uploading the fine-tune from an empty HF_HOME"
queries0="$(metric dedup_queries_total)"
xet_upload fresh "$WORK/tuned-fresh.bin" bench/tuned-fresh
COLD_SECS="$UP_SECS" COLD_SENT="$SENT" COLD_STORED="$STORED"
QUERIES=$(($(metric dedup_queries_total) - queries0))

log "(c) downloads via Xet, then the LFS path"
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
recon0="$(metric reconstructions_total)"
XET_DOWN="$(for i in $(seq "$RUNS"); do client "down-xet-$i" XET download bench/model "$SHA_MODEL"; done | median)"
RECONS=$((($(metric reconstructions_total) - recon0) / RUNS))
client down-tuned XET download bench/tuned-fresh "$SHA_TUNED" >/dev/null
LFS_UP="$(client lfs-up LFS upload "$WORK/model.bin" bench/model-lfs)"
LFS_DOWN="$(for i in $(seq "$RUNS"); do client "down-lfs-$i" LFS download bench/model-lfs "$SHA_MODEL"; done | median)"
if [ "$RECONS" -gt 0 ]; then
    XET_DOWN_HOW="hf_xet, $RECONS reconstruction ranges"
else
    XET_DOWN_HOW="plain GET rebuilt from xorbs (Xet not advertised on download)"
fi

verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (b > 0 && a / b < 0.10) ? "ok" : "MISSED" }'; }
TABLE="$(cat <<EOF
| measure | result | of the full upload | target | |
|---|---|---|---|---|
| (a) model upload via Xet, $SIZE B | $(mibps "$SIZE" "$XET_UP") MiB/s ($XET_UP s); xorbs received $FULL_SENT B, data dir +$FULL_STORED B | 100% | | |
| (b) fine-tune ($CHANGED B rewritten, $(pct "$CHANGED" "$SIZE")%), same HF_HOME | xorbs received $WARM_SENT B, data dir +$WARM_STORED B, $WARM_SECS s | sent $(pct "$WARM_SENT" "$FULL_SENT")%, stored $(pct "$WARM_STORED" "$FULL_STORED")% | < 10% | $(verdict "$WARM_SENT" "$FULL_SENT") |
| (b') fine-tune, empty HF_HOME ($QUERIES dedup queries) | xorbs received $COLD_SENT B, data dir +$COLD_STORED B, $COLD_SECS s | sent $(pct "$COLD_SENT" "$FULL_SENT")%, stored $(pct "$COLD_STORED" "$FULL_STORED")% | < 10% | $(verdict "$COLD_SENT" "$FULL_SENT") |
| (c) upload, Xet vs LFS (HF_HUB_DISABLE_XET=1) | Xet $(mibps "$SIZE" "$XET_UP") MiB/s, LFS $(mibps "$SIZE" "$LFS_UP") MiB/s | | (informational) | |
| (c') download into an empty HF_HOME, Xet vs LFS, median of $RUNS | Xet $(mibps "$SIZE" "$XET_DOWN") MiB/s ($XET_DOWN_HOW), LFS $(mibps "$SIZE" "$LFS_DOWN") MiB/s | | (informational) | |
EOF
)"
echo
echo "$TABLE"
echo

if [ $SMOKE -eq 1 ]; then
    log "smoke run: the targets are judged only on a full run"
    exit 0
fi

RESULTS="$ROOT/bench/RESULTS.md"
CLIENT_VERSIONS="$("$PY" -c 'import importlib.metadata as m; print("huggingface_hub", m.version("huggingface_hub") + ", hf-xet", m.version("hf-xet"))')"
SECTION="$(cat <<EOF
<!-- xet:begin (written by bench/xet.sh; edit the script, not this section) -->
## Xet

Command: \`bench/xet.sh --size $SIZE\` ($(date -u +%Y-%m-%d), $(nproc) cores,
$(awk '/^MemTotal:/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM, $("$BIN" --version) $BUILT_FROM,
$CLIENT_VERSIONS, load average $LOAD_AT_START at the start). One run on loopback with a fresh
data directory; client and server share the cores. The fine-tune rewrites $REGIONS evenly spread
regions of $REGION bytes with random bytes (another draw for each of (b) and (b')). "Xorbs received" is the server's
\`commonhold_xet_xorb_bytes_received_total\` delta (serialized xorb bytes that passed
validation); "data dir" is the growth of the whole data directory (xorbs and metadata).
Throughput counts only the client call (\`upload_file\` or \`hf_hub_download\`), not Python's start;
uploads are single runs, downloads medians of $RUNS, each into an empty HF_HOME. Other work on the
same cores moves the throughputs by tens of percent between runs; the byte counts do not move.

$TABLE
<!-- xet:end -->
EOF
)"
python3 - "$RESULTS" "$SECTION" <<'PY'
import re, sys
path, section = sys.argv[1], sys.argv[2]
text = open(path).read()
pattern = re.compile(r"<!-- xet:begin.*?<!-- xet:end -->", re.S)
if pattern.search(text):
    text = pattern.sub(lambda _: section, text)
else:
    text = text.rstrip("\n") + "\n\n" + section + "\n"
open(path, "w").write(text)
PY
log "wrote the Xet section of $RESULTS"
