#!/usr/bin/env bash
# Creates (once) the Python venv holding the offline validators of the catalogue exports
# (see shared/reference/catalogue-standards.md) and prints its python path.
# Usage: VENV=path bash standards-venv.sh   (default: <workspace>/target/standards-venv)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${VENV:-$here/../../../target/standards-venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import pyshacl, mlcroissant, cyclonedx, spdx3_validate" 2>/dev/null; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet "mlcroissant==1.1.1" "pyshacl==0.40.1" \
    "cyclonedx-python-lib[json-validation]==11.12.0" "spdx3-validate==0.0.7" >&2
fi
echo "$venv/bin/python"
