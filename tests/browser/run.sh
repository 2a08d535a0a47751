#!/usr/bin/env bash
# Browser tests of the web catalogue: builds commonhold, starts it on a fresh data directory,
# and runs catalogue.test.mjs (Playwright driving Debian's Chromium, axe-core) against it.
# Installs what it needs: Debian's chromium (apt) and the npm packages in package-lock.json.
# Screenshots are kept in tests/browser/artifacts/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
(cd "$here" && { [ -d node_modules/playwright-core ] && [ -d node_modules/axe-core ] || npm ci --no-audit --no-fund; })
(cd "$root" && cargo build -q -p commonhold)
bin="${COMMONHOLD_BIN:-$root/target/debug/commonhold}"
data="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$bin" --data "$data" user add browser-tester >/dev/null
token="$("$bin" --data "$data" token create --user browser-tester --role write)"
"$bin" serve --data "$data" --listen "127.0.0.1:$port" >"$data/serve.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 && break
  sleep 0.1
done
mkdir -p "$here/artifacts"
cd "$here"
BASE="http://127.0.0.1:$port" TOKEN="$token" NS="browser-tester" node --test catalogue.test.mjs
