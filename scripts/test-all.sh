#!/usr/bin/env bash
# Runs every test of the project, from a fresh clone on a fresh machine: the one command the README gives.
#
#   1. installs what is missing (Debian packages via apt-get: PostgreSQL for the metadata-store tests),
#   2. cargo fmt --check, cargo clippy (warnings denied),
#   3. the Rust tests (cargo nextest) under scripts/with-postgres.sh and scripts/with-s3.sh, which provide a
#      private PostgreSQL and a private S3-compatible server (SeaweedFS),
#   4. builds the `commonhold` binary, lints the real-client suite (tests/clients) and runs it once per pinned
#      client environment (scripts/client-envs.sh),
#   5. bench smoke runs (bench/*.sh --smoke), last.
#
# Every step runs even when an earlier one failed, so one run reports everything; the summary at the end lists each
# step's result and the script exits non-zero if any failed. Options: --no-clients, --no-bench, --no-rust to skip.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 2

run_rust=1
run_clients=1
run_bench=1
for arg in "$@"; do
    case "$arg" in
    --no-rust) run_rust=0 ;;
    --no-clients) run_clients=0 ;;
    --no-bench) run_bench=0 ;;
    *)
        echo "usage: $0 [--no-rust] [--no-clients] [--no-bench]" >&2
        exit 2
        ;;
    esac
done

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
results=()
failures=0
started_all=$SECONDS

banner() { printf '\n==> %s\n' "$*"; }

# step NAME COMMAND...: runs it, records "ok"/"FAILED" with its duration.
step() {
    local name="$1" start=$SECONDS status
    shift
    banner "$name"
    "$@"
    status=$?
    local took=$((SECONDS - start))
    if [ $status -eq 0 ]; then
        results+=("ok      ${took}s  $name")
    else
        results+=("FAILED  ${took}s  $name (exit $status)")
        failures=$((failures + 1))
    fi
    return $status
}

skip() { results+=("skipped     $1"); }

apt_install() {
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        echo "missing Debian packages $*: install them (apt-get install $*) and rerun" >&2
        return 1
    fi
    if [ -z "${APT_UPDATED:-}" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -q || return 1
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

install_prerequisites() {
    local missing=()
    # The PostgreSQL server binaries (initdb, pg_ctl) live outside PATH on Debian.
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null || missing+=(postgresql)
    command -v python3 >/dev/null || missing+=(python3)
    python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "installing: ${missing[*]}"
        apt_install "${missing[@]}" || return 1
    fi
    command -v cargo-nextest >/dev/null || cargo nextest --version >/dev/null 2>&1 || {
        echo "cargo-nextest is missing (it is on the project's machines; elsewhere: cargo install cargo-nextest)" >&2
        return 1
    }
}

rust_tests() {
    if [ -x scripts/with-postgres.sh ]; then
        # A private PostgreSQL and a private S3 server (SeaweedFS) for the store tests of both backends.
        scripts/with-postgres.sh scripts/with-s3.sh cargo nextest run --workspace --no-fail-fast
    else
        echo "scripts/with-postgres.sh not present yet: running without PostgreSQL (PostgreSQL tests will skip or fail)"
        cargo nextest run --workspace --no-fail-fast
    fi
}

build_server() { cargo build -p commonhold; }

client_lint() {
    local env_dir
    env_dir="$(scripts/client-envs.sh path hf2)" || return 1
    (cd tests/clients && "$env_dir/bin/ruff" check . && "$env_dir/bin/ruff" format --check .)
}

client_suite() {
    # The suite starts this binary itself; a stale binary from an earlier build must not be tested by mistake.
    export COMMONHOLD_BIN="$ROOT/target/debug/commonhold"
    scripts/client-envs.sh test
}

bench_smoke() {
    local script status=0 ran=0
    for script in bench/*.sh; do
        [ -x "$script" ] || continue
        ran=1
        echo "--- $script --smoke"
        # Smoke runs keep the scripts working; they measure the debug binary the suite already built
        # rather than spending CI time on a release build (recorded numbers come from full runs).
        HOLD_BENCH_BIN="${HOLD_BENCH_BIN:-$ROOT/target/debug/commonhold}" "$script" --smoke || status=1
    done
    [ $ran -eq 1 ] || echo "no executable bench/*.sh yet"
    return $status
}

step "install prerequisites" install_prerequisites
# The catalogue's export tests validate with the reference validators (pyshacl, mlcroissant,
# cyclonedx); under CI=true they fail rather than skip when these are missing.
step "export validators (Python venv)" bash crates/catalogue/scripts/standards-venv.sh
step "cargo fmt --check" cargo fmt --all --check
step "cargo clippy (warnings denied)" cargo clippy --workspace --all-targets -- -D warnings
if [ $run_rust -eq 1 ]; then
    step "rust tests (nextest, with PostgreSQL and S3)" rust_tests
else
    skip "rust tests"
fi
if [ $run_clients -eq 1 ]; then
    if step "build commonhold binary" build_server; then
        step "client environments (pinned)" scripts/client-envs.sh ensure
        step "client suite lint (ruff)" client_lint
        step "real-client suite (hf2, hf036, hfxet16)" client_suite
    else
        skip "real-client suite (no binary)"
    fi
else
    skip "real-client suite"
fi
if [ $run_clients -eq 1 ]; then
    step "browser tests (Chromium, Playwright, axe-core)" bash tests/browser/run.sh
else
    skip "browser tests"
fi
if [ $run_bench -eq 1 ]; then
    step "bench smoke runs" bench_smoke
else
    skip "bench smoke runs"
fi

banner "summary ($((SECONDS - started_all))s)"
printf '  %s\n' "${results[@]}"
echo "steps: $(( ${#results[@]} - failures - $(printf '%s\n' "${results[@]}" | grep -c '^skipped') )) passed, $failures failed"
if [ $failures -gt 0 ]; then
    echo "test-all: $failures step(s) FAILED"
    exit 1
fi
echo "test-all: all steps passed"
