#!/usr/bin/env bash
# Runs a command with a private, throw-away PostgreSQL 15 cluster, for the metadata store's tests.
#
# Usage: scripts/with-postgres.sh CMD [ARGS...]
#   e.g. scripts/with-postgres.sh cargo nextest run -p commonhold-meta
#
# The cluster lives in a fresh temporary directory (data, socket and log), listens on a free loopback port
# with trust authentication, and is stopped and deleted when the command ends, however it ends. The command
# sees COMMONHOLD_TEST_PG_URL=postgres://postgres@127.0.0.1:PORT/postgres and the script exits with its status.
# If the PostgreSQL server binaries are missing they are installed with apt-get (this needs root). When run as
# root, the cluster runs as the `postgres` system user, since PostgreSQL refuses to run as root.
#
# Environment: PG_BIN (directory of initdb/pg_ctl; default /usr/lib/postgresql/15/bin, else the newest installed).
set -euo pipefail

log() { printf '[with-postgres] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

[ "$#" -ge 1 ] || die "usage: $0 CMD [ARGS...]"

find_pg_bin() {
    if [ -n "${PG_BIN:-}" ]; then
        echo "$PG_BIN"
        return
    fi
    if [ -x /usr/lib/postgresql/15/bin/initdb ]; then
        echo /usr/lib/postgresql/15/bin
        return
    fi
    # Newest installed version, if 15 is not there (a newer Debian may ship only a later one).
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    echo "$dir"
}

PG_BIN="$(find_pg_bin)"
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    [ "$(id -u)" -eq 0 ] || die "PostgreSQL server binaries not found; install the 'postgresql' package (needs root)"
    log "installing PostgreSQL with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    PG_BIN="$(find_pg_bin)"
    [ -x "$PG_BIN/initdb" ] || die "apt-get installed PostgreSQL but no initdb was found under /usr/lib/postgresql"
fi

# Run PostgreSQL's tools as `postgres` when we are root, as ourselves otherwise.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

DIR="$(mktemp -d "${TMPDIR:-/tmp}/commonhold-pg.XXXXXX")"
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "no 'postgres' user to run the cluster as; install the 'postgresql' package"
    chown postgres: "$DIR"
fi
STARTED=0

cleanup() {
    if [ "$STARTED" -eq 1 ]; then
        as_pg "$PG_BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

as_pg "$PG_BIN/initdb" -D "$DIR/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }

# A port nobody listens on; pg_ctl fails if another process takes it first, so try a few.
port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in 1 2 3 4 5 6 7 8; do
    PORT=$((20000 + RANDOM % 30000))
    port_is_free "$PORT" || continue
    # Durability is pointless for a throw-away cluster: fsync off makes the tests fast.
    if as_pg "$PG_BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
        -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off" start >/dev/null; then
        STARTED=1
        break
    fi
done
[ "$STARTED" -eq 1 ] || { cat "$DIR/server.log" >&2 || true; die "could not start PostgreSQL"; }

export COMMONHOLD_TEST_PG_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (data in $DIR)"

status=0
"$@" || status=$?
exit "$status"
