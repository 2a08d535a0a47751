#!/usr/bin/env bash
# Informational: `resolve` download throughput, ingest time and server peak RSS for one LFS file, with the local blob
# store and with S3 (a local SeaweedFS), on loopback. Run: BIN=target/release/commonhold scripts/with-s3.sh bench/s3/compare.sh
# (SIZE bytes, default 1 GiB; RUNS downloads, median). Not part of the smoke runs: it needs the S3 server.
set -euo pipefail
BIN="${BIN:?}"; SIZE="${SIZE:-1073741824}"; RUNS="${RUNS:-3}"
WORK="$(mktemp -d)"; trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
head -c "$SIZE" /dev/urandom >"$WORK/big.bin"
OID="$(sha256sum "$WORK/big.bin" | cut -d' ' -f1)"
run_one() { # name, extra env...
    local name="$1"; shift
    local data="$WORK/data-$name"
    env "$@" "$BIN" user add bench --data "$data" >/dev/null 2>&1
    local token; token="$(env "$@" "$BIN" token create --user bench --role write --data "$data")"
    env "$@" RUST_LOG=warn "$BIN" serve --listen 127.0.0.1:0 --data "$data" 2>"$WORK/$name.err" >/dev/null &
    local pid=$!
    local addr=""
    for _ in $(seq 100); do addr="$(grep -o 'listening on http://[0-9.:]*' "$WORK/$name.err" | head -1 | sed "s|listening on http://||" || true)"; [ -n "$addr" ] && break; sleep 0.2; done
    local hub="http://$addr"; local auth=(-H "Authorization: Bearer $token")
    curl -fsS "${auth[@]}" -H 'Content-Type: application/json' -d '{"name":"b","type":"model"}' "$hub/api/repos/create" >/dev/null
    local href; href="$(curl -fsS "${auth[@]}" -H 'Content-Type: application/vnd.git-lfs+json' \
        -d "{\"operation\":\"upload\",\"transfers\":[\"basic\"],\"objects\":[{\"oid\":\"$OID\",\"size\":$SIZE}],\"hash_algo\":\"sha256\"}" \
        "$hub/bench/b.git/info/lfs/objects/batch" | python3 -c 'import json,sys; print(json.load(sys.stdin)["objects"][0]["actions"]["upload"]["href"])')"
    local t0=$(date +%s.%N)
    curl -fsS -H 'Expect:' -H 'Content-Type: application/octet-stream' -T "$WORK/big.bin" -o /dev/null "$href"
    local t1=$(date +%s.%N)
    printf '{"key":"header","value":{"summary":"b"}}\n{"key":"lfsFile","value":{"path":"big.bin","algo":"sha256","oid":"%s","size":%s}}\n' "$OID" "$SIZE" >"$WORK/c.ndjson"
    curl -fsS "${auth[@]}" -H 'Content-Type: application/x-ndjson' --data-binary @"$WORK/c.ndjson" "$hub/api/models/bench/b/commit/main" >/dev/null
    local speeds=()
    for _ in $(seq "$RUNS"); do speeds+=("$(curl -fsS -o /dev/null -w '%{speed_download}' "$hub/bench/b/resolve/main/big.bin")"); done
    cmp <(curl -fsS "$hub/bench/b/resolve/main/big.bin") "$WORK/big.bin"
    local rss; rss="$(awk '/VmHWM/ {print $2/1024}' /proc/$pid/status)"
    local med; med="$(printf '%s\n' "${speeds[@]}" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')"
    awk -v n="$name" -v s="$med" -v a="$t0" -v b="$t1" -v r="$rss" -v z="$SIZE" 'BEGIN { printf "%s: download %.0f MiB/s (median), ingest %.2f s (%.0f MiB/s), server peak RSS %.1f MB\n", n, s/1048576, b-a, z/1048576/(b-a), r }'
    kill "$pid"; wait "$pid" 2>/dev/null || true
}
run_one local
run_one s3 COMMONHOLD_BLOB_STORE="s3://$COMMONHOLD_TEST_S3_BUCKET/bench" AWS_ENDPOINT_URL="$COMMONHOLD_TEST_S3_ENDPOINT" \
    AWS_REGION="$COMMONHOLD_TEST_S3_REGION" AWS_ACCESS_KEY_ID="$COMMONHOLD_TEST_S3_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$COMMONHOLD_TEST_S3_SECRET_ACCESS_KEY"
