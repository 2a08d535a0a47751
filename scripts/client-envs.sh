#!/usr/bin/env bash
# Python environments with the real Hugging Face clients, for the client test suite (tests/clients/).
#
# Each environment is one exactly pinned requirements file, tests/clients/requirements-<env>.txt, installed into
# .cache/venvs/<env>-<hash>, where the hash covers the pin list and the Python version: a rerun with unchanged pins
# is instant, and changing a pin builds a fresh environment beside the old one instead of mutating it.
#
# Usage:
#   scripts/client-envs.sh list                  names of the environments
#   scripts/client-envs.sh ensure [ENV...]       build the environments if needed (default: all); prints "ENV DIR"
#   scripts/client-envs.sh path ENV              build if needed; prints the environment's directory only
#   scripts/client-envs.sh test [ENV...] [-- PYTEST_ARGS...]
#                                                run the client suite once per environment (default: all)
#
# Environment: PYTHON (default python3, must be >= 3.11), COMMONHOLD_BIN (the server binary the suite starts).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SUITE="$ROOT/tests/clients"
CACHE="$ROOT/.cache/venvs"
PYTHON="${PYTHON:-python3}"

log() { printf '[client-envs] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

all_envs() {
    local f
    for f in "$SUITE"/requirements-*.txt; do
        [ -e "$f" ] || continue
        f="${f##*/requirements-}"
        echo "${f%.txt}"
    done
}

requirements_of() {
    local req="$SUITE/requirements-$1.txt"
    [ -f "$req" ] || die "unknown environment '$1' (no $req); known: $(all_envs | tr '\n' ' ')"
    echo "$req"
}

# The cache key: the pins plus the interpreter, since a venv is only valid for the Python that built it.
env_dir() {
    local req key
    req="$(requirements_of "$1")"
    key="$({ cat "$req"; "$PYTHON" -c 'import sys; print(sys.version)'; } | sha256sum | cut -c1-16)"
    echo "$CACHE/$1-$key"
}

check_python() {
    command -v "$PYTHON" >/dev/null || die "$PYTHON not found; install CPython >= 3.11 or set PYTHON"
    "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
        || die "$PYTHON is $("$PYTHON" -V 2>&1); transformers 5 needs >= 3.11"
    # Debian splits venv support into a package; install it when missing rather than fail later.
    if ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then
        if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
            log "installing python3-venv"
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >&2
        else
            die "$PYTHON lacks venv/ensurepip (Debian: apt-get install python3-venv)"
        fi
    fi
}

# Builds the environment in its final directory (venv scripts hard-code their path) and marks it complete last,
# so an interrupted build is detected and redone instead of being trusted.
ensure_env() {
    local name="$1" dir req
    dir="$(env_dir "$name")"
    req="$(requirements_of "$name")"
    if [ -f "$dir/.complete" ]; then
        echo "$dir"
        return
    fi
    check_python
    log "building environment $name in $dir (first run only)"
    rm -rf "$dir"
    mkdir -p "$CACHE"
    "$PYTHON" -m venv "$dir"
    local pip=("$dir/bin/python" -m pip --disable-pip-version-check --no-input -q)
    "${pip[@]}" install -r "$req" >&2
    "${pip[@]}" check >&2
    # Torch would make transformers pick a different (slow) code path and is not part of this contract.
    if "$dir/bin/python" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("torch") is None)'; then
        die "torch got installed into $name; remove it from $req"
    fi
    touch "$dir/.complete"
    echo "$dir"
}

run_suite() {
    local name="$1"
    shift
    local dir
    dir="$(ensure_env "$name")"
    log "running the client suite with environment $name"
    (
        cd "$SUITE"
        # The venv's bin first, so the suite's subprocesses find this env's `hf` / `huggingface-cli`.
        PATH="$dir/bin:$PATH" COMMONHOLD_CLIENT_ENV="$name" \
            "$dir/bin/python" -m pytest -p no:cacheprovider "$@"
    )
}

cmd="${1:-ensure}"
[ $# -gt 0 ] && shift
case "$cmd" in
list)
    all_envs
    ;;
ensure)
    [ $# -gt 0 ] || set -- $(all_envs)
    for name in "$@"; do
        printf '%s %s\n' "$name" "$(ensure_env "$name")"
    done
    ;;
path)
    [ $# -eq 1 ] || die "usage: $0 path ENV"
    ensure_env "$1"
    ;;
test)
    envs=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        envs+=("$1")
        shift
    done
    [ $# -gt 0 ] && shift
    [ ${#envs[@]} -gt 0 ] || mapfile -t envs < <(all_envs)
    failed=()
    for name in "${envs[@]}"; do
        run_suite "$name" "$@" || failed+=("$name")
    done
    if [ ${#failed[@]} -gt 0 ]; then
        log "client suite FAILED in: ${failed[*]}"
        exit 1
    fi
    log "client suite passed in: ${envs[*]}"
    ;;
*)
    die "unknown command '$cmd' (list | ensure | path | test)"
    ;;
esac
