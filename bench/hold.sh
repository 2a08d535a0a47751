#!/usr/bin/env bash
# The Hold benchmark: commonhold against nginx and standard tools, in one run on loopback.
#
#   bench/hold.sh [--smoke] [--size BYTES] [--runs N]      (HOLD_BENCH_BIN=path skips the build)
#
# Measures, for one large LFS file (default 1 GiB) and one small regular file:
#   (a) download throughput with curl: commonhold `resolve` vs nginx serving the same file;
#   (b) ingest time of an LFS basic upload (PUT to the signed URL, answered once the object is
#       hashed and durably stored) vs `tee FILE < in | openssl dgst -sha256; sync FILE`;
#   (c) the server's peak RSS (VmHWM) over both;
#   (d) HEAD requests/s and p99 latency on `resolve` for the small file at 64 connections, vs
#       nginx serving the same file. wrk cannot send HEAD (its response parser then waits for a
#       body: wg/wrk#198), so HEAD runs under `hey -m HEAD`; wrk measures GET of the same file.
# Targets: download >= 0.8x nginx, ingest <= 1.3x the tools, GET >= 0.5x and HEAD >= 0.6x
# nginx req/s, each with p99 < 20 ms, RSS < 200 MB. --smoke (what CI runs) uses a 16 MiB file and 3 s wrk runs and does
# not judge the targets; a full run writes the Hold section of bench/RESULTS.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HERE="$ROOT/bench/hold"
SMOKE=0
SIZE=$((1 << 30))
SIZE_SET=0
RUNS=3
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) SMOKE=1 ;;
        --size) SIZE="${2:?--size needs a number of bytes}"; SIZE_SET=1; shift ;;
        --runs) RUNS="${2:?--runs needs a number}"; shift ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "usage: $0 [--smoke] [--size BYTES] [--runs N]" >&2; exit 2 ;;
    esac
    shift
done
if [ $SMOKE -eq 1 ]; then
    [ $SIZE_SET -eq 1 ] || SIZE=$((16 << 20))
    LOAD_SECS=3
    RUNS=1
else
    LOAD_SECS=15
fi
case "$SIZE" in ''|*[!0-9]*) echo "--size must be a number of bytes" >&2; exit 2 ;; esac

log() { printf '[hold] %s\n' "$*" >&2; }
die() { printf '[hold] error: %s\n' "$*" >&2; exit 1; }

# --- prerequisites -----------------------------------------------------------------------------
need_apt=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_apt+=(nginx-light)
command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
command -v hey >/dev/null 2>&1 || need_apt+=(hey)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
if [ ${#need_apt[@]} -gt 0 ]; then
    log "installing ${need_apt[*]} with apt-get"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_apt[@]}" >/dev/null \
        || { $SUDO apt-get update >/dev/null && $SUDO env DEBIAN_FRONTEND=noninteractive \
             apt-get install -y --no-install-recommends "${need_apt[@]}" >/dev/null; } \
        || die "cannot install ${need_apt[*]}"
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

# HOLD_BENCH_BIN names a release binary to measure instead of building one (e.g. a copy kept
# from a known commit while the tree is mid-change).
if [ -n "${HOLD_BENCH_BIN:-}" ]; then
    BIN="$HOLD_BENCH_BIN"
else
    log "building commonhold (release)"
    (cd "$ROOT" && cargo build --release -p commonhold --quiet)
    BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/commonhold"
fi
[ -x "$BIN" ] || die "no binary at $BIN"
if [ -n "${HOLD_BENCH_BIN:-}" ]; then
    BUILT_FROM="(given binary $HOLD_BENCH_BIN)"
else
    BUILT_FROM="(built from $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' with local changes'))"
fi
LOAD_AT_START="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- scratch space and cleanup -----------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/hold-bench.XXXXXX")"
chmod 755 "$WORK"   # nginx workers may run as another user
SERVER_PID=""
NGINX_PID=""
cleanup() {
    local pid
    for pid in $SERVER_PID $NGINX_PID; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=bench/lib/net.sh
source "$ROOT/bench/lib/net.sh"

# Peak resident set of the server so far, in MB (VmHWM only ever grows).
peak_rss_mb() {
    awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"
}

# Runs a command under `timeout`, printing its wall time in seconds.
timed() {
    local start end
    start=$(date +%s.%N)
    timeout 600 "$@" >/dev/null || return 1
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "inf"; else printf "%.2f", a / b }'; }

# --- fixtures ----------------------------------------------------------------------------------
log "writing a $SIZE-byte test file"
mkdir -p "$WORK/in" "$WORK/www/bench/hold/resolve/main" "$WORK/baseline"
head -c "$SIZE" /dev/urandom >"$WORK/in/big.bin"
printf '{"model_type": "bench", "hidden_size": 64}\n' >"$WORK/in/config.json"
ln "$WORK/in/big.bin" "$WORK/www/bench/hold/resolve/main/big.bin" 2>/dev/null \
    || cp "$WORK/in/big.bin" "$WORK/www/bench/hold/resolve/main/big.bin"
cp "$WORK/in/config.json" "$WORK/www/bench/hold/resolve/main/config.json"
chmod -R a+rX "$WORK/www" "$WORK/in"
sync

# --- commonhold --------------------------------------------------------------------------------
DATA="$WORK/data"
"$BIN" user add bench --data "$DATA" 2>/dev/null
TOKEN="$("$BIN" token create --user bench --role write --data "$DATA")"
PORT="$(free_port)"
# wrk and hey send tens of thousands of requests a minute from one address: the rate limits
# (on by default) would answer most with 429, so they are off for what measures the server.
COMMONHOLD_RATE_LIMIT_PER_ADDRESS=0 COMMONHOLD_RATE_LIMIT_PER_TOKEN=0 \
    RUST_LOG=warn "$BIN" serve --listen "127.0.0.1:$PORT" --data "$DATA" >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
wait_port "$PORT" || { cat "$WORK/serve.err" >&2; die "commonhold did not start"; }
HUB="http://127.0.0.1:$PORT"
AUTH=(-H "Authorization: Bearer $TOKEN")
curl -fsS "${AUTH[@]}" -H 'Content-Type: application/json' -d '{"name":"hold","type":"model"}' \
    "$HUB/api/repos/create" >/dev/null

# Asks the LFS batch API for a basic upload URL; prints it (empty if the object is present).
upload_href() {
    curl -fsS "${AUTH[@]}" -H 'Content-Type: application/vnd.git-lfs+json' \
        -d "{\"operation\":\"upload\",\"transfers\":[\"basic\"],\"objects\":[{\"oid\":\"$1\",\"size\":$2}],\"hash_algo\":\"sha256\"}" \
        "$HUB/bench/hold.git/info/lfs/objects/batch" |
        python3 -c 'import json,sys; o=json.load(sys.stdin)["objects"][0]; print(o.get("actions",{}).get("upload",{}).get("href",""))'
}

# (b) ingest. Each run uploads a distinct object (the first 16 bytes differ), so neither the
# server nor the page cache can skip work; the tool pipeline gets the same file each run.
ingest_hub=()
ingest_tools=()
for run in $(seq "$RUNS"); do
    printf '%016d' "$run" | dd of="$WORK/in/big.bin" conv=notrunc status=none
    oid="$(sha256sum "$WORK/in/big.bin" | cut -d' ' -f1)"
    href="$(upload_href "$oid" "$SIZE")"
    [ -n "$href" ] || die "the batch API did not ask for the upload of $oid"
    sync
    t_hub=$(timed curl -fsS -H 'Expect:' -H 'Content-Type: application/octet-stream' \
        -T "$WORK/in/big.bin" -o /dev/null "$href")
    sync
    t_tools=$(timed sh -c 'tee "$1" <"$2" | openssl dgst -sha256 >/dev/null && sync "$1"' sh \
        "$WORK/baseline/big.bin" "$WORK/in/big.bin")
    rm -f "$WORK/baseline/big.bin"
    log "ingest run $run: commonhold ${t_hub}s, tee+openssl+sync ${t_tools}s"
    ingest_hub+=("$t_hub")
    ingest_tools+=("$t_tools")
done
RSS_INGEST="$(peak_rss_mb)"
# The last uploaded object becomes the file the downloads read.
printf '{"key":"header","value":{"summary":"bench files"}}\n{"key":"lfsFile","value":{"path":"big.bin","algo":"sha256","oid":"%s","size":%s}}\n{"key":"file","value":{"path":"config.json","content":"%s","encoding":"base64"}}\n' \
    "$oid" "$SIZE" "$(base64 -w0 "$WORK/in/config.json")" >"$WORK/commit.ndjson"
curl -fsS "${AUTH[@]}" -H 'Content-Type: application/x-ndjson' --data-binary @"$WORK/commit.ndjson" \
    "$HUB/api/models/bench/hold/commit/main" >/dev/null

# --- nginx -------------------------------------------------------------------------------------
NPORT="$(free_port)"
mkdir -p "$WORK/nginx/tmp"
user_line=""
[ "$(id -u)" -eq 0 ] && user_line="user root;"
sed -e "s|@PREFIX@|$WORK/nginx|g" -e "s|@PORT@|$NPORT|g" -e "s|@ROOT@|$WORK/www|g" -e "s|@USER@|$user_line|" \
    "$HERE/nginx.conf.in" >"$WORK/nginx/nginx.conf"
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" &
NGINX_PID=$!
wait_port "$NPORT" || { cat "$WORK/nginx/error.log" >&2; die "nginx did not start"; }
NG="http://127.0.0.1:$NPORT"
FILE_PATH="/bench/hold/resolve/main"

# (a) download: curl's average speed in bytes/s, median of the runs, alternating servers.
# The file is in the page cache for both (it was just written and read).
dl_hub=()
dl_ng=()
for run in $(seq "$RUNS"); do
    dl_ng+=("$(timeout 600 curl -fsS -o /dev/null -w '%{speed_download}' "$NG$FILE_PATH/big.bin")")
    dl_hub+=("$(timeout 600 curl -fsS -o /dev/null -w '%{speed_download}' "$HUB$FILE_PATH/big.bin")")
    log "download run $run: commonhold ${dl_hub[-1]} B/s, nginx ${dl_ng[-1]} B/s"
done
cmp <(curl -fsS "$HUB$FILE_PATH/big.bin") "$WORK/in/big.bin" || die "commonhold served different bytes"
RSS_ALL="$(peak_rss_mb)"

# (d) HEAD under hey, GET under wrk: 64 connections each.
hey_run() {
    timeout $((LOAD_SECS + 30)) hey -m HEAD -c 64 -z "${LOAD_SECS}s" "$1" 2>&1
}
# Prints "requests/s p99_ms errors" from hey's output.
hey_parse() {
    awk '
        /Requests\/sec:/ { rps = $2 }
        $1 == "99%" && $2 == "in" { p99 = $3 * 1000 }
        /^Status code distribution:/ { section = "status"; next }
        /^Error distribution:/ { section = "error"; next }
        section == "status" && /^ *\[[0-9]+\]/ { if ($1 != "[200]") bad += $2 }
        section == "error" && /^ *\[[0-9]+\]/ { n = $1; gsub(/[^0-9]/, "", n); bad += n }
        END { printf "%.0f %.2f %d\n", rps, p99, bad }'
}
wrk_run() {
    timeout $((LOAD_SECS + 30)) wrk -t2 -c64 -d"${LOAD_SECS}s" --latency "$1" 2>&1
}
# Prints "requests/s p99_ms errors" from wrk's output.
wrk_parse() {
    awk '
        function ms(v) {
            if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
            if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v
        }
        /^Requests\/sec:/ { rps = $2 }
        $1 == "99%" { p99 = ms($2) }
        /Non-2xx or 3xx/ { bad = $NF }
        /Socket errors/ { bad += 1 }
        END { printf "%.0f %.2f %d\n", rps, p99, bad + 0 }'
}
curl -fsSI "$HUB$FILE_PATH/config.json" >/dev/null || die "HEAD on commonhold failed"
read -r head_ng_rps head_ng_p99 head_ng_bad < <(hey_run "$NG$FILE_PATH/config.json" | hey_parse)
read -r head_hub_rps head_hub_p99 head_hub_bad < <(hey_run "$HUB$FILE_PATH/config.json" | hey_parse)
read -r get_ng_rps get_ng_p99 _ < <(wrk_run "$NG$FILE_PATH/config.json" | wrk_parse)
read -r get_hub_rps get_hub_p99 get_hub_bad < <(wrk_run "$HUB$FILE_PATH/config.json" | wrk_parse)
[ "$head_hub_bad" = 0 ] || die "commonhold answered $head_hub_bad HEAD requests with an error"
[ "$get_hub_bad" = 0 ] || log "warning: wrk saw errors on commonhold GET ($get_hub_bad)"
[ "$head_ng_bad" = 0 ] || log "warning: hey saw errors on nginx HEAD ($head_ng_bad)"
RSS_ALL="$(peak_rss_mb)"

# --- results -----------------------------------------------------------------------------------
ING_HUB=$(printf '%s\n' "${ingest_hub[@]}" | median)
ING_TOOLS=$(printf '%s\n' "${ingest_tools[@]}" | median)
DL_HUB=$(printf '%s\n' "${dl_hub[@]}" | median)
DL_NG=$(printf '%s\n' "${dl_ng[@]}" | median)
mbs() { awk -v v="$1" 'BEGIN { printf "%.0f", v / 1048576 }'; }
DL_RATIO=$(ratio "$DL_HUB" "$DL_NG")
ING_RATIO=$(ratio "$ING_HUB" "$ING_TOOLS")
HEAD_RATIO=$(ratio "$head_hub_rps" "$head_ng_rps")
GET_RATIO=$(ratio "$get_hub_rps" "$get_ng_rps")
# Evaluates a numeric condition (awk syntax) to "ok" or "MISS".
mark() { if awk "BEGIN { exit !($1) }"; then echo ok; else echo MISS; fi; }
DL_OK=$(mark "$DL_RATIO >= 0.8")
ING_OK=$(mark "$ING_RATIO <= 1.3")
HEAD_OK=$(mark "$HEAD_RATIO >= 0.6 && $head_hub_p99 < 20")
GET_OK=$(mark "$GET_RATIO >= 0.5 && $get_hub_p99 < 20")
RSS_OK=$(mark "$RSS_ALL < 200")

TABLE="$(cat <<EOF
| measure | commonhold | baseline | ratio | target | |
|---|---|---|---|---|---|
| (a) download $SIZE B, curl | $(mbs "$DL_HUB") MiB/s | nginx $(mbs "$DL_NG") MiB/s | $DL_RATIO | >= 0.8 | $DL_OK |
| (b) ingest $SIZE B, LFS basic PUT | ${ING_HUB} s | tee+openssl dgst+sync ${ING_TOOLS} s | $ING_RATIO | <= 1.3 | $ING_OK |
| (c) server peak RSS (VmHWM) | ${RSS_ALL} MB (${RSS_INGEST} MB after ingest) | | | < 200 MB | $RSS_OK |
| (d) HEAD resolve, hey 64 conns ${LOAD_SECS}s | ${head_hub_rps} req/s, p99 ${head_hub_p99} ms | nginx ${head_ng_rps} req/s, p99 ${head_ng_p99} ms | $HEAD_RATIO | >= 0.6, p99 < 20 ms | $HEAD_OK |
| (d') GET resolve, wrk 64 conns ${LOAD_SECS}s | ${get_hub_rps} req/s, p99 ${get_hub_p99} ms | nginx ${get_ng_rps} req/s, p99 ${get_ng_p99} ms | $GET_RATIO | >= 0.5, p99 < 20 ms | $GET_OK |
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
SECTION="$(cat <<EOF
<!-- hold:begin (written by bench/hold.sh; edit the script, not this section) -->
## Hold

Command: \`bench/hold.sh --size $SIZE --runs $RUNS\` ($(date -u +%Y-%m-%d), $(nproc) cores,
$(awk '/^MemTotal:/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -r), nginx $("$NGINX" -v 2>&1 | sed 's|.*/||'),
$("$BIN" --version) $BUILT_FROM, load average $LOAD_AT_START at the start). Loopback; medians of $RUNS runs;
the file is in the page cache for every download and upload. Ingest is the PUT to the signed
LFS URL until the server answers (hashed, written, fsynced, renamed, recorded), against
\`tee FILE < in | openssl dgst -sha256\` then \`sync FILE\`. HEAD runs under \`hey -m HEAD\`
because wrk cannot parse HEAD responses (wg/wrk#198); wrk measures GET of the same small file.
Client, servers and any other work share the same cores, so the HEAD numbers (and nginx's p99)
are bounded by the load generator as much as by the servers.

$TABLE
<!-- hold:end -->
EOF
)"
python3 - "$RESULTS" "$SECTION" <<'PY'
import re, sys
path, section = sys.argv[1], sys.argv[2]
try:
    text = open(path).read()
except FileNotFoundError:
    text = "# Benchmark results\n\nEach benchmark script writes its own section.\n"
pattern = re.compile(r"<!-- hold:begin.*?<!-- hold:end -->", re.S)
if pattern.search(text):
    text = pattern.sub(lambda _: section, text)
else:
    text = text.rstrip("\n") + "\n\n" + section + "\n"
open(path, "w").write(text)
PY
log "wrote the Hold section of $RESULTS"
