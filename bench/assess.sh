#!/usr/bin/env bash
# Assess benchmark: 20 GB of sparse safetensors weights (headers only are read) and a dataset
# repository of 10,000 files (targets: < 100 ms and < 1 s warm), then `commonhold assess --hub`
# on a loopback hub holding a 20 GB repository of 200 files (target: < 1 s warm).
# Results go in bench/RESULTS.md.
#
#   bench/assess.sh [--smoke]      (ASSESS_BENCH_BIN=path skips the commonhold build)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# --smoke (CI) checks that the bench still runs, in the debug build the tests already made;
# its timings are not the recorded ones.
profile=(--release)
SMOKE=0
[ "${1:-}" = "--smoke" ] && { profile=(); SMOKE=1; }
cargo run "${profile[@]}" --quiet -p commonhold-assess --example assess_bench

# --- assess --hub --------------------------------------------------------------------------------
# The hub holds 200 safetensors files of 100 MB (20 GB) without 20 GB being written: each file is
# sparse (a real header, then a hole read as zeros), its oid is its real sha256, and the hub's
# blob store gets a hard link to it with the rows an LFS upload would have recorded (lfs_objects,
# lfs_grants), so the commit's lfsFile entries are accepted as uploaded objects. The assessor
# reads the tree and paths-info, then each header with ranged reads; it never reads the weights.
FILES=200
FILE_DATA=100000000
RUNS=5
if [ $SMOKE -eq 1 ]; then FILES=4; RUNS=1; fi
log() { printf '[assess --hub] %s\n' "$*" >&2; }
die() { printf '[assess --hub] error: %s\n' "$*" >&2; exit 1; }
if ! command -v sqlite3 >/dev/null; then
    # The Debian package, as bench/hold.sh installs its tools.
    log "installing sqlite3 with apt-get (it records the planted blobs)"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
    { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends sqlite3 >/dev/null \
        || { $SUDO apt-get update >/dev/null && $SUDO env DEBIAN_FRONTEND=noninteractive \
             apt-get install -y --no-install-recommends sqlite3 >/dev/null; }; } \
        || die "sqlite3 is needed to record the planted blobs; install it (Debian: apt-get install sqlite3)"
fi
if [ -n "${ASSESS_BENCH_BIN:-}" ]; then
    BIN="$ASSESS_BENCH_BIN"
else
    cargo build "${profile[@]}" --quiet -p commonhold
    BIN="${CARGO_TARGET_DIR:-$ROOT/target}/$([ $SMOKE -eq 1 ] && echo debug || echo release)/commonhold"
fi
[ -x "$BIN" ] || die "no binary at $BIN"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/assess-hub-bench.XXXXXX")"
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && { kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; }
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# shellcheck source=bench/lib/net.sh
source "$ROOT/bench/lib/net.sh"

DATA="$WORK/data"
"$BIN" user add bench --data "$DATA" 2>/dev/null
TOKEN="$("$BIN" token create --user bench --role write --data "$DATA")"
PORT="$(free_port)"
COMMONHOLD_RATE_LIMIT_PER_ADDRESS=0 COMMONHOLD_RATE_LIMIT_PER_TOKEN=0 \
    RUST_LOG=warn "$BIN" serve --listen "127.0.0.1:$PORT" --data "$DATA" >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
wait_port "$PORT" || { cat "$WORK/serve.err" >&2; die "commonhold did not start"; }
HUB="http://127.0.0.1:$PORT"
AUTH=(-H "Authorization: Bearer $TOKEN")
curl -fsS "${AUTH[@]}" -H 'Content-Type: application/json' -d '{"name":"big","type":"model"}' \
    "$HUB/api/repos/create" >/dev/null

log "writing $FILES sparse safetensors files of $FILE_DATA bytes of tensor data each"
mkdir -p "$WORK/files"
python3 - "$WORK/files" "$FILES" "$FILE_DATA" <<'PY'
import json, os, struct, sys
out, files, data = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(1, files + 1):
    name = f"model-{i:05d}-of-{files:05d}.safetensors"
    header = json.dumps({
        "__metadata__": {"format": "pt"},
        f"model.layers.{i - 1}.mlp.weight": {"dtype": "BF16", "shape": [data // 2], "data_offsets": [0, data]},
    }, separators=(",", ":")).encode()
    with open(os.path.join(out, name), "wb") as f:
        f.write(struct.pack("<Q", len(header)) + header)
        f.truncate(8 + len(header) + data)
PY
log "hashing them (reads the holes as zeros; writes nothing)"
(cd "$WORK/files" && ls | xargs -P 2 -n 20 sha256sum) >"$WORK/sums"
REPO_ID="$(sqlite3 "$DATA/meta.db" 'SELECT id FROM repos;')"
[ "$(wc -l <<<"$REPO_ID")" -eq 1 ] || die "expected one repository, got: $REPO_ID"
NOW_MS="$(date +%s%3N)"
{
    printf '{"key":"header","value":{"summary":"20 GB in %s files"}}\n' "$FILES"
    printf '{"key":"file","value":{"path":"README.md","content":"%s","encoding":"base64"}}\n' \
        "$(printf -- '---\nlicense: apache-2.0\nlibrary_name: transformers\n---\n# Big model\n' | base64 -w0)"
    printf '{"key":"file","value":{"path":"config.json","content":"%s","encoding":"base64"}}\n' \
        "$(printf '{"architectures":["X"],"model_type":"x"}' | base64 -w0)"
} >"$WORK/commit.ndjson"
: >"$WORK/plant.sql"
TOTAL=0
while read -r oid name; do
    size="$(stat -c %s "$WORK/files/$name")"
    TOTAL=$((TOTAL + size))
    mkdir -p "$DATA/blobs/lfs/${oid:0:2}/${oid:2:2}"
    ln "$WORK/files/$name" "$DATA/blobs/lfs/${oid:0:2}/${oid:2:2}/$oid"
    printf "INSERT INTO lfs_objects (sha, size, created_at) VALUES (X'%s', %s, %s);\n" "$oid" "$size" "$NOW_MS" >>"$WORK/plant.sql"
    printf "INSERT INTO lfs_grants (repo_id, sha) VALUES (%s, X'%s');\n" "$REPO_ID" "$oid" >>"$WORK/plant.sql"
    printf '{"key":"lfsFile","value":{"path":"%s","algo":"sha256","oid":"%s","size":%s}}\n' "$name" "$oid" "$size" >>"$WORK/commit.ndjson"
done <"$WORK/sums"
sqlite3 -cmd '.timeout 10000' "$DATA/meta.db" "BEGIN; $(cat "$WORK/plant.sql") COMMIT;"
curl -fsS "${AUTH[@]}" -H 'Content-Type: application/x-ndjson' --data-binary @"$WORK/commit.ndjson" \
    "$HUB/api/models/bench/big/commit/main" >/dev/null
# The hub's own assessor reads the same headers once after the commit: let it finish first.
for _ in $(seq 600); do
    curl -fsS -o /dev/null "$HUB/api/models/bench/big/openness" 2>/dev/null && break
    sleep 0.1
done

assess() { "$BIN" assess --hub "$HUB" bench/big --format json; }
assess >"$WORK/assessment.json"
python3 - "$WORK/assessment.json" "$FILES" "$TOTAL" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
files, total = int(sys.argv[2]), int(sys.argv[3])
weights = a["weights"]
assert len(weights) == files, f"{len(weights)} weight files, not {files}"
assert all(w["scanned"] and not w.get("error") for w in weights), "every header read and parsed"
assert a["total_bytes"] >= total, (a["total_bytes"], total)
PY
times=()
for _ in $(seq "$RUNS"); do
    start=$(date +%s%N)
    assess >/dev/null
    times+=("$(( ($(date +%s%N) - start) / 1000000 ))")
done
MEDIAN="$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
echo "assess --hub: $FILES files, $TOTAL bytes on a loopback hub: ${MEDIAN} ms (median of $RUNS warm runs: ${times[*]} ms; target < 1000 ms)"
